/* dromd as a process: the real build/dromd binary on timer routes, spoken
 * to over HTTP and with signals. Needs no external server. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <sys/un.h>

#include "runtime/buf.h"
#include "tests/support/proc.h"
#include "tests/support/rawhttp.h"

#define DATA "tests/integration/data"

static const char *dromd_bin(void)
{
    return ts_env("DROMD_BIN", "build/dromd");
}

struct dromd {
    pid_t pid;
    int port;
    char dir[64];
    char log[128];
    char state[128];
};

static void make_dir(struct dromd *d)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/dromd-test-XXXXXX");
    cr_assert(mkdtemp(d->dir), "mkdtemp: %s", strerror(errno));
    snprintf(d->log, sizeof d->log, "%s/dromd.log", d->dir);
    snprintf(d->state, sizeof d->state, "%s/state", d->dir);
}

/* Starts dromd on `routes` with an ephemeral HTTP port and waits until it
 * says it started; extra arguments go before the route file. */
static void start_dromd(struct dromd *d, const char *routes, const char *extra1, const char *extra2)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)dromd_bin();
    argv[n++] = "--http";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--state-dir";
    argv[n++] = d->state;
    argv[n++] = "--drain-timeout";
    argv[n++] = "5s";
    if (extra1)
        argv[n++] = (char *)extra1;
    if (extra2)
        argv[n++] = (char *)extra2;
    argv[n++] = (char *)routes;
    argv[n] = NULL;
    d->pid = proc_spawn(argv, d->log, NULL);
    cr_assert_gt(d->pid, 0);
    /* Up, or gone: a dromd that exits early is reported at once. */
    bool up = false;
    long long deadline = ts_now_ms() + 10000;
    while (!up && ts_now_ms() < deadline) {
        up = proc_wait_text(d->log, ") started in ", 50);
        if (!up && waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            d->pid = 0;
            break;
        }
    }
    char *log = ts_slurp(d->log);
    cr_assert(up, "dromd did not start:\n%s", log);
    const char *at = strstr(log, "HTTP endpoints on http://127.0.0.1:");
    cr_assert(at, "no HTTP line in:\n%s", log);
    d->port = atoi(at + strlen("HTTP endpoints on http://127.0.0.1:"));
    free(log);
    cr_assert_gt(d->port, 0);
}

static int stop_dromd(struct dromd *d, int sig, int timeout_ms)
{
    if (d->pid <= 0)
        return -1;
    kill(d->pid, sig);
    int rc = proc_wait_exit(d->pid, timeout_ms);
    if (rc < 0) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, NULL, 0);
    }
    d->pid = 0;
    return rc;
}

static void cleanup(struct dromd *d)
{
    if (d->pid > 0)
        stop_dromd(d, SIGKILL, 2000);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", d->dir);
}

static int get(int port, const char *path, char **body)
{
    struct rawhttp_answer a;
    if (rawhttp_request(port, "GET", path, &a) < 0)
        return -1;
    if (body)
        *body = strdup(a.body);
    int status = a.status;
    rawhttp_free(&a);
    return status;
}

/* Polls /metrics until `prefix` reaches `min`; returns the last value. */
static long long wait_metric(int port, const char *prefix, long long min, int timeout_ms)
{
    long long deadline = ts_now_ms() + timeout_ms, v = -1;
    for (;;) {
        char *body = NULL;
        if (get(port, "/metrics", &body) == 200)
            v = ts_metric(body, prefix);
        free(body);
        if (v >= min || ts_now_ms() >= deadline)
            return v;
        proc_pause_ms(20);
    }
}

TestSuite(dromd, .timeout = 60);

