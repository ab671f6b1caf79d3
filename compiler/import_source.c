/* dromc import: Debezium's MySQL/MariaDB source connector -> mysql-binlog:
 * and a kafka: producer. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_int.h"
#include "components/registry.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

#define SCHEME "mysql-binlog"

enum where { IN_URI, IN_PROPS };

/* Debezium's names (the current one first) -> mysql-binlog's option. A row
 * whose option the component lacks is reported, so a later option of the
 * component is picked up without touching this table. */
static const struct map {
    const char *keys[3];
    const char *opt;
    enum where where;
} maps[] = {
    {{"database.hostname"}, "host", IN_PROPS},
    {{"database.port"}, "port", IN_PROPS},
    {{"database.user"}, "user", IN_PROPS},
    {{"database.password"}, "password", IN_PROPS},
    {{"database.server.id"}, "serverId", IN_URI},
    {{"topic.prefix", "database.server.name"}, "topicPrefix", IN_URI},
    {{"database.include.list", "database.whitelist"}, "databaseIncludeList", IN_URI},
    {{"database.exclude.list", "database.blacklist"}, "databaseExcludeList", IN_URI},
    {{"table.include.list", "table.whitelist"}, "tableIncludeList", IN_URI},
    {{"table.exclude.list", "table.blacklist"}, "tableExcludeList", IN_URI},
    {{"column.include.list", "column.whitelist"}, "columnIncludeList", IN_URI},
    {{"column.exclude.list", "column.blacklist"}, "columnExcludeList", IN_URI},
    {{"snapshot.mode"}, "snapshotMode", IN_URI},
    {{"tombstones.on.delete"}, "tombstonesOnDelete", IN_URI},
    {{"decimal.handling.mode"}, "decimalHandlingMode", IN_URI},
    {{"time.precision.mode"}, "timePrecisionMode", IN_URI},
    {{"binary.handling.mode"}, "binaryHandlingMode", IN_URI},
    {{"bigint.unsigned.handling.mode"}, "bigintUnsignedHandlingMode", IN_URI},
    {{"include.query"}, "includeQuery", IN_URI},
    {{"provide.transaction.metadata"}, "provideTransactionMetadata", IN_URI},
    {{"skipped.operations"}, "skippedOperations", IN_URI},
    {{"heartbeat.interval.ms"}, "heartbeatIntervalMs", IN_URI},
    {{"connect.timeout.ms"}, "connectTimeoutMs", IN_URI},
    {{"max.queue.size"}, "maxQueueSize", IN_URI},
    {{"max.queue.size.in.bytes"}, "maxQueueSizeInBytes", IN_URI},
    {{"message.key.columns"}, "messageKeyColumns", IN_URI},
    {{"column.propagate.source.type"}, "columnPropagateSourceType", IN_URI},
    {{"datatype.propagate.source.type"}, "datatypePropagateSourceType", IN_URI},
    {{"event.processing.failure.handling.mode"}, "eventProcessingFailureHandlingMode", IN_URI},
    {{"inconsistent.schema.handling.mode"}, "inconsistentSchemaHandlingMode", IN_URI},
    {{"database.ssl.mode"}, "sslMode", IN_URI},
    {{"database.ssl.truststore"}, "sslTruststore", IN_PROPS},
    {{"database.ssl.truststore.password"}, "sslTruststorePassword", IN_PROPS},
    {{"database.ssl.keystore"}, "sslKeystore", IN_PROPS},
    {{"database.ssl.keystore.password"}, "sslKeystorePassword", IN_PROPS},
    {{"signal.data.collection"}, "signalDataCollection", IN_URI},
    {{"signal.enabled.channels"}, "signalEnabledChannels", IN_URI},
    {{"signal.kafka.topic"}, "signalKafkaTopic", IN_URI},
    {{"signal.kafka.bootstrap.servers"}, "signalKafkaBootstrapServers", IN_URI},
    /* Debezium's signal consumer takes its security from signal.consumer.* alone */
    {{"signal.consumer.security.protocol"}, "signalKafkaSecurityProtocol", IN_URI},
    {{"signal.consumer.sasl.mechanism"}, "signalKafkaSaslMechanism", IN_URI},
    {{"signal.consumer.sasl.jaas.config"}, "signalKafkaSaslJaasConfig", IN_URI},
    {{"signal.consumer.ssl.truststore.location"}, "signalKafkaSslTruststoreLocation", IN_URI},
    {{"signal.consumer.ssl.keystore.location"}, "signalKafkaSslKeystoreLocation", IN_URI},
    {{"signal.consumer.ssl.keystore.password"}, "signalKafkaSslKeystorePassword", IN_URI},
    {{"signal.consumer.ssl.key.password"}, "signalKafkaSslKeyPassword", IN_URI},
    {{"incremental.snapshot.chunk.size"}, "incrementalSnapshotChunkSize", IN_URI},
};

