/* make ha: several dromd replicas running routes/cdc-pipeline-ha.xml on a
 * 3-node Kafka cluster (tests/services/kafka-cluster: replication factor 3,
 * min.insync.replicas=2), MariaDB and Artemis as the other suites run them.
 * customers-to-kafka (binlog -> kafka, transactionalId, offsets in Kafka)
 * runs in the replica its standby group elects; kafka-to-amq runs in every
 * replica, which share the topic's partitions.
 *
 * Each scenario writes a workload of numbered changes on many keys while
 * the fault happens, then drains the queue and counts lost changes,
 * duplicates delivered and per-key order violations (the checker of make
 * faults); every count must be 0. artemis_primary_killed delivers to the
 * Artemis primary/backup pair of tests/services/artemis-pair instead of the
 * single broker and kills its primary. Takeover times are measured from the
 * signal to the moment another replica reports the source route Started,
 * and printed with their median and maximum. */
#include "tests/integration/e2e_util.h"

/* the routes' standbySessionTimeoutMs (routes/cdc-pipeline-ha.xml leaves the default) */
enum { MAXR = 4, ROWS = 100, SESSION_TIMEOUT_MS = 6000 };

struct ha {
    struct e2e r[MAXR];   /* r[0] owns the database, topic, queue and directory */
    int n;                /* replicas made (started or not) */
    int changes;          /* the workload's size: the queue never holds more */
};

static void ha_restore(void)
{
    ts_ctl(NULL, "kafka-cluster", "start");
}

/* Fresh names for the scenario and `n` replicas (not started yet). */
static void ha_init(struct ha *h, const char *name, unsigned sid, int n)
{
    memset(h, 0, sizeof *h);
    struct e2e *t = &h->r[0];
    e2e_init(t, name, sid, 6);
    t->route_file = "routes/cdc-pipeline-ha.xml";
    t->props = "routes/cdc-pipeline-ha.properties";
    e2e_write_routes(t);
    t->flag = "--exit-on-failure";
    for (int i = 1; i < MAXR; i++) {
        h->r[i] = *t;
        snprintf(h->r[i].name, sizeof h->r[i].name, "%s.%d", name, i);
        snprintf(h->r[i].state, sizeof h->r[i].state, "%s/state%d", t->dir, i);
        snprintf(h->r[i].log, sizeof h->r[i].log, "%s/dromd%d.log", t->dir, i);
    }
    h->n = n;
}

/* The replica whose source route runs ("Started"), -1 when none; `skip`
 * is not asked (it was just signalled). */
static int ha_leader(struct ha *h, int skip)
{
    for (int i = 0; i < MAXR; i++) {
        if (i == skip || h->r[i].pid <= 0)
            continue;
        char *body = NULL;
        bool leads = e2e_http(&h->r[i], "/routes", &body) == 200 && body &&
                     strstr(body, "\"id\":\"customers-to-kafka\"") &&
                     strstr(body, "\"state\":\"Started\",\"role\":\"leader\"");
        free(body);
        if (leads)
            return i;
    }
    return -1;
}

static int ha_wait_leader(struct ha *h, int skip, int timeout_ms)
{
    int l = -1;
    for (long long end = ts_now_ms() + timeout_ms; (l = ha_leader(h, skip)) < 0 && ts_now_ms() < end;)
        proc_pause_ms(20);
    return l;
}

/* Signals the leader and measures until another replica leads (ms; -1: none within 60 s). */
static long long ha_takeover(struct ha *h, int sig, int *old_leader)
{
    int l = ha_wait_leader(h, -1, 60000);
    cr_assert_geq(l, 0, "a replica leads");
    *old_leader = l;
    long long t0 = ts_now_ms();
    kill(h->r[l].pid, sig);
    int next = ha_wait_leader(h, l, 60000);
    long long took = next >= 0 ? ts_now_ms() - t0 : -1;
    if (sig == SIGKILL || sig == SIGTERM) {
        /* reaped only now: a SIGTERM drains the other routes after the hand-over */
        int rc = proc_wait_exit(h->r[l].pid, 60000);
        if (sig == SIGTERM)
            E2E_EXPECT(&h->r[0], rc == 0, "replica %d exits 0 after SIGTERM, got %d", l, rc);
        h->r[l].pid = 0;
    }
    e2e_say("%s: signal %d to replica %d (leader); replica %d leads after %lld ms", h->r[0].name, sig, l, next, took);
    return took;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void ha_figures(const char *what, long long *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_ll);
    char list[512] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%lld", i ? " " : "", v[i]);
    long long median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    e2e_say("HA %s: takeover ms (sorted) %s; median %lld, max %lld", what, list, median, v[n - 1]);
}

