/* Camel's kafka options -> librdkafka properties, in one table, for the
 * producer, the consumer and the offset store alike (the ssl* options are
 * in tls.c). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "components/kafka/kafka.h"
#include "runtime/log.h"

enum conv {
    C_STR,     /* as written */
    C_LOWER,   /* lower-cased (security.protocol) */
    C_MS,      /* a duration in milliseconds */
    C_INT,
    C_BOOL,
    C_KBYTES,  /* a size in kilobytes */
    C_BYTES,   /* a size in bytes */
};

enum { R_ALL = 3, R_PROD = 1 << KAFKA_PRODUCER, R_CONS = 1 << KAFKA_CONSUMER };

struct map {
    const char *opt;
    const char *prop;
    enum conv conv;
    unsigned roles;
};

/* Options set only when given keep librdkafka's own default otherwise; the
 * rest carry Camel's defaults from the option table. */
static const struct map maps[] = {
    {"brokers", "bootstrap.servers", C_STR, R_ALL},
    {"clientId", "client.id", C_STR, R_ALL},
    {"reconnectBackoffMaxMs", "reconnect.backoff.max.ms", C_MS, R_ALL},
    {"retryBackoffMs", "retry.backoff.ms", C_MS, R_PROD},
    {"securityProtocol", "security.protocol", C_LOWER, R_ALL},
    {"saslKerberosServiceName", "sasl.kerberos.service.name", C_STR, R_ALL},

    {"groupId", "group.id", C_STR, R_CONS},
    {"groupInstanceId", "group.instance.id", C_STR, R_CONS},
    {"maxPollIntervalMs", "max.poll.interval.ms", C_MS, R_CONS},
    {"sessionTimeoutMs", "session.timeout.ms", C_MS, R_CONS},
    {"heartbeatIntervalMs", "heartbeat.interval.ms", C_MS, R_CONS},
    {"isolationLevel", "isolation.level", C_STR, R_CONS},
    {"fetchMinBytes", "fetch.min.bytes", C_BYTES, R_CONS},
    {"fetchMaxBytes", "fetch.max.bytes", C_BYTES, R_CONS},
    {"fetchWaitMaxMs", "fetch.wait.max.ms", C_MS, R_CONS},
    {"maxPartitionFetchBytes", "max.partition.fetch.bytes", C_BYTES, R_CONS},
    {"checkCrcs", "check.crcs", C_BOOL, R_CONS},

    {"requestRequiredAcks", "acks", C_STR, R_PROD},
    {"enableIdempotence", "enable.idempotence", C_BOOL, R_PROD},
    {"lingerMs", "linger.ms", C_MS, R_PROD},
    {"producerBatchSize", "batch.size", C_BYTES, R_PROD},
    {"compressionCodec", "compression.codec", C_STR, R_PROD},
    {"deliveryTimeoutMs", "message.timeout.ms", C_MS, R_PROD},
    {"requestTimeoutMs", "request.timeout.ms", C_MS, R_PROD},
    {"retries", "retries", C_INT, R_PROD},
    {"maxInFlightRequest", "max.in.flight.requests.per.connection", C_INT, R_PROD},
    {"maxRequestSize", "message.max.bytes", C_BYTES, R_PROD},
    {"bufferMemorySize", "queue.buffering.max.kbytes", C_KBYTES, R_PROD},
    {"queueBufferingMaxMessages", "queue.buffering.max.messages", C_INT, R_PROD},
};

/* librdkafka properties that load code or run a program: a route file must
 * never be able to make dromd execute something. */
static const char *const refused[] = {
    "plugin.library.paths", "sasl.kerberos.kinit.cmd", "ssl.engine.location", "ssl.engine.id",
    "ssl.providers", "oauthbearer_token_refresh_cb", "ssl_engine_callback_data", NULL,
};

static const char prefix[] = "additionalProperties.";

int kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, struct drom_error *err)
{
    char why[512];
    if (rd_kafka_conf_set(conf, name, value, why, sizeof why) != RD_KAFKA_CONF_OK)
        return drom_err(err, DROM_EINVAL, "kafka property %s: %s", name, why);
    return 0;
}

int kafka_conf_set_extra(rd_kafka_conf_t *conf, const char *name, const char *value, struct drom_error *err)
{
    for (const char *const *r = refused; *r; r++)
        if (strcasecmp(name, *r) == 0)
            return drom_err(err, DROM_EINVAL,
                            "additionalProperties.%s is refused: it makes librdkafka load code or run a command",
                            name);
    char why[512];
    if (rd_kafka_conf_set(conf, name, value, why, sizeof why) != RD_KAFKA_CONF_OK)
        return drom_err(err, DROM_EINVAL, "additionalProperties.%s: %s", name, why);
    return 0;
}

static bool is_extra(const struct drom_optval *v)
{
    return v->opt && (v->opt->flags & DROM_OPT_PREFIX) && v->value &&
           strncmp(v->name, prefix, sizeof prefix - 1) == 0;
}

int kafka_conf_check_extra(const struct drom_optset *opts, struct drom_error *err)
{
    rd_kafka_conf_t *conf = NULL;
    int rc = 0;
    for (size_t i = 0; i < opts->n && rc == 0; i++) {
        if (!is_extra(&opts->items[i]))
            continue;
        if (!conf)
            conf = rd_kafka_conf_new();
        rc = kafka_conf_set_extra(conf, opts->items[i].name + sizeof prefix - 1, opts->items[i].value, err);
    }
    if (conf)
        rd_kafka_conf_destroy(conf);
    return rc;
}

