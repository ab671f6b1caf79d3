/* Internal to components/kafka: the consumer's state, shared by consumer.c
 * (threads, records -> exchanges, rebalances) and commit.c (which offsets
 * are safe to commit). */
#ifndef DROM_COMPONENTS_KAFKA_CONSUMER_H
#define DROM_COMPONENTS_KAFKA_CONSUMER_H

#include "components/kafka/kafka.h"

struct kafka_member;

/* One assigned partition of one member. A partition assigned again after
 * a revocation gets a new struct; the old one stays (marked revoked) until
 * the consumer is freed, as log entries may still point at it. */
struct kafka_part {
    struct kafka_member *m;
    char *topic;
    int32_t partition;
    int64_t submitted;   /* offset + 1 of the newest record submitted, -1 none */
    int64_t done;        /* offset + 1 below which every record is done, -1 none */
    int64_t committed;   /* what was last committed (or -1) */
    bool revoked;
    struct kafka_part *next;
};

/* One group member: its own client and thread (consumersCount of them). */
struct kafka_member {
    struct kafka_health health;   /* first: the client's opaque (health.c) */
    struct kafka_consumer *c;
    rd_kafka_t *rk;
    pthread_t thread;
    bool thread_started;
    struct kafka_part *parts;     /* guarded by c->mu */
    struct kafka_part *last;      /* lookup cache, member thread only */
    int64_t last_commit_ms;
    /* A subscribed topic the broker does not know yet (member thread only):
     * asked for again with a growing backoff, see watch_missing(). */
    char *missing;
    int64_t missing_due_ms, missing_backoff_ms;
    bool cooperative;             /* the group's rebalance protocol, as last told (member thread only) */
};

/* One submitted record, in submission order. */
struct kafka_logent {
    uint64_t seq;
    struct kafka_part *part;
    int64_t offset;
};

/* The position handed to drom_consumer_submit. */
struct kafka_pos {
    uint64_t seq;
};

struct kafka_consumer {
    struct drom_endpoint *ep;
    struct kafka_member *members;
    size_t nmembers;
    atomic_bool stopping;
    bool started;

    /* settings */
    char **topics;                /* subscription (a "^regex" entry for topicIsPattern) */
    size_t ntopics;
    int seek_to;                  /* enum kafka_seek, -1 for none */
    int reset;                    /* enum kafka_offset_reset (autoOffsetReset) */
    bool auto_commit;
    int64_t commit_interval_ms, commit_timeout_ms, shutdown_ms;
    int max_poll;

    /* Submission order (commit.c): `order` serialises appending to the log
     * and drom_consumer_submit, so the log is in the engine's order; `mu`
     * guards the log and the partitions and is never held across submit. */
    pthread_mutex_t order;
    pthread_mutex_t mu;
    pthread_cond_t cond;          /* a partition's done offset moved, or stopping */
    struct kafka_logent *log;
    size_t lhead, llen, lcap;
    uint64_t next_seq;
};

/* held.c: tells the engine the partitions the members hold now, per
 * topic (drom_endpoint_partitions). c->mu held. */
void kafka_held_publish(struct kafka_consumer *c);

/* commit.c */
/* Records `offset` of `part` as submitted; returns the position for submit. Holds c->mu. */
struct kafka_pos *kafka_log_append(struct kafka_consumer *c, struct kafka_part *part, int64_t offset);
/* The engine's watermark reached `pos`: every entry up to it is done. */
void kafka_log_done_upto(struct kafka_consumer *c, const struct kafka_pos *pos);
/* Commits the done offsets of member m's partitions (only `only` when not
 * NULL, a revoked list): asynchronously, or synchronously with `sync`. */
void kafka_commit_member(struct kafka_member *m, const rd_kafka_topic_partition_list_t *only, bool sync);
/* Waits until every submitted record of the partitions in `list` is done,
 * the consumer is stopping, or timeout_ms passed. */
void kafka_wait_done(struct kafka_member *m, const rd_kafka_topic_partition_list_t *list, int64_t timeout_ms);

#endif
