/* amqps:// to the test Artemis' TLS acceptor, which needs a client
 * certificate signed by its CA (tests/services/artemis/ctl): mutual TLS
 * with SASL PLAIN or EXTERNAL, and each refusal said with the fix: no or a
 * foreign client certificate, a broker certificate the CA does not sign, a
 * user the broker does not know. Each heals without a restart (the user
 * added on the broker, the certificate files corrected on disk), and every
 * message sent meanwhile arrives once. */
#include <proton/sasl.h>

#include "test_amqp_util.h"
#include "tests/support/tlstest.h"

static char dir[128];

static void setup(void)
{
    ta_broker_up();
    tlst_mkdir(dir, sizeof dir, "amtls");
    tlst_foreign_client(dir, "dromedary-amqp-client");
}

static void teardown(void)
{
    tlst_rmdir(dir);
}

TestSuite(amqp_mtls, .init = setup, .fini = teardown, .timeout = 120);

struct run {
    struct te t;
    struct feed *f;
    char queue[160];
};

/* A route from the test's feed to a queue of its own on the TLS acceptor
 * (on the plain one with `plain`). */
static void start_at(struct run *r, const char *what, const char *opts, bool plain)
{
    ta_queue_name(r->queue, sizeof r->queue, what);
    char xml[4096], trust[600];
    snprintf(trust, sizeof trust, "&amp;sslTrustStore=%s", tlst_need("ARTEMIS_TLS_CA"));
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s%s&amp;reconnectDelay=200"
             "&amp;maxReconnectDelay=500%s\"/></route></routes>",
             r->queue, plain ? ta_uri() : tlst_need("ARTEMIS_TLS_URI"), plain ? "" : trust, opts);
    memset(&r->t, 0, sizeof r->t);
    ta_start(&r->t, xml, 0);
    r->f = te_feed(&r->t, "feed");
}

static void start(struct run *r, const char *what, const char *opts)
{
    start_at(r, what, opts, false);
}

static void stop(struct run *r)
{
    struct drom_error err = {0};
    drom_engine_stop(r->t.eng, 2000, &err);
    te_free(&r->t);
}

