#include "components/mysql-binlog/event_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_text.h"
#include "runtime/xalloc.h"

/* How one column is written: decided once per table map. */
enum conv {
    C_INT, C_UINT_LONG, C_UINT_DECIMAL, C_FLOAT32, C_FLOAT64, C_DEC_BYTES, C_DEC_DOUBLE, C_DEC_STRING,
    C_BOOL, C_BITS, C_TEXT, C_BINARY, C_DATE, C_TIME_US, C_TIME_MS, C_DATETIME_MS, C_DATETIME_US,
    C_ZONED, C_YEAR, C_ENUM, C_SET, C_GEOMETRY, C_POINT, C_JSON, C_UUID,
};

struct col {
    const struct mb_column *c;
    enum conv conv;
    char *json_name;       /* the quoted, escaped field name */
    char *default_json;    /* the column default as a value, NULL when the schema has none */
};

struct mb_schema {
    const struct mb_format *f;
    const struct mb_table *t;
    char *topic;
    size_t ncols;
    struct col *cols;      /* every table column; kept ones have keep[i] */
    bool *keep;
    char *key_schema;      /* {"type":"struct",...,"name":"p.db.t.Key"}, NULL without PK */
    char *env_schema;      /* the whole envelope schema */
    char *source_name;
};

/* --- scalars --- */

static const char hexdig[] = "0123456789abcdef";

void mb_json_string(struct drom_buf *out, const void *data, size_t len)
{
    const uint8_t *s = data;
    drom_buf_putc(out, '"');
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            switch (c) {
            case '"': drom_buf_puts(out, "\\\""); break;
            case '\\': drom_buf_puts(out, "\\\\"); break;
            case '\b': drom_buf_puts(out, "\\b"); break;
            case '\f': drom_buf_puts(out, "\\f"); break;
            case '\n': drom_buf_puts(out, "\\n"); break;
            case '\r': drom_buf_puts(out, "\\r"); break;
            case '\t': drom_buf_puts(out, "\\t"); break;
            default:
                if (c < 0x20) {
                    char e[7] = {'\\', 'u', '0', '0', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15], 0};
                    drom_buf_puts(out, e);
                } else
                    drom_buf_putc(out, (char)c);
            }
            i++;
            continue;
        }
        /* Valid UTF-8 passes through; anything else becomes U+FFFD as Java's decoder does. */
        size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
        bool ok = n && i + n <= len;
        for (size_t k = 1; ok && k < n; k++)
            ok = (s[i + k] & 0xc0) == 0x80;
        if (ok && n == 3) {
            uint32_t cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6;
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        }
        if (ok && n == 4) {
            uint32_t cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3f) << 12;
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (ok) {
            drom_buf_append(out, s + i, n);
            i += n;
        } else {
            drom_buf_puts(out, "\xef\xbf\xbd");
            i++;
        }
    }
    drom_buf_putc(out, '"');
}

static void put_cstr(struct drom_buf *out, const char *s)
{
    if (s)
        mb_json_string(out, s, strlen(s));
    else
        drom_buf_puts(out, "null");
}

void mb_base64(struct drom_buf *out, const void *data, size_t len, bool url)
{
    const char *tab = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *p = data;
    char q[4];
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        q[0] = tab[v >> 18], q[1] = tab[(v >> 12) & 63], q[2] = tab[(v >> 6) & 63], q[3] = tab[v & 63];
        drom_buf_append(out, q, 4);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        q[0] = tab[v >> 18], q[1] = tab[(v >> 12) & 63], q[2] = '=', q[3] = '=';
        drom_buf_append(out, q, 4);
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        q[0] = tab[v >> 18], q[1] = tab[(v >> 12) & 63], q[2] = tab[(v >> 6) & 63], q[3] = '=';
        drom_buf_append(out, q, 4);
    }
}

static void put_bytes(struct drom_buf *out, enum mb_binary_mode mode, const void *data, size_t len)
{
    drom_buf_putc(out, '"');
    if (mode == MB_BIN_HEX) {
        const uint8_t *p = data;
        for (size_t i = 0; i < len; i++) {
            char h[2] = {hexdig[p[i] >> 4], hexdig[p[i] & 15]};
            drom_buf_append(out, h, 2);
        }
    } else
        mb_base64(out, data, len, mode == MB_BIN_BASE64_URL);
    drom_buf_putc(out, '"');
}

