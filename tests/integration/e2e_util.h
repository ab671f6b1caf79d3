/* Helpers of the end-to-end suites (test_e2e*.c): the seed pipeline as users
 * run it (routes/cdc-pipeline.xml with routes/cdc-pipeline.properties, run
 * by build/dromd as a child process) against the three test servers, each
 * test on names of its own: database e2e_NAME (table customers, the seed's
 * schema), topic prefix, consumer group, queue, state dir and HTTP port. The
 * queue is read back with the Artemis CLI (a JMS client, the independent
 * witness) as typed XML; its depth is polled through the broker's Jolokia
 * endpoint, which answers in milliseconds where the CLI needs a JVM. */
#ifndef DROM_TESTS_E2E_UTIL_H
#define DROM_TESTS_E2E_UTIL_H

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <librdkafka/rdkafka.h>
#include <mysql.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include "runtime/buf.h"
#include "tests/support/proc.h"
#include "tests/support/rawhttp.h"
#include "tests/support/testdb.h"
#include "tests/support/testenv.h"
#include "tests/support/testkafka.h"

#define E2E_UNUSED __attribute__((unused))

/* Progress lines on stderr: a slow or failed run shows how far each step got. */
static E2E_UNUSED void e2e_say(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(stderr, "[e2e %02ld:%02ld.%03ld] %s\n", (long)(ts.tv_sec / 60 % 60), (long)(ts.tv_sec % 60),
            ts.tv_nsec / 1000000, line);
}

/* --- the servers --- */

