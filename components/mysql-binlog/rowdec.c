#include "components/mysql-binlog/rowdec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/xalloc.h"

/* A bounded cursor over untrusted bytes. */
struct rd {
    const uint8_t *p;
    size_t len, off;
};

static int need(struct rd *r, size_t n, const char *what, struct drom_error *err)
{
    if (n > r->len - r->off)
        return drom_err(err, DROM_EINVAL, "binlog event truncated: %s needs %zu bytes at offset %zu of %zu",
                        what, n, r->off, r->len);
    return 0;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static int get_le(struct rd *r, unsigned n, uint64_t *v, const char *what, struct drom_error *err)
{
    if (need(r, n, what, err))
        return -1;
    *v = le(r->p + r->off, n);
    r->off += n;
    return 0;
}

static int get_lenenc(struct rd *r, uint64_t *v, const char *what, struct drom_error *err)
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

static int get_lenenc_str(struct rd *r, char **out, const char *what, struct drom_error *err)
{
    uint64_t n;
    if (get_lenenc(r, &n, what, err) || need(r, n, what, err))
        return -1;
    *out = drom_xstrndup((const char *)r->p + r->off, (size_t)n);
    r->off += (size_t)n;
    return 0;
}

void mb_table_free(struct mb_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].def);
        for (size_t j = 0; j < t->cols[i].nvalues; j++)
            free(t->cols[i].values[j]);
        free(t->cols[i].values);
    }
    free(t->cols);
    free(t->pk);
    free(t->db);
    free(t->table);
    memset(t, 0, sizeof *t);
}

static bool is_numeric(const struct mb_column *c)
{
    switch (c->type) {
    case MB_T_TINY: case MB_T_SHORT: case MB_T_INT24: case MB_T_LONG: case MB_T_LONGLONG:
    case MB_T_FLOAT: case MB_T_DOUBLE: case MB_T_NEWDECIMAL: case MB_T_DECIMAL:
        return true;
    default:
        return false;
    }
}

/* Columns that carry a collation in COLUMN_CHARSET / DEFAULT_CHARSET. */
static bool is_character(const struct mb_column *c)
{
    switch (c->type) {
    case MB_T_STRING: case MB_T_VARCHAR: case MB_T_VAR_STRING: case MB_T_BLOB: case MB_T_TINY_BLOB:
    case MB_T_MEDIUM_BLOB: case MB_T_LONG_BLOB: case MB_T_GEOMETRY:
        return true;
    default:
        return false;
    }
}

static bool is_enum_set(const struct mb_column *c)
{
    return c->type == MB_T_ENUM || c->type == MB_T_SET;
}

bool mb_column_is_text(const struct mb_column *c)
{
    switch (c->type) {
    case MB_T_STRING: case MB_T_VARCHAR: case MB_T_VAR_STRING: case MB_T_BLOB: case MB_T_TINY_BLOB:
    case MB_T_MEDIUM_BLOB: case MB_T_LONG_BLOB:
        return c->collation != MB_COLLATION_BINARY;
    case MB_T_JSON: case MB_T_ENUM: case MB_T_SET:
        return true;
    default:
        return false;
    }
}

