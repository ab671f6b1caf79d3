/* One AMQP connection per broker and credentials, shared by the endpoints
 * of an engine: a proton proactor in its own thread, one loop and one
 * handle() switch. Links of producers and consumers hang off one session.
 * When the connection drops it is opened again after a delay that grows
 * (reconnectDelay * reconnectBackOffMultiplier^n, at most
 * maxReconnectDelay) with +-20% jitter; a refused login waits the longest
 * delay, so a wrong password never spins. A link the broker closes with an
 * error (no such queue, no permission) restarts the whole connection on the
 * same schedule, with the error as the endpoints' readiness reason. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <proton/codec.h>
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/event.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/ssl.h>
#include <proton/terminus.h>
#include <proton/transport.h>

#include "components/amqp/amqp_int.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/tls_files.h"
#include "runtime/xalloc.h"

#define LOGGER "amqp"

struct amqp_conn {
    pthread_mutex_t mu;
    pthread_cond_t cond;             /* state changes, for acquire's wait */
    struct amqp_conn_config cfg;     /* strings below are its own copies */
    char *username, *password, *client_id, *trust_store;
    char *cert, *key, *key_password, *sasl_mechs;
    char label[300];                 /* amqp://host:port, for logs */
    char addr[300];                  /* host:port for the proactor */
    pn_ssl_domain_t *ssl;
    int refs;
    bool running, stopping;
    pthread_t thread;
    pn_proactor_t *proactor;
    pn_connection_t *pc;             /* the live connection; NULL while down */
    pn_session_t *session;
    bool up, ever_up, gave_up;
    bool link_failed;                /* the broker closed a link: why the connection closes */
    int64_t failures;                /* attempts failed in a row */
    int64_t delay_ms;                /* the next wait before reconnecting */
    uint64_t rng;
    unsigned link_seq;
    char reason[600];                /* why not up */
    struct amqp_link *links;
    struct amqp_ep *members;
};

/* snprintf for messages that may be cut at the buffer's end, on purpose. */
static void say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* FNV-1a, so that the registry key tells credentials apart without holding them. */
static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* --- the shared object --- */

static void *conn_new(void *arg)
{
    const struct amqp_conn_config *cfg = arg;
    struct amqp_conn *c = drom_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    c->cfg = *cfg;
    /* the borrowed strings of cfg become the connection's own copies */
    char **own[] = {&c->username, &c->password, &c->client_id, &c->trust_store,
                    &c->cert, &c->key, &c->key_password, &c->sasl_mechs};
    const char **ref[] = {&c->cfg.username, &c->cfg.password, &c->cfg.client_id, &c->cfg.trust_store,
                          &c->cfg.cert, &c->cfg.key, &c->cfg.key_password, &c->cfg.sasl_mechs};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        *ref[i] = *own[i] = drom_xstrdup(*ref[i]);
    bool v6 = strchr(cfg->host, ':') != NULL;
    snprintf(c->label, sizeof c->label, "%s://%s%s%s:%s", cfg->tls ? "amqps" : "amqp", v6 ? "[" : "", cfg->host,
             v6 ? "]" : "", cfg->port);
    pn_proactor_addr(c->addr, sizeof c->addr, cfg->host, cfg->port);
    c->rng = (uint64_t)(uintptr_t)c ^ (uint64_t)drom_now_us();
    say(c->reason, sizeof c->reason, "connecting to %s", c->label);
    return c;
}

static void conn_free(void *obj)
{
    struct amqp_conn *c = obj;
    if (!c)
        return;
    if (c->ssl)
        pn_ssl_domain_free(c->ssl);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cond);
    free(c->username);
    if (c->password) {
        memset(c->password, 0, strlen(c->password));
        free(c->password);
    }
    free(c->client_id);
    free(c->trust_store);
    free(c->cert);
    free(c->key);
    if (c->key_password) {
        memset(c->key_password, 0, strlen(c->key_password));
        free(c->key_password);
    }
    free(c->sasl_mechs);
    free(c);
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
            say(why, sizeof why, "%s", l->error);
        else
            say(why, sizeof why, "attaching a %s link to %s on %s", l->sender ? "sender" : "receiver",
                     l->address, c->label);
        drom_endpoint_set_ready(e->ep, false, why);
        return;
    }
    drom_endpoint_set_ready(e->ep, true, NULL);
}

