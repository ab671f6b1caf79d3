/* Simple's functions: what stands inside ${...} (body, header.NAME,
 * date:..., jsonpath(...), ...), each checked where Camel users slip. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsl/jsonpath.h"
#include "dsl/simple_int.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

static const char *const known_heads[] = {
    "body", "bodyAs", "mandatoryBodyAs", "bodyOneLine", "header", "headers", "exchangeProperty",
    "routeId", "exchangeId", "camelId", "exception", "env", "sysenv", "date", "null", "jsonpath", "in",
};

/* Camel functions a user may know that we do not run. */
static const char *const unsupported_heads[] = {
    "uuid", "random", "properties", "sys", "messageHistory", "variable", "variables", "prettyBody",
    "bodyType", "messageTimestamp", "hostname", "ref", "type", "headerAs", "exchangePropertyAs",
    "collate", "skip", "join", "replace", "substring", "iif", "threadName", "threadId", "stepId",
    "fromRouteId", "camelContext", "exchange", "service", "bean", "messageAs", "mandatoryBodyAs!",
};

static struct drom_expr *unknown_function(const struct simple_parser *p, size_t open, const char *fn)
{
    size_t hl = strcspn(fn, ".:[(");
    char head[64];
    snprintf(head, sizeof head, "%.*s", (int)(hl < sizeof head ? hl : sizeof head - 1), fn);
    for (size_t i = 0; i < sizeof unsupported_heads / sizeof *unsupported_heads; i++)
        if (strcmp(head, unsupported_heads[i]) == 0)
            return simple_err(p, open, "'${%s}' is not supported here (see docs/expressions.md for what is)", fn);
    const char *best = NULL;
    size_t best_d = 99;
    for (size_t i = 0; i < sizeof known_heads / sizeof *known_heads; i++) {
        size_t d = simple_levenshtein(head, known_heads[i]);
        if (d < best_d)
            best_d = d, best = known_heads[i];
    }
    if (best && best_d <= (hl <= 4 ? 1u : 2u) && strncmp(best, fn, hl) != 0)
        return simple_err(p, open, "unknown function '${%s}' \xe2\x80\x94 did you mean '${%s%s}'?", fn, best, fn + hl);
    return simple_err(p, open,
                "unknown function '${%s}' (expected body, bodyAs(TYPE), header.NAME, exchangeProperty.NAME, "
                "routeId, exchangeId, camelId, date:now:PATTERN, env:NAME, exception.message, null or "
                "jsonpath(PATH))", fn);
}

/* If fn starts with `prefix` followed by '.', ':' or '[', returns the name
 * after it in *name (malloc'ed) and 1; 0 when fn does not start so; -1 with
 * the error set. */
/* Names Camel would read but that are almost surely a slip: an operator
 * inside the braces (${header.op == }) or a method call (Camel's OGNL). */
static int check_name(const struct simple_parser *p, size_t open, const char *fn, const char *s, size_t len)
{
    size_t name_at = open + 2 + (size_t)(s - fn), at, oplen;
    if (simple_operator_in_name(s, len, &at, &oplen)) {
        size_t head = at;
        while (head && s[head - 1] == ' ')
            head--;
        simple_err(p, name_at + at, "the name '%.*s' holds the operator '%.*s': close the function before it, as in "
             "'${%.*s} %.*s ...'", (int)len, s, (int)oplen, s + at, (int)(s - fn + head), fn, (int)oplen, s + at);
        return -1;
    }
    const char *paren = memchr(s, '(', len);
    if (paren) {
        const char *dot = paren;
        while (dot > s && dot[-1] != '.')
            dot--;
        simple_err(p, name_at + (size_t)(dot - s), "method calls ('%.*s') are not run: Simple here has no OGNL; "
             "see docs/expressions.md for the functions it has", (int)(len - (size_t)(dot - s)), dot);
        return -1;
    }
    return 0;
}

