/* Runtime tests of the stub component: a stand-in that connects nowhere,
 * passes what it is sent to the route consuming the same stub URI, and
 * completes at once when no route does. */
#include "test_engine_util.h"

static char *metrics(struct te *t)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(t->eng, &b);
    return drom_buf_detach(&b);
}

/* The stubbed endpoint's options (kafka's brokers, a password) are taken
 * and not used: no broker is reached, and the consuming route, whose stub
 * URI has other options, gets every message in order. */
Test(components_stub, passes_to_the_route_consuming_the_same_uri)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/>"
                     "<to uri=\"stub:kafka:orders?brokers=127.0.0.1:1&amp;password=s3cret\"/>"
                     "<to uri=\"mock:after\"/></route>"
                     "<route id=\"b\"><from uri=\"stub:kafka:orders?groupId=g\"/><to uri=\"mock:out\"/></route>"
                     "</routes>");
    const char *bodies[] = {"1", "2", "3"};
    struct drom_mock *out = te_mock(&t, "out"), *after = te_mock(&t, "after");
    drom_mock_expect_bodies(out, bodies, 3);
    drom_mock_expect_bodies(after, bodies, 3);
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 3; i++)
        cr_assert_eq(te_send_pos(f, bodies[i], i, NULL, NULL), 0);
    te_assert_mock(out, 5000);
    te_assert_mock(after, 5000);
    TE_WAIT_FOR(te_committed(f) == 2, 5000);
    char *m = metrics(&t);
    cr_assert(strstr(m, "drom_endpoint_stub_passed{routeId=\"a\""), "%s", m);
    cr_assert_null(strstr(m, "stub_unconsumed"), "%s", m);
    cr_assert_null(strstr(m, "s3cret"), "no secret in the metrics");
    free(m);
    te_free(&t);
}

/* The consumer gets a copy: what its route changes does not reach the
 * producing route, which goes on with its own exchange. */
Test(components_stub, the_consuming_route_gets_a_copy)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/><to uri=\"stub:q\"/><to uri=\"mock:after\"/>"
                     "</route><route id=\"b\"><from uri=\"stub:q\"/><setBody><constant>changed</constant></setBody>"
                     "<to uri=\"mock:out\"/></route></routes>");
    const char *orig[] = {"x"}, *changed[] = {"changed"};
    drom_mock_expect_bodies(te_mock(&t, "after"), orig, 1);
    drom_mock_expect_bodies(te_mock(&t, "out"), changed, 1);
    cr_assert_eq(te_send_pos(te_feed(&t, "feed"), "x", 0, NULL, NULL), 0);
    te_assert_mock(te_mock(&t, "out"), 5000);
    te_assert_mock(te_mock(&t, "after"), 5000);
    te_free(&t);
}

/* With no consuming route a stub is a sink: the exchange completes, the
 * route goes on, and the metric counts what went nowhere. */
Test(components_stub, without_a_consumer_completes_and_counts)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/>"
                     "<to uri=\"stub:smtp://mail.example.com?username=me\"/><to uri=\"mock:after\"/></route></routes>");
    struct drom_mock *after = te_mock(&t, "after");
    drom_mock_expect_count(after, 2);
    struct feed *f = te_feed(&t, "feed");
    cr_assert_eq(te_send_pos(f, "1", 0, NULL, NULL), 0);
    cr_assert_eq(te_send_pos(f, "2", 1, NULL, NULL), 0);
    te_assert_mock(after, 5000);
    TE_WAIT_FOR(te_committed(f) == 1, 5000);
    cr_assert_eq(te_status(&t, "a").failed, 0);
    char *m = metrics(&t);
    const char *line = strstr(m, "drom_endpoint_stub_unconsumed{routeId=\"a\"");
    cr_assert(line, "%s", m);
    cr_assert_eq(strncmp(strchr(line, '}'), "} 2\n", 4), 0, "%s", line);
    free(m);
    te_free(&t);
}

/* A consuming route that is not started takes nothing: the producer
 * completes as with no consumer at all. */
Test(components_stub, a_stopped_consumer_takes_nothing)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/><to uri=\"stub:q\"/><to uri=\"mock:after\"/>"
                     "</route><route id=\"b\" autoStartup=\"false\"><from uri=\"stub:q\"/>"
                     "<to uri=\"mock:out\"/></route>"
                     "</routes>");
    drom_mock_expect_count(te_mock(&t, "after"), 1);
    cr_assert_eq(te_send_pos(te_feed(&t, "feed"), "x", 0, NULL, NULL), 0);
    te_assert_mock(te_mock(&t, "after"), 5000);
    /* the stub decided before mock:after got the exchange */
    cr_assert_eq(drom_mock_received(te_mock(&t, "out")), 0);
    char *m = metrics(&t);
    cr_assert(strstr(m, "drom_endpoint_stub_unconsumed{routeId=\"a\""), "%s", m);
    free(m);
    te_free(&t);
}

/* Validate refuses what start would: a second consumer of one stub URI. */
Test(components_stub, a_second_consumer_is_refused_by_the_compiler)
{
    int rc = 0;
    char *msgs = te_compile_msgs("<routes><route id=\"a\"><from uri=\"stub:jms:queue:in\"/><to uri=\"log:a\"/></route>"
                                 "<route id=\"b\"><from uri=\"stub:jms:queue:in?concurrentConsumers=5\"/>"
                                 "<to uri=\"log:b\"/></route></routes>",
                                 &rc);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(msgs, "a second consumer of 'stub:jms:queue:in' (route 'a'"), "%s", msgs);
    free(msgs);
}
