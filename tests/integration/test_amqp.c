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
    xml = drom_buf_take(&b);
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
