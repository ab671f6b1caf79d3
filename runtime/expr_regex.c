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

static int translate(const char *p, struct drom_buf *out, struct drom_error *err)
{
    bool in_class = false;
    size_t class_start = 0;   /* index of the first char after '[' or '[^' */
    for (size_t i = 0; p[i]; i++) {
        char c = p[i];
        if (c == '\\') {
            char n = p[i + 1];
            if (!n)
                return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': trailing backslash", p);
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
            if (c == ']' && i > class_start)
                in_class = false;
            drom_buf_putc(out, c);
            continue;
        }
        if (c == '[') {
            in_class = true;
            drom_buf_putc(out, c);
            if (p[i + 1] == '^')
                drom_buf_putc(out, p[++i]);
            class_start = i + 1;
            continue;
        }
        if (c == '(' && p[i + 1] == '?') {
            if (p[i + 2] != ':')
                return drom_err(err, DROM_EINVAL, "invalid regex '%.200s': '(?%c' is not supported", p,
                                p[i + 2] ? p[i + 2] : ' ');
            drom_buf_putc(out, '(');
            i += 2;
            continue;
        }
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
