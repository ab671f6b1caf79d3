/* A growable byte buffer, always NUL-terminated so it can serve as a string.
 * The owner frees it with drom_buf_free. */
#ifndef DROM_RUNTIME_BUF_H
#define DROM_RUNTIME_BUF_H

#include <stddef.h>
#include <stdint.h>

struct drom_buf {
    char *data;   /* NULL until the first append */
    size_t len, cap;
};

#define DROM_BUF_INIT {0}

void drom_buf_append(struct drom_buf *b, const void *data, size_t len);
void drom_buf_puts(struct drom_buf *b, const char *s);
void drom_buf_putc(struct drom_buf *b, char c);
void drom_buf_printf(struct drom_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void drom_buf_put_i64(struct drom_buf *b, int64_t v);   /* decimal, as %" PRId64 " */
void drom_buf_put_u64(struct drom_buf *b, uint64_t v);
void drom_buf_reset(struct drom_buf *b);          /* len = 0, keeps the memory */
const char *drom_buf_cstr(struct drom_buf *b);    /* "" when empty */
char *drom_buf_detach(struct drom_buf *b);        /* caller owns the string; b is reset */
void drom_buf_free(struct drom_buf *b);

#endif
