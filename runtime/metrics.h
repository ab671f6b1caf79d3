/* Route and endpoint metrics, and their rendering as Prometheus text with
 * Camel's names:
 *   camel_exchanges_total{routeId}              counter
 *   camel_exchanges_succeeded_total{routeId}    counter
 *   camel_exchanges_failed_total{routeId}       counter (not handled by an error handler)
 *   camel_exchanges_failures_handled_total{routeId} counter (dead-lettered, onException handled)
 *   camel_exchanges_inflight{routeId}           gauge
 *   camel_exchanges_redeliveries_total{routeId} counter
 *   drom_exchange_latency_seconds{routeId}      histogram, creation to done
 *   drom_endpoint_<name>{routeId,endpoint}      counters/gauges from components
 *   drom_route_commit_blocked{routeId}          gauge: 1 while a stop-on-failure
 *                                               source holds its watermark at a failure
 * Route metrics are written by the engine thread and read by any thread
 * (atomics); endpoint metrics are written from any thread (a mutex each).
 * The structs are owned by the engine; render borrows them. */
#ifndef DROM_RUNTIME_METRICS_H
#define DROM_RUNTIME_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
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
};

void drom_route_metrics_init(struct drom_route_metrics *m, const char *route_id);
void drom_route_metrics_latency(struct drom_route_metrics *m, int64_t us);

struct drom_metric_item {
    char *name;
    int64_t value;
    int gauge;
};

struct drom_endpoint_metrics {
    const char *route_id, *uri;   /* borrowed; uri is masked */
    pthread_mutex_t mu;
    struct drom_metric_item *items;
    size_t n, cap;
};

void drom_endpoint_metrics_init(struct drom_endpoint_metrics *m, const char *route_id, const char *uri);
void drom_endpoint_metrics_destroy(struct drom_endpoint_metrics *m);
/* gauge: set; else add. `name` is sanitised to [a-zA-Z0-9_]. */
void drom_endpoint_metrics_put(struct drom_endpoint_metrics *m, const char *name, int64_t v, int gauge);
/* Current value of one item (0 when absent), for tests and status. */
int64_t drom_endpoint_metrics_get(struct drom_endpoint_metrics *m, const char *name);

/* Appends the Prometheus text exposition of the given routes and endpoints. */
void drom_metrics_render(struct drom_buf *out, struct drom_route_metrics *const *routes, size_t nroutes,
                         struct drom_endpoint_metrics *const *eps, size_t neps);

#endif
