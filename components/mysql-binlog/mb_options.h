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
#include "runtime/kafka_security.h"
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

enum mb_failure_mode { MB_FAIL_FAIL, MB_FAIL_WARN, MB_FAIL_SKIP };

/* The enum lists both schemes accept (mb_options.c); "schema_only" is
 * Debezium 2.x's name of no_data, "ignore" its older name of skip. The
 * _ints map a name to its enum. */
extern const char *const mb_snapshot_modes[];
extern const int mb_snapshot_ints[];
extern const char *const mb_decimal_modes[];
extern const int mb_decimal_ints[];
extern const char *const mb_time_modes[];
extern const char *const mb_binary_modes[];
extern const int mb_binary_ints[];
extern const char *const mb_bigint_modes[];
extern const char *const mb_ssl_modes[];
extern const char *const mb_failure_modes[];
extern const int mb_failure_ints[];
extern const int mb_store_ints[];

struct mb_options {
    const char *host, *user, *password, *topic_prefix, *debezium_version, *skipped_operations;
    const char *filters[MB_NFILTERS];     /* enum mb_filter */
    const char *offset_storage_file_name, *offset_storage_topic, *offset_storage_brokers;
    struct drom_optpairs additional_properties;
    int64_t port, server_id, connect_timeout_ms, backoff_initial_ms, backoff_max_ms;
    int64_t offset_flush_interval_ms, heartbeat_interval_ms, max_queue_size_in_bytes, max_uncommitted_events;
    int64_t max_queue_size;               /* the route's window of exchanges in flight */
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
    bool read_only;                       /* Debezium's read.only: no watermark rows written */
    /* TLS and SASL of the source's own Kafka clients (offset store, standby
     * elector, kafka signal channel): mysql-binlog's kafka* options,
     * debezium-mysql's additionalProperties.* as Kafka Connect's worker
     * takes them. signal_kafka: signalKafka* and
     * additionalProperties.signal.consumer.* (Debezium's signal.consumer.*),
     * each given one over the shared one for the signal consumer. The names
     * for messages are set by mb_kafka_security. */
    struct drom_kafka_security kafka, signal_kafka;
};

#define MB_AT(f) DROM_OPT_AT(struct mb_options, f)

/* The typed half of the rows both tables have: where the value goes, its
 * type, default and bounds, said once; each table adds its own name (ours
 * or Camel's), group and words. */
#define MB_ROW_HOST MB_AT(host), .type = DROM_OPT_STRING, .def = "127.0.0.1"
#define MB_ROW_PORT MB_AT(port), .type = DROM_OPT_INT, .def = "3306", .min = 1, .max = 65535
#define MB_ROW_SERVER_ID MB_AT(server_id), .type = DROM_OPT_INT, .def = "5400", .min = 1, .max = 4294967295LL
#define MB_ROW_FILTER(f) MB_AT(filters[f]), .type = DROM_OPT_STRING
#define MB_ROW_SNAPSHOT_MODE                                                                                  \
    MB_AT(snapshot_mode), .type = DROM_OPT_ENUM, .def = "initial", .values = mb_snapshot_modes, .ints = mb_snapshot_ints
#define MB_ROW_OFFSET_FILE MB_AT(offset_storage_file_name), .type = DROM_OPT_STRING
#define MB_ROW_OFFSET_TOPIC MB_AT(offset_storage_topic), .type = DROM_OPT_STRING
#define MB_ROW_MAX_UNCOMMITTED                                                                                     \
    MB_AT(max_uncommitted_events), .type = DROM_OPT_INT, .def = "10000", .min = 0, .max = INT32_MAX,                \
    .doc = "Most changes sent past the last stored position; beyond it reading waits for the offset store, so a " \
           "crash replays at most this many (keep it below Artemis' id-cache-size, 20000 by default; 0: no bound)"
#define MB_ROW_DECIMAL                                                                                     \
    MB_AT(decimal_handling_mode), .type = DROM_OPT_ENUM, .def = "precise", .values = mb_decimal_modes, \
    .ints = mb_decimal_ints
#define MB_ROW_TIME                                                                                         \
    MB_AT(time_precision_mode), .type = DROM_OPT_ENUM, .def = "adaptive_time_microseconds", .values = mb_time_modes
#define MB_ROW_BINARY                                                                                   \
    MB_AT(binary_handling_mode), .type = DROM_OPT_ENUM, .def = "bytes", .values = mb_binary_modes, \
    .ints = mb_binary_ints
