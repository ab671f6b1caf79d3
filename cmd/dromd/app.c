/* Placeholder until the compiler (compiler/) and the engine
 * (runtime/engine.h) are in the tree: every load fails with a clear
 * message, so dromd builds and its clients can be tested. */
#include <stdlib.h>

#include "cmd/dromd/app.h"

struct dromd_routes {
    int unused;
};

struct dromd_app {
    int unused;
};

struct dromd_routes *dromd_routes_load(const struct dromd_opts *o, FILE *diag,
                                       struct drom_error *err)
{
    drom_err(err, DROM_EINTERNAL, "%s: this build of dromd has no compiler or engine yet",
             o->routes_file);
    return NULL;
}

size_t dromd_routes_count(const struct dromd_routes *r) { return 0; }
void dromd_routes_free(struct dromd_routes *r) { free(r); }

struct dromd_app *dromd_app_create_take(struct dromd_routes *routes, const struct dromd_opts *o,
                                        struct drom_error *err)
{
    dromd_routes_free(routes);
    drom_err(err, DROM_EINTERNAL, "no engine in this build");
    return NULL;
}

int dromd_app_start(struct dromd_app *app, struct drom_error *err)
{
    return drom_err(err, DROM_EINTERNAL, "no engine in this build");
}

int dromd_app_reload_take(struct dromd_app *app, struct dromd_routes *routes,
                          struct drom_error *err)
{
    dromd_routes_free(routes);
    return drom_err(err, DROM_EINTERNAL, "no engine in this build");
}

int64_t dromd_app_stop(struct dromd_app *app, int64_t drain_ms) { return 0; }
void dromd_app_free(struct dromd_app *app) { free(app); }

bool dromd_app_ready(struct dromd_app *app, char *reason, size_t size)
{
    snprintf(reason, size, "no engine");
    return false;
}

size_t dromd_app_routes(struct dromd_app *app, struct dromd_route_info *out, size_t max)
{
    return 0;
}

void dromd_app_metrics(struct dromd_app *app, struct drom_buf *out) {}
