#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl/uri.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

#define MASK "xxxxxx"

struct scan {
    const char *s;
    size_t len;
    struct drom_error *err;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 1-based column in characters of a byte offset. */
static int col_of(const char *s, size_t off)
{
    int col = 1;
    for (size_t i = 0; i < off && s[i]; i++)
        col += ((unsigned char)s[i] & 0xC0) != 0x80;
    return col;
}

static int fail(struct scan *sc, size_t off, const char *fmt, const char *a, const char *b)
{
    drom_err(sc->err, DROM_EINVAL, fmt, a, b);
    if (sc->err)
        sc->err->col = col_of(sc->s, off);
    return -1;
}

/* End of the placeholder opening at `at` ("{{"), after its matching "}}",
 * counting nested ones; 0 when unterminated. */
static size_t placeholder_end(const char *s, size_t len, size_t at)
{
    int depth = 0;
    for (size_t i = at; i + 1 < len;) {
        if (s[i] == '{' && s[i + 1] == '{') {
            depth++;
            i += 2;
        } else if (s[i] == '}' && s[i + 1] == '}') {
            i += 2;
            if (--depth == 0)
                return i;
        } else {
            i++;
        }
    }
    return 0;
}

/* Index of the first of `stops` at or after `i` (before `end`), outside
 * placeholders; `end` when none. -1 (as SIZE_MAX) on an unterminated
 * placeholder, with the error set. */
static size_t find_stop(struct scan *sc, size_t i, size_t end, const char *stops)
{
    while (i < end) {
        if (sc->s[i] == '{' && i + 1 < end && sc->s[i + 1] == '{') {
            size_t e = placeholder_end(sc->s, end, i);
            if (!e) {
                fail(sc, i, "'{{' without matching '}}'%s%s", "", "");
                return (size_t)-1;
            }
            i = e;
            continue;
        }
        if (strchr(stops, sc->s[i]))
            return i;
        i++;
    }
    return end;
}

static void trim(const char *s, size_t *from, size_t *to)
{
    while (*from < *to && is_space(s[*from]))
        (*from)++;
    while (*to > *from && is_space(s[*to - 1]))
        (*to)--;
}

/* Percent-decodes s[from, to) ('+' as a space when plus), copying
 * placeholders verbatim. `what` names the part for messages. */
static char *decode(struct scan *sc, size_t from, size_t to, bool plus, const char *what)
{
    struct drom_buf b = DROM_BUF_INIT;
    const char *s = sc->s;
    for (size_t i = from; i < to;) {
        if (s[i] == '{' && i + 1 < to && s[i + 1] == '{') {
            size_t e = placeholder_end(s, to, i);
            if (!e) {
                drom_buf_free(&b);
                fail(sc, i, "'{{' without matching '}}'%s%s", "", "");
                return NULL;
            }
            drom_buf_append(&b, s + i, e - i);
            i = e;
        } else if (s[i] == '%') {
            int hi = i + 1 < to ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < to ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                char bad[4] = {0};
                size_t n = to - i < 3 ? to - i : 3;
                memcpy(bad, s + i, n);
                drom_buf_free(&b);
                fail(sc, i, "invalid percent-encoding '%s' in %s (expected '%%' and two hex digits)",
                     bad, what);
                return NULL;
            }
            if (hi == 0 && lo == 0) {
                drom_buf_free(&b);
                fail(sc, i, "'%%00' (a NUL byte) is not allowed in %s%s", what, "");
                return NULL;
            }
            drom_buf_putc(&b, (char)(hi * 16 + lo));
            i += 3;
        } else if (s[i] == '+' && plus) {
            drom_buf_putc(&b, ' ');
            i++;
        } else {
            drom_buf_putc(&b, s[i]);
            i++;
        }
    }
    if (!b.data)
        return drom_xstrdup("");
    return drom_buf_detach(&b);
}

/* A RAW(…) or RAW{…} value starting at `v`: sets the content range and the
 * index after the closing bracket. */
static int raw_value(struct scan *sc, size_t v, const char *name, size_t *from, size_t *to,
                     size_t *next)
{
    char close = sc->s[v + 3] == '(' ? ')' : '}';
    for (size_t c = v + 4; c < sc->len; c++) {
        if (sc->s[c] != close)
            continue;
        size_t k = c + 1;
        while (k < sc->len && is_space(sc->s[k]))
            k++;
        if (k == sc->len || sc->s[k] == '&') {
            *from = v + 4;
            *to = c;
            *next = k;
            return 0;
        }
    }
    return fail(sc, v, "RAW%s value of option '%s' has no closing bracket followed by '&' or the end",
                close == ')' ? "(" : "{", name);
}

