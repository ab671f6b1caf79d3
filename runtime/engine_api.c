/* What components and the service call: submission, readiness, counters,
 * shared state, status and metrics. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine_int.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

static struct eng_endpoint *E(const struct drom_endpoint *ep)
{
    return (struct eng_endpoint *)ep;
}

int drom_consumer_submit(struct drom_endpoint *ep, struct drom_exchange *ex, void *pos, struct drom_error *err)
{
    struct eng_endpoint *e = E(ep);
    struct eng_route *r = e->route;
    struct drom_engine *eng = e->eng;
    bool on_loop = drom_engine_on_loop(eng);
    pthread_mutex_lock(&r->mu);
    /* The loop thread cannot wait for itself: it may overshoot the window. */
    while (r->accepting && r->inflight >= r->window && !on_loop)
        pthread_cond_wait(&r->cond, &r->mu);
    if (!r->accepting) {
        pthread_mutex_unlock(&r->mu);
        drom_exchange_free(ex);
        if (pos && ep->comp->position_free)
            ep->comp->position_free(pos);
        return drom_err(err, DROM_ESTOPPED, "route %s is not accepting exchanges (stopping)", r->g->id);
    }
    r->inflight++;
    /* Counted before the route lock is released, so a drain that closed the
     * route after this point still waits for this exchange. */
    eng_roots_add(eng, 1);
    pthread_mutex_unlock(&r->mu);
    eng_post_submit(eng, e, ex, pos);
    return 0;
}

void drom_endpoint_set_ready(struct drom_endpoint *ep, bool ready, const char *reason)
{
    struct eng_endpoint *e = E(ep);
    pthread_mutex_lock(&e->mu);
    e->ready = ready;
    snprintf(e->reason, sizeof e->reason, "%s", reason ? reason : "");
    pthread_mutex_unlock(&e->mu);
}

void drom_endpoint_log_here(const struct drom_endpoint *ep)
{
    /* Both strings live as long as the graph, longer than the thread. */
    drom_log_ctx_set((struct drom_log_ctx){.route_id = ep->route_id, .endpoint = ep->uri_masked});
}

void drom_endpoint_set_store_ready(struct drom_endpoint *ep, bool ready, const char *reason)
{
    struct eng_endpoint *e = E(ep);
    pthread_mutex_lock(&e->mu);
    e->store_down = !ready;
    snprintf(e->store_reason, sizeof e->store_reason, "%s", reason ? reason : "");
    pthread_mutex_unlock(&e->mu);
}

void drom_endpoint_count(struct drom_endpoint *ep, const char *name, int64_t delta)
{
    drom_endpoint_metrics_put(&E(ep)->metrics, name, delta, 0);
}

void drom_endpoint_gauge(struct drom_endpoint *ep, const char *name, int64_t value)
{
    drom_endpoint_metrics_put(&E(ep)->metrics, name, value, 1);
}

void drom_endpoint_gauge_table(struct drom_endpoint *ep, const char *name, const char *table, int64_t value)
{
    drom_endpoint_metrics_put_table(&E(ep)->metrics, name, table, value, 1);
}

void drom_endpoint_text(struct drom_endpoint *ep, const char *name, const char *text)
{
    drom_endpoint_metrics_text(&E(ep)->metrics, name, text);
}

void drom_endpoint_partitions(struct drom_endpoint *ep, const char *topic, const int32_t *parts, size_t n)
{
    drom_endpoint_metrics_held(&E(ep)->metrics, topic, parts, n);
}

void drom_endpoint_debezium(struct drom_endpoint *ep, const char *plugin, const char *server)
{
    drom_endpoint_metrics_identity(&E(ep)->metrics, plugin, server);
}

const char *drom_engine_state_dir(const struct drom_engine *eng)
{
    return eng->state_dir;
}

struct drom_engine *drom_endpoint_engine(const struct drom_endpoint *ep)
{
    return E(ep)->eng;
}

void *drom_engine_shared(struct drom_engine *eng, const char *key, void *(*create)(void *arg), void *arg,
                         void (*free_fn)(void *obj))
{
    pthread_mutex_lock(&eng->shared_mu);
    struct shared_entry *s;
    for (s = eng->shared; s; s = s->next)
        if (strcmp(s->key, key) == 0)
            break;
    if (!s) {
        s = drom_xcalloc(1, sizeof *s);
        s->key = drom_xstrdup(key);
        s->obj = create(arg);
        s->free_fn = free_fn;
        s->next = eng->shared;
        eng->shared = s;
    }
    void *obj = s->obj;
    pthread_mutex_unlock(&eng->shared_mu);
    return obj;
}

