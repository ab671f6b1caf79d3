/* <throttle timePeriodMillis="1000"><constant>N</constant></throttle>:
 * at most N exchanges pass per sliding period (Camel's TotalRequests mode).
 * One over the limit waits on the engine's timer until the oldest admission
 * leaves the period, then tries again; with rejectExecution="true" it fails
 * instead (Camel's ThrottlerRejectedExecutionException). The limit is
 * evaluated per exchange, so a header can drive it. */
#include <stdlib.h>
#include <string.h>

#include "runtime/engine_int.h"
#include "runtime/xalloc.h"

struct throttle {
    int64_t *ts;          /* admission times, a ring, oldest at head */
    size_t cap, head, n;
};

static void throttle_free(struct drom_engine *eng, void *p)
{
    struct throttle *t = p;
    free(t->ts);
    free(t);
}

static void resize(struct throttle *t, size_t cap)
{
    int64_t *ts = drom_xcalloc(cap ? cap : 1, sizeof *ts);
    size_t keep = t->n < cap ? t->n : cap;
    /* keep the newest `keep` admissions */
    for (size_t i = 0; i < keep; i++)
        ts[i] = t->ts[(t->head + t->n - keep + i) % t->cap];
    free(t->ts);
    t->ts = ts;
    t->cap = cap ? cap : 1;
    t->head = 0;
    t->n = keep;
}

enum eip_result eip_throttle(struct xctx *x, struct eng_step *s)
{
    char *text;
    if (x_eval_str(x, s, &text) < 0)
        return EIP_FAIL;
    int64_t max;
    if (drom_parse_int(text, &max) < 0 || max < 0) {
        x_fail(x, DROM_EINVAL, false, "throttle: '%s' is not a number of requests", text);
        free(text);
        return EIP_FAIL;
    }
    free(text);
    int64_t period = step_param_int(s, "timePeriodMillis", 1000);
    if (period <= 0)
        return EIP_NEXT;
    struct throttle *t = s->state;
    if (!t) {
        t = s->state = drom_xcalloc(1, sizeof *t);
        s->state_free = throttle_free;
    }
    if (t->cap != (size_t)max)
        resize(t, (size_t)max);
    int64_t now = drom_monotonic_ms();
    while (t->n && t->ts[t->head] <= now - period) {
        t->head = (t->head + 1) % t->cap;
        t->n--;
    }
    if (max > 0 && t->n < (size_t)max) {
        t->ts[(t->head + t->n) % t->cap] = now;
        t->n++;
        return EIP_NEXT;
    }
    if (step_param_bool(s, "rejectExecution", false)) {
        x_fail(x, DROM_ESTOPPED, false, "Exceeded the max throttle rate of %lld within %lldms", (long long)max,
               (long long)period);
        return EIP_FAIL;
    }
    int64_t wait = t->n ? t->ts[t->head] + period - now : period;
    x_wait_timer(x, wait > 0 ? wait : 1, true);
    return EIP_WAIT;
}