static void serves_and_stops(const char *routes, const char *route_id)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, routes, NULL, NULL);

    char *body = NULL;
    cr_expect_eq(get(d.port, "/health/live", &body), 200);
    cr_expect_str_eq(body, "{\"status\":\"UP\"}");
    free(body);
    cr_expect_eq(get(d.port, "/observe/health/live", NULL), 200);

    char prefix[160];
    snprintf(prefix, sizeof prefix, "camel_exchanges_total{routeId=\"%s\"", route_id);
    long long total = wait_metric(d.port, prefix, 1, 5000);
    cr_expect_gt(total, 0, "%s = %lld", prefix, total);

    cr_expect_eq(get(d.port, "/health/ready", &body), 200, "%s", body);
    free(body);

    cr_assert_eq(get(d.port, "/routes", &body), 200);
    json_t *doc = json_loads(body, 0, NULL);
    cr_assert(doc, "not JSON: %s", body);
    json_t *r = json_array_get(json_object_get(doc, "routes"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(r, "id")), route_id);
    cr_expect_str_eq(json_string_value(json_object_get(r, "state")), "Started");
    cr_expect(json_is_integer(json_object_get(r, "total")));
    cr_expect(json_is_integer(json_object_get(r, "inflight")));
    cr_expect(json_is_integer(json_object_get(r, "failed")));
    cr_expect(json_object_get(r, "lastError"));
    cr_expect(json_is_string(json_object_get(r, "uptime")));
    json_decref(doc);
    free(body);

    long long t0 = ts_now_ms();
    int rc = stop_dromd(&d, SIGTERM, 2000);
    long long took = ts_now_ms() - t0;
    char *log = ts_slurp(d.log);
    cr_expect_eq(rc, 0, "exit %d after %lld ms:\n%s", rc, took, log);
    cr_expect(strstr(log, "Received Terminated, stopping"), "%s", log);
    cr_expect(strstr(log, ") shutdown in "), "%s", log);
    free(log);
    cleanup(&d);
}

Test(dromd, timer_route_serves_health_metrics_routes_and_stops_on_sigterm)
{
    serves_and_stops(DATA "/timer-log.xml", "timer-log");
}

Test(dromd, the_example_timer_log_route)
{
    if (access("routes/timer-log.xml", R_OK) != 0)
        cr_skip_test("routes/timer-log.xml is not in the tree yet");
    /* Its route id is whatever the example says: read it from /routes. */
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, "routes/timer-log.xml", NULL, NULL);
    char *body = NULL;
    cr_assert_eq(get(d.port, "/routes", &body), 200);
    json_t *doc = json_loads(body, 0, NULL);
    const char *id = json_string_value(json_object_get(json_array_get(json_object_get(doc, "routes"), 0), "id"));
    cr_assert(id, "%s", body);
    char prefix[160];
    snprintf(prefix, sizeof prefix, "camel_exchanges_total{routeId=\"%s\"", id);
    json_decref(doc);
    free(body);
    cr_expect_eq(get(d.port, "/health/live", NULL), 200);
    cr_expect_gt(wait_metric(d.port, prefix, 1, 5000), 0);
    cr_expect_eq(stop_dromd(&d, SIGTERM, 2000), 0);
    cleanup(&d);
}

Test(dromd, sigint_stops_too)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-log.xml", NULL, NULL);
    cr_expect_eq(stop_dromd(&d, SIGINT, 2000), 0);
    cleanup(&d);
}

Test(dromd, startup_logs_camel_lines)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-two.xml", NULL, NULL);
    cr_expect(proc_wait_text(d.log, "Routes startup (total:2 started:2)", 2000));
    cr_expect(proc_wait_text(d.log, "dromedary 0.1.0 (timer-two) is starting", 100));
    cr_expect(proc_wait_text(d.log, "    Started timer-log (timer:", 100));
    cr_expect(proc_wait_text(d.log, "    Started second (timer:", 100));
    stop_dromd(&d, SIGTERM, 2000);
    cleanup(&d);
}

Test(dromd, json_logs_are_one_object_a_line)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-log.xml", "--log-format", "json");
    stop_dromd(&d, SIGTERM, 2000);
    char *log = ts_slurp(d.log);
    int lines = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        cr_expect(j, "not JSON: %s", line);
        cr_expect(json_object_get(j, "msg") || !j, "no msg: %s", line);
        json_decref(j);
        lines++;
    }
    cr_expect_gt(lines, 3);
    free(log);
    cleanup(&d);
}

