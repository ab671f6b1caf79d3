/* <wireTap uri="...">: a copy of the exchange (new exchange id) goes to the
 * endpoint on its own, fire and forget; the route goes on at once. The tap
 * still counts for the drain, so a stop waits for it. */
#include "runtime/engine_int.h"

enum eip_result eip_wiretap(struct xctx *x, struct eng_step *s)
{
    if (!s->ep) {
        x_fail(x, DROM_EINVAL, false, "wireTap has no endpoint");
        return EIP_FAIL;
    }
    struct drom_exchange *copy = drom_exchange_copy(x->ex);
    struct xctx *tap = x_new(x->eng, x->route, copy, true, X_TAP);
    eng_roots_add(x->eng, 1);
    x_push(tap, s->kids, 1, FRAME_STEPS, 0);
    eng_runq_push(x->eng, tap);
    return EIP_NEXT;
}
