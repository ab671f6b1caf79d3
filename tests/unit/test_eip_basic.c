/* Route tests of the message EIPs against Camel's documented behaviour. */
#include <unistd.h>

#include "test_engine_util.h"

#define ROUTE(body) "<routes><route id=\"r\"><from uri=\"timer:feed\"/>" body "</route></routes>"

static char *header_of(struct drom_mock *m, size_t i, const char *name, bool prop)
{
    struct drom_exchange *ex = drom_mock_exchange(m, i);
    cr_assert_not_null(ex);
    const char *v = drom_headers_get_str(prop ? &ex->props : &ex->headers, name);
    char *s = drom_xstrdup(v);
    drom_exchange_free(ex);
    return s;
}

Test(eip, set_and_remove_headers_properties_body)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<setHeader name=\"a\"><simple>${body}</simple></setHeader>"
                        "<setProperty name=\"p\"><constant>prop</constant></setProperty>"
                        "<setBody><simple>B-${header.a}-${exchangeProperty.p}</simple></setBody>"
                        "<removeHeader name=\"x\"/>"
                        "<removeHeaders pattern=\"tmp*\" excludePattern=\"tmpKeep\"/>"
                        "<log message=\"body is ${body}\"/>"
                        "<to uri=\"mock:out\"/>"));
    struct feed *f = te_feed(&t, "feed");
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_str(ex, "in", NULL);
    drom_headers_set_str(&ex->headers, "x", "1");
    drom_headers_set_str(&ex->headers, "tmpA", "1");
    drom_headers_set_str(&ex->headers, "tmpKeep", "1");
    drom_headers_set_str(&ex->headers, "other", "1");
    cr_assert_eq(drom_consumer_submit(f->ep, ex, NULL, NULL), 0);
    struct drom_mock *m = te_mock(&t, "out");
    const char *bodies[] = {"B-in-prop"};
    drom_mock_expect_bodies(m, bodies, 1);
    te_assert_mock(m, 5000);
    struct drom_exchange *got = drom_mock_exchange(m, 0);
    cr_assert_null(drom_exchange_header(got, "x"));
    cr_assert_null(drom_exchange_header(got, "tmpA"));
    cr_assert_not_null(drom_exchange_header(got, "tmpKeep"));
    cr_assert_not_null(drom_exchange_header(got, "other"));
    cr_assert_str_eq(drom_exchange_header(got, "a"), "in");
    drom_exchange_free(got);
    te_free(&t);
}

Test(eip, filter_passes_matching_and_sets_filter_matched)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<filter><simple>${body} != 'b'</simple><to uri=\"mock:f\"/></filter>"
                        "<to uri=\"mock:all\"/>"));
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, "a", 0, NULL, NULL);
    te_send_pos(f, "b", 1, NULL, NULL);
    te_send_pos(f, "c", 2, NULL, NULL);
    const char *fb[] = {"a", "c"}, *all[] = {"a", "b", "c"};
    drom_mock_expect_bodies(te_mock(&t, "f"), fb, 2);
    drom_mock_expect_bodies(te_mock(&t, "all"), all, 3);
    te_assert_mock(te_mock(&t, "all"), 5000);
    te_assert_mock(te_mock(&t, "f"), 5000);
    char *fm = header_of(te_mock(&t, "all"), 1, "CamelFilterMatched", true);
    cr_assert_str_eq(fm, "false");
    free(fm);
    te_free(&t);
}

Test(eip, stop_inside_filter_ends_the_exchange)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<filter><simple>${body} == 'stop'</simple><stop/></filter><to uri=\"mock:after\"/>"));
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, "stop", 0, NULL, NULL);
    te_send_pos(f, "go", 1, NULL, NULL);
    const char *b[] = {"go"};
    drom_mock_expect_bodies(te_mock(&t, "after"), b, 1);
    te_assert_mock(te_mock(&t, "after"), 5000);
    TE_WAIT_FOR(te_status(&t, "r").succeeded == 2, 5000);
    te_free(&t);
}

