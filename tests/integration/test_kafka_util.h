/* Helpers of the kafka integration suites: unique topics on the real test
 * broker (KAFKA_BROKERS from tests/services/env.sh), a raw librdkafka
 * producer and reader to check what the component wrote or to feed it, and
 * a "check" component (routes send to mock:check..., re-pointed at it) that
 * records, per key, which sequence numbers arrived and in what order,
 * without keeping the exchanges. Bodies are "KEY:SEQ". */
#ifndef TEST_KAFKA_UTIL_H
#define TEST_KAFKA_UTIL_H

#include <librdkafka/rdkafka.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler/secrets.h"
#include "tests/unit/test_engine_util.h"
#include "tests/support/testenv.h"
#include "tests/support/testkafka.h"

#define KT_UNUSED __attribute__((unused))

static KT_UNUSED const char *kt_sasl_brokers(void)
{
    return ts_env("KAFKA_SASL_BROKERS", "127.0.0.1:19094");
}

/* The TLS listener and the CA that signed its certificate (tests/services/kafka/ctl). */
static KT_UNUSED const char *kt_ssl_brokers(void)
{
    return ts_env("KAFKA_SSL_BROKERS", "127.0.0.1:19095");
}

static KT_UNUSED const char *kt_ssl_ca(void)
{
    const char *ca = getenv("KAFKA_SSL_CA");
    cr_assert(ca && *ca, "KAFKA_SSL_CA is set (source tests/services/env.sh)");
    return ca;
}

/* "drom-NAME-PID-MS": new for every run. */
static KT_UNUSED void kt_topic(char *out, size_t size, const char *name)
{
    snprintf(out, size, "drom-%s-%d-%lld", name, (int)getpid(), (long long)ts_now_ms());
}

static KT_UNUSED rd_kafka_t *kt_client(rd_kafka_type_t type, const char *group)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", ts_brokers(), why, sizeof why);
    rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why);
    if (group) {
        rd_kafka_conf_set(conf, "group.id", group, why, sizeof why);
        rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", why, sizeof why);
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof why);
    }
    if (type == RD_KAFKA_PRODUCER) {
        rd_kafka_conf_set(conf, "enable.idempotence", "true", why, sizeof why);
        rd_kafka_conf_set(conf, "partitioner", "murmur2_random", why, sizeof why);
        rd_kafka_conf_set(conf, "linger.ms", "5", why, sizeof why);
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    return rk;
}

