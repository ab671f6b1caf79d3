/* The seed pipeline run by dromd against the test Kafka's SASL listener with
 * a wrong password, and against its SSL listener with a CA that did not sign
 * the broker, and against its listener that needs a client certificate with
 * one of another CA: /health/ready 503 naming the kafka endpoint and what the
 * broker answered, /routes and the log say it too, no secret anywhere. The
 * fault is fixed as an operator does it: the mounted file (the password
 * read through {{file:..}}, the CA file) is corrected and dromd reloaded
 * (SIGHUP), without a restart; every change written meanwhile then arrives
 * once. A broker whose certificate has expired is fixed on the broker: it
 * renews its certificate, and dromd reconnects by itself, neither reloaded
 * nor restarted. */
#include <errno.h>
#include <signal.h>

#include "e2e_util.h"
#include "tests/support/tlstest.h"

#define WRONG_PW "e2e-wrong-kafka-pw"

struct fault {
    const char *name;
    unsigned server_id;
    const char *protocol;   /* securityProtocol */
    const char *brokers;    /* env of the listener */
    const char *extra;      /* properties added; %s is the test's dir */
    const char *want;       /* in /health/ready while the fault lasts */
    void (*make)(const struct e2e *t);   /* the fault, before dromd starts */
    void (*fix)(const struct e2e *t);    /* the operator's fix of the file */
    bool broker_side;   /* the fix is on the broker: dromd is not reloaded */
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* The shipped properties with the fault's Kafka settings, as t->props. */
static void write_props(struct e2e *t, const struct fault *x, char *path, size_t size)
{
    char *src = ts_slurp("routes/cdc-pipeline.properties");
    cr_assert(src && strstr(src, "{{env:KAFKA_BROKERS:127.0.0.1:9092}}"), "routes/cdc-pipeline.properties as expected");
    /* the test's own admin client keeps the plain listener of KAFKA_BROKERS */
    char *a = e2e_replace_all(src, "{{env:KAFKA_BROKERS:127.0.0.1:9092}}", "{{env:E2E_KAFKA_BROKERS}}");
    char extra[1024];
    snprintf(extra, sizeof extra, x->extra, t->dir);
    snprintf(path, size, "%s/pipeline.properties", t->dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "%s\n%s", a, extra);
    fclose(f);
    free(src);
    free(a);
    t->props = path;
    setenv("E2E_KAFKA_BROKERS", tlst_need(x->brokers), 1);
    setenv("KAFKA_SECURITY_PROTOCOL", x->protocol, 1);
}

static bool has_secret(const char *text)
{
    return text && (strstr(text, WRONG_PW) || strstr(text, getenv("KAFKA_SASL_PASSWORD")));
}

static void refused_then_fixed(const struct fault *x)
{
    struct e2e t;
    e2e_init(&t, x->name, x->server_id, 1);
    char props[256];
    write_props(&t, x, props, sizeof props);
    x->make(&t);
    e2e_launch(&t);
    char *body = NULL;
    long long end = ts_now_ms() + 45000;
    int st = -1;
    while (ts_now_ms() < end) {
        free(body);
        st = e2e_http(&t, "/health/ready", &body);
        if (st == 503 && body && strstr(body, x->want))
            break;
        proc_pause_ms(100);
    }
    cr_log_info("/health/ready %d: %s", st, body ? body : "");
    cr_assert_eq(st, 503, "not ready while the broker refuses us");
    cr_assert(body && strstr(body, x->want), "the reason says '%s': %s", x->want, body ? body : "");
    cr_assert(strstr(body, "kafka:"), "the reason names the kafka endpoint: %s", body);
    cr_assert(strstr(body, tlst_need(x->brokers)), "and the broker: %s", body);
    cr_assert_not(has_secret(body), "no password in /health/ready: %s", body);
    free(body);
    e2e_insert_customers(t.db, 1);
    char *routes = NULL;
    cr_assert_eq(e2e_http(&t, "/routes", &routes), 200);
    cr_log_info("/routes: %s", routes);
    cr_assert(strstr(routes, x->want), "/routes (dromd status) has it as a route's lastError: %s", routes);
    cr_assert_not(has_secret(routes), "no password in /routes");
    free(routes);
    /* the changes are held back, not dropped: the route stays down and the
     * queue empty (the exact count once healed shows none was lost) */
    cr_assert_eq(e2e_http(&t, "/health/ready", NULL), 503, "still not ready with changes waiting");
    cr_assert_eq(e2e_queue_count(&t), 0, "nothing reaches the queue while the broker refuses us");
    static const char *const paths[] = {"/metrics", "/health/live", "/graph"};
    for (size_t i = 0; i < 3; i++) {
        char *b = NULL;
        e2e_http(&t, paths[i], &b);
        cr_assert_not(has_secret(b), "no password in %s", paths[i]);
        free(b);
    }
    x->fix(&t);
    if (!x->broker_side)
        kill(t.pid, SIGHUP);
    cr_assert(e2e_wait_ready(&t, 200, 60000), "ready once the fault is fixed (%s)",
              x->broker_side ? "on the broker, dromd left alone" : "the file, and dromd reloaded");
    e2e_insert_customers(t.db, 4);
    e2e_expect_customers(&t, 1, 6);
    cr_assert(e2e_alive(&t), "the same dromd process throughout");
    cr_assert_eq(t.starts, 1);
    char *log = ts_slurp(t.log);
    cr_assert(strstr(log, x->want), "the log says it too");
    cr_assert_not(has_secret(log), "no password in the log");
    free(log);
    e2e_finish(&t);
}

static void password_file(const struct e2e *t, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/kafka-password", t->dir);
    write_file(path, text);
}

static void wrong_password(const struct e2e *t)
{
    password_file(t, WRONG_PW "\n");
}

static void right_password(const struct e2e *t)
{
    password_file(t, tlst_need("KAFKA_SASL_PASSWORD"));
}

Test(e2e_kafka_refusals, wrong_sasl_password_then_fixed_file_and_reload, .timeout = 240)
{
    char want[200];
    snprintf(want, sizeof want, "refused the login of user '%s' (SASL PLAIN: ", tlst_need("KAFKA_SASL_USER"));
    struct fault x = {
        .name = "kafkapw", .server_id = 7751, .protocol = "SASL_PLAINTEXT", .brokers = "KAFKA_SASL_BROKERS",
        .extra = "camel.component.kafka.saslMechanism=PLAIN\n"
                 "camel.component.kafka.saslUsername={{env:KAFKA_SASL_USER}}\n"
                 "camel.component.kafka.saslPassword={{file:%s/kafka-password}}\n",
        .want = want, .make = wrong_password, .fix = right_password};
    refused_then_fixed(&x);
}

/* The trust store the shipped properties read from KAFKA_SSL_CA: first a CA
 * of the test's own, then the one that signed the broker copied over it. */
static void foreign_ca(const struct e2e *t)
{
    tlst_sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
            "-subj /CN=not-the-brokers-ca -keyout %s/other.key -out %s/ca.pem >/dev/null 2>&1",
            t->dir, t->dir);
    char path[256];
    snprintf(path, sizeof path, "%s/ca.pem", t->dir);
    setenv("KAFKA_SSL_CA_OF_BROKER", tlst_need("KAFKA_SSL_CA"), 1);
    setenv("KAFKA_SSL_CA", path, 1);
}