/* Every server started (a fault test that failed half-way may have left one down). */
static E2E_UNUSED void e2e_servers_up(const char *log)
{
    static const char *const svcs[] = {"mariadb", "kafka", "artemis"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(ts_ctl(log, svcs[i], "start"), 0, "tests/services/%s/ctl start (log %s)", svcs[i],
                     log ? log : "-");
}

/* --- Kafka --- */

/* Best effort: the test topics would otherwise pile up in the test broker. */
static E2E_UNUSED void e2e_delete_topic(const char *topic)
{
    rd_kafka_t *rk = ts_kafka_admin();
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, &dt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 10000);
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_DeleteTopic_destroy(dt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

/* --- one test's pipeline --- */

struct e2e {
    char name[48];
    char db[64];         /* e2e_NAME, table customers */
    char prefix[96];     /* topicPrefix: topic is PREFIX.DB.customers */
    char topic[192];
    char group[128];
    char queue[128];
    char dir[128];       /* routes.xml, state/, dromd.log, queue xml */
    char routes[192], state[192], log[192];
    unsigned server_id;
    int http;
    pid_t pid;
    int starts;
    const char *flag;    /* one more dromd flag (--exit-on-failure), NULL for none */
    const char *props;   /* the properties file; NULL for routes/cdc-pipeline.properties */
    const char *route_file;   /* the routes copied; NULL for routes/cdc-pipeline.xml */
    const char *defines[8];   /* -D key=value arguments, NULL-terminated */
    bool tls;            /* every hop encrypted: MariaDB verify_identity, Kafka SSL, Artemis mutual TLS */
    bool no_wait;        /* e2e_start returns once dromd runs, ready or not (a server is down) */
    bool failed;         /* a check failed: keep the temp dir */
    /* The Artemis the pipeline delivers to: the single test broker unless
     * e2e_use_pair chose the primary/backup pair of tests/services/artemis-pair. */
    char amq_uri[320];   /* AMQ_URI given to dromd; "" for $ARTEMIS_URI */
    const char *amq_svc; /* the ctl that reads the queue back; NULL for artemis */
    int amq_http[2];     /* the pair's consoles, asked in this order; 0 for the single broker's */
    const char *amq_name[2];
    long long handled[2];   /* exchanges of each route, summed over the dromd processes */
};

/* cr_expect that also marks the test failed, so its logs are kept. */
#define E2E_EXPECT(t, cond, ...)                                                                                      \
    do {                                                                                                              \
        bool e2e_ok_ = (cond);                                                                                        \
        if (!e2e_ok_)                                                                                                 \
            (t)->failed = true;                                                                                       \
        cr_expect(e2e_ok_, __VA_ARGS__);                                                                              \
    } while (0)

static E2E_UNUSED char *e2e_replace_all(const char *s, const char *from, const char *to)
{
    struct drom_buf b = DROM_BUF_INIT;
    size_t fl = strlen(from);
    for (const char *p = s; *p;) {
        const char *hit = strstr(p, from);
        if (!hit) {
            drom_buf_puts(&b, p);
            break;
        }
        drom_buf_append(&b, p, (size_t)(hit - p));
        drom_buf_puts(&b, to);
        p = hit + fl;
    }
    drom_buf_cstr(&b);
    return drom_buf_detach(&b);
}

/* The shipped route file with this test's names: database cdcdb -> DB,
 * topic prefix my-mysql -> PREFIX, group amq-sink -> GROUP, queue
 * queue.customers -> QUEUE. Anything else stays as users run it. */
static E2E_UNUSED void e2e_write_routes(struct e2e *t)
{
    const char *file = t->route_file ? t->route_file : "routes/cdc-pipeline.xml";
    char *src = ts_slurp(file);
    cr_assert(src[0], "%s is readable (run from the checkout's root)", file);
    cr_assert(strstr(src, "tableIncludeList=cdcdb.customers") && strstr(src, "topicPrefix=my-mysql") &&
                  strstr(src, "groupId=amq-sink") && strstr(src, "sjms2:queue:queue.customers") &&
                  strstr(src, "kafka:my-mysql.cdcdb.customers"),
              "%s still has the names this suite substitutes", file);
    char *a = e2e_replace_all(src, "cdcdb", t->db);
    char *b = e2e_replace_all(a, "my-mysql", t->prefix);
    char *c = e2e_replace_all(b, "amq-sink", t->group);
    char *d = e2e_replace_all(c, "queue.customers", t->queue);
    FILE *f = fopen(t->routes, "w");
    cr_assert_not_null(f, "%s: %s", t->routes, strerror(errno));
    fputs(d, f);
    fclose(f);
    free(src);
    free(a);
    free(b);
    free(c);
    free(d);
}

/* The test's database, empty, with the seed's customers table. */
static E2E_UNUSED void e2e_fresh_db(const struct e2e *t, int timeout_ms)
{
    MYSQL *m = ts_root(timeout_ms);
    ts_fresh_db(m, t->db);
    ts_sql(m,
           "CREATE TABLE `%s`.customers (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,"
           " first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL,"
           " email VARCHAR(255) NOT NULL UNIQUE)",
           t->db);
    mysql_close(m);
}

/* Fresh names, database, table, topic and temp dir for test NAME. */
static E2E_UNUSED void e2e_init(struct e2e *t, const char *name, unsigned server_id, int partitions)
{
    memset(t, 0, sizeof *t);
    long long ms = ts_now_ms();
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->db, sizeof t->db, "e2e_%s", name);
    snprintf(t->prefix, sizeof t->prefix, "e2e-%s-%d-%lld", name, (int)getpid(), ms);
    snprintf(t->topic, sizeof t->topic, "%s.%s.customers", t->prefix, t->db);
    snprintf(t->group, sizeof t->group, "%s-sink", t->prefix);
    snprintf(t->queue, sizeof t->queue, "e2e.%s.%d.%lld", name, (int)getpid(), ms);
    snprintf(t->dir, sizeof t->dir, "/tmp/drom-e2e-%s-XXXXXX", name);
    cr_assert(mkdtemp(t->dir), "mkdtemp: %s", strerror(errno));
    snprintf(t->routes, sizeof t->routes, "%s/routes.xml", t->dir);
    snprintf(t->state, sizeof t->state, "%s/state", t->dir);
    snprintf(t->log, sizeof t->log, "%s/dromd.log", t->dir);
    t->server_id = server_id;
    e2e_servers_up(t->log);
    e2e_fresh_db(t, 30000);
    ts_create_topic(t->topic, partitions, NULL);
    e2e_write_routes(t);
    e2e_say("%s: db %s, topic %s, group %s, queue %s, dir %s", name, t->db, t->topic, t->group, t->queue, t->dir);
}

/* GET on dromd's HTTP port: the status (-1 when nothing answers). */
static E2E_UNUSED int e2e_http(const struct e2e *t, const char *path, char **body)
{
    struct rawhttp_answer a;
    if (body)
        *body = NULL;
    if (t->http <= 0 || rawhttp_request(t->http, "GET", path, &a) < 0)
        return -1;
    int st = a.status ? a.status : -1;
    if (body)
        *body = strdup(a.body);
    rawhttp_free(&a);
    return st;
}

/* The value of the metric line that starts with `line_prefix` (-1 when absent). */
static E2E_UNUSED long long e2e_metric(const struct e2e *t, const char *line_prefix)
{
    char *body;
    long long v = e2e_http(t, "/metrics", &body) == 200 ? ts_metric(body, line_prefix) : -1;
    free(body);
    return v;
}

static E2E_UNUSED bool e2e_alive(struct e2e *t)
{
    if (t->pid <= 0)
        return false;
    int st;
    if (waitpid(t->pid, &st, WNOHANG) == t->pid) {
        t->pid = 0;
        return false;
    }
    return true;
}

/* /health/ready answers `want` (200 ready, 503 not) before the deadline. */
static E2E_UNUSED bool e2e_wait_ready(struct e2e *t, int want, int timeout_ms)
{
    long long end = ts_now_ms() + timeout_ms;
    for (;;) {
        if (e2e_http(t, "/health/ready", NULL) == want)
            return true;
        if (!e2e_alive(t) || ts_now_ms() >= end)
            return false;
        proc_pause_ms(50);
    }
}

/* Starts build/dromd on the test's routes with the shipped properties file,
 * the servers given through the environment as users would, and waits until
 * it is ready. The state dir persists across starts. */
/* The TLS endpoints and certificates of the test servers (their ctl env). */
static E2E_UNUSED void e2e_tls_env(void)
{
    static const char *const from_to[][2] = {
        {"MARIADB_TLS_CA", "DB_SSL_CA"},       {"KAFKA_SSL_BROKERS", "KAFKA_BROKERS"},
        {"KAFKA_SSL_CA", "KAFKA_SSL_CA"},      {"ARTEMIS_TLS_URI", "AMQ_URI"},
        {"ARTEMIS_TLS_CA", "AMQ_SSL_CA"},      {"ARTEMIS_TLS_CLIENT_CERT", "AMQ_SSL_CERT"},
        {"ARTEMIS_TLS_CLIENT_KEY", "AMQ_SSL_KEY"},
    };
    for (size_t i = 0; i < sizeof from_to / sizeof *from_to; i++) {
        const char *v = getenv(from_to[i][0]);
        cr_assert(v && *v, "%s is set (. tests/services/env.sh)", from_to[i][0]);
        setenv(from_to[i][1], v, 1);
    }
    setenv("DB_SSL_MODE", "verify_identity", 1);
    setenv("KAFKA_SECURITY_PROTOCOL", "SSL", 1);
}

/* Runs argv[0] with stdout and stderr appended to `log`, stdin /dev/null and
 * none of the test runner's descriptors; the child dies with the test's
 * process however the test ends (a test that fails half-way must not leave
 * a dromd or a server running). Returns its pid, -1 when fork failed. */
static E2E_UNUSED pid_t e2e_spawn(char *const argv[], const char *log)
{
    return proc_spawn_ex(argv, log, NULL, PROC_DIE_WITH_PARENT | PROC_CLOSE_FDS);
}

/* Starts dromd as e2e_start does, without waiting for readiness. */
static E2E_UNUSED void e2e_launch(struct e2e *t)
{
    char sid[32], http[64];
    snprintf(sid, sizeof sid, "%u", t->server_id);
    setenv("DB_HOST", "127.0.0.1", 1);
    setenv("DB_PORT", ts_env("MARIADB_PORT", "13306"), 1);
    setenv("DB_USER", ts_env("MARIADB_USER", "debezium"), 1);
    setenv("DB_PASSWORD", ts_env("MARIADB_PASSWORD", "debezium"), 1);
    setenv("DB_SERVER_ID", sid, 1);
    setenv("KAFKA_BROKERS", ts_env("KAFKA_BROKERS", "127.0.0.1:19092"), 1);
    setenv("AMQ_URI", t->amq_uri[0] ? t->amq_uri : ts_env("ARTEMIS_URI", "amqp://127.0.0.1:61716"), 1);
    setenv("AMQ_USER", ts_env("ARTEMIS_USER", "admin"), 1);
    setenv("AMQ_PASSWORD", ts_env("ARTEMIS_PASSWORD", "admin"), 1);
    if (t->tls)
        e2e_tls_env();
    /* A fixed free port: the same one on every start, so a test can watch readiness across restarts. */
    if (t->http <= 0) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
        socklen_t len = sizeof a;
        getsockname(fd, (struct sockaddr *)&a, &len);
        close(fd);
        t->http = ntohs(a.sin_port);
    }
    snprintf(http, sizeof http, "127.0.0.1:%d", t->http);
    char *argv[32] = {(char *)ts_env("DROMD_BIN", "build/dromd"), "--properties",
                      (char *)(t->props ? t->props : "routes/cdc-pipeline.properties"), "--http", http, "--state-dir",
                      t->state, "--log-level", "info"};
    int argc = 9;
    for (int i = 0; i < 8 && t->defines[i]; i++) {
        argv[argc++] = "-D";
        argv[argc++] = (char *)t->defines[i];
    }
    argv[argc++] = t->routes;
    argv[argc++] = (char *)t->flag;
    argv[argc] = NULL;
    FILE *f = fopen(t->log, "a");
    if (f) {
        fprintf(f, "===== e2e: start %d of dromd =====\n", ++t->starts);
        fclose(f);
    }
    t->pid = e2e_spawn(argv, t->log);
    cr_assert_neq(t->pid, -1);
}

