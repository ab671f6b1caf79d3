/* Debezium's column mappers and message.key.columns (mb_mapper.h): the
 * option names each takes and refuses, which rule a column gets, and the
 * values against those Debezium 3.6.1 wrote in the golden run
 * (tests/debezium/options/expected/). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/mb_mapper.h"

static void add_ok(struct mb_mappers *m, const char *name, const char *value)
{
    struct drom_error err = {0};
    cr_assert_eq(mb_mappers_add(m, name, value, &err), 1, "%s: %s", name, err.msg);
}

static void add_refused(const char *name, const char *value, const char *says)
{
    struct mb_mappers m = {0};
    struct drom_error err = {0};
    cr_expect_eq(mb_mappers_add(&m, name, value, &err), -1, "%s is refused", name);
    cr_expect(strstr(err.msg, says), "%s: '%s' says '%s'", name, err.msg, says);
    mb_mappers_free(&m);
}

Test(mb_mapper, names_taken_and_refused)
{
    struct mb_mappers m = {0};
    add_ok(&m, "column.mask.with.12.chars", "a.b.c");
    add_ok(&m, "column.truncate.to.0.chars", "a.b.c");
    add_ok(&m, "column.mask.hash.SHA-256.with.salt.CzQMA0cB5K", "a.b.c");
    add_ok(&m, "column.mask.hash.v2.sha-512/256.with.salt.s.a.l.t", "a.b.c");
    add_ok(&m, "column.propagate.source.type", "a.b.c");
    add_ok(&m, "datatype.propagate.source.type", ".+\\.INT");
    cr_expect_eq(m.n, 6);
    /* the salt is everything after .with.salt., dots included */
    cr_expect_str_eq(m.rules[5].salt, "s.a.l.t");
    cr_expect_str_eq(m.rules[5].algorithm, "SHA512-256");
    struct drom_error err = {0};
    cr_expect_eq(mb_mappers_add(&m, "column.include.list", "x", &err), 0, "not a mapper's name");
    mb_mappers_free(&m);

    add_refused("column.mask.with.x.chars", "a.b.c", "N.chars");
    add_refused("column.truncate.to.5", "a.b.c", "N.chars");
    add_refused("column.mask.hash.WHIRLPOOL.with.salt.x", "a.b.c", "unknown hash algorithm 'WHIRLPOOL'");
    add_refused("column.mask.hash.SHA-256.with.salt.", "a.b.c", "<algorithm>.with.salt.<salt>");
    add_refused("column.mask.with.3.chars", "a.b.(c", "column.mask.with.3.chars");
}

/* Debezium gives a column the first rule naming it, rules ordered by kind. */
Test(mb_mapper, the_first_rule_by_kind_wins)
{
    struct mb_mappers m = {0};
    add_ok(&m, "column.mask.hash.v2.MD5.with.salt.s", "db.t.a,db.t.b");
    add_ok(&m, "datatype.propagate.source.type", "db.t.VARCHAR");
    add_ok(&m, "column.propagate.source.type", "db.t.b");
    add_ok(&m, "column.truncate.to.3.chars", "DB.T.A");   /* case-blind */
    const struct mb_map_rule *a = mb_mappers_find(&m, "db", "t", "a", "VARCHAR");
    const struct mb_map_rule *b = mb_mappers_find(&m, "db", "t", "b", "INT");
    const struct mb_map_rule *c = mb_mappers_find(&m, "db", "t", "c", "VARCHAR");
    cr_expect_eq(a->kind, MB_MAP_TRUNCATE);
    cr_expect_eq(b->kind, MB_MAP_PROPAGATE);
    cr_expect_eq(c->kind, MB_MAP_PROPAGATE_TYPE);
    cr_expect_null(mb_mappers_find(&m, "db", "t", "d", "INT"));
    cr_expect_null(mb_mappers_find(&m, "db", "t2", "a", "INT"), "the pattern matches the whole name");
    mb_mappers_free(&m);
}

static char *mapped(const struct mb_mappers *m, int64_t length, const char *json)
{
    struct drom_buf b = DROM_BUF_INIT;
    mb_map_json(&b, &m->rules[0], length, json, strlen(json));
    return b.data;
}

static void expect_mapped(const char *name, int64_t length, const char *json, const char *want)
{
    struct mb_mappers m = {0};
    add_ok(&m, name, "x");
    char *got = mapped(&m, length, json);
    cr_expect_str_eq(got, want, "%s of %s", name, json);
    free(got);
    mb_mappers_free(&m);
}

