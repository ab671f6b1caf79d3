#include "components/mysql-binlog/event_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json_int.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/xalloc.h"

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

/* TINYINT is int16 signed or not (Debezium's JdbcValueConverters), never int8. */
static const char *int_type(const struct mb_column *c)
{
    switch (c->type) {
    case MB_T_TINY: return "int16";
    case MB_T_SHORT: return c->is_unsigned ? "int32" : "int16";
    case MB_T_LONG: return c->is_unsigned ? "int64" : "int32";
    case MB_T_LONGLONG: return "int64";
    default: return "int32";
    }
}

/* The parameters a column mapper adds (MaskStrings, TruncateColumn,
 * PropagateSourceMetadataToSchemaParameter), after the type's own. */
static void put_mapper_params(struct drom_buf *p, const struct col *k)
{
    const struct mb_column *c = k->c;
    switch (k->map->kind) {
    case MB_MAP_MASK: case MB_MAP_HASH: case MB_MAP_HASH_V2:
        drom_buf_printf(p, "%s\"masked\":\"true\"", p->len ? "," : "");
        return;
    case MB_MAP_TRUNCATE:
        if (mb_map_truncates(k->map, c->length))
            drom_buf_printf(p, "%s\"truncateLength\":\"%" PRId64 "\"", p->len ? "," : "", k->map->n);
        return;
    case MB_MAP_PROPAGATE: case MB_MAP_PROPAGATE_TYPE:
        drom_buf_printf(p, "%s\"__debezium.source.column.type\":", p->len ? "," : "");
        mb_put_cstr(p, c->type_name);
        if (c->length != -1)
            drom_buf_printf(p, ",\"__debezium.source.column.length\":\"%" PRId64 "\"", c->length);
        if (c->src_scale != -1)
            drom_buf_printf(p, ",\"__debezium.source.column.scale\":\"%" PRId64 "\"", c->src_scale);
        drom_buf_puts(p, ",\"__debezium.source.column.name\":");
        mb_json_string(p, c->name ? c->name : "", c->name ? strlen(c->name) : 0);
        return;
    }
}

/* One field's schema: type, [fields], optional, [name, version, doc, parameters], field.
 * `mapped`: with the column mapper's parameters (Debezium leaves the key's alone). */
