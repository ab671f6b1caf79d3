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
#include "runtime/buf.h"
#include "runtime/xalloc.h"

struct parser {
    const char *t;      /* the whole text: positions count from here */
    size_t end;         /* end of the trimmed text */
    struct drom_error *err;
};

static struct drom_expr *perr(const struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct drom_expr *perr(const struct parser *p, size_t at, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = 1, col = 1;
    for (size_t i = 0; i < at && p->t[i]; i++) {
        if (p->t[i] == '\n')
            line++, col = 1;
        else
            col++;
    }
    drom_err_at(p->err, DROM_EINVAL, "", line, col, "%s", msg);
    return NULL;
}

/* The source text of [a, b) for a message, shortened when long. */
static const char *snippet(const struct parser *p, size_t a, size_t b, char *out, size_t size)
{
    size_t n = b - a, max = 60;
    if (n > max)
        snprintf(out, size, "%.*s...", (int)max, p->t + a);
    else
        snprintf(out, size, "%.*s", (int)n, p->t + a);
    return out;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const struct parser *p, size_t i)
{
    while (i < p->end && is_space(p->t[i]))
        i++;
    return i;
}

static struct drom_expr *literal_str(const char *s, size_t len)
{
    struct drom_expr *e = drom_expr_new(DROM_EXPR_LITERAL);
    e->lit.type = DROM_V_STRING;
    e->lit.s = drom_xstrndup(s, len);
    e->lit.len = len;
    return e;
}

/* ---- functions: ${...} ---- */

static size_t levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

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

static struct drom_expr *unknown_function(const struct parser *p, size_t open, const char *fn)
{
    size_t hl = strcspn(fn, ".:[(");
    char head[64];
    snprintf(head, sizeof head, "%.*s", (int)(hl < sizeof head ? hl : sizeof head - 1), fn);
    for (size_t i = 0; i < sizeof unsupported_heads / sizeof *unsupported_heads; i++)
        if (strcmp(head, unsupported_heads[i]) == 0)
            return perr(p, open, "'${%s}' is not supported here (see docs/expressions.md for what is)", fn);
    const char *best = NULL;
    size_t best_d = 99;
    for (size_t i = 0; i < sizeof known_heads / sizeof *known_heads; i++) {
        size_t d = levenshtein(head, known_heads[i]);
        if (d < best_d)
            best_d = d, best = known_heads[i];
    }
    if (best && best_d <= (hl <= 4 ? 1u : 2u) && strncmp(best, fn, hl) != 0)
        return perr(p, open, "unknown function '${%s}' \xe2\x80\x94 did you mean '${%s%s}'?", fn, best, fn + hl);
    return perr(p, open,
                "unknown function '${%s}' (expected body, bodyAs(TYPE), header.NAME, exchangeProperty.NAME, "
                "routeId, exchangeId, camelId, date:now:PATTERN, env:NAME, exception.message, null or "
                "jsonpath(PATH))", fn);
}

/* If fn starts with `prefix` followed by '.', ':' or '[', returns the name
 * after it in *name (malloc'ed) and 1; 0 when fn does not start so; -1 with
 * the error set. */
static int operator_in_name(const char *s, size_t len, size_t *at, size_t *oplen);

/* Names Camel would read but that are almost surely a slip: an operator
 * inside the braces (${header.op == }) or a method call (Camel's OGNL). */
static int check_name(const struct parser *p, size_t open, const char *fn, const char *s, size_t len)
{
    size_t name_at = open + 2 + (size_t)(s - fn), at, oplen;
    if (operator_in_name(s, len, &at, &oplen)) {
        size_t head = at;
        while (head && s[head - 1] == ' ')
            head--;
        perr(p, name_at + at, "the name '%.*s' holds the operator '%.*s': close the function before it, as in "
             "'${%.*s} %.*s ...'", (int)len, s, (int)oplen, s + at, (int)(s - fn + head), fn, (int)oplen, s + at);
        return -1;
    }
    const char *paren = memchr(s, '(', len);
    if (paren) {
        const char *dot = paren;
        while (dot > s && dot[-1] != '.')
            dot--;
        perr(p, name_at + (size_t)(dot - s), "method calls ('%.*s') are not run: Simple here has no OGNL; "
             "see docs/expressions.md for the functions it has", (int)(len - (size_t)(dot - s)), dot);
        return -1;
    }
    return 0;
}

static int named(const struct parser *p, size_t open, const char *fn, const char *prefix, char **name)
{
    size_t n = strlen(prefix);
    if (strncmp(fn, prefix, n) != 0 || !fn[n] || !strchr(".:[", fn[n]))
        return 0;
    const char *s = fn + n + 1;
    size_t len = strlen(s);
    if (fn[n] == '[') {
        if (len == 0 || s[len - 1] != ']') {
            perr(p, open, "expected ']' to close '${%s}'", fn);
            return -1;
        }
        len--;
        if (len >= 2 && (s[0] == '\'' || s[0] == '"') && s[len - 1] == s[0])
            s++, len -= 2;
    } else if (memchr(s, '[', len)) {
        perr(p, open, "indexing into a value ('${%s}') is not supported", fn);
        return -1;
    }
    if (len == 0) {
        perr(p, open, "expected a name in '${%s}'", fn);
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
static int date_pattern(const struct parser *p, size_t at, const char *pat, struct drom_date_fmt *f)
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
                    perr(p, at + i, "unclosed quote in date pattern '%s'", pat);
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
                perr(p, at + i, "unsupported letter '%c' in date pattern '%s' (supported: y M d D E H k K h a m s S z Z X)",
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

static struct drom_expr *date_function(const struct parser *p, size_t open, size_t at, const char *fn)
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
        perr(p, at + 5, "unknown date command '%s' in '${%s}' (expected now, exchangeCreated or header.NAME)", c, fn);
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

static struct drom_expr *body_as(const struct parser *p, size_t open, const char *fn, const char *args)
{
    size_t n = strlen(args);
    if (n == 0 || args[n - 1] != ')')
        return perr(p, open, "expected ')' to close '${%s}'", fn);
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
        return perr(p, open, "unsupported type '%s' in '${%s}' (expected String, Integer, Long, Boolean or byte[])",
                    type, fn);
    }
    return e;
}

static struct drom_expr *jsonpath_node(const struct parser *p, size_t at, const char *text, size_t len)
{
    size_t a = 0;
    while (a < len && is_space(text[a]))
        a++;
    while (len > a && is_space(text[len - 1]))
        len--;
    struct drom_expr *e = drom_expr_new(DROM_EXPR_JSONPATH);
    size_t errpos = 0;
    if (drom_jsonpath_parse(text + a, len - a, e, &errpos, p->err) < 0) {
        char msg[sizeof p->err->msg];
        snprintf(msg, sizeof msg, "%s", p->err ? p->err->msg : "");
        drom_expr_free(e);
        return perr(p, at + a + errpos, "%s", msg);
    }
    return e;
}

/* fn is the trimmed text inside ${...}, starting at offset `at`; `open` is
 * the offset of the '$'. */
static struct drom_expr *function(const struct parser *p, size_t open, size_t at, const char *fn)
{
    struct drom_expr *e;
    char *name = NULL;
    int r;
    if (!*fn)
        return perr(p, open, "empty '${}' (expected a function such as ${body} or ${header.NAME})");
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
            return perr(p, open, "expected ')' to close '${%s}'", fn);
        return jsonpath_node(p, at + 9, fn + 9, n - 10);
    }
    if (strncmp(fn, "body.", 5) == 0 && strchr(fn, '('))
        return perr(p, open + 7, "method calls ('%s') are not run: Simple here has no OGNL; see "
                    "docs/expressions.md for the functions it has", fn + 5);
    if (strncmp(fn, "body", 4) == 0 && fn[4] && strchr(".[?", fn[4]))
        return perr(p, open, "OGNL access on the body ('${%s}') is not supported; use ${jsonpath($.field)}", fn);
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
        return perr(p, open, "expected a name in '${%s}' (as in '${%s.NAME}')", fn, fn);
    if (strcmp(fn, "headers") == 0 || strcmp(fn, "in.headers") == 0)
        return perr(p, open, "'${%s}' (all headers at once) is not supported; use '${header.NAME}'", fn);
    return unknown_function(p, open, fn);
}

static size_t fn_open_len(const struct parser *p, size_t i, size_t b)
{
    if (i + 1 < b && p->t[i] == '$' && p->t[i + 1] == '{')
        return 2;
    if (i + 7 < b && strncmp(p->t + i, "$simple{", 8) == 0)
        return 8;
    return 0;
}

/* Parses the ${...} at i (bounded by b); *next is set after its '}'. */
static struct drom_expr *parse_function(const struct parser *p, size_t i, size_t b, size_t *next)
{
    size_t cs = i + fn_open_len(p, i, b), j = cs;
    for (; j < b; j++) {
        if (p->t[j] == '}')
            break;
        if (fn_open_len(p, j, b))
            return perr(p, i, "unclosed '${' (expected '}'; nested '${' is not supported)");
    }
    if (j >= b)
        return perr(p, i, "unclosed '${' (expected '}')");
    size_t a = cs, z = j;
    while (a < z && is_space(p->t[a]))
        a++;
    while (z > a && is_space(p->t[z - 1]))
        z--;
    char *fn = drom_xstrndup(p->t + a, z - a);
    struct drom_expr *e = function(p, i, a, fn);
    free(fn);
    *next = j + 1;
    return e;
}

/* [a, b) as a template: text with ${...} inside. With `escapes`, \n \t \r
 * in the text become the characters. One function alone keeps its type. */
static struct drom_expr *parse_template(const struct parser *p, size_t a, size_t b, bool escapes)
{
    struct drom_expr *cat = drom_expr_new(DROM_EXPR_CONCAT);
    struct drom_buf lit = DROM_BUF_INIT;
    bool have_lit = false;
    for (size_t i = a; i < b;) {
        if (fn_open_len(p, i, b)) {
            if (have_lit) {
                drom_expr_add_take(cat, literal_str(lit.data, lit.len));
                drom_buf_reset(&lit);
                have_lit = false;
            }
            struct drom_expr *kid = parse_function(p, i, b, &i);
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
        drom_expr_add_take(cat, literal_str(lit.data, lit.len));
    drom_buf_free(&lit);
    if (cat->nkids == 0) {
        drom_expr_free(cat);
        return literal_str("", 0);
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

static const struct { const char *word; enum drom_expr_op op; } operators[] = {
    {"==", DROM_OP_EQ}, {"!=", DROM_OP_NE}, {"=~", DROM_OP_EQ_NOCASE}, {"!=~", DROM_OP_NE_NOCASE},
    {">", DROM_OP_GT}, {">=", DROM_OP_GE}, {"<", DROM_OP_LT}, {"<=", DROM_OP_LE},
    {"contains", DROM_OP_CONTAINS}, {"!contains", DROM_OP_NOT_CONTAINS},
    {"~~", DROM_OP_CONTAINS_NOCASE}, {"!~~", DROM_OP_NOT_CONTAINS_NOCASE},
    {"startsWith", DROM_OP_STARTS_WITH}, {"!startsWith", DROM_OP_NOT_STARTS_WITH},
    {"endsWith", DROM_OP_ENDS_WITH}, {"!endsWith", DROM_OP_NOT_ENDS_WITH},
    {"regex", DROM_OP_REGEX}, {"!regex", DROM_OP_NOT_REGEX},
    {"in", DROM_OP_IN}, {"!in", DROM_OP_NOT_IN},
    {"range", DROM_OP_RANGE}, {"!range", DROM_OP_NOT_RANGE},
};

static size_t word_end(const struct parser *p, size_t i)
{
    while (i < p->end && !is_space(p->t[i]))
        i++;
    return i;
}

static int find_operator(const char *s, size_t n)
{
    for (size_t k = 0; k < sizeof operators / sizeof *operators; k++)
        if (strlen(operators[k].word) == n && strncmp(operators[k].word, s, n) == 0)
            return (int)k;
    return -1;
}

/* A blank-separated operator word inside s[0..len): its offset and length. */
static int operator_in_name(const char *s, size_t len, size_t *at, size_t *oplen)
{
    for (size_t i = 0; i < len;) {
        while (i < len && s[i] == ' ')
            i++;
        size_t e = i;
        while (e < len && s[e] != ' ')
            e++;
        if (e > i && (i > 0 || e < len) && find_operator(s + i, e - i) >= 0) {
            *at = i;
            *oplen = e - i;
            return 1;
        }
        i = e;
    }
    return 0;
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
    for (size_t k = 0; k < sizeof operators / sizeof *operators; k++) {
        size_t d = levenshtein(w, operators[k].word);
        if (d < best_d)
            best_d = d, best = operators[k].word;
    }
    return best;
}

static bool is_logic(const struct parser *p, size_t i)
{
    return i + 1 < p->end && ((p->t[i] == '&' && p->t[i + 1] == '&') || (p->t[i] == '|' && p->t[i + 1] == '|'));
}

/* A symbolic operator glued to what follows, as in "=='a'": its length. */
static size_t glued_operator(const char *s, size_t n)
{
    size_t best = 0;
    for (size_t k = 0; k < sizeof operators / sizeof *operators; k++) {
        size_t l = strlen(operators[k].word);
        if (!isalpha((unsigned char)operators[k].word[l - 1]) && l < n && strncmp(operators[k].word, s, l) == 0 &&
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
    return literal_str(s, n);
}

/* One operand at *i: ${...}, 'quoted', "quoted", a number, true, false,
 * null or a bare word. `after` names the operator before it, if any. */
static struct drom_expr *operand(const struct parser *p, size_t *i, const char *after)
{
    size_t s = *i;
    char c = p->t[s];
    if (fn_open_len(p, s, p->end))
        return parse_function(p, s, p->end, i);
    if (c == '\'' || c == '"') {
        size_t q = s + 1;
        while (q < p->end && p->t[q] != c)
            q++;
        if (q >= p->end)
            return perr(p, s, "unclosed string literal (expected %c)", c);
        *i = q + 1;
        bool has_fn = false;
        for (size_t k = s + 1; k + 1 < q && !has_fn; k++)
            has_fn = fn_open_len(p, k, q) > 0;
        if (has_fn) {
            struct drom_expr *e = parse_template(p, s + 1, q, false);
            if (e && e->kind != DROM_EXPR_CONCAT && e->kind != DROM_EXPR_LITERAL) {
                /* A lone ${...} in quotes is still text. */
                struct drom_expr *cat = drom_expr_new(DROM_EXPR_CONCAT);
                drom_expr_add_take(cat, e);
                e = cat;
            }
            return e;
        }
        return literal_str(p->t + s + 1, q - s - 1);
    }
    size_t w = word_end(p, s);
    char what[80];
    if (find_operator(p->t + s, w - s) >= 0 || glued_operator(p->t + s, w - s + 1) || is_logic(p, s)) {
        if (after)
            return perr(p, s, "expected a value after '%s'", after);
        return perr(p, s, "expected a value before '%s'", snippet(p, s, w, what, sizeof what));
    }
    *i = w;
    return word_literal(p->t + s, w - s);
}

static struct drom_expr *condition(const struct parser *p, size_t *i)
{
    size_t start = *i;
    struct drom_expr *left = operand(p, i, NULL);
    if (!left)
        return NULL;
    size_t left_end = *i;
    size_t k = skip_ws(p, *i);
    if (k >= p->end || (is_logic(p, k) && k > left_end))
        return left;
    size_t w = word_end(p, k);
    int op = k > left_end ? find_operator(p->t + k, w - k) : -1;
    char what[80];
    if (op < 0) {
        size_t g = glued_operator(p->t + k, w - k);
        drom_expr_free(left);
        if (g)
            return perr(p, k > left_end ? k + g : k, "expected a space %s '%.*s' (Simple needs spaces around operators)",
                        k > left_end ? "after" : "before", (int)g, p->t + k);
        if (k == left_end)
            return perr(p, k, "expected a space or an operator after '%s'", snippet(p, start, left_end, what, sizeof what));
        const char *near = near_operator(p->t + k, w - k);
        if (near)
            return perr(p, k, "unknown operator '%.*s'; did you mean '%s'?", (int)(w - k), p->t + k, near);
        return perr(p, k, "expected an operator after '%s'", snippet(p, start, left_end, what, sizeof what));
    }
    const char *opw = operators[op].word;
    size_t v = skip_ws(p, w);
    if (v >= p->end) {
        drom_expr_free(left);
        return perr(p, v, "expected a value after '%s'", opw);
    }
    size_t rs = v;
    struct drom_expr *right = operand(p, &v, opw);
    if (!right) {
        drom_expr_free(left);
        return NULL;
    }
    struct drom_expr *e = drom_expr_new(DROM_EXPR_BINARY);
    e->op = operators[op].op;
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
            return perr(p, rs, "%s", msg);
        }
    }
    if (lit && (e->op == DROM_OP_RANGE || e->op == DROM_OP_NOT_RANGE)) {
        if (drom_expr_range_parse(rtext, &e->range_lo, &e->range_hi, p->err) < 0) {
            char msg[sizeof p->err->msg];
            snprintf(msg, sizeof msg, "%s", p->err ? p->err->msg : "");
            drom_expr_free(e);
            return perr(p, rs, "%s", msg);
        }
        e->range_ready = true;
    }
    *i = v;
    return e;
}

static struct drom_expr *predicate(const struct parser *p, size_t i)
{
    i = skip_ws(p, i);
    if (i >= p->end)
        return perr(p, i, "empty predicate (expected a condition such as ${body} != null)");
    size_t start = i;
    struct drom_expr *e = condition(p, &i);
    while (e) {
        size_t k = skip_ws(p, i);
        if (k >= p->end)
            return e;
        char what[80];
        if (!is_logic(p, k) || k == i) {
            drom_expr_free(e);
            return perr(p, k, "expected '&&' or '||' after '%s'", snippet(p, start, i, what, sizeof what));
        }
        bool and = p->t[k] == '&';
        size_t c = skip_ws(p, k + 2);
        if (c >= p->end) {
            drom_expr_free(e);
            return perr(p, c, "expected a condition after '%s'", and ? "&&" : "||");
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
    struct parser p = {.t = text, .end = strlen(text), .err = err};
    size_t a = skip_ws(&p, 0);
    while (p.end > a && is_space(text[p.end - 1]))
        p.end--;
    if (!language || strcmp(language, "simple") == 0)
        return mode == DROM_EXPR_PREDICATE ? predicate(&p, a) : parse_template(&p, a, p.end, true);
    if (strcmp(language, "constant") == 0)
        return literal_str(text + a, p.end - a);
    if (strcmp(language, "header") == 0) {
        if (p.end == a)
            return perr(&p, a, "expected a header name");
        struct drom_expr *e = drom_expr_new(DROM_EXPR_HEADER);
        e->name = drom_xstrndup(text + a, p.end - a);
        return e;
    }
    if (strcmp(language, "jsonpath") == 0)
        return jsonpath_node(&p, a, text + a, p.end - a);
    drom_err(err, DROM_EINVAL, "unknown expression language '%s' (expected simple, constant, header or jsonpath)",
             language);
    return NULL;
}
