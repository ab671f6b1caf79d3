/* Helpers for the engine's route tests: compile XML routes, run an engine
 * with the Simple hook and a toD binder, and a test-only producer that
 * completes asynchronously, from its own thread, in random order. */
#ifndef TEST_ENGINE_UTIL_H
#define TEST_ENGINE_UTIL_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/compile.h"
#include "components/mock/mock.h"
#include "dsl/simple.h"
#include "runtime/engine.h"
#include "runtime/xalloc.h"
#include "tests/support/testenv.h"

#define TE_UNUSED __attribute__((unused))

static TE_UNUSED struct drom_expr *te_compile_simple(void *arg, const char *text, struct drom_error *err)
{
    return drom_expr_parse("simple", text, DROM_EXPR_VALUE, err);
}

/* Graphs made for toD endpoints live until te_free. */
struct te {
    struct drom_graph graph;
    struct drom_engine *eng;
    struct drom_graph *dyn[64];
    size_t ndyn;
};

static TE_UNUSED int te_resolve(void *arg, const char *uri, struct drom_arena *arena, struct drom_gendpoint *out,
                                struct drom_error *err)
{
    struct te *t = arg;
    if (t->ndyn == 64)
        return drom_err(err, DROM_EINVAL, "too many dynamic endpoints in a test");
    char xml[2048];
    snprintf(xml, sizeof xml, "<routes><route><from uri=\"timer:te\"/><to uri=\"%s\"/></route></routes>", uri);
    struct drom_graph *g = drom_xcalloc(1, sizeof *g);
    struct drom_diags d = DROM_DIAGS_INIT;
    if (drom_compile_mem(xml, strlen(xml), "toD", NULL, g, &d) < 0) {
        drom_diags_first_error(&d, err);
        drom_diags_free(&d);
        free(g);
        return -1;
    }
    drom_diags_free(&d);
    t->dyn[t->ndyn++] = g;
    *out = *g->routes[0].steps[0].endpoint;
    return 0;
}

/* The compiler's messages for `xml` as dromc prints them (malloc'ed);
 * *rc is drom_compile_mem's answer. */
static TE_UNUSED char *te_compile_msgs(const char *xml, int *rc)
{
    struct drom_graph g = {0};
    struct drom_diags d = DROM_DIAGS_INIT;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    *rc = drom_compile_mem(xml, strlen(xml), "test.xml", NULL, &g, &d);
    drom_diags_print(&d, out);
    fclose(out);
    drom_diags_free(&d);
    if (*rc == 0)
        drom_graph_free(&g);
    return text;
}

static TE_UNUSED void te_compile(struct te *t, const char *xml)
{
    struct drom_diags d = DROM_DIAGS_INIT;
    int rc = drom_compile_mem(xml, strlen(xml), "test.xml", NULL, &t->graph, &d);
    if (rc < 0)
        drom_diags_print(&d, stderr);
    drom_diags_free(&d);
    cr_assert_eq(rc, 0, "the test routes compile");
}

/* Points every endpoint whose URI starts with `prefix` at `comp`. */
static TE_UNUSED void te_patch_steps(struct drom_step *s, size_t n, const char *prefix,
                                     const struct drom_component *comp)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].endpoint && strncmp(s[i].endpoint->uri, prefix, strlen(prefix)) == 0)
            s[i].endpoint->comp = comp;
        te_patch_steps(s[i].steps, s[i].nsteps, prefix, comp);
    }
}

static TE_UNUSED void te_patch(struct te *t, const char *prefix, const struct drom_component *comp)
{
    for (size_t r = 0; r < t->graph.nroutes; r++) {
        struct drom_route *rt = &t->graph.routes[r];
        if (strncmp(rt->from.uri, prefix, strlen(prefix)) == 0)
            rt->from.comp = comp;
        te_patch_steps(rt->steps, rt->nsteps, prefix, comp);
        if (rt->error_handler.dead_letter && strncmp(rt->error_handler.dead_letter->uri, prefix, strlen(prefix)) == 0)
            rt->error_handler.dead_letter->comp = comp;
    }
}

