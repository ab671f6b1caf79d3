/* The transactional producer (transactionalId): exactly once into Kafka.
 *
 * Records are grouped into batches on the engine thread; a batch closes
 * after transactionBatchSize records or transactionLingerMs. Closing it
 * computes the offset record of the route's source that covers the batch
 * (drom_source_offset_upto: "everything the source submitted up to the
 * batch's newest exchange is done, or in a transaction of this producer")
 * and queues it. The transaction thread writes each queued batch in one
 * transaction: begin, the records, the offset record on the source's offset
 * topic (same key and JSON as offset_kafka.c writes, so the store reads it
 * back on start), commit. An exchange completes only when its transaction
 * committed; the source's own offset commits are taken over
 * (drom_endpoint_claim_source_offsets), so the only offsets ever written for
 * it are those inside committed transactions. After a crash the source
 * resumes from the offset of the last committed transaction, and the records
 * of an unfinished one are aborted (init_transactions of the next producer
 * with the same transactionalId fences it): read_committed consumers see each
 * record once.
 *
 * Failures. An abortable error aborts the transaction: its exchanges, and
 * every batch queued after it (their offsets assumed it commits), complete
 * RETRY and go to the route's error handler; a later batch whose offset
 * would pass one of them is refused the same way at close, so nothing is
 * committed beyond an exchange that is not. A fatal error (fenced by another
 * producer with the same transactionalId) fails everything with FAIL and
 * every later send: the route's source stops on it (mysql-binlog always
 * does), and only a restart (a new producer epoch) recovers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/kafka/kafka.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct rec {
    struct drom_exchange *ex;
    uint64_t seq;
    rd_kafka_resp_err_t err;   /* from its delivery report */
};

struct batch {
    struct rec *recs;
    size_t n, cap;
    uint64_t max_seq;
    bool failed;               /* a delivery report had an error */
    char *offset_json;         /* set at close */
    struct batch *next;
};

struct kafka_txn {
    struct kafka_health health;   /* first: the client's opaque (health.c) */
    struct drom_endpoint *ep;
    rd_kafka_t *rk;
    struct kafka_target target;
    const char *txn_id;
    size_t max_records;
    int64_t linger_ms, shutdown_ms, block_ms;
    struct drom_endpoint *source;
    struct drom_offset_location loc;

    /* engine thread */
    struct batch *open;
    uint64_t timer;

    pthread_mutex_t mu;
    pthread_cond_t cond;          /* queue or stop changed; a batch finished */
    struct batch *qhead, *qtail;  /* closed, waiting for the transaction thread */
    struct batch *committing;
    struct batch *current;        /* transaction thread: the one dr_cb reports on */
    int64_t settled;              /* highest sequence number committed, -1 */
    atomic_bool stop;
    pthread_t thread;
    bool thread_started;

    struct kafka_counters counters;
};

static void batch_free(struct batch *b)
{
    if (!b)
        return;
    free(b->recs);
    free(b->offset_json);
    free(b);
}

/* Completes every exchange of the list and frees it. */
static void finish_list(struct kafka_txn *t, struct batch *b, enum drom_status st, const struct drom_error *err)
{
    while (b) {
        struct batch *next = b->next;
        for (size_t i = 0; i < b->n; i++) {
            if (st == DROM_DONE)
                atomic_fetch_add(&t->counters.acked, 1);
            else
                atomic_fetch_add(&t->counters.errors, 1);
            atomic_fetch_sub(&t->counters.inflight, 1);
            drom_exchange_complete(b->recs[i].ex, st, err);
        }
        batch_free(b);
        b = next;
    }
}

