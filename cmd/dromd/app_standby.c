/* Sources in standby (docs/ha.md). A route whose source says standby=true
 * runs in the one replica its Kafka group elects (components/kafka's
 * elector); the engine of every other replica leaves it out, endpoints and
 * all, so that a standby's transactional producer never fences the leader's.
 * Taking or losing the lead swaps the engine for one with or without the
 * route, as a reload does: the routes of the file that run everywhere pause
 * for that drain and resume from their committed positions. */
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
    char from[512];
    char group[256];
    struct drom_standby *elector;
    /* under app->sb_mu */
    bool leading;
    int64_t epoch, changes, takeover_ms;
    char start_error[1100];  /* elected, but the route did not start */
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

static struct app_standby *find(struct dromd_app *app, const char *route_id)
{
    for (size_t i = 0; i < app->nstandby; i++)
        if (strcmp(app->standby[i].route_id, route_id) == 0)
            return &app->standby[i];
    return NULL;
}

void app_standby_scan(struct dromd_app *app)
{
    const struct drom_graph *g = &app->routes->graph;
    app->standby = drom_xcalloc(g->nroutes ? g->nroutes : 1, sizeof *app->standby);
    for (size_t i = 0; i < g->nroutes; i++) {
        struct drom_standby_config cfg;
        void *conf;
        if (!route_standby(&g->routes[i], &cfg, &conf))
            continue;
        struct app_standby *s = &app->standby[app->nstandby++];
        s->app = app;
        snprintf(s->route_id, sizeof s->route_id, "%s", g->routes[i].id);
        snprintf(s->from, sizeof s->from, "%s", g->routes[i].from.uri_masked);
        snprintf(s->group, sizeof s->group, "%s", cfg.group_id);
        drom_conf_free(g->routes[i].from.comp->options, conf);
    }
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
    if (!s)
        drom_warn(LOGGER, "route %s: standby was turned on by a reload; it joins its group at the next start "
                          "and stands by until then", r->id);
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
    int rc = app_lead(s->app, s->route_id, true, &err);
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
    int rc = app_lead(s->app, s->route_id, false, &err);
    pthread_mutex_lock(&s->app->sb_mu);
    s->leading = false;
    s->changes++;
    s->start_error[0] = '\0';
    pthread_mutex_unlock(&s->app->sb_mu);
    if (rc < 0)
        drom_error_log(LOGGER, "route %s: %s", s->route_id, err.msg);
    drom_info(LOGGER, "route %s: %s; stopped in %lld ms, standing by", s->route_id,
              lost ? "dropped from its group (silent past standbySessionTimeoutMs); a new leader has fenced its "
                     "producer"
                   : "leadership handed over",
              (long long)(now_ms() - t0));
}

int app_standby_open(struct dromd_app *app, struct drom_error *err)
{
    char host[128] = "dromd";
    gethostname(host, sizeof host - 1);
    for (size_t i = 0; i < app->nstandby; i++) {
        struct app_standby *s = &app->standby[i];
        const struct drom_route *r = NULL;
        for (size_t k = 0; k < app->routes->graph.nroutes && !r; k++)
            if (strcmp(app->routes->graph.routes[k].id, s->route_id) == 0)
                r = &app->routes->graph.routes[k];
        struct drom_standby_config cfg;
        void *conf;
        if (!r || !route_standby(r, &cfg, &conf))
            continue;
        char member[320];
        snprintf(member, sizeof member, "dromd-%s-%ld-%s", host, (long)getpid(), s->route_id);
        struct drom_standby_events ev = {.elected = elected, .deposed = deposed, .arg = s};
        s->elector = drom_standby_open(&cfg, member, &ev, err);
        drom_conf_free(r->from.comp->options, conf);
        if (!s->elector)
            return drom_err_prefix(err, "route %s: standby", s->route_id), -1;
        drom_info(LOGGER, "route %s: standing by in group %s (topic %s)", s->route_id, s->group, cfg.topic);
    }
    return 0;
}

void app_standby_close(struct dromd_app *app)
{
    for (size_t i = 0; i < app->nstandby; i++) {
        drom_standby_close(app->standby[i].elector);
        app->standby[i].elector = NULL;
    }
}

void app_standby_free(struct dromd_app *app)
{
    free(app->standby);
    app->standby = NULL;
    app->nstandby = 0;
}

bool app_standby_failed(struct dromd_app *app, char *reason, size_t size)
{
    bool failed = false;
    pthread_mutex_lock(&app->sb_mu);
    for (size_t i = 0; i < app->nstandby && !failed; i++)
        if (app->standby[i].start_error[0]) {
            snprintf(reason, size, "route %s: elected leader but could not start: %s", app->standby[i].route_id,
                     app->standby[i].start_error);
            failed = true;
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
    if (app->nstandby)
        drom_buf_puts(out, "# HELP drom_standby_leader 1 while this replica runs the standby source of the route.\n"
                           "# TYPE drom_standby_leader gauge\n"
                           "# HELP drom_standby_epoch The leader epoch of the route's group this replica last held.\n"
                           "# TYPE drom_standby_epoch gauge\n"
                           "# HELP drom_standby_leadership_changes_total Leaderships taken and lost here.\n"
                           "# TYPE drom_standby_leadership_changes_total counter\n"
                           "# HELP drom_standby_takeover_ms How long the last election took to start the route.\n"
                           "# TYPE drom_standby_takeover_ms gauge\n");
    for (size_t i = 0; i < app->nstandby; i++) {
        const struct app_standby *s = &app->standby[i];
        drom_buf_printf(out,
                        "drom_standby_leader{routeId=\"%s\",group=\"%s\"} %d\n"
                        "drom_standby_epoch{routeId=\"%s\",group=\"%s\"} %lld\n"
                        "drom_standby_leadership_changes_total{routeId=\"%s\",group=\"%s\"} %lld\n"
                        "drom_standby_takeover_ms{routeId=\"%s\",group=\"%s\"} %lld\n",
                        s->route_id, s->group, s->leading, s->route_id, s->group, (long long)s->epoch, s->route_id,
                        s->group, (long long)s->changes, s->route_id, s->group, (long long)s->takeover_ms);
    }
    pthread_mutex_unlock(&app->sb_mu);
}
