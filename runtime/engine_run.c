/* Exchanges in flight: each is a context with a stack of step frames that
 * the loop thread advances until it waits (a producer, a timer, children)
 * or ends. Failures go through the error handler (runtime/errhandler.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine_int.h"
#include "runtime/errhandler.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

static void on_failure(struct xctx *x);

void eng_roots_add(struct drom_engine *eng, int delta)
{
    pthread_mutex_lock(&eng->drain_mu);
    eng->roots += delta;
    if (eng->roots == 0 && eng->pending == 0)
        pthread_cond_broadcast(&eng->drain_cond);
    pthread_mutex_unlock(&eng->drain_mu);
}

void drom_engine_pending_add(struct drom_engine *eng, int delta)
{
    pthread_mutex_lock(&eng->drain_mu);
    eng->pending += delta;
    if (eng->roots == 0 && eng->pending == 0)
        pthread_cond_broadcast(&eng->drain_cond);
    pthread_mutex_unlock(&eng->drain_mu);
}

struct xctx *x_new(struct drom_engine *eng, struct eng_route *route, struct drom_exchange *ex, bool owns,
                   enum xrole role)
{
    struct xctx *x = drom_xcalloc(1, sizeof *x);
    x->eng = eng;
    x->route = route;
    x->ex = ex;
    x->owns_ex = owns;
    x->role = role;
    x->state = XS_READY;
    ex->engine = x;
    x->next_live = eng->live;
    if (eng->live)
        eng->live->prev_live = x;
    eng->live = x;
    if (role == X_TOP || role == X_DIRECT)
        atomic_fetch_add_explicit(&route->metrics.inflight, 1, memory_order_relaxed);
    return x;
}

void x_free(struct xctx *x)
{
    struct drom_engine *eng = x->eng;
    if (x->prev_live)
        x->prev_live->next_live = x->next_live;
    else
        eng->live = x->next_live;
    if (x->next_live)
        x->next_live->prev_live = x->prev_live;
    if (x->owns_ex)
        drom_exchange_free(x->ex);
    drom_exchange_free(x->original);
    drom_exchange_free(x->kid_last);
    for (size_t i = 0; x->items && i < x->kids_total; i++)
        free(x->items[i]);
    free(x->items);
    free(x->item_lens);
    free(x->item_json);
    free(x->kid_fail_msg);
    free(x->frames);
    free(x);
}

void eng_free_contexts(struct drom_engine *eng)
{
    while (eng->live)
        x_free(eng->live);
    eng->runq_head = eng->runq_tail = NULL;
}

void x_push(struct xctx *x, struct eng_step *steps, size_t n, enum frame_kind kind, size_t onex)
{
    drom_xgrow((void **)&x->frames, &x->capframes, x->nframes + 1, sizeof *x->frames);
    x->frames[x->nframes++] = (struct frame){.steps = steps, .n = n, .i = 0, .kind = kind, .onex = onex};
}

void x_fail(struct xctx *x, enum drom_errcode code, bool redeliverable, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    drom_exchange_fail(x->ex, "%s", msg);
    x->fail_code = code == DROM_OK ? DROM_EINTERNAL : code;
    x->no_redeliver = !redeliverable;
}

void x_wait_timer_fire(void *arg);

void x_wait_timer_fire(void *arg)
{
    struct xctx *x = arg;
    if (x->state != XS_WAIT_TIMER)
        return;
    x_run(x);
}

void x_wait_timer(struct xctx *x, int64_t delay_ms, bool rerun)
{
    x->state = XS_WAIT_TIMER;
    x->resume = rerun ? R_RERUN : R_NEXT;
    eng_timer_add(x->eng, delay_ms, x_wait_timer_fire, x);
}

enum eip_result x_produce(struct xctx *x, struct eng_endpoint *ep)
{
    const struct drom_component *c = ep->ep.comp;
    if (!c->produce) {
        x_fail(x, DROM_EINTERNAL, false, "component %s cannot send to %s", c->name, ep->ep.uri_masked);
        return EIP_FAIL;
    }
    x->failure_uri = ep->ep.uri_masked;
    drom_headers_set_str(&x->ex->props, "CamelToEndpoint", ep->ep.uri_masked);
    x->ex->engine = x;
    x->state = XS_WAIT_PRODUCER;
    struct drom_error err = {0};
    const char *was = drom_log_ctx_endpoint(ep->ep.uri_masked);
    enum drom_status st = c->produce(&ep->ep, x->ex, &err);
    drom_log_ctx_endpoint(was);
    switch (st) {
    case DROM_DONE:
        x->state = XS_RUNNING;
        return EIP_NEXT;
    case DROM_PENDING:
        return EIP_WAIT;
    case DROM_RETRY:
    case DROM_FAIL:
    default:
        x->state = XS_RUNNING;
        x_fail(x, err.code, st == DROM_RETRY, "%s", err.msg[0] ? err.msg : "the producer failed");
        return EIP_FAIL;
    }
}

/* --- the end of an exchange --- */

