/* The kafka component on the real test broker: a round trip through XML
 * routes, record headers and tombstones, order per key over 100,000
 * records, SASL/PLAIN, and the Kafka offset store. */
#include "tests/integration/test_kafka_util.h"

#include "components/kafka/kafka.h"

static struct drom_exchange *ex_with(const char *body, const char *key)
{
    struct drom_exchange *ex = drom_exchange_new();
    if (body)
        drom_exchange_set_body_str(ex, body, "application/json");
    if (key)
        drom_headers_set_str(&ex->headers, "kafka.KEY", key);
    return ex;
}

static void submit(struct feed *f, struct drom_exchange *ex, int64_t pos)
{
    int64_t *p = malloc(sizeof *p);
    *p = pos;
    struct drom_error err = {0};
    cr_assert_eq(drom_consumer_submit(f->ep, ex, p, &err), 0, "%s", err.msg);
}

Test(kafka, round_trip_headers_and_tombstone, .timeout = 60)
{
    char topic[128];
    kt_topic(topic, sizeof topic, "rt");
    ts_create_topic(topic, 1, NULL);
    char *xml = kt_xml("<routes>"
                       "<route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%B\"/></route>"
                       "<route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;autoOffsetReset=earliest\"/>"
                       "<to uri=\"mock:out\"/></route></routes>",
                       topic);
    struct te t = {0};
    kt_start(&t, xml, 0);
    free(xml);
    struct feed *f = te_feed(&t, "feed");
    struct drom_mock *m = te_mock(&t, "out");

    struct drom_exchange *ex = ex_with("{\"id\":1,\"name\":\"a\"}", "{\"id\":1}");
    drom_headers_set_str(&ex->headers, "DromEventId", "5400:mariadb-bin.000001:4:0");
    drom_headers_set_str(&ex->headers, "CamelDebeziumOperation", "c");
    drom_headers_set_str(&ex->headers, "org.apache.camel.Secret", "no");
    drom_headers_set_str(&ex->headers, "kafka.OVERRIDE_TIMESTAMP", "1");
    drom_headers_set_str(&ex->headers, "custom", "yes");
    drom_headers_set_int(&ex->headers, "count", 42);
    submit(f, ex, 1);
    struct drom_exchange *tomb = ex_with(NULL, "{\"id\":1}");
    drom_headers_set_str(&tomb->headers, "DromEventId", "5400:mariadb-bin.000001:4:1");
    submit(f, tomb, 2);
    submit(f, ex_with("plain text", NULL), 3);

    cr_assert_eq(drom_mock_wait(m, 3, 30000), 0, "three records came back");
    struct drom_exchange *a = drom_mock_exchange(m, 0);
    cr_assert_str_eq(drom_exchange_body(a, NULL), "{\"id\":1,\"name\":\"a\"}");
    cr_assert_str_eq(a->content_type, "application/json");
    cr_assert_str_eq(drom_exchange_header(a, "DromEventId"), "5400:mariadb-bin.000001:4:0");
    cr_assert_str_eq(drom_exchange_header(a, "custom"), "yes");
    cr_assert_str_eq(drom_exchange_header(a, "count"), "42");
    cr_assert_null(drom_exchange_header(a, "CamelDebeziumOperation"), "Camel headers stay inside");
    cr_assert_null(drom_exchange_header(a, "org.apache.camel.Secret"));
    cr_assert_null(drom_exchange_header(a, "kafka.OVERRIDE_TIMESTAMP"), "control headers are not forwarded");
    cr_assert_str_eq(drom_exchange_header(a, "kafka.KEY"), "{\"id\":1}");
    cr_assert_str_eq(drom_exchange_header(a, "kafka.TOPIC"), topic);
    cr_assert_str_eq(drom_exchange_header(a, "kafka.PARTITION"), "0");
    cr_assert_str_eq(drom_exchange_header(a, "kafka.OFFSET"), "0");
    cr_assert_not_null(drom_exchange_header(a, "kafka.TIMESTAMP"));
    drom_exchange_free(a);

    struct drom_exchange *b = drom_mock_exchange(m, 1);
    cr_assert(drom_exchange_body_is_null(b), "a tombstone comes back as a null body");
    cr_assert_str_eq(drom_exchange_header(b, "kafka.KEY"), "{\"id\":1}");
    cr_assert_str_eq(drom_exchange_header(b, "DromEventId"), "5400:mariadb-bin.000001:4:1");
    drom_exchange_free(b);

    struct drom_exchange *c = drom_mock_exchange(m, 2);
    cr_assert_str_eq(drom_exchange_body(c, NULL), "plain text");
    cr_assert_str_eq(c->content_type, "text/plain");
    cr_assert_null(drom_exchange_header(c, "kafka.KEY"));
    drom_exchange_free(c);

    TE_WAIT_FOR(te_committed(f) == 3, 10000);
    char reason[256];
    TE_WAIT_FOR(drom_engine_ready(t.eng, reason, sizeof reason), 10000);
    struct drom_buf met = DROM_BUF_INIT;
    TE_WAIT_FOR((drom_buf_reset(&met), drom_engine_metrics(t.eng, &met), strstr(drom_buf_cstr(&met), "acknowledged")),
                5000);
    drom_buf_free(&met);
    te_free(&t);
}

