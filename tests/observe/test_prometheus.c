/* The shipped dashboard and alerts against a real Prometheus (Debian's
 * prometheus package), started here on loopback and scraping a dromd that
 * runs the seed pipeline on the test servers:
 *  - promtool check rules and promtool test rules pass on
 *    deploy/prometheus/dromedary.rules.yml, and the PrometheusRule holds the
 *    same groups;
 *  - every query of deploy/grafana/dromedary.json returns data;
 *  - DromedaryNotReady fires while the broker is stopped, and
 *    DromedaryExchangesFailing once a route fails its exchanges; neither
 *    fires before its fault. The rules run with `for:` cut to 0s, so that
 *    the test waits for the expression, not for the clock. */
#include "tests/observe/observe_util.h"

struct prom {
    int port;
    pid_t pid;
    char dir[192], log[256];
};

static char *urlencode(const char *s)
{
    struct drom_buf b = DROM_BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
            drom_buf_putc(&b, (char)*p);
        else
            drom_buf_printf(&b, "%%%02X", *p);
    }
    drom_buf_cstr(&b);
    return drom_buf_detach(&b);
}

/* GET on Prometheus' API; the parsed answer or NULL. */
static json_t *prom_get(const struct prom *p, const char *path)
{
    struct rawhttp_answer a;
    if (rawhttp_request(p->port, "GET", path, &a) < 0)
        return NULL;
    json_t *j = a.status == 200 ? json_loads(a.body, 0, NULL) : NULL;
    rawhttp_free(&a);
    return j;
}

/* The number of series an instant query returns (-1 on an error). */
static int prom_query(const struct prom *p, const char *expr, char *why, size_t wsize)
{
    char *q = urlencode(expr);
    char path[8192];
    snprintf(path, sizeof path, "/api/v1/query?query=%s", q);
    free(q);
    json_t *j = prom_get(p, path);
    int n = -1;
    if (j && strcmp(json_string_value(json_object_get(j, "status")) ?: "", "success") == 0)
        n = (int)json_array_size(json_object_get(json_object_get(j, "data"), "result"));
    else if (why)
        snprintf(why, wsize, "%s", j ? json_string_value(json_object_get(j, "error")) ?: "?" : "no answer");
    json_decref(j);
    return n;
}

/* "firing", "pending" or "" for an alert. */
static void alert_state(const struct prom *p, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    json_t *j = prom_get(p, "/api/v1/alerts");
    json_t *alerts = json_object_get(json_object_get(j, "data"), "alerts");
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a) {
        const char *n = json_string_value(json_object_get(json_object_get(a, "labels"), "alertname"));
        if (n && strcmp(n, name) == 0)
            snprintf(out, size, "%s", json_string_value(json_object_get(a, "state")) ?: "");
    }
    json_decref(j);
}

static bool wait_alert(const struct prom *p, const char *name, const char *want, int timeout_ms)
{
    long long end = ts_now_ms() + timeout_ms;
    char st[32];
    for (;;) {
        alert_state(p, name, st, sizeof st);
        if (strcmp(st, want) == 0)
            return true;
        if (ts_now_ms() >= end)
            return false;
        proc_pause_ms(250);
    }
}

/* The shipped rules with every `for:` at 0s. */
static void fast_rules(const char *out)
{
    char *src = ts_slurp("deploy/prometheus/dromedary.rules.yml");
    cr_assert(strstr(src, "alert: DromedaryNotReady"), "deploy/prometheus/dromedary.rules.yml is readable");
    struct drom_buf b = DROM_BUF_INIT;
    for (char *line = strtok(src, "\n"); line; line = strtok(NULL, "\n")) {
        char *f = strstr(line, "for: ");
        if (f && strspn(line, " ") == (size_t)(f - line)) {
            drom_buf_append(&b, line, (size_t)(f - line));
            drom_buf_puts(&b, "for: 0s\n");
        } else {
            drom_buf_printf(&b, "%s\n", line);
        }
    }
    obs_write(out, drom_buf_cstr(&b));
    drom_buf_free(&b);
    free(src);
}

static void prom_start(struct prom *p, const struct e2e *t)
{
    p->port = atoi(ts_env("PROMETHEUS_PORT", "19090"));
    snprintf(p->dir, sizeof p->dir, "%s/prometheus", t->dir);
    mkdir(p->dir, 0700);
    snprintf(p->log, sizeof p->log, "%s/prometheus.log", t->dir);
    char rules[256], conf[256], data[256], listen[64];
    snprintf(rules, sizeof rules, "%s/fast.rules.yml", p->dir);
    snprintf(conf, sizeof conf, "%s/prometheus.yml", p->dir);
    snprintf(data, sizeof data, "--storage.tsdb.path=%s/data", p->dir);
    snprintf(listen, sizeof listen, "--web.listen-address=127.0.0.1:%d", p->port);
    fast_rules(rules);
    char text[1024];
    snprintf(text, sizeof text,
             "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
             "rule_files:\n  - %s\n"
             "scrape_configs:\n  - job_name: dromd\n    static_configs:\n      - targets: ['127.0.0.1:%d']\n",
             rules, t->http);
    obs_write(conf, text);
    char cfg[300];
    snprintf(cfg, sizeof cfg, "--config.file=%s", conf);
    char *argv[] = {"/usr/bin/prometheus", cfg, data, listen, "--log.level=warn",
                    "--storage.tsdb.retention.time=1h", NULL};
    p->pid = e2e_spawn(argv, p->log);
    cr_assert_gt(p->pid, 0);
    long long end = ts_now_ms() + 30000;
    while (prom_query(p, "up{job=\"dromd\"} == 1", NULL, 0) != 1) {
        cr_assert_lt(ts_now_ms(), end, "Prometheus on 127.0.0.1:%d scrapes dromd within 30 s; its log:\n%s",
                     p->port, ts_slurp(p->log));
        proc_pause_ms(250);
    }
}

