/* The kafka consumer's subscription and start options on the real test
 * broker: consumersCount, topicIsPattern, a topic list, and seekTo
 * (beginning re-reads past committed offsets, end skips what exists). */
#include "tests/integration/test_kafka_util.h"

/* A new topic named after `name`, its group "g-TOPIC", and `records`
 * records "KEY:SEQ" in it already. */
static void new_topic(char topic[128], char group[160], const char *name, int partitions, int64_t records, int keys)
{
    kt_topic(topic, 128, name);
    snprintf(group, 160, "g-%s", topic);
    ts_create_topic(topic, partitions, NULL);
    kt_produce(topic, 0, records, keys);
}

/* Committed offsets of `group` summed over the topic's partitions (-1 none). */
static int64_t committed_sum(const char *group, const char *topic, int partitions)
{
    rd_kafka_t *rk = kt_client(RD_KAFKA_CONSUMER, group);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(partitions);
    for (int i = 0; i < partitions; i++)
        rd_kafka_topic_partition_list_add(l, topic, i);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, l, 20000);
    cr_assert_eq(e, 0, "committed offsets of %s: %s", group, rd_kafka_err2str(e));
    int64_t sum = -1;
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].offset >= 0)
            sum = (sum < 0 ? 0 : sum) + l->elems[i].offset;
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return sum;
}

/* `ordered`: one topic, so each key is in one partition (across topics a
 * key's records interleave freely). */
static void expect_all_once(struct kcheck *k, int64_t n, bool ordered)
{
    TE_WAIT_FOR(kcheck_missing(k) == 0, 60000);
    pthread_mutex_lock(&k->mu);
    cr_assert_eq(k->dups, 0, "no record processed twice");
    cr_assert_eq(k->bad, 0, "no record from elsewhere");
    cr_assert_eq(k->arrivals, n);
    if (ordered)
        cr_assert_eq(k->disorder, 0, "each key in order");
    pthread_mutex_unlock(&k->mu);
}

/* Two consumers in one endpoint: both hold partitions of the topic, and
 * every record is processed once, through the rebalance the second
 * consumer's join causes. */
Test(kafka_consumer, consumers_count_two_share_the_partitions, .timeout = 120)
{
    enum { N = 4000, KEYS = 16 };
    char topic[128], group[160];
    new_topic(topic, group, "cc", 4, N / 2, KEYS);
    struct te t = {0};
    kt_run(&t, "<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
           "autoOffsetReset=earliest&amp;consumersCount=2&amp;autoCommitIntervalMs=200\"/>"
           "<to uri=\"mock:check-cc-4000\"/></route></routes>",
           topic);
    struct kcheck *k = kt_check(&t, "check-cc-4000");
    struct kt_group g;
    kt_wait_group(group, 2, &g, 60000);
    cr_assert_eq(g.partitions[0] + g.partitions[1], 4, "the four partitions are shared: %d + %d", g.partitions[0],
                 g.partitions[1]);
    kt_produce(topic, N / 2, N / 2, KEYS);
    expect_all_once(k, N, true);
    te_free(&t);
    cr_assert_eq(committed_sum(group, topic, 4), N, "the group committed every record");
}

/* topicIsPattern: a regex (with a comma in it) names two topics as whole
 * names; a topic it matches only as a prefix is not consumed. */
Test(kafka_consumer, topic_pattern_subscribes_to_matching_topics, .timeout = 120)
{
    char base[128], a[160], b[160], other[160], group[160];
    kt_topic(base, sizeof base, "pat");
    snprintf(a, sizeof a, "%s-a", base);
    snprintf(b, sizeof b, "%s-b", base);
    snprintf(other, sizeof other, "%s-ab", base);
    snprintf(group, sizeof group, "g-%s", base);
    ts_create_topic(a, 2, NULL);
    ts_create_topic(b, 1, NULL);
    ts_create_topic(other, 1, NULL);
    kt_produce(a, 0, 100, 8);
    kt_produce(b, 100, 100, 8);
    kt_produce(other, 200, 100, 8);
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"kafka:%s-[ab]{1,1}?brokers=%s&amp;groupId=%s&amp;"
             "autoOffsetReset=earliest&amp;topicIsPattern=true\"/>"
             "<to uri=\"mock:check-pat-200\"/></route></routes>",
             base, ts_brokers(), group);
    struct te t = {0};
    kt_start(&t, xml, 0);
    struct kcheck *k = kt_check(&t, "check-pat-200");
    struct kt_group g;
    kt_wait_group(group, 1, &g, 60000);
    char want[400];
    snprintf(want, sizeof want, "%s,%s", a, b);
    cr_assert_str_eq(g.topics, want, "the pattern matches whole topic names");
    cr_assert_eq(g.partitions[0], 3);
    expect_all_once(k, 200, false);
    te_free(&t);
}

