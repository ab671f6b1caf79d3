/* Route and endpoint metrics, and their rendering as Prometheus text under
 * the names the tools already know (docs/metrics.md has the whole list):
 *   camel_exchanges_{total,succeeded_total,failed_total,failures_handled_total,
 *     external_redeliveries_total,inflight}, camel_route_policy_seconds
 *     (histogram, creation to done), camel_routes_{added,running}_routes:
 *     as camel-micrometer-prometheus publishes them, labels routeId,
 *     camelContext, eventType, serviceName;
 *   debezium_metrics_<Name>{context,name,server,plugin}: the items of a
 *     source that declared a Debezium identity, as Debezium's JMX exporter
 *     configuration publishes them;
 *   drom_endpoint_<name>{routeId,endpoint}: every endpoint item, the name
 *     in snake case (one casing per name);
 *   drom_endpoint_consumer_partitions{routeId,endpoint,topic}: partitions
 *     a group consumer holds, per topic;
 *   drom_exchange_latency_seconds, camel_exchanges_redeliveries_total,
 *     drom_route_commit_blocked, drom_route_window: dromedary's own.
 * Route metrics are written by the engine thread and read by any thread
 * (atomics); endpoint metrics are written from any thread (a mutex each).
 * The structs are owned by the engine; render borrows them. */
#ifndef DROM_RUNTIME_METRICS_H
#define DROM_RUNTIME_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/buf.h"

#define DROM_LATENCY_BUCKETS 12

/* Upper bounds in seconds; the last bucket is +Inf. */
extern const double drom_latency_bounds[DROM_LATENCY_BUCKETS - 1];

struct drom_route_metrics {
    const char *route_id;   /* borrowed */
    atomic_llong total, succeeded, failed, handled, inflight, redeliveries, commit_blocked;
    atomic_llong lat_buckets[DROM_LATENCY_BUCKETS];   /* not cumulative; render sums */
    atomic_llong lat_count, lat_sum_us;
    atomic_llong lat_last_us, lat_max_us;             /* processing time of the last / slowest exchange */
    atomic_llong last_done_ms, last_failed_ms;        /* wall clock; 0 = never */
    atomic_int running;                               /* 1 while started */
    int64_t window;                                   /* in-flight limit, set before start */
};

void drom_route_metrics_init(struct drom_route_metrics *m, const char *route_id);
void drom_route_metrics_latency(struct drom_route_metrics *m, int64_t us);
void drom_route_metrics_failed(struct drom_route_metrics *m);

struct drom_metric_item {
    char *name;
    int64_t value;
    int gauge;
    char *text;             /* a text item (a file name): value unused */
    char *table;            /* a per-table item's table (db.table, its `table` label); NULL otherwise */
};

/* The partitions of one topic a group consumer holds (drom_endpoint_partitions). */
struct drom_held_topic {
    char *topic;
    int32_t *parts;         /* ascending, each once */
    size_t n;
};

struct drom_endpoint_metrics {
    const char *route_id, *uri;   /* borrowed; uri is masked */
    pthread_mutex_t mu;
    struct drom_metric_item *items;
    size_t n, cap;
    struct drom_held_topic *held;    /* NULL until the consumer says; in the order first named */
    size_t nheld, capheld;
    char *dbz_plugin, *dbz_server;   /* owned; NULL unless a Debezium source */
    struct drom_route_metrics *route;/* the route it feeds, for a source; borrowed */
};

void drom_endpoint_metrics_init(struct drom_endpoint_metrics *m, const char *route_id, const char *uri);
void drom_endpoint_metrics_destroy(struct drom_endpoint_metrics *m);
/* gauge: set; else add. `name` is sanitised to [a-zA-Z0-9_]. */
void drom_endpoint_metrics_put(struct drom_endpoint_metrics *m, const char *name, int64_t v, int gauge);
/* One table's value of a per-table item (Debezium's RowsScanned is one per
 * table): apart from the item of the same name without a table; `table`
 * is copied. */
void drom_endpoint_metrics_put_table(struct drom_endpoint_metrics *m, const char *name, const char *table, int64_t v,
                                     int gauge);
/* A text value (copied), shown as a label of a gauge of value 1. */
void drom_endpoint_metrics_text(struct drom_endpoint_metrics *m, const char *name, const char *text);
/* The partitions of `topic` the endpoint holds now, replacing the topic's
 * previous ones (copied, sorted, repeats dropped); n 0 keeps the topic with none. */
void drom_endpoint_metrics_held(struct drom_endpoint_metrics *m, const char *topic, const int32_t *parts, size_t n);
/* Publishes this endpoint's items also as debezium_metrics_* with
 * plugin="<plugin>" and name/server="<server>" (both copied). */
void drom_endpoint_metrics_identity(struct drom_endpoint_metrics *m, const char *plugin, const char *server);
/* Current value of one item (0 when absent), for tests and status. */
int64_t drom_endpoint_metrics_get(struct drom_endpoint_metrics *m, const char *name);
/* Copies a text item into out ("" when absent). */
void drom_endpoint_metrics_get_text(struct drom_endpoint_metrics *m, const char *name, char *out, size_t size);

/* "MilliSecondsBehindSource" -> "milli_seconds_behind_source". */
void drom_metric_snake(const char *name, char *out, size_t size);

struct drom_metrics_view {
    const char *camel_context;
    struct drom_route_metrics *const *routes;
    size_t nroutes;
    struct drom_endpoint_metrics *const *eps;
    size_t neps;
    int64_t now_ms;          /* wall clock, for MilliSecondsSinceLastEvent */
};

/* Appends the Prometheus text exposition of the view. */
void drom_metrics_render(struct drom_buf *out, const struct drom_metrics_view *v);

#endif