Test(dromd, invalid_routes_exit_1_with_gcc_style_errors)
{
    struct dromd d = {0};
    make_dir(&d);
    char *argv[] = {(char *)dromd_bin(), "--state-dir", d.state, DATA "/timer-log-bad.xml", NULL};
    int rc = proc_run(argv, d.log, NULL, 10000);
    char *log = ts_slurp(d.log);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, log);
    cr_expect(strstr(log, DATA "/timer-log-bad.xml:3:"), "no FILE:LINE:COL in:\n%s", log);
    cr_expect(strstr(log, ": error: "), "%s", log);
    cr_expect(strstr(log, "perid"), "%s", log);
    cr_expect_null(strstr(log, "started in"), "%s", log);
    free(log);
    cleanup(&d);
}

Test(dromd, missing_file_exits_1)
{
    struct dromd d = {0};
    make_dir(&d);
    char *argv[] = {(char *)dromd_bin(), "--state-dir", d.state, "/nonexistent/routes.xml", NULL};
    cr_expect_eq(proc_run(argv, d.log, NULL, 10000), 1);
    cleanup(&d);
}

Test(dromd, usage_errors_exit_2)
{
    struct dromd d = {0};
    make_dir(&d);
    char *none[] = {(char *)dromd_bin(), NULL};
    cr_expect_eq(proc_run(none, d.log, NULL, 5000), 2);
    char *bad_opt[] = {(char *)dromd_bin(), "--bogus", "x.xml", NULL};
    cr_expect_eq(proc_run(bad_opt, d.log, NULL, 5000), 2);
    char *bad_http[] = {(char *)dromd_bin(), "--http", "nowhere", "x.xml", NULL};
    cr_expect_eq(proc_run(bad_http, d.log, NULL, 5000), 2);
    char *bad_drain[] = {(char *)dromd_bin(), "--drain-timeout", "soon", "x.xml", NULL};
    cr_expect_eq(proc_run(bad_drain, d.log, NULL, 5000), 2);
    char *bad_level[] = {(char *)dromd_bin(), "--log-level", "loud", "x.xml", NULL};
    cr_expect_eq(proc_run(bad_level, d.log, NULL, 5000), 2);
    char *bad_d[] = {(char *)dromd_bin(), "-D", "novalue", "x.xml", NULL};
    cr_expect_eq(proc_run(bad_d, d.log, NULL, 5000), 2);
    char *help[] = {(char *)dromd_bin(), "--help", NULL};
    cr_expect_eq(proc_run(help, d.log, NULL, 5000), 0);
    cleanup(&d);
}

Test(dromd, sighup_with_a_broken_file_keeps_the_routes_and_counts_it)
{
    struct dromd d = {0};
    make_dir(&d);
    char routes[160];
    snprintf(routes, sizeof routes, "%s/routes.xml", d.dir);
    cr_assert_eq(ts_copy_file(DATA "/timer-log.xml", routes), 0, "copy " DATA "/timer-log.xml to %s", routes);
    start_dromd(&d, routes, NULL, NULL);
    cr_assert_gt(wait_metric(d.port, "camel_exchanges_total{routeId=\"timer-log\"", 1, 5000), 0);

    cr_assert_eq(ts_copy_file(DATA "/timer-log-bad.xml", routes), 0, "copy " DATA "/timer-log-bad.xml to %s", routes);
    kill(d.pid, SIGHUP);
    cr_expect(proc_wait_text(d.log, "failed, the running routes are kept", 5000));
    cr_expect_eq(wait_metric(d.port, "drom_reload_failures_total", 1, 2000), 1);
    cr_expect(proc_wait_text(d.log, "perid", 100), "the reason is logged");
    cr_expect_eq(get(d.port, "/health/live", NULL), 200);
    cr_expect_eq(get(d.port, "/health/ready", NULL), 200);
    long long before = wait_metric(d.port, "camel_exchanges_total{routeId=\"timer-log\"", 0, 100);
    long long after = wait_metric(d.port, "camel_exchanges_total{routeId=\"timer-log\"", before + 2, 3000);
    cr_expect_gt(after, before, "the old route still runs");

    /* A good file is swapped in. */
    cr_assert_eq(ts_copy_file(DATA "/timer-two.xml", routes), 0, "copy " DATA "/timer-two.xml to %s", routes);
    kill(d.pid, SIGHUP);
    cr_expect_eq(wait_metric(d.port, "drom_reloads_total", 1, 10000), 1);
    cr_expect_gt(wait_metric(d.port, "camel_exchanges_total{routeId=\"second\"", 1, 5000), 0);
    cr_expect_eq(wait_metric(d.port, "drom_reload_failures_total", 1, 100), 1);

    cr_expect_eq(stop_dromd(&d, SIGTERM, 2000), 0);
    cleanup(&d);
}

