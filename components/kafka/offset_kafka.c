/* The offset store on a compacted Kafka topic (Kafka Connect's
 * KafkaOffsetBackingStore, simplified): each put writes a record whose key
 * is the store key and whose value is the JSON blob, and waits for the
 * broker's acknowledgement (acks=all, idempotent), so it is durable when it
 * returns. Compaction keeps the newest record per key. Open creates the
 * topic when missing (cleanup.policy=compact) and reads it from the start
 * to the end of every partition: the last record of a key is its offset, a
 * tombstone removes it. A replacement dromd on another machine therefore
 * continues from what the last one stored.
 *
 * One writer per key is assumed (the source that owns it), as in Kafka
 * Connect; get answers from what open read plus what this store wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/kafka/kafka.h"
#include "runtime/xalloc.h"

enum { PUT_TIMEOUT_MS = 5000 };

struct entry {
    char *key;
    char *json;
};

struct okafka {
    struct drom_offset_store store;
    pthread_mutex_t mu;
    rd_kafka_t *producer;
    char *topic;
    int64_t timeout_ms;
    struct entry *items;
    size_t n, cap;
    char why[512];        /* the last refusal error_cb heard of */
};

static const struct drom_offset_store_ops ops;

/* The clients' errors (a refused login, a failed handshake), kept so that
 * an open that fails says why rather than only that Kafka did not answer.
 * Runs on the thread that polls the producer (open's, or a put's). */
static void error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    (void)rk;
    struct okafka *o = opaque;
    bool refusal = code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__SSL ||
                   code == RD_KAFKA_RESP_ERR__TRANSPORT;
    /* "all brokers are down" follows a refusal: the refusal is the reason */
    if (refusal || (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && !o->why[0]))
        snprintf(o->why, sizeof o->why, "%s", reason);
}

/* cfg->props (the security settings) over the brokers. */
static rd_kafka_conf_t *base_conf(const struct drom_offset_config *cfg, struct drom_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, kafka_conf_log_cb);
    if (kafka_conf_set(conf, "bootstrap.servers", cfg->brokers, err) < 0 ||
        kafka_conf_set_list(conf, cfg->props, err) < 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

static void remember(struct okafka *o, const char *key, size_t klen, const char *json, size_t jlen)
{
    for (size_t i = 0; i < o->n; i++)
        if (strlen(o->items[i].key) == klen && memcmp(o->items[i].key, key, klen) == 0) {
            free(o->items[i].json);
            o->items[i].json = json ? drom_xstrndup(json, jlen) : NULL;
            return;
        }
    if (!json)
        return;
    drom_xgrow((void **)&o->items, &o->cap, o->n + 1, sizeof *o->items);
    o->items[o->n++] = (struct entry){drom_xstrndup(key, klen), drom_xstrndup(json, jlen)};
}

int kafka_create_topic(rd_kafka_t *rk, const char *topic, const char *what, int64_t timeout_ms, struct drom_error *err)
{
    char why[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, -1, why, sizeof why);
    if (!nt)
        return drom_err(err, DROM_EINVAL, "%s %s: %s", what, topic, why);
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(ao, (int)timeout_ms, why, sizeof why);
    rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)timeout_ms + 1000);
    int rc = 0;
    if (!ev) {
        rc = drom_err(err, DROM_ECONNECT, "%s %s: no answer from Kafka within %lld ms", what, topic,
                      (long long)timeout_ms);
    } else if (rd_kafka_event_error(ev)) {
        rc = drom_err(err, DROM_ECONNECT, "%s %s: %s", what, topic, rd_kafka_event_error_string(ev));
    } else {
        size_t cnt;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                rc = drom_err(err, DROM_ECONNECT, "%s %s: %s", what, topic,
                              rd_kafka_topic_result_error_string(res[i]));
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* Reads every partition from its start to its end. */
static int read_all(struct okafka *o, const struct drom_offset_config *cfg, struct drom_error *err)
{
    rd_kafka_conf_t *conf = base_conf(cfg, err);
    if (!conf)
        return -1;
    char group[256];
    snprintf(group, sizeof group, "drom-offset-reader-%s", o->topic);
    rd_kafka_t *rk = kafka_reader_new(conf, group, "offset store consumer", err);
    if (!rk)
        return -1;
    int rc = -1;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, (int)o->timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err ||
        md->topics[0].partition_cnt == 0) {
        drom_err(err, DROM_ECONNECT, "offset topic %s: cannot read its partitions: %s", o->topic,
                 rd_kafka_err2str(e ? e : md && md->topic_cnt ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
        goto out;
    }
    int nparts = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(nparts);
    for (int i = 0; i < nparts; i++)
        rd_kafka_topic_partition_list_add(l, o->topic, md->topics[0].partitions[i].id)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int eofs = 0;
    int64_t deadline = drom_monotonic_ms() + o->timeout_ms;
    while (eofs < nparts) {
        if (drom_monotonic_ms() > deadline) {
            drom_err(err, DROM_ECONNECT, "offset topic %s: not read to its end within %lld ms", o->topic,
                     (long long)o->timeout_ms);
            goto out;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs++;
        } else if (m->err) {
            drom_err(err, DROM_ESTATE, "offset topic %s: %s", o->topic, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            goto out;
        } else if (m->key) {
            remember(o, m->key, m->key_len, m->payload, m->len);
        }
        rd_kafka_message_destroy(m);
    }
    rc = 0;
out:
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

struct put_wait {
    bool done;
    rd_kafka_resp_err_t err;
};

static void put_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct put_wait *w = m->_private;
    w->err = m->err;
    w->done = true;
}

struct drom_offset_store *drom_offset_kafka_open(const struct drom_offset_config *cfg, struct drom_error *err)
{
    if (!cfg->brokers || !*cfg->brokers || !cfg->topic || !*cfg->topic) {
        drom_err(err, DROM_EINVAL, "the Kafka offset store needs brokers and a topic (offsetStorageTopic)");
        return NULL;
    }
    struct okafka *o = drom_xcalloc(1, sizeof *o);
    o->store.ops = &ops;
    o->store.impl = o;
    o->topic = drom_xstrdup(cfg->topic);
    o->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    pthread_mutex_init(&o->mu, NULL);
    rd_kafka_conf_t *conf = base_conf(cfg, err);
    if (!conf)
        goto fail;
    if (kafka_conf_set(conf, "enable.idempotence", "true", err) < 0 ||
        kafka_conf_set(conf, "acks", "all", err) < 0) {
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, put_dr);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_opaque(conf, o);
    char why[512];
    o->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!o->producer) {
        rd_kafka_conf_destroy(conf);
        drom_err(err, DROM_EINVAL, "offset store producer: %s", why);
        goto fail;
    }
    if (kafka_create_topic(o->producer, o->topic, "offset topic", o->timeout_ms, err) < 0 || read_all(o, cfg, err) < 0) {
        rd_kafka_poll(o->producer, 0);   /* serves error_cb */
        if (o->why[0] && err && !strstr(err->msg, o->why))
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), " (%s)", o->why);
        goto fail;
    }
    return &o->store;
fail:
    drom_err_prefix(err, "Kafka offset store");
    ops.close(&o->store);
    return NULL;
}

