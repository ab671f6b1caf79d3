/* A route's role among the replicas, as `dromd status` prints it from
 * /routes: "Standby", "Started (leader)" for a source in standby, "Started
 * (consumer of orders 0,2,4)" for a route reading a Kafka consumer group. */
#ifndef DROMD_ROLE_H
#define DROMD_ROLE_H

#include <jansson.h>
#include <stddef.h>

/* The STATUS cell of `route` (one object of /routes' "routes") into `out`:
 * its state, then its role. Runs of three or more partitions are written
 * as ranges (0-5); a topic it holds nothing of says "none". */
void dromd_route_status_text(json_t *route, char *out, size_t size);

#endif