/* All changes in the queue, then every replica stopped (each drains and
 * commits), so that nothing can arrive after the queue is read; the queue
 * drained and checked. */
static void ha_finish(struct ha *h, struct e2e_work *w, const char *what)
{
    struct e2e *t = &h->r[0];
    long long c = e2e_wait_queue(t, w->n, 240000);
    e2e_say("%s: queue holds %lld of %d changes", t->name, c, w->n);
    for (int i = MAXR - 1; i >= 0; i--)
        if (h->r[i].pid > 0)
            e2e_kill(&h->r[i], SIGTERM);
    struct e2e_msgs ms;
    e2e_drain_queue(t, 3 * (size_t)w->n, 3000, &ms);
    struct e2e_counts k;
    e2e_work_check_counts(t, w, &ms, &k);
    e2e_say("HA %s: written %zu, delivered %zu, lost %zu, duplicates %zu, order violations %zu", what, k.written,
            k.delivered, k.lost, k.duplicates, k.disorder);
    e2e_msgs_free(&ms);
    e2e_work_free(w);
    if (t->failed)
        for (int i = 1; i < MAXR; i++)
            t->failed |= h->r[i].failed;
    e2e_finish(t);
}

static void ha_start_all(struct ha *h)
{
    for (int i = 0; i < h->n; i++)
        e2e_start(&h->r[i]);
    cr_assert_geq(ha_wait_leader(h, -1, 60000), 0, "one replica leads within 60 s");
}

/* The queue grew by `more` since `base`: the current leader delivers. */
static void ha_progress(struct ha *h, long long base, long long more);

/* `dromd status` of replica i shows the source route as `want`. */
static void ha_status_shows(struct ha *h, int i, const char *want)
{
    char http[64], out[256];
    snprintf(http, sizeof http, "127.0.0.1:%d", h->r[i].http);
    snprintf(out, sizeof out, "%s/status%d.txt", h->r[0].dir, i);
    char *argv[] = {(char *)ts_env("DROMD_BIN", "build/dromd"), "status", "--http", http, NULL};
    cr_assert_eq(proc_run(argv, out, out, 10000), 0, "dromd status --http %s", http);
    char *text = ts_slurp(out);
    char *line = strstr(text, "customers-to-kafka");
    char *end = line ? strchr(line, '\n') : NULL;
    if (end)
        *end = '\0';
    E2E_EXPECT(&h->r[0], line && strstr(line, want), "dromd status of replica %d shows %s: %s", i, want,
               line ? line : text);
    free(text);
}

/* A scenario's start: `n` replicas of which one leads, and a writer of
 * `changes` numbered changes (two a transaction, ~80 a second) that has
 * 40 of them in the queue. */
static void ha_go(struct ha *h, uint64_t seed, int changes, struct e2e_work *w, struct e2e_writer *wr)
{
    h->changes = changes;
    e2e_work_plan(w, changes, ROWS, seed);
    ha_start_all(h);
    e2e_writer_start(wr, w, h->r[0].db, 0, changes, 2, 25);
    ha_progress(h, 0, 40);
}

static void ha_begin(struct ha *h, const char *id, unsigned sid, int n, uint64_t seed, int changes,
                     struct e2e_work *w, struct e2e_writer *wr)
{
    ha_init(h, id, sid, n);
    ha_go(h, seed, changes, w, wr);
}

static void ha_progress(struct ha *h, long long base, long long more)
{
    long long want = base + more < h->changes ? base + more : h->changes;
    long long c = e2e_wait_queue(&h->r[0], want, 60000);
    cr_assert_geq(c, want, "the queue grows to %lld after the hand-over (%lld, from %lld)", want, c, base);
}

/* Kill -9 (or SIGTERM) of the leader `times` times while changes are made;
 * the killed replica is started again, as its service manager would. */
