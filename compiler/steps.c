/* Processors (EIPs) -> graph steps. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "suggest.h"
#include "runtime/option.h"
#include "runtime/xalloc.h"

static const struct {
    const char *name;
    enum drom_step_kind kind;
} kinds[] = {
    {"to", DROM_STEP_TO},
    {"toD", DROM_STEP_TOD},
    {"log", DROM_STEP_LOG},
    {"filter", DROM_STEP_FILTER},
    {"choice", DROM_STEP_CHOICE},
    {"when", DROM_STEP_WHEN},
    {"otherwise", DROM_STEP_OTHERWISE},
    {"setHeader", DROM_STEP_SET_HEADER},
    {"setBody", DROM_STEP_SET_BODY},
    {"setProperty", DROM_STEP_SET_PROPERTY},
    {"removeHeader", DROM_STEP_REMOVE_HEADER},
    {"removeHeaders", DROM_STEP_REMOVE_HEADERS},
    {"marshal", DROM_STEP_MARSHAL},
    {"unmarshal", DROM_STEP_UNMARSHAL},
    {"convertBodyTo", DROM_STEP_CONVERT_BODY_TO},
    {"multicast", DROM_STEP_MULTICAST},
    {"wireTap", DROM_STEP_WIRETAP},
    {"split", DROM_STEP_SPLIT},
    {"throttle", DROM_STEP_THROTTLE},
    {"delay", DROM_STEP_DELAY},
    {"stop", DROM_STEP_STOP},
};

static int kind_of(const char *name)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return (int)kinds[i].kind;
    return -1;
}

/* Body types convertBodyTo understands (Camel's names). */
static const char *const body_types[] = {
    "java.lang.String", "String", "byte[]", "[B", "java.util.Map", "Map", "java.util.List", "List", NULL,
};

struct params {
    struct drom_param *items;
    size_t n, cap;
};

static void param(struct cc *c, struct params *p, const char *name, const char *value)
{
    if (!value)
        return;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0) {
            p->items[i].value = drom_arena_strdup(c->a, value);
            return;
        }
    drom_xgrow((void **)&p->items, &p->cap, p->n + 1, sizeof *p->items);
    p->items[p->n++] = (struct drom_param){.name = drom_arena_strdup(c->a, name),
                                           .value = drom_arena_strdup(c->a, value)};
}

/* Every attribute the runtime reads, given or defaulted; durations in ms. */
static void table_params(struct cc *c, struct params *p, const struct drom_ast_node *n, const char **vals,
                         const struct drom_elem_spec *spec)
{
    for (const struct drom_attr_spec *as = spec->attrs; as && as->name; as++) {
        if ((as->flags & DROM_ATTR_IGNORED) || as->kind == DROM_ATTR_URI || strcmp(as->name, "id") == 0 ||
            strcmp(as->name, "description") == 0 || strcmp(as->name, "disabled") == 0)
            continue;
        if (spec->role == DROM_EL_STEP && as->kind == DROM_ATTR_SIMPLE && strcmp(as->name, "uri") == 0)
            continue;
        const char *v = cc_attr(n, vals, spec, as->name);
        int64_t ms;
        if (v && as->kind == DROM_ATTR_DURATION && drom_parse_duration_ms(v, &ms) == 0)
            v = drom_arena_printf(c->a, "%" PRId64, ms);
        param(c, p, as->name, v);
    }
}

static void finish_params(struct cc *c, struct drom_step *s, struct params *p)
{
    if (p->n) {
        s->params = drom_arena_alloc(c->a, p->n * sizeof *s->params);
        memcpy(s->params, p->items, p->n * sizeof *s->params);
        s->nparams = p->n;
    }
    free(p->items);
}

static bool is_expr_node(const struct drom_ast_node *n)
{
    const struct drom_elem_spec *s = drom_elem_find(n->name);
    return s && s->role == DROM_EL_EXPRESSION;
}

/* The expression an element needs as its first child. */
static struct drom_gexpr *first_expr(struct cc *c, const struct drom_ast_node *n, enum drom_expr_mode mode,
                                     bool *had)
{
    *had = n->nchildren && is_expr_node(n->children[0]);
    if (*had)
        return cc_expr(c, n->children[0], mode);
    cc_error(c, n->line, n->col, "<%s> needs an expression (<simple>, <constant>, <header> or <jsonpath>) as its first child",
             n->name);
    return NULL;
}

