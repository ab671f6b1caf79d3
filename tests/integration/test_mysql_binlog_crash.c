/* Crashes: dromd killed with SIGKILL mid-stream and restarted (nothing lost,
 * nothing acknowledged sent again, the unacknowledged tail repeated with the
 * same event ids), and the MariaDB server restarted under the running
 * source (reconnect with backoff, readiness false meanwhile, nothing lost). */
#include <pthread.h>
#include <stdatomic.h>

#include "tests/integration/test_mysql_binlog_util.h"

/* One delivered change as read back from the file sink. */
struct line {
    long id;
    char event_id[160];   /* server_id:gtid:pos:row, as DromEventId */
    uint64_t gtid_seq;
    int64_t pos;
    int row;
};

struct lines {
    struct line *v;
    size_t n, cap;
};

/* The sink file holds one envelope a line; a kill between a body and its
 * newline glues two envelopes together, so values are read one after another. */
static void read_lines(const char *path, struct lines *out)
{
    char *text = ts_slurp(path);
    size_t len = strlen(text), off = 0;
    while (off < len) {
        while (off < len && (text[off] == '\n' || text[off] == ' '))
            off++;
        if (off >= len)
            break;
        json_error_t je;
        json_t *j = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &je);
        if (!j) {
            /* a body cut by the kill, never acknowledged: the file producer
             * ends it before the restart's first record, which follows */
            const char *nl = memchr(text + off, '\n', len - off);
            if (!nl)
                break;
            off = (size_t)(nl - text) + 1;
            continue;
        }
        off += (size_t)je.position;
        json_t *src = json_object_get(j, "source");
        struct line l = {0};
        l.id = (long)json_integer_value(json_object_get(json_object_get(j, "after"), "id"));
        const char *gtid = json_string_value(json_object_get(src, "gtid"));
        cr_assert_not_null(gtid);
        unsigned long d, s;
        unsigned long long q;
        cr_assert_eq(sscanf(gtid, "%lu-%lu-%llu", &d, &s, &q), 3);
        l.gtid_seq = q;
        l.pos = json_integer_value(json_object_get(src, "pos"));
        l.row = (int)json_integer_value(json_object_get(src, "row"));
        snprintf(l.event_id, sizeof l.event_id, "%lld:%s:%lld:%d",
                 (long long)json_integer_value(json_object_get(src, "server_id")), gtid, (long long)l.pos, l.row);
        json_decref(j);
        if (out->n == out->cap)
            out->v = realloc(out->v, (out->cap = out->cap ? out->cap * 2 : 1024) * sizeof *out->v);
        out->v[out->n++] = l;
    }
    free(text);
}

static size_t count_newlines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < got; i++)
            n += buf[i] == '\n';
    fclose(f);
    return n;
}

/* The stored offset of the source: {file,pos,gtids,event,row}. */
struct stored {
    uint64_t completed_seq;   /* domain 0 */
    uint32_t event, row;
    bool have;
};

static struct stored read_offset(const char *path)
{
    struct stored s = {0};
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        return s;
    json_t *o = json_object_get(json_object_get(j, "offsets"), "mysql-binlog/t");
    if (o) {
        s.have = true;
        const char *g = json_string_value(json_object_get(o, "gtids"));
        unsigned long d, sv;
        unsigned long long q;
        for (const char *p = g; p && *p;) {
            if (sscanf(p, "%lu-%lu-%llu", &d, &sv, &q) == 3 && d == 0)
                s.completed_seq = q;
            p = strchr(p, ',');
            p = p ? p + 1 : NULL;
        }
        s.event = (uint32_t)json_integer_value(json_object_get(o, "event"));
        s.row = (uint32_t)json_integer_value(json_object_get(o, "row"));
    }
    json_decref(j);
    return s;
}

/* Whether line i of `pre` is covered by the stored offset: its transaction
 * completed, or it is among the rows events/rows of the interrupted
 * transaction that the offset counts as done. */
