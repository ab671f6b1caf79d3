/* Inside the metrics module: what metrics.c (items, rendering) and
 * metrics_held.c (a group consumer's partitions) share. Not for the rest
 * of the runtime, which talks to runtime/metrics.h. */
#ifndef DROM_RUNTIME_METRICS_INT_H
#define DROM_RUNTIME_METRICS_INT_H

#include "runtime/metrics.h"

/* Appends `s` as the inside of a Prometheus label value (escaped). */
void metrics_label(struct drom_buf *out, const char *s);
/* drom_endpoint_consumer_partitions of every endpoint that holds
 * partitions; each endpoint's mu held by the caller. */
void metrics_held_render(struct drom_buf *out, struct drom_endpoint_metrics *const *eps, size_t n);
/* Frees m->held (at destroy). */
void metrics_held_free(struct drom_endpoint_metrics *m);

#endif