static TE_UNUSED void te_start_opts(struct te *t, struct drom_engine_options *o)
{
    o->quiet = true;
    o->compile_simple = te_compile_simple;
    o->resolve_uri = te_resolve;
    o->hook_arg = t;
    struct drom_error err = {0};
    t->eng = drom_engine_new(&t->graph, o, &err);
    cr_assert_not_null(t->eng, "%s", err.msg);
    cr_assert_eq(drom_engine_start(t->eng, &err), 0, "start: %s", err.msg);
}

static TE_UNUSED void te_start(struct te *t)
{
    struct drom_engine_options o = {0};
    te_start_opts(t, &o);
}

static TE_UNUSED void te_free(struct te *t)
{
    if (t->eng) {
        struct drom_error err = {0};
        drom_engine_stop(t->eng, 5000, &err);
        drom_engine_free(t->eng);
    }
    drom_graph_free(&t->graph);
    for (size_t i = 0; i < t->ndyn; i++) {
        drom_graph_free(t->dyn[i]);
        free(t->dyn[i]);
    }
}

static TE_UNUSED struct drom_mock *te_mock(struct te *t, const char *name)
{
    struct drom_mock *m = drom_mock_get(t->eng, name);
    cr_assert_not_null(m, "mock:%s exists", name);
    return m;
}

static TE_UNUSED void te_assert_mock(struct drom_mock *m, int64_t timeout_ms)
{
    struct drom_error err = {0};
    cr_assert_eq(drom_mock_assert(m, timeout_ms, &err), 0, "%s", err.msg);
}

/* Polls `cond` every millisecond until it holds or the deadline passes. */
#define TE_WAIT_FOR(cond, timeout_ms)                                                                                  \
    do {                                                                                                               \
        int64_t te_deadline_ = ts_now_ms() + (timeout_ms);                                                             \
        while (!(cond) && ts_now_ms() < te_deadline_) {                                                                \
            struct timespec te_ts_ = {0, 1000000};                                                                     \
            nanosleep(&te_ts_, NULL);                                                                                  \
        }                                                                                                              \
        cr_assert(cond, "timed out waiting for: %s", #cond);                                                           \
    } while (0)

/* The route's status by id. */
static TE_UNUSED struct drom_route_status te_status(struct te *t, const char *id)
{
    struct drom_route_status st = {0};
    for (size_t i = 0; i < drom_engine_route_count(t->eng); i++) {
        drom_engine_route_status(t->eng, i, &st);
        if (strcmp(st.id, id) == 0)
            return st;
    }
    cr_assert_fail("no route %s", id);
    return st;
}


/* --- feed: a test-only consumer the test drives with drom_consumer_submit --- */

struct feed {
    struct drom_endpoint *ep;
    pthread_mutex_t mu;
    int64_t committed;       /* last committed position, -1 before any */
    int64_t commits;
    int64_t done_ok, done_failed;
};

static TE_UNUSED void *feed_new(void *arg)
{
    struct feed *f = drom_xcalloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->committed = -1;
    return f;
}

static TE_UNUSED void feed_free(void *p)
{
    struct feed *f = p;
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static TE_UNUSED void feed_done(struct drom_endpoint *ep, const void *pos, bool failed)
{
    struct feed *f = ep->state;
    pthread_mutex_lock(&f->mu);
    if (failed)
        f->done_failed++;
    else
        f->done_ok++;
    pthread_mutex_unlock(&f->mu);
}

static TE_UNUSED int feed_create(struct drom_endpoint *ep, struct drom_error *err)
{
    char key[300];
    snprintf(key, sizeof key, "feed:%s", ep->path);
    struct feed *f = drom_engine_shared(drom_endpoint_engine(ep), key, feed_new, NULL, feed_free);
    f->ep = ep;
    ep->state = f;
    return 0;
}

static TE_UNUSED int feed_start(struct drom_endpoint *ep, struct drom_error *err)
{
    return 0;
}

static TE_UNUSED void feed_commit(struct drom_endpoint *ep, const void *pos)
{
    struct feed *f = ep->state;
    pthread_mutex_lock(&f->mu);
    int64_t v = pos ? *(const int64_t *)pos : -2;
    if (pos && v <= f->committed)
        cr_log_error("commit went backwards: %lld after %lld", (long long)v, (long long)f->committed);
    f->committed = v;
    f->commits++;
    pthread_mutex_unlock(&f->mu);
}

static const TE_UNUSED struct drom_component te_feed_component = {
    .name = "feed",
    .roles = DROM_ROLE_CONSUMER,
    .create = feed_create,
    .start = feed_start,
    .commit = feed_commit,
    .position_free = free,
    .done = feed_done,
};

static TE_UNUSED struct feed *te_feed(struct te *t, const char *name)
{
    char key[300];
    snprintf(key, sizeof key, "feed:%s", name);
    struct feed *f = drom_engine_shared_find(t->eng, key);
    cr_assert_not_null(f, "feed %s exists", name);
    return f;
}

/* Submits a body (text) with position `pos`. Returns submit's answer. */
static TE_UNUSED int te_send_pos(struct feed *f, const char *body, int64_t pos, const char *hdr, const char *hval)
{
    struct drom_exchange *ex = drom_exchange_new();
    if (body)
        drom_exchange_set_body_str(ex, body, NULL);
    if (hdr)
        drom_headers_set_str(&ex->headers, hdr, hval);
    int64_t *p = malloc(sizeof *p);
    *p = pos;
    struct drom_error err = {0};
    return drom_consumer_submit(f->ep, ex, p, &err);
}

static TE_UNUSED int64_t te_committed(struct feed *f)
{
    pthread_mutex_lock(&f->mu);
    int64_t v = f->committed;
    pthread_mutex_unlock(&f->mu);
    return v;
}

/* --- async: a test-only producer completing from its own thread in random order.
 * Header "fail" = "retry" or "fail" makes it complete with DROM_RETRY/DROM_FAIL. --- */

struct async_prod {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct drom_exchange **q;
    size_t n, cap;
    bool stop;
    unsigned seed;
    int64_t completed;
    int64_t batch;           /* waits for this many queued (or 2 ms) before completing */
};

static TE_UNUSED void *async_worker(void *arg)
{
    struct async_prod *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->stop && a->n == 0)
            pthread_cond_wait(&a->cond, &a->mu);
        if (a->stop)
            break;
        if ((int64_t)a->n < a->batch) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 2000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&a->cond, &a->mu, &ts);
            if (a->stop)
                break;
        }
        while (a->n) {
            size_t i = (size_t)rand_r(&a->seed) % a->n;
            struct drom_exchange *ex = a->q[i];
            a->q[i] = a->q[--a->n];
            a->completed++;
            const char *fail = drom_exchange_header(ex, "fail");
            struct drom_error err = {0};
            enum drom_status st = DROM_DONE;
            if (fail && strcmp(fail, "retry") == 0) {
                st = DROM_RETRY;
                drom_err(&err, DROM_EIO, "async delivery failed (transient)");
            } else if (fail && strcmp(fail, "fail") == 0) {
                st = DROM_FAIL;
                drom_err(&err, DROM_EIO, "async delivery failed");
            }
            drom_exchange_complete(ex, st, &err);
        }
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

