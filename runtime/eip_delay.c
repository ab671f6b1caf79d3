/* <delay>: waits the expression's milliseconds on the engine's timer, never
 * blocking the loop (Camel's asyncDelayed). */
#include <stdlib.h>

#include "runtime/engine_int.h"

enum eip_result eip_delay(struct xctx *x, struct eng_step *s)
{
    char *text;
    if (x_eval_str(x, s, &text) < 0)
        return EIP_FAIL;
    int64_t ms;
    int rc = drom_parse_duration_ms(text, &ms);
    if (rc < 0) {
        x_fail(x, DROM_EINVAL, false, "delay: '%s' is not a number of milliseconds", text);
        free(text);
        return EIP_FAIL;
    }
    free(text);
    if (ms <= 0)
        return EIP_NEXT;
    x_wait_timer(x, ms, false);
    return EIP_WAIT;
}
