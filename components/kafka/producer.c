/* The asynchronous producer. produce() hands the record to librdkafka and
 * answers DROM_PENDING; the poll thread serves delivery reports and
 * completes each exchange: DONE once the broker acknowledged it (acks=all
 * by default), RETRY or FAIL with librdkafka's error otherwise, so a failed
 * delivery reaches the route's error handler and is never dropped.
 *
 * Order: every record goes through rd_kafka_producev under `mu`, in the
 * order the engine produced them; with the idempotent producer (the
 * default) librdkafka keeps them in order per partition across retries
 * and reconnections. When librdkafka's queue is full the record waits in
 * `backlog` and everything after it too, until the poll thread can hand
 * them over: the engine thread never blocks, nothing overtakes.
 *
 * Value: the exchange's body is passed without a copy; the exchange (and
 * its refcounted body) stays alive until its delivery report. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/kafka/kafka.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct kafka_producer {
    struct kafka_health health;   /* first: the client's opaque (health.c) */
    struct drom_endpoint *ep;
    rd_kafka_t *rk;
    struct kafka_target target;
    rd_kafka_topic_t *warm;       /* the path's topic, held so its metadata stays known */
    pthread_t warm_thread;
    bool warm_started;
    int64_t shutdown_ms;

    pthread_t thread;
    bool thread_started;
    atomic_bool stop;

    pthread_mutex_t mu;           /* producev order, backlog */
    pthread_cond_t idle;          /* inflight reached 0 */
    struct drom_exchange **backlog;
    size_t bhead, blen, bcap;     /* ring */

    struct kafka_counters counters;   /* shown by the poll thread */
};

static bool transient(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
        return true;
    default:
        return false;
    }
}

static void finish(struct kafka_producer *p, struct drom_exchange *ex, enum drom_status st, const struct drom_error *err)
{
    drom_exchange_complete(ex, st, err);
    if (atomic_fetch_sub(&p->counters.inflight, 1) == 1) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->idle);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Hands one record to librdkafka. Called with mu held. */
static rd_kafka_resp_err_t hand_over(struct kafka_producer *p, struct drom_exchange *ex)
{
    return kafka_target_produce(&p->target, p->rk, ex, ex);
}

static void backlog_push(struct kafka_producer *p, struct drom_exchange *ex)
{
    if (p->blen == p->bcap) {
        size_t ncap = p->bcap ? p->bcap * 2 : 256;
        struct drom_exchange **nb = drom_xmalloc(ncap * sizeof *nb);
        for (size_t i = 0; i < p->blen; i++)
            nb[i] = p->backlog[(p->bhead + i) % p->bcap];
        free(p->backlog);
        p->backlog = nb;
        p->bcap = ncap;
        p->bhead = 0;
    }
    p->backlog[(p->bhead + p->blen++) % p->bcap] = ex;
}

static void fail_record(struct kafka_producer *p, struct drom_exchange *ex, rd_kafka_resp_err_t e,
                        enum drom_status *st, struct drom_error *err)
{
    *st = transient(e) ? DROM_RETRY : DROM_FAIL;
    if (e == RD_KAFKA_RESP_ERR__FATAL) {
        char why[400];
        rd_kafka_fatal_error(p->rk, why, sizeof why);
        drom_err(err, DROM_EIO, "kafka producer is in a fatal state: %s", why);
    } else {
        drom_err(err, DROM_EIO, "kafka: cannot send to topic %s: %s", p->target.topic, rd_kafka_err2str(e));
    }
    atomic_fetch_add(&p->counters.errors, 1);
}

/* Moves what librdkafka has room for from the backlog. Poll thread. */
static void drain_backlog(struct kafka_producer *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->blen) {
        struct drom_exchange *ex = p->backlog[p->bhead];
        rd_kafka_resp_err_t e = hand_over(p, ex);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            break;
        p->bhead = (p->bhead + 1) % p->bcap;
        p->blen--;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            atomic_fetch_add(&p->counters.produced, 1);
            continue;
        }
        enum drom_status st;
        struct drom_error err = {0};
        fail_record(p, ex, e, &st, &err);
        pthread_mutex_unlock(&p->mu);
        finish(p, ex, st, &err);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

enum drom_status kafka_producer_send(struct kafka_producer *p, struct drom_exchange *ex, struct drom_error *err)
{
    if (atomic_load(&p->health.fatal)) {
        char why[400];
        rd_kafka_fatal_error(p->rk, why, sizeof why);
        drom_err(err, DROM_EIO, "kafka producer is in a fatal state: %s", why);
        atomic_fetch_add(&p->counters.errors, 1);
        return DROM_FAIL;
    }
    atomic_fetch_add(&p->counters.inflight, 1);
    pthread_mutex_lock(&p->mu);
    rd_kafka_resp_err_t e = p->blen ? RD_KAFKA_RESP_ERR__QUEUE_FULL : hand_over(p, ex);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        backlog_push(p, ex);
    pthread_mutex_unlock(&p->mu);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        atomic_fetch_add(&p->counters.produced, 1);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        return DROM_PENDING;
    atomic_fetch_sub(&p->counters.inflight, 1);
    enum drom_status st;
    fail_record(p, ex, e, &st, err);
    return st;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct kafka_producer *p = opaque;
    struct drom_exchange *ex = m->_private;
    kafka_target_delivered(&p->target, ex, m);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        atomic_fetch_add(&p->counters.acked, 1);
        finish(p, ex, DROM_DONE, NULL);
        return;
    }
    struct drom_error err = {0};
    drom_err(&err, DROM_EIO, "kafka: delivery to %s [%" PRId32 "] failed: %s (%s)", rd_kafka_topic_name(m->rkt),
             m->partition, rd_kafka_err2str(m->err), rd_kafka_err2name(m->err));
    atomic_fetch_add(&p->counters.errors, 1);
    finish(p, ex, transient(m->err) ? DROM_RETRY : DROM_FAIL, &err);
}

