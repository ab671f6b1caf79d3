#include "components/mysql-binlog/rowdec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/rowdec_rd.h"
#include "runtime/xalloc.h"

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
        t->cols[i].length = t->cols[i].src_scale = -1;   /* until information_schema says */
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
