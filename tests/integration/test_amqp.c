/* amqp/sjms2 against the real test Artemis: what a JMS client reads back,
 * order at volume, and a broker killed mid-stream. */
#include "test_amqp_util.h"

#define CUSTOMERS "queue.customers"

static void send_round_trip(const char *event_id)
{
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"to-amq\"><from uri=\"timer:feed\"/>"
             "<to uri=\"sjms2:queue:" CUSTOMERS "?remoteURI=%s&amp;username=admin&amp;password=admin\"/>"
             "</route></routes>",
             ta_uri());
    struct te t = {0};
    ta_start(&t, xml, 0);
    struct feed *f = te_feed(&t, "feed");
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_str(ex, "{\"id\":1001,\"first_name\":\"Sally\"}", "application/json");
    drom_headers_set_str(&ex->headers, "kafka.KEY", "{\"id\":1001}");
    drom_headers_set_str(&ex->headers, "my-header", "v1");
    drom_headers_set_int(&ex->headers, "count", 42);
    drom_headers_set_str(&ex->headers, "CamelInternal", "skip me");
    drom_headers_set_str(&ex->headers, "DromEventId", event_id);
    int64_t *pos = malloc(sizeof *pos);
    *pos = 1;
    struct drom_error err = {0};
    cr_assert_eq(drom_consumer_submit(f->ep, ex, pos, &err), 0);
    ex = drom_exchange_new();
    const char bin[] = {'\x00', '\xff', '\x10', 'b'};
    drom_exchange_set_body(ex, bin, sizeof bin, NULL);
    pos = malloc(sizeof *pos);
    *pos = 2;
    cr_assert_eq(drom_consumer_submit(f->ep, ex, pos, &err), 0);
    ex = drom_exchange_new();
    drom_exchange_set_body_null(ex);
    drom_headers_set_str(&ex->headers, "kafka.KEY", "{\"id\":1001}");
    pos = malloc(sizeof *pos);
    *pos = 3;
    cr_assert_eq(drom_consumer_submit(f->ep, ex, pos, &err), 0);
    TE_WAIT_FOR(te_committed(f) == 3, 20000);
    struct drom_route_status st = te_status(&t, "to-amq");
    cr_assert_eq(st.succeeded, 3, "all accepted (failed %lld: %s)", (long long)st.failed, st.last_error);
    cr_assert_eq(ta_metric(&t, "drom_endpoint_accepted", CUSTOMERS), 3);
    cr_assert_eq(ta_metric(&t, "drom_endpoint_sent", CUSTOMERS), 3);
    te_free(&t);
}

Test(amqp, round_trip_read_by_the_artemis_cli, .timeout = 120)
{
    ta_broker_up();
    ta_ctl(NULL, "purge " CUSTOMERS " >/dev/null");
    /* Artemis remembers duplicate ids across restarts: one of its own per run. */
    char event_id[100];
    snprintf(event_id, sizeof event_id, "5400:rt-%lld:%d:1", (long long)drom_now_us(), (int)getpid());
    send_round_trip(event_id);
    char dir[] = "/tmp/drom-amqp-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *out = NULL;
    ta_ctl(&out, "cli consumer --destination queue://" CUSTOMERS " --message-count 3 --receive-timeout 5000 --break-on-null --data %s/out.xml",
           dir);
    free(out);
    char path[300], *xml = NULL;
    snprintf(path, sizeof path, "%s/out.xml", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "the CLI wrote %s", path);
    struct drom_buf b = DROM_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        drom_buf_append(&b, chunk, n);
    fclose(f);
    xml = drom_buf_detach(&b);
    /* The CLI's dump: one <message> per message, properties typed, text in CDATA, bytes in base64. */
    char *m1 = strstr(xml, "<message "), *m2 = m1 ? strstr(m1 + 1, "<message ") : NULL;
    char *m3 = m2 ? strstr(m2 + 1, "<message ") : NULL;
    cr_assert(m1 && m2 && m3, "three messages in: %s", xml);
    *m2 = *m3 = '\0';
    cr_assert(strstr(m1, "type=\"text\""), "a JSON body is a TextMessage: %s", m1);
    cr_assert(strstr(m1, "priority=\"4\""), "%s", m1);
    cr_assert(strstr(m1, "<property name=\"kafka_DOT_KEY\" value=\"{&quot;id&quot;:1001}\" type=\"simple-string\"/>"),
              "%s", m1);
    cr_assert(strstr(m1, "<property name=\"my_HYPHEN_header\" value=\"v1\""), "%s", m1);
    cr_assert(strstr(m1, "<property name=\"count\" value=\"42\" type=\"long\"/>"), "%s", m1);
    char dupl[200];
    snprintf(dupl, sizeof dupl, "<property name=\"_AMQ_DUPL_ID\" value=\"%s\"", event_id);
    cr_assert(strstr(m1, dupl), "%s", m1);
    cr_assert(strstr(m1, "JMS_AMQP_HEADERDURABLE\" value=\"true\""), "durable: %s", m1);
    cr_assert(strstr(m1, "JMS_AMQP_ContentType\" value=\"application/json\""), "%s", m1);
    cr_assert_null(strstr(m1, "CamelInternal"), "Camel headers stay inside: %s", m1);
    cr_assert_null(strstr(m1, "DromEventId"), "the event id travels as _AMQ_DUPL_ID only: %s", m1);
    cr_assert(strstr(m1, "<![CDATA[{\"id\":1001,\"first_name\":\"Sally\"}]]>"), "%s", m1);
    cr_assert(strstr(m2 + 1, "type=\"bytes\""), "binary is a BytesMessage: %s", m2 + 1);
    cr_assert(strstr(m2 + 1, "<![CDATA[AP8QYg==]]>"), "%s", m2 + 1);
    /* A null body: a JMS Message without a body, which the CLI dumps as empty bytes. */
    cr_assert(strstr(m3 + 1, "JMS_AMQP_MA_x-opt-jms-msg-type\" value=\"0\""), "%s", m3 + 1);
    cr_assert(strstr(m3 + 1, "<![CDATA[]]>"), "%s", m3 + 1);
    cr_assert(strstr(m3 + 1, "kafka_DOT_KEY"), "%s", m3 + 1);
    free(xml);
    unlink(path);
    rmdir(dir);
}