#define MB_ROW_BIGINT                                                                                      \
    MB_AT(bigint_unsigned_handling_mode), .type = DROM_OPT_ENUM, .def = "long", .values = mb_bigint_modes
#define MB_ROW_MAX_QUEUE_BYTES MB_AT(max_queue_size_in_bytes), .type = DROM_OPT_SIZE, .def = "64m"
/* Debezium's max.queue.size: changes read ahead of delivery. Each one in
 * flight is a whole exchange (~4.5 KB with its envelope), so the default is
 * the engine's window, not Debezium's 8192. */
#define MB_ROW_MAX_QUEUE MB_AT(max_queue_size), .type = DROM_OPT_INT, .def = "1000", .min = 1, .max = 1000000
#define MB_ROW_INCLUDE_QUERY MB_AT(include_query), .type = DROM_OPT_BOOL, .def = "false"
#define MB_ROW_TX_METADATA MB_AT(provide_transaction_metadata), .type = DROM_OPT_BOOL, .def = "false"
#define MB_ROW_SKIPPED MB_AT(skipped_operations), .type = DROM_OPT_STRING, .def = "t"
#define MB_ROW_CONNECT_TIMEOUT MB_AT(connect_timeout_ms), .type = DROM_OPT_DURATION, .def = "30000"
#define MB_ROW_SSL_MODE MB_AT(ssl_mode), .type = DROM_OPT_ENUM, .def = "preferred", .values = mb_ssl_modes
#define MB_ROW_SSL_CA MB_AT(ssl_ca), .type = DROM_OPT_STRING
#define MB_ROW_SSL_KEY_PASSWORD MB_AT(ssl_key_password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET
#define MB_ROW_FAILURE(f) MB_AT(f), .type = DROM_OPT_ENUM, .def = "fail", .values = mb_failure_modes, .ints = mb_failure_ints
#define MB_ROW_KEY_COLUMNS MB_AT(message_key_columns), .type = DROM_OPT_STRING
#define MB_ROW_COLUMN_SOURCE_TYPE MB_AT(column_propagate_source_type), .type = DROM_OPT_STRING
#define MB_ROW_DATATYPE_SOURCE_TYPE MB_AT(datatype_propagate_source_type), .type = DROM_OPT_STRING

/* The callbacks of both schemes' struct drom_component: one source, two
 * spellings of its options. A change must never be skipped: a failed
 * exchange stops the source. */
#define MB_COMPONENT_CALLBACKS                                                                                 \
    .path_syntax = "name", .path_required = true, .roles = DROM_ROLE_CONSUMER,                                 \
    .flags = DROM_COMP_STOPS_ON_FAILURE, .conf_size = sizeof(struct mb_options), .create = mb_create,          \
    .destroy = mb_destroy, .start = mb_start, .stop = mb_stop, .commit = mb_commit,                            \
    .position_free = mb_position_free, .done = mb_exchange_done, .offset_location = mb_offset_location,        \
    .position_json = mb_position_json, .consumer_settings = mb_consumer_settings

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

/* The rows of a Kafka client's security settings, filling `f` (a struct
 * drom_kafka_security): in camelCase after `P` ("kafka": kafkaSecurityProtocol,
 * as the kafka component's securityProtocol), and Kafka's own names after
 * `P` ("additionalProperties.": additionalProperties.security.protocol).
 * `WHO` says whose they are in the docs. */