static int named(const struct simple_parser *p, size_t open, const char *fn, const char *prefix, char **name)
{
    size_t n = strlen(prefix);
    if (strncmp(fn, prefix, n) != 0 || !fn[n] || !strchr(".:[", fn[n]))
        return 0;
    const char *s = fn + n + 1;
    size_t len = strlen(s);
    if (fn[n] == '[') {
        if (len == 0 || s[len - 1] != ']') {
            simple_err(p, open, "expected ']' to close '${%s}'", fn);
            return -1;
        }
        len--;
        if (len >= 2 && (s[0] == '\'' || s[0] == '"') && s[len - 1] == s[0])
            s++, len -= 2;
    } else if (memchr(s, '[', len)) {
        simple_err(p, open, "indexing into a value ('${%s}') is not supported", fn);
        return -1;
    }
    if (len == 0) {
        simple_err(p, open, "expected a name in '${%s}'", fn);
        return -1;
    }
    if (fn[n] != '[' && check_name(p, open, fn, s, len) < 0)
        return -1;
    *name = drom_xstrndup(s, len);
    return 1;
}

static int add_date_tok(struct drom_date_fmt *f, char letter, int count, const char *text, size_t len)
{
    if (!letter && f->ntoks && !f->toks[f->ntoks - 1].letter) {   /* merge literal text */
        struct drom_date_tok *t = &f->toks[f->ntoks - 1];
        size_t old = strlen(t->text);
        t->text = drom_xrealloc(t->text, old + len + 1);
        memcpy(t->text + old, text, len);
        t->text[old + len] = '\0';
        return 0;
    }
    f->toks = drom_xrealloc(f->toks, (f->ntoks + 1) * sizeof *f->toks);
    f->toks[f->ntoks++] = (struct drom_date_tok){
        .letter = letter, .count = count, .text = letter ? NULL : drom_xstrndup(text, len)};
    return 0;
}

/* Java SimpleDateFormat pattern at text offset `at` (for error columns). */
static int date_pattern(const struct simple_parser *p, size_t at, const char *pat, struct drom_date_fmt *f)
{
    for (size_t i = 0; pat[i];) {
        char c = pat[i];
        if (c == '\'') {
            if (pat[i + 1] == '\'') {
                add_date_tok(f, 0, 0, "'", 1);
                i += 2;
                continue;
            }
            size_t s = i + 1, q = s;
            struct drom_buf b = DROM_BUF_INIT;
            for (;;) {
                if (!pat[q]) {
                    drom_buf_free(&b);
                    simple_err(p, at + i, "unclosed quote in date pattern '%s'", pat);
                    return -1;
                }
                if (pat[q] == '\'' && pat[q + 1] == '\'') {
                    drom_buf_putc(&b, '\'');
                    q += 2;
                } else if (pat[q] == '\'') {
                    break;
                } else {
                    drom_buf_putc(&b, pat[q++]);
                }
            }
            if (b.len)
                add_date_tok(f, 0, 0, b.data, b.len);
            drom_buf_free(&b);
            i = q + 1;
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            if (!strchr("yMdDEHkKhamsSzZX", c)) {
                simple_err(p, at + i, "unsupported letter '%c' in date pattern '%s' (supported: y M d D E H k K h a m s S z Z X)",
                     c, pat);
                return -1;
            }
            size_t s = i;
            while (pat[i] == c)
                i++;
            add_date_tok(f, c, (int)(i - s), NULL, 0);
            continue;
        }
        add_date_tok(f, 0, 0, &pat[i], 1);
        i++;
    }
    return 0;
}