static int parse_meta(struct mb_column *c, struct rd *r, struct drom_error *err)
{
    uint64_t v;
    switch (c->type) {
    case MB_T_FLOAT: case MB_T_DOUBLE:
        if (get_le(r, 1, &v, "column metadata", err))
            return -1;
        c->meta = (uint16_t)v;
        c->len_bytes = (uint8_t)v;
        return 0;
    case MB_T_BLOB: case MB_T_TINY_BLOB: case MB_T_MEDIUM_BLOB: case MB_T_LONG_BLOB: case MB_T_GEOMETRY:
    case MB_T_JSON:
        if (get_le(r, 1, &v, "column metadata", err))
            return -1;
        if (v < 1 || v > 4)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: length prefix size %u", (unsigned)v);
        c->meta = (uint16_t)v;
        c->len_bytes = (uint8_t)v;
        return 0;
    case MB_T_VARCHAR: case MB_T_VAR_STRING:
        if (get_le(r, 2, &v, "column metadata", err))
            return -1;
        c->meta = (uint16_t)v;
        c->max_len = (uint32_t)v;
        return 0;
    case MB_T_STRING: case MB_T_ENUM: case MB_T_SET: {
        if (need(r, 2, "column metadata", err))
            return -1;
        uint8_t b0 = r->p[r->off], b1 = r->p[r->off + 1];
        r->off += 2;
        c->meta = (uint16_t)(b0 << 8 | b1);
        if ((b0 & 0x30) != 0x30) {
            /* CHAR longer than 255 bytes: two high bits of the length hide in the type byte. */
            c->type = (uint8_t)(b0 | 0x30);
            c->max_len = (uint32_t)b1 + ((uint32_t)((b0 & 0x30) ^ 0x30) << 4);
        } else {
            c->type = b0;
            c->max_len = b1;
        }
        if (c->type != MB_T_STRING && c->type != MB_T_ENUM && c->type != MB_T_SET)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: string real type %u", c->type);
        if (c->type == MB_T_ENUM && c->max_len != 1 && c->max_len != 2)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: ENUM pack length %u", c->max_len);
        if (c->type == MB_T_SET && (c->max_len < 1 || c->max_len > 8))
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: SET pack length %u", c->max_len);
        return 0;
    }
    case MB_T_NEWDECIMAL:
        if (need(r, 2, "column metadata", err))
            return -1;
        c->precision = r->p[r->off];
        c->scale = r->p[r->off + 1];
        r->off += 2;
        c->meta = (uint16_t)(c->precision << 8 | c->scale);
        if (c->precision < 1 || c->precision > 65 || c->scale > 30 || c->scale > c->precision)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: DECIMAL(%u,%u)", c->precision, c->scale);
        return 0;
    case MB_T_BIT:
        if (need(r, 2, "column metadata", err))
            return -1;
        c->nbits = (uint16_t)(r->p[r->off + 1] * 8 + r->p[r->off]);
        r->off += 2;
        c->meta = c->nbits;
        if (c->nbits < 1 || c->nbits > 64)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: BIT(%u)", c->nbits);
        return 0;
    case MB_T_TIME2: case MB_T_DATETIME2: case MB_T_TIMESTAMP2:
        if (get_le(r, 1, &v, "column metadata", err))
            return -1;
        if (v > 6)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: fractional precision %u", (unsigned)v);
        c->meta = (uint16_t)v;
        c->fsp = (uint8_t)v;
        return 0;
    case MB_T_TINY: case MB_T_SHORT: case MB_T_INT24: case MB_T_LONG: case MB_T_LONGLONG: case MB_T_DATE:
    case MB_T_NEWDATE: case MB_T_YEAR: case MB_T_TIME: case MB_T_DATETIME: case MB_T_TIMESTAMP: case MB_T_NULL:
        return 0;
    default:
        return drom_err(err, DROM_EINVAL, "binlog table map: unsupported column type %u", c->type);
    }
}

/* Optional metadata TLVs (binlog_row_metadata=MINIMAL/FULL). */
enum { OM_SIGNEDNESS = 1, OM_DEFAULT_CHARSET, OM_COLUMN_CHARSET, OM_COLUMN_NAME, OM_SET_STR_VALUE,
       OM_ENUM_STR_VALUE, OM_GEOMETRY_TYPE, OM_SIMPLE_PRIMARY_KEY, OM_PRIMARY_KEY_WITH_PREFIX,
       OM_ENUM_AND_SET_DEFAULT_CHARSET, OM_ENUM_AND_SET_COLUMN_CHARSET };

/* The idx-th column for which `pred` holds, or NULL. */
static struct mb_column *nth(struct mb_table *t, bool (*pred)(const struct mb_column *), uint64_t idx)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (pred(&t->cols[i]) && idx-- == 0)
            return &t->cols[i];
    return NULL;
}

