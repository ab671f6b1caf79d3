/* The kafka component when things go wrong, on the real test broker: the
 * broker stopped and restarted mid-stream, a consumer process killed with
 * SIGKILL and replaced, two engines sharing a consumer group through a
 * rebalance, and breakOnFirstError. */
#include <signal.h>
#include <sys/wait.h>

#include "tests/integration/test_kafka_util.h"

struct feeder {
    struct feed *f;
    int64_t from, to;
    int keys;
    pthread_t th;
};

static void *feeder_main(void *arg)
{
    struct feeder *fd = arg;
    for (int64_t i = fd->from; i < fd->to; i++) {
        struct drom_exchange *ex = drom_exchange_new();
        char key[16], body[48];
        snprintf(key, sizeof key, "k%d", (int)(i % fd->keys));
        snprintf(body, sizeof body, "%s:%lld", key, (long long)i);
        drom_exchange_set_body_str(ex, body, NULL);
        drom_headers_set_str(&ex->headers, "kafka.KEY", key);
        int64_t *p = malloc(sizeof *p);
        *p = i;
        struct drom_error err = {0};
        if (drom_consumer_submit(fd->f->ep, ex, p, &err) < 0)
            break;
    }
    return NULL;
}

static bool ready(struct te *t)
{
    char reason[512];
    return drom_engine_ready(t->eng, reason, sizeof reason);
}

/* The broker goes away with records in flight and comes back: the
 * producer holds them (readiness off), delivers them all afterwards in
 * order per key, and the consumer route in the same engine misses none. */
Test(kafka_faults, broker_stopped_and_restarted_mid_stream, .timeout = 150)
{
    enum { N = 20000, KEYS = 10 };
    char topic[128];
    kt_topic(topic, sizeof topic, "bounce");
    ts_create_topic(topic, 3, NULL);
    char *xml = kt_xml("<routes>"
                       "<route id=\"out\"><from uri=\"timer:feed\"/><to uri=\"kafka:%T?brokers=%B\"/></route>"
                       "<route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;autoOffsetReset=earliest"
                       "&amp;autoCommitIntervalMs=200\"/><to uri=\"mock:check-bounce-20000\"/></route></routes>",
                       topic);
    struct te t = {0};
    kt_start(&t, xml, 0);
    free(xml);
    struct feed *f = te_feed(&t, "feed");
    struct kcheck *seen = kt_check(&t, "check-bounce-20000");

    struct feeder a = {.f = f, .from = 0, .to = N / 2, .keys = KEYS};
    feeder_main(&a);
    TE_WAIT_FOR(te_committed(f) >= N / 4, 30000);
    TE_WAIT_FOR(ready(&t), 10000);

    cr_assert_eq(ts_ctl(NULL, "kafka", "stop"), 0, "the broker stops");
    struct feeder b = {.f = f, .from = N / 2, .to = N, .keys = KEYS};
    pthread_create(&b.th, NULL, feeder_main, &b);
    TE_WAIT_FOR(!ready(&t), 20000);
    cr_assert_lt(te_committed(f), N - 1, "nothing is acknowledged while the broker is down");
    cr_assert_eq(ts_ctl(NULL, "kafka", "start"), 0, "the broker starts again");
    pthread_join(b.th, NULL);
    TE_WAIT_FOR(te_committed(f) == N - 1, 60000);
    /* arrivals count the replays after the bounce too: wait for the last missing record, not for a count */
    TE_WAIT_FOR(kcheck_missing(seen) == 0, 60000);
    TE_WAIT_FOR(ready(&t), 20000);
    cr_assert_eq(te_status(&t, "out").failed, 0, "no delivery failed");
    cr_assert_eq(kcheck_missing(seen), 0, "the consumer route saw every record");
    pthread_mutex_lock(&seen->mu);
    cr_assert_eq(seen->disorder, 0, "the consumer route saw each key in order");
    pthread_mutex_unlock(&seen->mu);
    te_free(&t);

    int64_t n = N;
    struct kcheck *k = kcheck_new(&n);
    kt_read_into(topic, k, 30000);
    cr_assert_eq(kcheck_missing(k), 0, "every record is in the topic");
    cr_assert_eq(k->disorder, 0, "per key (so per partition) in the order produced");
    cr_log_info("broker bounce: %lld duplicates in the topic", (long long)k->dups);
    kcheck_free(k);
}

