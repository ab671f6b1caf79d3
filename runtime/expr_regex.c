/* Camel's `regex` operator uses Java's String.matches: the whole text must
 * match. We run POSIX extended regexes, so the pattern is anchored and the
 * Java shorthands users write (\d, \s, \w, (?:...)) are translated. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "runtime/expr.h"

static const char *outside_class(char c)
{
    switch (c) {
    case 'd': return "[0-9]";
    case 'D': return "[^0-9]";
    case 's': return "[[:space:]]";
    case 'S': return "[^[:space:]]";
    case 'w': return "[[:alnum:]_]";
    case 'W': return "[^[:alnum:]_]";
    case 't': return "\t";
    case 'n': return "\n";
    case 'r': return "\r";
    default: return NULL;
    }
}

static const char *inside_class(char c)
{
    switch (c) {
    case 'd': return "0-9";
    case 's': return "[:space:]";
    case 'w': return "[:alnum:]_";
    case 't': return "\t";
    case 'n': return "\n";
    case 'r': return "\r";
    case '\\': return "\\";
    default: return NULL;
    }
}

/* glibc's regcomp copies a repeated sub-pattern once per repetition, so
 * nested counts multiply: (a{100}){100} is 10000 copies. `weight` tracks
 * that product per group and refuses patterns that would eat the memory. */
#define MAX_WEIGHT 10000L
#define MAX_DEPTH 32

struct weights {
    long group[MAX_DEPTH + 1];   /* heaviest atom inside each open group */
    int depth;
    long last;                   /* weight of the atom a quantifier would repeat; 0 = none */
    bool quantified;             /* the last thing read was a quantifier */
};

static void atom(struct weights *w, long weight)
{
    w->last = weight;
    if (weight > w->group[w->depth])
        w->group[w->depth] = weight;
    w->quantified = false;
}

static int repeat(struct weights *w, const char *p, long count, struct drom_error *err)
{
    if (w->quantified)
        return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': a quantifier after a quantifier "
                        "(lazy or possessive forms) is not supported", p);
    long weight = w->last * count;
    if (weight > MAX_WEIGHT)
        return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': repetition counts are too large", p);
    atom(w, weight);
    w->quantified = true;
    return 0;
}

/* Reads "{n}", "{n,}" or "{n,m}" at p; returns its length and the largest
 * count, or 0 when it is not a well-formed interval (regcomp judges it). */
static size_t interval(const char *p, long *count)
{
    size_t i = 1;
    long n = 0, m = -1;
    if (p[i] < '0' || p[i] > '9')
        return 0;
    while (p[i] >= '0' && p[i] <= '9' && n <= MAX_WEIGHT)
        n = n * 10 + (p[i++] - '0');
    if (p[i] == ',') {
        i++;
        m = n + 1;
        if (p[i] >= '0' && p[i] <= '9') {
            m = 0;
            while (p[i] >= '0' && p[i] <= '9' && m <= MAX_WEIGHT)
                m = m * 10 + (p[i++] - '0');
        }
    }
    if (p[i] != '}')
        return 0;
    *count = m > n ? m : n;
    return i + 1;
}

static int translate(const char *p, struct drom_buf *out, struct drom_error *err)
{
    if (strlen(p) > 4096)
        return drom_err(err, DROM_EINVAL, "invalid regex: longer than 4096 characters");
    struct weights w = {.group = {1}, .depth = 0};
    bool in_class = false;
    size_t class_start = 0;   /* index of the first char after '[' or '[^' */
    for (size_t i = 0; p[i]; i++) {
        char c = p[i];
        if (c == '\\') {
            char n = p[i + 1];
            if (!n)
                return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': trailing backslash", p);
            if (!in_class && n >= '0' && n <= '9')
                return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': back references are not supported", p);
            const char *t = in_class ? inside_class(n) : outside_class(n);
            if (t)
                drom_buf_puts(out, t);
            else if (!in_class)
                drom_buf_putc(out, '\\'), drom_buf_putc(out, n);
            else if (strchr("]-^[", n) || (n >= 'A' && n <= 'Z') || (n >= 'a' && n <= 'z'))
                return drom_err(err, DROM_EINVAL,
                                "invalid regex '%.200s': '\\%c' inside [...] is not supported", p, n);
            else
                drom_buf_putc(out, n);   /* inside a POSIX set punctuation is literal already */
            if (!in_class)
                atom(&w, 1);
            i++;
            continue;
        }
        if (in_class) {
            if (c == '[' && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
                const char close[3] = {p[i + 1], ']', '\0'};
                const char *end = strstr(p + i + 2, close);
                if (!end)
                    return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': unclosed '[%c'", p, p[i + 1]);
                drom_buf_append(out, p + i, (size_t)(end + 2 - (p + i)));
                i = (size_t)(end + 1 - p);
                continue;
            }
            if (c == ']' && i > class_start) {
                in_class = false;
                atom(&w, 1);
            }
            drom_buf_putc(out, c);
            continue;
        }
        long count;
        size_t len;
        switch (c) {
        case '[':
            in_class = true;
            drom_buf_putc(out, c);
            if (p[i + 1] == '^')
                drom_buf_putc(out, p[++i]);
            class_start = i + 1;
            continue;
        case '(':
            if (w.depth == MAX_DEPTH)
                return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': groups nested too deeply", p);
            if (p[i + 1] == '?') {
                if (p[i + 2] != ':')
                    return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': '(?%c' is not supported", p,
                                    p[i + 2] ? p[i + 2] : ' ');
                i += 2;
            }
            drom_buf_putc(out, '(');
            w.group[++w.depth] = 1;
            w.last = 0;
            w.quantified = false;
            continue;
        case ')':
            drom_buf_putc(out, ')');
            if (w.depth > 0) {
                long g = w.group[w.depth--];
                atom(&w, g);
            }
            continue;
        case '|':
            drom_buf_putc(out, '|');
            w.last = 0;
            w.quantified = false;
            continue;
        case '*':
        case '+':
        case '?':
            if (repeat(&w, p, 2, err) < 0)
                return -1;
            drom_buf_putc(out, c);
            continue;
        case '{':
            len = interval(p + i, &count);
            if (len) {
                if (repeat(&w, p, count, err) < 0)
                    return -1;
                drom_buf_append(out, p + i, len);
                i += len - 1;
                continue;
            }
            break;
        default:
            break;
        }
        atom(&w, 1);
        drom_buf_putc(out, c);
    }
    if (in_class)
        return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': unclosed '['", p);
    return 0;
}

int drom_expr_regex_compile(regex_t *re, const char *pattern, struct drom_error *err)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_puts(&b, "^(");
    if (translate(pattern, &b, err) < 0) {
        drom_buf_free(&b);
        return -1;
    }
    drom_buf_puts(&b, ")$");
    int rc = regcomp(re, drom_buf_cstr(&b), REG_EXTENDED | REG_NOSUB);
    drom_buf_free(&b);
    if (rc != 0) {
        char msg[256];
        regerror(rc, re, msg, sizeof msg);
        return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': %s", pattern, msg);
    }
    return 0;
}
