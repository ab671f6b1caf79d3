#include "test_engine_util.h"

/* Routes whose source is the test: from="timer:feed..." is re-pointed at
 * the feed component, and every "mock:async..." at the async producer. */
static void start_fed_as(struct te *t, const char *xml, size_t window, const struct drom_component *feed)
{
    te_compile(t, xml);
    te_patch(t, "timer:feed", feed);
    te_patch(t, "mock:async", &te_async_component);
    struct drom_engine_options o = {.window = window};
    te_start_opts(t, &o);
}

static void start_fed(struct te *t, const char *xml, size_t window)
{
    start_fed_as(t, xml, window, &te_feed_component);
}

Test(engine, direct_call_changes_the_same_exchange)
{
    struct te t = {0};
    start_fed(&t,
              "<routes>"
              "<route id=\"a\"><from uri=\"timer:feed\"/><setBody><simple>got ${body}</simple></setBody>"
              "<to uri=\"direct:b\"/><to uri=\"mock:out\"/></route>"
              "<route id=\"b\"><from uri=\"direct:b\"/><setHeader name=\"h\"><simple>${body}!</simple></setHeader>"
              "</route></routes>",
              0);
    struct drom_mock *m = te_mock(&t, "out");
    const char *bodies[] = {"got 1", "got 2", "got 3"};
    drom_mock_expect_bodies(m, bodies, 3);
    struct feed *f = te_feed(&t, "feed");
    for (int i = 1; i <= 3; i++) {
        char b[16];
        snprintf(b, sizeof b, "%d", i);
        cr_assert_eq(te_send_pos(f, b, i, NULL, NULL), 0);
    }
    te_assert_mock(m, 5000);
    char *h = NULL;
    struct drom_exchange *ex = drom_mock_exchange(m, 0);
    h = drom_xstrdup(drom_exchange_header(ex, "h"));
    drom_exchange_free(ex);
    cr_assert_str_eq(h, "got 1!");
    free(h);
    TE_WAIT_FOR(te_committed(f) == 3, 5000);
    struct drom_route_status st = te_status(&t, "a");
    cr_assert_eq(st.total, 3);
    cr_assert_eq(st.succeeded, 3);
    cr_assert_eq(te_status(&t, "b").total, 3);
    te_free(&t);
}

Test(engine, async_out_of_order_commits_in_order, .timeout = 60)
{
    struct te t = {0};
    start_fed(&t,
              "<routes><route id=\"r\"><from uri=\"timer:feed\"/><to uri=\"mock:async\"/><to uri=\"mock:out\"/>"
              "</route></routes>",
              100);
    struct feed *f = te_feed(&t, "feed");
    struct drom_mock *m = te_mock(&t, "out");
    enum { N = 5000 };
    for (int i = 0; i < N; i++)
        cr_assert_eq(te_send_pos(f, "x", i, NULL, NULL), 0);
    cr_assert_eq(drom_mock_wait(m, N, 20000), 0);
    TE_WAIT_FOR(te_committed(f) == N - 1, 10000);
    pthread_mutex_lock(&f->mu);
    cr_assert_gt(f->commits, 1, "commits happen as the prefix grows, not only at the end");
    pthread_mutex_unlock(&f->mu);
    cr_assert_eq(te_status(&t, "r").succeeded, N);
    te_free(&t);
}

Test(engine, failure_in_the_middle_counts_done_and_is_visible)
{
    struct te t = {0};
    start_fed(&t,
              "<routes><route id=\"r\"><from uri=\"timer:feed\"/><to uri=\"mock:async\"/><to uri=\"mock:out\"/>"
              "</route></routes>",
              0);
    struct feed *f = te_feed(&t, "feed");
    struct drom_mock *m = te_mock(&t, "out");
    for (int i = 0; i < 10; i++)
        te_send_pos(f, "x", i, i == 4 ? "fail" : NULL, "fail");
    cr_assert_eq(drom_mock_wait(m, 9, 5000), 0);
    TE_WAIT_FOR(te_committed(f) == 9, 5000);
    struct drom_route_status st = te_status(&t, "r");
    cr_assert_eq(st.failed, 1);
    cr_assert_eq(st.succeeded, 9);
    cr_assert(strstr(st.last_error, "async delivery failed"), "%s", st.last_error);
    te_free(&t);
}

