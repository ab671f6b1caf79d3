/* The compiler and the engine as dromd uses them. A reload follows the
 * engine's rule (runtime/engine.h): drain and stop the old engine, start a
 * new one on the new graph, and fall back to the old graph if that fails;
 * sources resume from their committed positions. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dromd/app.h"
#include "cmd/dromd/app_int.h"
#include "compiler/beans.h"
#include "compiler/bind.h"
#include "compiler/compile.h"
#include "compiler/graph_draw.h"
#include "compiler/graph_json.h"
#include "compiler/secrets.h"
#include "components/kafka/kafka.h"
#include "components/registry.h"
#include "dsl/placeholder.h"
#include "dsl/properties.h"
#include "dsl/simple.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

#define LOGGER "dromd"

/* --- loading ------------------------------------------------------------ */

static int load_props(const struct dromd_opts *o, struct drom_props *props, struct drom_error *err)
{
    if (o->properties && drom_props_load_file(props, o->properties, err) < 0)
        return -1;
    for (size_t i = 0; i < o->ndefines; i++)
        if (drom_props_define(props, o->defines[i], err) < 0)
            return -1;
    return drom_beans_apply(props, err);
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

/* An engine for `r` whose standby routes this replica does not lead are held. */
static struct drom_engine *engine_for(struct dromd_app *app, struct dromd_routes *r, struct drom_error *err)
{
    struct drom_engine_options eo = {
        .state_dir = app->opts->state_dir,
        .camel_context = app->context,
        .compile_simple = compile_simple,
        .offset_backend = drom_registry_offset_backend,
        .resolve_uri = resolve_uri,
        .hook_arg = r,
    };
    struct drom_engine *eng = drom_engine_new(&r->graph, &eo, err);
    for (size_t i = 0; eng && i < r->graph.nroutes; i++)
        if (!app_route_runs(app, &r->graph.routes[i]))
            drom_engine_hold_route(eng, r->graph.routes[i].id, err);
    return eng;
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
    pthread_mutex_init(&app->rate_mu, NULL);
    pthread_mutex_init(&app->life_mu, NULL);
    pthread_mutex_init(&app->sb_mu, NULL);
    app->routes = routes;
    app_standby_update(app, routes);
    app->eng = engine_for(app, routes, err);
    if (!app->eng) {
        dromd_app_free(app);
        return NULL;
    }
    return app;
}

int dromd_app_start(struct dromd_app *app, struct drom_error *err)
{
    if (drom_engine_start(app->eng, err) < 0)
        return -1;
    return app_standby_open(app, err);
}

/* Publishes the new engine and routes and frees the old ones (the old
 * engine is stopped). `r` may be the routes already published. */
static void publish(struct dromd_app *app, struct drom_engine *eng, struct dromd_routes *r)
{
    pthread_rwlock_wrlock(&app->lock);
    struct drom_engine *old_eng = app->eng;
    struct dromd_routes *old_r = app->routes;
    app->eng = eng;
    app->routes = r;
    pthread_rwlock_unlock(&app->lock);
    drom_engine_free(old_eng);
    if (old_r != r)
        dromd_routes_free(old_r);
}

int dromd_app_reload_take(struct dromd_app *app, struct dromd_routes *routes,
                          struct drom_error *err)
{
    pthread_mutex_lock(&app->life_mu);
    struct drom_error stop_err = {0};
    if (drom_engine_stop(app->eng, app->opts->drain_ms, &stop_err) < 0)
        drom_warn(LOGGER, "Reload: %s", stop_err.msg);
    /* before the engine: a route whose standby the reload turned on starts held */
    app_standby_update(app, routes);
    struct drom_engine *eng = engine_for(app, routes, err);
    int rc = 0;
    if (eng && drom_engine_start(eng, err) == 0) {
        publish(app, eng, routes);
    } else {
        rc = -1;
        drom_engine_free(eng);
        dromd_routes_free(routes);
        /* The new routes would not start: the old ones run again, resuming
         * from what they committed. */
        struct drom_error again = {0};
        app_standby_update(app, app->routes);
        struct drom_engine *back = engine_for(app, app->routes, &again);
        if (!back || drom_engine_start(back, &again) < 0) {
            drom_error_log(LOGGER, "Could not restart the previous routes either: %s", again.msg);
            drom_engine_free(back);
        } else {
            publish(app, back, app->routes);
        }
    }
    pthread_mutex_unlock(&app->life_mu);
    /* The electors the reload replaced leave their groups, and the routes
     * whose standby it turned on join theirs: elected, each is released. */
    struct drom_error join_err = {0};
    if (app_standby_open(app, &join_err) < 0)
        drom_error_log(LOGGER, "Reload: %s", join_err.msg);
    return rc;
}

int app_lead(struct dromd_app *app, const char *route_id, bool lead, const atomic_bool *retired,
             struct drom_error *err)
{
    pthread_mutex_lock(&app->life_mu);
    int rc = 0;
    if (!app->stopped && !atomic_load(retired))
        rc = lead ? drom_engine_release_route(app->eng, route_id, err)
                  : drom_engine_hold_running_route(app->eng, route_id, app->opts->drain_ms, err);
    pthread_mutex_unlock(&app->life_mu);
    return rc;
}

int64_t dromd_app_stop(struct dromd_app *app, int64_t drain_ms)
{
    struct drom_error err = {0};
    /* The standby routes first: each is held (drained, committed) before
     * its elector leaves the group, so the next leader starts at once and
     * after the last change this one delivered; the other routes' drain
     * does not delay it. */
    app_standby_close(app);
    pthread_mutex_lock(&app->life_mu);
    app->stopped = true;
    int rc = drom_engine_stop(app->eng, drain_ms, &err);
    pthread_mutex_unlock(&app->life_mu);
    if (rc == 0)
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
    app_standby_close(app);
    drom_engine_free(app->eng);
    app_standby_free(app);
    dromd_routes_free(app->routes);
    pthread_rwlock_destroy(&app->lock);
    pthread_mutex_destroy(&app->rate_mu);
    pthread_mutex_destroy(&app->life_mu);
    pthread_mutex_destroy(&app->sb_mu);
    free(app->rates);
    free(app);
}

/* --- observation (any thread) ------------------------------------------ */

bool dromd_app_ready(struct dromd_app *app, char *reason, size_t size)
{
    pthread_rwlock_rdlock(&app->lock);
    bool up = drom_engine_ready(app->eng, reason, size);
    pthread_rwlock_unlock(&app->lock);
    if (up && app_standby_failed(app, reason, size))
        up = false;
    return up;
}

bool dromd_app_failed(struct dromd_app *app, char *reason, size_t size)
{
    pthread_rwlock_rdlock(&app->lock);
    bool failed = drom_engine_failed(app->eng, reason, size);
    pthread_rwlock_unlock(&app->lock);
    return failed;
}

/* Exchanges per second between the oldest and newest sample. Under app->lock. */
static double rate_of(struct dromd_app *app, size_t i)
{
    double rate = 0;
    pthread_mutex_lock(&app->rate_mu);
    if (i < app->nrates && app->rates[i].count >= 2) {
        const struct rate_window *w = &app->rates[i];
        size_t newest = (w->next + RATE_SAMPLES - 1) % RATE_SAMPLES;
        size_t oldest = w->count < RATE_SAMPLES ? 0 : w->next;
        int64_t dt = w->at_ms[newest] - w->at_ms[oldest];
        if (dt > 0)
            rate = (double)(w->total[newest] - w->total[oldest]) * 1000.0 / (double)dt;
    }
    pthread_mutex_unlock(&app->rate_mu);
    return rate;
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
        o->last_us = st.last_us;
        o->max_us = st.max_us;
        o->mean_us = st.mean_us;
        o->since_done_ms = st.since_done_ms;
        o->since_failed_ms = st.since_failed_ms;
        o->rate = rate_of(app, i);
        const char *role = app_standby_role(app, o->id);
        snprintf(o->role, sizeof o->role, "%s", role ? role : "");
    }
    pthread_rwlock_unlock(&app->lock);
    return n;
}

