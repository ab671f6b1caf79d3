/* Routing an exchange with its ids in the log context, so that every JSON
 * line logged meanwhile (the engine's, an EIP's, a producer's) says which
 * route, exchange and change event it is about. */
#include <stdio.h>

#include "runtime/engine_int.h"
#include "runtime/log.h"

/* Copies: the exchange may be freed before the context is put back. Text
 * logs carry no such fields, so they pay nothing. */
void x_run(struct xctx *x)
{
    if (!drom_log_is_json()) {
        x_run_now(x);
        return;
    }
    char ex_id[64], ev_id[256] = "";
    snprintf(ex_id, sizeof ex_id, "%s", x->ex->id ? x->ex->id : "");
    const struct drom_value *ev = drom_headers_get(&x->ex->headers, "DromEventId");
    if (ev && ev->s)
        snprintf(ev_id, sizeof ev_id, "%s", ev->s);
    struct drom_log_ctx old = drom_log_ctx_set((struct drom_log_ctx){
        .route_id = x->route->g->id, .exchange_id = ex_id, .event_id = ev_id[0] ? ev_id : NULL});
    x_run_now(x);
    drom_log_ctx_set(old);
}