static int64_t count_lines(const char *path, uint8_t *mark, int64_t n)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    int64_t lines = 0;
    long long v;
    while (fscanf(fp, "%lld", &v) == 1) {
        lines++;
        if (mark && v >= 0 && v < n)
            mark[v] = 1;
    }
    fclose(fp);
    return lines;
}

/* A consumer process killed with SIGKILL mid-stream and replaced by another
 * member of the same group: every record is processed by one or the other
 * (replays allowed, gaps not). */
Test(kafka_faults, consumer_killed_and_replaced, .timeout = 120)
{
    enum { N = 20000 };
    char topic[128], file[256];
    kt_topic(topic, sizeof topic, "kill");
    ts_create_topic(topic, 3, NULL);
    kt_produce(topic, 0, N, 10);
    snprintf(file, sizeof file, "/tmp/%s.seen", topic);
    unlink(file);
    char *xml = kt_xml("<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
                       "autoOffsetReset=earliest&amp;autoCommitIntervalMs=100&amp;sessionTimeoutMs=6000&amp;heartbeatIntervalMs=1000\"/>"
                       "<to uri=\"mock:check-kill-20000\"/></route></routes>",
                       topic);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        setenv("KT_CHECK_FILE", file, 1);
        setenv("KT_CHECK_DELAY_US", "200", 1);
        struct te t = {0};
        kt_start(&t, xml, 0);
        for (;;)
            pause();
    }
    int64_t deadline = ts_now_ms() + 60000;
    while (count_lines(file, NULL, N) < N / 3 && ts_now_ms() < deadline)
        poll(NULL, 0, 20);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    uint8_t *before = calloc(N, 1);
    int64_t processed = count_lines(file, before, N);
    cr_assert_geq(processed, N / 3, "the first consumer got going before it was killed");
    cr_assert_lt(processed, N, "it was killed mid-stream");

    struct te t = {0};
    kt_start(&t, xml, 0);
    struct kcheck *k = kt_check(&t, "check-kill-20000");
    int64_t missing = N;
    deadline = ts_now_ms() + 60000;
    while (missing && ts_now_ms() < deadline) {
        poll(NULL, 0, 50);
        pthread_mutex_lock(&k->mu);
        missing = 0;
        for (int64_t i = 0; i < N; i++)
            missing += !before[i] && !k->seen[i];
        pthread_mutex_unlock(&k->mu);
    }
    cr_assert_eq(missing, 0, "no gap: every record was processed before or after the kill");
    int64_t replayed = 0;
    pthread_mutex_lock(&k->mu);
    for (int64_t i = 0; i < N; i++)
        replayed += before[i] && k->seen[i];
    pthread_mutex_unlock(&k->mu);
    cr_log_info("killed after %lld records; %lld replayed by the replacement", (long long)processed,
                (long long)replayed);
    cr_assert_lt(replayed, N / 2, "the replacement resumed from committed offsets, not from the start");
    free(before);
    free(xml);
    te_free(&t);
    unlink(file);
}

/* Two engines in one group: the second joins mid-stream, the first gives
 * up partitions after finishing and committing what it had in flight. */