static void show_counters(struct kafka_producer *p)
{
    kafka_counters_show(&p->counters, p->ep);
}

/* librdkafka looks a topic up only when the first record for it arrives,
 * and then waits for its next topic scan (up to a second) before sending.
 * Asking for the route's topic at start (which also lets the broker create
 * it) makes the first record leave at once. On a thread of its own: a
 * metadata request blocks, and neither the route's start nor the poll
 * thread's delivery reports may wait for it. */
static void *warm_main(void *arg)
{
    struct kafka_producer *p = arg;
    pthread_setname_np(pthread_self(), "kafka-warmup");
    /* A topic the broker has just created has no leader for a moment. */
    for (int i = 0; i < 40 && !atomic_load(&p->stop); i++) {
        const struct rd_kafka_metadata *md = NULL;
        bool led = false;
        if (rd_kafka_metadata(p->rk, 0, p->warm, &md, 500) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            led = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                  md->topics[0].partition_cnt > 0 && md->topics[0].partitions[0].leader >= 0;
            rd_kafka_metadata_destroy(md);
        }
        if (led)
            break;
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void warm_up(struct kafka_producer *p)
{
    if (!p->target.topic || !*p->target.topic)
        return;
    p->warm = rd_kafka_topic_new(p->rk, p->target.topic, NULL);
    if (p->warm)
        p->warm_started = pthread_create(&p->warm_thread, NULL, warm_main, p) == 0;
}

static void *poll_main(void *arg)
{
    struct kafka_producer *p = arg;
    pthread_setname_np(pthread_self(), "kafka-producer");   /* for top -H and profiles */
    int64_t shown = 0;
    while (!atomic_load(&p->stop)) {
        rd_kafka_poll(p->rk, 50);
        drain_backlog(p);
        int64_t now = drom_monotonic_ms();
        if (now - shown >= 250) {
            show_counters(p);
            shown = now;
        }
    }
    return NULL;
}

struct kafka_producer *kafka_producer_new(struct drom_endpoint *ep, struct drom_error *err)
{
    struct kafka_producer *p = drom_xcalloc(1, sizeof *p);
    p->ep = ep;
    kafka_target_init(&p->target, ep);
    p->shutdown_ms = ((const struct kafka_conf *)ep->conf)->shutdown_timeout_ms;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->idle, NULL);
    kafka_health_init(&p->health, ep, "connecting to the Kafka brokers");

    rd_kafka_conf_t *conf = kafka_conf_build(ep->conf, KAFKA_PRODUCER, err);
    if (!conf)
        goto fail;
    kafka_health_wire(&p->health, conf, err);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, p);
    char why[512];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        drom_err(err, DROM_EINVAL, "kafka producer: %s", why);
        goto fail;
    }
    if (pthread_create(&p->thread, NULL, poll_main, p) != 0) {
        drom_err(err, DROM_EINTERNAL, "kafka producer: cannot start its poll thread");
        goto fail;
    }
    p->thread_started = true;
    warm_up(p);
    return p;
fail:
    kafka_producer_free(p);
    return NULL;
}

static void wait_idle(struct kafka_producer *p, int64_t ms)
{
    struct timespec dl = drom_deadline_in(ms);
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&p->counters.inflight) > 0)
        if (pthread_cond_timedwait(&p->idle, &p->mu, &dl) != 0)
            break;
    pthread_mutex_unlock(&p->mu);
}

void kafka_producer_free(struct kafka_producer *p)
{
    if (!p)
        return;
    if (p->thread_started) {
        /* What is still in flight gets shutdownTimeout to be acknowledged;
         * the rest is purged and completed as failed, never dropped. */
        wait_idle(p, p->shutdown_ms);
        atomic_store(&p->stop, true);
        pthread_join(p->thread, NULL);
        long long left = atomic_load(&p->counters.inflight);
        if (left)
            drom_warn("kafka", "%s: %lld records not acknowledged within shutdownTimeout; failing them",
                      p->ep->uri_masked, left);
        pthread_mutex_lock(&p->mu);
        while (p->blen) {
            struct drom_exchange *ex = p->backlog[p->bhead];
            p->bhead = (p->bhead + 1) % p->bcap;
            p->blen--;
            pthread_mutex_unlock(&p->mu);
            struct drom_error err = {0};
            drom_err(&err, DROM_ESTOPPED, "kafka producer stopped before the record was sent");
            finish(p, ex, DROM_RETRY, &err);
            pthread_mutex_lock(&p->mu);
        }
        pthread_mutex_unlock(&p->mu);
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(p->rk, 1000);
        show_counters(p);
    }
    atomic_store(&p->stop, true);
    if (p->warm_started)
        pthread_join(p->warm_thread, NULL);
    if (p->warm)
        rd_kafka_topic_destroy(p->warm);
    if (p->rk)
        rd_kafka_destroy(p->rk);
    free(p->backlog);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