void mb_json_double(struct drom_buf *out, double d, bool is_float)
{
    if (d == 0) {
        drom_buf_puts(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    if (!isfinite(d)) {   /* not storable in MySQL; keep the JSON valid */
        drom_buf_puts(out, "null");
        return;
    }
    /* Shortest digits that read back as the same value, as Java (JDK 19+) prints. */
    char tmp[40];
    int maxp = is_float ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *q = tmp;
    bool neg = *q == '-';
    if (neg)
        q++;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int e = atoi(q + 1);
    if (neg)
        drom_buf_putc(out, '-');
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                drom_buf_putc(out, (size_t)i < nd ? digits[i] : '0');
            drom_buf_putc(out, '.');
            if ((size_t)e + 1 < nd)
                drom_buf_append(out, digits + e + 1, nd - (size_t)e - 1);
            else
                drom_buf_putc(out, '0');
        } else {
            drom_buf_puts(out, "0.");
            for (int i = 0; i < -e - 1; i++)
                drom_buf_putc(out, '0');
            drom_buf_append(out, digits, nd);
        }
    } else {
        drom_buf_putc(out, digits[0]);
        drom_buf_putc(out, '.');
        if (nd > 1)
            drom_buf_append(out, digits + 1, nd - 1);
        else
            drom_buf_putc(out, '0');
        drom_buf_printf(out, "E%d", e);
    }
}

int64_t mb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Kafka Connect Decimal: the unscaled value as big-endian two's complement
 * in the fewest bytes (Java's BigInteger.toByteArray), base64. */
static void put_decimal_bytes(struct drom_buf *out, const char *text)
{
    uint8_t mag[40] = {0};
    size_t n = 0;   /* bytes used, little-endian in mag */
    bool neg = *text == '-';
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            continue;
        unsigned carry = (unsigned)(*p - '0');
        for (size_t i = 0; i < n; i++) {
            unsigned v = mag[i] * 10u + carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry && n < sizeof mag)
            mag[n++] = (uint8_t)carry;
    }
    uint8_t be[41];
    size_t len;
    if (n == 0) {
        be[0] = 0;
        len = 1;
    } else if (!neg) {
        len = 0;
        if (mag[n - 1] & 0x80)
            be[len++] = 0;
        for (size_t i = n; i-- > 0;)
            be[len++] = mag[i];
    } else {
        /* two's complement of the magnitude in n bytes */
        uint8_t tc[40];
        unsigned carry = 1;
        for (size_t i = 0; i < n; i++) {
            unsigned v = (uint8_t)~mag[i] + carry;
            tc[i] = (uint8_t)v;
            carry = v >> 8;
        }
        len = 0;
        if (!(tc[n - 1] & 0x80))
            be[len++] = 0xff;
        for (size_t i = n; i-- > 0;)
            be[len++] = tc[i];
    }
    drom_buf_putc(out, '"');
    mb_base64(out, be, len, false);
    drom_buf_putc(out, '"');
}

/* --- schema --- */

static const char *SNAPSHOT_ALLOWED = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";