Test(engine, stop_on_failure_holds_the_watermark)
{
    struct te t = {0};
    /* the feed as a source that must not skip a failed exchange */
    struct drom_component stopping = te_feed_component;
    stopping.flags = DROM_COMP_STOPS_ON_FAILURE;
    start_fed_as(&t,
                 "<routes><route id=\"r\"><from uri=\"timer:feed?period=1&amp;delay=0\"/>"
                 "<to uri=\"mock:async\"/></route></routes>",
                 0, &stopping);
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 4; i++)
        cr_assert_eq(te_send_pos(f, "x", i, NULL, NULL), 0);
    TE_WAIT_FOR(te_committed(f) == 3, 5000);
    char failed[256];
    cr_assert_not(drom_engine_failed(t.eng, failed, sizeof failed), "%s", failed);
    cr_assert_str_empty(failed);
    te_send_pos(f, "x", 4, "fail", "fail");
    TE_WAIT_FOR(strcmp(te_status(&t, "r").state, "Stopped") == 0, 5000);
    cr_assert_neq(te_send_pos(f, "x", 5, NULL, NULL), 0, "the stopped route refuses new exchanges");
    char reason[256];
    cr_assert_not(drom_engine_ready(t.eng, reason, sizeof reason));
    cr_assert(strstr(reason, "route r"), "%s", reason);
    cr_assert(drom_engine_failed(t.eng, failed, sizeof failed));
    struct drom_route_status st = te_status(&t, "r");
    char want[600];
    snprintf(want, sizeof want, "route r: %s", st.last_error);
    cr_assert(st.last_error[0], "the route has its last error");
    cr_assert_str_eq(failed, want);
    cr_assert_eq(te_committed(f), 3, "never committed past the failure");
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(t.eng, &b);
    cr_assert(strstr(b.data, "drom_route_commit_blocked{routeId=\"r\"} 1"), "%s", b.data);
    drom_buf_free(&b);
    te_free(&t);
}

Test(engine, window_applies_back_pressure, .timeout = 30)
{
    struct te t = {0};
    start_fed(&t,
              "<routes><route id=\"r\"><from uri=\"timer:feed\"/><delay><constant>50</constant></delay>"
              "<to uri=\"mock:out\"/></route></routes>",
              4);
    struct feed *f = te_feed(&t, "feed");
    int64_t t0 = ts_now_ms();
    for (int i = 0; i < 12; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    /* 12 exchanges, at most 4 in flight, 50 ms each: the submits took >= 100 ms. */
    cr_assert_geq(ts_now_ms() - t0, 100);
    cr_assert_leq(te_status(&t, "r").inflight, 4);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 12, 5000), 0);
    te_free(&t);
}

Test(engine, shutdown_drains_ten_thousand_in_flight, .timeout = 60)
{
    struct te t = {0};
    start_fed(&t,
              "<routes><route id=\"r\"><from uri=\"timer:feed\"/><to uri=\"mock:async\"/><to uri=\"mock:out\"/>"
              "</route></routes>",
              20000);
    struct feed *f = te_feed(&t, "feed");
    enum { N = 10000 };
    for (int i = 0; i < N; i++)
        cr_assert_eq(te_send_pos(f, "x", i, NULL, NULL), 0);
    struct drom_error err = {0};
    cr_assert_eq(drom_engine_stop(t.eng, 20000, &err), 0, "%s", err.msg);
    cr_assert_eq(te_committed(f), N - 1, "every exchange done and committed at stop");
    cr_assert_eq(drom_mock_received(te_mock(&t, "out")), N);
    struct drom_route_status st = te_status(&t, "r");
    cr_assert_eq(st.total, N);
    cr_assert_eq(st.inflight, 0);
    cr_assert_str_eq(st.state, "Stopped");
    te_free(&t);
}

Test(engine, shutdown_timeout_reports_what_is_left, .timeout = 30)
{
    struct te t = {0};
    start_fed(&t,
              "<routes><route id=\"r\"><from uri=\"timer:feed\"/><delay><constant>60000</constant></delay>"
              "<to uri=\"mock:out\"/></route></routes>",
              0);
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 50; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    struct drom_error err = {0};
    int64_t t0 = ts_now_ms();
    cr_assert_eq(drom_engine_stop(t.eng, 100, &err), -1);
    cr_assert_lt(ts_now_ms() - t0, 5000);
    cr_assert_eq(err.code, DROM_ESTOPPED);
    cr_assert(strstr(err.msg, "50 exchanges in flight"), "%s", err.msg);
    cr_assert_eq(te_committed(f), -1, "nothing was committed past an unfinished exchange");
    te_free(&t);
}

Test(engine, submit_after_stop_is_refused)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\"><from uri=\"timer:feed\"/><to uri=\"mock:out\"/></route></routes>", 0);
    struct feed *f = te_feed(&t, "feed");
    struct drom_error err = {0};
    cr_assert_eq(drom_engine_stop(t.eng, 1000, &err), 0);
    cr_assert_eq(te_send_pos(f, "x", 1, NULL, NULL), -1);
    te_free(&t);
}

