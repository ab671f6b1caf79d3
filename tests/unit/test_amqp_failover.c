/* remoteURI of the amqp/sjms2 component: one broker, or Qpid JMS's
 * failover:(...) list with its failover.* options (components/amqp/
 * failover_uri.c, config.c), and the schedule a connection walks the list
 * with (conn_failover.c); without a broker. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "components/amqp/amqp_int.h"
#include "components/amqp/conn_int.h"

/* The component's option defaults (amqp.c's table) around `uri`. */
static struct amqp_conf conf(const char *uri)
{
    return (struct amqp_conf){.remote_uri = uri, .ssl_verify_host = true, .idle_timeout_ms = 60000,
                              .reconnect_delay_ms = 1000, .max_reconnect_delay_ms = 5000,
                              .reconnect_backoff_multiplier = 2, .max_reconnect_attempts = -1};
}

static struct amqp_conn_config parse_ok(const char *uri)
{
    struct amqp_conf o = conf(uri);
    struct amqp_conn_config cfg;
    struct drom_error err = {0};
    cr_assert_eq(amqp_conn_config_parse(&o, &cfg, &err), 0, "%s: %s", uri, err.msg);
    return cfg;
}

static void parse_fails(const char *uri, const char *want)
{
    struct amqp_conf o = conf(uri);
    struct amqp_conn_config cfg;
    struct drom_error err = {0};
    cr_assert_eq(amqp_conn_config_parse(&o, &cfg, &err), -1, "%s is accepted", uri);
    cr_expect(strstr(err.msg, want), "%s: '%s' does not say '%s'", uri, err.msg, want);
}

/* Every field of the schedule, so that a case says all it expects at once. */
static void expect_schedule(const char *uri, struct amqp_schedule got, struct amqp_schedule want)
{
    cr_expect_eq(got.initial_delay_ms, want.initial_delay_ms, "%s: initial delay", uri);
    cr_expect_eq(got.delay_ms, want.delay_ms, "%s: delay", uri);
    cr_expect_eq(got.max_delay_ms, want.max_delay_ms, "%s: max delay", uri);
    cr_expect_eq(got.backoff, want.backoff, "%s: back-off", uri);
    cr_expect_eq(got.multiplier, want.multiplier, "%s: multiplier", uri);
    cr_expect_eq(got.max_attempts, want.max_attempts, "%s: max attempts", uri);
    cr_expect_eq(got.startup_max_attempts, want.startup_max_attempts, "%s: startup max attempts", uri);
    cr_expect_eq(got.randomize, want.randomize, "%s: randomize", uri);
}

Test(amqp_failover, single_broker_keeps_the_component_schedule)
{
    struct amqp_conn_config c = parse_ok("amqp://127.0.0.1:61616");
    cr_expect_not(c.failover);
    cr_expect_eq(c.nbrokers, 1);
    cr_expect_str_eq(c.host, "127.0.0.1");
    cr_expect_str_eq(c.port, "61616");
    cr_expect_eq(c.sched.delay_ms, 1000);
    cr_expect_eq(c.sched.initial_delay_ms, 1000);
    cr_expect_eq(c.sched.max_delay_ms, 5000);
    cr_expect_eq(c.sched.multiplier, 2.0);
    cr_expect_eq(c.sched.max_attempts, -1);
}

Test(amqp_failover, list_with_qpid_defaults)
{
    struct amqp_conn_config c = parse_ok("failover:(amqp://primary:61616, amqp://[::1]:61617,amqp://backup)");
    cr_expect(c.failover);
    cr_assert_eq(c.nbrokers, 3);
    cr_expect_str_eq(c.brokers[0].host, "primary");
    cr_expect_str_eq(c.brokers[1].host, "::1");
    cr_expect_str_eq(c.brokers[1].port, "61617");
    cr_expect_str_eq(c.brokers[2].port, "5672", "amqp:// without a port is 5672");
    cr_expect_str_eq(c.host, "primary", "the first broker is tried first");
    cr_expect_not(c.tls);
    /* Qpid JMS's documented defaults, not the component's reconnect options */
    expect_schedule("defaults", c.sched,
                    (struct amqp_schedule){.initial_delay_ms = 0, .delay_ms = 10, .max_delay_ms = 30000, .backoff = true,
                                           .multiplier = 2.0, .max_attempts = -1, .startup_max_attempts = -1});
}