static bool acknowledged(const struct lines *pre, size_t i, const struct stored *o)
{
    const struct line *l = &pre->v[i];
    if (l->gtid_seq <= o->completed_seq)
        return true;
    uint64_t current = UINT64_MAX;
    for (size_t k = 0; k < pre->n; k++)
        if (pre->v[k].gtid_seq > o->completed_seq && pre->v[k].gtid_seq < current)
            current = pre->v[k].gtid_seq;
    if (l->gtid_seq != current)
        return false;
    /* rows-event index of l inside its transaction: distinct positions before it */
    uint32_t k = 0;
    int64_t last = -1;
    for (size_t x = 0; x < pre->n; x++)
        if (pre->v[x].gtid_seq == current && pre->v[x].pos < l->pos && pre->v[x].pos != last) {
            k++;
            last = pre->v[x].pos;
        }
    return k < o->event || (k == o->event && (uint32_t)l->row < o->row);
}

static const char *ROUTE =
    "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:t?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
    "password=debezium&amp;serverId=5411&amp;tableIncludeList=mbt_crash.t&amp;snapshotMode=no_data&amp;"
    "schemas=false&amp;offsetFlushIntervalMs=20&amp;offsetStorageFileName=%s/offsets.json\"/>"
    "<to uri=\"file:%s?fileName=out.jsonl&amp;fileExist=Append&amp;appendChars=\\n\"/></route></routes>";