Test(engine, status_json_and_metrics)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r1\"><from uri=\"timer:feed\"/><to uri=\"mock:out\"/></route></routes>", 0);
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, "x", 1, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 1, 5000), 0);
    TE_WAIT_FOR(te_status(&t, "r1").total == 1, 5000);
    char reason[256];
    cr_assert(drom_engine_ready(t.eng, reason, sizeof reason), "%s", reason);
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_routes_json(t.eng, &b);
    cr_assert(strstr(b.data, "\"id\":\"r1\""), "%s", b.data);
    cr_assert(strstr(b.data, "\"state\":\"Started\""), "%s", b.data);
    cr_assert(strstr(b.data, "\"total\":1"), "%s", b.data);
    drom_buf_reset(&b);
    drom_engine_metrics(t.eng, &b);
    cr_assert(strstr(b.data, "camel_exchanges_total{routeId=\"r1\",camelContext=\"camel-1\",eventType=\"route\","
                             "serviceName=\"MicrometerRoutePolicyService\"} 1\n"), "%s", b.data);
    cr_assert(strstr(b.data, "camel_exchanges_inflight{routeId=\"r1\",camelContext=\"camel-1\",eventType=\"route\","
                             "serviceName=\"MicrometerRoutePolicyService\"} 0\n"), "%s", b.data);
    cr_assert(strstr(b.data, "camel_routes_running_routes{camelContext=\"camel-1\",eventType=\"RouteEvent\","
                             "serviceName=\"MicrometerEventNotifierService\"} 1\n"), "%s", b.data);
    cr_assert(strstr(b.data, "camel_route_policy_seconds_count{routeId=\"r1\",camelContext=\"camel-1\""), "%s",
              b.data);
    cr_assert(strstr(b.data, "drom_exchange_latency_seconds_count{routeId=\"r1\"} 1\n"), "%s", b.data);
    drom_buf_free(&b);
    te_free(&t);
}

/* A group consumer's rebalances tell the engine what it holds from their
 * own thread while /status and /metrics read it (TSan runs this). */
struct held_writer {
    struct drom_endpoint *ep;
    int rounds;
};

static void *tell_held(void *arg)
{
    struct held_writer *w = arg;
    for (int i = 0; i < w->rounds; i++) {
        int32_t even[] = {4, 0, 2, 2}, odd[] = {5, 1, 3};
        drom_endpoint_partitions(w->ep, "orders", i % 2 ? odd : even, i % 2 ? 3 : 4);
        drom_endpoint_count(w->ep, "consumer_rebalances", 1);
    }
    int32_t last[] = {5, 0, 2};
    drom_endpoint_partitions(w->ep, "orders", last, 3);
    drom_endpoint_partitions(w->ep, "refunds", NULL, 0);
    return NULL;
}

Test(engine, partitions_held_are_told_from_any_thread, .timeout = 30)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r1\"><from uri=\"timer:feed\"/><to uri=\"mock:out\"/></route></routes>", 0);
    struct held_writer w = {.ep = te_feed(&t, "feed")->ep, .rounds = 2000};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, tell_held, &w), 0);
    struct drom_buf b = DROM_BUF_INIT;
    for (int i = 0; i < 200; i++) {
        drom_buf_reset(&b);
        drom_engine_endpoints_json(t.eng, &b);
        drom_buf_reset(&b);
        drom_engine_metrics(t.eng, &b);
    }
    pthread_join(th, NULL);
    drom_buf_reset(&b);
    drom_engine_endpoints_json(t.eng, &b);
    cr_assert(strstr(b.data, "\"partitions\":{\"orders\":[0,2,5],\"refunds\":[]}"), "%s", b.data);
    cr_assert(strstr(b.data, "\"consumer_rebalances\":2000"), "%s", b.data);
    drom_buf_reset(&b);
    drom_engine_metrics(t.eng, &b);
    cr_assert(strstr(b.data, "# TYPE drom_endpoint_consumer_partitions gauge\n"
                             "drom_endpoint_consumer_partitions{routeId=\"r1\",endpoint=\"timer:feed\","
                             "topic=\"orders\"} 3\n"
                             "drom_endpoint_consumer_partitions{routeId=\"r1\",endpoint=\"timer:feed\","
                             "topic=\"refunds\"} 0\n"), "%s", b.data);
    cr_assert(strstr(b.data, "drom_endpoint_consumer_rebalances{routeId=\"r1\",endpoint=\"timer:feed\"} 2000\n"),
              "%s", b.data);
    drom_buf_free(&b);
    te_free(&t);
}
