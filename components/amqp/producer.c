/* The producer: one sender link per endpoint, attached on the first
 * exchange (the engine does not tell a producer endpoint from a consumer at
 * create). produce() encodes the message on the engine thread and queues it;
 * the proton thread sends queued messages in order while the broker gives
 * credit, unsettled, and completes each exchange from the disposition:
 * accepted -> DONE; rejected -> FAIL; released or modified -> RETRY, each
 * with the broker's condition. The queue is bounded by the route's window.
 * When the connection drops, messages without an outcome go back to the
 * front of the queue and are sent again after reconnecting, with the same
 * _AMQ_DUPL_ID, so Artemis drops those it had already stored. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proton/condition.h>
#include <proton/disposition.h>
#include <proton/link.h>

#include "components/amqp/amqp_int.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct item {
    struct drom_exchange *ex;
    struct drom_buf bytes;        /* the encoded message, kept until its outcome (resent after a reconnect) */
    uint64_t seq;
    pn_delivery_t *d;             /* while sent and waiting for the outcome */
    struct item *next;
};

struct queue {
    struct item *head, *tail;
};

struct amqp_producer {
    struct amqp_link link;
    struct amqp_ep *aep;
    /* Engine thread only. */
    pn_message_t *msg;
    struct drom_amqp_send send;
    struct item *spare;           /* settled items whose buffers the next messages reuse */
    /* conn->mu. */
    struct queue waiting;         /* not sent yet, in order */
    struct queue sent;            /* sent, no outcome yet, in order of sending */
    struct item *returned;        /* settled on the proton thread, handed back in bulk */
    size_t nreturned;
    int64_t inflight;
    uint64_t seq;
};

/* Settled items kept for reuse, and the largest buffer kept with one: a
 * steady stream then allocates nothing per message, and one huge message
 * does not pin its memory. */
#define SPARE_ITEMS 256
#define SPARE_BUF_MAX (64 * 1024)

static void q_push(struct queue *q, struct item *it)
{
    it->next = NULL;
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
}

static struct item *q_pop(struct queue *q)
{
    struct item *it = q->head;
    if (it) {
        q->head = it->next;
        if (!q->head)
            q->tail = NULL;
    }
    return it;
}

/* Removes `it` (usually the head: Artemis answers in order). */
static void q_remove(struct queue *q, struct item *it)
{
    struct item *prev = NULL;
    for (struct item *p = q->head; p; prev = p, p = p->next)
        if (p == it) {
            if (prev)
                prev->next = p->next;
            else
                q->head = p->next;
            if (q->tail == p)
                q->tail = prev;
            return;
        }
}

static void item_free(struct item *it)
{
    drom_buf_free(&it->bytes);
    free(it);
}

static void items_free(struct item *it)
{
    while (it) {
        struct item *next = it->next;
        item_free(it);
        it = next;
    }
}

/* Proton thread, conn->mu held. */
static void item_return(struct amqp_producer *p, struct item *it)
{
    if (p->nreturned >= SPARE_ITEMS) {
        item_free(it);
        return;
    }
    if (it->bytes.cap > SPARE_BUF_MAX)
        drom_buf_free(&it->bytes);
    it->ex = NULL;
    it->d = NULL;
    it->next = p->returned;
    p->returned = it;
    p->nreturned++;
}

static void finish(struct amqp_producer *p, struct item *it, enum drom_status st, const struct drom_error *err)
{
    if (it->ex)
        drom_exchange_complete(it->ex, st, err);
    p->inflight--;
    drom_endpoint_gauge(p->aep->ep, "inflight", p->inflight);
    item_return(p, it);
}

/* --- proton thread, conn->mu held --- */

static void pump(struct amqp_link *l)
{
    struct amqp_producer *p = l->owner;
    if (!l->pl || !l->attached)
        return;
    int64_t n = 0;
    while (p->waiting.head && pn_link_credit(l->pl) > 0) {
        struct item *it = q_pop(&p->waiting);
        uint64_t tag = it->seq;
        it->d = pn_delivery(l->pl, pn_dtag((const char *)&tag, sizeof tag));
        pn_delivery_set_context(it->d, it);
        pn_link_send(l->pl, it->bytes.data, it->bytes.len);
        pn_link_advance(l->pl);
        q_push(&p->sent, it);
        n++;
    }
    if (n)
        drom_endpoint_count(p->aep->ep, "sent", n);
}

static void on_delivery(struct amqp_link *l, pn_delivery_t *d)
{
    struct amqp_producer *p = l->owner;
    if (!pn_delivery_updated(d))
        return;
    struct item *it = pn_delivery_get_context(d);
    uint64_t state = pn_delivery_remote_state(d);
    if (!it) {
        pn_delivery_settle(d);
        return;
    }
    q_remove(&p->sent, it);
    struct drom_error err = {0};
    enum drom_status st;
    char cond[600] = "";
    pn_condition_t *c = pn_disposition_condition(pn_delivery_remote(d));
    if (c && pn_condition_is_set(c))
        snprintf(cond, sizeof cond, ": %s%s%s", pn_condition_get_name(c) ? pn_condition_get_name(c) : "",
                 pn_condition_get_description(c) ? ": " : "",
                 pn_condition_get_description(c) ? pn_condition_get_description(c) : "");
    switch (state) {
    case PN_ACCEPTED:
        st = DROM_DONE;
        drom_endpoint_count(p->aep->ep, "accepted", 1);
        break;
    case PN_REJECTED:
        st = DROM_FAIL;
        drom_err(&err, DROM_EIO, "message rejected by the broker for %s%s", l->address, cond);
        drom_endpoint_count(p->aep->ep, "rejected", 1);
        break;
    case PN_MODIFIED:
    case PN_RELEASED:
        st = DROM_RETRY;
        drom_err(&err, DROM_EIO, "message %s by the broker for %s%s", state == PN_RELEASED ? "released" : "modified",
                 l->address, cond);
        drom_endpoint_count(p->aep->ep, "released", 1);
        break;
    default:
        st = DROM_RETRY;
        drom_err(&err, DROM_EIO, "unexpected outcome %s from the broker for %s", pn_disposition_type_name(state),
                 l->address);
        drom_endpoint_count(p->aep->ep, "released", 1);
        break;
    }
    pn_delivery_settle(d);
    finish(p, it, st, &err);
}