static void put_field_schema(struct drom_buf *o, const struct mb_format *f, const struct col *k, bool mapped)
{
    const struct mb_column *c = k->c;
    const char *opt = c->nullable ? "true" : "false";
    struct drom_buf p = DROM_BUF_INIT;
    switch (k->conv) {
    case C_INT:
        drom_buf_printf(o, "{\"type\":\"%s\",\"optional\":%s", int_type(c), opt);
        break;
    case C_UINT_LONG:
        drom_buf_printf(o, "{\"type\":\"int64\",\"optional\":%s", opt);
        break;
    case C_UINT_DECIMAL:
        drom_buf_printf(o, "{\"type\":\"bytes\",\"optional\":%s,\"name\":\"org.apache.kafka.connect.data.Decimal\","
                           "\"version\":1", opt);
        drom_buf_puts(&p, "\"scale\":\"0\",\"connect.decimal.precision\":\"20\"");
        break;
    case C_FLOAT32:
        drom_buf_printf(o, "{\"type\":\"float\",\"optional\":%s", opt);
        break;
    case C_FLOAT64: case C_DEC_DOUBLE:
        drom_buf_printf(o, "{\"type\":\"double\",\"optional\":%s", opt);
        break;
    case C_DEC_BYTES:
        drom_buf_printf(o, "{\"type\":\"bytes\",\"optional\":%s,\"name\":\"org.apache.kafka.connect.data.Decimal\","
                           "\"version\":1", opt);
        drom_buf_printf(&p, "\"scale\":\"%u\",\"connect.decimal.precision\":\"%u\"", c->scale, c->precision);
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
        drom_buf_printf(o, "{\"type\":\"bytes\",\"optional\":%s,\"name\":\"io.debezium.data.Bits\",\"version\":1",
                        opt);
        drom_buf_printf(&p, "\"length\":\"%u\"", c->nbits);
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
        drom_buf_printf(o, "{\"type\":\"string\",\"optional\":%s,\"name\":\"io.debezium.data.%s\",\"version\":1",
                        opt, k->conv == C_ENUM ? "Enum" : "EnumSet");
        drom_buf_puts(&p, "\"allowed\":");
        put_joined(&p, c->values, c->nvalues);
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
    if (mapped && k->map)
        put_mapper_params(&p, k);
    if (p.len)
        drom_buf_printf(o, ",\"parameters\":{%s}", p.data);
    drom_buf_free(&p);
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
        for (size_t i = 0; i < s->nkey; i++) {
            if (!first)
                drom_buf_putc(o, ',');
            first = false;
            put_field_schema(o, s->f, &s->cols[s->key[i]], false);
        }
    } else {
        for (size_t i = 0; i < s->ncols; i++) {
            if (!s->keep[i])
                continue;
            if (!first)
                drom_buf_putc(o, ',');
            first = false;
            put_field_schema(o, s->f, &s->cols[i], true);
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

/* Connect writes a default in the field schema, converted like a value. */
static char *default_json(const struct mb_format *f, const struct col *k)
{
    struct drom_buf text = DROM_BUF_INIT, out = DROM_BUF_INIT;
    struct mb_value v;
    if (mb_default_value(k->c, k->c->def, &text, &v))
        mb_put_value(&out, f, k, &v);
    drom_buf_free(&text);
    return out.data;
}

/* messageKeyColumns: the columns of the key patterns, pattern by pattern in
 * the order given and each in table order (Debezium's CustomKeyMapper); the
 * primary key when none matches. */
static void choose_key(struct mb_schema *s)
{
    const struct mb_mappers *m = s->f->mappers;
    s->key = drom_xcalloc(s->ncols + s->t->npk + 1, sizeof *s->key);
    for (size_t p = 0; m && p < m->nkeys; p++)
        for (size_t i = 0; i < s->ncols && s->nkey < s->ncols; i++)
            if (s->t->cols[i].name && mb_mappers_key_matches(m, p, s->t->db, s->t->table, s->t->cols[i].name))
                s->key[s->nkey++] = (uint32_t)i;
    if (!s->nkey && s->t->npk) {
        memcpy(s->key, s->t->pk, s->t->npk * sizeof *s->key);
        s->nkey = s->t->npk;
    }
    for (size_t i = 0; i < s->nkey; i++)
        s->keep[s->key[i]] = true;
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
        s->cols[i] = (struct col){.c = &t->cols[i], .conv = conv_of(f, &t->cols[i]), .json_name = drom_buf_detach(&nb),
                                  .map = mb_mappers_find(f->mappers, t->db, t->table, name, t->cols[i].type_name)};
        s->cols[i].default_json = default_json(f, &s->cols[i]);
        s->keep[i] = !keep || keep[i] || t->cols[i].pk;
    }
    choose_key(s);
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
    if (s->nkey) {
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
    free(s->key);
    free(s->topic);
    free(s->key_schema);
    free(s->env_schema);
    free(s->source_name);
    free(s);
}

const char *mb_schema_topic(const struct mb_schema *s) { return s->topic; }
bool mb_schema_has_key(const struct mb_schema *s) { return s->key_schema != NULL; }

/* Whether the column's Java value is a String (JDBC CHAR/VARCHAR: text, ENUM,
 * SET), the only values MaskStrings masks and hashes. */
static bool chars(const struct col *k)
{
    return k->conv == C_TEXT || k->conv == C_ENUM || k->conv == C_SET;
}

/* A value through its column mapper: masks and hashes act on the character
 * types only; a truncation on any value Debezium holds as a String (text,
 * JSON, decimals as strings, zoned timestamps, binary as base64 or hex) or a
 * ByteBuffer (binary as bytes), not on numbers, BigDecimals or bit sets. */
static void put_mapped(struct drom_buf *out, const struct mb_format *f, const struct col *k, const struct mb_value *v,
                       bool null)
{
    enum mb_map_kind kind = k->map->kind;
    bool masks = kind == MB_MAP_MASK || kind == MB_MAP_HASH || kind == MB_MAP_HASH_V2;
    bool bytes = k->conv == C_BINARY && f->binary == MB_BIN_BYTES;
    bool not_string = k->conv == C_DEC_BYTES || k->conv == C_UINT_DECIMAL || k->conv == C_BITS || bytes;
    if ((masks && !chars(k)) || (kind == MB_MAP_TRUNCATE && not_string && !bytes)) {
        mb_put_value(out, f, k, v);
        return;
    }
    if (kind == MB_MAP_TRUNCATE && bytes) {
        struct mb_value cut = *v;
        if (!null && mb_map_truncates(k->map, k->c->length) && cut.len > (size_t)k->map->n)
            cut.len = (size_t)k->map->n;
        mb_put_value(out, f, k, &cut);
        return;
    }
    struct drom_buf tmp = DROM_BUF_INIT;
    mb_put_value(&tmp, f, k, v);
    mb_map_json(out, k->map, k->c->length, tmp.data, tmp.len);
    drom_buf_free(&tmp);
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
        /* a mask replaces null before JsonConverter sees it, so no default then */
        bool masked = s->cols[i].map && s->cols[i].map->kind == MB_MAP_MASK && chars(&s->cols[i]);
        if (replace_null && null && s->cols[i].default_json && !masked)
            drom_buf_puts(out, s->cols[i].default_json);
        else if (s->cols[i].map)
            put_mapped(out, s->f, &s->cols[i], v, null);
        else
            mb_put_value(out, s->f, &s->cols[i], v);
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
    for (size_t i = 0; i < s->nkey; i++) {
        const struct col *k = &s->cols[s->key[i]];
        if (i)
            drom_buf_putc(out, ',');
        drom_buf_puts(out, k->json_name);
        drom_buf_putc(out, ':');
        mb_put_value(out, s->f, k, &row[s->key[i]]);
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

/* Nanoseconds from microseconds as Debezium's Java long arithmetic gives them: a commit time
 * past 2262 (only a damaged event carries one; MySQL's is 7 bytes of microseconds) wraps as it
 * does there instead of overflowing. */
static int64_t java_ns(int64_t us)
{
    return (int64_t)((uint64_t)us * 1000u);
}

void mb_json_source(struct drom_buf *o, const struct mb_schema *s, const struct mb_source_info *src)
{
    drom_buf_puts(o, "{\"version\":");
    mb_put_cstr(o, s->f->version);
    drom_buf_puts(o, s->f->mariadb ? ",\"connector\":\"mariadb\",\"name\":" : ",\"connector\":\"mysql\",\"name\":");
    mb_put_cstr(o, s->f->prefix);
    drom_buf_puts(o, ",\"ts_ms\":");
    drom_buf_put_i64(o, src->ts_ms);
    drom_buf_puts(o, ",\"snapshot\":");
    mb_put_cstr(o, src->snapshot ? src->snapshot : "false");
    drom_buf_puts(o, ",\"db\":");
    mb_put_cstr(o, src->db);
    int64_t us = src->ts_us ? src->ts_us : src->ts_ms * 1000;
    drom_buf_puts(o, ",\"sequence\":null,\"ts_us\":");
    drom_buf_put_i64(o, us);
    drom_buf_puts(o, ",\"ts_ns\":");
    drom_buf_put_i64(o, java_ns(us));
    drom_buf_puts(o, ",\"table\":");
    mb_put_cstr(o, src->table);
    drom_buf_puts(o, ",\"server_id\":");
    drom_buf_put_i64(o, src->server_id);
    drom_buf_puts(o, ",\"gtid\":");
    mb_put_cstr(o, src->gtid);
    drom_buf_puts(o, ",\"file\":");
    mb_put_cstr(o, src->file ? src->file : "");
    drom_buf_puts(o, ",\"pos\":");
    drom_buf_put_i64(o, src->pos);
    drom_buf_puts(o, ",\"row\":");
    drom_buf_put_i64(o, src->row);
    drom_buf_puts(o, ",\"thread\":");
    if (src->has_thread)
        drom_buf_put_i64(o, src->thread);
    else
        drom_buf_puts(o, "null");
    drom_buf_puts(o, ",\"query\":");
    mb_put_cstr(o, src->query);
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
        mb_put_cstr(o, tx->id);
        drom_buf_printf(o, ",\"total_order\":%" PRId64 ",\"data_collection_order\":%" PRId64 "}", tx->total_order,
                        tx->data_collection_order);
    } else
        drom_buf_puts(o, "null");
    drom_buf_puts(o, ",\"op\":\"");
    drom_buf_putc(o, op);
    drom_buf_puts(o, "\",\"ts_ms\":");
    drom_buf_put_i64(o, mb_floor_div(now_us, 1000));
    drom_buf_puts(o, ",\"ts_us\":");
    drom_buf_put_i64(o, now_us);
    drom_buf_puts(o, ",\"ts_ns\":");
    drom_buf_put_i64(o, java_ns(now_us));
    drom_buf_putc(o, '}');
    if (s->f->schemas)
        drom_buf_putc(o, '}');
}
