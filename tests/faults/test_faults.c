/* The fault matrix (`make faults`): the seed pipeline (routes/cdc-pipeline.xml
 * run by build/dromd on the test servers) under the faults an operator
 * meets, one test each. A workload of numbered changes on many keys is
 * written while the fault happens; once it healed, the queue is drained with
 * the Artemis CLI and checked: changes written, messages delivered, changes
 * lost, duplicates delivered, per-key order violations; and how long after
 * the heal dromd was ready again and the last change was in the queue.
 * While a server is down, /health/ready must answer 503 with a reason that
 * names the endpoint.
 *
 * Each test appends its row to $FAULTS_RESULTS (JSON lines) before its
 * assertions, so a failed row is reported too; tests/faults/report.py turns
 * the rows into docs/reliability.md. */
#include <sys/mount.h>

#include "tests/integration/e2e_util.h"

enum { N = 2000, ROWS = 100 };

struct row {
    const char *id, *fault;
    struct e2e_counts c;
    long long ready_ms, drain_ms, replays;
    char readiness[700];   /* /health/ready during the outage */
    char note[400];
};

static void restore_servers(void)
{
    e2e_servers_up(NULL);
}

static void json_str(FILE *f, const char *k, const char *v, bool comma)
{
    json_t *s = json_string(v ? v : "");
    char *enc = json_dumps(s, JSON_ENCODE_ANY);
    fprintf(f, "\"%s\":%s%s", k, enc, comma ? "," : "");
    free(enc);
    json_decref(s);
}

static void record(const struct row *r)
{
    const char *path = ts_env("FAULTS_RESULTS", "build/faults/results.jsonl");
    FILE *f = fopen(path, "a");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputc('{', f);
    json_str(f, "id", r->id, true);
    json_str(f, "fault", r->fault, true);
    fprintf(f, "\"written\":%zu,\"delivered\":%zu,\"lost\":%zu,\"duplicates\":%zu,\"disorder\":%zu,"
               "\"wrong\":%zu,\"foreign\":%zu,\"same_id\":%zu,\"ready_ms\":%lld,\"drain_ms\":%lld,\"replays\":%lld,",
            r->c.written, r->c.delivered, r->c.lost, r->c.duplicates, r->c.disorder, r->c.wrong, r->c.foreign,
            r->c.same_id, r->ready_ms, r->drain_ms, r->replays);
    json_str(f, "readiness", r->readiness, true);
    json_str(f, "note", r->note, false);
    fputs("}\n", f);
    fclose(f);
}

/* The 503 answer while a server is down: it must come, and name the endpoint. */
static void outage_readiness(struct e2e *t, struct row *r, const char *endpoint_part)
{
    bool down = e2e_wait_ready(t, 503, 30000);
    /* the first 503 may still be dromd's own "starting" */
    char *body = NULL;
    int st = -1;
    for (long long end = ts_now_ms() + 30000;; proc_pause_ms(50)) {
        free(body);
        st = e2e_http(t, "/health/ready", &body);
        if ((st == 503 && body && strstr(body, endpoint_part)) || ts_now_ms() > end)
            break;
    }
    snprintf(r->readiness, sizeof r->readiness, "%d %s", st, body ? body : "");
    free(body);
    e2e_say("%s: during the outage: /health/ready %s", t->name, r->readiness);
    E2E_EXPECT(t, down, "/health/ready answers 503 while the fault lasts");
    E2E_EXPECT(t, strstr(r->readiness, endpoint_part) != NULL, "the 503 reason names %s: %s", endpoint_part,
               r->readiness);
}

/* After the heal: ready again, then every change of the plan in the queue. */
/* dromd runs as deploy/ runs it, with --exit-on-failure under a service
 * manager: when it exits 3 (a route failed for good, e.g. librdkafka's
 * idempotent producer fatal after a broker lost its state), it is started
 * again, as systemd's Restart=on-failure would. True when it restarted. */
