/* Memory follows the in-flight window, not the data: dromd streams 16 MB
 * LONGBLOB rows, a 1,000-column table, 500 tables and (soak, DROM_SOAK=1) a
 * 1,000,000-row transaction into a file sink on /dev/null; its peak RSS
 * (VmHWM) is printed and held to a generous bound. No timing assertion. */
#include "tests/integration/test_mysql_binlog_util.h"

static const char *ROUTE =
    "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:m?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
    "password=debezium&amp;serverId=5420&amp;databaseIncludeList=%s&amp;snapshotMode=no_data&amp;"
    "offsetStorageFileName=%s/offsets.json\"/>"
    "<to uri=\"file:/dev?fileName=null&amp;fileExist=Append\"/></route></routes>";

struct mem_run {
    struct mbt_proc p;
    long idle_kb;
};

static void mem_start(struct mem_run *m, const char *db)
{
    memset(m, 0, sizeof *m);
    m->p.dir = mbt_tmp_path("mem");
    cr_assert_eq(mkdir(m->p.dir, 0700), 0);
    char xml[2048];
    snprintf(xml, sizeof xml, ROUTE, mbt_port(), db, m->p.dir);
    mbt_dromd(&m->p, xml);
    cr_assert(mbt_proc_ready(&m->p, 20000), "dromd ready: %s", ts_slurp(m->p.log));
    m->idle_kb = mbt_peak_rss_kb(m->p.pid);
}

/* Waits for `n` exchanges done, then reads the peak RSS. */
static long mem_finish(struct mem_run *m, long long n, int64_t timeout_ms, const char *what)
{
    const char *metric = "camel_exchanges_succeeded_total{routeId=\"cdc\"";
    int64_t start = ts_now_ms(), end = start + timeout_ms;
    long long done = 0;
    while ((done = mbt_metric(&m->p, metric)) < n && ts_now_ms() < end) {
        if (getenv("MBT_DEBUG"))
            fprintf(stderr, "%s: %lld done\n", what, done);
        usleep(50000);
    }
    if (done != n)
        fprintf(stderr, "dromd log: %s\n", m->p.log);
    cr_assert_eq(done, n, "%s: %lld of %lld exchanges done", what, done, n);
    long kb = mbt_peak_rss_kb(m->p.pid);
    cr_log_info("%s: %lld events, dromd peak RSS %ld kB (idle %ld kB), %.1f s", what, n, kb, m->idle_kb,
                (double)(ts_now_ms() - start) / 1000);
    mbt_kill(&m->p, SIGTERM);
    mbt_proc_free(&m->p);
    return kb;
}

/* maxQueueSize is the route's window: what /metrics says the queue holds
 * (Debezium's QueueTotalCapacity) and what the engine admits. */
Test(mysql_binlog_memory, window_is_max_queue_size, .timeout = 120)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_mem_window");
    ts_sql(root, "CREATE TABLE mbt_mem_window.t (id INT PRIMARY KEY, v VARCHAR(64))");
    struct mem_run m = {0};
    m.p.dir = mbt_tmp_path("mem");
    cr_assert_eq(mkdir(m.p.dir, 0700), 0);
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:m?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
             "password=debezium&amp;serverId=5421&amp;databaseIncludeList=mbt_mem_window&amp;snapshotMode=no_data&amp;"
             "maxQueueSize=37&amp;offsetStorageFileName=%s/offsets.json\"/>"
             "<to uri=\"file:/dev?fileName=null&amp;fileExist=Append\"/></route></routes>",
             mbt_port(), m.p.dir);
    mbt_dromd(&m.p, xml);
    cr_assert(mbt_proc_ready(&m.p, 20000), "dromd ready: %s", ts_slurp(m.p.log));
    cr_assert_eq(mbt_metric(&m.p, "drom_route_window{routeId=\"cdc\""), 37);
    cr_assert_eq(mbt_metric(&m.p, "debezium_metrics_QueueTotalCapacity{"), 37);
    ts_sql(root, "INSERT INTO mbt_mem_window.t SELECT seq, CONCAT('v', seq) FROM mbt_mem_window.seq_1_to_2000");
    mem_finish(&m, 2000, 60000, "2,000 rows through a window of 37");
    ts_sql(root, "DROP DATABASE mbt_mem_window");
    mysql_close(root);
}

