/* The engine: runs a route graph.
 *
 * Threads. One loop thread processes every route: it runs the steps of each
 * exchange, calls producers, fires timers (delay, throttle, redelivery) and
 * calls the consumers' commit callbacks. Consumers feed it from their own
 * threads through drom_consumer_submit (runtime/component.h), which blocks
 * while the route's in-flight window is full; producers that answered
 * DROM_PENDING finish through drom_exchange_complete from any thread. Both
 * hand work over through a queue + eventfd. Many exchanges are in flight per
 * route, each progressing on its own; a route's consumer commits only the
 * contiguous prefix of done exchanges, in submission order (the watermark,
 * runtime/watermark.h).
 *
 * Failure semantics (Camel's, made visible):
 *  - The route's error handler and onException clauses decide; the engine
 *    owns redelivery (runtime/errhandler.h), on its timers, never blocking.
 *  - With the default error handler and no redelivery, a failed exchange is
 *    logged ("Failed delivery for (MessageId: ...)"), counted in
 *    camel_exchanges_failed_total and the route's last error, and it counts
 *    as DONE for the watermark, as Camel moves on to the next message. A
 *    source that must never move past a failure (Kafka's breakOnFirstError)
 *    says DROM_COMP_STOPS_ON_FAILURE: then a failed exchange blocks its
 *    watermark, the consumer is stopped, the route reports "Stopped" with
 *    the error, /health/ready fails and drom_route_commit_blocked is 1; a
 *    restart replays from the failed exchange.
 *  - A dead-lettered exchange is done (handled). If the dead-letter endpoint
 *    itself fails, the exchange counts as failed (not handled): unlike
 *    Camel's deadLetterHandleNewException, nothing is ever skipped silently.
 *
 * Lifecycle: new -> start -> stop -> free. A graph swap (SIGHUP) is done by
 * the caller as: compile and validate the new graph; stop the old engine
 * (drain, commit); create and start a new engine on the new graph; if that
 * fails, create and start one on the old graph again. Sources resume from
 * their committed positions, so nothing in flight is lost (at most
 * replayed). Running both at once is avoided on purpose: two consumers of
 * one source (a binlog client id, a Kafka group member, a directory) would
 * compete.
 *
 * Ownership: the engine borrows the graph, which must outlive it. */
#ifndef DROM_RUNTIME_ENGINE_H
#define DROM_RUNTIME_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/arena.h"
#include "runtime/buf.h"
#include "runtime/component.h"
#include "runtime/error.h"
#include "runtime/expr.h"
#include "runtime/graph.h"
#include "runtime/offset_store.h"

#define DROM_ENGINE_WINDOW_DEFAULT 1000
#define DROM_ENGINE_DRAIN_DEFAULT_MS 30000

struct drom_engine_options {
    size_t window;              /* in-flight exchanges per route, a ceiling over the sources' own
                                 * (maxQueueSize); 0 = theirs, else DROM_ENGINE_WINDOW_DEFAULT */
    const char *state_dir;      /* for offsets; NULL = "state" (relative to the working directory) */
    const char *camel_context;  /* ${camelId}; NULL = "camel-1" */
    bool quiet;                 /* no "Routes startup"/"Started" lines (tests) */
    /* toD: binds a dynamic URI to a component with validated options (the
     * compiler's binder). Fills *out from `arena` (owned by the engine). NULL:
     * toD fails with a message saying so. */
    int (*resolve_uri)(void *arg, const char *uri, struct drom_arena *arena, struct drom_gendpoint *out,
                       struct drom_error *err);
    /* Parses a Simple template (dsl/simple.h in VALUE mode), for options such
     * as file's fileName. NULL: options using ${...} are refused at start. */
    struct drom_expr *(*compile_simple)(void *arg, const char *text, struct drom_error *err);
    void *hook_arg;
    /* The offset-store backends by name (components/registry.h's
     * drom_registry_offset_backend); NULL: the file backend alone. */
    const struct drom_offset_backend *(*offset_backend)(const char *name);
};

