/* The group consumer: consumersCount members, each with its own client and
 * thread, subscribed to the topics (or the ^pattern). Each record becomes an
 * exchange submitted to the route; the offsets committed follow the engine's
 * watermark (commit.c), never librdkafka's automatic commit.
 *
 * Rebalances (the member's thread, inside poll; or the engine thread inside
 * close): on assignment, seekTo applies to a partition until this endpoint
 * has taken a record from it; on revocation the member waits (at most
 * shutdownTimeout) for the records it submitted from the revoked partitions
 * to be done, commits exactly what is done for them, synchronously, and
 * forgets them: whatever finishes later is not committed by this member. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/kafka/consumer.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* text/plain for UTF-8 text, application/json when it is framed as a JSON
 * object or array, nothing for binary: the amqp producer sends the first two
 * as text, as Camel's String deserializer would have it. The frame is looked
 * at, not parsed: parsing every record cost more than the rest of the hop,
 * and a step that needs the JSON (unmarshal, jsonpath) parses it anyway. */
static const char *content_type_of(const char *v, size_t n)
{
    if (!kafka_utf8_valid(v, n))
        return NULL;
    size_t i = 0, e = n;
    while (i < e && blank(v[i]))
        i++;
    while (e > i && blank(v[e - 1]))
        e--;
    if (e - i >= 2 && ((v[i] == '{' && v[e - 1] == '}') || (v[i] == '[' && v[e - 1] == ']')))
        return "application/json";
    return "text/plain";
}

static struct drom_exchange *to_exchange(const rd_kafka_message_t *msg)
{
    struct drom_exchange *ex = drom_exchange_new();
    if (msg->payload)
        drom_exchange_set_body(ex, msg->payload, msg->len, content_type_of(msg->payload, msg->len));
    else
        drom_exchange_set_body_null(ex);
    kafka_headers_to_exchange(msg, ex);
    drom_headers_set_str(&ex->headers, "kafka.TOPIC", rd_kafka_topic_name(msg->rkt));
    drom_headers_set_int(&ex->headers, "kafka.PARTITION", msg->partition);
    drom_headers_set_int(&ex->headers, "kafka.OFFSET", msg->offset);
    if (msg->key) {
        if (kafka_utf8_valid(msg->key, msg->key_len)) {
            struct drom_value v = {.type = DROM_V_STRING, .s = msg->key, .len = msg->key_len};
            drom_headers_set(&ex->headers, "kafka.KEY", &v);
        } else {
            drom_headers_set_bytes(&ex->headers, "kafka.KEY", msg->key, msg->key_len);
        }
    }
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(msg, &tt);
    if (tt != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
        drom_headers_set_int(&ex->headers, "kafka.TIMESTAMP", ts);
    return ex;
}

/* Member thread (or under c->mu from rebalance). */
static struct kafka_part *find_part(struct kafka_member *m, const char *topic, int32_t partition)
{
    if (m->last && m->last->partition == partition && strcmp(m->last->topic, topic) == 0)
        return m->last;
    for (struct kafka_part *p = m->parts; p; p = p->next)
        if (!p->revoked && p->partition == partition && strcmp(p->topic, topic) == 0)
            return m->last = p;
    return NULL;
}

static struct kafka_part *add_part(struct kafka_member *m, const char *topic, int32_t partition)
{
    struct kafka_part *p = drom_xcalloc(1, sizeof *p);
    p->m = m;
    p->topic = drom_xstrdup(topic);
    p->partition = partition;
    p->submitted = p->done = p->committed = -1;
    p->next = m->parts;
    m->parts = p;
    return p;
}

/* True while no member of the endpoint has taken a record of the partition.
 * Not "never assigned": the members join one after the other, so the first
 * one often holds every partition for a moment and gives some up before
 * fetching anything; nothing is committed for those, and the next owner
 * would start from the group's old offsets instead of seekTo's. Once a
 * record was taken, the revocation committed what was done and the next
 * owner resumes there. c->mu held. */
static bool seek_pending(struct kafka_consumer *c, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < c->nmembers; i++)
        for (struct kafka_part *p = c->members[i].parts; p; p = p->next)
            if (p->submitted >= 0 && p->partition == partition && strcmp(p->topic, topic) == 0)
                return false;
    return true;
}

