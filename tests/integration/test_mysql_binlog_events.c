/* Event details Debezium decides by configuration: the transaction block
 * (null unless provideTransactionMetadata), tables without a primary key
 * (null key, no tombstone), TRUNCATE (skipped, as skipped.operations=t by
 * default). */
#include "tests/integration/test_mysql_binlog_util.h"

static char *body_member(struct drom_mock *mk, size_t i, const char *path)
{
    json_t *j = mbt_json(mk, i);
    char *v = mbt_get(j, path);
    json_decref(j);
    return v;
}

Test(mysql_binlog_events, transaction_block_only_with_metadata_on, .timeout = 60)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_tx");
    ts_sql(root, "CREATE TABLE mbt_tx.a (id INT PRIMARY KEY); CREATE TABLE mbt_tx.b (id INT PRIMARY KEY)");
    char *offsets = mbt_tmp_path("tx");
    char q[512];
    snprintf(q, sizeof q, "databaseIncludeList=mbt_tx&snapshotMode=no_data&schemas=false&"
                          "provideTransactionMetadata=true&offsetStorageFileName=%s", offsets);
    struct mbt_run r;
    mbt_start(&r, 5421, q);
    ts_sql(root, "BEGIN; INSERT INTO mbt_tx.a VALUES (1), (2); INSERT INTO mbt_tx.b VALUES (1); "
                  "INSERT INTO mbt_tx.a VALUES (3); COMMIT");
    ts_sql(root, "INSERT INTO mbt_tx.b VALUES (2)");
    struct drom_mock *mk = mbt_out(&r, 5, 10000);
    const char *orders[5][2] = {{"1", "1"}, {"2", "2"}, {"3", "1"}, {"4", "3"}, {"1", "1"}};
    char *gtid0 = body_member(mk, 0, "source.gtid");
    for (size_t i = 0; i < 5; i++) {
        char *id = body_member(mk, i, "transaction.id"), *total = body_member(mk, i, "transaction.total_order"),
             *dc = body_member(mk, i, "transaction.data_collection_order"), *gtid = body_member(mk, i, "source.gtid");
        cr_assert_str_eq(id, gtid, "the transaction id is the GTID");
        cr_assert_str_eq(total, orders[i][0], "event %zu total_order", i);
        cr_assert_str_eq(dc, orders[i][1], "event %zu data_collection_order", i);
        if (i < 4)
            cr_assert_str_eq(gtid, gtid0);
        else
            cr_assert_str_neq(gtid, gtid0);
        free(id);
        free(total);
        free(dc);
        free(gtid);
    }
    free(gtid0);
    char *raw = drom_mock_body(mk, 3);
    cr_assert(strstr(raw, "\"transaction\":{\"id\":\"0-1-"), "%s", raw);
    cr_assert(strstr(raw, "\",\"total_order\":4,\"data_collection_order\":3},\"op\":\"c\""), "%s", raw);
    free(raw);
    mbt_stop(&r);
    unlink(offsets);
    /* off by default: null, as Debezium */
    snprintf(q, sizeof q, "databaseIncludeList=mbt_tx&snapshotMode=no_data&schemas=false&offsetStorageFileName=%s",
             offsets);
    mbt_start(&r, 5421, q);
    ts_sql(root, "INSERT INTO mbt_tx.a VALUES (9)");
    mk = mbt_out(&r, 1, 10000);
    raw = drom_mock_body(mk, 0);
    cr_assert(strstr(raw, "\"transaction\":null,\"op\":\"c\""), "%s", raw);
    free(raw);
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE mbt_tx");
    mysql_close(root);
}