/* A topic list, as Camel writes it: "a, b". */
Test(kafka_consumer, topic_list_consumes_each_topic, .timeout = 120)
{
    char base[128], a[160], b[160], group[160];
    kt_topic(base, sizeof base, "list");
    snprintf(a, sizeof a, "%s-a", base);
    snprintf(b, sizeof b, "%s-b", base);
    snprintf(group, sizeof group, "g-%s", base);
    ts_create_topic(a, 1, NULL);
    ts_create_topic(b, 2, NULL);
    kt_produce(a, 0, 150, 8);
    kt_produce(b, 150, 150, 8);
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"in\"><from uri=\"kafka:%s, %s?brokers=%s&amp;groupId=%s&amp;"
             "autoOffsetReset=earliest\"/><to uri=\"mock:check-list-300\"/></route></routes>",
             a, b, ts_brokers(), group);
    struct te t = {0};
    kt_start(&t, xml, 0);
    struct kcheck *k = kt_check(&t, "check-list-300");
    expect_all_once(k, 300, false);
    struct kt_group g;
    kt_wait_group(group, 1, &g, 30000);
    char want[400];
    snprintf(want, sizeof want, "%s,%s", a, b);
    cr_assert_str_eq(g.topics, want);
    te_free(&t);
}

/* seekTo=beginning reads the topic again although the group committed its
 * end, with two consumers (the second one's join moves partitions the first
 * has not read yet: they must still start from the beginning). */
Test(kafka_consumer, seek_to_beginning_rereads_a_committed_topic, .timeout = 120)
{
    enum { N = 400 };
    char topic[128], group[160];
    new_topic(topic, group, "seekb", 4, N, 8);
    struct te t = {0};
    kt_run(&t, "<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
           "autoOffsetReset=earliest\"/><to uri=\"mock:check-seekb-400\"/></route></routes>",
           topic);
    expect_all_once(kt_check(&t, "check-seekb-400"), N, true);
    te_free(&t);
    cr_assert_eq(committed_sum(group, topic, 4), N, "the first run committed the end");

    struct te t2 = {0};
    kt_run(&t2, "<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
           "seekTo=beginning&amp;consumersCount=2\"/><to uri=\"mock:check-seekb-400\"/></route></routes>",
           topic);
    expect_all_once(kt_check(&t2, "check-seekb-400"), N, true);
    te_free(&t2);
    cr_assert_eq(committed_sum(group, topic, 4), N);
}

static bool all_seen(struct kcheck *k, int64_t from, int64_t to)
{
    pthread_mutex_lock(&k->mu);
    bool all = true;
    for (int64_t i = from; i < to && all; i++)
        all = k->seen[i];
    pthread_mutex_unlock(&k->mu);
    return all;
}

/* seekTo=end skips the records already in the topic (autoOffsetReset=earliest
 * would read them) and takes the ones produced after it started. Each
 * partition's end is looked up on its own, some time after the assignment
 * (later still when the leader is not known yet), so new records are
 * produced in rounds until one round arrives whole. */