static void leader_signalled(const char *id, unsigned sid, uint64_t seed, int sig, int times, int n)
{
    struct ha h;
    struct e2e_work w;
    struct e2e_writer wr;
    ha_begin(&h, id, sid, 3, seed, n, &w, &wr);
    int first = ha_leader(&h, -1);
    for (int i = 0; i < 3; i++)
        ha_status_shows(&h, i, i == first ? "Started (leader)" : "Standby");
    long long took[16];
    int written_at_last = 0;
    for (int i = 0; i < times; i++) {
        long long base = e2e_queue_count(&h.r[0]);
        int old;
        written_at_last = wr.written;
        took[i] = ha_takeover(&h, sig, &old);
        cr_assert_geq(took[i], 0, "another replica leads after the signal");
        h.r[old].no_wait = false;
        e2e_start(&h.r[old]);
        if (i + 1 < times)
            ha_progress(&h, base, 40);
    }
    E2E_EXPECT(&h.r[0], written_at_last < n, "the last signal came while changes were made (%d of %d written)",
               written_at_last, n);
    e2e_writer_join(&wr);
    /* The targets are figures to print, not to fail on (a loaded machine
     * moves them); what fails is a takeover that shows the hand-over did
     * not work: after SIGTERM one that waited for the session timeout
     * (the leader did not leave its group), after SIGKILL one far past it. */
    long long target = sig == SIGKILL ? 10000 : 2000, bound = sig == SIGKILL ? 30000 : SESSION_TIMEOUT_MS;
    for (int i = 0; i < times; i++)
        E2E_EXPECT(&h.r[0], took[i] < bound, "takeover %d took %lld ms: the hand-over did not work (bound %lld)",
                   i + 1, took[i], bound);
    int reached = 0;
    for (int i = 0; i < times; i++)
        reached += took[i] <= target;
    ha_figures(id, took, times);
    e2e_say("HA %s: target %lld ms reached by %d of %d takeovers", id, target, reached, times);
    ha_finish(&h, &w, id);
}

Test(ha, kill9_leader_ten_times, .timeout = 1200, .fini = ha_restore)
{
    /* ~80 changes a second: the stream outlasts the ten kills */
    leader_signalled("kill9x10", 7311, 0x4a1, SIGKILL, 10, 12000);
}

Test(ha, sigterm_leader_five_times, .timeout = 600, .fini = ha_restore)
{
    leader_signalled("sigtermx5", 7312, 0x4a2, SIGTERM, 5, 2000);
}

/* SIGSTOP of the leader past its session timeout: another replica takes
 * over and fences it; after SIGCONT the old leader steps down and what it
 * still held is refused. */
Test(ha, sigstop_leader_past_session_timeout, .timeout = 600, .fini = ha_restore)
{
    struct ha h;
    struct e2e_work w;
    struct e2e_writer wr;
    ha_begin(&h, "sigstop", 7313, 3, 0x4a3, 2000, &w, &wr);
    int old;
    long long took = ha_takeover(&h, SIGSTOP, &old);
    cr_assert_geq(took, 0, "another replica leads while the leader is stopped");
    ha_progress(&h, e2e_queue_count(&h.r[0]), 40);
    kill(h.r[old].pid, SIGCONT);
    long long t0 = ts_now_ms();
    bool stepped_down = proc_wait_text(h.r[old].log, "a new leader has fenced its producer", 60000);
    e2e_say("HA sigstop: SIGCONT to replica %d; it stepped down after %lld ms", old, ts_now_ms() - t0);
    E2E_EXPECT(&h.r[0], stepped_down, "the old leader says it was dropped from its group (log %s)", h.r[old].log);
    /* --exit-on-failure: a fenced producer may make it exit 3; its manager starts it again */
    if (!e2e_alive(&h.r[old])) {
        e2e_say("sigstop: replica %d exited after it was fenced; started again", old);
        e2e_start(&h.r[old]);
    }
    int now = ha_leader(&h, -1);
    E2E_EXPECT(&h.r[0], now >= 0 && now != old, "one leader, not the old one (leader %d, old %d)", now, old);
    e2e_writer_join(&wr);
    long long v[1] = {took};
    ha_figures("sigstop", v, 1);
    ha_finish(&h, &w, "sigstop");
}

/* Two replicas, a third added, then a standby and the leader removed
 * (SIGTERM) while changes are made. */
