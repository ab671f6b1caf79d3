/* seda: a bounded in-memory queue between routes of one engine. The
 * producer (engine thread) puts a copy of the exchange in the queue and is
 * done; a consumer thread takes copies out and submits them to its route,
 * whose in-flight window is concurrentConsumers. When the queue is full:
 * fail ("Queue full", Camel's IllegalStateException), drop it
 * (discardWhenFull), or with blockWhenFull wait without blocking the
 * engine: the producer answers DROM_PENDING and completes once a slot
 * frees (or fails after offerTimeout, on the engine's timer).
 * Queued copies count as pending work for the drain. */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/component.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

enum seda_wait { WAIT_NEVER, WAIT_IF_REPLY_EXPECTED, WAIT_ALWAYS };
static const char *const wait_values[] = {"Never", "IfReplyExpected", "Always", NULL};

struct seda_conf {
    int64_t size, concurrent_consumers, offer_timeout_ms;
    bool block_when_full, discard_when_full, fail_if_no_consumers, discard_if_no_consumers, purge_when_stopping;
    int wait_for_task;   /* enum seda_wait */
};

#define AT(f) DROM_OPT_AT(struct seda_conf, f)

/* Camel 4's seda endpoint options and defaults. */
static const struct drom_option options[] = {
    {.name = "size", AT(size), .type = DROM_OPT_INT, .def = "1000", .min = 1, .max = INT32_MAX, .group = "common",
     .doc = "Maximum capacity of the queue"},
    {.name = "concurrentConsumers", AT(concurrent_consumers), .type = DROM_OPT_INT, .def = "1", .min = 1, .max = 1000, .group = "consumer",
     .doc = "Number of exchanges taken from the queue and processed at the same time"},
    {.name = "blockWhenFull", AT(block_when_full), .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Wait for room when the queue is full (the exchange stays pending) instead of failing"},
    {.name = "discardWhenFull", AT(discard_when_full), .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Drop the message when the queue is full, without failing"},
    {.name = "offerTimeout", AT(offer_timeout_ms), .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "With blockWhenFull: fail after this long without room (0: wait forever)"},
    {.name = "failIfNoConsumers", AT(fail_if_no_consumers), .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Fail when sending to a queue without an active consumer"},
    {.name = "discardIfNoConsumers", AT(discard_if_no_consumers), .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Drop the message when the queue has no active consumer"},
    {.name = "waitForTaskToComplete", AT(wait_for_task), .type = DROM_OPT_ENUM, .def = "IfReplyExpected", .values = wait_values,
     .group = "producer", .doc = "Always: the producer completes only when the consumer route finished"},
    {.name = "timeout", .type = DROM_OPT_DURATION, .def = "30000", .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "Timeout of waitForTaskToComplete"},
    {.name = "purgeWhenStopping", AT(purge_when_stopping), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Drop the queued messages at stop instead of draining them"},
    {.name = "pollTimeout", .type = DROM_OPT_DURATION, .def = "1000", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Poll timeout of the consumer threads (none here: the engine is woken)"},
    {.name = "multipleConsumers", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer", .doc = "Publish-subscribe between several consumers (not supported)"},
    {.name = "limitConcurrentConsumers", .type = DROM_OPT_BOOL, .def = "true", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Cap concurrentConsumers at 500"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},
    DROM_OPTIONS_END,
};

struct item {
    struct drom_exchange *copy;
    struct drom_exchange *waiter;   /* waitForTaskToComplete=Always: the producer's exchange */
};

struct blocked {
    struct drom_exchange *orig;     /* pending in the producer */
    struct item it;
    uint64_t id;                    /* for the offerTimeout timer */
};

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct drom_engine *eng;
    char *name;
    size_t size;                    /* from the first endpoint, as Camel does */
    struct item *ring;
    size_t head, n;
    struct blocked *blocked;
    size_t nblocked, capblocked;
    uint64_t next_id;
    struct drom_endpoint *consumer;
    pthread_t thread;
    bool running, stopping, purge;
};

struct qarg {
    struct drom_engine *eng;
    const char *name;
    size_t size;
};

static void *queue_new(void *arg)
{
    struct qarg *a = arg;
    struct queue *q = drom_xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cond, NULL);
    q->eng = a->eng;
    q->name = drom_xstrdup(a->name);
    q->size = a->size;
    q->ring = drom_xcalloc(q->size, sizeof *q->ring);
    return q;
}

static void queue_free(void *p)
{
    struct queue *q = p;
    for (size_t i = 0; i < q->n; i++)
        drom_exchange_free(q->ring[(q->head + i) % q->size].copy);
    for (size_t i = 0; i < q->nblocked; i++)
        drom_exchange_free(q->blocked[i].it.copy);
    free(q->blocked);
    free(q->ring);
    free(q->name);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cond);
    free(q);
}

static void seda_settings(const struct drom_endpoint *ep, struct drom_consumer_settings *out)
{
    out->window = (size_t)((const struct seda_conf *)ep->conf)->concurrent_consumers;
}

static void seda_link(const char *path, const void *conf, unsigned role, struct drom_link *out)
{
    out->checks = DROM_LINK_NEEDS_CONSUMER | DROM_LINK_ONE_CONSUMER;
    /* seda_start refuses a second consumer: refuse it here already */
    out->share_hint = "; a seda queue has one consumer here (multipleConsumers is not supported)";
}

static int seda_create(struct drom_endpoint *ep, struct drom_error *err)
{
    const struct seda_conf *o = ep->conf;
    char key[512];
    snprintf(key, sizeof key, "seda:%s", ep->path);
    struct qarg a = {drom_endpoint_engine(ep), ep->path, (size_t)o->size};
    ep->state = drom_engine_shared(a.eng, key, queue_new, &a, queue_free);
    return 0;
}

/* Called with q->mu held. */
static void push(struct queue *q, struct item it)
{
    q->ring[(q->head + q->n) % q->size] = it;
    q->n++;
    pthread_cond_broadcast(&q->cond);
}

static void position_free(void *pos)
{
    free(pos);
}

/* waitForTaskToComplete=Always: the producer's exchange finishes with the consumer's. */
static void consumer_done(struct drom_endpoint *ep, const void *pos, bool failed)
{
    struct drom_exchange *const *waiter = pos;
    if (!waiter || !*waiter)
        return;
    struct drom_error err = {0};
    if (failed)
        drom_err(&err, DROM_EINVAL, "the seda:%s consumer route failed the exchange", ep->path);
    drom_exchange_complete(*waiter, failed ? DROM_FAIL : DROM_DONE, &err);
}

/* offerTimeout: runs on the engine thread; the blocked producer may have
 * got its slot meanwhile. */
struct expiry {
    struct queue *q;
    uint64_t id;
};

static void expire(void *arg)
{
    struct expiry *e = arg;
    struct queue *q = e->q;
    pthread_mutex_lock(&q->mu);
    for (size_t i = 0; i < q->nblocked; i++) {
        struct blocked *b = &q->blocked[i];
        if (b->id != e->id)
            continue;
        struct drom_error err = {0};
        drom_err(&err, DROM_ESTATE, "Fails to insert element into queue after timeout: seda://%s", q->name);
        drom_exchange_complete(b->orig, DROM_FAIL, &err);
        drom_exchange_free(b->it.copy);
        drom_engine_pending_add(q->eng, -1);
        memmove(b, b + 1, (q->nblocked - i - 1) * sizeof *b);
        q->nblocked--;
        break;
    }
    pthread_mutex_unlock(&q->mu);
    free(e);
}

static void *consumer_thread(void *arg)
{
    struct queue *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        if (q->n == 0 && !q->stopping) {
            pthread_cond_wait(&q->cond, &q->mu);
            continue;
        }
        if (q->stopping && (q->purge || q->n == 0))
            break;
        struct item it = q->ring[q->head];
        q->head = (q->head + 1) % q->size;
        q->n--;
        if (q->nblocked) {
            /* A slot freed: the oldest blocked producer gets in and completes. */
            struct blocked b = q->blocked[0];
            memmove(q->blocked, q->blocked + 1, (q->nblocked - 1) * sizeof *q->blocked);
            q->nblocked--;
            push(q, b.it);
            drom_exchange_complete(b.orig, DROM_DONE, NULL);
        }
        struct drom_endpoint *ep = q->consumer;
        pthread_mutex_unlock(&q->mu);
        void *pos = NULL;
        if (it.waiter) {
            struct drom_exchange **w = drom_xmalloc(sizeof *w);
            *w = it.waiter;
            pos = w;
        }
        struct drom_error err = {0};
        if (drom_consumer_submit(ep, it.copy, pos, &err) < 0 && it.waiter) {
            struct drom_error e2 = {0};
            drom_err(&e2, DROM_ESTOPPED, "seda:%s is stopping", q->name);
            drom_exchange_complete(it.waiter, DROM_FAIL, &e2);
        }
        drom_engine_pending_add(q->eng, -1);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static int seda_start(struct drom_endpoint *ep, struct drom_error *err)
{
    struct queue *q = ep->state;
    pthread_mutex_lock(&q->mu);
    if (q->consumer) {
        pthread_mutex_unlock(&q->mu);
        return drom_err(err, DROM_EINVAL, "seda://%s already has a consumer (multipleConsumers is not supported)",
                        q->name);
    }
    q->consumer = ep;
    q->stopping = false;
    q->purge = ((const struct seda_conf *)ep->conf)->purge_when_stopping;
    pthread_mutex_unlock(&q->mu);
    if (pthread_create(&q->thread, NULL, consumer_thread, q) != 0) {
        q->consumer = NULL;
        return drom_err(err, DROM_EINTERNAL, "cannot start the seda://%s consumer thread", q->name);
    }
    q->running = true;
    return 0;
}

static void seda_stop(struct drom_endpoint *ep)
{
    struct queue *q = ep->state;
    if (!q->running || q->consumer != ep)
        return;
    pthread_mutex_lock(&q->mu);
    q->stopping = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    pthread_mutex_lock(&q->mu);
    q->running = false;
    q->consumer = NULL;
    /* What is left (purgeWhenStopping, or a drain that timed out) is dropped. */
    while (q->n) {
        drom_exchange_free(q->ring[q->head].copy);
        q->head = (q->head + 1) % q->size;
        q->n--;
        drom_engine_pending_add(q->eng, -1);
    }
    pthread_mutex_unlock(&q->mu);
}

static enum drom_status seda_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct queue *q = ep->state;
    const struct seda_conf *o = ep->conf;
    bool always = o->wait_for_task == WAIT_ALWAYS;
    pthread_mutex_lock(&q->mu);
    if (!q->consumer) {
        if (o->fail_if_no_consumers) {
            pthread_mutex_unlock(&q->mu);
            drom_err(err, DROM_ESTATE, "No consumers available on endpoint: seda://%s", q->name);
            return DROM_FAIL;
        }
        if (o->discard_if_no_consumers) {
            pthread_mutex_unlock(&q->mu);
            return DROM_DONE;
        }
    }
    struct item it = {.copy = drom_exchange_copy(ex), .waiter = always ? ex : NULL};
    if (q->n < q->size && q->nblocked == 0) {
        drom_engine_pending_add(q->eng, 1);
        push(q, it);
        pthread_mutex_unlock(&q->mu);
        return always ? DROM_PENDING : DROM_DONE;
    }
    if (o->discard_when_full) {
        pthread_mutex_unlock(&q->mu);
        drom_exchange_free(it.copy);
        return DROM_DONE;
    }
    if (!o->block_when_full) {
        pthread_mutex_unlock(&q->mu);
        drom_exchange_free(it.copy);
        drom_err(err, DROM_ESTATE, "Queue full: seda://%s (size %zu)", q->name, q->size);
        return DROM_FAIL;
    }
    int64_t timeout = o->offer_timeout_ms;
    drom_xgrow((void **)&q->blocked, &q->capblocked, q->nblocked + 1, sizeof *q->blocked);
    uint64_t id = ++q->next_id;
    q->blocked[q->nblocked++] = (struct blocked){.orig = ex, .it = it, .id = id};
    drom_engine_pending_add(q->eng, 1);
    pthread_mutex_unlock(&q->mu);
    if (timeout > 0) {
        struct expiry *e = drom_xmalloc(sizeof *e);
        *e = (struct expiry){q, id};
        drom_engine_timer(q->eng, timeout, expire, e);
    }
    return DROM_PENDING;
}

/* A producer that blocks for room cannot also wait for the consumer: the
 * exchange would complete twice. Refused before any route runs. */
static int seda_validate(const char *path, const void *conf, unsigned role, struct drom_error *err)
{
    const struct seda_conf *o = conf;
    if (role == DROM_ROLE_PRODUCER && o->block_when_full && o->wait_for_task == WAIT_ALWAYS)
        return drom_err(err, DROM_EINVAL, "blockWhenFull with waitForTaskToComplete=Always is not supported");
    return 0;
}

const struct drom_component drom_component_seda = {
    .name = "seda",
    .title = "Asynchronous in-memory queue between routes",
    .path_syntax = "name",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
    .conf_size = sizeof(struct seda_conf),
    .validate = seda_validate,
    .link = seda_link,
    .create = seda_create,
    .start = seda_start,
    .stop = seda_stop,
    .produce = seda_produce,
    .position_free = position_free,
    .flags = DROM_COMP_INTERNAL,
    .consumer_settings = seda_settings,
    .done = consumer_done,
};
