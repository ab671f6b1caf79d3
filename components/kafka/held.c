/* What the consumer's members hold, told to the engine on every change of
 * the assignment (drom_endpoint_partitions): /routes, /status and /metrics
 * show each replica's partitions. Called with c->mu held, so that two
 * members' rebalances publish in the order their changes were made. */
#include <stdlib.h>
#include <string.h>

#include "components/kafka/consumer.h"
#include "runtime/xalloc.h"

struct topics {
    const char **v;   /* borrowed from c->topics and the parts */
    size_t n, cap;
};

static void add_topic(struct topics *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i], name) == 0)
            return;
    drom_xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n++] = name;
}

/* The partitions of `topic` some member holds now (parts not revoked). */
static size_t held_of(const struct kafka_consumer *c, const char *topic, int32_t **out, size_t *cap)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nmembers && c->members; i++)
        for (const struct kafka_part *p = c->members[i].parts; p; p = p->next)
            if (!p->revoked && strcmp(p->topic, topic) == 0) {
                drom_xgrow((void **)out, cap, n + 1, sizeof **out);
                (*out)[n++] = p->partition;
            }
    return n;
}

void kafka_held_publish(struct kafka_consumer *c)
{
    const struct kafka_conf *o = c->ep->conf;
    struct topics t = {0};
    /* a topic named in the path shows before its first assignment; a
     * pattern's topics as they are assigned */
    for (size_t i = 0; i < c->ntopics && !o->topic_is_pattern; i++)
        add_topic(&t, c->topics[i]);
    for (size_t i = 0; i < c->nmembers && c->members; i++)
        for (const struct kafka_part *p = c->members[i].parts; p; p = p->next)
            add_topic(&t, p->topic);
    int32_t *parts = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < t.n; i++) {
        size_t n = held_of(c, t.v[i], &parts, &cap);
        drom_endpoint_partitions(c->ep, t.v[i], parts, n);
    }
    free(parts);
    free(t.v);
}
