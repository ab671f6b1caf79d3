/* timer: fires an exchange with a null body every period on its own
 * thread. Like Camel 4, every exchange carries the property
 * CamelTimerCounter (1, 2, ...); with includeMetadata=true also the
 * properties CamelTimerName, CamelTimerPeriod, CamelTimerFiredTime and the
 * headers CamelTimerFiredTime and CamelMessageTimestamp (epoch ms).
 * Fixed delay (default): the next firing is a period after the previous
 * submit returned, so back-pressure slows the timer; fixedRate: firings
 * keep to start + n * period, catching up after a stall. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <stddef.h>

#include "runtime/component.h"
#include "runtime/xalloc.h"

struct timer_conf {
    int64_t period_ms, delay_ms, repeat_count;
    bool fixed_rate, include_metadata;
};

#define AT(f) DROM_OPT_AT(struct timer_conf, f)

/* Camel 4's timer endpoint options and defaults. */
static const struct drom_option options[] = {
    {.name = "period", AT(period_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "consumer",
     .doc = "Milliseconds between firings (0: fire as fast as possible)"},
    {.name = "delay", AT(delay_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "consumer",
     .doc = "Milliseconds before the first firing"},
    {.name = "repeatCount", AT(repeat_count), .type = DROM_OPT_INT, .def = "0", .group = "consumer",
     .doc = "Maximum number of firings (0 or negative: forever)"},
    {.name = "fixedRate", AT(fixed_rate), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Fire at a fixed rate (catch up after a late firing) instead of a fixed delay"},
    {.name = "includeMetadata", AT(include_metadata), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Include metadata headers (CamelTimerName, CamelTimerPeriod, CamelTimerCounter, ...)"},
    {.name = "synchronous", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "advanced", .doc = "Synchronous processing"},
    {.name = "daemon", .type = DROM_OPT_BOOL, .def = "true", .flags = DROM_OPT_IGNORED, .group = "advanced",
     .doc = "Whether the timer thread is a daemon thread"},
    {.name = "runLoggingLevel", .type = DROM_OPT_STRING, .def = "TRACE", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Level of the start/end logging of each firing"},
    {.name = "time", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "advanced",
     .doc = "A date for the first event (not supported; use delay)"},
    {.name = "pattern", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "advanced",
     .doc = "Date pattern for the time option"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},
    DROM_OPTIONS_END,
};

struct timer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop, running;
    struct drom_endpoint *ep;
};

static int timer_create_ep(struct drom_endpoint *ep, struct drom_error *err)
{
    struct timer *t = drom_xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cond, &ca);
    pthread_condattr_destroy(&ca);
    t->ep = ep;
    ep->state = t;
    return 0;
}

static void timer_destroy(struct drom_endpoint *ep)
{
    struct timer *t = ep->state;
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cond);
    free(t);
}

/* Waits until the monotonic time `due_ms`; false when stopped meanwhile. */
static bool wait_until(struct timer *t, int64_t due_ms)
{
    struct timespec ts = {.tv_sec = due_ms / 1000, .tv_nsec = (due_ms % 1000) * 1000000};
    pthread_mutex_lock(&t->mu);
    while (!t->stop && drom_monotonic_ms() < due_ms)
        if (pthread_cond_timedwait(&t->cond, &t->mu, &ts) == ETIMEDOUT)
            break;
    bool go = !t->stop;
    pthread_mutex_unlock(&t->mu);
    return go;
}

static void *timer_thread(void *arg)
{
    struct timer *t = arg;
    const struct timer_conf *o = t->ep->conf;
    int64_t period = o->period_ms;
    int64_t repeat = o->repeat_count;
    bool fixed_rate = o->fixed_rate;
    bool meta = o->include_metadata;
    int64_t start = drom_monotonic_ms() + o->delay_ms;
    int64_t due = start;
    for (int64_t n = 1; repeat <= 0 || n <= repeat; n++) {
        if (!wait_until(t, due))
            break;
        struct drom_exchange *ex = drom_exchange_new();
        int64_t now_ms = drom_now_us() / 1000;
        drom_headers_set_int(&ex->props, "CamelTimerCounter", n);
        if (meta) {
            drom_headers_set_str(&ex->props, "CamelTimerName", t->ep->path);
            drom_headers_set_int(&ex->props, "CamelTimerPeriod", period);
            drom_headers_set_int(&ex->props, "CamelTimerFiredTime", now_ms);
            drom_headers_set_int(&ex->headers, "CamelTimerFiredTime", now_ms);
            drom_headers_set_int(&ex->headers, "CamelMessageTimestamp", now_ms);
        }
        struct drom_error err = {0};
        if (drom_consumer_submit(t->ep, ex, NULL, &err) < 0)
            break;
        due = fixed_rate ? start + n * period : drom_monotonic_ms() + period;
    }
    return NULL;
}

static int timer_start(struct drom_endpoint *ep, struct drom_error *err)
{
    struct timer *t = ep->state;
    t->stop = false;
    if (pthread_create(&t->thread, NULL, timer_thread, t) != 0)
        return drom_err(err, DROM_EINTERNAL, "cannot start the timer thread");
    t->running = true;
    return 0;
}

static void timer_stop(struct drom_endpoint *ep)
{
    struct timer *t = ep->state;
    if (!t->running)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    t->running = false;
}

const struct drom_component drom_component_timer = {
    .name = "timer",
    .title = "Fire exchanges on a timer",
    .path_syntax = "timerName",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER,
    .options = options,
    .conf_size = sizeof(struct timer_conf),
    .create = timer_create_ep,
    .destroy = timer_destroy,
    .start = timer_start,
    .stop = timer_stop,
};
