/* dromedary's events against Debezium 3.6.1's own (tests/debezium/expected/,
 * written by tests/debezium/capture.sh with the real connector): the same
 * tables and DML (tests/debezium/types.sql before the route starts, read by
 * the snapshot; stream.sql after it, read from the binlog), the MariaDB
 * connector identity and Debezium's version, every event compared field by
 * field after the normalisation of tests/debezium/normalise.sed. A
 * difference is reported with its JSON path and both values. */
#include "tests/integration/test_mysql_binlog_util.h"

#define GOLDEN_DIR "tests/debezium/"
#define GOLDEN_DB "dbz_golden"

static const char *const tables[] = {"ints", "nums", "strs", "times", "misc"};
#define NTABLES (sizeof tables / sizeof tables[0])

static void run_sql_file(MYSQL *root, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, GOLDEN_DIR "%s", name);
    char *sql = mbt_slurp(path);
    cr_assert(*sql, "%s is there and not empty", path);
    mbt_sql(root, "%s", sql);
    free(sql);
}

/* What normalise.sed does: the fields that differ from run to run set to fixed values. */
static void normalise(json_t *value)
{
    json_t *payload = json_object_get(value, "payload");
    if (!json_is_object(payload))
        return;
    static const char *const ts[] = {"ts_ms", "ts_us", "ts_ns"};
    if (json_object_get(payload, "ts_ms"))
        for (size_t i = 0; i < 3; i++)
            json_object_set_new(payload, ts[i], json_integer(0));
    json_t *src = json_object_get(payload, "source");
    if (!json_is_object(src))
        return;
    for (size_t i = 0; i < 3; i++)
        json_object_set_new(src, ts[i], json_integer(0));
    json_object_set_new(src, "file", json_string(""));
    json_object_set_new(src, "pos", json_integer(0));
    if (!json_is_null(json_object_get(src, "gtid")))
        json_object_set_new(src, "gtid", json_string(""));
    if (!json_is_null(json_object_get(src, "thread")))
        json_object_set_new(src, "thread", json_integer(0));
}

static json_t *parse_or_null(const char *text, const char *what)
{
    if (!text)
        return json_null();
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    cr_assert_not_null(j, "%s is JSON: %s (%s)", what, text, je.text);
    return j;
}

/* One of dromedary's events in the form of the golden lines. */
static json_t *event_of(struct drom_mock *mk, size_t i)
{
    char *topic = mbt_header(mk, i, "CamelDebeziumIdentifier"), *key = mbt_header(mk, i, "kafka.KEY");
    char *body = drom_mock_body(mk, i);
    json_t *value = parse_or_null(body, "the body");
    normalise(value);
    json_t *ev = json_pack("{s:s?, s:o, s:o}", "topic", topic, "key", parse_or_null(key, "kafka.KEY"), "value", value);
    free(topic);
    free(key);
    free(body);
    return ev;
}

struct diffs {
    char *text;
    size_t len, count;
};

static void add_diff(struct diffs *d, const char *path, const json_t *want, const json_t *got)
{
    char *w = want ? json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");
    char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");
    char *line;
    int n = asprintf(&line, "  %s\n    debezium:  %.600s\n    dromedary: %.600s\n", path, w, g);
    cr_assert_neq(n, -1);
    d->text = realloc(d->text, d->len + (size_t)n + 1);
    memcpy(d->text + d->len, line, (size_t)n + 1);
    d->len += (size_t)n;
    d->count++;
    free(line);
    free(w);
    free(g);
}