static void add_param(struct drom_uri *u, size_t *cap, struct drom_uri_param p)
{
    drom_xgrow((void **)&u->params, cap, u->nparams + 1, sizeof *u->params);
    u->params[u->nparams++] = p;
}

static int parse_query(struct scan *sc, size_t i, struct drom_uri *u)
{
    size_t cap = 0;
    const char *s = sc->s;
    while (i < sc->len) {
        size_t part_end = find_stop(sc, i, sc->len, "&=");
        if (part_end == (size_t)-1)
            return -1;
        size_t nf = i, nt = part_end;
        trim(s, &nf, &nt);
        if (part_end < sc->len && s[part_end] == '&') {   /* no '=' in this part */
            if (nf < nt) {
                char *name = decode(sc, nf, nt, true, "an option name");
                if (!name)
                    return -1;
                add_param(u, &cap, (struct drom_uri_param){.name = name, .value = drom_xstrdup(""),
                                                           .name_off = nf, .value_off = nt});
            }
            i = part_end + 1;
            goto check_dup;
        }
        if (part_end == sc->len) {
            if (nf < nt) {
                char *name = decode(sc, nf, nt, true, "an option name");
                if (!name)
                    return -1;
                add_param(u, &cap, (struct drom_uri_param){.name = name, .value = drom_xstrdup(""),
                                                           .name_off = nf, .value_off = nt});
            }
            i = sc->len;
            goto check_dup;
        }
        /* s[part_end] == '=' */
        if (nf == nt)
            return fail(sc, part_end, "empty option name before '='%s%s", "", "");
        char *name = decode(sc, nf, nt, true, "an option name");
        if (!name)
            return -1;
        size_t v = part_end + 1;
        while (v < sc->len && is_space(s[v]))
            v++;
        struct drom_uri_param p = {.name = name, .name_off = nf, .value_off = v};
        if (sc->len - v >= 4 && memcmp(s + v, "RAW", 3) == 0 && (s[v + 3] == '(' || s[v + 3] == '{')) {
            size_t from = 0, to = 0, next = 0;   /* set by raw_value; -O1 cannot tell */
            if (raw_value(sc, v, name, &from, &to, &next) < 0) {
                free(name);
                return -1;
            }
            p.value = drom_xstrndup(s + from, to - from);
            p.raw = true;
            i = next < sc->len ? next + 1 : sc->len;
        } else {
            size_t ve = find_stop(sc, v, sc->len, "&");
            if (ve == (size_t)-1) {
                free(name);
                return -1;
            }
            size_t vf = v, vt = ve;
            trim(s, &vf, &vt);
            char what[300];
            snprintf(what, sizeof what, "the value of option '%.200s'", name);
            p.value = decode(sc, vf, vt, true, what);
            if (!p.value) {
                free(name);
                return -1;
            }
            i = ve < sc->len ? ve + 1 : sc->len;
        }
        add_param(u, &cap, p);
    check_dup:
        if (u->nparams > 0) {
            struct drom_uri_param *last = &u->params[u->nparams - 1];
            for (size_t k = 0; k + 1 < u->nparams; k++)
                if (strcmp(u->params[k].name, last->name) == 0)
                    return fail(sc, last->name_off, "option '%s' is given more than once%s",
                                last->name, "");
        }
    }
    return 0;
}