static void right_ca(const struct e2e *t)
{
    tlst_sh("cp %s %s/ca.pem", getenv("KAFKA_SSL_CA_OF_BROKER"), t->dir);
}

Test(e2e_kafka_refusals, wrong_ca_then_fixed_file_and_reload, .timeout = 240)
{
    struct fault x = {
        .name = "kafkaca", .server_id = 7752, .protocol = "SSL", .brokers = "KAFKA_SSL_BROKERS", .extra = "",
        .want = "does not verify against sslTruststoreLocation=", .make = foreign_ca, .fix = right_ca};
    refused_then_fixed(&x);
}

/* The client certificate (and key, one PEM file) the shipped properties read
 * from KAFKA_SSL_KEYSTORE: first one of another CA, which the listener that
 * needs client authentication refuses, then the test client's copied over. */
static void foreign_client(const struct e2e *t)
{
    tlst_foreign_client(t->dir, "dromedary-client");
    tlst_sh("cat %s/other.pem %s/other.key > %s/client.pem", t->dir, t->dir, t->dir);
    char path[256];
    snprintf(path, sizeof path, "%s/client.pem", t->dir);
    setenv("KAFKA_SSL_KEYSTORE", path, 1);
}

static void right_client(const struct e2e *t)
{
    tlst_sh("cp %s %s/client.pem", tlst_need("KAFKA_MTLS_CLIENT"), t->dir);
}

Test(e2e_kafka_refusals, foreign_client_certificate_then_fixed_file_and_reload, .timeout = 240)
{
    struct fault x = {
        .name = "kafkacert", .server_id = 7753, .protocol = "SSL", .brokers = "KAFKA_MTLS_BROKERS", .extra = "",
        .want = "refused the client certificate sslKeystoreLocation=", .make = foreign_client, .fix = right_client};
    refused_then_fixed(&x);
}

/* The EXPIRED listener's certificate renewed by the broker (same key, CA,
 * subject and SANs), and put back expired after the test, passed or not, so
 * kafka_tls and a re-run still meet an expired certificate. */
static void renew_broker_certificate(const struct e2e *t)
{
    cr_assert_eq(ts_ctl(t->log, "kafka", "renew-expired"), 0, "tests/services/kafka/ctl renew-expired (log %s)",
                 t->log);
}

static void expire_broker_certificate(void)
{
    if (ts_ctl(NULL, "kafka", "expire-expired") != 0)
        e2e_say("tests/services/kafka/ctl expire-expired failed: the EXPIRED listener may stay valid");
}

static void no_file_fault(const struct e2e *t)
{
    (void)t;
}

Test(e2e_kafka_refusals, expired_broker_certificate_then_renewed_on_the_broker, .timeout = 240,
     .fini = expire_broker_certificate)
{
    char want[200];
    snprintf(want, sizeof want, "the certificate of the broker at %s has expired", tlst_need("KAFKA_EXPIRED_BROKERS"));
    struct fault x = {
        .name = "kafkaexp", .server_id = 7754, .protocol = "SSL", .brokers = "KAFKA_EXPIRED_BROKERS", .extra = "",
        .want = want, .make = no_file_fault, .fix = renew_broker_certificate, .broker_side = true};
    refused_then_fixed(&x);
}
