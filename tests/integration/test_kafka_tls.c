/* The kafka component over TLS on the real test broker's SSL listener
 * (securityProtocol=SSL, sslTruststoreLocation = the CA that signed the
 * broker's certificate): producing and consuming, and a CA that did not
 * sign it: readiness off with the reason, nothing acknowledged or skipped. */
#include <sys/stat.h>

#include "tests/integration/test_kafka_util.h"
#include "tests/support/tlstest.h"

static bool not_ready_because(struct te *t, const char *needle, char *reason, size_t size)
{
    return !drom_engine_ready(t->eng, reason, size) && strstr(reason, needle) != NULL;
}

/* A self-signed CA of our own, which signed nothing the broker holds. */
static void other_ca(char *path, size_t size)
{
    char dir[128], cmd[1024];
    snprintf(dir, sizeof dir, "/tmp/drom-other-ca-%d", (int)getpid());
    mkdir(dir, 0700);
    snprintf(path, size, "%s/ca.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
             "-subj /CN=not-the-brokers-ca -keyout %s/ca.key -out %s >/dev/null 2>&1",
             dir, path);
    cr_assert_eq(system(cmd), 0, "openssl made a CA");
}

Test(kafka_tls, produce_and_consume_over_tls, .timeout = 90)
{
    enum { N = 500 };
    char topic[128];
    kt_topic(topic, sizeof topic, "tls");
    ts_create_topic(topic, 2, NULL);
    struct te t = {0};
    kt_run(&t, "<routes>"
           "<route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%L"
           "&amp;securityProtocol=SSL&amp;sslTruststoreLocation=%C\"/></route>"
           "<route id=\"in\"><from uri=\"kafka:%T?brokers=%L&amp;groupId=g-%T&amp;autoOffsetReset=earliest"
           "&amp;securityProtocol=SSL&amp;sslTruststoreLocation=%C\"/>"
           "<to uri=\"mock:check-tls-500\"/></route></routes>",
           topic);
    struct feed *f = te_feed(&t, "feed");
    for (int64_t i = 0; i < N; i++) {
        char body[32], key[8];
        snprintf(key, sizeof key, "k%d", (int)(i % 8));
        snprintf(body, sizeof body, "%s:%lld", key, (long long)i);
        cr_assert_eq(te_send_pos(f, body, i, "kafka.KEY", key), 0);
    }
    TE_WAIT_FOR(te_committed(f) == N - 1, 30000);
    struct kcheck *k = kt_check(&t, "check-tls-500");
    TE_WAIT_FOR(kcheck_missing(k) == 0, 30000);
    /* readiness follows the statistics, every second */
    char reason[256] = "";
    TE_WAIT_FOR(drom_engine_ready(t.eng, reason, sizeof reason), 10000);
    pthread_mutex_lock(&k->mu);
    cr_assert_eq(k->dups, 0);
    cr_assert_eq(k->disorder, 0);
    pthread_mutex_unlock(&k->mu);
    cr_assert_eq(te_status(&t, "out").failed, 0);
    te_free(&t);

    /* The records are in the topic as written (read on the plain listener). */
    int64_t n = N;
    struct kcheck *plain = kcheck_new(&n);
    kt_read_into(topic, plain, 30000);
    cr_assert_eq(kcheck_missing(plain), 0);
    kcheck_free(plain);
}

/* The CA file is KT_CA's. */
static const char consumer_xml[] =
    "<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%L&amp;groupId=g-%T&amp;autoOffsetReset=earliest"
    "&amp;securityProtocol=SSL&amp;sslTruststoreLocation={{env:KT_CA}}\"/>"
    "<to uri=\"mock:check-badca-20\"/></route></routes>";

Test(kafka_tls, a_wrong_ca_is_not_ready_and_loses_nothing, .timeout = 120)
{
    char topic[128], ca[256];
    kt_topic(topic, sizeof topic, "badca");
    ts_create_topic(topic, 1, NULL);
    other_ca(ca, sizeof ca);
    setenv("KT_CA", ca, 1);

    /* Producer: records wait, none is acknowledged to the source. */
    struct te t = {0};
    kt_run(&t, "<routes><route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%L"
           "&amp;securityProtocol=SSL&amp;sslTruststoreLocation={{env:KT_CA}}"
           "&amp;shutdownTimeout=1000\"/></route></routes>",
           topic);
    struct feed *f = te_feed(&t, "feed");
    for (int64_t i = 0; i < 5; i++)
        cr_assert_eq(te_send_pos(f, "k0:0", i, "kafka.KEY", "k0"), 0);
    char reason[512] = "";
    TE_WAIT_FOR(not_ready_because(&t, "certificate verify failed", reason, sizeof reason), 20000);
    cr_log_info("producer with the wrong CA: %s", reason);
    cr_assert_eq(te_committed(f), -1, "nothing acknowledged");
    pthread_mutex_lock(&f->mu);
    cr_assert_eq(f->done_ok, 0);
    pthread_mutex_unlock(&f->mu);
    te_free(&t);

    /* Consumer: not ready, nothing taken, nothing committed: the right CA
     * then reads every record in the same group. */
    kt_produce(topic, 0, 20, 1);
    struct te t2 = {0};
    kt_run(&t2, consumer_xml, topic);
    TE_WAIT_FOR(not_ready_because(&t2, "certificate verify failed", reason, sizeof reason), 20000);
    cr_assert_eq(kcheck_arrivals(kt_check(&t2, "check-badca-20")), 0);
    te_free(&t2);

    struct te t3 = {0};
    setenv("KT_CA", kt_ssl_ca(), 1);
    kt_run(&t3, consumer_xml, topic);
    struct kcheck *k = kt_check(&t3, "check-badca-20");
    TE_WAIT_FOR(kcheck_missing(k) == 0, 30000);
    cr_assert_eq(k->disorder, 0);
    te_free(&t3);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/drom-other-ca-%d", (int)getpid());
    cr_assert_eq(system(cmd), 0);
}

