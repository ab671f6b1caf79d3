/* DDL mid-stream (ADD/DROP/MODIFY/RENAME COLUMN, RENAME TABLE: picked up
 * from the next table map) and the include/exclude filters with Debezium's
 * semantics (comma-separated regular expressions matched against the whole
 * name, case-insensitively) for databases, tables and columns, in the
 * snapshot and while streaming. */
#include "tests/integration/test_mysql_binlog_util.h"

static char *field(struct drom_mock *m, size_t i, const char *path)
{
    json_t *j = mbt_json(m, i);
    char *v = mbt_get(j, path);
    json_decref(j);
    return v;
}

static void expect(struct drom_mock *m, size_t i, const char *path, const char *want)
{
    char *v = field(m, i, path);
    cr_assert_str_eq(v ? v : "(absent)", want, "exchange %zu %s", i, path);
    free(v);
}

/* The field list of the envelope's "after" struct: "id:int32,a:string,...". */
static char *after_fields(struct drom_mock *m, size_t i)
{
    json_t *j = mbt_json(m, i);
    json_t *fields = json_object_get(json_object_get(j, "schema"), "fields");
    json_t *after = json_array_get(fields, 1);
    char out[1024] = "";
    size_t n = 0;
    json_t *f;
    size_t k;
    json_array_foreach(json_object_get(after, "fields"), k, f)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s:%s", k ? "," : "",
                              json_string_value(json_object_get(f, "field")),
                              json_string_value(json_object_get(f, "type")));
    json_decref(j);
    return strdup(out);
}

Test(mysql_binlog_ddl, column_and_table_ddl_mid_stream, .timeout = 60)
{
    MYSQL *root = ts_root(0);
    ts_fresh_db(root, "mbt_ddl");
    ts_sql(root, "CREATE TABLE mbt_ddl.t (id INT PRIMARY KEY, a VARCHAR(10))");
    char *offsets = mbt_tmp_path("ddl");
    char q[512];
    snprintf(q, sizeof q, "tableIncludeList=mbt_ddl\\.t,mbt_ddl\\.t2&snapshotMode=no_data&offsetStorageFileName=%s",
             offsets);
    struct mbt_run r;
    mbt_start(&r, 5416, q);
    ts_sql(root, "INSERT INTO mbt_ddl.t VALUES (1, 'x')");
    ts_sql(root, "ALTER TABLE mbt_ddl.t ADD COLUMN b INT DEFAULT 5");
    ts_sql(root, "INSERT INTO mbt_ddl.t VALUES (2, 'y', 7)");
    ts_sql(root, "ALTER TABLE mbt_ddl.t MODIFY COLUMN b BIGINT");
    ts_sql(root, "INSERT INTO mbt_ddl.t VALUES (3, 'z', 8000000000)");
    ts_sql(root, "ALTER TABLE mbt_ddl.t RENAME COLUMN a TO a2");
    ts_sql(root, "UPDATE mbt_ddl.t SET a2 = 'w' WHERE id = 1");
    ts_sql(root, "ALTER TABLE mbt_ddl.t DROP COLUMN b");
    ts_sql(root, "INSERT INTO mbt_ddl.t VALUES (4, 'q')");
    ts_sql(root, "RENAME TABLE mbt_ddl.t TO mbt_ddl.t2");
    ts_sql(root, "INSERT INTO mbt_ddl.t2 VALUES (5, 'r')");
    ts_sql(root, "RENAME TABLE mbt_ddl.t2 TO mbt_ddl.t3");
    ts_sql(root, "INSERT INTO mbt_ddl.t3 VALUES (6, 'no')");
    struct drom_mock *mk = mbt_out(&r, 6, 10000);
    expect(mk, 0, "payload.after", "{\"id\":1,\"a\":\"x\"}");
    expect(mk, 1, "payload.after", "{\"id\":2,\"a\":\"y\",\"b\":7}");
    char *f = after_fields(mk, 1);
    cr_assert_str_eq(f, "id:int32,a:string,b:int32");
    free(f);
    expect(mk, 2, "payload.after", "{\"id\":3,\"a\":\"z\",\"b\":8000000000}");
    f = after_fields(mk, 2);
    cr_assert_str_eq(f, "id:int32,a:string,b:int64", "MODIFY COLUMN changes the field's type");
    free(f);
    expect(mk, 3, "payload.before", "{\"id\":1,\"a2\":\"x\",\"b\":5}");
    expect(mk, 3, "payload.after", "{\"id\":1,\"a2\":\"w\",\"b\":5}");
    expect(mk, 3, "payload.op", "u");
    expect(mk, 4, "payload.after", "{\"id\":4,\"a2\":\"q\"}");
    f = after_fields(mk, 4);
    cr_assert_str_eq(f, "id:int32,a2:string");
    free(f);
    expect(mk, 5, "payload.after", "{\"id\":5,\"a2\":\"r\"}");
    expect(mk, 5, "payload.source.table", "t2");
    char *topic = mbt_header(mk, 5, "CamelDebeziumIdentifier");
    cr_assert_str_eq(topic, "t.mbt_ddl.t2");
    free(topic);
    char *env_name = field(mk, 5, "schema.name");
    cr_assert_str_eq(env_name, "t.mbt_ddl.t2.Envelope");
    free(env_name);
    ts_sql(root, "CREATE TABLE mbt_ddl.t2 (id INT PRIMARY KEY, a2 VARCHAR(10))");
    cr_assert_eq(mbt_before_sentinel(root, mk, "INSERT INTO mbt_ddl.t2 VALUES (999, 'sentinel')", "sentinel", 10000), 6,
                 "a table renamed out of the include list is not captured");
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    ts_sql(root, "DROP DATABASE mbt_ddl");
    mysql_close(root);
}

