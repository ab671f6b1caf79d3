/* Server text read by the mysql-binlog source: COLUMN_DEFAULT literals as
 * the schema defaults Debezium writes (per type and mode, and the field
 * order around them), the unique-key fallback in the key, and TRUNCATE
 * statements. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/mb_text.h"

/* The field schema Debezium writes for a one-column table whose column has
 * the information_schema COLUMN_DEFAULT `def` (NULL: none). */
static char *field_schema(const struct mb_format *f, struct mb_column c, const char *def)
{
    c.name = "c";
    c.def = (char *)def;
    struct mb_table t = {.db = "d", .table = "t", .ncols = 1, .cols = &c};
    struct mb_schema *s = mb_schema_new(f, &t, NULL);
    struct drom_buf b = DROM_BUF_INIT;
    struct mb_value v = {.kind = MB_V_NULL};
    mb_json_value(&b, s, 'c', NULL, &v, &(struct mb_source_info){.db = "d", .table = "t"}, NULL, 0);
    mb_schema_free(s);
    /* the after struct's only field */
    char *start = strstr(b.data, "\"fields\":[{\"type\":\"struct\",\"fields\":[");
    cr_assert(start);
    start = strstr(start + 10, "\"fields\":[") + 10;
    char *end = strstr(start, ",\"field\":\"c\"}") + strlen(",\"field\":\"c\"}");
    char *out = strndup(start, (size_t)(end - start));
    drom_buf_free(&b);
    return out;
}

static void expect(const struct mb_format *f, struct mb_column c, const char *def, const char *want)
{
    char *got = field_schema(f, c, def);
    cr_assert_str_eq(got, want, "default %s", def ? def : "(none)");
    free(got);
}

static const struct mb_format FMT = {.prefix = "p", .version = "v", .schemas = true};

Test(mb_default, integers_strings_and_absent_defaults)
{
    struct mb_column i = {.type = MB_T_LONG, .nullable = true};
    expect(&FMT, i, "5", "{\"type\":\"int32\",\"optional\":true,\"default\":5,\"field\":\"c\"}");
    expect(&FMT, i, "-9", "{\"type\":\"int32\",\"optional\":true,\"default\":-9,\"field\":\"c\"}");
    /* no DEFAULT, DEFAULT NULL, an expression: no default */
    expect(&FMT, i, NULL, "{\"type\":\"int32\",\"optional\":true,\"field\":\"c\"}");
    expect(&FMT, i, "NULL", "{\"type\":\"int32\",\"optional\":true,\"field\":\"c\"}");
    expect(&FMT, i, "(1 + 1)", "{\"type\":\"int32\",\"optional\":true,\"field\":\"c\"}");
    struct mb_column ti = {.type = MB_T_TINY, .is_unsigned = true};
    expect(&FMT, ti, "200", "{\"type\":\"int16\",\"optional\":false,\"default\":200,\"field\":\"c\"}");
    struct mb_column s = {.type = MB_T_VARCHAR, .nullable = true, .collation = 45};
    expect(&FMT, s, "'it''s \\\\ a\\nb'",
           "{\"type\":\"string\",\"optional\":true,\"default\":\"it's \\\\ a\\nb\",\"field\":\"c\"}");
    expect(&FMT, s, "''", "{\"type\":\"string\",\"optional\":true,\"default\":\"\",\"field\":\"c\"}");
    /* the string NULL is a value */
    expect(&FMT, s, "'NULL'", "{\"type\":\"string\",\"optional\":true,\"default\":\"NULL\",\"field\":\"c\"}");
    char *vals[] = {"x", "y"};
    struct mb_column e = {.type = MB_T_ENUM, .nullable = true, .values = vals, .nvalues = 2};
    expect(&FMT, e, "'y'", "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
                           "\"parameters\":{\"allowed\":\"x,y\"},\"default\":\"y\",\"field\":\"c\"}");
}