static E2E_UNUSED void e2e_start(struct e2e *t)
{
    char http[64];
    e2e_launch(t);
    if (t->no_wait)
        return;
    snprintf(http, sizeof http, "127.0.0.1:%d", t->http);
    bool ready = e2e_wait_ready(t, 200, 60000);
    if (!ready) {
        char *log = ts_slurp(t->log);
        cr_assert(ready, "dromd ready on %s within 60 s; its log:\n%.6000s", http, log);
    }
    e2e_say("%s: dromd %d ready on %s", t->name, (int)t->pid, http);
}

/* SIGKILL (the crash) or SIGTERM (a clean stop, which must exit 0). */
static E2E_UNUSED void e2e_kill(struct e2e *t, int sig)
{
    if (t->pid <= 0)
        return;
    /* Read just before the signal: for a SIGKILL, a few more may finish in between. */
    static const char *const routes[2] = {"camel_exchanges_total{routeId=\"customers-to-kafka\"",
                                          "camel_exchanges_total{routeId=\"kafka-to-amq\""};
    for (int i = 0; i < 2; i++) {
        long long v = e2e_metric(t, routes[i]);
        t->handled[i] += v > 0 ? v : 0;
    }
    kill(t->pid, sig);
    int rc = proc_wait_exit(t->pid, 60000);
    if (rc < 0) {
        kill(t->pid, SIGKILL);
        rc = proc_wait_exit(t->pid, 10000);
    }
    pid_t was = t->pid;
    t->pid = 0;
    if (sig == SIGTERM)
        cr_expect_eq(rc, 0, "dromd %d exits 0 after SIGTERM (log %s)", (int)was, t->log);
}

/* dromd has nothing left to do: no exchange in flight on either route and
 * no record of the topic left to consume, three polls in a row. Replays
 * then have happened, so what the queue holds is final. */
static E2E_UNUSED bool e2e_wait_quiet(struct e2e *t, int timeout_ms)
{
    long long end = ts_now_ms() + timeout_ms;
    int calm = 0;
    while (ts_now_ms() < end) {
        long long a = e2e_metric(t, "camel_exchanges_inflight{routeId=\"customers-to-kafka\"");
        long long b = e2e_metric(t, "camel_exchanges_inflight{routeId=\"kafka-to-amq\"");
        long long lag = e2e_metric(t, "drom_endpoint_consumer_lag{routeId=\"kafka-to-amq\"");
        calm = a == 0 && b == 0 && lag <= 0 ? calm + 1 : 0;
        if (calm >= 3)
            return true;
        if (ts_now_ms() + 200 >= end)
            e2e_say("%s: not quiet: in flight %lld (customers-to-kafka) %lld (kafka-to-amq), consumer lag %lld",
                    t->name, a, b, lag);
        proc_pause_ms(200);
    }
    return false;
}

/* How much each route replayed: the exchanges it handled over every dromd
 * process, beyond one per binlog event (changes plus tombstones). */
static E2E_UNUSED void e2e_say_replays(const struct e2e *t, long long events)
{
    e2e_say("%s: %lld binlog events; customers-to-kafka handled %lld (%lld again), kafka-to-amq %lld (%lld again)",
            t->name, events, t->handled[0], t->handled[0] - events, t->handled[1], t->handled[1] - events);
}

/* --- the queue --- */

/* Messages in `queue` as broker `broker` (its web console on `port`) counts
 * them through Jolokia; 0 while the queue does not exist there (yet, or on a
 * backup that is not active), -1 when the broker does not answer. */