static void fatal_message(struct kafka_txn *t, struct drom_error *err)
{
    char why[400];
    rd_kafka_resp_err_t e = rd_kafka_fatal_error(t->rk, why, sizeof why);
    if (e == RD_KAFKA_RESP_ERR__FENCED || e == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
        e == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
        drom_err(err, DROM_EIO,
                 "kafka transactionalId %s: fenced by a newer producer with the same transactionalId (another "
                 "dromd running this route?): %s; this producer stops, restart the one that should run",
                 t->txn_id, why);
    else
        drom_err(err, DROM_EIO, "kafka transactionalId %s: fatal producer error: %s", t->txn_id, why);
}

/* --- engine thread: batching --- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void held_add(uint64_t **held, size_t *n, size_t *cap, const struct batch *b)
{
    for (size_t i = 0; b && i < b->n; i++) {
        drom_xgrow((void **)held, cap, *n + 1, sizeof **held);
        (*held)[(*n)++] = b->recs[i].seq;
    }
}

static void close_batch(struct kafka_txn *t)
{
    if (t->timer) {
        drom_engine_timer_cancel(drom_endpoint_engine(t->ep), t->timer);
        t->timer = 0;
    }
    struct batch *b = t->open;
    t->open = NULL;
    if (!b)
        return;
    struct drom_error err = {0};
    uint64_t *held = NULL;
    size_t nheld = 0, cap = 0;
    /* Held under mu so that an abort cannot slip in between the check and
     * the queueing: it then fails this batch as well. */
    pthread_mutex_lock(&t->mu);
    held_add(&held, &nheld, &cap, t->committing);
    for (struct batch *q = t->qhead; q; q = q->next)
        held_add(&held, &nheld, &cap, q);
    held_add(&held, &nheld, &cap, b);
    qsort(held, nheld, sizeof *held, cmp_u64);
    b->offset_json = drom_source_offset_upto(t->source, b->max_seq, t->settled, held, nheld, &err);
    if (b->offset_json) {
        if (t->qtail)
            t->qtail->next = b;
        else
            t->qhead = b;
        t->qtail = b;
        pthread_cond_broadcast(&t->cond);
    }
    pthread_mutex_unlock(&t->mu);
    free(held);
    if (!b->offset_json) {
        drom_err_prefix(&err, "kafka transactionalId %s", t->txn_id);
        finish_list(t, b, DROM_RETRY, &err);
    }
}

static void linger_timer(void *arg)
{
    struct kafka_txn *t = arg;
    t->timer = 0;
    close_batch(t);
}

enum drom_status kafka_txn_send(struct kafka_txn *t, struct drom_exchange *ex, struct drom_error *err)
{
    if (atomic_load(&t->health.fatal)) {
        fatal_message(t, err);
        atomic_fetch_add(&t->counters.errors, 1);
        return DROM_FAIL;
    }
    struct drom_endpoint *src;
    uint64_t seq;
    if (drom_exchange_source_seq(ex, &src, &seq, err) < 0 || src != t->source) {
        if (src != t->source)
            drom_err(err, DROM_EINVAL,
                     "kafka transactionalId %s: the exchange comes from %s, not from this route's source %s whose "
                     "offsets this producer commits",
                     t->txn_id, src->uri_masked, t->source->uri_masked);
        atomic_fetch_add(&t->counters.errors, 1);
        return DROM_FAIL;
    }
    struct batch *b = t->open;
    if (!b) {
        b = t->open = drom_xcalloc(1, sizeof *b);
        t->timer = drom_engine_timer(drom_endpoint_engine(t->ep), t->linger_ms, linger_timer, t);
    }
    drom_xgrow((void **)&b->recs, &b->cap, b->n + 1, sizeof *b->recs);
    b->recs[b->n++] = (struct rec){.ex = ex, .seq = seq};
    if (b->n == 1 || seq > b->max_seq)
        b->max_seq = seq;
    atomic_fetch_add(&t->counters.inflight, 1);
    if (b->n >= t->max_records)
        close_batch(t);
    return DROM_PENDING;
}

/* --- transaction thread --- */

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct kafka_txn *t = opaque;
    struct rec *r = m->_private;
    struct batch *b = t->current;
    /* NULL is the offset record; a report that outlived its batch (a purge
     * after a fatal error) has nothing left to tell. */
    if (!r || !b || r < b->recs || r >= b->recs + b->n)
        return;
    r->err = m->err;
    if (m->err)
        b->failed = true;
    kafka_target_delivered(&t->target, r->ex, m);
}

