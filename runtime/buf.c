#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "runtime/xalloc.h"

static void reserve(struct drom_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = drom_xrealloc(b->data, cap);
    b->cap = cap;
}

void drom_buf_append(struct drom_buf *b, const void *data, size_t len)
{
    reserve(b, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void drom_buf_puts(struct drom_buf *b, const char *s)
{
    drom_buf_append(b, s, strlen(s));
}

void drom_buf_putc(struct drom_buf *b, char c)
{
    drom_buf_append(b, &c, 1);
}

void drom_buf_printf(struct drom_buf *b, const char *fmt, ...)
{
    /* one pass when the text fits the room left, which it mostly does */
    reserve(b, 63);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n >= room) {
        reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    }
    if (n > 0)
        b->len += (size_t)n;
    b->data[b->len] = '\0';
    va_end(ap2);
}

void drom_buf_put_i64(struct drom_buf *b, int64_t v)
{
    /* the hot path's integers (JSON values, positions, times), without printf */
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    if (v < 0)
        drom_buf_putc(b, '-');
    drom_buf_put_u64(b, u);
}

void drom_buf_put_u64(struct drom_buf *b, uint64_t u)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    drom_buf_append(b, tmp + i, sizeof tmp - i);
}

void drom_buf_reset(struct drom_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

const char *drom_buf_cstr(struct drom_buf *b)
{
    return b->data ? b->data : "";
}

char *drom_buf_detach(struct drom_buf *b)
{
    char *s = b->data ? b->data : drom_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void drom_buf_free(struct drom_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
