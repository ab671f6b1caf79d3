/* amqps:// with the peer verified. The test Artemis has one plain acceptor
 * and its ctl offers no TLS one, so the test puts a TLS terminator in
 * front of it: socat with a certificate for "localhost" signed by a CA the
 * test makes with openssl, forwarding to the broker's acceptor. That checks
 * our side (TLS, CA trust, host-name check, SASL PLAIN inside TLS); the
 * broker's own SSL acceptor is configuration, not code. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include "test_amqp_util.h"
#include "tests/support/tlstest.h"

struct tls_env {
    char dir[64];
    int port;
    pid_t socat;
};

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static bool port_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void socat_up(struct tls_env *e, const char *cert);

static void tls_up(struct tls_env *e)
{
    snprintf(e->dir, sizeof e->dir, "/tmp/drom-amqp-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(e->dir));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "(cd %s && printf 'subjectAltName=DNS:localhost\\n' > ext && "
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=drom-test-ca && "
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=other-ca && "
             "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost && "
             "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext"
             ") >/dev/null 2>&1",
             e->dir);
    cr_assert_eq(system(cmd), 0, "openssl made the certificates");
    e->port = free_port();
    socat_up(e, "srv.pem");
}

/* The TLS terminator on e->port with certificate `cert` of e->dir. */
static void socat_up(struct tls_env *e, const char *cert)
{
    const char *uri = ta_uri();
    const char *hostport = strstr(uri, "://") ? strstr(uri, "://") + 3 : uri;
    char listen[256], target[300];
    snprintf(listen, sizeof listen, "OPENSSL-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,verify=0,cert=%s/%s,key=%s/srv.key",
             e->port, e->dir, cert, e->dir);
    snprintf(target, sizeof target, "TCP:%s", hostport);
    e->socat = fork();
    if (e->socat == 0) {
        int nul = open("/dev/null", O_RDWR);
        dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
        execlp("socat", "socat", listen, target, (char *)NULL);
        _exit(127);
    }
    int64_t deadline = ts_now_ms() + 10000;
    while (!port_open(e->port) && ts_now_ms() < deadline) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    cr_assert(port_open(e->port), "socat listens on %d", e->port);
}

static void socat_down(struct tls_env *e)
{
    if (e->socat > 0) {
        kill(e->socat, SIGTERM);
        waitpid(e->socat, NULL, 0);
        e->socat = 0;
    }
}

static void tls_down(struct tls_env *e)
{
    socat_down(e);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", e->dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", e->dir);
}

/* Runs a producer route to `remote` with extra options; sends one message
 * and returns true when the broker accepted it, or returns false once the
 * endpoint is not ready with a reason containing `why` (copied to reason). */
static bool try_send(const char *remote, const char *extra, const char *why, char *reason, size_t size)
{
    char q[200], xml[2048];
    ta_queue_name(q, sizeof q, "tls");
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin&amp;reconnectDelay=500%s\"/>"
             "</route></routes>",
             q, remote, extra);
    struct te t = {0};
    ta_start(&t, xml, 0);
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, q, 0, 1);
    bool sent = false;
    int64_t deadline = ts_now_ms() + 15000;
    while (ts_now_ms() < deadline) {
        if (te_committed(f) == 0) {
            sent = true;
            break;
        }
        reason[0] = '\0';
        if (!drom_engine_ready(t.eng, reason, size) && why && strstr(reason, why))
            break;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    struct drom_error err = {0};
    drom_engine_stop(t.eng, 100, &err);
    te_free(&t);
    return sent;
}

Test(amqp_tls, amqps_verifies_the_broker, .timeout = 90)
{
    ta_broker_up();
    struct tls_env e = {0};
    tls_up(&e);
    char remote[128], opts[300], reason[512];

    /* Trusted CA, matching name: sent and accepted through TLS, PLAIN inside it. */
    snprintf(remote, sizeof remote, "amqps://localhost:%d", e.port);
    snprintf(opts, sizeof opts, "&amp;sslTrustStore=%s/ca.pem", e.dir);
    cr_assert(try_send(remote, opts, NULL, reason, sizeof reason), "amqps with a trusted CA: %s", reason);

    /* The certificate names localhost, not 127.0.0.1: refused by default... */
    snprintf(remote, sizeof remote, "amqps://127.0.0.1:%d", e.port);
    cr_assert_not(try_send(remote, opts, "is not for host '127.0.0.1'", reason, sizeof reason));
    cr_log_info("name mismatch: %s", reason);
    cr_assert(strstr(reason, "SSL") || strstr(reason, "certificate") || strstr(reason, "verif"), "%s", reason);

    /* ...and accepted when the host check is turned off on purpose. */
    snprintf(opts, sizeof opts, "&amp;sslTrustStore=%s/ca.pem&amp;sslVerifyHost=false", e.dir);
    cr_assert(try_send(remote, opts, NULL, reason, sizeof reason), "sslVerifyHost=false: %s", reason);

    /* A CA that did not sign the broker's certificate: refused. */
    snprintf(remote, sizeof remote, "amqps://localhost:%d", e.port);
    snprintf(opts, sizeof opts, "&amp;sslTrustStore=%s/other.pem", e.dir);
    cr_assert_not(try_send(remote, opts, "does not verify against sslTrustStore", reason, sizeof reason));
    cr_log_info("unknown CA: %s", reason);
    tls_down(&e);
}