static bool supervise(struct e2e *t, struct row *r)
{
    int st;
    if (t->pid <= 0 || waitpid(t->pid, &st, WNOHANG) != t->pid)
        return false;
    t->pid = 0;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    E2E_EXPECT(t, code == 3, "dromd exits only with 3 (--exit-on-failure), got %d", code);
    size_t len = strlen(r->note);
    snprintf(r->note + len, sizeof r->note - len, "%sdromd exited 3 (--exit-on-failure), restarted", len ? "; " : "");
    e2e_say("%s: dromd exited %d; started again as its service manager would", t->name, code);
    t->no_wait = true;
    e2e_start(t);
    t->no_wait = false;
    return true;
}

/* After the heal: ready again, then every change of the plan in the queue. */
static void recovered(struct e2e *t, struct row *r, long long healed_ms, struct e2e_writer *wr, int n)
{
    bool ready = false;
    for (long long end = ts_now_ms() + 120000; !ready && ts_now_ms() < end; proc_pause_ms(50)) {
        supervise(t, r);
        ready = e2e_http(t, "/health/ready", NULL) == 200;
    }
    r->ready_ms = ts_now_ms() - healed_ms;
    E2E_EXPECT(t, ready, "ready again within 120 s of the heal");
    if (wr)
        e2e_writer_join(wr);
    long long c = -1;
    for (long long end = ts_now_ms() + 240000; (c = e2e_queue_count(t)) < n && ts_now_ms() < end;
         proc_pause_ms(100))
        supervise(t, r);
    r->drain_ms = ts_now_ms() - healed_ms;
    e2e_say("%s: ready %lld ms and all %d changes in the queue %lld ms after the heal (queue %lld)", t->name,
            r->ready_ms, n, r->drain_ms, c);
}

/* Drains the queue, counts, records the row, then asserts it. */
static void finish(struct e2e *t, struct row *r, struct e2e_work *w)
{
    E2E_EXPECT(t, e2e_wait_quiet(t, 60000), "dromd goes quiet (nothing in flight, no consumer lag)");
    e2e_kill(t, SIGTERM);
    /* a SIGTERM drains after the counter was read: nothing is replayed then */
    r->replays = t->handled[0] > w->n + w->deletes ? t->handled[0] - (w->n + w->deletes) : 0;
    e2e_say_replays(t, w->n + w->deletes);
    struct e2e_msgs ms;
    e2e_drain_queue(t, 3 * (size_t)w->n, 3000, &ms);
    e2e_work_check_counts(t, w, &ms, &r->c);
    record(r);
    e2e_msgs_free(&ms);
    e2e_work_free(w);
    e2e_finish(t);
}

/* Test `id`'s pipeline (server id `sid`, 3 partitions), stopped by its
 * first failure, and the workload it is given. */
static void prepare(struct e2e *t, struct e2e_work *w, const char *id, unsigned sid, uint64_t seed)
{
    e2e_init(t, id, sid, 3);
    t->flag = "--exit-on-failure";
    e2e_work_plan(w, N, ROWS, seed);
}

static void start_writer_and_wait(struct e2e *t, struct e2e_writer *wr, struct e2e_work *w, int from, int to,
                                  int batch, int pause_ms, long long in_queue)
{
    e2e_writer_start(wr, w, t->db, from, to, batch, pause_ms);
    long long c = e2e_wait_queue(t, in_queue, 60000);
    cr_assert_geq(c, in_queue, "%lld changes reach the queue before the fault (%lld)", in_queue, c);
    e2e_say("%s: fault with %d changes written and %lld in the queue", t->name, (int)wr->written, c);
}

