/* The partitions a group consumer holds now, per topic: kept beside the
 * endpoint's items under the same mutex, since the consumer's rebalance
 * (its own thread) writes them while /metrics, /routes and /status (the
 * HTTP thread) read them. */
#include <stdlib.h>
#include <string.h>

#include "runtime/metrics_int.h"
#include "runtime/xalloc.h"

static int cmp_part(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* Under m->mu: the topic's entry, added (with none) when new. */
static struct drom_held_topic *topic_entry(struct drom_endpoint_metrics *m, const char *topic)
{
    for (size_t i = 0; i < m->nheld; i++)
        if (strcmp(m->held[i].topic, topic) == 0)
            return &m->held[i];
    drom_xgrow((void **)&m->held, &m->capheld, m->nheld + 1, sizeof *m->held);
    struct drom_held_topic *t = &m->held[m->nheld++];
    memset(t, 0, sizeof *t);
    t->topic = drom_xstrdup(topic);
    return t;
}

void drom_endpoint_metrics_held(struct drom_endpoint_metrics *m, const char *topic, const int32_t *parts, size_t n)
{
    int32_t *copy = drom_xmalloc((n ? n : 1) * sizeof *copy);
    if (n)
        memcpy(copy, parts, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, cmp_part);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || copy[kept - 1] != copy[i])
            copy[kept++] = copy[i];
    pthread_mutex_lock(&m->mu);
    struct drom_held_topic *t = topic_entry(m, topic ? topic : "");
    free(t->parts);
    t->parts = copy;
    t->n = kept;
    pthread_mutex_unlock(&m->mu);
}

void metrics_held_render(struct drom_buf *out, struct drom_endpoint_metrics *const *eps, size_t n)
{
    bool header = false;
    for (size_t e = 0; e < n; e++)
        for (size_t i = 0; i < eps[e]->nheld; i++) {
            if (!header) {
                drom_buf_puts(out, "# HELP drom_endpoint_consumer_partitions Partitions of the topic the consumer "
                                   "holds now in its group.\n"
                                   "# TYPE drom_endpoint_consumer_partitions gauge\n");
                header = true;
            }
            drom_buf_puts(out, "drom_endpoint_consumer_partitions{routeId=\"");
            metrics_label(out, eps[e]->route_id);
            drom_buf_puts(out, "\",endpoint=\"");
            metrics_label(out, eps[e]->uri);
            drom_buf_puts(out, "\",topic=\"");
            metrics_label(out, eps[e]->held[i].topic);
            drom_buf_printf(out, "\"} %zu\n", eps[e]->held[i].n);
        }
}

void metrics_held_free(struct drom_endpoint_metrics *m)
{
    for (size_t i = 0; i < m->nheld; i++) {
        free(m->held[i].topic);
        free(m->held[i].parts);
    }
    free(m->held);
    m->held = NULL;
    m->nheld = m->capheld = 0;
}