/* Field by field; members in either order, reals compared as numbers. */
static void compare(struct diffs *d, const char *path, json_t *want, json_t *got)
{
    char sub[1024];
    if (json_is_object(want) && json_is_object(got)) {
        const char *k;
        json_t *v;
        json_object_foreach(want, k, v) {
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            compare(d, sub, v, json_object_get(got, k));
        }
        json_object_foreach(got, k, v) {
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            if (!json_object_get(want, k))
                add_diff(d, sub, NULL, v);
        }
        return;
    }
    if (json_is_array(want) && json_is_array(got) && json_array_size(want) == json_array_size(got)) {
        for (size_t i = 0; i < json_array_size(want); i++) {
            json_t *w = json_array_get(want, i), *g = json_array_get(got, i);
            const char *field = json_string_value(json_object_get(w, "field"));
            if (field)
                snprintf(sub, sizeof sub, "%s[%s]", path, field);
            else
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            compare(d, sub, w, g);
        }
        return;
    }
    if (!want || !got || !json_equal(want, got))
        add_diff(d, path, want, got);
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

Test(debezium_golden, events_match_debezium_3_6_1, .timeout = 180)
{
    char *golden[NTABLES];
    size_t total = 0, snapshot = 0;
    for (size_t t = 0; t < NTABLES; t++) {
        char path[256];
        snprintf(path, sizeof path, GOLDEN_DIR "expected/%s.jsonl", tables[t]);
        golden[t] = mbt_slurp(path);
        cr_assert(*golden[t], "%s is there (tests/debezium/capture.sh writes it)", path);
        total += count_lines(golden[t]);
        for (const char *p = golden[t]; (p = strstr(p, "\"op\":\"r\"")) != NULL; p++)
            snapshot++;
    }

    MYSQL *root = mbt_root();
    mbt_fresh_db(root, GOLDEN_DB);
    mbt_sql(root, "USE " GOLDEN_DB);
    run_sql_file(root, "types.sql");
    char *offsets = mbt_tmp_path("golden");
    char q[1024];
    snprintf(q, sizeof q, "databaseIncludeList=" GOLDEN_DB "&snapshotMode=initial&connectorIdentity=mariadb&"
                          "debeziumVersion=3.6.1.Final&offsetStorageFileName=%s", offsets);
    struct mbt_run r;
    mbt_start(&r, 5499, q);
    mbt_out(&r, snapshot, 30000);
    run_sql_file(root, "stream.sql");
    /* fewer events are a difference listed below, not a stop here */
    struct drom_mock *mk = drom_mock_get(r.eng, "out");
    drom_mock_wait(mk, total, 15000);
    mbt_sql(root, "CREATE TABLE " GOLDEN_DB ".zz_sentinel (id INT PRIMARY KEY)");
    size_t n = mbt_before_sentinel(root, mk, "INSERT INTO " GOLDEN_DB ".zz_sentinel VALUES (424242)", "424242", 15000);
    cr_expect_eq(n, total, "as many events as Debezium's");

    struct diffs d = {0};
    size_t next[NTABLES] = {0};
    char *line_of[NTABLES];
    for (size_t t = 0; t < NTABLES; t++)
        line_of[t] = golden[t];
    for (size_t i = 0; i < n; i++) {
        json_t *got = event_of(mk, i);
        const char *topic = json_string_value(json_object_get(got, "topic"));
        size_t t = 0;
        while (t < NTABLES && !(topic && strcmp(topic + strlen("t." GOLDEN_DB "."), tables[t]) == 0))
            t++;
        char path[128];
        snprintf(path, sizeof path, "%s#%zu", topic ? topic : "(no topic)", ++next[t < NTABLES ? t : 0]);
        if (t == NTABLES || !*line_of[t]) {
            add_diff(&d, path, NULL, got);
            json_decref(got);
            continue;
        }
        char *eol = strchr(line_of[t], '\n');
        json_error_t je;
        json_t *want = json_loadb(line_of[t], (size_t)(eol - line_of[t]), 0, &je);
        cr_assert_not_null(want, "%s: %s", path, je.text);
        line_of[t] = eol + 1;
        compare(&d, path, want, got);
        json_decref(want);
        json_decref(got);
    }
    for (size_t t = 0; t < NTABLES; t++)
        if (*line_of[t])
            add_diff(&d, tables[t], json_string(line_of[t]), NULL);
    if (d.count)
        fprintf(stderr, "%zu differences from Debezium 3.6.1 (path: expected, got):\n%s", d.count, d.text);
    cr_expect_eq(d.count, 0, "%zu differences from Debezium 3.6.1, listed above", d.count);

    free(d.text);
    mbt_stop(&r);
    unlink(offsets);
    free(offsets);
    for (size_t t = 0; t < NTABLES; t++)
        free(golden[t]);
    mbt_sql(root, "DROP DATABASE " GOLDEN_DB);
    mysql_close(root);
}