static E2E_UNUSED long long e2e_jolokia_count(int port, const char *broker, const char *queue)
{
    char req[2048];
    /* admin:admin */
    int n = snprintf(req, sizeof req,
                     "GET /console/jolokia/read/org.apache.activemq.artemis:broker=%%22%s%%22,"
                     "component=addresses,address=%%22%s%%22,subcomponent=queues,routing-type=%%22anycast%%22,"
                     "queue=%%22%s%%22/MessageCount HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                     "Origin: http://127.0.0.1:%d\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n"
                     "Connection: close\r\n\r\n",
                     broker, queue, queue, port, port);
    struct rawhttp_answer a;
    if (rawhttp_send(port, req, (size_t)n, 5000, &a) < 0)
        return -1;
    long long v = -1;
    json_t *j = a.status == 200 ? json_loads(a.body, 0, NULL) : NULL;
    if (j) {
        if (json_integer_value(json_object_get(j, "status")) == 200)
            v = json_integer_value(json_object_get(j, "value"));
        else if (strstr(json_string_value(json_object_get(j, "error_type")) ?: "", "InstanceNotFound"))
            v = 0;
        json_decref(j);
    }
    rawhttp_free(&a);
    return v;
}

/* Messages in the test's queue as the broker counts them (Jolokia on the web
 * console, which answers in milliseconds where the CLI needs a JVM). With
 * the pair: the primary's count while it answers, else the backup's. */
static E2E_UNUSED long long e2e_queue_count(const struct e2e *t)
{
    if (!t->amq_http[0]) {
        char broker[64];
        snprintf(broker, sizeof broker, "drom-%s", ts_env("DROM_PROFILE", "test"));
        return e2e_jolokia_count(atoi(ts_env("ARTEMIS_HTTP_PORT", "18161")), broker, t->queue);
    }
    long long v = e2e_jolokia_count(t->amq_http[0], t->amq_name[0], t->queue);
    return v >= 0 ? v : e2e_jolokia_count(t->amq_http[1], t->amq_name[1], t->queue);
}

/* The pipeline delivers to the primary/backup pair (tests/services/artemis-pair,
 * started here) through its failover:(...) URI with `options` ("" for none). */
static E2E_UNUSED void e2e_use_pair(struct e2e *t, const char *options)
{
    cr_assert_eq(ts_ctl(t->log, "artemis-pair", "start"), 0, "tests/services/artemis-pair/ctl start (log %s)",
                 t->log);
    const char *uri = getenv("ARTEMIS_PAIR_URI");
    cr_assert(uri && *uri, "ARTEMIS_PAIR_URI is set (. tests/services/env.sh)");
    snprintf(t->amq_uri, sizeof t->amq_uri, "%s%s%s", uri, *options ? "?" : "", options);
    t->amq_svc = "artemis-pair";
    t->amq_http[0] = atoi(ts_env("ARTEMIS_PAIR_PRIMARY_HTTP", "0"));
    t->amq_http[1] = atoi(ts_env("ARTEMIS_PAIR_BACKUP_HTTP", "0"));
    t->amq_name[0] = "drom-pair-primary";
    t->amq_name[1] = "drom-pair-backup";
    cr_assert(t->amq_http[0] > 0 && t->amq_http[1] > 0, "ARTEMIS_PAIR_PRIMARY_HTTP and _BACKUP_HTTP are set");
}

/* What e2e_pair_kill_primary saw, in ms from the SIGKILL. */
struct e2e_switch {
    long long queued;       /* messages in the queue just before the kill */
    long long active_ms;    /* the backup's acceptor took connections */
    long long first_ms;     /* the backup held a message more than the queue held at the kill */
};

/* SIGKILL to the pair's primary, right after counting the queue, then
 * waits (at most 60 s) for the backup to take over and the pipeline's next
 * message to reach it. */
static E2E_UNUSED void e2e_pair_kill_primary(struct e2e *t, struct e2e_switch *sw)
{
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "DROM_PROFILE=${DROM_PROFILE:-test} '%s/artemis-pair/ctl' pid primary",
             ts_env("DROM_SERVICES", "tests/services"));
    cr_assert_eq(ts_sh(cmd, &out), 0, "artemis-pair/ctl pid primary: the primary runs");
    pid_t pid = (pid_t)atoi(out);
    free(out);
    cr_assert_gt(pid, 0);
    memset(sw, 0, sizeof *sw);
    sw->active_ms = sw->first_ms = -1;
    sw->queued = e2e_queue_count(t);
    kill(pid, SIGKILL);
    long long t0 = ts_now_ms();
    int port = atoi(ts_env("ARTEMIS_PAIR_BACKUP_PORT", "0"));
    while (sw->first_ms < 0 && ts_now_ms() - t0 < 60000) {
        if (sw->active_ms < 0) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
                sw->active_ms = ts_now_ms() - t0;
            close(fd);
        }
        if (sw->active_ms >= 0 && e2e_jolokia_count(t->amq_http[1], t->amq_name[1], t->queue) > sw->queued)
            sw->first_ms = ts_now_ms() - t0;
        else
            proc_pause_ms(10);
    }
    e2e_say("%s: primary (pid %d) killed with %lld messages in the queue; backup active after %lld ms, the next "
            "message on it after %lld ms", t->name, (int)pid, sw->queued, sw->active_ms, sw->first_ms);
}

/* Waits until the queue holds at least n messages; the last count seen. */
static E2E_UNUSED long long e2e_wait_queue(struct e2e *t, long long n, int timeout_ms)
{
    long long end = ts_now_ms() + timeout_ms, c = -1, last_said = ts_now_ms();
    while ((c = e2e_queue_count(t)) < n && ts_now_ms() < end) {
        if (ts_now_ms() - last_said > 10000) {
            e2e_say("%s: queue holds %lld of %lld", t->name, c, n);
            last_said = ts_now_ms();
        }
        proc_pause_ms(100);
    }
    return c;
}

