/* Routes in standby (runtime/engine.h): a held route creates nothing and
 * runs nothing while the engine's other routes run; released, it runs;
 * held again, it drains what it has in flight, commits, and stops. */
#include "tests/unit/test_engine_util.h"

static void start_held(struct te *t, const char *held)
{
    te_compile(t, "<routes>"
                  "<route id=\"src\"><from uri=\"timer:feed\"/><to uri=\"mock:async\"/><to uri=\"mock:out\"/></route>"
                  "<route id=\"other\"><from uri=\"timer:feedtoo\"/><to uri=\"mock:other\"/></route>"
                  "</routes>");
    te_patch(t, "timer:feed", &te_feed_component);
    te_patch(t, "mock:async", &te_async_component);
    struct drom_engine_options o = {.quiet = true, .compile_simple = te_compile_simple, .resolve_uri = te_resolve,
                                    .hook_arg = t};
    struct drom_error err = {0};
    t->eng = drom_engine_new(&t->graph, &o, &err);
    cr_assert_not_null(t->eng, "%s", err.msg);
    cr_assert_eq(drom_engine_hold_route(t->eng, held, &err), 0, "%s", err.msg);
    cr_assert_eq(drom_engine_start(t->eng, &err), 0, "start: %s", err.msg);
}

static void send_n(struct feed *f, int from, int to)
{
    for (int i = from; i <= to; i++) {
        char b[16];
        snprintf(b, sizeof b, "%d", i);
        cr_assert_eq(te_send_pos(f, b, i, NULL, NULL), 0, "submit %d", i);
    }
}

Test(engine_standby, held_route_creates_nothing_while_the_others_run, .timeout = 30)
{
    struct te t = {0};
    start_held(&t, "src");
    cr_assert_str_eq(te_status(&t, "src").state, "Standby");
    cr_assert_null(drom_engine_shared_find(t.eng, "feed:feed"), "a held route's source is not created");
    struct feed *other = te_feed(&t, "feedtoo");
    send_n(other, 1, 2);
    TE_WAIT_FOR(drom_mock_received(te_mock(&t, "other")) == 2, 5000);
    char reason[512];
    cr_assert(drom_engine_ready(t.eng, reason, sizeof reason), "a standby route leaves the engine ready: %s", reason);
    struct drom_error err = {0};
    cr_assert_eq(drom_engine_hold_route(t.eng, "nope", &err), -1);
    cr_assert(strstr(err.msg, "no route nope"), "%s", err.msg);
    te_free(&t);
}

Test(engine_standby, released_runs_then_held_again_drains_commits_and_stops, .timeout = 30)
{
    struct te t = {0};
    start_held(&t, "src");
    struct drom_error err = {0};
    cr_assert_eq(drom_engine_release_route(t.eng, "src", &err), 0, "%s", err.msg);
    cr_assert_str_eq(te_status(&t, "src").state, "Started");
    struct feed *f = te_feed(&t, "feed");
    /* asynchronous, out of order: many are in flight when the hold comes */
    send_n(f, 1, 200);
    cr_assert_eq(drom_engine_hold_running_route(t.eng, "src", 5000, &err), 0, "%s", err.msg);
    cr_assert_str_eq(te_status(&t, "src").state, "Standby");
    cr_assert_eq(te_status(&t, "src").inflight, 0);
    cr_assert_eq(drom_mock_received(te_mock(&t, "out")), 200, "every exchange in flight finished");
    cr_assert_eq(te_committed(f), 200, "committed up to the last before the endpoints closed");
    cr_assert_neq(te_send_pos(f, "late", 201, NULL, NULL), 0, "a held route refuses submits");
    /* elected again: a new term of the same route */
    cr_assert_eq(drom_engine_release_route(t.eng, "src", &err), 0, "%s", err.msg);
    send_n(f, 202, 204);
    TE_WAIT_FOR(drom_mock_received(te_mock(&t, "out")) == 203, 5000);
    TE_WAIT_FOR(te_committed(f) == 204, 5000);
    /* the other route ran throughout */
    send_n(te_feed(&t, "feedtoo"), 1, 1);
    TE_WAIT_FOR(drom_mock_received(te_mock(&t, "other")) == 1, 5000);
    te_free(&t);
}