static void log_failed(struct xctx *x, const char *processor)
{
    const char *const *chain = drom_eh_exception_chain(x->fail_code);
    drom_log(DROM_LOG_ERROR, x->route->g->id,
             "Failed delivery for (MessageId: %s on ExchangeId: %s). Exhausted after delivery attempt: %d caught: "
             "%s: %s. Processed by failure processor: %s",
             x->ex->id, x->ex->id, x->attempts + 1, chain[0], x->ex->exception ? x->ex->exception : "",
             processor);
}

static void stop_on_failure(struct xctx *x)
{
    struct eng_route *r = x->route;
    struct eng_endpoint *src = x->source;
    pthread_mutex_lock(&r->mu);
    bool first = r->state != ROUTE_FAILED;
    r->state = ROUTE_FAILED;
    r->accepting = false;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
    atomic_store(&r->metrics.commit_blocked, 1);
    if (!first)
        return;
    drom_log(DROM_LOG_ERROR, r->g->id,
             "Exchange %s failed and %s must not skip it: stopping the route; its position stays committed "
             "before this exchange, so a restart retries it",
             x->ex->id, src->ep.uri_masked);
    if (src->started && src->ep.comp->stop) {
        src->ep.comp->stop(&src->ep);
        src->started = false;
    }
}

static void finish_top(struct xctx *x, bool failed)
{
    struct eng_route *r = x->route;
    struct eng_endpoint *src = x->source;
    drom_route_metrics_latency(&r->metrics, drom_now_us() - x->ex->created_us);
    if (x->has_seq) {
        if (src->ep.comp->done)
            src->ep.comp->done(&src->ep, drom_watermark_pos(src->wm, x->seq), failed);
        if (failed && src->stop_on_failure) {
            drom_watermark_block(src->wm, x->seq);
            stop_on_failure(x);
        } else {
            drom_watermark_done(src->wm, x->seq);
        }
        src->wm_dirty = true;
    }
    pthread_mutex_lock(&r->mu);
    r->inflight--;
    /* A source blocked on a full window is woken once a quarter of it is
     * free, not for every exchange: it then submits a run of exchanges
     * instead of trading a context switch for each one. */
    size_t quarter = r->window / 4 ? r->window / 4 : 1;
    if (r->inflight + quarter <= r->window)
        pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->mu);
    struct drom_engine *eng = x->eng;
    x_free(x);
    eng_roots_add(eng, -1);
}

static void x_finish(struct xctx *x)
{
    x->state = XS_DONE;
    struct eng_route *r = x->route;
    bool failed = x->ex->failed;
    if (x->role == X_TOP || x->role == X_DIRECT) {
        atomic_fetch_add_explicit(&r->metrics.inflight, -1, memory_order_relaxed);
        atomic_fetch_add_explicit(&r->metrics.total, 1, memory_order_relaxed);
        if (failed) {
            atomic_fetch_add_explicit(&r->metrics.failed, 1, memory_order_relaxed);
            drom_route_metrics_failed(&r->metrics);
        } else
            atomic_fetch_add_explicit(&r->metrics.succeeded, 1, memory_order_relaxed);
        if (x->handled)
            atomic_fetch_add_explicit(&r->metrics.handled, 1, memory_order_relaxed);
    }
    if (failed || x->handled)
        eng_route_set_error(r, x->ex->exception ? x->ex->exception : "failed");
    switch (x->role) {
    case X_TOP:
        finish_top(x, failed);
        break;
    case X_TAP: {
        struct drom_engine *eng = x->eng;
        x_free(x);
        eng_roots_add(eng, -1);
        break;
    }
    case X_BRANCH:
        x_kid_finished(x, failed);
        break;
    case X_DIRECT: {
        struct xctx *p = x->parent;
        x->ex->engine = p;
        if (failed) {
            p->fail_code = x->fail_code;
            p->no_redeliver = true;
            p->resume = R_FAIL;
        } else {
            p->resume = x->stopped ? R_STOP : R_NEXT;
        }
        x_free(x);
        eng_runq_push(p->eng, p);
        break;
    }
    }
}

/* --- the runner --- */

