#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dromd/age.h"
#include "cmd/dromd/answers.h"
#include "cmd/dromd/page.h"
#include "cmd/dromd/procstat.h"

/* Past this the main loop is stuck: it turns at least once a second. */
#define LIVE_STALL_MS 10000
#define MAX_ROUTES 4096

/* Error texts can come from remote servers in any encoding; jansson wants UTF-8. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = strdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

static int put_json(struct drom_buf *body, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return -1;
    drom_buf_puts(body, text);
    free(text);
    return 0;
}

static int health(struct drom_buf *body, bool up, const char *reason)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "status", json_string(up ? "UP" : "DOWN"));
    if (!up)
        json_object_set_new(doc, "reason", jstr(reason));
    if (put_json(body, doc) < 0)
        return 500;
    return up ? 200 : 503;
}

static int live(void *ctx, struct drom_buf *body)
{
    struct dromd_service *svc = ctx;
    int64_t age = dromd_monotonic_ms() - atomic_load(&svc->heartbeat_ms);
    /* While draining the main thread waits in the engine on purpose. */
    if (age <= LIVE_STALL_MS || atomic_load(&svc->phase) == DROMD_DRAINING)
        return health(body, true, NULL);
    char reason[96];
    snprintf(reason, sizeof reason, "main loop has not run for %lld ms", (long long)age);
    return health(body, false, reason);
}

static int ready(void *ctx, struct drom_buf *body)
{
    struct dromd_service *svc = ctx;
    switch (atomic_load(&svc->phase)) {
    case DROMD_STARTING:
        return health(body, false, "starting");
    case DROMD_DRAINING:
        return health(body, false, "draining");
    default:
        break;
    }
    char reason[512] = "";
    bool up = dromd_app_ready(svc->app, reason, sizeof reason);
    return health(body, up, reason[0] ? reason : "not ready");
}

static int is_ready(struct dromd_service *svc)
{
    struct drom_buf b = DROM_BUF_INIT;
    int up = ready(svc, &b) == 200;
    drom_buf_free(&b);
    return up;
}

static int metrics(void *ctx, struct drom_buf *body)
{
    struct dromd_service *svc = ctx;
    if (svc->app)
        dromd_app_metrics(svc->app, body);
    drom_buf_printf(body,
                    "# HELP drom_reloads_total Route reloads (SIGHUP) that swapped the routes.\n"
                    "# TYPE drom_reloads_total counter\n"
                    "drom_reloads_total %lld\n"
                    "# HELP drom_reload_failures_total Route reloads refused; the old routes kept running.\n"
                    "# TYPE drom_reload_failures_total counter\n"
                    "drom_reload_failures_total %lld\n"
                    "# HELP drom_draining 1 while in-flight exchanges drain before exit.\n"
                    "# TYPE drom_draining gauge\n"
                    "drom_draining %d\n"
                    "# HELP drom_build_info dromd's version.\n"
                    "# TYPE drom_build_info gauge\n"
                    "drom_build_info{version=\"%s\"} 1\n"
                    "# HELP drom_ready 1 while /health/ready answers 200.\n"
                    "# TYPE drom_ready gauge\n"
                    "drom_ready %d\n",
                    (long long)atomic_load(&svc->reloads),
                    (long long)atomic_load(&svc->reload_failures),
                    atomic_load(&svc->phase) == DROMD_DRAINING, DROMD_VERSION, is_ready(svc));
    dromd_process_metrics(body, svc->started_wall_ms);
    return 200;
}

/* The items of the route's source (its from endpoint); NULL when unknown. */
static json_t *source_items(json_t *endpoints, const char *route_id)
{
    size_t i;
    json_t *e;
    json_array_foreach(endpoints, i, e) {
        const char *rid = json_string_value(json_object_get(e, "routeId"));
        const char *role = json_string_value(json_object_get(e, "role"));
        if (rid && strcmp(rid, route_id) == 0 && role && strcmp(role, "from") == 0)
            return json_object_get(e, "items");
    }
    return NULL;
}

/* A source's snapshot progress (its Snapshot* items), as `dromd status`
 * draws it; NULL when the route's source has none. */
