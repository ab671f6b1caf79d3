/* The consumer: concurrentConsumers receiver links on the shared
 * connection, each granted `prefetch` credit. The proton thread decodes each
 * message into an exchange and queues it; a submit thread per endpoint
 * hands them to the route (drom_consumer_submit blocks while the route's
 * window is full, which the proton thread must never do). Every delivery
 * gets a position (seq) in submission order; nothing is settled before the
 * engine's watermark passes it, and then in order: accepted when the
 * exchange succeeded or its failure was handled (dead letter), modified
 * with delivery-failed when it failed unhandled, so Artemis redelivers it
 * (and moves it to its dead-letter address after max-delivery-attempts).
 * Credit is topped up as deliveries are settled, so at most `prefetch` per
 * link are held. When the connection drops, unsettled deliveries return to
 * the broker: queued exchanges are dropped and settlements of exchanges
 * already in the route are ignored (the broker redelivers them: at least
 * once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proton/disposition.h>
#include <proton/link.h>

#include "components/amqp/amqp_int.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct pos {
    uint64_t seq;
    uint64_t gen;
};

struct rx {                       /* a delivery waiting to be settled */
    uint64_t seq;
    pn_delivery_t *d;
    struct rxlink *rl;
    struct rx *next;
};

struct ready {                    /* decoded, waiting for the submit thread */
    struct drom_exchange *ex;
    struct pos *pos;
    struct ready *next;
};

struct rxlink {
    struct amqp_link link;
    struct amqp_consumer *cons;
    unsigned held;                /* received, not settled */
};

struct amqp_consumer {
    struct amqp_ep *aep;
    size_t nlinks;
    struct rxlink **links;
    unsigned prefetch;
    /* conn->mu from here on. */
    struct rx *rx_head, *rx_tail;
    struct ready *rd_head, *rd_tail;
    uint64_t next_seq, gen, committed;
    uint64_t *failed;
    size_t nfailed, capfailed;
    bool stopping, destroyed;
    size_t alive;                 /* links not freed yet */
    pthread_cond_t cond;
    pthread_t thread;
    bool thread_started;
    pn_message_t *msg;            /* proton thread */
    struct drom_buf rbuf;         /* proton thread */
};

static void consumer_free(struct amqp_consumer *k)
{
    while (k->rx_head) {
        struct rx *r = k->rx_head;
        k->rx_head = r->next;
        free(r);
    }
    while (k->rd_head) {
        struct ready *r = k->rd_head;
        k->rd_head = r->next;
        drom_exchange_free(r->ex);
        free(r->pos);
        free(r);
    }
    pthread_cond_destroy(&k->cond);
    pn_message_free(k->msg);
    drom_buf_free(&k->rbuf);
    free(k->failed);
    free(k->links);
    free(k);
}

/* --- proton thread, conn->mu held --- */

static bool take_failed(struct amqp_consumer *k, uint64_t seq)
{
    for (size_t i = 0; i < k->nfailed; i++)
        if (k->failed[i] == seq) {
            k->failed[i] = k->failed[--k->nfailed];
            return true;
        }
    return false;
}

/* Settles, in order, every delivery the watermark has passed. */
static void settle_done(struct amqp_consumer *k)
{
    int64_t accepted = 0, modified = 0;
    while (k->rx_head && k->rx_head->seq <= k->committed) {
        struct rx *r = k->rx_head;
        k->rx_head = r->next;
        if (!k->rx_head)
            k->rx_tail = NULL;
        if (take_failed(k, r->seq)) {
            pn_disposition_set_failed(pn_delivery_local(r->d), true);
            pn_delivery_update(r->d, PN_MODIFIED);
            modified++;
        } else {
            pn_delivery_update(r->d, PN_ACCEPTED);
            accepted++;
        }
        pn_delivery_settle(r->d);
        r->rl->held--;
        free(r);
    }
    if (accepted)
        drom_endpoint_count(k->aep->ep, "accepted", accepted);
    if (modified)
        drom_endpoint_count(k->aep->ep, "modified", modified);
}

static void on_flow(struct amqp_link *l)
{
    struct rxlink *rl = (struct rxlink *)l;
    struct amqp_consumer *k = rl->cons;
    settle_done(k);
    if (!l->pl || k->stopping)
        return;
    int credit = pn_link_credit(l->pl);
    int want = (int)k->prefetch - (int)rl->held - credit;
    /* Top up in batches, not one flow frame per settled message. */
    if (want > 0 && (want >= (int)k->prefetch / 2 || credit == 0))
        pn_link_flow(l->pl, want);
}

