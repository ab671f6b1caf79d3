/* Signals and incremental snapshots on the test MariaDB: an execute-snapshot
 * signal read from the signal table snapshots a table chunk by chunk while
 * changes stream (every row's last event is its final state: no row read
 * back over a newer change), pause/resume and stop, additional-conditions,
 * a table added to tableIncludeList snapshotted by a signal after a
 * restart, and dromd killed with SIGKILL mid-snapshot resuming at the next
 * chunk. Each is checked by the keys and row images that arrive. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>

#include "tests/integration/test_mysql_binlog_util.h"
#include "tests/support/testkafka.h"

/* Each test its own database (they may run at once): DB in the test, DBN in the helpers. */
static const char *DBN;
#define DB "mbt_sig1"

/* t (id, v, s) with rows 1..n (v = id, s = "r<id>"), the signal table and
 * a marker table for sentinels; the source's user may write the signal table. */
static void setup(MYSQL *root, const char *db, int n)
{
    DBN = db;
    ts_fresh_db(root, db);
    ts_sql(root, "USE %s; CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20)); "
                  "CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048)); "
                  "CREATE TABLE mark (id INT PRIMARY KEY); "
                  "INSERT INTO t SELECT seq, seq, CONCAT('r', seq) FROM seq_1_to_%d", db, n);
    ts_sql(root, "GRANT INSERT ON %s.sig TO 'debezium'@'%%'; GRANT INSERT ON %s.sig TO 'debezium'@'localhost'", db,
            db);
}

/* The end of an in-process test: the engine stopped, its offset file
 * removed (and the path freed), the test's database dropped, root closed. */
static void end_run(struct mbt_run *r, char *offsets, MYSQL *root, const char *db)
{
    mbt_stop(r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE %s", db);
    mysql_close(root);
}

static void send_signal(MYSQL *m, const char *id, const char *type, const char *data)
{
    ts_sql(m, "INSERT INTO %s.sig VALUES ('%s', '%s', '%s')", DBN, id, type, data);
}

/* A row image of t as setup wrote it (id, v = id, s = "r<id>"), checked: its id. */
static long row_as_written(json_t *img)
{
    long id = (long)json_integer_value(json_object_get(img, "id"));
    char want[32];
    snprintf(want, sizeof want, "r%ld", id);
    cr_assert_str_eq(json_string_value(json_object_get(img, "s")), want, "row image of %ld", id);
    cr_assert_eq(json_integer_value(json_object_get(img, "v")), id, "row image of %ld", id);
    return id;
}

/* What arrived for one key: the last event's op and v, and its reads. */
struct key_state {
    char last_op;
    long v;
    int reads;
};

/* Folds exchanges [*done, n) of table t into st (ids up to max). */
static void fold(struct drom_mock *mk, size_t *done, struct key_state *st, long max)
{
    size_t n = drom_mock_received(mk);
    for (; *done < n; (*done)++) {
        json_t *j = mbt_json(mk, *done);
        if (!j)
            continue;   /* a tombstone */
        json_t *src = json_object_get(j, "source");
        const char *table = json_string_value(json_object_get(src, "table"));
        const char *op = json_string_value(json_object_get(j, "op"));
        if (!table || strcmp(table, "t") != 0 || !op) {
            json_decref(j);
            continue;
        }
        json_t *img = json_object_get(j, *op == 'd' ? "before" : "after");
        long id = (long)json_integer_value(json_object_get(img, "id"));
        cr_assert(id >= 1 && id <= max, "id %ld", id);
        if (*op == 'r') {
            cr_assert_str_eq(json_string_value(json_object_get(src, "snapshot")), "incremental");
            char want[32];
            snprintf(want, sizeof want, "r%ld", id);
            cr_assert_str_eq(json_string_value(json_object_get(img, "s")), want, "row image of %ld", id);
            st[id].reads++;
        }
        st[id].last_op = *op;
        st[id].v = (long)json_integer_value(json_object_get(img, "v"));
        json_decref(j);
    }
}

/* The r events among exchanges [from, to): their ids in order (rows of t checked against their image). */
static size_t reads_between(struct drom_mock *mk, size_t from, size_t to, long *ids, size_t cap)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        json_t *j = mbt_json(mk, i);
        const char *op = j ? json_string_value(json_object_get(j, "op")) : NULL;
        json_t *a = json_object_get(j, "after");
        long id = (long)json_integer_value(json_object_get(a, "id"));
        const char *s = json_string_value(json_object_get(a, "s"));
        if (op && *op == 'r' && s)   /* a row of t: its image as written */
            row_as_written(a);
        if (op && *op == 'r' && n < cap)
            ids[n++] = id;
        json_decref(j);
    }
    return n;
}

/* Exactly `count` reads in [from, to), of rows first, first + 1, ... */
static void expect_reads(struct drom_mock *mk, size_t from, size_t to, long first, size_t count, const char *what)
{
    static long ids[100000];
    size_t n = reads_between(mk, from, to, ids, 100000);
    cr_assert_eq(n, count, "%s: %zu reads, %zu expected", what, n, count);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(ids[i], first + (long)i, "%s: read %zu is row %ld", what, i, ids[i]);
}

static size_t sentinel(MYSQL *m, struct drom_mock *mk, int k)
{
    char sql[128], mark[64];
    snprintf(sql, sizeof sql, "INSERT INTO %s.mark VALUES (%d)", DBN, k);
    snprintf(mark, sizeof mark, "\"after\":{\"id\":%d}", k);
    return mbt_before_sentinel(m, mk, sql, mark, 20000);
}

/* Waits until `want` r events arrived from exchange `from` on. The
 * watermarks are written by the source as it reads the signal, so only
 * what arrived tells that a chunk was read; a sentinel afterwards proves
 * that nothing more came. */
static void wait_reads(struct drom_mock *mk, size_t from, size_t want)
{
    int64_t end = ts_now_ms() + 30000;
    static long ids[100000];
    size_t n = 0;
    while ((n = reads_between(mk, from, drom_mock_received(mk), ids, 100000)) < want && ts_now_ms() < end)
        drom_mock_wait(mk, drom_mock_received(mk) + 1, 200);
    cr_assert_geq(n, want, "%zu reads arrive (got %zu)", want, n);
}

/* One step of a signal sequence: waits for `count` reads from exchange
 * `from` on, proves with sentinel `mark` that nothing more came, and
 * checks that the reads in between are rows first, first + 1, ... in
 * order. Returns the sentinel's index, where the next step starts. */
static size_t step(MYSQL *root, struct drom_mock *mk, size_t from, int mark, long first, size_t count,
                   const char *what)
{
    wait_reads(mk, from, count);
    size_t at = sentinel(root, mk, mark);
    expect_reads(mk, from, at, first, count, what);
    return at;
}