static json_t *snapshot_of(json_t *endpoints, const char *route_id)
{
    json_t *it = source_items(endpoints, route_id);
    if (!json_object_get(it, "SnapshotRunning"))
        return NULL;
    static const char *const map[][2] = {
        {"running", "SnapshotRunning"}, {"paused", "SnapshotPaused"}, {"completed", "SnapshotCompleted"},
        {"aborted", "SnapshotAborted"}, {"rows", "SnapshotTableRows"}, {"estimate", "SnapshotTableRowsEstimate"},
        {"tableMillis", "SnapshotTableMillis"}, {"rowsScanned", "SnapshotRowsScanned"},
        {"totalTables", "SnapshotTotalTableCount"}, {"remainingTables", "SnapshotRemainingTableCount"},
        {"durationSeconds", "SnapshotDurationInSeconds"}};
    json_t *o = json_object();
    json_object_set(o, "table", json_object_get(it, "SnapshotTable") ? json_object_get(it, "SnapshotTable")
                                                                     : json_null());
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        json_object_set_new(o, map[k][0], json_integer(json_integer_value(json_object_get(it, map[k][1]))));
    json_t *by = json_object_get(it, "SnapshotRowsScannedByTable");
    json_object_set_new(o, "rowsScannedByTable", by ? json_incref(by) : json_object());
    return o;
}

/* The partitions a group consumer holds now ({"topic":[0,2,4]}, from its
 * items): the route's role among the replicas is then "consumer". */
static json_t *partitions_of(json_t *endpoints, const char *route_id)
{
    json_t *held = json_object_get(source_items(endpoints, route_id), "partitions");
    return json_is_object(held) ? json_incref(held) : NULL;
}

/* The broker each endpoint of the route is connected to now (its "broker"
 * item: an amqp failover URI's current broker), keyed by the endpoint's
 * URI; NULL when none says. */
static json_t *brokers_of(json_t *endpoints, const char *route_id)
{
    json_t *o = NULL, *e;
    size_t i;
    json_array_foreach(endpoints, i, e) {
        const char *rid = json_string_value(json_object_get(e, "routeId"));
        const char *uri = json_string_value(json_object_get(e, "uri"));
        json_t *b = json_object_get(json_object_get(e, "items"), "broker");
        if (!rid || strcmp(rid, route_id) != 0 || !uri || !json_is_string(b))
            continue;
        if (!o)
            o = json_object();
        json_object_set(o, uri, b);
    }
    return o;
}

static json_t *route_list(struct dromd_service *svc)
{
    struct dromd_route_info *info = NULL;
    size_t n = 0;
    if (svc->app) {
        info = calloc(MAX_ROUTES, sizeof *info);
        if (!info)
            return NULL;
        n = dromd_app_routes(svc->app, info, MAX_ROUTES);
        if (n > MAX_ROUTES)
            n = MAX_ROUTES;
    }
    json_t *endpoints = NULL;
    if (svc->app) {
        struct drom_buf eb = DROM_BUF_INIT;
        dromd_app_endpoints(svc->app, &eb);
        endpoints = json_loads(drom_buf_cstr(&eb), 0, NULL);
        drom_buf_free(&eb);
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char age[32];
        json_t *r = json_object();
        json_t *snap = snapshot_of(endpoints, info[i].id);
        if (snap)
            json_object_set_new(r, "snapshot", snap);
        json_object_set_new(r, "id", jstr(info[i].id));
        json_object_set_new(r, "from", jstr(info[i].from));
        json_object_set_new(r, "state", jstr(info[i].state));
        json_t *held = partitions_of(endpoints, info[i].id);
        if (info[i].role[0])
            json_object_set_new(r, "role", jstr(info[i].role));
        else if (held)
            json_object_set_new(r, "role", json_string("consumer"));
        if (held)
            json_object_set_new(r, "partitions", held);
        json_object_set_new(r, "total", json_integer(info[i].total));
        json_object_set_new(r, "failed", json_integer(info[i].failed));
        json_object_set_new(r, "inflight", json_integer(info[i].inflight));
        json_object_set_new(r, "lastError",
                            info[i].last_error[0] ? jstr(info[i].last_error) : json_null());
        json_object_set_new(r, "uptime", json_string(dromd_age(info[i].uptime_ms, age, sizeof age)));
        json_object_set_new(r, "uptimeMillis", json_integer(info[i].uptime_ms));
        json_object_set_new(r, "throughput", json_real(info[i].rate));
        json_object_set_new(r, "lastProcessingTimeMicros", json_integer(info[i].last_us));
        json_object_set_new(r, "maxProcessingTimeMicros", json_integer(info[i].max_us));
        json_object_set_new(r, "meanProcessingTimeMicros", json_integer(info[i].mean_us));
        json_object_set_new(r, "sinceLastCompletedMillis", json_integer(info[i].since_done_ms));
        json_object_set_new(r, "sinceLastFailedMillis", json_integer(info[i].since_failed_ms));
        json_t *brokers = brokers_of(endpoints, info[i].id);
        if (brokers)
            json_object_set_new(r, "brokers", brokers);
        json_array_append_new(list, r);
    }
    json_decref(endpoints);
    free(info);
    return list;
}

