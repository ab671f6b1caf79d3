/* Sources in standby (docs/ha.md). A route whose source says standby=true
 * runs in the one replica its Kafka group elects (components/kafka's
 * elector); the engine of every other replica holds it, endpoints and all,
 * so that a standby's transactional producer never fences the leader's.
 * Taking or losing the lead releases or holds that route alone in the
 * running engine.
 *
 * A reload (SIGHUP) brings the electors in line with the new file: a route
 * whose standby was turned on gets an elector (held until elected), one
 * whose standby was turned off or whose group settings changed has its
 * elector retired (closed once the reload is over, changing nothing on the
 * way), and a changed one gets a new elector. A reload that fails and rolls
 * back takes its retired electors back, so a leader keeps its lead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/dromd/app_int.h"
#include "components/kafka/kafka.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

#define LOGGER "dromd"

struct app_standby {
    struct dromd_app *app;
    char route_id[128];
    /* the settings the elector was opened with */
    char group[256], topic[256], brokers[512];
    int64_t session_ms, heartbeat_ms;
    /* the route's options, kept for the elector's TLS and SASL settings,
     * which point into them (cfg.security) */
    const struct drom_component *comp;
    void *conf;
    struct drom_standby_config cfg;
    struct drom_standby *elector;   /* opened and closed on the main thread */
    /* Set under life_mu when a reload turned the route's standby off or
     * changed its settings: from then on the elector's callbacks change
     * nothing, and it is closed once the reload is over. */
    atomic_bool retired;
    struct app_standby *next;       /* app->standby or app->retiring, under sb_mu */
    /* under app->sb_mu */
    bool leading;
    int64_t epoch, changes, takeover_ms;
    char start_error[1100];  /* elected, but the route did not start */
    char join_error[1100];   /* the elector could not be opened */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The source's standby settings, from its options as the engine reads
 * them. *conf is the component's struct the strings point into. */
static bool route_standby(const struct drom_route *r, struct drom_standby_config *cfg, void **conf)
{
    const struct drom_component *c = r->from.comp;
    *conf = NULL;
    if (!c || !c->standby)
        return false;
    struct drom_error err = {0};
    *conf = drom_conf_new(c->options, c->conf_size, &r->from.opts, r->from.scheme, &err);
    if (*conf && c->standby(*conf, cfg))
        return true;
    if (*conf)
        drom_conf_free(c->options, *conf);
    *conf = NULL;
    return false;
}

static const char *text(const char *s)
{
    return s ? s : "";
}

/* Compared as the client properties they make: a changed password or
 * truststore needs a new elector as much as a changed group. */
static bool same_security(const struct drom_kafka_security *a, const struct drom_kafka_security *b)
{
    struct drom_kafka_props pa = {0}, pb = {0};
    struct drom_error err = {0};
    bool same = drom_kafka_props_build(a, &pa, &err) == 0 && drom_kafka_props_build(b, &pb, &err) == 0 &&
                pa.n == pb.n;
    for (size_t i = 0; same && i < pa.n; i++)
        same = strcmp(pa.kv[i], pb.kv[i]) == 0;
    drom_kafka_props_free(&pa);
    drom_kafka_props_free(&pb);
    return same;
}

static bool same_settings(const struct app_standby *s, const struct drom_standby_config *cfg)
{
    return strcmp(s->group, text(cfg->group_id)) == 0 && strcmp(s->topic, text(cfg->topic)) == 0 &&
           strcmp(s->brokers, text(cfg->brokers)) == 0 && s->session_ms == cfg->session_timeout_ms &&
           s->heartbeat_ms == cfg->heartbeat_interval_ms && same_security(&s->cfg.security, &cfg->security);
}

/* Under sb_mu. */
static struct app_standby *find(struct dromd_app *app, const char *route_id)
{
    for (struct app_standby *s = app->standby; s; s = s->next)
        if (strcmp(s->route_id, route_id) == 0)
            return s;
    return NULL;
}

