/* The kafka component without a real broker: options -> librdkafka
 * properties, refused properties, the header filter, and delivery faults
 * injected with librdkafka's mock cluster (the real broker's tests are in
 * tests/integration/test_kafka*.c). */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include "compiler/secrets.h"
#include "components/kafka/kafka.h"
#include "components/registry.h"
#include "test_engine_util.h"

static const struct drom_optset *endpoint_opts(struct te *t, const char *uri)
{
    char xml[2048];
    snprintf(xml, sizeof xml, "<routes><route><from uri=\"timer:t\"/><to uri=\"%s\"/></route></routes>", uri);
    te_compile(t, xml);
    return &t->graph.routes[0].steps[0].endpoint->opts;
}

/* The endpoint's conf filled as dromd fills it, then the client's configuration. */
static rd_kafka_conf_t *build(const struct drom_optset *o, enum kafka_role role, struct drom_error *err)
{
    const struct drom_component *k = drom_registry_find("kafka");
    void *conf = drom_conf_new(k->options, k->conf_size, o, k->name, err);
    cr_assert_not_null(conf, "%s", err->msg);
    rd_kafka_conf_t *rc = kafka_conf_build(conf, role, err);
    drom_conf_free(k->options, conf);
    return rc;
}

static void expect_prop(rd_kafka_conf_t *conf, const char *name, const char *want)
{
    char val[512];
    size_t n = sizeof val;
    cr_assert_eq(rd_kafka_conf_get(conf, name, val, &n), RD_KAFKA_CONF_OK, "%s is known", name);
    cr_assert_str_eq(val, want, "%s", name);
}

Test(kafka_conf, producer_defaults_and_options)
{
    struct te t = {0};
    const struct drom_optset *o = endpoint_opts(
        &t, "kafka:t?brokers=b1:9092,b2:9092&amp;lingerMs=7&amp;compressionCodec=lz4&amp;producerBatchSize=64k"
            "&amp;securityProtocol=SASL_PLAINTEXT&amp;saslMechanism=PLAIN&amp;saslJaasConfig="
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=&quot;u1&quot; "
            "password=&quot;p1&quot;;&amp;additionalProperties.socket.keepalive.enable=true");
    struct drom_placeholder_ctx ph = {0};
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_resolve_secrets(&t.graph, &ph, &err), 0, "%s", err.msg);
    rd_kafka_conf_t *conf = build(o, KAFKA_PRODUCER, &err);
    cr_assert_not_null(conf, "%s", err.msg);
    expect_prop(conf, "bootstrap.servers", "b1:9092,b2:9092");
    expect_prop(conf, "linger.ms", "7");
    expect_prop(conf, "compression.codec", "lz4");
    expect_prop(conf, "batch.size", "65536");
    expect_prop(conf, "enable.idempotence", "true");
    expect_prop(conf, "acks", "-1");
    expect_prop(conf, "message.timeout.ms", "0");
    expect_prop(conf, "max.in.flight.requests.per.connection", "5");
    expect_prop(conf, "partitioner", "murmur2_random");
    expect_prop(conf, "security.protocol", "sasl_plaintext");
    expect_prop(conf, "sasl.mechanisms", "PLAIN");
    expect_prop(conf, "sasl.username", "u1");
    expect_prop(conf, "socket.keepalive.enable", "true");
    rd_kafka_conf_destroy(conf);
    te_free(&t);
}

Test(kafka_conf, consumer_never_commits_by_itself)
{
    struct te t = {0};
    const struct drom_optset *o = endpoint_opts(
        &t, "kafka:t?brokers=b:1&amp;groupId=g1&amp;autoOffsetReset=none&amp;sessionTimeoutMs=45s");
    struct drom_error err = {0};
    rd_kafka_conf_t *conf = build(o, KAFKA_CONSUMER, &err);
    cr_assert_not_null(conf, "%s", err.msg);
    expect_prop(conf, "group.id", "g1");
    expect_prop(conf, "enable.auto.commit", "false");
    expect_prop(conf, "enable.auto.offset.store", "false");
    expect_prop(conf, "auto.offset.reset", "error");
    expect_prop(conf, "session.timeout.ms", "45000");
    rd_kafka_conf_destroy(conf);
    te_free(&t);
}

