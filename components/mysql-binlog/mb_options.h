/* What the two schemes of this folder share at compile time: the struct
 * both option tables fill (each its own names and defaults; a field the
 * scheme has no option for stays zero), the enum lists both accept, and
 * the extra checks beyond the tables. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_OPTIONS_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "components/mysql-binlog/event_json.h"
#include "runtime/component.h"
#include "runtime/error.h"
#include "runtime/option.h"

enum mb_snapshot_mode { MB_SNAP_INITIAL, MB_SNAP_INITIAL_ONLY, MB_SNAP_NO_DATA, MB_SNAP_WHEN_NEEDED,
                        MB_SNAP_NEVER, MB_SNAP_ALWAYS };
enum mb_storage { MB_STORE_FILE, MB_STORE_KAFKA };
enum mb_identity { MB_ID_AUTO, MB_ID_MYSQL, MB_ID_MARIADB };
enum mb_ssl_mode { MB_SSL_DISABLED, MB_SSL_PREFERRED, MB_SSL_REQUIRED, MB_SSL_VERIFY_CA, MB_SSL_VERIFY_IDENTITY };
enum mb_time_mode { MB_TIME_ADAPTIVE, MB_TIME_CONNECT };
enum mb_bigint_mode { MB_BIGINT_LONG, MB_BIGINT_PRECISE };
/* The include/exclude lists, in this order. */
enum mb_filter { MB_DB_INC, MB_DB_EXC, MB_TABLE_INC, MB_TABLE_EXC, MB_COL_INC, MB_COL_EXC, MB_NFILTERS };

/* "schema_only" is Debezium 2.x's name of no_data. */
#define MB_SNAPSHOT_MODES {"initial", "initial_only", "no_data", "schema_only", "when_needed", "never", "always", NULL}
#define MB_SNAPSHOT_INTS                                                                                       \
    {MB_SNAP_INITIAL, MB_SNAP_INITIAL_ONLY, MB_SNAP_NO_DATA, MB_SNAP_NO_DATA, MB_SNAP_WHEN_NEEDED, MB_SNAP_NEVER, \
     MB_SNAP_ALWAYS}
#define MB_DECIMAL_MODES {"precise", "double", "string", NULL}
#define MB_DECIMAL_INTS {MB_DEC_PRECISE, MB_DEC_DOUBLE, MB_DEC_STRING}
#define MB_TIME_MODES {"adaptive_time_microseconds", "connect", NULL}
#define MB_BINARY_MODES {"bytes", "base64", "base64-url-safe", "hex", NULL}
#define MB_BINARY_INTS {MB_BIN_BYTES, MB_BIN_BASE64, MB_BIN_BASE64_URL, MB_BIN_HEX}
#define MB_BIGINT_MODES {"long", "precise", NULL}
/* "ignore" is Debezium's older name of skip. */
enum mb_failure_mode { MB_FAIL_FAIL, MB_FAIL_WARN, MB_FAIL_SKIP };
#define MB_FAILURE_MODES {"fail", "warn", "skip", "ignore", NULL}
#define MB_FAILURE_INTS {MB_FAIL_FAIL, MB_FAIL_WARN, MB_FAIL_SKIP, MB_FAIL_SKIP}
#define MB_SSL_MODES {"disabled", "preferred", "required", "verify_ca", "verify_identity", NULL}