static int set_mapped(rd_kafka_conf_t *conf, const struct drom_optset *opts, const struct map *m,
                      struct drom_error *err)
{
    const char *raw = drom_opt_str(opts, m->opt);
    if (!raw || !*raw)
        return 0;
    char val[1024];
    switch (m->conv) {
    case C_STR:
        snprintf(val, sizeof val, "%s", raw);
        break;
    case C_LOWER:
        snprintf(val, sizeof val, "%s", raw);
        for (char *c = val; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        break;
    case C_MS:
        snprintf(val, sizeof val, "%" PRId64, drom_opt_ms(opts, m->opt, 0));
        break;
    case C_INT:
        snprintf(val, sizeof val, "%" PRId64, drom_opt_int(opts, m->opt, 0));
        break;
    case C_BOOL:
        snprintf(val, sizeof val, "%s", drom_opt_bool(opts, m->opt, false) ? "true" : "false");
        break;
    case C_BYTES:
        snprintf(val, sizeof val, "%" PRId64, drom_opt_size(opts, m->opt, 0));
        break;
    case C_KBYTES:
        snprintf(val, sizeof val, "%" PRId64, drom_opt_size(opts, m->opt, 0) / 1024);
        break;
    }
    char why[512];
    if (rd_kafka_conf_set(conf, m->prop, val, why, sizeof why) != RD_KAFKA_CONF_OK)
        return drom_err(err, DROM_EINVAL, "option %s (%s): %s", m->opt, m->prop, why);
    return 0;
}

/* username="..." password="..." of a JAAS line (PLAIN and SCRAM login modules). */
static bool jaas_value(const char *jaas, const char *key, char *out, size_t size)
{
    size_t kl = strlen(key);
    for (const char *p = jaas; (p = strstr(p, key)) != NULL; p += kl) {
        if (p > jaas && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            continue;
        const char *q = p + kl;
        while (*q == ' ')
            q++;
        if (*q++ != '=')
            continue;
        while (*q == ' ')
            q++;
        if (*q++ != '"')
            continue;
        size_t n = 0;
        while (*q && *q != '"' && n + 1 < size)
            out[n++] = *q++;
        out[n] = '\0';
        return *q == '"';
    }
    return false;
}

static int set_security(rd_kafka_conf_t *conf, const struct drom_optset *opts, struct drom_error *err)
{
    const char *proto = drom_opt_str(opts, "securityProtocol");
    if (!proto || strncmp(proto, "SASL_", 5) != 0)
        return 0;
    const char *mech = drom_opt_str(opts, "saslMechanism");
    if (mech && kafka_conf_set(conf, "sasl.mechanism", mech, err) < 0)
        return -1;
    char user[512] = "", pass[512] = "";
    const char *jaas = drom_opt_str(opts, "saslJaasConfig");
    if (jaas) {
        jaas_value(jaas, "username", user, sizeof user);
        jaas_value(jaas, "password", pass, sizeof pass);
    }
    const char *u = drom_opt_str(opts, "saslUsername");
    const char *pw = drom_opt_str(opts, "saslPassword");
    if (u)
        snprintf(user, sizeof user, "%s", u);
    if (pw)
        snprintf(pass, sizeof pass, "%s", pw);
    if (user[0] && kafka_conf_set(conf, "sasl.username", user, err) < 0)
        return -1;
    /* The message would name the property, never the value. */
    if (pass[0] && kafka_conf_set(conf, "sasl.password", pass, err) < 0)
        return -1;
    return 0;
}

rd_kafka_conf_t *kafka_conf_build(const struct drom_optset *opts, enum kafka_role role, struct drom_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, kafka_conf_log_cb);
    unsigned bit = 1u << role;
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if ((maps[i].roles & bit) && set_mapped(conf, opts, &maps[i], err) < 0)
            goto fail;
    if (set_security(conf, opts, err) < 0 || kafka_conf_tls(conf, opts, err) < 0)
        goto fail;
    if (role == KAFKA_PRODUCER) {
        /* Java's partitioner, so a key lands in the partition Kafka Connect
         * and Debezium would choose. */
        if (kafka_conf_set(conf, "partitioner", "murmur2_random", err) < 0)
            goto fail;
    } else {
        /* Offsets move only with the engine's watermark (commit.c). */
        if (kafka_conf_set(conf, "enable.auto.commit", "false", err) < 0 ||
            kafka_conf_set(conf, "enable.auto.offset.store", "false", err) < 0)
            goto fail;
        /* librdkafka pre-fetches up to 100,000 records or 64 MB a partition
         * by default; the engine holds at most a window of records anyway,
         * so 10,000 or 4 MB keep the fetcher ahead without making a backlog
         * the process's size. additionalProperties.queued.* override them. */
        if (kafka_conf_set(conf, "queued.max.messages.kbytes", "4096", err) < 0 ||
            kafka_conf_set(conf, "queued.min.messages", "10000", err) < 0)
            goto fail;
        const char *reset = drom_opt_str(opts, "autoOffsetReset");
        if (reset && kafka_conf_set(conf, "auto.offset.reset", strcmp(reset, "none") == 0 ? "error" : reset, err) < 0)
            goto fail;
    }
    for (size_t i = 0; i < opts->n; i++)
        if (is_extra(&opts->items[i]) &&
            kafka_conf_set_extra(conf, opts->items[i].name + sizeof prefix - 1, opts->items[i].value, err) < 0)
            goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

void kafka_conf_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    enum drom_log_level l = level <= 3 ? DROM_LOG_ERROR : level == 4 ? DROM_LOG_WARN
                            : level <= 6                            ? DROM_LOG_INFO
                                                                    : DROM_LOG_DEBUG;
    drom_log(l, "kafka", "%s: %s: %s", rk ? rd_kafka_name(rk) : "", fac, buf);
}
