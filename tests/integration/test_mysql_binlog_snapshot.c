/* The snapshot: taken while other sessions write (no gap and no duplicate
 * where the snapshot hands over to the binlog), and the same values as the
 * binlog gives for the same row (FLOAT, whose text form loses digits). */
#include <pthread.h>
#include <stdatomic.h>

#include "tests/integration/test_mysql_binlog_util.h"

#define PRELOADED 30000

struct writer {
    atomic_bool stop;
    long next_id;
    long inserts, updates;
};

/* Inserts new rows and increments v of random existing ones, each in its own transaction. */
static void *write_rows(void *arg)
{
    struct writer *w = arg;
    MYSQL *m = ts_root(0);
    unsigned seed = 42;
    while (!atomic_load(&w->stop)) {
        char q[160];
        if (rand_r(&seed) % 3 == 0) {
            snprintf(q, sizeof q, "INSERT INTO mbt_snap.t VALUES (%ld, 0)", w->next_id);
            cr_assert_eq(mysql_query(m, q), 0, "%s", mysql_error(m));
            w->next_id++;
            w->inserts++;
        } else {
            long id = 1 + (long)(rand_r(&seed) % (unsigned)(w->next_id - 1));
            snprintf(q, sizeof q, "UPDATE mbt_snap.t SET v = v + 1 WHERE id = %ld", id);
            cr_assert_eq(mysql_query(m, q), 0, "%s", mysql_error(m));
            w->updates++;
        }
    }
    mysql_close(m);
    return NULL;
}

struct row_state {
    int first;        /* 'r' or 'c', 0 before any event */
    long v;           /* v after the last event */
    int events;
};

Test(mysql_binlog_snapshot, concurrent_writes_no_gap_no_duplicate, .timeout = 120)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_snap");
    ts_sql(root, "CREATE TABLE mbt_snap.t (id INT PRIMARY KEY, v INT NOT NULL); "
                  "USE mbt_snap; INSERT INTO t SELECT seq, 0 FROM seq_1_to_%d", PRELOADED);
    struct writer w = {.next_id = PRELOADED + 1};
    pthread_t th;
    pthread_create(&th, NULL, write_rows, &w);
    usleep(100000);
    char *offsets = mbt_tmp_path("snap");
    char q[512];
    snprintf(q, sizeof q, "tableIncludeList=mbt_snap\\.t&schemas=false&offsetStorageFileName=%s", offsets);
    struct mbt_run r;
    mbt_start(&r, 5418, q);   /* ready once the snapshot is done and the binlog streams */
    usleep(300000);
    atomic_store(&w.stop, true);
    pthread_join(th, NULL);
    long rows = w.next_id - 1;
    long *final = calloc((size_t)rows + 1, sizeof *final);
    cr_assert_eq(mysql_query(root, "SELECT id, v FROM mbt_snap.t"), 0);
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)))
        final[atol(row[0])] = atol(row[1]);
    mysql_free_result(res);

    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    struct row_state *st = calloc((size_t)rows + 1, sizeof *st);
    size_t done = 0, reads = 0;
    long matching = 0;
    int64_t end = ts_now_ms() + 60000;
    /* read events as they come until every row's last event shows its final value */
    while (matching < rows && ts_now_ms() < end) {
        size_t n = drom_mock_received(mk);
        if (done == n) {
            usleep(20000);
            continue;
        }
        for (; done < n; done++) {
            json_t *j = mbt_json(mk, done);
            const char *op = json_string_value(json_object_get(j, "op"));
            json_t *after = json_object_get(j, "after"), *before = json_object_get(j, "before");
            long id = (long)json_integer_value(json_object_get(after, "id"));
            long v = (long)json_integer_value(json_object_get(after, "v"));
            cr_assert(id >= 1 && id <= rows, "id %ld", id);
            struct row_state *s = &st[id];
            bool was_final = s->first && s->v == final[id];
            if (*op == 'r' || *op == 'c') {
                cr_assert_eq(s->first, 0, "row %ld: a second %s after %c (duplicate at the hand-over)", id, op,
                             s->first);
                s->first = *op;
                reads += *op == 'r';
            } else {
                cr_assert_str_eq(op, "u");
                cr_assert_neq(s->first, 0, "row %ld: an update before its snapshot read or insert (gap)", id);
                long b = (long)json_integer_value(json_object_get(before, "v"));
                cr_assert_eq(b, s->v, "row %ld: update from v=%ld but the last event said v=%ld", id, b, s->v);
                cr_assert_eq(v, b + 1, "row %ld: one increment per update", id);
            }
            s->v = v;
            s->events++;
            bool is_final = s->v == final[id];
            matching += (long)is_final - (long)was_final;
            json_decref(j);
        }
    }
    cr_assert_eq(matching, rows, "every row reaches its final value (%ld of %ld)", matching, rows);
    for (long id = 1; id <= rows; id++)
        cr_assert_neq(st[id].first, 0, "row %ld seen", id);
    cr_log_info("snapshot under writes: %zu snapshot reads, %ld inserts and %ld updates by the writer, %zu events",
                reads, w.inserts, w.updates, done);
    cr_assert_gt(reads, 0);
    mbt_stop(&r);
    free(st);
    free(final);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE mbt_snap");
    mysql_close(root);
}