/* Closing watermarks the source wrote to the signal table so far. */
static long closes(MYSQL *m)
{
    char *v = mbt_scalar(m, "SELECT COUNT(*) FROM %s.sig WHERE type = 'snapshot-window-close'", DBN);
    long n = atol(v);
    free(v);
    return n;
}

static char *start_query(char *q, size_t size, const char *offsets, const char *include, int chunk)
{
    snprintf(q, size, "tableIncludeList=%s&schemas=false&snapshotMode=no_data&offsetStorageFileName=%s&"
             "signalDataCollection=%s.sig&incrementalSnapshotChunkSize=%d", include, offsets, DBN, chunk);
    return q;
}

struct writer {
    atomic_bool stop;
    long rows;
    long updates, deletes;
};

/* Updates v of random rows and deletes some, each its own transaction. */
static void *write_rows(void *arg)
{
    struct writer *w = arg;
    MYSQL *m = ts_root(0);
    unsigned seed = 7;
    while (!atomic_load(&w->stop)) {
        long id = 1 + (long)(rand_r(&seed) % (unsigned)w->rows);
        char q[128];
        if (rand_r(&seed) % 10 == 0) {
            snprintf(q, sizeof q, "DELETE FROM %s.t WHERE id = %ld", DBN, id);
            w->deletes++;
        } else {
            snprintf(q, sizeof q, "UPDATE %s.t SET v = v + 100000 WHERE id = %ld", DBN, id);
            w->updates++;
        }
        cr_assert_eq(mysql_query(m, q), 0, "%s", mysql_error(m));
        usleep(500);
    }
    mysql_close(m);
    return NULL;
}

/* Starts a snapshot with `signal` while a writer updates and deletes
 * random rows of t (n rows) for 1.5 s, then waits until every row's last
 * event carries its final state in the table (a deleted row's last event
 * is its delete): no row is read back over a newer change. Returns the
 * reads (op r). */
static long under_writes(MYSQL *root, struct drom_mock *mk, long n, void (*signal)(MYSQL *root, void *arg), void *arg,
                         const char *what)
{
    struct writer w = {.rows = n};
    pthread_t th;
    pthread_create(&th, NULL, write_rows, &w);
    signal(root, arg);
    usleep(1500000);
    atomic_store(&w.stop, true);
    pthread_join(th, NULL);
    /* the final table */
    long *final = malloc((size_t)(n + 1) * sizeof *final);
    for (long id = 0; id <= n; id++)
        final[id] = -1;
    char q[128];
    snprintf(q, sizeof q, "SELECT id, v FROM %s.t", DBN);
    cr_assert_eq(mysql_query(root, q), 0);
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)))
        final[atol(row[0])] = atol(row[1]);
    mysql_free_result(res);
    struct key_state *st = calloc((size_t)n + 1, sizeof *st);
    size_t done = 0;
    long good = 0;
    int64_t end = ts_now_ms() + 60000;
    while (good < n && ts_now_ms() < end) {
        drom_mock_wait(mk, drom_mock_received(mk) + 1, 200);
        fold(mk, &done, st, n);
        good = 0;
        for (long id = 1; id <= n; id++)
            good += final[id] < 0 ? (st[id].last_op == 'd' || (st[id].last_op == 0 && st[id].reads == 0))
                                  : (st[id].last_op && st[id].last_op != 'd' && st[id].v == final[id]);
    }
    long reads = 0;
    for (long id = 1; id <= n; id++) {
        reads += st[id].reads;
        if (final[id] >= 0) {
            cr_assert(st[id].last_op && st[id].last_op != 'd', "row %ld: present, its last event %c", id,
                      st[id].last_op ? st[id].last_op : '-');
            cr_assert_eq(st[id].v, final[id], "row %ld: the last event has v=%ld, the table %ld", id, st[id].v,
                         final[id]);
        } else
            cr_assert(st[id].last_op == 'd' || !st[id].last_op, "row %ld was deleted; its last event is %c", id,
                      st[id].last_op);
    }
    cr_log_info("%s under writes: %ld reads, %ld updates and %ld deletes by the writer", what, reads, w.updates,
                w.deletes);
    cr_assert_gt(reads, n / 2, "most rows come as reads");
    free(final);
    free(st);
    return reads;
}

static void execute_in_signal_table(MYSQL *root, void *arg)
{
    (void)arg;
    char data[256];
    snprintf(data, sizeof data, "{\"data-collections\": [\"%s[.]t\"], \"type\": \"incremental\"}", DBN);
    send_signal(root, "sig-1", "execute-snapshot", data);
}

Test(mysql_binlog_signals, execute_snapshot_under_writes_ends_at_every_rows_final_state, .timeout = 120)
{
    enum { N = 5000 };
    MYSQL *root = ts_root(0);
    setup(root, DB, N);
    char *offsets = mbt_tmp_path("sig"), q[1024];
    struct mbt_run r;
    mbt_start(&r, 5431, start_query(q, sizeof q, offsets, DB "[.](t|mark)", 100));
    under_writes(root, drom_mock_get(r.eng, "out"), N, execute_in_signal_table, NULL, "incremental snapshot");
    end_run(&r, offsets, root, DB);
}

#undef DB
#define DB "mbt_sig2"

Test(mysql_binlog_signals, pause_resume_stop_and_additional_conditions, .timeout = 120)
{
    enum { N = 300 };
    MYSQL *root = ts_root(0);
    setup(root, DB, N);
    char *offsets = mbt_tmp_path("sig"), q[1024];
    struct mbt_run r;
    mbt_start(&r, 5432, start_query(q, sizeof q, offsets, DB "[.](t|mark)", 10));
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    /* execute and pause together: the chunk between its watermarks completes, no other */
    ts_sql(root, "BEGIN; INSERT INTO " DB ".sig VALUES ('p-1', 'execute-snapshot', "
                  "'{\"data-collections\": [\"" DB "[.]t\"]}'); INSERT INTO " DB ".sig VALUES ('p-2', "
                  "'pause-snapshot', NULL); COMMIT");
    size_t at = step(root, mk, 0, 1, 1, 10, "paused after the first chunk");
    cr_assert_eq(closes(root), 1, "no chunk read while paused");
    send_signal(root, "p-3", "resume-snapshot", "");
    size_t at2 = step(root, mk, at, 2, 11, N - 10, "the rest after the resume");
    /* execute and stop together: the chunk read between its watermarks is dropped */
    long before = closes(root);
    ts_sql(root, "BEGIN; INSERT INTO " DB ".sig VALUES ('s-1', 'execute-snapshot', "
                  "'{\"data-collections\": [\"" DB "[.]t\"]}'); INSERT INTO " DB ".sig VALUES ('s-2', "
                  "'stop-snapshot', '{\"data-collections\": [\"" DB "[.]t\"], \"type\": \"incremental\"}'); COMMIT");
    int64_t end = ts_now_ms() + 20000;
    while (closes(root) == before && ts_now_ms() < end)
        usleep(20000);
    cr_assert_eq(closes(root), before + 1, "the execute read its first chunk");
    size_t at3 = step(root, mk, at2, 3, 1, 0, "a stopped snapshot sends nothing");
    /* only the rows of the condition; a bad signal and a log signal change nothing */
    send_signal(root, "bad-1", "execute-snapshot", "not json");
    send_signal(root, "log-1", "log", "{\"message\": \"hello from the signal table\"}");
    send_signal(root, "c-1", "execute-snapshot", "{\"data-collections\": [\"" DB "[.]t\"], \"additional-conditions\": "
           "[{\"data-collection\": \"" DB ".t\", \"filter\": \"id > 100 AND id <= 105\"}]}");
    size_t at4 = step(root, mk, at3, 4, 101, 5, "the condition's rows");
    /* a stop of the table being read (mark comes first) goes on with the next one */
    ts_sql(root, "BEGIN; INSERT INTO " DB ".sig VALUES ('m-1', 'execute-snapshot', '{\"data-collections\": "
                  "[\"" DB "[.]t\", \"" DB "[.]mark\"]}'); INSERT INTO " DB ".sig VALUES ('m-2', 'stop-snapshot', "
                  "'{\"data-collections\": [\"" DB "[.]mark\"]}'); COMMIT");
    step(root, mk, at4, 5, 1, N, "the next table after the stopped one, and none of the stopped one");
    end_run(&r, offsets, root, DB);
}