static TE_UNUSED int async_create(struct drom_endpoint *ep, struct drom_error *err)
{
    struct async_prod *a = drom_xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cond, NULL);
    a->seed = 42;
    a->batch = 64;
    ep->state = a;
    pthread_create(&a->thread, NULL, async_worker, a);
    return 0;
}

static TE_UNUSED void async_destroy(struct drom_endpoint *ep)
{
    struct async_prod *a = ep->state;
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cond);
    free(a->q);
    free(a);
}

static TE_UNUSED enum drom_status async_produce(struct drom_endpoint *ep, struct drom_exchange *ex,
                                                struct drom_error *err)
{
    struct async_prod *a = ep->state;
    pthread_mutex_lock(&a->mu);
    drom_xgrow((void **)&a->q, &a->cap, a->n + 1, sizeof *a->q);
    a->q[a->n++] = ex;
    pthread_cond_signal(&a->cond);
    pthread_mutex_unlock(&a->mu);
    return DROM_PENDING;
}

static const TE_UNUSED struct drom_component te_async_component = {
    .name = "async",
    .roles = DROM_ROLE_PRODUCER,
    .create = async_create,
    .destroy = async_destroy,
    .produce = async_produce,
};

/* Compiles `xml` and starts it with the feed in place of timer:feed and the
 * async producer in place of mock:async. */
static TE_UNUSED void te_start_fed(struct te *t, const char *xml)
{
    te_compile(t, xml);
    te_patch(t, "timer:feed", &te_feed_component);
    te_patch(t, "mock:async", &te_async_component);
    te_start(t);
}

#endif
