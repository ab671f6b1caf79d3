#include <criterion/criterion.h>
#include <stdlib.h>

#include "runtime/watermark.h"

static int freed;
static void pos_free(void *p)
{
    freed++;
    free(p);
}

static void *pos_of(uint64_t v)
{
    uint64_t *p = malloc(sizeof *p);
    *p = v;
    return p;
}

Test(watermark, in_order)
{
    freed = 0;
    struct drom_watermark *wm = drom_watermark_new(pos_free);
    for (uint64_t i = 0; i < 5; i++)
        cr_assert_eq(drom_watermark_add(wm, pos_of(i * 10)), i);
    const void *pos;
    uint64_t seq;
    cr_assert_not(drom_watermark_advance(wm, &pos, &seq));
    cr_assert_eq(drom_watermark_done(wm, 0), 0);
    cr_assert(drom_watermark_advance(wm, &pos, &seq));
    cr_assert_eq(seq, 0);
    cr_assert_eq(*(const uint64_t *)pos, 0);
    cr_assert_eq(drom_watermark_done(wm, 0), -1, "double completion is refused");
    cr_assert_eq(drom_watermark_done(wm, 9), -1, "never added");
    drom_watermark_free(wm);
    cr_assert_eq(freed, 5);
}

Test(watermark, out_of_order_commits_only_prefix)
{
    freed = 0;
    struct drom_watermark *wm = drom_watermark_new(pos_free);
    for (uint64_t i = 0; i < 4; i++)
        drom_watermark_add(wm, pos_of(100 + i));
    const void *pos;
    uint64_t seq;
    drom_watermark_done(wm, 2);
    drom_watermark_done(wm, 1);
    cr_assert_not(drom_watermark_advance(wm, &pos, &seq), "0 is not done: nothing to commit");
    drom_watermark_done(wm, 0);
    cr_assert(drom_watermark_advance(wm, &pos, &seq));
    cr_assert_eq(seq, 2);
    cr_assert_eq(*(const uint64_t *)pos, 102);
    cr_assert_eq(drom_watermark_pending(wm), 1);
    cr_assert_eq(freed, 2, "positions 0 and 1 were passed over");
    drom_watermark_free(wm);
    cr_assert_eq(freed, 4);
}

Test(watermark, blocker_is_never_passed)
{
    struct drom_watermark *wm = drom_watermark_new(NULL);
    for (int i = 0; i < 3; i++)
        drom_watermark_add(wm, NULL);
    uint64_t seq;
    drom_watermark_done(wm, 0);
    drom_watermark_block(wm, 1);
    drom_watermark_done(wm, 2);
    cr_assert(drom_watermark_advance(wm, NULL, &seq));
    cr_assert_eq(seq, 0);
    cr_assert(drom_watermark_blocked(wm));
    cr_assert_not(drom_watermark_advance(wm, NULL, &seq));
    cr_assert_eq(drom_watermark_pending(wm), 2);
    drom_watermark_free(wm);
}

/* 100,000 exchanges completed in random order: after every completion the
 * committed position is exactly the end of the contiguous done prefix. */
Test(watermark, hundred_thousand_random_order, .timeout = 60)
{
    enum { N = 100000 };
    for (unsigned round = 0; round < 5; round++) {
        freed = 0;
        srand(1234 + round);
        struct drom_watermark *wm = drom_watermark_new(pos_free);
        uint64_t *order = malloc(N * sizeof *order);
        bool *done = calloc(N, sizeof *done);
        for (uint64_t i = 0; i < N; i++) {
            cr_assert_eq(drom_watermark_add(wm, pos_of(i)), i);
            order[i] = i;
        }
        for (size_t i = N - 1; i > 0; i--) {
            size_t j = (size_t)rand() % (i + 1);
            uint64_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        uint64_t prefix = 0; /* entries [0, prefix) are done */
        int64_t committed = -1;
        for (size_t k = 0; k < N; k++) {
            cr_assert_eq(drom_watermark_done(wm, order[k]), 0);
            done[order[k]] = true;
            while (prefix < N && done[prefix])
                prefix++;
            const void *pos;
            uint64_t seq;
            if (drom_watermark_advance(wm, &pos, &seq)) {
                cr_assert_eq(seq, prefix - 1);
                cr_assert_eq(*(const uint64_t *)pos, prefix - 1);
                cr_assert_gt((int64_t)seq, committed);
                committed = (int64_t)seq;
            } else {
                cr_assert_eq(committed, (int64_t)prefix - 1, "prefix moved but nothing committed");
            }
            cr_assert_eq(drom_watermark_pending(wm), N - prefix);
        }
        cr_assert_eq(committed, N - 1);
        drom_watermark_free(wm);
        cr_assert_eq(freed, N);
        free(order);
        free(done);
    }
}

Test(watermark, is_done_before_and_after_the_pass)
{
    struct drom_watermark *wm = drom_watermark_new(pos_free);
    for (uint64_t i = 0; i < 4; i++)
        drom_watermark_add(wm, pos_of(i));
    drom_watermark_done(wm, 0);
    drom_watermark_done(wm, 2);
    drom_watermark_block(wm, 3);
    cr_assert(drom_watermark_is_done(wm, 0));
    cr_assert_not(drom_watermark_is_done(wm, 1));
    cr_assert(drom_watermark_is_done(wm, 2));
    cr_assert_not(drom_watermark_is_done(wm, 3), "a blocker is not done");
    cr_assert_not(drom_watermark_is_done(wm, 4), "never added");
    drom_watermark_advance(wm, NULL, NULL);
    cr_assert(drom_watermark_is_done(wm, 0), "passed entries stay done");
    drom_watermark_done(wm, 1);
    drom_watermark_advance(wm, NULL, NULL);
    cr_assert(drom_watermark_is_done(wm, 1) && drom_watermark_is_done(wm, 2));
    cr_assert_not(drom_watermark_is_done(wm, 3));
    drom_watermark_free(wm);
}