static void filter_dbs(MYSQL *root)
{
    const char *dbs[] = {"mbt_fa", "mbt_fb", "mbt_fc"};
    for (int i = 0; i < 3; i++) {
        ts_fresh_db(root, dbs[i]);
        ts_sql(root, "CREATE TABLE %s.t (id INT PRIMARY KEY, x VARCHAR(10), secret VARCHAR(10)); "
                      "CREATE TABLE %s.u (id INT PRIMARY KEY, x VARCHAR(10)); "
                      "CREATE TABLE %s.tt (id INT PRIMARY KEY, x VARCHAR(10))", dbs[i], dbs[i], dbs[i]);
    }
}

/* One insert into each table, in a known order; returns how many. */
static int touch_all(MYSQL *root, int id)
{
    const char *dbs[] = {"mbt_fa", "mbt_fb", "mbt_fc"};
    for (int i = 0; i < 3; i++)
        ts_sql(root, "INSERT INTO %s.t VALUES (%d, 'x', 's'); INSERT INTO %s.u VALUES (%d, 'x'); "
                      "INSERT INTO %s.tt VALUES (%d, 'x')", dbs[i], id, dbs[i], id, dbs[i], id);
    return 9;
}

/* "db.table" of each exchange, comma-joined. */
static char *tables_of(struct drom_mock *mk)
{
    char out[2048] = "";
    size_t n = 0;
    for (size_t i = 0; i < drom_mock_received(mk); i++) {
        json_t *j = mbt_json(mk, i);
        char *db = mbt_get(j, "source.db"), *t = mbt_get(j, "source.table");
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s.%s", i ? "," : "", db, t);
        free(db);
        free(t);
        json_decref(j);
    }
    return strdup(out);
}

