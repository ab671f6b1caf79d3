#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl/properties.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

/* A logical line: its characters and, for each, the offset in the file. */
struct lline {
    char *c;
    size_t *off;
    size_t n, cap, ocap;
};

static void lpush(struct lline *l, char c, size_t off)
{
    drom_xgrow((void **)&l->c, &l->cap, l->n + 1, 1);
    drom_xgrow((void **)&l->off, &l->ocap, l->n + 1, sizeof *l->off);
    l->c[l->n] = c;
    l->off[l->n++] = off;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static bool is_eol(char c)
{
    return c == '\n' || c == '\r';
}

static void line_col(const char *data, size_t len, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n'))) {
            (*line)++;
            *col = 1;
        } else if (data[i] != '\r' && ((unsigned char)data[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static void put_utf8(struct drom_buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        drom_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        drom_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        drom_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        drom_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        drom_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        drom_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        drom_buf_putc(b, (char)(0xF0 | (cp >> 18)));
        drom_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        drom_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        drom_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int hex4(const struct lline *l, size_t at, uint32_t *v)
{
    if (l->n - at < 4)
        return -1;
    *v = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = l->c[at + k];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (uint32_t)d;
    }
    return 0;
}

struct loader {
    const char *data;
    size_t len;
    const char *name;
    struct drom_error *err;
    size_t pos_off;     /* line_of() cache: offsets only grow */
    int pos_line;
};

/* Line of an offset (CR, LF and CRLF end lines). */
static int line_of(struct loader *ld, size_t off)
{
    for (size_t i = ld->pos_off; i < off; i++)
        if (ld->data[i] == '\n' || (ld->data[i] == '\r' && (i + 1 >= ld->len || ld->data[i + 1] != '\n')))
            ld->pos_line++;
    ld->pos_off = off;
    return ld->pos_line;
}

static int fail_at(struct loader *ld, size_t off, const char *msg)
{
    int line, col;
    line_col(ld->data, ld->len, off, &line, &col);
    return drom_err_at(ld->err, DROM_EINVAL, ld->name, line, col, "%s", msg);
}

/* Unescapes l->c[from, to) as Properties.loadConvert does. */
static char *unescape(struct loader *ld, const struct lline *l, size_t from, size_t to)
{
    struct drom_buf b = DROM_BUF_INIT;
    for (size_t i = from; i < to;) {
        char c = l->c[i++];
        if (c != '\\' || i >= to) {
            if (c != '\\')
                drom_buf_putc(&b, c);
            continue;
        }
        size_t esc = i - 1;
        c = l->c[i++];
        uint32_t cp;
        switch (c) {
        case 't': drom_buf_putc(&b, '\t'); break;
        case 'n': drom_buf_putc(&b, '\n'); break;
        case 'r': drom_buf_putc(&b, '\r'); break;
        case 'f': drom_buf_putc(&b, '\f'); break;
        case 'u':
            if (i > to || to - i < 4 || hex4(l, i, &cp) < 0) {
                drom_buf_free(&b);
                fail_at(ld, l->off[esc], "malformed \\uXXXX escape (four hex digits expected)");
                return NULL;
            }
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {   /* a UTF-16 pair: \uD83D\uDE00 */
                uint32_t lo;
                if (to - i >= 6 && l->c[i] == '\\' && l->c[i + 1] == 'u' && hex4(l, i + 2, &lo) == 0 &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    drom_buf_free(&b);
                    fail_at(ld, l->off[esc], "\\u escape of a lone UTF-16 surrogate");
                    return NULL;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                drom_buf_free(&b);
                fail_at(ld, l->off[esc], "\\u escape of a lone UTF-16 surrogate");
                return NULL;
            } else if (cp == 0) {
                drom_buf_free(&b);
                fail_at(ld, l->off[esc], "\\u0000 (a NUL character) is not allowed");
                return NULL;
            }
            put_utf8(&b, cp);
            break;
        default:
            drom_buf_putc(&b, c);
        }
    }
    return b.data ? drom_buf_detach(&b) : drom_xstrdup("");
}

/* Splits a logical line into key and value as Properties.load does. */
static int store(struct loader *ld, struct drom_props *p, const struct lline *l)
{
    size_t klen = 0, vstart = l->n;
    bool sep = false, bs = false;
    while (klen < l->n) {
        char c = l->c[klen];
        if ((c == '=' || c == ':') && !bs) {
            vstart = klen + 1;
            sep = true;
            break;
        }
        if (is_ws(c) && !bs) {
            vstart = klen + 1;
            break;
        }
        bs = c == '\\' ? !bs : false;
        klen++;
    }
    while (vstart < l->n) {
        char c = l->c[vstart];
        if (!is_ws(c)) {
            if (!sep && (c == '=' || c == ':'))
                sep = true;
            else
                break;
        }
        vstart++;
    }
    char *key = unescape(ld, l, 0, klen);
    if (!key)
        return -1;
    char *value = unescape(ld, l, vstart, l->n);
    if (!value) {
        free(key);
        return -1;
    }
    drom_props_set(p, key, value, ld->name, line_of(ld, l->off[0]));
    free(key);
    free(value);
    return 0;
}

int drom_props_load_mem(struct drom_props *p, const char *data, size_t len, const char *name,
                        struct drom_error *err)
{
    struct loader ld = {.data = data, .len = len, .name = name ? name : "<properties>", .err = err,
                        .pos_line = 1};
    struct lline l = {0};
    size_t i = 0;
    int rc = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (memchr(data, '\0', len)) {
        size_t z = (size_t)((const char *)memchr(data, '\0', len) - data);
        return fail_at(&ld, z, "NUL byte in a properties file");
    }
    while (i < len) {
        while (i < len && (is_ws(data[i]) || is_eol(data[i])))
            i++;
        if (i >= len)
            break;
        if (data[i] == '#' || data[i] == '!') {
            while (i < len && !is_eol(data[i]))
                i++;
            continue;
        }
        l.n = 0;
        for (;;) {
            bool bs = false;
            while (i < len && !is_eol(data[i])) {
                bs = data[i] == '\\' ? !bs : false;
                lpush(&l, data[i], i);
                i++;
            }
            if (!bs)
                break;
            l.n--;                       /* the continuation backslash */
            if (i < len && data[i] == '\r')
                i++;
            if (i < len && data[i] == '\n')
                i++;
            while (i < len && is_ws(data[i]))
                i++;
            if (i >= len)
                break;
        }
        if (l.n == 0)
            continue;
        if (store(&ld, p, &l) < 0) {
            rc = -1;
            break;
        }
    }
    free(l.c);
    free(l.off);
    return rc;
}

int drom_props_load_file(struct drom_props *p, const char *path, struct drom_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return drom_err_at(err, DROM_EIO, path, 0, 0, "cannot open properties file: %s",
                           strerror(errno));
    struct drom_buf b = DROM_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        drom_buf_append(&b, chunk, n);
        if (b.len > DROM_PROPS_MAX_FILE)
            break;
    }
    bool bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        drom_buf_free(&b);
        return drom_err_at(err, DROM_EIO, path, 0, 0, "cannot read properties file: %s",
                           strerror(e));
    }
    if (b.len > DROM_PROPS_MAX_FILE) {
        drom_buf_free(&b);
        return drom_err_at(err, DROM_EINVAL, path, 0, 0,
                           "properties file is larger than the limit of 4 MiB");
    }
    int rc = drom_props_load_mem(p, b.data ? b.data : "", b.len, path, err);
    drom_buf_free(&b);
    return rc;
}

int drom_props_define(struct drom_props *p, const char *arg, struct drom_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return drom_err(err, DROM_EINVAL, "-D %s: expected key=value", arg);
    if (eq == arg)
        return drom_err(err, DROM_EINVAL, "-D %s: empty key (expected key=value)", arg);
    char *key = drom_xstrndup(arg, (size_t)(eq - arg));
    drom_props_set(p, key, eq + 1, "-D", 0);
    free(key);
    return 0;
}

static struct drom_prop *find(const struct drom_props *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].key, key) == 0)
            return &p->items[i];
    return NULL;
}

void drom_props_set(struct drom_props *p, const char *key, const char *value, const char *origin,
                    int line)
{
    struct drom_prop *e = find(p, key);
    if (!e) {
        drom_xgrow((void **)&p->items, &p->cap, p->n + 1, sizeof *p->items);
        e = &p->items[p->n++];
        e->key = drom_xstrdup(key);
    } else {
        free(e->value);
        free(e->origin);
    }
    e->value = drom_xstrdup(value ? value : "");
    e->origin = drom_xstrdup(origin ? origin : "");
    e->line = line;
}

const struct drom_prop *drom_props_find(const struct drom_props *p, const char *key)
{
    return p && key ? find(p, key) : NULL;
}

const char *drom_props_get(const struct drom_props *p, const char *key)
{
    const struct drom_prop *e = drom_props_find(p, key);
    return e ? e->value : NULL;
}

size_t drom_props_count(const struct drom_props *p)
{
    return p ? p->n : 0;
}

const struct drom_prop *drom_props_at(const struct drom_props *p, size_t i)
{
    return p && i < p->n ? &p->items[i] : NULL;
}

void drom_props_free(struct drom_props *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].key);
        free(p->items[i].value);
        free(p->items[i].origin);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}