void *drom_engine_shared_find(struct drom_engine *eng, const char *key)
{
    void *obj = NULL;
    pthread_mutex_lock(&eng->shared_mu);
    for (struct shared_entry *s = eng->shared; s; s = s->next)
        if (strcmp(s->key, key) == 0)
            obj = s->obj;
    pthread_mutex_unlock(&eng->shared_mu);
    return obj;
}

struct drom_offset_store *drom_engine_offsets(struct drom_engine *eng, struct drom_error *err)
{
    pthread_mutex_lock(&eng->shared_mu);
    if (!eng->offsets) {
        size_t n = strlen(eng->state_dir) + 16;
        char *path = drom_xmalloc(n);
        snprintf(path, n, "%s/offsets.json", eng->state_dir);
        eng->offsets = drom_offset_file_open(path, err);
        free(path);
    }
    struct drom_offset_store *s = eng->offsets;
    pthread_mutex_unlock(&eng->shared_mu);
    return s;
}

struct drom_offset_store *drom_engine_open_offsets(struct drom_engine *eng, const char *backend,
                                                   const struct drom_offset_config *cfg, struct drom_error *err)
{
    const struct drom_offset_backend *b = NULL;
    if (eng->opts.offset_backend)
        b = eng->opts.offset_backend(backend);
    else if (strcmp(backend, drom_offset_backend_file.name) == 0)
        b = &drom_offset_backend_file;
    if (!b) {
        drom_err(err, DROM_EINVAL, "offsetStorage=%s is not available in this program (no such offset store)", backend);
        return NULL;
    }
    return b->open(cfg, err);
}

struct drom_expr *drom_engine_compile_simple(struct drom_engine *eng, const char *text, struct drom_error *err)
{
    if (!eng->opts.compile_simple) {
        drom_err(err, DROM_EINVAL, "cannot evaluate '%s': this engine has no Simple language compiler", text);
        return NULL;
    }
    return eng->opts.compile_simple(eng->opts.hook_arg, text, err);
}

int drom_engine_eval_str(struct drom_engine *eng, const struct drom_expr *e, struct drom_exchange *ex, char **out,
                         struct drom_error *err)
{
    return drom_expr_eval_str(e, ex, &eng->env, out, err);
}

/* --- observation --- */

static const char *state_name(enum route_state s)
{
    switch (s) {
    case ROUTE_STARTED: return "Started";
    case ROUTE_STOPPING: return "Stopping";
    case ROUTE_STANDBY: return "Standby";
    default: return "Stopped";
    }
}

/* The first route stopped on a failure, with a copy of its last error; NULL when none. */
static const struct eng_route *failed_route(struct drom_engine *eng, char *error, size_t size)
{
    for (size_t i = 0; i < eng->nroutes; i++) {
        struct eng_route *r = &eng->routes[i];
        pthread_mutex_lock(&r->mu);
        bool failed = r->state == ROUTE_FAILED;
        if (failed)
            snprintf(error, size, "%s", r->last_error);
        pthread_mutex_unlock(&r->mu);
        if (failed)
            return r;
    }
    return NULL;
}

bool drom_engine_failed(struct drom_engine *eng, char *reason, size_t size)
{
    char error[sizeof eng->routes[0].last_error];
    const struct eng_route *r = failed_route(eng, error, sizeof error);
    if (r)
        snprintf(reason, size, "route %s: %s", r->g->id, error);
    else if (size)
        reason[0] = '\0';
    return r != NULL;
}

bool drom_engine_ready(struct drom_engine *eng, char *reason, size_t size)
{
    if (!atomic_load(&eng->started) || atomic_load(&eng->stopped)) {
        snprintf(reason, size, "not started");
        return false;
    }
    if (atomic_load(&eng->draining)) {
        snprintf(reason, size, "draining");
        return false;
    }
    char error[sizeof eng->routes[0].last_error];
    const struct eng_route *failed = failed_route(eng, error, sizeof error);
    if (failed) {
        snprintf(reason, size, "route %s stopped after a failure it must not skip: %s", failed->g->id, error);
        return false;
    }
    bool ready = true;
    pthread_mutex_lock(&eng->eps_mu);
    for (struct eng_endpoint *e = eng->endpoints; e && ready; e = e->next) {
        pthread_mutex_lock(&e->mu);
        if (e->store_down) {
            ready = false;
            snprintf(reason, size, "route %s: %s: %s", e->route->g->id, e->ep.uri_masked,
                     e->store_reason[0] ? e->store_reason : "offset store failing");
        } else if (!e->ready) {
            ready = false;
            snprintf(reason, size, "route %s: %s: %s", e->route->g->id, e->ep.uri_masked,
                     e->reason[0] ? e->reason : "not ready");
        }
        pthread_mutex_unlock(&e->mu);
    }
    pthread_mutex_unlock(&eng->eps_mu);
    if (ready && size)
        reason[0] = '\0';
    return ready;
}