struct mb_options {
    const char *host, *user, *password, *topic_prefix, *debezium_version, *skipped_operations;
    const char *filters[MB_NFILTERS];     /* enum mb_filter */
    const char *offset_storage_file_name, *offset_storage_topic, *offset_storage_brokers;
    struct drom_optpairs additional_properties;
    int64_t port, server_id, connect_timeout_ms, backoff_initial_ms, backoff_max_ms;
    int64_t offset_flush_interval_ms, heartbeat_interval_ms, max_queue_size_in_bytes, max_uncommitted_events;
    bool schemas, tombstones_on_delete, include_query, provide_transaction_metadata;
    int snapshot_mode;                    /* enum mb_snapshot_mode */
    int offset_storage;                   /* enum mb_storage */
    int connector_identity;               /* enum mb_identity */
    int decimal_handling_mode;            /* enum mb_decimal_mode */
    int time_precision_mode;              /* enum mb_time_mode */
    int binary_handling_mode;             /* enum mb_binary_mode */
    int bigint_unsigned_handling_mode;    /* enum mb_bigint_mode */
    /* TLS (Debezium's database.ssl.*): debezium-mysql's key store is one PEM
     * file with certificate and key, so it fills ssl_cert only. */
    const char *ssl_ca, *ssl_cert, *ssl_key, *ssl_key_password;
    int ssl_mode;                         /* enum mb_ssl_mode */
    /* Debezium's column mappers and key columns (mb_mapper.h): mysql-binlog
     * takes column.* under their own names, debezium-mysql through
     * additionalProperties.column.* as Camel passes them */
    const char *message_key_columns, *column_propagate_source_type, *datatype_propagate_source_type;
    struct drom_optpairs column_mappers;
    int event_processing_failure_handling_mode;   /* enum mb_failure_mode */
    int inconsistent_schema_handling_mode;        /* enum mb_failure_mode */
    /* Standby (docs/ha.md): one replica of those sharing standbyGroupId runs the source. */
    const char *standby_group_id, *standby_topic;
    int64_t standby_session_timeout_ms, standby_heartbeat_interval_ms;
    bool standby;
    /* signals and incremental snapshots (Debezium's signal.*, incremental.snapshot.*) */
    const char *signal_data_collection, *signal_enabled_channels, *signal_kafka_topic, *signal_kafka_brokers;
    int64_t incremental_chunk_size;
};

#define MB_AT(f) DROM_OPT_AT(struct mb_options, f)

struct mb_mappers;
/* Fills `m` (zeroed) from the mapper options of either scheme; on error `m`
 * is left empty and err names the option (mb_config.c). */
int mb_options_mappers(const struct mb_options *o, bool camel, struct mb_mappers *m, struct drom_error *err);

/* The standby rows, the same in both schemes' tables (Kafka Connect's
 * group.id, session.timeout.ms and heartbeat.interval.ms in camelCase). */
#define MB_STANDBY_OPTIONS                                                                                       \
    {.name = "standby", MB_AT(standby), .type = DROM_OPT_BOOL, .def = "false", .group = "ha",                   \
     .doc = "Run this source in one dromd replica of those sharing standbyGroupId; the others stand by and take " \
            "over when it dies or leaves (needs offsets in Kafka; docs/ha.md)"},                                 \
    {.name = "standbyGroupId", MB_AT(standby_group_id), .type = DROM_OPT_STRING, .group = "ha",                 \
     .doc = "Kafka consumer group that elects the replica running this source; one per source"},                  \
    {.name = "standbyTopic", MB_AT(standby_topic), .type = DROM_OPT_STRING, .def = "dromd-standby", .group = "ha", \
     .doc = "One-partition topic the group's members share (on the offset storage brokers; created when missing)"}, \
    {.name = "standbySessionTimeoutMs", MB_AT(standby_session_timeout_ms), .type = DROM_OPT_DURATION,            \
     .def = "6000", .group = "ha",                                                                              \
     .doc = "A leader silent this long (killed, paused, cut off) is replaced; the broker's "                     \
            "group.min.session.timeout.ms (6 s by default) is the floor"},                                       \
    {.name = "standbyHeartbeatIntervalMs", MB_AT(standby_heartbeat_interval_ms), .type = DROM_OPT_DURATION,      \
     .def = "1000", .group = "ha", .doc = "How often each replica tells the group it is alive"}

/* drom_component.standby of both schemes. */
bool mb_standby(const void *conf, struct drom_standby_config *out);

/* The value of additionalProperties.<key>, NULL when not given. */
const char *mb_options_extra(const struct mb_options *o, const char *key);

int mb_validate_binlog(const char *path, const void *conf, unsigned role, struct drom_error *err);
int mb_validate_debezium(const char *path, const void *conf, unsigned role, struct drom_error *err);
/* A warning when the connection is told not to use TLS to another machine. */
void mb_advise_binlog(const char *path, const void *conf, char *warning, size_t size);
void mb_advise_debezium(const char *path, const void *conf, char *warning, size_t size);

#endif
