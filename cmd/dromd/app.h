/* The routes dromd runs: the compiler and the engine as the service uses
 * them. The rest of dromd only talks to this, so the service lifecycle,
 * the HTTP answers and their tests do not change when those APIs do.
 *
 * Threads: load/create/start/reload/stop/free on the main thread; ready,
 * routes and metrics from the HTTP thread as well (a lock inside keeps a
 * reload from freeing what they read). */
#ifndef DROMD_APP_H
#define DROMD_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/dromd/cli.h"
#include "runtime/buf.h"
#include "runtime/error.h"

struct dromd_app;
struct dromd_routes;   /* one loaded and checked route file */

struct dromd_route_info {
    char id[128];
    char from[512];          /* masked: never a secret */
    char state[16];          /* Camel's words: Started, Stopped, Stopping, Suspended */
    int64_t total, failed, inflight;
    char last_error[512];    /* empty when none; a connection error while it lasts */
    int64_t uptime_ms;
    int64_t last_us, max_us, mean_us;        /* processing time */
    int64_t since_done_ms, since_failed_ms;  /* -1: never */
    double rate;             /* exchanges per second over the last few seconds */
    char role[16];           /* a source in standby: "leader" or "standby"; else empty */
};

/* Reads o->routes_file: XML compiled in memory with every check of
 * `dromc validate` (properties file and -D applied), or a graph JSON file;
 * secret placeholders resolved. On invalid routes prints every error
 * gcc-style (FILE:LINE:COL: error: MSG) on `diag` and returns NULL with
 * err->code DROM_EINVAL; other failures (unreadable file) set err. */
struct dromd_routes *dromd_routes_load(const struct dromd_opts *o, FILE *diag,
                                       struct drom_error *err);
size_t dromd_routes_count(const struct dromd_routes *r);
void dromd_routes_free(struct dromd_routes *r);

/* Takes `routes` (freed even on failure). Creates the endpoints; starts nothing. */
struct dromd_app *dromd_app_create_take(struct dromd_routes *routes, const struct dromd_opts *o,
                                        struct drom_error *err);
/* Starts every route with autoStartup; logs nothing (the service does). */
int dromd_app_start(struct dromd_app *app, struct drom_error *err);
/* Swaps in `routes` (taken) without losing in-flight exchanges; on failure
 * the old routes keep running. */
int dromd_app_reload_take(struct dromd_app *app, struct dromd_routes *routes,
                          struct drom_error *err);
/* Stops the consumers, waits at most drain_ms for in-flight exchanges,
 * commits offsets. Returns the number of exchanges abandoned in flight. */
int64_t dromd_app_stop(struct dromd_app *app, int64_t drain_ms);
void dromd_app_free(struct dromd_app *app);

/* Ready when every endpoint is connected; else false with a reason. */
bool dromd_app_ready(struct dromd_app *app, char *reason, size_t size);
/* A route stopped after a failure its source must not skip: true with
 * "route ID: its last error". */
bool dromd_app_failed(struct dromd_app *app, char *reason, size_t size);
/* Fills up to `max` entries; returns the number of routes. */
size_t dromd_app_routes(struct dromd_app *app, struct dromd_route_info *out, size_t max);
/* Appends the engine's Prometheus text. */
void dromd_app_metrics(struct dromd_app *app, struct drom_buf *out);
/* Main thread, about once a second: samples the totals the rates come from. */
void dromd_app_sample(struct dromd_app *app, int64_t now_ms);
/* Every endpoint as JSON (runtime/engine.h drom_engine_endpoints_json). */
void dromd_app_endpoints(struct dromd_app *app, struct drom_buf *out);
/* Exchanges per step, by the node names of the picture. */
void dromd_app_steps(struct dromd_app *app, struct drom_buf *out);
/* The routes as `dromc graph` draws them (DOT). */
void dromd_app_graph_dot(struct dromd_app *app, struct drom_buf *out);
/* The properties with their origin, secrets masked, as a JSON object. */
void dromd_app_properties(struct dromd_app *app, struct drom_buf *out);

#endif
