/* What the three parts of the event writer share: the per-table schema
 * with its columns (event_json.c builds it), the column values
 * (event_value.c) and the scalar encodings (mb_scalar.c). */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_EVENT_JSON_INT_H
#define DROM_COMPONENTS_MYSQL_BINLOG_EVENT_JSON_INT_H

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/mb_mapper.h"

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
    const struct mb_map_rule *map;   /* Debezium's column mapper of the column; NULL: none */
};

struct mb_schema {
    const struct mb_format *f;
    const struct mb_table *t;
    char *topic;
    size_t ncols;
    struct col *cols;      /* every table column; kept ones have keep[i] */
    bool *keep;
    size_t nkey;
    uint32_t *key;         /* the key's columns: the primary key, or messageKeyColumns' */
    char *key_schema;      /* {"type":"struct",...,"name":"p.db.t.Key"}, NULL without PK */
    char *env_schema;      /* the whole envelope schema */
    char *source_name;
};

/* mb_scalar.c */
void mb_put_cstr(struct drom_buf *out, const char *s);
void mb_put_bytes(struct drom_buf *out, enum mb_binary_mode mode, const void *data, size_t len);
void mb_put_decimal_bytes(struct drom_buf *out, const char *text);

/* event_value.c: one column's value as its schema says. */
void mb_put_value(struct drom_buf *o, const struct mb_format *f, const struct col *k, const struct mb_value *v);
int64_t mb_floor_div(int64_t a, int64_t b);

#endif