static const struct drom_route *route_named(const struct dromd_routes *routes, const char *route_id)
{
    for (size_t k = 0; k < routes->graph.nroutes; k++)
        if (strcmp(routes->graph.routes[k].id, route_id) == 0)
            return &routes->graph.routes[k];
    return NULL;
}

/* Whether entry s still fits what `routes` says of its route. */
static bool still_fits(const struct app_standby *s, const struct dromd_routes *routes)
{
    const struct drom_route *r = route_named(routes, s->route_id);
    struct drom_standby_config cfg;
    void *conf;
    if (!r || !route_standby(r, &cfg, &conf))
        return false;
    bool same = same_settings(s, &cfg);
    drom_conf_free(r->from.comp->options, conf);
    return same;
}

/* Takes `conf`, which cfg's strings point into. */
static struct app_standby *entry_new(struct dromd_app *app, const struct drom_route *r,
                                     const struct drom_standby_config *cfg, void *conf)
{
    struct app_standby *s = drom_xcalloc(1, sizeof *s);
    s->app = app;
    s->comp = r->from.comp;
    s->conf = conf;
    s->cfg = *cfg;
    snprintf(s->route_id, sizeof s->route_id, "%s", r->id);
    snprintf(s->group, sizeof s->group, "%s", text(cfg->group_id));
    snprintf(s->topic, sizeof s->topic, "%s", text(cfg->topic));
    snprintf(s->brokers, sizeof s->brokers, "%s", text(cfg->brokers));
    s->session_ms = cfg->session_timeout_ms;
    s->heartbeat_ms = cfg->heartbeat_interval_ms;
    atomic_init(&s->retired, false);
    return s;
}

/* Moves the entries that no longer fit `routes` to app->retiring. Under sb_mu. */
static void retire_unfit(struct dromd_app *app, const struct dromd_routes *routes)
{
    for (struct app_standby **at = &app->standby; *at;) {
        struct app_standby *s = *at;
        if (still_fits(s, routes)) {
            at = &s->next;
            continue;
        }
        atomic_store(&s->retired, true);
        *at = s->next;
        s->next = app->retiring;
        app->retiring = s;
        drom_info(LOGGER, "route %s: %s by the reload; leaving standby group %s", s->route_id,
                  route_named(routes, s->route_id) ? "standby turned off or its settings changed"
                                                   : "removed",
                  s->group);
    }
}

/* Takes back from app->retiring the entry of route_id that fits `routes`:
 * a reload rolled back to the routes it was opened for, so its elector
 * stays in its group, a leader keeps its lead (its callbacks changed
 * nothing while retired, but `leading` followed the group). Under sb_mu. */
static bool revive(struct dromd_app *app, const struct dromd_routes *routes, const char *route_id)
{
    for (struct app_standby **at = &app->retiring; *at; at = &(*at)->next) {
        struct app_standby *s = *at;
        if (strcmp(s->route_id, route_id) != 0 || !still_fits(s, routes))
            continue;
        *at = s->next;
        s->next = app->standby;
        app->standby = s;
        atomic_store(&s->retired, false);
        drom_info(LOGGER, "route %s: the reload rolled back; staying in standby group %s", s->route_id, s->group);
        return true;
    }
    return false;
}

void app_standby_update(struct dromd_app *app, const struct dromd_routes *routes)
{
    pthread_mutex_lock(&app->sb_mu);
    retire_unfit(app, routes);
    const struct drom_graph *g = &routes->graph;
    for (size_t i = 0; i < g->nroutes; i++) {
        struct drom_standby_config cfg;
        void *conf;
        if (find(app, g->routes[i].id) || revive(app, routes, g->routes[i].id) ||
            !route_standby(&g->routes[i], &cfg, &conf))
            continue;
        struct app_standby *s = entry_new(app, &g->routes[i], &cfg, conf);
        s->next = app->standby;
        app->standby = s;
    }
    pthread_mutex_unlock(&app->sb_mu);
}