Test(ha, replica_added_and_removed, .timeout = 600, .fini = ha_restore)
{
    struct ha h;
    struct e2e_work w;
    struct e2e_writer wr;
    ha_begin(&h, "addremove", 7314, 2, 0x4a4, 2000, &w, &wr);
    e2e_start(&h.r[2]);
    e2e_say("addremove: replica 2 added");
    ha_progress(&h, e2e_queue_count(&h.r[0]), 40);
    int l = ha_leader(&h, -1);
    int standby = l == 0 ? 1 : 0;
    e2e_kill(&h.r[standby], SIGTERM);
    e2e_say("addremove: standby replica %d removed; leader still %d", standby, ha_leader(&h, -1));
    ha_progress(&h, e2e_queue_count(&h.r[0]), 40);
    int old;
    long long took = ha_takeover(&h, SIGTERM, &old);
    E2E_EXPECT(&h.r[0], took >= 0, "the last replica takes over");
    e2e_writer_join(&wr);
    long long v[1] = {took};
    ha_figures("addremove", v, 1);
    ha_finish(&h, &w, "addremove");
}

/* One of the three Kafka nodes killed mid-stream, started again later. */
Test(ha, kafka_node_killed, .timeout = 600, .fini = ha_restore)
{
    struct ha h;
    struct e2e_work w;
    struct e2e_writer wr;
    ha_begin(&h, "brokerkill", 7315, 3, 0x4a5, 2000, &w, &wr);
    cr_assert_eq(ts_ctl(h.r[0].log, "kafka-cluster", "kill-node 2"), 0, "kafka-cluster kill-node 2");
    long long t0 = ts_now_ms(), base = e2e_queue_count(&h.r[0]);
    ha_progress(&h, base, 100);
    e2e_say("HA brokerkill: node 2 killed; 100 more changes in the queue after %lld ms", ts_now_ms() - t0);
    e2e_writer_join(&wr);
    cr_assert_eq(ts_ctl(h.r[0].log, "kafka-cluster", "start-node 2"), 0, "kafka-cluster start-node 2");
    ha_finish(&h, &w, "brokerkill");
}

static void ha_pair_stop(void)
{
    ha_restore();
    ts_ctl(NULL, "artemis-pair", "stop");
}

/* The Artemis primary of a replicated primary/backup pair killed with
 * SIGKILL mid-stream: every replica's kafka-to-amq connection
 * (failover:(primary,backup)) moves to the backup, what the primary had not
 * answered is sent again and the backup drops what it already holds. */
Test(ha, artemis_primary_killed, .timeout = 600, .fini = ha_pair_stop)
{
    struct ha h;
    struct e2e_work w;
    struct e2e_writer wr;
    ha_init(&h, "amqkill", 7317, 3);
    e2e_use_pair(&h.r[0], "failover.maxReconnectDelay=500");
    for (int i = 1; i < MAXR; i++) {
        memcpy(h.r[i].amq_uri, h.r[0].amq_uri, sizeof h.r[i].amq_uri);
        h.r[i].amq_svc = h.r[0].amq_svc;
        memcpy(h.r[i].amq_http, h.r[0].amq_http, sizeof h.r[i].amq_http);
        memcpy(h.r[i].amq_name, h.r[0].amq_name, sizeof h.r[i].amq_name);
    }
    ha_go(&h, 0x4a7, 2000, &w, &wr);
    ha_progress(&h, 0, 200);
    struct e2e_switch sw;
    e2e_pair_kill_primary(&h.r[0], &sw);
    E2E_EXPECT(&h.r[0], sw.first_ms >= 0, "a change reaches the backup within 60 s of the kill");
    E2E_EXPECT(&h.r[0], wr.written < h.changes, "the kill came while changes were made (%d written)",
               (int)wr.written);
    ha_progress(&h, e2e_queue_count(&h.r[0]), 100);
    e2e_writer_join(&wr);
    e2e_say("HA amqkill: primary killed with %lld in the queue; backup active after %lld ms, the next message on "
            "it %lld ms after the kill", sw.queued, sw.active_ms, sw.first_ms);
    ha_finish(&h, &w, "amqkill");
}

/* --- consumer scale-out: kafka -> Artemis in 1, 2 and 3 replicas --- */

enum { BENCH_RECORDS = 30000, BENCH_PARTITIONS = 6 };