size_t drom_engine_route_count(const struct drom_engine *eng)
{
    return eng->nroutes;
}

int drom_engine_route_status(struct drom_engine *eng, size_t i, struct drom_route_status *out)
{
    if (i >= eng->nroutes)
        return -1;
    struct eng_route *r = &eng->routes[i];
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", r->g->id);
    snprintf(out->from, sizeof out->from, "%s", r->from->ep.uri_masked);
    out->total = atomic_load(&r->metrics.total);
    out->succeeded = atomic_load(&r->metrics.succeeded);
    out->failed = atomic_load(&r->metrics.failed);
    out->handled = atomic_load(&r->metrics.handled);
    out->inflight = atomic_load(&r->metrics.inflight);
    out->redeliveries = atomic_load(&r->metrics.redeliveries);
    pthread_mutex_lock(&r->mu);
    out->state = state_name(r->state);
    snprintf(out->last_error, sizeof out->last_error, "%s", r->last_error);
    out->uptime_ms = r->state == ROUTE_STARTED ? drom_monotonic_ms() - r->started_ms : 0;
    out->window = (int64_t)r->window;
    pthread_mutex_unlock(&r->mu);
    out->last_us = atomic_load(&r->metrics.lat_last_us);
    out->max_us = atomic_load(&r->metrics.lat_max_us);
    long long count = atomic_load(&r->metrics.lat_count);
    out->mean_us = count ? atomic_load(&r->metrics.lat_sum_us) / count : 0;
    int64_t now = drom_now_us() / 1000;
    long long done = atomic_load(&r->metrics.last_done_ms), failed = atomic_load(&r->metrics.last_failed_ms);
    out->since_done_ms = done ? now - done : -1;
    out->since_failed_ms = failed ? now - failed : -1;
    eng_route_endpoint_error(eng, r, out->last_error, sizeof out->last_error);
    return 0;
}

void drom_engine_routes_json(struct drom_engine *eng, struct drom_buf *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < eng->nroutes; i++) {
        struct drom_route_status st;
        drom_engine_route_status(eng, i, &st);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s?,s:I}", "id", st.id, "from",
                                             st.from, "state", st.state, "total", (json_int_t)st.total, "succeeded",
                                             (json_int_t)st.succeeded, "failed", (json_int_t)st.failed,
                                             "failuresHandled", (json_int_t)st.handled, "inflight",
                                             (json_int_t)st.inflight, "redeliveries", (json_int_t)st.redeliveries,
                                             "lastError", st.last_error[0] ? st.last_error : NULL, "uptimeMs",
                                             (json_int_t)st.uptime_ms));
        json_t *r = json_array_get(arr, json_array_size(arr) - 1);
        json_object_set_new(r, "lastProcessingTimeUs", json_integer(st.last_us));
        json_object_set_new(r, "maxProcessingTimeUs", json_integer(st.max_us));
        json_object_set_new(r, "meanProcessingTimeUs", json_integer(st.mean_us));
    }
    char *s = json_dumps(arr, JSON_COMPACT);
    drom_buf_puts(out, s ? s : "[]");
    free(s);
    json_decref(arr);
}