/* A server stopped (or killed) mid-stream and started again. */
static void server_outage(const char *id, const char *fault, unsigned sid, uint64_t seed, const char *svc,
                          const char *how, const char *endpoint_part)
{
    struct row r = {.id = id, .fault = fault};
    struct e2e t;
    struct e2e_work w;
    prepare(&t, &w, id, sid, seed);
    e2e_start(&t);
    struct e2e_writer wr;
    bool db = strcmp(svc, "mariadb") == 0;
    /* the writer cannot write while the database is down: half before, half after */
    start_writer_and_wait(&t, &wr, &w, 0, db ? N / 2 : N, 10, 10, N / 4);
    if (db)
        e2e_writer_join(&wr);
    cr_assert_eq(ts_ctl(t.log, svc, how), 0, "tests/services/%s/ctl %s", svc, how);
    e2e_say("%s: %s %s", id, svc, how);
    outage_readiness(&t, &r, endpoint_part);
    cr_assert_eq(ts_ctl(t.log, svc, "start"), 0, "tests/services/%s/ctl start", svc);
    long long healed = ts_now_ms();
    if (db)
        e2e_writer_start(&wr, &w, t.db, N / 2, N, 10, 10);
    recovered(&t, &r, healed, &wr, N);
    finish(&t, &r, &w);
}

/* dromd killed with SIGKILL `times` times in a row while changes are made. */
static void dromd_killed(const char *id, const char *fault, unsigned sid, uint64_t seed, int times, int sig)
{
    struct row r = {.id = id, .fault = fault};
    snprintf(r.readiness, sizeof r.readiness, "(no process between the kill and the restart)");
    struct e2e t;
    struct e2e_work w;
    prepare(&t, &w, id, sid, seed);
    e2e_start(&t);
    struct e2e_writer wr;
    /* slow enough (~100 changes/s) that every kill lands while changes are made */
    start_writer_and_wait(&t, &wr, &w, 0, N, 2, 20, N / 40);
    long long healed = 0;
    for (int i = 0; i < times; i++) {
        long long before = e2e_queue_count(&t);
        e2e_kill(&t, sig);
        e2e_say("%s: dromd stopped with signal %d (%d of %d)", id, sig, i + 1, times);
        healed = ts_now_ms();
        e2e_start(&t);
        /* the next kill lands while this process has work in flight again */
        if (i + 1 < times)
            e2e_wait_queue(&t, before + 40 < N ? before + 40 : N, 15000);
    }
    if (sig == SIGKILL && times > 1)
        snprintf(r.note, sizeof r.note, "%d kills, each after the previous process delivered again", times);
    recovered(&t, &r, healed, &wr, N);
    finish(&t, &r, &w);
}

Test(faults, f01_dromd_kill9, .timeout = 300, .fini = restore_servers)
{
    dromd_killed("kill9", "dromd killed (SIGKILL) mid-stream, restarted", 7801, 101, 1, SIGKILL);
}

Test(faults, f02_dromd_kill9_five_times, .timeout = 400, .fini = restore_servers)
{
    dromd_killed("kill9x5", "dromd killed (SIGKILL) five times in a row", 7802, 102, 5, SIGKILL);
}

Test(faults, f03_dromd_sigterm, .timeout = 300, .fini = restore_servers)
{
    dromd_killed("sigterm", "dromd stopped (SIGTERM) mid-stream, restarted", 7803, 103, 1, SIGTERM);
}

Test(faults, f04_kafka_stopped, .timeout = 400, .fini = restore_servers)
{
    server_outage("kafkastop", "Kafka stopped mid-stream, started again", 7804, 104, "kafka", "stop", "kafka:");
}

Test(faults, f05_kafka_killed, .timeout = 400, .fini = restore_servers)
{
    server_outage("kafkakill", "Kafka killed (SIGKILL) mid-stream, started again", 7805, 105, "kafka", "kill",
                  "kafka:");
}

Test(faults, f06_artemis_stopped, .timeout = 400, .fini = restore_servers)
{
    server_outage("amqstop", "Artemis stopped mid-stream, started again", 7806, 106, "artemis", "stop", "sjms2:");
}