/* One engine, two routes sharing one connection: the test feeds route "in"
 * which sends to a fresh queue; route "out" consumes it into a checker. */
static void two_routes(struct te *t, const char *queue, const char *extra)
{
    char xml[4096];
    snprintf(xml, sizeof xml,
             "<routes>"
             "<route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin%s\"/></route>"
             "<route id=\"out\"><from uri=\"amqp:%s?remoteURI=%s&amp;username=admin&amp;password=admin%s\"/>"
             "<to uri=\"mock:check\"/></route>"
             "</routes>",
             queue, ta_uri(), extra, queue, ta_uri(), extra);
    ta_start(t, xml, 0);
}

Test(amqp, hundred_thousand_in_order_through_our_consumer, .timeout = 180)
{
    ta_broker_up();
    char q[200];
    ta_queue_name(q, sizeof q, "order");
    struct te t = {0};
    two_routes(&t, q, "");
    struct feed *f = te_feed(&t, "feed");
    enum { N = 100000 };
    int64_t t0 = ts_now_ms();
    ta_feed_range(f, q, 0, N);
    TE_WAIT_FOR(te_committed(f) == N - 1, 120000);
    int64_t t1 = ts_now_ms();
    struct ta_check *c = ta_check(&t);
    TE_WAIT_FOR(atomic_load(&c->received) >= N, 120000);
    int64_t t2 = ts_now_ms();
    cr_log_info("%d messages: sent and accepted in %lld ms, all consumed after %lld ms", N, (long long)(t1 - t0),
                (long long)(t2 - t0));
    cr_assert_eq(atomic_load(&c->out_of_order), 0);
    cr_assert_eq(atomic_load(&c->dups), 0);
    cr_assert_eq(te_status(&t, "in").succeeded, N);
    TE_WAIT_FOR(ta_metric(&t, "drom_endpoint_accepted", "from") == N || ta_metric(&t, "drom_endpoint_accepted", NULL) == 2LL * N,
                20000);
    cr_assert_eq(ta_metric(&t, "drom_endpoint_received", NULL), N);
    te_free(&t);
}

struct killer {
    struct feed *f;
    int64_t at;
    int rc_kill, rc_start;
};

static void *kill_and_restart(void *arg)
{
    struct killer *k = arg;
    while (te_committed(k->f) < k->at) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    k->rc_kill = ta_ctl(NULL, "kill >/dev/null");
    k->rc_start = ta_ctl(NULL, "start >/dev/null");
    return NULL;
}

Test(amqp, broker_killed_mid_stream_loses_nothing_and_drops_replays, .timeout = 240)
{
    ta_broker_up();
    char q[200];
    ta_queue_name(q, sizeof q, "kill");
    enum { N = 50000 };
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin"
             "&amp;reconnectDelay=200&amp;maxReconnectDelay=1000\"/></route></routes>",
             q, ta_uri());
    struct te t = {0};
    ta_start(&t, xml, 0);
    struct feed *f = te_feed(&t, "feed");
    struct killer k = {.f = f, .at = N / 3};
    pthread_t th;
    pthread_create(&th, NULL, kill_and_restart, &k);
    ta_feed_range(f, q, 0, N);
    pthread_join(th, NULL);
    cr_assert_eq(k.rc_kill, 0);
    cr_assert_eq(k.rc_start, 0);
    TE_WAIT_FOR(te_committed(f) == N - 1, 120000);
    struct drom_route_status st = te_status(&t, "in");
    cr_assert_eq(st.failed, 0, "%s", st.last_error);
    cr_assert_geq(ta_metric(&t, "drom_endpoint_reconnects", NULL), 1, "the producer reconnected");
    cr_log_info("sent %lld for %d (resent after the kill: %lld)", ta_metric(&t, "drom_endpoint_sent", NULL), N,
                ta_metric(&t, "drom_endpoint_sent", NULL) - N);
    te_free(&t);

    /* Exactly N: what the broker had stored before the kill and we sent again was dropped. */
    cr_assert_eq(ta_queue_count(q), N);

    /* And in order, each once, read back by our consumer. */
    struct te r = {0};
    snprintf(xml, sizeof xml,
             "<routes><route id=\"out\"><from uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin\"/>"
             "<to uri=\"mock:check\"/></route></routes>",
             q, ta_uri());
    ta_start(&r, xml, 0);
    struct ta_check *c = ta_check(&r);
    TE_WAIT_FOR(atomic_load(&c->received) >= N, 120000);
    cr_assert_eq(atomic_load(&c->out_of_order), 0);
    cr_assert_eq(atomic_load(&c->dups), 0);
    TE_WAIT_FOR(ta_metric(&r, "drom_endpoint_accepted", NULL) == N, 20000);
    te_free(&r);
}