/* Produces n records "KEY:SEQ" (key = "k" + seq % nkeys) and waits for them. */
static KT_UNUSED void kt_produce(const char *topic, int64_t first, int64_t n, int nkeys)
{
    rd_kafka_t *rk = kt_client(RD_KAFKA_PRODUCER, NULL);
    for (int64_t i = first; i < first + n; i++) {
        char key[32], val[64];
        snprintf(key, sizeof key, "k%d", (int)(i % nkeys));
        snprintf(val, sizeof val, "%s:%lld", key, (long long)i);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                      RD_KAFKA_V_VALUE(val, strlen(val)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        cr_assert_eq(e, 0, "%s", rd_kafka_err2str(e));
    }
    cr_assert_eq(rd_kafka_flush(rk, 30000), 0, "raw producer flushed");
    rd_kafka_destroy(rk);
}

/* --- check: what a consumer route saw --- */

#define KT_KEYS 64

struct kcheck {
    pthread_mutex_t mu;
    int64_t n;               /* expected sequence numbers 0..n-1 */
    uint8_t *seen;
    int64_t arrivals, dups, disorder, bad;
    int64_t last[KT_KEYS];   /* newest seq per key, -1 none */
    int fd;                  /* >= 0: every seq is also written there, one per line */
    int64_t delay_us;        /* per exchange, to keep exchanges in flight */
};

static KT_UNUSED void *kcheck_new(void *arg)
{
    struct kcheck *k = drom_xcalloc(1, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
    k->n = *(int64_t *)arg;
    k->seen = drom_xcalloc((size_t)k->n + 1, 1);
    for (int i = 0; i < KT_KEYS; i++)
        k->last[i] = -1;
    /* A child process that will be killed records what it processed here. */
    const char *file = getenv("KT_CHECK_FILE");
    k->fd = file ? open(file, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    const char *delay = getenv("KT_CHECK_DELAY_US");
    k->delay_us = delay ? atoll(delay) : 0;
    return k;
}

static KT_UNUSED void kcheck_free(void *p)
{
    struct kcheck *k = p;
    pthread_mutex_destroy(&k->mu);
    free(k->seen);
    free(k);
}

/* Records one body. Returns false for a body that is not KEY:SEQ. */
static KT_UNUSED bool kcheck_record(struct kcheck *k, const char *body)
{
    int key;
    long long seq;
    if (!body || sscanf(body, "k%d:%lld", &key, &seq) != 2 || key < 0 || key >= KT_KEYS || seq < 0 || seq >= k->n) {
        k->bad++;
        return false;
    }
    k->arrivals++;
    if (k->seen[seq])
        k->dups++;
    else if (seq < k->last[key])
        k->disorder++;
    k->seen[seq] = 1;
    if (seq > k->last[key])
        k->last[key] = seq;
    if (k->fd >= 0) {
        char line[32];
        int len = snprintf(line, sizeof line, "%lld\n", seq);
        ssize_t w = write(k->fd, line, (size_t)len);
        (void)w;
    }
    return true;
}

static KT_UNUSED int64_t kcheck_missing(struct kcheck *k)
{
    pthread_mutex_lock(&k->mu);
    int64_t miss = 0;
    for (int64_t i = 0; i < k->n; i++)
        miss += !k->seen[i];
    pthread_mutex_unlock(&k->mu);
    return miss;
}

static KT_UNUSED int64_t kcheck_arrivals(struct kcheck *k)
{
    pthread_mutex_lock(&k->mu);
    int64_t v = k->arrivals;
    pthread_mutex_unlock(&k->mu);
    return v;
}

/* The expected count comes from the endpoint path: mock:check-NAME-COUNT. */
static KT_UNUSED int kcheck_create(struct drom_endpoint *ep, struct drom_error *err)
{
    const char *dash = strrchr(ep->path, '-');
    int64_t n = dash ? atoll(dash + 1) : 0;
    char key[300];
    snprintf(key, sizeof key, "kcheck:%s", ep->path);
    ep->state = drom_engine_shared(drom_endpoint_engine(ep), key, kcheck_new, &n, kcheck_free);
    return 0;
}

static KT_UNUSED enum drom_status kcheck_produce(struct drom_endpoint *ep, struct drom_exchange *ex,
                                                 struct drom_error *err)
{
    struct kcheck *k = ep->state;
    pthread_mutex_lock(&k->mu);
    kcheck_record(k, drom_exchange_body(ex, NULL));
    int64_t d = k->delay_us;
    pthread_mutex_unlock(&k->mu);
    if (d) {
        struct timespec ts = {0, (long)d * 1000};
        nanosleep(&ts, NULL);
    }
    return DROM_DONE;
}

static const KT_UNUSED struct drom_component kt_check_component = {
    .name = "check",
    .roles = DROM_ROLE_PRODUCER,
    .create = kcheck_create,
    .produce = kcheck_produce,
};

static KT_UNUSED struct kcheck *kt_check(struct te *t, const char *path)
{
    char key[300];
    snprintf(key, sizeof key, "kcheck:%s", path);
    struct kcheck *k = drom_engine_shared_find(t->eng, key);
    cr_assert_not_null(k, "check %s exists", path);
    return k;
}

/* Compiles `xml`, re-points timer:feed at the feed and mock:check at the checker, starts. */
static KT_UNUSED void kt_start(struct te *t, const char *xml, size_t window)
{
    te_compile(t, xml);
    struct drom_placeholder_ctx ph = {0};
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_resolve_secrets(&t->graph, &ph, &err), 0, "%s", err.msg);
    te_patch(t, "timer:feed", &te_feed_component);
    te_patch(t, "mock:check", &kt_check_component);
    struct drom_engine_options o = {.window = window};
    te_start_opts(t, &o);
}

/* --- reading a topic back with a raw consumer --- */

struct kt_rec {
    char key[32];
    char val[64];
    int32_t partition;
    int64_t offset;
};

/* Reads until `n` records arrived (a fresh group, from the beginning) or
 * the deadline; returns the count, records in *out (caller frees). */
static KT_UNUSED size_t kt_read(const char *topic, size_t n, int64_t timeout_ms, struct kt_rec **out)
{
    char group[256];
    snprintf(group, sizeof group, "reader-%s", topic);
    rd_kafka_t *rk = kt_client(RD_KAFKA_CONSUMER, group);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    struct kt_rec *recs = drom_xcalloc(n + 1, sizeof *recs);
    size_t got = 0;
    int64_t deadline = ts_now_ms() + timeout_ms;
    while (got < n && ts_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (!m->err) {
            struct kt_rec *r = &recs[got++];
            snprintf(r->key, sizeof r->key, "%.*s", (int)m->key_len, m->key ? (char *)m->key : "");
            snprintf(r->val, sizeof r->val, "%.*s", (int)m->len, m->payload ? (char *)m->payload : "");
            r->partition = m->partition;
            r->offset = m->offset;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    *out = recs;
    return got;
}

/* Reads the topic from the beginning (a fresh group) into `k` until every
 * sequence number was seen or the deadline passed. */
static KT_UNUSED void kt_read_into(const char *topic, struct kcheck *k, int64_t timeout_ms)
{
    char group[256];
    snprintf(group, sizeof group, "reader-%s-%lld", topic, (long long)ts_now_ms());
    rd_kafka_t *rk = kt_client(RD_KAFKA_CONSUMER, group);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int64_t deadline = ts_now_ms() + timeout_ms;
    int64_t left = k->n;
    while (left > 0 && ts_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (!m->err && m->payload) {
            char body[64];
            snprintf(body, sizeof body, "%.*s", (int)m->len, (char *)m->payload);
            pthread_mutex_lock(&k->mu);
            int64_t before = k->dups;
            if (kcheck_record(k, body) && k->dups == before)
                left--;
            pthread_mutex_unlock(&k->mu);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/* Engine XML with the brokers filled in: "%B" in `fmt` stands for the brokers, %S for the SASL
 * listener, %L for the TLS listener and %C for its CA file, "%T" for topic. */
static KT_UNUSED char *kt_xml(const char *fmt, const char *topic)
{
    struct drom_buf b = DROM_BUF_INIT;
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 'B') {
            drom_buf_puts(&b, ts_brokers());
            p++;
        } else if (p[0] == '%' && p[1] == 'S') {
            drom_buf_puts(&b, kt_sasl_brokers());
            p++;
        } else if (p[0] == '%' && p[1] == 'L') {
            drom_buf_puts(&b, kt_ssl_brokers());
            p++;
        } else if (p[0] == '%' && p[1] == 'C') {
            drom_buf_puts(&b, kt_ssl_ca());
            p++;
        } else if (p[0] == '%' && p[1] == 'T') {
            drom_buf_puts(&b, topic);
            p++;
        } else {
            drom_buf_putc(&b, *p);
        }
    }
    return drom_buf_detach(&b);
}

/* kt_xml(fmt, topic), then kt_start with the default window. */
static KT_UNUSED void kt_run(struct te *t, const char *fmt, const char *topic)
{
    char *xml = kt_xml(fmt, topic);
    kt_start(t, xml, 0);
    free(xml);
}

/* --- a consumer group as the broker sees it --- */

#define KT_MEMBERS 8

struct kt_group {
    int members;
    int partitions[KT_MEMBERS];   /* assigned to each member */
    char topics[512];             /* the assigned topics, sorted, comma-separated */
    bool stable;
};

static KT_UNUSED int kt_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* DescribeConsumerGroups on the plain listener. */
static KT_UNUSED void kt_describe_group(const char *group, struct kt_group *out)
{
    memset(out, 0, sizeof *out);
    rd_kafka_t *rk = kt_client(RD_KAFKA_PRODUCER, NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    const char *groups[] = {group};
    rd_kafka_DescribeConsumerGroups(rk, groups, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    cr_assert_not_null(ev, "DescribeConsumerGroups answered");
    const rd_kafka_DescribeConsumerGroups_result_t *res = rd_kafka_event_DescribeConsumerGroups_result(ev);
    cr_assert_not_null(res, "%s", rd_kafka_event_error_string(ev));
    size_t n;
    const rd_kafka_ConsumerGroupDescription_t **gd = rd_kafka_DescribeConsumerGroups_result_groups(res, &n);
    cr_assert_eq(n, 1);
    out->stable = rd_kafka_ConsumerGroupDescription_state(gd[0]) == RD_KAFKA_CONSUMER_GROUP_STATE_STABLE;
    const char *names[64];
    size_t nnames = 0;
    size_t nm = rd_kafka_ConsumerGroupDescription_member_count(gd[0]);
    for (size_t i = 0; i < nm && i < KT_MEMBERS; i++) {
        const rd_kafka_MemberDescription_t *md = rd_kafka_ConsumerGroupDescription_member(gd[0], i);
        const rd_kafka_topic_partition_list_t *l =
            rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
        out->partitions[out->members++] = l ? l->cnt : 0;
        for (int j = 0; l && j < l->cnt; j++) {
            bool known = false;
            for (size_t k = 0; k < nnames; k++)
                known = known || strcmp(names[k], l->elems[j].topic) == 0;
            if (!known && nnames < 64)
                names[nnames++] = l->elems[j].topic;
        }
    }
    qsort(names, nnames, sizeof *names, kt_cmp_str);
    for (size_t k = 0; k < nnames; k++) {
        size_t len = strlen(out->topics);
        snprintf(out->topics + len, sizeof out->topics - len, "%s%s", k ? "," : "", names[k]);
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

/* Waits until the group is stable with `members` members that all hold partitions. */
static KT_UNUSED void kt_wait_group(const char *group, int members, struct kt_group *g, int64_t timeout_ms)
{
    int64_t deadline = ts_now_ms() + timeout_ms;
    for (;;) {
        kt_describe_group(group, g);
        bool ok = g->stable && g->members == members;
        for (int i = 0; ok && i < g->members; i++)
            ok = g->partitions[i] > 0;
        if (ok)
            return;
        cr_assert_lt(ts_now_ms(), deadline, "group %s: %d member(s), stable=%d, want %d holding partitions", group,
                     g->members, g->stable, members);
        poll(NULL, 0, 200);
    }
}

#endif
