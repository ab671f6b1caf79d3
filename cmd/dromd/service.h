/* `dromd ROUTES`: the service's lifecycle. Loads and checks the routes,
 * serves HTTP, starts the routes, then waits on signals on the main thread
 * (signalfd): SIGTERM/SIGINT drain and stop, SIGHUP reloads. */
#ifndef DROMD_SERVICE_H
#define DROMD_SERVICE_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "cmd/dromd/app.h"
#include "cmd/dromd/cli.h"

/* What the HTTP answers read: written by the main thread, read by the HTTP
 * thread, hence the atomics. */
struct dromd_service {
    const struct dromd_opts *opts;
    struct dromd_app *app;          /* NULL until the routes are created */
    char name[128];                 /* the route file's name without folder and extension */
    pid_t pid;
    int64_t started_wall_ms, started_mono_ms;
    atomic_llong heartbeat_ms;      /* monotonic ms of the main loop's last turn */
    atomic_int phase;               /* enum dromd_phase */
    atomic_llong reloads, reload_failures;
};

enum dromd_phase { DROMD_STARTING, DROMD_RUNNING, DROMD_RELOADING, DROMD_DRAINING };

/* Returns the exit code. */
int dromd_run(const struct dromd_opts *o);

int64_t dromd_monotonic_ms(void);

#endif
