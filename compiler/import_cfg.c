/* dromc import: config entries, values and secrets, the report, and the
 * texts of the route and properties files. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_int.h"
#include "runtime/xalloc.h"

struct imp_entry *imp_find(struct imp_conn *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

const char *imp_take(struct imp_conn *c, const char *key)
{
    struct imp_entry *e = imp_find(c, key);
    /* spec.tasksMax and a tasks.max in the config are one option */
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0)
            c->e[i].used = true;
    return e ? e->value : NULL;
}

struct imp_entry *imp_take_any(struct imp_conn *c, const char *const *keys)
{
    struct imp_entry *first = NULL;
    for (; *keys; keys++) {
        struct imp_entry *e = imp_find(c, *keys);
        if (e && !first)
            first = e;
        if (e)
            e->used = true;
    }
    return first;
}

static void vreport(struct imp *m, struct imp_conn *c, const struct imp_entry *e, const char *what,
                    const char *fmt, va_list ap)
{
    char why[1024];
    vsnprintf(why, sizeof why, fmt, ap);
    const char *key = e ? e->key : "";
    drom_buf_printf(&m->report, "%s:%d: %s %s: option %s: %s: %s\n", c->file, e ? e->line : c->line,
                    c == &m->worker ? "worker" : "connector", c->name, key, what, why);
    drom_buf_printf(&c->notes, "%s: %s%s\n", key, strcmp(what, "note") == 0 ? "(carried over) " : "", why);
}

void imp_report(struct imp *m, struct imp_conn *c, const struct imp_entry *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(m, c, e, "not carried over", fmt, ap);
    va_end(ap);
    m->nreported++;
}

void imp_note(struct imp *m, struct imp_conn *c, const struct imp_entry *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(m, c, e, "note", fmt, ap);
    va_end(ap);
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Why a family of options has no counterpart. */
static const char *reason(const struct imp *m, const struct imp_conn *c, const char *key)
{
    static const struct {
        const char *prefix, *why;
    } families[] = {
        {"database.history", "no schema history is needed: column names and types come from the binlog's table "
                             "maps (binlog_row_metadata=FULL)"},
        {"schema.history.internal", "no schema history is needed: column names and types come from the binlog's "
                                    "table maps (binlog_row_metadata=FULL)"},
        {"errors.", "Kafka Connect's error handling: give the route an errorHandler (deadLetterChannel) instead"},
        {"consumer.override.", "a Kafka client override: set the kafka endpoint's option or additionalProperties"},
        {"producer.override.", "a Kafka client override: set the kafka endpoint's option or additionalProperties"},
        {"offset.", "Kafka Connect's offset store: dromd keeps offsets in a file under --state-dir, or in a topic "
                    "of its own with offsetStorage=kafka"},
        {"config.storage.", "a setting of Kafka Connect's own topics, which dromd does not use"},
        {"status.storage.", "a setting of Kafka Connect's own topics, which dromd does not use"},
        {"config.providers", "dromd resolves the placeholders that stand for ${...} values itself"},
        {"group.id", "the Connect cluster's group; a sink's consumer group is connect-<connector name>"},
        {"transforms.", "an option of a transform that was not carried over"},
        {"predicates.", "an option of a predicate that no carried-over transform uses"},
        {"signal.", "signals are not configured from a connector here"},
        {"spec.externalConfiguration", "the Secrets mounted for the config providers: give dromd the same files "
                                       "(the ${file:...} values became {{file:...}} placeholders)"},
        {"spec.", "a setting of the Strimzi resource, not of the pipeline"},
        {"plugin.path", "a setting of the Connect worker's JVM"},
        {"rest.", "a setting of the Connect worker's REST server; dromd serves --http"},
        {"header.converter", "record headers are copied as they are"},
    };
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (has_prefix(key, families[i].prefix))
            return families[i].why;
    if (c == &m->worker)
        return "a Kafka Connect worker setting without a counterpart here";
    return "no counterpart here";
}

void imp_report_rest(struct imp *m, struct imp_conn *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!c->e[i].used) {
            c->e[i].used = true;
            imp_report(m, c, &c->e[i], "%s", reason(m, c, c->e[i].key));
        }
}

static bool is_secret_key(const char *key)
{
    return strstr(key, "password") || strstr(key, "secret") || strstr(key, "jaas") || strstr(key, "credential");
}

/* NAME of {{env:NAME}}: the connector and key in upper case, '_' for the rest. */
static const char *env_name(struct imp *m, const struct imp_conn *c, const char *key)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_printf(&b, "%s_%s", c->name, key);
    char *s = drom_buf_detach(&b);
    for (char *p = s; *p; p++)
        *p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    const char *r = drom_arena_strdup(&m->a, s);
    free(s);
    return r;
}

