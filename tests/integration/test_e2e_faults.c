/* The seed pipeline when things break in the middle of a stream of random
 * changes: dromd killed with SIGKILL and restarted on its state dir, Kafka
 * stopped and started again, Artemis killed and started again, MariaDB
 * stopped and started again. Each time: nothing lost, per-row order kept,
 * and the queue holds exactly one message per change (the Kafka leg keeps
 * replays; Artemis drops them by _AMQ_DUPL_ID). Every server is started
 * again at the end of each test, whatever happened. */
#include "tests/integration/e2e_util.h"

enum { N = 2000, ROWS = 100 };

enum fault { DROMD_KILLED, KAFKA_RESTARTED, ARTEMIS_RESTARTED, MARIADB_RESTARTED };

static void restore_servers(void)
{
    e2e_servers_up(NULL);
}

static void say_readiness(struct e2e *t, const char *when)
{
    char *body = NULL;
    int st = e2e_http(t, "/health/ready", &body);
    e2e_say("%s: %s: /health/ready %d %.300s", t->name, when, st, body ? body : "");
    free(body);
}

/* A server goes away: dromd says it is not ready (before the deadline), the
 * server comes back, dromd is ready again. */
static void bounce(struct e2e *t, const char *svc, const char *down)
{
    long long t0 = ts_now_ms();
    cr_assert_eq(ts_ctl(t->log, svc, down), 0, "tests/services/%s/ctl %s", svc, down);
    e2e_say("%s: %s %s in %lld ms", t->name, svc, down, ts_now_ms() - t0);
    E2E_EXPECT(t, e2e_wait_ready(t, 503, 30000), "dromd reports not ready while %s is down", svc);
    say_readiness(t, "server down");
    t0 = ts_now_ms();
    cr_assert_eq(ts_ctl(t->log, svc, "start"), 0, "tests/services/%s/ctl start", svc);
    e2e_say("%s: %s started again in %lld ms", t->name, svc, ts_now_ms() - t0);
    bool ready = e2e_wait_ready(t, 200, 90000);
    if (!ready)
        say_readiness(t, "after the restart");
    E2E_EXPECT(t, ready, "dromd ready again within 90 s of %s's restart", svc);
}

static void run(const char *name, unsigned server_id, uint64_t seed, enum fault f)
{
    long long t0 = ts_now_ms();
    struct e2e t;
    e2e_init(&t, name, server_id, 3);
    struct e2e_work w;
    e2e_work_plan(&w, N, ROWS, seed);
    e2e_start(&t);

    /* Small transactions with pauses: the fault lands while changes are
     * still being made and both routes have exchanges in flight. */
    struct e2e_writer wr;
    int first = f == MARIADB_RESTARTED ? N / 2 : N;
    e2e_writer_start(&wr, &w, t.db, 0, first, 10, 10);
    long long c = e2e_wait_queue(&t, N / 4, 60000);
    cr_assert_geq(c, N / 4, "a quarter of the changes reach the queue before the fault");
    e2e_say("%s: fault with %d changes written and %lld in the queue", name, (int)wr.written, c);

    switch (f) {
    case DROMD_KILLED: {
        pid_t was = t.pid;
        e2e_kill(&t, SIGKILL);
        e2e_say("%s: dromd %d killed with SIGKILL", name, (int)was);
        e2e_start(&t);
        break;
    }
    case KAFKA_RESTARTED:
        bounce(&t, "kafka", "stop");
        break;
    case ARTEMIS_RESTARTED:
        bounce(&t, "artemis", "kill");
        break;
    case MARIADB_RESTARTED:
        e2e_writer_join(&wr);
        bounce(&t, "mariadb", "stop");
        e2e_writer_start(&wr, &w, t.db, N / 2, N, 10, 10);
        break;
    }
    e2e_writer_join(&wr);
    e2e_say("%s: all %d changes written", name, N);

    c = e2e_wait_queue(&t, N, 120000);
    if (c < N) {
        t.failed = true;
        say_readiness(&t, "end");
        char *log = ts_slurp(t.log);
        cr_assert_fail("%s: the queue holds %lld of %d messages 120 s after the last change; dromd log (%s):\n%.6000s",
                       name, c, N, t.log, log);
    }
    E2E_EXPECT(&t, e2e_wait_quiet(&t, 60000), "dromd goes quiet (no exchange in flight, no consumer lag)");
    e2e_kill(&t, SIGTERM);
    e2e_say_replays(&t, w.n + w.deletes);
    struct e2e_msgs ms;
    e2e_drain_queue(&t, 2 * N, 3000, &ms);
    e2e_work_check(&t, &w, &ms);
    e2e_msgs_free(&ms);
    e2e_work_free(&w);
    e2e_finish(&t);
    e2e_say("%s: %lld ms", name, ts_now_ms() - t0);
}

Test(e2e_faults, dromd_killed_mid_stream_and_restarted, .timeout = 240, .fini = restore_servers)
{
    run("kill9", 7711, 11, DROMD_KILLED);
}

Test(e2e_faults, kafka_restarted_mid_stream, .timeout = 300, .fini = restore_servers)
{
    run("kafka", 7712, 12, KAFKA_RESTARTED);
}

Test(e2e_faults, artemis_restarted_mid_stream, .timeout = 300, .fini = restore_servers)
{
    run("artemis", 7713, 13, ARTEMIS_RESTARTED);
}

Test(e2e_faults, mariadb_restarted_mid_stream, .timeout = 300, .fini = restore_servers)
{
    run("mariadb", 7714, 14, MARIADB_RESTARTED);
}
