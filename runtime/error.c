#include <stdio.h>
#include <string.h>

#include "runtime/error.h"

int drom_verr(struct drom_error *err, enum drom_errcode code, const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    err->code = code;
    err->file[0] = '\0';
    err->line = err->col = 0;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return -1;
}

int drom_err(struct drom_error *err, enum drom_errcode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    drom_verr(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int drom_err_at(struct drom_error *err, enum drom_errcode code, const char *file, int line,
                int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    drom_verr(err, code, fmt, ap);
    va_end(ap);
    if (err) {
        snprintf(err->file, sizeof err->file, "%s", file ? file : "");
        err->line = line;
        err->col = col;
    }
    return -1;
}

void drom_err_prefix(struct drom_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t rest = sizeof err->msg - n - 3;
    size_t m = strnlen(old, rest);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
}

void drom_err_clear(struct drom_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *drom_err_format(const struct drom_error *err, char *buf, size_t size)
{
    if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, err->msg);
    else
        snprintf(buf, size, "%s", err->msg);
    return buf;
}

const char *drom_errcode_name(enum drom_errcode code)
{
    static const char *const names[] = {
        [DROM_OK] = "ok",           [DROM_EINVAL] = "invalid",   [DROM_EIO] = "io",
        [DROM_ENOMEM] = "nomem",    [DROM_ECONNECT] = "connect", [DROM_ESTATE] = "state",
        [DROM_ESTOPPED] = "stopped", [DROM_EINTERNAL] = "internal",
    };
    if ((unsigned)code < sizeof names / sizeof names[0] && names[code])
        return names[code];
    return "unknown";
}
