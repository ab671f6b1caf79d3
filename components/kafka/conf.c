/* Camel's kafka options -> librdkafka properties, in one table, for the
 * producer and the consumer alike (the security options are in tls.c). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "components/kafka/kafka.h"
#include "runtime/log.h"

enum conv {
    C_STR,     /* as written */
    C_ENUM,    /* the value of an enum option, as its table spells it */
    C_MS,      /* a duration in milliseconds */
    C_INT,
    C_BOOL,
    C_KBYTES,  /* a size in kilobytes */
    C_BYTES,   /* a size in bytes */
};

/* The values of enum options that go to librdkafka as they are written
 * (kafka.c's table accepts these; their order is the enum's). */
const char *const kafka_acks[] = {"all", "-1", "0", "1", NULL};
const char *const kafka_codecs[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
const char *const kafka_isolation_levels[] = {"read_uncommitted", "read_committed", NULL};

enum { R_ALL = 3, R_PROD = 1 << KAFKA_PRODUCER, R_CONS = 1 << KAFKA_CONSUMER };

struct map {
    const char *opt;              /* for messages */
    size_t at;                    /* the field in struct kafka_conf */
    const char *prop;
    enum conv conv;
    unsigned roles;
    const char *const *values;    /* C_ENUM */
    size_t given_at;              /* offsetof + 1 of its given flag, for an integer without a default */
};

#define F(f) offsetof(struct kafka_conf, f)

/* Options set only when given keep librdkafka's own default otherwise; the
 * rest carry Camel's defaults from the option table. */
static const struct map maps[] = {
    {"brokers", F(brokers), "bootstrap.servers", C_STR, R_ALL, NULL, 0},
    {"clientId", F(client_id), "client.id", C_STR, R_ALL, NULL, 0},
    {"reconnectBackoffMaxMs", F(reconnect_backoff_max_ms), "reconnect.backoff.max.ms", C_MS, R_ALL, NULL, 0},
    {"retryBackoffMs", F(retry_backoff_ms), "retry.backoff.ms", C_MS, R_PROD, NULL, 0},
    {"saslKerberosServiceName", F(sasl_kerberos_service_name), "sasl.kerberos.service.name", C_STR, R_ALL, NULL, 0},

    {"groupId", F(group_id), "group.id", C_STR, R_CONS, NULL, 0},
    {"groupInstanceId", F(group_instance_id), "group.instance.id", C_STR, R_CONS, NULL, 0},
    {"maxPollIntervalMs", F(max_poll_interval_ms), "max.poll.interval.ms", C_MS, R_CONS, NULL, 0},
    {"sessionTimeoutMs", F(session_timeout_ms), "session.timeout.ms", C_MS, R_CONS, NULL, 0},
    {"heartbeatIntervalMs", F(heartbeat_interval_ms), "heartbeat.interval.ms", C_MS, R_CONS, NULL, 0},
    {"isolationLevel", F(isolation_level), "isolation.level", C_ENUM, R_CONS, kafka_isolation_levels, 0},
    {"fetchMinBytes", F(fetch_min_bytes), "fetch.min.bytes", C_BYTES, R_CONS, NULL, 0},
    {"fetchMaxBytes", F(fetch_max_bytes), "fetch.max.bytes", C_BYTES, R_CONS, NULL, 0},
    {"fetchWaitMaxMs", F(fetch_wait_max_ms), "fetch.wait.max.ms", C_MS, R_CONS, NULL, 0},
    {"maxPartitionFetchBytes", F(max_partition_fetch_bytes), "max.partition.fetch.bytes", C_BYTES, R_CONS, NULL, 0},
    {"checkCrcs", F(check_crcs), "check.crcs", C_BOOL, R_CONS, NULL, 0},

    {"requestRequiredAcks", F(request_required_acks), "acks", C_ENUM, R_PROD, kafka_acks, 0},
    {"enableIdempotence", F(enable_idempotence), "enable.idempotence", C_BOOL, R_PROD, NULL, 0},
    {"lingerMs", F(linger_ms), "linger.ms", C_MS, R_PROD, NULL, 0},
    {"producerBatchSize", F(producer_batch_size), "batch.size", C_BYTES, R_PROD, NULL, 0},
    {"compressionCodec", F(compression_codec), "compression.codec", C_ENUM, R_PROD, kafka_codecs, 0},
    {"deliveryTimeoutMs", F(delivery_timeout_ms), "message.timeout.ms", C_MS, R_PROD, NULL, 0},
    {"requestTimeoutMs", F(request_timeout_ms), "request.timeout.ms", C_MS, R_PROD, NULL, 0},
    {"retries", F(retries), "retries", C_INT, R_PROD, NULL, F(retries_given) + 1},
    {"maxInFlightRequest", F(max_in_flight_request), "max.in.flight.requests.per.connection", C_INT, R_PROD, NULL, 0},
    {"maxRequestSize", F(max_request_size), "message.max.bytes", C_BYTES, R_PROD, NULL, 0},
    {"bufferMemorySize", F(buffer_memory_size), "queue.buffering.max.kbytes", C_KBYTES, R_PROD, NULL, 0},
    {"queueBufferingMaxMessages", F(queue_buffering_max_messages), "queue.buffering.max.messages", C_INT, R_PROD,
     NULL, 0},
};

/* librdkafka properties that load code or run a program: a route file must
 * never be able to make dromd execute something. */
static const char *const refused[] = {
    "plugin.library.paths", "sasl.kerberos.kinit.cmd", "ssl.engine.location", "ssl.engine.id",
    "ssl.providers", "oauthbearer_token_refresh_cb", "ssl_engine_callback_data", NULL,
};

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

int kafka_conf_check_extra(const struct kafka_conf *o, struct drom_error *err)
{
    if (!o->additional_properties.n)
        return 0;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int rc = 0;
    for (size_t i = 0; i < o->additional_properties.n && rc == 0; i++)
        rc = kafka_conf_set_extra(conf, o->additional_properties.items[i].key, o->additional_properties.items[i].value,
                                  err);
    rd_kafka_conf_destroy(conf);
    return rc;
}

static int set_mapped(rd_kafka_conf_t *conf, const struct kafka_conf *o, const struct map *m,
                      struct drom_error *err)
{
    const char *field = (const char *)o + m->at;
    if (m->given_at && !((const char *)o)[m->given_at - 1])
        return 0;
    char val[1024];
    int64_t i;
    int e;
    const char *str;
    switch (m->conv) {
    case C_STR:
        memcpy(&str, field, sizeof str);
        if (!str || !*str)
            return 0;
        snprintf(val, sizeof val, "%s", str);
        break;
    case C_ENUM:
        memcpy(&e, field, sizeof e);
        if (e < 0)
            return 0;
        snprintf(val, sizeof val, "%s", m->values[e]);
        break;
    case C_BOOL:
        snprintf(val, sizeof val, "%s", *(const bool *)field ? "true" : "false");
        break;
    case C_MS:
    case C_INT:
    case C_BYTES:
    case C_KBYTES:
        memcpy(&i, field, sizeof i);
        snprintf(val, sizeof val, "%" PRId64, m->conv == C_KBYTES ? i / 1024 : i);
        break;
    }
    char why[512];
    if (rd_kafka_conf_set(conf, m->prop, val, why, sizeof why) != RD_KAFKA_CONF_OK)
        return drom_err(err, DROM_EINVAL, "option %s (%s): %s", m->opt, m->prop, why);
    return 0;
}

rd_kafka_conf_t *kafka_conf_build(const struct kafka_conf *o, enum kafka_role role, struct drom_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, kafka_conf_log_cb);
    unsigned bit = 1u << role;
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if ((maps[i].roles & bit) && set_mapped(conf, o, &maps[i], err) < 0)
            goto fail;
    if (kafka_conf_security(conf, o, err) < 0)
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
        static const char *const resets[] = {[KAFKA_RESET_EARLIEST] = "earliest", [KAFKA_RESET_LATEST] = "latest",
                                             [KAFKA_RESET_NONE] = "error"};
        if (o->auto_offset_reset >= 0 &&
            kafka_conf_set(conf, "auto.offset.reset", resets[o->auto_offset_reset], err) < 0)
            goto fail;
    }
    for (size_t i = 0; i < o->additional_properties.n; i++)
        if (kafka_conf_set_extra(conf, o->additional_properties.items[i].key, o->additional_properties.items[i].value,
                                 err) < 0)
            goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

