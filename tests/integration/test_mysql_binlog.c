/* mysql-binlog and debezium-mysql against the real test MariaDB
 * (tests/services/mariadb/ctl start): routes compiled from XML, run by the
 * real engine into mock:out, each event's JSON checked exactly. */
#include <criterion/criterion.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler/compile.h"
#include "components/mock/mock.h"
#include "runtime/engine.h"
#include "tests/integration/test_mysql_binlog_util.h"

static unsigned port(void) { return (unsigned)atoi(ts_env("MARIADB_PORT", "13306")); }

static MYSQL *admin(void)
{
    MYSQL *m = mysql_init(NULL);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    cr_assert_not_null(mysql_real_connect(m, "127.0.0.1", "cdcadmin", "cdcadmin", "cdcdb", port(), NULL,
                                          CLIENT_MULTI_STATEMENTS),
                       "the test MariaDB runs (tests/services/mariadb/ctl start): %s", mysql_error(m));
    return m;
}

/* A fresh table per test so that tests do not see each other's changes. */
static void fresh_table(MYSQL *m, const char *name, const char *ddl)
{
    char q[2048];
    snprintf(q, sizeof q, "DROP TABLE IF EXISTS %s", name);
    ts_sql(m, "%s", q);
    snprintf(q, sizeof q, "CREATE TABLE %s %s", name, ddl);
    ts_sql(m, "%s", q);
}

struct run {
    struct drom_graph graph;
    struct drom_engine *eng;
    char offsets[256];
};

static void start(struct run *r, const char *scheme, const char *table, const char *extra, const char *offsets)
{
    char xml[4096];
    snprintf(r->offsets, sizeof r->offsets, "%s", offsets);
    snprintf(xml, sizeof xml,
             "<routes><route id=\"cdc\"><from uri=\"%s:cdc?%s=127.0.0.1&amp;%s=%u&amp;%s=debezium&amp;"
             "%s=debezium&amp;%s=5409&amp;tableIncludeList=cdcdb.%s&amp;topicPrefix=my-mysql&amp;"
             "offsetStorageFileName=%s%s\"/><to uri=\"mock:out\"/></route></routes>",
             scheme, strcmp(scheme, "mysql-binlog") == 0 ? "host" : "databaseHostname",
             strcmp(scheme, "mysql-binlog") == 0 ? "port" : "databasePort", port(),
             strcmp(scheme, "mysql-binlog") == 0 ? "user" : "databaseUser",
             strcmp(scheme, "mysql-binlog") == 0 ? "password" : "databasePassword",
             strcmp(scheme, "mysql-binlog") == 0 ? "serverId" : "databaseServerId", table, offsets, extra);
    struct drom_diags d = DROM_DIAGS_INIT;
    int rc = drom_compile_mem(xml, strlen(xml), "test.xml", NULL, &r->graph, &d);
    if (rc < 0)
        drom_diags_print(&d, stderr);
    drom_diags_free(&d);
    cr_assert_eq(rc, 0);
    struct drom_engine_options o = {.quiet = true, .state_dir = "/tmp"};
    struct drom_error err = {0};
    r->eng = drom_engine_new(&r->graph, &o, &err);
    cr_assert_not_null(r->eng, "%s", err.msg);
    cr_assert_eq(drom_engine_start(r->eng, &err), 0, "start: %s", err.msg);
    /* ready once the binlog dump runs (after the snapshot, if any) */
    char reason[256];
    for (int i = 0; i < 300 && !drom_engine_ready(r->eng, reason, sizeof reason); i++)
        usleep(50000);
    cr_assert(drom_engine_ready(r->eng, reason, sizeof reason), "ready: %s", reason);
}

static void stop(struct run *r)
{
    struct drom_error err = {0};
    drom_engine_stop(r->eng, 5000, &err);
    drom_engine_free(r->eng);
    drom_graph_free(&r->graph);
}

static char *tmp_offsets(void)
{
    static char path[128];
    snprintf(path, sizeof path, "/tmp/drom-mb-%d-%ld.json", (int)getpid(), (long)time(NULL) ^ random());
    unlink(path);
    return path;
}

/* The payload of a mysql-binlog body with the processing-time fields cut:
 * everything from ,"op" up to the end is checked separately. */