#undef DB
#define DB "mbt_sig3"

Test(mysql_binlog_signals, a_table_added_to_the_include_list_is_snapshotted_by_a_signal, .timeout = 120)
{
    enum { N = 500 };
    MYSQL *root = ts_root(0);
    setup(root, DB, N);
    ts_sql(root, "USE " DB "; CREATE TABLE t2 (id INT PRIMARY KEY, w VARCHAR(20)); "
                  "INSERT INTO t2 SELECT seq, CONCAT('w', seq) FROM seq_1_to_%d", N);
    char *offsets = mbt_tmp_path("sig"), q[1024];
    struct mbt_run r;
    mbt_start(&r, 5433, start_query(q, sizeof q, offsets, DB "[.](t|mark)", 64));
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    sentinel(root, mk, 1);
    mbt_stop(&r);
    /* the same source, its offsets kept, now capturing t2 as well */
    mbt_start(&r, 5433, start_query(q, sizeof q, offsets, DB "[.](t|t2|mark)", 64));
    mk = drom_mock_get(r.eng, "out");
    send_signal(root, "add-1", "execute-snapshot", "{\"data-collections\": [\"" DB "[.]t2\"]}");
    wait_reads(mk, 0, N);
    size_t at = sentinel(root, mk, 2);
    static bool seen[N + 1];
    size_t reads = 0;
    for (size_t i = 0; i < at; i++) {
        json_t *j = mbt_json(mk, i);
        const char *op = json_string_value(json_object_get(j, "op"));
        const char *table = json_string_value(json_object_get(json_object_get(j, "source"), "table"));
        if (op && *op == 'r') {
            cr_assert_str_eq(table, "t2", "only the signalled table is read");
            json_t *a = json_object_get(j, "after");
            long id = (long)json_integer_value(json_object_get(a, "id"));
            char want[32];
            snprintf(want, sizeof want, "w%ld", id);
            cr_assert_str_eq(json_string_value(json_object_get(a, "w")), want);
            cr_assert(id >= 1 && id <= N && !seen[id], "row %ld once", id);
            seen[id] = true;
            reads++;
        }
        json_decref(j);
    }
    cr_assert_eq(reads, N, "every row of t2 read: %zu", reads);
    end_run(&r, offsets, root, DB);
}

#undef DB
#define DB "mbt_sig4"

/* dromd as a child process on db.t, into DIR/out.jsonl, offsets in DIR/offsets.json. */
struct child {
    struct mbt_proc p;
    char xml[4096], out[512], offsets[512];
};

/* The child's source: its serverId, incrementalSnapshotChunkSize,
 * offsetFlushIntervalMs and more options of its URI ("&amp;..."; NULL: none). */
struct child_opts {
    unsigned server_id;
    int chunk, flush_ms;
    const char *extra;
};

static void child_start(struct child *c, const char *db, struct child_opts o)
{
    memset(c, 0, sizeof *c);
    c->p.dir = mbt_tmp_path("sigchild");
    cr_assert_eq(mkdir(c->p.dir, 0700), 0);
    snprintf(c->xml, sizeof c->xml,
             "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:t?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
             "password=debezium&amp;serverId=%u&amp;tableIncludeList=%s.t&amp;snapshotMode=no_data&amp;"
             "schemas=false&amp;offsetFlushIntervalMs=%d&amp;offsetStorageFileName=%s/offsets.json&amp;"
             "signalDataCollection=%s.sig&amp;incrementalSnapshotChunkSize=%d%s\"/>"
             "<to uri=\"file:%s?fileName=out.jsonl&amp;fileExist=Append&amp;appendChars=\\n\"/></route></routes>",
             mbt_port(), o.server_id, db, o.flush_ms, c->p.dir, db, o.chunk, o.extra ? o.extra : "", c->p.dir);
    snprintf(c->out, sizeof c->out, "%s/out.jsonl", c->p.dir);
    snprintf(c->offsets, sizeof c->offsets, "%s/offsets.json", c->p.dir);
    mbt_dromd(&c->p, c->xml);
    cr_assert(mbt_proc_ready(&c->p, 20000), "dromd ready: %s", ts_slurp(c->p.log));
}

/* A fresh database `db` with rows 1..n of t (setup), and dromd as a child
 * on it: root's connection, for the test to close. */
static MYSQL *child_setup(struct child *c, const char *db, int n, struct child_opts o)
{
    MYSQL *root = ts_root(0);
    setup(root, db, n);
    child_start(c, db, o);
    return root;
}

/* The end of a test with dromd as a child: the child stopped and its
 * files removed, the test's database dropped, root closed. */
static void end_child(struct child *c, MYSQL *root, const char *db)
{
    mbt_proc_free(&c->p);
    ts_sql(root, "DROP DATABASE %s", db);
    mysql_close(root);
}

/* Member `name` of the offset stored in the child's offset file (a new reference; NULL: none). */
static json_t *stored_member(const char *offsets, const char *name)
{
    json_t *j = json_load_file(offsets, 0, NULL);
    json_t *o = NULL, *v;
    const char *k;
    json_object_foreach(json_object_get(j, "offsets"), k, v)
        o = v;
    json_t *m = json_incref(json_object_get(o, name));
    json_decref(j);
    return m;
}

