/* Engine lifecycle: building the runtime tree from the graph, starting
 * and stopping endpoints, draining. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/engine_int.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct eng_endpoint *eng_endpoint_new(struct drom_engine *eng, struct eng_route *route,
                                      const struct drom_gendpoint *g, bool is_from)
{
    struct eng_endpoint *e = drom_xcalloc(1, sizeof *e);
    e->eng = eng;
    e->route = route;
    e->g = g;
    e->is_from = is_from;
    e->ep.comp = g->comp;
    e->ep.scheme = g->scheme;
    e->ep.path = g->path;
    e->ep.uri_masked = g->uri_masked ? g->uri_masked : g->uri;
    e->ep.route_id = route->g->id;
    e->ep.engine = eng;
    e->ready = true;
    pthread_mutex_init(&e->mu, NULL);
    drom_endpoint_metrics_init(&e->metrics, route->g->id, e->ep.uri_masked);
    if (is_from)
        e->metrics.route = &route->metrics;
    pthread_mutex_lock(&eng->eps_mu);
    e->next = eng->endpoints;
    eng->endpoints = e;
    pthread_mutex_unlock(&eng->eps_mu);
    return e;
}

static void endpoint_free(struct eng_endpoint *e)
{
    if (e->ep.comp)
        drom_conf_free(e->ep.comp->options, (void *)e->ep.conf);
    drom_watermark_free(e->wm);
    drom_endpoint_metrics_destroy(&e->metrics);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

int eng_endpoint_create(struct eng_endpoint *e, struct drom_error *err)
{
    const struct drom_component *c = e->ep.comp;
    if (!c)
        return drom_err(err, DROM_EINVAL, "route %s: endpoint %s has no component", e->route->g->id,
                        e->ep.uri_masked);
    if (e->is_from ? !c->start : !c->produce)
        return drom_err(err, DROM_EINVAL, "route %s: component %s has no %s runtime yet (%s)", e->route->g->id,
                        c->name, e->is_from ? "consumer" : "producer", e->ep.uri_masked);
    if (!e->ep.conf) {
        if (drom_conf_check_required(c->options, &e->g->opts, e->g->scheme, err) == 0)
            e->ep.conf = drom_conf_new(c->options, c->conf_size, &e->g->opts, e->g->scheme, err);
        /* the graph may come from a file dromc never saw: check it as dromc would */
        unsigned role = e->is_from ? DROM_ROLE_CONSUMER : DROM_ROLE_PRODUCER;
        if (!e->ep.conf || (c->validate && c->validate(e->ep.path, e->ep.conf, role, err) < 0)) {
            drom_err_prefix(err, "route %s: %s", e->route->g->id, e->ep.uri_masked);
            return -1;
        }
    }
    if (c->create && c->create(&e->ep, err) < 0) {
        drom_err_prefix(err, "route %s: %s", e->route->g->id, e->ep.uri_masked);
        return -1;
    }
    e->created = true;
    if (e->is_from) {
        struct drom_consumer_settings set = {.flags = c->flags};
        if (c->consumer_settings)
            c->consumer_settings(&e->ep, &set);
        e->internal = set.flags & DROM_COMP_INTERNAL;
        e->stop_on_failure = set.flags & DROM_COMP_STOPS_ON_FAILURE;
        e->wm = drom_watermark_new(c->position_free);
        /* the source knows its own read-ahead (seda's concurrentConsumers,
         * mysql-binlog's maxQueueSize) and replaces the default window; a
         * window the engine was given stays a ceiling */
        if (set.window && (!e->route->eng->opts.window || set.window < e->route->window))
            e->route->window = set.window;
    }
    return 0;
}

/* --- building --- */

static struct eng_step *build_steps(struct drom_engine *eng, struct eng_route *r, const struct drom_step *g,
                                    size_t n);

static void build_step(struct drom_engine *eng, struct eng_route *r, struct eng_step *s, const struct drom_step *g)
{
    s->g = g;
    s->kind = g->kind;
    s->route = r;
    s->node = r->next_node ? r->next_node++ : 0;
    if ((g->kind == DROM_STEP_TO || g->kind == DROM_STEP_WIRETAP) && g->endpoint)
        s->ep = eng_endpoint_new(eng, r, g->endpoint, false);
    if (g->kind == DROM_STEP_WIRETAP) {
        s->kids = drom_xcalloc(1, sizeof *s->kids);
        s->nkids = 1;
        s->kids[0].kind = DROM_STEP_TO;
        s->kids[0].g = g;
        s->kids[0].ep = s->ep;
        s->kids[0].route = r;
        return;
    }
    s->kids = build_steps(eng, r, g->steps, g->nsteps);
    s->nkids = g->nsteps;
}