/* Options Debezium has that need no counterpart, with the reason. */
static const struct {
    const char *key, *why;
} known[] = {
    {"database.dbname", "Debezium's MySQL connector ignores it as well; databaseIncludeList selects the databases"},
    {"database.allowPublicKeyRetrieval", "a property of the JDBC driver, which is not used here"},
    {"include.schema.changes", "no schema change events are published: DDL only updates the table models"},
    {"database.history.kafka.topic", "no schema history is needed: column names and types come from the binlog's "
                                     "table maps (binlog_row_metadata=FULL)"},
};

bool imp_is_debezium(const char *cls)
{
    return strcmp(cls, "io.debezium.connector.mysql.MySqlConnector") == 0 ||
           strcmp(cls, "io.debezium.connector.mariadb.MariaDbConnector") == 0;
}

/* A list of literal db.table names (Debezium reads regular expressions; a
 * name with no metacharacter but '.' or "\\." is a literal). Arena copy with
 * "\\." undone, or NULL. */
static const char *literal_tables(struct imp *m, const char *list)
{
    if (!list || !*list || strstr(list, "{{"))
        return NULL;
    struct drom_buf b = DROM_BUF_INIT;
    for (const char *p = list; *p; p++) {
        if (p[0] == '\\' && p[1] == '.') {
            drom_buf_putc(&b, '.');
            p++;
        } else if (isalnum((unsigned char)*p) || strchr("_$.,", *p)) {
            drom_buf_putc(&b, *p == ' ' ? ',' : *p);
        } else if (*p != ' ') {
            drom_buf_free(&b);
            return NULL;
        }
    }
    char *s = drom_buf_detach(&b);
    const char *r = drom_arena_strdup(&m->a, s);
    free(s);
    return r;
}

static void add_uri(struct imp *m, struct drom_buf *uri, struct drom_buf *why, const char *opt, const char *value,
                    const char *from)
{
    drom_buf_printf(uri, "%s%s=%s", uri->len && strchr(drom_buf_cstr(uri), '?') ? "&amp;" : "?", opt,
                    imp_xml(m, imp_uri_value(m, value)));
    if (from)
        drom_buf_printf(why, "%s -> %s\n", from, opt);
}

static const char *merge_list(struct imp *m, const char *a, const char *b)
{
    if (!a || !*a)
        return b;
    if (!b || !*b)
        return a;
    return drom_arena_printf(&m->a, "%s,%s", a, b);
}

/* The converters: mysql-binlog writes JSON as JsonConverter does. */
static bool converters(struct imp *m, struct imp_conn *c)
{
    static const char json[] = "org.apache.kafka.connect.json.JsonConverter";
    bool schemas = imp_schemas_enable(m, c, "value");
    bool key_schemas = imp_schemas_enable(m, c, "key");
    const char *const which[] = {"value", "key"};
    for (int i = 0; i < 2; i++) {
        const char *conv = imp_converter(m, c, which[i]);
        if (strcmp(conv, json) == 0)
            continue;
        char key[40];
        snprintf(key, sizeof key, "%s.converter", which[i]);
        struct imp_conn *at = imp_find(c, key) ? c : &m->worker;
        imp_report(m, at, imp_find(at, key),
                   "%s: the %s is written as JSON, as JsonConverter writes it (schemas=%s), not in this "
                   "converter's form",
                   conv, which[i], schemas ? "true" : "false");
    }
    if (key_schemas != schemas) {
        struct imp_conn *at = imp_find(c, "key.converter.schemas.enable") ? c : &m->worker;
        struct imp_entry *e = imp_find(at, "key.converter.schemas.enable");
        if (e)
            imp_report(m, at, e, "key and value share one setting here (schemas=%s, the value's)",
                       schemas ? "true" : "false");
    }
    return schemas;
}

