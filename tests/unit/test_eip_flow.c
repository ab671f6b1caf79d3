/* Route tests of multicast, split and wireTap. */
#include "test_engine_util.h"

#define ROUTE(body) "<routes><route id=\"r\"><from uri=\"timer:feed\"/>" body "</route></routes>"

Test(eip_flow, multicast_copies_and_last_reply_wins)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<multicast><to uri=\"mock:m1\"/><to uri=\"direct:b2\"/></multicast>"
                        "<to uri=\"mock:after\"/></route>"
                        "<route id=\"b2\"><from uri=\"direct:b2\"/><setBody><simple>from b2</simple></setBody>"
                        "<to uri=\"mock:m2\"/>"));
    te_send_pos(te_feed(&t, "feed"), "in", 0, NULL, NULL);
    const char *m1[] = {"in"}, *m2[] = {"from b2"}, *after[] = {"from b2"};
    drom_mock_expect_bodies(te_mock(&t, "m1"), m1, 1);
    drom_mock_expect_bodies(te_mock(&t, "m2"), m2, 1);
    drom_mock_expect_bodies(te_mock(&t, "after"), after, 1);
    te_assert_mock(te_mock(&t, "after"), 5000);
    te_assert_mock(te_mock(&t, "m1"), 1000);
    te_assert_mock(te_mock(&t, "m2"), 1000);
    struct drom_exchange *ex = drom_mock_exchange(te_mock(&t, "m1"), 0);
    cr_assert_str_eq(drom_headers_get_str(&ex->props, "CamelMulticastIndex"), "0");
    cr_assert_str_eq(drom_headers_get_str(&ex->props, "CamelMulticastComplete"), "false");
    drom_exchange_free(ex);
    te_free(&t);
}

static void multicast_error(bool stop_on_exception, bool parallel)
{
    struct te t = {0};
    char xml[1024];
    snprintf(xml, sizeof xml,
             ROUTE("<multicast stopOnException=\"%s\" parallelProcessing=\"%s\">"
                   "<to uri=\"mock:m1\"/><to uri=\"mock:bad\"/><to uri=\"mock:m3\"/></multicast>"
                   "<to uri=\"mock:after\"/>"),
             stop_on_exception ? "true" : "false", parallel ? "true" : "false");
    te_start_fed(&t, xml);
    drom_mock_fail(te_mock(&t, "bad"), -1, DROM_FAIL, DROM_EIO, "branch two broke");
    te_send_pos(te_feed(&t, "feed"), "in", 0, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "r").total == 1, 5000);
    struct drom_route_status st = te_status(&t, "r");
    cr_assert_eq(st.failed, 1);
    cr_assert(strstr(st.last_error, "processing failed for number 1"), "%s", st.last_error);
    cr_assert(strstr(st.last_error, "branch two broke"), "%s", st.last_error);
    cr_assert_eq(drom_mock_received(te_mock(&t, "m1")), 1);
    cr_assert_eq(drom_mock_received(te_mock(&t, "m3")), stop_on_exception && !parallel ? 0 : 1);
    cr_assert_eq(drom_mock_received(te_mock(&t, "after")), 0);
    te_free(&t);
}

Test(eip_flow, multicast_error_in_the_middle_continues)
{
    multicast_error(false, false);
}

Test(eip_flow, multicast_error_in_the_middle_stop_on_exception)
{
    multicast_error(true, false);
}

Test(eip_flow, multicast_parallel_error)
{
    multicast_error(true, true);
}

Test(eip_flow, multicast_parallel_async_branches)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<multicast parallelProcessing=\"true\"><to uri=\"mock:async1\"/><to uri=\"mock:async2\"/>"
                        "</multicast><to uri=\"mock:after\"/>"));
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 200; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "after"), 200, 10000), 0);
    TE_WAIT_FOR(te_committed(f) == 199, 5000);
    te_free(&t);
}