static void on_delivery(struct amqp_link *l, pn_delivery_t *d)
{
    struct rxlink *rl = (struct rxlink *)l;
    struct amqp_consumer *k = rl->cons;
    if (pn_delivery_aborted(d)) {
        pn_delivery_settle(d);
        return;
    }
    if (!pn_delivery_readable(d) || pn_delivery_partial(d))
        return;
    struct drom_buf *b = &k->rbuf;
    drom_buf_reset(b);
    for (;;) {
        size_t want = pn_delivery_pending(d) + 1;
        if (b->cap < b->len + want + 1) {
            b->data = drom_xrealloc(b->data, b->len + want + 1);
            b->cap = b->len + want + 1;
        }
        ssize_t n = pn_link_recv(l->pl, b->data + b->len, want);
        if (n <= 0)
            break;
        b->len += (size_t)n;
    }
    pn_link_advance(l->pl);
    if (k->stopping) {
        /* Stopped: back to the broker for another consumer or a later start. */
        pn_delivery_update(d, PN_RELEASED);
        pn_delivery_settle(d);
        return;
    }
    struct drom_error err = {0};
    struct drom_exchange *ex = drom_amqp_decode(b->data, b->len, k->msg, &err);
    if (!ex) {
        drom_error_log(k->aep->ep->route_id, "%s: rejecting a message from %s: %s", k->aep->ep->uri_masked,
                       l->address, err.msg);
        pn_delivery_update(d, PN_REJECTED);
        pn_delivery_settle(d);
        drom_endpoint_count(k->aep->ep, "rejected", 1);
        return;
    }
    struct rx *r = drom_xcalloc(1, sizeof *r);
    r->seq = ++k->next_seq;
    r->d = d;
    r->rl = rl;
    if (k->rx_tail)
        k->rx_tail->next = r;
    else
        k->rx_head = r;
    k->rx_tail = r;
    rl->held++;
    struct ready *q = drom_xcalloc(1, sizeof *q);
    q->ex = ex;
    q->pos = drom_xmalloc(sizeof *q->pos);
    *q->pos = (struct pos){.seq = r->seq, .gen = k->gen};
    if (k->rd_tail)
        k->rd_tail->next = q;
    else
        k->rd_head = q;
    k->rd_tail = q;
    pthread_cond_signal(&k->cond);
    drom_endpoint_count(k->aep->ep, "received", 1);
}

/* The connection dropped: the broker takes back every unsettled delivery. */
static void on_lost(struct amqp_link *l)
{
    struct rxlink *rl = (struct rxlink *)l;
    struct amqp_consumer *k = rl->cons;
    rl->held = 0;
    if (!k->rx_head && !k->rd_head)
        return;
    while (k->rx_head) {
        struct rx *r = k->rx_head;
        k->rx_head = r->next;
        r->rl->held = 0;
        free(r);
    }
    k->rx_tail = NULL;
    while (k->rd_head) {
        struct ready *r = k->rd_head;
        k->rd_head = r->next;
        drom_exchange_free(r->ex);
        free(r->pos);
        free(r);
    }
    k->rd_tail = NULL;
    k->nfailed = 0;
    k->gen++;
    k->committed = k->next_seq;
}

static void on_freed(struct amqp_link *l)
{
    struct rxlink *rl = (struct rxlink *)l;
    struct amqp_consumer *k = rl->cons;
    for (struct rx **pp = &k->rx_head; *pp;) {
        struct rx *r = *pp;
        if (r->rl == rl) {
            *pp = r->next;
            free(r);
        } else {
            pp = &r->next;
        }
    }
    k->rx_tail = NULL;
    for (struct rx *r = k->rx_head; r; r = r->next)
        k->rx_tail = r;
    free(rl);
    if (--k->alive == 0 && k->destroyed)
        consumer_free(k);
}

static const struct amqp_link_ops consumer_ops = {
    .flow = on_flow,
    .delivery = on_delivery,
    .lost = on_lost,
    .freed = on_freed,
};

/* --- submit thread --- */

static void *submit_thread(void *arg)
{
    struct amqp_consumer *k = arg;
    struct amqp_conn *c = k->aep->conn;
    amqp_conn_lock(c);
    for (;;) {
        while (!k->stopping && !k->rd_head)
            amqp_conn_wait(c, &k->cond);
        if (k->stopping)
            break;
        struct ready *r = k->rd_head;
        k->rd_head = r->next;
        if (!k->rd_head)
            k->rd_tail = NULL;
        amqp_conn_unlock(c);
        struct drom_error err = {0};
        int rc = drom_consumer_submit(k->aep->ep, r->ex, r->pos, &err);
        free(r);
        amqp_conn_lock(c);
        if (rc < 0)
            break;   /* the route stopped accepting */
    }
    amqp_conn_unlock(c);
    return NULL;
}