#define NMAPS (sizeof maps / sizeof *maps)

/* Each mapped setting's value as mysql-binlog takes it, or NULL (reported
 * when mysql-binlog has no such option or would refuse the value). */
static void read_values(struct imp *m, struct imp_conn *c, const struct drom_component *comp, const char **vals,
                        struct imp_entry **ents)
{
    for (size_t i = 0; i < NMAPS; i++) {
        struct imp_entry *e = imp_take_any(c, maps[i].keys);
        if (!e)
            continue;
        const struct drom_option *o = drom_option_find(comp->options, maps[i].opt);
        if (!o) {
            imp_report(m, c, e, "mysql-binlog has no option %s", maps[i].opt);
            continue;
        }
        const char *v = e->value;
        if (strcmp(maps[i].opt, "snapshotMode") == 0 && strcmp(v, "schema_only") == 0)
            v = "no_data";   /* Debezium 2.6 renamed it */
        struct drom_error verr = {0};
        if (!strstr(v, "${") && !(o->flags & DROM_OPT_SECRET) && drom_option_check(o, v, &verr) < 0) {
            imp_report(m, c, e, "the value is not one mysql-binlog's %s takes (%s)", maps[i].opt, verr.msg);
            continue;
        }
        ents[i] = e;
        vals[i] = v;
    }
}

/* The endpoint's options: literal ones in the uri, secrets and placeholders
 * through the properties file, the columns the transforms narrowed merged in. */
static void uri_options(struct imp *m, struct imp_conn *c, const struct drom_component *comp, const char **vals,
                        struct imp_entry **ents, struct imp_smt_ctx *x, struct drom_buf *uri, struct drom_buf *why)
{
    for (size_t i = 0; i < NMAPS; i++) {
        if (!vals[i])
            continue;
        const char *v = vals[i];
        if (strcmp(maps[i].opt, "columnExcludeList") == 0 && x->column_exclude)
            v = merge_list(m, v, x->column_exclude), x->column_exclude = NULL;
        if (strcmp(maps[i].opt, "columnIncludeList") == 0 && x->column_include)
            v = merge_list(m, v, x->column_include), x->column_include = NULL;
        const struct drom_option *o = drom_option_find(comp->options, maps[i].opt);
        bool secret = o->flags & DROM_OPT_SECRET;
        if (maps[i].where == IN_PROPS || secret || strstr(v, "${")) {
            const char *key = drom_arena_printf(&m->a, "%s.%s", c->name, ents[i]->key);
            const char *pv = imp_value(m, c, ents[i], secret);
            char cm[300];
            snprintf(cm, sizeof cm, "%s (%s:%d)", ents[i]->key, c->file, ents[i]->line);
            imp_prop(m, cm, key, pv);
            add_uri(m, uri, why, maps[i].opt, drom_arena_printf(&m->a, "{{%s}}", key), ents[i]->key);
        } else {
            add_uri(m, uri, why, maps[i].opt, v, ents[i]->key);
        }
    }
    /* Debezium's column mappers keep their names: N, the algorithm and the salt are part of them */
    for (size_t i = 0; i < c->n; i++) {
        struct imp_entry *e = &c->e[i];
        if (!e->used && (strncmp(e->key, "column.mask.", 12) == 0 || strncmp(e->key, "column.truncate.", 16) == 0)) {
            e->used = true;
            add_uri(m, uri, why, e->key, e->value, e->key);
        }
    }
    if (x->column_exclude)
        add_uri(m, uri, why, "columnExcludeList", x->column_exclude, "ReplaceField (see below)");
    if (x->column_include)
        add_uri(m, uri, why, "columnIncludeList", x->column_include, "ReplaceField (see below)");
}