static void frame_end(struct xctx *x)
{
    struct frame f = x->frames[--x->nframes];
    if (f.kind == FRAME_STEPS)
        return;
    x->handling = false;
    if (f.kind == FRAME_DLQ) {
        x->handled = true;
        x->nframes = 0;
        return;
    }
    const struct drom_on_exception *oe = &x->route->g->on_exceptions[f.onex];
    bool handled = false, continued = false;
    struct drom_error err = {0};
    if (oe->handled && oe->handled->expr &&
        drom_expr_eval_bool(oe->handled->expr, x->ex, &x->eng->env, &handled, &err) < 0)
        drom_log(DROM_LOG_WARN, x->route->g->id, "onException handled predicate failed: %s", err.msg);
    if (!handled && oe->continued && oe->continued->expr &&
        drom_expr_eval_bool(oe->continued->expr, x->ex, &x->eng->env, &continued, &err) < 0)
        drom_log(DROM_LOG_WARN, x->route->g->id, "onException continued predicate failed: %s", err.msg);
    if (handled) {
        x->handled = true;
        x->nframes = 0;
    } else if (continued) {
        /* Resume after the step that failed, which is on top again. */
        drom_exchange_clear_failure(x->ex);
        if (x->nframes)
            x->frames[x->nframes - 1].i++;
        x->attempts = 0;
    } else {
        x->ex->failed = true;
        log_failed(x, "onException");
        x->nframes = 0;
    }
}

void x_run_now(struct xctx *x)
{
    if (x->eng->torn_down || x->state == XS_DONE)
        return;
    enum eng_resume r = (enum eng_resume)x->resume;
    x->resume = R_NONE;
    x->state = XS_RUNNING;
    switch (r) {
    case R_NONE:
    case R_RERUN:
        break;
    case R_NEXT:
        if (x->nframes)
            x->frames[x->nframes - 1].i++;
        x->attempts = 0;
        break;
    case R_STOP:
        x->stopped = true;
        x->nframes = 0;
        break;
    case R_FAIL:
        on_failure(x);
        break;
    case R_CHILDREN:
        x_children_finished(x);
        if (x->resume == R_FAIL) {
            x->resume = R_NONE;
            on_failure(x);
        } else {
            x->resume = R_NONE;
            if (x->nframes)
                x->frames[x->nframes - 1].i++;
        }
        break;
    }
    while (x->state == XS_RUNNING) {
        if (x->nframes == 0) {
            x_finish(x);
            return;
        }
        size_t fi = x->nframes - 1;
        struct frame *f = &x->frames[fi];
        if (f->i >= f->n) {
            frame_end(x);
            continue;
        }
        switch (eip_exec(x, &f->steps[f->i])) {
        case EIP_NEXT:
            x->frames[fi].i++;
            x->attempts = 0;
            break;
        case EIP_WAIT:
            return;
        case EIP_FAIL:
            on_failure(x);
            break;
        case EIP_STOP:
            x->stopped = true;
            x->nframes = 0;
            break;
        }
    }
}

static void set_failure_props(struct xctx *x)
{
    struct drom_exchange *ex = x->ex;
    drom_headers_set_str(&ex->props, "CamelExceptionCaught", ex->exception ? ex->exception : "");
    if (x->failure_uri)
        drom_headers_set_str(&ex->props, "CamelFailureEndpoint", x->failure_uri);
    drom_headers_set_str(&ex->props, "CamelFailureRouteId", x->route->g->id);
}

static void use_original(struct xctx *x)
{
    struct drom_exchange *o = x->original, *ex = x->ex;
    if (!o)
        return;
    drom_headers_clear(&ex->headers);
    drom_headers_copy(&ex->headers, &o->headers);
    size_t len;
    const char *body = drom_exchange_body(o, &len);
    if (body)
        drom_exchange_set_body(ex, body, len, o->content_type);
    else
        drom_exchange_set_body_null(ex);
}

