#include "components/mysql-binlog/mb_mapper.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/mb_options.h"
#include "runtime/xalloc.h"

/* Java's MessageDigest names (case-blind, as getInstance) and OpenSSL's. */
static const char *const java_algos[][2] = {
    {"MD5", "MD5"},           {"SHA-1", "SHA1"},           {"SHA", "SHA1"},         {"SHA1", "SHA1"},
    {"SHA-224", "SHA224"},    {"SHA-256", "SHA256"},       {"SHA-384", "SHA384"},   {"SHA-512", "SHA512"},
    {"SHA-512/224", "SHA512-224"}, {"SHA-512/256", "SHA512-256"}, {"SHA3-224", "SHA3-224"},
    {"SHA3-256", "SHA3-256"}, {"SHA3-384", "SHA3-384"},   {"SHA3-512", "SHA3-512"},
};

static const char *openssl_algo(const char *java)
{
    for (size_t i = 0; i < sizeof java_algos / sizeof java_algos[0]; i++)
        if (strcasecmp(java, java_algos[i][0]) == 0)
            return java_algos[i][1];
    return NULL;
}

/* "<digits><suffix>" at s: N, or -1. */
static int64_t number_then(const char *s, const char *suffix)
{
    int64_t n = 0;
    const char *p = s;
    while (isdigit((unsigned char)*p) && n < 1000000000)
        n = n * 10 + (*p++ - '0');
    return p > s && strcmp(p, suffix) == 0 ? n : -1;
}

static int add_rule(struct mb_mappers *m, struct mb_map_rule r, const char *name, const char *value,
                    struct drom_error *err)
{
    if (drom_regex_list_compile(&r.match, value, err) < 0) {
        free(r.algorithm);
        free(r.salt);
        return drom_err_prefix(err, "%s", name), -1;
    }
    /* Debezium's precedence: by kind, then in the order given (stable insertion) */
    m->rules = drom_xrealloc(m->rules, (m->n + 1) * sizeof *m->rules);
    size_t at = m->n;
    while (at > 0 && m->rules[at - 1].kind > r.kind)
        at--;
    memmove(&m->rules[at + 1], &m->rules[at], (m->n - at) * sizeof *m->rules);
    m->rules[at] = r;
    m->n++;
    return 1;
}

static int add_hash(struct mb_mappers *m, const char *name, const char *rest, bool v2, const char *value,
                    struct drom_error *err)
{
    const char *with = strstr(rest, ".with.salt.");
    if (!with || with == rest || memchr(rest, '.', (size_t)(with - rest)) || !with[11])
        return drom_err(err, DROM_EINVAL, "%s: expected column.mask.hash.%s<algorithm>.with.salt.<salt>", name,
                        v2 ? "v2." : "");
    char algo[32];
    snprintf(algo, sizeof algo, "%.*s", (int)(with - rest), rest);
    const char *ossl = openssl_algo(algo);
    if (!ossl || !EVP_get_digestbyname(ossl))
        return drom_err(err, DROM_EINVAL, "%s: unknown hash algorithm '%s' (MD5, SHA-1, SHA-224, SHA-256, SHA-384, "
                        "SHA-512, SHA-512/224, SHA-512/256, SHA3-224, SHA3-256, SHA3-384, SHA3-512)", name, algo);
    struct mb_map_rule r = {.kind = v2 ? MB_MAP_HASH_V2 : MB_MAP_HASH, .algorithm = drom_xstrdup(ossl),
                            .salt = drom_xstrdup(with + 11)};
    return add_rule(m, r, name, value, err);
}

int mb_mappers_add(struct mb_mappers *m, const char *name, const char *value, struct drom_error *err)
{
    static const char trunc[] = "column.truncate.to.", mask[] = "column.mask.with.", hash[] = "column.mask.hash.";
    if (strcmp(name, "column.propagate.source.type") == 0)
        return add_rule(m, (struct mb_map_rule){.kind = MB_MAP_PROPAGATE}, name, value, err);
    if (strcmp(name, "datatype.propagate.source.type") == 0)
        return add_rule(m, (struct mb_map_rule){.kind = MB_MAP_PROPAGATE_TYPE}, name, value, err);
    bool is_trunc = strncmp(name, trunc, sizeof trunc - 1) == 0, is_mask = strncmp(name, mask, sizeof mask - 1) == 0;
    if (is_trunc || is_mask) {
        int64_t n = number_then(name + (is_trunc ? sizeof trunc : sizeof mask) - 1, ".chars");
        if (n < 0)
            return drom_err(err, DROM_EINVAL, "%s: expected %sN.chars with N a number of characters", name,
                            is_trunc ? trunc : mask);
        return add_rule(m, (struct mb_map_rule){.kind = is_trunc ? MB_MAP_TRUNCATE : MB_MAP_MASK, .n = n}, name,
                        value, err);
    }
    if (strncmp(name, hash, sizeof hash - 1) == 0) {
        const char *rest = name + sizeof hash - 1;
        bool v2 = strncmp(rest, "v2.", 3) == 0;
        return add_hash(m, name, v2 ? rest + 3 : rest, v2, value, err);
    }
    return 0;
}

static char *trimmed(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    return drom_xstrndup(s, len);
}

