/* One AMQP connection per broker and credentials, shared by the endpoints
 * of an engine: a proton proactor in its own thread, one loop dispatching
 * to conn_events.c. Links of producers and consumers hang off one session. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <proton/ssl.h>

#include "components/amqp/conn_int.h"
#include "runtime/engine.h"
#include "runtime/xalloc.h"

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
    c->rng = (uint64_t)(uintptr_t)c ^ (uint64_t)drom_now_us();
    if (c->cfg.sched.randomize)   /* failover.randomize: this connection's own order of the list */
        for (int i = c->cfg.nbrokers - 1; i > 0; i--) {
            c->rng ^= c->rng << 13;
            c->rng ^= c->rng >> 7;
            c->rng ^= c->rng << 17;
            int j = (int)(c->rng % (uint64_t)(i + 1));
            struct amqp_broker t = c->cfg.brokers[i];
            c->cfg.brokers[i] = c->cfg.brokers[j];
            c->cfg.brokers[j] = t;
        }
    c->last_up = -1;
    amqp_conn_use_broker(c, 0);
    amqp_say(c->reason, sizeof c->reason, "connecting to %s", c->label);
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

/* --- the proton thread --- */

static void *run(void *arg)
{
    struct amqp_conn *c = arg;
    pthread_setname_np(pthread_self(), "amqp-io");   /* for top -H and profiles */
    pthread_mutex_lock(&c->mu);
    amqp_conn_connect(c);
    pthread_mutex_unlock(&c->mu);
    bool more = true;
    while (more) {
        pn_event_batch_t *batch = pn_proactor_wait(c->proactor);
        pn_event_t *e;
        while ((e = pn_event_batch_next(batch))) {
            pthread_mutex_lock(&c->mu);
            if (!amqp_conn_handle(c, e))
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
    char key[4096], list[2600] = "";
    for (int i = 0; i < cfg->nbrokers; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s:%s", i ? "," : "", cfg->brokers[i].host,
                 cfg->brokers[i].port);
    const struct amqp_schedule *s = &cfg->sched;
    snprintf(key, sizeof key,
             "amqp-conn|%s|%d|%s|%d|%s|%016" PRIx64 "|%s|%s|%d|%d|%lld|%lld/%lld/%lld/%d/%g/%lld/%lld/%d|%s|%s|%016" PRIx64
             "|%s",
             cfg->tls ? "amqps" : "amqp", cfg->failover, list, cfg->username != NULL,
             cfg->username ? cfg->username : "", fnv(cfg->password), cfg->client_id ? cfg->client_id : "",
             cfg->trust_store ? cfg->trust_store : "", cfg->verify_host, cfg->allow_insecure_plain,
             (long long)cfg->idle_timeout_ms, (long long)s->initial_delay_ms, (long long)s->delay_ms,
             (long long)s->max_delay_ms, s->backoff, s->multiplier, (long long)s->max_attempts,
             (long long)s->startup_max_attempts, s->randomize, cfg->cert ? cfg->cert : "", cfg->key ? cfg->key : "",
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
        c->tried = 0;
        c->delay_ms = c->cfg.sched.delay_ms;
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
        amqp_link_drop(c, c->links);
    pthread_mutex_unlock(&c->mu);
    pn_proactor_free(c->proactor);
    c->proactor = NULL;
}