Test(faults, f07_artemis_killed, .timeout = 400, .fini = restore_servers)
{
    server_outage("amqkill", "Artemis killed (SIGKILL) mid-stream, started again", 7807, 107, "artemis", "kill",
                  "sjms2:");
}

Test(faults, f08_mariadb_stopped, .timeout = 400, .fini = restore_servers)
{
    server_outage("dbstop", "MariaDB stopped mid-stream, started again", 7808, 108, "mariadb", "stop",
                  "mysql-binlog:");
}

Test(faults, f09_mariadb_killed, .timeout = 400, .fini = restore_servers)
{
    server_outage("dbkill", "MariaDB killed (SIGKILL) mid-stream, started again", 7809, 109, "mariadb", "kill",
                  "mysql-binlog:");
}

Test(faults, f10_dromd_started_while_kafka_down, .timeout = 400, .fini = restore_servers)
{
    struct row r = {.id = "kafkafirst", .fault = "dromd (re)started while Kafka is down, Kafka started later"};
    struct e2e t;
    struct e2e_work w;
    prepare(&t, &w, "kafkafirst", 7810, 110);
    /* a first run takes the snapshot, so that every change of the workload
     * is streamed as itself, not folded into snapshot rows */
    e2e_start(&t);
    e2e_kill(&t, SIGTERM);
    cr_assert_eq(ts_ctl(t.log, "kafka", "stop"), 0);
    t.no_wait = true;
    e2e_start(&t);
    t.no_wait = false;
    struct e2e_writer wr;
    e2e_writer_start(&wr, &w, t.db, 0, N, 10, 10);
    outage_readiness(&t, &r, "kafka:");
    e2e_writer_join(&wr);
    cr_assert_eq(ts_ctl(t.log, "kafka", "start"), 0);
    long long healed = ts_now_ms();
    recovered(&t, &r, healed, NULL, N);
    finish(&t, &r, &w);
}

/* dromd refuses to start on the state it finds: exits 1, the log says `why`. */
static void refused_at_start(struct e2e *t, const char *why, struct row *r)
{
    t->no_wait = true;
    e2e_start(t);
    t->no_wait = false;
    int rc = proc_wait_exit(t->pid, 30000);
    t->pid = 0;
    char *log = ts_slurp(t->log);
    bool said = strstr(log, why) != NULL;
    e2e_say("%s: dromd exit %d, log names '%s': %s", t->name, rc, why, said ? "yes" : "no");
    size_t len = strlen(r->note);
    snprintf(r->note + len, sizeof r->note - len, "%srefused (exit %d): %s", len ? "; " : "", rc, why);
    E2E_EXPECT(t, rc == 1, "dromd refuses to start (exit 1), got %d", rc);
    E2E_EXPECT(t, said, "the log says %s", why);
    free(log);
}

/* The offset file damaged while dromd is stopped: refused at start, never
 * guessed around; restored, the pipeline resumes where it was. */