static bool is_geometry(const struct mb_column *c) { return c->type == MB_T_GEOMETRY; }
static bool is_set(const struct mb_column *c) { return c->type == MB_T_SET; }
static bool is_enum(const struct mb_column *c) { return c->type == MB_T_ENUM; }

static int add_pk(struct mb_table *t, uint64_t idx, struct drom_error *err)
{
    if (idx >= t->ncols)
        return drom_err(err, DROM_EINVAL, "binlog table map malformed: primary key column %llu of %zu",
                        (unsigned long long)idx, t->ncols);
    if (t->cols[idx].pk)
        return drom_err(err, DROM_EINVAL, "binlog table map malformed: primary key column %llu twice",
                        (unsigned long long)idx);
    t->cols[idx].pk = true;
    t->pk = drom_xrealloc(t->pk, (t->npk + 1) * sizeof *t->pk);
    t->pk[t->npk++] = (uint32_t)idx;
    return 0;
}

static int parse_str_values(struct mb_table *t, struct rd *r, bool (*pred)(const struct mb_column *),
                            struct drom_error *err)
{
    for (uint64_t k = 0; r->off < r->len; k++) {
        struct mb_column *c = nth(t, pred, k);
        uint64_t n;
        if (!c)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: more ENUM/SET value lists than columns");
        if (get_lenenc(r, &n, "ENUM/SET values", err))
            return -1;
        if (n > r->len - r->off || n > 65535)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: %llu ENUM/SET values",
                            (unsigned long long)n);
        if (c->values)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: ENUM/SET values twice");
        c->values = drom_xcalloc(n ? n : 1, sizeof *c->values);
        for (uint64_t j = 0; j < n; j++) {
            if (get_lenenc_str(r, &c->values[j], "ENUM/SET value", err))
                return -1;
            c->nvalues++;
        }
    }
    return 0;
}

static int parse_charsets(struct mb_table *t, struct rd *r, bool (*pred)(const struct mb_column *),
                          bool with_default, struct drom_error *err)
{
    uint64_t v, idx;
    if (with_default) {
        if (get_lenenc(r, &v, "default charset", err))
            return -1;
        for (size_t i = 0; i < t->ncols; i++)
            if (pred(&t->cols[i]))
                t->cols[i].collation = (uint32_t)v;
        while (r->off < r->len) {
            if (get_lenenc(r, &idx, "charset exception", err) || get_lenenc(r, &v, "charset exception", err))
                return -1;
            struct mb_column *c = nth(t, pred, idx);
            if (!c)
                return drom_err(err, DROM_EINVAL, "binlog table map malformed: charset of column %llu",
                                (unsigned long long)idx);
            c->collation = (uint32_t)v;
        }
        return 0;
    }
    for (uint64_t k = 0; r->off < r->len; k++) {
        struct mb_column *c = nth(t, pred, k);
        if (!c)
            return drom_err(err, DROM_EINVAL, "binlog table map malformed: more charsets than columns");
        if (get_lenenc(r, &v, "column charset", err))
            return -1;
        c->collation = (uint32_t)v;
    }
    return 0;
}

