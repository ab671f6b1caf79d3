#include <math.h>
#include <string.h>

#include "runtime/errhandler.h"

static const char *const chain_invalid[] = {"java.lang.IllegalArgumentException", "java.lang.RuntimeException",
                                            "java.lang.Exception", "java.lang.Throwable", NULL};
static const char *const chain_io[] = {"java.io.IOException", "java.lang.Exception", "java.lang.Throwable", NULL};
static const char *const chain_connect[] = {"java.net.ConnectException", "java.net.SocketException",
                                            "java.io.IOException", "java.lang.Exception", "java.lang.Throwable",
                                            NULL};
static const char *const chain_state[] = {"java.lang.IllegalStateException", "java.lang.RuntimeException",
                                          "java.lang.Exception", "java.lang.Throwable", NULL};
static const char *const chain_stopped[] = {"java.util.concurrent.RejectedExecutionException",
                                            "java.lang.RuntimeException", "java.lang.Exception",
                                            "java.lang.Throwable", NULL};
static const char *const chain_nomem[] = {"java.lang.OutOfMemoryError", "java.lang.Error", "java.lang.Throwable",
                                          NULL};
static const char *const chain_other[] = {"org.apache.camel.CamelExchangeException", "org.apache.camel.CamelException",
                                          "java.lang.Exception", "java.lang.Throwable", NULL};

const char *const *drom_eh_exception_chain(enum drom_errcode code)
{
    switch (code) {
    case DROM_EINVAL: return chain_invalid;
    case DROM_EIO: return chain_io;
    case DROM_ECONNECT: return chain_connect;
    case DROM_ESTATE: return chain_state;
    case DROM_ESTOPPED: return chain_stopped;
    case DROM_ENOMEM: return chain_nomem;
    default: return chain_other;
    }
}

static bool same_class(const char *written, const char *fqn)
{
    if (strcmp(written, fqn) == 0)
        return true;
    const char *dot = strrchr(fqn, '.');
    return !strchr(written, '.') && dot && strcmp(written, dot + 1) == 0;
}

int drom_eh_match(const struct drom_route *route, enum drom_errcode code)
{
    const char *const *chain = drom_eh_exception_chain(code);
    int best = -1, best_depth = 1 << 30;
    for (size_t c = 0; c < route->non_exceptions; c++) {
        const struct drom_on_exception *oe = &route->on_exceptions[c];
        for (size_t e = 0; e < oe->nexceptions; e++)
            for (int d = 0; chain[d]; d++)
                if (same_class(oe->exceptions[e], chain[d]) && d < best_depth) {
                    best = (int)c;
                    best_depth = d;
                }
    }
    return best;
}

int64_t drom_redelivery_delay(const struct drom_redelivery *p, int attempt)
{
    double d = (double)p->redelivery_delay_ms;
    if (p->use_exponential_backoff && attempt > 1) {
        double m = p->back_off_multiplier > 0 ? p->back_off_multiplier : 2.0;
        d *= pow(m, attempt - 1);
    }
    if (p->maximum_redelivery_delay_ms > 0 && d > (double)p->maximum_redelivery_delay_ms)
        d = (double)p->maximum_redelivery_delay_ms;
    return d < 0 ? 0 : (int64_t)d;
}

struct drom_eh_plan drom_eh_decide(const struct drom_route *route, enum drom_errcode code, int attempts,
                                   bool redeliverable, bool handling)
{
    struct drom_eh_plan plan = {.onex = -1};
    if (handling) {
        plan.action = DROM_EH_LOG_FAILED;
        return plan;
    }
    plan.onex = drom_eh_match(route, code);
    const struct drom_redelivery *policy = &route->error_handler.redelivery;
    if (plan.onex >= 0 && route->on_exceptions[plan.onex].has_redelivery)
        policy = &route->on_exceptions[plan.onex].redelivery;
    plan.max = policy->maximum_redeliveries;
    if (route->error_handler.kind == DROM_EH_NONE && plan.onex < 0) {
        plan.action = DROM_EH_FAILED;
        return plan;
    }
    if (redeliverable && (plan.max < 0 || attempts < plan.max)) {
        plan.action = DROM_EH_REDELIVER;
        plan.attempt = attempts + 1;
        plan.delay_ms = drom_redelivery_delay(policy, plan.attempt);
        return plan;
    }
    if (plan.onex >= 0)
        plan.action = DROM_EH_ON_EXCEPTION;
    else if (route->error_handler.kind == DROM_EH_DEAD_LETTER && route->error_handler.dead_letter)
        plan.action = DROM_EH_TO_DEAD_LETTER;
    else
        plan.action = DROM_EH_LOG_FAILED;
    return plan;
}