static enum conv conv_of(const struct mb_format *f, const struct mb_column *c)
{
    if (c->uuid)
        return C_UUID;
    switch (c->type) {
    case MB_T_TINY: case MB_T_SHORT: case MB_T_INT24: case MB_T_LONG:
        return C_INT;
    case MB_T_LONGLONG:
        return !c->is_unsigned ? C_INT : f->bigint_precise ? C_UINT_DECIMAL : C_UINT_LONG;
    case MB_T_FLOAT:
        return c->float_double ? C_FLOAT64 : C_FLOAT32;
    case MB_T_DOUBLE:
        return C_FLOAT64;
    case MB_T_NEWDECIMAL: case MB_T_DECIMAL:
        return f->decimal == MB_DEC_PRECISE ? C_DEC_BYTES : f->decimal == MB_DEC_DOUBLE ? C_DEC_DOUBLE : C_DEC_STRING;
    case MB_T_BIT:
        return c->nbits == 1 ? C_BOOL : C_BITS;
    case MB_T_DATE: case MB_T_NEWDATE:
        return C_DATE;
    case MB_T_TIME: case MB_T_TIME2:
        return f->time_connect ? C_TIME_MS : C_TIME_US;
    case MB_T_DATETIME: case MB_T_DATETIME2:
        return f->time_connect || c->fsp <= 3 ? C_DATETIME_MS : C_DATETIME_US;
    case MB_T_TIMESTAMP: case MB_T_TIMESTAMP2:
        return C_ZONED;
    case MB_T_YEAR:
        return C_YEAR;
    case MB_T_ENUM:
        return C_ENUM;
    case MB_T_SET:
        return C_SET;
    case MB_T_GEOMETRY:
        return c->geom_type == 1 ? C_POINT : C_GEOMETRY;
    case MB_T_JSON:
        return C_JSON;
    default:
        return mb_column_is_text(c) ? C_TEXT : C_BINARY;
    }
}

/* Debezium's "allowed" list: a comma inside a value is escaped so the list still splits right. */
static void put_joined(struct drom_buf *out, char **v, size_t n)
{
    struct drom_buf tmp = DROM_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            drom_buf_putc(&tmp, ',');
        for (const char *p = v[i]; *p; p++) {
            if (*p == ',')
                drom_buf_putc(&tmp, '\\');
            drom_buf_putc(&tmp, *p);
        }
    }
    mb_json_string(out, tmp.data ? tmp.data : "", tmp.len);
    drom_buf_free(&tmp);
}

