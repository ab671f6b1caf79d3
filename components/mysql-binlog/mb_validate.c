#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_mapper.h"
#include "components/mysql-binlog/mb_options.h"
#include "components/mysql-binlog/mb_tls.h"
#include "runtime/regex.h"
#include "runtime/tls_files.h"

#define FILE_STORE "org.apache.kafka.connect.storage.FileOffsetBackingStore"
#define KAFKA_STORE "org.apache.kafka.connect.storage.KafkaOffsetBackingStore"

const char *mb_options_extra(const struct mb_options *o, const char *key)
{
    for (size_t i = 0; i < o->additional_properties.n; i++)
        if (strcmp(o->additional_properties.items[i].key, key) == 0)
            return o->additional_properties.items[i].value;
    return NULL;
}

int mb_options_extra_bool(const struct mb_options *o, const char *key, bool *out)
{
    const char *v = mb_options_extra(o, key);
    if (!v)
        return 1;
    if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
        return -1;
    *out = strcasecmp(v, "true") == 0;
    return 0;
}

static int check_ops(const char *ops, struct drom_error *err)
{
    if (!ops || strcmp(ops, "none") == 0)
        return 0;
    for (const char *p = ops; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        if (!strchr("cudt", *p) || (p[1] && p[1] != ',' && p[1] != ' '))
            return drom_err(err, DROM_EINVAL,
                            "skippedOperations: expected a comma-separated list of c, u, d, t or 'none', got '%s'",
                            ops);
        p++;
    }
    return 0;
}

/* Compiles one list as the source will, so a bad pattern is refused here. */
static int check_regexes(const char *list, const char *name, struct drom_error *err)
{
    struct drom_regex_list l;
    if (drom_regex_list_compile(&l, list, err) < 0)
        return drom_err_prefix(err, "%s", name), -1;
    drom_regex_list_free(&l);
    return 0;
}

/* Debezium refuses an include list and an exclude list of the same kind. */
static int check_lists(const struct mb_options *o, struct drom_error *err)
{
    static const char *const kinds[] = {"database", "table", "column"};
    for (int k = 0; k < 3; k++) {
        const char *inc = o->filters[2 * k], *exc = o->filters[2 * k + 1];
        char inc_name[64], exc_name[64];
        snprintf(inc_name, sizeof inc_name, "%sIncludeList", kinds[k]);
        snprintf(exc_name, sizeof exc_name, "%sExcludeList", kinds[k]);
        if (inc && exc)
            return drom_err(err, DROM_EINVAL, "%s and %s cannot be used together: give one of them", inc_name,
                            exc_name);
        if (check_regexes(inc, inc_name, err) < 0 || check_regexes(exc, exc_name, err) < 0)
            return -1;
    }
    return 0;
}

/* The mapper options compiled as the source will, so a bad one is refused here. */
static int check_mappers(const struct mb_options *o, bool camel, struct drom_error *err)
{
    struct mb_mappers m;
    if (mb_options_mappers(o, camel, &m, err) < 0)
        return -1;
    mb_mappers_free(&m);
    return 0;
}

/* The standby replicas resume from each other's positions, which a file on
 * one machine cannot give them. */
static int check_standby(const struct mb_options *o, bool camel, struct drom_error *err)
{
    if (!o->standby)
        return 0;
    if (o->offset_storage != MB_STORE_KAFKA)
        return drom_err(err, DROM_EINVAL,
                        "standby: the replicas resume from each other's offsets, which a file on one machine "
                        "cannot hold; set offsetStorage=%s with offsetStorageTopic and %s",
                        camel ? KAFKA_STORE : "kafka",
                        camel ? "additionalProperties.bootstrap.servers" : "offsetStorageBrokers");
    if (!o->standby_group_id)
        return drom_err(err, DROM_EINVAL,
                        "standbyGroupId must be set since standby is true: the Kafka group of the replicas that "
                        "share this source (one group per source)");
    return 0;
}

/* The elector speaks to the offset store's brokers as the store does. */
static bool standby(const struct mb_options *o, bool camel, struct drom_standby_config *out)
{
    if (!o->standby || o->offset_storage != MB_STORE_KAFKA || !o->standby_group_id)
        return false;
    const char *brokers = camel ? mb_options_extra(o, "bootstrap.servers") : o->offset_storage_brokers;
    if (!brokers)
        return false;
    *out = (struct drom_standby_config){.brokers = brokers, .topic = o->standby_topic, .group_id = o->standby_group_id,
                                        .session_timeout_ms = o->standby_session_timeout_ms,
                                        .heartbeat_interval_ms = o->standby_heartbeat_interval_ms};
    mb_kafka_security(o, camel, false, &out->security);
    return true;
}

bool mb_standby_binlog(const void *conf, struct drom_standby_config *out)
{
    return standby(conf, false, out);
}

bool mb_standby_debezium(const void *conf, struct drom_standby_config *out)
{
    return standby(conf, true, out);
}

