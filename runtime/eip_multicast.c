/* <multicast>: each child is a branch that gets its own copy of the
 * exchange (properties CamelMulticastIndex, CamelMulticastComplete).
 * Sequential by default, all at once with parallelProcessing="true".
 * Camel's default aggregation: the last branch's message becomes the
 * result. A branch that fails after its own error handling fails the
 * multicast once every started branch ended ("Sequential processing failed
 * for number N"); stopOnException="true" starts no further branch after a
 * failure. The failure is not redelivered again at the multicast. */
#include "runtime/engine_int.h"

enum eip_result eip_multicast(struct xctx *x, struct eng_step *s)
{
    x_start_children(x, s, s->nkids, step_param_bool(s, "parallelProcessing", false),
                     step_param_bool(s, "stopOnException", false));
    return EIP_WAIT;
}
