/* A binlog source whose offset store fails (its file on a small tmpfs that
 * fills up): readiness says so with the endpoint and the error, the
 * failures are counted, the source holds at maxUncommittedEvents changes
 * past its last stored position, and resumes by itself, every change once,
 * when the store takes positions again. */
#include <sys/mount.h>

#include "runtime/buf.h"
#include "tests/integration/test_kafka_util.h"
#include "tests/integration/test_mysql_binlog_util.h"

/* The value of the first metric line starting with `prefix`, -1 when absent. */
static long long metric(struct mbt_run *r, const char *prefix)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(r->eng, &b);
    drom_buf_cstr(&b);
    long long v = ts_metric(b.data, prefix);
    drom_buf_free(&b);
    return v;
}

static bool wait_metric(struct mbt_run *r, const char *prefix, long long want, int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    while (metric(r, prefix) != want) {
        if (ts_now_ms() > end)
            return false;
        usleep(20000);
    }
    return true;
}

/* n rows 1..n in one statement: n changes of one rows event. */
static void insert_rows(MYSQL *root, const char *table, int n)
{
    struct drom_buf ins = DROM_BUF_INIT;
    drom_buf_printf(&ins, "INSERT INTO %s VALUES (1)", table);
    for (int i = 2; i <= n; i++)
        drom_buf_printf(&ins, ",(%d)", i);
    drom_buf_cstr(&ins);
    ts_sql(root, "%s", ins.data);
    drom_buf_free(&ins);
}

/* The source holds at maxUncommittedEvents=20 (the 21st change waits for the
 * store), exactly 20 arrived, and readiness names the route, the endpoint
 * and `store_says`. The mock is returned. */
static struct drom_mock *expect_held(struct mbt_run *r, const char *store_says, char *reason, size_t size)
{
    cr_assert(wait_metric(r, "drom_endpoint_offset_held{", 1, 30000), "the source holds at the bound");
    struct drom_mock *m = mbt_out(r, 20, 10000);
    cr_assert_eq(drom_mock_received(m), 20, "exactly maxUncommittedEvents past the stored position");
    /* held may come first: a write to an unreachable Kafka fails only at its timeout */
    bool down = false;
    for (int64_t end = ts_now_ms() + 30000; !down && ts_now_ms() < end; usleep(20000))
        down = !drom_engine_ready(r->eng, reason, size) && strstr(reason, store_says);
    cr_assert(down, "not ready while the store fails: %s", reason);
    cr_assert(strstr(reason, "route cdc: mysql-binlog:cdc?"), "the reason names the route and the endpoint: %s",
              reason);
    return m;
}

Test(offset_outage, a_full_state_dir_holds_the_source_at_the_bound_and_it_resumes, .timeout = 90)
{
    char dir[] = "/tmp/drom-oo-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    if (mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700") != 0)
        cr_skip_test("cannot mount a tmpfs on %s (%s): this test needs root, as the test servers do", dir,
                     strerror(errno));
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "oo_full");
    ts_sql(root, "CREATE TABLE oo_full.t (id INT PRIMARY KEY)");
    char offsets[128], filler[128], q[512];
    snprintf(offsets, sizeof offsets, "%s/offsets.json", dir);
    snprintf(filler, sizeof filler, "%s/filler", dir);
    snprintf(q, sizeof q,
             "tableIncludeList=oo_full.t&schemas=false&snapshotMode=no_data&offsetFlushIntervalMs=0&"
             "tombstonesOnDelete=false&maxUncommittedEvents=20&offsetStorageFileName=%s",
             offsets);
    struct mbt_run r = {0};
    mbt_start(&r, 5471, q);
    struct stat st;
    cr_assert_eq(stat(offsets, &st), 0, "the first position is stored at start");

    FILE *f = fopen(filler, "w");
    static char block[4096];
    while (fwrite(block, 1, sizeof block, f) == sizeof block && fflush(f) == 0)
        ;
    fclose(f);
    insert_rows(root, "oo_full.t", 50);

    char reason[1024];
    struct drom_mock *m = expect_held(&r, "the offset file cannot store positions", reason, sizeof reason);
    cr_assert(strstr(reason, "No space left on device"), "the reason says why: %s", reason);
    cr_assert_geq(metric(&r, "drom_endpoint_offset_store_failures{"), 1, "failed writes are counted");
    cr_assert_eq(metric(&r, "drom_endpoint_offset_uncommitted_events{"), 20);

    /* space again: the retry stores the position, reading resumes by itself */
    cr_assert_eq(unlink(filler), 0);
    mbt_out(&r, 50, 20000);
    cr_assert(mbt_wait_ready(&r, 10000, reason, sizeof reason), "ready again: %s", reason);
    cr_assert(wait_metric(&r, "drom_endpoint_offset_held{", 0, 5000));
    cr_assert_eq(drom_mock_received(m), 50, "every change once");
    mbt_stop(&r);
    char *text = ts_slurp(offsets);
    cr_assert(strstr(text, "\"source\":\"mysql-binlog/t\"") && strstr(text, "\"checksum\":"),
              "the stored position names its source and carries a checksum: %s", text);
    free(text);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    mysql_close(root);
}

static void kafka_back(void)
{
    ts_ctl(NULL, "kafka", "start");
}

/* The same with the offsets in a Kafka topic and Kafka stopped. */
Test(offset_outage, kafka_offset_store_down_holds_the_source_and_it_resumes, .timeout = 150, .fini = kafka_back)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "oo_kafka");
    ts_sql(root, "CREATE TABLE oo_kafka.t (id INT PRIMARY KEY)");
    char q[768], topic[128];
    snprintf(topic, sizeof topic, "drom-oo-offsets-%d-%ld", (int)getpid(), (long)ts_now_ms());
    snprintf(q, sizeof q,
             "tableIncludeList=oo_kafka.t&schemas=false&snapshotMode=no_data&offsetFlushIntervalMs=0&"
             "tombstonesOnDelete=false&maxUncommittedEvents=20&connectTimeoutMs=2000&offsetStorage=kafka&"
             "offsetStorageTopic=%s&offsetStorageBrokers=%s",
             topic, ts_env("KAFKA_BROKERS", "127.0.0.1:19092"));
    struct mbt_run r = {0};
    mbt_start(&r, 5472, q);
    cr_assert_eq(ts_ctl(NULL, "kafka", "stop"), 0, "tests/services/kafka/ctl stop");
    insert_rows(root, "oo_kafka.t", 50);
    char reason[1024];
    struct drom_mock *m = expect_held(&r, "the Kafka offset store cannot store positions", reason, sizeof reason);
    cr_assert_eq(ts_ctl(NULL, "kafka", "start"), 0, "tests/services/kafka/ctl start");
    mbt_out(&r, 50, 60000);
    cr_assert(mbt_wait_ready(&r, 30000, reason, sizeof reason), "ready again: %s", reason);
    cr_assert_eq(drom_mock_received(m), 50, "every change once");
    mbt_stop(&r);
    mysql_close(root);
}