/* The stored incremental snapshot's last key done (-1: none stored, 0: the table's start). */
static long stored_last_key(const char *offsets)
{
    json_t *inc = stored_member(offsets, "incremental_snapshot");
    json_t *key = json_object_get(inc, "last_key");
    long last = !inc ? -1 : json_array_size(key) ? atol(json_string_value(json_array_get(key, 0))) : 0;
    json_decref(inc);
    return last;
}

/* Each event of the sink file, in order, to `fn` with its index (a body
 * cut by a kill ends them); their number. */
static size_t file_events(const char *path, void (*fn)(void *arg, size_t i, json_t *event), void *arg)
{
    char *text = ts_slurp(path);
    size_t len = strlen(text), off = 0, n = 0;
    while (off < len) {
        while (off < len && (text[off] == '\n' || text[off] == ' '))
            off++;
        json_error_t je;
        json_t *j = off < len ? json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &je) : NULL;
        if (!j)
            break;
        off += (size_t)je.position;
        fn(arg, n++, j);
        json_decref(j);
    }
    free(text);
    return n;
}

struct reads {
    long *ids;
    char *ops;
    size_t cap;
    long max;
};

/* Every row image is (id, v = id, s = "r<id>"). */
static void read_event(void *arg, size_t i, json_t *j)
{
    const struct reads *r = arg;
    long id = row_as_written(json_object_get(j, "after"));
    cr_assert(id >= 1 && id <= r->max);
    if (i < r->cap) {
        if (r->ops)
            r->ops[i] = *json_string_value(json_object_get(j, "op"));
        r->ids[i] = id;
    }
}

/* The ids of the events in the sink file, in order, and their ops when
 * `ops`; every row image checked (ids up to max). */
static size_t file_reads(const char *path, long *ids, char *ops, size_t cap, long max)
{
    struct reads r = {ids, ops, cap, max};
    size_t n = file_events(path, read_event, &r);
    return n < cap ? n : cap;
}

/* The lines of a file (events written so far), cheaply: parsing the whole
 * file at each poll is slow enough (under ASan) for a snapshot to end
 * before a kill meant for its middle. */
static size_t lines_of(const char *path)
{
    char *text = ts_slurp(path);
    size_t n = 0;
    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    free(text);
    return n;
}

/* The child's step of a kill -9 test: waits up to 30 s until `when` holds
 * (polled every 2 ms), kills dromd with SIGKILL and answers the events the
 * sink holds then (their ids and ops, as file_reads). */
static size_t kill9_when(struct child *c, bool (*when)(const struct child *c), long *ids, char *ops, size_t cap,
                         long max)
{
    int64_t end = ts_now_ms() + 30000;
    while (!when(c) && ts_now_ms() < end)
        usleep(2000);
    mbt_kill(&c->p, SIGKILL);
    return file_reads(c->out, ids, ops, cap, max);
}

/* Waits (up to timeout_ms) until the sink holds `want` events, the last
 * of op `last_op` when it is not 0: their number (ids and ops as file_reads). */
static size_t sink_until(const struct child *c, long *ids, char *ops, size_t cap, long max, size_t want, char last_op,
                         int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    size_t n;
    while (((n = file_reads(c->out, ids, ops, cap, max)) < want || (last_op && (!n || ops[n - 1] != last_op))) &&
           ts_now_ms() < end)
        usleep(50000);
    return n;
}

/* Starts dromd again on the same routes and state, then sink_until. */
static size_t restart_until(struct child *c, long *ids, char *ops, size_t cap, long max, size_t want, char last_op,
                            int64_t timeout_ms)
{
    mbt_dromd(&c->p, c->xml);
    cr_assert(mbt_proc_ready(&c->p, 20000), "dromd ready after the restart: %s", ts_slurp(c->p.log));
    return sink_until(c, ids, ops, cap, max, want, last_op, timeout_ms);
}

static bool past_key_3000(const struct child *c)
{
    return stored_last_key(c->offsets) >= 3000;
}

Test(mysql_binlog_signals, kill9_mid_snapshot_resumes_at_the_next_chunk, .timeout = 120)
{
    enum { N = 30000 };
    struct child c;
    MYSQL *root = child_setup(&c, DB, N, (struct child_opts){.server_id = 5434, .chunk = 250, .flush_ms = 20});
    send_signal(root, "k-1", "execute-snapshot", "{\"data-collections\": [\"" DB "[.]t\"]}");
    static long ids[4 * N];
    size_t before = kill9_when(&c, past_key_3000, ids, NULL, 4 * N, N);
    long k = stored_last_key(c.offsets);
    cr_log_info("kill -9 with %zu reads written, the offset stored after key %ld", before, k);
    cr_assert(k >= 3000 && k < N, "killed mid-snapshot (stored last key %ld)", k);
    size_t n = restart_until(&c, ids, NULL, 4 * N, N, before + (size_t)(N - k), 0, 60000);
    mbt_kill(&c.p, SIGKILL);
    static bool seen[N + 1];
    for (size_t i = 0; i < n; i++)
        seen[ids[i]] = true;
    for (long id = 1; id <= N; id++)
        cr_assert(seen[id], "row %ld read", id);
    cr_assert_gt(n, before, "reads after the restart");
    cr_assert_eq(ids[before], k + 1, "the restart reads from the chunk after the stored key %ld (got %ld)", k,
                 ids[before]);
    for (size_t i = before; i < n; i++)
        cr_assert_gt(ids[i], k, "after the restart no row of a stored chunk is read again (row %ld)", ids[i]);
    cr_assert_eq(n - before, (size_t)(N - k), "each row after the stored key once after the restart");
    end_child(&c, root, DB);
}

#undef DB
#define DB "mbt_sig5"

Test(mysql_binlog_signals, a_signal_from_the_kafka_channel_snapshots_a_table, .timeout = 120)
{
    enum { N = 400 };
    const char *brokers = ts_env("KAFKA_BROKERS", "127.0.0.1:9092");
    MYSQL *root = ts_root(0);
    setup(root, DB, N);
    char *offsets = mbt_tmp_path("sig"), topic[96], q[2048], base[1024];
    snprintf(topic, sizeof topic, "mbt-signals-%d-%ld", (int)getpid(), (long)random());
    snprintf(q, sizeof q, "%s&signalEnabledChannels=source,kafka&signalKafkaTopic=%s&signalKafkaBootstrapServers=%s&"
             "heartbeatIntervalMs=200", start_query(base, sizeof base, offsets, DB "[.](t|mark)", 50), topic, brokers);
    /* a record of another source and one that is no signal are skipped; the third is ours */
    ts_produce(brokers, topic, "another-source", "{\"type\": \"execute-snapshot\", \"data\": "
                 "{\"data-collections\": [\"" DB "[.]t\"]}}");
    ts_produce(brokers, topic, "t", "not json");
    ts_produce(brokers, topic, "t", "{\"type\": \"execute-snapshot\", \"data\": {\"data-collections\": "
                 "[\"" DB "[.]t\"], \"type\": \"incremental\", \"additional-conditions\": "
                 "[{\"data-collection\": \"" DB ".t\", \"filter\": \"id <= 120\"}]}}");
    struct mbt_run r;
    mbt_start(&r, 5435, q);
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    step(root, mk, 0, 1, 1, 120, "the rows of the Kafka signal's condition, once");
    end_run(&r, offsets, root, DB);
}