Test(mysql_binlog_memory, longblob_16mb_rows, .timeout = 120)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_mem_blob");
    ts_sql(root, "CREATE TABLE mbt_mem_blob.t (id INT PRIMARY KEY, b LONGBLOB)");
    struct mem_run m;
    mem_start(&m, "mbt_mem_blob");
    /* 16 MB each: inserts (after image) and updates (before and after image: 32 MB rows events) */
    for (int i = 1; i <= 4; i++)
        ts_sql(root, "INSERT INTO mbt_mem_blob.t VALUES (%d, REPEAT(CHAR(%d), 16 * 1024 * 1024))", i, 64 + i);
    ts_sql(root, "UPDATE mbt_mem_blob.t SET b = REPEAT('z', 16 * 1024 * 1024) WHERE id <= 2");
    long kb = mem_finish(&m, 6, 90000, "16 MB LONGBLOB rows (4 inserts, 2 updates)");
    /* an update event holds a 32 MB rows event, two 16 MB images and ~45 MB of JSON (base64) twice */
    cr_assert_lt(kb, 600 * 1024, "peak RSS %ld kB", kb);
    ts_sql(root, "DROP DATABASE mbt_mem_blob");
    mysql_close(root);
}

Test(mysql_binlog_memory, table_of_1000_columns, .timeout = 120)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_mem_wide");
    size_t cap = 64 * 1024, n = 0;
    char *ddl = malloc(cap);
    n += (size_t)snprintf(ddl + n, cap - n, "CREATE TABLE mbt_mem_wide.t (id INT PRIMARY KEY");
    for (int c = 1; c < 1000; c++)
        n += (size_t)snprintf(ddl + n, cap - n, ", c%d INT", c);
    snprintf(ddl + n, cap - n, ")");
    ts_sql(root, "%s", ddl);
    free(ddl);
    struct mem_run m;
    mem_start(&m, "mbt_mem_wide");
    ts_sql(root, "INSERT INTO mbt_mem_wide.t (id) SELECT seq FROM mbt_mem_wide.seq_1_to_2000");
    ts_sql(root, "UPDATE mbt_mem_wide.t SET c999 = id");
    long kb = mem_finish(&m, 4000, 90000, "1,000-column table, 2,000 inserts and 2,000 updates");
    cr_assert_lt(kb, 400 * 1024, "peak RSS %ld kB", kb);
    ts_sql(root, "DROP DATABASE mbt_mem_wide");
    mysql_close(root);
}

Test(mysql_binlog_memory, five_hundred_tables, .timeout = 120)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_mem_many");
    struct mem_run m;
    mem_start(&m, "mbt_mem_many");
    char q[256];
    for (int t = 0; t < 500; t++) {
        snprintf(q, sizeof q, "CREATE TABLE mbt_mem_many.t%d (id INT PRIMARY KEY, v VARCHAR(20)); "
                              "INSERT INTO mbt_mem_many.t%d VALUES (1, 'x'), (2, 'y')", t, t);
        ts_sql(root, "%s", q);
    }
    long kb = mem_finish(&m, 1000, 90000, "500 tables created and written while streaming");
    cr_assert_lt(kb, 200 * 1024, "peak RSS %ld kB", kb);
    ts_sql(root, "DROP DATABASE mbt_mem_many");
    mysql_close(root);
}

/* Soak (set DROM_SOAK=1): a minute or two, mostly the server writing the rows. */
Test(mysql_binlog_memory, soak_one_million_row_transaction, .timeout = 600)
{
    if (!getenv("DROM_SOAK") || strcmp(getenv("DROM_SOAK"), "1") != 0)
        cr_skip_test("soak test: run with DROM_SOAK=1");
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_mem_big");
    ts_sql(root, "CREATE TABLE mbt_mem_big.t (id INT PRIMARY KEY, v VARCHAR(40))");
    struct mem_run m;
    mem_start(&m, "mbt_mem_big");
    int64_t t0 = ts_now_ms();
    ts_sql(root, "INSERT INTO mbt_mem_big.t SELECT seq, CONCAT('row ', seq) FROM mbt_mem_big.seq_1_to_1000000");
    cr_log_info("the server wrote the 1,000,000-row transaction in %.1f s", (double)(ts_now_ms() - t0) / 1000);
    long kb = mem_finish(&m, 1000000, 400000, "one transaction of 1,000,000 rows");
    cr_assert_lt(kb, 300 * 1024, "peak RSS %ld kB", kb);
    ts_sql(root, "DROP DATABASE mbt_mem_big");
    mysql_close(root);
}