/* A literal limit or delay is read now with the parser and the message the
 * runtime uses, so a route that validates does not fail every exchange. */
static void check_literal_number(struct cc *c, enum drom_step_kind kind, const struct drom_gexpr *g)
{
    if (!g || !g->expr || g->expr->kind != DROM_EXPR_LITERAL)
        return;
    char tmp[32];
    const char *text = drom_value_str(&g->expr->lit, tmp, sizeof tmp);
    int64_t v;
    if (kind == DROM_STEP_DELAY && drom_parse_duration_ms(text, &v) < 0)
        cc_error(c, g->loc.line, g->loc.col, "delay: '%s' is not a number of milliseconds", text);
    if (kind == DROM_STEP_THROTTLE && (drom_parse_int(text, &v) < 0 || v < 0))
        cc_error(c, g->loc.line, g->loc.col, "throttle: '%s' is not a number of requests", text);
}

static void data_format(struct cc *c, const struct drom_ast_node *n, struct params *p)
{
    const struct drom_ast_node *df = NULL;
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        const struct drom_elem_spec *ks = drom_elem_find(k->name);
        if (!ks || ks->role != DROM_EL_DATAFORMAT) {
            struct drom_suggest s;
            drom_suggest_init(&s, k->name);
            drom_suggest_offer(&s, "json");
            if (drom_suggest_best(&s))
                cc_error(c, k->line, k->col, "unknown data format <%s>; did you mean 'json'?", k->name);
            else
                cc_error(c, k->line, k->col, "unknown data format <%s> (supported: json)", k->name);
            continue;
        }
        if (df) {
            cc_error(c, k->line, k->col, "<%s> takes one data format; <%s> is a second one", n->name, k->name);
            continue;
        }
        df = k;
        const char **vals = cc_check_attrs(c, k, ks);
        for (size_t j = 0; j < k->nchildren; j++)
            cc_error(c, k->children[j]->line, k->children[j]->col, "<%s> takes no child elements", k->name);
        param(c, p, "format", k->name);
        table_params(c, p, k, vals, ks);
    }
    if (!df && n->nchildren == 0)
        cc_error(c, n->line, n->col, "<%s> needs a data format child such as <json/>", n->name);
}

static int lower(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec, struct drom_step *s);

static void choice(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec,
                   struct drom_step *s)
{
    struct drom_step *kids = drom_xcalloc(n->nchildren + 1, sizeof *kids);
    size_t nk = 0, nwhen = 0;
    const struct drom_ast_node *other = NULL;
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        const struct drom_elem_spec *ks = cc_check_child(c, n, spec, k);
        if (!ks)
            continue;
        if (strcmp(k->name, "when") == 0) {
            nwhen++;
            if (other)
                cc_error(c, k->line, k->col, "<when> after <otherwise> (line %d): otherwise must come last",
                         other->line);
        } else if (other) {
            cc_error(c, k->line, k->col, "a second <otherwise> in <choice> (the first is at line %d)", other->line);
            continue;
        } else {
            other = k;
        }
        if (lower(c, k, ks, &kids[nk]) > 0)
            nk++;
    }
    if (!nwhen)
        cc_error(c, n->line, n->col, "<choice> needs at least one <when>");
    if (nk) {
        s->steps = drom_arena_alloc(c->a, nk * sizeof *s->steps);
        memcpy(s->steps, kids, nk * sizeof *s->steps);
        s->nsteps = nk;
    }
    free(kids);
}

static void check_body_type(struct cc *c, const struct drom_ast_node *n, const char *type)
{
    if (!type)
        return;
    struct drom_suggest sg;
    drom_suggest_init(&sg, type);
    for (const char *const *t = body_types; *t; t++) {
        if (strcmp(*t, type) == 0)
            return;
        drom_suggest_offer(&sg, *t);
    }
    const struct drom_ast_attr *a = drom_ast_attr_find(n, "type");
    int line = a ? a->line : n->line, col = a ? a->col : n->col;
    if (drom_suggest_best(&sg))
        cc_error(c, line, col, "convertBodyTo: unsupported type '%s'; did you mean '%s'?", type, drom_suggest_best(&sg));
    else
        cc_error(c, line, col,
                 "convertBodyTo: unsupported type '%s' (supported: java.lang.String, byte[], java.util.Map, "
                 "java.util.List)",
                 type);
}

