#include "runtime/component.h"

#include "components/mysql-binlog/mb_endpoint.h"
#include "components/mysql-binlog/mb_options.h"
#include "components/mysql-binlog/mb_source.h"
#include "components/mysql-binlog/mb_tls.h"

/* Our own scheme for the binlog source: Debezium's names in camelCase, its
 * defaults (tombstones on), and the whole envelope as the body. */
static const char *const storages[] = {"file", "kafka", NULL};
static const char *const identities[] = {"auto", "mysql", "mariadb", NULL};

static const struct drom_option options[] = {
    {.name = "host", MB_ROW_HOST, .group = "connection",
     .doc = "MariaDB/MySQL server host name or address"},
    {.name = "port", MB_ROW_PORT, .group = "connection",
     .doc = "Server port"},
    {.name = "user", MB_AT(user), .type = DROM_OPT_STRING, .flags = DROM_OPT_REQUIRED, .group = "connection",
     .doc = "User with SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT (BINLOG MONITOR)"},
    {.name = "password", MB_AT(password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "Password of user"},
    {.name = "sslMode", MB_ROW_SSL_MODE,
     .group = "security",
     .doc = "Debezium's database.ssl.mode: disabled; preferred (TLS when the server offers it); required; "
            "verify_ca (the server's certificate signed by sslCa); verify_identity (and issued for host)"},
    {.name = "sslCa", MB_ROW_SSL_CA, .group = "security",
     .doc = "CA certificates (PEM file) that signed the server's certificate, for verify_ca and verify_identity"},
    {.name = "sslCert", MB_AT(ssl_cert), .type = DROM_OPT_STRING, .group = "security",
     .doc = "Client certificate (PEM file), for a user created REQUIRE X509 or SUBJECT"},
    {.name = "sslKey", MB_AT(ssl_key), .type = DROM_OPT_STRING, .group = "security",
     .doc = "Private key of sslCert (PEM file; may be the same file)"},
    {.name = "sslKeyPassword", MB_ROW_SSL_KEY_PASSWORD,
     .group = "security", .doc = "Passphrase of an encrypted sslKey"},
    {.name = "serverId", MB_ROW_SERVER_ID,
     .group = "connection",
     .doc = "Replica server id this source registers with; unique among the server's replicas"},
    {.name = "connectTimeoutMs", MB_ROW_CONNECT_TIMEOUT, .group = "connection",
     .doc = "Connect and read timeout towards the server"},
    {.name = "connectBackoffInitialDelayMs", MB_AT(backoff_initial_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "connection",
     .doc = "First wait before reconnecting after the server went away; doubles up to the maximum"},
    {.name = "connectBackoffMaxDelayMs", MB_AT(backoff_max_ms), .type = DROM_OPT_DURATION, .def = "5000",
     .group = "connection",
     .doc = "Longest wait between reconnect attempts (short, so recovery follows the outage closely)"},
    {.name = "topicPrefix", MB_AT(topic_prefix), .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Logical server name: topics and schema names are topicPrefix.db.table (default: the endpoint name)"},
    {.name = "databaseIncludeList", MB_ROW_FILTER(MB_DB_INC), .group = "filter",
     .doc = "Comma-separated regular expressions (Java syntax; a comma inside one written \\,) of databases to capture (whole-name, case-insensitive match)"},
    {.name = "databaseExcludeList", MB_ROW_FILTER(MB_DB_EXC), .group = "filter",
     .doc = "Comma-separated regular expressions of databases not to capture"},
    {.name = "tableIncludeList", MB_ROW_FILTER(MB_TABLE_INC), .group = "filter",
     .doc = "Comma-separated regular expressions of db.table names to capture"},
    {.name = "tableExcludeList", MB_ROW_FILTER(MB_TABLE_EXC), .group = "filter",
     .doc = "Comma-separated regular expressions of db.table names not to capture"},
    {.name = "columnIncludeList", MB_ROW_FILTER(MB_COL_INC), .group = "filter",
     .doc = "Comma-separated regular expressions of db.table.column names to keep in events"},
    {.name = "columnExcludeList", MB_ROW_FILTER(MB_COL_EXC), .group = "filter",
     .doc = "Comma-separated regular expressions of db.table.column names to drop from events"},
    {.name = "snapshotMode", MB_ROW_SNAPSHOT_MODE, .group = "consumer",
     .doc = "initial: snapshot once then stream; initial_only: snapshot then stop; no_data: stream from now; "
            "when_needed: snapshot again if the stored position was purged or is ahead of the server (RESET MASTER); "
            "never: stream from the oldest binlog; "
            "always: snapshot on every start"},
    {.name = "offsetStorage", MB_AT(offset_storage), .type = DROM_OPT_ENUM, .def = "file", .values = storages, .ints = mb_store_ints, .group = "offsets",
     .doc = "Where acknowledged positions are kept: a local file or a compacted Kafka topic"},
    {.name = "offsetStorageFileName", MB_ROW_OFFSET_FILE, .group = "offsets",
     .doc = "Offset file (default: one file per source under the state directory)"},
    {.name = "offsetStorageTopic", MB_ROW_OFFSET_TOPIC, .group = "offsets",
     .doc = "Compacted Kafka topic for offsets when offsetStorage=kafka"},
    {.name = "offsetStorageBrokers", MB_AT(offset_storage_brokers), .type = DROM_OPT_STRING, .group = "offsets",
     .doc = "Kafka bootstrap servers of offsetStorageTopic, host:port[,host:port...]"},
    MB_KAFKA_ROWS_CAMEL(kafka, "kafka", "the source's own Kafka clients (the offset store, the standby elector and "
                                        "the kafka signal channel)"),
    {.name = "offsetFlushIntervalMs", MB_AT(offset_flush_interval_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "offsets",
     .doc = "Longest time an acknowledged position waits before it is written (0: at every commit)"},
    {.name = "maxUncommittedEvents", MB_ROW_MAX_UNCOMMITTED, .group = "offsets"},
    {.name = "schemas", MB_AT(schemas), .type = DROM_OPT_BOOL, .def = "true", .group = "format",
     .doc = "Wrap key and value as Kafka Connect's JsonConverter does with schemas.enable=true: {\"schema\":...,\"payload\":...}"},
    {.name = "tombstonesOnDelete", MB_AT(tombstones_on_delete), .type = DROM_OPT_BOOL, .def = "true", .group = "format",
     .doc = "Follow each delete with a tombstone (null body, same key)"},
    {.name = "heartbeatIntervalMs", MB_AT(heartbeat_interval_ms), .type = DROM_OPT_DURATION, .def = "10000", .group = "consumer",
     .doc = "Server heartbeat period when the binlog is idle, so lag and position stay known (0: off)"},
    {.name = "connectorIdentity", MB_AT(connector_identity), .type = DROM_OPT_ENUM, .def = "auto", .values = identities, .group = "format",
     .doc = "source.connector and the source schema name: Debezium's MySQL or MariaDB connector (auto: the server's "
            "flavour, as Debezium 3 needs its MariaDB connector for MariaDB)"},
    {.name = "debeziumVersion", MB_AT(debezium_version), .type = DROM_OPT_STRING, .def = "3.6.1.Final", .group = "format",
     .doc = "source.version written in every event"},
    {.name = "decimalHandlingMode", MB_ROW_DECIMAL,
     .group = "format", .doc = "DECIMAL as Kafka Connect Decimal bytes, a double or a string"},
    {.name = "timePrecisionMode", MB_ROW_TIME,
     .group = "format", .doc = "Temporal types as Debezium's io.debezium.time types or Kafka Connect's"},
    {.name = "binaryHandlingMode", MB_ROW_BINARY,
     .group = "format", .doc = "BINARY/VARBINARY/BLOB as bytes (base64 in JSON) or as base64/hex strings"},
    {.name = "bigintUnsignedHandlingMode", MB_ROW_BIGINT,
     .group = "format", .doc = "BIGINT UNSIGNED as int64 (wrapping above 2^63-1) or as Decimal"},
    {.name = "maxQueueSize", MB_ROW_MAX_QUEUE, .group = "consumer",
     .doc = "Changes in flight (read, not yet delivered and stored): the route's window of exchanges; reading "
            "waits while it is full (Debezium's max.queue.size, whose default is 8192)"},
    {.name = "maxQueueSizeInBytes", MB_ROW_MAX_QUEUE_BYTES, .group = "consumer",
     .doc = "Bytes of change events in flight (past the source, not yet done), beside the route's window of "
            "exchanges; one larger event passes alone; 0: no limit"},
    {.name = "includeQuery", MB_ROW_INCLUDE_QUERY, .group = "format",
     .doc = "Put the statement text in source.query (needs binlog_annotate_row_events=ON on MariaDB)"},
    {.name = "provideTransactionMetadata", MB_ROW_TX_METADATA, .group = "format",
     .doc = "Fill the envelope's transaction block (id, total_order, data_collection_order)"},
    {.name = "skippedOperations", MB_ROW_SKIPPED, .group = "consumer",
     .doc = "Comma-separated operations not emitted: c, u, d, t (TRUNCATE TABLE: op t, null key, no row), or "
            "none; the default skips truncate events, as Debezium"},
    {.name = "messageKeyColumns", MB_ROW_KEY_COLUMNS, .group = "format",
     .doc = "Debezium's message.key.columns: keys from other columns, <db.table regex>:<column>[,<column>...] and "
            "more tables after ';' (a table without a primary key gets a key)"},
    {.name = "column.", MB_AT(column_mappers), .type = DROM_OPT_STRING, .flags = DROM_OPT_PREFIX, .group = "format",
     .doc = "Debezium's column mappers under their own names, each given regular expressions of db.table.column: "
            "column.mask.with.N.chars, column.mask.hash.<algorithm>.with.salt.<salt>, "
            "column.mask.hash.v2.<algorithm>.with.salt.<salt>, column.truncate.to.N.chars"},
    {.name = "columnPropagateSourceType", MB_ROW_COLUMN_SOURCE_TYPE,
     .group = "format",
     .doc = "Regular expressions of db.table.column whose schemas get __debezium.source.column.type, .length, "
            ".scale and .name parameters"},
    {.name = "datatypePropagateSourceType", MB_ROW_DATATYPE_SOURCE_TYPE,
     .group = "format", .doc = "The same for the columns whose db.table.TYPE (INT UNSIGNED, VARCHAR...) matches"},
    {.name = "eventProcessingFailureHandlingMode", MB_ROW_FAILURE(event_processing_failure_handling_mode),
     .group = "consumer",
     .doc = "A rows event that cannot be decoded: fail (the source stops on it, not ready, and retries), warn or "
            "skip (it is passed over with a warning in the log and NumberOfSkippedEvents; never silently)"},
    {.name = "inconsistentSchemaHandlingMode", MB_ROW_FAILURE(inconsistent_schema_handling_mode),
     .group = "consumer",
     .doc = "A rows event whose table is not known (no table map before it, or one without column names): fail, "
            "warn or skip, as eventProcessingFailureHandlingMode"},
    MB_STANDBY_OPTIONS,
    {.name = "signalDataCollection", MB_AT(signal_data_collection), .type = DROM_OPT_STRING, .group = "signals",
     .doc = "Signal table db.table (columns id, type, data; the user needs INSERT on it for the incremental "
            "snapshot's watermarks): rows inserted there are read from the binlog as signals"},
    {.name = "signalEnabledChannels", MB_AT(signal_enabled_channels), .type = DROM_OPT_STRING, .def = "source",
     .group = "signals", .doc = "Comma-separated signal channels read: source (the signal table), kafka "
                         "(signalKafkaTopic)"},
    {.name = "signalKafkaTopic", MB_AT(signal_kafka_topic), .type = DROM_OPT_STRING, .group = "signals",
     .doc = "Topic of the kafka signal channel: records keyed by the topicPrefix, {\"type\":...,\"data\":{...}}"},
    {.name = "signalKafkaBootstrapServers", MB_AT(signal_kafka_brokers), .type = DROM_OPT_STRING, .group = "signals",
     .doc = "Kafka bootstrap servers of signalKafkaTopic, host:port[,host:port...]"},
    MB_KAFKA_ROWS_CAMEL(signal_kafka, "signalKafka", "the kafka signal channel's consumer, over its kafka* "
                                                     "counterpart"),
    {.name = "incrementalSnapshotChunkSize", MB_AT(incremental_chunk_size), .type = DROM_OPT_INT, .def = "1024",
     .min = 1, .max = 1000000, .group = "signals",
     .doc = "Rows an incremental snapshot reads per chunk, in primary key order"},
    {.name = "readOnly", MB_AT(read_only), .type = DROM_OPT_BOOL, .def = "false", .group = "signals",
     .doc = "Incremental snapshots that write nothing (MariaDB; Debezium's read.only): each chunk is read in a "
            "consistent snapshot whose binlog position is its watermark; signals from the kafka channel"},
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_mysql_binlog = {
    .name = "mysql-binlog",
    .title = "Change events from a MySQL/MariaDB binlog, as Debezium's envelope",
    .options = options,
    MB_COMPONENT_CALLBACKS,
    .validate = mb_validate_binlog,
    .advise = mb_advise_binlog,
    .standby = mb_standby_binlog,
};