static void update_all(struct amqp_conn *c)
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

/* --- links --- */

static void put_symbol(pn_data_t *d, const char *s)
{
    pn_data_put_symbol(d, pn_bytes(strlen(s), s));
}

static void link_attach(struct amqp_conn *c, struct amqp_link *l)
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

/* Closes and frees a link destroy gave up; the proton thread, mu held. */
static void link_drop(struct amqp_conn *c, struct amqp_link *l)
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
        link_drop(c, l);
    } else {
        amqp_conn_wake(c);
    }
    pthread_mutex_unlock(&c->mu);
}

/* --- the proton thread --- */

static void connect_now(struct amqp_conn *c)
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
    pn_sasl_t *sasl = pn_sasl(t);
    char mechs[128];
    pn_sasl_allowed_mechs(sasl, amqp_sasl_mechs(&c->cfg, mechs, sizeof mechs));
    /* Checked in amqp_conn_config_read: plain text only to loopback or when allowed. */
    if (c->username && !c->cfg.tls)
        pn_sasl_set_allow_insecure_mechs(sasl, true);
    if (c->cfg.idle_timeout_ms > 0)
        pn_transport_set_idle_timeout(t, (pn_millis_t)c->cfg.idle_timeout_ms);
    if (c->cfg.tls) {
        pn_ssl_t *ssl = pn_ssl(t);
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
        say(buf, size, "%s: %s", name, desc);
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
            link_drop(c, l);
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
    c->failures++;
    for (struct amqp_ep *e = c->members; e; e = e->next)
        if (!was_up || link_error)
            drom_endpoint_count(e->ep, "connect_failures", 1);
    char refusal[sizeof c->reason];
    amqp_refusal(&c->cfg, c->label, auth, what, refusal, sizeof refusal);
    if (refusal[0])
        say(c->reason, sizeof c->reason, "%s", refusal);
    else if (!link_error)
        say(c->reason, sizeof c->reason, "%s %s: %s", was_up ? "connection lost to" : "cannot connect to",
                 c->label, what);
    if (auth)
        c->delay_ms = c->cfg.max_reconnect_delay_ms;
    else if (c->failures == 1)
        c->delay_ms = c->cfg.reconnect_delay_ms;
    else
        c->delay_ms = c->delay_ms > c->cfg.max_reconnect_delay_ms / c->cfg.backoff_multiplier
                          ? c->cfg.max_reconnect_delay_ms
                          : c->delay_ms * c->cfg.backoff_multiplier;
    if (c->cfg.max_reconnect_attempts >= 0 && c->failures > c->cfg.max_reconnect_attempts) {
        c->gave_up = true;
        char r[sizeof c->reason];
        say(r, sizeof r, "gave up after %" PRId64 " reconnection attempts: %s", c->failures - 1, c->reason);
        say(c->reason, sizeof c->reason, "%s", r);
        drom_error_log(LOGGER, "%s", c->reason);
        for (struct amqp_link *l = c->links; l; l = l->next)
            if (l->ops->lost)
                l->ops->lost(l);
    } else {
        int64_t wait = jitter(c, c->delay_ms);
        drom_log(refusal[0] || link_error ? DROM_LOG_ERROR : DROM_LOG_WARN, LOGGER, "%s; reconnecting in %lld ms",
                 c->reason, (long long)wait);
        pn_proactor_set_timeout(c->proactor, (pn_millis_t)wait);
    }
    update_all(c);
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
    c->ever_up = true;
    update_all(c);
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
    say(l->error, sizeof l->error, "link %s to %s closed by %s: %s", l->name, l->address, c->label, what);
    say(c->reason, sizeof c->reason, "%s", l->error);
    c->link_failed = true;
    drom_error_log(LOGGER, "%s", l->error);
    pn_link_close(pl);
    /* Start over on the reconnection schedule rather than re-attaching in a tight loop. */
    pn_connection_close(c->pc);
    amqp_ep_update_ready(l->aep);
}

