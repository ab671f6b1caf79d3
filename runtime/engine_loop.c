/* The loop thread: a queue of work items woken through an eventfd, a heap
 * of timers, and a run queue of exchanges ready to continue. Work from other
 * threads only ever enters through post(); everything else runs here. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "runtime/engine_int.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

enum work_kind { W_SUBMIT, W_COMPLETE, W_CALL };

struct work {
    enum work_kind kind;
    struct work *next;
    /* W_SUBMIT */
    struct eng_endpoint *ep;
    struct drom_exchange *ex;
    void *pos;
    /* W_COMPLETE */
    struct xctx *x;
    enum drom_status status;
    struct drom_error *err;   /* NULL for DONE without a message */
    /* W_CALL */
    void (*fn)(void *);
    void *arg;
    pthread_mutex_t *done_mu;
    pthread_cond_t *done_cond;
    bool *done;
};

struct eng_timer {
    int64_t due;
    uint64_t id;
    void (*fn)(void *);
    void *arg;
};

/* Only the post that finds the queue empty wakes the loop: the loop takes
 * the whole queue at once, after reading the eventfd, so an item added to
 * a non-empty queue is taken with the items before it. One write per batch
 * instead of one per exchange. */
static void post(struct drom_engine *eng, struct work *w)
{
    pthread_mutex_lock(&eng->qmu);
    bool was_empty = !eng->qhead;
    if (eng->qtail)
        eng->qtail->next = w;
    else
        eng->qhead = w;
    eng->qtail = w;
    pthread_mutex_unlock(&eng->qmu);
    if (!was_empty)
        return;
    uint64_t one = 1;
    ssize_t n = write(eng->evfd, &one, sizeof one);
    (void)n; /* the counter saturating still leaves it readable */
}

void eng_post_submit(struct drom_engine *eng, struct eng_endpoint *ep, struct drom_exchange *ex, void *pos)
{
    struct work *w = drom_xcalloc(1, sizeof *w);
    w->kind = W_SUBMIT;
    w->ep = ep;
    w->ex = ex;
    w->pos = pos;
    post(eng, w);
}

void eng_post_complete(struct drom_engine *eng, struct xctx *x, enum drom_status st, const struct drom_error *err)
{
    struct work *w = drom_xcalloc(1, sizeof *w);
    w->kind = W_COMPLETE;
    w->x = x;
    w->status = st;
    if (err && err->code != DROM_OK) {
        w->err = drom_xmalloc(sizeof *w->err);
        *w->err = *err;
    }
    post(eng, w);
}

void eng_call(struct drom_engine *eng, void (*fn)(void *), void *arg)
{
    if (!eng->thread_started || drom_engine_on_loop(eng)) {
        fn(arg);
        return;
    }
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    bool done = false;
    struct work *w = drom_xcalloc(1, sizeof *w);
    w->kind = W_CALL;
    w->fn = fn;
    w->arg = arg;
    w->done_mu = &mu;
    w->done_cond = &cond;
    w->done = &done;
    post(eng, w);
    pthread_mutex_lock(&mu);
    while (!done)
        pthread_cond_wait(&cond, &mu);
    pthread_mutex_unlock(&mu);
    pthread_mutex_destroy(&mu);
    pthread_cond_destroy(&cond);
}

bool drom_engine_on_loop(const struct drom_engine *eng)
{
    return eng->thread_started && pthread_equal(pthread_self(), eng->thread);
}

/* --- timers: a binary min-heap on due time, ties broken by id (FIFO) --- */

static bool before(const struct eng_timer *a, const struct eng_timer *b)
{
    return a->due < b->due || (a->due == b->due && a->id < b->id);
}