/* The listener that requires a client certificate of the test CA:
 * sslKeystoreLocation with the test client's certificate and key (one PEM
 * file) is let in; one of another CA is refused, and readiness says so. */
Test(kafka_tls, mutual_tls_needs_a_client_certificate_the_broker_trusts, .timeout = 90)
{
    enum { N = 20 };
    char topic[128];
    kt_topic(topic, sizeof topic, "mtls");
    ts_create_topic(topic, 1, NULL);
    setenv("KT_MTLS", tlst_need("KAFKA_MTLS_BROKERS"), 1);
    setenv("KT_CA", tlst_need("KAFKA_SSL_CA"), 1);
    setenv("KT_CERT", tlst_need("KAFKA_MTLS_CLIENT"), 1);
    static const char xml[] =
        "<routes><route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers={{env:KT_MTLS}}"
        "&amp;securityProtocol=SSL&amp;sslTruststoreLocation={{env:KT_CA}}&amp;sslKeystoreLocation={{env:KT_CERT}}"
        "&amp;shutdownTimeout=1000\"/></route></routes>";
    struct te t = {0};
    kt_run(&t, xml, topic);
    struct feed *f = te_feed(&t, "feed");
    for (int64_t i = 0; i < N; i++)
        cr_assert_eq(te_send_pos(f, "over mutual TLS", i, NULL, NULL), 0);
    TE_WAIT_FOR(te_committed(f) == N - 1, 30000);
    te_free(&t);

    char dir[64];
    tlst_mkdir(dir, sizeof dir, "kmtls");
    tlst_foreign_client(dir, "dromedary-client");
    tlst_sh("cat %s/other.pem %s/other.key > %s/client.pem", dir, dir, dir);
    char cert[128];
    snprintf(cert, sizeof cert, "%s/client.pem", dir);
    setenv("KT_CERT", cert, 1);
    struct te t2 = {0};
    kt_run(&t2, xml, topic);
    struct feed *f2 = te_feed(&t2, "feed");
    cr_assert_eq(te_send_pos(f2, "refused", 0, NULL, NULL), 0);
    char reason[1024] = "";
    TE_WAIT_FOR(not_ready_because(&t2, "refused the client certificate sslKeystoreLocation=", reason, sizeof reason),
                20000);
    cr_log_info("foreign client certificate: %s", reason);
    cr_assert(strstr(reason, tlst_need("KAFKA_MTLS_BROKERS")), "names the broker: %s", reason);
    cr_assert_eq(te_committed(f2), -1, "nothing acknowledged");
    te_free(&t2);
    tlst_rmdir(dir);
}

/* A broker whose certificate has expired (the test broker's EXPIRED
 * listener): librdkafka says only "certificate verify failed"; readiness
 * says which certificate and why. */
Test(kafka_tls, an_expired_broker_certificate_is_named, .timeout = 60)
{
    char topic[128];
    kt_topic(topic, sizeof topic, "expired");
    setenv("KT_EXPIRED", tlst_need("KAFKA_EXPIRED_BROKERS"), 1);
    setenv("KT_CA", tlst_need("KAFKA_SSL_CA"), 1);
    struct te t = {0};
    kt_run(&t,
           "<routes><route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers={{env:KT_EXPIRED}}"
           "&amp;securityProtocol=SSL&amp;sslTruststoreLocation={{env:KT_CA}}&amp;shutdownTimeout=1000\"/>"
           "</route></routes>",
           topic);
    struct feed *f = te_feed(&t, "feed");
    cr_assert_eq(te_send_pos(f, "never", 0, NULL, NULL), 0);
    char reason[1024] = "", want[160];
    snprintf(want, sizeof want, "the certificate of the broker at %s has expired", tlst_need("KAFKA_EXPIRED_BROKERS"));
    TE_WAIT_FOR(not_ready_because(&t, want, reason, sizeof reason), 20000);
    cr_log_info("expired: %s", reason);
    cr_assert_eq(te_committed(f), -1, "nothing acknowledged");
    te_free(&t);
}