struct drom_engine;

/* Builds the engine for `graph` (borrowed). Creates nothing yet. Any thread. */
struct drom_engine *drom_engine_new(const struct drom_graph *graph, const struct drom_engine_options *opts,
                                    struct drom_error *err);

/* Starts the loop thread, creates every endpoint, then starts the consumers
 * of routes with autoStartup (routes fed by direct:/seda: first, then the
 * others, each in route order) and logs Camel's startup lines. On failure
 * everything started is stopped again and the error names the route and
 * endpoint. Call from one non-engine thread (the owner). */
int drom_engine_start(struct drom_engine *eng, struct drom_error *err);

/* Graceful stop: stops the sources, waits at most drain_timeout_ms for
 * every in-flight exchange (and anything queued in seda:) to finish,
 * commits, stops the internal consumers, destroys the endpoints and joins
 * the loop thread. Returns 0 when everything drained, -1 (DROM_ESTOPPED)
 * when the deadline passed with exchanges still in flight: they are logged
 * with their count per route, never committed, and will be replayed.
 * Idempotent. Call from the owner thread, never from the engine thread. */
int drom_engine_stop(struct drom_engine *eng, int64_t drain_timeout_ms, struct drom_error *err);

/* Stops (with no drain) if still running, and frees. NULL is fine. Owner thread. */
void drom_engine_free(struct drom_engine *eng);

/* --- Routes in standby (docs/ha.md) ---
 * A held route has no endpoint created and no consumer started: its state
 * is "Standby", and nothing of it connects anywhere (a standby's
 * transactional producer would fence the leader's). The program releases
 * it when this replica is elected to run it and holds it again when the
 * lead is lost; the engine's other routes run on undisturbed. */

/* Before drom_engine_start: route `route_id` starts held. -1 when no such route. */
int drom_engine_hold_route(struct drom_engine *eng, const char *route_id, struct drom_error *err);
/* Creates the held route's endpoints and starts its consumer. On failure
 * what was created is destroyed and the route stays held. Owner thread
 * (not the engine's), after start. */
int drom_engine_release_route(struct drom_engine *eng, const char *route_id, struct drom_error *err);
/* Holds a running route again: stops its consumer, waits at most drain_ms
 * for its exchanges in flight, commits, destroys its endpoints. Returns 0
 * once nothing of it runs. When the drain times out the route stays
 * stopped with its endpoints, reported failed (readiness says so) and is
 * never released again by this engine: -1 with DROM_ESTOPPED. Owner
 * thread, after start. */
int drom_engine_hold_running_route(struct drom_engine *eng, const char *route_id, int64_t drain_ms,
                                   struct drom_error *err);

/* --- Observation: any thread, while the engine exists --- */

/* True when started, not draining, no route stopped on a failure, and every
 * endpoint ready; otherwise false with a one-line reason ("route r1:
 * kafka:topic: connecting to 127.0.0.1:9092"). */
bool drom_engine_ready(struct drom_engine *eng, char *reason, size_t reason_size);
/* True when a route stopped after a failure its source must not skip
 * (DROM_COMP_STOPS_ON_FAILURE), with "route r1: <its last error>": only
 * a restart, which replays from the committed position, resumes it. */
bool drom_engine_failed(struct drom_engine *eng, char *reason, size_t reason_size);

struct drom_route_status {
    char id[128];
    char from[512];        /* masked */
    const char *state;     /* "Started", "Stopped", "Stopping" (static string) */
    int64_t total, succeeded, failed, handled, inflight, redeliveries;
    char last_error[512];  /* "" when none; an endpoint not ready says why here first */
    int64_t uptime_ms;     /* since the route started; 0 when not started */
    int64_t last_us, max_us, mean_us;   /* processing time, creation to done */
    int64_t since_done_ms, since_failed_ms;   /* -1: never */
    int64_t window;
};