/* One field's schema: type, [fields], optional, [name, version, doc, parameters], field. */
static void put_field_schema(struct drom_buf *o, const struct mb_format *f, const struct col *k)
{
    const struct mb_column *c = k->c;
    const char *opt = c->nullable ? "true" : "false";
    switch (k->conv) {
    case C_INT: {
        /* TINYINT is int16 signed or not (Debezium's JdbcValueConverters), never int8 */
        const char *t = "int32";
        if (c->type == MB_T_TINY)
            t = "int16";
        else if (c->type == MB_T_SHORT)
            t = c->is_unsigned ? "int32" : "int16";
        else if (c->type == MB_T_LONG)
            t = c->is_unsigned ? "int64" : "int32";
        else if (c->type == MB_T_LONGLONG)
            t = "int64";
        drom_buf_printf(o, "{\"type\":\"%s\",\"optional\":%s", t, opt);
        break;
    }
    case C_UINT_LONG:
        drom_buf_printf(o, "{\"type\":\"int64\",\"optional\":%s", opt);
        break;
    case C_UINT_DECIMAL:
        drom_buf_printf(o, "{\"type\":\"bytes\",\"optional\":%s,\"name\":\"org.apache.kafka.connect.data.Decimal\","
                           "\"version\":1,\"parameters\":{\"scale\":\"0\",\"connect.decimal.precision\":\"20\"}", opt);
        break;
    case C_FLOAT32:
        drom_buf_printf(o, "{\"type\":\"float\",\"optional\":%s", opt);
        break;
    case C_FLOAT64: case C_DEC_DOUBLE:
        drom_buf_printf(o, "{\"type\":\"double\",\"optional\":%s", opt);
        break;
    case C_DEC_BYTES:
        drom_buf_printf(o, "{\"type\":\"bytes\",\"optional\":%s,\"name\":\"org.apache.kafka.connect.data.Decimal\","
                           "\"version\":1,\"parameters\":{\"scale\":\"%u\",\"connect.decimal.precision\":\"%u\"}",
                        opt, c->scale, c->precision);
        break;
    case C_DEC_STRING: case C_TEXT:
        drom_buf_printf(o, "{\"type\":\"string\",\"optional\":%s", opt);
        break;
    case C_JSON:
        drom_buf_printf(o, "{\"type\":\"string\",\"optional\":%s,\"name\":\"io.debezium.data.Json\",\"version\":1", opt);
        break;
    case C_UUID:
        drom_buf_printf(o, "{\"type\":\"string\",\"optional\":%s,\"name\":\"io.debezium.data.Uuid\",\"version\":1", opt);
        break;
    case C_BOOL:
        drom_buf_printf(o, "{\"type\":\"boolean\",\"optional\":%s", opt);
        break;
    case C_BITS:
        drom_buf_printf(o, "{\"type\":\"bytes\",\"optional\":%s,\"name\":\"io.debezium.data.Bits\",\"version\":1,"
                           "\"parameters\":{\"length\":\"%u\"}", opt, c->nbits);
        break;
    case C_BINARY:
        drom_buf_printf(o, "{\"type\":\"%s\",\"optional\":%s", f->binary == MB_BIN_BYTES ? "bytes" : "string", opt);
        break;
    case C_DATE:
        drom_buf_printf(o, "{\"type\":\"int32\",\"optional\":%s,\"name\":\"%s\",\"version\":1", opt,
                        f->time_connect ? "org.apache.kafka.connect.data.Date" : "io.debezium.time.Date");
        break;
    case C_TIME_US:
        drom_buf_printf(o, "{\"type\":\"int64\",\"optional\":%s,\"name\":\"io.debezium.time.MicroTime\",\"version\":1", opt);
        break;
    case C_TIME_MS:
        drom_buf_printf(o, "{\"type\":\"int32\",\"optional\":%s,\"name\":\"org.apache.kafka.connect.data.Time\",\"version\":1", opt);
        break;
    case C_DATETIME_MS:
        drom_buf_printf(o, "{\"type\":\"int64\",\"optional\":%s,\"name\":\"%s\",\"version\":1", opt,
                        f->time_connect ? "org.apache.kafka.connect.data.Timestamp" : "io.debezium.time.Timestamp");
        break;
    case C_DATETIME_US:
        drom_buf_printf(o, "{\"type\":\"int64\",\"optional\":%s,\"name\":\"io.debezium.time.MicroTimestamp\",\"version\":1", opt);
        break;
    case C_ZONED:
        drom_buf_printf(o, "{\"type\":\"string\",\"optional\":%s,\"name\":\"io.debezium.time.ZonedTimestamp\",\"version\":1", opt);
        break;
    case C_YEAR:
        drom_buf_printf(o, "{\"type\":\"int32\",\"optional\":%s,\"name\":\"io.debezium.time.Year\",\"version\":1", opt);
        break;
    case C_ENUM: case C_SET:
        drom_buf_printf(o, "{\"type\":\"string\",\"optional\":%s,\"name\":\"io.debezium.data.%s\",\"version\":1,"
                           "\"parameters\":{\"allowed\":", opt, k->conv == C_ENUM ? "Enum" : "EnumSet");
        put_joined(o, c->values, c->nvalues);
        drom_buf_putc(o, '}');
        break;
    case C_GEOMETRY:
        drom_buf_puts(o, "{\"type\":\"struct\",\"fields\":[{\"type\":\"bytes\",\"optional\":false,\"field\":\"wkb\"},"
                         "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}],\"optional\":true,"
                         "\"name\":\"io.debezium.data.geometry.Geometry\",\"version\":1,\"doc\":\"Geometry\"");
        break;
    case C_POINT:
        drom_buf_puts(o, "{\"type\":\"struct\",\"fields\":[{\"type\":\"double\",\"optional\":false,\"field\":\"x\"},"
                         "{\"type\":\"double\",\"optional\":false,\"field\":\"y\"},"
                         "{\"type\":\"bytes\",\"optional\":true,\"field\":\"wkb\"},"
                         "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}],\"optional\":true,"
                         "\"name\":\"io.debezium.data.geometry.Point\",\"version\":1,\"doc\":\"Geometry (POINT)\"");
        break;
    }
    if (k->default_json)
        drom_buf_printf(o, ",\"default\":%s", k->default_json);
    drom_buf_printf(o, ",\"field\":%s}", k->json_name);
}