/* librdkafka 2.0 resets a partition the group has no offset for only after a
 * fixed 100 ms back-off (rd_kafka_offset_reset's, for a reset with a cause),
 * a tenth of a second on every new group's first record. The partitions with
 * no committed offset start instead where autoOffsetReset says, looked up
 * here in one ListOffsets (-2 earliest, -1 latest). A failed look-up leaves
 * them to librdkafka's reset. */
static void start_uncommitted(struct kafka_member *m, rd_kafka_topic_partition_list_t *l)
{
    int reset = m->c->reset;
    if (reset != KAFKA_RESET_EARLIEST && reset != KAFKA_RESET_LATEST)
        return;
    rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_copy(l);
    if (rd_kafka_committed(m->rk, q, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_topic_partition_list_t *ends = rd_kafka_topic_partition_list_new(q->cnt);
        for (int i = 0; i < q->cnt; i++)
            if (!q->elems[i].err && q->elems[i].offset == RD_KAFKA_OFFSET_INVALID &&
                l->elems[i].offset == RD_KAFKA_OFFSET_INVALID)
                rd_kafka_topic_partition_list_add(ends, q->elems[i].topic, q->elems[i].partition)->offset =
                    reset == KAFKA_RESET_EARLIEST ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
        if (ends->cnt && rd_kafka_offsets_for_times(m->rk, ends, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR)
            for (int i = 0; i < ends->cnt; i++) {
                rd_kafka_topic_partition_t *e = &ends->elems[i];
                rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(l, e->topic, e->partition);
                if (tp && !e->err && e->offset >= 0)
                    tp->offset = e->offset;
            }
        rd_kafka_topic_partition_list_destroy(ends);
    }
    rd_kafka_topic_partition_list_destroy(q);
}

static void on_assign(struct kafka_member *m, rd_kafka_topic_partition_list_t *l, bool coop)
{
    struct kafka_consumer *c = m->c;
    start_uncommitted(m, l);
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < l->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &l->elems[i];
        if (c->seek_to >= 0 && seek_pending(c, tp->topic, tp->partition))
            tp->offset = c->seek_to == KAFKA_SEEK_END ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
        add_part(m, tp->topic, tp->partition);
    }
    kafka_held_publish(c);
    pthread_mutex_unlock(&c->mu);
    drom_log(DROM_LOG_INFO, "kafka", "%s: %d partition(s) assigned", c->ep->uri_masked, l->cnt);
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(m->rk, l);
        if (e) {
            drom_warn("kafka", "%s: incremental assign: %s", c->ep->uri_masked, rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(m->rk, l);
    }
    kafka_health_assigned(&m->health, true);
}

static void on_revoke(struct kafka_member *m, rd_kafka_topic_partition_list_t *l, bool coop)
{
    struct kafka_consumer *c = m->c;
    if (!rd_kafka_assignment_lost(m->rk)) {
        kafka_wait_done(m, l, c->shutdown_ms);
        kafka_commit_member(m, l, true);
    } else {
        drom_warn("kafka", "%s: assignment lost; records in flight will be consumed again by the new owner",
                  c->ep->uri_masked);
    }
    pthread_mutex_lock(&c->mu);
    for (struct kafka_part *p = m->parts; p; p = p->next)
        for (int i = 0; i < l->cnt; i++)
            if (!p->revoked && p->partition == l->elems[i].partition && strcmp(p->topic, l->elems[i].topic) == 0)
                p->revoked = true;
    m->last = NULL;
    kafka_held_publish(c);
    pthread_mutex_unlock(&c->mu);
    drom_log(DROM_LOG_INFO, "kafka", "%s: %d partition(s) revoked", c->ep->uri_masked, l->cnt);
    /* An eager rebalance takes everything back before the next assignment;
     * a cooperative one only moves some partitions and the rest keep flowing. */
    if (!coop)
        kafka_health_assigned(&m->health, false);
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(m->rk, l);
        if (e)
            rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(m->rk, NULL);
    }
}

/* librdkafka answers NULL when it cannot tell, as while the consumer
 * closes and revokes what it holds (strcmp on it crashed dromd's SIGTERM);
 * a group's protocol does not change, so the last answer stands. */
static bool cooperative(struct kafka_member *m, rd_kafka_t *rk)
{
    const char *proto = rd_kafka_rebalance_protocol(rk);
    if (proto && strcmp(proto, "NONE") != 0)
        m->cooperative = strcmp(proto, "COOPERATIVE") == 0;
    return m->cooperative;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *l, void *opaque)
{
    struct kafka_member *m = opaque;
    bool coop = cooperative(m, rk);
    /* as librdkafka's rebalance_cnt: every assignment and revocation */
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS || err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        drom_endpoint_count(m->c->ep, "consumer_rebalances", 1);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        on_assign(m, l, coop);
    else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        on_revoke(m, l, coop);
    else
        rd_kafka_assign(rk, NULL);
}

static void commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *l, void *opaque)
{
    struct kafka_member *m = opaque;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        drom_log(DROM_LOG_WARN, "kafka", "%s: offset commit failed: %s", m->c->ep->uri_masked, rd_kafka_err2str(err));
}