static void prom_stop(struct prom *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        if (proc_wait_exit(p->pid, 10000) < 0)
            kill(p->pid, SIGKILL);
    }
}

Test(prometheus, promtool_checks_and_tests_the_rules, .timeout = 60)
{
    char *out = NULL;
    int rc = ts_sh("promtool check rules deploy/prometheus/dromedary.rules.yml 2>&1", &out);
    cr_expect_eq(rc, 0, "promtool check rules:\n%s", out);
    cr_expect(strstr(out, "SUCCESS: 6 rules found"), "%s", out);
    free(out);
    rc = ts_sh("cd deploy/prometheus && promtool test rules dromedary.rules.test.yml 2>&1", &out);
    cr_expect_eq(rc, 0, "promtool test rules:\n%s", out);
    cr_expect(strstr(out, "SUCCESS"), "%s", out);
    free(out);
    rc = ts_sh("python3 -c 'import yaml,sys; a=yaml.safe_load(open(\"deploy/prometheus/dromedary.rules.yml\"));"
                " b=yaml.safe_load(open(\"deploy/prometheus/prometheusrule.yaml\"));"
                " sys.exit(0 if b[\"kind\"]==\"PrometheusRule\" and b[\"spec\"]==a else 1)' 2>&1",
                &out);
    cr_expect_eq(rc, 0, "deploy/prometheus/prometheusrule.yaml holds the groups of dromedary.rules.yml %s", out);
    free(out);
}

/* Every expr of the dashboard, with Grafana's variables given values. */
static size_t dashboard_exprs(char ***out)
{
    json_error_t jerr;
    json_t *d = json_load_file("deploy/grafana/dromedary.json", 0, &jerr);
    cr_assert_not_null(d, "deploy/grafana/dromedary.json: %s", jerr.text);
    size_t n = 0, i, k;
    json_t *panel, *target;
    char **list = NULL;
    json_array_foreach(json_object_get(d, "panels"), i, panel) {
        json_array_foreach(json_object_get(panel, "targets"), k, target) {
            const char *e = json_string_value(json_object_get(target, "expr"));
            if (!e)
                continue;
            list = realloc(list, (n + 1) * sizeof *list);
            list[n++] = e2e_replace_all(e, "$__rate_interval", "15s");
        }
    }
    json_decref(d);
    *out = list;
    return n;
}

Test(prometheus, dashboard_has_data_and_alerts_fire_in_their_faults, .timeout = 400)
{
    obs_artefacts_dir();
    struct e2e t;
    e2e_init(&t, "prom", 7741, 1);
    e2e_start(&t);
    struct prom p = {0};
    prom_start(&p, &t);
    obs_insert(&t, 5);
    E2E_EXPECT(&t, e2e_wait_queue(&t, 5, 60000) >= 5, "the 5 changes reach the queue");

    /* Before any fault, no alert of ours is firing or pending. */
    char st[32];
    const char *names[] = {"DromedaryNotReady", "DromedaryExchangesFailing", "DromedaryOffsetStoreFailing"};
    for (size_t i = 0; i < 3; i++) {
        alert_state(&p, names[i], st, sizeof st);
        E2E_EXPECT(&t, st[0] == '\0', "%s is %s before its fault", names[i], st);
    }

    char **exprs;
    size_t n = dashboard_exprs(&exprs);
    cr_expect_geq(n, 20, "the dashboard has its queries");
    long long end = ts_now_ms() + 60000;
    for (size_t i = 0; i < n; i++) {
        char why[512] = "";
        int series;
        while ((series = prom_query(&p, exprs[i], why, sizeof why)) <= 0 && ts_now_ms() < end) {
            obs_insert(&t, 1);   /* rates need changes in their window */
            proc_pause_ms(500);
        }
        E2E_EXPECT(&t, series > 0, "dashboard query returns data: %s (%d series %s)", exprs[i], series, why);
        free(exprs[i]);
    }
    free(exprs);

    /* The broker stops: dromd is not ready, and the alert says so. */
    cr_assert_eq(ts_ctl(t.log, "artemis", "stop"), 0);
    obs_insert(&t, 2);
    E2E_EXPECT(&t, wait_alert(&p, "DromedaryNotReady", "firing", 90000), "DromedaryNotReady fires while Artemis is down");
    alert_state(&p, "DromedaryExchangesFailing", st, sizeof st);
    E2E_EXPECT(&t, st[0] == '\0', "DromedaryExchangesFailing is %s while only the broker is down", st);
    cr_assert_eq(ts_ctl(t.log, "artemis", "start"), 0);
    E2E_EXPECT(&t, e2e_wait_ready(&t, 200, 90000), "dromd is ready again once Artemis is back");
    E2E_EXPECT(&t, wait_alert(&p, "DromedaryNotReady", "", 30000), "DromedaryNotReady resolves");

    /* A route starts failing every exchange (added by a reload). */
    obs_add_failing_route(&t);
    kill(t.pid, SIGHUP);
    E2E_EXPECT(&t, wait_alert(&p, "DromedaryExchangesFailing", "firing", 60000),
               "DromedaryExchangesFailing fires once route 'failing' fails its exchanges");
    char *body = NULL;
    e2e_http(&t, "/routes", &body);
    E2E_EXPECT(&t, body && strstr(body, "\"id\":\"failing\"") && strstr(body, "dromedary-cannot-write-here"),
               "/routes names the failing route's error: %s", body ? body : "");
    free(body);

    prom_stop(&p);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' " OBS_ARTEFACTS "/ 2>/dev/null", p.log, t.log);
    ts_sh(cmd, NULL);
    e2e_finish(&t);
}