static void put_row_schema(struct drom_buf *o, const struct mb_schema *s, const char *suffix, bool key,
                           const char *field)
{
    drom_buf_puts(o, "{\"type\":\"struct\",\"fields\":[");
    bool first = true;
    if (key) {
        for (size_t i = 0; i < s->t->npk; i++) {
            if (!first)
                drom_buf_putc(o, ',');
            first = false;
            put_field_schema(o, s->f, &s->cols[s->t->pk[i]]);
        }
    } else {
        for (size_t i = 0; i < s->ncols; i++) {
            if (!s->keep[i])
                continue;
            if (!first)
                drom_buf_putc(o, ',');
            first = false;
            put_field_schema(o, s->f, &s->cols[i]);
        }
    }
    drom_buf_printf(o, "],\"optional\":%s,\"name\":", key ? "false" : "true");
    struct drom_buf name = DROM_BUF_INIT;
    drom_buf_printf(&name, "%s.%s", s->topic, suffix);   /* Debezium names schemas after the topic */
    mb_json_string(o, name.data, name.len);
    drom_buf_free(&name);
    if (field)
        drom_buf_printf(o, ",\"field\":\"%s\"", field);
    drom_buf_putc(o, '}');
}

static void put_source_schema(struct drom_buf *o, const struct mb_schema *s)
{
    drom_buf_puts(o, "{\"type\":\"struct\",\"fields\":["
                     "{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"
                     "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"
                     "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
                     "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"
                     "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
                     "\"parameters\":{\"allowed\":\"");
    drom_buf_puts(o, SNAPSHOT_ALLOWED);
    drom_buf_puts(o, "\"},\"default\":\"false\",\"field\":\"snapshot\"},"
                     "{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
                     "{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},"
                     "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
                     "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"},"
                     "{\"type\":\"string\",\"optional\":true,\"field\":\"table\"},"
                     "{\"type\":\"int64\",\"optional\":false,\"field\":\"server_id\"},"
                     "{\"type\":\"string\",\"optional\":true,\"field\":\"gtid\"},"
                     "{\"type\":\"string\",\"optional\":false,\"field\":\"file\"},"
                     "{\"type\":\"int64\",\"optional\":false,\"field\":\"pos\"},"
                     "{\"type\":\"int32\",\"optional\":false,\"field\":\"row\"},"
                     "{\"type\":\"int64\",\"optional\":true,\"field\":\"thread\"},"
                     "{\"type\":\"string\",\"optional\":true,\"field\":\"query\"}],"
                     "\"optional\":false,\"name\":\"");
    drom_buf_puts(o, s->source_name);
    drom_buf_puts(o, "\",\"version\":1,\"field\":\"source\"}");
}

static void put_value(struct drom_buf *o, const struct mb_format *f, const struct col *k, const struct mb_value *v);

/* Connect writes a default in the field schema, converted like a value. */
static char *default_json(const struct mb_format *f, const struct col *k)
{
    struct drom_buf text = DROM_BUF_INIT, out = DROM_BUF_INIT;
    struct mb_value v;
    if (mb_default_value(k->c, k->c->def, &text, &v))
        put_value(&out, f, k, &v);
    drom_buf_free(&text);
    return out.data;
}

