#include "components/mysql-binlog/mb_config.h"
#include "components/mysql-binlog/mb_endpoint.h"

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

bool mb_config_is_signal_table(const struct mb_config *c, const char *db, const char *table)
{
    return c->signal_db && strcmp(c->signal_db, db) == 0 && strcmp(c->signal_table, table) == 0;
}

/* signalDataCollection "db.table", read only when the source channel is enabled. */
static void load_signals(struct mb_config *c, bool camel, const struct mb_options *o)
{
    c->inc_chunk = o->incremental_chunk_size > 0 ? o->incremental_chunk_size : 1024;
    /* Camel has no option of its own for Debezium's read.only: it passes it through additionalProperties */
    bool ro = false;
    c->read_only = camel ? mb_options_extra_bool(o, "read.only", &ro) == 0 && ro : o->read_only;
    const char *coll = o->signal_data_collection, *ch = o->signal_enabled_channels;
    if (ch && strstr(ch, "kafka") && o->signal_kafka_topic && o->signal_kafka_brokers) {
        c->signal_kafka_topic = drom_xstrdup(o->signal_kafka_topic);
        c->signal_kafka_brokers = drom_xstrdup(o->signal_kafka_brokers);
    }
    const char *dot = coll ? strchr(coll, '.') : NULL;
    if (!dot)
        return;
    /* read even without the source channel: the incremental snapshot's watermarks are its rows */
    c->signal_source = !ch || strstr(ch, "source") != NULL;
    c->signal_db = drom_xstrndup(coll, (size_t)(dot - coll));
    c->signal_table = drom_xstrdup(dot + 1);
}

static const char *const filter_names[MB_NFILTERS] = {
    [MB_DB_INC] = "databaseIncludeList", [MB_DB_EXC] = "databaseExcludeList", [MB_TABLE_INC] = "tableIncludeList",
    [MB_TABLE_EXC] = "tableExcludeList",  [MB_COL_INC] = "columnIncludeList",  [MB_COL_EXC] = "columnExcludeList"};

/* c is zeroed: on failure mb_config_free releases what was compiled. */
static int compile_filters(struct mb_config *c, const struct mb_options *o, struct drom_error *err)
{
    struct drom_regex_list *dst[MB_NFILTERS] = {&c->db_inc, &c->db_exc, &c->table_inc, &c->table_exc, &c->col_inc,
                                                &c->col_exc};
    for (int i = 0; i < MB_NFILTERS; i++)
        if (drom_regex_list_compile(dst[i], o->filters[i], err) < 0)
            return drom_err_prefix(err, "%s", filter_names[i]), -1;
    return 0;
}

static char *dup_nonempty(const char *v)
{
    return v && *v ? drom_xstrdup(v) : NULL;
}

/* Debezium's database.ssl.* under either scheme's names. debezium-mysql's
 * key store is one PEM file holding the client's certificate and key. */
static void load_tls(struct mb_config *c, bool camel, const struct mb_options *o)
{
    c->opt_mode = camel ? "databaseSslMode" : "sslMode";
    c->opt_ca = camel ? "databaseSslTruststore" : "sslCa";
    c->opt_cert = camel ? "databaseSslKeystore" : "sslCert";
    c->ssl_mode = o->ssl_mode >= 0 ? (enum mb_ssl_mode)o->ssl_mode : MB_SSL_PREFERRED;
    c->ssl_ca = dup_nonempty(o->ssl_ca);
    c->ssl_cert = dup_nonempty(o->ssl_cert);
    c->ssl_key = dup_nonempty(camel ? o->ssl_cert : o->ssl_key);
    c->ssl_key_password = dup_nonempty(o->ssl_key_password);
}

/* The properties of the Kafka clients this source opens (the elector
 * builds its own from the same options, before the source exists). */
static int load_kafka(struct mb_config *c, bool camel, const struct mb_options *o, struct drom_error *err)
{
    struct drom_kafka_security sec;
    mb_kafka_security(o, camel, false, &sec);
    if (c->offset_kafka && drom_kafka_props_build(&sec, &c->offset_props, err) < 0)
        return -1;
    mb_kafka_security(o, camel, true, &sec);
    if (c->signal_kafka_topic && drom_kafka_props_build(&sec, &c->signal_props, err) < 0)
        return -1;
    return 0;
}