bool app_route_runs(struct dromd_app *app, const struct drom_route *r)
{
    struct drom_standby_config cfg;
    void *conf;
    if (!route_standby(r, &cfg, &conf))
        return true;
    drom_conf_free(r->from.comp->options, conf);
    pthread_mutex_lock(&app->sb_mu);
    struct app_standby *s = find(app, r->id);
    bool runs = s && s->leading;
    pthread_mutex_unlock(&app->sb_mu);
    return runs;
}

static int elected(void *arg, int64_t epoch)
{
    struct app_standby *s = arg;
    int64_t t0 = now_ms();
    pthread_mutex_lock(&s->app->sb_mu);
    s->leading = true;
    s->epoch = epoch;
    pthread_mutex_unlock(&s->app->sb_mu);
    struct drom_error err = {0};
    int rc = app_lead(s->app, s->route_id, true, &s->retired, &err);
    if (atomic_load(&s->retired))
        return 0;   /* the reload's engine decides the route's fate, not this elector */
    int64_t took = now_ms() - t0;
    pthread_mutex_lock(&s->app->sb_mu);
    /* a route that did not start stays held: readiness says why until a retry starts it */
    snprintf(s->start_error, sizeof s->start_error, "%s", rc < 0 ? err.msg : "");
    s->leading = rc == 0;
    if (rc == 0) {
        s->takeover_ms = took;
        s->changes++;
    }
    pthread_mutex_unlock(&s->app->sb_mu);
    if (rc < 0)
        drom_error_log(LOGGER, "route %s: leader of group %s (epoch %lld) but it did not start: %s", s->route_id,
                       s->group, (long long)epoch, err.msg);
    else
        drom_info(LOGGER, "route %s: leader of group %s (epoch %lld); started in %lld ms", s->route_id, s->group,
                  (long long)epoch, (long long)took);
    return rc;
}

static void deposed(void *arg, bool lost)
{
    struct app_standby *s = arg;
    int64_t t0 = now_ms();
    struct drom_error err = {0};
    int rc = app_lead(s->app, s->route_id, false, &s->retired, &err);
    pthread_mutex_lock(&s->app->sb_mu);
    s->leading = false;
    s->changes++;
    s->start_error[0] = '\0';
    pthread_mutex_unlock(&s->app->sb_mu);
    if (atomic_load(&s->retired)) {
        drom_info(LOGGER, "route %s: left standby group %s", s->route_id, s->group);
        return;
    }
    if (rc < 0)
        drom_error_log(LOGGER, "route %s: %s", s->route_id, err.msg);
    drom_info(LOGGER, "route %s: %s; stopped in %lld ms, standing by", s->route_id,
              lost ? "dropped from its group (silent past standbySessionTimeoutMs); a new leader has fenced its "
                     "producer"
                   : "leadership handed over",
              (long long)(now_ms() - t0));
}

static void entry_free(struct app_standby *s)
{
    drom_conf_free(s->comp->options, s->conf);
    free(s);
}

/* Closes the retired electors and frees their entries. */
static void close_retired(struct dromd_app *app)
{
    pthread_mutex_lock(&app->sb_mu);
    struct app_standby *list = app->retiring;
    app->retiring = NULL;
    pthread_mutex_unlock(&app->sb_mu);
    while (list) {
        struct app_standby *next = list->next;
        drom_standby_close(list->elector);
        entry_free(list);
        list = next;
    }
}

static int open_one(struct app_standby *s, const char *host, struct drom_error *err)
{
    const struct drom_standby_config *cfg = &s->cfg;
    char member[320];
    snprintf(member, sizeof member, "dromd-%s-%ld-%s", host, (long)getpid(), s->route_id);
    struct drom_standby_events ev = {.elected = elected, .deposed = deposed, .arg = s};
    struct drom_standby *elector = drom_standby_open(cfg, member, &ev, err);
    pthread_mutex_lock(&s->app->sb_mu);
    s->elector = elector;
    snprintf(s->join_error, sizeof s->join_error, "%s", elector ? "" : err->msg);
    pthread_mutex_unlock(&s->app->sb_mu);
    if (!elector)
        return drom_err_prefix(err, "route %s: standby", s->route_id), -1;
    drom_info(LOGGER, "route %s: standing by in group %s (topic %s)", s->route_id, s->group, s->topic);
    return 0;
}