#undef DB
#define DB "mbt_sig6"

/* A metric of the in-process engine: the line that starts with `prefix` (-1: none). */
static long long engine_metric(struct mbt_run *r, const char *prefix)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(r->eng, &b);
    long long v = ts_metric(drom_buf_cstr(&b), prefix);
    drom_buf_free(&b);
    return v;
}

struct kafka_channel {
    const char *brokers;
    char topic[96];
};

static void execute_from_kafka(MYSQL *root, void *arg)
{
    (void)root;
    const struct kafka_channel *k = arg;
    char value[512];
    snprintf(value, sizeof value, "{\"type\": \"execute-snapshot\", \"data\": {\"data-collections\": [\"%s[.]t\"], "
             "\"type\": \"incremental\"}}", DBN);
    ts_produce(k->brokers, k->topic, "t", value);
}

/* A fresh database `db` with rows 1..n of t whose signal table the source's user may not write (nor
 * anything else), and a signal topic of its own, made before the source reads it: root's connection. */
static MYSQL *read_only_setup(const char *db, int n, struct kafka_channel *k)
{
    MYSQL *root = ts_root(0);
    setup(root, db, n);
    ts_sql(root, "REVOKE INSERT ON %s.sig FROM 'debezium'@'%%'; REVOKE INSERT ON %s.sig FROM 'debezium'@'localhost'",
           db, db);
    MYSQL *dbz = mysql_init(NULL);
    cr_assert_not_null(mysql_real_connect(dbz, "127.0.0.1", "debezium", "debezium", NULL, mbt_port(), NULL, 0), "%s",
                       mysql_error(dbz));
    char q[256];
    snprintf(q, sizeof q, "INSERT INTO %s.sig VALUES ('x', 'log', NULL)", db);
    cr_assert_neq(mysql_query(dbz, q), 0, "the user may not insert");
    mysql_close(dbz);
    *k = (struct kafka_channel){.brokers = ts_env("KAFKA_BROKERS", "127.0.0.1:9092")};
    snprintf(k->topic, sizeof k->topic, "mbt-ro-signals-%s-%d-%ld", db, (int)getpid(), (long)random());
    ts_produce(k->brokers, k->topic, "another-source", "{}");
    return root;
}

Test(mysql_binlog_signals, a_read_only_snapshot_writes_nothing_and_ends_at_every_rows_final_state, .timeout = 120)
{
    enum { N = 3000 };
    struct kafka_channel k;
    MYSQL *root = read_only_setup(DB, N, &k);
    char *offsets = mbt_tmp_path("sig"), q[2048], base[1024];
    snprintf(q, sizeof q, "%s&readOnly=true&signalEnabledChannels=source,kafka&signalKafkaTopic=%s&"
             "signalKafkaBootstrapServers=%s&heartbeatIntervalMs=200",
             start_query(base, sizeof base, offsets, DB "[.](t|mark)", 100), k.topic, k.brokers);
    struct mbt_run r;
    mbt_start(&r, 5436, q);
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    under_writes(root, mk, N, execute_from_kafka, &k, "read-only incremental snapshot");
    int64_t end = ts_now_ms() + 30000;
    while (engine_metric(&r, "debezium_metrics_SnapshotCompleted{context=\"snapshot\"") != 1 && ts_now_ms() < end)
        usleep(20000);
    cr_assert_eq(engine_metric(&r, "debezium_metrics_SnapshotCompleted{context=\"snapshot\""), 1, "completed");
    char *rows = mbt_scalar(root, "SELECT COUNT(*) FROM %s.sig", DB);
    cr_assert_str_eq(rows, "0", "no watermark written");
    free(rows);
    /* an idle server: the chunks still go out (the stream's position passes each chunk's snapshot) */
    ts_sql(root, "DELETE FROM " DB ".t; INSERT INTO " DB ".t SELECT seq, seq, CONCAT('r', seq) FROM " DB ".seq_1_to_500");
    size_t at = sentinel(root, mk, 1);
    execute_from_kafka(root, &k);
    step(root, mk, at, 2, 1, 500, "an idle server's read-only snapshot, every row once in key order");
    end_run(&r, offsets, root, DB);
}

#undef DB
#define DB "mbt_sig7"

/* What exchange i says: op, id and v of its row, source.snapshot. */
struct seen_event {
    char op;
    long id, v;
    char snapshot[32];
};

static struct seen_event event_at(struct drom_mock *mk, size_t i)
{
    struct seen_event e = {0};
    json_t *j = mbt_json(mk, i);
    const char *op = j ? json_string_value(json_object_get(j, "op")) : NULL;
    if (!op) {
        json_decref(j);
        return e;
    }
    json_t *img = json_object_get(j, *op == 'd' ? "before" : "after");
    const char *snap = json_string_value(json_object_get(json_object_get(j, "source"), "snapshot"));
    e.op = *op;
    e.id = (long)json_integer_value(json_object_get(img, "id"));
    e.v = (long)json_integer_value(json_object_get(img, "v"));
    snprintf(e.snapshot, sizeof e.snapshot, "%s", snap ? snap : "");
    json_decref(j);
    return e;
}

