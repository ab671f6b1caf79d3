/* Camel's error handling, decided here and carried out by the engine
 * (engine_run.c), which owns redelivery on its timers.
 *
 * On a failure at a step:
 *  1. The onException clause that matches (see below) is chosen; its
 *     redeliveryPolicy applies when it has one, else the error handler's.
 *  2. While redeliveries remain (maximumRedeliveries; -1 = forever) and the
 *     failure is redeliverable (a producer answered DROM_RETRY, or failed
 *     after DROM_PENDING with RETRY), the same step runs again after the
 *     policy's delay, with headers CamelRedelivered=true,
 *     CamelRedeliveryCounter=n, CamelRedeliveryMaxCounter=max. DROM_FAIL and
 *     failures of the EIPs themselves (a bad expression, unparseable JSON)
 *     are permanent: no redelivery, as retrying them gives the same answer.
 *  3. Exhausted: the onException block runs (properties CamelExceptionCaught,
 *     CamelFailureEndpoint, CamelFailureRouteId set, failure cleared for the
 *     block); then handled=true ends the exchange as handled, continued=true
 *     resumes the route after the failed step, neither leaves it failed.
 *     Without a matching clause: deadLetterChannel sends the exchange (the
 *     original message with useOriginalMessage) to deadLetterUri with the
 *     same three properties and ends it handled; defaultErrorHandler logs
 *     Camel's "Failed delivery for (MessageId: ...)" line and ends it failed;
 *     noErrorHandler ends it failed without a log line.
 *  4. A failure while handling (inside the onException block or the
 *     dead-letter send) ends the exchange failed, logged.
 *
 * Matching: there are no exception classes in C, so each failure code maps
 * to a Java class and its superclasses (drom_eh_exception_chain); a clause
 * matches when one of its <exception> names (fully qualified or simple)
 * is in that chain, and the clause naming the most specific class wins
 * (the first clause on a tie), as Camel's closest-instanceof rule does. */
#ifndef DROM_RUNTIME_ERRHANDLER_H
#define DROM_RUNTIME_ERRHANDLER_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/error.h"
#include "runtime/graph.h"

enum drom_eh_action {
    DROM_EH_REDELIVER,      /* run the step again after delay_ms */
    DROM_EH_ON_EXCEPTION,   /* run on_exceptions[onex] */
    DROM_EH_TO_DEAD_LETTER, /* send to the dead-letter endpoint */
    DROM_EH_LOG_FAILED,     /* defaultErrorHandler: log and end failed */
    DROM_EH_FAILED,         /* end failed, no log (noErrorHandler, or already logged) */
};

struct drom_eh_plan {
    enum drom_eh_action action;
    int64_t delay_ms;       /* DROM_EH_REDELIVER */
    int attempt;            /* DROM_EH_REDELIVER: the redelivery about to happen, 1-based */
    int max;                /* the policy's maximumRedeliveries */
    int onex;               /* matching clause, -1 when none */
};

/* attempts: redeliveries already made for this step. handling: the failure
 * happened inside an onException block or the dead-letter send. */
struct drom_eh_plan drom_eh_decide(const struct drom_route *route, enum drom_errcode code, int attempts,
                                   bool redeliverable, bool handling);

/* Delay before redelivery number `attempt` (1-based): redeliveryDelay, times
 * backOffMultiplier^(attempt-1) with useExponentialBackOff, capped at
 * maximumRedeliveryDelay. */
int64_t drom_redelivery_delay(const struct drom_redelivery *p, int attempt);

/* Index of the onException clause matching `code`, or -1. */
int drom_eh_match(const struct drom_route *route, enum drom_errcode code);

/* The Java class chain of a failure code, most specific first, NULL-ended;
 * e.g. DROM_EIO: java.io.IOException, java.lang.Exception, java.lang.Throwable. */
const char *const *drom_eh_exception_chain(enum drom_errcode code);

#endif
