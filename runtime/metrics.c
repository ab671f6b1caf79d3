#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/metrics.h"
#include "runtime/xalloc.h"

const double drom_latency_bounds[DROM_LATENCY_BUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                              0.05,   0.1,   0.25,   1,     5};

void drom_route_metrics_init(struct drom_route_metrics *m, const char *route_id)
{
    memset(m, 0, sizeof *m);
    m->route_id = route_id;
}

void drom_route_metrics_latency(struct drom_route_metrics *m, int64_t us)
{
    if (us < 0)
        us = 0;
    size_t b = 0;
    while (b < DROM_LATENCY_BUCKETS - 1 && (double)us / 1e6 > drom_latency_bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->lat_buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_sum_us, us, memory_order_relaxed);
}

void drom_endpoint_metrics_init(struct drom_endpoint_metrics *m, const char *route_id, const char *uri)
{
    memset(m, 0, sizeof *m);
    m->route_id = route_id;
    m->uri = uri;
    pthread_mutex_init(&m->mu, NULL);
}

void drom_endpoint_metrics_destroy(struct drom_endpoint_metrics *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->items[i].name);
    free(m->items);
    pthread_mutex_destroy(&m->mu);
}

static char *sanitise(const char *name)
{
    char *s = drom_xstrdup(name);
    for (char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            *p = '_';
    return s;
}

void drom_endpoint_metrics_put(struct drom_endpoint_metrics *m, const char *name, int64_t v, int gauge)
{
    char *clean = sanitise(name);
    pthread_mutex_lock(&m->mu);
    struct drom_metric_item *it = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].name, clean) == 0)
            it = &m->items[i];
    if (!it) {
        drom_xgrow((void **)&m->items, &m->cap, m->n + 1, sizeof *m->items);
        it = &m->items[m->n++];
        it->name = clean;
        it->value = 0;
        clean = NULL;
    }
    it->gauge = gauge;
    it->value = gauge ? v : it->value + v;
    pthread_mutex_unlock(&m->mu);
    free(clean);
}

int64_t drom_endpoint_metrics_get(struct drom_endpoint_metrics *m, const char *name)
{
    char *clean = sanitise(name);
    int64_t v = 0;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].name, clean) == 0)
            v = m->items[i].value;
    pthread_mutex_unlock(&m->mu);
    free(clean);
    return v;
}

static void label(struct drom_buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\' || *s == '"')
            drom_buf_putc(out, '\\');
        if (*s == '\n') {
            drom_buf_puts(out, "\\n");
            continue;
        }
        drom_buf_putc(out, *s);
    }
}

static void route_family(struct drom_buf *out, struct drom_route_metrics *const *routes, size_t n, const char *name,
                         const char *type, const char *help, size_t offset)
{
    drom_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    for (size_t i = 0; i < n; i++) {
        atomic_llong *v = (atomic_llong *)((char *)routes[i] + offset);
        drom_buf_printf(out, "%s{routeId=\"", name);
        label(out, routes[i]->route_id);
        drom_buf_printf(out, "\"} %lld\n", (long long)atomic_load_explicit(v, memory_order_relaxed));
    }
}

static void latency(struct drom_buf *out, struct drom_route_metrics *const *routes, size_t n)
{
    const char *name = "drom_exchange_latency_seconds";
    drom_buf_printf(out, "# HELP %s Time from an exchange's creation to its completion\n# TYPE %s histogram\n",
                    name, name);
    for (size_t i = 0; i < n; i++) {
        long long cum = 0;
        for (size_t b = 0; b < DROM_LATENCY_BUCKETS; b++) {
            cum += atomic_load_explicit(&routes[i]->lat_buckets[b], memory_order_relaxed);
            drom_buf_printf(out, "%s_bucket{routeId=\"", name);
            label(out, routes[i]->route_id);
            if (b < DROM_LATENCY_BUCKETS - 1)
                drom_buf_printf(out, "\",le=\"%g\"} %lld\n", drom_latency_bounds[b], cum);
            else
                drom_buf_printf(out, "\",le=\"+Inf\"} %lld\n", cum);
        }
        drom_buf_printf(out, "%s_sum{routeId=\"", name);
        label(out, routes[i]->route_id);
        drom_buf_printf(out, "\"} %.6f\n",
                        (double)atomic_load_explicit(&routes[i]->lat_sum_us, memory_order_relaxed) / 1e6);
        drom_buf_printf(out, "%s_count{routeId=\"", name);
        label(out, routes[i]->route_id);
        drom_buf_printf(out, "\"} %lld\n", (long long)atomic_load_explicit(&routes[i]->lat_count, memory_order_relaxed));
    }
}

