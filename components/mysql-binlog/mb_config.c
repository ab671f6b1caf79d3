#include "components/mysql-binlog/mb_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/buf.h"
#include "runtime/xalloc.h"

static bool passes(const struct drom_regex_list *inc, const struct drom_regex_list *exc, const char *s)
{
    if (inc->n)
        return drom_regex_list_any(inc, s);
    return !drom_regex_list_any(exc, s);
}

bool mb_config_wants_table(const struct mb_config *c, const char *db, const char *table)
{
    static const char *const system[] = {"mysql", "information_schema", "performance_schema", "sys", NULL};
    for (const char *const *s = system; *s; s++)
        if (strcasecmp(db, *s) == 0)
            return false;
    if (!passes(&c->db_inc, &c->db_exc, db))
        return false;
    char name[512];
    snprintf(name, sizeof name, "%s.%s", db, table);
    return passes(&c->table_inc, &c->table_exc, name);
}

bool mb_config_has_column_filter(const struct mb_config *c)
{
    return c->col_inc.n || c->col_exc.n;
}

bool mb_config_wants_column(const struct mb_config *c, const char *db, const char *table, const char *column)
{
    if (!mb_config_has_column_filter(c))
        return true;
    char name[768];
    snprintf(name, sizeof name, "%s.%s.%s", db, table, column ? column : "");
    return passes(&c->col_inc, &c->col_exc, name);
}

static char *dup_opt(const struct drom_optset *o, const char *name)
{
    return drom_xstrdup(drom_opt_str(o, name));
}