Test(kafka_faults, two_engines_share_a_group, .timeout = 120)
{
    enum { N = 20000 };
    char topic[128];
    kt_topic(topic, sizeof topic, "group");
    ts_create_topic(topic, 4, NULL);
    char *xml_a = kt_xml("<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
                         "autoOffsetReset=earliest&amp;autoCommitIntervalMs=200\"/>"
                         "<to uri=\"mock:check-a-20000\"/></route></routes>",
                         topic);
    char *xml_b = kt_xml("<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
                         "autoOffsetReset=earliest&amp;autoCommitIntervalMs=200\"/>"
                         "<to uri=\"mock:check-b-20000\"/></route></routes>",
                         topic);
    struct te a = {0}, b = {0};
    kt_start(&a, xml_a, 0);
    struct kcheck *ka = kt_check(&a, "check-a-20000");
    /* A works slowly enough (1 ms a record) that the rebalance always
     * happens while records are still waiting, so B is sure to get some. */
    pthread_mutex_lock(&ka->mu);
    ka->delay_us = 1000;
    pthread_mutex_unlock(&ka->mu);
    kt_produce(topic, 0, N / 2, 16);
    TE_WAIT_FOR(kcheck_arrivals(ka) >= N / 8, 30000);
    kt_start(&b, xml_b, 0);
    struct kcheck *kb = kt_check(&b, "check-b-20000");
    kt_produce(topic, N / 2, N / 2, 16);

    int64_t missing = N, both = 0;
    int64_t deadline = ts_now_ms() + 60000;
    while (missing && ts_now_ms() < deadline) {
        poll(NULL, 0, 50);
        pthread_mutex_lock(&ka->mu);
        pthread_mutex_lock(&kb->mu);
        missing = both = 0;
        for (int64_t i = 0; i < N; i++) {
            missing += !ka->seen[i] && !kb->seen[i];
            both += ka->seen[i] && kb->seen[i];
        }
        pthread_mutex_unlock(&kb->mu);
        pthread_mutex_unlock(&ka->mu);
    }
    cr_assert_eq(missing, 0, "none lost across the rebalance");
    cr_assert_gt(kcheck_arrivals(kb), 0, "the second engine got partitions");
    cr_log_info("group: a=%lld b=%lld, processed by both: %lld", (long long)kcheck_arrivals(ka),
                (long long)kcheck_arrivals(kb), (long long)both);
    cr_assert_eq(both, 0, "each record processed once: revoked partitions were drained and committed");
    cr_assert_eq(ka->dups + kb->dups, 0);
    te_free(&b);
    te_free(&a);
    free(xml_a);
    free(xml_b);
}

/* breakOnFirstError: a failed exchange stops the route, its offset is not
 * committed, and the next start replays from it. */
Test(kafka_faults, break_on_first_error_replays_the_failed_record, .timeout = 60)
{
    char topic[128];
    kt_topic(topic, sizeof topic, "break");
    ts_create_topic(topic, 1, NULL);
    kt_produce(topic, 0, 3, 1);
    char *xml = kt_xml("<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
                       "autoOffsetReset=earliest&amp;breakOnFirstError=true\"/>"
                       "<to uri=\"mock:out\"/></route></routes>",
                       topic);
    struct te t = {0};
    kt_start(&t, xml, 0);
    struct drom_mock *m = te_mock(&t, "out");
    TE_WAIT_FOR(drom_mock_received(m) == 3, 20000);
    drom_mock_fail(m, -1, DROM_FAIL, DROM_EIO, "downstream refused");
    kt_produce(topic, 3, 7, 1);
    TE_WAIT_FOR(strcmp(te_status(&t, "in").state, "Started") != 0, 20000);
    char reason[512];
    cr_assert_not(drom_engine_ready(t.eng, reason, sizeof reason));
    te_free(&t);

    struct te t2 = {0};
    kt_start(&t2, xml, 0);
    struct drom_mock *m2 = te_mock(&t2, "out");
    cr_assert_eq(drom_mock_wait(m2, 7, 20000), 0);
    char *first = drom_mock_body(m2, 0);
    cr_assert_str_eq(first, "k0:3", "the restart begins with the record that failed");
    free(first);
    free(xml);
    te_free(&t2);
}
