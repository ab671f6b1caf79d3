/* Faults the source must report clearly: a stored position the server
 * purged or one ahead of a reset binlog (fail by default, a new snapshot
 * with snapshotMode=when_needed),
 * the start checks (privileges, binlog settings) with their exact text and
 * fix, and a serverId taken by another replica. */
#include "tests/integration/test_mysql_binlog_util.h"

/* Whether e contains fmt with its %s replaced by this server's host:port. */
static bool has(const char *e, const char *fmt)
{
    char where[64], want[1024];
    snprintf(where, sizeof where, "127.0.0.1:%u", mbt_port());
    snprintf(want, sizeof want, fmt, where);
    return strstr(e, want) != NULL;
}

/* Waits until the engine is not ready for a reason containing `what`. */
static bool not_ready_because(struct mbt_run *r, const char *what, char *reason, size_t size, int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    do {
        if (!drom_engine_ready(r->eng, reason, size) && strstr(reason, what))
            return true;
        usleep(20000);
    } while (ts_now_ms() < end);
    return false;
}

static char *current_binlog(MYSQL *root)
{
    ts_sql(root, "FLUSH BINARY LOGS");
    cr_assert_eq(mysql_query(root, "SHOW MASTER STATUS"), 0);
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row = mysql_fetch_row(res);
    char *f = strdup(row[0]);
    mysql_free_result(res);
    return f;
}

/* Database `db` with a table t of two rows and a source on it that stores
 * every commit at once in an offset file of its own (the path, malloc'ed;
 * its options in q): started, its snapshot delivered. */
static char *start_on_two_rows(struct mbt_run *r, MYSQL *root, const char *db, unsigned server_id, char *q,
                               size_t qsize)
{
    ts_fresh_db(root, db);
    ts_sql(root, "CREATE TABLE %s.t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO %s.t VALUES (1, 'a'), (2, 'b')",
            db, db);
    char *offsets = mbt_tmp_path(db);
    snprintf(q, qsize, "tableIncludeList=%s.t&schemas=false&offsetFlushIntervalMs=0&offsetStorageFileName=%s", db,
             offsets);
    mbt_start(r, server_id, q);
    mbt_out(r, 2, 10000);
    return offsets;
}

Test(mysql_binlog_faults, purged_position_fails_then_when_needed_snapshots, .timeout = 90)
{
    MYSQL *root = ts_root(0);
    char q[512];
    struct mbt_run r;
    char *offsets = start_on_two_rows(&r, root, "mbt_purge", 5413, q, sizeof q);
    ts_sql(root, "INSERT INTO mbt_purge.t VALUES (3, 'c')");
    mbt_out(&r, 3, 10000);
    mbt_stop(&r);
    /* while the source is down: a change, then its binlog goes away */
    ts_sql(root, "INSERT INTO mbt_purge.t VALUES (4, 'd'); UPDATE mbt_purge.t SET v = 'z' WHERE id = 1");
    free(current_binlog(root));
    char *keep = current_binlog(root);
    /* MariaDB keeps a binlog until InnoDB's checkpoint passed it, so the purge is repeated until it took */
    int purged = -1;
    for (int64_t end = ts_now_ms() + 20000; purged && ts_now_ms() < end;) {
        ts_sql(root, "PURGE BINARY LOGS TO '%s'", keep);
        char *oldest = mbt_scalar(root, "SHOW BINARY LOGS");
        purged = strcmp(oldest, keep);
        free(oldest);
        if (purged)
            usleep(200000);
    }
    cr_assert_eq(purged, 0, "PURGE BINARY LOGS TO '%s' took effect", keep);

    /* default snapshotMode=initial: a clear error, nothing emitted, not ready */
    struct drom_error err = {0};
    cr_assert_eq(mbt_start_try(&r, 5413, q, &err), 0, "%s", err.msg);
    char reason[1024];
    cr_assert(not_ready_because(&r, "is no longer on the server", reason, sizeof reason, 10000), "reason: %s", reason);
    /* the readiness reason is cut after a few hundred characters; the log line has it whole */
    char expect[512];
    snprintf(expect, sizeof expect, "(binlog purged; the oldest binlog there is %s): changes since then are lost", keep);
    cr_assert(strstr(reason, expect), "the error names the oldest binlog: %s", reason);
    cr_assert(strstr(reason, "use snapshotMode=when_needed to take a new snapshot"), "and the way out: %s", reason);
    cr_assert(strstr(reason, "the stored position mysql-bin."), "%s", reason);
    /* A position that cannot be served ends the source's thread right after it says why, before any
     * row is read: the count is final, no wait needed. */
    cr_assert_eq(drom_mock_received(drom_mock_get(r.eng, "out")), 0);
    mbt_stop(&r);

    /* snapshotMode=when_needed: a new snapshot of the current rows, then streaming */
    char q2[600];
    snprintf(q2, sizeof q2, "%s&snapshotMode=when_needed", q);
    mbt_start(&r, 5413, q2);
    struct drom_mock *mk = mbt_out(&r, 4, 10000);
    const char *rows[4] = {"{\"id\":1,\"v\":\"z\"}", "{\"id\":2,\"v\":\"b\"}", "{\"id\":3,\"v\":\"c\"}",
                           "{\"id\":4,\"v\":\"d\"}"};
    for (size_t i = 0; i < 4; i++) {
        json_t *j = mbt_json(mk, i);
        char *after = mbt_get(j, "after"), *op = mbt_get(j, "op");
        cr_assert_str_eq(after, rows[i]);
        cr_assert_str_eq(op, "r");
        free(after);
        free(op);
        json_decref(j);
    }
    ts_sql(root, "INSERT INTO mbt_purge.t VALUES (5, 'e')");
    mk = mbt_out(&r, 5, 10000);
    json_t *j = mbt_json(mk, 4);
    char *op = mbt_get(j, "op");
    cr_assert_str_eq(op, "c");
    free(op);
    json_decref(j);
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    free(keep);
    ts_sql(root, "DROP DATABASE mbt_purge");
    mysql_close(root);
}