/* Returns false when the route no longer accepts exchanges. */
static bool submit(struct kafka_member *m, const rd_kafka_message_t *msg)
{
    struct kafka_consumer *c = m->c;
    const char *topic = rd_kafka_topic_name(msg->rkt);
    struct kafka_part *part = find_part(m, topic, msg->partition);
    if (!part) {
        pthread_mutex_lock(&c->mu);
        part = add_part(m, topic, msg->partition);
        pthread_mutex_unlock(&c->mu);
    }
    struct drom_exchange *ex = to_exchange(msg);
    struct drom_error err = {0};
    pthread_mutex_lock(&c->order);
    struct kafka_pos *pos = kafka_log_append(c, part, msg->offset);
    int rc = drom_consumer_submit(c->ep, ex, pos, &err);
    pthread_mutex_unlock(&c->order);
    return rc == 0;
}

/* librdkafka notices a subscribed topic that appears later only at its
 * next periodic metadata refresh (seconds), so a pipeline whose producer
 * creates the topic on its first record would wait that long for its first
 * event. Asking for the topic's metadata updates the client's cache, which
 * re-checks the subscription at once. From 50 ms up to 5 s between asks. */
static void note_missing(struct kafka_member *m, const char *topic)
{
    if (m->missing && strcmp(m->missing, topic) == 0)
        return;
    free(m->missing);
    m->missing = drom_xstrdup(topic);
    m->missing_backoff_ms = 50;
    m->missing_due_ms = drom_monotonic_ms() + m->missing_backoff_ms;
}

