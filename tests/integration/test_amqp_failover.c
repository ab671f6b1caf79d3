/* The seed pipeline delivering to an Artemis primary/backup pair with
 * replication (tests/services/artemis-pair) through a failover:(primary,
 * backup) remoteURI, while numbered changes are made and the primary is
 * killed with SIGKILL: the connection moves to the backup, what the
 * primary had not answered is sent again with its _AMQ_DUPL_ID (the backup
 * holds the primary's duplicate-id cache, replicated), and the queue ends
 * with every change once, in row order, with the exact content. The
 * failover shows in the log, in /metrics and in /routes. */
#include "tests/integration/e2e_util.h"

enum { N = 1500, ROWS = 100 };

static void pair_stop(void)
{
    ts_ctl(NULL, "artemis-pair", "stop");
}

Test(amqp_failover, pipeline_primary_killed_mid_stream, .timeout = 400, .fini = pair_stop)
{
    struct e2e t;
    e2e_init(&t, "amqpfailover", 7751, 3);
    /* a short longest wait: the backup is retried every half second at worst while it activates */
    e2e_use_pair(&t, "failover.maxReconnectDelay=500");
    struct e2e_work w;
    e2e_work_plan(&w, N, ROWS, 0x5a1);
    e2e_start(&t);
    struct e2e_writer wr;
    e2e_writer_start(&wr, &w, t.db, 0, N, 2, 20);
    long long c = e2e_wait_queue(&t, N / 4, 60000);
    cr_assert_geq(c, N / 4, "a quarter of the changes reach the primary before the kill (%lld)", c);

    struct e2e_switch sw;
    e2e_pair_kill_primary(&t, &sw);
    int written_at_kill = wr.written;
    E2E_EXPECT(&t, sw.first_ms >= 0, "the next change reaches the backup within 60 s of the kill");
    E2E_EXPECT(&t, written_at_kill < N, "the kill came while changes were made (%d of %d written)", written_at_kill,
               N);

    e2e_writer_join(&wr);
    c = e2e_wait_queue(&t, N, 120000);
    E2E_EXPECT(&t, c >= N, "the backup's queue holds all %d changes (%lld)", N, c);
    E2E_EXPECT(&t, e2e_wait_quiet(&t, 60000), "dromd goes quiet (no exchange in flight, no consumer lag)");

    /* the switch in the log, /metrics and /routes */
    char want[128];
    snprintf(want, sizeof want, "failover: now connected to amqp://127.0.0.1:%s",
             ts_env("ARTEMIS_PAIR_BACKUP_PORT", "?"));
    E2E_EXPECT(&t, proc_wait_text(t.log, want, 1000), "the log says '%s' (%s)", want, t.log);
    long long failovers = e2e_metric(&t, "drom_endpoint_failovers{routeId=\"kafka-to-amq\"");
    long long took = e2e_metric(&t, "drom_endpoint_failover_ms{routeId=\"kafka-to-amq\"");
    E2E_EXPECT(&t, failovers == 1, "drom_endpoint_failovers of kafka-to-amq is 1, got %lld", failovers);
    char *routes = NULL;
    char broker[128];
    snprintf(broker, sizeof broker, "\"amqp://127.0.0.1:%s\"", ts_env("ARTEMIS_PAIR_BACKUP_PORT", "?"));
    E2E_EXPECT(&t, e2e_http(&t, "/routes", &routes) == 200 && routes && strstr(routes, broker),
               "/routes names the backup %s as the current broker: %.2000s", broker, routes ? routes : "");
    free(routes);

    e2e_kill(&t, SIGTERM);
    struct e2e_msgs ms;
    e2e_drain_queue(&t, 2 * N, 3000, &ms);
    struct e2e_counts k;
    e2e_work_check_counts(&t, &w, &ms, &k);
    e2e_say("AMQP-FAILOVER: written %zu, delivered %zu, lost %zu, duplicates %zu, order violations %zu, wrong "
            "content %zu; primary killed with %lld in the queue, backup active after %lld ms, next message on it "
            "after %lld ms; dromd's failover took %lld ms from the loss",
            k.written, k.delivered, k.lost, k.duplicates, k.disorder, k.wrong, sw.queued, sw.active_ms, sw.first_ms,
            took);
    e2e_msgs_free(&ms);
    e2e_work_free(&w);
    e2e_finish(&t);
}

