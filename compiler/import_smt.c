/* dromc import: single message transforms -> equivalent steps. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_int.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

struct smt {
    struct imp *m;
    struct imp_conn *c;
    struct imp_route *r;
    struct imp_smt_ctx *x;
    const char *alias;
    struct imp_entry *type;
    bool unwrapped;
};

static struct imp_entry *opt(struct smt *s, const char *name)
{
    char key[300];
    snprintf(key, sizeof key, "transforms.%s.%s", s->alias, name);
    struct imp_entry *e = imp_find(s->c, key);
    if (e)
        e->used = true;
    return e;
}

static const char *what(struct smt *s, const char *fmt, const char *detail)
{
    char head[400];
    snprintf(head, sizeof head, "transforms.%s (%s): ", s->alias, s->type->value);
    return drom_arena_printf(&s->m->a, "%s%s", head, drom_arena_printf(&s->m->a, fmt, detail));
}

static bool is(const char *type, const char *name)
{
    return strcmp(type, name) == 0;
}

static void unwrap(struct smt *s)
{
    struct imp_entry *e;
    if ((e = opt(s, "drop.tombstones")) && strcasecmp(e->value, "false") == 0)
        imp_report(s->m, s->c, e, "tombstones are dropped with the deletes here");
    if ((e = opt(s, "delete.handling.mode")) && strcmp(e->value, "drop") != 0)
        imp_report(s->m, s->c, e, "deletes are dropped here (delete.handling.mode=drop)");
    if ((e = opt(s, "delete.tombstone.handling.mode")) && strcmp(e->value, "drop") != 0)
        imp_report(s->m, s->c, e, "deletes and their tombstones are dropped here (drop)");
    static const char *const others[] = {"add.fields", "add.headers", "add.fields.prefix", "add.headers.prefix",
                                         "route.by.field", "drop.fields.header.name", "drop.fields.from.key",
                                         "drop.fields.keep.schema.compatible", "replace.null.with.default", NULL};
    for (const char *const *o = others; *o; o++)
        if ((e = opt(s, *o)))
            imp_report(s->m, s->c, e, "no counterpart of this ExtractNewRecordState option here");
    const char *path = s->x->schemas ? "$.payload.after" : "$.after";
    imp_step(s->m, s->r, what(s, "the row after the change%s", s->x->schemas ? "; the schema part is not carried over" : ""),
             drom_arena_printf(&s->m->a, "<setBody><jsonpath>%s</jsonpath></setBody>", path), false);
    imp_step(s->m, s->r, "deletes (no row after) and tombstones are dropped, as ExtractNewRecordState drops them",
             "${body} != null", true);
    s->unwrapped = true;
}

/* Java's Matcher.matches() on the known topic, $N references replaced. */
static void regex_router(struct smt *s)
{
    struct imp_entry *re = opt(s, "regex"), *rep = opt(s, "replacement");
    if (!re || !rep) {
        imp_report(s->m, s->c, s->type, "RegexRouter needs regex and replacement");
        return;
    }
    if (!s->x->source) {
        imp_report(s->m, s->c, s->type, "the route sends to its JMS destination whatever the record's topic");
        return;
    }
    if (!s->x->topic) {
        imp_report(s->m, s->c, s->type, "the topics are not known when importing (the tables are patterns or several)");
        return;
    }
    regex_t rx;
    char *full = drom_arena_printf(&s->m->a, "^(%s)$", re->value);
    if (regcomp(&rx, full, REG_EXTENDED) != 0) {
        imp_report(s->m, s->c, re, "the expression is not one a POSIX extended regex reads the same way");
        return;
    }
    regmatch_t g[10];
    if (regexec(&rx, s->x->topic, 10, g, 0) != 0) {
        regfree(&rx);
        s->x->topic_note = what(s, "regex %s does not match the topic, which stays as it is", re->value);
        return;
    }
    struct drom_buf b = DROM_BUF_INIT;
    for (const char *p = rep->value; *p; p++) {
        if (*p == '$' && p[1] >= '0' && p[1] <= '8') {
            int n = p[1] - '0' + 1;   /* the outer group is 1 */
            if (g[n].rm_so >= 0)
                drom_buf_append(&b, s->x->topic + g[n].rm_so, (size_t)(g[n].rm_eo - g[n].rm_so));
            p++;
        } else if (*p == '\\' && p[1]) {
            drom_buf_putc(&b, *++p);
        } else {
            drom_buf_putc(&b, *p);
        }
    }
    regfree(&rx);
    s->x->topic_note = what(s, "renames topic %s", s->x->topic);
    s->x->topic = drom_arena_strdup(&s->m->a, drom_buf_cstr(&b));
    drom_buf_free(&b);
}