/* Returns false when the loop should end. */
static bool handle(struct amqp_conn *c, pn_event_t *e)
{
    switch (pn_event_type(e)) {
    case PN_CONNECTION_INIT: {
        pn_connection_t *pc = pn_event_connection(e);
        pn_connection_open(pc);
        c->session = pn_session(pc);
        pn_session_open(c->session);
        for (struct amqp_link *l = c->links, *next; l; l = next) {
            next = l->next;
            if (l->detached)
                link_drop(c, l);
            else
                link_attach(c, l);
        }
        break;
    }
    case PN_CONNECTION_REMOTE_OPEN:
        on_up(c);
        break;
    case PN_CONNECTION_REMOTE_CLOSE: {
        pn_connection_t *pc = pn_event_connection(e);
        char what[400];
        describe(pn_connection_remote_condition(pc), what, sizeof what);
        if (!c->link_failed)
            say(c->reason, sizeof c->reason, "closed by %s: %s", c->label, what);
        pn_connection_close(pc);
        break;
    }
    case PN_LINK_REMOTE_OPEN: {
        pn_link_t *pl = pn_event_link(e);
        struct amqp_link *l = pn_link_get_context(pl);
        if (!l || l->detached)
            break;
        /* A refused attach comes back without a terminus, then a detach with the error. */
        pn_terminus_t *t = l->sender ? pn_link_remote_target(pl) : pn_link_remote_source(pl);
        if (pn_terminus_get_type(t) == PN_UNSPECIFIED)
            break;
        l->attached = true;
        l->error[0] = '\0';
        if (l->ops->opened)
            l->ops->opened(l);
        check_healthy(c);
        amqp_ep_update_ready(l->aep);
        break;
    }
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
    case PN_DELIVERY: {
        pn_delivery_t *d = pn_event_delivery(e);
        struct amqp_link *l = pn_link_get_context(pn_delivery_link(d));
        if (l && !l->detached)
            l->ops->delivery(l, d);
        else if (pn_delivery_updated(d) || pn_delivery_readable(d))
            pn_delivery_settle(d);
        break;
    }
    case PN_CONNECTION_WAKE:
        for (struct amqp_link *l = c->links, *next; l; l = next) {
            next = l->next;
            if (l->detached)
                link_drop(c, l);
            else if (!l->pl && c->session)
                link_attach(c, l);
            else if (l->pl && l->ops->flow)
                l->ops->flow(l);
        }
        break;
    case PN_TRANSPORT_CLOSED:
        on_down(c, pn_event_transport(e));
        if (c->stopping)
            return false;
        break;
    case PN_PROACTOR_TIMEOUT:
        if (c->stopping)
            return false;   /* the broker did not answer our close in time */
        if (!c->pc && !c->gave_up)
            connect_now(c);
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
        if (c->stopping)
            return false;
        break;
    default:
        break;
    }
    return true;
}

static void *run(void *arg)
{
    struct amqp_conn *c = arg;
    pthread_setname_np(pthread_self(), "amqp-io");   /* for top -H and profiles */
    pthread_mutex_lock(&c->mu);
    connect_now(c);
    pthread_mutex_unlock(&c->mu);
    bool more = true;
    while (more) {
        pn_event_batch_t *batch = pn_proactor_wait(c->proactor);
        pn_event_t *e;
        while ((e = pn_event_batch_next(batch))) {
            pthread_mutex_lock(&c->mu);
            if (!handle(c, e))
                more = false;
            pthread_mutex_unlock(&c->mu);
        }
        pn_proactor_done(c->proactor, batch);
    }
    return NULL;
}