/* A consumer route on the pair: its receiver link attaches again on the
 * backup after the primary is killed, and what is sent to the backup's
 * queue afterwards is relayed too (at least once: deliveries not settled
 * when the primary died may come again). */
Test(amqp_failover, consumer_reattaches_on_the_backup, .timeout = 300, .fini = pair_stop)
{
    enum { HALF = 50 };
    struct e2e t;
    e2e_init(&t, "amqpfoconsumer", 7752, 1);
    e2e_use_pair(&t, "failover.maxReconnectDelay=500");
    char in[160];
    snprintf(in, sizeof in, "%s.in", t.queue);
    FILE *f = fopen(t.routes, "w");
    cr_assert_not_null(f);
    fprintf(f, "<routes xmlns=\"http://camel.apache.org/schema/xml-io\"><route id=\"relay\">"
               "<from uri=\"sjms2:queue:%s\"/><to uri=\"sjms2:queue:%s\"/></route></routes>\n", in, t.queue);
    fclose(f);
    e2e_start(&t);
    char args[512];
    snprintf(args, sizeof args, "cli producer --protocol AMQP --destination 'queue://%s' --message-count %d "
             "--message relayed", in, HALF);
    cr_assert_eq(ts_ctl(t.log, "artemis-pair", args), 0, "%d messages sent to %s on the primary", HALF, in);
    long long c = e2e_wait_queue(&t, HALF, 60000);
    cr_assert_geq(c, HALF, "the relay moved the first %d messages (%lld)", HALF, c);

    long long t0 = ts_now_ms();
    cr_assert_eq(ts_ctl(t.log, "artemis-pair", "kill-primary"), 0);
    cr_assert_eq(ts_ctl(t.log, "artemis-pair", "wait-active backup"), 0, "the backup takes over");
    e2e_say("%s: backup active %lld ms after the kill", t.name, ts_now_ms() - t0);
    cr_assert_eq(ts_ctl(t.log, "artemis-pair", args), 0, "%d messages sent to %s on the backup", HALF, in);
    c = e2e_wait_queue(&t, 2 * HALF, 60000);
    E2E_EXPECT(&t, c >= 2 * HALF, "the relay, attached again on the backup, moved all %d messages (%lld)", 2 * HALF, c);
    long long failovers = e2e_metric(&t, "drom_endpoint_failovers{routeId=\"relay\"");
    E2E_EXPECT(&t, failovers >= 1, "drom_endpoint_failovers of the relay is at least 1, got %lld", failovers);
    E2E_EXPECT(&t, e2e_wait_ready(&t, 200, 10000), "dromd is ready on the backup");
    e2e_kill(&t, SIGTERM);
    struct e2e_msgs ms;
    e2e_drain_queue(&t, 4 * HALF, 3000, &ms);
    size_t relayed = 0;
    for (size_t i = 0; i < ms.n; i++)
        relayed += ms.v[i].body && strcmp(ms.v[i].body, "relayed") == 0;
    e2e_say("AMQP-FAILOVER consumer: %d sent, %zu in the output queue (%zu again), %lld failover(s)", 2 * HALF, ms.n,
            ms.n - (ms.n < 2 * HALF ? ms.n : 2 * HALF), failovers);
    E2E_EXPECT(&t, relayed == ms.n && ms.n >= 2 * HALF, "every one of the %d messages relayed, with its body (%zu of %zu)",
               2 * HALF, relayed, ms.n);
    e2e_msgs_free(&ms);
    e2e_finish(&t);
}