/* One message read back by the JMS client. */
struct e2e_msg {
    char *type;       /* "text" for a TextMessage */
    char *dupl_id;    /* _AMQ_DUPL_ID, NULL when absent */
    char *body;
    json_t *event;    /* the Debezium envelope: body.payload (schemas=true) or the body itself */
};

struct e2e_msgs {
    struct e2e_msg *v;
    size_t n;
};

static E2E_UNUSED char *e2e_xml_attr(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s = v ? strdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static E2E_UNUSED void e2e_parse_queue_xml(const char *path, struct e2e_msgs *out)
{
    memset(out, 0, sizeof *out);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    cr_assert_not_null(doc, "the Artemis CLI wrote well-formed XML to %s", path);
    xmlNode *root = xmlDocGetRootElement(doc);
    size_t cap = 0;
    for (xmlNode *m = root ? root->children : NULL; m; m = m->next) {
        if (m->type != XML_ELEMENT_NODE || strcmp((const char *)m->name, "message") != 0)
            continue;
        if (out->n == cap)
            out->v = realloc(out->v, (cap = cap ? cap * 2 : 256) * sizeof *out->v);
        struct e2e_msg *msg = &out->v[out->n++];
        memset(msg, 0, sizeof *msg);
        msg->type = e2e_xml_attr(m, "type");
        for (xmlNode *c = m->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            if (strcmp((const char *)c->name, "properties") == 0) {
                for (xmlNode *p = c->children; p; p = p->next) {
                    if (p->type != XML_ELEMENT_NODE)
                        continue;
                    char *name = e2e_xml_attr(p, "name");
                    if (name && strcmp(name, "_AMQ_DUPL_ID") == 0)
                        msg->dupl_id = e2e_xml_attr(p, "value");
                    free(name);
                }
            } else if (strcmp((const char *)c->name, "body") == 0) {
                for (xmlNode *b = c->children; b; b = b->next)
                    if (b->type == XML_CDATA_SECTION_NODE && !msg->body)
                        msg->body = strdup((const char *)b->content);
            }
        }
        json_t *j = msg->body ? json_loads(msg->body, 0, NULL) : NULL;
        json_t *payload = json_object_get(j, "payload");
        if (payload && json_object_get(j, "schema")) {
            msg->event = json_incref(payload);
            json_decref(j);
        } else {
            msg->event = j;
        }
    }
    xmlFreeDoc(doc);
}

static E2E_UNUSED void e2e_msgs_free(struct e2e_msgs *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        free(ms->v[i].type);
        free(ms->v[i].dupl_id);
        free(ms->v[i].body);
        json_decref(ms->v[i].event);
    }
    free(ms->v);
    memset(ms, 0, sizeof *ms);
}

/* Reads (consumes) everything in the queue with the Artemis CLI's JMS
 * consumer, until it has waited `idle_ms` without a message; at most
 * `max` messages. */
static E2E_UNUSED void e2e_drain_queue(struct e2e *t, size_t max, int idle_ms, struct e2e_msgs *out)
{
    char path[256], args[1024];
    snprintf(path, sizeof path, "%s/queue-%d.xml", t->dir, t->starts);
    unlink(path);
    snprintf(args, sizeof args,
             "cli consumer --destination 'queue://%s' --message-count %zu --receive-timeout %d --break-on-null "
             "--data '%s'",
             t->queue, max, idle_ms, path);
    long long t0 = ts_now_ms();
    char clilog[256];
    snprintf(clilog, sizeof clilog, "%s/artemis-cli.log", t->dir);
    int rc = -1;
    for (int attempt = 0; attempt < 3 && rc != 0; attempt++) {
        /* The broker may be down or starting (a fault test, another suite):
         * a CLI that could not connect consumed nothing, so it may try again. */
        const char *svc = t->amq_svc ? t->amq_svc : "artemis";
        ts_ctl(clilog, svc, "start");
        rc = ts_ctl(clilog, svc, args);
        struct stat st;
        if (rc != 0 && stat(path, &st) == 0 && st.st_size > 0)
            break;
    }
    cr_assert_eq(rc, 0, "artemis ctl %s (log %s)", args, clilog);
    e2e_parse_queue_xml(path, out);
    e2e_say("%s: read %zu messages from %s with the Artemis CLI in %lld ms", t->name, out->n, t->queue,
            ts_now_ms() - t0);
}

/* The seed's three changes (insert John Doe, rename him Jane, insert Chuck
 * Norris), each its own transaction as the demo makes them; waits for the
 * three messages in the queue (the dromd log in the failure) and drains
 * exactly those into `out` (freed with e2e_msgs_free). */
static E2E_UNUSED void e2e_seed_changes(struct e2e *t, struct e2e_msgs *out)
{
    MYSQL *m = ts_root(10000);
    ts_sql(m, "USE `%s`", t->db);
    ts_sql(m, "INSERT INTO customers (first_name, last_name, email) VALUES ('John', 'Doe', 'jdoe@example.com')");
    ts_sql(m, "UPDATE customers SET first_name = 'Jane' WHERE id = 1");
    ts_sql(m, "INSERT INTO customers (first_name, last_name, email) VALUES ('Chuck', 'Norris', 'cnorris@example.com')");
    mysql_close(m);
    long long c = e2e_wait_queue(t, 3, 60000);
    if (c < 3) {
        char *log = ts_slurp(t->log);
        cr_assert_fail("the queue %s holds %lld of 3 messages after 60 s; dromd log:\n%.8000s", t->queue, c, log);
    }
    e2e_drain_queue(t, 20, 2000, out);
    cr_assert_eq(out->n, 3, "exactly three messages in %s, got %zu", t->queue, out->n);
}