static int k_get(struct drom_offset_store *s, const char *key, char **json, struct drom_error *err)
{
    struct okafka *o = s->impl;
    pthread_mutex_lock(&o->mu);
    *json = NULL;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->items[i].key, key) == 0 && o->items[i].json)
            *json = drom_xstrdup(o->items[i].json);
    pthread_mutex_unlock(&o->mu);
    return 0;
}

/* Writes `json` (NULL: a tombstone) for `key` and waits for the broker. */
static int k_write(struct okafka *o, const char *key, const char *json, struct drom_error *err)
{
    pthread_mutex_lock(&o->mu);
    struct put_wait w = {0};
    rd_kafka_resp_err_t e = rd_kafka_producev(o->producer, RD_KAFKA_V_TOPIC(o->topic),
                                              RD_KAFKA_V_KEY(key, strlen(key)),
                                              RD_KAFKA_V_VALUE((void *)json, json ? strlen(json) : 0),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&w),
                                              RD_KAFKA_V_END);
    /* Puts run on the engine thread and a failed one is retried a second
     * later, so a broker that is gone must not hold the loop for the whole
     * open timeout. */
    int64_t wait_ms = o->timeout_ms < PUT_TIMEOUT_MS ? o->timeout_ms : PUT_TIMEOUT_MS;
    int64_t deadline = drom_monotonic_ms() + wait_ms;
    while (e == RD_KAFKA_RESP_ERR_NO_ERROR && !w.done && drom_monotonic_ms() < deadline)
        rd_kafka_poll(o->producer, 50);
    int rc = 0;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || (w.done && w.err)) {
        rc = drom_err(err, DROM_EIO, "Kafka offset store: writing %s to %s failed: %s", key, o->topic,
                      rd_kafka_err2str(e ? e : w.err));
    } else if (!w.done) {
        /* Still queued: purge it, so an old offset never lands after a newer one. */
        rd_kafka_purge(o->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        while (!w.done)
            rd_kafka_poll(o->producer, 50);
        rc = drom_err(err, DROM_EIO, "Kafka offset store: writing %s to %s not acknowledged within %lld ms", key,
                      o->topic, (long long)wait_ms);
    } else {
        remember(o, key, strlen(key), json, json ? strlen(json) : 0);
    }
    pthread_mutex_unlock(&o->mu);
    return rc;
}

static int k_put(struct drom_offset_store *s, const char *key, const char *json, struct drom_error *err)
{
    return k_write(s->impl, key, json, err);
}

static int k_del(struct drom_offset_store *s, const char *key, struct drom_error *err)
{
    return k_write(s->impl, key, NULL, err);
}

static int k_keys(struct drom_offset_store *s, char ***keys, size_t *n, struct drom_error *err)
{
    struct okafka *o = s->impl;
    pthread_mutex_lock(&o->mu);
    *keys = drom_xcalloc(o->n + 1, sizeof **keys);
    for (size_t i = 0; i < o->n; i++)
        if (o->items[i].json)
            (*keys)[(*n)++] = drom_xstrdup(o->items[i].key);
    pthread_mutex_unlock(&o->mu);
    return 0;
}

static void k_close(struct drom_offset_store *s)
{
    struct okafka *o = s->impl;
    if (o->producer) {
        rd_kafka_flush(o->producer, (int)o->timeout_ms);
        rd_kafka_destroy(o->producer);
    }
    for (size_t i = 0; i < o->n; i++) {
        free(o->items[i].key);
        free(o->items[i].json);
    }
    free(o->items);
    free(o->topic);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

#define KAFKA_BACKEND "kafka"

static const struct drom_offset_store_ops ops = {
    .name = KAFKA_BACKEND,
    .get = k_get,
    .put = k_put,
    .del = k_del,
    .keys = k_keys,
    .close = k_close,
};

const struct drom_offset_backend drom_offset_backend_kafka = {.name = KAFKA_BACKEND, .open = drom_offset_kafka_open};