static void bench_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    if (m->err)
        (*(int *)opaque)++;
}

/* BENCH_RECORDS records of about 1 KB on 100 keys, each with its own DromEventId. */
static void bench_fill(const char *topic)
{
    char why[512];
    int failed = 0;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", ts_env("KAFKA_BROKERS", "127.0.0.1:19092"), why, sizeof why);
    rd_kafka_conf_set(conf, "linger.ms", "20", why, sizeof why);
    rd_kafka_conf_set_dr_msg_cb(conf, bench_dr);
    rd_kafka_conf_set_opaque(conf, &failed);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    char body[1024];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    for (int i = 0; i < BENCH_RECORDS; i++) {
        char key[16], id[64];
        snprintf(key, sizeof key, "k%d", i % 100);
        snprintf(id, sizeof id, "1/bench:%d", i);
        memcpy(body, "{\"n\":", 5);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                      RD_KAFKA_V_VALUE(body, sizeof body - 1), RD_KAFKA_V_HEADER("DromEventId", id, -1),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 50);
        cr_assert_eq(e, RD_KAFKA_RESP_ERR_NO_ERROR, "produce: %s", rd_kafka_err2str(e));
    }
    cr_assert_eq(rd_kafka_flush(rk, 60000), RD_KAFKA_RESP_ERR_NO_ERROR, "flush");
    rd_kafka_destroy(rk);
    cr_assert_eq(failed, 0, "%d records not delivered", failed);
}

Test(ha, consumer_throughput_one_two_three_replicas, .timeout = 900, .fini = ha_restore)
{
    struct ha h;
    ha_init(&h, "consumers", 7316, 3);
    char topic[160];
    snprintf(topic, sizeof topic, "%s.bench", h.r[0].prefix);
    ts_create_topic(topic, BENCH_PARTITIONS, NULL);
    bench_fill(topic);
    e2e_say("consumers: %d records of 1 KB on %d partitions of %s", BENCH_RECORDS, BENCH_PARTITIONS, topic);
    double rate[4] = {0};
    for (int n = 1; n <= 3; n++) {
        char queue[128];
        snprintf(queue, sizeof queue, "%.100s.r%d", h.r[0].queue, n);
        FILE *f = fopen(h.r[0].routes, "w");
        cr_assert_not_null(f);
        fprintf(f,
                "<routes xmlns=\"http://camel.apache.org/schema/xml-io\"><route id=\"kafka-to-amq\">"
                "<from uri=\"kafka:%s?groupId=%s-r%d&amp;autoOffsetReset=earliest\"/>"
                "<to uri=\"sjms2:queue:%s\"/></route></routes>\n",
                topic, h.r[0].group, n, queue);
        fclose(f);
        for (int i = 0; i < MAXR; i++)
            snprintf(h.r[i].queue, sizeof h.r[i].queue, "%s", queue);
        long long t0 = ts_now_ms();
        for (int i = 0; i < n; i++)
            e2e_start(&h.r[i]);
        long long c = e2e_wait_queue(&h.r[0], BENCH_RECORDS, 600000);
        long long took = ts_now_ms() - t0;
        E2E_EXPECT(&h.r[0], c >= BENCH_RECORDS, "%d replicas deliver all %d records (%lld)", n, BENCH_RECORDS, c);
        rate[n] = (double)BENCH_RECORDS * 1000.0 / (double)took;
        e2e_say("HA consumers: %d replica(s): %d records kafka -> Artemis in %lld ms from the first start, %.0f/s", n,
                BENCH_RECORDS, took, rate[n]);
        for (int i = 0; i < n; i++)
            e2e_kill(&h.r[i], SIGTERM);
        struct e2e_msgs ms;
        e2e_drain_queue(&h.r[0], 2 * BENCH_RECORDS, 3000, &ms);
        E2E_EXPECT(&h.r[0], ms.n == BENCH_RECORDS, "%zu messages in %s for %d records", ms.n, queue, BENCH_RECORDS);
        e2e_msgs_free(&ms);
    }
    e2e_say("HA consumers: 1 replica %.0f/s, 2 replicas %.0f/s, 3 replicas %.0f/s", rate[1], rate[2], rate[3]);
    e2e_delete_topic(topic);
    e2e_finish(&h.r[0]);
}