static void compile_fails(const char *uri, const char *needle)
{
    char xml[2048];
    snprintf(xml, sizeof xml, "<routes><route><from uri=\"timer:t\"/><to uri=\"%s\"/></route></routes>", uri);
    struct drom_graph g = {0};
    struct drom_diags d = DROM_DIAGS_INIT;
    cr_assert_lt(drom_compile_mem(xml, strlen(xml), "k.xml", NULL, &g, &d), 0, "%s is refused", uri);
    struct drom_error err = {0};
    drom_diags_first_error(&d, &err);
    cr_assert(strstr(err.msg, needle), "'%s' in: %s", needle, err.msg);
    drom_diags_free(&d);
}

Test(kafka_conf, code_loading_and_bad_properties_fail_to_compile)
{
    compile_fails("kafka:t?brokers=b:1&amp;additionalProperties.plugin.library.paths=/tmp/x.so", "refused");
    compile_fails("kafka:t?brokers=b:1&amp;additionalProperties.sasl.kerberos.kinit.cmd=touch /tmp/p", "refused");
    compile_fails("kafka:t?brokers=b:1&amp;additionalProperties.no.such.property=1", "no.such.property");
    compile_fails("kafka:t?brokers=b:1&amp;additionalProperties.linger.ms=-5", "linger.ms");
}

/* A store file with the given first bytes, under /tmp. */
static void store_file(char *path, size_t size, const char *name, const void *head, size_t n)
{
    snprintf(path, size, "/tmp/drom-%s-%d", name, (int)getpid());
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(head, 1, n, fp), n);
    fclose(fp);
}

/* kafka_conf_build for `uri` with "%s" replaced by `file`: it must succeed
 * and set each (property, value) of the NULL-ended `props`. */
static void tls_accepted(const char *uri, const char *file, const char *const *props)
{
    char full[1024];
    snprintf(full, sizeof full, uri, file);
    struct te t = {0};
    struct drom_error err = {0};
    rd_kafka_conf_t *conf = build(endpoint_opts(&t, full), KAFKA_PRODUCER, &err);
    cr_assert_not_null(conf, "%s: %s", full, err.msg);
    for (; props && *props; props += 2)
        expect_prop(conf, props[0], props[1]);
    rd_kafka_conf_destroy(conf);
    te_free(&t);
}

/* ... or be refused by the compiler (which looks at the files with the
 * same code the client's configuration uses) with both needles. */
static void tls_refused(const char *uri, const char *file, const char *needle, const char *needle2)
{
    char full[1024];
    snprintf(full, sizeof full, uri, file);
    char xml[1400];
    snprintf(xml, sizeof xml, "<routes><route><from uri=\"timer:t\"/><to uri=\"%s\"/></route></routes>", full);
    int rc;
    char *text = te_compile_msgs(xml, &rc);
    cr_assert_eq(rc, -1, "%s is refused by the compiler", full);
    cr_assert(strstr(text, needle) && strstr(text, needle2), "'%s', '%s' in: %s", needle, needle2, text);
    free(text);
}

#define SSL_URI "kafka:t?brokers=b:1&amp;securityProtocol=SSL"

