/* The state of an AMQP connection as the endpoints see it: locking,
 * whether it is up and why not, each member endpoint's readiness. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "components/amqp/conn_int.h"
#include "runtime/engine.h"

void amqp_say(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

void amqp_conn_lock(struct amqp_conn *c)
{
    pthread_mutex_lock(&c->mu);
}

void amqp_conn_unlock(struct amqp_conn *c)
{
    pthread_mutex_unlock(&c->mu);
}

bool amqp_conn_up(const struct amqp_conn *c)
{
    return c->up;
}

const char *amqp_conn_reason(const struct amqp_conn *c)
{
    return c->up ? "" : c->reason;
}

bool amqp_conn_gave_up(const struct amqp_conn *c)
{
    return c->gave_up;
}

void amqp_conn_wait(struct amqp_conn *c, pthread_cond_t *cond)
{
    pthread_cond_wait(cond, &c->mu);
}

void amqp_conn_wake(struct amqp_conn *c)
{
    if (c->pc)
        pn_connection_wake(c->pc);
}

/* --- readiness --- */

void amqp_ep_update_ready(struct amqp_ep *e)
{
    struct amqp_conn *c = e->conn;
    if (!c->up) {
        drom_endpoint_set_ready(e->ep, false, c->reason);
        drom_endpoint_gauge(e->ep, "connected", 0);
        return;
    }
    drom_endpoint_gauge(e->ep, "connected", 1);
    for (struct amqp_link *l = c->links; l; l = l->next) {
        if (l->aep != e || l->detached || l->attached)
            continue;
        char why[700];
        if (l->error[0])
            amqp_say(why, sizeof why, "%s", l->error);
        else
            amqp_say(why, sizeof why, "attaching a %s link to %s on %s", l->sender ? "sender" : "receiver",
                     l->address, c->label);
        drom_endpoint_set_ready(e->ep, false, why);
        return;
    }
    drom_endpoint_set_ready(e->ep, true, NULL);
}

void amqp_conn_update_all(struct amqp_conn *c)
{
    for (struct amqp_ep *e = c->members; e; e = e->next)
        amqp_ep_update_ready(e);
    pthread_cond_broadcast(&c->cond);
}

void amqp_conn_add_member(struct amqp_conn *c, struct amqp_ep *e)
{
    pthread_mutex_lock(&c->mu);
    e->next = c->members;
    c->members = e;
    if (c->up && c->cfg.failover)
        drom_endpoint_text(e->ep, "broker", c->label);
    amqp_ep_update_ready(e);
    pthread_mutex_unlock(&c->mu);
}

void amqp_conn_remove_member(struct amqp_conn *c, struct amqp_ep *e)
{
    pthread_mutex_lock(&c->mu);
    for (struct amqp_ep **pp = &c->members; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    pthread_mutex_unlock(&c->mu);
}


void amqp_destination(const char *path, const char **name, bool *topic)
{
    *topic = false;
    if (strncmp(path, "queue:", 6) == 0) {
        path += 6;
    } else if (strncmp(path, "topic:", 6) == 0) {
        path += 6;
        *topic = true;
    }
    /* Camel also accepts "queue://name". */
    while (*path == '/')
        path++;
    *name = path;
}
