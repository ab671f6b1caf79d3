/* What both halves of the Simple parser share: positions turned into
 * line:col errors, blanks, literals, the operator table and the edit
 * distance behind "did you mean". */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl/simple_int.h"
#include "runtime/xalloc.h"

struct drom_expr *simple_err(const struct simple_parser *p, size_t at, const char *fmt, ...)
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
const char *simple_snippet(const struct simple_parser *p, size_t a, size_t b, char *out, size_t size)
{
    size_t n = b - a, max = 60;
    if (n > max)
        snprintf(out, size, "%.*s...", (int)max, p->t + a);
    else
        snprintf(out, size, "%.*s", (int)n, p->t + a);
    return out;
}

bool simple_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t simple_skip_ws(const struct simple_parser *p, size_t i)
{
    while (i < p->end && simple_is_space(p->t[i]))
        i++;
    return i;
}

struct drom_expr *simple_literal_str(const char *s, size_t len)
{
    struct drom_expr *e = drom_expr_new(DROM_EXPR_LITERAL);
    e->lit.type = DROM_V_STRING;
    e->lit.s = drom_xstrndup(s, len);
    e->lit.len = len;
    return e;
}

/* ---- functions: ${...} ---- */

size_t simple_levenshtein(const char *a, const char *b)
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

const struct simple_operator simple_operators[] = {
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
const size_t simple_noperators = sizeof simple_operators / sizeof *simple_operators;

int simple_find_operator(const char *s, size_t n)
{
    for (size_t k = 0; k < simple_noperators; k++)
        if (strlen(simple_operators[k].word) == n && strncmp(simple_operators[k].word, s, n) == 0)
            return (int)k;
    return -1;
}

/* A blank-separated operator word inside s[0..len): its offset and length. */
int simple_operator_in_name(const char *s, size_t len, size_t *at, size_t *oplen)
{
    for (size_t i = 0; i < len;) {
        while (i < len && s[i] == ' ')
            i++;
        size_t e = i;
        while (e < len && s[e] != ' ')
            e++;
        if (e > i && (i > 0 || e < len) && simple_find_operator(s + i, e - i) >= 0) {
            *at = i;
            *oplen = e - i;
            return 1;
        }
        i = e;
    }
    return 0;
}