/* The values of Debezium 3.6.1's golden run. */
Test(mb_mapper, values_as_debezium_wrote_them)
{
    const char *salt = "column.mask.hash.SHA-256.with.salt.CzQMA0cB5K";
    expect_mapped(salt, 40, "\"alice@example.com\"", "\"7d2ad8f83758f463ec20938c870cf0068a399d3f\"");
    expect_mapped(salt, 40, "\"Grüße \\uD83D\\uDE00 ünïcödé\"", "\"5cc8ea17e78e0fab16cd13fa5d21d41b77bc8021\"");
    expect_mapped(salt, 20, "\"café\"", "\"1b903210ac54d9f4a3db\"");
    expect_mapped(salt, 40, "null", "null");
    const char *v2 = "column.mask.hash.v2.SHA-256.with.salt.CzQMA0cB5K";
    expect_mapped(v2, 100, "\"alice@example.com\"",
                  "\"7404d2ed8506279b8038b571358626038ec8d8c769c367caf81eec0c02d58d97\"");
    expect_mapped(v2, 100, "\"Grüße \\uD83D\\uDE00 ünïcödé\"",
                  "\"8d6f8c5267768448277dabbe39aa4bf52beabdbd186b498676c6b389762fa8b1\"");
    expect_mapped("column.mask.hash.v2.MD5.with.salt.s.a.l.t", 8, "\"abc\"", "\"1bf1a02b\"");
    /* a mask replaces null too; hashing and truncation leave it */
    expect_mapped("column.mask.with.6.chars", 12, "null", "\"******\"");
    expect_mapped("column.mask.with.0.chars", 1, "\"red\"", "\"\"");
    /* truncation counts UTF-16 units and may leave half a pair, escaped as Jackson does (whole
     * characters stay UTF-8, which reads back the same as Jackson's escaped pairs) */
    expect_mapped("column.truncate.to.5.chars", 30, "\"\\uD83D\\uDE00\\uD83D\\uDE00\\uD83D\\uDE00\"",
                  "\"😀😀\\uD83D\"");
    expect_mapped("column.truncate.to.5.chars", 30, "\"😀😀😀\"", "\"😀😀\\uD83D\"");
    expect_mapped("column.truncate.to.5.chars", -1, "\"a long note\"", "\"a lon\"");
    expect_mapped("column.truncate.to.5.chars", 30, "\"tab\\there\\\"q\"", "\"tab\\th\"");
    /* a column no longer than N is left alone */
    expect_mapped("column.truncate.to.5.chars", 4, "\"abcdefg\"", "\"abcdefg\"");
}

/* message.key.columns: pattern by pattern in the order given. */
Test(mb_mapper, key_columns_in_the_order_given)
{
    struct mb_mappers m = {0};
    struct drom_error err = {0};
    cr_assert_eq(mb_mappers_set_keys(&m, "db.nopk:c, a; db\\.o.*:x", &err), 0, "%s", err.msg);
    cr_assert_eq(m.nkeys, 3);
    struct mb_column cols[3] = {{.type = MB_T_LONG, .name = "a", .length = -1, .src_scale = -1},
                                {.type = MB_T_LONG, .name = "b", .length = -1, .src_scale = -1},
                                {.type = MB_T_LONG, .name = "c", .length = -1, .src_scale = -1}};
    struct mb_table t = {.db = "db", .table = "nopk", .ncols = 3, .cols = cols};
    struct mb_format f = {.prefix = "p", .version = "v", .mappers = &m};
    struct mb_schema *s = mb_schema_new(&f, &t, NULL);
    cr_assert(mb_schema_has_key(s), "a table without a primary key gets the key given");
    struct mb_value row[3] = {{.kind = MB_V_INT, .i = 1}, {.kind = MB_V_INT, .i = 2}, {.kind = MB_V_INT, .i = 3}};
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_key(&b, s, row);
    cr_expect_str_eq(b.data, "{\"c\":3,\"a\":1}");
    drom_buf_free(&b);
    mb_schema_free(s);
    cr_expect(mb_mappers_key_matches(&m, 2, "db", "orders", "x"));
    mb_mappers_free(&m);

    const char *bad[] = {"db.t", "db.t:", "db.t:a:b", ":a", "db.t:a,,b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mb_mappers k = {0};
        cr_expect_eq(mb_mappers_set_keys(&k, bad[i], &err), -1, "'%s' is refused", bad[i]);
        cr_expect(strstr(err.msg, "messageKeyColumns"), "%s", err.msg);
        mb_mappers_free(&k);
    }
}

/* The parameters of PropagateSourceMetadataToSchemaParameter, after the type's own. */
Test(mb_mapper, propagated_source_type_parameters)
{
    struct mb_mappers m = {0};
    add_ok(&m, "column.propagate.source.type", "db.t.*");
    struct mb_column c = {.type = MB_T_NEWDECIMAL, .precision = 10, .scale = 2, .nullable = true, .name = "amount",
                          .type_name = "DECIMAL", .length = 10, .src_scale = 2};
    struct mb_table t = {.db = "db", .table = "t", .ncols = 1, .cols = &c};
    struct mb_format f = {.prefix = "p", .version = "v", .schemas = true, .mappers = &m};
    struct mb_schema *s = mb_schema_new(&f, &t, NULL);
    struct mb_value v = {.kind = MB_V_NULL};
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_value(&b, s, 'c', NULL, &v, &(struct mb_source_info){.db = "db", .table = "t"}, NULL, 0);
    cr_expect(strstr(b.data, "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\","
                             "\"__debezium.source.column.type\":\"DECIMAL\",\"__debezium.source.column.length\":\"10\","
                             "\"__debezium.source.column.scale\":\"2\",\"__debezium.source.column.name\":\"amount\"}"),
              "%s", b.data);
    drom_buf_free(&b);
    mb_schema_free(s);
    mb_mappers_free(&m);
}
