/* Routes in standby: held back with no endpoint created, released when the
 * program's elector says this replica runs them, held again when it says
 * another one does (runtime/engine.h). Only the route's own endpoints are
 * touched, so the engine's other routes never pause for a hand-over. */
#include <stdio.h>
#include <string.h>

#include "runtime/engine_int.h"
#include "runtime/log.h"

static struct eng_route *route_named(struct drom_engine *eng, const char *route_id, struct drom_error *err)
{
    for (size_t i = 0; i < eng->nroutes; i++)
        if (strcmp(eng->routes[i].g->id, route_id) == 0)
            return &eng->routes[i];
    drom_err(err, DROM_EINVAL, "no route %s", route_id);
    return NULL;
}

int drom_engine_hold_route(struct drom_engine *eng, const char *route_id, struct drom_error *err)
{
    struct eng_route *r = route_named(eng, route_id, err);
    if (!r)
        return -1;
    r->held = true;
    r->state = ROUTE_STANDBY;
    return 0;
}

struct hold_ctx {
    struct eng_route *r;
    struct drom_error *err;
    int rc;
};

/* Loop thread: the route's endpoints (its from, to, dead letter, toD). */
static void destroy_route_endpoints(struct eng_route *r)
{
    for (struct eng_endpoint *e = r->eng->endpoints; e; e = e->next) {
        if (e->route != r)
            continue;
        eng_endpoint_destroy(e);
        e->commit_taken = false;
        pthread_mutex_lock(&e->mu);
        e->ready = true;
        e->store_down = false;
        pthread_mutex_unlock(&e->mu);
    }
}

static void release_on_loop(void *arg)
{
    struct hold_ctx *h = arg;
    struct eng_route *r = h->r;
    for (struct eng_endpoint *e = r->eng->endpoints; e && h->rc == 0; e = e->next)
        if (e->route == r && !e->created) {
            if (e->wm) {   /* a previous term's, done with */
                drom_watermark_free(e->wm);
                e->wm = NULL;
            }
            if (eng_endpoint_create(e, h->err) < 0)
                h->rc = -1;
        }
    if (h->rc == 0 && r->g->auto_startup && eng_start_route(r->eng, r, h->err) < 0)
        h->rc = -1;
    if (h->rc < 0)
        destroy_route_endpoints(r);
}

int drom_engine_release_route(struct drom_engine *eng, const char *route_id, struct drom_error *err)
{
    struct eng_route *r = route_named(eng, route_id, err);
    if (!r)
        return -1;
    if (!r->held)
        return 0;
    if (r->state != ROUTE_STANDBY)
        return drom_err(err, DROM_ESTOPPED, "route %s: not released again after a hand-over that left exchanges "
                                            "in flight; a restart resumes it", route_id);
    r->held = false;
    struct hold_ctx h = {.r = r, .err = err};
    eng_call(eng, release_on_loop, &h);
    if (h.rc < 0) {
        pthread_mutex_lock(&r->mu);
        r->held = true;
        r->state = ROUTE_STANDBY;
        pthread_mutex_unlock(&r->mu);
        return -1;
    }
    return 0;
}

static void stop_on_loop(void *arg)
{
    struct hold_ctx *h = arg;
    eng_stop_consumer(h->r->from);
}

static void finish_on_loop(void *arg)
{
    struct hold_ctx *h = arg;
    eng_commit_all(h->r->eng);
    destroy_route_endpoints(h->r);
}

int drom_engine_hold_running_route(struct drom_engine *eng, const char *route_id, int64_t drain_ms,
                                   struct drom_error *err)
{
    struct eng_route *r = route_named(eng, route_id, err);
    if (!r)
        return -1;
    if (r->held)
        return 0;
    eng_route_close(r);
    struct hold_ctx h = {.r = r, .err = err};
    int64_t t0 = drom_monotonic_ms();
    eng_call(eng, stop_on_loop, &h);
    int64_t t1 = drom_monotonic_ms();
    size_t was = r->inflight;
    /* Exchanges finish on the loop thread, which signals r->cond only for a
     * blocked source: look again every few milliseconds. */
    int64_t deadline = drom_monotonic_ms() + drain_ms;
    pthread_mutex_lock(&r->mu);
    while (r->inflight > 0 && drom_monotonic_ms() < deadline) {
        struct timespec slice = drom_deadline_in(10);
        pthread_cond_timedwait(&r->cond, &r->mu, &slice);
    }
    size_t left = r->inflight;
    pthread_mutex_unlock(&r->mu);
    if (left) {
        char msg[256];
        snprintf(msg, sizeof msg, "handing over: %zu exchanges still in flight after %lld ms; not committed, the "
                                  "next leader replays them", left, (long long)drain_ms);
        pthread_mutex_lock(&r->mu);
        r->state = ROUTE_FAILED;
        snprintf(r->last_error, sizeof r->last_error, "%s", msg);
        pthread_mutex_unlock(&r->mu);
        drom_error_log(route_id, "%s", msg);
        return drom_err(err, DROM_ESTOPPED, "route %s: %s", route_id, msg);
    }
    int64_t t2 = drom_monotonic_ms();
    eng_call(eng, finish_on_loop, &h);
    drom_info(route_id, "Standby: source stopped in %lld ms, %zu exchanges drained in %lld ms, endpoints closed in "
                        "%lld ms", (long long)(t1 - t0), was, (long long)(t2 - t1),
              (long long)(drom_monotonic_ms() - t2));
    pthread_mutex_lock(&r->mu);
    r->held = true;
    r->state = ROUTE_STANDBY;
    pthread_mutex_unlock(&r->mu);
    return 0;
}
