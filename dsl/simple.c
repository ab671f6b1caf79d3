/* The Simple language (Camel 4) and the small languages beside it, parsed
 * into runtime/expr.h trees. Errors point at the 1-based line:col inside
 * the expression text. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsl/jsonpath.h"
#include "dsl/simple.h"
#include "dsl/simple_int.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"



static struct drom_expr *simple_parse_template(const struct simple_parser *p, size_t a, size_t b, bool escapes)
{
    struct drom_expr *cat = drom_expr_new(DROM_EXPR_CONCAT);
    struct drom_buf lit = DROM_BUF_INIT;
    bool have_lit = false;
    for (size_t i = a; i < b;) {
        if (simple_fn_open_len(p, i, b)) {
            if (have_lit) {
                drom_expr_add_take(cat, simple_literal_str(lit.data, lit.len));
                drom_buf_reset(&lit);
                have_lit = false;
            }
            struct drom_expr *kid = simple_parse_function(p, i, b, &i);
            if (!kid) {
                drom_buf_free(&lit);
                drom_expr_free(cat);
                return NULL;
            }
            drom_expr_add_take(cat, kid);
            continue;
        }
        char c = p->t[i];
        if (escapes && c == '\\' && i + 1 < b && strchr("ntr", p->t[i + 1])) {
            char n = p->t[i + 1];
            drom_buf_putc(&lit, n == 'n' ? '\n' : n == 't' ? '\t' : '\r');
            i += 2;
        } else {
            drom_buf_putc(&lit, c);
            i++;
        }
        have_lit = true;
    }
    if (have_lit)
        drom_expr_add_take(cat, simple_literal_str(lit.data, lit.len));
    drom_buf_free(&lit);
    if (cat->nkids == 0) {
        drom_expr_free(cat);
        return simple_literal_str("", 0);
    }
    if (cat->nkids == 1) {
        struct drom_expr *only = cat->kids[0];
        cat->nkids = 0;
        drom_expr_free(cat);
        return only;
    }
    return cat;
}

/* ---- predicates ---- */

static size_t word_end(const struct simple_parser *p, size_t i)
{
    while (i < p->end && !simple_is_space(p->t[i]))
        i++;
    return i;
}



/* The operator a mistyped word was meant to be: '=' for '==', or a word
 * operator within two edits (contians -> contains). NULL when none is near. */
static const char *near_operator(const char *s, size_t n)
{
    if (n == 1 && s[0] == '=')
        return "==";
    char w[32];
    if (n >= sizeof w || !isalpha((unsigned char)s[s[0] == '!' ? 1 : 0]))
        return NULL;
    memcpy(w, s, n);
    w[n] = '\0';
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t k = 0; k < simple_noperators; k++) {
        size_t d = simple_levenshtein(w, simple_operators[k].word);
        if (d < best_d)
            best_d = d, best = simple_operators[k].word;
    }
    return best;
}

static bool is_logic(const struct simple_parser *p, size_t i)
{
    return i + 1 < p->end && ((p->t[i] == '&' && p->t[i + 1] == '&') || (p->t[i] == '|' && p->t[i + 1] == '|'));
}

/* A symbolic operator glued to what follows, as in "=='a'": its length. */
static size_t glued_operator(const char *s, size_t n)
{
    size_t best = 0;
    for (size_t k = 0; k < simple_noperators; k++) {
        size_t l = strlen(simple_operators[k].word);
        if (!isalpha((unsigned char)simple_operators[k].word[l - 1]) && l < n && strncmp(simple_operators[k].word, s, l) == 0 &&
            l > best)
            best = l;
    }
    return best;
}