void dromd_app_sample(struct dromd_app *app, int64_t now_ms)
{
    pthread_rwlock_rdlock(&app->lock);
    size_t n = drom_engine_route_count(app->eng);
    pthread_mutex_lock(&app->rate_mu);
    if (n != app->nrates) {   /* a reload changed the routes: start over */
        free(app->rates);
        app->rates = drom_xcalloc(n ? n : 1, sizeof *app->rates);
        app->nrates = n;
    }
    for (size_t i = 0; i < n; i++) {
        struct drom_route_status st;
        if (drom_engine_route_status(app->eng, i, &st) < 0)
            continue;
        struct rate_window *w = &app->rates[i];
        /* a reload's new engine counts from 0: its rate starts over */
        if (w->count && st.total < w->total[(w->next + RATE_SAMPLES - 1) % RATE_SAMPLES])
            w->count = w->next = 0;
        w->at_ms[w->next] = now_ms;
        w->total[w->next] = st.total;
        w->next = (w->next + 1) % RATE_SAMPLES;
        if (w->count < RATE_SAMPLES)
            w->count++;
    }
    pthread_mutex_unlock(&app->rate_mu);
    pthread_rwlock_unlock(&app->lock);
}

void dromd_app_endpoints(struct dromd_app *app, struct drom_buf *out)
{
    pthread_rwlock_rdlock(&app->lock);
    drom_engine_endpoints_json(app->eng, out);
    pthread_rwlock_unlock(&app->lock);
}