static void offset_damaged(const char *id, const char *fault, unsigned sid, uint64_t seed, bool parseable)
{
    struct row r = {.id = id, .fault = fault};
    snprintf(r.readiness, sizeof r.readiness, "(no process: dromd refuses to start)");
    struct e2e t;
    struct e2e_work w;
    prepare(&t, &w, id, sid, seed);
    e2e_start(&t);
    struct e2e_writer wr;
    start_writer_and_wait(&t, &wr, &w, 0, N / 2, 10, 10, N / 8);
    e2e_writer_join(&wr);
    e2e_kill(&t, SIGTERM);
    char path[300], keep[320];
    snprintf(path, sizeof path, "%s/offsets.json", t.state);
    snprintf(keep, sizeof keep, "%s/offsets.json.backup", t.dir);
    cr_assert_eq(ts_copy_file(path, keep), 0, "copy %s to %s", path, keep);
    if (!parseable) {
        cr_assert_eq(truncate(path, 30), 0);
        refused_at_start(&t, "corrupt or truncated", &r);
    } else {
        FILE *f = fopen(path, "w");
        fputs("{\"format\":1,\"offsets\":{}}\n", f);
        fclose(f);
        refused_at_start(&t, "holds no offsets", &r);
        /* the position moved back by hand to the start of the binlog */
        char *text = ts_slurp(keep);
        char *p = strstr(text, "\"pos\":");
        cr_assert_not_null(p, "%s", text);
        char *end = p + 6;
        while (*end >= '0' && *end <= '9')
            end++;
        f = fopen(path, "w");
        fprintf(f, "%.*s\"pos\":4%s", (int)(p - text), text, end);
        fclose(f);
        free(text);
        refused_at_start(&t, "fails its checksum", &r);
        /* another pipeline's state dir: valid, but without this source */
        unlink(path);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "'%s' offsets set --file '%s' mysql-binlog/another --to mysql-bin.000001:4 >>'%s' 2>&1",
                 ts_env("DROMD_BIN", "build/dromd"), path, t.log);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        refused_at_start(&t, "the offset store has no position for source", &r);
    }
    cr_assert_eq(ts_copy_file(keep, path), 0, "copy %s to %s", keep, path);
    long long healed = ts_now_ms();
    e2e_start(&t);
    e2e_writer_start(&wr, &w, t.db, N / 2, N, 10, 10);
    recovered(&t, &r, healed, &wr, N);
    finish(&t, &r, &w);
}

Test(faults, f11_offset_file_truncated, .timeout = 300, .fini = restore_servers)
{
    offset_damaged("offtrunc", "offset file truncated while dromd was stopped", 7811, 111, false);
}

Test(faults, f12_offset_file_parseable_but_wrong, .timeout = 300, .fini = restore_servers)
{
    offset_damaged("offwrong",
                   "offset file parseable but wrong (emptied; position edited back to 4; another pipeline's file)",
                   7812, 112, true);
}

Test(faults, f13_sighup_with_broken_routes, .timeout = 300, .fini = restore_servers)
{
    struct row r = {.id = "sighup", .fault = "SIGHUP with a broken route file mid-stream"};
    struct e2e t;
    struct e2e_work w;
    prepare(&t, &w, "sighup", 7813, 113);
    e2e_start(&t);
    struct e2e_writer wr;
    start_writer_and_wait(&t, &wr, &w, 0, N, 10, 10, N / 8);
    char keep[320];
    snprintf(keep, sizeof keep, "%s/routes.xml.good", t.dir);
    cr_assert_eq(ts_copy_file(t.routes, keep), 0, "copy %s to %s", t.routes, keep);
    FILE *f = fopen(t.routes, "w");
    fputs("<routes xmlns=\"http://camel.apache.org/schema/xml-io\"><route id=\"x\"><from uri=\"nosuch:x\"/>", f);
    fclose(f);
    long long healed = ts_now_ms();
    kill(t.pid, SIGHUP);
    long long end = ts_now_ms() + 15000, fails = 0;
    while ((fails = e2e_metric(&t, "drom_reload_failures_total")) < 1 && ts_now_ms() < end)
        proc_pause_ms(50);
    char *body = NULL;
    int st = e2e_http(&t, "/health/ready", &body);
    snprintf(r.readiness, sizeof r.readiness, "%d %s (the old routes keep running)", st, body ? body : "");
    free(body);
    snprintf(r.note, sizeof r.note, "reload refused, drom_reload_failures_total %lld", fails);
    E2E_EXPECT(&t, fails == 1, "the failed reload is counted (%lld)", fails);
    E2E_EXPECT(&t, st == 200, "the running routes stay ready (%d)", st);
    cr_assert_eq(ts_copy_file(keep, t.routes), 0, "copy %s to %s", keep, t.routes);
    recovered(&t, &r, healed, &wr, N);
    finish(&t, &r, &w);
}