static struct drom_expr *date_function(const struct simple_parser *p, size_t open, size_t at, const char *fn)
{
    const char *cmd = fn + 5;   /* after "date:" */
    const char *colon = strchr(cmd, ':');
    size_t cl = colon ? (size_t)(colon - cmd) : strlen(cmd);
    struct drom_expr *e = drom_expr_new(DROM_EXPR_DATE);
    char *c = drom_xstrndup(cmd, cl);
    if (strcmp(c, "now") == 0) {
        e->date_src = DROM_DATE_NOW;
    } else if (strcmp(c, "exchangeCreated") == 0) {
        e->date_src = DROM_DATE_EXCHANGE_CREATED;
    } else if (strncmp(c, "header.", 7) == 0 && c[7]) {
        e->date_src = DROM_DATE_HEADER;
        e->name = drom_xstrdup(c + 7);
    } else if (strncmp(c, "in.header.", 10) == 0 && c[10]) {
        e->date_src = DROM_DATE_HEADER;
        e->name = drom_xstrdup(c + 10);
    } else {
        simple_err(p, at + 5, "unknown date command '%s' in '${%s}' (expected now, exchangeCreated or header.NAME)", c, fn);
        free(c);
        drom_expr_free(e);
        return NULL;
    }
    free(c);
    if (colon && date_pattern(p, at + (size_t)(colon + 1 - fn), colon + 1, &e->date) < 0) {
        drom_expr_free(e);
        return NULL;
    }
    return e;
}

static struct drom_expr *body_as(const struct simple_parser *p, size_t open, const char *fn, const char *args)
{
    size_t n = strlen(args);
    if (n == 0 || args[n - 1] != ')')
        return simple_err(p, open, "expected ')' to close '${%s}'", fn);
    char type[64];
    snprintf(type, sizeof type, "%.*s", (int)(n - 1 < 63 ? n - 1 : 63), args);
    const char *t = strncmp(type, "java.lang.", 10) == 0 ? type + 10 : type;
    struct drom_expr *e = drom_expr_new(DROM_EXPR_BODY);
    if (strcmp(t, "String") == 0)
        e->conv = DROM_CONV_STRING;
    else if (strcmp(t, "Integer") == 0 || strcmp(t, "Long") == 0 || strcmp(t, "int") == 0 || strcmp(t, "long") == 0)
        e->conv = DROM_CONV_INT;
    else if (strcmp(t, "Boolean") == 0 || strcmp(t, "boolean") == 0)
        e->conv = DROM_CONV_BOOL;
    else if (strcmp(t, "byte[]") == 0)
        e->conv = DROM_CONV_BYTES;
    else {
        drom_expr_free(e);
        return simple_err(p, open, "unsupported type '%s' in '${%s}' (expected String, Integer, Long, Boolean or byte[])",
                    type, fn);
    }
    return e;
}

struct drom_expr *simple_jsonpath_node(const struct simple_parser *p, size_t at, const char *text, size_t len)
{
    size_t a = 0;
    while (a < len && simple_is_space(text[a]))
        a++;
    while (len > a && simple_is_space(text[len - 1]))
        len--;
    struct drom_expr *e = drom_expr_new(DROM_EXPR_JSONPATH);
    size_t errpos = 0;
    if (drom_jsonpath_parse(text + a, len - a, e, &errpos, p->err) < 0) {
        char msg[sizeof p->err->msg];
        snprintf(msg, sizeof msg, "%s", p->err ? p->err->msg : "");
        drom_expr_free(e);
        return simple_err(p, at + a + errpos, "%s", msg);
    }
    return e;
}

/* fn is the trimmed text inside ${...}, starting at offset `at`; `open` is
 * the offset of the '$'. */
