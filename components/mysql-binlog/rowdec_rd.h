/* The bounds-checked reader of binlog bytes: the row decoder's two halves,
 * the table map parser (rowdec.c) and the value decoder (rowval.c), read
 * through need(), so a truncated event is an error, never a read past its
 * end; the event headers (mb_event.c) and JSON diffs (mb_jsonb.c) read
 * length-encoded integers with lenenc(). */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_ROWDEC_RD_H
#define DROM_COMPONENTS_MYSQL_BINLOG_ROWDEC_RD_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/error.h"
#include "runtime/xalloc.h"

/* A bounded cursor over untrusted bytes. */
struct rd {
    const uint8_t *p;
    size_t len, off;
};

static inline int need(struct rd *r, size_t n, const char *what, struct drom_error *err)
{
    if (n > r->len - r->off)
        return drom_err(err, DROM_EINVAL, "binlog event truncated: %s needs %zu bytes at offset %zu of %zu",
                        what, n, r->off, r->len);
    return 0;
}

static inline uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static inline int get_le(struct rd *r, unsigned n, uint64_t *v, const char *what, struct drom_error *err)
{
    if (need(r, n, what, err))
        return -1;
    *v = le(r->p + r->off, n);
    r->off += n;
    return 0;
}

/* The bytes that follow the first of a length-encoded integer (MySQL's
 * protocol): 0, 2, 3 or 8; 9 for a first byte that starts none. */
static inline unsigned lenenc_tail(uint8_t first)
{
    return first < 251 ? 0 : first == 0xfc ? 2 : first == 0xfd ? 3 : first == 0xfe ? 8 : 9;
}

/* A length-encoded integer at p[*off..n), *off moved past it; -1 when it
 * is cut short or malformed (the caller words the error). */
static inline int lenenc(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
    if (*off >= n)
        return -1;
    uint8_t b = p[(*off)++];
    unsigned k = lenenc_tail(b);
    if (k == 9 || n - *off < k)
        return -1;
    *v = k ? le(p + *off, k) : b;
    *off += k;
    return 0;
}

static inline int get_lenenc(struct rd *r, uint64_t *v, const char *what, struct drom_error *err)
{
    uint64_t b;
    if (get_le(r, 1, &b, what, err))
        return -1;
    unsigned k = lenenc_tail((uint8_t)b);
    if (k == 9)
        return drom_err(err, DROM_EINVAL, "binlog event malformed: bad length-encoded integer in %s", what);
    if (!k) {
        *v = b;
        return 0;
    }
    return get_le(r, k, v, what, err);
}

static inline int get_lenenc_str(struct rd *r, char **out, const char *what, struct drom_error *err)
{
    uint64_t n = 0;
    if (get_lenenc(r, &n, what, err) || need(r, n, what, err))
        return -1;
    *out = drom_xstrndup((const char *)r->p + r->off, (size_t)n);
    r->off += (size_t)n;
    return 0;
}

#endif