static char *payload(const char *body)
{
    const char *p = strstr(body, "\"payload\":");
    cr_assert_not_null(p, "%s", body);
    return strdup(p + 10);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct drom_mock *out(struct run *r, size_t n)
{
    struct drom_mock *m = drom_mock_get(r->eng, "out");
    cr_assert_not_null(m);
    cr_assert_eq(drom_mock_wait(m, n, 10000), 0, "%zu exchanges arrive (got %zu)", n, drom_mock_received(m));
    return m;
}

static const char *hdr(struct drom_mock *m, size_t i, const char *name)
{
    return drom_headers_get_str(&drom_mock_exchange(m, i)->headers, name);
}

/* The end of a test that kept its offset file: it goes, with the connection. */
static void forget(char *offsets, MYSQL *m)
{
    unlink(offsets);
    free(offsets);
    mysql_close(m);
}

/* Exchange i's DromEventId is `epoch`/ (none for 0) followed by the old
 * form made of its source block: server_id:gtid-or-file:pos:row for a
 * streamed row, 0:file:pos:db.table#index for snapshot row `index`. */
static void expect_event_id(struct drom_mock *mk, size_t i, int64_t epoch, long snapshot_index)
{
    char *body = drom_mock_body(mk, i);
    json_t *j = json_loads(body, 0, NULL);
    cr_assert_not_null(j, "%s", body);
    json_t *src = json_object_get(json_object_get(j, "payload") ?: j, "source");
    const char *gtid = json_string_value(json_object_get(src, "gtid"));
    const char *file = json_string_value(json_object_get(src, "file"));
    long long pos = json_integer_value(json_object_get(src, "pos"));
    char want[512];
    int n = epoch ? snprintf(want, sizeof want, "%lld/", (long long)epoch) : 0;
    if (snapshot_index >= 0)
        snprintf(want + n, sizeof want - (size_t)n, "0:%s:%lld:%s.%s#%ld", file, pos,
                 json_string_value(json_object_get(src, "db")), json_string_value(json_object_get(src, "table")),
                 snapshot_index);
    else
        snprintf(want + n, sizeof want - (size_t)n, "%lld:%s:%lld:%lld",
                 (long long)json_integer_value(json_object_get(src, "server_id")), gtid ? gtid : file, pos,
                 (long long)json_integer_value(json_object_get(src, "row")));
    cr_assert_str_eq(hdr(mk, i, "DromEventId"), want, "exchange %zu", i);
    json_decref(j);
    free(body);
}

Test(mysql_binlog, seed_changes_give_c_u_c, .timeout = 60)
{
    MYSQL *m = admin();
    fresh_table(m, "seed_customers", "(id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, first_name VARCHAR(255) NOT NULL, "
                                      "last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE)");
    struct run r;
    int64_t t0 = mbt_wall_ms();
    start(&r, "mysql-binlog", "seed_customers", "&amp;snapshotMode=no_data", tmp_offsets());
    /* a new offset history: its epoch is the start time, stored before any event */
    int64_t epoch = mbt_stored_epoch(r.offsets, "mysql-binlog/my-mysql");
    cr_assert(epoch >= t0 && epoch <= mbt_wall_ms(), "stored epoch %lld is the start time in ms (from %lld)",
              (long long)epoch, (long long)t0);
    ts_sql(m, "INSERT INTO seed_customers (first_name, last_name, email) VALUES (\"John\", \"Doe\", \"jdoe@example.com\")");
    ts_sql(m, "UPDATE seed_customers SET first_name = \"Jane\" WHERE id = 1");
    ts_sql(m, "INSERT INTO seed_customers (first_name, last_name, email) VALUES (\"Chuck\", \"Norris\", \"cnorris@example.com\")");
    struct drom_mock *mk = out(&r, 3);
    const char *ops[3] = {"c", "u", "c"};
    const char *after[3] = {
        "\"after\":{\"id\":1,\"first_name\":\"John\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"}",
        "\"after\":{\"id\":1,\"first_name\":\"Jane\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"}",
        "\"after\":{\"id\":2,\"first_name\":\"Chuck\",\"last_name\":\"Norris\",\"email\":\"cnorris@example.com\"}"};
    for (size_t i = 0; i < 3; i++) {
        char *body = drom_mock_body(mk, i);
        cr_assert(strncmp(body, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":"
                                "[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}", 96) == 0, "%s", body);
        cr_assert(strstr(body, "\"name\":\"my-mysql.cdcdb.seed_customers.Envelope\",\"version\":2}"));
        char *p = payload(body);
        cr_assert(strstr(p, after[i]), "%s", p);
        char opf[16];
        snprintf(opf, sizeof opf, "\"op\":\"%s\"", ops[i]);
        cr_assert(strstr(p, opf));
        cr_assert(strstr(p, "\"source\":{\"version\":\"3.6.1.Final\",\"connector\":\"mariadb\",\"name\":\"my-mysql\","));
        cr_assert(strstr(p, "\"snapshot\":\"false\",\"db\":\"cdcdb\",\"sequence\":null,"));
        cr_assert(strstr(p, "\"table\":\"seed_customers\",\"server_id\":1,\"gtid\":\"0-1-"), "%s", p);
        cr_assert(strstr(p, "\"row\":0,\"thread\":null,\"query\":null},\"transaction\":null,"));
        cr_assert_str_eq(hdr(mk, i, "CamelDebeziumOperation"), ops[i]);
        cr_assert_str_eq(hdr(mk, i, "CamelDebeziumIdentifier"), "my-mysql.cdcdb.seed_customers");
        cr_assert_str_eq(hdr(mk, i, "CamelDebeziumKey"), i < 2 ? "{\"id\":1}" : "{\"id\":2}");
        cr_assert(strstr(hdr(mk, i, "kafka.KEY"), "\"name\":\"my-mysql.cdcdb.seed_customers.Key\"},\"payload\":{\"id\":"));
        const char *rest;
        cr_assert_eq(mbt_id_epoch(hdr(mk, i, "DromEventId"), &rest), epoch, "%s", hdr(mk, i, "DromEventId"));
        cr_assert(strncmp(rest, "1:0-1-", 6) == 0, "%s", hdr(mk, i, "DromEventId"));
        expect_event_id(mk, i, epoch, -1);
        free(p);
        free(body);
    }
    cr_assert_str_eq(hdr(mk, 1, "CamelDebeziumBefore"),
                     "{\"id\":1,\"first_name\":\"John\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"}");
    stop(&r);
    mysql_close(m);
}

