/* Internal to components/kafka: what the files of the kafka component share.
 *
 *   kafka.c        the option table, the compile-time check, the component struct
 *   conf.c         one place that turns an endpoint's options into an rd_kafka_conf_t
 *   tls.c          the security options (TLS files, SASL) for conf.c, through runtime/kafka_security.h
 *   headers.c      exchange headers <-> record headers (Camel's header filter)
 *   health.c       readiness and consumer lag from librdkafka's errors and statistics
 *   record.c       exchange -> record, delivery report -> exchange, counters (both producers)
 *   producer.c     asynchronous producer: produce() answers PENDING, delivery reports complete
 *   txn.c          transactional producer (transactionalId): batches committed with the source's offset
 *   consumer.c     group consumer threads feeding the route
 *   held.c         the partitions the consumer holds, told to the engine at each rebalance
 *   commit.c       the consumer's per-partition watermark and offset commits
 *   offset_kafka.c the offset store on a compacted topic (runtime/offset_store.h)
 *   produced.c     the newest event ids a producer's topic holds, for a source's start check
 *
 * Threads: create/destroy/start/stop/produce/commit run on the engine thread
 * (runtime/component.h); each producer has one poll thread serving delivery
 * reports, each consumer one thread per consumersCount. */
#ifndef DROM_COMPONENTS_KAFKA_H
#define DROM_COMPONENTS_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/component.h"
#include "runtime/exchange.h"
#include "runtime/kafka_security.h"
#include "runtime/offset_store.h"

enum kafka_role { KAFKA_PRODUCER, KAFKA_CONSUMER };

/* --- kafka.c: the endpoint's options (ep->conf), filled from its table --- */

enum kafka_offset_reset { KAFKA_RESET_EARLIEST, KAFKA_RESET_LATEST, KAFKA_RESET_NONE };
enum kafka_seek { KAFKA_SEEK_BEGINNING, KAFKA_SEEK_END };
/* conf.c: the values of the enum options it hands to librdkafka, by enum
 * value (securityProtocol's are drom_kafka_protocols). */
extern const char *const kafka_acks[], *const kafka_codecs[], *const kafka_isolation_levels[];

struct kafka_conf {
    const char *brokers, *client_id, *group_id, *group_instance_id, *key, *transactional_id;
    const char *sasl_mechanism, *sasl_jaas_config, *sasl_username, *sasl_password, *sasl_kerberos_service_name;
    const char *ssl_truststore_location, *ssl_keystore_location, *ssl_keystore_password, *ssl_key_password;
    const char *ssl_endpoint_algorithm, *ssl_cipher_suites;
    struct drom_optpairs additional_properties;
    int64_t reconnect_backoff_max_ms, shutdown_timeout_ms, retry_backoff_ms, retry_backoff_max_ms;
    int64_t auto_commit_interval_ms, max_poll_records, max_poll_interval_ms, poll_timeout_ms;
    int64_t session_timeout_ms, heartbeat_interval_ms, consumers_count, fetch_min_bytes, fetch_max_bytes;
    int64_t fetch_wait_max_ms, max_partition_fetch_bytes, commit_timeout_ms, partition_key, linger_ms;
    int64_t producer_batch_size, delivery_timeout_ms, request_timeout_ms, retries, max_in_flight_request;
    int64_t max_request_size, max_block_ms, buffer_memory_size, queue_buffering_max_messages;
    int64_t transaction_batch_size, transaction_linger_ms;
    bool auto_commit_enable, break_on_first_error, topic_is_pattern, check_crcs, enable_idempotence;
    bool record_metadata, partition_key_given, retries_given;
    int auto_offset_reset;       /* enum kafka_offset_reset */
    int seek_to;                 /* enum kafka_seek, -1 when unset */
    int security_protocol;       /* enum drom_kafka_protocol */
    int isolation_level, request_required_acks, compression_codec, poll_on_error;   /* index in their lists */
};

/* --- conf.c --- */

/* Refuses properties that load code or run a command; else hands the
 * property to librdkafka. err names the property as additionalProperties.X. */
int kafka_conf_set_extra(rd_kafka_conf_t *conf, const char *name, const char *value, struct drom_error *err);
/* Checks every additionalProperties.* on a scratch configuration. */
int kafka_conf_check_extra(const struct kafka_conf *o, struct drom_error *err);
/* The whole configuration of one client from the endpoint's options:
 * common and security options, the role's own, then additionalProperties.*
 * (which override). Owned by the caller (or by rd_kafka_new once passed). */
rd_kafka_conf_t *kafka_conf_build(const struct kafka_conf *o, enum kafka_role role, struct drom_error *err);
/* A consumer that reads partitions assigned by hand to their end (EOF
 * events), committed records only, in no group; takes `conf` (destroyed on
 * failure). `what` names it in the error. */