struct mb_schema *mb_schema_new(const struct mb_format *f, const struct mb_table *t, const bool *keep)
{
    struct mb_schema *s = drom_xcalloc(1, sizeof *s);
    s->f = f;
    s->t = t;
    s->ncols = t->ncols;
    s->cols = drom_xcalloc(t->ncols, sizeof *s->cols);
    s->keep = drom_xcalloc(t->ncols, sizeof *s->keep);
    for (size_t i = 0; i < t->ncols; i++) {
        struct drom_buf nb = DROM_BUF_INIT;
        char fallback[32];
        const char *name = t->cols[i].name;
        if (!name) {
            snprintf(fallback, sizeof fallback, "col%zu", i + 1);
            name = fallback;
        }
        mb_json_string(&nb, name, strlen(name));
        s->cols[i] = (struct col){.c = &t->cols[i], .conv = conv_of(f, &t->cols[i]), .json_name = drom_buf_detach(&nb)};
        s->cols[i].default_json = default_json(f, &s->cols[i]);
        s->keep[i] = !keep || keep[i] || t->cols[i].pk;
    }
    struct drom_buf raw = DROM_BUF_INIT, b = DROM_BUF_INIT;
    drom_buf_printf(&raw, "%s.%s.%s", f->prefix, t->db, t->table);
    /* Debezium replaces each Java char Kafka refuses: one '_' per character
     * (two for one outside the BMP, a surrogate pair), not one per byte */
    for (const unsigned char *p = (const unsigned char *)raw.data; *p;) {
        unsigned char ch = *p;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
            ch == '_' || ch == '-') {
            drom_buf_putc(&b, (char)ch);
            p++;
            continue;
        }
        size_t n = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 1;
        drom_buf_puts(&b, n == 4 ? "__" : "_");
        for (size_t k = 0; k < n && *p; k++)
            p++;
    }
    drom_buf_free(&raw);
    s->topic = drom_buf_detach(&b);
    s->source_name = drom_xstrdup(f->mariadb ? "io.debezium.connector.mariadb.Source" : "io.debezium.connector.mysql.Source");
    if (t->npk) {
        put_row_schema(&b, s, "Key", true, NULL);
        s->key_schema = drom_buf_detach(&b);
    }
    drom_buf_puts(&b, "{\"type\":\"struct\",\"fields\":[");
    put_row_schema(&b, s, "Value", false, "before");
    drom_buf_putc(&b, ',');
    put_row_schema(&b, s, "Value", false, "after");
    drom_buf_putc(&b, ',');
    put_source_schema(&b, s);
    drom_buf_puts(&b, ",{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
                      "{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"},"
                      "{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],"
                      "\"optional\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"},"
                      "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
                      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},"
                      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
                      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}],\"optional\":false,\"name\":");
    struct drom_buf name = DROM_BUF_INIT;
    drom_buf_printf(&name, "%s.Envelope", s->topic);
    mb_json_string(&b, name.data, name.len);
    drom_buf_free(&name);
    drom_buf_puts(&b, ",\"version\":2}");
    s->env_schema = drom_buf_detach(&b);
    return s;
}

void mb_schema_free(struct mb_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ncols; i++) {
        free(s->cols[i].json_name);
        free(s->cols[i].default_json);
    }
    free(s->cols);
    free(s->keep);
    free(s->topic);
    free(s->key_schema);
    free(s->env_schema);
    free(s->source_name);
    free(s);
}