Test(mysql_binlog, every_type_streamed, .timeout = 60)
{
    MYSQL *m = admin();
    ts_sql(m, "SET time_zone = '+00:00', sql_mode = ''");
    fresh_table(m, "types",
                "(id INT NOT NULL PRIMARY KEY, ti TINYINT, tiu TINYINT UNSIGNED, biu BIGINT UNSIGNED, d2 DECIMAL(65,30), "
                "f FLOAT, dbl DOUBLE, b1 BIT(1), b64 BIT(64), vc VARCHAR(300), bn BINARY(4), bl LONGBLOB, dt DATE, "
                "tm3 TIME(3), dtm6 DATETIME(6), ts3 TIMESTAMP(3) NULL, y YEAR, e ENUM('small','medium','large'), "
                "st SET('a','b','c','d'), j JSON, pt POINT) DEFAULT CHARSET utf8mb4");
    struct run r;
    start(&r, "mysql-binlog", "types", "&amp;snapshotMode=no_data&amp;schemas=false", tmp_offsets());
    ts_sql(m, "INSERT INTO types VALUES (1, -5, 250, 18446744073709551615, "
           "'-12345678901234567890123456789012345.123456789012345678901234567890', 3.25, -2.5e100, b'1', "
           "b'1111111111111111111111111111111111111111111111111111111111111111', 'héllo 😀 wörld', 'ab', 0xdeadbeef, "
           "'2024-02-29', '-12:34:56.789', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.678', 2024, 'medium', "
           "'a,c', '{\"k\": [1, 2.5, \"x\"]}', ST_GeomFromText('POINT(3 4)', 4326))");
    ts_sql(m, "INSERT INTO types (id) VALUES (2)");
    ts_sql(m, "INSERT INTO types (id, dt, y) VALUES (3, '0000-00-00', 0)");
    struct drom_mock *mk = out(&r, 3);
    char *body = drom_mock_body(mk, 0);
    cr_assert(starts(body,
        "{\"before\":null,\"after\":{\"id\":1,\"ti\":-5,\"tiu\":250,\"biu\":-1,"
        "\"d2\":\"4f1D4Wh6dCOTRq+nDL2ygsWAE4T8HZlxwPUu\",\"f\":3.25,\"dbl\":-2.5E100,\"b1\":true,"
        "\"b64\":\"//////////8=\",\"vc\":\"héllo 😀 wörld\",\"bn\":\"YWIAAA==\",\"bl\":\"3q2+7w==\",\"dt\":19782,"
        "\"tm3\":-45296789000,\"dtm6\":1704164645123456,\"ts3\":\"2024-01-02T03:04:05.678Z\",\"y\":2024,"
        "\"e\":\"medium\",\"st\":\"a,c\",\"j\":\"{\\\"k\\\": [1, 2.5, \\\"x\\\"]}\","
        "\"pt\":{\"x\":3.0,\"y\":4.0,\"wkb\":\"AQEAAAAAAAAAAAAIQAAAAAAAABBA\",\"srid\":4326}},\"source\":"),
        "%s", body);
    free(body);
    body = drom_mock_body(mk, 1);
    cr_assert(starts(body, "{\"before\":null,\"after\":{\"id\":2,\"ti\":null,\"tiu\":null,\"biu\":null,\"d2\":null,"
                            "\"f\":null,\"dbl\":null,\"b1\":null,\"b64\":null,\"vc\":null,\"bn\":null,\"bl\":null,"
                            "\"dt\":null,\"tm3\":null,\"dtm6\":null,\"ts3\":null,\"y\":null,\"e\":null,\"st\":null,"
                            "\"j\":null,\"pt\":null},"), "%s", body);
    free(body);
    body = drom_mock_body(mk, 2);
    cr_assert(strstr(body, "\"dt\":null,") && strstr(body, "\"y\":1900,"), "%s", body);
    free(body);
    stop(&r);
    mysql_close(m);
}

