/* The seed pipeline under volume: 10,000 random inserts, updates and deletes
 * over 100 rows, batched in transactions; every change arrives in the queue
 * exactly once, in row order, tombstones filtered out. */
#include "tests/integration/e2e_util.h"

Test(e2e_volume, random_10000_changes_over_100_rows, .timeout = 300)
{
    enum { N = 10000, ROWS = 100, BATCH = 50 };
    const uint64_t seed = 20261125;
    long long t0 = ts_now_ms();
    struct e2e t;
    /* several partitions: rows spread over them, order is kept per row (per key) */
    e2e_init(&t, "volume", 7702, 3);
    struct e2e_work w;
    e2e_work_plan(&w, N, ROWS, seed);
    e2e_say("volume: plan of %d changes over %d rows from seed %llu: %d deletes", N, ROWS,
            (unsigned long long)seed, w.deletes);
    e2e_start(&t);

    MYSQL *m = ts_root(10000);
    long long tw = ts_now_ms();
    e2e_work_write(m, t.db, &w, 0, N, BATCH);
    mysql_close(m);
    e2e_say("volume: %d changes written in %lld ms", N, ts_now_ms() - tw);

    long long c = e2e_wait_queue(&t, N, 180000);
    e2e_say("volume: queue holds %lld after %lld ms", c, ts_now_ms() - tw);
    if (c < N) {
        t.failed = true;
        char *log = ts_slurp(t.log);
        cr_assert_fail("the queue holds %lld of %d messages after 180 s; dromd log (%s):\n%.6000s", c, N, t.log, log);
    }
    /* Whatever else is still on its way must not become a message of its own. */
    E2E_EXPECT(&t, e2e_wait_quiet(&t, 60000), "dromd goes quiet (no exchange in flight, no consumer lag)");
    e2e_kill(&t, SIGTERM);
    e2e_say_replays(&t, w.n + w.deletes);
    struct e2e_msgs ms;
    e2e_drain_queue(&t, 2 * N, 3000, &ms);
    e2e_work_check(&t, &w, &ms);
    e2e_msgs_free(&ms);
    e2e_work_free(&w);
    e2e_finish(&t);
    e2e_say("volume: %lld ms", ts_now_ms() - t0);
}
