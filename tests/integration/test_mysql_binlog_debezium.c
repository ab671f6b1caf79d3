/* What Debezium takes from the table definition beyond the binlog's table
 * map, checked as exact JSON on the real MariaDB: the unique index that
 * stands in for a missing primary key (key, key schema, headers, from the
 * snapshot and from the binlog), column defaults in the field schemas, and
 * the truncate event when skippedOperations lets it through. */
#include "runtime/buf.h"
#include "tests/integration/test_mysql_binlog_util.h"

/* The text of the first match of "prefix...suffix" in s, malloc'ed. */
static char *between(const char *s, const char *prefix, const char *suffix)
{
    const char *a = strstr(s, prefix);
    cr_assert_not_null(a, "%s in %s", prefix, s);
    a += strlen(prefix);
    const char *b = strstr(a, suffix);
    cr_assert_not_null(b, "%s after %s in %s", suffix, prefix, s);
    return strndup(a, (size_t)(b - a));
}

/* One test's database, made by `ddl` (after `db` is created empty), and a
 * route on it with `opts` and an offset file of its own. */
struct fixture {
    MYSQL *root;
    const char *db;
    struct mbt_run r;
    char *offsets;
};

static void begin(struct fixture *fx, const char *db, const char *ddl, unsigned server_id, const char *opts)
{
    fx->root = ts_root(0);
    fx->db = db;
    ts_fresh_db(fx->root, db);
    ts_sql(fx->root, "%s", ddl);
    fx->offsets = mbt_tmp_path(db);
    char q[1024];
    snprintf(q, sizeof q, "databaseIncludeList=%s&%s&offsetStorageFileName=%s", db, opts, fx->offsets);
    mbt_start(&fx->r, server_id, q);
}

static void end(struct fixture *fx)
{
    mbt_stop(&fx->r);
    unlink(fx->offsets);
    free(fx->offsets);
    ts_sql(fx->root, "DROP DATABASE `%s`", fx->db);
    mysql_close(fx->root);
}

Test(mysql_binlog_debezium, unique_index_stands_in_for_the_primary_key, .timeout = 60)
{
    struct fixture fx;
    /* nk's unique index has a nullable column: Debezium skips it, and uc is the key */
    begin(&fx, "mbt_uk", "CREATE TABLE mbt_uk.u (a INT, nk VARCHAR(5), code VARCHAR(10) NOT NULL, n INT NOT NULL, "
                  "UNIQUE KEY un (nk), UNIQUE KEY uc (code, n)); "
                  "CREATE TABLE mbt_uk.nullable (a INT, UNIQUE KEY ua (a)); "
                  "INSERT INTO mbt_uk.u VALUES (1, NULL, 'k1', 7)", 5431, "snapshotMode=initial");
    ts_sql(fx.root, "INSERT INTO mbt_uk.u VALUES (2, 'x', 'k2', 8); DELETE FROM mbt_uk.u WHERE a = 2; "
                  "INSERT INTO mbt_uk.nullable VALUES (5)");
    /* r (snapshot), c, d + tombstone, c of the table without a usable index */
    struct drom_mock *mk = mbt_out(&fx.r, 5, 15000);
    const char *key_schema = "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"code\"},"
                             "{\"type\":\"int32\",\"optional\":false,\"field\":\"n\"}],\"optional\":false,"
                             "\"name\":\"t.mbt_uk.u.Key\"}";
    const char *payloads[4] = {"{\"code\":\"k1\",\"n\":7}", "{\"code\":\"k2\",\"n\":8}", "{\"code\":\"k2\",\"n\":8}",
                               "{\"code\":\"k2\",\"n\":8}"};
    const char *ops[4] = {"r", "c", "d", NULL};
    for (size_t i = 0; i < 4; i++) {
        char *key = mbt_header(mk, i, "kafka.KEY"), *ck = mbt_header(mk, i, "CamelDebeziumKey");
        char want[512];
        snprintf(want, sizeof want, "{\"schema\":%s,\"payload\":%s}", key_schema, payloads[i]);
        cr_assert_str_eq(key, want, "exchange %zu", i);
        cr_assert_str_eq(ck, payloads[i], "exchange %zu", i);
        free(key);
        free(ck);
        char *body = drom_mock_body(mk, i);
        char *op = mbt_header(mk, i, "CamelDebeziumOperation");
        if (ops[i])
            cr_assert_str_eq(op, ops[i], "exchange %zu", i);
        else
            cr_assert_null(body, "exchange %zu is the delete's tombstone", i);
        free(op);
        free(body);
    }
    char *key = mbt_header(mk, 4, "kafka.KEY");
    cr_assert_null(key, "a unique index with a nullable column is no key");
    end(&fx);
}

