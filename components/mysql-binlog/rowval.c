/* Row values of WRITE/UPDATE/DELETE_ROWS events, decoded per column type
 * from the bytes the table map describes (DECIMAL, TIME2/DATETIME2 with
 * their fractions, strings and blobs by their length prefixes, ...). */
#include "components/mysql-binlog/rowdec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/rowdec_rd.h"
#include "runtime/xalloc.h"

static const unsigned dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

static unsigned decimal_size(unsigned precision, unsigned scale)
{
    unsigned intg = precision - scale;
    return intg / 9 * 4 + dig2bytes[intg % 9] + scale / 9 * 4 + dig2bytes[scale % 9];
}

static const uint32_t pow10_9[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
                                     1000000000};

static int decode_decimal(const struct mb_column *c, const uint8_t *p, struct mb_value *v, struct drom_error *err)
{
    unsigned intg = c->precision - c->scale, scale = c->scale;
    unsigned size = decimal_size(c->precision, scale);
    uint8_t b[40];
    bool neg = !(p[0] & 0x80);
    memcpy(b, p, size);
    b[0] ^= 0x80;
    if (neg)
        for (unsigned i = 0; i < size; i++)
            b[i] = (uint8_t)~b[i];
    char digits[80];
    size_t nd = 0, k = 0;
    /* integer part: leftover digits first, then 9-digit groups */
    unsigned lead = intg % 9;
    if (lead) {
        uint32_t x = (uint32_t)be(b, dig2bytes[lead]);
        k += dig2bytes[lead];
        if (x >= pow10_9[lead])
            return drom_err(err, DROM_EINVAL, "binlog row malformed: DECIMAL digits out of range");
        nd += (size_t)snprintf(digits + nd, sizeof digits - nd, "%0*u", (int)lead, x);
    }
    for (unsigned g = 0; g < intg / 9; g++, k += 4) {
        uint32_t x = (uint32_t)be(b + k, 4);
        if (x >= 1000000000u)
            return drom_err(err, DROM_EINVAL, "binlog row malformed: DECIMAL digits out of range");
        nd += (size_t)snprintf(digits + nd, sizeof digits - nd, "%09u", x);
    }
    char *o = v->dec;
    if (neg)
        *o++ = '-';
    size_t z = 0;
    while (z < nd && digits[z] == '0')
        z++;
    if (z == nd)
        *o++ = '0';
    else {
        memcpy(o, digits + z, nd - z);
        o += nd - z;
    }
    if (scale) {
        *o++ = '.';
        for (unsigned g = 0; g < scale / 9; g++, k += 4) {
            uint32_t x = (uint32_t)be(b + k, 4);
            if (x >= 1000000000u)
                return drom_err(err, DROM_EINVAL, "binlog row malformed: DECIMAL digits out of range");
            o += snprintf(o, 10, "%09u", x);
        }
        unsigned tail = scale % 9;
        if (tail) {
            uint32_t x = (uint32_t)be(b + k, dig2bytes[tail]);
            if (x >= pow10_9[tail])
                return drom_err(err, DROM_EINVAL, "binlog row malformed: DECIMAL digits out of range");
            o += snprintf(o, 10, "%0*u", (int)tail, x);
        }
    }
    *o = '\0';
    /* "-0.00" is how MariaDB writes nothing but a negative zero; keep the sign off. */
    if (neg && strspn(v->dec + 1, "0.") == strlen(v->dec + 1))
        memmove(v->dec, v->dec + 1, strlen(v->dec));
    v->kind = MB_V_DECIMAL;
    return 0;
}

int mb_decimal_text(unsigned precision, unsigned scale, const uint8_t *p, size_t len, char out[80],
                    struct drom_error *err)
{
    if (precision < 1 || precision > 65 || scale > 30 || scale > precision)
        return drom_err(err, DROM_EINVAL, "DECIMAL(%u,%u) malformed", precision, scale);
    if (len < decimal_size(precision, scale))
        return drom_err(err, DROM_EINVAL, "DECIMAL(%u,%u) truncated", precision, scale);
    struct mb_column c = {.precision = (uint8_t)precision, .scale = (uint8_t)scale};
    struct mb_value v;
    if (decode_decimal(&c, p, &v, err))
        return -1;
    memcpy(out, v.dec, sizeof v.dec);
    return 0;
}