int mb_config_load(struct mb_config *c, bool camel, const char *path, const struct drom_optset *o,
                   struct drom_error *err)
{
    memset(c, 0, sizeof *c);
    c->camel = camel;
    c->name = drom_xstrdup(path && *path ? path : "mysql");
    c->host = dup_opt(o, camel ? "databaseHostname" : "host");
    c->port = (unsigned)drom_opt_int(o, camel ? "databasePort" : "port", 3306);
    c->user = dup_opt(o, camel ? "databaseUser" : "user");
    c->password = dup_opt(o, camel ? "databasePassword" : "password");
    c->server_id = (uint32_t)drom_opt_int(o, camel ? "databaseServerId" : "serverId", 5400);
    c->connect_timeout_ms = drom_opt_ms(o, "connectTimeoutMs", 30000);
    c->backoff_initial_ms = camel ? 1000 : drom_opt_ms(o, "connectBackoffInitialDelayMs", 1000);
    c->backoff_max_ms = camel ? 120000 : drom_opt_ms(o, "connectBackoffMaxDelayMs", 120000);
    c->heartbeat_ms = drom_opt_ms(o, "heartbeatIntervalMs", 0);
    c->flush_ms = drom_opt_ms(o, "offsetFlushIntervalMs", 1000);
    c->max_inflight_bytes = drom_opt_size(o, "maxQueueSizeInBytes", 64 << 20);
    const char *prefix = drom_opt_str(o, "topicPrefix");
    c->fmt.prefix = drom_xstrdup(prefix ? prefix : c->name);
    c->fmt.version = drom_xstrdup(camel ? "3.1.1.Final" : drom_opt_str(o, "debeziumVersion"));
    c->fmt.mariadb = !camel && strcmp(drom_opt_str(o, "connectorIdentity"), "mariadb") == 0;
    c->fmt.schemas = !camel && drom_opt_bool(o, "schemas", true);
    const char *dec = drom_opt_str(o, "decimalHandlingMode");
    c->fmt.decimal = strcmp(dec, "double") == 0 ? MB_DEC_DOUBLE : strcmp(dec, "string") == 0 ? MB_DEC_STRING
                                                                                             : MB_DEC_PRECISE;
    const char *bin = drom_opt_str(o, "binaryHandlingMode");
    c->fmt.binary = strcmp(bin, "base64") == 0 ? MB_BIN_BASE64 : strcmp(bin, "base64-url-safe") == 0 ? MB_BIN_BASE64_URL
                    : strcmp(bin, "hex") == 0 ? MB_BIN_HEX : MB_BIN_BYTES;
    c->fmt.time_connect = strcmp(drom_opt_str(o, "timePrecisionMode"), "connect") == 0;
    c->fmt.bigint_precise = strcmp(drom_opt_str(o, "bigintUnsignedHandlingMode"), "precise") == 0;
    const char *snap = drom_opt_str(o, "snapshotMode");
    c->snapshot = strcmp(snap, "initial_only") == 0 ? MB_SNAP_INITIAL_ONLY
                  : strcmp(snap, "no_data") == 0 || strcmp(snap, "schema_only") == 0 ? MB_SNAP_NO_DATA
                  : strcmp(snap, "when_needed") == 0 ? MB_SNAP_WHEN_NEEDED
                  : strcmp(snap, "never") == 0 ? MB_SNAP_NEVER
                  : strcmp(snap, "always") == 0 ? MB_SNAP_ALWAYS : MB_SNAP_INITIAL;
    c->tombstones = drom_opt_bool(o, "tombstonesOnDelete", !camel);
    c->include_query = drom_opt_bool(o, "includeQuery", false);
    c->tx_metadata = drom_opt_bool(o, "provideTransactionMetadata", false);
    const char *skip = drom_opt_str(o, "skippedOperations");
    if (skip && strcmp(skip, "none") != 0) {
        c->skip_c = strchr(skip, 'c') != NULL;
        c->skip_u = strchr(skip, 'u') != NULL;
        c->skip_d = strchr(skip, 'd') != NULL;
        c->skip_t = strchr(skip, 't') != NULL;
    }
    c->offset_file = dup_opt(o, "offsetStorageFileName");
    const char *storage = drom_opt_str(o, "offsetStorage");
    c->offset_kafka = storage && (strcmp(storage, "kafka") == 0 || strstr(storage, "KafkaOffsetBackingStore"));
    c->offset_topic = dup_opt(o, "offsetStorageTopic");
    /* Camel passes Kafka Connect's own settings through additionalProperties */
    const char *brokers = camel ? "additionalProperties.bootstrap.servers" : "offsetStorageBrokers";
    c->offset_brokers = drom_opt_given(o, brokers) ? dup_opt(o, brokers) : NULL;
    static const char *const lists[6][2] = {
        {"databaseIncludeList", "databaseIncludeList"}, {"databaseExcludeList", "databaseExcludeList"},
        {"tableIncludeList", "tableIncludeList"}, {"tableExcludeList", "tableExcludeList"},
        {"columnIncludeList", "columnIncludeList"}, {"columnExcludeList", "columnExcludeList"}};
    struct drom_regex_list *dst[6] = {&c->db_inc, &c->db_exc, &c->table_inc, &c->table_exc, &c->col_inc, &c->col_exc};
    for (int i = 0; i < 6; i++)
        if (drom_regex_list_compile(dst[i], drom_opt_str(o, lists[i][camel]), err)) {
            drom_err_prefix(err, "%s", lists[i][camel]);
            mb_config_free(c);
            return -1;
        }
    if (!c->user)
        c->user = drom_xstrdup("root");
    return 0;
}

void mb_config_free(struct mb_config *c)
{
    free(c->name);
    free(c->host);
    free(c->user);
    free(c->password);
    free((char *)c->fmt.prefix);
    free((char *)c->fmt.version);
    free(c->offset_file);
    free(c->offset_topic);
    free(c->offset_brokers);
    struct drom_regex_list *all[6] = {&c->db_inc, &c->db_exc, &c->table_inc, &c->table_exc, &c->col_inc, &c->col_exc};
    for (int i = 0; i < 6; i++)
        drom_regex_list_free(all[i]);
    memset(c, 0, sizeof *c);
}