static json_t *head(struct dromd_service *svc)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "name", jstr(svc->name));
    json_object_set_new(doc, "pid", json_integer(svc->pid));
    json_object_set_new(doc, "version", json_string(DROMD_VERSION));
    return doc;
}

static int routes(void *ctx, struct drom_buf *body)
{
    struct dromd_service *svc = ctx;
    json_t *list = route_list(svc);
    if (!list)
        return 500;
    json_t *doc = head(svc);
    json_object_set_new(doc, "routes", list);
    return put_json(body, doc) < 0 ? 500 : 200;
}

/* A JSON text one of the app's writers produced, as a value. */
static json_t *parsed(void (*fn)(struct dromd_app *, struct drom_buf *), struct dromd_app *app)
{
    struct drom_buf b = DROM_BUF_INIT;
    if (app)
        fn(app, &b);
    json_t *j = b.len ? json_loads(drom_buf_cstr(&b), 0, NULL) : NULL;
    drom_buf_free(&b);
    return j ? j : json_null();
}

static json_t *config(struct dromd_service *svc)
{
    const struct dromd_opts *o = svc->opts;
    json_t *c = json_object();
    json_object_set_new(c, "routes", jstr(o->routes_file));
    json_object_set_new(c, "propertiesFile", o->properties ? jstr(o->properties) : json_null());
    json_object_set_new(c, "http", o->http ? jstr(o->http) : json_null());
    json_object_set_new(c, "stateDir", jstr(o->state_dir));
    json_object_set_new(c, "drainTimeoutMillis", json_integer(o->drain_ms));
    json_object_set_new(c, "exitOnFailure", json_boolean(o->exit_on_failure));
    json_object_set_new(c, "logFormat", json_string(o->log_format == DROM_LOG_JSON ? "json" : "text"));
    json_object_set_new(c, "properties", parsed(dromd_app_properties, svc->app));
    return c;
}

/* Everything the status page shows, in one answer so that it is consistent. */
static int status(void *ctx, struct drom_buf *body)
{
    struct dromd_service *svc = ctx;
    json_t *list = route_list(svc);
    if (!list)
        return 500;
    json_t *doc = head(svc);
    struct drom_buf rb = DROM_BUF_INIT;
    int ready_status = ready(ctx, &rb);
    json_t *r = json_loads(drom_buf_cstr(&rb), 0, NULL);
    drom_buf_free(&rb);
    json_object_set_new(doc, "ready", json_boolean(ready_status == 200));
    json_object_set_new(doc, "reason", r && json_object_get(r, "reason") ? json_incref(json_object_get(r, "reason"))
                                                                            : json_null());
    json_decref(r);
    json_object_set_new(doc, "uptimeMillis", json_integer(dromd_monotonic_ms() - svc->started_mono_ms));
    json_object_set_new(doc, "routes", list);
    json_object_set_new(doc, "endpoints", parsed(dromd_app_endpoints, svc->app));
    json_object_set_new(doc, "steps", parsed(dromd_app_steps, svc->app));
    json_object_set_new(doc, "config", config(svc));
    return put_json(body, doc) < 0 ? 500 : 200;
}

static int graph(void *ctx, struct drom_buf *body)
{
    struct dromd_service *svc = ctx;
    if (!svc->app)
        return 503;
    dromd_app_graph_dot(svc->app, body);
    return 200;
}

static int page(void *ctx, struct drom_buf *body)
{
    drom_buf_puts(body, dromd_status_page);
    return 200;
}

struct drom_http_handlers dromd_answers(struct dromd_service *svc)
{
    return (struct drom_http_handlers){.ctx = svc, .live = live, .ready = ready, .metrics = metrics,
                                       .routes = routes, .page = page, .graph = graph, .status = status};
}