static int parse_optional(struct mb_table *t, struct rd *r, struct drom_error *err)
{
    while (r->off < r->len) {
        uint64_t type, n;
        if (get_le(r, 1, &type, "optional metadata", err) || get_lenenc(r, &n, "optional metadata", err) ||
            need(r, n, "optional metadata", err))
            return -1;
        struct rd sub = {.p = r->p + r->off, .len = (size_t)n};
        r->off += (size_t)n;
        switch (type) {
        case OM_SIGNEDNESS: {
            size_t k = 0;
            t->has_signedness = true;
            for (size_t i = 0; i < t->ncols; i++) {
                if (!is_numeric(&t->cols[i]))
                    continue;
                if (k / 8 >= sub.len)
                    return drom_err(err, DROM_EINVAL, "binlog table map malformed: signedness bitmap too short");
                t->cols[i].is_unsigned = (sub.p[k / 8] >> (7 - k % 8)) & 1;
                k++;
            }
            break;
        }
        case OM_DEFAULT_CHARSET:
            if (parse_charsets(t, &sub, is_character, true, err))
                return -1;
            break;
        case OM_COLUMN_CHARSET:
            if (parse_charsets(t, &sub, is_character, false, err))
                return -1;
            break;
        case OM_ENUM_AND_SET_DEFAULT_CHARSET:
            if (parse_charsets(t, &sub, is_enum_set, true, err))
                return -1;
            break;
        case OM_ENUM_AND_SET_COLUMN_CHARSET:
            if (parse_charsets(t, &sub, is_enum_set, false, err))
                return -1;
            break;
        case OM_COLUMN_NAME:
            for (size_t i = 0; i < t->ncols; i++) {
                if (t->cols[i].name)
                    return drom_err(err, DROM_EINVAL, "binlog table map malformed: column names twice");
                if (get_lenenc_str(&sub, &t->cols[i].name, "column name", err))
                    return -1;
            }
            t->has_names = true;
            break;
        case OM_SET_STR_VALUE:
            if (parse_str_values(t, &sub, is_set, err))
                return -1;
            break;
        case OM_ENUM_STR_VALUE:
            if (parse_str_values(t, &sub, is_enum, err))
                return -1;
            break;
        case OM_GEOMETRY_TYPE:
            for (uint64_t k = 0; sub.off < sub.len; k++) {
                uint64_t g;
                struct mb_column *c = nth(t, is_geometry, k);
                if (!c)
                    return drom_err(err, DROM_EINVAL, "binlog table map malformed: more geometry types than columns");
                if (get_lenenc(&sub, &g, "geometry type", err))
                    return -1;
                c->geom_type = (uint8_t)(g > 255 ? 255 : g);
            }
            break;
        case OM_SIMPLE_PRIMARY_KEY:
            while (sub.off < sub.len) {
                uint64_t idx;
                if (get_lenenc(&sub, &idx, "primary key", err) || add_pk(t, idx, err))
                    return -1;
            }
            break;
        case OM_PRIMARY_KEY_WITH_PREFIX:
            while (sub.off < sub.len) {
                uint64_t idx, prefix;
                if (get_lenenc(&sub, &idx, "primary key", err) || get_lenenc(&sub, &prefix, "primary key", err) ||
                    add_pk(t, idx, err))
                    return -1;
            }
            break;
        default:
            break;   /* newer kinds (visibility, vector dimensions) do not change decoding */
        }
    }
    return 0;
}

int mb_table_parse(struct mb_table *t, const uint8_t *body, size_t len, unsigned table_id_len,
                   struct drom_error *err)
{
    struct rd r = {.p = body, .len = len};
    uint64_t v, n, metalen;
    memset(t, 0, sizeof *t);
    if (table_id_len != 4 && table_id_len != 6)
        table_id_len = 6;
    if (get_le(&r, table_id_len, &t->table_id, "table id", err) || get_le(&r, 2, &v, "flags", err))
        goto fail;
    t->flags = (uint16_t)v;
    if (get_le(&r, 1, &n, "schema name", err) || need(&r, n + 1, "schema name", err))
        goto fail;
    t->db = drom_xstrndup((const char *)r.p + r.off, (size_t)n);
    r.off += (size_t)n + 1;
    if (get_le(&r, 1, &n, "table name", err) || need(&r, n + 1, "table name", err))
        goto fail;
    t->table = drom_xstrndup((const char *)r.p + r.off, (size_t)n);
    r.off += (size_t)n + 1;
    if (get_lenenc(&r, &n, "column count", err))
        goto fail;
    if (n == 0 || n > 4096 || need(&r, n, "column types", err)) {
        if (n == 0 || n > 4096)
            drom_err(err, DROM_EINVAL, "binlog table map malformed: %llu columns", (unsigned long long)n);
        goto fail;
    }
    t->cols = drom_xcalloc((size_t)n, sizeof *t->cols);
    t->ncols = (size_t)n;
    for (size_t i = 0; i < t->ncols; i++)
        t->cols[i].type = r.p[r.off + i];
    r.off += t->ncols;
    if (get_lenenc(&r, &metalen, "column metadata", err) || need(&r, metalen, "column metadata", err))
        goto fail;
    struct rd meta = {.p = r.p + r.off, .len = (size_t)metalen};
    r.off += (size_t)metalen;
    for (size_t i = 0; i < t->ncols; i++)
        if (parse_meta(&t->cols[i], &meta, err)) {
            drom_err_prefix(err, "column %zu", i + 1);
            goto fail;
        }
    if (meta.off != meta.len) {
        drom_err(err, DROM_EINVAL, "binlog table map malformed: %zu metadata bytes left over", meta.len - meta.off);
        goto fail;
    }
    size_t nb = (t->ncols + 7) / 8;
    if (need(&r, nb, "null bitmap", err))
        goto fail;
    for (size_t i = 0; i < t->ncols; i++)
        t->cols[i].nullable = (r.p[r.off + i / 8] >> (i % 8)) & 1;
    r.off += nb;
    struct rd opt = {.p = r.p + r.off, .len = r.len - r.off};
    if (parse_optional(t, &opt, err))
        goto fail;
    return 0;
fail:
    mb_table_free(t);
    return -1;
}