Test(mb_default, numbers_per_mode)
{
    struct mb_column d = {.type = MB_T_NEWDECIMAL, .nullable = true, .precision = 6, .scale = 2};
    expect(&FMT, d, "1.50", "{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\","
                            "\"version\":1,\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"6\"},"
                            "\"default\":\"AJY=\",\"field\":\"c\"}");
    struct mb_format fs = FMT, fd = FMT;
    fs.decimal = MB_DEC_STRING;
    fd.decimal = MB_DEC_DOUBLE;
    /* the scale is kept, as BigDecimal.setScale */
    expect(&fs, d, "3", "{\"type\":\"string\",\"optional\":true,\"default\":\"3.00\",\"field\":\"c\"}");
    expect(&fd, d, "-12.25", "{\"type\":\"double\",\"optional\":true,\"default\":-12.25,\"field\":\"c\"}");
    struct mb_column fl = {.type = MB_T_FLOAT, .nullable = true};
    expect(&FMT, fl, "1.1", "{\"type\":\"float\",\"optional\":true,\"default\":1.1,\"field\":\"c\"}");
    struct mb_column db = {.type = MB_T_DOUBLE, .nullable = true};
    expect(&FMT, db, "-20000000000", "{\"type\":\"double\",\"optional\":true,\"default\":-2.0E10,\"field\":\"c\"}");
    struct mb_column b1 = {.type = MB_T_BIT, .nbits = 1, .nullable = true};
    expect(&FMT, b1, "b'1'", "{\"type\":\"boolean\",\"optional\":true,\"default\":true,\"field\":\"c\"}");
    struct mb_column y = {.type = MB_T_YEAR, .nullable = true};
    expect(&FMT, y, "2024", "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Year\",\"version\":1,"
                            "\"default\":2024,\"field\":\"c\"}");
}

Test(mb_default, temporal_types_as_epoch_numbers)
{
    struct mb_column date = {.type = MB_T_DATE, .nullable = true};
    expect(&FMT, date, "'2024-01-02'", "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\","
                                       "\"version\":1,\"default\":19724,\"field\":\"c\"}");
    /* CURRENT_TIMESTAMP is the epoch for DATETIME, nullable or not (a real event shows "default":0) */
    struct mb_column dt = {.type = MB_T_DATETIME2, .fsp = 3, .nullable = true};
    expect(&FMT, dt, "current_timestamp(3)", "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time."
                                             "Timestamp\",\"version\":1,\"default\":0,\"field\":\"c\"}");
    expect(&FMT, dt, "'2024-01-02 03:04:05.678'", "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time."
                                                  "Timestamp\",\"version\":1,\"default\":1704164645678,\"field\":\"c\"}");
    /* a zero date: none when nullable, the epoch when not */
    expect(&FMT, dt, "'0000-00-00 00:00:00'", "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time."
                                              "Timestamp\",\"version\":1,\"field\":\"c\"}");
    dt.nullable = false;
    expect(&FMT, dt, "'0000-00-00 00:00:00'", "{\"type\":\"int64\",\"optional\":false,\"name\":\"io.debezium.time."
                                              "Timestamp\",\"version\":1,\"default\":0,\"field\":\"c\"}");
    /* TIMESTAMP: CURRENT_TIMESTAMP has no default when nullable, the epoch text when not */
    struct mb_column ts = {.type = MB_T_TIMESTAMP2, .nullable = true};
    expect(&FMT, ts, "current_timestamp()", "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time."
                                            "ZonedTimestamp\",\"version\":1,\"field\":\"c\"}");
    ts.nullable = false;
    expect(&FMT, ts, "current_timestamp()", "{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.time."
                                            "ZonedTimestamp\",\"version\":1,\"default\":\"1970-01-01T00:00:00Z\","
                                            "\"field\":\"c\"}");
    expect(&FMT, ts, "'2024-01-02 03:04:05'", "{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.time."
                                              "ZonedTimestamp\",\"version\":1,\"default\":\"2024-01-02T03:04:05Z\","
                                              "\"field\":\"c\"}");
    struct mb_column tm = {.type = MB_T_TIME2, .nullable = true};
    expect(&FMT, tm, "'-01:02:03'", "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\","
                                    "\"version\":1,\"default\":-3723000000,\"field\":\"c\"}");
    /* curdate() is an expression Debezium keeps no default for */
    expect(&FMT, date, "curdate()", "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\","
                                    "\"version\":1,\"field\":\"c\"}");
}

