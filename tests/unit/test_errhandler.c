/* The error handler against Camel's documented semantics. */
#include "runtime/errhandler.h"
#include "test_engine_util.h"

static void start_fed_as(struct te *t, const char *xml, const struct drom_component *feed)
{
    te_compile(t, xml);
    te_patch(t, "timer:feed", feed);
    te_patch(t, "mock:async", &te_async_component);
    te_start(t);
}

static void start_fed(struct te *t, const char *xml)
{
    start_fed_as(t, xml, &te_feed_component);
}

static const char *prop(struct drom_exchange *ex, const char *name)
{
    const char *v = drom_headers_get_str(&ex->props, name);
    return v ? v : "(absent)";
}

Test(errhandler, redelivery_delay_policy)
{
    struct drom_redelivery p = {.redelivery_delay_ms = 100, .back_off_multiplier = 2.0,
                                .use_exponential_backoff = true, .maximum_redelivery_delay_ms = 500};
    cr_assert_eq(drom_redelivery_delay(&p, 1), 100);
    cr_assert_eq(drom_redelivery_delay(&p, 2), 200);
    cr_assert_eq(drom_redelivery_delay(&p, 3), 400);
    cr_assert_eq(drom_redelivery_delay(&p, 4), 500, "capped at maximumRedeliveryDelay");
    p.use_exponential_backoff = false;
    cr_assert_eq(drom_redelivery_delay(&p, 4), 100);
}

Test(errhandler, exception_matching_closest_wins)
{
    const char *generic[] = {"java.lang.Exception"}, *io[] = {"IOException"}, *conn[] = {"java.net.ConnectException"};
    struct drom_on_exception oe[3] = {
        {.exceptions = generic, .nexceptions = 1},
        {.exceptions = io, .nexceptions = 1},
        {.exceptions = conn, .nexceptions = 1},
    };
    struct drom_route r = {.id = "r", .on_exceptions = oe, .non_exceptions = 3};
    cr_assert_eq(drom_eh_match(&r, DROM_ECONNECT), 2);
    cr_assert_eq(drom_eh_match(&r, DROM_EIO), 1);
    cr_assert_eq(drom_eh_match(&r, DROM_EINVAL), 0);
    r.non_exceptions = 0;
    cr_assert_eq(drom_eh_match(&r, DROM_EIO), -1);
}

Test(errhandler, decide)
{
    struct drom_route r = {.id = "r"};
    r.error_handler.kind = DROM_EH_DEFAULT;
    r.error_handler.redelivery.maximum_redeliveries = 2;
    r.error_handler.redelivery.redelivery_delay_ms = 10;
    struct drom_eh_plan p = drom_eh_decide(&r, DROM_EIO, 0, true, false);
    cr_assert_eq(p.action, DROM_EH_REDELIVER);
    cr_assert_eq(p.attempt, 1);
    p = drom_eh_decide(&r, DROM_EIO, 2, true, false);
    cr_assert_eq(p.action, DROM_EH_LOG_FAILED, "exhausted");
    p = drom_eh_decide(&r, DROM_EIO, 0, false, false);
    cr_assert_eq(p.action, DROM_EH_LOG_FAILED, "permanent failures are not redelivered");
    r.error_handler.redelivery.maximum_redeliveries = -1;
    p = drom_eh_decide(&r, DROM_EIO, 1000, true, false);
    cr_assert_eq(p.action, DROM_EH_REDELIVER, "-1 redelivers forever");
}

Test(errhandler, dead_letter_after_redeliveries, .timeout = 30)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\">"
                  "<redeliveryPolicy maximumRedeliveries=\"3\" redeliveryDelay=\"50\"/>"
                  "</deadLetterChannel></errorHandler>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/><to uri=\"mock:after\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), -1, DROM_RETRY, DROM_EIO, "disk on fire");
    int64_t t0 = ts_now_ms();
    te_send_pos(te_feed(&t, "feed"), "msg", 0, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "dead"), 1, 5000), 0);
    cr_assert_geq(ts_now_ms() - t0, 150, "three redeliveries 50 ms apart");
    cr_assert_eq(drom_mock_received(te_mock(&t, "flaky")), 4, "1 delivery + 3 redeliveries");
    cr_assert_eq(drom_mock_received(te_mock(&t, "after")), 0);
    struct drom_exchange *d = drom_mock_exchange(te_mock(&t, "dead"), 0);
    cr_assert_str_eq(prop(d, "CamelExceptionCaught"), "disk on fire");
    cr_assert_str_eq(prop(d, "CamelFailureEndpoint"), "mock:flaky");
    cr_assert_str_eq(prop(d, "CamelFailureRouteId"), "r");
    cr_assert_str_eq(drom_exchange_header(d, "CamelRedeliveryCounter"), "3");
    cr_assert_str_eq(drom_exchange_header(d, "CamelRedelivered"), "true");
    cr_assert_str_eq(drom_exchange_header(d, "CamelRedeliveryMaxCounter"), "3");
    drom_exchange_free(d);
    TE_WAIT_FOR(te_status(&t, "r").total == 1, 5000);
    struct drom_route_status st = te_status(&t, "r");
    cr_assert_eq(st.failed, 0, "dead-lettered is handled");
    cr_assert_eq(st.handled, 1);
    cr_assert_eq(st.redeliveries, 3);
    TE_WAIT_FOR(te_committed(te_feed(&t, "feed")) == 0, 5000);
    te_free(&t);
}

