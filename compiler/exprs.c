/* Expression elements (simple, constant, header, jsonpath) and Simple
 * templates in attributes, compiled through dsl/simple.h with errors
 * pointing at the column inside the expression. */
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "dsl/simple.h"
#include "runtime/expr.h"
#include "runtime/xalloc.h"

static struct drom_gexpr *make(struct cc *c, const char *language, const char *text, struct drom_expr *e, int line,
                               int col)
{
    struct drom_gexpr *g = drom_arena_alloc(c->a, sizeof *g);
    g->language = drom_arena_strdup(c->a, language);
    g->text = drom_arena_strdup(c->a, text);
    g->expr = e;
    g->loc = cc_loc(c, line, col);
    drom_xgrow((void **)&c->exprs, &c->exprs_cap, c->nexprs + 1, sizeof *c->exprs);
    c->exprs[c->nexprs++] = g;
    return g;
}

/* Trimmed text, as Camel's trim=true does (the parser trims too; the graph
 * keeps the trimmed form). */
static const char *trimmed(struct cc *c, const char *t)
{
    while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
        t++;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
        n--;
    return drom_arena_strndup(c->a, t, n);
}

struct drom_gexpr *cc_expr(struct cc *c, const struct drom_ast_node *n, enum drom_expr_mode mode)
{
    const struct drom_elem_spec *spec = drom_elem_find(n->name);
    if (spec)
        cc_check_attrs(c, n, spec);
    for (size_t i = 0; i < n->nchildren; i++)
        cc_error(c, n->children[i]->line, n->children[i]->col, "<%s> holds text, not elements like <%s>", n->name,
                 n->children[i]->name);
    const char *text = n->text ? n->text : "";
    int line = n->text ? n->text_line : n->line, col = n->text ? n->text_col : n->col;
    bool empty = !*trimmed(c, text);
    if (empty && strcmp(n->name, "constant") != 0 && !(strcmp(n->name, "simple") == 0 && mode == DROM_EXPR_VALUE)) {
        cc_error(c, n->line, n->col, "<%s> is empty: it needs %s", n->name,
                 strcmp(n->name, "header") == 0     ? "a header name"
                 : strcmp(n->name, "jsonpath") == 0 ? "a path such as $.after.id"
                                                    : "an expression such as ${body} != null");
        return NULL;
    }
    char what[64];
    snprintf(what, sizeof what, "<%s>", n->name);
    const char *resolved = text;
    bool had_ph = drom_placeholder_present(text);
    if (cc_resolve(c, text, what, NULL, 0, line, col, &resolved) <= 0)
        return NULL;
    struct drom_error err = {0};
    struct drom_expr *e = drom_expr_parse(n->name, resolved, mode, &err);
    if (!e) {
        int el = line, ec = col;
        if (!had_ph && err.line > 0 && err.col > 0)
            drom_srcmap_text(&c->map, text, line, col, err.line, err.col, &el, &ec);
        cc_error(c, el, ec, "invalid %s expression: %s", n->name, err.msg);
        return NULL;
    }
    return make(c, n->name, trimmed(c, resolved), e, line, col);
}

struct drom_gexpr *cc_attr_simple(struct cc *c, const struct drom_ast_attr *attr, const char *value,
                                  enum drom_expr_mode mode)
{
    int line, col;
    drom_srcmap_attr(&c->map, attr->line, attr->col, 0, &line, &col);
    struct drom_error err = {0};
    struct drom_expr *e = drom_expr_parse("simple", value, mode, &err);
    if (!e) {
        int el = line, ec = col;
        /* attribute values are one line (the XML reader turns breaks into spaces) */
        if (value == attr->value && err.col > 0) {
            size_t idx = 0;
            int l = 1, cc2 = 1;
            for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
                if ((*s & 0xC0) == 0x80)
                    continue;
                if (l == err.line && cc2 == err.col)
                    break;
                if (*s == '\n')
                    l++, cc2 = 1;
                else
                    cc2++;
                idx++;
            }
            drom_srcmap_attr(&c->map, attr->line, attr->col, idx, &el, &ec);
        }
        cc_error(c, el, ec, "invalid simple expression in attribute '%s': %s", attr->name, err.msg);
        return NULL;
    }
    return make(c, "simple", value, e, line, col);
}
