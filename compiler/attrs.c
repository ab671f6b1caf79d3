/* The table-driven checks of attributes and child elements. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "suggest.h"
#include "runtime/buf.h"
#include "runtime/option.h"

static void hint(struct drom_buf *b, const char *best)
{
    if (best)
        drom_buf_printf(b, "; did you mean '%s'?", best);
}

static const char *suggest_attr(const struct drom_elem_spec *spec, const char *name)
{
    struct drom_suggest s;
    drom_suggest_init(&s, name);
    for (const struct drom_attr_spec *a = spec->attrs; a && a->name; a++)
        drom_suggest_offer(&s, a->name);
    if (spec->role == DROM_EL_STEP)
        for (const struct drom_attr_spec *a = drom_elem_common_attrs(); a->name; a++)
            drom_suggest_offer(&s, a->name);
    return drom_suggest_best(&s);
}

static void list_attrs(struct drom_buf *b, const struct drom_elem_spec *spec)
{
    size_t n = 0;
    for (const struct drom_attr_spec *a = spec->attrs; a && a->name; a++)
        if (!(a->flags & DROM_ATTR_IGNORED))
            drom_buf_printf(b, "%s%s", n++ ? ", " : "", a->name);
    if (spec->role == DROM_EL_STEP)
        for (const struct drom_attr_spec *a = drom_elem_common_attrs(); a->name; a++)
            if (!(a->flags & DROM_ATTR_IGNORED))
                drom_buf_printf(b, "%s%s", n++ ? ", " : "", a->name);
    if (!n)
        drom_buf_puts(b, "none");
}

/* Columns of an attribute's value: its name, '=', the quote. */
static void value_pos(struct cc *c, const struct drom_ast_attr *a, size_t index, int *line, int *col)
{
    drom_srcmap_attr(&c->map, a->line, a->col, index, line, col);
}

static int check_value(struct cc *c, const struct drom_elem_spec *spec, const struct drom_attr_spec *as,
                       const struct drom_ast_attr *a, const char *v)
{
    int line, col;
    value_pos(c, a, 0, &line, &col);
    int64_t i;
    bool b;
    switch (as->kind) {
    case DROM_ATTR_STRING:
    case DROM_ATTR_URI:
    case DROM_ATTR_SIMPLE:
        return 0;
    case DROM_ATTR_BOOL:
        if (drom_parse_bool(v, &b) == 0)
            return 0;
        cc_error(c, line, col, "attribute '%s' of <%s> must be true or false, got '%s'", a->name, spec->name, v);
        return -1;
    case DROM_ATTR_INT:
        if (drom_parse_int(v, &i) == 0)
            return 0;
        cc_error(c, line, col, "attribute '%s' of <%s> must be an integer, got '%s'", a->name, spec->name, v);
        return -1;
    case DROM_ATTR_NUMBER: {
        char *end;
        if (*v && !isspace((unsigned char)*v)) {
            strtod(v, &end);
            if (!*end)
                return 0;
        }
        cc_error(c, line, col, "attribute '%s' of <%s> must be a number, got '%s'", a->name, spec->name, v);
        return -1;
    }
    case DROM_ATTR_DURATION:
        if (drom_parse_duration_ms(v, &i) == 0)
            return 0;
        cc_error(c, line, col,
                 "attribute '%s' of <%s> must be a duration (milliseconds, or like 500ms, 10s, 1m30s), got '%s'",
                 a->name, spec->name, v);
        return -1;
    case DROM_ATTR_ENUM: {
        struct drom_suggest s;
        drom_suggest_init(&s, v);
        struct drom_buf list = DROM_BUF_INIT, h = DROM_BUF_INIT;
        for (const char *const *e = as->values; e && *e; e++) {
            if (strcmp(*e, v) == 0) {
                drom_buf_free(&list);
                return 0;
            }
            drom_suggest_offer(&s, *e);
            drom_buf_printf(&list, "%s%s", e == as->values ? "" : ", ", *e);
        }
        hint(&h, drom_suggest_best(&s));
        cc_error(c, line, col, "attribute '%s' of <%s> must be one of %s, got '%s'%s", a->name, spec->name,
                 drom_buf_cstr(&list), v, drom_buf_cstr(&h));
        drom_buf_free(&list);
        drom_buf_free(&h);
        return -1;
    }
    }
    return 0;
}