static struct eng_step *build_steps(struct drom_engine *eng, struct eng_route *r, const struct drom_step *g,
                                    size_t n)
{
    if (!n)
        return NULL;
    struct eng_step *steps = drom_xcalloc(n, sizeof *steps);
    for (size_t i = 0; i < n; i++)
        build_step(eng, r, &steps[i], &g[i]);
    return steps;
}

static void free_steps(struct drom_engine *eng, struct eng_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (steps[i].state_free)
            steps[i].state_free(eng, steps[i].state);
        if (steps[i].kind != DROM_STEP_WIRETAP)
            free_steps(eng, steps[i].kids, steps[i].nkids);
        else
            free(steps[i].kids);
    }
    free(steps);
}

struct drom_engine *drom_engine_new(const struct drom_graph *graph, const struct drom_engine_options *opts,
                                    struct drom_error *err)
{
    if (!graph || graph->format != DROM_GRAPH_FORMAT) {
        drom_err(err, DROM_EINVAL, "the route graph is missing or not format %d", DROM_GRAPH_FORMAT);
        return NULL;
    }
    struct drom_engine *eng = drom_xcalloc(1, sizeof *eng);
    eng->graph = graph;
    if (opts)
        eng->opts = *opts;
    eng->state_dir = drom_xstrdup(eng->opts.state_dir ? eng->opts.state_dir : "state");
    eng->camel_context = drom_xstrdup(eng->opts.camel_context ? eng->opts.camel_context : "camel-1");
    eng->env.camel_context = eng->camel_context;
    eng->epfd = eng->evfd = -1;
    pthread_mutex_init(&eng->qmu, NULL);
    pthread_mutex_init(&eng->drain_mu, NULL);
    pthread_cond_init(&eng->drain_cond, NULL);
    pthread_mutex_init(&eng->shared_mu, NULL);
    pthread_mutex_init(&eng->eps_mu, NULL);
    eng->nroutes = graph->nroutes;
    eng->routes = drom_xcalloc(graph->nroutes ? graph->nroutes : 1, sizeof *eng->routes);
    for (size_t i = 0; i < graph->nroutes; i++) {
        struct eng_route *r = &eng->routes[i];
        const struct drom_route *g = &graph->routes[i];
        r->eng = eng;
        r->g = g;
        r->index = i;
        r->window = eng->opts.window ? eng->opts.window : DROM_ENGINE_WINDOW_DEFAULT;
        pthread_mutex_init(&r->mu, NULL);
        pthread_cond_init(&r->cond, NULL);
        drom_route_metrics_init(&r->metrics, g->id);
        r->from = eng_endpoint_new(eng, r, &g->from, true);
        /* Preorder from 1, as compiler/graph_draw.c numbers the drawn nodes;
         * onException blocks are not drawn. */
        r->next_node = 1;
        r->steps = build_steps(eng, r, g->steps, g->nsteps);
        r->next_node = 0;
        r->nsteps = g->nsteps;
        r->onex = drom_xcalloc(g->non_exceptions ? g->non_exceptions : 1, sizeof *r->onex);
        for (size_t k = 0; k < g->non_exceptions; k++)
            r->onex[k] = build_steps(eng, r, g->on_exceptions[k].steps, g->on_exceptions[k].nsteps);
        r->dlq_step.kind = DROM_STEP_TO;
        r->dlq_step.route = r;
        if (g->error_handler.kind == DROM_EH_DEAD_LETTER && g->error_handler.dead_letter)
            r->dlq_step.ep = eng_endpoint_new(eng, r, g->error_handler.dead_letter, false);
    }
    return eng;
}

/* --- start --- */

struct start_ctx {
    struct drom_engine *eng;
    struct drom_error *err;
    int rc;
};

static void create_all(void *arg)
{
    struct start_ctx *sc = arg;
    for (struct eng_endpoint *e = sc->eng->endpoints; e; e = e->next)
        if (!e->created && !e->route->held && eng_endpoint_create(e, sc->err) < 0) {
            sc->rc = -1;
            return;
        }
}