size_t drom_engine_route_count(const struct drom_engine *eng);
/* Fills *out for route i (0-based, graph order). -1 when out of range. */
int drom_engine_route_status(struct drom_engine *eng, size_t i, struct drom_route_status *out);
/* /routes: a JSON array of route objects (id, from, state, total,
 * succeeded, failed, failuresHandled, inflight, lastError, uptimeMs). */
void drom_engine_routes_json(struct drom_engine *eng, struct drom_buf *out);
/* /status: a JSON array of every endpoint: routeId, uri (masked), role
 * ("from"/"to"), ready, reason, items (its counters and gauges), options
 * (the effective values, secrets as xxxxxx). */
void drom_engine_endpoints_json(struct drom_engine *eng, struct drom_buf *out);
/* /status: {"r<route>_n<node>": exchanges that reached that step}, the
 * node names of `dromc graph`'s picture. */
void drom_engine_steps_json(struct drom_engine *eng, struct drom_buf *out);
/* /metrics: Prometheus text (runtime/metrics.h lists the names). */
void drom_engine_metrics(struct drom_engine *eng, struct drom_buf *out);

/* --- For components (beyond runtime/component.h) --- */

/* The engine that owns an endpoint. */
struct drom_engine *drom_endpoint_engine(const struct drom_endpoint *ep);

/* State shared by name between endpoints of one engine (seda queues, direct
 * consumers, mock endpoints). Returns the object for `key`, calling
 * create(arg) under the registry's lock when it does not exist yet; it lives
 * until the engine is freed, which calls free_fn (may be NULL). Any thread. */
void *drom_engine_shared(struct drom_engine *eng, const char *key, void *(*create)(void *arg), void *arg,
                         void (*free_fn)(void *obj));
/* NULL when nothing was created under `key`. Any thread. */
void *drom_engine_shared_find(struct drom_engine *eng, const char *key);

/* One consumer per URI (scheme and path) among the endpoints of an engine,
 * for components whose producers hand exchanges to a route of the same
 * engine (direct:, stub:). Engine thread only (create, start, stop,
 * produce). The slot lives as long as the engine. */
struct drom_consumer_slot;
struct drom_consumer_slot *drom_engine_consumer_slot(struct drom_endpoint *ep);
/* Makes `ep` the consumer; -1 when another endpoint is. */
int drom_consumer_slot_claim(struct drom_consumer_slot *s, struct drom_endpoint *ep);
/* Only when `ep` is the consumer. */
void drom_consumer_slot_release(struct drom_consumer_slot *s, struct drom_endpoint *ep);
/* NULL while no consumer is started. */
struct drom_endpoint *drom_consumer_slot_get(const struct drom_consumer_slot *s);
/* Ready-made hooks for such a component: create sets ep->state to the
 * endpoint's slot, stop releases it. */
int drom_consumer_slot_create(struct drom_endpoint *ep, struct drom_error *err);
void drom_consumer_slot_stop(struct drom_endpoint *ep);

/* The one offset store of the engine: "<state_dir>/offsets.json", opened on
 * first use (a corrupt file is an error, see runtime/offset_store.h). Owned
 * by the engine. Any thread. */
struct drom_offset_store *drom_engine_offsets(struct drom_engine *eng, struct drom_error *err);
/* An offset store of one source, from the backend registered as `backend`
 * (a source's offsetStorage value; drom_engine_options.offset_backend).
 * The caller owns the store and closes it with drom_offset_store_close. Any
 * thread. */
struct drom_offset_store *drom_engine_open_offsets(struct drom_engine *eng, const char *backend,
                                                   const struct drom_offset_config *cfg, struct drom_error *err);

/* Compiles a Simple template through the engine's hook; NULL with err set
 * when there is no hook or the text is invalid. The caller owns the result. */