static unsigned frac_bytes(unsigned fsp)
{
    return (fsp + 1) / 2;
}

/* The fraction in microseconds from ⌈fsp/2⌉ big-endian bytes. */
static int32_t frac_us(const uint8_t *p, unsigned fsp)
{
    switch (frac_bytes(fsp)) {
    case 1: return (int32_t)p[0] * 10000;
    case 2: return (int32_t)be(p, 2) * 100;
    case 3: return (int32_t)be(p, 3);
    default: return 0;
    }
}

static void decode_time2(const struct mb_column *c, const uint8_t *p, struct mb_value *v)
{
    int64_t intpart, packed;
    switch (frac_bytes(c->fsp)) {
    case 0:
        packed = ((int64_t)be(p, 3) - 0x800000) * (1LL << 24);
        break;
    case 1: {
        int64_t frac = p[3];
        intpart = (int64_t)be(p, 3) - 0x800000;
        if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x100;
        }
        packed = intpart * (1LL << 24) + frac * 10000;
        break;
    }
    case 2: {
        int64_t frac = (int64_t)be(p + 3, 2);
        intpart = (int64_t)be(p, 3) - 0x800000;
        if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x10000;
        }
        packed = intpart * (1LL << 24) + frac * 100;
        break;
    }
    default:
        packed = (int64_t)be(p, 6) - 0x800000000000LL;
        break;
    }
    bool neg = packed < 0;
    uint64_t a = neg ? (uint64_t)(-packed) : (uint64_t)packed;
    uint64_t hms = a >> 24, usec = a % (1u << 24);
    uint64_t hour = (hms >> 12) % (1 << 10), minute = (hms >> 6) % 64, second = hms % 64;
    int64_t us = (int64_t)((hour * 3600 + minute * 60 + second) * 1000000 + usec);
    v->kind = MB_V_TIME;
    v->i = neg ? -us : us;
}

static int value_size(const struct mb_column *c, const uint8_t *p, size_t avail, size_t *size,
                      struct drom_error *err)
{
    switch (c->type) {
    case MB_T_TINY: case MB_T_YEAR: *size = 1; return 0;
    case MB_T_SHORT: *size = 2; return 0;
    case MB_T_INT24: case MB_T_DATE: case MB_T_NEWDATE: case MB_T_TIME: *size = 3; return 0;
    case MB_T_LONG: case MB_T_TIMESTAMP: *size = 4; return 0;
    case MB_T_LONGLONG: case MB_T_DATETIME: *size = 8; return 0;
    case MB_T_FLOAT: *size = 4; return 0;
    case MB_T_DOUBLE: *size = 8; return 0;
    case MB_T_NULL: *size = 0; return 0;
    case MB_T_NEWDECIMAL: *size = decimal_size(c->precision, c->scale); return 0;
    case MB_T_BIT: *size = (c->nbits + 7u) / 8; return 0;
    case MB_T_TIME2: *size = 3 + frac_bytes(c->fsp); return 0;
    case MB_T_DATETIME2: *size = 5 + frac_bytes(c->fsp); return 0;
    case MB_T_TIMESTAMP2: *size = 4 + frac_bytes(c->fsp); return 0;
    case MB_T_ENUM: case MB_T_SET: *size = c->max_len; return 0;
    case MB_T_VARCHAR: case MB_T_VAR_STRING: case MB_T_STRING: {
        unsigned lb = c->max_len > 255 ? 2 : 1;
        if (avail < lb)
            break;
        *size = lb + (size_t)le(p, lb);
        return 0;
    }
    case MB_T_BLOB: case MB_T_TINY_BLOB: case MB_T_MEDIUM_BLOB: case MB_T_LONG_BLOB: case MB_T_GEOMETRY:
    case MB_T_JSON:
        if (avail < c->len_bytes)
            break;
        *size = c->len_bytes + (size_t)le(p, c->len_bytes);
        return 0;
    default:
        return drom_err(err, DROM_EINVAL, "unsupported column type %u", c->type);
    }
    return drom_err(err, DROM_EINVAL, "binlog row truncated");
}