Test(amqp_tls, password_over_plain_amqp_needs_loopback_or_consent)
{
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:q?remoteURI=amqp://broker.example.com:5672&amp;username=admin&amp;password=s3cret\"/>"
             "</route></routes>");
    /* refused by the compiler (dromc validate, dromd before it starts anything) */
    struct drom_graph g;
    struct drom_diags d = DROM_DIAGS_INIT;
    cr_assert_lt(drom_compile_mem(xml, strlen(xml), "t.xml", NULL, &g, &d), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    drom_diags_print(&d, f);
    fclose(f);
    drom_diags_free(&d);
    cr_assert(strstr(text, "t.xml:1:57: error: refusing to send the password of user 'admin' in clear text to "
                           "broker.example.com"), "%s", text);
    cr_assert_null(strstr(text, "s3cret"));
    free(text);
}

/* A graph file that skipped validate (written by hand, or by an older dromc)
 * is refused at start with the same message: the engine runs the
 * component's validate on the conf it fills. */
Test(amqp_tls, a_graph_that_skipped_validate_is_refused_at_start)
{
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:q?remoteURI=amqp://broker.example.com:5672&amp;username=admin&amp;password=s3cret"
             "&amp;allowInsecurePlain=true\"/></route></routes>");
    struct te t = {0};
    te_compile(&t, xml);
    te_patch(&t, "timer:feed", &te_feed_component);
    /* the consent taken back in the graph */
    struct drom_optset *set = &t.graph.routes[0].steps[0].endpoint->opts;
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i].name, "allowInsecurePlain") == 0)
            set->items[i].value = "false";
    struct drom_engine_options o = {.quiet = true};
    struct drom_error err = {0};
    t.eng = drom_engine_new(&t.graph, &o, &err);
    cr_assert_not_null(t.eng);
    cr_assert_eq(drom_engine_start(t.eng, &err), -1);
    cr_assert(strstr(err.msg, "refusing to send the password of user 'admin' in clear text to broker.example.com"),
              "%s", err.msg);
    cr_assert_null(strstr(err.msg, "s3cret"));
    drom_engine_free(t.eng);
    t.eng = NULL;
    te_free(&t);
}

/* The broker's own acceptor serving an expired certificate (the test
 * Artemis' renewable acceptor, sslAutoReload): refused with the reason,
 * then renewed on the broker, which takes the file up by itself; dromedary
 * reconnects and the messages held meanwhile arrive, each once, in order. */
Test(amqp_tls, expired_certificate_renewed_on_the_broker, .timeout = 120)
{
    ta_broker_up();
    const char *live = tlst_need("ARTEMIS_TLS_LIVE_PEM"), *uri = tlst_need("ARTEMIS_RENEWABLE_URI");
    tlst_sh("cp %s %s.tmp && mv %s.tmp %s", tlst_need("ARTEMIS_TLS_EXPIRED_PEM"), live, live, live);
    char q[200], xml[2048];
    ta_queue_name(q, sizeof q, "renewed");
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"timer:feed\"/>"
             "<to uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin&amp;password=admin"
             "&amp;sslTrustStore=%s&amp;reconnectDelay=200&amp;maxReconnectDelay=500\"/></route></routes>",
             q, uri, tlst_need("ARTEMIS_TLS_CA"));
    struct te t = {0};
    ta_start(&t, xml, 0);
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, q, 0, 10);
    char reason[1024] = "", want[300];
    snprintf(want, sizeof want, "the certificate of the broker at %s", uri);
    /* a valid certificate left by an earlier run is replaced within the broker's refresh period */
    int64_t deadline = ts_now_ms() + 40000;
    while (ts_now_ms() < deadline && (drom_engine_ready(t.eng, reason, sizeof reason) ||
                                      !strstr(reason, want) || !strstr(reason, "has expired")))
        poll(NULL, 0, 20);
    cr_log_info("expired: %s", reason);
    cr_assert(strstr(reason, want) && strstr(reason, "has expired"), "%s", reason);
    cr_assert_eq(te_committed(f), -1, "nothing accepted meanwhile");
    tlst_sh("cp %s %s.tmp && mv %s.tmp %s", tlst_need("ARTEMIS_TLS_BROKER_PEM"), live, live, live);
    deadline = ts_now_ms() + 40000;
    while (ts_now_ms() < deadline && te_committed(f) < 9)
        poll(NULL, 0, 50);
    cr_assert_eq(te_committed(f), 9, "the ten messages accepted once the broker's certificate is renewed");
    struct drom_error err = {0};
    drom_engine_stop(t.eng, 2000, &err);
    te_free(&t);
    tlst_sh("cp %s %s.tmp && mv %s.tmp %s", tlst_need("ARTEMIS_TLS_EXPIRED_PEM"), live, live, live);
    ta_read_back(q, 10);
}