static struct drom_expr *word_literal(const char *s, size_t n)
{
    struct drom_expr *e;
    if ((n == 4 && strncmp(s, "true", 4) == 0) || (n == 5 && strncmp(s, "false", 5) == 0)) {
        e = drom_expr_new(DROM_EXPR_LITERAL);
        e->lit.type = DROM_V_BOOL;
        e->lit.b = n == 4;
        return e;
    }
    if (n == 4 && strncmp(s, "null", 4) == 0)
        return drom_expr_new(DROM_EXPR_LITERAL);
    char buf[32];
    if (n < sizeof buf) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        char *end;
        errno = 0;
        long long v = strtoll(buf, &end, 10);
        if (*end == '\0' && errno == 0 && n > 0 && (isdigit((unsigned char)buf[0]) || buf[0] == '-')) {
            e = drom_expr_new(DROM_EXPR_LITERAL);
            e->lit.type = DROM_V_INT;
            e->lit.i = v;
            return e;
        }
    }
    return simple_literal_str(s, n);
}

/* One operand at *i: ${...}, 'quoted', "quoted", a number, true, false,
 * null or a bare word. `after` names the operator before it, if any. */
static struct drom_expr *operand(const struct simple_parser *p, size_t *i, const char *after)
{
    size_t s = *i;
    char c = p->t[s];
    if (simple_fn_open_len(p, s, p->end))
        return simple_parse_function(p, s, p->end, i);
    if (c == '\'' || c == '"') {
        size_t q = s + 1;
        while (q < p->end && p->t[q] != c)
            q++;
        if (q >= p->end)
            return simple_err(p, s, "unclosed string literal (expected %c)", c);
        *i = q + 1;
        bool has_fn = false;
        for (size_t k = s + 1; k + 1 < q && !has_fn; k++)
            has_fn = simple_fn_open_len(p, k, q) > 0;
        if (has_fn) {
            struct drom_expr *e = simple_parse_template(p, s + 1, q, false);
            if (e && e->kind != DROM_EXPR_CONCAT && e->kind != DROM_EXPR_LITERAL) {
                /* A lone ${...} in quotes is still text. */
                struct drom_expr *cat = drom_expr_new(DROM_EXPR_CONCAT);
                drom_expr_add_take(cat, e);
                e = cat;
            }
            return e;
        }
        return simple_literal_str(p->t + s + 1, q - s - 1);
    }
    size_t w = word_end(p, s);
    char what[80];
    if (simple_find_operator(p->t + s, w - s) >= 0 || glued_operator(p->t + s, w - s + 1) || is_logic(p, s)) {
        if (after)
            return simple_err(p, s, "expected a value after '%s'", after);
        return simple_err(p, s, "expected a value before '%s'", simple_snippet(p, s, w, what, sizeof what));
    }
    *i = w;
    return word_literal(p->t + s, w - s);
}

static struct drom_expr *condition(const struct simple_parser *p, size_t *i)
{
    size_t start = *i;
    struct drom_expr *left = operand(p, i, NULL);
    if (!left)
        return NULL;
    size_t left_end = *i;
    size_t k = simple_skip_ws(p, *i);
    if (k >= p->end || (is_logic(p, k) && k > left_end))
        return left;
    size_t w = word_end(p, k);
    int op = k > left_end ? simple_find_operator(p->t + k, w - k) : -1;
    char what[80];
    if (op < 0) {
        size_t g = glued_operator(p->t + k, w - k);
        drom_expr_free(left);
        if (g)
            return simple_err(p, k > left_end ? k + g : k, "expected a space %s '%.*s' (Simple needs spaces around operators)",
                        k > left_end ? "after" : "before", (int)g, p->t + k);
        if (k == left_end)
            return simple_err(p, k, "expected a space or an operator after '%s'", simple_snippet(p, start, left_end, what, sizeof what));
        const char *near = near_operator(p->t + k, w - k);
        if (near)
            return simple_err(p, k, "unknown operator '%.*s'; did you mean '%s'?", (int)(w - k), p->t + k, near);
        return simple_err(p, k, "expected an operator after '%s'", simple_snippet(p, start, left_end, what, sizeof what));
    }
    const char *opw = simple_operators[op].word;
    size_t v = simple_skip_ws(p, w);
    if (v >= p->end) {
        drom_expr_free(left);
        return simple_err(p, v, "expected a value after '%s'", opw);
    }
    size_t rs = v;
    struct drom_expr *right = operand(p, &v, opw);
    if (!right) {
        drom_expr_free(left);
        return NULL;
    }
    struct drom_expr *e = drom_expr_new(DROM_EXPR_BINARY);
    e->op = simple_operators[op].op;
    drom_expr_add_take(e, left);
    drom_expr_add_take(e, right);
    bool lit = right->kind == DROM_EXPR_LITERAL;
    char tmp[32];
    const char *rtext = lit ? drom_value_str(&right->lit, tmp, sizeof tmp) : NULL;
    if (lit && (e->op == DROM_OP_REGEX || e->op == DROM_OP_NOT_REGEX)) {
        e->re = drom_regex_compile(rtext, strlen(rtext), 0, p->err);
        if (!e->re) {
            char msg[sizeof p->err->msg];
            snprintf(msg, sizeof msg, "%s", p->err ? p->err->msg : "");
            drom_expr_free(e);
            return simple_err(p, rs, "%s", msg);
        }
    }
    if (lit && (e->op == DROM_OP_RANGE || e->op == DROM_OP_NOT_RANGE)) {
        if (drom_expr_range_parse(rtext, &e->range_lo, &e->range_hi, p->err) < 0) {
            char msg[sizeof p->err->msg];
            snprintf(msg, sizeof msg, "%s", p->err ? p->err->msg : "");
            drom_expr_free(e);
            return simple_err(p, rs, "%s", msg);
        }
        e->range_ready = true;
    }
    *i = v;
    return e;
}