Test(mysql_binlog_crash, kill9_mid_stream_then_restart, .timeout = 120)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_crash");
    ts_sql(root, "CREATE TABLE mbt_crash.t (id INT PRIMARY KEY, v VARCHAR(64))");
    struct mbt_proc p = {0};
    p.dir = mbt_tmp_path("crash");
    cr_assert_eq(mkdir(p.dir, 0700), 0);
    char xml[2048], out[512], offsets[512];
    snprintf(xml, sizeof xml, ROUTE, mbt_port(), p.dir, p.dir);
    snprintf(out, sizeof out, "%s/out.jsonl", p.dir);
    snprintf(offsets, sizeof offsets, "%s/offsets.json", p.dir);
    mbt_dromd(&p, xml);
    cr_assert(mbt_proc_ready(&p, 20000), "dromd ready: %s", ts_slurp(p.log));
    /* the whole workload lands in the binlog while dromd is paused, so that
     * it streams at full speed when continued and the kill hits mid-stream */
    kill(p.pid, SIGSTOP);
    long total = 0;
    for (int i = 0; i < 30; i++, total++)
        ts_sql(root, "INSERT INTO mbt_crash.t VALUES (%ld, 'single')", total + 1);
    /* transactions of several multi-row statements: a kill inside one
     * exercises the event/row skip of a partly delivered transaction */
    for (int tx = 0; tx < 12; tx++) {
        char q[65536];
        size_t n = (size_t)snprintf(q, sizeof q, "BEGIN;");
        for (int st = 0; st < 3; st++) {
            n += (size_t)snprintf(q + n, sizeof q - n, "INSERT INTO mbt_crash.t VALUES ");
            for (int r = 0; r < 400; r++, total++)
                n += (size_t)snprintf(q + n, sizeof q - n, "%s(%ld, 'tx %d stmt %d row %d padding padding')",
                                      r ? "," : "", total + 1, tx, st, r);
            n += (size_t)snprintf(q + n, sizeof q - n, ";");
        }
        snprintf(q + n, sizeof q - n, "COMMIT");
        ts_sql(root, "%s", q);
    }
    kill(p.pid, SIGCONT);
    size_t at_kill = 0;
    int64_t end = ts_now_ms() + 30000;
    while (ts_now_ms() < end && (at_kill = count_newlines(out)) < (size_t)total * 2 / 5)
        usleep(500);
    kill(p.pid, SIGKILL);
    mbt_kill(&p, SIGKILL);
    struct stored o = read_offset(offsets);
    struct lines pre = {0};
    read_lines(out, &pre);
    cr_assert(o.have, "an offset was stored before the kill");
    size_t acked = 0;
    for (size_t i = 0; i < pre.n; i++)
        acked += acknowledged(&pre, i, &o);
    cr_log_info("kill -9 after %zu of %ld changes written, %zu of them acknowledged in the offset "
                "(completed up to seq %llu, event %u, row %u)", pre.n, total, acked,
                (unsigned long long)o.completed_seq, o.event, o.row);
    cr_assert_gt(acked, 0);
    if (pre.n >= (size_t)total)
        cr_log_warn("the kill came after the last change: the restart only proves there is no duplicate");

    /* restart on the same offsets */
    mbt_dromd(&p, xml);
    cr_assert(mbt_proc_ready(&p, 20000), "dromd ready after the restart: %s", ts_slurp(p.log));
    struct lines all = {0};
    end = ts_now_ms() + 60000;
    char *seen = calloc((size_t)total + 1, 1);
    long distinct = 0;
    while (ts_now_ms() < end && distinct < total) {
        usleep(50000);
        free(all.v);
        all = (struct lines){0};
        read_lines(out, &all);
        memset(seen, 0, (size_t)total + 1);
        distinct = 0;
        for (size_t i = 0; i < all.n; i++)
            if (all.v[i].id >= 1 && all.v[i].id <= total && !seen[all.v[i].id]++)
                distinct++;
    }
    mbt_kill(&p, SIGTERM);
    cr_assert_eq(distinct, total, "nothing lost: %ld of %ld changes delivered", distinct, total);
    /* what came after the restart */
    size_t repeated = 0;
    for (size_t i = pre.n; i < all.n; i++) {
        const struct line *l = &all.v[i];
        for (size_t k = 0; k < pre.n; k++) {
            if (pre.v[k].id != l->id)
                continue;
            cr_assert(!acknowledged(&pre, k, &o), "change %ld was acknowledged before the kill and sent again", l->id);
            cr_assert_str_eq(pre.v[k].event_id, l->event_id, "a repeated change keeps its event id");
            repeated++;
        }
        if (i > pre.n)
            cr_assert(all.v[i - 1].gtid_seq < l->gtid_seq ||
                      (all.v[i - 1].gtid_seq == l->gtid_seq && (all.v[i - 1].pos < l->pos ||
                       (all.v[i - 1].pos == l->pos && all.v[i - 1].row < l->row))), "binlog order after the restart");
    }
    cr_assert_eq(repeated, pre.n - acked, "exactly the unacknowledged tail repeats (%zu repeated, %zu unacknowledged)",
                 repeated, pre.n - acked);
    cr_assert_eq(all.n, pre.n + ((size_t)total - pre.n) + repeated, "no other duplicate");
    cr_log_info("after the restart: %zu repeated (the unacknowledged tail), %zu new", repeated, all.n - pre.n - repeated);
    free(seen);
    free(pre.v);
    free(all.v);
    mbt_proc_free(&p);
    ts_sql(root, "DROP DATABASE mbt_crash");
    mysql_close(root);
}

/* --- the server restarted under a running source --- */

struct writer {
    long next, last;
    atomic_bool stop;
    int failures;
};

/* Inserts ids in order, one a transaction, through the server going away:
 * a failed insert is retried with INSERT IGNORE, so each id ends up once. */
static void *write_rows(void *arg)
{
    struct writer *w = arg;
    MYSQL *m = NULL;
    while (!atomic_load(&w->stop) && w->next <= w->last) {
        if (!m) {
            m = mysql_init(NULL);
            if (!mysql_real_connect(m, "127.0.0.1", "cdcadmin", "cdcadmin", NULL, mbt_port(), NULL, 0)) {
                mysql_close(m);
                m = NULL;
                usleep(50000);
                continue;
            }
        }
        char q[128];
        snprintf(q, sizeof q, "INSERT IGNORE INTO mbt_restart.t VALUES (%ld, 'row')", w->next);
        if (mysql_query(m, q)) {
            w->failures++;
            mysql_close(m);
            m = NULL;
            continue;
        }
        w->next++;
        usleep(2000);
    }
    if (m)
        mysql_close(m);
    return NULL;
}