Test(mysql_binlog, transactions_rollback_delete_and_tombstones, .timeout = 60)
{
    MYSQL *m = admin();
    fresh_table(m, "tx", "(id INT PRIMARY KEY, v VARCHAR(20))");
    struct run r;
    start(&r, "mysql-binlog", "tx", "&amp;snapshotMode=no_data&amp;schemas=false", tmp_offsets());
    ts_sql(m, "BEGIN; INSERT INTO tx VALUES (100, 'gone'); ROLLBACK");
    ts_sql(m, "BEGIN; INSERT INTO tx VALUES (1, 'a'), (2, 'b'), (3, 'c'); UPDATE tx SET v = 'x' WHERE id < 3; COMMIT");
    ts_sql(m, "DELETE FROM tx WHERE id = 3");
    struct drom_mock *mk = out(&r, 7);
    const char *ops[7] = {"c", "c", "c", "u", "u", "d", NULL};
    for (size_t i = 0; i < 7; i++) {
        const char *op = hdr(mk, i, "CamelDebeziumOperation");
        if (ops[i])
            cr_assert_str_eq(op, ops[i], "exchange %zu", i);
    }
    char *b0 = drom_mock_body(mk, 0), *b1 = drom_mock_body(mk, 1);
    cr_assert(strstr(b0, "\"row\":0,") && strstr(b1, "\"row\":1,"), "multi-row insert rows: %s", b1);
    cr_assert(strstr(b0, "\"gtid\":\"0-1-"));
    free(b0);
    free(b1);
    /* the tombstone: null body, same key */
    cr_assert(drom_exchange_body_is_null(drom_mock_exchange(mk, 6)));
    cr_assert_str_eq(hdr(mk, 6, "CamelDebeziumKey"), "{\"id\":3}");
    cr_assert_str_eq(hdr(mk, 6, "kafka.KEY"), "{\"id\":3}");
    char tomb_id[256];
    snprintf(tomb_id, sizeof tomb_id, "%s:tombstone", hdr(mk, 5, "DromEventId"));
    cr_assert_str_eq(hdr(mk, 6, "DromEventId"), tomb_id, "the tombstone's id is its delete's, marked");
    cr_assert_gt(mbt_id_epoch(hdr(mk, 5, "DromEventId"), &(const char *){NULL}), 0);
    cr_assert_eq(mbt_before_sentinel(m, mk, "INSERT INTO tx VALUES (999, 'sentinel')", "sentinel", 10000), 7,
                 "nothing of the rolled back insert");
    stop(&r);
    mysql_close(m);
}

