/* The proton events of an AMQP connection and its reconnection schedule:
 * after a drop the connection is opened again after a delay that grows
 * (reconnectDelay * reconnectBackOffMultiplier^n, at most
 * maxReconnectDelay) with +-20% jitter; a refused login waits the longest
 * delay, so a wrong password never spins. A link the broker closes with an
 * error (no such queue, no permission) restarts the whole connection on the
 * same schedule, with the error as the endpoints' readiness reason. With a
 * failover:(...) remoteURI the next attempt goes to the next broker of the
 * list (conn_failover.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/ssl.h>
#include <proton/terminus.h>
#include <proton/transport.h>

#include "components/amqp/conn_int.h"
#include "runtime/engine.h"
#include "runtime/log.h"

void amqp_conn_connect(struct amqp_conn *c)
{
    pn_connection_t *pc = pn_connection();
    char container[200];
    if (c->client_id && *c->client_id)
        snprintf(container, sizeof container, "%s", c->client_id);
    else
        snprintf(container, sizeof container, "dromedary-%ld-%p", (long)getpid(), (void *)c);
    pn_connection_set_container(pc, container);
    pn_connection_set_hostname(pc, c->cfg.host);
    if (c->username) {
        pn_connection_set_user(pc, c->username);
        pn_connection_set_password(pc, c->password ? c->password : "");
    }
    pn_transport_t *t = pn_transport();
    pn_sasl_t *sasl = amqp_sasl_setup(t, &c->cfg);
    /* Checked in amqp_conn_config_read: plain text only to loopback or when allowed. */
    if (c->username && !c->cfg.tls)
        pn_sasl_set_allow_insecure_mechs(sasl, true);
    if (c->cfg.idle_timeout_ms > 0)
        pn_transport_set_idle_timeout(t, (pn_millis_t)c->cfg.idle_timeout_ms);
    if (c->cfg.tls) {
        pn_ssl_t *ssl = pn_ssl(t);
        c->ssl = amqp_ssl_domain_renew(c->ssl, &c->cfg, c->label);
        pn_ssl_init(ssl, c->ssl, NULL);
        pn_ssl_set_peer_hostname(ssl, c->cfg.host);
    }
    c->pc = pc;
    pn_proactor_connect2(c->proactor, pc, t, c->addr);
}

static void describe(pn_condition_t *cond, char *buf, size_t size)
{
    const char *name = cond ? pn_condition_get_name(cond) : NULL;
    const char *desc = cond ? pn_condition_get_description(cond) : NULL;
    if (name && desc)
        amqp_say(buf, size, "%s: %s", name, desc);
    else
        snprintf(buf, size, "%s", name ? name : desc ? desc : "closed without a reason");
}

static int64_t jitter(struct amqp_conn *c, int64_t ms)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    int64_t spread = ms / 5;
    return spread > 0 ? ms - spread + (int64_t)(c->rng % (uint64_t)(2 * spread + 1)) : ms;
}