Test(dromd, status_prints_the_route_table)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-two.xml", NULL, NULL);
    wait_metric(d.port, "camel_exchanges_total{routeId=\"second\"", 1, 5000);
    char addr[32], out[160];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", d.port);
    snprintf(out, sizeof out, "%s/status.out", d.dir);
    char *argv[] = {(char *)dromd_bin(), "status", "--http", addr, NULL};
    cr_expect_eq(proc_run(argv, d.log, out, 5000), 0);
    char *table = ts_slurp(out);
    cr_expect(strstr(table, "PID"), "%s", table);
    cr_expect(strstr(table, "NAME"), "%s", table);
    cr_expect(strstr(table, "STATUS"), "%s", table);
    cr_expect(strstr(table, "TOTAL"), "%s", table);
    cr_expect(strstr(table, "INFLIGHT"), "%s", table);
    cr_expect(strstr(table, "timer-two"), "%s", table);
    cr_expect(strstr(table, "second"), "%s", table);
    cr_expect(strstr(table, "Started"), "%s", table);
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)d.pid);
    cr_expect(strstr(table, pid), "%s", table);
    int lines = 0;
    for (char *p = table; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 3, "heading + 2 routes:\n%s", table);
    free(table);

    char *jargv[] = {(char *)dromd_bin(), "status", "--json", "--http", addr, NULL};
    cr_expect_eq(proc_run(jargv, d.log, out, 5000), 0);
    char *js = ts_slurp(out);
    json_t *doc = json_loads(js, 0, NULL);
    cr_expect(doc, "%s", js);
    cr_expect_eq(json_array_size(json_object_get(doc, "routes")), 2);
    json_decref(doc);
    free(js);

    stop_dromd(&d, SIGTERM, 2000);
    char *none[] = {(char *)dromd_bin(), "status", "--http", addr, NULL};
    cr_expect_eq(proc_run(none, d.log, out, 5000), 1, "nothing listens any more");
    cleanup(&d);
}

Test(dromd, health_exits_0_when_ready_and_1_otherwise)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-log.xml", NULL, NULL);
    char addr[32], out[160];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", d.port);
    snprintf(out, sizeof out, "%s/health.out", d.dir);
    char *argv[] = {(char *)dromd_bin(), "health", "--http", addr, NULL};
    cr_expect_eq(proc_run(argv, d.log, out, 5000), 0);
    char *text = ts_slurp(out);
    cr_expect(strstr(text, "\"UP\""), "%s", text);
    free(text);
    stop_dromd(&d, SIGTERM, 2000);
    cr_expect_eq(proc_run(argv, d.log, out, 5000), 1);
    char *bad[] = {(char *)dromd_bin(), "health", "--http", "nonsense", NULL};
    cr_expect_eq(proc_run(bad, d.log, out, 5000), 1);
    char *usage[] = {(char *)dromd_bin(), "health", "--json", NULL};
    cr_expect_eq(proc_run(usage, d.log, out, 5000), 2);
    cleanup(&d);
}

Test(dromd, garbage_http_does_not_hurt_it)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-log.xml", NULL, NULL);
    struct rawhttp_answer a;
    const char junk[] = "\xff\xfe\x00garbage\r\n\r\n";
    rawhttp_send(d.port, junk, sizeof junk - 1, 2000, &a);
    rawhttp_free(&a);
    size_t big = 64 * 1024;
    char *req = malloc(big + 64);
    int n = snprintf(req, 64, "GET /metrics HTTP/1.1\r\nX-Big: ");
    memset(req + n, 'a', big);
    memcpy(req + n + big, "\r\n\r\n", 4);
    rawhttp_send(d.port, req, (size_t)n + big + 4, 2000, &a);
    cr_expect(a.status == 0 || (a.status >= 400 && a.status < 500), "%d", a.status);
    rawhttp_free(&a);
    free(req);
    rawhttp_request(d.port, "DELETE", "/routes", &a);
    cr_expect_eq(a.status, 405);
    rawhttp_free(&a);
    cr_expect_eq(get(d.port, "/nope", NULL), 404);
    cr_expect_eq(get(d.port, "/health/live", NULL), 200);
    cr_expect_eq(stop_dromd(&d, SIGTERM, 2000), 0);
    cleanup(&d);
}