static int item_seen(struct drom_endpoint_metrics *const *eps, size_t upto_ep, size_t upto_item, const char *name)
{
    for (size_t e = 0; e <= upto_ep; e++) {
        size_t lim = e == upto_ep ? upto_item : eps[e]->n;
        for (size_t i = 0; i < lim; i++)
            if (strcmp(eps[e]->items[i].name, name) == 0)
                return 1;
    }
    return 0;
}

static void endpoints(struct drom_buf *out, struct drom_endpoint_metrics *const *eps, size_t n)
{
    for (size_t e = 0; e < n; e++)
        pthread_mutex_lock(&eps[e]->mu);
    /* One family per metric name, with every endpoint's sample in it. */
    for (size_t e = 0; e < n; e++) {
        for (size_t i = 0; i < eps[e]->n; i++) {
            const char *name = eps[e]->items[i].name;
            if (item_seen(eps, e, i, name))
                continue;
            drom_buf_printf(out, "# TYPE drom_endpoint_%s %s\n", name, eps[e]->items[i].gauge ? "gauge" : "counter");
            for (size_t f = e; f < n; f++) {
                for (size_t j = 0; j < eps[f]->n; j++) {
                    if (strcmp(eps[f]->items[j].name, name) != 0)
                        continue;
                    drom_buf_printf(out, "drom_endpoint_%s{routeId=\"", name);
                    label(out, eps[f]->route_id);
                    drom_buf_puts(out, "\",endpoint=\"");
                    label(out, eps[f]->uri);
                    drom_buf_printf(out, "\"} %" PRId64 "\n", eps[f]->items[j].value);
                }
            }
        }
    }
    for (size_t e = n; e-- > 0;)
        pthread_mutex_unlock(&eps[e]->mu);
}

#define OFF(field) offsetof(struct drom_route_metrics, field)

void drom_metrics_render(struct drom_buf *out, struct drom_route_metrics *const *routes, size_t nroutes,
                         struct drom_endpoint_metrics *const *eps, size_t neps)
{
    route_family(out, routes, nroutes, "camel_exchanges_total", "counter", "Total number of processed exchanges",
                 OFF(total));
    route_family(out, routes, nroutes, "camel_exchanges_succeeded_total", "counter",
                 "Number of successfully completed exchanges", OFF(succeeded));
    route_family(out, routes, nroutes, "camel_exchanges_failed_total", "counter",
                 "Number of failed exchanges (not handled)", OFF(failed));
    route_family(out, routes, nroutes, "camel_exchanges_failures_handled_total", "counter",
                 "Number of failures handled by an error handler", OFF(handled));
    route_family(out, routes, nroutes, "camel_exchanges_inflight", "gauge", "Number of exchanges in flight",
                 OFF(inflight));
    route_family(out, routes, nroutes, "camel_exchanges_redeliveries_total", "counter", "Number of redeliveries",
                 OFF(redeliveries));
    route_family(out, routes, nroutes, "drom_route_commit_blocked", "gauge",
                 "1 while a stop-on-failure source holds its commit at a failed exchange", OFF(commit_blocked));
    latency(out, routes, nroutes);
    endpoints(out, eps, neps);
}
