/* <filter>: the children run only when the predicate holds; Camel sets
 * the exchange property CamelFilterMatched either way. */
#include "runtime/engine_int.h"

enum eip_result eip_filter(struct xctx *x, struct eng_step *s)
{
    bool match;
    if (x_eval_bool(x, s->g->expr, "filter", &match) < 0)
        return EIP_FAIL;
    drom_headers_set_bool(&x->ex->props, "CamelFilterMatched", match);
    if (match && s->nkids)
        x_push(x, s->kids, s->nkids, FRAME_STEPS, 0);
    return EIP_NEXT;
}