Test(mysql_binlog_signals, a_blocking_snapshot_pauses_the_stream_and_resumes_where_it_paused, .timeout = 120)
{
    enum { N = 2000 };
    MYSQL *root = ts_root(0);
    setup(root, DB, N);
    char *offsets = mbt_tmp_path("sig"), q[1024];
    struct mbt_run r;
    mbt_start(&r, 5437, start_query(q, sizeof q, offsets, DB "[.](t|mark)", 100));
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    /* one transaction: a change before the signal, the signal, a change after it */
    ts_sql(root, "BEGIN; UPDATE " DB ".t SET v = -1 WHERE id = 1; INSERT INTO " DB ".sig VALUES ('b-1', "
                 "'execute-snapshot', '{\"data-collections\": [\"" DB "[.]t\"], \"type\": \"blocking\"}'); "
                 "UPDATE " DB ".t SET v = -2 WHERE id = 2; COMMIT");
    /* not wait_reads: rows 1 and 2 are read with the transaction's v, which its image check refuses;
     * each event is checked below */
    drom_mock_wait(mk, (size_t)N + 2, 30000);
    size_t at = sentinel(root, mk, 1);
    cr_assert_eq(at, (size_t)N + 2, "the change before, %d reads, the change after: %zu exchanges", N, at);
    struct seen_event e = event_at(mk, 0);
    cr_assert(e.op == 'u' && e.id == 1 && e.v == -1, "first the change before the signal (%c %ld)", e.op, e.id);
    for (long id = 1; id <= N; id++) {
        e = event_at(mk, (size_t)id);
        long v = id == 1 ? -1 : id == 2 ? -2 : id;   /* the snapshot reads what the transaction committed */
        const char *mark = id == 1 ? "first" : id == N ? "last" : "true";
        cr_assert(e.op == 'r' && e.id == id && e.v == v, "read %ld: %c %ld v=%ld", id, e.op, e.id, e.v);
        cr_assert_str_eq(e.snapshot, mark, "source.snapshot of read %ld", id);
    }
    e = event_at(mk, (size_t)N + 1);
    cr_assert(e.op == 'u' && e.id == 2 && e.v == -2, "then the change after the signal, once (%c %ld)", e.op, e.id);
    char *id = mbt_header(mk, 1, "DromEventId");
    cr_assert(id && strstr(id, ":blocking:b-1:" DB ".t#1"), "a read's event id names the signal and the key: %s", id);
    free(id);
    /* only the rows of the condition; the stream goes on after it */
    send_signal(root, "b-2", "execute-snapshot", "{\"data-collections\": [\"" DB "[.]t\"], \"type\": \"blocking\", "
                "\"additional-conditions\": [{\"data-collection\": \"" DB ".t\", \"filter\": \"id > 2 AND id <= 12\"}]}");
    step(root, mk, at, 2, 3, 10, "a blocking snapshot of the condition's rows");
    end_run(&r, offsets, root, DB);
}

#undef DB
#define DB "mbt_sig8"

static bool mid_blocking_snapshot(const struct child *c)
{
    json_t *ctx = stored_member(c->offsets, "blocking_snapshot");
    json_decref(ctx);
    return ctx && lines_of(c->out) >= 3000;
}

Test(mysql_binlog_signals, kill9_mid_blocking_snapshot_takes_it_again_then_streams_from_the_pause, .timeout = 150)
{
    enum { N = 30000 };
    struct child c;
    MYSQL *root = child_setup(&c, DB, N, (struct child_opts){.server_id = 5438, .chunk = 1024, .flush_ms = 20});
    send_signal(root, "kb-1", "execute-snapshot", "{\"data-collections\": [\"" DB "[.]t\"], \"type\": \"blocking\"}");
    static long ids[4 * N];
    static char ops[4 * N];
    size_t before = kill9_when(&c, mid_blocking_snapshot, ids, ops, 4 * N, N + 1);
    json_t *ctx = stored_member(c.offsets, "blocking_snapshot");
    cr_assert_not_null(ctx, "the stored offset carries the running snapshot");
    json_decref(ctx);
    cr_assert(before >= 3000 && before < N, "killed mid-snapshot after %zu reads", before);
    /* a change while dromd is down: after the pause point, so streamed after the snapshot taken again */
    ts_sql(root, "INSERT INTO " DB ".t VALUES (%d, %d, 'r%d')", N + 1, N + 1, N + 1);
    size_t n = restart_until(&c, ids, ops, 4 * N, N + 1, 1, 'c', 90000);
    mbt_kill(&c.p, SIGKILL);
    cr_log_info("kill -9 after %zu reads of the blocking snapshot; %zu events after the restart", before, n - before);
    cr_assert_eq(n - before, (size_t)N + 2, "the snapshot again (%d rows and the new one), then the insert", N);
    for (size_t i = 0; i <= N; i++)
        cr_assert(ops[before + i] == 'r' && ids[before + i] == (long)i + 1, "read %zu after the restart: %c %ld", i,
                  ops[before + i], ids[before + i]);
    cr_assert(ops[n - 1] == 'c' && ids[n - 1] == N + 1, "the change made while down streams after the snapshot");
    char *log = ts_slurp(c.p.log);
    cr_assert(strstr(log, "taken again"), "the restart says the snapshot is taken again: %s", log);
    free(log);
    end_child(&c, root, DB);
}

#undef DB
#define DB "mbt_sig9"

/* The value of the metric line that starts with `name` and holds `labels` (-1 when none). */
static long long metric_with(const struct mbt_proc *p, const char *name, const char *labels)
{
    char *body;
    if (mbt_http(p, "/metrics", &body) != 200)
        return -1;
    long long v = -1;
    for (char *line = strtok(body, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, name, strlen(name)) == 0 && line[strlen(name)] == '{' && strstr(line, labels))
            v = atoll(strrchr(line, ' ') + 1);
    free(body);
    return v;
}

/* The route's "snapshot" object of /routes (a new reference). */
static json_t *routes_snapshot(const struct mbt_proc *p)
{
    char *body;
    cr_assert_eq(mbt_http(p, "/routes", &body), 200);
    json_t *j = json_loads(body, 0, NULL);
    free(body);
    json_t *snap = json_incref(json_object_get(json_array_get(json_object_get(j, "routes"), 0), "snapshot"));
    json_decref(j);
    cr_assert_not_null(snap, "/routes has the route's snapshot object");
    return snap;
}

#define SNAP(m) "debezium_metrics_" m
#define TABLE_LABEL "table=\"" DB ".t\""

static void expect_snapshot(const struct mbt_proc *p, int running, int paused, int completed, int remaining,
                            long rows, const char *when)
{
    cr_assert_eq(metric_with(p, SNAP("SnapshotRunning"), "context=\"snapshot\""), running, "%s: SnapshotRunning", when);
    cr_assert_eq(metric_with(p, SNAP("SnapshotPaused"), "context=\"snapshot\""), paused, "%s: SnapshotPaused", when);
    cr_assert_eq(metric_with(p, SNAP("SnapshotCompleted"), "context=\"snapshot\""), completed, "%s: SnapshotCompleted",
                 when);
    cr_assert_eq(metric_with(p, SNAP("TotalTableCount"), "context=\"snapshot\""), 1, "%s: TotalTableCount", when);
    cr_assert_eq(metric_with(p, SNAP("RemainingTableCount"), "context=\"snapshot\""), remaining,
                 "%s: RemainingTableCount", when);
    cr_assert_eq(metric_with(p, SNAP("RowsScanned"), TABLE_LABEL), rows, "%s: RowsScanned of the table", when);
    long long secs = metric_with(p, SNAP("SnapshotDurationInSeconds"), "context=\"snapshot\"");
    cr_assert(secs >= 0 && secs < 60, "%s: SnapshotDurationInSeconds %lld", when, secs);
    json_t *snap = routes_snapshot(p);
    const struct { const char *name; long want; } fields[] = {
        {"running", running}, {"paused", paused}, {"completed", completed}, {"totalTables", 1},
        {"remainingTables", remaining}, {"rowsScanned", rows}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cr_assert_eq(json_integer_value(json_object_get(snap, fields[i].name)), fields[i].want, "%s: /routes %s",
                     when, fields[i].name);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(snap, "rowsScannedByTable"), DB ".t")), rows,
                 "%s: /routes rowsScannedByTable", when);
    cr_assert_str_eq(json_string_value(json_object_get(snap, "table")), DB ".t", "%s: /routes table", when);
    json_decref(snap);
}