void eng_stop_consumer(struct eng_endpoint *e)
{
    if (e->started && e->ep.comp->stop)
        e->ep.comp->stop(&e->ep);
    e->started = false;
}

static void destroy_all(void *arg)
{
    struct drom_engine *eng = arg;
    for (size_t i = eng->nroutes; i-- > 0;)
        eng_stop_consumer(eng->routes[i].from);
    eng->torn_down = true;
    for (struct eng_endpoint *e = eng->endpoints; e; e = e->next)
        eng_endpoint_destroy(e);
}

void eng_endpoint_destroy(struct eng_endpoint *e)
{
    if (e->created && e->ep.comp->destroy)
        e->ep.comp->destroy(&e->ep);
    e->created = false;
}

int eng_start_route(struct drom_engine *eng, struct eng_route *r, struct drom_error *err)
{
    pthread_mutex_lock(&r->mu);
    r->accepting = true;
    r->state = ROUTE_STARTED;
    r->started_ms = drom_monotonic_ms();
    pthread_mutex_unlock(&r->mu);
    if (r->from->ep.comp->start(&r->from->ep, err) < 0) {
        drom_err_prefix(err, "route %s: cannot start %s", r->g->id, r->from->ep.uri_masked);
        pthread_mutex_lock(&r->mu);
        r->accepting = false;
        r->state = ROUTE_STOPPED;
        pthread_mutex_unlock(&r->mu);
        return -1;
    }
    r->from->started = true;
    return 0;
}

