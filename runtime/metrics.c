#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "runtime/metrics_int.h"
#include "runtime/xalloc.h"

const double drom_latency_bounds[DROM_LATENCY_BUCKETS - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                              0.05,   0.1,   0.25,   1,     5};

static int64_t wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

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
    atomic_store_explicit(&m->lat_last_us, us, memory_order_relaxed);
    long long max = atomic_load_explicit(&m->lat_max_us, memory_order_relaxed);
    while (us > max && !atomic_compare_exchange_weak(&m->lat_max_us, &max, us))
        ;
    atomic_store_explicit(&m->last_done_ms, wall_ms(), memory_order_relaxed);
}

void drom_route_metrics_failed(struct drom_route_metrics *m)
{
    atomic_store_explicit(&m->last_failed_ms, wall_ms(), memory_order_relaxed);
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
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].name);
        free(m->items[i].text);
        free(m->items[i].table);
    }
    free(m->items);
    free(m->dbz_plugin);
    free(m->dbz_server);
    metrics_held_free(m);
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

static bool same_table(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The item called `name` of `table` (NULL: the one without), created
 * when absent; under m->mu. Takes `clean`. */
static struct drom_metric_item *item_take(struct drom_endpoint_metrics *m, char *clean, const char *table)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].name, clean) == 0 && same_table(m->items[i].table, table)) {
            free(clean);
            return &m->items[i];
        }
    drom_xgrow((void **)&m->items, &m->cap, m->n + 1, sizeof *m->items);
    struct drom_metric_item *it = &m->items[m->n++];
    memset(it, 0, sizeof *it);
    it->name = clean;
    it->table = table ? drom_xstrdup(table) : NULL;
    return it;
}

void drom_endpoint_metrics_put(struct drom_endpoint_metrics *m, const char *name, int64_t v, int gauge)
{
    char *clean = sanitise(name);
    pthread_mutex_lock(&m->mu);
    struct drom_metric_item *it = item_take(m, clean, NULL);
    it->gauge = gauge;
    it->value = gauge ? v : it->value + v;
    pthread_mutex_unlock(&m->mu);
}

void drom_endpoint_metrics_put_table(struct drom_endpoint_metrics *m, const char *name, const char *table, int64_t v,
                                     int gauge)
{
    char *clean = sanitise(name);
    pthread_mutex_lock(&m->mu);
    struct drom_metric_item *it = item_take(m, clean, table ? table : "");
    it->gauge = gauge;
    it->value = gauge ? v : it->value + v;
    pthread_mutex_unlock(&m->mu);
}

void drom_endpoint_metrics_text(struct drom_endpoint_metrics *m, const char *name, const char *text)
{
    char *clean = sanitise(name);
    char *copy = drom_xstrdup(text ? text : "");
    pthread_mutex_lock(&m->mu);
    struct drom_metric_item *it = item_take(m, clean, NULL);
    it->gauge = 1;
    it->value = 1;
    free(it->text);
    it->text = copy;
    pthread_mutex_unlock(&m->mu);
}

void drom_endpoint_metrics_identity(struct drom_endpoint_metrics *m, const char *plugin, const char *server)
{
    pthread_mutex_lock(&m->mu);
    free(m->dbz_plugin);
    free(m->dbz_server);
    m->dbz_plugin = drom_xstrdup(plugin);
    m->dbz_server = drom_xstrdup(server);
    pthread_mutex_unlock(&m->mu);
}

static struct drom_metric_item *find(struct drom_endpoint_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (!m->items[i].table && strcmp(m->items[i].name, name) == 0)
            return &m->items[i];
    return NULL;
}

int64_t drom_endpoint_metrics_get(struct drom_endpoint_metrics *m, const char *name)
{
    char *clean = sanitise(name);
    pthread_mutex_lock(&m->mu);
    struct drom_metric_item *it = find(m, clean);
    int64_t v = it ? it->value : 0;
    pthread_mutex_unlock(&m->mu);
    free(clean);
    return v;
}

void drom_endpoint_metrics_get_text(struct drom_endpoint_metrics *m, const char *name, char *out, size_t size)
{
    pthread_mutex_lock(&m->mu);
    struct drom_metric_item *it = find(m, name);
    snprintf(out, size, "%s", it && it->text ? it->text : "");
    pthread_mutex_unlock(&m->mu);
}