Test(kafka, override_topic_and_partition_headers, .timeout = 60)
{
    char topic[128], other[160];
    kt_topic(topic, sizeof topic, "ovr");
    snprintf(other, sizeof other, "%s-other", topic);
    ts_create_topic(topic, 1, NULL);
    ts_create_topic(other, 3, NULL);
    char *xml = kt_xml("<routes><route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%B&amp;key=fixed\"/>"
                       "</route></routes>",
                       topic);
    struct te t = {0};
    kt_start(&t, xml, 0);
    free(xml);
    struct feed *f = te_feed(&t, "feed");
    struct drom_exchange *ex = ex_with("k0:0", NULL);
    drom_headers_set_str(&ex->headers, "kafka.OVERRIDE_TOPIC", other);
    drom_headers_set_int(&ex->headers, "kafka.PARTITION_KEY", 2);
    submit(f, ex, 1);
    TE_WAIT_FOR(te_committed(f) == 1, 20000);
    te_free(&t);
    struct kt_rec *r;
    cr_assert_eq(kt_read(other, 1, 20000, &r), 1);
    cr_assert_str_eq(r[0].key, "fixed", "the key option applies without a kafka.KEY header");
    cr_assert_eq(r[0].partition, 2);
    free(r);
}

/* 100,000 records on 10 keys over 4 partitions, through a producer route
 * and a consumer route: every record once, and per key in order. */
Test(kafka, order_per_key_over_100k, .timeout = 120)
{
    enum { N = 100000, KEYS = 10 };
    char topic[128];
    kt_topic(topic, sizeof topic, "order");
    ts_create_topic(topic, 4, NULL);
    char *xml = kt_xml("<routes>"
                       "<route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%B\"/></route>"
                       "<route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;autoOffsetReset=earliest\"/>"
                       "<to uri=\"mock:check-order-100000\"/></route></routes>",
                       topic);
    struct te t = {0};
    kt_start(&t, xml, 0);
    free(xml);
    struct feed *f = te_feed(&t, "feed");
    struct kcheck *k = kt_check(&t, "check-order-100000");
    int64_t t0 = ts_now_ms();
    for (int64_t i = 0; i < N; i++) {
        char key[16], body[48];
        snprintf(key, sizeof key, "k%d", (int)(i % KEYS));
        snprintf(body, sizeof body, "%s:%lld", key, (long long)i);
        submit(f, ex_with(body, key), i);
    }
    TE_WAIT_FOR(kcheck_arrivals(k) >= N, 90000);
    int64_t ms = ts_now_ms() - t0;
    cr_log_info("100000 records produced and consumed in %lld ms", (long long)ms);
    TE_WAIT_FOR(te_committed(f) == N - 1, 20000);
    pthread_mutex_lock(&k->mu);
    int64_t dups = k->dups, disorder = k->disorder, bad = k->bad;
    pthread_mutex_unlock(&k->mu);
    cr_assert_eq(kcheck_missing(k), 0);
    cr_assert_eq(bad, 0);
    cr_assert_eq(dups, 0);
    cr_assert_eq(disorder, 0, "records of one key arrive in the order they were produced");
    te_free(&t);
}