static void start_all(void *arg)
{
    struct start_ctx *sc = arg;
    struct drom_engine *eng = sc->eng;
    /* Routes fed by other routes first, so their producers find them. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < eng->nroutes; i++) {
            struct eng_route *r = &eng->routes[i];
            if (r->held || !r->g->auto_startup || r->from->internal != (pass == 0))
                continue;
            if (eng_start_route(eng, r, sc->err) < 0) {
                sc->rc = -1;
                return;
            }
        }
}

int drom_engine_start(struct drom_engine *eng, struct drom_error *err)
{
    if (atomic_load(&eng->started))
        return drom_err(err, DROM_EINVAL, "the engine is already started");
    if (eng_loop_start(eng, err) < 0)
        return -1;
    struct start_ctx sc = {.eng = eng, .err = err};
    eng_call(eng, create_all, &sc);
    if (sc.rc == 0)
        eng_call(eng, start_all, &sc);
    if (sc.rc < 0) {
        for (size_t i = 0; i < eng->nroutes; i++) {
            pthread_mutex_lock(&eng->routes[i].mu);
            eng->routes[i].accepting = false;
            pthread_cond_broadcast(&eng->routes[i].cond);
            pthread_mutex_unlock(&eng->routes[i].mu);
        }
        eng_call(eng, destroy_all, eng);
        eng_loop_quit(eng);
        eng_free_contexts(eng);
        atomic_store(&eng->stopped, true);
        return -1;
    }
    atomic_store(&eng->started, true);
    if (!eng->opts.quiet) {
        size_t started = 0;
        for (size_t i = 0; i < eng->nroutes; i++)
            started += eng->routes[i].state == ROUTE_STARTED;
        if (started == eng->nroutes)
            drom_info("engine", "Routes startup (total:%zu started:%zu)", eng->nroutes, started);
        else
            drom_info("engine", "Routes startup (total:%zu started:%zu stopped:%zu)", eng->nroutes, started,
                      eng->nroutes - started);
        for (size_t i = 0; i < eng->nroutes; i++)
            drom_info("engine", "    %s %s (%s)",
                      eng->routes[i].held                         ? "Standby"
                      : eng->routes[i].state == ROUTE_STARTED ? "Started"
                                                                  : "Stopped",
                      eng->routes[i].g->id, eng->routes[i].from->ep.uri_masked);
    }
    return 0;
}

/* --- stop --- */

void eng_route_close(struct eng_route *r)
{
    pthread_mutex_lock(&r->mu);
    r->accepting = false;
    if (r->state == ROUTE_STARTED)
        r->state = ROUTE_STOPPING;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

static void close_routes(struct drom_engine *eng, bool internal)
{
    for (size_t i = eng->nroutes; i-- > 0;)
        if (eng->routes[i].from->internal == internal)
            eng_route_close(&eng->routes[i]);
}

struct stop_pass {
    struct drom_engine *eng;
    bool internal;
};

static void stop_consumers(void *arg)
{
    struct stop_pass *sp = arg;
    for (size_t i = sp->eng->nroutes; i-- > 0;)
        if (sp->eng->routes[i].from->internal == sp->internal)
            eng_stop_consumer(sp->eng->routes[i].from);
}

static void commit_now(void *arg)
{
    eng_commit_all(arg);
}

int drom_engine_stop(struct drom_engine *eng, int64_t drain_timeout_ms, struct drom_error *err)
{
    if (!atomic_load(&eng->started) || atomic_load(&eng->stopped))
        return 0;
    atomic_store(&eng->draining, true);
    int64_t t0 = drom_monotonic_ms();
    close_routes(eng, false);
    struct stop_pass sp = {.eng = eng, .internal = false};
    eng_call(eng, stop_consumers, &sp);

    struct timespec deadline = drom_deadline_in(drain_timeout_ms);
    pthread_mutex_lock(&eng->drain_mu);
    while (eng->roots > 0 || eng->pending > 0)
        if (pthread_cond_timedwait(&eng->drain_cond, &eng->drain_mu, &deadline) == ETIMEDOUT)
            break;
    int64_t left = eng->roots, queued = eng->pending;
    pthread_mutex_unlock(&eng->drain_mu);

    close_routes(eng, true);
    sp.internal = true;
    eng_call(eng, stop_consumers, &sp);
    eng_call(eng, commit_now, eng);
    if (left || queued) {
        for (size_t i = 0; i < eng->nroutes; i++) {
            long long n = atomic_load(&eng->routes[i].metrics.inflight);
            if (n)
                drom_warn(eng->routes[i].g->id,
                          "Drain timed out after %lld ms with %lld exchanges in flight; they were not committed "
                          "and will be replayed",
                          (long long)drain_timeout_ms, n);
        }
    }
    eng_call(eng, destroy_all, eng);
    eng_loop_quit(eng);
    eng_free_contexts(eng);
    for (size_t i = 0; i < eng->nroutes; i++) {
        pthread_mutex_lock(&eng->routes[i].mu);
        if (eng->routes[i].state != ROUTE_FAILED && eng->routes[i].state != ROUTE_STANDBY)
            eng->routes[i].state = ROUTE_STOPPED;
        pthread_mutex_unlock(&eng->routes[i].mu);
    }
    atomic_store(&eng->stopped, true);
    if (!eng->opts.quiet)
        drom_info("engine", "Routes shutdown (total:%zu) in %lld ms%s", eng->nroutes,
                  (long long)(drom_monotonic_ms() - t0), left || queued ? " (drain timed out)" : "");
    if (left || queued)
        return drom_err(err, DROM_ESTOPPED,
                        "drain timed out after %lld ms: %lld exchanges in flight and %lld queued were not committed",
                        (long long)drain_timeout_ms, (long long)left, (long long)queued);
    return 0;
}

void drom_engine_free(struct drom_engine *eng)
{
    if (!eng)
        return;
    if (atomic_load(&eng->started) && !atomic_load(&eng->stopped))
        drom_engine_stop(eng, 0, NULL);
    for (size_t i = 0; i < eng->nroutes; i++) {
        struct eng_route *r = &eng->routes[i];
        free_steps(eng, r->steps, r->nsteps);
        for (size_t k = 0; k < r->g->non_exceptions; k++)
            free_steps(eng, r->onex[k], r->g->on_exceptions[k].nsteps);
        free(r->onex);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cond);
    }
    free(eng->routes);
    while (eng->endpoints) {
        struct eng_endpoint *e = eng->endpoints;
        eng->endpoints = e->next;
        endpoint_free(e);
    }
    while (eng->shared) {
        struct shared_entry *s = eng->shared;
        eng->shared = s->next;
        if (s->free_fn)
            s->free_fn(s->obj);
        free(s->key);
        free(s);
    }
    drom_offset_store_close(eng->offsets);
    eng_timers_free(eng);
    drom_arena_free(&eng->arena);
    pthread_mutex_destroy(&eng->qmu);
    pthread_mutex_destroy(&eng->drain_mu);
    pthread_cond_destroy(&eng->drain_cond);
    pthread_mutex_destroy(&eng->shared_mu);
    pthread_mutex_destroy(&eng->eps_mu);
    free(eng->state_dir);
    free(eng->camel_context);
    free(eng);
}