/* Serves delivery reports until every record of the batch has one (or the
 * deadline): a failed record makes the transaction abortable, and the
 * commit is then not attempted. */
static void wait_reports(struct kafka_txn *t, int64_t ms)
{
    int64_t end = drom_monotonic_ms() + ms;
    while (rd_kafka_outq_len(t->rk) > 0 && !t->current->failed && drom_monotonic_ms() < end)
        rd_kafka_poll(t->rk, 10);
}

/* Takes a librdkafka error object: 0, or -1 with err set. */
static int txn_error(struct kafka_txn *t, rd_kafka_error_t *e, const char *what, struct drom_error *err)
{
    if (!e)
        return 0;
    drom_err(err, DROM_EIO, "kafka transactionalId %s: %s failed: %s", t->txn_id, what, rd_kafka_error_string(e));
    if (rd_kafka_error_is_fatal(e)) {
        atomic_store(&t->health.fatal, true);
        fatal_message(t, err);
    }
    rd_kafka_error_destroy(e);
    return -1;
}

static rd_kafka_resp_err_t produce_one(struct kafka_txn *t, struct rec *r)
{
    for (;;) {
        rd_kafka_resp_err_t e = kafka_target_produce(&t->target, t->rk, r->ex, r);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return e;
        rd_kafka_poll(t->rk, 10);
    }
}