Test(amqp_failover, every_option)
{
    struct amqp_conn_config c = parse_ok(
        "failover:(amqps://a:5671,amqps://b:5671)?failover.initialReconnectDelay=5&failover.reconnectDelay=100"
        "&failover.maxReconnectDelay=2000&failover.useReconnectBackOff=false&failover.reconnectBackOffMultiplier=1.5"
        "&failover.maxReconnectAttempts=20&failover.startupMaxReconnectAttempts=3&failover.randomize=true");
    cr_expect(c.tls);
    expect_schedule("every option", c.sched,
                    (struct amqp_schedule){.initial_delay_ms = 5, .delay_ms = 100, .max_delay_ms = 2000, .backoff = false,
                                           .multiplier = 1.5, .max_attempts = 20, .startup_max_attempts = 3,
                                           .randomize = true});
}

Test(amqp_failover, startup_attempts_follow_max_attempts_unless_given)
{
    struct amqp_conn_config c = parse_ok("failover:(amqp://a:1,amqp://b:2)?failover.maxReconnectAttempts=7");
    cr_expect_eq(c.sched.startup_max_attempts, 7);
}

Test(amqp_failover, one_broker_in_a_list_is_a_failover_uri)
{
    struct amqp_conn_config c = parse_ok("failover:(amqp://a:1)");
    cr_expect(c.failover);
    cr_expect_eq(c.nbrokers, 1);
}

Test(amqp_failover, mistakes_say_what_and_where)
{
    parse_fails("failover:()", "the failover list is empty");
    parse_fails("failover:(amqp://a:1,)", "broker 2 of the failover list is empty");
    parse_fails("failover:(amqp://a:1,,amqp://b:2)", "broker 2 of the failover list is empty");
    parse_fails("failover:(amqp://a:1,tcp://b:2)", "broker 2 of the failover list ('tcp://b:2'): expected amqp://");
    parse_fails("failover:(amqp://a:x)", "broker 1 of the failover list ('amqp://a:x'): bad port");
    parse_fails("failover:(amqp://a:1,failover:(amqp://b:2))", "broker 2 of the failover list is itself a failover URI");
    parse_fails("failover:(amqp://a:1,amqps://b:2)", "mixes amqp:// and amqps://");
    parse_fails("failover:(amqp://a:1?failover.randomize=true", "has no closing ')'");
    parse_fails("failover:amqp://a:1,amqp://b:2", "with the brokers in parentheses");
    parse_fails("failover:(amqp://a:1)x", "unexpected 'x' after the failover list");
    parse_fails("failover:(amqp://a:1)?failover.maxReconectAttempts=3", "unknown option 'failover.maxReconectAttempts'");
    parse_fails("failover:(amqp://a:1)?failover.nested.amqp.vhost=h", "unknown option 'failover.nested.amqp.vhost'");
    parse_fails("failover:(amqp://a:1)?jms.clientID=x", "unknown option 'jms.clientID'");
    parse_fails("failover:(amqp://a:1)?failover.randomize=yes", "failover.randomize takes true or false, not 'yes'");
    parse_fails("failover:(amqp://a:1)?failover.maxReconnectAttempts=-2", "a number of attempts (-1: no limit)");
    parse_fails("failover:(amqp://a:1)?failover.reconnectDelay=-1", "milliseconds from 0 to 86400000");
    parse_fails("failover:(amqp://a:1)?failover.reconnectBackOffMultiplier=0.5", "a number from 1 to 100");
    parse_fails("failover:(amqp://a:1)?failover.randomize", "failover.randomize has no value");
    parse_fails("failover:(amqp://a:1)?failover.reconnectDelay=500&failover.maxReconnectDelay=100",
                "failover.maxReconnectDelay (100) is shorter than failover.reconnectDelay (500)");
    parse_fails("failover:(amqp://1,amqp://2,amqp://3,amqp://4,amqp://5,amqp://6,amqp://7,amqp://8,amqp://9)",
                "more than 8 brokers");
    parse_fails("tcp://a:1", "expected amqp://host:port, amqps://host:port or failover:(");
}