Test(eip, choice_when_otherwise)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<choice>"
                        "<when><simple>${header.foo} == 'bar'</simple><to uri=\"mock:bar\"/></when>"
                        "<when><simple>${header.foo} == 'cheese'</simple><to uri=\"mock:cheese\"/></when>"
                        "<otherwise><to uri=\"mock:other\"/></otherwise>"
                        "</choice><to uri=\"mock:after\"/>"));
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, "1", 0, "foo", "bar");
    te_send_pos(f, "2", 1, "foo", "cheese");
    te_send_pos(f, "3", 2, "foo", "wine");
    te_send_pos(f, "4", 3, "foo", "bar");
    const char *bar[] = {"1", "4"}, *ch[] = {"2"}, *ot[] = {"3"};
    drom_mock_expect_bodies(te_mock(&t, "bar"), bar, 2);
    drom_mock_expect_bodies(te_mock(&t, "cheese"), ch, 1);
    drom_mock_expect_bodies(te_mock(&t, "other"), ot, 1);
    drom_mock_expect_count(te_mock(&t, "after"), 4);
    te_assert_mock(te_mock(&t, "after"), 5000);
    te_assert_mock(te_mock(&t, "bar"), 1000);
    te_assert_mock(te_mock(&t, "cheese"), 1000);
    te_assert_mock(te_mock(&t, "other"), 1000);
    te_free(&t);
}

Test(eip, unmarshal_marshal_json)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<unmarshal><json/></unmarshal>"
                        "<setHeader name=\"id\"><jsonpath>$.id</jsonpath></setHeader>"
                        "<to uri=\"mock:parsed\"/>"
                        "<marshal><json/></marshal><to uri=\"mock:out\"/>"));
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, "{ \"id\" : 7, \"name\" : \"x\" }", 0, NULL, NULL);
    te_send_pos(f, "{not json", 1, NULL, NULL);
    const char *parsed[] = {"{\"id\":7,\"name\":\"x\"}"};
    drom_mock_expect_bodies(te_mock(&t, "parsed"), parsed, 1);
    te_assert_mock(te_mock(&t, "parsed"), 5000);
    const char *out[] = {"{\"id\":7,\"name\":\"x\"}"};
    drom_mock_expect_bodies(te_mock(&t, "out"), out, 1);
    te_assert_mock(te_mock(&t, "out"), 5000);
    char *id = header_of(te_mock(&t, "parsed"), 0, "id", false);
    cr_assert_str_eq(id, "7");
    free(id);
    char *ct = header_of(te_mock(&t, "out"), 0, "Content-Type", false);
    cr_assert_str_eq(ct, "application/json");
    free(ct);
    TE_WAIT_FOR(te_status(&t, "r").failed == 1, 5000);
    cr_assert(strstr(te_status(&t, "r").last_error, "not JSON"), "%s", te_status(&t, "r").last_error);
    te_free(&t);
}

Test(eip, marshal_text_body_is_a_json_string)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<marshal><json/></marshal><to uri=\"mock:out\"/>"));
    te_send_pos(te_feed(&t, "feed"), "he said \"hi\"", 0, NULL, NULL);
    const char *out[] = {"\"he said \\\"hi\\\"\""};
    drom_mock_expect_bodies(te_mock(&t, "out"), out, 1);
    te_assert_mock(te_mock(&t, "out"), 5000);
    te_free(&t);
}

Test(eip, convert_body_to)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<convertBodyTo type=\"java.util.Map\"/><to uri=\"mock:out\"/>"));
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, " {\"a\": [1, 2]} ", 0, NULL, NULL);
    te_send_pos(f, "[1]", 1, NULL, NULL);
    const char *out[] = {"{\"a\":[1,2]}"};
    drom_mock_expect_bodies(te_mock(&t, "out"), out, 1);
    te_assert_mock(te_mock(&t, "out"), 5000);
    TE_WAIT_FOR(te_status(&t, "r").failed == 1, 5000);
    te_free(&t);
}