static void expect_no_secret(const char *where, const char *text)
{
    static const char *const secrets[] = {"EnvS3cretValue", "PropS3cretValue", "Lit3ralS3cretValue"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        cr_expect_null(strstr(text, secrets[i]), "%s shows %s:\n%s", where, secrets[i], text);
}

Test(dromd, no_secret_in_logs_http_or_status)
{
    setenv("DROMD_TEST_SECRET", "EnvS3cretValue", 1);
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/secrets.xml", "-Ddb.password=PropS3cretValue", NULL);
    /* Not connected: ready says why, naming the endpoint with its password masked. */
    char *body = NULL;
    cr_expect_eq(get(d.port, "/health/ready", &body), 503, "%s", body);
    cr_expect(strstr(body, "\"DOWN\""), "%s", body);
    cr_expect(strstr(body, "\"reason\""), "%s", body);
    expect_no_secret("/health/ready", body);
    free(body);
    const char *paths[] = {"/routes", "/metrics", "/health/live"};
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(get(d.port, paths[i], &body), 200);
        expect_no_secret(paths[i], body);
        free(body);
    }
    cr_expect_eq(get(d.port, "/routes", &body), 200);
    cr_expect(strstr(body, "password=xxxxxx"), "%s", body);
    free(body);

    char addr[32], out[160];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", d.port);
    snprintf(out, sizeof out, "%s/status.out", d.dir);
    char *argv[] = {(char *)dromd_bin(), "status", "--http", addr, NULL};
    cr_expect_eq(proc_run(argv, d.log, out, 5000), 0);
    char *table = ts_slurp(out);
    expect_no_secret("dromd status", table);
    free(table);
    char *hargv[] = {(char *)dromd_bin(), "health", "--http", addr, NULL};
    cr_expect_eq(proc_run(hargv, d.log, out, 5000), 1, "not ready");

    cr_expect_eq(stop_dromd(&d, SIGTERM, 2000), 0);
    char *log = ts_slurp(d.log);
    cr_expect(strstr(log, "cannot connect"), "%s", log);
    expect_no_secret("the log", log);
    free(log);
    cleanup(&d);
}

Test(dromd, sigterm_waits_for_inflight_exchanges_at_most_the_drain_timeout)
{
    struct dromd d = {0};
    make_dir(&d);
    /* start_dromd passes --drain-timeout 5s; this later one wins. */
    start_dromd(&d, DATA "/slow.xml", "--drain-timeout", "400ms");
    long long deadline = ts_now_ms() + 5000;
    long long inflight = 0;
    while (inflight <= 0 && ts_now_ms() < deadline) {
        char *body = NULL;
        if (get(d.port, "/metrics", &body) == 200)
            inflight = ts_metric(body, "camel_exchanges_inflight{routeId=\"slow\"");
        free(body);
        proc_pause_ms(20);
    }
    cr_assert_gt(inflight, 0);
    long long t0 = ts_now_ms();
    int rc = stop_dromd(&d, SIGTERM, 3000);
    long long took = ts_now_ms() - t0;
    char *log = ts_slurp(d.log);
    cr_expect_eq(rc, 0, "%s", log);
    cr_expect_geq(took, 350, "did not wait for the drain: %lld ms", took);
    cr_expect_lt(took, 2000, "waited past the drain timeout: %lld ms", took);
    cr_expect(strstr(log, "abandoned-inflight:"), "%s", log);
    free(log);
    cleanup(&d);
}

