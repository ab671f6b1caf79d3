#include "runtime/component.h"

#include "components/mysql-binlog/mb_endpoint.h"
#include "components/mysql-binlog/mb_options.h"

/* Our own scheme for the binlog source: Debezium's names in camelCase, its
 * defaults (tombstones on), and the whole envelope as the body. */
static const char *const snapshot_modes[] = MB_SNAPSHOT_MODES;
static const char *const storages[] = {"file", "kafka", NULL};
static const char *const identities[] = {"mysql", "mariadb", NULL};
static const char *const decimal_modes[] = {"precise", "double", "string", NULL};
static const char *const time_modes[] = {"adaptive_time_microseconds", "connect", NULL};
static const char *const binary_modes[] = {"bytes", "base64", "base64-url-safe", "hex", NULL};
static const char *const bigint_modes[] = {"long", "precise", NULL};

static const struct drom_option options[] = {
    {.name = "host", .type = DROM_OPT_STRING, .def = "127.0.0.1", .group = "connection",
     .doc = "MariaDB/MySQL server host name or address"},
    {.name = "port", .type = DROM_OPT_INT, .def = "3306", .min = 1, .max = 65535, .group = "connection",
     .doc = "Server port"},
    {.name = "user", .type = DROM_OPT_STRING, .flags = DROM_OPT_REQUIRED, .group = "connection",
     .doc = "User with SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT (BINLOG MONITOR)"},
    {.name = "password", .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "Password of user"},
    {.name = "serverId", .type = DROM_OPT_INT, .def = "5400", .min = 1, .max = 4294967295LL,
     .group = "connection",
     .doc = "Replica server id this source registers with; unique among the server's replicas"},
    {.name = "connectTimeoutMs", .type = DROM_OPT_DURATION, .def = "30000", .group = "connection",
     .doc = "Connect and read timeout towards the server"},
    {.name = "connectBackoffInitialDelayMs", .type = DROM_OPT_DURATION, .def = "1000", .group = "connection",
     .doc = "First wait before reconnecting after the server went away; doubles up to the maximum"},
    {.name = "connectBackoffMaxDelayMs", .type = DROM_OPT_DURATION, .def = "120000", .group = "connection",
     .doc = "Longest wait between reconnect attempts"},
    {.name = "topicPrefix", .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Logical server name: topics and schema names are topicPrefix.db.table (default: the endpoint name)"},
    {.name = "databaseIncludeList", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Comma-separated regular expressions (Java syntax; a comma inside one written \\,) of databases to capture (whole-name, case-insensitive match)"},
    {.name = "databaseExcludeList", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Comma-separated regular expressions of databases not to capture"},
    {.name = "tableIncludeList", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Comma-separated regular expressions of db.table names to capture"},
    {.name = "tableExcludeList", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Comma-separated regular expressions of db.table names not to capture"},
    {.name = "columnIncludeList", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Comma-separated regular expressions of db.table.column names to keep in events"},
    {.name = "columnExcludeList", .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Comma-separated regular expressions of db.table.column names to drop from events"},
    {.name = "snapshotMode", .type = DROM_OPT_ENUM, .def = "initial", .values = snapshot_modes, .group = "consumer",
     .doc = "initial: snapshot once then stream; initial_only: snapshot then stop; no_data: stream from now; "
            "when_needed: snapshot again if the stored position was purged or is ahead of the server (RESET MASTER); "
            "never: stream from the oldest binlog; "
            "always: snapshot on every start"},
    {.name = "offsetStorage", .type = DROM_OPT_ENUM, .def = "file", .values = storages, .group = "offsets",
     .doc = "Where acknowledged positions are kept: a local file or a compacted Kafka topic"},
    {.name = "offsetStorageFileName", .type = DROM_OPT_STRING, .group = "offsets",
     .doc = "Offset file (default: one file per source under the state directory)"},
    {.name = "offsetStorageTopic", .type = DROM_OPT_STRING, .group = "offsets",
     .doc = "Compacted Kafka topic for offsets when offsetStorage=kafka"},
    {.name = "offsetStorageBrokers", .type = DROM_OPT_STRING, .group = "offsets",
     .doc = "Kafka bootstrap servers of offsetStorageTopic, host:port[,host:port...]"},
    {.name = "offsetFlushIntervalMs", .type = DROM_OPT_DURATION, .def = "1000", .group = "offsets",
     .doc = "Longest time an acknowledged position waits before it is written (0: at every commit)"},
    {.name = "schemas", .type = DROM_OPT_BOOL, .def = "true", .group = "format",
     .doc = "Wrap key and value as Kafka Connect's JsonConverter does with schemas.enable=true: {\"schema\":...,\"payload\":...}"},
    {.name = "tombstonesOnDelete", .type = DROM_OPT_BOOL, .def = "true", .group = "format",
     .doc = "Follow each delete with a tombstone (null body, same key)"},
    {.name = "heartbeatIntervalMs", .type = DROM_OPT_DURATION, .def = "10000", .group = "consumer",
     .doc = "Server heartbeat period when the binlog is idle, so lag and position stay known (0: off)"},
    {.name = "connectorIdentity", .type = DROM_OPT_ENUM, .def = "mysql", .values = identities, .group = "format",
     .doc = "source.connector and the source schema name: Debezium's MySQL or MariaDB connector"},
    {.name = "debeziumVersion", .type = DROM_OPT_STRING, .def = "3.1.1.Final", .group = "format",
     .doc = "source.version written in every event"},
    {.name = "decimalHandlingMode", .type = DROM_OPT_ENUM, .def = "precise", .values = decimal_modes,
     .group = "format", .doc = "DECIMAL as Kafka Connect Decimal bytes, a double or a string"},
    {.name = "timePrecisionMode", .type = DROM_OPT_ENUM, .def = "adaptive_time_microseconds", .values = time_modes,
     .group = "format", .doc = "Temporal types as Debezium's io.debezium.time types or Kafka Connect's"},
    {.name = "binaryHandlingMode", .type = DROM_OPT_ENUM, .def = "bytes", .values = binary_modes,
     .group = "format", .doc = "BINARY/VARBINARY/BLOB as bytes (base64 in JSON) or as base64/hex strings"},
    {.name = "bigintUnsignedHandlingMode", .type = DROM_OPT_ENUM, .def = "long", .values = bigint_modes,
     .group = "format", .doc = "BIGINT UNSIGNED as int64 (wrapping above 2^63-1) or as Decimal"},
    {.name = "maxQueueSizeInBytes", .type = DROM_OPT_SIZE, .def = "64m", .group = "consumer",
     .doc = "Bytes of change events in flight (past the source, not yet done), beside the route's window of "
            "exchanges; one larger event passes alone; 0: no limit"},
    {.name = "includeQuery", .type = DROM_OPT_BOOL, .def = "false", .group = "format",
     .doc = "Put the statement text in source.query (needs binlog_annotate_row_events=ON on MariaDB)"},
    {.name = "provideTransactionMetadata", .type = DROM_OPT_BOOL, .def = "false", .group = "format",
     .doc = "Fill the envelope's transaction block (id, total_order, data_collection_order)"},
    {.name = "skippedOperations", .type = DROM_OPT_STRING, .def = "t", .group = "consumer",
     .doc = "Comma-separated operations not emitted: c, u, d, t (TRUNCATE TABLE: op t, null key, no row), or "
            "none; the default skips truncate events, as Debezium"},
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_mysql_binlog = {
    .name = "mysql-binlog",
    .title = "Change events from a MySQL/MariaDB binlog, as Debezium's envelope",
    .path_syntax = "name",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER,
    .options = options,
    .create = mb_create,
    .destroy = mb_destroy,
    .start = mb_start,
    .stop = mb_stop,
    .commit = mb_commit,
    .position_free = mb_position_free,
    .offset_location = mb_offset_location,
    .position_json = mb_position_json,
    .validate = mb_validate_binlog,
};