int drom_uri_parse(const char *s, struct drom_uri *out, struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    struct scan sc = {.s = s, .len = strlen(s), .err = err};
    size_t i = 0;
    while (i < sc.len && is_space(s[i]))
        i++;
    if (i == sc.len)
        return fail(&sc, 0, "empty endpoint URI%s%s", "", "");
    size_t sch = i;
    if (!is_alpha(s[i]))
        return fail(&sc, i, "an endpoint URI starts with a component scheme (expected 'scheme:path')%s%s",
                    "", "");
    while (i < sc.len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    size_t sch_end = i;
    while (i < sc.len && is_space(s[i]))
        i++;
    if (i == sc.len || s[i] != ':') {
        if (i < sc.len && s[i] != ':' && sch_end == i)
            return fail(&sc, i, "invalid character '%.1s' in the component scheme (expected 'scheme:path')%s",
                        s + i, "");
        return fail(&sc, i, "missing ':' after the component scheme (expected 'scheme:path')%s%s", "", "");
    }
    i++;
    while (i < sc.len && is_space(s[i]))
        i++;
    if (sc.len - i >= 2 && s[i] == '/' && s[i + 1] == '/')
        i += 2;
    size_t q = find_stop(&sc, i, sc.len, "?");
    if (q == (size_t)-1)
        return -1;
    size_t pf = i, pt = q;
    trim(s, &pf, &pt);
    out->scheme = drom_xstrndup(s + sch, sch_end - sch);
    out->path = decode(&sc, pf, pt, false, "the path");
    if (!out->path || (q < sc.len && parse_query(&sc, q + 1, out) < 0)) {
        drom_uri_free(out);
        return -1;
    }
    return 0;
}

void drom_uri_free(struct drom_uri *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->nparams; i++) {
        free(u->params[i].name);
        free(u->params[i].value);
    }
    free(u->params);
    free(u->scheme);
    free(u->path);
    memset(u, 0, sizeof *u);
}

const struct drom_uri_param *drom_uri_param(const struct drom_uri *u, const char *name)
{
    for (size_t i = 0; i < u->nparams; i++)
        if (strcmp(u->params[i].name, name) == 0)
            return &u->params[i];
    return NULL;
}

/* Appends s percent-encoded: bytes outside `keep` and the unreserved set
 * become %XX; complete placeholders are copied as they are. */
static void encode(struct drom_buf *b, const char *s, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '{' && i + 1 < len && s[i + 1] == '{') {
            size_t e = placeholder_end(s, len, i);
            if (e) {
                drom_buf_append(b, s + i, e - i);
                i = e;
                continue;
            }
        }
        if (is_alpha((char)c) || is_digit((char)c) || (c && strchr("-._~", c)) || (c && strchr(keep, c))) {
            drom_buf_putc(b, (char)c);
        } else {
            drom_buf_putc(b, '%');
            drom_buf_putc(b, hex[c >> 4]);
            drom_buf_putc(b, hex[c & 15]);
        }
        i++;
    }
}

/* Whether RAW<open>v<close> reads back as v. */
static bool raw_fits(const char *v, char close)
{
    for (const char *p = v; *p; p++) {
        if (*p != close)
            continue;
        const char *k = p + 1;
        while (*k && is_space(*k))
            k++;
        if (*k == '&')
            return false;
    }
    return true;
}

char *drom_uri_render(const struct drom_uri *u, bool (*is_secret)(const char *name, void *ctx),
                      void *ctx)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_puts(&b, u->scheme ? u->scheme : "");
    drom_buf_putc(&b, ':');
    const char *path = u->path ? u->path : "";
    if (path[0] == '/' && path[1] == '/') {   /* else it would read as scheme://path */
        drom_buf_puts(&b, "%2F");
        path++;
    }
    encode(&b, path, "!$'()*,;=:@/");
    for (size_t i = 0; i < u->nparams; i++) {
        const struct drom_uri_param *p = &u->params[i];
        drom_buf_putc(&b, i ? '&' : '?');
        encode(&b, p->name, "!$'()*,;:@/?");
        drom_buf_putc(&b, '=');
        if (is_secret && is_secret(p->name, ctx)) {
            drom_buf_puts(&b, MASK);
        } else if (p->raw && raw_fits(p->value, ')')) {
            drom_buf_printf(&b, "RAW(%s)", p->value);
        } else if (p->raw && raw_fits(p->value, '}')) {
            drom_buf_printf(&b, "RAW{%s}", p->value);
        } else if (strncmp(p->value, "RAW(", 4) == 0 || strncmp(p->value, "RAW{", 4) == 0) {
            /* a plain value that merely starts like RAW(: escape the bracket */
            drom_buf_puts(&b, p->value[3] == '(' ? "RAW%28" : "RAW%7B");
            encode(&b, p->value + 4, "!$'()*,;:@/?=");
        } else {
            encode(&b, p->value, "!$'()*,;:@/?=");
        }
    }
    return drom_buf_detach(&b);
}