static struct drom_expr *function(const struct simple_parser *p, size_t open, size_t at, const char *fn)
{
    struct drom_expr *e;
    char *name = NULL;
    int r;
    if (!*fn)
        return simple_err(p, open, "empty '${}' (expected a function such as ${body} or ${header.NAME})");
    if (strcmp(fn, "body") == 0 || strcmp(fn, "in.body") == 0)
        return drom_expr_new(DROM_EXPR_BODY);
    if (strcmp(fn, "bodyOneLine") == 0) {
        e = drom_expr_new(DROM_EXPR_BODY);
        e->conv = DROM_CONV_ONE_LINE;
        return e;
    }
    if (strcmp(fn, "routeId") == 0)
        return drom_expr_new(DROM_EXPR_ROUTE_ID);
    if (strcmp(fn, "exchangeId") == 0 || strcmp(fn, "id") == 0)
        return drom_expr_new(DROM_EXPR_EXCHANGE_ID);
    if (strcmp(fn, "camelId") == 0)
        return drom_expr_new(DROM_EXPR_CAMEL_ID);
    if (strcmp(fn, "exception") == 0 || strcmp(fn, "exception.message") == 0)
        return drom_expr_new(DROM_EXPR_EXCEPTION);
    if (strcmp(fn, "null") == 0)
        return drom_expr_new(DROM_EXPR_LITERAL);
    if (strncmp(fn, "bodyAs(", 7) == 0)
        return body_as(p, open, fn, fn + 7);
    if (strncmp(fn, "mandatoryBodyAs(", 16) == 0)
        return body_as(p, open, fn, fn + 16);
    if (strncmp(fn, "date:", 5) == 0)
        return date_function(p, open, at, fn);
    if (strncmp(fn, "jsonpath(", 9) == 0) {
        size_t n = strlen(fn);
        if (fn[n - 1] != ')')
            return simple_err(p, open, "expected ')' to close '${%s}'", fn);
        return simple_jsonpath_node(p, at + 9, fn + 9, n - 10);
    }
    if (strncmp(fn, "body.", 5) == 0 && strchr(fn, '('))
        return simple_err(p, open + 7, "method calls ('%s') are not run: Simple here has no OGNL; see "
                    "docs/expressions.md for the functions it has", fn + 5);
    if (strncmp(fn, "body", 4) == 0 && fn[4] && strchr(".[?", fn[4]))
        return simple_err(p, open, "OGNL access on the body ('${%s}') is not supported; use ${jsonpath($.field)}", fn);
    static const struct { const char *prefix; enum drom_expr_kind kind; } prefixes[] = {
        {"in.headers", DROM_EXPR_HEADER}, {"in.header", DROM_EXPR_HEADER}, {"headers", DROM_EXPR_HEADER},
        {"header", DROM_EXPR_HEADER}, {"exchangeProperty", DROM_EXPR_PROPERTY}, {"env", DROM_EXPR_ENV},
        {"sysenv", DROM_EXPR_ENV},
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        r = named(p, open, fn, prefixes[i].prefix, &name);
        if (r < 0)
            return NULL;
        if (r > 0) {
            e = drom_expr_new(prefixes[i].kind);
            e->name = name;
            return e;
        }
    }
    if (strcmp(fn, "header") == 0 || strcmp(fn, "in.header") == 0 || strcmp(fn, "exchangeProperty") == 0 ||
        strcmp(fn, "env") == 0)
        return simple_err(p, open, "expected a name in '${%s}' (as in '${%s.NAME}')", fn, fn);
    if (strcmp(fn, "headers") == 0 || strcmp(fn, "in.headers") == 0)
        return simple_err(p, open, "'${%s}' (all headers at once) is not supported; use '${header.NAME}'", fn);
    return unknown_function(p, open, fn);
}

size_t simple_fn_open_len(const struct simple_parser *p, size_t i, size_t b)
{
    if (i + 1 < b && p->t[i] == '$' && p->t[i + 1] == '{')
        return 2;
    if (i + 7 < b && strncmp(p->t + i, "$simple{", 8) == 0)
        return 8;
    return 0;
}

/* Parses the ${...} at i (bounded by b); *next is set after its '}'. */
struct drom_expr *simple_parse_function(const struct simple_parser *p, size_t i, size_t b, size_t *next)
{
    size_t cs = i + simple_fn_open_len(p, i, b), j = cs;
    for (; j < b; j++) {
        if (p->t[j] == '}')
            break;
        if (simple_fn_open_len(p, j, b))
            return simple_err(p, i, "unclosed '${' (expected '}'; nested '${' is not supported)");
    }
    if (j >= b)
        return simple_err(p, i, "unclosed '${' (expected '}')");
    size_t a = cs, z = j;
    while (a < z && simple_is_space(p->t[a]))
        a++;
    while (z > a && simple_is_space(p->t[z - 1]))
        z--;
    char *fn = drom_xstrndup(p->t + a, z - a);
    struct drom_expr *e = function(p, i, a, fn);
    free(fn);
    *next = j + 1;
    return e;
}

/* [a, b) as a template: text with ${...} inside. With `escapes`, \n \t \r
 * in the text become the characters. One function alone keeps its type. */