static const char *predicate(struct smt *s, const char *name, bool *ok)
{
    char key[300];
    *ok = false;
    snprintf(key, sizeof key, "predicates.%s.type", name);
    struct imp_entry *t = imp_find(s->c, key);
    if (!t)
        return "it names a predicate that is not defined";
    t->used = true;
    snprintf(key, sizeof key, "predicates.%s.pattern", name);
    struct imp_entry *pat = imp_find(s->c, key);
    snprintf(key, sizeof key, "predicates.%s.name", name);
    struct imp_entry *hdr = imp_find(s->c, key);
    *ok = true;
    if (is(t->value, "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"))
        return "${body} == null";
    if (is(t->value, "org.apache.kafka.connect.transforms.predicates.TopicNameMatches") && pat &&
        !strchr(pat->value, '\'')) {
        pat->used = true;
        return drom_arena_printf(&s->m->a, "${header.%s} regex '%s'", s->x->topic_header, pat->value);
    }
    if (is(t->value, "org.apache.kafka.connect.transforms.predicates.HasHeaderKey") && hdr && !strchr(hdr->value, '}')) {
        hdr->used = true;
        return drom_arena_printf(&s->m->a, "${header.%s} != null", hdr->value);
    }
    *ok = false;
    return drom_arena_printf(&s->m->a, "predicate %s (%s) has no Simple equivalent here", name, t->value);
}

/* Simple has no "not": each predicate above has its negation. */
static const char *negate(struct imp *m, const char *p)
{
    static const char *const pairs[][2] = {{" == null", " != null"}, {" != null", " == null"}, {" regex '", " !regex '"}};
    for (size_t i = 0; i < 3; i++) {
        const char *at = strstr(p, pairs[i][0]);
        if (at)
            return drom_arena_printf(&m->a, "%.*s%s%s", (int)(at - p), p, pairs[i][1],
                                     at + strlen(pairs[i][0]));
    }
    return p;
}

static void filter(struct smt *s)
{
    struct imp_entry *pe = opt(s, "predicate"), *ne = opt(s, "negate");
    if (!pe) {
        imp_report(s->m, s->c, s->type, "a Filter without a predicate drops every record");
        return;
    }
    bool ok;
    const char *p = predicate(s, pe->value, &ok);
    if (!ok) {
        imp_report(s->m, s->c, s->type, "%s", p);
        return;
    }
    bool neg = ne && strcasecmp(ne->value, "true") == 0;
    /* Filter drops what matches; the route keeps the rest */
    const char *keep = neg ? p : negate(s->m, p);
    imp_step(s->m, s->r, what(s, "records matching predicate %s are dropped", pe->value), keep, true);
}