/* One batch in one transaction. 0 when committed. */
static int run_batch(struct kafka_txn *t, struct batch *b, struct drom_error *err)
{
    if (txn_error(t, rd_kafka_begin_transaction(t->rk), "begin_transaction", err) < 0)
        return -1;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < b->n && !e; i++) {
        e = produce_one(t, &b->recs[i]);
        if (!e)
            atomic_fetch_add(&t->counters.produced, 1);
    }
    if (!e)
        e = rd_kafka_producev(t->rk, RD_KAFKA_V_TOPIC(t->loc.topic),
                              RD_KAFKA_V_KEY(t->loc.key, strlen(t->loc.key)),
                              RD_KAFKA_V_VALUE(b->offset_json, strlen(b->offset_json)),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(NULL), RD_KAFKA_V_END);
    if (!e)
        wait_reports(t, t->block_ms);
    if (e) {
        drom_err(err, DROM_EIO, "kafka transactionalId %s: cannot send to topic %s: %s", t->txn_id, t->target.topic,
                 rd_kafka_err2str(e));
    } else if (!b->failed) {
        for (;;) {
            rd_kafka_error_t *ce = rd_kafka_commit_transaction(t->rk, (int)t->block_ms);
            if (!ce)
                return 0;
            /* A timed-out commit goes on in the background: calling again resumes it. */
            if (rd_kafka_error_txn_requires_abort(ce) || !rd_kafka_error_is_retriable(ce) ||
                rd_kafka_error_is_fatal(ce) || atomic_load(&t->stop)) {
                txn_error(t, ce, "commit", err);
                break;
            }
            rd_kafka_error_destroy(ce);
        }
    }
    for (size_t i = 0; i < b->n; i++)
        if (b->recs[i].err) {
            drom_err(err, DROM_EIO, "kafka transactionalId %s: delivery to %s failed: %s", t->txn_id,
                     t->target.topic, rd_kafka_err2str(b->recs[i].err));
            break;
        }
    /* Fenced: librdkafka fails the records itself; the cause is its fatal error. */
    if (rd_kafka_fatal_error(t->rk, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        atomic_store(&t->health.fatal, true);
        fatal_message(t, err);
    }
    /* abort_transaction would flush records that can no longer be sent
     * (seen hanging after MSG_SIZE_TOO_LARGE): they are dropped first. */
    rd_kafka_purge(t->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    if (!atomic_load(&t->health.fatal)) {
        struct drom_error aerr = {0};
        if (txn_error(t, rd_kafka_abort_transaction(t->rk, (int)t->block_ms), "abort", &aerr) < 0)
            drom_warn("kafka", "%s: %s", t->ep->uri_masked, aerr.msg);
    }
    /* The purged records' reports, before the batch goes. */
    int64_t end = drom_monotonic_ms() + t->shutdown_ms;
    while (rd_kafka_outq_len(t->rk) > 0 && drom_monotonic_ms() < end)
        rd_kafka_poll(t->rk, 10);
    return -1;
}

static void *txn_main(void *arg)
{
    struct kafka_txn *t = arg;
    pthread_setname_np(pthread_self(), "kafka-txn");   /* for top -H and profiles */
    int64_t shown = 0;
    for (;;) {
        rd_kafka_poll(t->rk, 0);
        int64_t now = drom_monotonic_ms();
        if (now - shown >= 250) {
            kafka_counters_show(&t->counters, t->ep);
            shown = now;
        }
        pthread_mutex_lock(&t->mu);
        if (!t->qhead) {
            if (t->stop) {
                pthread_mutex_unlock(&t->mu);
                break;
            }
            struct timespec dl = drom_deadline_in(50);
            pthread_cond_timedwait(&t->cond, &t->mu, &dl);
            pthread_mutex_unlock(&t->mu);
            continue;
        }
        struct batch *b = t->qhead;
        t->qhead = b->next;
        if (!t->qhead)
            t->qtail = NULL;
        b->next = NULL;
        t->committing = b;
        pthread_mutex_unlock(&t->mu);

        struct drom_error err = {0};
        t->current = b;
        int rc = atomic_load(&t->health.fatal) ? (fatal_message(t, &err), -1) : run_batch(t, b, &err);
        t->current = NULL;

        struct batch *after = NULL;
        pthread_mutex_lock(&t->mu);
        t->committing = NULL;
        if (rc == 0) {
            if ((int64_t)b->max_seq > t->settled)
                t->settled = (int64_t)b->max_seq;
        } else {
            /* Their offsets assumed this batch commits. */
            after = t->qhead;
            t->qhead = t->qtail = NULL;
        }
        pthread_cond_broadcast(&t->cond);
        pthread_mutex_unlock(&t->mu);
        if (rc == 0) {
            finish_list(t, b, DROM_DONE, NULL);
            continue;
        }
        bool fatal = atomic_load(&t->health.fatal);
        drom_log(DROM_LOG_ERROR, t->ep->route_id, "%s: %s", t->ep->uri_masked, err.msg);
        finish_list(t, b, fatal ? DROM_FAIL : DROM_RETRY, &err);
        struct drom_error cerr = {0};
        if (fatal)
            fatal_message(t, &cerr);
        else
            drom_err(&cerr, DROM_EIO,
                     "kafka transactionalId %s: an earlier transaction was aborted (%s); not committed out of order",
                     t->txn_id, err.msg);
        finish_list(t, after, fatal ? DROM_FAIL : DROM_RETRY, &cerr);
    }
    return NULL;
}

/* --- lifecycle --- */

/* Same cluster: the same set of bootstrap servers, in any order. */
static bool same_brokers(const char *a, const char *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *x = pass ? b : a, *y = pass ? a : b;
        for (const char *p = x; *p;) {
            while (*p == ',' || *p == ' ')
                p++;
            size_t n = strcspn(p, ", ");
            if (!n)
                break;
            bool found = false;
            for (const char *q = y; *q && !found;) {
                while (*q == ',' || *q == ' ')
                    q++;
                size_t m = strcspn(q, ", ");
                found = m == n && strncmp(p, q, n) == 0;
                q += m;
            }
            if (!found)
                return false;
            p += n;
        }
    }
    return true;
}