Test(mysql_binlog_signals, snapshot_metrics_and_the_routes_snapshot_object_during_and_after, .timeout = 120)
{
    enum { N = 1000 };
    struct child c;
    MYSQL *root = child_setup(&c, DB, N, (struct child_opts){.server_id = 5439, .chunk = 100, .flush_ms = 20});
    /* execute and pause together: the first chunk is read, then the snapshot waits */
    ts_sql(root, "BEGIN; INSERT INTO " DB ".sig VALUES ('m-1', 'execute-snapshot', '{\"data-collections\": [\"" DB
                 "[.]t\"]}'); INSERT INTO " DB ".sig VALUES ('m-2', 'pause-snapshot', NULL); COMMIT");
    int64_t end = ts_now_ms() + 30000;
    while (metric_with(&c.p, SNAP("SnapshotPaused"), "context=\"snapshot\"") != 1 && ts_now_ms() < end)
        usleep(20000);
    expect_snapshot(&c.p, 1, 1, 0, 1, 100, "paused after the first chunk");
    send_signal(root, "m-3", "resume-snapshot", "");
    end = ts_now_ms() + 30000;
    while (metric_with(&c.p, SNAP("SnapshotCompleted"), "context=\"snapshot\"") != 1 && ts_now_ms() < end)
        usleep(20000);
    expect_snapshot(&c.p, 0, 0, 1, 0, N, "completed");
    end_child(&c, root, DB);
}

#undef DB
#define DB "mbt_sig10"

/* The stored offset's incremental_snapshot_signal_offset: the last Kafka signal handled (-1: none). */
static long stored_signal_offset(const char *offsets)
{
    json_t *v = stored_member(offsets, "incremental_snapshot_signal_offset");
    long at = v ? (long)json_integer_value(v) : -1;
    json_decref(v);
    return at;
}

/* Rows of t when the durable signal test starts; one more is inserted before its signal. */
enum { DURABLE_ROWS = 200 };

/* The insert and the snapshot's reads of every row are in the sink. */
static bool snapshot_sent(const struct child *c)
{
    return lines_of(c->out) >= 1 + DURABLE_ROWS + 1;
}

/* The offset the child's signal channel group (dromd-signal-t) committed on partition 0 of `topic` (-1: none). */
static int64_t group_offset(const char *brokers, const char *topic)
{
    char why[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    cr_assert_eq(rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, sizeof why), RD_KAFKA_CONF_OK, "%s", why);
    cr_assert_eq(rd_kafka_conf_set(conf, "group.id", "dromd-signal-t", why, sizeof why), RD_KAFKA_CONF_OK, "%s", why);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, l, 10000);
    cr_assert_eq(e, 0, "the group's offsets: %s", rd_kafka_err2str(e));
    int64_t at = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return at < 0 ? -1 : at;
}

/* Counts the events from `from` on that are reads of an incremental snapshot. */
struct incremental_reads {
    size_t from, n;
};

static void count_incremental(void *arg, size_t i, json_t *j)
{
    struct incremental_reads *r = arg;
    const char *op = json_string_value(json_object_get(j, "op"));
    const char *snap = json_string_value(json_object_get(json_object_get(j, "source"), "snapshot"));
    if (i >= r->from && op && *op == 'r') {
        cr_assert_str_eq(snap ? snap : "", "incremental", "event %zu is a read of the incremental snapshot", i);
        r->n++;
    }
}

