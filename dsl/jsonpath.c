#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl/jsonpath.h"
#include "runtime/xalloc.h"

static void add_step(struct drom_expr *e, enum drom_jpath_kind kind, char *key, long index)
{
    e->jpath = drom_xrealloc(e->jpath, (e->njpath + 1) * sizeof *e->jpath);
    e->jpath[e->njpath++] = (struct drom_jpath_step){.kind = kind, .key = key, .index = index};
    if (kind == DROM_JP_WILDCARD)
        e->jpath_indefinite = true;
}

static int fail(size_t *errpos, size_t at, struct drom_error *err, const char *msg)
{
    *errpos = at;
    return drom_err(err, DROM_EINVAL, "%s", msg);
}

static int bracket(const char *t, size_t len, size_t *i, struct drom_expr *e, size_t *errpos,
                   struct drom_error *err)
{
    size_t open = *i, k = *i + 1;
    while (k < len && t[k] == ' ')
        k++;
    if (k >= len)
        return fail(errpos, open, err, "unclosed '[' in jsonpath (expected ']')");
    char c = t[k];
    if (c == '\'' || c == '"') {
        size_t s = k + 1, q = s;
        while (q < len && t[q] != c)
            q++;
        if (q >= len)
            return fail(errpos, k, err, c == '\'' ? "unclosed ' in jsonpath" : "unclosed \" in jsonpath");
        add_step(e, DROM_JP_KEY, drom_xstrndup(t + s, q - s), 0);
        k = q + 1;
    } else if (c == '*') {
        add_step(e, DROM_JP_WILDCARD, NULL, 0);
        k++;
    } else if (c == '?') {
        return fail(errpos, k, err, "jsonpath filters '[?(...)]' are not supported");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        size_t s = k;
        if (c == '-')
            k++;
        while (k < len && t[k] >= '0' && t[k] <= '9')
            k++;
        if (k == s + (c == '-') || k - s > 18)
            return fail(errpos, s, err, "expected an array index in jsonpath");
        char buf[24];
        memcpy(buf, t + s, k - s);
        buf[k - s] = '\0';
        add_step(e, DROM_JP_INDEX, NULL, strtol(buf, NULL, 10));
    } else {
        return fail(errpos, k, err, "expected 'name', N or * inside '[...]' in jsonpath");
    }
    while (k < len && t[k] == ' ')
        k++;
    if (k < len && (t[k] == ',' || t[k] == ':'))
        return fail(errpos, k, err, "jsonpath unions and slices ('[a,b]', '[1:3]') are not supported");
    if (k >= len || t[k] != ']')
        return fail(errpos, k < len ? k : open, err, "unclosed '[' in jsonpath (expected ']')");
    *i = k + 1;
    return 0;
}

int drom_jsonpath_parse(const char *t, size_t len, struct drom_expr *e, size_t *errpos, struct drom_error *err)
{
    if (len == 0 || t[0] != '$')
        return fail(errpos, 0, err, "jsonpath must start with '$'");
    size_t i = 1;
    while (i < len) {
        if (t[i] == '[') {
            if (bracket(t, len, &i, e, errpos, err) < 0)
                return -1;
        } else if (t[i] == '.') {
            if (i + 1 < len && t[i + 1] == '.')
                return fail(errpos, i, err, "jsonpath deep scan '..' is not supported");
            if (i + 1 < len && t[i + 1] == '*') {
                add_step(e, DROM_JP_WILDCARD, NULL, 0);
                i += 2;
                continue;
            }
            size_t s = ++i;
            while (i < len && t[i] != '.' && t[i] != '[' && t[i] != ' ')
                i++;
            if (i == s)
                return fail(errpos, s - 1, err, "expected a name after '.' in jsonpath");
            add_step(e, DROM_JP_KEY, drom_xstrndup(t + s, i - s), 0);
        } else {
            char msg[64];
            snprintf(msg, sizeof msg, "unexpected '%c' in jsonpath (expected '.' or '[')", t[i]);
            return fail(errpos, i, err, msg);
        }
    }
    return 0;
}