/* --- references --- */

struct amqp_conn *amqp_conn_acquire(struct drom_endpoint *ep, const struct amqp_conn_config *cfg, int64_t wait_ms,
                                    struct drom_error *err)
{
    char key[1800];
    snprintf(key, sizeof key,
             "amqp-conn|%s|%s|%s|%d|%s|%016" PRIx64 "|%s|%s|%d|%d|%lld|%lld|%lld|%lld|%lld|%s|%s|%016" PRIx64 "|%s",
             cfg->tls ? "amqps" : "amqp", cfg->host, cfg->port, cfg->username != NULL,
             cfg->username ? cfg->username : "", fnv(cfg->password), cfg->client_id ? cfg->client_id : "",
             cfg->trust_store ? cfg->trust_store : "", cfg->verify_host, cfg->allow_insecure_plain,
             (long long)cfg->idle_timeout_ms, (long long)cfg->reconnect_delay_ms,
             (long long)cfg->max_reconnect_delay_ms, (long long)cfg->backoff_multiplier,
             (long long)cfg->max_reconnect_attempts, cfg->cert ? cfg->cert : "", cfg->key ? cfg->key : "",
             fnv(cfg->key_password), cfg->sasl_mechs ? cfg->sasl_mechs : "");
    struct amqp_conn *c =
        drom_engine_shared(drom_endpoint_engine(ep), key, conn_new, (void *)cfg, conn_free);
    pthread_mutex_lock(&c->mu);
    if (c->cfg.tls && !c->ssl) {
        c->ssl = pn_ssl_domain(PN_SSL_MODE_CLIENT);
        if (!c->ssl) {
            pthread_mutex_unlock(&c->mu);
            drom_err(err, DROM_EINVAL, "%s: this qpid-proton has no TLS support", c->label);
            return NULL;
        }
        if (amqp_ssl_domain_setup(c->ssl, &c->cfg, c->label, err) < 0) {
            pn_ssl_domain_free(c->ssl);
            c->ssl = NULL;
            pthread_mutex_unlock(&c->mu);
            return NULL;
        }
    }
    c->refs++;
    if (!c->running) {
        c->proactor = pn_proactor();
        c->stopping = false;
        c->gave_up = false;
        c->failures = 0;
        c->delay_ms = c->cfg.reconnect_delay_ms;
        if (pthread_create(&c->thread, NULL, run, c) != 0) {
            pn_proactor_free(c->proactor);
            c->proactor = NULL;
            c->refs--;
            pthread_mutex_unlock(&c->mu);
            drom_err(err, DROM_EINTERNAL, "%s: cannot start the connection thread", c->label);
            return NULL;
        }
        c->running = true;
    }
    if (wait_ms > 0) {
        struct timespec dl = drom_deadline_in(wait_ms);
        while (!c->up && c->failures == 0)
            if (pthread_cond_timedwait(&c->cond, &c->mu, &dl) != 0)
                break;
        if (!c->up) {
            drom_err(err, DROM_ECONNECT, "%s", c->reason[0] ? c->reason : "no connection");
            pthread_mutex_unlock(&c->mu);
            amqp_conn_release(c);
            return NULL;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return c;
}

void amqp_conn_release(struct amqp_conn *c)
{
    pthread_mutex_lock(&c->mu);
    if (--c->refs > 0 || !c->running) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    c->stopping = true;
    pn_proactor_interrupt(c->proactor);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_mutex_lock(&c->mu);
    c->running = false;
    c->pc = NULL;
    c->session = NULL;
    c->up = false;
    while (c->links)
        link_drop(c, c->links);
    pthread_mutex_unlock(&c->mu);
    pn_proactor_free(c->proactor);
    c->proactor = NULL;
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
