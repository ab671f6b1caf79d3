/* One endpoint's settings, made once from its filled options (either scheme),
 * and the include/exclude filters with Debezium's semantics: comma-separated
 * regular expressions matched against the whole name, case-insensitively;
 * an include list wins over the exclude list of the same kind; system
 * databases are never captured. Ownership: mb_config_free releases all. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_CONFIG_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/mb_mapper.h"
#include "components/mysql-binlog/mb_options.h"
#include "runtime/error.h"
#include "runtime/regex.h"

struct mb_config {
    bool camel;                 /* debezium-mysql: body = after state */
    char *name;                 /* endpoint path */
    char *host, *user, *password;
    unsigned port;
    enum mb_ssl_mode ssl_mode;
    char *ssl_ca, *ssl_cert, *ssl_key, *ssl_key_password;   /* PEM files; NULL when not given */
    const char *opt_mode, *opt_ca, *opt_cert;                /* the scheme's option names, for messages */
    uint32_t server_id;
    int64_t connect_timeout_ms, backoff_initial_ms, backoff_max_ms, heartbeat_ms, flush_ms;
    int64_t max_inflight_bytes;   /* 0: no limit */
    int64_t max_uncommitted;      /* changes sent past the last stored position; 0: no limit */
    struct mb_format fmt;
    bool identity_auto;         /* fmt.mariadb follows the server's flavour, learnt by the start checks */
    enum mb_snapshot_mode snapshot;
    bool tombstones, include_query, tx_metadata;
    bool skip_c, skip_u, skip_d, skip_t;
    enum mb_failure_mode on_failure, on_unknown_table;   /* event.processing / inconsistent.schema handling */
    const char *offset_backend; /* the registered offset store offsetStorage names */
    char *offset_file;          /* NULL with the file backend: the engine's store */
    bool offset_kafka;
    char *offset_topic;
    char *offset_brokers;       /* Kafka store's bootstrap servers */
    /* the TLS and SASL properties of the Kafka offset store's clients and
     * of the signal consumer (empty when the source opens no such client) */
    struct drom_kafka_props offset_props, signal_props;
    char *signal_db, *signal_table;   /* signalDataCollection split; NULL: no signal table */
    bool signal_source;               /* its rows are signals (the source channel), not only watermarks */
    char *signal_kafka_topic, *signal_kafka_brokers;   /* the kafka channel; NULL: off */
    int64_t inc_chunk;                /* incrementalSnapshotChunkSize */
    bool read_only;                   /* readOnly: chunks read in consistent snapshots, no watermark rows written */
    struct drom_regex_list db_inc, db_exc, table_inc, table_exc, col_inc, col_exc;
    struct mb_mappers mappers;  /* fmt.mappers points here */
};

int mb_config_load(struct mb_config *c, bool camel, const char *path, const struct mb_options *o,
                   struct drom_error *err);
void mb_config_free(struct mb_config *c);


bool mb_config_wants_table(const struct mb_config *c, const char *db, const char *table);
/* Whether db.table.column appears in events. */
bool mb_config_wants_column(const struct mb_config *c, const char *db, const char *table, const char *column);
bool mb_config_has_column_filter(const struct mb_config *c);
/* Whether db.table is the signal table. */
bool mb_config_is_signal_table(const struct mb_config *c, const char *db, const char *table);

#endif