Test(errhandler, exponential_backoff_delays, .timeout = 30)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\">"
                  "<redeliveryPolicy maximumRedeliveries=\"3\" redeliveryDelay=\"40\" useExponentialBackOff=\"true\""
                  " backOffMultiplier=\"2\" maximumRedeliveryDelay=\"100\"/>"
                  "</deadLetterChannel></errorHandler>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), -1, DROM_RETRY, DROM_EIO, "nope");
    int64_t t0 = ts_now_ms();
    te_send_pos(te_feed(&t, "feed"), "msg", 0, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "dead"), 1, 5000), 0);
    /* 40 + 80 + 100 (capped) */
    cr_assert_geq(ts_now_ms() - t0, 220);
    te_free(&t);
}

Test(errhandler, redelivery_succeeds)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><defaultErrorHandler>"
                  "<redeliveryPolicy maximumRedeliveries=\"5\" redeliveryDelay=\"10\"/>"
                  "</defaultErrorHandler></errorHandler>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/><to uri=\"mock:after\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), 2, DROM_RETRY, DROM_EIO, "transient");
    te_send_pos(te_feed(&t, "feed"), "msg", 0, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "after"), 1, 5000), 0);
    cr_assert_eq(drom_mock_received(te_mock(&t, "flaky")), 3);
    struct drom_exchange *a = drom_mock_exchange(te_mock(&t, "after"), 0);
    cr_assert_str_eq(drom_exchange_header(a, "CamelRedelivered"), "true");
    cr_assert_str_eq(drom_exchange_header(a, "CamelRedeliveryCounter"), "2");
    drom_exchange_free(a);
    TE_WAIT_FOR(te_status(&t, "r").succeeded == 1, 5000);
    te_free(&t);
}

Test(errhandler, permanent_failure_is_not_redelivered)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\">"
                  "<redeliveryPolicy maximumRedeliveries=\"3\" redeliveryDelay=\"10\"/>"
                  "</deadLetterChannel></errorHandler>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), -1, DROM_FAIL, DROM_EINVAL, "bad message");
    te_send_pos(te_feed(&t, "feed"), "msg", 0, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "dead"), 1, 5000), 0);
    cr_assert_eq(drom_mock_received(te_mock(&t, "flaky")), 1);
    te_free(&t);
}

Test(errhandler, async_retry_is_redelivered)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\">"
                  "<redeliveryPolicy maximumRedeliveries=\"2\" redeliveryDelay=\"5\"/>"
                  "</deadLetterChannel></errorHandler>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:async\"/></route></routes>");
    te_send_pos(te_feed(&t, "feed"), "msg", 0, "fail", "retry");
    cr_assert_eq(drom_mock_wait(te_mock(&t, "dead"), 1, 5000), 0);
    TE_WAIT_FOR(te_status(&t, "r").total == 1, 5000);
    cr_assert_eq(te_status(&t, "r").redeliveries, 2);
    te_free(&t);
}

Test(errhandler, use_original_message)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\" useOriginalMessage=\"true\"/>"
                  "</errorHandler>"
                  "<from uri=\"timer:feed\"/><setBody><constant>changed</constant></setBody>"
                  "<to uri=\"mock:flaky\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), -1, DROM_FAIL, DROM_EIO, "x");
    te_send_pos(te_feed(&t, "feed"), "original", 0, NULL, NULL);
    const char *b[] = {"original"};
    drom_mock_expect_bodies(te_mock(&t, "dead"), b, 1);
    te_assert_mock(te_mock(&t, "dead"), 5000);
    te_free(&t);
}

Test(errhandler, dead_letter_endpoint_failing_leaves_the_exchange_failed)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\"/></errorHandler>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), -1, DROM_FAIL, DROM_EIO, "first failure");
    drom_mock_fail(te_mock(&t, "dead"), -1, DROM_FAIL, DROM_EIO, "dead letter queue down");
    te_send_pos(te_feed(&t, "feed"), "msg", 0, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "r").total == 1, 5000);
    struct drom_route_status st = te_status(&t, "r");
    cr_assert_eq(st.failed, 1, "not handled: nothing is skipped silently");
    cr_assert_eq(st.handled, 0);
    cr_assert(strstr(st.last_error, "dead letter queue down"), "%s", st.last_error);
    te_free(&t);
}