static void run_filter(const char *filters, bool snapshot, size_t expected, const char *tables, const char *first_fmt)
{
    static int next_id = 2;
    int id = snapshot ? 1 : next_id++;
    char first_after[256];
    snprintf(first_after, sizeof first_after, first_fmt, id);
    char *offsets = mbt_tmp_path("filter");
    char q[1024];
    snprintf(q, sizeof q, "%s&schemas=false&snapshotMode=%s&offsetStorageFileName=%s", filters,
             snapshot ? "initial" : "no_data", offsets);
    MYSQL *root = ts_root(0);
    struct mbt_run r;
    mbt_start(&r, 5417, q);
    if (!snapshot)
        touch_all(root, id);
    mbt_out(&r, expected, 10000);
    /* A second round of the same writes proves that the first one brought
     * nothing more: the binlog is ordered, so an extra event of the first
     * round would come before the second round's and shift it. */
    touch_all(root, next_id++);
    struct drom_mock *mk = mbt_out(&r, 2 * expected, 10000);
    char *got = tables_of(mk);
    char twice[1024];
    snprintf(twice, sizeof twice, "%s,%s", tables, tables);
    for (size_t i = 0; getenv("MBT_DEBUG") && i < drom_mock_received(mk); i++) {
        char *b = drom_mock_body(mk, i);
        fprintf(stderr, "%zu: %s\n", i, b);
        free(b);
    }
    cr_assert_str_eq(got, twice, "%s: got %s", filters, got);
    free(got);
    json_t *j = mbt_json(mk, 0);
    char *after = mbt_get(j, "after");
    cr_assert_str_eq(after, first_after, "%s", filters);
    free(after);
    json_decref(j);
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    mysql_close(root);
}

Test(mysql_binlog_ddl, filters_databases_tables_columns, .timeout = 90)
{
    MYSQL *root = ts_root(0);
    filter_dbs(root);
    touch_all(root, 1);
    /* comma-separated, spaces around items, case-insensitive; a table and a column excluded; in the snapshot */
    run_filter("databaseIncludeList=MBT_FA, mbt_fb&tableExcludeList=mbt_fb\\.u,.*\\.tt&"
               "columnExcludeList=mbt_fa\\.t\\.secret", true, 3, "mbt_fa.t,mbt_fa.u,mbt_fb.t", "{\"id\":%d,\"x\":\"x\"}");
    /* the same while streaming */
    run_filter("databaseIncludeList=MBT_FA, mbt_fb&tableExcludeList=mbt_fb\\.u,.*\\.tt&"
               "columnExcludeList=mbt_fa\\.t\\.secret", false, 3, "mbt_fa.t,mbt_fa.u,mbt_fb.t",
               "{\"id\":%d,\"x\":\"x\"}");
    /* anchored: mbt_fa\.t does not take mbt_fa.tt; a column include list keeps the key */
    run_filter("tableIncludeList=mbt_fa\\.t,mbt_fc\\.u&columnIncludeList=mbt_fa\\.t\\.secret,mbt_fc\\.u\\.x", false, 2,
               "mbt_fa.t,mbt_fc.u", "{\"id\":%d,\"secret\":\"s\"}");
    /* a database pattern must match the whole name: mbt_f takes none of mbt_fa..fc */
    run_filter("databaseIncludeList=mbt_f,mbt_fc", false, 3, "mbt_fc.t,mbt_fc.u,mbt_fc.tt", "{\"id\":%d,\"x\":\"x\",\"secret\":\"s\"}");
    /* a database exclude list */
    run_filter("databaseExcludeList=mbt_fa,mbt_fb&tableIncludeList=mbt_f.*", false, 3, "mbt_fc.t,mbt_fc.u,mbt_fc.tt",
               "{\"id\":%d,\"x\":\"x\",\"secret\":\"s\"}");
    for (int i = 0; i < 3; i++)
        ts_sql(root, "DROP DATABASE mbt_f%c", 'a' + i);
    mysql_close(root);
}

Test(mysql_binlog_ddl, include_and_exclude_of_one_kind_are_refused, .timeout = 10)
{
    const char *xml = "<routes><route><from uri=\"mysql-binlog:x?user=u&amp;tableIncludeList=a\\.b&amp;"
                      "tableExcludeList=a\\.c\"/><to uri=\"mock:out\"/></route></routes>";
    struct drom_graph g;
    struct drom_diags d = DROM_DIAGS_INIT;
    int rc = drom_compile_mem(xml, strlen(xml), "t.xml", NULL, &g, &d);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    drom_diags_print(&d, f);
    fclose(f);
    drom_diags_free(&d);
    cr_assert_lt(rc, 0);
    cr_assert(strstr(text, "tableIncludeList and tableExcludeList cannot be used together: give one of them"), "%s", text);
    free(text);
}
