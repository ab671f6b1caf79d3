/* Debezium's event JSON, byte for byte: the envelope schema of the reference
 * example (Debezium 3.1.1 MySQL, checked against a captured real event), the
 * type mapping on a captured all-types row, and the mode options. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json.h"

/* The reference's customers value schema with prefix my-mysql and database cdcdb. */
static const char CUSTOMERS_SCHEMA[] =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}"
    ",{\"type\":\"string\",\"optional\":false,\"field\":\"first_name\"},{\"type\":\"string\",\"optional\":false,\"field\":\""
    "last_name\"},{\"type\":\"string\",\"optional\":false,\"field\":\"email\"}],\"optional\":true,\"name\":\"my-mysql.cdc"
    "db.customers.Value\",\"field\":\"before\"},{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"f"
    "ield\":\"id\"},{\"type\":\"string\",\"optional\":false,\"field\":\"first_name\"},{\"type\":\"string\",\"optional\":fals"
    "e,\"field\":\"last_name\"},{\"type\":\"string\",\"optional\":false,\"field\":\"email\"}],\"optional\":true,\"name\":\"m"
    "y-mysql.cdcdb.customers.Value\",\"field\":\"after\"},{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optiona"
    "l\":false,\"field\":\"version\"},{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},{\"type\":\"string\","
    "\"optional\":false,\"field\":\"name\"},{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},{\"type\":\"string\","
    "\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,\"parameters\":{\"allowed\":\"true,first,first"
    "_in_data_collection,last_in_data_collection,last,false,incremental\"},\"default\":\"false\",\"field\":\"snap"
    "shot\"},{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},{\"type\":\"string\",\"optional\":true,\"field\":\"seq"
    "uence\"},{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},{\"type\":\"int64\",\"optional\":true,\"field\":\"ts"
    "_ns\"},{\"type\":\"string\",\"optional\":true,\"field\":\"table\"},{\"type\":\"int64\",\"optional\":false,\"field\":\"se"
    "rver_id\"},{\"type\":\"string\",\"optional\":true,\"field\":\"gtid\"},{\"type\":\"string\",\"optional\":false,\"field\""
    ":\"file\"},{\"type\":\"int64\",\"optional\":false,\"field\":\"pos\"},{\"type\":\"int32\",\"optional\":false,\"field\":\"r"
    "ow\"},{\"type\":\"int64\",\"optional\":true,\"field\":\"thread\"},{\"type\":\"string\",\"optional\":true,\"field\":\"que"
    "ry\"}],\"optional\":false,\"name\":\"io.debezium.connector.mysql.Source\",\"version\":1,\"field\":\"source\"},{\"t"
    "ype\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},{\"type\":\"int64\",\"optional\":f"
    "alse,\"field\":\"total_order\"},{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],\"opti"
    "onal\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"},{\"type\":\"string\",\"optional\":false"
    ",\"field\":\"op\"},{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},{\"type\":\"int64\",\"optional\":true,\"fie"
    "ld\":\"ts_us\"},{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}],\"optional\":false,\"name\":\"my-mysql.cdc"
    "db.customers.Envelope\",\"version\":2}";

struct capture {
    uint8_t data[1 << 16];
    size_t n;
};

/* Decodes record `tm` (a TABLE_MAP) and the first row image(s) of record `tm + 1`. */
static void decode(const char *path, size_t tm, struct mb_table *t, struct mb_value *before, struct mb_value *after,
                   enum mb_rows_kind *kind)
{
    static struct capture c;
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    c.n = fread(c.data, 1, sizeof c.data, f);
    fclose(f);
    const uint8_t *rec[16];
    size_t len[16], nrec = 0;
    unsigned type[16];
    for (size_t off = 0; off + 5 <= c.n && nrec < 16;) {
        len[nrec] = c.data[off + 1] | c.data[off + 2] << 8 | c.data[off + 3] << 16 | (size_t)c.data[off + 4] << 24;
        type[nrec] = c.data[off];
        rec[nrec++] = c.data + off + 5;
        off += 5 + len[nrec - 1];
    }
    struct drom_error err;
    struct mb_rows r;
    size_t off = 0;
    cr_assert_eq(mb_table_parse(t, rec[tm], len[tm], 6, &err), 0, "%s", err.msg);
    cr_assert_eq(mb_rows_parse(&r, type[tm + 1], rec[tm + 1], len[tm + 1], 6, &err), 0, "%s", err.msg);
    *kind = r.kind;
    cr_assert_eq(mb_row_decode(t, &r, false, &off, r.kind == MB_ROWS_WRITE ? after : before, &err), 0);
    if (r.kind == MB_ROWS_UPDATE)
        cr_assert_eq(mb_row_decode(t, &r, true, &off, after, &err), 0);
}

static const struct mb_source_info SRC = {
    .ts_ms = 1747657773000, .db = "cdcdb", .table = "customers", .server_id = 1,
    .file = "mysql-bin.000001", .pos = 2676, .row = 0};
#define NOW_US 1747657774093475LL

Test(event_json, seed_insert_matches_the_reference_with_schema)
{
    struct mb_table t;
    struct mb_value before[4], after[4];
    enum mb_rows_kind kind;
    decode("tests/unit/data/binlog/customers.bin", 0, &t, before, after, &kind);
    cr_assert_eq(kind, MB_ROWS_WRITE);
    struct mb_format f = {.prefix = "my-mysql", .version = "3.1.1.Final", .schemas = true};
    struct mb_schema *s = mb_schema_new(&f, &t, NULL);
    cr_assert_str_eq(mb_schema_topic(s), "my-mysql.cdcdb.customers");
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_value(&b, s, 'c', NULL, after, &SRC, NULL, NOW_US);
    struct drom_buf want = DROM_BUF_INIT;
    drom_buf_printf(&want, "{\"schema\":%s,\"payload\":%s}", CUSTOMERS_SCHEMA,
                    "{\"before\":null,\"after\":{\"id\":1,\"first_name\":\"John\",\"last_name\":\"Doe\","
                    "\"email\":\"jdoe@example.com\"},\"source\":{\"version\":\"3.1.1.Final\",\"connector\":\"mysql\","
                    "\"name\":\"my-mysql\",\"ts_ms\":1747657773000,\"snapshot\":\"false\",\"db\":\"cdcdb\","
                    "\"sequence\":null,\"ts_us\":1747657773000000,\"ts_ns\":1747657773000000000,\"table\":\"customers\","
                    "\"server_id\":1,\"gtid\":null,\"file\":\"mysql-bin.000001\",\"pos\":2676,\"row\":0,\"thread\":null,"
                    "\"query\":null},\"transaction\":null,\"op\":\"c\",\"ts_ms\":1747657774093,"
                    "\"ts_us\":1747657774093475,\"ts_ns\":1747657774093475000}");
    cr_assert_str_eq(b.data, want.data);
    drom_buf_reset(&b);
    mb_json_key(&b, s, after);
    cr_assert_str_eq(b.data, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,"
                             "\"field\":\"id\"}],\"optional\":false,\"name\":\"my-mysql.cdcdb.customers.Key\"},"
                             "\"payload\":{\"id\":1}}");
    drom_buf_free(&b);
    drom_buf_free(&want);
    mb_schema_free(s);
    mb_table_free(&t);
}

Test(event_json, seed_update_bare_and_mariadb_identity)
{
    struct mb_table t;
    struct mb_value before[4], after[4];
    enum mb_rows_kind kind;
    decode("tests/unit/data/binlog/customers.bin", 2, &t, before, after, &kind);
    cr_assert_eq(kind, MB_ROWS_UPDATE);
    struct mb_format f = {.prefix = "my-mysql", .version = "3.1.1.Final", .mariadb = true};
    struct mb_schema *s = mb_schema_new(&f, &t, NULL);
    struct mb_source_info src = SRC;
    src.gtid = "0-1-7";
    src.pos = 2995;
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_value(&b, s, 'u', before, after, &src, NULL, NOW_US);
    cr_assert_str_eq(b.data,
                     "{\"before\":{\"id\":1,\"first_name\":\"John\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"},"
                     "\"after\":{\"id\":1,\"first_name\":\"Jane\",\"last_name\":\"Doe\",\"email\":\"jdoe@example.com\"},"
                     "\"source\":{\"version\":\"3.1.1.Final\",\"connector\":\"mariadb\",\"name\":\"my-mysql\","
                     "\"ts_ms\":1747657773000,\"snapshot\":\"false\",\"db\":\"cdcdb\",\"sequence\":null,"
                     "\"ts_us\":1747657773000000,\"ts_ns\":1747657773000000000,\"table\":\"customers\",\"server_id\":1,"
                     "\"gtid\":\"0-1-7\",\"file\":\"mysql-bin.000001\",\"pos\":2995,\"row\":0,\"thread\":null,"
                     "\"query\":null},\"transaction\":null,\"op\":\"u\",\"ts_ms\":1747657774093,"
                     "\"ts_us\":1747657774093475,\"ts_ns\":1747657774093475000}");
    drom_buf_reset(&b);
    mb_json_key(&b, s, after);
    cr_assert_str_eq(b.data, "{\"id\":1}");
    mb_schema_free(s);
    f.schemas = true;
    s = mb_schema_new(&f, &t, NULL);
    drom_buf_reset(&b);
    mb_json_value(&b, s, 'u', before, after, &src, NULL, NOW_US);
    cr_assert(strstr(b.data, "\"name\":\"io.debezium.connector.mariadb.Source\",\"version\":1,\"field\":\"source\""));
    drom_buf_free(&b);
    mb_schema_free(s);
    mb_table_free(&t);
}