/* Stops dromd, drops the database and the topic, removes the temp dir (kept
 * when the test failed, for its logs). */
static E2E_UNUSED void e2e_finish(struct e2e *t)
{
    bool keep_dir = t->failed || getenv("E2E_KEEP");
    e2e_kill(t, SIGTERM);
    MYSQL *m = ts_root_try();
    if (m) {
        char q[256];
        snprintf(q, sizeof q, "DROP DATABASE IF EXISTS `%s`", t->db);
        ts_sql_try(m, q);
        mysql_close(m);
    }
    e2e_delete_topic(t->topic);
    if (!keep_dir) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
        if (system(cmd) != 0)
            e2e_say("cannot remove %s", t->dir);
    } else {
        e2e_say("%s: kept %s", t->name, t->dir);
    }
}

/* --- JSON helpers for the assertions --- */

/* Member `path` ("source.db") as text (strings as is, other values as compact JSON), malloc'ed; NULL if absent. */
static E2E_UNUSED char *e2e_get(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = j;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, tok);
    if (!cur)
        return NULL;
    if (json_is_string(cur))
        return strdup(json_string_value(cur));
    return json_dumps(cur, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}

/* Customers from..from+2 inserted into `db`. */
static E2E_UNUSED void e2e_insert_customers(const char *db, int from)
{
    MYSQL *m = ts_root(10000);
    ts_sql(m, "USE `%s`", db);
    for (int i = from; i < from + 3; i++)
        ts_sql(m, "INSERT INTO customers (id, first_name, last_name, email) VALUES (%d, 'F%d', 'L%d', 'e%d@x')",
                i, i, i, i);
    mysql_close(m);
}

/* Exactly `n` messages on the queue, customers from..from+n-1 each once. */
static E2E_UNUSED void e2e_expect_customers(struct e2e *t, int from, size_t n)
{
    long long c = e2e_wait_queue(t, (long long)n, 60000);
    if (c < (long long)n) {
        char *log = ts_slurp(t->log);
        cr_assert_fail("the queue %s holds %lld of %zu messages; dromd log:\n%.8000s", t->queue, c, n, log);
    }
    struct e2e_msgs ms;
    e2e_drain_queue(t, n + 10, 2000, &ms);
    cr_assert_eq(ms.n, n, "exactly %zu messages in %s, got %zu", n, t->queue, ms.n);
    bool seen[64] = {0};
    for (size_t i = 0; i < ms.n; i++) {
        cr_assert_not_null(ms.v[i].event, "message %zu is a change event: %.300s", i, ms.v[i].body);
        char *id = e2e_get(ms.v[i].event, "after.id");
        char *op = e2e_get(ms.v[i].event, "op");
        int k = id ? atoi(id) : -1;
        cr_assert(k >= from && k < from + (int)n && k < 64, "message %zu is one of the rows written: %s", i, id);
        cr_assert_not(seen[k], "customer %d arrives once", k);
        seen[k] = true;
        /* rows written before the first connection come with the initial snapshot */
        cr_assert(op && (strcmp(op, "c") == 0 || strcmp(op, "r") == 0), "message %zu is a create or a read: %s", i,
                  op);
        free(id);
        free(op);
    }
    e2e_msgs_free(&ms);
}

/* --- a random workload over a fixed set of rows and its check --- */

/* Change k: an insert, update or delete of row `id`. Row images carry k
 * (last_name "L<k>", email "<id>.<k>@example.com"), so every event names the
 * change it comes from; `prev` is the change whose image the row held before. */
struct e2e_change {
    char op;            /* 'c', 'u', 'd' */
    int id;
    int prev;           /* -1 for an insert */
    char first[16];     /* first_name written by c/u */
};

struct e2e_work {
    int n, rows;
    struct e2e_change *ch;
    int *deleted_by;    /* change k whose image a delete removed -> that delete */
    int deletes;
};