Test(mysql_binlog_signals, a_kafka_signal_read_before_a_kill9_runs_after_the_restart_and_once_only, .timeout = 150)
{
    enum { N = DURABLE_ROWS, R = N + 1 };   /* R: the rows the snapshot reads */
    const char *brokers = ts_env("KAFKA_BROKERS", "127.0.0.1:9092");
    char topic[96], extra[1024];
    snprintf(topic, sizeof topic, "mbt-durable-signals-%d-%ld", (int)getpid(), (long)random());
    ts_produce(brokers, topic, "another-source", "{}");   /* offset 0: the topic exists before the source reads it */
    snprintf(extra, sizeof extra, "&amp;signalEnabledChannels=source,kafka&amp;signalKafkaTopic=%s&amp;"
             "signalKafkaBootstrapServers=%s&amp;heartbeatIntervalMs=200", topic, brokers);
    /* positions stored once a minute after the first: the snapshot's rows are delivered long before theirs is */
    struct child c;
    MYSQL *root = child_setup(&c, DB, N, (struct child_opts){.server_id = 5440, .chunk = 1000, .flush_ms = 60000,
                                                             .extra = extra});
    json_t *start = stored_member(c.offsets, "checksum");
    cr_assert_not_null(start, "the start's position is stored");
    ts_sql(root, "INSERT INTO " DB ".t VALUES (%d, %d, 'r%d')", R, R, R);
    int64_t end = ts_now_ms() + 20000;
    json_t *sum = NULL;
    while ((json_decref(sum), sum = stored_member(c.offsets, "checksum"), json_equal(sum, start)) &&
           ts_now_ms() < end)
        usleep(20000);
    cr_assert(!json_equal(sum, start), "the first position (the insert's) is stored at once");
    json_decref(sum);
    json_decref(start);
    ts_produce(brokers, topic, "t", "{\"type\": \"execute-snapshot\", \"data\": {\"data-collections\": "
                 "[\"" DB "[.]t\"], \"type\": \"incremental\"}}");   /* offset 1 */
    static long ids[4 * R];
    static char ops[4 * R];
    /* read and acted on, yet the group is not committed: not within librdkafka's auto-commit interval (5 s),
     * nor later while the snapshot's position waits to be stored */
    sink_until(&c, ids, ops, 4 * R, R + 2, R + 1, 0, 30000);
    for (int64_t watch = ts_now_ms() + 6000; ts_now_ms() < watch; usleep(500000))
        cr_assert_lt(group_offset(brokers, topic), 2, "the group's offset is committed only once stored");
    size_t before = kill9_when(&c, snapshot_sent, ids, ops, 4 * R, R + 2);
    cr_assert_eq(before, (size_t)R + 1, "the insert and the snapshot's %d reads were delivered before the kill", R);
    cr_assert_lt(stored_signal_offset(c.offsets), 1, "the kill came before the signal's snapshot was stored");
    json_t *inc = stored_member(c.offsets, "incremental_snapshot");
    cr_assert_null(inc, "no snapshot context stored before the kill");
    /* the signal is read again, and its snapshot runs again: every row once more, as incremental reads */
    size_t n = restart_until(&c, ids, ops, 4 * R, R + 2, before + R, 0, 60000);
    cr_assert_eq(n, before + R, "the snapshot again after the restart: %zu events", n - before);
    static bool seen[R + 1];
    for (size_t i = before; i < n; i++) {
        cr_assert(ops[i] == 'r' && ids[i] >= 1 && ids[i] <= R && !seen[ids[i]], "event %zu: %c of row %ld, once", i,
                  ops[i], ids[i]);
        seen[ids[i]] = true;
    }
    struct incremental_reads r = {.from = before};
    file_events(c.out, count_incremental, &r);
    cr_assert_eq(r.n, (size_t)R, "%zu incremental reads after the restart", r.n);
    /* a clean stop stores the signal's position with the snapshot's last rows: the next start reads on after it */
    mbt_kill(&c.p, SIGTERM);
    cr_assert_eq(stored_signal_offset(c.offsets), 1, "the stored offset carries the signal's position");
    char cmd[1024], *shown = NULL;
    snprintf(cmd, sizeof cmd, "%s offsets show --file %s 2>&1", ts_env("DROMD", "build/dromd"), c.offsets);
    cr_assert_eq(ts_sh(cmd, &shown), 0, "%s: %s", cmd, shown);
    cr_assert(strstr(shown, " signal offset 1 "), "`dromd offsets show` names the signal last acted on: %s", shown);
    free(shown);
    n = restart_until(&c, ids, ops, 4 * R, R + 2, 0, 0, 0);
    /* a record after the signal, logged when read: the channel has read past where it resumed by then */
    ts_produce(brokers, topic, "another-source", "{}");   /* offset 2 */
    end = ts_now_ms() + 30000;
    char *log = NULL;
    while ((free(log), log = ts_slurp(c.p.log), !strstr(log, "signal kafka-0-2: ")) && ts_now_ms() < end)
        usleep(20000);
    cr_assert_not_null(strstr(log, "signal kafka-0-2: "), "the channel read offset 2: %s", log);
    free(log);
    end = ts_now_ms() + 15000;
    while (group_offset(brokers, topic) != 2 && ts_now_ms() < end)
        usleep(100000);
    cr_assert_eq(group_offset(brokers, topic), 2, "the group follows the stored position");
    /* a snapshot run again would have written its watermarks before the first insert streamed, so its
     * reads would come before the second */
    for (int i = 1; i <= 2; i++) {
        ts_sql(root, "INSERT INTO " DB ".t VALUES (%d, %d, 'r%d')", R + i, R + i, R + i);
        cr_assert_eq(sink_until(&c, ids, ops, 4 * R, R + 2, n + (size_t)i, 'c', 30000), n + (size_t)i,
                     "after the clean restart only the inserts arrive, no read");
        cr_assert(ops[n + (size_t)i - 1] == 'c' && ids[n + (size_t)i - 1] == R + i, "the insert of row %d", R + i);
    }
    end_child(&c, root, DB);
}

#undef DB
#define DB "mbt_sig11"

/* Exchange i of Camel's debezium-mysql: op r of an incremental snapshot (its headers), with a row of t as
 * body (id, v = id, s = "r<id>"): its id. */
static long camel_incremental_read(struct drom_mock *mk, size_t i)
{
    char *op = mbt_header(mk, i, "CamelDebeziumOperation"), *src = mbt_header(mk, i, "CamelDebeziumSourceMetadata");
    cr_assert_str_eq(op ? op : "", "r", "exchange %zu is a read", i);
    json_t *source = json_loads(src ? src : "", 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(source, "snapshot")), "incremental", "exchange %zu: %s", i, src);
    json_decref(source);
    free(op);
    free(src);
    json_t *row = mbt_json(mk, i);
    long id = row_as_written(row);
    json_decref(row);
    return id;
}

Test(mysql_binlog_signals, a_read_only_snapshot_on_debezium_mysql_reads_every_row_and_writes_nothing, .timeout = 120)
{
    enum { N = 300 };
    struct kafka_channel k;
    MYSQL *root = read_only_setup(DB, N, &k);
    char *offsets = mbt_tmp_path("sig"), xml[4096];
    /* Camel's option names; Debezium's read.only through additionalProperties, as Camel passes it */
    snprintf(xml, sizeof xml,
             "<routes><route id=\"cdc\"><from uri=\"debezium-mysql:cdc?databaseHostname=127.0.0.1&amp;"
             "databasePort=%u&amp;databaseUser=debezium&amp;databasePassword=debezium&amp;databaseServerId=5441&amp;"
             "topicPrefix=t&amp;tableIncludeList=" DB "[.]t&amp;snapshotMode=no_data&amp;offsetStorageFileName=%s&amp;"
             "incrementalSnapshotChunkSize=64&amp;signalEnabledChannels=kafka&amp;signalKafkaTopic=%s&amp;"
             "signalKafkaBootstrapServers=%s&amp;heartbeatIntervalMs=200&amp;additionalProperties.read.only=true\"/>"
             "<to uri=\"mock:out\"/></route></routes>", mbt_port(), offsets, k.topic, k.brokers);
    struct mbt_run r;
    struct drom_mock *mk = mbt_start_routes(&r, xml);
    char *gtids = mbt_scalar(root, "SELECT @@gtid_binlog_pos");
    execute_from_kafka(root, &k);
    cr_assert_eq(drom_mock_wait(mk, N, 30000), 0, "%d reads arrive (got %zu)", N, drom_mock_received(mk));
    static bool seen[N + 1];
    for (size_t i = 0; i < N; i++) {
        long id = camel_incremental_read(mk, i);
        cr_assert(id >= 1 && id <= N && !seen[id], "row %ld read once", id);
        seen[id] = true;
    }
    /* nothing was written anywhere while the snapshot ran: the binlog did not move */
    char *after = mbt_scalar(root, "SELECT @@gtid_binlog_pos");
    cr_assert_str_eq(after, gtids, "no watermark (nor anything else) written by the snapshot");
    char *rows = mbt_scalar(root, "SELECT COUNT(*) FROM %s.sig", DB);
    cr_assert_str_eq(rows, "0", "no watermark row in the signal table");
    /* nothing more came: a change after the snapshot is the next exchange */
    ts_sql(root, "INSERT INTO " DB ".t VALUES (%d, %d, 'r%d')", N + 1, N + 1, N + 1);
    cr_assert_eq(drom_mock_wait(mk, N + 1, 30000), 0, "the insert arrives");
    char *op = mbt_header(mk, N, "CamelDebeziumOperation");
    cr_assert_str_eq(op ? op : "", "c", "the insert follows the reads");
    free(op);
    free(rows);
    free(after);
    free(gtids);
    end_run(&r, offsets, root, DB);
}