/* ${provider:[path:]key} -> a placeholder (or NULL when unknown). */
static const char *provider(struct imp *m, struct imp_conn *c, struct imp_entry *e, const char *inner)
{
    const char *colon = strchr(inner, ':');
    if (!colon)
        return NULL;
    size_t pl = (size_t)(colon - inner);
    const char *rest = colon + 1, *last = strrchr(rest, ':');
    char *path = last ? drom_xstrndup(rest, (size_t)(last - rest)) : drom_xstrdup("");
    const char *key = last ? last + 1 : rest;
    const char *out = NULL;
    bool camel = m->o->camel_compatible;
#define IS(p) (pl == strlen(p) && strncmp(inner, p, pl) == 0)
    if (IS("env") || IS("strimzienv")) {
        out = drom_arena_printf(&m->a, "{{env:%s}}", key);
    } else if (camel && (IS("file") || IS("directory") || IS("secrets") || IS("configmaps"))) {
        /* Camel Main reads no files for placeholders: the value comes from the environment */
        out = drom_arena_printf(&m->a, "{{env:%s}}", env_name(m, c, e->key));
    } else if (IS("file")) {
        out = drom_arena_printf(&m->a, "{{file:%s:%s}}", path, key);
    } else if (IS("directory")) {
        out = drom_arena_printf(&m->a, "{{file:%s/%s}}", path, key);
    } else if (IS("secrets") || IS("configmaps")) {
        const char *slash = strrchr(path, '/');
        out = drom_arena_printf(&m->a, "{{file:/etc/dromedary/%s/%s/%s}}", IS("secrets") ? "secrets" : "config",
                                slash ? slash + 1 : path, key);
    }
#undef IS
    free(path);
    return out;
}

const char *imp_value(struct imp *m, struct imp_conn *c, struct imp_entry *e, bool secret)
{
    secret = secret || is_secret_key(e->key);
    const char *v = e->value;
    struct drom_buf b = DROM_BUF_INIT;
    bool replaced = false, unknown = false;
    while (*v) {
        const char *open = strstr(v, "${");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            drom_buf_puts(&b, v);
            break;
        }
        drom_buf_append(&b, v, (size_t)(open - v));
        char *inner = drom_xstrndup(open + 2, (size_t)(close - open - 2));
        const char *ph = provider(m, c, e, inner);
        free(inner);
        if (ph) {
            drom_buf_puts(&b, ph);
            replaced = true;
        } else {
            unknown = true;
        }
        v = close + 1;
    }
    char *s = drom_buf_detach(&b);
    const char *r;
    if (unknown || (secret && !replaced && *s)) {
        const char *name = env_name(m, c, e->key);
        if (unknown)
            imp_report(m, c, e, "a ${...} of a config provider not known here: the value comes from the "
                                "environment variable %s instead", name);
        else
            imp_report(m, c, e, "a secret written literally is not copied: the value comes from the "
                                "environment variable %s instead", name);
        r = drom_arena_printf(&m->a, "{{env:%s}}", name);
    } else {
        r = drom_arena_strdup(&m->a, s ? s : "");
    }
    free(s);
    return r;
}

void imp_prop(struct imp *m, const char *comment, const char *key, const char *value)
{
    if (comment)
        drom_buf_printf(&m->props, "# %s\n", comment);
    drom_buf_printf(&m->props, "%s=", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || (p == value && (*p == ' ' || *p == '\t')))
            drom_buf_putc(&m->props, '\\');
        drom_buf_putc(&m->props, *p);
    }
    drom_buf_putc(&m->props, '\n');
}

void imp_brokers(struct imp *m, struct imp_conn *c)
{
    if (m->brokers_written)
        return;
    m->brokers_written = true;
    static const char *const history[] = {"schema.history.internal.kafka.bootstrap.servers",
                                          "database.history.kafka.bootstrap.servers", NULL};
    drom_buf_puts(&m->props, "\n# Kafka\n");
    if (m->bootstrap) {
        char why[300];
        snprintf(why, sizeof why, "spec.bootstrapServers of KafkaConnect %s (%s:%d)", m->worker.name, m->worker.file,
                 m->bootstrap_line);
        imp_prop(m, why, "camel.component.kafka.brokers", m->bootstrap);
        return;
    }
    struct imp_entry *h = NULL;
    for (size_t i = 0; i < m->nconns && !h; i++)
        for (const char *const *k = history; *k && !h; k++)
            h = imp_find(&m->conns[i], *k);
    if (h) {
        char why[300];
        snprintf(why, sizeof why, "%s: the schema history's Kafka, taken as the pipeline's (no KafkaConnect given)",
                 h->key);
        imp_prop(m, why, "camel.component.kafka.brokers", h->value);
        return;
    }
    imp_prop(m, "no KafkaConnect resource given: the brokers come from the environment",
             "camel.component.kafka.brokers", "{{env:KAFKA_BROKERS}}");
    (void)c;
}