/* signalDataCollection is db.table; the channels are ones this source reads. */
static int check_signals(const struct mb_options *o, const char *coll_name, struct drom_error *err)
{
    const char *c = o->signal_data_collection;
    const char *dot = c ? strchr(c, '.') : NULL;
    if (c && (!dot || dot == c || !dot[1] || strchr(dot + 1, '.')))
        return drom_err(err, DROM_EINVAL, "%s '%s' is not of the form database.table", coll_name, c);
    const char *ch = o->signal_enabled_channels;
    while (ch && *ch) {
        size_t n = strcspn(ch, ",");
        while (n && (*ch == ' '))
            ch++, n--;
        bool kafka = n == 5 && strncmp(ch, "kafka", 5) == 0;
        if (n && !kafka && !(n == 6 && strncmp(ch, "source", 6) == 0))
            return drom_err(err, DROM_EINVAL, "signal channel '%.*s' is not supported (source and kafka are)", (int)n,
                            ch);
        if (kafka && (!o->signal_kafka_topic || !o->signal_kafka_brokers))
            return drom_err(err, DROM_EINVAL, "the signal channel kafka needs signalKafkaTopic and "
                            "signalKafkaBootstrapServers");
        ch += n;
        if (*ch == ',')
            ch++;
    }
    return 0;
}

int mb_validate_binlog(const char *path, const void *conf, unsigned role, struct drom_error *err)
{
    const struct mb_options *o = conf;
    if (o->offset_storage == MB_STORE_KAFKA && !o->offset_storage_topic)
        return drom_err(err, DROM_EINVAL, "offsetStorageTopic must be set since offsetStorage is 'kafka'");
    if (o->offset_storage == MB_STORE_KAFKA && !o->offset_storage_brokers)
        return drom_err(err, DROM_EINVAL, "offsetStorageBrokers must be set since offsetStorage is 'kafka'");
    if (check_standby(o, false, err) || check_lists(o, err) || mb_tls_validate(o, false, err) ||
        mb_kafka_validate(o, false, err) || check_mappers(o, false, err) ||
        check_signals(o, "signalDataCollection", err))
        return -1;
    return check_ops(o->skipped_operations, err);
}

/* Camel's own messages, so a route that fails in Camel fails here the same way. */
int mb_validate_debezium(const char *path, const void *conf, unsigned role, struct drom_error *err)
{
    const struct mb_options *o = conf;
    if (o->offset_storage == MB_STORE_FILE && !o->offset_storage_file_name)
        return drom_err(err, DROM_EINVAL,
                        "Required field 'offsetStorageFileName' must be set since 'offsetStorage' is set to '%s'",
                        FILE_STORE);
    if (o->offset_storage == MB_STORE_KAFKA && !o->offset_storage_topic)
        return drom_err(err, DROM_EINVAL,
                        "Required field 'offsetStorageTopic' must be set since 'offsetStorage' is set to '%s'",
                        KAFKA_STORE);
    if (o->offset_storage == MB_STORE_KAFKA && !mb_options_extra(o, "bootstrap.servers"))
        return drom_err(err, DROM_EINVAL,
                        "Required field 'additionalProperties.bootstrap.servers' must be set since 'offsetStorage' is "
                        "set to '%s'", KAFKA_STORE);
    bool ro;
    if (mb_options_extra_bool(o, "read.only", &ro) < 0)
        return drom_err(err, DROM_EINVAL, "Invalid value %s for configuration read.only "
                        "(additionalProperties.read.only): Expected value to be either true or false",
                        mb_options_extra(o, "read.only"));
    if (check_standby(o, true, err) || check_lists(o, err) || mb_tls_validate(o, true, err) ||
        mb_kafka_validate(o, true, err) || check_mappers(o, true, err) ||
        check_signals(o, "signalDataCollection", err))
        return -1;
    return check_ops(o->skipped_operations, err);
}

/* The database's TLS turned off, or a Kafka client's SASL PLAIN password
 * in clear text, towards another machine. */
static void advise(const struct mb_options *o, bool camel, char *warning, size_t size)
{
    warning[0] = '\0';
    if (o->ssl_mode == MB_SSL_DISABLED && !drom_host_is_loopback(o->host)) {
        snprintf(warning, size,
                 "%s=disabled: the login and every change read from %s travel unencrypted; use preferred or "
                 "stronger", camel ? "databaseSslMode" : "sslMode", o->host);
        return;
    }
    struct drom_kafka_security k;
    const char *brokers = camel ? mb_options_extra(o, "bootstrap.servers") : o->offset_storage_brokers;
    mb_kafka_security(o, camel, false, &k);
    if (brokers && o->offset_storage == MB_STORE_KAFKA)
        drom_kafka_security_advise(&k, brokers, warning, size);
    mb_kafka_security(o, camel, true, &k);
    if (!warning[0] && o->signal_kafka_topic && o->signal_kafka_brokers)
        drom_kafka_security_advise(&k, o->signal_kafka_brokers, warning, size);
}

void mb_advise_binlog(const char *path, const void *conf, char *warning, size_t size)
{
    advise(conf, false, warning, size);
}

void mb_advise_debezium(const char *path, const void *conf, char *warning, size_t size)
{
    advise(conf, true, warning, size);
}
