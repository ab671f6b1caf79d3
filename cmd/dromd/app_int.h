/* Inside the app module (app.c: loading, lifecycle, observation;
 * app_standby.c: the leadership of sources in standby). Not for the rest of
 * dromd, which talks to app.h. */
#ifndef DROMD_APP_INT_H
#define DROMD_APP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "cmd/dromd/app.h"
#include "compiler/compile.h"
#include "dsl/properties.h"
#include "runtime/engine.h"
#include "runtime/graph.h"

struct dromd_routes {
    struct drom_graph graph;
    struct drom_props props;          /* kept for toD, which binds URIs at run time */
    struct drom_compile_opts copts;   /* points at props */
};

struct dromd_app {
    const struct dromd_opts *opts;
    char context[128];
    /* Held for reading by every observation (HTTP thread) and for writing
     * only while the engine and graph pointers are swapped, never during a
     * drain. */
    pthread_rwlock_t lock;
    struct drom_engine *eng;
    struct dromd_routes *routes;
    /* Totals a few seconds back, for the rates: under rate_mu. */
    pthread_mutex_t rate_mu;
    struct rate_window *rates;
    size_t nrates;
    /* One change of what runs at a time (reload, leadership, stop), held
     * through the drain; `stopped` (under it) refuses changes after the stop. */
    pthread_mutex_t life_mu;
    bool stopped;
    /* Sources in standby, one elector each (app_standby.c): lists under
     * sb_mu, changed by the main thread only. `retiring`: electors a
     * reload replaced, closed once it is over. */
    pthread_mutex_t sb_mu;
    struct app_standby *standby, *retiring;
};

#define RATE_SAMPLES 6   /* one a second: the rate covers the last 5 s */

struct rate_window {
    int64_t at_ms[RATE_SAMPLES], total[RATE_SAMPLES];
    size_t next, count;
};

/* app.c: releases (lead) or holds again the standby route of this id in
 * the running engine (runtime/engine.h); nothing once the app stopped or
 * when `retired` (read under life_mu, which its writer holds) says a
 * reload replaced the elector asking. Elector threads. */
int app_lead(struct dromd_app *app, const char *route_id, bool lead, const atomic_bool *retired,
             struct drom_error *err);

/* app_standby.c */
/* Brings the standby entries in line with `routes`: a new entry (no
 * elector yet, not leading) for each standby route without one; an entry
 * whose route is gone, no longer in standby or with other group settings
 * is retired (its elector's callbacks change nothing from now on). Main
 * thread, under life_mu once electors run. */
void app_standby_update(struct dromd_app *app, const struct dromd_routes *routes);
/* Whether the engine should run route r now: not a standby route, or one
 * this replica leads. */
bool app_route_runs(struct dromd_app *app, const struct drom_route *r);
/* A standby route: "leader" while this replica runs it, else "standby";
 * NULL for other routes. */
const char *app_standby_role(struct dromd_app *app, const char *route_id);
/* /metrics lines of every standby route. */
void app_standby_metrics(struct dromd_app *app, struct drom_buf *out);
/* A route elected here whose start failed: true with the reason. */
bool app_standby_failed(struct dromd_app *app, char *reason, size_t size);
/* After the engine started: closes the retired electors, then opens one
 * for each entry without. Main thread, not under life_mu (a deposed
 * elector takes it). -1 at the first that cannot join its group (readiness
 * says so until a reload opens it). */
int app_standby_open(struct dromd_app *app, struct drom_error *err);
/* Leaves the groups; idempotent. Not under life_mu (a deposed elector takes it). */
void app_standby_close(struct dromd_app *app);
/* Closes, then frees every entry. */
void app_standby_free(struct dromd_app *app);

#endif
