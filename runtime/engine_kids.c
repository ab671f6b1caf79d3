/* Children of an exchange: multicast branches and split parts, each a
 * context of its own run by the loop; the parent waits for them and takes
 * the outcome Camel gives (the last reply for multicast, the original
 * message for split, the first failure for either). */
#include <stdlib.h>

#include "runtime/engine_int.h"
#include "runtime/xalloc.h"

/* A branch or part ended: the parent resumes once all it started have. */
void x_kid_finished(struct xctx *x, bool failed)
{
    struct xctx *p = x->parent;
    p->kids_done++;
    if (failed && !p->kids_failed) {
        p->kids_failed = true;
        p->kid_fail_index = x->branch_index;
        p->kid_fail_code = x->fail_code;
        p->kid_fail_msg = drom_xstrdup(x->ex->exception ? x->ex->exception : "failed");
    }
    if (p->kid_step && p->kid_step->kind == DROM_STEP_MULTICAST && x->branch_index == p->kids_total - 1) {
        drom_exchange_free(p->kid_last);
        p->kid_last = x->ex;
        x->owns_ex = false;
    }
    x_free(x);
    bool stop_early = p->kids_failed && p->kids_stop_on_exc;
    if (!p->kids_parallel && !stop_early && p->kids_started < p->kids_total) {
        x_start_children(p, NULL, 0, false, false);
        return;
    }
    if (p->kids_done == p->kids_started) {
        p->resume = R_CHILDREN;
        eng_runq_push(p->eng, p);
    }
}

static void start_kid(struct xctx *p, size_t i)
{
    struct eng_step *s = p->kid_step;
    struct drom_exchange *ex = drom_exchange_copy(p->ex);
    struct xctx *k = x_new(p->eng, p->route, ex, true, X_BRANCH);
    k->parent = p;
    k->branch_index = i;
    if (s->kind == DROM_STEP_MULTICAST) {
        drom_headers_set_int(&ex->props, "CamelMulticastIndex", (int64_t)i);
        drom_headers_set_bool(&ex->props, "CamelMulticastComplete", i == p->kids_total - 1);
        x_push(k, &s->kids[i], 1, FRAME_STEPS, 0);
    } else {
        if (p->item_json && p->item_json[i])
            drom_exchange_set_body(ex, p->items[i], p->item_lens[i], "application/json");
        else
            drom_exchange_set_body(ex, p->items[i], p->item_lens[i], NULL);
        drom_headers_set_int(&ex->props, "CamelSplitIndex", (int64_t)i);
        drom_headers_set_int(&ex->props, "CamelSplitSize", (int64_t)p->kids_total);
        drom_headers_set_bool(&ex->props, "CamelSplitComplete", i == p->kids_total - 1);
        x_push(k, s->kids, s->nkids, FRAME_STEPS, 0);
    }
    eng_runq_push(p->eng, k);
}

/* First call (step != NULL) sets the children up; later calls (step NULL)
 * start the next sequential one. */
void x_start_children(struct xctx *x, struct eng_step *step, size_t count, bool parallel, bool stop_on_exc)
{
    if (step) {
        x->kid_step = step;
        x->kids_total = count;
        x->kids_started = x->kids_done = 0;
        x->kids_parallel = parallel;
        x->kids_stop_on_exc = stop_on_exc;
        x->kids_failed = false;
        x->state = XS_WAIT_CHILDREN;
        if (count == 0) {
            x->resume = R_CHILDREN;
            eng_runq_push(x->eng, x);
            return;
        }
    }
    do {
        start_kid(x, x->kids_started++);
    } while (x->kids_parallel && x->kids_started < x->kids_total);
}

/* All children ended: multicast keeps the last reply, split the original. */
void x_children_finished(struct xctx *x)
{
    struct eng_step *s = x->kid_step;
    bool multicast = s->kind == DROM_STEP_MULTICAST;
    if (x->kids_failed) {
        x_fail(x, x->kid_fail_code, false, "%s processing failed for number %zu. Caused by: %s",
               x->kids_parallel ? "Parallel" : "Sequential", x->kid_fail_index, x->kid_fail_msg);
        x->resume = R_FAIL;
    } else {
        if (multicast && x->kid_last) {
            /* Camel's default for multicast: the last reply is the result. */
            struct drom_exchange *last = x->kid_last;
            drom_headers_clear(&x->ex->headers);
            drom_headers_copy(&x->ex->headers, &last->headers);
            size_t len;
            const char *body = drom_exchange_body(last, &len);
            if (body)
                drom_exchange_set_body(x->ex, body, len, last->content_type);
            else
                drom_exchange_set_body_null(x->ex);
        }
        /* split: Camel's default keeps the original message. */
        x->resume = R_NEXT;
    }
    drom_exchange_free(x->kid_last);
    x->kid_last = NULL;
    for (size_t i = 0; x->items && i < x->kids_total; i++)
        free(x->items[i]);
    free(x->items);
    free(x->item_lens);
    free(x->item_json);
    x->items = NULL;
    x->item_lens = NULL;
    x->item_json = NULL;
    free(x->kid_fail_msg);
    x->kid_fail_msg = NULL;
    x->kid_step = NULL;
}