static int64_t sign_extend(uint64_t v, unsigned bytes)
{
    unsigned shift = 64 - 8 * bytes;
    return (int64_t)(v << shift) >> shift;
}

/* The pre-5.6 format: YYYYMMDDhhmmss as an 8-byte integer. */
static void decode_datetime(const uint8_t *p, struct mb_value *v)
{
    uint64_t x = le(p, 8);
    uint64_t d = x / 1000000, t = x % 1000000;
    v->kind = MB_V_DATETIME;
    v->dt.year = (int)(d / 10000 % 10000);
    v->dt.month = (int)(d / 100 % 100);
    v->dt.day = (int)(d % 100);
    v->dt.hour = (int)(t / 10000);
    v->dt.minute = (int)(t / 100 % 100);
    v->dt.second = (int)(t % 100);
    v->zero = !v->dt.year || !v->dt.month || !v->dt.day;
}

static int decode_datetime2(const struct mb_column *c, const uint8_t *p, struct mb_value *v, struct drom_error *err)
{
    uint64_t raw = be(p, 5);
    if (raw < 0x8000000000ULL)
        return drom_err(err, DROM_EINVAL, "binlog row malformed: negative DATETIME");
    uint64_t x = raw - 0x8000000000ULL;
    uint64_t ymd = x >> 17, ym = ymd >> 5, hms = x % (1 << 17);
    v->kind = MB_V_DATETIME;
    v->dt.year = (int)(ym / 13);
    v->dt.month = (int)(ym % 13);
    v->dt.day = (int)(ymd % 32);
    v->dt.hour = (int)(hms >> 12);
    v->dt.minute = (int)((hms >> 6) % 64);
    v->dt.second = (int)(hms % 64);
    v->dt.usec = frac_us(p + 5, c->fsp);
    v->zero = !v->dt.year || !v->dt.month || !v->dt.day;
    return 0;
}

static int decode_value(const struct mb_column *c, const uint8_t *p, size_t size, struct mb_value *v,
                        struct drom_error *err)
{
    switch (c->type) {
    case MB_T_TINY: case MB_T_SHORT: case MB_T_INT24: case MB_T_LONG: case MB_T_LONGLONG: {
        uint64_t u = le(p, (unsigned)size);
        if (c->is_unsigned) {
            v->kind = MB_V_UINT;
            v->u = u;
        } else {
            v->kind = MB_V_INT;
            v->i = sign_extend(u, (unsigned)size);
        }
        return 0;
    }
    case MB_T_FLOAT: {
        float f;
        uint32_t u = (uint32_t)le(p, 4);
        memcpy(&f, &u, 4);
        v->kind = MB_V_FLOAT;
        v->d = f;
        return 0;
    }
    case MB_T_DOUBLE: {
        uint64_t u = le(p, 8);
        memcpy(&v->d, &u, 8);
        v->kind = MB_V_FLOAT;
        return 0;
    }
    case MB_T_NULL:
        v->kind = MB_V_NULL;
        return 0;
    case MB_T_NEWDECIMAL:
        return decode_decimal(c, p, v, err);
    case MB_T_BIT:
        v->kind = MB_V_UINT;
        v->u = be(p, (unsigned)size);
        return 0;
    case MB_T_YEAR:
        v->kind = MB_V_INT;
        v->i = p[0] ? 1900 + p[0] : 0;
        return 0;
    case MB_T_DATE: case MB_T_NEWDATE: {
        uint32_t x = (uint32_t)le(p, 3);
        v->kind = MB_V_DATE;
        v->dt.day = (int)(x & 31);
        v->dt.month = (int)((x >> 5) & 15);
        v->dt.year = (int)(x >> 9);
        v->zero = !v->dt.year || !v->dt.month || !v->dt.day;
        return 0;
    }
    case MB_T_TIME: {   /* pre-5.6 format: HHMMSS as a signed 3-byte integer */
        int64_t x = sign_extend(le(p, 3), 3);
        int64_t a = x < 0 ? -x : x;
        int64_t us = ((a / 10000) * 3600 + (a / 100 % 100) * 60 + a % 100) * 1000000;
        v->kind = MB_V_TIME;
        v->i = x < 0 ? -us : us;
        return 0;
    }
    case MB_T_TIME2:
        decode_time2(c, p, v);
        return 0;
    case MB_T_DATETIME:
        decode_datetime(p, v);
        return 0;
    case MB_T_DATETIME2:
        return decode_datetime2(c, p, v, err);
    case MB_T_TIMESTAMP:
        v->kind = MB_V_TIMESTAMP;
        v->i = (int64_t)le(p, 4);
        v->zero = v->i == 0;
        return 0;
    case MB_T_TIMESTAMP2:
        v->kind = MB_V_TIMESTAMP;
        v->i = (int64_t)be(p, 4);
        v->dt.usec = frac_us(p + 4, c->fsp);
        v->zero = v->i == 0 && v->dt.usec == 0;
        return 0;
    case MB_T_ENUM: case MB_T_SET:
        v->kind = MB_V_UINT;
        v->u = le(p, (unsigned)size);
        return 0;
    case MB_T_VARCHAR: case MB_T_VAR_STRING: case MB_T_STRING: {
        unsigned lb = c->max_len > 255 ? 2 : 1;
        v->kind = MB_V_STRING;
        v->s = p + lb;
        v->len = size - lb;
        return 0;
    }
    case MB_T_BLOB: case MB_T_TINY_BLOB: case MB_T_MEDIUM_BLOB: case MB_T_LONG_BLOB: case MB_T_GEOMETRY:
    case MB_T_JSON:
        v->kind = MB_V_STRING;
        v->s = p + c->len_bytes;
        v->len = size - c->len_bytes;
        return 0;
    default:
        return drom_err(err, DROM_EINVAL, "unsupported column type %u", c->type);
    }
}