/* RESET MASTER while the source is down: positions and GTIDs start again,
 * so the stored offset is ahead of the server, whether the new binlog is
 * still shorter than the stored position or has grown past it with fewer
 * transactions. By default a clear error; with snapshotMode=when_needed a
 * new snapshot in a new offset history, whose event ids carry a new epoch. */
Test(mysql_binlog_faults, reset_master_is_detected_then_when_needed_snapshots_in_a_new_history, .timeout = 90)
{
    MYSQL *root = ts_root(0);
    ts_sql(root, "RESET MASTER");
    char q[512];
    struct mbt_run r;
    char *offsets = start_on_two_rows(&r, root, "mbt_reset", 5431, q, sizeof q);
    for (int i = 3; i <= 6; i++)
        ts_sql(root, "INSERT INTO mbt_reset.t VALUES (%d, 'x')", i);
    struct drom_mock *mk = mbt_out(&r, 6, 10000);
    char *old_ids[6];
    for (size_t i = 0; i < 6; i++)
        old_ids[i] = mbt_header(mk, i, "DromEventId");
    const char *rest;
    int64_t old_epoch = mbt_id_epoch(old_ids[0], &rest);
    cr_assert_gt(old_epoch, 0);
    mbt_stop(&r);
    cr_assert_eq(mbt_stored_epoch(offsets, "mysql-binlog/t"), old_epoch);

    /* the binlog starts again below the stored position */
    ts_sql(root, "RESET MASTER");
    struct drom_error err = {0};
    cr_assert_eq(mbt_start_try(&r, 5431, q, &err), 0, "%s", err.msg);
    char reason[1024];
    cr_assert(not_ready_because(&r, "is ahead of the server's binlog", reason, sizeof reason, 10000), "reason: %s",
              reason);
    cr_assert(strstr(reason, "the stored position mysql-bin.000001:") && strstr(reason, "(mysql-bin.000001 holds only "),
              "names the position and why: %s", reason);
    cr_assert(strstr(reason, "the binlog was reset (RESET MASTER) or the server re-created; use "
                             "snapshotMode=when_needed to take a new snapshot"), "and the way out: %s", reason);
    /* A position that cannot be served ends the source's thread right after it says why, before any
     * row is read: the count is final, no wait needed. */
    cr_assert_eq(drom_mock_received(drom_mock_get(r.eng, "out")), 0);
    mbt_stop(&r);

    /* the new binlog grows past the stored position with fewer transactions: the GTIDs tell */
    ts_sql(root, "CREATE TABLE mbt_reset.pad (v LONGTEXT); INSERT INTO mbt_reset.pad VALUES (REPEAT('x', 20000))");
    cr_assert_eq(mbt_start_try(&r, 5431, q, &err), 0, "%s", err.msg);
    cr_assert(not_ready_because(&r, "is ahead of the server's binlog", reason, sizeof reason, 10000), "reason: %s",
              reason);
    cr_assert(strstr(reason, "is beyond the server's 0-"), "the GTID check: %s", reason);
    mbt_stop(&r);

    /* snapshotMode=when_needed: the current rows in a new history */
    char q2[600];
    snprintf(q2, sizeof q2, "%s&snapshotMode=when_needed", q);
    int64_t t0 = mbt_wall_ms();
    mbt_start(&r, 5431, q2);
    mk = mbt_out(&r, 6, 10000);
    int64_t epoch = 0;
    for (size_t i = 0; i < 6; i++) {
        json_t *j = mbt_json(mk, i);
        char *op = mbt_get(j, "op");
        cr_assert_str_eq(op, "r");
        free(op);
        json_decref(j);
        char *id = mbt_header(mk, i, "DromEventId");
        epoch = mbt_id_epoch(id, &rest);
        cr_assert(epoch >= t0 && epoch > old_epoch, "a new epoch: %s (the old one %lld)", id, (long long)old_epoch);
        char want[128];
        snprintf(want, sizeof want, "mbt_reset.t#%zu", i);
        cr_assert(strncmp(rest, "0:mysql-bin.000001:", 19) == 0 && strstr(rest, want), "%s", id);
        for (size_t k = 0; k < 6; k++)
            cr_assert_str_neq(id, old_ids[k]);
        free(id);
    }
    cr_assert_eq(mbt_stored_epoch(offsets, "mysql-binlog/t"), epoch, "the new history's epoch is stored");
    ts_sql(root, "INSERT INTO mbt_reset.t VALUES (7, 'y')");
    mk = mbt_out(&r, 7, 10000);
    char *id = mbt_header(mk, 6, "DromEventId");
    cr_assert_eq(mbt_id_epoch(id, &rest), epoch, "streaming continues the new history: %s", id);
    free(id);
    mbt_stop(&r);
    for (size_t i = 0; i < 6; i++)
        free(old_ids[i]);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE mbt_reset");
    mysql_close(root);
}