Test(kafka_conf, tls_files_are_told_apart_by_content)
{
    static const unsigned char jks[] = {0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2};
    static const unsigned char p12[] = {0x30, 0x82, 0x09, 0x00};
    char pem_path[128], jks_path[128], p12_path[128];
    /* a real certificate and its key: the compiler parses PEM files */
    snprintf(pem_path, sizeof pem_path, "/tmp/drom-pem-%d", (int)getpid());
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=t "
             "-keyout %s.key -out %s >/dev/null 2>&1 && cat %s.key >> %s && rm -f %s.key",
             pem_path, pem_path, pem_path, pem_path, pem_path);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    store_file(jks_path, sizeof jks_path, "jks", jks, sizeof jks);
    store_file(p12_path, sizeof p12_path, "p12", p12, sizeof p12);

    tls_accepted(SSL_URI "&amp;sslTruststoreLocation=%s", pem_path,
                 (const char *const[]){"security.protocol", "ssl", "ssl.ca.location", pem_path,
                                       "ssl.endpoint.identification.algorithm", "https", NULL});
    /* a PEM keystore holds certificate and key; an empty sslEndpointAlgorithm turns the check off, as in Camel */
    tls_accepted("kafka:t?brokers=b:1&amp;securityProtocol=SASL_SSL&amp;sslKeystoreLocation=%s"
                 "&amp;sslKeyPassword=kp&amp;sslEndpointAlgorithm=",
                 pem_path,
                 (const char *const[]){"ssl.certificate.location", pem_path, "ssl.key.location", pem_path,
                                       "ssl.endpoint.identification.algorithm", "none", NULL});
    tls_accepted(SSL_URI "&amp;sslKeystoreLocation=%s&amp;sslKeystorePassword=sp", p12_path,
                 (const char *const[]){"ssl.keystore.location", p12_path, NULL});
    /* a plaintext endpoint does not look at the files */
    tls_accepted("kafka:t?brokers=b:1&amp;sslTruststoreLocation=%s", jks_path, NULL);

    /* Java stores are refused with the way out */
    tls_refused(SSL_URI "&amp;sslTruststoreLocation=%s", jks_path, "sslTruststoreLocation: /tmp/drom-jks",
                "is a Java key store; give the CA certificates as a PEM file (keytool -exportcert -rfc");
    tls_refused(SSL_URI "&amp;sslTruststoreLocation=%s", p12_path, "is PKCS#12", "openssl pkcs12 -in");
    tls_refused(SSL_URI "&amp;sslKeystoreLocation=%s", jks_path, "sslKeystoreLocation", "-deststoretype PKCS12");
    tls_refused(SSL_URI "&amp;sslTruststoreLocation=%s", "/nonexistent/ca.pem", "cannot read /nonexistent/ca.pem",
                "No such file");

    unlink(pem_path);
    unlink(jks_path);
    unlink(p12_path);
}

Test(kafka_headers, camel_and_control_headers_stay_inside)
{
    struct drom_exchange *ex = drom_exchange_new();
    drom_headers_set_str(&ex->headers, "DromEventId", "1:f:4:0");
    drom_headers_set_str(&ex->headers, "CamelDebeziumKey", "x");
    drom_headers_set_str(&ex->headers, "camelLower", "x");
    drom_headers_set_str(&ex->headers, "org.apache.camel.X", "x");
    drom_headers_set_str(&ex->headers, "kafka.KEY", "x");
    drom_headers_set_int(&ex->headers, "n", -7);
    drom_headers_set_bool(&ex->headers, "b", true);
    struct drom_value nul = {.type = DROM_V_NULL};
    drom_headers_set(&ex->headers, "empty", &nul);
    rd_kafka_headers_t *h = kafka_headers_from_exchange(ex);
    cr_assert_eq(rd_kafka_header_cnt(h), 4);
    const void *v;
    size_t len;
    cr_assert_eq(rd_kafka_header_get_last(h, "DromEventId", &v, &len), 0);
    cr_assert_eq(len, 7);
    cr_assert_eq(memcmp(v, "1:f:4:0", 7), 0);
    cr_assert_eq(rd_kafka_header_get_last(h, "n", &v, &len), 0);
    cr_assert_eq(memcmp(v, "-7", 2), 0);
    cr_assert_eq(rd_kafka_header_get_last(h, "empty", &v, &len), 0);
    cr_assert_null(v);
    cr_assert_neq(rd_kafka_header_get_last(h, "CamelDebeziumKey", &v, &len), 0);
    rd_kafka_headers_destroy(h);
    drom_exchange_free(ex);
    cr_assert(kafka_utf8_valid("h\xc3\xa9", 3));
    cr_assert_not(kafka_utf8_valid("\xff", 1));
    cr_assert_not(kafka_utf8_valid("\xc3", 1));
    cr_assert_not(kafka_utf8_valid("\xed\xa0\x80", 3), "no surrogates");
}