static void replace_field(struct smt *s)
{
    struct imp_entry *ex = opt(s, "exclude"), *in = opt(s, "include"), *rn = opt(s, "renames");
    if (!ex)
        ex = opt(s, "blacklist");
    if (!in)
        in = opt(s, "whitelist");
    if (rn)
        imp_report(s->m, s->c, rn, "fields are not renamed here");
    struct imp_entry *lists[2] = {ex, in};
    for (int k = 0; k < 2; k++) {
        struct imp_entry *e = lists[k];
        if (!e)
            continue;
        if (!s->x->source || !s->unwrapped || !s->x->tables) {
            imp_report(s->m, s->c, e, "only a row's columns after ExtractNewRecordState on known tables map here "
                                      "(to columnExcludeList/columnIncludeList)");
            continue;
        }
        struct drom_buf b = DROM_BUF_INIT;
        char *tables = drom_xstrdup(s->x->tables), *save = NULL;
        for (char *t = strtok_r(tables, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            char *fields = drom_xstrdup(e->value), *fs = NULL;
            for (char *f = strtok_r(fields, ", ", &fs); f; f = strtok_r(NULL, ", ", &fs))
                drom_buf_printf(&b, "%s%s.%s", b.len ? "," : "", t, f);
            free(fields);
        }
        free(tables);
        const char *v = drom_arena_strdup(&s->m->a, drom_buf_cstr(&b));
        drom_buf_free(&b);
        if (k == 0)
            s->x->column_exclude = v;
        else
            s->x->column_include = v;
    }
}

static void insert_header(struct smt *s)
{
    struct imp_entry *h = opt(s, "header"), *v = opt(s, "value.literal");
    if (!h || !v) {
        imp_report(s->m, s->c, s->type, "InsertHeader needs header and value.literal");
        return;
    }
    imp_step(s->m, s->r, what(s, "header %s", h->value),
             drom_arena_printf(&s->m->a, "<setHeader name=\"%s\"><constant>%s</constant></setHeader>",
                               imp_xml(s->m, h->value), imp_xml(s->m, v->value)),
             false);
}

static void drop_headers(struct smt *s)
{
    struct imp_entry *h = opt(s, "headers");
    if (!h) {
        imp_report(s->m, s->c, s->type, "DropHeaders needs headers");
        return;
    }
    char *list = drom_xstrdup(h->value), *save = NULL;
    bool first = true;
    for (char *n = strtok_r(list, ", ", &save); n; n = strtok_r(NULL, ", ", &save)) {
        imp_step(s->m, s->r, first ? what(s, "%s", "headers removed") : NULL,
                 drom_arena_printf(&s->m->a, "<removeHeader name=\"%s\"/>", imp_xml(s->m, n)), false);
        first = false;
    }
    free(list);
}

int imp_transforms(struct imp *m, struct imp_conn *c, struct imp_route *r, struct imp_smt_ctx *x,
                   struct drom_error *err)
{
    const char *list = imp_take(c, "transforms");
    if (!list)
        return 0;
    imp_take(c, "predicates");
    char *names = drom_xstrdup(list), *save = NULL;
    bool unwrapped = false;
    for (char *a = strtok_r(names, ", ", &save); a; a = strtok_r(NULL, ", ", &save)) {
        struct smt s = {.m = m, .c = c, .r = r, .x = x, .alias = drom_arena_strdup(&m->a, a), .unwrapped = unwrapped};
        char key[300];
        snprintf(key, sizeof key, "transforms.%s.type", a);
        s.type = imp_find(c, key);
        if (!s.type) {
            drom_err_at(err, DROM_EINVAL, c->file, imp_find(c, "transforms")->line, 0,
                        "connector %s: transform '%s' has no transforms.%s.type", c->name, a, a);
            free(names);
            return -1;
        }
        s.type->used = true;
        const char *t = s.type->value;
        struct imp_entry *pred = opt(&s, "predicate");
        if (pred && !is(t, "org.apache.kafka.connect.transforms.Filter")) {
            imp_report(m, c, s.type, "a transform applied only under predicate %s is not carried over", pred->value);
            continue;
        }
        if (pred)
            pred->used = false;   /* filter() reads it */
        if (is(t, "io.debezium.transforms.ExtractNewRecordState"))
            unwrap(&s);
        else if (is(t, "org.apache.kafka.connect.transforms.RegexRouter"))
            regex_router(&s);
        else if (is(t, "org.apache.kafka.connect.transforms.Filter"))
            filter(&s);
        else if (is(t, "org.apache.kafka.connect.transforms.ReplaceField$Value"))
            replace_field(&s);
        else if (is(t, "org.apache.kafka.connect.transforms.InsertHeader"))
            insert_header(&s);
        else if (is(t, "org.apache.kafka.connect.transforms.DropHeaders"))
            drop_headers(&s);
        else if (strncmp(t, "org.apache.kafka.connect.transforms.InsertField$", 48) == 0)
            imp_report(m, c, s.type, "no step here edits the fields of a JSON body");
        else
            imp_report(m, c, s.type, "no equivalent step here");
        unwrapped = s.unwrapped;
    }
    free(names);
    return 0;
}
