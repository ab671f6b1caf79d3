/* Errors as values: a fallible function returns 0/-1 (or NULL) and takes
 * `struct drom_error *err` last. The message carries its context
 * (file:line:column where the input had one); the caller may prefix more.
 * `err` may be NULL when the caller does not want the message. */
#ifndef DROM_RUNTIME_ERROR_H
#define DROM_RUNTIME_ERROR_H

#include <stdarg.h>
#include <stddef.h>

enum drom_errcode {
    DROM_OK = 0,
    DROM_EINVAL,    /* bad input: route file, option, expression, request */
    DROM_EIO,       /* file or socket I/O */
    DROM_ENOMEM,
    DROM_ECONNECT,  /* a remote server is unreachable or refused us */
    DROM_ESTATE,    /* stored state is corrupt, missing or purged */
    DROM_ESTOPPED,  /* the engine or endpoint is shutting down */
    DROM_EINTERNAL,
};

struct drom_error {
    enum drom_errcode code;
    char file[256];   /* where in the input, empty when not from a file */
    int line, col;    /* 0 when unknown */
    char msg[1024];
};

/* Sets code and message (printf style); clears the location. Returns -1 so
 * that `return drom_err(err, ...)` reads naturally. */
int drom_err(struct drom_error *err, enum drom_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int drom_verr(struct drom_error *err, enum drom_errcode code, const char *fmt, va_list ap);
/* Like drom_err with a source location. */
int drom_err_at(struct drom_error *err, enum drom_errcode code, const char *file, int line,
                int col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Puts "prefix: " before the current message. */
void drom_err_prefix(struct drom_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void drom_err_clear(struct drom_error *err);
/* "FILE:LINE:COL: MSG" (or just MSG) into buf; returns buf. */
const char *drom_err_format(const struct drom_error *err, char *buf, size_t size);
const char *drom_errcode_name(enum drom_errcode code);

#endif