int app_standby_open(struct dromd_app *app, struct drom_error *err)
{
    close_retired(app);
    char host[128] = "dromd";
    gethostname(host, sizeof host - 1);
    int rc = 0;
    /* Only the main thread (this one) changes the list: walking it
     * between locks is safe. */
    pthread_mutex_lock(&app->sb_mu);
    struct app_standby *s = app->standby;
    pthread_mutex_unlock(&app->sb_mu);
    for (; s && rc == 0; s = s->next)
        if (!s->elector)
            rc = open_one(s, host, err);
    return rc;
}

void app_standby_close(struct dromd_app *app)
{
    close_retired(app);
    for (struct app_standby *s = app->standby; s; s = s->next) {
        drom_standby_close(s->elector);
        s->elector = NULL;
    }
}

void app_standby_free(struct dromd_app *app)
{
    app_standby_close(app);
    while (app->standby) {
        struct app_standby *next = app->standby->next;
        entry_free(app->standby);
        app->standby = next;
    }
}

bool app_standby_failed(struct dromd_app *app, char *reason, size_t size)
{
    bool failed = false;
    pthread_mutex_lock(&app->sb_mu);
    for (struct app_standby *s = app->standby; s && !failed; s = s->next) {
        if (s->join_error[0])
            snprintf(reason, size, "route %s: cannot join standby group %s: %s", s->route_id, s->group,
                     s->join_error);
        else if (s->start_error[0])
            snprintf(reason, size, "route %s: elected leader but could not start: %s", s->route_id, s->start_error);
        failed = s->join_error[0] || s->start_error[0];
    }
    pthread_mutex_unlock(&app->sb_mu);
    return failed;
}

const char *app_standby_role(struct dromd_app *app, const char *route_id)
{
    pthread_mutex_lock(&app->sb_mu);
    struct app_standby *s = find(app, route_id);
    bool leading = s && s->leading;
    pthread_mutex_unlock(&app->sb_mu);
    return !s ? NULL : leading ? "leader" : "standby";
}

void app_standby_metrics(struct dromd_app *app, struct drom_buf *out)
{
    pthread_mutex_lock(&app->sb_mu);
    if (app->standby)
        drom_buf_puts(out, "# HELP drom_standby_leader 1 while this replica runs the standby source of the route.\n"
                           "# TYPE drom_standby_leader gauge\n"
                           "# HELP drom_standby_epoch The leader epoch of the route's group this replica last held.\n"
                           "# TYPE drom_standby_epoch gauge\n"
                           "# HELP drom_standby_leadership_changes_total Leaderships taken and lost here.\n"
                           "# TYPE drom_standby_leadership_changes_total counter\n"
                           "# HELP drom_standby_takeover_ms How long the last election took to start the route.\n"
                           "# TYPE drom_standby_takeover_ms gauge\n");
    for (const struct app_standby *s = app->standby; s; s = s->next)
        drom_buf_printf(out,
                        "drom_standby_leader{routeId=\"%s\",group=\"%s\"} %d\n"
                        "drom_standby_epoch{routeId=\"%s\",group=\"%s\"} %lld\n"
                        "drom_standby_leadership_changes_total{routeId=\"%s\",group=\"%s\"} %lld\n"
                        "drom_standby_takeover_ms{routeId=\"%s\",group=\"%s\"} %lld\n",
                        s->route_id, s->group, s->leading, s->route_id, s->group, (long long)s->epoch, s->route_id,
                        s->group, (long long)s->changes, s->route_id, s->group, (long long)s->takeover_ms);
    pthread_mutex_unlock(&app->sb_mu);
}
