/* amqp/sjms2 against the real test Artemis: a wrong password, a queue that
 * does not exist yet, a failing consumer route. */
#include "test_amqp_util.h"

static bool ready_reason_has(struct te *t, const char *needle)
{
    char reason[512];
    return !drom_engine_ready(t->eng, reason, sizeof reason) && strstr(reason, needle);
}

Test(amqp_edges, wrong_password_is_a_clear_error_and_never_spins, .timeout = 60)
{
    ta_broker_up();
    char q[200], xml[2048];
    ta_queue_name(q, sizeof q, "auth");
    /* A short reconnectDelay: a refused login must still wait maxReconnectDelay. */
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"sjms2:queue:%s?remoteURI=%s&amp;username=admin&amp;password=wrong"
             "&amp;reconnectDelay=100&amp;maxReconnectDelay=2000\"/></route></routes>",
             q, ta_uri());
    struct te t = {0};
    ta_start(&t, xml, 0);
    TE_WAIT_FOR(ready_reason_has(&t, "refused the login of user 'admin' (amqp:unauthorized-access"), 10000);
    char reason[512];
    drom_engine_ready(t.eng, reason, sizeof reason);
    cr_log_info("readiness: %s", reason);
    cr_assert_null(strstr(reason, "wrong"), "no password in the reason: %s", reason);
    /* An exchange waits for the broker instead of failing. */
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, q, 0, 1);
    /* Two refused logins in a row, timed: the second waits maxReconnectDelay (2000 ms, +-20%), not
     * reconnectDelay (100 ms). */
    long long before = ta_metric(&t, "drom_endpoint_connect_failures", NULL);
    TE_WAIT_FOR(ta_metric(&t, "drom_endpoint_connect_failures", NULL) > before, 10000);
    int64_t first = ts_now_ms();
    TE_WAIT_FOR(ta_metric(&t, "drom_endpoint_connect_failures", NULL) > before + 1, 10000);
    int64_t gap = ts_now_ms() - first;
    cr_assert_geq(gap, 1500, "%lld ms between two refused logins", (long long)gap);
    struct drom_route_status st = te_status(&t, "in");
    cr_assert_eq(st.inflight, 1, "the exchange waits");
    cr_assert_eq(st.failed, 0);
    struct drom_error err = {0};
    cr_assert_eq(drom_engine_stop(t.eng, 200, &err), -1, "it was never sent, so never committed");
    te_free(&t);
}

Test(amqp_edges, missing_queue_is_created_anycast_and_a_topic_without_subscribers_drops, .timeout = 90)
{
    ta_broker_up();
    char q[200], tp[200], xml[4096];
    ta_queue_name(q, sizeof q, "missing");
    ta_queue_name(tp, sizeof tp, "topic");
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin\"/>"
             "<to uri=\"amqp:topic:%s?remoteURI=%s&amp;username=admin&amp;password=admin\"/>"
             "</route></routes>",
             q, ta_uri(), tp, ta_uri());
    struct te t = {0};
    ta_start(&t, xml, 0);
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, q, 0, 1);
    TE_WAIT_FOR(te_committed(f) == 0, 20000);
    struct drom_route_status st = te_status(&t, "in");
    cr_assert_eq(st.succeeded, 1, "accepted by both: %s", st.last_error);
    te_free(&t);
    /* Artemis auto-creates the address with the routing type of the link's capability. */
    json_t *row = ta_queue_stat(q);
    cr_assert_not_null(row, "queue %s was auto-created", q);
    cr_assert_str_eq(json_string_value(json_object_get(row, "routingType")), "ANYCAST");
    cr_assert_str_eq(json_string_value(json_object_get(row, "autoCreated")), "true");
    cr_assert_str_eq(json_string_value(json_object_get(row, "durable")), "true");
    cr_assert_str_eq(json_string_value(json_object_get(row, "messageCount")), "1");
    json_decref(row);
    /* A multicast address without subscribers accepts the message and keeps nothing. */
    row = ta_queue_stat(tp);
    cr_assert_null(row, "no queue for topic %s", tp);
}

Test(amqp_edges, failed_exchange_is_redelivered_by_the_broker, .timeout = 60)
{
    ta_broker_up();
    char q[200], xml[4096];
    ta_queue_name(q, sizeof q, "redeliver");
    snprintf(xml, sizeof xml,
             "<routes>"
             "<route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin\"/></route>"
             "<route id=\"out\"><from uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin\"/>"
             "<to uri=\"mock:out\"/></route>"
             "</routes>",
             q, ta_uri(), q, ta_uri());
    struct te t = {0};
    ta_start(&t, xml, 0);
    struct drom_mock *m = te_mock(&t, "out");
    drom_mock_fail(m, 1, DROM_FAIL, DROM_EIO, "first try fails");
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, q, 0, 1);
    cr_assert_eq(drom_mock_wait(m, 2, 20000), 0, "the failed delivery came back");
    struct drom_exchange *a = drom_mock_exchange(m, 0), *b = drom_mock_exchange(m, 1);
    cr_assert_str_eq(drom_exchange_body(a, NULL), "0");
    cr_assert_str_eq(drom_exchange_body(b, NULL), "0");
    cr_assert_str_eq(drom_exchange_header(a, "JMSRedelivered"), "false");
    cr_assert_str_eq(drom_exchange_header(b, "JMSRedelivered"), "true");
    char id[300];
    snprintf(id, sizeof id, "%s:0", q);
    cr_assert_str_eq(drom_exchange_header(b, "DromEventId"), id, "_AMQ_DUPL_ID comes back as DromEventId");
    drom_exchange_free(a);
    drom_exchange_free(b);
    TE_WAIT_FOR(ta_metric(&t, "drom_endpoint_modified", NULL) == 1 && ta_metric(&t, "drom_endpoint_accepted", "from") != 0,
                10000);
    te_free(&t);
}