Test(mysql_binlog, snapshot_then_stream_and_resume_after_restart, .timeout = 90)
{
    MYSQL *m = admin();
    fresh_table(m, "snap", "(id INT PRIMARY KEY, v VARCHAR(20))");
    ts_sql(m, "INSERT INTO snap VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    char *offsets = strdup(tmp_offsets());
    struct run r;
    start(&r, "mysql-binlog", "snap", "&amp;schemas=false&amp;offsetFlushIntervalMs=0", offsets);
    struct drom_mock *mk = out(&r, 3);
    const char *marks[3] = {"\"snapshot\":\"first\"", "\"snapshot\":\"true\"", "\"snapshot\":\"last\""};
    const char *rest;
    int64_t epoch = mbt_id_epoch(hdr(mk, 0, "DromEventId"), &rest);
    cr_assert_gt(epoch, 0, "a first start begins an offset history with an epoch");
    for (size_t i = 0; i < 3; i++) {
        char *b = drom_mock_body(mk, i);
        cr_assert(strstr(b, marks[i]), "%s", b);
        cr_assert(strstr(b, "\"op\":\"r\""));
        cr_assert(strstr(b, "\"server_id\":0,\"gtid\":null,"), "%s", b);
        free(b);
        expect_event_id(mk, i, epoch, (long)i);
    }
    ts_sql(m, "INSERT INTO snap VALUES (4, 'd')");
    mk = out(&r, 4);
    char *b = drom_mock_body(mk, 3);
    cr_assert(strstr(b, "\"after\":{\"id\":4,\"v\":\"d\"}") && strstr(b, "\"op\":\"c\""), "%s", b);
    free(b);
    stop(&r);
    /* while stopped */
    ts_sql(m, "INSERT INTO snap VALUES (5, 'e'); UPDATE snap SET v = 'z' WHERE id = 1");
    start(&r, "mysql-binlog", "snap", "&amp;schemas=false&amp;offsetFlushIntervalMs=0", offsets);
    mk = out(&r, 2);
    b = drom_mock_body(mk, 0);
    cr_assert(strstr(b, "\"after\":{\"id\":5,\"v\":\"e\"}"), "resumes after the last acknowledged change: %s", b);
    free(b);
    b = drom_mock_body(mk, 1);
    cr_assert(strstr(b, "\"op\":\"u\""), "%s", b);
    free(b);
    /* the restart continues the stored history: same epoch */
    expect_event_id(mk, 0, epoch, -1);
    expect_event_id(mk, 1, epoch, -1);
    cr_assert_eq(mbt_before_sentinel(m, mk, "INSERT INTO snap VALUES (999, 'sentinel')", "sentinel", 10000), 2,
                 "no snapshot again, no duplicate");
    stop(&r);
    cr_assert_eq(mbt_stored_epoch(offsets, "mysql-binlog/my-mysql"), epoch);
    forget(offsets, m);
}

/* An upgrade keeps the ids of replays: an offset stored before epochs
 * continues with ids of the old form, and is written back without one. */
Test(mysql_binlog, offset_stored_before_epochs_keeps_the_old_ids, .timeout = 60)
{
    MYSQL *m = admin();
    fresh_table(m, "oldids", "(id INT PRIMARY KEY, v VARCHAR(20))");
    char *offsets = strdup(tmp_offsets());
    struct run r;
    start(&r, "mysql-binlog", "oldids", "&amp;snapshotMode=no_data&amp;schemas=false&amp;offsetFlushIntervalMs=0",
          offsets);
    ts_sql(m, "INSERT INTO oldids VALUES (1, 'a')");
    out(&r, 1);
    stop(&r);
    /* the offset as an earlier version stored it */
    json_error_t je;
    json_t *j = json_load_file(offsets, 0, &je);
    cr_assert_not_null(j, "%s: %s", offsets, je.text);
    json_t *o = json_object_get(json_object_get(j, "offsets"), "mysql-binlog/my-mysql");
    cr_assert_eq(json_object_del(o, "epoch"), 0, "the offset had an epoch");
    /* nor a source and checksum: those came later still */
    cr_assert_eq(json_object_del(o, "checksum"), 0, "the offset had a checksum");
    cr_assert_eq(json_object_del(o, "source"), 0, "the offset named its source");
    cr_assert_eq(json_dump_file(j, offsets, JSON_COMPACT), 0);
    json_decref(j);

    start(&r, "mysql-binlog", "oldids", "&amp;snapshotMode=no_data&amp;schemas=false&amp;offsetFlushIntervalMs=0",
          offsets);
    ts_sql(m, "INSERT INTO oldids VALUES (2, 'b')");
    struct drom_mock *mk = out(&r, 1);
    const char *rest;
    cr_assert_eq(mbt_id_epoch(hdr(mk, 0, "DromEventId"), &rest), 0, "old form: %s", hdr(mk, 0, "DromEventId"));
    expect_event_id(mk, 0, 0, -1);
    stop(&r);
    cr_assert_eq(mbt_stored_epoch(offsets, "mysql-binlog/my-mysql"), 0, "still no epoch in the offset");
    forget(offsets, m);
}

Test(mysql_binlog, debezium_mysql_body_is_the_row_after, .timeout = 60)
{
    MYSQL *m = admin();
    fresh_table(m, "camel", "(id INT PRIMARY KEY, name VARCHAR(20))");
    struct run r;
    start(&r, "debezium-mysql", "camel", "&amp;snapshotMode=no_data", tmp_offsets());
    ts_sql(m, "INSERT INTO camel VALUES (7, 'x')");
    ts_sql(m, "DELETE FROM camel WHERE id = 7");
    struct drom_mock *mk = out(&r, 2);
    char *b = drom_mock_body(mk, 0);
    cr_assert_str_eq(b, "{\"id\":7,\"name\":\"x\"}");
    free(b);
    cr_assert(drom_exchange_body_is_null(drom_mock_exchange(mk, 1)), "delete: null body");
    cr_assert_str_eq(hdr(mk, 1, "CamelDebeziumOperation"), "d");
    cr_assert_str_eq(hdr(mk, 1, "CamelDebeziumBefore"), "{\"id\":7,\"name\":\"x\"}");
    cr_assert_null(hdr(mk, 0, "kafka.KEY"));
    cr_assert_eq(mbt_before_sentinel(m, mk, "INSERT INTO camel VALUES (999, 'sentinel')", "sentinel", 10000), 2,
                 "no tombstone by default on debezium-mysql");
    stop(&r);
    mysql_close(m);
}

/* Camel's names for Debezium's column mappers and key columns: messageKeyColumns
 * and the mappers through additionalProperties, as Camel passes them on. */
Test(mysql_binlog, debezium_mysql_masks_truncates_and_keys_as_told, .timeout = 60)
{
    MYSQL *m = admin();
    fresh_table(m, "camelmap", "(id INT PRIMARY KEY, code VARCHAR(8) NOT NULL, secret VARCHAR(20), note TEXT)");
    struct run r;
    start(&r, "debezium-mysql", "camelmap",
          "&amp;snapshotMode=no_data&amp;messageKeyColumns=cdcdb.camelmap:code"
          "&amp;additionalProperties.column.mask.with.3.chars=cdcdb.camelmap.secret"
          "&amp;additionalProperties.column.mask.hash.v2.SHA-256.with.salt.pepper=cdcdb.camelmap.code"
          "&amp;additionalProperties.column.truncate.to.2.chars=cdcdb.camelmap.note",
          tmp_offsets());
    ts_sql(m, "INSERT INTO camelmap VALUES (7, 'k7', NULL, 'abcdef')");
    struct drom_mock *mk = out(&r, 1);
    char *b = drom_mock_body(mk, 0);
    /* SHA-256 of "pepper" + "k7", cut to VARCHAR(8)'s length; a masked NULL is the mask (Debezium's way) */
    cr_expect_str_eq(b, "{\"id\":7,\"code\":\"170604d8\",\"secret\":\"***\",\"note\":\"ab\"}");
    free(b);
    /* the key is code as it is in the table: Debezium maps the value's fields, never the key's */
    cr_expect_str_eq(hdr(mk, 0, "CamelDebeziumKey"), "{\"code\":\"k7\"}");
    stop(&r);
    mysql_close(m);
}
