/* SASL SCRAM to the test Artemis' acceptor that offers SCRAM-SHA-512 and
 * SCRAM-SHA-256 only (tests/services/artemis/ctl; its users file holds the
 * keys Artemis' own tool derived, not the password). Messages sent over it
 * are read back over it, each once and in order; a wrong password is
 * refused with the user and the broker's answer, never the password, and a
 * login refused until the broker learns the user heals by itself. */
#include <poll.h>

#include "test_amqp_util.h"
#include "tests/support/tlstest.h"

TestSuite(amqp_scram, .init = ta_broker_up, .timeout = 120);

/* Producer and consumer routes on the SCRAM acceptor as `user` with `mechs`
 * (NULL: the default choice) and `password`. */
static void start_as(struct te *t, char *queue, size_t size, const char *user, const char *mechs,
                     const char *password)
{
    ta_queue_name(queue, size, "scram");
    char opts[600], xml[4096];
    snprintf(opts, sizeof opts, "remoteURI=%s&amp;username=%s&amp;password=%s"
             "&amp;reconnectDelay=200&amp;maxReconnectDelay=500%s%s",
             tlst_need("ARTEMIS_SCRAM_URI"), user, password, mechs ? "&amp;amqp.saslMechanisms=" : "",
             mechs ? mechs : "");
    snprintf(xml, sizeof xml,
             "<routes><route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"amqp:queue:%s?%s\"/></route>"
             "<route id=\"in\"><from uri=\"amqp:queue:%s?%s\"/><to uri=\"mock:check\"/></route></routes>",
             queue, opts, queue, opts);
    memset(t, 0, sizeof *t);
    ta_start(t, xml, 0);
}

static void start(struct te *t, char *queue, size_t size, const char *mechs, const char *password)
{
    start_as(t, queue, size, tlst_need("ARTEMIS_SCRAM_USER"), mechs, password);
}

/* Bodies 0..n-1 sent and read back, each once and in order. */
static void delivered(struct te *t, struct feed *f, const char *queue, long long n)
{
    TE_WAIT_FOR(te_committed(f) == n - 1, 30000);
    struct ta_check *c = ta_check(t);
    TE_WAIT_FOR(atomic_load(&c->received) == n, 30000);
    cr_assert_eq(atomic_load(&c->dups), 0, "no duplicate");
    cr_assert_eq(atomic_load(&c->out_of_order), 0, "bodies 0..%lld in order", n - 1);
    char reason[512] = "";
    cr_assert(drom_engine_ready(t->eng, reason, sizeof reason), "%s", reason);
    /* the consumer's acknowledgements reach the broker after the check saw the bodies */
    int64_t deadline = ts_now_ms() + 20000;
    long long left = -1;
    while ((left = ta_queue_count(queue)) != 0 && ts_now_ms() < deadline)
        poll(NULL, 0, 200);
    cr_assert_eq(left, 0, "every message read back and acknowledged");
    cr_assert_eq(atomic_load(&c->received), n, "and none delivered again");
}

static void round_trip(const char *mechs)
{
    enum { N = 30 };
    char queue[160];
    struct te t;
    start(&t, queue, sizeof queue, mechs, tlst_need("ARTEMIS_SCRAM_PASSWORD"));
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, queue, 0, N);
    delivered(&t, f, queue, N);
    struct drom_error err = {0};
    drom_engine_stop(t.eng, 2000, &err);
    te_free(&t);
}

Test(amqp_scram, scram_sha_512_round_trip)
{
    round_trip("SCRAM-SHA-512");
}

Test(amqp_scram, scram_sha_256_round_trip)
{
    round_trip("SCRAM-SHA-256");
}

/* Without amqp.saslMechanisms the client takes SCRAM, the strongest the
 * acceptor offers (it offers nothing else). */
Test(amqp_scram, the_default_choice_is_scram)
{
    round_trip(NULL);
}

Test(amqp_scram, a_wrong_password_is_refused_and_said)
{
    char queue[160];
    struct te t;
    start(&t, queue, sizeof queue, "SCRAM-SHA-256", "not-the-scram-password");
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, queue, 0, 1);
    char reason[1024] = "", want[400];
    snprintf(want, sizeof want, "the broker at %s refused the login of user '%s' (amqp:unauthorized-access",
             tlst_need("ARTEMIS_SCRAM_URI"), tlst_need("ARTEMIS_SCRAM_USER"));
    int64_t deadline = ts_now_ms() + 20000;
    while (ts_now_ms() < deadline && (drom_engine_ready(t.eng, reason, sizeof reason) || !strstr(reason, want)))
        poll(NULL, 0, 20);
    cr_log_info("%s", reason);
    cr_assert(strstr(reason, want), "'%s' in: %s", want, reason);
    cr_assert_null(strstr(reason, "not-the-scram-password"), "no password: %s", reason);
    cr_assert_eq(te_committed(f), -1, "nothing accepted");
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(t.eng, &b);
    drom_buf_cstr(&b);
    cr_assert_null(strstr(b.data, "not-the-scram-password"), "no password in the metrics");
    drom_buf_free(&b);
    struct drom_error err = {0};
    drom_engine_stop(t.eng, 1000, &err);
    te_free(&t);
}

/* The SCRAM users file takes a plain "user = password" line too. */
static void scram_user(bool add)
{
    ta_broker_user("scram-users.properties", "scram-roles.properties", "scramlate", "late-scram-pw", add);
}

Test(amqp_scram, a_refused_login_heals_when_the_broker_learns_the_user)
{
    enum { N = 20 };
    scram_user(false);
    char queue[160];
    struct te t;
    start_as(&t, queue, sizeof queue, "scramlate", "SCRAM-SHA-512", "late-scram-pw");
    struct feed *f = te_feed(&t, "feed");
    ta_feed_range(f, queue, 0, N);
    char reason[1024] = "", want[400];
    snprintf(want, sizeof want, "refused the login of user 'scramlate' (amqp:unauthorized-access");
    int64_t deadline = ts_now_ms() + 20000;
    while (ts_now_ms() < deadline && (drom_engine_ready(t.eng, reason, sizeof reason) || !strstr(reason, want)))
        poll(NULL, 0, 20);
    cr_assert(strstr(reason, want), "'%s' in: %s", want, reason);
    cr_assert_eq(te_committed(f), -1, "nothing accepted meanwhile");
    scram_user(true);
    delivered(&t, f, queue, N);
    struct drom_error err = {0};
    drom_engine_stop(t.eng, 2000, &err);
    te_free(&t);
    scram_user(false);
}