const char **cc_check_attrs(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec)
{
    const char **vals = drom_arena_alloc(c->a, (n->nattrs + 1) * sizeof *vals);
    const char *suggested[8];
    size_t nsuggested = 0;
    for (size_t i = 0; i < n->nattrs; i++) {
        const struct drom_ast_attr *a = &n->attrs[i];
        const struct drom_attr_spec *as = drom_elem_attr(spec, a->name);
        if (!as) {
            struct drom_buf b = DROM_BUF_INIT;
            const char *best = suggest_attr(spec, a->name);
            if (best) {
                if (nsuggested < 8)
                    suggested[nsuggested++] = best;
                hint(&b, best);
                cc_error(c, a->line, a->col, "unknown attribute '%s' on <%s>%s", a->name, spec->name,
                         drom_buf_cstr(&b));
            } else {
                list_attrs(&b, spec);
                cc_error(c, a->line, a->col, "unknown attribute '%s' on <%s> (it takes: %s)", a->name, spec->name,
                         drom_buf_cstr(&b));
            }
            drom_buf_free(&b);
            continue;
        }
        if (as->flags & DROM_ATTR_IGNORED)
            cc_warn(c, a->line, a->col, "attribute '%s' on <%s> is accepted for Camel compatibility and ignored",
                    a->name, spec->name);
        char what[256];
        snprintf(what, sizeof what, "attribute '%s' of <%s>", a->name, spec->name);
        const char *v = NULL;
        int line, col;
        value_pos(c, a, 0, &line, &col);
        /* URIs resolve their placeholders option by option (secrets stay) */
        if (as->kind == DROM_ATTR_URI) {
            vals[i] = a->value;
            continue;
        }
        int r = cc_resolve(c, a->value, what, a, 0, line, col, &v);
        if (r <= 0)
            continue;
        if (check_value(c, spec, as, a, v) == 0)
            vals[i] = v;
    }
    for (const struct drom_attr_spec *as = spec->attrs; as && as->name; as++) {
        if (!(as->flags & DROM_ATTR_REQUIRED) || drom_ast_attr_find(n, as->name))
            continue;
        bool hinted = false;   /* a misspelling of it was already reported */
        for (size_t i = 0; i < nsuggested; i++)
            hinted |= strcmp(suggested[i], as->name) == 0;
        if (!hinted)
            cc_error(c, n->line, n->col, "<%s> needs the attribute '%s'", spec->name, as->name);
    }
    return vals;
}

const char *cc_attr(const struct drom_ast_node *n, const char **vals, const struct drom_elem_spec *spec,
                    const char *name)
{
    for (size_t i = 0; i < n->nattrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return vals ? vals[i] : NULL;
    const struct drom_attr_spec *as = drom_elem_attr(spec, name);
    return as ? as->def : NULL;
}

bool cc_attr_bool(const struct drom_ast_node *n, const char **vals, const struct drom_elem_spec *spec,
                  const char *name)
{
    const char *v = cc_attr(n, vals, spec, name);
    bool b = false;
    return v && drom_parse_bool(v, &b) == 0 && b;
}

static void list_children(struct drom_buf *b, const struct drom_elem_spec *p)
{
    size_t n = 0, nel;
    const struct drom_elem_spec *all = drom_elem_all(&nel);
    for (size_t i = 0; i < nel; i++)
        if (drom_elem_allows_child(p, &all[i]))
            drom_buf_printf(b, "%s%s", n++ ? ", " : "", all[i].name);
    if (!n)
        drom_buf_puts(b, "none");
}

const struct drom_elem_spec *cc_check_child(struct cc *c, const struct drom_ast_node *parent,
                                            const struct drom_elem_spec *pspec, const struct drom_ast_node *child)
{
    const struct drom_elem_spec *cs = drom_elem_find(child->name);
    if (cs && drom_elem_allows_child(pspec, cs))
        return cs;
    struct drom_buf b = DROM_BUF_INIT;
    if (cs) {
        list_children(&b, pspec);
        cc_error(c, child->line, child->col, "<%s> is not allowed inside <%s> (allowed: %s)", child->name,
                 pspec->name, drom_buf_cstr(&b));
        drom_buf_free(&b);
        return NULL;
    }
    /* a near miss among what this parent takes first, then anywhere */
    struct drom_suggest s;
    drom_suggest_init(&s, child->name);
    size_t nel;
    const struct drom_elem_spec *all = drom_elem_all(&nel);
    for (size_t i = 0; i < nel; i++)
        if (drom_elem_allows_child(pspec, &all[i]))
            drom_suggest_offer(&s, all[i].name);
    const char *best = drom_suggest_best(&s);
    if (!best) {
        for (size_t i = 0; i < nel; i++)
            drom_suggest_offer(&s, all[i].name);
        best = drom_suggest_best(&s);
    }
    if (best) {
        cc_error(c, child->line, child->col, "unknown element <%s>; did you mean '%s'?", child->name, best);
    } else {
        list_children(&b, pspec);
        if (drom_elem_is_camel_only(child->name))
            cc_error(c, child->line, child->col,
                     "<%s> is a Camel element that dromedary does not support (inside <%s>: %s)", child->name,
                     pspec->name, drom_buf_cstr(&b));
        else
            cc_error(c, child->line, child->col, "unknown element <%s> (inside <%s>: %s)", child->name,
                     pspec->name, drom_buf_cstr(&b));
    }
    drom_buf_free(&b);
    (void)parent;
    return NULL;
}