static void on_failure(struct xctx *x)
{
    struct eng_route *r = x->route;
    bool in_dlq = x->handling && x->nframes && x->frames[x->nframes - 1].kind == FRAME_DLQ;
    struct drom_eh_plan plan = drom_eh_decide(r->g, x->fail_code, x->attempts, !x->no_redeliver, x->handling);
    switch (plan.action) {
    case DROM_EH_REDELIVER:
        x->attempts = plan.attempt;
        drom_headers_set_bool(&x->ex->headers, "CamelRedelivered", true);
        drom_headers_set_int(&x->ex->headers, "CamelRedeliveryCounter", plan.attempt);
        drom_headers_set_int(&x->ex->headers, "CamelRedeliveryMaxCounter", plan.max);
        atomic_fetch_add_explicit(&r->metrics.redeliveries, 1, memory_order_relaxed);
        drom_log(DROM_LOG_DEBUG, r->g->id, "On delivery attempt: %d caught: %s; redelivering in %lld ms",
                 plan.attempt - 1, x->ex->exception ? x->ex->exception : "", (long long)plan.delay_ms);
        drom_exchange_clear_failure(x->ex);
        x_wait_timer(x, plan.delay_ms, true);
        return;
    case DROM_EH_ON_EXCEPTION:
        set_failure_props(x);
        drom_exchange_clear_failure(x->ex);
        x->handling = true;
        x_push(x, r->onex[plan.onex], r->g->on_exceptions[plan.onex].nsteps, FRAME_ONEX, (size_t)plan.onex);
        return;
    case DROM_EH_TO_DEAD_LETTER:
        if (r->g->error_handler.use_original_message)
            use_original(x);
        set_failure_props(x);
        drom_exchange_clear_failure(x->ex);
        x->handling = true;
        x_push(x, &r->dlq_step, 1, FRAME_DLQ, 0);
        return;
    case DROM_EH_LOG_FAILED:
        x->ex->failed = true;
        if (in_dlq)
            drom_log(DROM_LOG_ERROR, r->g->id,
                     "Cannot deliver exchange %s to the dead letter channel %s: %s. The exchange is failed, "
                     "not handled",
                     x->ex->id, r->dlq_step.ep ? r->dlq_step.ep->ep.uri_masked : "?",
                     x->ex->exception ? x->ex->exception : "");
        else if (x->handling)
            log_failed(x, "onException");
        else if (x->role == X_TOP || x->role == X_TAP)
            log_failed(x, "null");
        /* branches and direct: calls hand the failure to their caller, which logs it */
        x->handling = false;
        x->nframes = 0;
        return;
    case DROM_EH_FAILED:
        x->ex->failed = true;
        x->handling = false;
        x->nframes = 0;
        return;
    }
}

/* --- entry points from the loop --- */

void x_on_submit(struct drom_engine *eng, struct eng_endpoint *ep, struct drom_exchange *ex, void *pos)
{
    struct eng_route *r = ep->route;
    if (eng->torn_down) {
        drom_exchange_free(ex);
        if (pos && ep->ep.comp->position_free)
            ep->ep.comp->position_free(pos);
        eng_roots_add(eng, -1);
        return;
    }
    ex->route_id = r->g->id;
    ex->from_uri = r->g->from.uri_masked;
    struct xctx *x = x_new(eng, r, ex, true, X_TOP);
    x->source = ep;
    x->seq = drom_watermark_add(ep->wm, pos);
    x->has_seq = true;
    if (r->g->error_handler.use_original_message)
        x->original = drom_exchange_copy(ex);
    x_push(x, r->steps, r->nsteps, FRAME_STEPS, 0);
    x_run(x);
}

void x_on_complete(struct xctx *x, enum drom_status st, const struct drom_error *err)
{
    if (x->eng->torn_down)
        return;
    if (x->state != XS_WAIT_PRODUCER) {
        drom_log(DROM_LOG_ERROR, "engine", "exchange %s completed while not waiting for a producer (completed twice?)",
                 x->ex->id);
        return;
    }
    if (st == DROM_DONE || st == DROM_PENDING) {
        x->resume = R_NEXT;
    } else {
        x_fail(x, err ? err->code : DROM_EINTERNAL, st == DROM_RETRY, "%s",
               err && err->msg[0] ? err->msg : "the producer failed");
        x->resume = R_FAIL;
    }
    x_run(x);
}

void drom_exchange_complete(struct drom_exchange *ex, enum drom_status status, const struct drom_error *err)
{
    struct xctx *x = ex->engine;
    eng_post_complete(x->eng, x, status, err);
}

enum drom_status drom_engine_call_route(struct drom_endpoint *consumer, struct drom_exchange *ex,
                                        struct drom_error *err)
{
    struct eng_endpoint *cep = (struct eng_endpoint *)consumer;
    struct xctx *caller = ex->engine;
    struct eng_route *r = cep->route;
    struct xctx *x = x_new(cep->eng, r, ex, false, X_DIRECT);
    x->parent = caller;
    x_push(x, r->steps, r->nsteps, FRAME_STEPS, 0);
    eng_runq_push(cep->eng, x);
    return DROM_PENDING;
}

void eng_commit_all(struct drom_engine *eng)
{
    if (eng->torn_down)
        return;
    for (struct eng_endpoint *ep = eng->endpoints; ep; ep = ep->next) {
        if (!ep->wm || !ep->wm_dirty)
            continue;
        ep->wm_dirty = false;
        const void *pos;
        uint64_t seq;
        if (drom_watermark_advance(ep->wm, &pos, &seq) && ep->ep.comp->commit && !ep->commit_taken)
            ep->ep.comp->commit(&ep->ep, pos);
    }
}

void eng_route_set_error(struct eng_route *r, const char *msg)
{
    pthread_mutex_lock(&r->mu);
    snprintf(r->last_error, sizeof r->last_error, "%s", msg);
    pthread_mutex_unlock(&r->mu);
}
