#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsl/placeholder.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

enum { OK = 0, FAIL = -1, ABSENT = 1 };

struct res {
    const struct drom_placeholder_ctx *ctx;
    struct drom_error *err;
    const char *chain[DROM_PLACEHOLDER_MAX_DEPTH + 1];   /* properties being expanded */
    int nchain;
};

static int col_of(const char *s, size_t off)
{
    int col = 1;
    for (size_t i = 0; i < off && s[i]; i++)
        col += ((unsigned char)s[i] & 0xC0) != 0x80;
    return col;
}

/* Error at column `col` of the caller's text: "unresolved placeholder
 * 'RAW': why". `raw` is the placeholder as written, never a value. */
static int fail(struct res *r, int col, const char *raw, size_t rawlen, const char *why)
{
    drom_err(r->err, DROM_EINVAL, "unresolved placeholder '%.*s': %s", (int)rawlen, raw, why);
    if (r->err)
        r->err->col = col;
    return FAIL;
}

/* End (after "}}") of the placeholder opening at s[at], or 0. */
static size_t closing(const char *s, size_t at)
{
    int depth = 0;
    for (size_t i = at; s[i];) {
        if (s[i] == '\\' && (s[i + 1] == '{' || s[i + 1] == '}') && s[i + 2] == s[i + 1]) {
            i += 3;
        } else if (s[i] == '{' && s[i + 1] == '{') {
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

static const char *lookup_env(const struct drom_placeholder_ctx *ctx, const char *name)
{
    if (ctx && ctx->env)
        return ctx->env(name, ctx->env_ctx);
    return getenv(name);
}

static int resolve(struct res *r, const char *text, int depth, int base_col, struct drom_buf *out);

/* The content of a file, trailing white space removed. */
static int read_secret(struct res *r, int col, const char *raw, size_t rawlen, const char *path,
                       bool opt, struct drom_buf *out)
{
    char why[600];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (opt && errno == ENOENT)
            return ABSENT;
        snprintf(why, sizeof why, "cannot read file %.400s: %s", path, strerror(errno));
        return fail(r, col, raw, rawlen, why);
    }
    struct drom_buf b = DROM_BUF_INIT;
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            drom_buf_free(&b);
            snprintf(why, sizeof why, "cannot read file %.400s: %s", path, strerror(e));
            return fail(r, col, raw, rawlen, why);
        }
        if (n == 0)
            break;
        drom_buf_append(&b, chunk, (size_t)n);
        if (b.len > DROM_PLACEHOLDER_MAX_FILE) {
            close(fd);
            drom_buf_free(&b);
            snprintf(why, sizeof why, "file %.400s is larger than the limit of 1 MiB", path);
            return fail(r, col, raw, rawlen, why);
        }
    }
    close(fd);
    if (b.len && memchr(b.data, '\0', b.len)) {
        drom_buf_free(&b);
        snprintf(why, sizeof why, "file %.400s holds a NUL byte", path);
        return fail(r, col, raw, rawlen, why);
    }
    while (b.len > 0 && strchr(" \t\r\n\f\v", b.data[b.len - 1]))
        b.len--;
    drom_buf_append(out, b.data ? b.data : "", b.len);
    drom_buf_free(&b);
    return OK;
}

/* {{file:PATH:KEY}}: KEY of the properties file PATH, as Kafka's
 * FileConfigProvider reads ${file:PATH:KEY}. */