/* The password check looks at every broker of the list, not the first alone. */
Test(amqp_failover, clear_password_to_any_remote_broker_is_refused)
{
    struct amqp_conf o = conf("failover:(amqp://127.0.0.1:1,amqp://broker.example.com:2)");
    o.username = "cdc";
    o.password = "secret";
    struct amqp_conn_config cfg;
    struct drom_error err = {0};
    cr_assert_eq(amqp_conn_config_read(&o, &cfg, &err), -1);
    cr_expect(strstr(err.msg, "in clear text to broker.example.com"), "%s", err.msg);
    o.allow_insecure_plain = true;
    cr_expect_eq(amqp_conn_config_read(&o, &cfg, &err), 0, "%s", err.msg);
}

/* --- the reconnection schedule (conn_failover.c) --- */

static struct amqp_conn *conn_of(const char *uri)
{
    struct amqp_conn *c = calloc(1, sizeof *c);
    c->cfg = parse_ok(uri);
    c->last_up = -1;
    c->ever_up = true;
    amqp_conn_use_broker(c, 0);
    return c;
}

/* As Qpid JMS: after a loss every broker of the list is tried without a
 * pause; only a whole pass that failed waits, and counts as an attempt. */
Test(amqp_failover, a_pass_over_the_list_is_one_attempt)
{
    struct amqp_conn *c = conn_of("failover:(amqp://p:1,amqp://b:2)?failover.maxReconnectAttempts=3"
                                  "&failover.maxReconnectDelay=30");
    cr_expect_str_eq(c->label, "amqp://p:1");
    cr_expect_eq(amqp_conn_next_wait(c, true, false), 0, "the backup at once after the loss");
    cr_expect_str_eq(c->label, "amqp://b:2");
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 0, "then the primary, in the same pass");
    cr_expect_str_eq(c->label, "amqp://p:1");
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 10, "a whole pass failed: reconnectDelay");
    cr_expect_eq(c->failures, 1);
    cr_expect_str_eq(c->label, "amqp://b:2");
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 0);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 20, "backed off by 2");
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 0);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), -1, "the third pass failed: maxReconnectAttempts=3");
    free(c);
}

Test(amqp_failover, backoff_stops_at_max_delay_and_a_refused_login_waits_it)
{
    struct amqp_conn *c = conn_of("failover:(amqp://p:1)?failover.reconnectDelay=100&failover.maxReconnectDelay=300");
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 100);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 200);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 300);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 300);
    cr_expect_eq(amqp_conn_next_wait(c, false, true), 300);
    free(c);
    c = conn_of("failover:(amqp://p:1)?failover.reconnectDelay=100&failover.useReconnectBackOff=false");
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 100);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 100, "no back-off");
    free(c);
}

Test(amqp_failover, startup_attempts_before_the_first_connection)
{
    struct amqp_conn *c = conn_of("failover:(amqp://p:1,amqp://b:2)?failover.startupMaxReconnectAttempts=1");
    c->ever_up = false;
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 0);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), -1, "one pass before the first connection");
    free(c);
}

/* One broker keeps the component's own schedule: the loss counts. */
Test(amqp_failover, single_broker_schedule_is_unchanged)
{
    struct amqp_conn *c = conn_of("amqp://p:1");
    c->cfg.sched.max_attempts = 2;
    cr_expect_eq(amqp_conn_next_wait(c, true, false), 1000);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), 2000);
    cr_expect_eq(amqp_conn_next_wait(c, false, false), -1, "maxReconnectAttempts=2 after the loss");
    free(c);
}