rd_kafka_t *kafka_reader_new(rd_kafka_conf_t *conf, const char *group, const char *what, struct drom_error *err)
{
    /* A group id is needed to poll, though nothing joins the group or
     * commits: the partitions are assigned by hand. Records of aborted
     * transactions (a transactionalId producer) must not count. */
    if (kafka_conf_set(conf, "group.id", group, err) < 0 ||
        kafka_conf_set(conf, "enable.partition.eof", "true", err) < 0 ||
        kafka_conf_set(conf, "enable.auto.commit", "false", err) < 0 ||
        kafka_conf_set(conf, "isolation.level", "read_committed", err) < 0 ||
        /* the end of a partition is the point: a broker holding the fetch
         * open for more data (500 ms by default) only delays it */
        kafka_conf_set(conf, "fetch.wait.max.ms", "10", err) < 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        drom_err(err, DROM_EINVAL, "%s: %s", what, why);
    }
    return rk;
}

void kafka_conf_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    enum drom_log_level l = level <= 3 ? DROM_LOG_ERROR : level == 4 ? DROM_LOG_WARN
                            : level <= 6                            ? DROM_LOG_INFO
                                                                    : DROM_LOG_DEBUG;
    /* While a broker is down librdkafka says so at every reconnect. */
    drom_log_limited(l, "kafka", 60000, "%s: %s: %s", rk ? rd_kafka_name(rk) : "", fac, buf);
}