int mb_config_load(struct mb_config *c, bool camel, const char *path, const struct mb_options *o,
                   struct drom_error *err)
{
    memset(c, 0, sizeof *c);
    c->camel = camel;
    c->name = drom_xstrdup(path && *path ? path : "mysql");
    c->host = drom_xstrdup(o->host);
    c->port = (unsigned)o->port;
    c->user = drom_xstrdup(o->user);
    c->password = drom_xstrdup(o->password);
    c->server_id = (uint32_t)o->server_id;
    load_tls(c, camel, o);
    c->connect_timeout_ms = o->connect_timeout_ms;
    /* debezium-mysql has no such options: a short cap, as for mysql-binlog */
    c->backoff_initial_ms = camel ? 1000 : o->backoff_initial_ms;
    c->backoff_max_ms = camel ? 5000 : o->backoff_max_ms;
    c->heartbeat_ms = o->heartbeat_interval_ms;
    c->flush_ms = o->offset_flush_interval_ms;
    c->max_inflight_bytes = o->max_queue_size_in_bytes;
    c->max_uncommitted = o->max_uncommitted_events;
    c->fmt.prefix = drom_xstrdup(o->topic_prefix ? o->topic_prefix : c->name);
    c->fmt.version = drom_xstrdup(camel ? "3.1.1.Final" : o->debezium_version);
    c->fmt.mariadb = !camel && o->connector_identity == MB_ID_MARIADB;
    c->identity_auto = !camel && o->connector_identity == MB_ID_AUTO;
    c->fmt.schemas = !camel && o->schemas;
    c->fmt.decimal = (enum mb_decimal_mode)o->decimal_handling_mode;
    c->fmt.binary = (enum mb_binary_mode)o->binary_handling_mode;
    c->fmt.time_connect = o->time_precision_mode == MB_TIME_CONNECT;
    c->fmt.bigint_precise = o->bigint_unsigned_handling_mode == MB_BIGINT_PRECISE;
    c->fmt.mappers = &c->mappers;
    c->snapshot = (enum mb_snapshot_mode)o->snapshot_mode;
    c->tombstones = o->tombstones_on_delete;
    c->on_failure = o->event_processing_failure_handling_mode > 0 ? (enum mb_failure_mode)o->event_processing_failure_handling_mode : MB_FAIL_FAIL;
    c->on_unknown_table = o->inconsistent_schema_handling_mode > 0 ? (enum mb_failure_mode)o->inconsistent_schema_handling_mode : MB_FAIL_FAIL;
    c->include_query = o->include_query;
    c->tx_metadata = o->provide_transaction_metadata;
    const char *skip = o->skipped_operations;
    if (skip && strcmp(skip, "none") != 0) {
        c->skip_c = strchr(skip, 'c') != NULL;
        c->skip_u = strchr(skip, 'u') != NULL;
        c->skip_d = strchr(skip, 'd') != NULL;
        c->skip_t = strchr(skip, 't') != NULL;
    }
    c->offset_file = drom_xstrdup(o->offset_storage_file_name);
    /* offsetStorage's values, as the backends are registered (components/registry.c) */
    static const char *const backends[] = {[MB_STORE_FILE] = "file", [MB_STORE_KAFKA] = "kafka"};
    c->offset_backend = backends[o->offset_storage];
    c->offset_kafka = o->offset_storage == MB_STORE_KAFKA;
    c->offset_topic = drom_xstrdup(o->offset_storage_topic);
    /* Camel passes Kafka Connect's own settings through additionalProperties */
    const char *brokers = camel ? mb_options_extra(o, "bootstrap.servers") : o->offset_storage_brokers;
    c->offset_brokers = brokers ? drom_xstrdup(brokers) : NULL;
    load_signals(c, camel, o);
    if (load_kafka(c, camel, o, err) < 0 || compile_filters(c, o, err) < 0 ||
        mb_options_mappers(o, camel, &c->mappers, err) < 0) {
        mb_config_free(c);
        return -1;
    }
    return 0;
}

void mb_config_free(struct mb_config *c)
{
    free(c->name);
    free(c->host);
    free(c->user);
    free(c->password);
    free(c->ssl_ca);
    free(c->ssl_cert);
    free(c->ssl_key);
    if (c->ssl_key_password) {
        memset(c->ssl_key_password, 0, strlen(c->ssl_key_password));
        free(c->ssl_key_password);
    }
    free((char *)c->fmt.prefix);
    free((char *)c->fmt.version);
    free(c->offset_file);
    free(c->offset_topic);
    free(c->offset_brokers);
    drom_kafka_props_free(&c->offset_props);
    drom_kafka_props_free(&c->signal_props);
    free(c->signal_db);
    free(c->signal_kafka_topic);
    free(c->signal_kafka_brokers);
    free(c->signal_table);
    struct drom_regex_list *all[6] = {&c->db_inc, &c->db_exc, &c->table_inc, &c->table_exc, &c->col_inc, &c->col_exc};
    for (int i = 0; i < 6; i++)
        drom_regex_list_free(all[i]);
    mb_mappers_free(&c->mappers);
    memset(c, 0, sizeof *c);
}

/* The route's window is maxQueueSize (mb_endpoint.h). */
void mb_consumer_settings(const struct drom_endpoint *ep, struct drom_consumer_settings *out)
{
    out->window = (size_t)((const struct mb_options *)ep->conf)->max_queue_size;
}
