/* The standard process_* metrics of Prometheus clients, read from /proc. */
#ifndef DROMD_PROCSTAT_H
#define DROMD_PROCSTAT_H

#include <stdint.h>

#include "runtime/buf.h"

/* process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds (from started_wall_ms). */
void dromd_process_metrics(struct drom_buf *out, int64_t started_wall_ms);

#endif