void dromd_app_steps(struct dromd_app *app, struct drom_buf *out)
{
    pthread_rwlock_rdlock(&app->lock);
    drom_engine_steps_json(app->eng, out);
    pthread_rwlock_unlock(&app->lock);
}

void dromd_app_graph_dot(struct dromd_app *app, struct drom_buf *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return;
    pthread_rwlock_rdlock(&app->lock);
    drom_graph_write_dot(&app->routes->graph, mem);
    pthread_rwlock_unlock(&app->lock);
    fclose(mem);
    drom_buf_append(out, text, len);
    free(text);
}

void dromd_app_metrics(struct dromd_app *app, struct drom_buf *out)
{
    pthread_rwlock_rdlock(&app->lock);
    drom_engine_metrics(app->eng, out);
    pthread_rwlock_unlock(&app->lock);
    app_standby_metrics(app, out);
}

/* A property is secret when the component option it sets is, or when its
 * name says so (properties that placeholders read, such as db.password). */
static bool secret_key(const char *key)
{
    const char *pre = "camel.component.";
    if (strncmp(key, pre, strlen(pre)) == 0) {
        char comp[64];
        const char *dot = strchr(key + strlen(pre), '.');
        size_t len = dot ? (size_t)(dot - key - strlen(pre)) : 0;
        if (dot && len < sizeof comp) {
            memcpy(comp, key + strlen(pre), len);
            comp[len] = '\0';
            const struct drom_component *c = drom_registry_find(comp);
            const struct drom_option *o = c ? drom_option_find(c->options, dot + 1) : NULL;
            if (o && (o->flags & DROM_OPT_SECRET))
                return true;
        }
    }
    return drom_option_name_secret(key);
}

/* A secret's value as shown: a placeholder keeps what it names, never its
 * default ({{env:DB_PASSWORD:xxxxxx}}); anything else is xxxxxx. */
static char *masked(const char *v)
{
    size_t len = strlen(v);
    bool placeholder = len > 4 && strncmp(v, "{{", 2) == 0 && strcmp(v + len - 2, "}}") == 0 && !strstr(v + 2, "{{");
    if (!placeholder)
        return drom_xstrdup("xxxxxx");
    const char *first = strchr(v, ':');
    const char *second = first ? strchr(first + 1, ':') : NULL;
    if (!second || second > v + len - 2)
        return drom_xstrdup(v);
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_append(&b, v, (size_t)(second - v));
    drom_buf_puts(&b, ":xxxxxx}}");
    return drom_buf_detach(&b);
}

void dromd_app_properties(struct dromd_app *app, struct drom_buf *out)
{
    json_t *o = json_object();
    pthread_rwlock_rdlock(&app->lock);
    const struct drom_props *p = &app->routes->props;
    for (size_t i = 0; i < drom_props_count(p); i++) {
        const struct drom_prop *e = drom_props_at(p, i);
        const char *v = e->value ? e->value : "";
        char *shown = secret_key(e->key) ? masked(v) : drom_xstrdup(v);
        json_t *j = json_string(shown);
        json_object_set_new(o, e->key, j ? j : json_string("?"));
        free(shown);
    }
    pthread_rwlock_unlock(&app->lock);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    drom_buf_puts(out, s ? s : "{}");
    free(s);
    json_decref(o);
}