static char *row_json(const struct mb_format *f, size_t tm, const bool *keep)
{
    struct mb_table t;
    struct mb_value before[42], after[42];
    enum mb_rows_kind kind;
    decode("tests/unit/data/binlog/alltypes.bin", tm, &t, before, after, &kind);
    struct mb_schema *s = mb_schema_new(f, &t, keep);
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_row(&b, s, after);
    if (f->schemas) {
        drom_buf_putc(&b, '\n');
        mb_json_value(&b, s, 'c', NULL, after, &SRC, NULL, NOW_US);
    }
    mb_schema_free(s);
    mb_table_free(&t);
    return drom_buf_detach(&b);
}

Test(event_json, every_type_with_default_modes)
{
    struct mb_format f = {.prefix = "p", .version = "3.1.1.Final"};
    char *got = row_json(&f, 0, NULL);
    cr_assert_str_eq(got,
        "{\"id\":1,\"ti\":-5,\"tiu\":250,\"si\":-300,\"siu\":65000,\"mi\":-8000000,\"miu\":16000000,"
        "\"i\":-2000000000,\"iu\":4000000000,\"bi\":-9000000000000000000,\"biu\":-1,\"d1\":\"AeJA\","
        "\"d2\":\"4f1D4Wh6dCOTRq+nDL2ygsWAE4T8HZlxwPUu\",\"f\":3.25,\"dbl\":-2.5E100,\"b1\":true,\"b10\":\"AwI=\","
        "\"b64\":\"//////////8=\",\"c\":\"abc\",\"vc\":\"héllo 😀 wörld\",\"tx\":\"text\",\"bn\":\"YWIAAA==\","
        "\"vb\":\"AP8Q\",\"bl\":\"3q2+7w==\",\"dt\":19782,\"tm\":-45296000000,\"tm3\":-45296789000,"
        "\"tm6\":3020399000000,\"dtm\":1704164645000,\"dtm3\":1704164645678,\"dtm6\":1704164645123456,"
        "\"ts\":\"2024-01-02T03:04:05Z\",\"ts3\":\"2024-01-02T03:04:05.678Z\",\"ts6\":\"2024-01-02T03:04:05.000001Z\","
        "\"y\":2024,\"e\":\"medium\",\"st\":\"a,c\",\"j\":\"{\\\"k\\\": [1, 2.5, \\\"x\\\"], \\\"n\\\": null}\","
        "\"g\":{\"wkb\":\"AQEAAAAAAAAAAADwPwAAAAAAAABA\",\"srid\":null},"
        "\"pt\":{\"x\":3.0,\"y\":4.0,\"wkb\":\"AQEAAAAAAAAAAAAIQAAAAAAAABBA\",\"srid\":4326},\"cl\":\"café\",\"c100\":\"x\"}");
    free(got);
}

