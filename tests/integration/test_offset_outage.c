/* A binlog source whose offset store fails (its file on a small tmpfs that
 * fills up): readiness says so with the endpoint and the error, the
 * failures are counted, the source holds at maxUncommittedEvents changes
 * past its last stored position, and resumes by itself, every change once,
 * when the store takes positions again. */
#include <sys/mount.h>

#include "runtime/buf.h"
#include "tests/integration/test_mysql_binlog_util.h"

/* The value of the first metric line starting with `prefix`, -1 when absent. */
static long long metric(struct mbt_run *r, const char *prefix)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(r->eng, &b);
    drom_buf_cstr(&b);
    long long v = -1;
    const char *at = strstr(b.data, prefix);
    if (at) {
        const char *sp = strchr(at, ' ');
        if (sp)
            v = atoll(sp + 1);
    }
    drom_buf_free(&b);
    return v;
}

static bool wait_metric(struct mbt_run *r, const char *prefix, long long want, int64_t timeout_ms)
{
    int64_t end = mbt_now_ms() + timeout_ms;
    while (metric(r, prefix) != want) {
        if (mbt_now_ms() > end)
            return false;
        usleep(20000);
    }
    return true;
}

Test(offset_outage, a_full_state_dir_holds_the_source_at_the_bound_and_it_resumes, .timeout = 90)
{
    char dir[] = "/tmp/drom-oo-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    if (mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700") != 0)
        cr_skip_test("cannot mount a tmpfs on %s (%s): this test needs root, as the test servers do", dir,
                     strerror(errno));
    MYSQL *root = mbt_root();
    mbt_fresh_db(root, "oo_full");
    mbt_sql(root, "CREATE TABLE oo_full.t (id INT PRIMARY KEY)");
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
    struct drom_buf ins = DROM_BUF_INIT;
    drom_buf_puts(&ins, "INSERT INTO oo_full.t VALUES (1)");
    for (int i = 2; i <= 50; i++)
        drom_buf_printf(&ins, ",(%d)", i);
    drom_buf_cstr(&ins);
    mbt_sql(root, "%s", ins.data);
    drom_buf_free(&ins);

    /* held: the 21st change waits for the store */
    cr_assert(wait_metric(&r, "drom_endpoint_offset_held{", 1, 20000), "the source holds at the bound");
    struct drom_mock *m = mbt_out(&r, 20, 10000);
    cr_assert_eq(drom_mock_received(m), 20, "exactly maxUncommittedEvents past the stored position");
    char reason[1024];
    cr_assert_not(drom_engine_ready(r.eng, reason, sizeof reason), "not ready while the store fails");
    cr_assert(strstr(reason, "route cdc: mysql-binlog:cdc?") && strstr(reason, "the offset file cannot store positions") &&
                  strstr(reason, "No space left on device"),
              "the reason names the route, the endpoint and the error: %s", reason);
    cr_assert_geq(metric(&r, "drom_endpoint_offset_commit_failures{"), 1, "failed writes are counted");
    cr_assert_eq(metric(&r, "drom_endpoint_offset_uncommitted_events{"), 20);

    /* space again: the retry stores the position, reading resumes by itself */
    cr_assert_eq(unlink(filler), 0);
    mbt_out(&r, 50, 20000);
    cr_assert(mbt_wait_ready(&r, 10000, reason, sizeof reason), "ready again: %s", reason);
    cr_assert(wait_metric(&r, "drom_endpoint_offset_held{", 0, 5000));
    cr_assert_eq(drom_mock_received(m), 50, "every change once");
    mbt_stop(&r);
    char *text = mbt_slurp(offsets);
    cr_assert(strstr(text, "\"source\":\"mysql-binlog/t\"") && strstr(text, "\"checksum\":"),
              "the stored position names its source and carries a checksum: %s", text);
    free(text);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    mysql_close(root);
}
