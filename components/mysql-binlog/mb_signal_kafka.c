/* The Kafka signal channel (Debezium's signal.kafka.topic and
 * signal.kafka.bootstrap.servers): a thread of the source reads partition 0
 * of the topic, as Debezium's KafkaSignalChannel does. A record whose key
 * is the source's topicPrefix holds {"type": ..., "data": {...}}, as
 * Debezium's; others are logged and passed over. Records are queued for
 * the binlog thread, which runs the signals between events (an idle binlog
 * brings a heartbeat every heartbeatIntervalMs, so a signal waits at most
 * that).
 *
 * Delivery: a signal is acted on once. The position in the topic (the
 * record after the last one handled) goes into every offset the source
 * stores from then on (mb_offset.signal_resume, Debezium's
 * incremental_snapshot_signal_offset), in the same write as the signal's
 * effect (a snapshot's context), and a start reads on from the stored
 * one. So a crash before the effect is stored reads the signal again, and
 * a restart after it does not. The consumer group
 * ("dromd-signal-<endpoint name>") is committed only up to a position
 * already stored, never at read: it says where to begin when the store has
 * no position (a new state dir, `dromd offsets reset`, offsets of an older
 * dromd), else the topic's start. TLS and SASL towards the brokers are the
 * signal consumer's settings (mb_kafka.c), built with the source's
 * configuration. */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_incsnap.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

/* A record read: a signal, or (type NULL) one that is none of this
 * source's, which only moves the position past it. */
struct queued {
    char *id, *type, *data;
    int64_t offset;
    struct queued *next;
};

struct mb_signal_kafka {
    rd_kafka_t *rk;
    pthread_t thread;
    atomic_bool stop, pending;
    pthread_mutex_t mu;
    struct queued *head, *tail;
    struct mb_src *s;
    int64_t committed;   /* poll thread: the group's offset last committed */
    char group[300];     /* "dromd-signal-<endpoint name>" */
};

/* Puts list q..last in front of the queue. */
static void push_front(struct mb_signal_kafka *k, struct queued *q, struct queued *last)
{
    pthread_mutex_lock(&k->mu);
    last->next = k->head;
    k->head = q;
    if (!k->tail)
        k->tail = last;
    atomic_store(&k->pending, true);
    pthread_mutex_unlock(&k->mu);
}

static void push_back(struct mb_signal_kafka *k, struct queued *q)
{
    pthread_mutex_lock(&k->mu);
    if (k->tail)
        k->tail->next = q;
    else
        k->head = q;
    k->tail = q;
    atomic_store(&k->pending, true);
    pthread_mutex_unlock(&k->mu);
}

static void enqueue(struct mb_signal_kafka *k, const rd_kafka_message_t *m)
{
    const char *prefix = k->s->cfg.fmt.prefix;
    json_error_t je;
    json_t *j = json_loadb(m->payload, m->len, 0, &je);
    const char *type = json_string_value(json_object_get(j, "type"));
    bool ours = m->key && m->key_len == strlen(prefix) && memcmp(m->key, prefix, m->key_len) == 0;
    char id[96];
    snprintf(id, sizeof id, "kafka-%" PRId32 "-%" PRId64, m->partition, m->offset);
    if (!ours)
        drom_warn(mb_route(k->s), "signal %s: the record's key is not the topicPrefix '%s'; skipped", id, prefix);
    else if (!type)
        drom_warn(mb_route(k->s), "signal %s: not a JSON object with \"type\" (%s); skipped", id,
                  j ? "no type" : je.text);
    struct queued *q = drom_xcalloc(1, sizeof *q);
    q->offset = m->offset;
    if (ours && type) {
        json_t *data = json_object_get(j, "data");
        q->id = drom_xstrdup(id);
        q->type = drom_xstrdup(type);
        q->data = data ? (json_is_string(data) ? drom_xstrdup(json_string_value(data))
                                               : json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER)) : NULL;
    }
    json_decref(j);
    push_back(k, q);
}

/* The group's offset follows the stored positions, never the records read:
 * the next start without a stored position then begins after the signals
 * already acted on, not before them. A failed commit is only logged: the
 * stored offsets, not the group, say where the channel resumes. With
 * wait_ms the result is awaited that long (a stop must not hang on a
 * Kafka that is down). */