Test(errhandler, dead_letter_failure_with_stop_on_failure_holds_commit)
{
    struct te t = {0};
    struct drom_component stopping = te_feed_component;
    stopping.flags = DROM_COMP_STOPS_ON_FAILURE;
    start_fed_as(&t,
                 "<routes><route id=\"r\">"
                 "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\"/></errorHandler>"
                 "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/></route></routes>",
                 &stopping);
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, "ok", 0, NULL, NULL);
    TE_WAIT_FOR(te_committed(f) == 0, 5000);
    drom_mock_fail(te_mock(&t, "flaky"), -1, DROM_FAIL, DROM_EIO, "first failure");
    drom_mock_fail(te_mock(&t, "dead"), -1, DROM_FAIL, DROM_EIO, "dead letter queue down");
    te_send_pos(f, "bad", 1, NULL, NULL);
    TE_WAIT_FOR(strcmp(te_status(&t, "r").state, "Stopped") == 0, 5000);
    cr_assert_eq(te_committed(f), 0);
    te_free(&t);
}

Test(errhandler, on_exception_handled)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<onException><exception>java.io.IOException</exception>"
                  "<handled><constant>true</constant></handled>"
                  "<setBody><simple>handled: ${exception.message}</simple></setBody>"
                  "<to uri=\"mock:handled\"/></onException>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/><to uri=\"mock:after\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), 1, DROM_FAIL, DROM_EIO, "io trouble");
    te_send_pos(te_feed(&t, "feed"), "one", 0, NULL, NULL);
    te_send_pos(te_feed(&t, "feed"), "two", 1, NULL, NULL);
    const char *h[] = {"handled: io trouble"}, *a[] = {"two"};
    drom_mock_expect_bodies(te_mock(&t, "handled"), h, 1);
    drom_mock_expect_bodies(te_mock(&t, "after"), a, 1);
    te_assert_mock(te_mock(&t, "handled"), 5000);
    te_assert_mock(te_mock(&t, "after"), 5000);
    struct drom_exchange *ex = drom_mock_exchange(te_mock(&t, "handled"), 0);
    cr_assert_str_eq(prop(ex, "CamelExceptionCaught"), "io trouble");
    cr_assert_str_eq(prop(ex, "CamelFailureRouteId"), "r");
    drom_exchange_free(ex);
    TE_WAIT_FOR(te_status(&t, "r").total == 2, 5000);
    cr_assert_eq(te_status(&t, "r").failed, 0);
    cr_assert_eq(te_status(&t, "r").handled, 1);
    te_free(&t);
}

Test(errhandler, on_exception_continued)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<onException><exception>Exception</exception>"
                  "<continued><constant>true</constant></continued>"
                  "<to uri=\"mock:seen\"/></onException>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/><to uri=\"mock:after\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), 1, DROM_FAIL, DROM_EINVAL, "ignored");
    te_send_pos(te_feed(&t, "feed"), "one", 0, NULL, NULL);
    const char *a[] = {"one"};
    drom_mock_expect_bodies(te_mock(&t, "after"), a, 1);
    te_assert_mock(te_mock(&t, "after"), 5000);
    cr_assert_eq(drom_mock_received(te_mock(&t, "seen")), 1);
    TE_WAIT_FOR(te_status(&t, "r").succeeded == 1, 5000);
    te_free(&t);
}

Test(errhandler, on_exception_not_matching_falls_to_the_error_handler)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\"/></errorHandler>"
                  "<onException><exception>java.net.ConnectException</exception>"
                  "<handled><constant>true</constant></handled><to uri=\"mock:conn\"/></onException>"
                  "<from uri=\"timer:feed\"/><to uri=\"mock:flaky\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), 1, DROM_FAIL, DROM_EINVAL, "not a connection problem");
    te_send_pos(te_feed(&t, "feed"), "one", 0, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "dead"), 1, 5000), 0);
    cr_assert_eq(drom_mock_received(te_mock(&t, "conn")), 0);
    te_free(&t);
}

Test(errhandler, failure_in_direct_route_propagates_to_the_caller)
{
    struct te t = {0};
    start_fed(&t, "<routes><route id=\"r\">"
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dead\"/></errorHandler>"
                  "<from uri=\"timer:feed\"/><to uri=\"direct:sub\"/><to uri=\"mock:after\"/></route>"
                  "<route id=\"sub\"><from uri=\"direct:sub\"/><to uri=\"mock:flaky\"/></route></routes>");
    drom_mock_fail(te_mock(&t, "flaky"), 1, DROM_FAIL, DROM_EIO, "deep failure");
    te_send_pos(te_feed(&t, "feed"), "one", 0, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "dead"), 1, 5000), 0);
    struct drom_exchange *d = drom_mock_exchange(te_mock(&t, "dead"), 0);
    cr_assert_str_eq(prop(d, "CamelExceptionCaught"), "deep failure");
    drom_exchange_free(d);
    cr_assert_eq(drom_mock_received(te_mock(&t, "after")), 0);
    TE_WAIT_FOR(te_status(&t, "sub").failed == 1, 5000);
    te_free(&t);
}