/* The connection ended (refused, lost, closed): decide when to try again. */
static void on_down(struct amqp_conn *c, pn_transport_t *t)
{
    bool was_up = c->up;
    c->up = false;
    c->pc = NULL;
    c->session = NULL;
    for (struct amqp_link *l = c->links, *next; l; l = next) {
        next = l->next;
        l->pl = NULL;
        l->attached = false;
        if (l->detached)
            amqp_link_drop(c, l);
        else if (l->ops->lost)
            l->ops->lost(l);
    }
    if (c->stopping)
        return;
    char what[512];
    pn_condition_t *cond = pn_transport_condition(t);
    describe(cond, what, sizeof what);
    const char *name = pn_condition_get_name(cond);
    bool auth = (name && strcmp(name, "amqp:unauthorized-access") == 0) || pn_sasl_outcome(pn_sasl(t)) == PN_SASL_AUTH;
    /* A link error was made the reason before the connection was closed for it. */
    bool link_error = c->link_failed;
    c->link_failed = false;
    for (struct amqp_ep *e = c->members; e; e = e->next)
        if (!was_up || link_error)
            drom_endpoint_count(e->ep, "connect_failures", 1);
    char refusal[sizeof c->reason];
    amqp_refusal(&c->cfg, c->label, auth, what, refusal, sizeof refusal);
    if (refusal[0])
        amqp_say(c->reason, sizeof c->reason, "%s", refusal);
    else if (!link_error)
        amqp_say(c->reason, sizeof c->reason, "%s %s: %s", was_up ? "connection lost to" : "cannot connect to",
                 c->label, what);
    /* A link the broker refused is a failed attempt, not a loss: the schedule's delay applies. */
    int64_t wait = amqp_conn_next_wait(c, was_up && !link_error, auth);
    if (wait < 0) {
        c->gave_up = true;
        char r[sizeof c->reason];
        amqp_say(r, sizeof r, "gave up after %" PRId64 " reconnection attempts: %s", c->failures - !c->cfg.failover,
                 c->reason);
        amqp_say(c->reason, sizeof c->reason, "%s", r);
        drom_error_log(LOGGER, "%s", c->reason);
        for (struct amqp_link *l = c->links; l; l = l->next)
            if (l->ops->lost)
                l->ops->lost(l);
    } else {
        wait = jitter(c, wait);
        enum drom_log_level level = refusal[0] || link_error ? DROM_LOG_ERROR : DROM_LOG_WARN;
        if (c->cfg.nbrokers > 1)
            drom_log(level, LOGGER, "%s; failover: trying %s (broker %d of %d) in %lld ms", c->reason, c->label,
                     c->cur + 1, c->cfg.nbrokers, (long long)wait);
        else
            drom_log(level, LOGGER, "%s; reconnecting in %lld ms", c->reason, (long long)wait);
        pn_proactor_set_timeout(c->proactor, (pn_millis_t)wait);
    }
    amqp_conn_update_all(c);
}

/* Up with every link attached: the next failure starts the backoff afresh.
 * (Only then: a link the broker keeps refusing must not reset it.) */
static void check_healthy(struct amqp_conn *c)
{
    if (!c->up)
        return;
    for (struct amqp_link *l = c->links; l; l = l->next)
        if (!l->detached && !l->attached)
            return;
    c->failures = 0;
    c->tried = 0;
}

static void on_up(struct amqp_conn *c)
{
    c->up = true;
    c->reason[0] = '\0';
    check_healthy(c);
    for (struct amqp_ep *e = c->members; e; e = e->next)
        if (c->ever_up)
            drom_endpoint_count(e->ep, "reconnects", 1);
    drom_log(c->ever_up ? DROM_LOG_INFO : DROM_LOG_DEBUG, LOGGER, "%s %s", c->ever_up ? "Reconnected to" : "Connected to",
             c->label);
    amqp_conn_note_up(c);
    c->ever_up = true;
    amqp_conn_update_all(c);
}

static void on_link_closed(struct amqp_conn *c, pn_link_t *pl)
{
    struct amqp_link *l = pn_link_get_context(pl);
    if (!l || l->detached) {
        pn_link_close(pl);
        return;
    }
    char what[400];
    describe(pn_link_remote_condition(pl), what, sizeof what);
    amqp_say(l->error, sizeof l->error, "link %s to %s closed by %s: %s", l->name, l->address, c->label, what);
    amqp_say(c->reason, sizeof c->reason, "%s", l->error);
    c->link_failed = true;
    drom_error_log(LOGGER, "%s", l->error);
    pn_link_close(pl);
    /* Start over on the reconnection schedule rather than re-attaching in a tight loop. */
    pn_connection_close(c->pc);
    amqp_ep_update_ready(l->aep);
}