static void commit_stored(struct mb_signal_kafka *k, int wait_ms)
{
    int64_t at = atomic_load(&k->s->signal_stored);
    if (at <= k->committed)
        return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, k->s->cfg.signal_kafka_topic, 0)->offset = at;
    rd_kafka_queue_t *q = wait_ms ? rd_kafka_queue_new(k->rk) : NULL;
    rd_kafka_resp_err_t e = q ? rd_kafka_commit_queue(k->rk, l, q, NULL, NULL) : rd_kafka_commit(k->rk, l, 1);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_event_t *ev = q && !e ? rd_kafka_queue_poll(q, wait_ms) : NULL;
    if (ev)
        e = rd_kafka_event_error(ev);
    rd_kafka_event_destroy(ev);
    if (q)
        rd_kafka_queue_destroy(q);
    if (e)
        drom_warn(mb_route(k->s), "signal topic %s: committing offset %" PRId64 " to the consumer group: %s",
                  k->s->cfg.signal_kafka_topic, at, rd_kafka_err2str(e));
    k->committed = at;
}

/* Only partition 0 is read, as Debezium reads it: say so when the topic has
 * more, whose signals would otherwise be passed over without a word. */
static void check_partitions(struct mb_signal_kafka *k)
{
    const char *topic = k->s->cfg.signal_kafka_topic;
    rd_kafka_topic_t *t = rd_kafka_topic_new(k->rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    if (t && rd_kafka_metadata(k->rk, 0, t, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
        md->topics[0].partition_cnt > 1)
        drom_warn(mb_route(k->s), "signal topic %s has %d partitions: only partition 0 is read (as Debezium reads "
                  "it); send the signals there, or give the topic one partition", topic, md->topics[0].partition_cnt);
    if (md)
        rd_kafka_metadata_destroy(md);
    if (t)
        rd_kafka_topic_destroy(t);
}

static void *poll_loop(void *arg)
{
    struct mb_signal_kafka *k = arg;
    pthread_setname_np(pthread_self(), "binlog-signals");
    drom_endpoint_log_here(k->s->ep);
    check_partitions(k);
    while (!atomic_load(&k->stop)) {
        commit_stored(k, 0);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k->rk, 200);
        if (!m)
            continue;
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            drom_log_limited(DROM_LOG_WARN, mb_route(k->s), 60000, "signal channel kafka (group %s, topic %s): %s",
                             k->group, k->s->cfg.signal_kafka_topic, rd_kafka_message_errstr(m));
        else if (!m->err)
            enqueue(k, m);
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

/* A refused login or handshake means no signal arrives while it lasts: an
 * error naming the group and the topic, once a minute while it lasts. The
 * consumer's poll thread serves it. */
static void error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    struct mb_signal_kafka *k = opaque;
    bool refused = code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__SSL;
    drom_log_limited(refused ? DROM_LOG_ERROR : DROM_LOG_WARN, mb_route(k->s), 60000,
                     "signal channel kafka (group %s, topic %s at %s): %s%s", k->group, k->s->cfg.signal_kafka_topic,
                     k->s->cfg.signal_kafka_brokers, refused ? "the brokers refused the consumer, no signal is read: "
                                                             : "", reason);
}

/* librdkafka's own lines say what error_cb says, with less context. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    drom_log_limited(DROM_LOG_DEBUG, "kafka", 60000, "%s: %s: %s", rd_kafka_name(rk), fac, buf);
}

static rd_kafka_conf_t *consumer_conf(struct mb_signal_kafka *k, struct drom_error *err)
{
    const struct mb_config *c = &k->s->cfg;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512];
    const char *kv[][2] = {{"bootstrap.servers", c->signal_kafka_brokers}, {"group.id", k->group},
                           {"auto.offset.reset", "earliest"}, {"enable.partition.eof", "false"},
                           {"enable.auto.commit", "false"}, {"log_level", "3"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], why, sizeof why) != RD_KAFKA_CONF_OK)
            goto fail;
    /* the message would name the property, never its value */
    for (const char *const *p = drom_kafka_props_list(&c->signal_props); p && p[0]; p += 2)
        if (rd_kafka_conf_set(conf, p[0], p[1], why, sizeof why) != RD_KAFKA_CONF_OK)
            goto fail;
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_opaque(conf, k);
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    drom_err(err, DROM_EINVAL, "signal channel kafka: %s", why);
    return NULL;
}

static rd_kafka_t *consumer(struct mb_signal_kafka *k, struct drom_error *err)
{
    struct mb_src *s = k->s;
    rd_kafka_conf_t *conf = consumer_conf(k, err);
    if (!conf)
        return NULL;
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return drom_err(err, DROM_EINVAL, "signal channel kafka: %s", why), NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    /* from the stored position; without one from the group's offset, else the topic's start (auto.offset.reset) */
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, s->cfg.signal_kafka_topic, 0)->offset =
        s->signal_resume > 0 ? s->signal_resume : RD_KAFKA_OFFSET_STORED;
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e) {
        rd_kafka_destroy(rk);
        return drom_err(err, DROM_EINVAL, "signal channel kafka: reading %s: %s", s->cfg.signal_kafka_topic,
                        rd_kafka_err2str(e)), NULL;
    }
    if (s->signal_resume > 0)
        drom_info(mb_route(s), "signal topic %s: reading on from offset %" PRId64 ", after the last signal stored "
                  "with the offsets", s->cfg.signal_kafka_topic, s->signal_resume);
    return rk;
}

