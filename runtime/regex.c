#define PCRE2_CODE_UNIT_WIDTH 8
#include "runtime/regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "runtime/xalloc.h"

/* Bounds that keep a hostile or careless pattern from eating the process:
 * a route file is input like any other. */
#define MAX_PATTERN 4096
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000

/* PCRE2's objects are small; failing to get one is out of memory, which the
 * project treats as fatal everywhere (runtime/xalloc.h). */
static void *must(void *p)
{
    if (!p) {
        fputs("dromedary: out of memory\n", stderr);
        abort();
    }
    return p;
}

struct drom_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
    char *pattern;
};

struct drom_regex *drom_regex_compile(const char *pattern, size_t len, unsigned flags, struct drom_error *err)
{
    if (len > MAX_PATTERN) {
        drom_err(err, DROM_EINVAL, "invalid regex '%.40s...': longer than %d characters", pattern, MAX_PATTERN);
        return NULL;
    }
    /* ANCHORED + ENDANCHORED is Java's matches(): unlike wrapping in ^(...)$,
     * '$' cannot stop before a final newline. */
    uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (flags & DROM_REGEX_CASELESS)
        opts |= PCRE2_CASELESS;
    int code = 0;
    PCRE2_SIZE off = 0;
    pcre2_compile_context *cctx = must(pcre2_compile_context_create(NULL));
    pcre2_set_max_pattern_length(cctx, MAX_PATTERN);
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &code, &off, cctx);
    pcre2_compile_context_free(cctx);
    if (!re) {
        PCRE2_UCHAR why[160];
        if (pcre2_get_error_message(code, why, sizeof why) < 0)
            snprintf((char *)why, sizeof why, "error %d", code);
        drom_err(err, DROM_EINVAL, "invalid regex '%.*s': %s at offset %zu", (int)len, pattern, (char *)why,
                 (size_t)off);
        return NULL;
    }
    /* JIT when the platform has it; the interpreter otherwise. */
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    struct drom_regex *r = drom_xcalloc(1, sizeof *r);
    r->code = re;
    r->pattern = drom_xstrndup(pattern, len);
    r->mctx = must(pcre2_match_context_create(NULL));
    pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(r->mctx, DEPTH_LIMIT);
    return r;
}

int drom_regex_match(const struct drom_regex *re, const char *s, size_t len, struct drom_error *err)
{
    pcre2_match_data *md = must(pcre2_match_data_create(1, NULL));
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
    pcre2_match_data_free(md);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    PCRE2_UCHAR why[160];
    if (pcre2_get_error_message(rc, why, sizeof why) < 0)
        snprintf((char *)why, sizeof why, "error %d", rc);
    return drom_err(err, DROM_EINVAL, "regex '%s' gave up: %s", re->pattern, (char *)why);
}

bool drom_regex_matches(const struct drom_regex *re, const char *s)
{
    return drom_regex_match(re, s, strlen(s), NULL) == 1;
}

const char *drom_regex_pattern(const struct drom_regex *re)
{
    return re->pattern;
}

void drom_regex_free(struct drom_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    free(re->pattern);
    free(re);
}

/* Appends one item of a list, "\," unescaped and blanks trimmed as Debezium's
 * comma splitter does. */
static int list_add(struct drom_regex_list *l, const char *p, size_t len, struct drom_error *err)
{
    while (len && (*p == ' ' || *p == '\t'))
        p++, len--;
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (!len)
        return 0;
    struct drom_buf b = DROM_BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\\' && i + 1 < len && p[i + 1] == ',')
            i++;
        drom_buf_putc(&b, p[i]);
    }
    struct drom_regex *re = drom_regex_compile(b.data, b.len, DROM_REGEX_CASELESS, err);
    drom_buf_free(&b);
    if (!re)
        return -1;
    l->items = drom_xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] = re;
    return 0;
}

int drom_regex_list_compile(struct drom_regex_list *out, const char *list, struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    if (!list)
        return 0;
    const char *start = list;
    for (const char *p = list;; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p != ',' && *p)
            continue;
        if (list_add(out, start, (size_t)(p - start), err) < 0) {
            drom_regex_list_free(out);
            return -1;
        }
        if (!*p)
            return 0;
        start = p + 1;
    }
}

bool drom_regex_list_any(const struct drom_regex_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (drom_regex_matches(l->items[i], s))
            return true;
    return false;
}

void drom_regex_list_free(struct drom_regex_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        drom_regex_free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}
