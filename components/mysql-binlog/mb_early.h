/* Work of a start done beside the start's MariaDB checks rather than after
 * them, so the first event does not wait for each round trip in turn: the
 * look-up of what the route's Kafka topic already holds (a client of its
 * own, tens of ms) and the binlog session (a TLS handshake and a login,
 * 40-100 ms), opened while the checks run when the start will stream
 * without a snapshot first. Internal to this folder.
 *
 * Ownership: a probe owns the ids it read until mb_probe_take hands them
 * over; the early session is registered as the source's replication
 * connection (conn[0], so a stop shuts it) and owned by the source until
 * mb_early_take hands it to the stream or mb_early_drop closes it. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_EARLY_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_EARLY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/error.h"

struct drom_endpoint;
struct mb_src;
typedef struct st_mysql MYSQL;

/* drom_route_produced_ids on a thread of its own. */
struct mb_probe {
    struct drom_endpoint *ep;
    int64_t timeout_ms;
    pthread_t thread;
    bool started, done;
    int rc;
    char **ids;
    size_t n;
    const char *what;
    struct drom_error err;
};

/* Starts the look-up; when no thread can be started, mb_probe_take does
 * it on the caller's. */
void mb_probe_start(struct mb_probe *p, struct drom_endpoint *ep, int64_t timeout_ms);
/* Waits for the look-up and hands over what drom_route_produced_ids gives
 * (the ids and their array to the caller; *what borrowed from the route);
 * -1 with *err as it failed. Once per probe. */
int mb_probe_take(struct mb_probe *p, char ***ids, size_t *n, const char **what, struct drom_error *err);
/* Waits for a look-up not taken and frees what it read. */
void mb_probe_end(struct mb_probe *p);

/* What a start begins before its login: the look-up into *probe (not when
 * the store says start over: zeroed then), and the binlog session when the
 * start will stream without a snapshot first. Start thread, after the
 * stored offset is read, before the source's thread runs. */
void mb_early_begin(struct mb_src *s, struct mb_probe *probe, int64_t probe_ms);
/* The session mb_early_open opened (after waiting for it), NULL when none
 * was opened or it failed (the caller connects, and meets the error
 * itself). Consumer thread. */
MYSQL *mb_early_take(struct mb_src *s);
/* Waits for a session not taken and closes it: the start takes a snapshot
 * first, or did not start. */
void mb_early_drop(struct mb_src *s);

#endif