void drom_engine_metrics(struct drom_engine *eng, struct drom_buf *out)
{
    struct drom_route_metrics **rm = drom_xcalloc(eng->nroutes + 1, sizeof *rm);
    for (size_t i = 0; i < eng->nroutes; i++) {
        struct eng_route *r = &eng->routes[i];
        rm[i] = &r->metrics;
        pthread_mutex_lock(&r->mu);
        atomic_store(&r->metrics.running, r->state == ROUTE_STARTED);
        r->metrics.window = (int64_t)r->window;
        pthread_mutex_unlock(&r->mu);
    }
    pthread_mutex_lock(&eng->eps_mu);
    size_t n = 0;
    for (struct eng_endpoint *e = eng->endpoints; e; e = e->next)
        n++;
    struct drom_endpoint_metrics **em = drom_xcalloc(n + 1, sizeof *em);
    /* The list is newest first; render in creation order. */
    size_t k = n;
    for (struct eng_endpoint *e = eng->endpoints; e; e = e->next)
        em[--k] = &e->metrics;
    struct drom_metrics_view v = {.camel_context = eng->camel_context, .routes = rm, .nroutes = eng->nroutes,
                                  .eps = em, .neps = n, .now_ms = drom_now_us() / 1000};
    drom_metrics_render(out, &v);
    pthread_mutex_unlock(&eng->eps_mu);
    free(rm);
    free(em);
}

/* --- transactional producers --- */

bool drom_endpoint_is_source(const struct drom_endpoint *ep)
{
    return E(ep)->is_from;
}

int drom_route_produced_ids(struct drom_endpoint *ep, int64_t timeout_ms, char ***ids, size_t *n, const char **what,
                            struct drom_error *err)
{
    struct eng_route *r = E(ep)->route;
    *ids = NULL;
    *n = 0;
    *what = NULL;
    for (size_t i = 0; i < r->nsteps; i++) {
        struct eng_endpoint *to = r->steps[i].kind == DROM_STEP_TO ? r->steps[i].ep : NULL;
        if (!to || !to->created || !to->ep.comp->produced_ids)
            continue;
        *what = to->ep.uri_masked;
        return to->ep.comp->produced_ids(&to->ep, timeout_ms, ids, n, err);
    }
    return 0;
}

bool drom_endpoint_commit_taken(const struct drom_endpoint *ep)
{
    return E(ep)->commit_taken;
}

int drom_endpoint_claim_source_offsets(struct drom_endpoint *ep, struct drom_endpoint **source,
                                       struct drom_offset_location *out, struct drom_error *err)
{
    struct eng_endpoint *src = E(ep)->route->from;
    const struct drom_component *c = src->ep.comp;
    if (!c || !c->offset_location || !c->position_json)
        return drom_err(err, DROM_EINVAL, "the route's source %s keeps no offsets a producer could commit",
                        src->ep.uri_masked);
    /* Endpoints are created steps first; the source's state is needed now. */
    if (!src->created && eng_endpoint_create(src, err) < 0)
        return -1;
    if (c->offset_location(&src->ep, out, err) < 0)
        return -1;
    src->commit_taken = true;
    *source = &src->ep;
    return 0;
}

int drom_exchange_source_seq(const struct drom_exchange *ex, struct drom_endpoint **source, uint64_t *seq,
                             struct drom_error *err)
{
    const struct xctx *x = ex->engine;
    while (x && x->role == X_DIRECT)
        x = x->parent;
    if (!x || x->role != X_TOP || !x->has_seq)
        return drom_err(err, DROM_EINVAL,
                        "exchange %s is a copy made by split, multicast or wireTap: its source's offset cannot "
                        "be committed with it",
                        ex->id);
    *source = &x->source->ep;
    *seq = x->seq;
    return 0;
}

static bool held_has(const uint64_t *held, size_t n, uint64_t seq)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (held[mid] == seq)
            return true;
        if (held[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

char *drom_source_offset_upto(struct drom_endpoint *source, uint64_t upto, int64_t settled, const uint64_t *held,
                              size_t nheld, struct drom_error *err)
{
    struct eng_endpoint *src = E(source);
    const void *pos = drom_watermark_pos(src->wm, upto);
    if (!pos) {
        drom_err(err, DROM_EINTERNAL, "%s: exchange #%" PRIu64 " has no position", src->ep.uri_masked, upto);
        return NULL;
    }
    /* What the watermark passed is done: only the span it holds is looked at. */
    uint64_t from = drom_watermark_next_seq(src->wm) - drom_watermark_pending(src->wm);
    if (settled >= 0 && (uint64_t)settled + 1 > from)
        from = (uint64_t)settled + 1;
    for (uint64_t s = from; s < upto; s++) {
        if (drom_watermark_is_done(src->wm, s) || held_has(held, nheld, s))
            continue;
        drom_err(err, DROM_ESTATE,
                 "%s: an earlier exchange (#%" PRIu64 ") is neither done nor in this transaction; committing "
                 "#%" PRIu64 " would skip it",
                 src->ep.uri_masked, s, upto);
        return NULL;
    }
    return src->ep.comp->position_json(pos);
}