/* Returns 1 with *s filled, 0 when the step is left out (disabled, or an
 * error was reported). */
static int lower(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec, struct drom_step *s)
{
    int k = kind_of(spec->name);
    if (k < 0)
        return 0;
    size_t nerr = c->diags->nerrors;
    const char **vals = cc_check_attrs(c, n, spec);
    *s = (struct drom_step){.kind = (enum drom_step_kind)k, .loc = cc_loc(c, n->line, n->col)};
    const char *id = cc_attr(n, vals, spec, "id");
    s->id = id ? drom_arena_strdup(c->a, id)
               : drom_arena_printf(c->a, "%s%u", drom_step_kind_name(s->kind), ++c->counters[k]);
    struct params p = {0};
    table_params(c, &p, n, vals, spec);
    size_t first = 0;
    bool had = false;
    const struct drom_ast_attr *a;
    switch (s->kind) {
    case DROM_STEP_TO:
    case DROM_STEP_WIRETAP:
        if ((a = drom_ast_attr_find(n, "uri")))
            s->endpoint = cc_endpoint(c, a, DROM_ROLE_PRODUCER);
        break;
    case DROM_STEP_TOD:
    case DROM_STEP_LOG:
        a = drom_ast_attr_find(n, s->kind == DROM_STEP_TOD ? "uri" : "message");
        if (a) {
            const char *v = cc_attr(n, vals, spec, a->name);
            if (v)
                s->expr = cc_attr_simple(c, a, v, DROM_EXPR_VALUE);
        }
        break;
    case DROM_STEP_FILTER:
    case DROM_STEP_WHEN:
        s->expr = first_expr(c, n, DROM_EXPR_PREDICATE, &had);
        break;
    case DROM_STEP_SET_HEADER:
    case DROM_STEP_SET_BODY:
    case DROM_STEP_SET_PROPERTY:
    case DROM_STEP_SPLIT:
        s->expr = first_expr(c, n, DROM_EXPR_VALUE, &had);
        break;
    case DROM_STEP_THROTTLE:
    case DROM_STEP_DELAY:
        s->expr = first_expr(c, n, DROM_EXPR_VALUE, &had);
        check_literal_number(c, s->kind, s->expr);
        break;
    case DROM_STEP_MARSHAL:
    case DROM_STEP_UNMARSHAL:
        data_format(c, n, &p);
        break;
    case DROM_STEP_CONVERT_BODY_TO:
        check_body_type(c, n, cc_attr(n, vals, spec, "type"));
        break;
    case DROM_STEP_CHOICE:
        choice(c, n, spec, s);
        break;
    default:
        break;
    }
    first = had ? 1 : 0;
    if (s->kind != DROM_STEP_CHOICE && s->kind != DROM_STEP_MARSHAL && s->kind != DROM_STEP_UNMARSHAL)
        s->steps = cc_steps(c, n, spec, first, &s->nsteps);
    finish_params(c, s, &p);
    if (c->diags->nerrors != nerr)
        return 0;
    return cc_attr_bool(n, vals, spec, "disabled") ? 0 : 1;
}

struct drom_step *cc_steps(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec,
                           size_t first, size_t *nsteps)
{
    *nsteps = 0;
    struct drom_step *tmp = drom_xcalloc(n->nchildren + 1, sizeof *tmp);
    size_t nt = 0;
    for (size_t i = first; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        const struct drom_elem_spec *ks = cc_check_child(c, n, spec, k);
        if (!ks)
            continue;
        if (ks->role == DROM_EL_EXPRESSION) {
            cc_error(c, k->line, k->col, "<%s> takes one expression, as its first child; this <%s> is out of place",
                     n->name, k->name);
            continue;
        }
        if (ks->role != DROM_EL_STEP)
            continue;   /* the caller's own parts (from, onException, ...) */
        if (lower(c, k, ks, &tmp[nt]) > 0)
            nt++;
    }
    struct drom_step *out = NULL;
    if (nt) {
        out = drom_arena_alloc(c->a, nt * sizeof *out);
        memcpy(out, tmp, nt * sizeof *out);
    }
    free(tmp);
    *nsteps = nt;
    return out;
}