rd_kafka_t *kafka_reader_new(rd_kafka_conf_t *conf, const char *group, const char *what, struct drom_error *err);
/* tls.c: the security options (securityProtocol, sasl*, ssl*) into
 * `conf`: for SSL and SASL_SSL the CA certificates as PEM and the client's
 * certificate as PEM or PKCS#12 (a Java key store is refused with how to
 * convert it), for SASL the mechanism and the user name and password. */
int kafka_conf_security(rd_kafka_conf_t *conf, const struct kafka_conf *o, struct drom_error *err);
/* The compile-time checks of the same options (files, offline; SASL
 * credentials), and the warning for a SASL PLAIN password in clear text to
 * another machine. */
int kafka_security_validate(const struct kafka_conf *o, struct drom_error *err);
void kafka_advise(const char *path, const void *conf, char *warning, size_t size);
/* Sets one property, err naming it. Inline so that conf.c and tls.c share
 * it without calling into each other. */
static inline int kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, struct drom_error *err)
{
    char why[512];
    if (rd_kafka_conf_set(conf, name, value, why, sizeof why) != RD_KAFKA_CONF_OK)
        return drom_err(err, DROM_EINVAL, "kafka property %s: %s", name, why);
    return 0;
}
/* Sets each property of a NULL-ended name, value, ... list (may be NULL). */
static inline int kafka_conf_set_list(rd_kafka_conf_t *conf, const char *const *props, struct drom_error *err)
{
    for (const char *const *p = props; p && p[0] && p[1]; p += 2)
        if (kafka_conf_set(conf, p[0], p[1], err) < 0)
            return -1;
    return 0;
}
/* librdkafka log lines into the runtime's log. */
void kafka_conf_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

/* --- headers.c --- */

/* Record headers for an exchange: every header except Camel's internal
 * (Camel*, org.apache.camel.*) and the kafka.* control headers. NULL when
 * there is none. The caller owns the result (rd_kafka_producev takes it). */
rd_kafka_headers_t *kafka_headers_from_exchange(const struct drom_exchange *ex);
/* Copies a record's headers onto the exchange: UTF-8 values as strings,
 * others as bytes, a null value as null. */
void kafka_headers_to_exchange(const rd_kafka_message_t *m, struct drom_exchange *ex);
/* True when [s, s+n) is valid UTF-8 (no NUL). */
bool kafka_utf8_valid(const char *s, size_t n);

/* --- health.c --- */

/* Readiness and statistics shared by producer and consumer. The callbacks
 * run on the client's poll thread; `ep` is borrowed. */
struct kafka_health {
    struct drom_endpoint *ep;
    atomic_bool up;            /* a broker connection is up */
    atomic_bool fatal;         /* a fatal error: the client is unusable */
    atomic_llong lag;          /* consumer: records behind the high watermark, -1 unknown */
    /* The last refused login or handshake, kept as the reason while the
     * brokers stay down (librdkafka's "all brokers are down" follows it).
     * Written by the error callback only; cleared once a broker is up. */
    char refusal[1400];
    atomic_bool refused;
    atomic_bool gated;         /* consumer: ready only once the group assigned its partitions */
    atomic_bool assigned;      /* the group's assignment arrived (possibly empty) */
    atomic_int shown;          /* what the endpoint was told last: 0 no broker, 1 waiting for the group, 2 ready */
    const char *group;         /* consumer: its group id, for the reason */
};
void kafka_health_init(struct kafka_health *h, struct drom_endpoint *ep, const char *reason);
/* A consumer: ready only while the group has given this member its
 * partitions, or told it there are none for it; nothing is delivered
 * before that, so ready earlier would be a lie. `group` is borrowed. */
void kafka_health_gate(struct kafka_health *h, const char *group);
/* The rebalance callback: an assignment arrived (true) or was taken back (false). */
void kafka_health_assigned(struct kafka_health *h, bool assigned);
/* Wires error_cb and stats_cb (statistics every second unless set) into conf. */
void kafka_health_wire(struct kafka_health *h, rd_kafka_conf_t *conf, struct drom_error *err);

/* --- record.c --- */

/* Where an endpoint's records go, from its options. Borrows ep's strings. */
struct kafka_target {
    const char *topic;            /* the path */
    const char *key;              /* the key option, NULL when unset */
    int32_t partition;            /* partitionKey, or RD_KAFKA_PARTITION_UA */
    bool record_meta;
};
void kafka_target_init(struct kafka_target *t, const struct drom_endpoint *ep);
/* Hands `ex` to librdkafka as one record (kafka.KEY, kafka.PARTITION_KEY,
 * kafka.OVERRIDE_TOPIC honoured), `opaque` going to its delivery report;
 * the body is not copied, so ex must live until its report. */