Test(eip_flow, split_json_array_from_jsonpath)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<split><jsonpath>$.items</jsonpath><to uri=\"mock:part\"/></split>"
                        "<to uri=\"mock:after\"/>"));
    te_send_pos(te_feed(&t, "feed"), "{\"items\":[\"a\",{\"b\":1},3]}", 0, NULL, NULL);
    const char *parts[] = {"a", "{\"b\":1}", "3"};
    drom_mock_expect_bodies(te_mock(&t, "part"), parts, 3);
    te_assert_mock(te_mock(&t, "part"), 5000);
    const char *after[] = {"{\"items\":[\"a\",{\"b\":1},3]}"};
    drom_mock_expect_bodies(te_mock(&t, "after"), after, 1);
    te_assert_mock(te_mock(&t, "after"), 5000);
    struct drom_exchange *ex = drom_mock_exchange(te_mock(&t, "part"), 2);
    cr_assert_str_eq(drom_headers_get_str(&ex->props, "CamelSplitIndex"), "2");
    cr_assert_str_eq(drom_headers_get_str(&ex->props, "CamelSplitSize"), "3");
    cr_assert_str_eq(drom_headers_get_str(&ex->props, "CamelSplitComplete"), "true");
    drom_exchange_free(ex);
    te_free(&t);
}

Test(eip_flow, split_body_json_array_and_lines)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"r\"><from uri=\"timer:feed\"/>"
                     "<split><simple>${body}</simple><to uri=\"mock:json\"/></split></route>"
                     "<route id=\"l\"><from uri=\"timer:feedlines\"/>"
                     "<split delimiter=\"\\n\"><simple>${body}</simple><to uri=\"mock:lines\"/></split>"
                     "</route></routes>");
    te_send_pos(te_feed(&t, "feed"), "[1, 2]", 0, NULL, NULL);
    te_send_pos(te_feed(&t, "feedlines"), "one\ntwo\nthree\n", 0, NULL, NULL);
    const char *j[] = {"1", "2"}, *l[] = {"one", "two", "three"};
    drom_mock_expect_bodies(te_mock(&t, "json"), j, 2);
    drom_mock_expect_bodies(te_mock(&t, "lines"), l, 3);
    te_assert_mock(te_mock(&t, "json"), 5000);
    te_assert_mock(te_mock(&t, "lines"), 5000);
    te_free(&t);
}

Test(eip_flow, split_many_parts_sequentially, .timeout = 30)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<split><jsonpath>$</jsonpath><to uri=\"mock:async\"/><to uri=\"mock:part\"/></split>"));
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_putc(&b, '[');
    for (int i = 0; i < 3000; i++)
        drom_buf_printf(&b, "%s%d", i ? "," : "", i);
    drom_buf_putc(&b, ']');
    te_send_pos(te_feed(&t, "feed"), b.data, 0, NULL, NULL);
    drom_buf_free(&b);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "part"), 3000, 20000), 0);
    char *last = drom_mock_body(te_mock(&t, "part"), 2999);
    cr_assert_str_eq(last, "2999", "sequential split keeps the order");
    free(last);
    te_free(&t);
}

Test(eip_flow, wiretap_sends_a_copy)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<wireTap uri=\"mock:tap\"/><setBody><constant>changed</constant></setBody>"
                        "<to uri=\"mock:after\"/>"));
    te_send_pos(te_feed(&t, "feed"), "orig", 0, NULL, NULL);
    const char *tap[] = {"orig"}, *after[] = {"changed"};
    drom_mock_expect_bodies(te_mock(&t, "tap"), tap, 1);
    drom_mock_expect_bodies(te_mock(&t, "after"), after, 1);
    te_assert_mock(te_mock(&t, "tap"), 5000);
    te_assert_mock(te_mock(&t, "after"), 5000);
    struct drom_exchange *a = drom_mock_exchange(te_mock(&t, "tap"), 0);
    struct drom_exchange *b2 = drom_mock_exchange(te_mock(&t, "after"), 0);
    cr_assert_str_neq(a->id, b2->id, "the tap is a new exchange");
    drom_exchange_free(a);
    drom_exchange_free(b2);
    te_free(&t);
}