Test(mysql_binlog_debezium, column_defaults_in_the_field_schemas, .timeout = 60)
{
    struct fixture fx;
    begin(&fx, "mbt_def", "CREATE TABLE mbt_def.d (id INT PRIMARY KEY, i INT DEFAULT 5, s VARCHAR(10) NOT NULL DEFAULT 'it''s', "
                  "dec1 DECIMAL(6,2) DEFAULT 1.5, d DATE DEFAULT '2024-01-02', dt DATETIME DEFAULT CURRENT_TIMESTAMP, "
                  "ts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, tsn TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP, "
                  "b BIT(1) DEFAULT b'1', e ENUM('x','y') DEFAULT 'y', f DOUBLE DEFAULT -2e10, "
                  "nd INT DEFAULT NULL, ex INT DEFAULT (1 + 1), nn INT NOT NULL)", 5432, "snapshotMode=no_data");
    ts_sql(fx.root, "INSERT INTO mbt_def.d (id, i, s, dec1, d, dt, ts, tsn, b, e, f, nd, ex, nn) VALUES "
                  "(1, NULL, 'a', 2.25, '2024-05-06', '2024-05-06 07:08:09', '2024-05-06 07:08:09', NULL, b'0', 'x', "
                  "1.5, NULL, 3, 4)");
    struct drom_mock *mk = mbt_out(&fx.r, 1, 10000);
    char *raw = drom_mock_body(mk, 0);
    const char *fields =
        "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
        "{\"type\":\"int32\",\"optional\":true,\"default\":5,\"field\":\"i\"},"
        "{\"type\":\"string\",\"optional\":false,\"default\":\"it's\",\"field\":\"s\"},"
        "{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
        "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"6\"},\"default\":\"AJY=\",\"field\":\"dec1\"},"
        "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\",\"version\":1,\"default\":19724,"
        "\"field\":\"d\"},"
        "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.Timestamp\",\"version\":1,\"default\":0,"
        "\"field\":\"dt\"},"
        "{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.time.ZonedTimestamp\",\"version\":1,"
        "\"default\":\"1970-01-01T00:00:00Z\",\"field\":\"ts\"},"
        "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\",\"version\":1,"
        "\"field\":\"tsn\"},"
        "{\"type\":\"boolean\",\"optional\":true,\"default\":true,\"field\":\"b\"},"
        "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
        "\"parameters\":{\"allowed\":\"x,y\"},\"default\":\"y\",\"field\":\"e\"},"
        "{\"type\":\"double\",\"optional\":true,\"default\":-2.0E10,\"field\":\"f\"},"
        "{\"type\":\"int32\",\"optional\":true,\"field\":\"nd\"},"
        "{\"type\":\"int32\",\"optional\":true,\"field\":\"ex\"},"
        "{\"type\":\"int32\",\"optional\":false,\"field\":\"nn\"}";
    char want[4096];
    snprintf(want, sizeof want, "{\"type\":\"struct\",\"fields\":[%s],\"optional\":true,"
                                "\"name\":\"t.mbt_def.d.Value\",\"field\":\"after\"}", fields);
    cr_assert(strstr(raw, want), "the after schema\n%s\nin\n%s", want, raw);
    /* a NULL in a column with a default is written as the default (JsonConverter), one without stays null */
    char *after = between(raw, "\"after\":{", "},\"source\"");
    cr_assert_str_eq(after, "\"id\":1,\"i\":5,\"s\":\"a\",\"dec1\":\"AOE=\",\"d\":19849,\"dt\":1714979289000,"
                            "\"ts\":\"2024-05-06T07:08:09Z\",\"tsn\":null,\"b\":false,\"e\":\"x\",\"f\":1.5,"
                            "\"nd\":null,\"ex\":3,\"nn\":4");
    free(after);
    free(raw);
    end(&fx);
}