static void watch_missing(struct kafka_member *m, int64_t now)
{
    if (!m->missing || now < m->missing_due_ms)
        return;
    rd_kafka_topic_t *t = rd_kafka_topic_new(m->rk, m->missing, NULL);
    const struct rd_kafka_metadata *md = NULL;
    bool found = false;
    if (t && rd_kafka_metadata(m->rk, 0, t, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR && md)
        found = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                md->topics[0].partition_cnt > 0;
    if (md)
        rd_kafka_metadata_destroy(md);
    if (t)
        rd_kafka_topic_destroy(t);
    if (found) {
        free(m->missing);
        m->missing = NULL;
        return;
    }
    m->missing_backoff_ms = m->missing_backoff_ms * 2 > 5000 ? 5000 : m->missing_backoff_ms * 2;
    m->missing_due_ms = drom_monotonic_ms() + m->missing_backoff_ms;
}

static void *member_main(void *arg)
{
    struct kafka_member *m = arg;
    pthread_setname_np(pthread_self(), "kafka-consumer");   /* for top -H and profiles */
    struct kafka_consumer *c = m->c;
    drom_endpoint_log_here(c->ep);
    int64_t consumed = 0, shown = 0, shown_ms = 0;
    bool running = true;
    while (running && !atomic_load(&c->stopping)) {
        int timeout = 100;
        for (int n = 0; n < c->max_poll && running; n++) {
            rd_kafka_message_t *msg = rd_kafka_consumer_poll(m->rk, timeout);
            timeout = 0;
            if (!msg)
                break;
            if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                running = submit(m, msg);
                consumed++;
            } else if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                drom_log(DROM_LOG_WARN, "kafka", "%s: %s", c->ep->uri_masked, rd_kafka_message_errstr(msg));
                if ((msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                     msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) && msg->rkt)
                    note_missing(m, rd_kafka_topic_name(msg->rkt));
            }
            rd_kafka_message_destroy(msg);
        }
        int64_t now = drom_monotonic_ms();
        watch_missing(m, now);
        if (c->auto_commit && now - m->last_commit_ms >= c->commit_interval_ms) {
            kafka_commit_member(m, NULL, false);
            m->last_commit_ms = now;
        }
        if (now - shown_ms >= 250) {
            drom_endpoint_count(c->ep, "consumed", consumed - shown);
            shown = consumed;
            shown_ms = now;
        }
    }
    drom_endpoint_count(c->ep, "consumed", consumed - shown);
    return NULL;
}

static void add_topic(struct kafka_consumer *c, char *topic)
{
    c->topics = drom_xrealloc(c->topics, (c->ntopics + 1) * sizeof *c->topics);
    c->topics[c->ntopics++] = topic;
}

/* Camel subscribes with Pattern.compile(topic), which must match a whole
 * topic name and may hold commas ({1,3}); librdkafka takes a subscription
 * starting with ^ as a regex that may match anywhere after the start, so the
 * pattern is anchored at both ends as one group. */
static void set_pattern(struct kafka_consumer *c, const char *path)
{
    size_t n = strlen(path);
    const char *t = path;
    if (n && t[0] == '^')
        t++, n--;
    if (n && t[n - 1] == '$' && (n < 2 || t[n - 2] != '\\'))
        n--;
    if (!n)
        return;
    char *re = drom_xmalloc(n + 5);
    snprintf(re, n + 5, "^(%.*s)$", (int)n, t);
    add_topic(c, re);
}

/* A topic list, "a,b", as Camel splits it. */
static void split_topics(struct kafka_consumer *c, const char *path)
{
    char *copy = drom_xstrdup(path), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t n = strlen(t);
        while (n && t[n - 1] == ' ')
            t[--n] = '\0';
        if (n)
            add_topic(c, drom_xstrdup(t));
    }
    free(copy);
}

struct kafka_consumer *kafka_consumer_new(struct drom_endpoint *ep, struct drom_error *err)
{
    const struct kafka_conf *o = ep->conf;
    struct kafka_consumer *c = drom_xcalloc(1, sizeof *c);
    c->ep = ep;
    pthread_mutex_init(&c->order, NULL);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (o->topic_is_pattern)
        set_pattern(c, ep->path);
    else
        split_topics(c, ep->path);
    c->seek_to = o->seek_to;
    c->reset = o->auto_offset_reset;
    c->auto_commit = o->auto_commit_enable;
    c->commit_interval_ms = o->auto_commit_interval_ms;
    c->commit_timeout_ms = o->commit_timeout_ms;
    c->shutdown_ms = o->shutdown_timeout_ms;
    c->max_poll = (int)o->max_poll_records;
    c->nmembers = (size_t)o->consumers_count;
    if (!c->ntopics) {
        drom_err(err, DROM_EINVAL, "no topic to consume from in '%s'", ep->path);
        kafka_consumer_free(c);
        return NULL;
    }
    return c;
}