static struct drom_expr *predicate(const struct simple_parser *p, size_t i)
{
    i = simple_skip_ws(p, i);
    if (i >= p->end)
        return simple_err(p, i, "empty predicate (expected a condition such as ${body} != null)");
    size_t start = i;
    struct drom_expr *e = condition(p, &i);
    while (e) {
        size_t k = simple_skip_ws(p, i);
        if (k >= p->end)
            return e;
        char what[80];
        if (!is_logic(p, k) || k == i) {
            drom_expr_free(e);
            return simple_err(p, k, "expected '&&' or '||' after '%s'", simple_snippet(p, start, i, what, sizeof what));
        }
        bool and = p->t[k] == '&';
        size_t c = simple_skip_ws(p, k + 2);
        if (c >= p->end) {
            drom_expr_free(e);
            return simple_err(p, c, "expected a condition after '%s'", and ? "&&" : "||");
        }
        struct drom_expr *right = condition(p, &c);
        if (!right) {
            drom_expr_free(e);
            return NULL;
        }
        struct drom_expr *both = drom_expr_new(and ? DROM_EXPR_AND : DROM_EXPR_OR);
        drom_expr_add_take(both, e);
        drom_expr_add_take(both, right);
        e = both;
        i = c;
    }
    return NULL;
}

struct drom_expr *drom_expr_parse(const char *language, const char *text, enum drom_expr_mode mode,
                                  struct drom_error *err)
{
    struct drom_error local;
    if (!err)
        err = &local;   /* the parser reads messages back */
    if (!text)
        text = "";
    struct simple_parser p = {.t = text, .end = strlen(text), .err = err};
    size_t a = simple_skip_ws(&p, 0);
    while (p.end > a && simple_is_space(text[p.end - 1]))
        p.end--;
    if (!language || strcmp(language, "simple") == 0)
        return mode == DROM_EXPR_PREDICATE ? predicate(&p, a) : simple_parse_template(&p, a, p.end, true);
    if (strcmp(language, "constant") == 0)
        return simple_literal_str(text + a, p.end - a);
    if (strcmp(language, "header") == 0) {
        if (p.end == a)
            return simple_err(&p, a, "expected a header name");
        struct drom_expr *e = drom_expr_new(DROM_EXPR_HEADER);
        e->name = drom_xstrndup(text + a, p.end - a);
        return e;
    }
    if (strcmp(language, "jsonpath") == 0)
        return simple_jsonpath_node(&p, a, text + a, p.end - a);
    drom_err(err, DROM_EINVAL, "unknown expression language '%s' (expected simple, constant, header or jsonpath)",
             language);
    return NULL;
}