Test(dromd, sigterm_lets_inflight_exchanges_finish)
{
    struct dromd d = {0};
    make_dir(&d);
    char routes[160];
    snprintf(routes, sizeof routes, "%s/quick.xml", d.dir);
    FILE *f = fopen(routes, "w");
    cr_assert(f);
    fputs("<routes xmlns=\"http://camel.apache.org/schema/xml-io\">\n"
          "  <route id=\"quick\">\n"
          "    <from uri=\"timer:q?period=20&amp;delay=0\"/>\n"
          "    <delay><constant>300</constant></delay>\n"
          "    <log message=\"finished ${header.CamelTimerCounter}\"/>\n"
          "  </route>\n"
          "</routes>\n", f);
    fclose(f);
    start_dromd(&d, routes, NULL, NULL);
    cr_assert_gt(wait_metric(d.port, "camel_exchanges_inflight{routeId=\"quick\"", 1, 5000), 0);
    int rc = stop_dromd(&d, SIGTERM, 3000);
    char *log = ts_slurp(d.log);
    cr_expect_eq(rc, 0, "%s", log);
    cr_expect_null(strstr(log, "abandoned-inflight:"), "%s", log);
    const char *stop = strstr(log, "is shutting down");
    cr_expect(stop && strstr(stop, "finished "), "in-flight exchanges finished after SIGTERM:\n%s", log);
    free(log);
    cleanup(&d);
}

/* systemd's side of Type=notify: a datagram socket in $NOTIFY_SOCKET. */
static int notify_socket(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    cr_assert_lt(strlen(path), sizeof sa.sun_path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0, "%s", strerror(errno));
    return fd;
}

/* Collects datagrams until one contains `needle` or the deadline. */
static bool notified(int fd, struct drom_buf *seen, const char *needle, int timeout_ms)
{
    long long deadline = ts_now_ms() + timeout_ms;
    while (!strstr(drom_buf_cstr(seen), needle)) {
        long long left = deadline - ts_now_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return false;
        char msg[1024];
        ssize_t n = recv(fd, msg, sizeof msg - 1, 0);
        if (n > 0) {
            drom_buf_append(seen, msg, (size_t)n);
            drom_buf_putc(seen, '\n');
        }
    }
    return true;
}

Test(dromd, tells_systemd_ready_watchdog_reloading_and_stopping)
{
    struct dromd d = {0};
    make_dir(&d);
    char sock[100];
    snprintf(sock, sizeof sock, "%.80s/notify", d.dir);
    int fd = notify_socket(sock);
    setenv("NOTIFY_SOCKET", sock, 1);
    setenv("WATCHDOG_USEC", "200000", 1);
    start_dromd(&d, DATA "/timer-log.xml", NULL, NULL);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    struct drom_buf seen = DROM_BUF_INIT;
    cr_expect(notified(fd, &seen, "READY=1", 3000), "%s", drom_buf_cstr(&seen));
    cr_expect(notified(fd, &seen, "WATCHDOG=1", 3000), "%s", drom_buf_cstr(&seen));
    kill(d.pid, SIGHUP);
    cr_expect(notified(fd, &seen, "RELOADING=1", 3000), "%s", drom_buf_cstr(&seen));
    cr_expect_eq(stop_dromd(&d, SIGTERM, 2000), 0);
    cr_expect(notified(fd, &seen, "STOPPING=1", 1000), "%s", drom_buf_cstr(&seen));
    drom_buf_free(&seen);
    close(fd);
    cleanup(&d);
}

