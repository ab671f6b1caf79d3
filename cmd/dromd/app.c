/* The compiler and the engine as dromd uses them. A reload follows the
 * engine's rule (runtime/engine.h): drain and stop the old engine, start a
 * new one on the new graph, and fall back to the old graph if that fails;
 * sources resume from their committed positions. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dromd/app.h"
#include "compiler/bind.h"
#include "compiler/compile.h"
#include "compiler/graph_json.h"
#include "compiler/secrets.h"
#include "components/kafka/kafka.h"
#include "dsl/placeholder.h"
#include "dsl/properties.h"
#include "dsl/simple.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

#define LOGGER "dromd"

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
};

/* --- loading ------------------------------------------------------------ */

static int load_props(const struct dromd_opts *o, struct drom_props *props, struct drom_error *err)
{
    if (o->properties && drom_props_load_file(props, o->properties, err) < 0)
        return -1;
    for (size_t i = 0; i < o->ndefines; i++)
        if (drom_props_define(props, o->defines[i], err) < 0)
            return -1;
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Warnings of a good file go through the log like every other line. */
static void log_warnings(const struct drom_diags *diags)
{
    for (size_t i = 0; i < diags->n; i++) {
        const struct drom_diag *d = &diags->items[i];
        if (d->file)
            drom_warn(LOGGER, "%s:%d:%d: warning: %s", d->file, d->line, d->col, d->msg);
        else
            drom_warn(LOGGER, "warning: %s", d->msg);
    }
}

static int compile_xml(const struct dromd_opts *o, const struct drom_props *props,
                       struct drom_graph *g, FILE *diag, struct drom_error *err)
{
    struct drom_diags diags = DROM_DIAGS_INIT;
    struct drom_compile_opts copts = {.props = props};
    int rc = drom_compile_file(o->routes_file, &copts, g, &diags);
    drom_diags_sort(&diags);
    if (rc < 0) {
        drom_diags_print(&diags, diag);
        drom_diags_first_error(&diags, err);
        err->code = DROM_EINVAL;
    } else {
        log_warnings(&diags);
    }
    drom_diags_free(&diags);
    return rc;
}

struct dromd_routes *dromd_routes_load(const struct dromd_opts *o, FILE *diag,
                                       struct drom_error *err)
{
    struct dromd_routes *r = drom_xcalloc(1, sizeof *r);
    if (load_props(o, &r->props, err) < 0) {
        drom_props_free(&r->props);
        free(r);
        return NULL;
    }
    r->copts.props = &r->props;
    struct drom_props *props = &r->props;
    int rc;
    if (ends_with(o->routes_file, ".json")) {
        rc = drom_graph_json_read_file(o->routes_file, &r->graph, err);
        if (rc < 0) {
            /* The reader's message starts with the file name already. */
            const char *msg = err->msg;
            size_t flen = strlen(o->routes_file);
            if (strncmp(msg, o->routes_file, flen) == 0 && msg[flen] == ':')
                msg += flen + 1 + (msg[flen + 1] == ' ');
            fprintf(diag, "%s: error: %s\n", o->routes_file, msg);
            err->code = DROM_EINVAL;
        }
    } else {
        rc = compile_xml(o, props, &r->graph, diag, err);
    }
    if (rc == 0) {
        /* The graph keeps placeholders of secrets; only now do they get values. */
        struct drom_placeholder_ctx ph = {.props = props};
        rc = drom_graph_resolve_secrets(&r->graph, &ph, err);
        if (rc < 0) {
            char line[1400];
            fprintf(diag, "%s\n", drom_err_format(err, line, sizeof line));
            err->code = DROM_EINVAL;
            drom_graph_free(&r->graph);
        }
    }
    if (rc < 0) {
        drom_props_free(&r->props);
        free(r);
        return NULL;
    }
    return r;
}

size_t dromd_routes_count(const struct dromd_routes *r)
{
    return r ? r->graph.nroutes : 0;
}

void dromd_routes_free(struct dromd_routes *r)
{
    if (!r)
        return;
    drom_graph_free(&r->graph);
    drom_props_free(&r->props);
    free(r);
}

/* --- lifecycle ---------------------------------------------------------- */

/* Simple templates in options (file's fileName): parsed the way the
 * compiler parses a Simple value. */
static struct drom_expr *compile_simple(void *arg, const char *text, struct drom_error *err)
{
    return drom_expr_parse("simple", text, DROM_EXPR_VALUE, err);
}

/* toD: a dynamic URI is checked and bound like a static one, with the
 * same properties. */
static int resolve_uri(void *arg, const char *uri, struct drom_arena *arena, struct drom_gendpoint *out,
                       struct drom_error *err)
{
    const struct dromd_routes *r = arg;
    return drom_bind_uri(uri, &r->copts, arena, out, err);
}

static struct drom_engine *engine_for(struct dromd_app *app, struct dromd_routes *r,
                                      struct drom_error *err)
{
    struct drom_engine_options eo = {
        .state_dir = app->opts->state_dir,
        .camel_context = app->context,
        .compile_simple = compile_simple,
        .offset_kafka_open = drom_offset_kafka_open,
        .resolve_uri = resolve_uri,
        .hook_arg = r,
    };
    return drom_engine_new(&r->graph, &eo, err);
}

struct dromd_app *dromd_app_create_take(struct dromd_routes *routes, const struct dromd_opts *o,
                                        struct drom_error *err)
{
    struct dromd_app *app = drom_xcalloc(1, sizeof *app);
    app->opts = o;
    const char *base = strrchr(o->routes_file, '/');
    snprintf(app->context, sizeof app->context, "%s", base ? base + 1 : o->routes_file);
    char *dot = strrchr(app->context, '.');
    if (dot && dot != app->context)
        *dot = '\0';
    pthread_rwlock_init(&app->lock, NULL);
    app->routes = routes;
    app->eng = engine_for(app, routes, err);
    if (!app->eng) {
        dromd_app_free(app);
        return NULL;
    }
    return app;
}

int dromd_app_start(struct dromd_app *app, struct drom_error *err)
{
    return drom_engine_start(app->eng, err);
}

static void publish(struct dromd_app *app, struct drom_engine *eng, struct dromd_routes *r,
                    struct drom_engine **old_eng, struct dromd_routes **old_r)
{
    pthread_rwlock_wrlock(&app->lock);
    *old_eng = app->eng;
    *old_r = app->routes;
    app->eng = eng;
    app->routes = r;
    pthread_rwlock_unlock(&app->lock);
}

int dromd_app_reload_take(struct dromd_app *app, struct dromd_routes *routes,
                          struct drom_error *err)
{
    struct drom_error stop_err = {0};
    if (drom_engine_stop(app->eng, app->opts->drain_ms, &stop_err) < 0)
        drom_warn(LOGGER, "Reload: %s", stop_err.msg);
    struct drom_engine *eng = engine_for(app, routes, err);
    if (eng && drom_engine_start(eng, err) == 0) {
        struct drom_engine *old_eng;
        struct dromd_routes *old_r;
        publish(app, eng, routes, &old_eng, &old_r);
        drom_engine_free(old_eng);
        dromd_routes_free(old_r);
        return 0;
    }
    drom_engine_free(eng);
    dromd_routes_free(routes);
    /* The new routes would not start: the old ones run again, resuming
     * from what they committed. */
    struct drom_error again = {0};
    struct drom_engine *back = engine_for(app, app->routes, &again);
    if (!back || drom_engine_start(back, &again) < 0) {
        drom_error_log(LOGGER, "Could not restart the previous routes either: %s", again.msg);
        drom_engine_free(back);
        return -1;
    }
    struct drom_engine *old_eng;
    struct dromd_routes *old_r;
    publish(app, back, app->routes, &old_eng, &old_r);
    drom_engine_free(old_eng);
    return -1;
}

int64_t dromd_app_stop(struct dromd_app *app, int64_t drain_ms)
{
    struct drom_error err = {0};
    if (drom_engine_stop(app->eng, drain_ms, &err) == 0)
        return 0;
    /* The engine has logged what it left, route by route. */
    int64_t left = 0;
    size_t n = drom_engine_route_count(app->eng);
    for (size_t i = 0; i < n; i++) {
        struct drom_route_status st;
        if (drom_engine_route_status(app->eng, i, &st) == 0)
            left += st.inflight;
    }
    return left > 0 ? left : 1;
}

void dromd_app_free(struct dromd_app *app)
{
    if (!app)
        return;
    drom_engine_free(app->eng);
    dromd_routes_free(app->routes);
    pthread_rwlock_destroy(&app->lock);
    free(app);
}

/* --- observation (any thread) ------------------------------------------ */

bool dromd_app_ready(struct dromd_app *app, char *reason, size_t size)
{
    pthread_rwlock_rdlock(&app->lock);
    bool up = drom_engine_ready(app->eng, reason, size);
    pthread_rwlock_unlock(&app->lock);
    return up;
}

bool dromd_app_failed(struct dromd_app *app, char *reason, size_t size)
{
    pthread_rwlock_rdlock(&app->lock);
    bool failed = drom_engine_failed(app->eng, reason, size);
    pthread_rwlock_unlock(&app->lock);
    return failed;
}

size_t dromd_app_routes(struct dromd_app *app, struct dromd_route_info *out, size_t max)
{
    pthread_rwlock_rdlock(&app->lock);
    size_t n = drom_engine_route_count(app->eng);
    for (size_t i = 0; i < n && i < max; i++) {
        struct drom_route_status st;
        struct dromd_route_info *o = &out[i];
        memset(o, 0, sizeof *o);
        if (drom_engine_route_status(app->eng, i, &st) < 0)
            continue;
        snprintf(o->id, sizeof o->id, "%s", st.id);
        snprintf(o->from, sizeof o->from, "%s", st.from);
        snprintf(o->state, sizeof o->state, "%s", st.state ? st.state : "Unknown");
        o->total = st.total;
        o->failed = st.failed;
        o->inflight = st.inflight;
        snprintf(o->last_error, sizeof o->last_error, "%s", st.last_error);
        o->uptime_ms = st.uptime_ms;
    }
    pthread_rwlock_unlock(&app->lock);
    return n;
}

void dromd_app_metrics(struct dromd_app *app, struct drom_buf *out)
{
    pthread_rwlock_rdlock(&app->lock);
    drom_engine_metrics(app->eng, out);
    pthread_rwlock_unlock(&app->lock);
}