/* The state dir on a small tmpfs that fills up for longer than the bound
 * (maxUncommittedEvents, 10000 by default), then dromd killed. The replay
 * stays inside Artemis' duplicate-id cache (20000), so nothing arrives
 * twice and no key goes back to an older row. */
Test(faults, f14_state_dir_full_then_kill9, .timeout = 600, .fini = restore_servers)
{
    enum { BIG = 16000, KEYS = 50 };
    struct row r = {.id = "statefull", .fault = "state dir full beyond maxUncommittedEvents, then dromd killed"};
    struct e2e t;
    e2e_init(&t, "statefull", 7814, 3);
    t.flag = "--exit-on-failure";
    cr_assert_eq(mkdir(t.state, 0700), 0);
    cr_assert_eq(mount("tmpfs", t.state, "tmpfs", 0, "size=256k,mode=0700"), 0, "mount tmpfs on %s: %s", t.state,
                 strerror(errno));
    struct e2e_work w;
    e2e_work_plan(&w, BIG, KEYS, 114);
    e2e_start(&t);
    struct e2e_writer wr;
    start_writer_and_wait(&t, &wr, &w, 0, 200, 10, 10, 100);
    e2e_writer_join(&wr);
    char filler[300];
    snprintf(filler, sizeof filler, "%s/filler", t.state);
    FILE *f = fopen(filler, "w");
    cr_assert_not_null(f);
    static char block[4096];
    while (fwrite(block, 1, sizeof block, f) == sizeof block && fflush(f) == 0)
        ;
    fclose(f);
    e2e_say("statefull: state dir full; writing %d more changes at full speed", BIG - 200);
    long long t0 = ts_now_ms();
    e2e_writer_start(&wr, &w, t.db, 200, BIG, 50, 0);
    outage_readiness(&t, &r, "cannot store positions");
    /* held at the bound: reading stopped, waiting for the store */
    long long end = ts_now_ms() + 120000, held = 0;
    while ((held = e2e_metric(&t, "drom_endpoint_offset_held{routeId=\"customers-to-kafka\"")) != 1 &&
           ts_now_ms() < end)
        proc_pause_ms(100);
    long long failures = e2e_metric(&t, "drom_endpoint_offset_store_failures{routeId=\"customers-to-kafka\"");
    long long unstored = e2e_metric(&t, "drom_endpoint_offset_uncommitted_events{routeId=\"customers-to-kafka\"");
    e2e_say("statefull: held %lld after %lld ms, %lld commit failures, %lld changes past the stored position", held,
            ts_now_ms() - t0, failures, unstored);
    E2E_EXPECT(&t, held == 1, "the source holds at maxUncommittedEvents while the store fails");
    E2E_EXPECT(&t, unstored <= 10000, "never more than maxUncommittedEvents past the stored position (%lld)",
               unstored);
    e2e_writer_join(&wr);
    e2e_kill(&t, SIGKILL);
    cr_assert_eq(unlink(filler), 0);
    long long healed = ts_now_ms();
    e2e_start(&t);
    snprintf(r.note, sizeof r.note, "held at %lld changes past the stored position, %lld failed writes, then kill -9",
             unstored, failures);
    recovered(&t, &r, healed, NULL, BIG);
    E2E_EXPECT(&t, e2e_wait_quiet(&t, 60000), "quiet");
    e2e_kill(&t, SIGTERM);
    umount2(t.state, MNT_DETACH);
    r.replays = t.handled[0] - (w.n + w.deletes);
    struct e2e_msgs ms;
    e2e_drain_queue(&t, 2 * (size_t)BIG, 5000, &ms);
    e2e_work_check_counts(&t, &w, &ms, &r.c);
    record(&r);
    e2e_msgs_free(&ms);
    e2e_work_free(&w);
    e2e_finish(&t);
}