/* Runs `dromd status ARGS...` (no $DROMD_HTTP); its output. */
static char *status_of(struct dromd *d, char *const args[], int want_rc)
{
    char out[160];
    snprintf(out, sizeof out, "%s/status.out", d->dir);
    char *argv[12] = {(char *)dromd_bin(), "status"};
    int n = 2;
    for (int i = 0; args[i] && n < 11; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    unsetenv("DROMD_HTTP");
    cr_expect_eq(proc_run(argv, d->log, out, 10000), want_rc);
    return ts_slurp(out);
}

Test(dromd, status_finds_dromd_through_its_state_dir_with_camels_columns)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-two.xml", NULL, NULL);
    wait_metric(d.port, "camel_exchanges_total{routeId=\"second\"", 3, 5000);
    char *table = status_of(&d, (char *[]){"--state-dir", d.state, NULL}, 0);
    const char *cols[] = {"MSG/S", "TOTAL", "FAIL", "INFLIGHT", "MEAN", "MAX", "LAST", "SINCE-LAST", "LAST-ERROR"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        cr_expect(strstr(table, cols[i]), "column %s in:\n%s", cols[i], table);
    cr_expect(strstr(table, "second"), "%s", table);
    free(table);
    /* --watch redraws: twice here, with a header line each time. */
    table = status_of(&d, (char *[]){"--state-dir", d.state, "--watch", "--interval", "200ms", "--count", "2", NULL}, 0);
    int heads = 0;
    for (const char *p = table; (p = strstr(p, "SINCE-LAST")); p++)
        heads++;
    cr_expect_eq(heads, 2, "two refreshes:\n%s", table);
    free(table);
    char rec[200];
    snprintf(rec, sizeof rec, "%s/dromd.http", d.state);
    cr_expect_eq(access(rec, R_OK), 0, "dromd records its address in %s", rec);
    stop_dromd(&d, SIGTERM, 5000);
    cr_expect_neq(access(rec, F_OK), 0, "and removes it when it stops");
    cleanup(&d);
}

Test(dromd, last_error_names_an_unreachable_broker_and_a_failing_route)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/unreachable.xml", "--log-format", "json");
    wait_metric(d.port, "camel_exchanges_failed_total{routeId=\"failing\"", 2, 5000);
    char *body = NULL;
    long long deadline = ts_now_ms() + 10000;
    while (get(d.port, "/routes", &body) == 200 && !strstr(body, "cannot connect") && ts_now_ms() < deadline) {
        free(body);
        body = NULL;
        proc_pause_ms(100);
    }
    json_t *doc = json_loads(body ? body : "", 0, NULL);
    json_t *r0 = json_array_get(json_object_get(doc, "routes"), 0), *r1 = json_array_get(json_object_get(doc, "routes"), 1);
    const char *e0 = json_string_value(json_object_get(r0, "lastError"));
    const char *e1 = json_string_value(json_object_get(r1, "lastError"));
    cr_expect(e0 && strstr(e0, "sjms2:queue:q") && strstr(e0, "cannot connect to amqp://127.0.0.1:1"),
              "lastError of to-nowhere names the broker: %s", body);
    cr_expect(e1 && strstr(e1, "dromedary-cannot-write-here"), "lastError of failing says why: %s", body);
    json_decref(doc);
    free(body);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", d.port);
    char *table = status_of(&d, (char *[]){"--http", addr, NULL}, 0);
    cr_expect(strstr(table, "cannot connect to amqp://127.0.0.1:1"), "LAST-ERROR in:\n%s", table);
    free(table);
    /* Each line was written whole as it was logged: no drain to wait for. */
    stop_dromd(&d, SIGKILL, 2000);
    /* The failure's JSON log line says which route and exchange it is about. */
    char *log = ts_slurp(d.log);
    bool found = false;
    for (char *line = strtok(log, "\n"); line && !found; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        const char *route = json_string_value(json_object_get(j, "routeId"));
        const char *ex = json_string_value(json_object_get(j, "exchangeId"));
        found = route && strcmp(route, "failing") == 0 && ex && strncmp(ex, "ID-", 3) == 0;
        json_decref(j);
    }
    cr_expect(found, "a JSON line of route failing carries routeId and exchangeId");
    free(log);
    cleanup(&d);
}

