/* The elector of a source in standby (docs/ha.md): Kafka's group membership
 * chooses the one replica that runs it, as Kafka Connect's workers share
 * their connectors, and no coordinator of our own is involved.
 *
 * Every replica joins the source's consumer group on a one-partition topic;
 * the member assigned the partition leads. The assignor is
 * cooperative-sticky: a replica that joins or leaves never moves the
 * partition away from a live leader, and a partition changes hands only
 * after its owner revoked it, which here means after its source stopped
 * (deposed runs inside the revocation). A leader that stops answering (kill
 * -9, SIGSTOP, a network cut) is dropped by the coordinator after the
 * session timeout and the partition goes to a standby; librdkafka tells the
 * silent one its assignment was lost when it notices, and it steps down.
 * Both may run for a moment then: the new leader's transactional producer
 * (the route's transactionalId) fences the old one, so what the old one
 * still writes is refused.
 *
 * The epoch: on taking the lead the member commits, as a consumer offset
 * of the partition, one more than the group's committed value. The
 * coordinator accepts a commit only from a member of the current
 * generation, so epochs grow with each leadership and a deposed member
 * cannot take one. It names the term in the log and in /metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/kafka/kafka.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

#define LOGGER "standby"
#define POLL_MS 200

struct drom_standby {
    rd_kafka_t *rk;
    struct drom_standby_events ev;
    char *topic, *group;
    atomic_bool stop;
    pthread_t thread;
    bool thread_started;
    /* elector thread only */
    bool owned;       /* the partition is assigned to this member */
    bool leading;     /* elected succeeded and deposed was not called yet */
    int64_t retry_at_ms, retry_ms;   /* after a failed start: when to try again, the pause */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool holds_ours(const struct drom_standby *s, const rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; parts && i < parts->cnt; i++)
        if (strcmp(parts->elems[i].topic, s->topic) == 0 && parts->elems[i].partition == 0)
            return true;
    return false;
}

static void step_down(struct drom_standby *s, bool lost)
{
    /* also after a start that failed: the program clears what it shows for it */
    bool tried = s->retry_ms > 0;
    s->retry_at_ms = s->retry_ms = 0;
    if (!s->leading && !tried)
        return;
    drom_info(LOGGER, "group %s: %s; stopping the source before the partition is released", s->group,
              lost ? "this replica was dropped from the group (silent past the session timeout)"
                   : "leadership revoked");
    s->ev.deposed(s->ev.arg, lost);
    s->leading = false;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    struct drom_standby *s = opaque;
    rd_kafka_error_t *e = NULL;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        e = rd_kafka_incremental_assign(rk, parts);
        /* Nothing is ever read from the topic: the assignment is the message. */
        rd_kafka_pause_partitions(rk, parts);
        if (holds_ours(s, parts))
            s->owned = true;
    } else {
        if (holds_ours(s, parts)) {
            s->owned = false;
            step_down(s, rd_kafka_assignment_lost(rk));
        }
        e = rd_kafka_incremental_unassign(rk, parts);
    }
    if (e) {
        drom_warn(LOGGER, "group %s: %s", s->group, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
}

/* The next epoch, committed in this member's generation; -1 when the
 * coordinator refused it (a rebalance is under way: tried again later). */
static int64_t take_epoch(struct drom_standby *s)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(l, s->topic, 0);
    rd_kafka_resp_err_t e = rd_kafka_committed(s->rk, l, 5000);
    int64_t epoch = (e == RD_KAFKA_RESP_ERR_NO_ERROR && tp->err == RD_KAFKA_RESP_ERR_NO_ERROR && tp->offset >= 0)
                        ? tp->offset + 1
                        : 1;
    tp->offset = epoch;
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        e = rd_kafka_commit(s->rk, l, 0);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        e = l->elems[0].err;
    rd_kafka_topic_partition_list_destroy(l);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        drom_warn(LOGGER, "group %s: could not take the next leader epoch: %s; trying again", s->group,
                  rd_kafka_err2str(e));
        return -1;
    }
    return epoch;
}

/* Owner of the partition: take the epoch and start the source; a start
 * that failed is tried again after a pause, since nobody else can run the
 * source while this replica holds the partition. */