static int read_file_key(struct res *r, int col, const char *raw, size_t rawlen, const char *spec,
                         const char *colon, bool opt, struct drom_buf *out)
{
    char why[700];
    char *path = drom_xstrndup(spec, (size_t)(colon - spec));
    const char *name = colon + 1;
    struct drom_buf text = DROM_BUF_INIT;
    int rc = *path && *name ? read_secret(r, col, raw, rawlen, path, opt, &text)
                            : fail(r, col, raw, rawlen, "{{file:PATH:KEY}} needs a file and a key");
    if (rc == OK) {
        struct drom_props p = DROM_PROPS_INIT;
        struct drom_error perr = {0};
        const char *v = NULL;
        if (drom_props_load_mem(&p, text.data ? text.data : "", text.len, path, &perr) < 0) {
            snprintf(why, sizeof why, "file %.400s is not a properties file (line %d)", path, perr.line);
            rc = fail(r, col, raw, rawlen, why);
        } else if (!(v = drom_props_get(&p, name))) {
            if (opt) {
                rc = ABSENT;
            } else {
                snprintf(why, sizeof why, "file %.400s has no key %.200s", path, name);
                rc = fail(r, col, raw, rawlen, why);
            }
        } else {
            drom_buf_puts(out, v);
        }
        drom_props_free(&p);
    }
    drom_buf_free(&text);
    free(path);
    return rc;
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Evaluates one placeholder whose content (nested ones already resolved)
 * is `key`; `named` says whether key names may be quoted in messages (not
 * when they came out of a nested resolution). */
static int evaluate(struct res *r, const char *key, bool named, int col, const char *raw,
                    size_t rawlen, int depth, struct drom_buf *out)
{
    char why[600];
    bool opt = key[0] == '?';
    if (opt)
        key++;
    if (!*key)
        return fail(r, col, raw, rawlen, "empty placeholder");
    if (has_prefix(key, "env:")) {
        const char *name = key + 4, *colon = strchr(name, ':');
        char *var = colon ? drom_xstrndup(name, (size_t)(colon - name)) : drom_xstrdup(name);
        int rc = OK;
        if (!*var) {
            rc = fail(r, col, raw, rawlen, "empty environment variable name");
        } else {
            const char *v = lookup_env(r->ctx, var);
            if (v)
                drom_buf_puts(out, v);
            else if (colon)
                drom_buf_puts(out, colon + 1);
            else if (opt)
                rc = ABSENT;
            else {
                snprintf(why, sizeof why, "environment variable %.200s is not set",
                         named ? var : "(named by a nested placeholder)");
                rc = fail(r, col, raw, rawlen, why);
            }
        }
        free(var);
        return rc;
    }
    if (has_prefix(key, "file:")) {
        if (!key[5])
            return fail(r, col, raw, rawlen, "empty file name");
        const char *colon = strrchr(key + 5, ':');
        if (!colon)
            return read_secret(r, col, raw, rawlen, key + 5, opt, out);
        return read_file_key(r, col, raw, rawlen, key + 5, colon, opt, out);
    }
    if (has_prefix(key, "sys:"))
        return fail(r, col, raw, rawlen,
                    "Java system properties are not supported; use {{env:NAME}} or a property "
                    "(--properties FILE or -D key=value)");
    static const char *const refused[] = {"bean:", "ref:", "service:", "service.name:",
                                          "service.host:", "service.port:"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (has_prefix(key, refused[i])) {
            snprintf(why, sizeof why, "the '%.*s' function is not supported",
                     (int)strlen(refused[i]) - 1, refused[i]);
            return fail(r, col, raw, rawlen, why);
        }

    const char *colon = strchr(key, ':');
    char *name = colon ? drom_xstrndup(key, (size_t)(colon - key)) : drom_xstrdup(key);
    int rc = OK;
    const char *v = r->ctx ? drom_props_get(r->ctx->props, name) : NULL;
    if (!*name) {
        rc = fail(r, col, raw, rawlen, "empty property name");
    } else if (v) {
        bool cycle = false;
        for (int i = 0; i < r->nchain; i++)
            cycle |= strcmp(r->chain[i], name) == 0;
        if (cycle) {
            snprintf(why, sizeof why, "property %.200s refers to itself", name);
            rc = fail(r, col, raw, rawlen, why);
        } else if (depth >= DROM_PLACEHOLDER_MAX_DEPTH || r->nchain >= DROM_PLACEHOLDER_MAX_DEPTH) {
            snprintf(why, sizeof why, "placeholders nest more than %d deep",
                     DROM_PLACEHOLDER_MAX_DEPTH);
            rc = fail(r, col, raw, rawlen, why);
        } else {
            /* a property's value may hold placeholders too; their errors
             * are reported at this placeholder */
            struct drom_error inner = {0}, *saved = r->err;
            r->err = &inner;
            r->chain[r->nchain++] = name;
            rc = resolve(r, v, depth + 1, -1, out);
            r->nchain--;
            r->err = saved;
            if (rc == FAIL) {
                drom_err(r->err, DROM_EINVAL, "%.800s (in the value of property %.200s)", inner.msg,
                         named ? name : "named by a nested placeholder");
                if (r->err)
                    r->err->col = col;
            }
        }
    } else if (colon) {
        drom_buf_puts(out, colon + 1);
    } else if (opt) {
        rc = ABSENT;
    } else {
        snprintf(why, sizeof why,
                 "property %.200s is not defined (set it in the --properties file or with -D)",
                 named ? name : "(named by a nested placeholder)");
        rc = fail(r, col, raw, rawlen, why);
    }
    free(name);
    return rc;
}

/* Resolves text into out. base_col: the column of text[0] in the caller's
 * text, or -1 when text is not part of it (a property's value). */
static int resolve(struct res *r, const char *text, int depth, int base_col, struct drom_buf *out)
{
    for (size_t i = 0; text[i];) {
        char c = text[i];
        if (c == '\\' && (text[i + 1] == '{' || text[i + 1] == '}') && text[i + 2] == text[i + 1]) {
            drom_buf_append(out, text + i + 1, 2);
            i += 3;
            continue;
        }
        if (!(c == '{' && text[i + 1] == '{')) {
            drom_buf_putc(out, c);
            i++;
            continue;
        }
        int col = base_col < 0 ? 0 : base_col + col_of(text, i) - 1;
        size_t end = closing(text, i);
        if (!end) {
            drom_err(r->err, DROM_EINVAL, "'{{' without matching '}}'");
            if (r->err)
                r->err->col = col;
            return FAIL;
        }
        const char *raw = text + i;
        size_t rawlen = end - i;
        char *content = drom_xstrndup(text + i + 2, rawlen - 4);
        bool nested = strstr(content, "{{") != NULL;
        int rc;
        struct drom_buf key = DROM_BUF_INIT;
        if (nested && depth >= DROM_PLACEHOLDER_MAX_DEPTH) {
            char why[128];
            snprintf(why, sizeof why, "placeholders nest more than %d deep", DROM_PLACEHOLDER_MAX_DEPTH);
            rc = fail(r, col, raw, rawlen, why);
        } else if (nested) {
            rc = resolve(r, content, depth + 1, base_col < 0 ? -1 : col + 2, &key);
        } else {
            drom_buf_puts(&key, content);
            rc = OK;
        }
        free(content);
        if (rc == OK)
            rc = evaluate(r, drom_buf_cstr(&key), !nested, col, raw, rawlen, depth, out);
        drom_buf_free(&key);
        if (rc != OK)
            return rc;
        i = end;
    }
    return OK;
}

int drom_placeholder_resolve(const char *text, const struct drom_placeholder_ctx *ctx, char **out,
                             bool *absent, struct drom_error *err)
{
    *out = NULL;
    if (absent)
        *absent = false;
    struct res r = {.ctx = ctx, .err = err};
    struct drom_buf b = DROM_BUF_INIT;
    int rc = resolve(&r, text, 0, 1, &b);
    if (rc == ABSENT && absent) {
        *absent = true;
        drom_buf_free(&b);
        return 0;
    }
    if (rc == ABSENT) {
        drom_buf_free(&b);
        return drom_err(err, DROM_EINVAL,
                        "an optional placeholder {{?…}} is undefined where a value is required");
    }
    if (rc == FAIL) {
        drom_buf_free(&b);
        return -1;
    }
    *out = b.data ? drom_buf_detach(&b) : drom_xstrdup("");
    return 0;
}

bool drom_placeholder_present(const char *text)
{
    for (size_t i = 0; text && text[i]; i++) {
        if (text[i] == '\\' && (text[i + 1] == '{' || text[i + 1] == '}') && text[i + 2] == text[i + 1]) {
            i += 2;
            continue;
        }
        if (text[i] == '{' && text[i + 1] == '{')
            return true;
    }
    return false;
}