/* A null field with a default: the envelope writes the default (JsonConverter's
 * replace.null.with.default), the bare row (Camel's view) keeps null. */
Test(mb_default, null_replaced_in_the_envelope_only)
{
    struct mb_column c = {.type = MB_T_LONG, .nullable = true, .name = "c", .def = "7"};
    struct mb_table t = {.db = "d", .table = "t", .ncols = 1, .cols = &c};
    struct mb_format f = FMT;
    f.schemas = false;
    struct mb_schema *s = mb_schema_new(&f, &t, NULL);
    struct mb_value v = {.kind = MB_V_NULL};
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_value(&b, s, 'c', NULL, &v, &(struct mb_source_info){.db = "d", .table = "t"}, NULL, 0);
    cr_assert(strstr(b.data, "{\"before\":null,\"after\":{\"c\":7},"), "%s", b.data);
    drom_buf_reset(&b);
    mb_json_row(&b, s, &v);
    cr_assert_str_eq(b.data, "{\"c\":null}");
    drom_buf_free(&b);
    mb_schema_free(s);
}

/* The key of a table whose primary key is a unique index (pk set by the
 * table model): key schema and payload as for a primary key. */
Test(mb_default, key_from_unique_index)
{
    struct mb_column cols[2] = {{.type = MB_T_LONG, .nullable = true, .name = "a"},
                                {.type = MB_T_VARCHAR, .collation = 45, .name = "code", .pk = true, .def = "'x'"}};
    uint32_t pk[1] = {1};
    struct mb_table t = {.db = "d", .table = "t", .ncols = 2, .cols = cols, .npk = 1, .pk = pk};
    struct mb_schema *s = mb_schema_new(&FMT, &t, NULL);
    struct mb_value row[2] = {{.kind = MB_V_INT, .i = 1}, {.kind = MB_V_STRING, .s = (const uint8_t *)"k1", .len = 2}};
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_key(&b, s, row);
    cr_assert_str_eq(b.data, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,"
                             "\"default\":\"x\",\"field\":\"code\"}],\"optional\":false,\"name\":\"p.d.t.Key\"},"
                             "\"payload\":{\"code\":\"k1\"}}");
    drom_buf_free(&b);
    mb_schema_free(s);
}

static void truncate_is(const char *sql, const char *dflt, const char *db, const char *table)
{
    char gdb[64] = "", gt[64] = "";
    bool ok = mb_truncate_parse(sql, strlen(sql), dflt, gdb, sizeof gdb, gt, sizeof gt);
    if (!db) {
        cr_assert(!ok, "%s: not a truncate", sql);
        return;
    }
    cr_assert(ok, "%s is a truncate", sql);
    cr_assert_str_eq(gdb, db, "%s", sql);
    cr_assert_str_eq(gt, table, "%s", sql);
}

Test(mb_truncate, statement_forms)
{
    truncate_is("TRUNCATE TABLE t", "db", "db", "t");
    truncate_is("truncate t", "db", "db", "t");
    truncate_is("TRUNCATE TABLE other.t1", "db", "other", "t1");
    truncate_is("  /* why */ TRUNCATE -- x\n TABLE `my db` . `we``ird`;", "db", "my db", "we`ird");
    truncate_is("# c\nTRUNCATE TABLE `t` WAIT 5", "db", "db", "t");
    truncate_is("TRUNCATE TABLE tablex", "db", "db", "tablex");
    truncate_is("TRUNCATE `t.x`", "db", "db", "t.x");
    /* not a truncate, or nothing to resolve the database from */
    truncate_is("TRUNCATED t", "db", NULL, NULL);
    truncate_is("CREATE TABLE t (a INT)", "db", NULL, NULL);
    truncate_is("TRUNCATE TABLE", "db", NULL, NULL);
    truncate_is("TRUNCATE TABLE `unterminated", "db", NULL, NULL);
    truncate_is("TRUNCATE TABLE t", "", NULL, NULL);
    truncate_is("/* unterminated", "db", NULL, NULL);
}