/* The position of the binlog event whose statement contains `needle`. */
static long long event_pos(MYSQL *root, const char *file, const char *needle)
{
    char q[512];
    snprintf(q, sizeof q, "SHOW BINLOG EVENTS IN '%s'", file);
    cr_assert_eq(mysql_query(root, q), 0, "%s", mysql_error(root));
    MYSQL_RES *res = mysql_store_result(root);
    long long pos = -1;
    for (MYSQL_ROW row; (row = mysql_fetch_row(res)) != NULL;)
        pos = row[5] && strstr(row[5], needle) ? atoll(row[1]) : pos;
    mysql_free_result(res);
    return pos;
}

Test(mysql_binlog_debezium, truncate_event_when_not_skipped, .timeout = 60)
{
    struct fixture fx;
    begin(&fx, "mbt_tr", "CREATE TABLE mbt_tr.k (id INT PRIMARY KEY, v VARCHAR(5)); CREATE TABLE mbt_tr.fresh (a INT); "
                         "DROP DATABASE IF EXISTS mbt_tr_out; CREATE DATABASE mbt_tr_out; CREATE TABLE mbt_tr_out.x (a INT)",
          5433, "snapshotMode=no_data&skippedOperations=none");
    MYSQL *root = fx.root;
    ts_sql(root, "INSERT INTO mbt_tr.k VALUES (1, 'a')");
    ts_sql(root, "USE mbt_tr; TRUNCATE TABLE k; /* not captured */ TRUNCATE mbt_tr_out.x; "
                  "TRUNCATE TABLE `mbt_tr`.`fresh`; INSERT INTO mbt_tr.k VALUES (2, 'b')");
    struct drom_mock *mk = mbt_out(&fx.r, 4, 10000);
    char *insert = drom_mock_body(mk, 0), *trunc = drom_mock_body(mk, 1);
    /* the schema is the table's envelope schema, as for its row events */
    char *s_insert = between(insert, "{\"schema\":", ",\"payload\":"), *s_trunc = between(trunc, "{\"schema\":", ",\"payload\":");
    cr_assert_str_eq(s_trunc, s_insert);
    char *file = between(trunc, "\"file\":\"", "\""), *gtid = between(trunc, "\"gtid\":\"", "\"");
    char *ts_ms = between(trunc, "\"source\":{\"version\":\"3.6.1.Final\",\"connector\":\"mariadb\",\"name\":\"t\",\"ts_ms\":", ",");
    char *now = between(trunc, "\"op\":\"t\",\"ts_ms\":", ","), *now_us = between(trunc, now, "}");
    long long now_ms = atoll(now), src_ms = atoll(ts_ms), us = atoll(now_us + strlen(",\"ts_us\":"));
    long long pos = event_pos(root, file, "TRUNCATE TABLE k");
    cr_assert_gt(pos, 0);
    char want[2048];
    snprintf(want, sizeof want,
             "{\"before\":null,\"after\":null,\"source\":{\"version\":\"3.6.1.Final\",\"connector\":\"mariadb\","
             "\"name\":\"t\",\"ts_ms\":%lld,\"snapshot\":\"false\",\"db\":\"mbt_tr\",\"sequence\":null,\"ts_us\":%lld,"
             "\"ts_ns\":%lld,\"table\":\"k\",\"server_id\":1,\"gtid\":\"%s\",\"file\":\"%s\",\"pos\":%lld,\"row\":0,"
             "\"thread\":null,\"query\":null},\"transaction\":null,\"op\":\"t\",\"ts_ms\":%lld,\"ts_us\":%lld,"
             "\"ts_ns\":%lld}}",
             src_ms, src_ms * 1000, src_ms * 1000000, gtid, file, pos, now_ms, us, us * 1000);
    cr_assert_eq(now_ms, us / 1000);
    char *payload = strdup(strstr(trunc, ",\"payload\":") + strlen(",\"payload\":"));
    cr_assert_str_eq(payload, want);
    cr_assert_eq(src_ms % 1000, 0);
    char *key = mbt_header(mk, 1, "kafka.KEY"), *op = mbt_header(mk, 1, "CamelDebeziumOperation");
    cr_assert_null(key, "a truncate has a null key");
    cr_assert_str_eq(op, "t");
    /* a table without any row event in this session: its model comes from information_schema */
    char *fresh = drom_mock_body(mk, 2);
    cr_assert(strstr(fresh, "\"table\":\"fresh\""), "%s", fresh);
    cr_assert(strstr(fresh, "\"name\":\"t.mbt_tr.fresh.Envelope\""), "%s", fresh);
    char *last = drom_mock_body(mk, 3);
    cr_assert(strstr(last, "\"after\":{\"id\":2,\"v\":\"b\"}"), "%s", last);
    free(last);
    cr_assert_eq(mbt_before_sentinel(root, mk, "INSERT INTO mbt_tr.k VALUES (999, 'z')", "\"id\":999", 10000), 4,
                 "the excluded table's truncate is not emitted");
    free(fresh);
    free(key);
    free(op);
    free(payload);
    free(now);
    free(now_us);
    free(ts_ms);
    free(file);
    free(gtid);
    free(s_insert);
    free(s_trunc);
    free(insert);
    free(trunc);
    ts_sql(root, "DROP DATABASE mbt_tr_out");
    end(&fx);
}