/* The raw text of the object after `key` ("\"after\":") in the i-th body: numbers exactly as written. */
static char *raw_object(struct drom_mock *mk, size_t i, const char *key)
{
    char *b = drom_mock_body(mk, i);
    char *p = strstr(b, key);
    cr_assert_not_null(p, "%s in %s", key, b);
    p += strlen(key);
    int depth = 0;
    char *e = p;
    for (; *e; e++) {
        if (*e == '{')
            depth++;
        else if (*e == '}' && --depth == 0)
            break;
    }
    char *out = strndup(p, (size_t)(e - p + 1));
    free(b);
    return out;
}

/* A FLOAT read by the snapshot and the same FLOAT from the binlog (the
 * before image of an update) give the same JSON; FLOAT(M,D) is a double
 * holding the float's value, as in Debezium (5.61 -> 5.610000133514404). */
Test(mysql_binlog_snapshot, float_and_double_same_in_snapshot_and_binlog, .timeout = 60)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_float");
    ts_sql(root, "CREATE TABLE mbt_float.t (id INT PRIMARY KEY, f FLOAT, f2 FLOAT(7,3), d DOUBLE, n INT); "
                  "INSERT INTO mbt_float.t VALUES (1, 16777217, 1234.567, 0.1, 0), (2, 1.1, -0.001, 1e300, 0), "
                  "(3, 3.4e38, 9999.999, 2.5e-300, 0), (4, 123456.789, 0, 123456.789, 0), "
                  "(5, -1.17549435e-38, 1, -1234567890.125, 0), (6, NULL, NULL, NULL, 0)");
    char *offsets = mbt_tmp_path("float");
    char q[512];
    snprintf(q, sizeof q, "tableIncludeList=mbt_float\\.t&schemas=false&offsetStorageFileName=%s", offsets);
    struct mbt_run r;
    mbt_start(&r, 5419, q);
    struct drom_mock *mk = mbt_out(&r, 6, 10000);
    ts_sql(root, "UPDATE mbt_float.t SET n = 1");
    mk = mbt_out(&r, 12, 10000);
    for (size_t i = 0; i < 6; i++) {
        char *a = raw_object(mk, i, "\"after\":"), *b = raw_object(mk, 6 + i, "\"before\":");
        cr_assert_str_eq(a, b, "row %zu: snapshot %s, binlog %s", i + 1, a, b);
        free(a);
        free(b);
    }
    char *a = raw_object(mk, 0, "\"after\":");
    cr_assert_str_eq(a, "{\"id\":1,\"f\":1.6777216E7,\"f2\":1234.5670166015625,\"d\":0.1,\"n\":0}");
    free(a);
    a = raw_object(mk, 3, "\"after\":");
    cr_assert_str_eq(a, "{\"id\":4,\"f\":123456.79,\"f2\":0.0,\"d\":123456.789,\"n\":0}");
    free(a);
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE mbt_float");
    mysql_close(root);
}

static long connections(MYSQL *root)
{
    char *v = mbt_scalar(root, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                               "WHERE VARIABLE_NAME = 'CONNECTIONS'");
    long n = atol(v);
    free(v);
    return n;
}

/* The stream's first table map reads the table's model in a session the
 * start already holds (the snapshot's, or the start's checked one): a new
 * session there is a TLS handshake and a login (~40 ms) in front of the first
 * change after a snapshot, and of the first event onto a backlog. The tests
 * run one at a time, so the server's connection counter is this source's. */
Test(mysql_binlog_snapshot, first_streamed_change_opens_no_session, .timeout = 60)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_sess");
    ts_sql(root, "CREATE TABLE mbt_sess.t (id INT PRIMARY KEY, v INT); INSERT INTO mbt_sess.t VALUES (1, 0)");
    char *offsets = mbt_tmp_path("sess");
    char q[512];
    snprintf(q, sizeof q, "tableIncludeList=mbt_sess\\.t&schemas=false&offsetStorageFileName=%s", offsets);
    struct mbt_run r;
    mbt_start(&r, 5431, q);   /* ready: the snapshot is done and the binlog session open */
    mbt_out(&r, 1, 10000);
    long before = connections(root);
    ts_sql(root, "INSERT INTO mbt_sess.t VALUES (2, 0)");
    mbt_out(&r, 2, 10000);
    cr_assert_eq(connections(root) - before, 0, "sessions opened for the first change after the snapshot");
    mbt_stop(&r);

    /* onto a backlog: the start's checks and the binlog session, nothing more */
    ts_sql(root, "INSERT INTO mbt_sess.t VALUES (3, 0)");
    before = connections(root);
    mbt_start(&r, 5431, q);
    mbt_out(&r, 1, 10000);
    cr_assert_leq(connections(root) - before, 2, "sessions opened by a start onto a backlog, to its first event");
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE mbt_sess");
    mysql_close(root);
}
