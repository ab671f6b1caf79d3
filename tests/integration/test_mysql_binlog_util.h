/* Helpers of the mysql-binlog integration suites (test_mysql_binlog_*.c):
 * connections to the test MariaDB (tests/services/mariadb/ctl start), a
 * route run in process into mock:out, and dromd run as a child process for
 * the crash and memory tests. Each suite uses databases of its own, so the
 * seed schema (cdcdb) stays as the other suites expect it. */
#ifndef DROM_TESTS_MYSQL_BINLOG_UTIL_H
#define DROM_TESTS_MYSQL_BINLOG_UTIL_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <mysql.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compiler/compile.h"
#include "components/kafka/kafka.h"
#include "components/mock/mock.h"
#include "components/registry.h"
#include "runtime/engine.h"
#include "tests/support/testdb.h"
#include "tests/support/testenv.h"

#define MBT_UNUSED __attribute__((unused))

MBT_UNUSED static unsigned mbt_port(void) { return (unsigned)atoi(ts_env("MARIADB_PORT", "13306")); }

/* The first column of the first row, malloc'ed ("" for none, NULL for SQL NULL). */
MBT_UNUSED static char *mbt_scalar(MYSQL *m, const char *fmt, ...)
{
    char q[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    cr_assert_eq(mysql_query(m, q), 0, "%s: %s", q, mysql_error(m));
    MYSQL_RES *r = mysql_store_result(m);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    char *v = row ? (row[0] ? strdup(row[0]) : NULL) : strdup("");
    mysql_free_result(r);
    return v;
}

/* --- a route in process: mysql-binlog (or debezium-mysql) into mock:out --- */

struct mbt_run {
    struct drom_graph graph;
    struct drom_engine *eng;
};

MBT_UNUSED static char *mbt_tmp_path(const char *what)
{
    char path[256];
    static unsigned n;
    snprintf(path, sizeof path, "/tmp/drom-mbt-%s-%d-%u-%ld", what, (int)getpid(), n++, (long)random());
    return strdup(path);
}

/* Compiles routes `xml` (which must compile) and starts an engine on them
 * with `state_dir`. */
MBT_UNUSED static int mbt_start_xml(struct mbt_run *r, const char *xml, const char *state_dir, struct drom_error *err)
{
    struct drom_diags d = DROM_DIAGS_INIT;
    int rc = drom_compile_mem(xml, strlen(xml), "test.xml", NULL, &r->graph, &d);
    if (rc < 0)
        drom_diags_print(&d, stderr);
    drom_diags_free(&d);
    cr_assert_eq(rc, 0, "%s", xml);
    struct drom_engine_options o = {.quiet = true, .state_dir = state_dir, .offset_backend = drom_registry_offset_backend};
    r->eng = drom_engine_new(&r->graph, &o, err);
    cr_assert_not_null(r->eng, "%s", err->msg);
    return drom_engine_start(r->eng, err);
}

/* `query` is the endpoint's options after the connection ones ('&' is escaped here). */
MBT_UNUSED static int mbt_start_try(struct mbt_run *r, unsigned server_id, const char *query, struct drom_error *err)
{
    char xml[8192], esc[4096];
    size_t n = 0;
    for (const char *p = query; *p && n + 6 < sizeof esc; p++) {
        if (*p == '&' && strncmp(p, "&amp;", 5) != 0) {
            memcpy(esc + n, "&amp;", 5);
            n += 5;
        } else
            esc[n++] = *p;
    }
    esc[n] = '\0';
    query = esc;
    snprintf(xml, sizeof xml,
             "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:cdc?host=127.0.0.1&amp;port=%u&amp;user=%s&amp;"
             "password=%s&amp;serverId=%u&amp;topicPrefix=t&amp;%s\"/><to uri=\"mock:out\"/></route></routes>",
             mbt_port(), ts_env("MBT_USER", "debezium"), ts_env("MBT_PASSWORD", "debezium"), server_id, query);
    return mbt_start_xml(r, xml, "/tmp", err);
}

MBT_UNUSED static bool mbt_wait_ready(struct mbt_run *r, int64_t timeout_ms, char *reason, size_t size)
{
    int64_t end = ts_now_ms() + timeout_ms;
    while (!drom_engine_ready(r->eng, reason, size)) {
        if (ts_now_ms() > end)
            return false;
        usleep(20000);
    }
    return true;
}

MBT_UNUSED static void mbt_started(struct mbt_run *r, int rc, const struct drom_error *err)
{
    cr_assert_eq(rc, 0, "start: %s", err->msg);
    char reason[512];
    cr_assert(mbt_wait_ready(r, 30000, reason, sizeof reason), "ready: %s", reason);
}

MBT_UNUSED static void mbt_start(struct mbt_run *r, unsigned server_id, const char *query)
{
    struct drom_error err = {0};
    mbt_started(r, mbt_start_try(r, server_id, query, &err), &err);
}

/* Routes of a test's own whose "out" is a mock: started, ready, and that mock. */
MBT_UNUSED static struct drom_mock *mbt_start_routes(struct mbt_run *r, const char *xml)
{
    struct drom_error err = {0};
    mbt_started(r, mbt_start_xml(r, xml, "/tmp", &err), &err);
    return drom_mock_get(r->eng, "out");
}

MBT_UNUSED static void mbt_stop(struct mbt_run *r)
{
    struct drom_error err = {0};
    drom_engine_stop(r->eng, 5000, &err);
    drom_engine_free(r->eng);
    drom_graph_free(&r->graph);
    r->eng = NULL;
}

MBT_UNUSED static struct drom_mock *mbt_out(struct mbt_run *r, size_t n, int64_t timeout_ms)
{
    struct drom_mock *m = drom_mock_get(r->eng, "out");
    cr_assert_not_null(m);
    cr_assert_eq(drom_mock_wait(m, n, timeout_ms), 0, "%zu exchanges arrive (got %zu)", n, drom_mock_received(m));
    return m;
}

/* How many exchanges came before a sentinel change: runs `sentinel_sql` (a
 * change the route captures, whose body holds `mark`), waits for it and
 * answers its index. The binlog is ordered, so whatever the route could
 * still emit for earlier writes has arrived by then: "nothing more came"
 * is proven without sleeping. */
MBT_UNUSED static size_t mbt_before_sentinel(MYSQL *m, struct drom_mock *mk, const char *sentinel_sql, const char *mark,
                                             int64_t timeout_ms)
{
    size_t seen = drom_mock_received(mk);
    cr_assert_eq(mysql_query(m, sentinel_sql), 0, "%s: %s", sentinel_sql, mysql_error(m));
    int64_t end = ts_now_ms() + timeout_ms;
    for (;;) {
        size_t n = drom_mock_received(mk);
        for (; seen < n; seen++) {
            char *b = drom_mock_body(mk, seen);
            bool hit = b && strstr(b, mark);
            free(b);
            if (hit)
                return seen;
        }
        cr_assert(ts_now_ms() < end, "the sentinel change (%s) did not arrive", sentinel_sql);
        drom_mock_wait(mk, n + 1, 100);
    }
}

/* The i-th body parsed (schemas=false bodies are the envelope itself). */
MBT_UNUSED static json_t *mbt_json(struct drom_mock *m, size_t i)
{
    char *b = drom_mock_body(m, i);
    if (!b)
        return NULL;
    json_error_t je;
    json_t *j = json_loads(b, 0, &je);
    cr_assert_not_null(j, "exchange %zu is JSON: %s (%s)", i, b, je.text);
    free(b);
    return j;
}

MBT_UNUSED static char *mbt_header(struct drom_mock *m, size_t i, const char *name)
{
    struct drom_exchange *ex = drom_mock_exchange(m, i);
    const char *v = drom_headers_get_str(&ex->headers, name);
    char *copy = v ? strdup(v) : NULL;
    drom_exchange_free(ex);
    return copy;
}

/* Member `path` ("after.id") of an object as text (JSON text of non-strings), malloc'ed; NULL if absent. */
MBT_UNUSED static char *mbt_get(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = j;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = json_object_get(cur, tok);
    if (!cur)
        return NULL;
    if (json_is_string(cur))
        return strdup(json_string_value(cur));
    return json_dumps(cur, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}

/* --- event ids and their epoch --- */

MBT_UNUSED static int64_t mbt_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The epoch of DromEventId `id` ("<epoch_ms>/<rest>"), 0 for an id of the
 * form without one; *rest is the part after it. */
MBT_UNUSED static int64_t mbt_id_epoch(const char *id, const char **rest)
{
    cr_assert_not_null(id, "the exchange has a DromEventId");
    const char *slash = strchr(id, '/');
    *rest = slash ? slash + 1 : id;
    if (!slash)
        return 0;
    char *end;
    long long e = strtoll(id, &end, 10);
    cr_assert(end == slash && e > 0, "the epoch of %s is a positive number", id);
    return e;
}

/* The "epoch" of the offset stored under `key` in offset file `path`: 0
 * when it has none, -1 when no offset is stored there. */
MBT_UNUSED static int64_t mbt_stored_epoch(const char *path, const char *key)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    json_t *o = json_object_get(json_object_get(j, "offsets"), key);
    int64_t e = !o ? -1 : json_integer_value(json_object_get(o, "epoch"));
    json_decref(j);
    return e;
}

/* --- dromd as a child process --- */

struct mbt_proc {
    pid_t pid;
    unsigned http;
    char *dir;        /* routes, state and log */
    char *log;
};

MBT_UNUSED static unsigned mbt_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

MBT_UNUSED static void mbt_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* Starts build/dromd on `routes_xml` in the directory p->dir (made when NULL). */
MBT_UNUSED static void mbt_dromd(struct mbt_proc *p, const char *routes_xml)
{
    if (!p->dir) {
        p->dir = mbt_tmp_path("dromd");
        cr_assert_eq(mkdir(p->dir, 0700), 0);
    }
    char routes[512], state[512], log[512], http[64];
    snprintf(routes, sizeof routes, "%s/routes.xml", p->dir);
    snprintf(state, sizeof state, "%s/state", p->dir);
    snprintf(log, sizeof log, "%s/dromd.log", p->dir);
    free(p->log);
    p->log = strdup(log);
    mbt_write_file(routes, routes_xml);
    p->http = mbt_free_port();
    snprintf(http, sizeof http, "127.0.0.1:%u", p->http);
    p->pid = fork();
    cr_assert_neq(p->pid, -1);
    if (p->pid == 0) {
        /* a failed assertion ends the test process: dromd must not outlive it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(ts_env("DROMD", "build/dromd"), "dromd", "--state-dir", state, "--http", http, "--log-level",
              "warn", routes, (char *)NULL);
        _exit(127);
    }
}

/* GET path on the child's HTTP port: status code, body into *body (malloc'ed) when asked. */
MBT_UNUSED static int mbt_http(const struct mbt_proc *p, const char *path, char **body)
{
    if (body)
        *body = NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p->http),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
    }
    close(fd);
    buf[len] = '\0';
    int code = -1;
    sscanf(buf, "HTTP/%*s %d", &code);
    char *start = strstr(buf, "\r\n\r\n");
    if (body && start)
        *body = strdup(start + 4);
    free(buf);
    return code;
}

/* The value of the first metric line starting with `prefix` (-1 when absent). */
MBT_UNUSED static long long mbt_metric(const struct mbt_proc *p, const char *prefix)
{
    char *body;
    if (mbt_http(p, "/metrics", &body) != 200)
        return -1;
    long long v = ts_metric(body, prefix);
    free(body);
    return v;
}

MBT_UNUSED static bool mbt_proc_ready(const struct mbt_proc *p, int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    while (ts_now_ms() < end) {
        if (mbt_http(p, "/health/ready", NULL) == 200)
            return true;
        int st;
        if (waitpid(p->pid, &st, WNOHANG) == p->pid)
            return false;
        usleep(20000);
    }
    return false;
}

/* Peak resident set of the child (VmHWM), in kB. */
MBT_UNUSED static long mbt_peak_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

MBT_UNUSED static void mbt_kill(struct mbt_proc *p, int sig)
{
    if (p->pid <= 0)
        return;
    kill(p->pid, sig);
    int st;
    waitpid(p->pid, &st, 0);
    p->pid = 0;
}

MBT_UNUSED static void mbt_proc_free(struct mbt_proc *p)
{
    mbt_kill(p, SIGKILL);
    if (p->dir) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", p->dir);
    }
    free(p->dir);
    free(p->log);
    memset(p, 0, sizeof *p);
}

#endif