Test(mysql_binlog_debezium, key_change_is_delete_tombstone_create, .timeout = 60)
{
    struct fixture fx;
    begin(&fx, "mbt_kc", "CREATE TABLE mbt_kc.k (id INT PRIMARY KEY, v VARCHAR(5)); INSERT INTO mbt_kc.k VALUES (1, 'a')",
          5434, "snapshotMode=no_data");
    ts_sql(fx.root, "UPDATE mbt_kc.k SET id = 2 WHERE id = 1; UPDATE mbt_kc.k SET v = 'b' WHERE id = 2");
    /* d(1) + tombstone(1) + c(2) for the key change, u(2) for the other update */
    struct drom_mock *mk = mbt_out(&fx.r, 4, 10000);
    const char *keys[4] = {"{\"id\":1}", "{\"id\":1}", "{\"id\":2}", "{\"id\":2}"};
    const char *ops[4] = {"d", NULL, "c", "u"};
    const char *rows[4] = {"\"before\":{\"id\":1,\"v\":\"a\"},\"after\":null",
                           NULL,
                           "\"before\":null,\"after\":{\"id\":2,\"v\":\"a\"}",
                           "\"before\":{\"id\":2,\"v\":\"a\"},\"after\":{\"id\":2,\"v\":\"b\"}"};
    char *ids[4];
    for (size_t i = 0; i < 4; i++) {
        char *key = mbt_header(mk, i, "CamelDebeziumKey"), *op = mbt_header(mk, i, "CamelDebeziumOperation");
        char *body = drom_mock_body(mk, i);
        ids[i] = mbt_header(mk, i, "DromEventId");
        cr_assert_str_eq(key, keys[i], "exchange %zu", i);
        if (ops[i]) {
            cr_assert_str_eq(op, ops[i], "exchange %zu", i);
            char *payload = between(body, "\"payload\":{", ",\"source\"");
            cr_assert_str_eq(payload, rows[i], "exchange %zu", i);
            free(payload);
        } else
            cr_assert_null(body, "exchange %zu is the old key's tombstone", i);
        free(key);
        free(op);
        free(body);
    }
    /* the three events of one row keep distinct ids: a duplicate filter drops none of them */
    cr_assert_str_neq(ids[0], ids[1]);
    cr_assert_str_neq(ids[0], ids[2]);
    cr_assert_str_neq(ids[1], ids[2]);
    cr_assert(strstr(ids[0], ":delete"), "%s", ids[0]);
    for (size_t i = 0; i < 4; i++)
        free(ids[i]);
    end(&fx);
}

/* The value of Debezium's metric `name` (debezium_metrics_<name>{...} v), -1 when absent. */
static long long metric(struct mbt_run *r, const char *name)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(r->eng, &b);
    char sample[128];
    snprintf(sample, sizeof sample, "\ndebezium_metrics_%s{", name);
    const char *at = strstr(drom_buf_cstr(&b), sample), *sp = at ? strchr(at + 1, ' ') : NULL;
    long long v = sp ? atoll(sp + 1) : -1;
    drom_buf_free(&b);
    return v;
}