static void ctl(const char *what)
{
    cr_assert_eq(ts_ctl(NULL, "mariadb", what), 0, "tests/services/mariadb/ctl %s", what);
}

Test(mysql_binlog_crash, server_restart_mid_stream, .timeout = 120)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_restart");
    ts_sql(root, "CREATE TABLE mbt_restart.t (id INT PRIMARY KEY, v VARCHAR(20)); "
                  "GRANT ALL ON mbt_restart.* TO 'cdcadmin'@'%%'");
    mysql_close(root);
    char *offsets = mbt_tmp_path("restart-offsets");
    char q[512];
    snprintf(q, sizeof q, "tableIncludeList=mbt_restart.t&snapshotMode=no_data&schemas=false&"
                          "connectBackoffInitialDelayMs=100&connectBackoffMaxDelayMs=1000&offsetStorageFileName=%s",
             offsets);
    struct mbt_run r;
    mbt_start(&r, 5412, q);
    struct writer w = {.next = 1, .last = 1500};
    pthread_t th;
    pthread_create(&th, NULL, write_rows, &w);
    struct drom_mock *mk = mbt_out(&r, 100, 20000);
    ctl("stop");
    char reason[512] = "";
    int64_t end = ts_now_ms() + 10000;
    while (drom_engine_ready(r.eng, reason, sizeof reason) && ts_now_ms() < end)
        usleep(10000);
    cr_assert(!drom_engine_ready(r.eng, reason, sizeof reason), "not ready while the server is down");
    cr_log_info("readiness while the server is down: %s", reason);
    /* the sentinel: a reconnection tried while the server is down has failed, and readiness says so */
    end = ts_now_ms() + 15000;
    while (!(!drom_engine_ready(r.eng, reason, sizeof reason) && strstr(reason, "cannot connect to")) &&
           ts_now_ms() < end)
        usleep(10000);
    cr_assert(!drom_engine_ready(r.eng, reason, sizeof reason) && strstr(reason, "cannot connect to"),
              "still not ready after a failed reconnection: %s", reason);
    ctl("start");
    cr_assert(mbt_wait_ready(&r, 30000, reason, sizeof reason), "ready again after the server came back: %s", reason);
    pthread_join(th, NULL);
    cr_assert_eq(w.next, w.last + 1, "every row was written");
    mk = mbt_out(&r, (size_t)w.last, 30000);
    root = ts_root(0);
    char sentinel[128];
    snprintf(sentinel, sizeof sentinel, "INSERT INTO mbt_restart.t VALUES (%ld, 'sentinel')", w.last + 1);
    size_t n = mbt_before_sentinel(root, mk, sentinel, "sentinel", 30000);
    mysql_close(root);
    char *seen = calloc((size_t)w.last + 1, 1);
    long prev = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *j = mbt_json(mk, i);
        long id = (long)json_integer_value(json_object_get(json_object_get(j, "after"), "id"));
        json_decref(j);
        cr_assert(id >= 1 && id <= w.last, "id %ld", id);
        cr_assert_eq(seen[id], 0, "change %ld delivered once", id);
        seen[id] = 1;
        cr_assert_gt(id, prev, "in order");
        prev = id;
    }
    cr_assert_eq(n, (size_t)w.last, "nothing lost, nothing repeated across the server restart");
    cr_log_info("server restart: %d failed inserts retried by the writer, %zu changes delivered", w.failures, n);
    free(seen);
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    root = ts_root(0);
    ts_sql(root, "DROP DATABASE mbt_restart");
    mysql_close(root);
}