const char *mb_schema_topic(const struct mb_schema *s) { return s->topic; }
bool mb_schema_has_key(const struct mb_schema *s) { return s->key_schema != NULL; }

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

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void put_zoned(struct drom_buf *o, int64_t sec, int32_t usec, unsigned fsp)
{
    int64_t days = floor_div(sec, 86400), rem = sec - days * 86400;
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

static void put_value(struct drom_buf *o, const struct mb_format *f, const struct col *k, const struct mb_value *v)
{
    const struct mb_column *c = k->c;
    if (v->kind == MB_V_NULL || v->kind == MB_V_ABSENT) {
        drom_buf_puts(o, "null");
        return;
    }
    if (v->zero) {
        /* Zero dates: null when the column allows it, else the column default or the epoch (Debezium's fallback). */
        if (c->nullable)
            drom_buf_puts(o, "null");
        else if (k->default_json)
            drom_buf_puts(o, k->default_json);
        else if (k->conv == C_ZONED)
            drom_buf_puts(o, "\"1970-01-01T00:00:00Z\"");
        else
            drom_buf_puts(o, "0");
        return;
    }
    switch (k->conv) {
    case C_INT:
        if (v->kind == MB_V_UINT)
            drom_buf_printf(o, "%" PRIu64, v->u);
        else
            drom_buf_printf(o, "%" PRId64, v->i);
        return;
    case C_UINT_LONG:
        drom_buf_printf(o, "%" PRId64, (int64_t)v->u);
        return;
    case C_UINT_DECIMAL: {
        char t[24];
        snprintf(t, sizeof t, "%" PRIu64, v->u);
        put_decimal_bytes(o, t);
        return;
    }
    case C_FLOAT32:
        mb_json_double(o, v->d, true);
        return;
    case C_FLOAT64:
        mb_json_double(o, v->d, false);
        return;
    case C_DEC_BYTES:
        put_decimal_bytes(o, v->dec);
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
        if (c->type == MB_T_STRING && v->len < c->max_len) {
            /* BINARY(n): the binlog strips trailing zero bytes */
            uint8_t *pad = drom_xcalloc(c->max_len, 1);
            memcpy(pad, v->s, v->len);
            put_bytes(o, f->binary, pad, c->max_len);
            free(pad);
        } else
            put_bytes(o, f->binary, v->s, v->len);
        return;
    case C_DATE:
        drom_buf_printf(o, "%" PRId64,
                        mb_days_from_civil(adjust_year(v->dt.year), (unsigned)v->dt.month, (unsigned)v->dt.day));
        return;
    case C_TIME_US:
        drom_buf_printf(o, "%" PRId64, v->i);
        return;
    case C_TIME_MS:
        drom_buf_printf(o, "%" PRId64, floor_div(v->i, 1000));
        return;
    case C_DATETIME_MS:
        drom_buf_printf(o, "%" PRId64, floor_div(datetime_us(&v->dt), 1000));
        return;
    case C_DATETIME_US:
        drom_buf_printf(o, "%" PRId64, datetime_us(&v->dt));
        return;
    case C_ZONED:
        put_zoned(o, v->i, v->dt.usec, c->fsp);
        return;
    case C_YEAR:
        drom_buf_printf(o, "%" PRId64, v->i ? v->i : 1900);   /* Debezium's reading of 0000 */
        return;
    case C_ENUM:
        if (v->kind == MB_V_STRING)   /* the snapshot's text */
            mb_json_string(o, v->s, v->len);
        else if (v->u >= 1 && v->u <= c->nvalues) {
            /* the binlog's index: Debezium's streaming takes the member from its "allowed" list, commas escaped */
            struct drom_buf t = DROM_BUF_INIT;
            for (const char *p = c->values[v->u - 1]; *p; p++) {
                if (*p == ',')
                    drom_buf_putc(&t, '\\');
                drom_buf_putc(&t, *p);
            }
            mb_json_string(o, t.data ? t.data : "", t.len);
            drom_buf_free(&t);
        } else
            drom_buf_puts(o, "\"\"");
        return;
    case C_SET: {
        struct drom_buf t = DROM_BUF_INIT;
        for (size_t i = 0; i < c->nvalues && i < 64; i++)
            if (v->u >> i & 1) {
                if (t.len)
                    drom_buf_putc(&t, ',');
                drom_buf_puts(&t, c->values[i]);
            }
        mb_json_string(o, t.data ? t.data : "", t.len);
        drom_buf_free(&t);
        return;
    }
    case C_GEOMETRY: case C_POINT:
        put_geometry(o, f, k->conv == C_POINT, v->s, v->len);
        return;
    }
}

/* `replace_null`: JsonConverter's replace.null.with.default (Kafka's default
 * true, and always before Kafka 3.5) writes a null field that has a schema
 * default as that default. Only the envelope goes through JsonConverter. */
static void put_row(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row, bool replace_null)
{
    if (!row) {
        drom_buf_puts(out, "null");
        return;
    }
    drom_buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; i < s->ncols; i++) {
        if (!s->keep[i])
            continue;
        if (!first)
            drom_buf_putc(out, ',');
        first = false;
        drom_buf_puts(out, s->cols[i].json_name);
        drom_buf_putc(out, ':');
        const struct mb_value *v = &row[i];
        bool null = v->kind == MB_V_NULL || v->kind == MB_V_ABSENT || (v->zero && s->cols[i].c->nullable);
        if (replace_null && null && s->cols[i].default_json)
            drom_buf_puts(out, s->cols[i].default_json);
        else
            put_value(out, s->f, &s->cols[i], v);
    }
    drom_buf_putc(out, '}');
}

void mb_json_row(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row)
{
    put_row(out, s, row, false);
}