/* A rows event whose table map has no column names (written while the server
 * had binlog_row_metadata=MINIMAL): a table the source cannot know, which
 * inconsistentSchemaHandlingMode decides about. */
static void insert_without_column_names(MYSQL *root, const char *sql)
{
    ts_sql(root, "SET GLOBAL binlog_row_metadata = 'MINIMAL'");
    ts_sql(root, "%s", sql);
    ts_sql(root, "SET GLOBAL binlog_row_metadata = 'FULL'");
}

Test(mysql_binlog_debezium, unknown_table_passed_over_under_warn, .timeout = 60)
{
    struct fixture fx;
    begin(&fx, "mbt_warn", "CREATE TABLE mbt_warn.t (id INT PRIMARY KEY, v VARCHAR(5))", 5434,
          "snapshotMode=no_data&inconsistentSchemaHandlingMode=warn");
    insert_without_column_names(fx.root, "INSERT INTO mbt_warn.t VALUES (1, 'a')");
    ts_sql(fx.root, "INSERT INTO mbt_warn.t VALUES (2, 'b')");
    struct drom_mock *mk = drom_mock_get(fx.r.eng, "out");
    cr_assert_eq(mbt_before_sentinel(fx.root, mk, "INSERT INTO mbt_warn.t VALUES (999, 'z')", "\"id\":999", 10000), 1,
                 "the row without column names is passed over, the next one is not");
    char *b = drom_mock_body(mk, 0);
    cr_expect(strstr(b, "\"after\":{\"id\":2,\"v\":\"b\"}"), "%s", b);
    free(b);
    cr_expect_eq(metric(&fx.r, "NumberOfSkippedEvents"), 1, "counted");
    char reason[256];
    cr_expect(drom_engine_ready(fx.r.eng, reason, sizeof reason), "still ready: %s", reason);
    end(&fx);
}

Test(mysql_binlog_debezium, unknown_table_stops_the_source_by_default, .timeout = 60)
{
    struct fixture fx;
    begin(&fx, "mbt_fail", "CREATE TABLE mbt_fail.t (id INT PRIMARY KEY, v VARCHAR(5))", 5435, "snapshotMode=no_data");
    insert_without_column_names(fx.root, "INSERT INTO mbt_fail.t VALUES (1, 'a')");
    char reason[512] = "";
    int64_t until = ts_now_ms() + 10000;
    while (drom_engine_ready(fx.r.eng, reason, sizeof reason) && ts_now_ms() < until)
        usleep(20000);
    cr_expect(!drom_engine_ready(fx.r.eng, reason, sizeof reason), "not ready once the event cannot be read");
    cr_expect(strstr(reason, "has no column names"), "readiness says why: %s", reason);
    cr_expect_eq(drom_mock_received(drom_mock_get(fx.r.eng, "out")), 0);
    cr_expect_neq(metric(&fx.r, "NumberOfSkippedEvents"), 1, "nothing passed over");
    end(&fx);
}

/* Signedness after a YEAR and a BIT column: MariaDB's SIGNEDNESS bitmap counts
 * YEAR among the numeric columns (not BIT), which MySQL's readers, and
 * MariaDB's own mariadb-binlog --print-table-metadata, do not expect: the
 * columns after it were read one bit off. information_schema says which
 * columns are unsigned whatever the bitmap's reading. */
Test(mysql_binlog_debezium, signedness_after_year_and_bit_columns, .timeout = 60)
{
    struct fixture fx;
    begin(&fx, "mbt_sign", "CREATE TABLE mbt_sign.t (id INT PRIMARY KEY, y YEAR, bt BIT(3), a INT UNSIGNED, b INT, "
                           "s SMALLINT UNSIGNED, c TINYINT)",
          5436, "snapshotMode=no_data&schemas=false");
    ts_sql(fx.root, "INSERT INTO mbt_sign.t VALUES (1, 2024, b'101', 4000000000, -1, 65535, -5)");
    struct drom_mock *mk = mbt_out(&fx.r, 1, 10000);
    char *b = drom_mock_body(mk, 0);
    cr_expect(strstr(b, "\"after\":{\"id\":1,\"y\":2024,\"bt\":\"BQ==\",\"a\":4000000000,\"b\":-1,\"s\":65535,\"c\":-5}"),
              "%s", b);
    free(b);
    end(&fx);
}