Test(mysql_binlog_events, no_primary_key_and_truncate, .timeout = 60)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_nopk");
    ts_sql(root, "CREATE TABLE mbt_nopk.t (a INT, b VARCHAR(10)); CREATE TABLE mbt_nopk.k (id INT PRIMARY KEY)");
    char *offsets = mbt_tmp_path("nopk");
    char q[512];
    snprintf(q, sizeof q, "databaseIncludeList=mbt_nopk&snapshotMode=no_data&offsetStorageFileName=%s", offsets);
    struct mbt_run r;
    mbt_start(&r, 5422, q);
    ts_sql(root, "INSERT INTO mbt_nopk.t VALUES (1, 'x'); DELETE FROM mbt_nopk.t");
    ts_sql(root, "INSERT INTO mbt_nopk.k VALUES (1); TRUNCATE TABLE mbt_nopk.k; INSERT INTO mbt_nopk.k VALUES (2)");
    struct drom_mock *mk = mbt_out(&r, 4, 10000);
    /* no key: no kafka.KEY (a null Kafka key), no CamelDebeziumKey, and no tombstone after the delete */
    for (size_t i = 0; i < 2; i++) {
        char *k = mbt_header(mk, i, "kafka.KEY"), *ck = mbt_header(mk, i, "CamelDebeziumKey");
        cr_assert_null(k, "exchange %zu: no key", i);
        cr_assert_null(ck);
    }
    char *op = mbt_header(mk, 1, "CamelDebeziumOperation");
    cr_assert_str_eq(op, "d");
    free(op);
    char *after = body_member(mk, 2, "payload.after");
    cr_assert_str_eq(after, "{\"id\":1}");
    free(after);
    /* TRUNCATE: skipped (Debezium's skipped.operations default "t"); the insert after it follows */
    after = body_member(mk, 3, "payload.after");
    cr_assert_str_eq(after, "{\"id\":2}");
    free(after);
    cr_assert_eq(mbt_before_sentinel(root, mk, "INSERT INTO mbt_nopk.k VALUES (999)", "\"id\":999", 10000), 4);
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE mbt_nopk");
    mysql_close(root);
}

/* offsetStorage=kafka: the position kept in a compacted topic; a new engine
 * (a replacement dromd) resumes from it: no snapshot again, no duplicate. */
Test(mysql_binlog_events, offsets_in_kafka_resume, .timeout = 90)
{
    const char *brokers = getenv("KAFKA_BROKERS");
    if (!brokers || !*brokers)
        cr_skip_test("no test Kafka (tests/services/kafka/ctl start; KAFKA_BROKERS)");
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_koff");
    ts_sql(root, "CREATE TABLE mbt_koff.t (id INT PRIMARY KEY); INSERT INTO mbt_koff.t VALUES (1), (2)");
    char q[512];
    snprintf(q, sizeof q, "tableIncludeList=mbt_koff\\.t&schemas=false&offsetStorage=kafka&offsetStorageTopic="
                          "mbt-offsets-%d-%ld&offsetStorageBrokers=%s&offsetFlushIntervalMs=0", (int)getpid(),
             (long)time(NULL), brokers);
    struct mbt_run r;
    mbt_start(&r, 5423, q);
    mbt_out(&r, 2, 20000);
    ts_sql(root, "INSERT INTO mbt_koff.t VALUES (3)");
    mbt_out(&r, 3, 10000);
    mbt_stop(&r);
    ts_sql(root, "INSERT INTO mbt_koff.t VALUES (4)");
    mbt_start(&r, 5423, q);
    struct drom_mock *mk = mbt_out(&r, 1, 20000);
    char *after = body_member(mk, 0, "after"), *op = body_member(mk, 0, "op");
    cr_assert_str_eq(after, "{\"id\":4}", "resumes after the last acknowledged change");
    cr_assert_str_eq(op, "c");
    free(after);
    free(op);
    cr_assert_eq(mbt_before_sentinel(root, mk, "INSERT INTO mbt_koff.t VALUES (999)", "\"id\":999", 10000), 1,
                 "no snapshot again, no duplicate");
    mbt_stop(&r);
    ts_sql(root, "DROP DATABASE mbt_koff");
    mysql_close(root);
}