Test(event_json, extremes_and_zero_dates)
{
    struct mb_format f = {.prefix = "p", .version = "3.1.1.Final"};
    char *got = row_json(&f, 4, NULL);
    cr_assert_str_eq(got,
        "{\"id\":4,\"ti\":127,\"tiu\":0,\"si\":32767,\"siu\":0,\"mi\":8388607,\"miu\":0,\"i\":2147483647,\"iu\":0,"
        "\"bi\":9223372036854775807,\"biu\":0,\"d1\":\"/w==\",\"d2\":\"AA==\",\"f\":-1.5E-10,\"dbl\":1.0E10,"
        "\"b1\":false,\"b10\":\"AAA=\",\"b64\":\"AAAAAAAAAAA=\",\"c\":\"\",\"vc\":\"\",\"tx\":\"\",\"bn\":\"AAAAAA==\","
        "\"vb\":\"\",\"bl\":\"\",\"dt\":null,\"tm\":0,\"tm3\":-500000,\"tm6\":-1000001,\"dtm\":null,\"dtm3\":null,"
        "\"dtm6\":0,\"ts\":null,\"ts3\":null,\"ts6\":\"1970-01-01T00:00:01.500000Z\",\"y\":1900,\"e\":\"\",\"st\":\"\","
        "\"j\":\"[]\",\"g\":null,\"pt\":null,\"cl\":\"\",\"c100\":\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"}");
    free(got);
}