void mb_signal_kafka_start(struct mb_src *s)
{
    if (!s->cfg.signal_kafka_topic || s->replay)
        return;
    struct mb_signal_kafka *k = drom_xcalloc(1, sizeof *k);
    k->s = s;
    snprintf(k->group, sizeof k->group, "dromd-signal-%s", s->cfg.name);
    pthread_mutex_init(&k->mu, NULL);
    struct drom_error err = {0};
    k->rk = consumer(k, &err);
    if (!k->rk) {
        drom_error_log(mb_route(s), "%s: no Kafka signals: %s", s->ep->uri_masked, err.msg);
    } else {
        mb_signal_stored(s, s->signal_resume);   /* the group catches up with the stored position */
        if (pthread_create(&k->thread, NULL, poll_loop, k)) {
            drom_error_log(mb_route(s), "%s: no Kafka signals: cannot start their thread", s->ep->uri_masked);
            rd_kafka_destroy(k->rk);
            k->rk = NULL;
        }
    }
    if (!k->rk) {
        pthread_mutex_destroy(&k->mu);
        free(k);
        return;
    }
    s->kafka_signals = k;
}

static void queued_free(struct queued *q)
{
    free(q->id);
    free(q->type);
    free(q->data);
    free(q);
}

void mb_signal_kafka_stop(struct mb_src *s)
{
    struct mb_signal_kafka *k = s->kafka_signals;
    if (!k)
        return;
    atomic_store(&k->stop, true);
    pthread_join(k->thread, NULL);
    commit_stored(k, 2000);   /* a position stored since the thread's last turn */
    rd_kafka_consumer_close(k->rk);
    rd_kafka_destroy(k->rk);
    for (struct queued *q = k->head, *next; q; q = next) {
        next = q->next;
        queued_free(q);
    }
    pthread_mutex_destroy(&k->mu);
    free(k);
    s->kafka_signals = NULL;
}

int mb_signal_kafka_drain(struct mb_src *s, struct drom_error *err)
{
    struct mb_signal_kafka *k = s->kafka_signals;
    if (!k || !atomic_load(&k->pending))
        return 0;
    pthread_mutex_lock(&k->mu);
    struct queued *q = k->head;
    k->head = k->tail = NULL;
    atomic_store(&k->pending, false);
    pthread_mutex_unlock(&k->mu);
    for (struct queued *next; q; q = next) {
        next = q->next;
        struct mb_source_info src = {.db = s->cfg.signal_db ? s->cfg.signal_db : "", .table = ""};
        /* before the dispatch: a read-only chunk may be sent, and its
         * offsets stored, inside it, and they carry the signal's effect */
        int64_t was = s->signal_resume;
        s->signal_resume = q->offset + 1;
        if (q->type && mb_signal_dispatch(s, q->id, q->type, q->data, &src, err)) {
            /* not handled (the snapshot's reads failed): it and those after it run again once streaming is back */
            s->signal_resume = was;
            struct queued *last = q;
            while (last->next)
                last = last->next;
            push_front(k, q, last);
            return -1;
        }
        queued_free(q);
    }
    return 0;
}