int imp_debezium(struct imp *m, struct imp_conn *c, struct drom_error *err)
{
    const struct drom_component *comp = drom_registry_find(SCHEME);
    struct drom_buf uri = DROM_BUF_INIT, why = DROM_BUF_INIT;
    struct imp_route r = {0};
    imp_take(c, "connector.class");
    const char *tasks = imp_take(c, "tasks.max");
    if (tasks && strcmp(tasks, "1") != 0)
        imp_report(m, c, imp_find(c, "tasks.max"), "Debezium's MySQL connector runs one task whatever it says; so "
                                                    "does mysql-binlog");
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        struct imp_entry *e = imp_find(c, known[i].key);
        if (e && !e->used) {
            e->used = true;
            imp_report(m, c, e, "%s", known[i].why);
        }
    }
    bool schemas = converters(m, c);

    /* first the values, then the transforms (which may narrow the columns), then the uri */
    const char *vals[NMAPS] = {0};
    struct imp_entry *ents[NMAPS] = {0};
    read_values(m, c, comp, vals, ents);
    const char *prefix = NULL, *tables = NULL;
    for (size_t i = 0; i < NMAPS; i++) {
        if (vals[i] && strcmp(maps[i].opt, "topicPrefix") == 0)
            prefix = vals[i];
        else if (vals[i] && strcmp(maps[i].opt, "tableIncludeList") == 0)
            tables = literal_tables(m, vals[i]);
    }
    if (!prefix) {
        imp_report(m, c, NULL, "neither topic.prefix nor database.server.name is set: the topics are named after "
                               "the connector, %s.<database>.<table>", c->name);
        prefix = c->name;
    }
    struct imp_smt_ctx x = {
        .source = true,
        .topic = tables && !strchr(tables, ',') ? drom_arena_printf(&m->a, "%s.%s", prefix, tables) : NULL,
        .topic_header = "CamelDebeziumIdentifier",
        .schemas = schemas,
        .tables = tables,
    };
    int rc = imp_transforms(m, c, &r, &x, err);
    if (rc == 0) {
        drom_buf_printf(&uri, "%s:%s", SCHEME, imp_xml(m, c->name));
        drom_buf_printf(&m->props, "\n# connector %s (%s:%d): the database\n", c->name, c->file, c->line);
        if (strcmp(c->cls, "io.debezium.connector.mariadb.MariaDbConnector") == 0 &&
            drom_option_find(comp->options, "connectorIdentity"))
            add_uri(m, &uri, &why, "connectorIdentity", "mariadb", "connector.class MariaDbConnector");
        uri_options(m, c, comp, vals, ents, &x, &uri, &why);
        if (!schemas)
            add_uri(m, &uri, &why, "schemas", "false", "value.converter.schemas.enable");
        imp_report_rest(m, c);
        imp_brokers(m, c);
        const char *to;
        if (x.topic) {
            imp_step(m, &r, x.topic_note ? x.topic_note : "the topic Debezium would write: topicPrefix.database.table",
                     drom_arena_printf(&m->a, "<to uri=\"kafka:%s\"/>", imp_xml(m, x.topic)), false);
        } else {
            to = drom_arena_printf(&m->a, "<toD uri=\"kafka:${header.%s}\"/>", x.topic_header);
            imp_step(m, &r, "each table to its topic, topicPrefix.database.table, as Debezium names them", to, false);
        }
        char *from = drom_arena_printf(&m->a, "<from uri=\"%s\"/>", drom_buf_cstr(&uri));
        imp_write_route(m, c, why.len ? drom_buf_cstr(&why) : NULL, from, &r);
    }
    drom_buf_free(&uri);
    drom_buf_free(&why);
    free(r.s);
    return rc;
}
