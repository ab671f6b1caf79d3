/* The links of an AMQP connection: registered by the endpoints, attached
 * on the proton thread once the session is open, closed and freed there
 * after destroy gave them up. */
#include <stdio.h>
#include <string.h>

#include <proton/codec.h>
#include <proton/session.h>
#include <proton/terminus.h>

#include "components/amqp/conn_int.h"


static void put_symbol(pn_data_t *d, const char *s)
{
    pn_data_put_symbol(d, pn_bytes(strlen(s), s));
}

void amqp_link_attach(struct amqp_conn *c, struct amqp_link *l)
{
    pn_link_t *pl = l->sender ? pn_sender(c->session, l->name) : pn_receiver(c->session, l->name);
    pn_terminus_t *t = l->sender ? pn_link_target(pl) : pn_link_source(pl);
    pn_terminus_set_address(t, l->address);
    /* Artemis routes (and auto-creates) by the capability: anycast for a queue, multicast for a topic. */
    put_symbol(pn_terminus_capabilities(t), l->topic ? "topic" : "queue");
    if (l->sender) {
        pn_link_set_snd_settle_mode(pl, PN_SND_UNSETTLED);
        pn_terminus_set_address(pn_link_source(pl), l->name);
    } else {
        pn_link_set_rcv_settle_mode(pl, PN_RCV_FIRST);
        if (l->durable_name) {
            pn_terminus_set_durability(t, PN_DELIVERIES);
            pn_terminus_set_expiry_policy(t, PN_EXPIRE_NEVER);
        }
        if (l->selector && *l->selector) {
            pn_data_t *f = pn_terminus_filter(t);
            pn_data_put_map(f);
            pn_data_enter(f);
            put_symbol(f, "jms-selector");
            pn_data_put_described(f);
            pn_data_enter(f);
            put_symbol(f, "apache.org:selector-filter:string");
            pn_data_put_string(f, pn_bytes(strlen(l->selector), l->selector));
            pn_data_exit(f);
            pn_data_exit(f);
        }
    }
    pn_link_set_context(pl, l);
    pn_link_open(pl);
    l->pl = pl;
    l->attached = false;
    if (l->ops->flow)
        l->ops->flow(l);
}

static void link_unlink(struct amqp_conn *c, struct amqp_link *l)
{
    for (struct amqp_link **pp = &c->links; *pp; pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            break;
        }
}

void amqp_link_drop(struct amqp_conn *c, struct amqp_link *l)
{
    if (l->pl) {
        pn_link_set_context(l->pl, NULL);
        pn_link_close(l->pl);
        l->pl = NULL;
    }
    link_unlink(c, l);
    if (l->ops->freed)
        l->ops->freed(l);
}

void amqp_conn_add_link(struct amqp_conn *c, struct amqp_link *l)
{
    pthread_mutex_lock(&c->mu);
    l->conn = c;
    /* Link names are unique per connection, except a durable subscription's, which is its name. */
    if (!l->durable_name)
        snprintf(l->name + strlen(l->name), sizeof l->name - strlen(l->name), "-%u", ++c->link_seq);
    l->next = c->links;
    c->links = l;
    amqp_ep_update_ready(l->aep);
    amqp_conn_wake(c);
    pthread_mutex_unlock(&c->mu);
}

void amqp_conn_remove_link(struct amqp_conn *c, struct amqp_link *l)
{
    pthread_mutex_lock(&c->mu);
    l->detached = true;
    if (!c->running || !c->pc) {
        /* No proton thread touches it now: free it here. */
        l->pl = NULL;
        amqp_link_drop(c, l);
    } else {
        amqp_conn_wake(c);
    }
    pthread_mutex_unlock(&c->mu);
}