Test(dromd, metrics_under_camels_and_the_process_names_in_one_casing)
{
    struct dromd d = {0};
    make_dir(&d);
    start_dromd(&d, DATA "/timer-log.xml", NULL, NULL);
    wait_metric(d.port, "camel_exchanges_total{routeId=\"timer-log\"", 1, 5000);
    char *m = NULL;
    cr_assert_eq(get(d.port, "/metrics", &m), 200);
    const char *want[] = {"camel_exchanges_total{routeId=\"timer-log\",camelContext=\"timer-log\",eventType=\"route\"",
                          "camel_route_policy_seconds_bucket{routeId=\"timer-log\",camelContext=\"timer-log\"",
                          "camel_routes_running_routes{camelContext=\"timer-log\",eventType=\"RouteEvent\"",
                          "camel_routes_added_routes{", "camel_exchanges_external_redeliveries_total{",
                          "\nprocess_resident_memory_bytes ", "\nprocess_cpu_seconds_total ",
                          "\nprocess_open_fds ", "\nprocess_max_fds ", "\nprocess_start_time_seconds ",
                          "\ndrom_ready 1\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(strstr(m, want[i]), "%s in /metrics", want[i]);
    /* Two families whose names differ only by case would split one series. */
    char names[256][128];
    size_t n = 0;
    for (char *p = m; (p = strstr(p, "# TYPE ")); p++) {
        char name[128];
        sscanf(p + 7, "%127s", name);
        for (size_t k = 0; k < n; k++)
            cr_expect(strcasecmp(names[k], name) != 0, "%s and %s", names[k], name);
        if (n < 256)
            snprintf(names[n++], sizeof names[0], "%s", name);
    }
    free(m);
    m = NULL;
    cr_expect_eq(get(d.port, "/", &m), 200);
    cr_expect(m && strstr(m, "<svg id=\"graph\"") && !strstr(m, "<script src"), "the status page, self-contained");
    free(m);
    cleanup(&d);
}

/* `dromd offsets` on a state dir's offset file: set writes a checked
 * position that show reads back; a hand edit shows as refused; reset leaves
 * the mark of a deliberate fresh start; a usage error exits 2. */
Test(dromd, offsets_show_set_reset)
{
    struct dromd d = {0};
    make_dir(&d);
    char *set[] = {(char *)dromd_bin(), "offsets", "set", "--state-dir", d.state, "mysql-binlog/shop", "--to",
                   "mysql-bin.000003:1234:0-1-37", "--event", "2", NULL};
    cr_assert_eq(proc_run(set, d.log, NULL, 5000), 0, "%s", ts_slurp(d.log));
    char *show[] = {(char *)dromd_bin(), "offsets", "show", "--state-dir", d.state, NULL};
    unlink(d.log);
    cr_assert_eq(proc_run(show, d.log, NULL, 5000), 0);
    char *out = ts_slurp(d.log);
    cr_assert(strstr(out, "mysql-binlog/shop\tmysql-bin.000003:1234 event 2 row 0 gtids 0-1-37 epoch ") &&
                  strstr(out, "checksum ok"),
              "%s", out);
    free(out);

    char path[200];
    snprintf(path, sizeof path, "%s/offsets.json", d.state);
    char *text = ts_slurp(path);
    char *p = strstr(text, "\"pos\":1234");
    cr_assert_not_null(p, "%s", text);
    memcpy(p, "\"pos\":4   ", 10);   /* the hand edit the checksum must catch (spaces keep the JSON valid) */
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    free(text);
    unlink(d.log);
    cr_assert_eq(proc_run(show, d.log, NULL, 5000), 0);
    out = ts_slurp(d.log);
    cr_assert(strstr(out, "mysql-binlog/shop\tREFUSED: stored binlog offset fails its checksum"), "%s", out);
    free(out);

    char *reset[] = {(char *)dromd_bin(), "offsets", "reset", "--state-dir", d.state, "mysql-binlog/shop", NULL};
    cr_assert_eq(proc_run(reset, d.log, NULL, 5000), 0);
    unlink(d.log);
    cr_assert_eq(proc_run(show, d.log, NULL, 5000), 0);
    out = ts_slurp(d.log);
    cr_assert(strstr(out, "mysql-binlog/shop\treset: starts over from its configured start"), "%s", out);
    free(out);

    char *no_key[] = {(char *)dromd_bin(), "offsets", "set", "--state-dir", d.state, NULL};
    cr_expect_eq(proc_run(no_key, d.log, NULL, 5000), 2);
    char *bad_to[] = {(char *)dromd_bin(), "offsets", "set", "--state-dir", d.state, "mysql-binlog/shop", "--to",
                      "nowhere", NULL};
    cr_expect_eq(proc_run(bad_to, d.log, NULL, 5000), 2);
    cleanup(&d);
}