Test(kafka_consumer, seek_to_end_skips_existing_records, .timeout = 120)
{
    enum { OLD = 200, ROUND = 10, ROUNDS = 30 };
    char topic[128], group[160];
    new_topic(topic, group, "seeke", 2, OLD, 4);
    struct te t = {0};
    kt_run(&t, "<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
           "autoOffsetReset=earliest&amp;seekTo=end&amp;consumersCount=2\"/>"
           "<to uri=\"mock:check-seeke-500\"/></route></routes>",
           topic);
    struct kcheck *k = kt_check(&t, "check-seeke-500");
    struct kt_group g;
    kt_wait_group(group, 2, &g, 60000);
    int64_t next = OLD;
    bool whole = false;
    for (int r = 0; r < ROUNDS && !whole; r++) {
        kt_produce(topic, next, ROUND, 4);
        next += ROUND;
        int64_t deadline = ts_now_ms() + 2000;
        while (!(whole = all_seen(k, next - ROUND, next)) && ts_now_ms() < deadline)
            poll(NULL, 0, 20);
    }
    cr_assert(whole, "a round of records produced after the start arrived whole");
    pthread_mutex_lock(&k->mu);
    int64_t old = 0;
    for (int64_t i = 0; i < OLD; i++)
        old += k->seen[i];
    cr_assert_eq(old, 0, "no record that existed before the start was read");
    cr_assert_eq(k->dups, 0);
    cr_assert_eq(k->bad, 0);
    pthread_mutex_unlock(&k->mu);
    cr_log_info("seekTo=end: a whole round arrived after %lld new record(s)", (long long)(next - OLD));
    te_free(&t);
}

static void other_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *l, void *opaque)
{
    rd_kafka_assign(rk, err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? l : NULL);
}

/* A group member that handles rebalances only while the application polls
 * it (a rebalance callback), so a rebalance waits for it once it stops. */
static rd_kafka_t *held_member(const char *group)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", ts_brokers(), why, sizeof why);
    rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why);
    rd_kafka_conf_set(conf, "group.id", group, why, sizeof why);
    rd_kafka_conf_set(conf, "partition.assignment.strategy", "range", why, sizeof why);
    rd_kafka_conf_set_rebalance_cb(conf, other_rebalance);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

/* Readiness waits for the group: while another member holds the only
 * partition and the rebalance cannot finish, the route is connected but not
 * ready, and says so; once the other member leaves and the partition is
 * assigned here, it is ready and delivers. */
Test(kafka_consumer, ready_only_once_the_group_assigned_its_partitions, .timeout = 120)
{
    char topic[128], group[160];
    new_topic(topic, group, "rdy", 1, 10, 2);
    /* the other member: holds the partition, then stops polling, so the
     * rebalance our member's join starts waits for it */
    rd_kafka_t *other = held_member(group);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
    cr_assert_eq(rd_kafka_subscribe(other, subs), 0);
    rd_kafka_topic_partition_list_destroy(subs);
    rd_kafka_topic_partition_list_t *held = NULL;
    for (int64_t end = ts_now_ms() + 30000; ts_now_ms() < end;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(other, 100);
        if (m)
            rd_kafka_message_destroy(m);
        rd_kafka_assignment(other, &held);
        bool got = held && held->cnt == 1;
        rd_kafka_topic_partition_list_destroy(held);
        if (got)
            break;
    }
    struct te t = {0};
    kt_run(&t, "<routes><route id=\"in\"><from uri=\"kafka:%T?brokers=%B&amp;groupId=g-%T&amp;"
           "autoOffsetReset=earliest\"/><to uri=\"mock:check-rdy-10\"/></route></routes>",
           topic);
    struct kcheck *k = kt_check(&t, "check-rdy-10");
    char reason[512] = "";
    bool waiting = false;
    for (int64_t end = ts_now_ms() + 30000; ts_now_ms() < end && !waiting; usleep(20000))
        waiting = !drom_engine_ready(t.eng, reason, sizeof reason) && strstr(reason, "waiting for consumer group");
    cr_assert(waiting, "connected but not ready while the group has not assigned: %s", reason);
    cr_assert(strstr(reason, group) && strstr(reason, "kafka:"), "names the endpoint and the group: %s", reason);
    cr_assert_eq(kcheck_arrivals(k), 0, "nothing delivered meanwhile");
    rd_kafka_consumer_close(other);
    rd_kafka_destroy(other);
    bool ready = false;
    for (int64_t end = ts_now_ms() + 60000; ts_now_ms() < end && !ready; usleep(20000))
        ready = drom_engine_ready(t.eng, reason, sizeof reason);
    cr_assert(ready, "ready once the partition is assigned: %s", reason);
    expect_all_once(k, 10, true);
    te_free(&t);
}