static int member_start(struct kafka_consumer *c, struct kafka_member *m, struct drom_error *err)
{
    m->c = c;
    kafka_health_init(&m->health, c->ep, "connecting to the Kafka brokers");
    kafka_health_gate(&m->health, ((const struct kafka_conf *)c->ep->conf)->group_id);
    rd_kafka_conf_t *conf = kafka_conf_build(c->ep->conf, KAFKA_CONSUMER, err);
    if (!conf)
        return -1;
    kafka_health_wire(&m->health, conf, err);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_offset_commit_cb(conf, commit_cb);
    rd_kafka_conf_set_opaque(conf, m);
    char why[512];
    m->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!m->rk) {
        rd_kafka_conf_destroy(conf);
        return drom_err(err, DROM_EINVAL, "kafka consumer: %s", why);
    }
    rd_kafka_poll_set_consumer(m->rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)c->ntopics);
    for (size_t i = 0; i < c->ntopics; i++)
        rd_kafka_topic_partition_list_add(subs, c->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(m->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return drom_err(err, DROM_EINVAL, "kafka consumer: cannot subscribe to %s: %s", c->ep->path,
                        rd_kafka_err2str(e));
    m->last_commit_ms = drom_monotonic_ms();
    if (pthread_create(&m->thread, NULL, member_main, m) != 0)
        return drom_err(err, DROM_EINTERNAL, "kafka consumer: cannot start a thread");
    m->thread_started = true;
    return 0;
}

int kafka_consumer_start(struct kafka_consumer *c, struct drom_error *err)
{
    atomic_store(&c->stopping, false);
    c->members = drom_xcalloc(c->nmembers, sizeof *c->members);
    c->started = true;
    pthread_mutex_lock(&c->mu);
    kafka_held_publish(c);
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < c->nmembers; i++)
        if (member_start(c, &c->members[i], err) < 0) {
            kafka_consumer_stop(c);
            return -1;
        }
    return 0;
}

void kafka_consumer_stop(struct kafka_consumer *c)
{
    atomic_store(&c->stopping, true);
    pthread_mutex_lock(&c->mu);
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < c->nmembers && c->members; i++)
        if (c->members[i].thread_started) {
            pthread_join(c->members[i].thread, NULL);
            c->members[i].thread_started = false;
        }
}

void kafka_consumer_commit(struct kafka_consumer *c, const void *pos)
{
    if (pos)
        kafka_log_done_upto(c, pos);
}

void kafka_consumer_free(struct kafka_consumer *c)
{
    if (!c)
        return;
    kafka_consumer_stop(c);
    /* The engine has called commit with its last watermark: commit what is
     * done, then leave the group (close revokes, which commits again). A
     * member still in the group may be handed the partitions of one that
     * left, inside its own close, and its on_assign reads every member's
     * parts: so every member closes before any part is freed. */
    for (size_t i = 0; i < c->nmembers && c->members; i++) {
        struct kafka_member *m = &c->members[i];
        if (!m->rk)
            continue;
        kafka_commit_member(m, NULL, true);
        rd_kafka_consumer_close(m->rk);
    }
    /* closed: nothing held any more, even where the assignment was lost
     * without a revocation */
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->nmembers && c->members; i++)
        for (struct kafka_part *p = c->members[i].parts; p; p = p->next)
            p->revoked = true;
    kafka_held_publish(c);
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < c->nmembers && c->members; i++) {
        struct kafka_member *m = &c->members[i];
        free(m->missing);
        if (m->rk)
            rd_kafka_destroy(m->rk);
        for (struct kafka_part *p = m->parts, *next; p; p = next) {
            next = p->next;
            free(p->topic);
            free(p);
        }
        m->parts = NULL;
    }
    free(c->members);
    for (size_t i = 0; i < c->ntopics; i++)
        free(c->topics[i]);
    free(c->topics);
    free(c->log);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->order);
    free(c);
}