Test(kafka, sasl_plain, .timeout = 60)
{
    char topic[128];
    kt_topic(topic, sizeof topic, "sasl");
    ts_create_topic(topic, 1, NULL);
    const char *user = getenv("KAFKA_SASL_USER"), *pass = getenv("KAFKA_SASL_PASSWORD");
    setenv("KT_SASL_USER", user ? user : "drom", 1);
    setenv("KT_SASL_PASSWORD", pass ? pass : "drom-secret", 1);
    char *xml = kt_xml(
        "<routes>"
        "<route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%S&amp;securityProtocol=SASL_PLAINTEXT"
        "&amp;saslMechanism=PLAIN&amp;saslUsername={{env:KT_SASL_USER}}&amp;saslPassword={{env:KT_SASL_PASSWORD}}\"/></route>"
        "<route id=\"in\"><from uri=\"kafka:%T?brokers=%S&amp;groupId=g-%T&amp;autoOffsetReset=earliest"
        "&amp;securityProtocol=SASL_PLAINTEXT&amp;saslMechanism=PLAIN"
        "&amp;saslJaasConfig=org.apache.kafka.common.security.plain.PlainLoginModule required "
        "username=&quot;{{env:KT_SASL_USER}}&quot; password=&quot;{{env:KT_SASL_PASSWORD}}&quot;;\"/>"
        "<to uri=\"mock:out\"/></route></routes>",
        topic);
    struct te t = {0};
    kt_start(&t, xml, 0);
    free(xml);
    struct feed *f = te_feed(&t, "feed");
    submit(f, ex_with("over sasl", "k"), 1);
    struct drom_mock *m = te_mock(&t, "out");
    cr_assert_eq(drom_mock_wait(m, 1, 30000), 0);
    char *body = drom_mock_body(m, 0);
    cr_assert_str_eq(body, "over sasl");
    free(body);
    te_free(&t);

    /* A wrong password: not ready, with the reason, and nothing crashes. */
    setenv("KT_SASL_PASSWORD", "wrong", 1);
    xml = kt_xml("<routes><route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%S&amp;"
                 "securityProtocol=SASL_PLAINTEXT&amp;saslMechanism=PLAIN&amp;saslUsername={{env:KT_SASL_USER}}"
                 "&amp;saslPassword={{env:KT_SASL_PASSWORD}}\"/></route></routes>",
                 topic);
    struct te t2 = {0};
    kt_start(&t2, xml, 0);
    free(xml);
    char reason[1024] = "", want[300];
    snprintf(want, sizeof want, "the broker at %s refused the login of user '%s' (SASL PLAIN: ", kt_sasl_brokers(),
             getenv("KT_SASL_USER"));
    int64_t deadline = ts_now_ms() + 15000;
    while (ts_now_ms() < deadline) {
        if (!drom_engine_ready(t2.eng, reason, sizeof reason) && strstr(reason, want))
            break;
        poll(NULL, 0, 50);
    }
    cr_log_info("%s", reason);
    cr_assert(strstr(reason, want), "readiness names the refused login (%s): %s", want, reason);
    cr_assert_null(strstr(reason, "wrong"), "the password never shows");
    te_free(&t2);
}

Test(kafka, offset_store_survives_a_replacement, .timeout = 60)
{
    char topic[128];
    kt_topic(topic, sizeof topic, "offsets");
    struct drom_offset_config cfg = {.brokers = ts_brokers(), .topic = topic, .timeout_ms = 20000};
    struct drom_error err = {0};
    struct drom_offset_store *s = drom_offset_kafka_open(&cfg, &err);
    cr_assert_not_null(s, "%s", err.msg);
    char *json = NULL;
    cr_assert_eq(drom_offset_get(s, "cdc", &json, &err), 0);
    cr_assert_null(json, "a new topic holds no offsets");
    cr_assert_eq(drom_offset_put(s, "cdc", "{\"file\":\"b.000001\",\"pos\":4}", &err), 0, "%s", err.msg);
    cr_assert_eq(drom_offset_put(s, "other", "{\"x\":1}", &err), 0, "%s", err.msg);
    cr_assert_eq(drom_offset_put(s, "cdc", "{\"file\":\"b.000001\",\"pos\":1234,\"event\":2}", &err), 0, "%s", err.msg);
    cr_assert_eq(drom_offset_get(s, "cdc", &json, &err), 0);
    cr_assert_str_eq(json, "{\"file\":\"b.000001\",\"pos\":1234,\"event\":2}");
    free(json);
    drom_offset_store_close(s);

    /* The replacement reads the topic back. */
    s = drom_offset_kafka_open(&cfg, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(drom_offset_get(s, "cdc", &json, &err), 0);
    cr_assert_str_eq(json, "{\"file\":\"b.000001\",\"pos\":1234,\"event\":2}");
    free(json);
    cr_assert_eq(drom_offset_get(s, "other", &json, &err), 0);
    cr_assert_str_eq(json, "{\"x\":1}");
    free(json);
    drom_offset_store_close(s);

    /* The topic is compacted. */
    rd_kafka_t *rk = kt_client(RD_KAFKA_PRODUCER, NULL);
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DescribeConfigs(rk, &res, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    cr_assert_not_null(ev);
    size_t n;
    const rd_kafka_ConfigResource_t **rs =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    cr_assert_eq(n, 1);
    size_t nc;
    const rd_kafka_ConfigEntry_t **ce = rd_kafka_ConfigResource_configs(rs[0], &nc);
    const char *policy = NULL;
    for (size_t i = 0; i < nc; i++)
        if (strcmp(rd_kafka_ConfigEntry_name(ce[i]), "cleanup.policy") == 0)
            policy = rd_kafka_ConfigEntry_value(ce[i]);
    cr_assert_str_eq(policy, "compact");
    rd_kafka_event_destroy(ev);
    rd_kafka_ConfigResource_destroy(res);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);

    /* Nothing reachable: a clear error, no hang. */
    struct drom_offset_config bad = {.brokers = "127.0.0.1:1", .topic = topic, .timeout_ms = 2000};
    cr_assert_null(drom_offset_kafka_open(&bad, &err));
    cr_assert(strstr(err.msg, "Kafka offset store"), "%s", err.msg);
}
