/* The bounds-checked reader both halves of the row decoder use: the table
 * map parser (rowdec.c) and the value decoder (rowval.c). Every read of
 * binlog bytes goes through need(), so a truncated event is an error,
 * never a read past its end. */
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

static inline int get_lenenc(struct rd *r, uint64_t *v, const char *what, struct drom_error *err)
{
    uint64_t b;
    if (get_le(r, 1, &b, what, err))
        return -1;
    if (b < 251) {
        *v = b;
        return 0;
    }
    switch (b) {
    case 0xfc: return get_le(r, 2, v, what, err);
    case 0xfd: return get_le(r, 3, v, what, err);
    case 0xfe: return get_le(r, 8, v, what, err);
    default: return drom_err(err, DROM_EINVAL, "binlog event malformed: bad length-encoded integer in %s", what);
    }
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