int mb_rows_kind_of(unsigned event_type, enum mb_rows_kind *kind, bool *v2)
{
    *v2 = false;
    switch (event_type) {
    case 23: case 166: *kind = MB_ROWS_WRITE; return 0;
    case 24: case 167: *kind = MB_ROWS_UPDATE; return 0;
    case 25: case 168: *kind = MB_ROWS_DELETE; return 0;
    case 30: *kind = MB_ROWS_WRITE; *v2 = true; return 0;
    case 31: *kind = MB_ROWS_UPDATE; *v2 = true; return 0;
    case 32: *kind = MB_ROWS_DELETE; *v2 = true; return 0;
    case 39: *kind = MB_ROWS_UPDATE; *v2 = true; return 0;
    default: return -1;
    }
}

int mb_rows_parse(struct mb_rows *rows, unsigned event_type, const uint8_t *body, size_t len,
                  unsigned table_id_len, struct drom_error *err)
{
    struct rd r = {.p = body, .len = len};
    uint64_t v, n;
    bool v2;
    memset(rows, 0, sizeof *rows);
    if (mb_rows_kind_of(event_type, &rows->kind, &v2))
        return drom_err(err, DROM_EINVAL, "event type %u is not a rows event", event_type);
    if (table_id_len != 4 && table_id_len != 6)
        table_id_len = 6;
    if (get_le(&r, table_id_len, &rows->table_id, "table id", err) || get_le(&r, 2, &v, "flags", err))
        return -1;
    rows->flags = (uint16_t)v;
    rows->partial = event_type == 39;
    if (v2) {
        if (get_le(&r, 2, &v, "extra data", err))
            return -1;
        if (v < 2 || need(&r, v - 2, "extra data", err))
            return drom_err(err, DROM_EINVAL, "binlog rows event malformed: extra data length %u", (unsigned)v);
        r.off += (size_t)v - 2;
    }
    if (get_lenenc(&r, &n, "column count", err))
        return -1;
    if (n == 0 || n > 4096)
        return drom_err(err, DROM_EINVAL, "binlog rows event malformed: %llu columns", (unsigned long long)n);
    rows->ncols = (size_t)n;
    size_t nb = (rows->ncols + 7) / 8;
    if (need(&r, nb, "columns-present bitmap", err))
        return -1;
    rows->present = r.p + r.off;
    r.off += nb;
    if (rows->kind == MB_ROWS_UPDATE) {
        if (need(&r, nb, "columns-present bitmap", err))
            return -1;
        rows->present_after = r.p + r.off;
        r.off += nb;
    }
    rows->data = r.p + r.off;
    rows->len = r.len - r.off;
    return 0;
}

/* --- values --- */

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
    case MB_T_DATETIME: {   /* pre-5.6 format: YYYYMMDDhhmmss as an 8-byte integer */
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
        return 0;
    }
    case MB_T_DATETIME2: {
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
        uint64_t options;
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