/* --- the mock cluster --- */

enum { API_PRODUCE = 0 };   /* Kafka's ApiKey of Produce requests */

struct mock_kafka {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    char brokers[256];
};

static void mock_up(struct mock_kafka *m)
{
    char why[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", why, sizeof why);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    cr_assert_not_null(m->rk, "%s", why);
    m->mc = rd_kafka_mock_cluster_new(m->rk, 3);
    cr_assert_not_null(m->mc);
    snprintf(m->brokers, sizeof m->brokers, "%s", rd_kafka_mock_cluster_bootstraps(m->mc));
    cr_assert_eq(rd_kafka_mock_topic_create(m->mc, "t", 3, 3), 0);
}

static void mock_down(struct mock_kafka *m)
{
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->rk);
}

static void start_on_mock(struct te *t, struct mock_kafka *m, const char *extra, const char *tail)
{
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"r\">%s<from uri=\"timer:feed\"/><to uri=\"kafka:t?brokers=%s%s\"/>"
             "<to uri=\"mock:done\"/></route></routes>",
             tail, m->brokers, extra);
    te_compile(t, xml);
    te_patch(t, "timer:feed", &te_feed_component);
    te_start(t);
}

static void send_n(struct feed *f, int from, int n)
{
    for (int i = from; i < from + n; i++) {
        char body[32], key[16];
        snprintf(key, sizeof key, "k%d", i % 5);
        snprintf(body, sizeof body, "%s:%d", key, i);
        struct drom_exchange *ex = drom_exchange_new();
        drom_exchange_set_body_str(ex, body, NULL);
        drom_headers_set_str(&ex->headers, "kafka.KEY", key);
        int64_t *p = malloc(sizeof *p);
        *p = i;
        struct drom_error err = {0};
        cr_assert_eq(drom_consumer_submit(f->ep, ex, p, &err), 0, "%s", err.msg);
    }
}

/* Transient produce errors (leader moves, timeouts) are retried inside
 * librdkafka: every exchange completes DONE, per key in order. */