/* One `table:col,col` part; Debezium's pattern per column is "table.col". */
static int add_key_part(struct mb_mappers *m, const char *part, size_t len, struct drom_error *err)
{
    const char *colon = memchr(part, ':', len);
    char *table = colon ? trimmed(part, (size_t)(colon - part)) : NULL;
    if (!colon || !*table || memchr(colon + 1, ':', len - (size_t)(colon + 1 - part))) {
        free(table);
        return drom_err(err, DROM_EINVAL, "messageKeyColumns: '%.*s' is not <table>:<column>[,<column>...]", (int)len,
                        part);
    }
    const char *p = colon + 1, *end = part + len;
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        char *col = trimmed(p, (size_t)(stop - p));
        if (!*col) {
            free(col), free(table);
            return drom_err(err, DROM_EINVAL, "messageKeyColumns: an empty column name in '%.*s'", (int)len, part);
        }
        struct drom_buf pat = DROM_BUF_INIT;
        drom_buf_printf(&pat, "%s.%s", table, col);
        free(col);
        m->keys = drom_xrealloc(m->keys, (m->nkeys + 1) * sizeof *m->keys);
        int rc = drom_regex_list_compile(&m->keys[m->nkeys], pat.data, err);
        drom_buf_free(&pat);
        if (rc < 0) {
            free(table);
            return drom_err_prefix(err, "messageKeyColumns"), -1;
        }
        m->nkeys++;
        p = stop + 1;
    }
    free(table);
    return 0;
}

int mb_mappers_set_keys(struct mb_mappers *m, const char *spec, struct drom_error *err)
{
    for (const char *p = spec; p && *p;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        if (add_key_part(m, p, len, err) < 0)
            return -1;
        p += len + (semi != NULL);
    }
    return 0;
}

void mb_mappers_free(struct mb_mappers *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->rules[i].algorithm);
        free(m->rules[i].salt);
        drom_regex_list_free(&m->rules[i].match);
    }
    for (size_t i = 0; i < m->nkeys; i++)
        drom_regex_list_free(&m->keys[i]);
    free(m->rules);
    free(m->keys);
    memset(m, 0, sizeof *m);
}

const struct mb_map_rule *mb_mappers_find(const struct mb_mappers *m, const char *db, const char *table,
                                          const char *column, const char *type)
{
    if (!m)
        return NULL;
    struct drom_buf col = DROM_BUF_INIT, dt = DROM_BUF_INIT;
    drom_buf_printf(&col, "%s.%s.%s", db, table, column ? column : "");
    drom_buf_printf(&dt, "%s.%s.%s", db, table, type ? type : "");
    const struct mb_map_rule *found = NULL;
    for (size_t i = 0; i < m->n && !found; i++)
        if (drom_regex_list_any(&m->rules[i].match, m->rules[i].kind == MB_MAP_PROPAGATE_TYPE ? dt.data : col.data))
            found = &m->rules[i];
    drom_buf_free(&col);
    drom_buf_free(&dt);
    return found;
}

bool mb_mappers_key_matches(const struct mb_mappers *m, size_t i, const char *db, const char *table,
                            const char *column)
{
    struct drom_buf col = DROM_BUF_INIT;
    drom_buf_printf(&col, "%s.%s.%s", db, table, column ? column : "");
    bool yes = drom_regex_list_any(&m->keys[i], col.data);
    drom_buf_free(&col);
    return yes;
}

bool mb_map_truncates(const struct mb_map_rule *r, int64_t length)
{
    return r->kind == MB_MAP_TRUNCATE && (length < 0 || length > r->n);
}

/* The rules of one Debezium property; `name` as Debezium spells it. */
static int add_mapper(struct mb_mappers *m, const char *name, const char *value, struct drom_error *err)
{
    int rc = mb_mappers_add(m, name, value, err);
    if (rc == 0)
        return drom_err(err, DROM_EINVAL, "%s: not one of Debezium's column mappers (column.mask.with.N.chars, "
                        "column.mask.hash[.v2].<algorithm>.with.salt.<salt>, column.truncate.to.N.chars)", name);
    return rc < 0 ? -1 : 0;
}

int mb_options_mappers(const struct mb_options *o, bool camel, struct mb_mappers *m, struct drom_error *err)
{
    memset(m, 0, sizeof *m);
    const struct drom_optpairs *pairs = camel ? &o->additional_properties : &o->column_mappers;
    for (size_t i = 0; i < pairs->n; i++) {
        char name[512];
        snprintf(name, sizeof name, "%s%s", camel ? "" : "column.", pairs->items[i].key);
        if (strncmp(name, "column.", 7) == 0 &&
            add_mapper(m, name, pairs->items[i].value, err) < 0)
            goto fail;
    }
    if ((o->column_propagate_source_type &&
         mb_mappers_add(m, "column.propagate.source.type", o->column_propagate_source_type, err) < 0) ||
        (o->datatype_propagate_source_type &&
         mb_mappers_add(m, "datatype.propagate.source.type", o->datatype_propagate_source_type, err) < 0) ||
        mb_mappers_set_keys(m, o->message_key_columns, err) < 0)
        goto fail;
    return 0;
fail:
    mb_mappers_free(m);
    return -1;
}