Test(eip, delay_waits_without_blocking_others)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<choice><when><simple>${body} == 'slow'</simple>"
                        "<delay><constant>300</constant></delay></when></choice>"
                        "<to uri=\"mock:out\"/>"));
    struct feed *f = te_feed(&t, "feed");
    int64_t t0 = ts_now_ms();
    te_send_pos(f, "slow", 0, NULL, NULL);
    te_send_pos(f, "fast", 1, NULL, NULL);
    const char *order[] = {"fast", "slow"};
    drom_mock_expect_bodies(te_mock(&t, "out"), order, 2);
    te_assert_mock(te_mock(&t, "out"), 5000);
    cr_assert_geq(ts_now_ms() - t0, 300);
    struct feed *fd = f;
    TE_WAIT_FOR(te_committed(fd) == 1, 5000);
    te_free(&t);
}

Test(eip, throttle_limits_the_rate, .timeout = 30)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<throttle timePeriodMillis=\"200\"><constant>5</constant></throttle>"
                        "<to uri=\"mock:out\"/>"));
    struct feed *f = te_feed(&t, "feed");
    int64_t t0 = ts_now_ms();
    for (int i = 0; i < 15; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 15, 10000), 0);
    /* 15 at 5 per 200 ms: the last five pass no sooner than 400 ms in. */
    cr_assert_geq(ts_now_ms() - t0, 400);
    te_free(&t);
}

Test(eip, throttle_reject_execution_fails)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<throttle timePeriodMillis=\"60000\" rejectExecution=\"true\"><constant>2</constant>"
                        "</throttle><to uri=\"mock:out\"/>"));
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 5; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "r").total == 5, 5000);
    cr_assert_eq(te_status(&t, "r").failed, 3);
    cr_assert_eq(drom_mock_received(te_mock(&t, "out")), 2);
    te_free(&t);
}

Test(eip, tod_resolves_per_exchange)
{
    struct te t = {0};
    te_start_fed(&t, ROUTE("<toD uri=\"mock:${header.dest}\"/>"));
    struct feed *f = te_feed(&t, "feed");
    te_send_pos(f, "1", 0, "dest", "d1");
    te_send_pos(f, "2", 1, "dest", "d2");
    te_send_pos(f, "3", 2, "dest", "d1");
    TE_WAIT_FOR(te_status(&t, "r").total == 3, 5000);
    cr_assert_eq(te_status(&t, "r").succeeded, 3, "%s", te_status(&t, "r").last_error);
    cr_assert_eq(drom_mock_received(te_mock(&t, "d1")), 2);
    cr_assert_eq(drom_mock_received(te_mock(&t, "d2")), 1);
    te_free(&t);
}

/* Exchange ids read ID-drom-<pid>-<16 hex digits>, one more each time. */
Test(exchange, ids_count_up_in_hex_after_the_pid)
{
    struct drom_exchange *a = drom_exchange_new(), *b = drom_exchange_new();
    char prefix[32];
    snprintf(prefix, sizeof prefix, "ID-drom-%d-", (int)getpid());
    size_t n = strlen(prefix);
    cr_assert_eq(strncmp(a->id, prefix, n), 0, "%s", a->id);
    cr_assert_eq(strlen(a->id), n + 16, "%s", a->id);
    cr_assert_eq(strspn(a->id + n, "0123456789ABCDEF"), 16, "%s", a->id);
    unsigned long long x = strtoull(a->id + n, NULL, 16), y = strtoull(b->id + n, NULL, 16);
    cr_assert_eq(y, x + 1, "%s then %s", a->id, b->id);
    drom_exchange_free(a);
    drom_exchange_free(b);
}
