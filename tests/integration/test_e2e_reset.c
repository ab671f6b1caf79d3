/* The seed pipeline (routes/cdc-pipeline.xml as users run it) across a
 * RESET MASTER of the source: `mariadb/ctl reset-seed` between two runs,
 * each on a fresh dromd state dir, with the same changes. The binlog
 * positions and GTIDs of the second run repeat the first run's, so event
 * ids made of them alone would repeat too, and Artemis' duplicate cache
 * would drop the second run's messages while dromd counts them delivered.
 * Each run is a new offset history with its own epoch: every message of
 * both runs must reach the queue. Then dromd is killed with SIGKILL and
 * restarted on the second run's state dir: the replays keep their ids
 * (the stored epoch), so the queue still holds each change exactly once. */
#include "tests/integration/e2e_util.h"

/* The source as `make demo` leaves it: the seed database recreated after
 * RESET MASTER, then this test's table, by the same statements each time. */
static void reset_source(struct e2e *t)
{
    cr_assert_eq(ts_ctl(t->log, "mariadb", "reset-seed"), 0, "tests/services/mariadb/ctl reset-seed (log %s)", t->log);
    e2e_fresh_db(t, 10000);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->state);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* The seed's three changes, each its own transaction, as the demo makes them. */
static void seed_changes(struct e2e *t)
{
    MYSQL *m = ts_root(10000);
    ts_sql(m, "USE `%s`", t->db);
    ts_sql(m, "INSERT INTO customers (first_name, last_name, email) VALUES ('John', 'Doe', 'jdoe@example.com')");
    ts_sql(m, "UPDATE customers SET first_name = 'Jane' WHERE id = 1");
    ts_sql(m, "INSERT INTO customers (first_name, last_name, email) VALUES ('Chuck', 'Norris', 'cnorris@example.com')");
    mysql_close(m);
}

static void wait_queue(struct e2e *t, long long n, const char *what)
{
    long long c = e2e_wait_queue(t, n, 60000);
    if (c < n) {
        t->failed = true;
        char *log = ts_slurp(t->log);
        cr_assert_fail("%s: the queue %s holds %lld of %lld messages after 60 s (dropped as duplicates?); "
                       "dromd log:\n%.6000s", what, t->queue, c, n, log);
    }
}

/* DromEventId "<epoch_ms>/<server_id>:<gtid>:<pos>:<row>": the epoch, and the rest in *rest. */
static long long split_id(const char *id, const char **rest)
{
    const char *slash = id ? strchr(id, '/') : NULL;
    cr_assert_not_null(slash, "event id %s carries an epoch", id ? id : "(none)");
    *rest = slash + 1;
    return atoll(id);
}

Test(e2e_reset, reset_master_and_fresh_state_then_every_event_arrives_and_kill9_replays_keep_ids, .timeout = 300)
{
    long long t0 = ts_now_ms();
    struct e2e t;
    e2e_init(&t, "reset", 7721, 1);

    long long wall0 = ts_wall_ms();
    reset_source(&t);
    e2e_start(&t);
    seed_changes(&t);
    wait_queue(&t, 3, "first run");
    e2e_kill(&t, SIGTERM);
    e2e_say("reset: first run delivered its 3 changes");

    reset_source(&t);
    e2e_start(&t);
    seed_changes(&t);
    wait_queue(&t, 6, "second run, after RESET MASTER and a fresh state dir");
    e2e_say("reset: second run delivered its 3 changes");

    /* more changes, then the crash: whatever was not committed (the
     * source's offset, the Kafka consumer's) is sent again on the restart */
    MYSQL *m = ts_root(10000);
    ts_sql(m, "USE `%s`", t.db);
    for (int i = 0; i < 3; i++)
        ts_sql(m, "UPDATE customers SET last_name = 'K%d' WHERE id = 2", i);
    wait_queue(&t, 9, "second run, before the kill");
    pid_t was = t.pid;
    e2e_kill(&t, SIGKILL);
    e2e_say("reset: dromd %d killed with SIGKILL", (int)was);
    e2e_start(&t);
    for (int i = 3; i < 5; i++)
        ts_sql(m, "UPDATE customers SET last_name = 'K%d' WHERE id = 2", i);
    mysql_close(m);
    wait_queue(&t, 11, "after the restart");
    E2E_EXPECT(&t, e2e_wait_quiet(&t, 60000), "dromd goes quiet (no exchange in flight, no consumer lag)");
    e2e_kill(&t, SIGTERM);
    e2e_say_replays(&t, 3 + 3 + 3 + 2);

    struct e2e_msgs ms;
    e2e_drain_queue(&t, 100, 3000, &ms);
    cr_assert_eq(ms.n, 11, "one message per change of both runs, none dropped, no replay kept: got %zu", ms.n);
    for (size_t i = 0; i < ms.n; i++)
        cr_log_info("message %zu: _AMQ_DUPL_ID=%s", i, ms.v[i].dupl_id ? ms.v[i].dupl_id : "-");
    const char *rest[11];
    long long epoch[11];
    for (size_t i = 0; i < 11; i++)
        epoch[i] = split_id(ms.v[i].dupl_id, &rest[i]);
    for (size_t i = 0; i < 3; i++) {
        /* the positions really repeated: only the epoch tells the runs apart */
        E2E_EXPECT(&t, strcmp(rest[i], rest[i + 3]) == 0, "change %zu has the same binlog coordinates in both runs: "
                   "%s and %s", i, ms.v[i].dupl_id, ms.v[i + 3].dupl_id);
        E2E_EXPECT(&t, epoch[i] == epoch[0] && epoch[i + 3] == epoch[3], "one epoch per run");
        json_t *a = json_object_get(ms.v[i].event, "after"), *b = json_object_get(ms.v[i + 3].event, "after");
        E2E_EXPECT(&t, json_equal(a, b), "change %zu is the same in both runs", i);
    }
    E2E_EXPECT(&t, epoch[0] >= wall0 && epoch[3] > epoch[0] && epoch[3] <= ts_wall_ms(),
               "each run's epoch is its first start's time in ms: %lld, then %lld", epoch[0], epoch[3]);
    for (size_t i = 6; i < 11; i++) {
        E2E_EXPECT(&t, epoch[i] == epoch[3], "message %zu: the restart continues the stored history: %s", i,
                   ms.v[i].dupl_id);
        char want[16];
        snprintf(want, sizeof want, "K%zu", i - 6);
        const char *ln = json_string_value(json_object_get(json_object_get(ms.v[i].event, "after"), "last_name"));
        E2E_EXPECT(&t, ln && strcmp(ln, want) == 0, "message %zu is update %s, in order: %s", i, want, ln ? ln : "-");
    }
    for (size_t i = 0; i < 11; i++)
        for (size_t k = i + 1; k < 11; k++)
            E2E_EXPECT(&t, strcmp(ms.v[i].dupl_id, ms.v[k].dupl_id) != 0, "distinct ids: %s", ms.v[i].dupl_id);
    e2e_msgs_free(&ms);
    e2e_finish(&t);
    e2e_say("reset: %lld ms", ts_now_ms() - t0);
}