/* The start check's error for `user`, or "" when the start succeeded. */
static char *start_error(const char *user, const char *password)
{
    setenv("MBT_USER", user, 1);
    setenv("MBT_PASSWORD", password, 1);
    struct mbt_run r;
    struct drom_error err = {0};
    int rc = mbt_start_try(&r, 5414, "tableIncludeList=mbt_none.t&snapshotMode=no_data", &err);
    drom_engine_stop(r.eng, 2000, &(struct drom_error){0});
    drom_engine_free(r.eng);
    drom_graph_free(&r.graph);
    unsetenv("MBT_USER");
    unsetenv("MBT_PASSWORD");
    return strdup(rc ? err.msg : "");
}

Test(mysql_binlog_faults, start_check_missing_privileges, .timeout = 60)
{
    MYSQL *root = ts_root(0);
    ts_sql(root, "DROP USER IF EXISTS 'mbt_norepl'@'%%', 'mbt_nomonitor'@'%%'; "
                  "CREATE USER 'mbt_norepl'@'%%' IDENTIFIED BY 'pw'; GRANT SELECT ON *.* TO 'mbt_norepl'@'%%'; "
                  "CREATE USER 'mbt_nomonitor'@'%%' IDENTIFIED BY 'pw'; "
                  "GRANT SELECT, REPLICATION SLAVE ON *.* TO 'mbt_nomonitor'@'%%'");
    char *e = start_error("mbt_norepl", "pw");
    cr_log_info("%s", e);
    cr_assert(strstr(e, "user 'mbt_norepl' lacks REPLICATION SLAVE on *.*: GRANT SELECT, RELOAD, SHOW DATABASES, "
                        "REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'mbt_norepl'@'%'"), "%s", e);
    free(e);
    e = start_error("mbt_nomonitor", "pw");
    cr_log_info("%s", e);
    cr_assert(strstr(e, "user 'mbt_nomonitor' lacks BINLOG MONITOR on *.*: GRANT SELECT, RELOAD, SHOW DATABASES, "
                        "REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'mbt_nomonitor'@'%'"), "%s", e);
    free(e);
    /* A refused login is an outage the source waits out (fixed on the
     * server, not in the route): the start goes on, readiness says why. */
    setenv("MBT_USER", "mbt_norepl", 1);
    setenv("MBT_PASSWORD", "wrong", 1);
    struct mbt_run r;
    struct drom_error err = {0};
    cr_assert_eq(mbt_start_try(&r, 5414, "tableIncludeList=mbt_none.t&snapshotMode=no_data", &err), 0, "%s", err.msg);
    char reason[1024], want[200];
    snprintf(want, sizeof want, "the server at 127.0.0.1:%u refused the login of user 'mbt_norepl' (1045: Access denied",
             mbt_port());
    cr_assert(not_ready_because(&r, want, reason, sizeof reason, 10000), "%s", reason);
    cr_assert_null(strstr(reason, "wrong"), "no password in the message");
    mbt_stop(&r);
    unsetenv("MBT_USER");
    unsetenv("MBT_PASSWORD");
    ts_sql(root, "DROP USER 'mbt_norepl'@'%%', 'mbt_nomonitor'@'%%'");
    mysql_close(root);
}