Test(event_json, mode_options)
{
    struct mb_format f = {.prefix = "p", .version = "v", .decimal = MB_DEC_STRING, .binary = MB_BIN_HEX,
                          .bigint_precise = true, .time_connect = true};
    char *got = row_json(&f, 0, NULL);
    cr_assert(strstr(got, "\"biu\":\"AP//////////\""), "%s", got);
    cr_assert(strstr(got, "\"d1\":\"1234.56\""));
    cr_assert(strstr(got, "\"bl\":\"deadbeef\""));
    cr_assert(strstr(got, "\"bn\":\"61620000\""));
    cr_assert(strstr(got, "\"tm3\":-45296789,"));
    cr_assert(strstr(got, "\"dtm6\":1704164645123,"));
    cr_assert(strstr(got, "\"dt\":19782,"));
    free(got);
    f.decimal = MB_DEC_DOUBLE;
    f.binary = MB_BIN_BASE64_URL;
    got = row_json(&f, 0, NULL);
    cr_assert(strstr(got, "\"d1\":1234.56,"), "%s", got);
    cr_assert(strstr(got, "\"d2\":-1.234567890123457E34,"), "%s", got);
    cr_assert(strstr(got, "\"bl\":\"3q2-7w==\""));
    free(got);
}

Test(event_json, schema_of_every_type)
{
    struct mb_format f = {.prefix = "p", .version = "v", .schemas = true};
    char *got = row_json(&f, 0, NULL);
    const char *want[] = {
        "{\"type\":\"int16\",\"optional\":true,\"field\":\"ti\"}",
        "{\"type\":\"int16\",\"optional\":true,\"field\":\"tiu\"}",
        "{\"type\":\"int32\",\"optional\":true,\"field\":\"siu\"}",
        "{\"type\":\"int64\",\"optional\":true,\"field\":\"iu\"}",
        "{\"type\":\"int64\",\"optional\":true,\"field\":\"biu\"}",
        "{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
        "\"parameters\":{\"scale\":\"30\",\"connect.decimal.precision\":\"65\"},\"field\":\"d2\"}",
        "{\"type\":\"float\",\"optional\":true,\"field\":\"f\"}",
        "{\"type\":\"double\",\"optional\":true,\"field\":\"dbl\"}",
        "{\"type\":\"boolean\",\"optional\":true,\"field\":\"b1\"}",
        "{\"type\":\"bytes\",\"optional\":true,\"name\":\"io.debezium.data.Bits\",\"version\":1,"
        "\"parameters\":{\"length\":\"10\"},\"field\":\"b10\"}",
        "{\"type\":\"bytes\",\"optional\":true,\"field\":\"bl\"}",
        "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\",\"version\":1,\"field\":\"dt\"}",
        "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\",\"version\":1,\"field\":\"tm3\"}",
        "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.Timestamp\",\"version\":1,\"field\":\"dtm3\"}",
        "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\",\"version\":1,\"field\":\"dtm6\"}",
        "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\",\"version\":1,\"field\":\"ts3\"}",
        "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Year\",\"version\":1,\"field\":\"y\"}",
        "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
        "\"parameters\":{\"allowed\":\"small,medium,large\"},\"field\":\"e\"}",
        "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.EnumSet\",\"version\":1,"
        "\"parameters\":{\"allowed\":\"a,b,c,d\"},\"field\":\"st\"}",
        "{\"type\":\"struct\",\"fields\":[{\"type\":\"bytes\",\"optional\":false,\"field\":\"wkb\"},"
        "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}],\"optional\":true,"
        "\"name\":\"io.debezium.data.geometry.Geometry\",\"version\":1,\"doc\":\"Geometry\",\"field\":\"g\"}",
        "\"name\":\"io.debezium.data.geometry.Point\",\"version\":1,\"doc\":\"Geometry (POINT)\",\"field\":\"pt\"}",
        "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}",
        "\"name\":\"p.drom_types.t.Envelope\",\"version\":2}",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert(strstr(got, want[i]), "missing %s", want[i]);
    free(got);
}

Test(event_json, column_filter_keeps_the_key)
{
    struct mb_format f = {.prefix = "p", .version = "v"};
    bool keep[42] = {[1] = true};
    char *got = row_json(&f, 0, keep);
    cr_assert_str_eq(got, "{\"id\":1,\"ti\":-5}");
    free(got);
}

static const char *dbl(struct drom_buf *b, double d, bool is_float)
{
    drom_buf_reset(b);
    mb_json_double(b, d, is_float);
    return drom_buf_cstr(b);
}

Test(event_json, numbers_as_java_prints_them)
{
    struct drom_buf b = DROM_BUF_INIT;
    cr_assert_str_eq(dbl(&b, 3.25, false), "3.25");
    cr_assert_str_eq(dbl(&b, 1e10, false), "1.0E10");
    cr_assert_str_eq(dbl(&b, -2.5e100, false), "-2.5E100");
    cr_assert_str_eq(dbl(&b, 1e-4, false), "1.0E-4");
    cr_assert_str_eq(dbl(&b, 0.001, false), "0.001");
    cr_assert_str_eq(dbl(&b, 100, false), "100.0");
    cr_assert_str_eq(dbl(&b, 1e7, false), "1.0E7");
    cr_assert_str_eq(dbl(&b, 9999999.5, false), "9999999.5");
    cr_assert_str_eq(dbl(&b, 0.1, false), "0.1");
    cr_assert_str_eq(dbl(&b, 0, false), "0.0");
    cr_assert_str_eq(dbl(&b, 0.1f, true), "0.1");
    cr_assert_str_eq(dbl(&b, 1.1f, true), "1.1");
    cr_assert_str_eq(dbl(&b, 1.1f, false), "1.100000023841858");
    drom_buf_free(&b);
}

Test(event_json, strings_are_escaped_and_repaired)
{
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_string(&b, "a\"b\\c\n\x01/\xc3\xa9\xff", 11);
    cr_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\u0001/é\xef\xbf\xbd\"");
    drom_buf_free(&b);
    cr_assert_eq(mb_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(mb_days_from_civil(1969, 12, 31), -1);
    cr_assert_eq(mb_days_from_civil(2024, 2, 29), 19782);
}

/* Debezium replaces each character Kafka refuses in a topic (not each byte
 * of it) by '_', and names the schemas after that topic. */
Test(event_json, topic_sanitized_per_character_and_schemas_named_after_it)
{
    struct mb_column col = {.type = MB_T_LONG, .name = (char *)"id", .pk = true};
    uint32_t pk = 0;
    struct mb_table t = {.db = (char *)"dbz", .table = (char *)"Gr\xc3\xbc\xc3\x9f" "e$1", .ncols = 1, .cols = &col,
                         .npk = 1, .pk = &pk, .has_names = true};
    struct mb_format f = {.prefix = "p", .version = "3.6.1.Final", .schemas = true};
    struct mb_schema *s = mb_schema_new(&f, &t, NULL);
    cr_assert_str_eq(mb_schema_topic(s), "p.dbz.Gr__e_1", "one '_' for each of \xc3\xbc, \xc3\x9f and $");
    struct mb_value v = {.kind = MB_V_INT, .i = 7};
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_key(&b, s, &v);
    cr_assert(strstr(b.data, "\"name\":\"p.dbz.Gr__e_1.Key\""), "%s", b.data);
    drom_buf_reset(&b);
    mb_json_value(&b, s, 'c', NULL, &v, &SRC, NULL, NOW_US);
    cr_assert(strstr(b.data, "\"name\":\"p.dbz.Gr__e_1.Value\""), "%s", b.data);
    cr_assert(strstr(b.data, "\"name\":\"p.dbz.Gr__e_1.Envelope\""), "%s", b.data);
    drom_buf_free(&b);
    mb_schema_free(s);
}

/* Text in the character sets MariaDB offers reaches the event as UTF-8
 * (the golden files hold Debezium's own decoding of several); bytes that do
 * not decode become U+FFFD as in Java, and an unknown set is left alone. */
Test(event_json, character_sets_decode_to_utf8)
{
    struct { const char *cs; const char *in; size_t n; const char *want; } cases[] = {
        {"latin2", "\xae\x6c\x75\xbb\x6f\x75\xe8\x6b\xfd", 9, "\xc5\xbd" "lu\xc5\xa5ou\xc4\x8dk\xc3\xbd"},
        {"koi8r", "\xf0\xd2\xc9\xd7\xc5\xd4", 6, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"},
        {"ucs2", "\x03\xa9\x20\xac", 4, "\xce\xa9\xe2\x82\xac"},
        {"utf16", "\xd8\x34\xdd\x1e", 4, "\xf0\x9d\x84\x9e"},
        {"sjis", "\x82\xa0\xff", 3, "\xe3\x81\x82\xef\xbf\xbd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct drom_buf b = DROM_BUF_INIT;
        cr_assert(mb_charset_to_utf8(&b, cases[i].cs, (const uint8_t *)cases[i].in, cases[i].n), "%s", cases[i].cs);
        cr_assert_str_eq(drom_buf_cstr(&b), cases[i].want, "%s", cases[i].cs);
        drom_buf_free(&b);
    }
    struct drom_buf b = DROM_BUF_INIT;
    cr_assert(!mb_charset_to_utf8(&b, "utf8mb4", (const uint8_t *)"x", 1), "UTF-8 needs no conversion");
    cr_assert_eq(b.len, 0);
}

/* Found by fuzz_binlog: a damaged commit time (7 bytes of microseconds, year ~2836) overflowed
 * ts_ns; it wraps as Debezium's Java long does. */
Test(event_json, commit_time_past_2262_wraps_as_java_does)
{
    struct mb_table t;
    struct mb_value before[4], after[4];
    enum mb_rows_kind kind;
    decode("tests/unit/data/binlog/customers.bin", 2, &t, before, after, &kind);
    struct mb_format f = {.prefix = "my-mysql", .version = "3.1.1.Final"};
    struct mb_schema *s = mb_schema_new(&f, &t, NULL);
    struct mb_source_info src = SRC;
    src.ts_us = 27356288311965241LL;
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_value(&b, s, 'u', before, after, &src, NULL, NOW_US);
    /* 27356288311965241 * 1000 mod 2^64, as a signed 64-bit number */
    cr_assert(strstr(b.data, "\"ts_us\":27356288311965241,\"ts_ns\":8909544238255689384,"), "%s", b.data);
    drom_buf_free(&b);
    mb_schema_free(s);
    mb_table_free(&t);
}
