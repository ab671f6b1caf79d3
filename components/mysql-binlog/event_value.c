/* Column values as Debezium writes them: text in its character set, times
 * in the precision mode's unit, geometries, JSON, UUIDs. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json_int.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/xalloc.h"

/* --- values --- */

static bool is_latin1(uint32_t coll)
{
    switch (coll) {
    case 5: case 8: case 15: case 31: case 47: case 48: case 49: case 94:
        return true;
    default:
        return false;
    }
}

/* latin1 is Windows-1252 in MySQL, as in Debezium's Java charset mapping. */
static const uint16_t cp1252_80[32] = {
    0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
    0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
    0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178};

static void put_text(struct drom_buf *o, const struct mb_column *c, const uint8_t *s, size_t len)
{
    if (!is_latin1(c->collation)) {
        struct drom_buf u = DROM_BUF_INIT;
        if (c->charset[0] && mb_charset_to_utf8(&u, c->charset, s, len))
            mb_json_string(o, u.data ? u.data : "", u.len);
        else
            mb_json_string(o, s, len);
        drom_buf_free(&u);
        return;
    }
    struct drom_buf u = DROM_BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        uint32_t cp = s[i] >= 0x80 && s[i] < 0xa0 ? cp1252_80[s[i] - 0x80] : s[i];
        char e[3];
        if (cp < 0x80)
            drom_buf_putc(&u, (char)cp);
        else if (cp < 0x800) {
            e[0] = (char)(0xc0 | cp >> 6), e[1] = (char)(0x80 | (cp & 63));
            drom_buf_append(&u, e, 2);
        } else {
            e[0] = (char)(0xe0 | cp >> 12), e[1] = (char)(0x80 | ((cp >> 6) & 63)), e[2] = (char)(0x80 | (cp & 63));
            drom_buf_append(&u, e, 3);
        }
    }
    mb_json_string(o, u.data ? u.data : "", u.len);
    drom_buf_free(&u);
}

/* MariaDB's UUID: the binlog holds the record form, in which a UUID of
 * version 1-5 has its five groups stored in reverse order (index-friendly);
 * the snapshot reads the text. */
static void put_uuid(struct drom_buf *o, const uint8_t *s, size_t len)
{
    if (len > 16) {
        mb_json_string(o, s, len);
        return;
    }
    /* a fixed-size binary column: the binlog drops its trailing zero bytes */
    uint8_t r[16] = {0};
    memcpy(r, s, len);
    s = r;
    static const struct { unsigned mem, rec, len; } seg[] = {{0, 12, 4}, {4, 10, 2}, {6, 8, 2}, {8, 6, 2}, {10, 0, 6}};
    uint8_t u[16];
    bool swapped = ((int8_t)s[6] & -(int)(int8_t)s[8] & 0x80) != 0;
    for (size_t i = 0; i < 5; i++)
        memcpy(u + seg[i].mem, s + (swapped ? seg[i].rec : seg[i].mem), seg[i].len);
    drom_buf_putc(o, '"');
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            drom_buf_putc(o, '-');
        drom_buf_printf(o, "%02x", u[i]);
    }
    drom_buf_putc(o, '"');
}

/* Debezium's enable.time.adjuster (on by default): a year written with two
 * digits ('0018-04-01') is read as 2018, 70-99 as 19xx. */
static int adjust_year(int y)
{
    return y < 70 ? y + 2000 : y < 100 ? y + 1900 : y;
}

static int64_t datetime_us(const struct mb_datetime *dt)
{
    int64_t days = mb_days_from_civil(adjust_year(dt->year), (unsigned)dt->month, (unsigned)dt->day);
    return ((days * 86400 + dt->hour * 3600 + dt->minute * 60 + dt->second) * 1000000) + dt->usec;
}

int64_t mb_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void put_zoned(struct drom_buf *o, int64_t sec, int32_t usec, unsigned fsp)
{
    int64_t days = mb_floor_div(sec, 86400), rem = sec - days * 86400;
    /* civil from days */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    drom_buf_printf(o, "\"%04" PRId64 "-%02u-%02uT%02d:%02d:%02d", y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
                    (int)(rem % 60));
    if (fsp) {
        char frac[8];
        snprintf(frac, sizeof frac, "%06d", usec);
        frac[fsp] = '\0';
        drom_buf_printf(o, ".%s", frac);
    }
    drom_buf_puts(o, "Z\"");
}

static void put_geometry(struct drom_buf *o, const struct mb_format *f, bool point, const uint8_t *s, size_t len)
{
    uint32_t srid = 0;
    const uint8_t *wkb = s;
    size_t wlen = len;
    if (len >= 4) {
        srid = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
        wkb += 4;
        wlen -= 4;
    }
    drom_buf_putc(o, '{');
    if (point) {
        double x = 0, y = 0;
        if (wlen >= 21) {
            bool little = wkb[0] == 1;
            uint8_t b[8];
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < 8; i++)
                    b[i] = little ? wkb[5 + 8 * k + i] : wkb[5 + 8 * k + 7 - i];
                memcpy(k ? &y : &x, b, 8);
            }
        }
        drom_buf_puts(o, "\"x\":");
        mb_json_double(o, x, false);
        drom_buf_puts(o, ",\"y\":");
        mb_json_double(o, y, false);
        drom_buf_putc(o, ',');
    }
    drom_buf_puts(o, "\"wkb\":\"");
    mb_base64(o, wkb, wlen, false);
    drom_buf_puts(o, "\",\"srid\":");
    if (srid)
        drom_buf_printf(o, "%" PRIu32, srid);
    else
        drom_buf_puts(o, "null");
    drom_buf_putc(o, '}');
}