int mb_row_decode(const struct mb_table *t, const struct mb_rows *r, bool after, size_t *off,
                  struct mb_value *vals, struct drom_error *err)
{
    if (t->ncols != r->ncols)
        return drom_err(err, DROM_EINVAL, "rows event has %zu columns but table map %s.%s has %zu",
                        r->ncols, t->db, t->table, t->ncols);
    const uint8_t *present = after && r->present_after ? r->present_after : r->present;
    struct rd rd = {.p = r->data, .len = r->len, .off = *off};
    const uint8_t *partial = NULL;   /* one bit per JSON column of the table: the value is a diff */
    if (after && r->partial) {
        uint64_t options = 0;
        if (get_lenenc(&rd, &options, "row value options", err))
            return -1;
        if (options & 1) {
            size_t njson = 0;
            for (size_t i = 0; i < t->ncols; i++)
                njson += t->cols[i].type == MB_T_JSON;
            if (need(&rd, (njson + 7) / 8, "partial JSON bitmap", err))
                return -1;
            partial = rd.p + rd.off;
            rd.off += (njson + 7) / 8;
        }
    }
    size_t npresent = 0;
    for (size_t i = 0; i < t->ncols; i++)
        npresent += (present[i / 8] >> (i % 8)) & 1;
    size_t nb = (npresent + 7) / 8;
    if (need(&rd, nb, "row null bitmap", err))
        return -1;
    const uint8_t *nulls = rd.p + rd.off;
    rd.off += nb;
    size_t k = 0, json = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        const struct mb_column *c = &t->cols[i];
        struct mb_value *v = &vals[i];
        v->kind = MB_V_ABSENT;
        v->zero = false;
        v->dt = (struct mb_datetime){0};
        bool diff = false;
        if (c->type == MB_T_JSON) {
            diff = partial && ((partial[json / 8] >> (json % 8)) & 1);
            json++;
        }
        if (!((present[i / 8] >> (i % 8)) & 1))
            continue;
        bool isnull = (nulls[k / 8] >> (k % 8)) & 1;
        k++;
        if (isnull) {
            v->kind = MB_V_NULL;
            continue;
        }
        size_t size = 0;
        const uint8_t *p = rd.p + rd.off;
        if (value_size(c, p, rd.len - rd.off, &size, err) ||
            need(&rd, size, c->name ? c->name : "column value", err) || decode_value(c, p, size, v, err)) {
            drom_err_prefix(err, "%s.%s column %s", t->db, t->table, c->name ? c->name : "?");
            return -1;
        }
        if (diff)
            v->kind = MB_V_JSON_DIFF;
        rd.off += size;
    }
    *off = rd.off;
    return 0;
}
