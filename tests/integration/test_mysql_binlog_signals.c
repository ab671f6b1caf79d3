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

static void send_signal(MYSQL *m, const char *id, const char *type, const char *data)
{
    ts_sql(m, "INSERT INTO %s.sig VALUES ('%s', '%s', '%s')", DBN, id, type, data);
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
        if (op && *op == 'r' && s) {   /* a row of t: its image as written */
            char want[32];
            snprintf(want, sizeof want, "r%ld", id);
            cr_assert_str_eq(s, want, "row image of %ld", id);
            cr_assert_eq(json_integer_value(json_object_get(a, "v")), id, "row image of %ld", id);
        }
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

Test(mysql_binlog_signals, execute_snapshot_under_writes_ends_at_every_rows_final_state, .timeout = 120)
{
    enum { N = 5000 };
    MYSQL *root = ts_root(0);
    setup(root, DB, N);
    char *offsets = mbt_tmp_path("sig"), q[1024];
    struct mbt_run r;
    mbt_start(&r, 5431, start_query(q, sizeof q, offsets, DB "[.](t|mark)", 100));
    struct writer w = {.rows = N};
    pthread_t th;
    pthread_create(&th, NULL, write_rows, &w);
    send_signal(root, "sig-1", "execute-snapshot", "{\"data-collections\": [\"" DB "[.]t\"], \"type\": \"incremental\"}");
    usleep(1500000);
    atomic_store(&w.stop, true);
    pthread_join(th, NULL);
    /* the final table */
    static long final[N + 1];
    for (long id = 0; id <= N; id++)
        final[id] = -1;
    cr_assert_eq(mysql_query(root, "SELECT id, v FROM " DB ".t"), 0);
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)))
        final[atol(row[0])] = atol(row[1]);
    mysql_free_result(res);
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    static struct key_state st[N + 1];
    memset(st, 0, sizeof st);
    size_t done = 0;
    long good = 0;
    int64_t end = ts_now_ms() + 60000;
    while (good < N && ts_now_ms() < end) {
        drom_mock_wait(mk, drom_mock_received(mk) + 1, 200);
        fold(mk, &done, st, N);
        good = 0;
        for (long id = 1; id <= N; id++)
            good += final[id] < 0 ? (st[id].last_op == 'd' || (st[id].last_op == 0 && st[id].reads == 0))
                                  : (st[id].last_op && st[id].last_op != 'd' && st[id].v == final[id]);
    }
    long reads = 0;
    for (long id = 1; id <= N; id++) {
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
    cr_log_info("incremental snapshot under writes: %ld reads, %ld updates and %ld deletes by the writer", reads,
                w.updates, w.deletes);
    cr_assert_gt(reads, N / 2, "most rows come as reads");
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE " DB);
    mysql_close(root);
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
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE " DB);
    mysql_close(root);
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
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE " DB);
    mysql_close(root);
}

#undef DB
#define DB "mbt_sig4"

static const char *KILL_ROUTE =
    "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:t?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
    "password=debezium&amp;serverId=5434&amp;tableIncludeList=" DB ".t&amp;snapshotMode=no_data&amp;"
    "schemas=false&amp;offsetFlushIntervalMs=20&amp;offsetStorageFileName=%s/offsets.json&amp;"
    "signalDataCollection=" DB ".sig&amp;incrementalSnapshotChunkSize=250\"/>"
    "<to uri=\"file:%s?fileName=out.jsonl&amp;fileExist=Append&amp;appendChars=\\n\"/></route></routes>";

/* The stored incremental snapshot's last key done (-1: none stored, 0: the table's start). */
static long stored_last_key(const char *offsets)
{
    json_t *j = json_load_file(offsets, 0, NULL);
    json_t *o = NULL, *v;
    const char *k;
    json_object_foreach(json_object_get(j, "offsets"), k, v)
        o = v;
    json_t *inc = json_object_get(o, "incremental_snapshot");
    long last = !inc ? -1 : json_array_size(json_object_get(inc, "last_key")) ?
        atol(json_string_value(json_array_get(json_object_get(inc, "last_key"), 0))) : 0;
    json_decref(j);
    return last;
}