/* Zero dates: null when the column allows it, else the column default or the epoch (Debezium's fallback). */
static void put_zero_date(struct drom_buf *o, const struct col *k)
{
    if (k->c->nullable)
        drom_buf_puts(o, "null");
    else if (k->default_json)
        drom_buf_puts(o, k->default_json);
    else if (k->conv == C_ZONED)
        drom_buf_puts(o, "\"1970-01-01T00:00:00Z\"");
    else
        drom_buf_puts(o, "0");
}

static void put_binary(struct drom_buf *o, const struct mb_format *f, const struct mb_column *c,
                       const struct mb_value *v)
{
    if (c->type == MB_T_STRING && v->len < c->max_len) {
        /* BINARY(n): the binlog strips trailing zero bytes */
        uint8_t *pad = drom_xcalloc(c->max_len, 1);
        memcpy(pad, v->s, v->len);
        mb_put_bytes(o, f->binary, pad, c->max_len);
        free(pad);
    } else {
        mb_put_bytes(o, f->binary, v->s, v->len);
    }
}

static void put_enum(struct drom_buf *o, const struct mb_column *c, const struct mb_value *v)
{
    if (v->kind == MB_V_STRING) {   /* the snapshot's text */
        mb_json_string(o, v->s, v->len);
    } else if (v->u >= 1 && v->u <= c->nvalues) {
        /* the binlog's index: Debezium's streaming takes the member from its "allowed" list, commas escaped */
        struct drom_buf t = DROM_BUF_INIT;
        for (const char *p = c->values[v->u - 1]; *p; p++) {
            if (*p == ',')
                drom_buf_putc(&t, '\\');
            drom_buf_putc(&t, *p);
        }
        mb_json_string(o, t.data ? t.data : "", t.len);
        drom_buf_free(&t);
    } else {
        drom_buf_puts(o, "\"\"");
    }
}

static void put_set(struct drom_buf *o, const struct mb_column *c, const struct mb_value *v)
{
    struct drom_buf t = DROM_BUF_INIT;
    for (size_t i = 0; i < c->nvalues && i < 64; i++)
        if (v->u >> i & 1) {
            if (t.len)
                drom_buf_putc(&t, ',');
            drom_buf_puts(&t, c->values[i]);
        }
    mb_json_string(o, t.data ? t.data : "", t.len);
    drom_buf_free(&t);
}

void mb_put_value(struct drom_buf *o, const struct mb_format *f, const struct col *k, const struct mb_value *v)
{
    const struct mb_column *c = k->c;
    if (v->kind == MB_V_NULL || v->kind == MB_V_ABSENT) {
        drom_buf_puts(o, "null");
        return;
    }
    if (v->zero) {
        put_zero_date(o, k);
        return;
    }
    switch (k->conv) {
    case C_INT:
        if (v->kind == MB_V_UINT)
            drom_buf_put_u64(o, v->u);
        else
            drom_buf_put_i64(o, v->i);
        return;
    case C_UINT_LONG:
        drom_buf_put_i64(o, (int64_t)v->u);
        return;
    case C_UINT_DECIMAL: {
        char t[24];
        snprintf(t, sizeof t, "%" PRIu64, v->u);
        mb_put_decimal_bytes(o, t);
        return;
    }
    case C_FLOAT32:
        mb_json_double(o, v->d, true);
        return;
    case C_FLOAT64:
        mb_json_double(o, v->d, false);
        return;
    case C_DEC_BYTES:
        mb_put_decimal_bytes(o, v->dec);
        return;
    case C_DEC_DOUBLE:
        mb_json_double(o, strtod(v->dec, NULL), false);
        return;
    case C_DEC_STRING:
        mb_json_string(o, v->dec, strlen(v->dec));
        return;
    case C_BOOL:
        drom_buf_puts(o, v->u ? "true" : "false");
        return;
    case C_BITS: {
        uint8_t b[8];
        unsigned n = (c->nbits + 7u) / 8;
        for (unsigned i = 0; i < n; i++)
            b[i] = (uint8_t)(v->u >> (8 * i));
        drom_buf_putc(o, '"');
        mb_base64(o, b, n, false);
        drom_buf_putc(o, '"');
        return;
    }
    case C_TEXT:
        put_text(o, c, v->s, v->len);
        return;
    case C_JSON:
        /* the stream turns binary JSON into text (MB_V_JSON_TEXT) before it gets here */
        mb_json_string(o, v->s, v->len);
        return;
    case C_UUID:
        put_uuid(o, v->s, v->len);
        return;
    case C_BINARY:
        put_binary(o, f, c, v);
        return;
    case C_DATE:
        drom_buf_put_i64(o, mb_days_from_civil(adjust_year(v->dt.year), (unsigned)v->dt.month, (unsigned)v->dt.day));
        return;
    case C_TIME_US:
        drom_buf_put_i64(o, v->i);
        return;
    case C_TIME_MS:
        drom_buf_put_i64(o, mb_floor_div(v->i, 1000));
        return;
    case C_DATETIME_MS:
        drom_buf_put_i64(o, mb_floor_div(datetime_us(&v->dt), 1000));
        return;
    case C_DATETIME_US:
        drom_buf_put_i64(o, datetime_us(&v->dt));
        return;
    case C_ZONED:
        put_zoned(o, v->i, v->dt.usec, c->fsp);
        return;
    case C_YEAR:
        drom_buf_put_i64(o, v->i ? v->i : 1900);   /* Debezium's reading of 0000 */
        return;
    case C_ENUM:
        put_enum(o, c, v);
        return;
    case C_SET:
        put_set(o, c, v);
        return;
    case C_GEOMETRY: case C_POINT:
        put_geometry(o, f, k->conv == C_POINT, v->s, v->len);
        return;
    }
}