static E2E_UNUSED uint64_t e2e_rand(uint64_t *s)
{
    /* splitmix64: small, seedable, the same on every machine */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* n changes over rows 1..rows from `seed`: a missing row is inserted, a
 * present one updated (70%) or deleted (30%). */
static E2E_UNUSED void e2e_work_plan(struct e2e_work *w, int n, int rows, uint64_t seed)
{
    static const char *const names[] = {"John", "Jane", "Chuck", "Sally", "Ada", "Linus", "Grace", "Alan",
                                        "Émile", "Zoë", "O'Neil", "Ken"};
    memset(w, 0, sizeof *w);
    w->n = n;
    w->rows = rows;
    w->ch = calloc((size_t)n, sizeof *w->ch);
    w->deleted_by = malloc((size_t)n * sizeof *w->deleted_by);
    int *cur = malloc((size_t)(rows + 1) * sizeof *cur);   /* change holding the row's image, -1 absent */
    for (int i = 0; i <= rows; i++)
        cur[i] = -1;
    uint64_t s = seed;
    for (int k = 0; k < n; k++) {
        struct e2e_change *c = &w->ch[k];
        w->deleted_by[k] = -1;
        c->id = 1 + (int)(e2e_rand(&s) % (uint64_t)rows);
        c->prev = cur[c->id];
        if (c->prev < 0)
            c->op = 'c';
        else
            c->op = e2e_rand(&s) % 10 < 7 ? 'u' : 'd';
        snprintf(c->first, sizeof c->first, "%s", names[e2e_rand(&s) % (sizeof names / sizeof *names)]);
        if (c->op == 'd') {
            w->deleted_by[c->prev] = k;
            w->deletes++;
            cur[c->id] = -1;
        } else {
            cur[c->id] = k;
        }
    }
    free(cur);
}

static E2E_UNUSED void e2e_work_free(struct e2e_work *w)
{
    free(w->ch);
    free(w->deleted_by);
    memset(w, 0, sizeof *w);
}

/* The row image change k wrote (NULL for a delete). Caller decrefs. */
static E2E_UNUSED json_t *e2e_image(const struct e2e_work *w, int k)
{
    if (k < 0 || w->ch[k].op == 'd')
        return json_null();
    const struct e2e_change *c = &w->ch[k];
    char last[32], email[64];
    snprintf(last, sizeof last, "L%d", k);
    snprintf(email, sizeof email, "%d.%d@example.com", c->id, k);
    return json_pack("{s:i, s:s, s:s, s:s}", "id", c->id, "first_name", c->first, "last_name", last, "email", email);
}

/* Appends change k's statement to `b` (values escaped by the server's rules). */
static E2E_UNUSED void e2e_stmt(MYSQL *m, const struct e2e_work *w, int k, struct drom_buf *b)
{
    const struct e2e_change *c = &w->ch[k];
    char first[64], line[512];
    mysql_real_escape_string(m, first, c->first, (unsigned long)strlen(c->first));
    if (c->op == 'c')
        snprintf(line, sizeof line,
                 "INSERT INTO customers (id, first_name, last_name, email) VALUES (%d, '%s', 'L%d', '%d.%d@example.com');",
                 c->id, first, k, c->id, k);
    else if (c->op == 'u')
        snprintf(line, sizeof line,
                 "UPDATE customers SET first_name = '%s', last_name = 'L%d', email = '%d.%d@example.com' WHERE id = %d;",
                 first, k, c->id, k, c->id);
    else
        snprintf(line, sizeof line, "DELETE FROM customers WHERE id = %d;", c->id);
    drom_buf_puts(b, line);
}

/* Writes changes [from, to) of the plan into database `db`, `batch` a transaction. */
static E2E_UNUSED void e2e_work_write(MYSQL *m, const char *db, const struct e2e_work *w, int from, int to, int batch)
{
    ts_sql(m, "USE `%s`", db);
    for (int k = from; k < to; k += batch) {
        struct drom_buf b = DROM_BUF_INIT;
        drom_buf_puts(&b, "START TRANSACTION;");
        for (int i = k; i < to && i < k + batch; i++)
            e2e_stmt(m, w, i, &b);
        drom_buf_puts(&b, "COMMIT");
        drom_buf_cstr(&b);
        cr_assert_eq(ts_sql_try(m, b.data), 0, "changes %d..%d: %s", k, k + batch, mysql_error(m));
        drom_buf_free(&b);
    }
}

/* A writer on its own connection and thread, so a fault can hit while
 * changes are being made; `written` says how far it got. */
struct e2e_writer {
    const struct e2e_work *w;
    const char *db;
    int from, to, batch, pause_ms;
    _Atomic int written;
    int failed;            /* errno-like: non-zero when a transaction failed */
    char error[256];
    pthread_t th;
};

static E2E_UNUSED void *e2e_writer_main(void *arg)
{
    struct e2e_writer *wr = arg;
    MYSQL *m = ts_root_try();
    char q[128];
    snprintf(q, sizeof q, "USE `%s`", wr->db);
    if (!m || ts_sql_try(m, q) < 0) {
        wr->failed = 1;
        snprintf(wr->error, sizeof wr->error, "connect: %s", m ? mysql_error(m) : "no connection");
        if (m)
            mysql_close(m);
        return NULL;
    }
    for (int k = wr->from; k < wr->to; k += wr->batch) {
        struct drom_buf b = DROM_BUF_INIT;
        drom_buf_puts(&b, "START TRANSACTION;");
        int end = k + wr->batch < wr->to ? k + wr->batch : wr->to;
        for (int i = k; i < end; i++)
            e2e_stmt(m, wr->w, i, &b);
        drom_buf_puts(&b, "COMMIT");
        drom_buf_cstr(&b);
        int rc = ts_sql_try(m, b.data);
        drom_buf_free(&b);
        if (rc < 0) {
            wr->failed = 1;
            snprintf(wr->error, sizeof wr->error, "changes %d..%d: %s", k, end, mysql_error(m));
            break;
        }
        wr->written = end;
        if (wr->pause_ms)
            proc_pause_ms(wr->pause_ms);
    }
    mysql_close(m);
    return NULL;
}

static E2E_UNUSED void e2e_writer_start(struct e2e_writer *wr, const struct e2e_work *w, const char *db, int from,
                                        int to, int batch, int pause_ms)
{
    memset(wr, 0, sizeof *wr);
    wr->w = w;
    wr->db = db;
    wr->from = from;
    wr->to = to;
    wr->batch = batch;
    wr->pause_ms = pause_ms;
    wr->written = from;
    cr_assert_eq(pthread_create(&wr->th, NULL, e2e_writer_main, wr), 0);
}

/* Waits until the writer wrote at least `k` changes (or finished). */
static E2E_UNUSED void e2e_writer_wait(struct e2e_writer *wr, int k, int timeout_ms)
{
    long long end = ts_now_ms() + timeout_ms;
    while (wr->written < k && !wr->failed && ts_now_ms() < end)
        proc_pause_ms(5);
}

static E2E_UNUSED void e2e_writer_join(struct e2e_writer *wr)
{
    pthread_join(wr->th, NULL);
    cr_assert_eq(wr->failed, 0, "writer: %s", wr->error);
    cr_assert_eq(wr->written, wr->to);
}

static E2E_UNUSED int e2e_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The three properties on what the queue holds: every change of the plan
 * arrived exactly once as the exact event (op, before, after, source db and
 * table), tombstones left out; per row, the events come in the order the
 * changes were made; every message has a distinct _AMQ_DUPL_ID. */
/* What the check found, for a report (make faults). */
struct e2e_counts {
    size_t written, delivered, lost, duplicates, disorder, wrong, foreign, same_id;
};

static E2E_UNUSED void e2e_work_check_counts(struct e2e *t, const struct e2e_work *w, const struct e2e_msgs *ms,
                                             struct e2e_counts *out)
{
    int *seen = calloc((size_t)w->n, sizeof *seen);
    int *last = malloc((size_t)(w->rows + 1) * sizeof *last);
    for (int i = 0; i <= w->rows; i++)
        last[i] = -1;
    char **ids = calloc(ms->n + 1, sizeof *ids);
    size_t nids = 0, bad = 0, dups = 0, disorder = 0, missing_id = 0, not_text = 0, wrong = 0;
    struct drom_buf why = DROM_BUF_INIT;
#define E2E_NOTE(...)                                                                                                 \
    do {                                                                                                              \
        if (why.len < 3000) {                                                                                         \
            char note_[1400];                                                                                          \
            snprintf(note_, sizeof note_, __VA_ARGS__);                                                               \
            drom_buf_puts(&why, note_);                                                                               \
            drom_buf_puts(&why, "\n");                                                                                \
        }                                                                                                             \
    } while (0)
    for (size_t i = 0; i < ms->n; i++) {
        const struct e2e_msg *m = &ms->v[i];
        if (!m->type || strcmp(m->type, "text") != 0) {
            not_text++;
            E2E_NOTE("message %zu: type %s, not a TextMessage", i, m->type ? m->type : "(none)");
        }
        if (m->dupl_id)
            ids[nids++] = m->dupl_id;
        else
            missing_id++;
        json_t *ev = m->event;
        const char *op = json_string_value(json_object_get(ev, "op"));
        json_t *before = json_object_get(ev, "before"), *after = json_object_get(ev, "after");
        json_t *img = json_is_object(after) ? after : before;
        const char *ln = json_string_value(json_object_get(img, "last_name"));
        int k = -1, key = -1;
        if (!op || !ln || sscanf(ln, "L%d", &k) != 1 || k < 0 || k >= w->n) {
            bad++;
            E2E_NOTE("message %zu: not an event of this workload: %.300s", i, m->body ? m->body : "(no body)");
            continue;
        }
        if (op[0] == 'd')
            k = w->deleted_by[k];
        if (k < 0 || w->ch[k].op != op[0]) {
            bad++;
            E2E_NOTE("message %zu: op %s of change L%s matches no change made", i, op, ln + 1);
            continue;
        }
        key = w->ch[k].id;
        json_t *want_before = e2e_image(w, w->ch[k].prev), *want_after = e2e_image(w, k);
        const char *db = json_string_value(json_object_get(json_object_get(ev, "source"), "db"));
        const char *table = json_string_value(json_object_get(json_object_get(ev, "source"), "table"));
        if (!json_equal(before, want_before) || !json_equal(after, want_after) || !db || strcmp(db, t->db) != 0 ||
            !table || strcmp(table, "customers") != 0) {
            wrong++;
            char *wb = json_dumps(want_before, JSON_ENCODE_ANY | JSON_COMPACT),
                 *wa = json_dumps(want_after, JSON_ENCODE_ANY | JSON_COMPACT);
            E2E_NOTE("message %zu (change %d): want before %s after %s in %s.customers, got %.600s", i, k, wb, wa,
                     t->db, m->body);
            free(wb);
            free(wa);
        }
        json_decref(want_before);
        json_decref(want_after);
        if (seen[k]++) {
            dups++;
            E2E_NOTE("message %zu: change %d (%c id %d) again", i, k, w->ch[k].op, key);
        } else if (k < last[key]) {
            disorder++;
            E2E_NOTE("message %zu: change %d of id %d after change %d of the same row", i, k, key, last[key]);
        }
        if (k > last[key])
            last[key] = k;
    }
    size_t missing = 0;
    for (int k = 0; k < w->n; k++)
        if (!seen[k]) {
            if (missing < 10)
                E2E_NOTE("change %d (%c id %d) never arrived", k, w->ch[k].op, w->ch[k].id);
            missing++;
        }
    qsort(ids, nids, sizeof *ids, e2e_cmp_str);
    size_t same_id = 0;
    for (size_t i = 1; i < nids; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0) {
            if (same_id++ < 5)
                E2E_NOTE("_AMQ_DUPL_ID %s twice", ids[i]);
        }
#undef E2E_NOTE
    drom_buf_cstr(&why);
    e2e_say("%s: %zu messages for %d changes (%d deletes): missing %zu, duplicated %zu, out of row order %zu, "
            "wrong content %zu, foreign %zu, without _AMQ_DUPL_ID %zu, _AMQ_DUPL_ID repeated %zu, not text %zu",
            t->name, ms->n, w->n, w->deletes, missing, dups, disorder, wrong, bad, missing_id, same_id, not_text);
    if (out)
        *out = (struct e2e_counts){.written = (size_t)w->n, .delivered = ms->n, .lost = missing, .duplicates = dups,
                                   .disorder = disorder, .wrong = wrong, .foreign = bad, .same_id = same_id};
    bool ok = ms->n == (size_t)w->n && !missing && !dups && !disorder && !wrong && !bad && !missing_id &&
              !same_id && !not_text;
    E2E_EXPECT(t, ok,
              "%s: the queue holds %zu messages for %d changes; missing %zu, duplicated %zu, out of row order %zu, "
              "wrong content %zu, foreign %zu, without _AMQ_DUPL_ID %zu, _AMQ_DUPL_ID repeated %zu, not text %zu\n%s",
              t->name, ms->n, w->n, missing, dups, disorder, wrong, bad, missing_id, same_id, not_text,
              why.data ? why.data : "");
    drom_buf_free(&why);
    free(ids);
    free(seen);
    free(last);
}

static E2E_UNUSED void e2e_work_check(struct e2e *t, const struct e2e_work *w, const struct e2e_msgs *ms)
{
    e2e_work_check_counts(t, w, ms, NULL);
}

#endif
