/* Debezium's MySQL change event as Kafka Connect's JsonConverter writes it
 * (Debezium 3.1+ layout): compact JSON, members in Connect-schema order,
 * with the {"schema":...,"payload":...} wrapper when schemas are on.
 * The text is written directly (not through a JSON tree) because Java's
 * number formatting and the fixed member order are easier to get exactly
 * right that way, and it is the hot path.
 *
 * Ownership: a schema is built once per table map and owns its strings; the
 * writers append to a caller's buffer and borrow everything else. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_EVENT_JSON_H
#define DROM_COMPONENTS_MYSQL_BINLOG_EVENT_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "components/mysql-binlog/rowdec.h"
#include "runtime/buf.h"

enum mb_decimal_mode { MB_DEC_PRECISE, MB_DEC_DOUBLE, MB_DEC_STRING };
enum mb_binary_mode { MB_BIN_BYTES, MB_BIN_BASE64, MB_BIN_BASE64_URL, MB_BIN_HEX };

/* The options that shape events. */
struct mb_format {
    const char *prefix;         /* topicPrefix */
    const char *version;        /* source.version */
    bool mariadb;               /* connector identity "mariadb" instead of "mysql" */
    bool schemas;
    enum mb_decimal_mode decimal;
    enum mb_binary_mode binary;
    bool time_connect;          /* timePrecisionMode=connect */
    bool bigint_precise;
    const struct mb_mappers *mappers;   /* column mappers and key columns; NULL: none */
};

/* The source block of one event. */
struct mb_source_info {
    int64_t ts_ms;              /* event time */
    int64_t ts_us;              /* the same in microseconds when known (MySQL's commit time); 0: ts_ms * 1000 */
    const char *snapshot;       /* NULL while streaming: written as "false" */
    const char *db, *table;
    int64_t server_id;
    const char *gtid;           /* NULL when unknown */
    const char *file;
    int64_t pos;
    int32_t row;
    bool has_thread;
    int64_t thread;
    const char *query;          /* NULL unless includeQuery */
};

/* The transaction block (provideTransactionMetadata); NULL writes null. */
struct mb_tx_info {
    const char *id;
    int64_t total_order, data_collection_order;
};

struct mb_schema;

/* `keep` (may be NULL: all) says which columns appear in events (column filters). */
struct mb_schema *mb_schema_new(const struct mb_format *f, const struct mb_table *t, const bool *keep);
void mb_schema_free(struct mb_schema *s);
/* topicPrefix.db.table with characters Kafka refuses replaced by '_'. */
const char *mb_schema_topic(const struct mb_schema *s);
bool mb_schema_has_key(const struct mb_schema *s);

/* The row as a JSON object of its kept columns; `row` NULL writes null.
 * Null fields stay null here (Camel's Struct-to-Map view); inside the
 * envelope a null field with a column default is written as the default,
 * as Kafka's JsonConverter does. */
void mb_json_row(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row);
/* The key: {"schema":...,"payload":{pk}} or {pk} without schemas; "null"
 * when the table has no primary key nor a unique index Debezium would take
 * (struct mb_table's pk then names that index's columns). */
void mb_json_key(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row);
/* The key's payload alone ({pk}), whatever the schemas setting. */
void mb_json_key_payload(struct drom_buf *out, const struct mb_schema *s, const struct mb_value *row);
/* The source block alone (Camel's CamelDebeziumSourceMetadata). */
void mb_json_source(struct drom_buf *out, const struct mb_schema *s, const struct mb_source_info *src);
/* The whole value: envelope, wrapped with its schema when schemas are on.
 * `now_us` is the processing time (envelope ts_ms/ts_us/ts_ns). */
void mb_json_value(struct drom_buf *out, const struct mb_schema *s, char op, const struct mb_value *before,
                   const struct mb_value *after, const struct mb_source_info *src, const struct mb_tx_info *tx,
                   int64_t now_us);

/* Helpers shared with the tests. */
void mb_json_double(struct drom_buf *out, double d, bool is_float);   /* Java's Double/Float.toString */
void mb_json_string(struct drom_buf *out, const void *s, size_t len); /* quoted, escaped, UTF-8 repaired */
void mb_base64(struct drom_buf *out, const void *data, size_t len, bool url);
/* Appends s (in MySQL/MariaDB character set `charset`) as UTF-8 (mb_charset.c);
 * false, appending nothing, for a charset it does not know. */
bool mb_charset_to_utf8(struct drom_buf *out, const char *charset, const uint8_t *s, size_t len);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t mb_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