#define MB_KAFKA_ROWS(f, P, WHO, PROTOCOL, MECH, JAAS, TRUST, KEYSTORE, KEYSTORE_PW, KEY_PW)                      \
    {.name = P PROTOCOL, MB_AT(f.protocol), .type = DROM_OPT_ENUM, .values = drom_kafka_protocols,                  \
     .flags = DROM_OPT_ANYCASE, .group = "security",                                                              \
     .doc = "Protocol to the brokers, for " WHO ": PLAINTEXT (the default), SSL, SASL_PLAINTEXT or SASL_SSL"},     \
    {.name = P MECH, MB_AT(f.mechanism), .type = DROM_OPT_STRING, .group = "security",                            \
     .doc = "SASL mechanism, for " WHO ": PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI (the "        \
            "default)"},                                                                                          \
    {.name = P JAAS, MB_AT(f.jaas), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",       \
     .doc = "JAAS line, for " WHO "; username=\"...\" password=\"...\" of the PLAIN and SCRAM login modules are "  \
            "used"},                                                                                              \
    {.name = P TRUST, MB_AT(f.truststore), .type = DROM_OPT_STRING, .group = "security",                          \
     .doc = "CA certificates that verify the brokers (SSL, SASL_SSL), for " WHO ": a PEM file; a JKS or PKCS#12 "  \
            "truststore is refused with the command that converts it. Unset: the system's CAs"},                  \
    {.name = P KEYSTORE, MB_AT(f.keystore), .type = DROM_OPT_STRING, .group = "security",                         \
     .doc = "Client certificate and key for brokers that ask for one, for " WHO ": a PEM file holding both, or "  \
            "PKCS#12; a JKS file is refused"},                                                                    \
    {.name = P KEYSTORE_PW, MB_AT(f.keystore_password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET,       \
     .group = "security", .doc = "Password of a PKCS#12 keystore, for " WHO},                                     \
    {.name = P KEY_PW, MB_AT(f.key_password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET,                 \
     .group = "security", .doc = "Password of the private key in a PEM keystore, for " WHO}
/* The names after the prefix, in MB_KAFKA_ROWS's order. */
#define MB_KAFKA_CAMEL_NAMES                                                                                      \
    "SecurityProtocol", "SaslMechanism", "SaslJaasConfig", "SslTruststoreLocation", "SslKeystoreLocation",        \
        "SslKeystorePassword", "SslKeyPassword"
#define MB_KAFKA_JAVA_NAMES                                                                                       \
    "security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.location", "ssl.keystore.location", \
        "ssl.keystore.password", "ssl.key.password"
/* The same names for the messages (struct drom_kafka_names). */
#define MB_KAFKA_NAMES(P, PROTOCOL, MECH, JAAS, TRUST, KEYSTORE, KEYSTORE_PW, KEY_PW)                               \
    {.protocol = P PROTOCOL, .mechanism = P MECH, .jaas = P JAAS, .truststore = P TRUST, .keystore = P KEYSTORE,   \
     .keystore_password = P KEYSTORE_PW, .key_password = P KEY_PW}
/* (a second expansion spreads a list of names over the arguments) */
#define MB_KAFKA_EXPAND(m, ...) m(__VA_ARGS__)
#define MB_KAFKA_ROWS_CAMEL(f, P, WHO) MB_KAFKA_EXPAND(MB_KAFKA_ROWS, f, P, WHO, MB_KAFKA_CAMEL_NAMES)
#define MB_KAFKA_ROWS_JAVA(f, P, WHO) MB_KAFKA_EXPAND(MB_KAFKA_ROWS, f, P, WHO, MB_KAFKA_JAVA_NAMES)

/* drom_component.standby of each scheme. */
bool mb_standby_binlog(const void *conf, struct drom_standby_config *out);
bool mb_standby_debezium(const void *conf, struct drom_standby_config *out);

/* --- mb_kafka.c: the source's own Kafka clients --- */

/* The security settings of the offset store and the standby elector
 * (`signal` false) or of the signal consumer (its own over those), with
 * the scheme's option names. Strings borrowed from `o`. */
void mb_kafka_security(const struct mb_options *o, bool camel, bool signal, struct drom_kafka_security *out);
/* drom_kafka_security_check of both. */
int mb_kafka_validate(const struct mb_options *o, bool camel, struct drom_error *err);

/* The value of additionalProperties.<key>, NULL when not given. */
const char *mb_options_extra(const struct mb_options *o, const char *key);
/* additionalProperties.<key> as Kafka Connect reads a boolean ("true" or
 * "false", in any case) into *out: 0, 1 when not given, -1 when neither. */
int mb_options_extra_bool(const struct mb_options *o, const char *key, bool *out);

int mb_validate_binlog(const char *path, const void *conf, unsigned role, struct drom_error *err);
int mb_validate_debezium(const char *path, const void *conf, unsigned role, struct drom_error *err);
/* A warning when the connection to the database is told not to use TLS, or
 * a Kafka client sends a SASL PLAIN password in clear text, to another
 * machine. */
void mb_advise_binlog(const char *path, const void *conf, char *warning, size_t size);
void mb_advise_debezium(const char *path, const void *conf, char *warning, size_t size);

#endif