static void lead(struct drom_standby *s)
{
    int64_t epoch = take_epoch(s);
    if (epoch <= 0 || !s->owned)
        return;
    drom_info(LOGGER, "group %s: this replica leads (epoch %lld); starting the source", s->group, (long long)epoch);
    if (s->ev.elected(s->ev.arg, epoch) == 0) {
        s->leading = true;
        s->retry_at_ms = s->retry_ms = 0;
        return;
    }
    s->retry_ms = s->retry_ms ? (s->retry_ms * 2 > 10000 ? 10000 : s->retry_ms * 2) : 1000;
    s->retry_at_ms = mono_ms() + s->retry_ms;
    drom_warn(LOGGER, "group %s: the source did not start; trying again in %lld ms", s->group,
              (long long)s->retry_ms);
}

static void *elector_main(void *arg)
{
    struct drom_standby *s = arg;
    while (!atomic_load(&s->stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, POLL_MS);
        if (m) {
            if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                drom_warn(LOGGER, "group %s: %s", s->group, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
        }
        if (!s->owned)
            s->retry_at_ms = s->retry_ms = 0;
        if (s->owned && !s->leading && !atomic_load(&s->stop) && mono_ms() >= s->retry_at_ms)
            lead(s);
    }
    /* Revokes (deposed first) and leaves the group, so that a standby takes
     * over at once rather than after the session timeout. */
    rd_kafka_consumer_close(s->rk);
    step_down(s, false);
    return NULL;
}

/* A refused login or handshake keeps this replica out of the group for as
 * long as it lasts, so it is an error, said once a minute while it lasts. */
static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    struct drom_standby *s = opaque;
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL)
        drom_log_limited(DROM_LOG_ERROR, LOGGER, 60000,
                         "group %s (topic %s): the brokers refused this replica, which cannot stand for leader: %s",
                         s->group, s->topic, reason);
    else
        drom_warn(LOGGER, "group %s: %s: %s", s->group, rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static rd_kafka_conf_t *elector_conf(const struct drom_standby_config *cfg, const char *member,
                                     struct drom_standby *s, struct drom_error *err)
{
    char session[32], heartbeat[32];
    snprintf(session, sizeof session, "%lld", (long long)cfg->session_timeout_ms);
    snprintf(heartbeat, sizeof heartbeat, "%lld", (long long)cfg->heartbeat_interval_ms);
    const char *props[][2] = {
        {"bootstrap.servers", cfg->brokers},
        {"group.id", cfg->group_id},
        {"client.id", member},
        {"session.timeout.ms", session},
        {"heartbeat.interval.ms", heartbeat},
        {"partition.assignment.strategy", "cooperative-sticky"},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    struct drom_kafka_props sec = {0};
    int rc = drom_kafka_props_build(&cfg->security, &sec, err);
    for (size_t i = 0; i < sizeof props / sizeof props[0] && rc == 0; i++)
        rc = kafka_conf_set(conf, props[i][0], props[i][1], err);
    if (rc == 0)
        rc = kafka_conf_set_list(conf, drom_kafka_props_list(&sec), err);
    drom_kafka_props_free(&sec);
    if (rc < 0) {
        drom_err_prefix(err, "standby group %s", cfg->group_id);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, kafka_conf_log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_opaque(conf, s);
    return conf;
}

struct drom_standby *drom_standby_open(const struct drom_standby_config *cfg, const char *member,
                                       const struct drom_standby_events *ev, struct drom_error *err)
{
    struct drom_standby *s = drom_xcalloc(1, sizeof *s);
    s->ev = *ev;
    s->topic = drom_xstrdup(cfg->topic);
    s->group = drom_xstrdup(cfg->group_id);
    rd_kafka_conf_t *conf = elector_conf(cfg, member, s, err);
    char why[512];
    if (conf && !(s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why))) {
        rd_kafka_conf_destroy(conf);
        drom_err(err, DROM_EINVAL, "standby group %s: %s", cfg->group_id, why);
    }
    if (!s->rk)
        goto fail;
    rd_kafka_poll_set_consumer(s->rk);
    if (kafka_create_topic(s->rk, s->topic, "standby topic", cfg->session_timeout_ms, err) < 0)
        goto fail;
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, s->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        drom_err(err, DROM_ECONNECT, "standby group %s: subscribe to %s: %s", s->group, s->topic, rd_kafka_err2str(e));
        goto fail;
    }
    if (pthread_create(&s->thread, NULL, elector_main, s) != 0) {
        drom_err(err, DROM_EINTERNAL, "standby group %s: cannot start the elector thread", s->group);
        goto fail;
    }
    s->thread_started = true;
    return s;
fail:
    drom_standby_close(s);
    return NULL;
}

void drom_standby_close(struct drom_standby *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, true);
    if (s->thread_started)
        pthread_join(s->thread, NULL);
    if (s->rk)
        rd_kafka_destroy(s->rk);
    free(s->topic);
    free(s->group);
    free(s);
}