rd_kafka_resp_err_t kafka_target_produce(const struct kafka_target *t, rd_kafka_t *rk, struct drom_exchange *ex,
                                         void *opaque);
/* From the delivery report: kafka.RECORD_META when asked for and delivered. */
void kafka_target_delivered(const struct kafka_target *t, struct drom_exchange *ex, const rd_kafka_message_t *m);

/* The endpoint counters of a producer (drom_endpoint_<name> in /metrics). */
struct kafka_counters {
    atomic_llong produced, acked, errors, inflight;
    int64_t shown_produced, shown_acked, shown_errors;   /* kafka_counters_show's thread only */
};
void kafka_counters_show(struct kafka_counters *c, struct drom_endpoint *ep);

/* --- producer.c --- */

struct kafka_producer;
struct kafka_producer *kafka_producer_new(struct drom_endpoint *ep, struct drom_error *err);
/* Waits up to shutdownTimeout for deliveries, fails what is left, frees. */
void kafka_producer_free(struct kafka_producer *p);
enum drom_status kafka_producer_send(struct kafka_producer *p, struct drom_exchange *ex, struct drom_error *err);

/* --- txn.c --- */

/* transactionalId: records are written in transactions of up to
 * transactionBatchSize records or transactionLingerMs, each with the offset
 * record of the route's source (which must keep its offsets in Kafka on the
 * same cluster); an exchange completes when its transaction commits. */
struct kafka_txn;
struct kafka_txn *kafka_txn_new(struct drom_endpoint *ep, struct drom_error *err);
/* Fails the open batch, waits up to shutdownTimeout for the committing ones, frees. */
void kafka_txn_free(struct kafka_txn *t);
enum drom_status kafka_txn_send(struct kafka_txn *t, struct drom_exchange *ex, struct drom_error *err);

/* --- consumer.c / commit.c --- */

struct kafka_consumer;
struct kafka_consumer *kafka_consumer_new(struct drom_endpoint *ep, struct drom_error *err);
int kafka_consumer_start(struct kafka_consumer *c, struct drom_error *err);
void kafka_consumer_stop(struct kafka_consumer *c);
void kafka_consumer_free(struct kafka_consumer *c);
void kafka_consumer_commit(struct kafka_consumer *c, const void *pos);

/* The endpoint's state (ep->state). An endpoint does not know at create
 * whether it is the route's source, so it starts as a producer and turns
 * into a consumer when start() is called. */
struct kafka_ep {
    struct kafka_producer *producer;
    struct kafka_txn *txn;            /* instead of producer with transactionalId */
    struct kafka_consumer *consumer;
};

/* --- produced.c --- */

/* drom_component.produced_ids for a kafka producer: the DromEventId of the
 * newest record of each partition of its topic. */
int kafka_produced_ids(struct drom_endpoint *ep, int64_t timeout_ms, char ***ids, size_t *n, struct drom_error *err);

/* --- offset_kafka.c --- */

/* The Kafka offset store: a compacted topic (cfg->brokers, cfg->topic),
 * registered as drom_offset_backend_kafka ("kafka", offsetStorage=kafka). */
struct drom_offset_store *drom_offset_kafka_open(const struct drom_offset_config *cfg, struct drom_error *err);
extern const struct drom_offset_backend drom_offset_backend_kafka;
/* Creates a compacted topic of one partition (one that exists is fine);
 * `what` names it in the error ("offset topic"). */
int kafka_create_topic(rd_kafka_t *rk, const char *topic, const char *what, int64_t timeout_ms, struct drom_error *err);

/* --- standby.c: the elector of a source that runs in one replica --- */

/* Called on the elector's thread, one at a time. */
struct drom_standby_events {
    /* This replica now owns the group's partition: start the source.
     * `epoch` grows with every leadership the group hands out. -1 when it
     * did not start: asked again, with a new epoch, after a growing pause
     * (1 s, doubling to 10 s) for as long as this replica owns the
     * partition. */
    int (*elected)(void *arg, int64_t epoch);
    /* Before the partition is released: stop the source, and return only
     * once it stopped, so the next leader never reads beside it. `lost`:
     * the group had already given it away (this replica was silent past
     * the session timeout); the transactional producer of the new leader
     * has fenced this one meanwhile. */
    void (*deposed)(void *arg, bool lost);
    void *arg;
};

struct drom_standby;
/* Joins the group of cfg (runtime/component.h; borrowed for the call):
 * creates the topic when missing and starts the elector's thread. `member`
 * names this replica in the broker's view (client.id). */
struct drom_standby *drom_standby_open(const struct drom_standby_config *cfg, const char *member,
                                       const struct drom_standby_events *ev, struct drom_error *err);
/* Leaves the group (deposed first when leading) and frees. NULL is fine. */
void drom_standby_close(struct drom_standby *s);

#endif