/* --- engine thread --- */

void amqp_consumer_done(struct drom_endpoint *ep, const void *p, bool failed)
{
    struct amqp_ep *e = ep->state;
    struct amqp_consumer *k = e->cons;
    const struct pos *pos = p;
    if (!k || !pos || !failed)
        return;
    amqp_conn_lock(e->conn);
    if (pos->gen == k->gen) {
        drom_xgrow((void **)&k->failed, &k->capfailed, k->nfailed + 1, sizeof *k->failed);
        k->failed[k->nfailed++] = pos->seq;
    }
    amqp_conn_unlock(e->conn);
}

void amqp_consumer_commit(struct drom_endpoint *ep, const void *p)
{
    struct amqp_ep *e = ep->state;
    struct amqp_consumer *k = e->cons;
    const struct pos *pos = p;
    if (!k || !pos)
        return;
    amqp_conn_lock(e->conn);
    if (pos->gen == k->gen && pos->seq > k->committed) {
        k->committed = pos->seq;
        amqp_conn_wake(e->conn);
    }
    amqp_conn_unlock(e->conn);
}

int amqp_consumer_start(struct drom_endpoint *ep, struct drom_error *err)
{
    struct amqp_ep *e = ep->state;
    const struct amqp_conf *o = ep->conf;
    if (e->cons)
        return drom_err(err, DROM_EINVAL, "%s: already started", ep->uri_masked);
    const char *name;
    bool topic;
    amqp_destination(ep->path, &name, &topic);
    bool durable = o->durable;   /* with a topic:, clientId and a name: validate saw to it */
    const char *sub = o->durable_subscription_name;
    struct amqp_consumer *k = drom_xcalloc(1, sizeof *k);
    k->aep = e;
    k->prefetch = (unsigned)o->prefetch;
    k->nlinks = durable ? 1 : (size_t)o->concurrent_consumers;
    k->links = drom_xcalloc(k->nlinks, sizeof *k->links);
    k->msg = pn_message();
    pthread_cond_init(&k->cond, NULL);
    k->alive = k->nlinks;
    e->cons = k;
    for (size_t i = 0; i < k->nlinks; i++) {
        struct rxlink *rl = drom_xcalloc(1, sizeof *rl);
        rl->cons = k;
        struct amqp_link *l = &rl->link;
        l->ops = &consumer_ops;
        l->owner = k;
        l->aep = e;
        l->topic = topic;
        l->credit = k->prefetch;
        l->selector = o->message_selector;
        snprintf(l->address, sizeof l->address, "%s", name);
        if (durable) {
            l->durable_name = sub;
            snprintf(l->name, sizeof l->name, "%s", sub);
        } else {
            snprintf(l->name, sizeof l->name, "dromedary-%s-from-%s", ep->route_id ? ep->route_id : "route", name);
        }
        k->links[i] = rl;
    }
    if (pthread_create(&k->thread, NULL, submit_thread, k) != 0) {
        e->cons = NULL;
        for (size_t i = 0; i < k->nlinks; i++)
            free(k->links[i]);
        consumer_free(k);
        return drom_err(err, DROM_EINTERNAL, "%s: cannot start the consumer thread", ep->uri_masked);
    }
    k->thread_started = true;
    for (size_t i = 0; i < k->nlinks; i++)
        amqp_conn_add_link(e->conn, &k->links[i]->link);
    return 0;
}

void amqp_consumer_stop(struct drom_endpoint *ep)
{
    struct amqp_ep *e = ep->state;
    struct amqp_consumer *k = e->cons;
    if (!k || !k->thread_started)
        return;
    amqp_conn_lock(e->conn);
    k->stopping = true;
    pthread_cond_broadcast(&k->cond);
    amqp_conn_unlock(e->conn);
    pthread_join(k->thread, NULL);
    k->thread_started = false;
    /* Links stay attached until destroy, so exchanges still in the route
     * can be settled while the engine drains. */
}

void amqp_consumer_destroy(struct drom_endpoint *ep)
{
    struct amqp_ep *e = ep->state;
    struct amqp_consumer *k = e->cons;
    if (!k)
        return;
    amqp_consumer_stop(ep);
    e->cons = NULL;
    amqp_conn_lock(e->conn);
    k->destroyed = true;
    size_t n = k->nlinks;
    struct rxlink **links = drom_xmalloc(n * sizeof *links);
    memcpy(links, k->links, n * sizeof *links);
    amqp_conn_unlock(e->conn);
    /* The last link freed frees the consumer. */
    for (size_t i = 0; i < n; i++)
        amqp_conn_remove_link(e->conn, &links[i]->link);
    free(links);
}
