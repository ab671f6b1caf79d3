/* Which consumer offsets are safe to commit.
 *
 * The engine keeps one watermark per consumer endpoint, over all its
 * partitions, in submission order, and calls commit(ep, pos) with the
 * position of the newest exchange such that it and every exchange submitted
 * before it are done. The consumer keeps a log of what it submitted, in the
 * same order (appending to the log and drom_consumer_submit happen together
 * under `order`), so commit(pos) means: every log entry up to pos->seq is
 * done. Popping those entries and keeping, per partition, offset + 1 of the
 * newest one is a per-partition watermark:
 *   - records of one partition are submitted in offset order, so every
 *     earlier record of that partition is in the popped prefix: done;
 *   - a record that is not done stops the prefix, so no later record of its
 *     partition (nor of any other) is popped: nothing is committed past it.
 * It is conservative (a slow record holds back the commits of the other
 * partitions until it is done) and never wrong. Failed exchanges count as
 * done as in Camel, unless breakOnFirstError, where the engine's watermark
 * never passes them.
 *
 * Offsets are committed by the member threads (asynchronously, every
 * autoCommitIntervalMs), on revocation and at close (synchronously), and
 * only for partitions the member still owns. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/kafka/consumer.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct kafka_pos *kafka_log_append(struct kafka_consumer *c, struct kafka_part *part, int64_t offset)
{
    struct kafka_pos *pos = drom_xmalloc(sizeof *pos);
    pthread_mutex_lock(&c->mu);
    if (c->llen == c->lcap) {
        size_t ncap = c->lcap ? c->lcap * 2 : 1024;
        struct kafka_logent *nl = drom_xmalloc(ncap * sizeof *nl);
        for (size_t i = 0; i < c->llen; i++)
            nl[i] = c->log[(c->lhead + i) % c->lcap];
        free(c->log);
        c->log = nl;
        c->lcap = ncap;
        c->lhead = 0;
    }
    pos->seq = c->next_seq++;
    c->log[(c->lhead + c->llen++) % c->lcap] = (struct kafka_logent){.seq = pos->seq, .part = part, .offset = offset};
    part->submitted = offset + 1;
    pthread_mutex_unlock(&c->mu);
    return pos;
}

void kafka_log_done_upto(struct kafka_consumer *c, const struct kafka_pos *pos)
{
    pthread_mutex_lock(&c->mu);
    while (c->llen && c->log[c->lhead].seq <= pos->seq) {
        struct kafka_logent *e = &c->log[c->lhead];
        if (!e->part->revoked && e->offset + 1 > e->part->done)
            e->part->done = e->offset + 1;
        c->lhead = (c->lhead + 1) % c->lcap;
        c->llen--;
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
}

static bool listed(const rd_kafka_topic_partition_list_t *l, const struct kafka_part *p)
{
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].partition == p->partition && strcmp(l->elems[i].topic, p->topic) == 0)
            return true;
    return false;
}

void kafka_commit_member(struct kafka_member *m, const rd_kafka_topic_partition_list_t *only, bool sync)
{
    struct kafka_consumer *c = m->c;
    rd_kafka_topic_partition_list_t *l = NULL;
    pthread_mutex_lock(&c->mu);
    for (struct kafka_part *p = m->parts; p; p = p->next) {
        if (p->revoked || p->done < 0 || (only && !listed(only, p)))
            continue;
        /* A synchronous commit repeats an asynchronous one that may have
         * been refused (a rebalance in progress). */
        if (!sync && p->done == p->committed)
            continue;
        if (!l)
            l = rd_kafka_topic_partition_list_new(8);
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->done;
        p->committed = p->done;
    }
    pthread_mutex_unlock(&c->mu);
    if (!l)
        return;
    rd_kafka_resp_err_t e = rd_kafka_commit(m->rk, l, sync ? 0 : 1);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
        drom_warn("kafka", "%s: committing offsets failed: %s", c->ep->uri_masked, rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(l);
}

void kafka_wait_done(struct kafka_member *m, const rd_kafka_topic_partition_list_t *list, int64_t timeout_ms)
{
    struct kafka_consumer *c = m->c;
    struct timespec dl = drom_deadline_in(timeout_ms);
    pthread_mutex_lock(&c->mu);
    while (!atomic_load(&c->stopping)) {
        bool busy = false;
        for (struct kafka_part *p = m->parts; p && !busy; p = p->next)
            busy = !p->revoked && p->submitted > p->done && listed(list, p);
        if (!busy || pthread_cond_timedwait(&c->cond, &c->mu, &dl) != 0)
            break;
    }
    pthread_mutex_unlock(&c->mu);
}