/* The ids of the r events in the sink file, in order (a body cut by the kill ends the list). */
static size_t file_reads(const char *path, long *ids, size_t cap, long max)
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
        json_t *a = json_object_get(j, "after");
        long id = (long)json_integer_value(json_object_get(a, "id"));
        char want[32];
        snprintf(want, sizeof want, "r%ld", id);
        cr_assert(id >= 1 && id <= max);
        cr_assert_str_eq(json_string_value(json_object_get(a, "s")), want, "row image of %ld", id);
        cr_assert_eq(json_integer_value(json_object_get(a, "v")), id);
        if (n < cap)
            ids[n++] = id;
        json_decref(j);
    }
    free(text);
    return n;
}

Test(mysql_binlog_signals, kill9_mid_snapshot_resumes_at_the_next_chunk, .timeout = 120)
{
    enum { N = 30000 };
    MYSQL *root = ts_root(0);
    setup(root, DB, N);
    struct mbt_proc p = {0};
    p.dir = mbt_tmp_path("sigkill");
    cr_assert_eq(mkdir(p.dir, 0700), 0);
    char xml[2048], out[512], offsets[512];
    snprintf(xml, sizeof xml, KILL_ROUTE, mbt_port(), p.dir, p.dir);
    snprintf(out, sizeof out, "%s/out.jsonl", p.dir);
    snprintf(offsets, sizeof offsets, "%s/offsets.json", p.dir);
    mbt_dromd(&p, xml);
    cr_assert(mbt_proc_ready(&p, 20000), "dromd ready: %s", ts_slurp(p.log));
    send_signal(root, "k-1", "execute-snapshot", "{\"data-collections\": [\"" DB "[.]t\"]}");
    int64_t end = ts_now_ms() + 30000;
    while (stored_last_key(offsets) < 3000 && ts_now_ms() < end)
        usleep(2000);
    kill(p.pid, SIGKILL);
    mbt_kill(&p, SIGKILL);
    long k = stored_last_key(offsets);
    static long ids[4 * N];
    size_t before = file_reads(out, ids, 4 * N, N);
    cr_log_info("kill -9 with %zu reads written, the offset stored after key %ld", before, k);
    cr_assert(k >= 3000 && k < N, "killed mid-snapshot (stored last key %ld)", k);
    mbt_dromd(&p, xml);
    cr_assert(mbt_proc_ready(&p, 20000), "dromd ready after the restart: %s", ts_slurp(p.log));
    size_t n = 0;
    end = ts_now_ms() + 60000;
    while ((n = file_reads(out, ids, 4 * N, N)) < before + (size_t)(N - k) && ts_now_ms() < end)
        usleep(50000);
    mbt_kill(&p, SIGKILL);
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
    mbt_proc_free(&p);
    ts_sql(root, "DROP DATABASE " DB);
    mysql_close(root);
}

#undef DB
#define DB "mbt_sig5"

/* One record to the signal topic, keyed by the source's topicPrefix ("t"). */
static void kafka_signal(const char *brokers, const char *topic, const char *key, const char *value)
{
    char why[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    cr_assert_eq(rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, sizeof why), RD_KAFKA_CONF_OK, "%s", why);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                              RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    cr_assert_eq(e, 0, "%s", rd_kafka_err2str(e));
    cr_assert_eq(rd_kafka_flush(rk, 30000), 0);
    rd_kafka_destroy(rk);
}

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
    kafka_signal(brokers, topic, "another-source", "{\"type\": \"execute-snapshot\", \"data\": "
                 "{\"data-collections\": [\"" DB "[.]t\"]}}");
    kafka_signal(brokers, topic, "t", "not json");
    kafka_signal(brokers, topic, "t", "{\"type\": \"execute-snapshot\", \"data\": {\"data-collections\": "
                 "[\"" DB "[.]t\"], \"type\": \"incremental\", \"additional-conditions\": "
                 "[{\"data-collection\": \"" DB ".t\", \"filter\": \"id <= 120\"}]}}");
    struct mbt_run r;
    mbt_start(&r, 5435, q);
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    step(root, mk, 0, 1, 1, 120, "the rows of the Kafka signal's condition, once");
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE " DB);
    mysql_close(root);
}