/* The connection dropped: what was sent without an outcome is sent again,
 * first and in order. If reconnection gave up, everything fails. */
static void on_lost(struct amqp_link *l)
{
    struct amqp_producer *p = l->owner;
    if (p->sent.head) {
        for (struct item *it = p->sent.head; it; it = it->next)
            it->d = NULL;
        p->sent.tail->next = p->waiting.head;
        if (!p->waiting.tail)
            p->waiting.tail = p->sent.tail;
        p->waiting.head = p->sent.head;
        p->sent.head = p->sent.tail = NULL;
    }
    if (amqp_conn_gave_up(l->conn)) {
        struct drom_error err = {0};
        drom_err(&err, DROM_ECONNECT, "%s", amqp_conn_reason(l->conn));
        struct item *it;
        while ((it = q_pop(&p->waiting)))
            finish(p, it, DROM_FAIL, &err);
    }
}

static void on_freed(struct amqp_link *l)
{
    struct amqp_producer *p = l->owner;
    struct item *it;
    while ((it = q_pop(&p->sent)))
        item_free(it);
    while ((it = q_pop(&p->waiting)))
        item_free(it);
    items_free(p->returned);
    free(p);
}

static const struct amqp_link_ops producer_ops = {
    .flow = pump,
    .delivery = on_delivery,
    .lost = on_lost,
    .freed = on_freed,
};

/* --- engine thread --- */

static struct amqp_producer *producer_new(struct amqp_ep *e)
{
    const struct amqp_conf *o = e->ep->conf;
    struct amqp_producer *p = drom_xcalloc(1, sizeof *p);
    p->aep = e;
    p->msg = pn_message();
    const char *name;
    bool topic;
    amqp_destination(e->ep->path, &name, &topic);
    struct amqp_link *l = &p->link;
    l->ops = &producer_ops;
    l->owner = p;
    l->aep = e;
    l->sender = true;
    l->topic = topic;
    snprintf(l->address, sizeof l->address, "%s", name);
    snprintf(l->name, sizeof l->name, "dromedary-%s-to-%s", e->ep->route_id ? e->ep->route_id : "route", name);
    p->send.address = l->address;
    p->send.topic = topic;
    p->send.durable = o->delivery_persistent;
    if (o->delivery_mode > 0)
        p->send.durable = o->delivery_mode == 2;
    p->send.priority = (int)o->priority;
    p->send.ttl_ms = o->time_to_live;
    p->send.allow_null_body = o->allow_null_body;
    p->send.preserve_qos = o->preserve_message_qos;
    p->send.reply_to = o->disable_reply_to ? "" : o->reply_to;
    return p;
}

enum drom_status amqp_producer_send(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct amqp_ep *e = ep->state;
    if (!e->prod) {
        e->prod = producer_new(e);
        amqp_conn_add_link(e->conn, &e->prod->link);
    }
    struct amqp_producer *p = e->prod;
    struct item *it = p->spare;
    if (it)
        p->spare = it->next;
    else
        it = drom_xcalloc(1, sizeof *it);
    if (drom_amqp_encode(ex, &p->send, p->msg, &it->bytes, err) < 0) {
        it->next = p->spare;
        p->spare = it;
        return DROM_FAIL;
    }
    it->ex = ex;
    amqp_conn_lock(e->conn);
    if (amqp_conn_gave_up(e->conn)) {
        drom_err(err, DROM_ECONNECT, "%s", amqp_conn_reason(e->conn));
        amqp_conn_unlock(e->conn);
        it->ex = NULL;
        it->next = p->spare;
        p->spare = it;
        return DROM_FAIL;
    }
    it->seq = ++p->seq;
    q_push(&p->waiting, it);
    p->inflight++;
    drom_endpoint_gauge(ep, "inflight", p->inflight);
    if (!p->spare) {   /* take back what the proton thread settled, under the lock held anyway */
        p->spare = p->returned;
        p->returned = NULL;
        p->nreturned = 0;
    }
    amqp_conn_wake(e->conn);
    amqp_conn_unlock(e->conn);
    return DROM_PENDING;
}

void amqp_producer_destroy(struct drom_endpoint *ep)
{
    struct amqp_ep *e = ep->state;
    struct amqp_producer *p = e->prod;
    if (!p)
        return;
    e->prod = NULL;
    pn_message_free(p->msg);
    p->msg = NULL;
    items_free(p->spare);
    p->spare = NULL;
    amqp_conn_lock(e->conn);
    /* The engine gave up on what is still here (drain timeout): never complete it. */
    for (struct item *it = p->waiting.head; it; it = it->next)
        it->ex = NULL;
    for (struct item *it = p->sent.head; it; it = it->next)
        it->ex = NULL;
    amqp_conn_unlock(e->conn);
    amqp_conn_remove_link(e->conn, &p->link);
}