static void swap(struct eng_timer *a, struct eng_timer *b)
{
    struct eng_timer t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct eng_timer *h, size_t i)
{
    while (i && before(&h[i], &h[(i - 1) / 2])) {
        swap(&h[i], &h[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct eng_timer *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[l], &h[m]))
            m = l;
        if (r < n && before(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        swap(&h[i], &h[m]);
        i = m;
    }
}

uint64_t eng_timer_add(struct drom_engine *eng, int64_t delay_ms, void (*fn)(void *), void *arg)
{
    drom_xgrow((void **)&eng->timers, &eng->captimers, eng->ntimers + 1, sizeof *eng->timers);
    struct eng_timer *t = &eng->timers[eng->ntimers];
    t->due = drom_monotonic_ms() + (delay_ms > 0 ? delay_ms : 0);
    t->id = ++eng->next_timer_id;
    t->fn = fn;
    t->arg = arg;
    sift_up(eng->timers, eng->ntimers++);
    return t->id;
}

static void remove_at(struct drom_engine *eng, size_t i)
{
    eng->timers[i] = eng->timers[--eng->ntimers];
    if (i < eng->ntimers) {
        sift_down(eng->timers, eng->ntimers, i);
        sift_up(eng->timers, i);
    }
}

void eng_timer_cancel(struct drom_engine *eng, uint64_t id)
{
    for (size_t i = 0; i < eng->ntimers; i++)
        if (eng->timers[i].id == id) {
            remove_at(eng, i);
            return;
        }
}

void eng_timers_free(struct drom_engine *eng)
{
    free(eng->timers);
    eng->timers = NULL;
    eng->ntimers = eng->captimers = 0;
}

static void fire_timers(struct drom_engine *eng)
{
    int64_t now = drom_monotonic_ms();
    while (eng->ntimers && eng->timers[0].due <= now) {
        struct eng_timer t = eng->timers[0];
        remove_at(eng, 0);
        t.fn(t.arg);
    }
}

uint64_t drom_engine_timer(struct drom_engine *eng, int64_t delay_ms, void (*fn)(void *arg), void *arg)
{
    return eng_timer_add(eng, delay_ms, fn, arg);
}

void drom_engine_timer_cancel(struct drom_engine *eng, uint64_t id)
{
    eng_timer_cancel(eng, id);
}

/* --- run queue --- */

void eng_runq_push(struct drom_engine *eng, struct xctx *x)
{
    x->next_run = NULL;
    if (eng->runq_tail)
        eng->runq_tail->next_run = x;
    else
        eng->runq_head = x;
    eng->runq_tail = x;
}

static void drain_runq(struct drom_engine *eng)
{
    while (eng->runq_head) {
        struct xctx *x = eng->runq_head;
        eng->runq_head = x->next_run;
        if (!eng->runq_head)
            eng->runq_tail = NULL;
        x_run(x);
    }
}

/* --- the loop --- */

static void handle(struct drom_engine *eng, struct work *w)
{
    switch (w->kind) {
    case W_SUBMIT:
        x_on_submit(eng, w->ep, w->ex, w->pos);
        break;
    case W_COMPLETE:
        x_on_complete(w->x, w->status, w->err);
        break;
    case W_CALL:
        w->fn(w->arg);
        pthread_mutex_lock(w->done_mu);
        *w->done = true;
        pthread_cond_signal(w->done_cond);
        pthread_mutex_unlock(w->done_mu);
        break;
    }
    free(w->err);
    free(w);
}

static void *loop(void *arg)
{
    struct drom_engine *eng = arg;
    pthread_setname_np(pthread_self(), "drom-engine");   /* for top -H and profiles */
    for (;;) {
        int timeout = -1;
        if (eng->runq_head) {
            timeout = 0;
        } else if (eng->ntimers) {
            int64_t wait = eng->timers[0].due - drom_monotonic_ms();
            timeout = wait < 0 ? 0 : wait > INT32_MAX ? INT32_MAX : (int)wait;
        }
        struct epoll_event ev;
        int n = epoll_wait(eng->epfd, &ev, 1, timeout);
        if (n < 0 && errno != EINTR) {
            drom_error_log("engine", "epoll_wait failed: %s", strerror(errno));
            break;
        }
        if (n > 0) {
            uint64_t count;
            ssize_t r = read(eng->evfd, &count, sizeof count);
            (void)r;
        }
        pthread_mutex_lock(&eng->qmu);
        struct work *w = eng->qhead;
        eng->qhead = eng->qtail = NULL;
        bool quit = eng->quit;
        pthread_mutex_unlock(&eng->qmu);
        while (w) {
            struct work *next = w->next;
            handle(eng, w);
            w = next;
            drain_runq(eng);
        }
        fire_timers(eng);
        drain_runq(eng);
        eng_commit_all(eng);
        if (quit)
            break;
    }
    return NULL;
}

int eng_loop_start(struct drom_engine *eng, struct drom_error *err)
{
    eng->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (eng->evfd < 0)
        return drom_err(err, DROM_EINTERNAL, "eventfd: %s", strerror(errno));
    eng->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (eng->epfd < 0) {
        close(eng->evfd);
        eng->evfd = -1;
        return drom_err(err, DROM_EINTERNAL, "epoll_create1: %s", strerror(errno));
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = eng->evfd};
    epoll_ctl(eng->epfd, EPOLL_CTL_ADD, eng->evfd, &ev);
    if (pthread_create(&eng->thread, NULL, loop, eng) != 0) {
        close(eng->epfd);
        close(eng->evfd);
        eng->epfd = eng->evfd = -1;
        return drom_err(err, DROM_EINTERNAL, "cannot start the engine thread");
    }
    eng->thread_started = true;
    return 0;
}

/* Stops the loop after the work queued so far, and joins it. Work posted
 * later (a late completion) is freed by the caller's final sweep. */
void eng_loop_quit(struct drom_engine *eng)
{
    if (!eng->thread_started)
        return;
    pthread_mutex_lock(&eng->qmu);
    eng->quit = true;
    pthread_mutex_unlock(&eng->qmu);
    uint64_t one = 1;
    ssize_t n = write(eng->evfd, &one, sizeof one);
    (void)n;
    pthread_join(eng->thread, NULL);
    eng->thread_started = false;
    /* Whatever arrived after the last batch. */
    pthread_mutex_lock(&eng->qmu);
    struct work *w = eng->qhead;
    eng->qhead = eng->qtail = NULL;
    pthread_mutex_unlock(&eng->qmu);
    while (w) {
        struct work *next = w->next;
        if (w->kind == W_SUBMIT) {
            drom_exchange_free(w->ex);
            if (w->pos && w->ep->ep.comp->position_free)
                w->ep->ep.comp->position_free(w->pos);
        } else if (w->kind == W_CALL) {
            w->fn(w->arg);
            pthread_mutex_lock(w->done_mu);
            *w->done = true;
            pthread_cond_signal(w->done_cond);
            pthread_mutex_unlock(w->done_mu);
        }
        free(w->err);
        free(w);
        w = next;
    }
    close(eng->epfd);
    close(eng->evfd);
    eng->epfd = eng->evfd = -1;
}