static int check_source(struct kafka_txn *t, struct drom_error *err)
{
    if (drom_endpoint_claim_source_offsets(t->ep, &t->source, &t->loc, err) < 0) {
        drom_err_prefix(err, "transactionalId needs a source that keeps its offsets in Kafka (mysql-binlog or "
                             "debezium-mysql with offsetStorage=kafka)");
        return -1;
    }
    if (strcmp(t->loc.store, "kafka") != 0 || !t->loc.topic || !t->loc.brokers)
        return drom_err(err, DROM_EINVAL,
                        "transactionalId: the route's source %s keeps its offsets in a %s, which a Kafka "
                        "transaction cannot include; set offsetStorage=kafka with offsetStorageTopic and "
                        "offsetStorageBrokers (the brokers of this endpoint) on the source",
                        t->source->uri_masked, t->loc.store);
    const char *brokers = ((const struct kafka_conf *)t->ep->conf)->brokers;
    if (!brokers || !same_brokers(brokers, t->loc.brokers))
        return drom_err(err, DROM_EINVAL,
                        "transactionalId: the source's offset topic %s is on %s but this endpoint's brokers are %s; "
                        "one transaction cannot span two clusters: give both the same brokers",
                        t->loc.topic, t->loc.brokers, brokers ? brokers : "(unset)");
    return 0;
}

struct kafka_txn *kafka_txn_new(struct drom_endpoint *ep, struct drom_error *err)
{
    struct kafka_txn *t = drom_xcalloc(1, sizeof *t);
    t->ep = ep;
    kafka_target_init(&t->target, ep);
    const struct kafka_conf *o = ep->conf;
    t->txn_id = o->transactional_id;
    t->max_records = (size_t)o->transaction_batch_size;
    t->linger_ms = o->transaction_linger_ms;
    t->shutdown_ms = o->shutdown_timeout_ms;
    t->block_ms = o->max_block_ms;
    t->settled = -1;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cond, NULL);
    kafka_health_init(&t->health, ep, "connecting to the Kafka brokers");
    if (check_source(t, err) < 0)
        goto fail;

    rd_kafka_conf_t *conf = kafka_conf_build(o, KAFKA_PRODUCER, err);
    if (!conf || kafka_conf_set(conf, "transactional.id", t->txn_id, err) < 0) {
        if (conf)
            rd_kafka_conf_destroy(conf);
        goto fail;
    }
    kafka_health_wire(&t->health, conf, err);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, t);
    char why[512];
    t->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!t->rk) {
        rd_kafka_conf_destroy(conf);
        drom_err(err, DROM_EINVAL, "kafka producer: %s", why);
        goto fail;
    }
    /* Before the source starts: this fences a previous producer with the
     * same id and aborts its open transaction, so the source's offset
     * store, read read_committed, is not held back by it. */
    if (txn_error(t, rd_kafka_init_transactions(t->rk, (int)t->block_ms), "init_transactions", err) < 0)
        goto fail;
    if (pthread_create(&t->thread, NULL, txn_main, t) != 0) {
        drom_err(err, DROM_EINTERNAL, "kafka producer: cannot start its transaction thread");
        goto fail;
    }
    t->thread_started = true;
    return t;
fail:
    kafka_txn_free(t);
    return NULL;
}

void kafka_txn_free(struct kafka_txn *t)
{
    if (!t)
        return;
    struct drom_error err = {0};
    drom_err(&err, DROM_ESTOPPED, "kafka producer stopped before the transaction was committed");
    if (t->timer)
        drom_engine_timer_cancel(drom_endpoint_engine(t->ep), t->timer);
    /* The engine drained before this: an open batch left means it gave up. */
    finish_list(t, t->open, DROM_RETRY, &err);
    t->open = NULL;
    if (t->thread_started) {
        struct timespec dl = drom_deadline_in(t->shutdown_ms);
        pthread_mutex_lock(&t->mu);
        while ((t->qhead || t->committing) && pthread_cond_timedwait(&t->cond, &t->mu, &dl) == 0)
            ;
        struct batch *left = t->qhead;
        t->qhead = t->qtail = NULL;
        t->stop = true;
        pthread_cond_broadcast(&t->cond);
        pthread_mutex_unlock(&t->mu);
        if (left)
            drom_warn("kafka", "%s: transactions not committed within shutdownTimeout; failing their records",
                      t->ep->uri_masked);
        finish_list(t, left, DROM_RETRY, &err);
        pthread_join(t->thread, NULL);
        kafka_counters_show(&t->counters, t->ep);
    }
    if (t->rk)
        rd_kafka_destroy(t->rk);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