void drom_metric_snake(const char *name, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; name[i] && o + 2 < size; i++) {
        unsigned char c = (unsigned char)name[i];
        if (isupper(c)) {
            /* A new word starts at an upper-case letter after a lower-case
             * one or a digit, or before a lower-case one in a run of capitals. */
            bool after_low = i > 0 && (islower((unsigned char)name[i - 1]) || isdigit((unsigned char)name[i - 1]));
            bool run_end = i > 0 && isupper((unsigned char)name[i - 1]) && islower((unsigned char)name[i + 1]);
            if ((after_low || run_end) && o > 0 && out[o - 1] != '_')
                out[o++] = '_';
            out[o++] = (char)tolower(c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

void metrics_label(struct drom_buf *out, const char *s)
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

/* --- Camel ---------------------------------------------------------------- */

#define POLICY "MicrometerRoutePolicyService"
#define NOTIFIER "MicrometerEventNotifierService"

/* routeId first: the label a reader greps for. */
static void route_labels(struct drom_buf *out, const struct drom_metrics_view *v, const char *route_id)
{
    drom_buf_puts(out, "{routeId=\"");
    metrics_label(out, route_id);
    drom_buf_puts(out, "\",camelContext=\"");
    metrics_label(out, v->camel_context);
    drom_buf_puts(out, "\",eventType=\"route\",serviceName=\"" POLICY "\"");
}

static void route_family(struct drom_buf *out, const struct drom_metrics_view *v, const char *name,
                         const char *type, const char *help, size_t offset)
{
    drom_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    for (size_t i = 0; i < v->nroutes; i++) {
        long long val = offset == SIZE_MAX ? 0 : atomic_load_explicit((atomic_llong *)((char *)v->routes[i] + offset),
                                                                      memory_order_relaxed);
        drom_buf_puts(out, name);
        route_labels(out, v, v->routes[i]->route_id);
        drom_buf_printf(out, "} %lld\n", val);
    }
}

/* Our own names keep only routeId, as before. */
static void own_family(struct drom_buf *out, const struct drom_metrics_view *v, const char *name, const char *type,
                       const char *help, size_t offset)
{
    drom_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    for (size_t i = 0; i < v->nroutes; i++) {
        drom_buf_printf(out, "%s{routeId=\"", name);
        metrics_label(out, v->routes[i]->route_id);
        drom_buf_printf(out, "\"} %lld\n",
                        (long long)atomic_load_explicit((atomic_llong *)((char *)v->routes[i] + offset),
                                                        memory_order_relaxed));
    }
}

static void histogram(struct drom_buf *out, const struct drom_metrics_view *v, const char *name, bool camel)
{
    for (size_t i = 0; i < v->nroutes; i++) {
        struct drom_route_metrics *r = v->routes[i];
        long long cum = 0;
        for (size_t b = 0; b < DROM_LATENCY_BUCKETS; b++) {
            cum += atomic_load_explicit(&r->lat_buckets[b], memory_order_relaxed);
            drom_buf_printf(out, "%s_bucket", name);
            if (camel) {
                route_labels(out, v, r->route_id);
                drom_buf_putc(out, ',');
            } else {
                drom_buf_puts(out, "{routeId=\"");
                metrics_label(out, r->route_id);
                drom_buf_puts(out, "\",");
            }
            if (b < DROM_LATENCY_BUCKETS - 1)
                drom_buf_printf(out, "le=\"%g\"} %lld\n", drom_latency_bounds[b], cum);
            else
                drom_buf_printf(out, "le=\"+Inf\"} %lld\n", cum);
        }
        const char *suffix[2] = {"_sum", "_count"};
        for (int k = 0; k < 2; k++) {
            drom_buf_printf(out, "%s%s", name, suffix[k]);
            if (camel) {
                route_labels(out, v, r->route_id);
                drom_buf_puts(out, "}");
            } else {
                drom_buf_puts(out, "{routeId=\"");
                metrics_label(out, r->route_id);
                drom_buf_puts(out, "\"}");
            }
            if (k == 0)
                drom_buf_printf(out, " %.6f\n", (double)atomic_load_explicit(&r->lat_sum_us, memory_order_relaxed) / 1e6);
            else
                drom_buf_printf(out, " %lld\n", (long long)atomic_load_explicit(&r->lat_count, memory_order_relaxed));
        }
    }
}

static void camel_routes(struct drom_buf *out, const struct drom_metrics_view *v)
{
    int running = 0;
    for (size_t i = 0; i < v->nroutes; i++)
        running += atomic_load(&v->routes[i]->running) != 0;
    const char *names[2] = {"camel_routes_added_routes", "camel_routes_running_routes"};
    const char *helps[2] = {"Number of routes added", "Number of routes running"};
    long long vals[2] = {(long long)v->nroutes, running};
    for (int k = 0; k < 2; k++) {
        drom_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s{camelContext=\"", names[k], helps[k], names[k],
                        names[k]);
        metrics_label(out, v->camel_context);
        drom_buf_printf(out, "\",eventType=\"RouteEvent\",serviceName=\"" NOTIFIER "\"} %lld\n", vals[k]);
    }
}

#define OFF(field) offsetof(struct drom_route_metrics, field)

static void camel(struct drom_buf *out, const struct drom_metrics_view *v)
{
    route_family(out, v, "camel_exchanges_total", "counter", "Total number of processed exchanges", OFF(total));
    route_family(out, v, "camel_exchanges_succeeded_total", "counter", "Number of successfully completed exchanges",
                 OFF(succeeded));
    route_family(out, v, "camel_exchanges_failed_total", "counter", "Number of failed exchanges", OFF(failed));
    route_family(out, v, "camel_exchanges_failures_handled_total", "counter", "Number of failures handled",
                 OFF(handled));
    /* No consumer here sees a broker's redelivery flag: always 0. */
    route_family(out, v, "camel_exchanges_external_redeliveries_total", "counter",
                 "Number of external initiated redeliveries (such as from JMS broker)", SIZE_MAX);
    route_family(out, v, "camel_exchanges_inflight", "gauge", "Route inflight messages", OFF(inflight));
    drom_buf_puts(out, "# HELP camel_route_policy_seconds Route performance metrics\n"
                       "# TYPE camel_route_policy_seconds histogram\n");
    histogram(out, v, "camel_route_policy_seconds", true);
    drom_buf_puts(out, "# HELP camel_route_policy_seconds_max Route performance metrics\n"
                       "# TYPE camel_route_policy_seconds_max gauge\n");
    for (size_t i = 0; i < v->nroutes; i++) {
        drom_buf_puts(out, "camel_route_policy_seconds_max");
        route_labels(out, v, v->routes[i]->route_id);
        drom_buf_printf(out, "} %.6f\n",
                        (double)atomic_load_explicit(&v->routes[i]->lat_max_us, memory_order_relaxed) / 1e6);
    }
    camel_routes(out, v);
}

static void own(struct drom_buf *out, const struct drom_metrics_view *v)
{
    own_family(out, v, "camel_exchanges_redeliveries_total", "counter",
               "Redeliveries made by the route's error handler", OFF(redeliveries));
    own_family(out, v, "drom_route_commit_blocked", "gauge",
               "1 while a stop-on-failure source holds its commit at a failed exchange", OFF(commit_blocked));
    drom_buf_puts(out, "# HELP drom_route_window In-flight exchanges a route admits\n# TYPE drom_route_window gauge\n");
    for (size_t i = 0; i < v->nroutes; i++) {
        drom_buf_puts(out, "drom_route_window{routeId=\"");
        metrics_label(out, v->routes[i]->route_id);
        drom_buf_printf(out, "\"} %lld\n", (long long)v->routes[i]->window);
    }
    drom_buf_puts(out, "# HELP drom_exchange_latency_seconds Time from an exchange's creation to its completion\n"
                       "# TYPE drom_exchange_latency_seconds histogram\n");
    histogram(out, v, "drom_exchange_latency_seconds", false);
}

/* --- Debezium ------------------------------------------------------------- */

enum dbz_kind { DBZ_ITEM, DBZ_SINCE, DBZ_QUEUE_TOTAL, DBZ_QUEUE_LEFT, DBZ_TEXT, DBZ_TABLES };

struct dbz_name {
    const char *item;       /* the component's item */
    const char *name;       /* Debezium's attribute */
    const char *context;
    enum dbz_kind kind;
    const char *type;
};

/* Debezium's MySQL streaming and snapshot MBeans, attribute by attribute. */
static const struct dbz_name dbz_names[] = {
    {"Connected", "Connected", "streaming", DBZ_ITEM, "gauge"},
    {"MilliSecondsBehindSource", "MilliSecondsBehindSource", "streaming", DBZ_ITEM, "gauge"},
    {"TotalNumberOfEventsSeen", "TotalNumberOfEventsSeen", "streaming", DBZ_ITEM, "gauge"},
    {"NumberOfCommittedTransactions", "NumberOfCommittedTransactions", "streaming", DBZ_ITEM, "gauge"},
    {"NumberOfEventsFiltered", "NumberOfEventsFiltered", "streaming", DBZ_ITEM, "gauge"},
    {"NumberOfSkippedEvents", "NumberOfSkippedEvents", "streaming", DBZ_ITEM, "gauge"},
    {"NumberOfDisconnects", "NumberOfDisconnects", "streaming", DBZ_ITEM, "gauge"},
    {"BinlogPosition", "BinlogPosition", "streaming", DBZ_ITEM, "gauge"},
    {"BinlogFilename", "BinlogFilename", "streaming", DBZ_TEXT, "gauge"},
    {"LastEventMs", "MilliSecondsSinceLastEvent", "streaming", DBZ_SINCE, "gauge"},
    {NULL, "QueueTotalCapacity", "streaming", DBZ_QUEUE_TOTAL, "gauge"},
    {NULL, "QueueRemainingCapacity", "streaming", DBZ_QUEUE_LEFT, "gauge"},
    {"SnapshotRunning", "SnapshotRunning", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotCompleted", "SnapshotCompleted", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotPaused", "SnapshotPaused", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotAborted", "SnapshotAborted", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotDurationInSeconds", "SnapshotDurationInSeconds", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotTotalTableCount", "TotalTableCount", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotRemainingTableCount", "RemainingTableCount", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotRowsScanned", "RowsScanned", "snapshot", DBZ_TABLES, "gauge"},   /* one per table, as the MBean's map */
    {"SnapshotEventsSeen", "TotalNumberOfEventsSeen", "snapshot", DBZ_ITEM, "gauge"},
    {"SnapshotLastEventMs", "MilliSecondsSinceLastEvent", "snapshot", DBZ_SINCE, "gauge"},
    {NULL, "QueueTotalCapacity", "snapshot", DBZ_QUEUE_TOTAL, "gauge"},
    {NULL, "QueueRemainingCapacity", "snapshot", DBZ_QUEUE_LEFT, "gauge"},
};
#define NDBZ (sizeof dbz_names / sizeof dbz_names[0])

static bool dbz_seen(size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (strcmp(dbz_names[j].name, dbz_names[k].name) == 0)
            return true;
    return false;
}

static void dbz_labels(struct drom_buf *out, const struct drom_endpoint_metrics *m, const struct dbz_name *d)
{
    drom_buf_printf(out, "debezium_metrics_%s{context=\"%s\",name=\"", d->name, d->context);
    metrics_label(out, m->dbz_server);
    drom_buf_puts(out, "\",server=\"");
    metrics_label(out, m->dbz_server);
    drom_buf_puts(out, "\",plugin=\"");
    metrics_label(out, m->dbz_plugin);
}

/* A per-table attribute: a sample per table item, none before the first. Under m->mu. */
static void dbz_tables(struct drom_buf *out, struct drom_endpoint_metrics *m, const struct dbz_name *d)
{
    for (size_t i = 0; i < m->n; i++) {
        const struct drom_metric_item *it = &m->items[i];
        if (!it->table || strcmp(it->name, d->item) != 0)
            continue;
        dbz_labels(out, m, d);
        drom_buf_puts(out, "\",table=\"");
        metrics_label(out, it->table);
        drom_buf_printf(out, "\"} %lld\n", (long long)it->value);
    }
}

/* One sample; false when it has none (a text not yet known). Under m->mu. */
static bool dbz_sample(struct drom_buf *out, const struct drom_metrics_view *v, struct drom_endpoint_metrics *m,
                       const struct dbz_name *d)
{
    if (d->kind == DBZ_TABLES) {
        dbz_tables(out, m, d);
        return true;
    }
    struct drom_metric_item *it = d->item ? find(m, d->item) : NULL;
    if (d->kind == DBZ_TEXT && (!it || !it->text))
        return false;
    long long val = it ? it->value : 0;
    long long window = m->route ? m->route->window : 0;
    long long inflight = m->route ? atomic_load(&m->route->inflight) : 0;
    switch (d->kind) {
    case DBZ_SINCE: val = it && it->value > 0 ? v->now_ms - it->value : -1; break;
    case DBZ_QUEUE_TOTAL: val = window; break;
    case DBZ_QUEUE_LEFT: val = window - inflight > 0 ? window - inflight : 0; break;
    default: break;
    }
    dbz_labels(out, m, d);
    if (d->kind == DBZ_TEXT) {
        drom_buf_puts(out, "\",value=\"");
        metrics_label(out, it->text);
    }
    drom_buf_printf(out, "\"} %lld\n", val);
    return true;
}

static void debezium(struct drom_buf *out, const struct drom_metrics_view *v)
{
    for (size_t k = 0; k < NDBZ; k++) {
        if (dbz_seen(k))
            continue;
        bool header = false;
        for (size_t j = k; j < NDBZ; j++) {
            if (strcmp(dbz_names[j].name, dbz_names[k].name) != 0)
                continue;
            for (size_t e = 0; e < v->neps; e++) {
                struct drom_endpoint_metrics *m = v->eps[e];
                if (!m->dbz_plugin)
                    continue;
                if (!header) {
                    drom_buf_printf(out, "# TYPE debezium_metrics_%s %s\n", dbz_names[k].name, dbz_names[k].type);
                    header = true;
                }
                dbz_sample(out, v, m, &dbz_names[j]);
            }
        }
    }
}

/* --- per endpoint --------------------------------------------------------- */

static bool snake_seen(struct drom_endpoint_metrics *const *eps, size_t upto_ep, size_t upto_item, const char *snake)
{
    char other[128];
    for (size_t e = 0; e <= upto_ep; e++) {
        size_t lim = e == upto_ep ? upto_item : eps[e]->n;
        for (size_t i = 0; i < lim; i++) {
            if (eps[e]->items[i].table)
                continue;
            drom_metric_snake(eps[e]->items[i].name, other, sizeof other);
            if (strcmp(other, snake) == 0)
                return true;
        }
    }
    return false;
}

static void endpoints(struct drom_buf *out, struct drom_endpoint_metrics *const *eps, size_t n)
{
    char snake[128], other[128];
    for (size_t e = 0; e < n; e++) {
        for (size_t i = 0; i < eps[e]->n; i++) {
            if (eps[e]->items[i].table)
                continue;   /* Debezium's per-table attributes: under their names only */
            drom_metric_snake(eps[e]->items[i].name, snake, sizeof snake);
            if (snake_seen(eps, e, i, snake))
                continue;
            drom_buf_printf(out, "# TYPE drom_endpoint_%s %s\n", snake, eps[e]->items[i].gauge ? "gauge" : "counter");
            for (size_t f = e; f < n; f++) {
                for (size_t j = 0; j < eps[f]->n; j++) {
                    struct drom_metric_item *it = &eps[f]->items[j];
                    drom_metric_snake(it->name, other, sizeof other);
                    if (it->table || strcmp(other, snake) != 0)
                        continue;
                    drom_buf_printf(out, "drom_endpoint_%s{routeId=\"", snake);
                    metrics_label(out, eps[f]->route_id);
                    drom_buf_puts(out, "\",endpoint=\"");
                    metrics_label(out, eps[f]->uri);
                    if (it->text) {
                        drom_buf_puts(out, "\",value=\"");
                        metrics_label(out, it->text);
                    }
                    drom_buf_printf(out, "\"} %" PRId64 "\n", it->value);
                }
            }
        }
    }
}

void drom_metrics_render(struct drom_buf *out, const struct drom_metrics_view *v)
{
    camel(out, v);
    own(out, v);
    for (size_t e = 0; e < v->neps; e++)
        pthread_mutex_lock(&v->eps[e]->mu);
    debezium(out, v);
    endpoints(out, v->eps, v->neps);
    metrics_held_render(out, v->eps, v->neps);
    for (size_t e = v->neps; e-- > 0;)
        pthread_mutex_unlock(&v->eps[e]->mu);
}
