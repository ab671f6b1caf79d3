/* <choice>: the first <when> whose predicate holds runs its children, else
 * <otherwise> if there is one; then the route goes on after the choice. */
#include "runtime/engine_int.h"

enum eip_result eip_choice(struct xctx *x, struct eng_step *s)
{
    for (size_t i = 0; i < s->nkids; i++) {
        struct eng_step *k = &s->kids[i];
        bool match = k->kind == DROM_STEP_OTHERWISE;
        if (k->kind == DROM_STEP_WHEN && x_eval_bool(x, k->g->expr, "when", &match) < 0)
            return EIP_FAIL;
        if (match) {
            if (k->nkids)
                x_push(x, k->kids, k->nkids, FRAME_STEPS, 0);
            break;
        }
    }
    return EIP_NEXT;
}