/* binlog_row_metadata and binlog_format are global only: each is changed for
 * the few milliseconds of one start check and set back at once, before any
 * assertion can end the test. */
static char *error_with_global(MYSQL *root, const char *set, const char *reset)
{
    ts_sql(root, "%s", set);
    char *e = start_error("debezium", "debezium");
    int rc = ts_sql_try(root, reset);
    cr_assert_eq(rc, 0, "%s: %s", reset, mysql_error(root));
    return e;
}

Test(mysql_binlog_faults, start_check_binlog_settings, .timeout = 60)
{
    MYSQL *root = ts_root(0);
    char *meta = mbt_scalar(root, "SELECT @@global.binlog_row_metadata");
    cr_assert_str_eq(meta, "FULL", "the test server runs with binlog_row_metadata=FULL");
    free(meta);
    char *e = error_with_global(root, "SET GLOBAL binlog_row_metadata = 'MINIMAL'",
                                "SET GLOBAL binlog_row_metadata = 'FULL'");
    cr_log_info("%s", e);
    cr_assert(has(e, "binlog_row_metadata is MINIMAL on %s, the source needs FULL: run SET GLOBAL "
                        "binlog_row_metadata = 'FULL' and add 'binlog_row_metadata = FULL' to [mariadbd] in my.cnf"),
              "%s", e);
    free(e);
    e = error_with_global(root, "SET GLOBAL binlog_format = 'MIXED'", "SET GLOBAL binlog_format = 'ROW'");
    cr_log_info("%s", e);
    cr_assert(has(e, "binlog_format is MIXED on %s, the source needs ROW: run SET GLOBAL binlog_format "
                        "= 'ROW' and add 'binlog_format = ROW' to [mariadbd] in my.cnf"), "%s", e);
    free(e);
    e = error_with_global(root, "SET GLOBAL binlog_row_image = 'MINIMAL'", "SET GLOBAL binlog_row_image = 'FULL'");
    cr_log_info("%s", e);
    cr_assert(has(e, "binlog_row_image is MINIMAL on %s, the source needs FULL: run SET GLOBAL "
                        "binlog_row_image = 'FULL' and add 'binlog_row_image = FULL' to [mariadbd] in my.cnf"), "%s", e);
    free(e);
    mysql_close(root);
}

Test(mysql_binlog_faults, server_id_taken_by_another_replica, .timeout = 60)
{
    struct mbt_run a, b;
    char *oa = mbt_tmp_path("sid-a"), *ob = mbt_tmp_path("sid-b");
    char qa[512], qb[512];
    snprintf(qa, sizeof qa, "tableIncludeList=mbt_none.t&snapshotMode=no_data&offsetStorageFileName=%s", oa);
    snprintf(qb, sizeof qb, "tableIncludeList=mbt_none.t&snapshotMode=no_data&offsetStorageFileName=%s", ob);
    mbt_start(&a, 5415, qa);
    mbt_start(&b, 5415, qb);
    char reason[1024];
    /* the server drops the older connection with error 1236 */
    cr_assert(not_ready_because(&a, "serverId", reason, sizeof reason, 10000), "reason: %s", reason);
    cr_log_info("%s", reason);
    cr_assert(strstr(reason, "the server refused the binlog dump: A slave with the same server_uuid/server_id is "
                             "already connected"), "%s", reason);
    mbt_stop(&a);
    mbt_stop(&b);
    unlink(oa);
    unlink(ob);
    free(oa);
    free(ob);
}