static void on_init(struct amqp_conn *c, pn_connection_t *pc)
{
    pn_connection_open(pc);
    c->session = pn_session(pc);
    pn_session_open(c->session);
    for (struct amqp_link *l = c->links, *next; l; l = next) {
        next = l->next;
        if (l->detached)
            amqp_link_drop(c, l);
        else
            amqp_link_attach(c, l);
    }
}

static void on_remote_close(struct amqp_conn *c, pn_connection_t *pc)
{
    char what[400];
    describe(pn_connection_remote_condition(pc), what, sizeof what);
    if (!c->link_failed)
        amqp_say(c->reason, sizeof c->reason, "closed by %s: %s", c->label, what);
    pn_connection_close(pc);
}

static void on_link_open(struct amqp_conn *c, pn_link_t *pl)
{
    struct amqp_link *l = pn_link_get_context(pl);
    if (!l || l->detached)
        return;
    /* A refused attach comes back without a terminus, then a detach with the error. */
    pn_terminus_t *t = l->sender ? pn_link_remote_target(pl) : pn_link_remote_source(pl);
    if (pn_terminus_get_type(t) == PN_UNSPECIFIED)
        return;
    l->attached = true;
    l->error[0] = '\0';
    if (l->ops->opened)
        l->ops->opened(l);
    check_healthy(c);
    amqp_ep_update_ready(l->aep);
}

static void on_delivery(pn_delivery_t *d)
{
    struct amqp_link *l = pn_link_get_context(pn_delivery_link(d));
    if (l && !l->detached)
        l->ops->delivery(l, d);
    else if (pn_delivery_updated(d) || pn_delivery_readable(d))
        pn_delivery_settle(d);
}

/* An endpoint queued work: drop, attach or give credit, link by link. */
static void on_wake(struct amqp_conn *c)
{
    for (struct amqp_link *l = c->links, *next; l; l = next) {
        next = l->next;
        if (l->detached)
            amqp_link_drop(c, l);
        else if (!l->pl && c->session)
            amqp_link_attach(c, l);
        else if (l->pl && l->ops->flow)
            l->ops->flow(l);
    }
}

/* The proactor's own events: the reconnection timer and the stop. Returns
 * false when the loop should end. */
static bool on_proactor(struct amqp_conn *c, pn_event_type_t type)
{
    switch (type) {
    case PN_PROACTOR_TIMEOUT:
        if (c->stopping)
            return false;   /* the broker did not answer our close in time */
        if (!c->pc && !c->gave_up)
            amqp_conn_connect(c);
        break;
    case PN_PROACTOR_INTERRUPT:
        if (!c->stopping)
            break;
        if (!c->pc)
            return false;
        pn_connection_close(c->pc);
        pn_proactor_set_timeout(c->proactor, 2000);
        break;
    case PN_PROACTOR_INACTIVE:
        return !c->stopping;
    default:
        break;
    }
    return true;
}

bool amqp_conn_handle(struct amqp_conn *c, pn_event_t *e)
{
    switch (pn_event_type(e)) {
    case PN_CONNECTION_INIT:
        on_init(c, pn_event_connection(e));
        break;
    case PN_CONNECTION_REMOTE_OPEN:
        on_up(c);
        break;
    case PN_CONNECTION_REMOTE_CLOSE:
        on_remote_close(c, pn_event_connection(e));
        break;
    case PN_LINK_REMOTE_OPEN:
        on_link_open(c, pn_event_link(e));
        break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH:
        on_link_closed(c, pn_event_link(e));
        break;
    case PN_LINK_FLOW: {
        struct amqp_link *l = pn_link_get_context(pn_event_link(e));
        if (l && !l->detached && l->ops->flow)
            l->ops->flow(l);
        break;
    }
    case PN_DELIVERY:
        on_delivery(pn_event_delivery(e));
        break;
    case PN_CONNECTION_WAKE:
        on_wake(c);
        break;
    case PN_TRANSPORT_CLOSED:
        on_down(c, pn_event_transport(e));
        return !c->stopping;
    default:
        return on_proactor(c, pn_event_type(e));
    }
    return true;
}