static void put_key(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row, bool wrap)
{
    if (!s->key_schema) {
        drom_buf_puts(out, "null");
        return;
    }
    if (wrap) {
        drom_buf_puts(out, "{\"schema\":");
        drom_buf_puts(out, s->key_schema);
        drom_buf_puts(out, ",\"payload\":");
    }
    drom_buf_putc(out, '{');
    for (size_t i = 0; i < s->t->npk; i++) {
        const struct col *k = &s->cols[s->t->pk[i]];
        if (i)
            drom_buf_putc(out, ',');
        drom_buf_puts(out, k->json_name);
        drom_buf_putc(out, ':');
        put_value(out, s->f, k, &row[s->t->pk[i]]);
    }
    drom_buf_putc(out, '}');
    if (wrap)
        drom_buf_putc(out, '}');
}

void mb_json_key(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row)
{
    put_key(out, s, row, s->f->schemas);
}

void mb_json_key_payload(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row)
{
    put_key(out, s, row, false);
}

void mb_json_source(struct drom_buf *o, const struct mb_schema *s, const struct mb_source_info *src)
{
    drom_buf_puts(o, "{\"version\":");
    put_cstr(o, s->f->version);
    drom_buf_printf(o, ",\"connector\":\"%s\",\"name\":", s->f->mariadb ? "mariadb" : "mysql");
    put_cstr(o, s->f->prefix);
    drom_buf_printf(o, ",\"ts_ms\":%" PRId64 ",\"snapshot\":", src->ts_ms);
    put_cstr(o, src->snapshot ? src->snapshot : "false");
    drom_buf_puts(o, ",\"db\":");
    put_cstr(o, src->db);
    int64_t us = src->ts_us ? src->ts_us : src->ts_ms * 1000;
    drom_buf_printf(o, ",\"sequence\":null,\"ts_us\":%" PRId64 ",\"ts_ns\":%" PRId64 ",\"table\":", us, us * 1000);
    put_cstr(o, src->table);
    drom_buf_printf(o, ",\"server_id\":%" PRId64 ",\"gtid\":", src->server_id);
    put_cstr(o, src->gtid);
    drom_buf_puts(o, ",\"file\":");
    put_cstr(o, src->file ? src->file : "");
    drom_buf_printf(o, ",\"pos\":%" PRId64 ",\"row\":%" PRId32 ",\"thread\":", src->pos, src->row);
    if (src->has_thread)
        drom_buf_printf(o, "%" PRId64, src->thread);
    else
        drom_buf_puts(o, "null");
    drom_buf_puts(o, ",\"query\":");
    put_cstr(o, src->query);
    drom_buf_putc(o, '}');
}

void mb_json_value(struct drom_buf *o, const struct mb_schema *s, char op, const struct mb_value *before,
                   const struct mb_value *after, const struct mb_source_info *src, const struct mb_tx_info *tx,
                   int64_t now_us)
{
    if (s->f->schemas) {
        drom_buf_puts(o, "{\"schema\":");
        drom_buf_puts(o, s->env_schema);
        drom_buf_puts(o, ",\"payload\":");
    }
    drom_buf_puts(o, "{\"before\":");
    put_row(o, s, before, true);
    drom_buf_puts(o, ",\"after\":");
    put_row(o, s, after, true);
    drom_buf_puts(o, ",\"source\":");
    mb_json_source(o, s, src);
    drom_buf_puts(o, ",\"transaction\":");
    if (tx) {
        drom_buf_puts(o, "{\"id\":");
        put_cstr(o, tx->id);
        drom_buf_printf(o, ",\"total_order\":%" PRId64 ",\"data_collection_order\":%" PRId64 "}", tx->total_order,
                        tx->data_collection_order);
    } else
        drom_buf_puts(o, "null");
    drom_buf_printf(o, ",\"op\":\"%c\",\"ts_ms\":%" PRId64 ",\"ts_us\":%" PRId64 ",\"ts_ns\":%" PRId64 "}", op,
                    floor_div(now_us, 1000), now_us, now_us * 1000);
    if (s->f->schemas)
        drom_buf_putc(o, '}');
}