const char *imp_converter(struct imp *m, struct imp_conn *c, const char *which)
{
    char key[64];
    snprintf(key, sizeof key, "%s.converter", which);
    const char *v = imp_take(c, key);
    if (!v && m->have_worker)
        v = imp_take(&m->worker, key);
    return v ? v : "org.apache.kafka.connect.json.JsonConverter";
}

bool imp_schemas_enable(struct imp *m, struct imp_conn *c, const char *which)
{
    char key[64];
    snprintf(key, sizeof key, "%s.converter.schemas.enable", which);
    const char *v = imp_take(c, key);
    if (!v && m->have_worker)
        v = imp_take(&m->worker, key);
    return !v || strcasecmp(v, "false") != 0;
}

const char *imp_xml(struct imp *m, const char *s)
{
    struct drom_buf b = DROM_BUF_INIT;
    for (; *s; s++) {
        switch (*s) {
        case '&': drom_buf_puts(&b, "&amp;"); break;
        case '<': drom_buf_puts(&b, "&lt;"); break;
        case '>': drom_buf_puts(&b, "&gt;"); break;
        case '"': drom_buf_puts(&b, "&quot;"); break;
        default: drom_buf_putc(&b, *s);
        }
    }
    char *t = drom_buf_detach(&b);
    const char *r = drom_arena_strdup(&m->a, t ? t : "");
    free(t);
    return r;
}

const char *imp_uri_value(struct imp *m, const char *v)
{
    if (strpbrk(v, "+%&#? ") && !strstr(v, "{{"))
        return drom_arena_printf(&m->a, "RAW(%s)", v);
    return v;
}

void imp_step(struct imp *m, struct imp_route *r, const char *comment, const char *xml, bool filter)
{
    drom_xgrow((void **)&r->s, &r->cap, r->n + 1, sizeof *r->s);
    r->s[r->n++] = (struct imp_step){.comment = comment ? drom_arena_strdup(&m->a, comment) : NULL,
                                     .xml = drom_arena_strdup(&m->a, xml), .filter = filter};
}

static void indent(struct drom_buf *b, int n)
{
    for (int i = 0; i < n; i++)
        drom_buf_putc(b, ' ');
}

/* A comment whose further lines line up under its first. */
static void comment(struct drom_buf *b, int ind, const char *text)
{
    indent(b, ind);
    drom_buf_puts(b, "<!-- ");
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && p[1]) {
            drom_buf_putc(b, '\n');
            indent(b, ind + 5);
        } else if (*p != '\n') {
            drom_buf_putc(b, *p);
            if (p[0] == '-' && p[1] == '-')
                drom_buf_putc(b, ' ');
        }
    }
    drom_buf_puts(b, " -->\n");
}

void imp_write_route(struct imp *m, struct imp_conn *c, const char *from_comment, const char *from_xml,
                     const struct imp_route *r)
{
    struct drom_buf *b = &m->xml;
    char head[600];
    snprintf(head, sizeof head, "connector %s: %s (%s:%d)", c->name, c->cls, c->file, c->line);
    drom_buf_putc(b, '\n');
    comment(b, 2, head);
    drom_buf_printf(b, "  <route id=\"%s\">\n", imp_xml(m, c->name));
    if (from_comment)
        comment(b, 4, from_comment);
    drom_buf_printf(b, "    %s\n", from_xml);
    int ind = 4, open = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->s[i].comment)
            comment(b, ind, r->s[i].comment);
        indent(b, ind);
        if (r->s[i].filter) {
            drom_buf_printf(b, "<filter>\n");
            indent(b, ind + 2);
            drom_buf_printf(b, "<simple>%s</simple>\n", imp_xml(m, r->s[i].xml));
            ind += 2;
            open++;
        } else {
            drom_buf_printf(b, "%s\n", r->s[i].xml);
        }
    }
    while (open--) {
        ind -= 2;
        indent(b, ind);
        drom_buf_puts(b, "</filter>\n");
    }
    if (c->notes.len) {
        struct drom_buf n = DROM_BUF_INIT;
        drom_buf_printf(&n, "options of %s not carried over, and notes:\n%s", c->name, drom_buf_cstr(&c->notes));
        comment(b, 4, drom_buf_cstr(&n));
        drom_buf_free(&n);
    }
    drom_buf_puts(b, "  </route>\n");
}