/* Messages 0..n-1 committed (accepted by the broker) within the deadline. */
static void sent(struct run *r, long long n)
{
    int64_t deadline = ts_now_ms() + 20000;
    char reason[1024] = "";
    while (te_committed(r->f) < n - 1 && ts_now_ms() < deadline) {
        drom_engine_ready(r->t.eng, reason, sizeof reason);
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    cr_assert_eq(te_committed(r->f), n - 1, "%lld messages accepted (%s)", n, reason);
}

/* Not ready, for a reason holding `what`, the endpoint and no secret. */
static void refused_at(struct run *r, const char *what, const char *uri)
{
    char reason[1024] = "";
    int64_t deadline = ts_now_ms() + 20000;
    while (ts_now_ms() < deadline) {
        if (!drom_engine_ready(r->t.eng, reason, sizeof reason) && strstr(reason, what))
            break;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    cr_log_info("%s", reason);
    cr_assert(strstr(reason, what), "'%s' in: %s", what, reason);
    cr_assert(strstr(reason, uri), "the reason names the broker %s: %s", uri, reason);
    cr_assert_null(strstr(reason, "tls-secret"), "no password: %s", reason);
    cr_assert_eq(te_committed(r->f), -1, "nothing accepted");
}

static void refused(struct run *r, const char *what)
{
    refused_at(r, what, tlst_need("ARTEMIS_TLS_URI"));
}

/* Options `login` plus the test CA's client certificate and key. */
static void with_client_cert(char *opts, size_t size, const char *login)
{
    snprintf(opts, size, "%s&amp;sslCert=%s&amp;sslKey=%s", login, tlst_need("ARTEMIS_TLS_CLIENT_CERT"),
             tlst_need("ARTEMIS_TLS_CLIENT_KEY"));
}

/* A route with `opts` puts n messages on its queue. */
static void delivers(const char *name, const char *opts, int n)
{
    struct run r;
    start(&r, name, opts);
    ta_feed_range(r.f, r.queue, 0, n);
    sent(&r, n);
    stop(&r);
    cr_assert_eq(ta_queue_count(r.queue), n, "the %d messages are on the queue", n);
}

Test(amqp_mtls, client_certificate_with_plain_login)
{
    char opts[1024];
    with_client_cert(opts, sizeof opts, "&amp;username=admin&amp;password=admin");
    delivers("mtls", opts, 5);
}

Test(amqp_mtls, external_logs_in_with_the_certificate)
{
    char opts[1024];
    with_client_cert(opts, sizeof opts, "&amp;amqp.saslMechanisms=EXTERNAL");
    delivers("external", opts, 3);
}

Test(amqp_mtls, no_client_certificate_is_refused)
{
    struct run r;
    start(&r, "nocert", "&amp;username=admin&amp;password=tls-secret");
    ta_feed_range(r.f, r.queue, 0, 1);
    refused(&r, "refused the client certificate sslCert=(none)");
    stop(&r);
}

/* The client certificate file holds one of another CA; once the right one
 * is copied over it, the next reconnection uses it and every message held
 * meanwhile arrives once. */
Test(amqp_mtls, foreign_client_certificate_is_refused_then_replaced)
{
    tlst_sh("cp %s/other.pem %s/cur.pem && cp %s/other.key %s/cur.key", dir, dir, dir, dir);
    struct run r;
    char opts[1024];
    snprintf(opts, sizeof opts, "&amp;username=admin&amp;password=tls-secret&amp;sslCert=%s/cur.pem&amp;sslKey=%s/cur.key",
             dir, dir);
    start(&r, "othercert", opts);
    ta_feed_range(r.f, r.queue, 0, 10);
    refused(&r, "refused the client certificate sslCert=");
    tlst_sh("cp %s %s/cur.key && cp %s %s/cur.pem", tlst_need("ARTEMIS_TLS_CLIENT_KEY"), dir,
            tlst_need("ARTEMIS_TLS_CLIENT_CERT"), dir);
    sent(&r, 10);
    stop(&r);
    ta_read_back(r.queue, 10);
}

/* The trust store holds a CA that did not sign the broker; corrected on
 * disk, it is read again on the next reconnection. */
Test(amqp_mtls, broker_certificate_of_another_ca_is_refused_then_the_ca_fixed)
{
    tlst_sh("cp %s/other-ca.pem %s/trust.pem", dir, dir);
    struct run r;
    char opts[1024];
    with_client_cert(opts, sizeof opts, "&amp;username=admin&amp;password=tls-secret");
    ta_queue_name(r.queue, sizeof r.queue, "otherca");
    char xml[4096];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s&amp;sslTrustStore=%s/trust.pem&amp;reconnectDelay=200"
             "&amp;maxReconnectDelay=500%s\"/></route></routes>",
             r.queue, tlst_need("ARTEMIS_TLS_URI"), dir, opts);
    memset(&r.t, 0, sizeof r.t);
    ta_start(&r.t, xml, 0);
    r.f = te_feed(&r.t, "feed");
    ta_feed_range(r.f, r.queue, 0, 10);
    refused(&r, "does not verify against sslTrustStore=");
    tlst_sh("cp %s %s/trust.pem", tlst_need("ARTEMIS_TLS_CA"), dir);
    sent(&r, 10);
    stop(&r);
    ta_read_back(r.queue, 10);
}

static void broker_user(bool add)
{
    ta_broker_user("artemis-users.properties", "artemis-roles.properties", "mtlsuser", "tls-secret", add);
}

/* On the plain acceptor: over the TLS one the test broker lets a client
 * certificate of its CA in whatever the password (its JAAS stack has the
 * certificate login module beside the users file). */
Test(amqp_mtls, refused_login_heals_when_the_user_is_added)
{
    broker_user(false);
    struct run r;
    start_at(&r, "login", "&amp;username=mtlsuser&amp;password=tls-secret", true);
    ta_feed_range(r.f, r.queue, 0, 20);
    char uri[300];
    snprintf(uri, sizeof uri, "%s", ta_uri());
    refused_at(&r, "refused the login of user 'mtlsuser' (amqp:unauthorized-access", uri);
    broker_user(true);
    sent(&r, 20);
    stop(&r);
    broker_user(false);
    ta_read_back(r.queue, 20);
}

Test(amqp_mtls, cram_md5_needs_a_proton_with_cyrus_sasl)
{
    if (pn_sasl_extended())
        cr_skip_test("this qpid-proton has Cyrus SASL");
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes><route><from uri=\"timer:feed\"/><to uri=\"amqp:queue:q?remoteURI=%s&amp;username=u&amp;"
             "password=p&amp;amqp.saslMechanisms=CRAM-MD5\"/></route></routes>", tlst_need("ARTEMIS_TLS_URI"));
    int rc;
    char *text = te_compile_msgs(xml, &rc);
    cr_assert_eq(rc, -1);
    cr_assert(strstr(text, "CRAM-MD5 needs a qpid-proton built with Cyrus SASL"), "%s", text);
    free(text);
}