struct drom_expr *drom_engine_compile_simple(struct drom_engine *eng, const char *text, struct drom_error *err);
/* Evaluates an expression with the engine's environment for `ex`. */
int drom_engine_eval_str(struct drom_engine *eng, const struct drom_expr *e, struct drom_exchange *ex, char **out,
                         struct drom_error *err);

/* --- Producers that commit their source's offsets in their own transaction ---
 * (kafka's transactionalId). Such a producer takes the source's commits
 * over: the engine still tracks the watermark but no longer calls the
 * source's commit, and the producer writes, with each batch, the offset
 * that covers the batch. */

/* True when a transactional producer stores this source's offsets
 * (drom_endpoint_claim_source_offsets): the source's commit is not called and
 * a done exchange's position is already stored. Any thread after create. */
bool drom_endpoint_commit_taken(const struct drom_endpoint *ep);
/* The newest event ids the producers of source `ep`'s route hold (the
 * route's top-level `to` endpoints whose component can tell): see
 * drom_component.produced_ids. *what names the first such endpoint (masked
 * URI, borrowed) or is NULL when none can tell (then *n is 0). Any thread
 * once the engine started. */
int drom_route_produced_ids(struct drom_endpoint *ep, int64_t timeout_ms, char ***ids, size_t *n, const char **what,
                            struct drom_error *err);
/* True for the endpoint that is its route's source. Engine thread. */
bool drom_endpoint_is_source(const struct drom_endpoint *ep);
/* Create time, engine thread: the source of producer `ep`'s route (created
 * first when needed) and where it keeps its offsets; from now on the engine
 * no longer calls that source's commit. -1 when the source cannot tell (its
 * component has no offset_location). */
int drom_endpoint_claim_source_offsets(struct drom_endpoint *ep, struct drom_endpoint **source,
                                       struct drom_offset_location *out, struct drom_error *err);
/* Engine thread (inside produce): the source and submission number of the
 * exchange a route received from it (also through direct:). -1 for a copy
 * made by split, multicast or wireTap: its original is not done with it. */
int drom_exchange_source_seq(const struct drom_exchange *ex, struct drom_endpoint **source, uint64_t *seq,
                             struct drom_error *err);
/* Engine thread: the offset JSON (malloc'ed) that says "everything the
 * source submitted up to and including `upto` is done", when each of those
 * exchanges is done, or its number is in `held` (sorted ascending: those the
 * producer is committing now), or is <= `settled` (-1: none; what the
 * producer already committed). NULL with err naming the first exchange that
 * is neither. */
char *drom_source_offset_upto(struct drom_endpoint *source, uint64_t upto, int64_t settled, const uint64_t *held,
                              size_t nheld, struct drom_error *err);

/* Work the drain must wait for that is not yet an exchange in flight (an
 * exchange sitting in a seda queue): +1 when queued, -1 when submitted or
 * dropped. Any thread. */
void drom_engine_pending_add(struct drom_engine *eng, int delta);

/* Runs the route of consumer endpoint `consumer` (a direct: consumer) on
 * `ex`, the exchange a producer was just given, as a synchronous call: the
 * caller's produce returns what this returns (DROM_PENDING) and the engine
 * completes `ex` when that route finished: DONE, or FAIL with its error.
 * Engine thread only (inside produce). */
enum drom_status drom_engine_call_route(struct drom_endpoint *consumer, struct drom_exchange *ex,
                                        struct drom_error *err);

/* A one-shot timer on the engine thread (log's groupInterval). Returns an id
 * for drom_engine_timer_cancel. Engine thread only. */
uint64_t drom_engine_timer(struct drom_engine *eng, int64_t delay_ms, void (*fn)(void *arg), void *arg);
void drom_engine_timer_cancel(struct drom_engine *eng, uint64_t id);

/* True on the engine's loop thread. */
bool drom_engine_on_loop(const struct drom_engine *eng);

#endif