Test(kafka_mock, transient_errors_are_retried_in_order, .timeout = 60)
{
    struct mock_kafka m;
    mock_up(&m);
    rd_kafka_mock_push_request_errors(m.mc, API_PRODUCE, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
    struct te t = {0};
    start_on_mock(&t, &m, "", "");
    struct feed *f = te_feed(&t, "feed");
    send_n(f, 0, 500);
    struct drom_mock *done = te_mock(&t, "done");
    cr_assert_eq(drom_mock_wait(done, 500, 30000), 0);
    TE_WAIT_FOR(te_committed(f) == 499, 10000);
    int last[5] = {-1, -1, -1, -1, -1};
    for (size_t i = 0; i < 500; i++) {
        char *b = drom_mock_body(done, i);
        int k, seq;
        cr_assert_eq(sscanf(b, "k%d:%d", &k, &seq), 2);
        cr_assert_gt(seq, last[k], "key k%d in order", k);
        last[k] = seq;
        free(b);
    }
    struct drom_exchange *ex = drom_mock_exchange(done, 0);
    cr_assert_not_null(drom_exchange_header(ex, "kafka.RECORD_META"), "recordMetadata=true");
    drom_exchange_free(ex);
    cr_assert_eq(te_status(&t, "r").failed, 0);
    te_free(&t);
    mock_down(&m);
}

/* A permanent error reaches the route's error handler: dead-lettered,
 * never dropped in silence. */
Test(kafka_mock, a_permanent_error_goes_to_the_error_handler, .timeout = 60)
{
    struct mock_kafka m;
    mock_up(&m);
    struct te t = {0};
    start_on_mock(&t, &m, "&amp;enableIdempotence=false&amp;retries=0",
                  "<errorHandler><deadLetterChannel deadLetterUri=\"mock:dlq\"/></errorHandler>");
    struct feed *f = te_feed(&t, "feed");
    send_n(f, 0, 10);
    struct drom_mock *done = te_mock(&t, "done");
    cr_assert_eq(drom_mock_wait(done, 10, 30000), 0);
    rd_kafka_mock_push_request_errors(m.mc, API_PRODUCE, 1, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    send_n(f, 10, 1);
    struct drom_mock *dlq = te_mock(&t, "dlq");
    cr_assert_eq(drom_mock_wait(dlq, 1, 30000), 0, "the failed record was dead-lettered");
    struct drom_exchange *ex = drom_mock_exchange(dlq, 0);
    cr_assert_str_eq(drom_exchange_body(ex, NULL), "k0:10");
    cr_assert(ex->exception && strstr(ex->exception, "uthoriz"), "the error says why: %s",
              ex->exception ? ex->exception : "(none)");
    drom_exchange_free(ex);
    TE_WAIT_FOR(te_committed(f) == 10, 10000);
    te_free(&t);
    mock_down(&m);
}

/* All brokers down: readiness goes off with a reason, records wait (no
 * failure), and everything is delivered when the brokers return. */
Test(kafka_mock, brokers_down_then_back, .timeout = 60)
{
    struct mock_kafka m;
    mock_up(&m);
    struct te t = {0};
    start_on_mock(&t, &m, "", "");
    struct feed *f = te_feed(&t, "feed");
    char reason[512];
    TE_WAIT_FOR(drom_engine_ready(t.eng, reason, sizeof reason), 10000);
    for (int b = 1; b <= 3; b++)
        rd_kafka_mock_broker_set_down(m.mc, b);
    send_n(f, 0, 50);
    TE_WAIT_FOR(!drom_engine_ready(t.eng, reason, sizeof reason), 20000);
    cr_assert_lt(te_committed(f), 49);
    for (int b = 1; b <= 3; b++)
        rd_kafka_mock_broker_set_up(m.mc, b);
    TE_WAIT_FOR(te_committed(f) == 49, 30000);
    TE_WAIT_FOR(drom_engine_ready(t.eng, reason, sizeof reason), 10000);
    cr_assert_eq(te_status(&t, "r").failed, 0);
    te_free(&t);
    mock_down(&m);
}

/* What the endpoint says it holds: its /status JSON contains `want`. */
static bool endpoints_show(struct te *t, const char *want)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_endpoints_json(t->eng, &b);
    bool found = strstr(drom_buf_cstr(&b), want) != NULL;
    drom_buf_free(&b);
    return found;
}

/* A group consumer tells the engine the partitions its members hold
 * (/routes, /status, /metrics), and that it holds none once stopped. */
Test(kafka_mock, a_consumer_tells_the_partitions_it_holds, .timeout = 60)
{
    struct mock_kafka m;
    mock_up(&m);
    struct te t = {0};
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"c\"><from uri=\"kafka:t?brokers=%s&amp;groupId=held&amp;consumersCount=2\"/>"
             "<to uri=\"mock:got\"/></route></routes>",
             m.brokers);
    te_compile(&t, xml);
    te_start(&t);
    TE_WAIT_FOR(endpoints_show(&t, "\"partitions\":{\"t\":[0,1,2]}"), 30000);
    cr_assert(endpoints_show(&t, "\"consumer_rebalances\":"));
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(t.eng, &b);
    cr_assert_eq(ts_metric(drom_buf_cstr(&b), "drom_endpoint_consumer_partitions{routeId=\"c\",endpoint=\"kafka:t?"),
                 3, "%s", b.data);
    cr_assert(strstr(b.data, "groupId=held&consumersCount=2\",topic=\"t\"} 3\n"), "%s", b.data);
    drom_buf_free(&b);
    struct drom_error err = {0};
    drom_engine_stop(t.eng, 5000, &err);
    cr_assert(endpoints_show(&t, "\"partitions\":{\"t\":[]}"), "nothing held once stopped");
    te_free(&t);
    mock_down(&m);
}
