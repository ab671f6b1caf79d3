/* Binlog events from raw bytes: MySQL 8 GTID and heartbeat v2 bodies and a
 * zstd transaction payload as go-mysql's tests hold them (recorded from
 * MySQL 8.0.19/8.0.27, tests/fixtures/mysql8/SOURCES.md), checksums, GTID
 * sets, and binary JSON values of the types no recording here carries
 * (built by hand from the format MySQL documents in json_binary.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_event.h"
#include "components/mysql-binlog/mb_jsonb.h"
#include "components/mysql-binlog/mb_source.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; h[0] && h[1] && n < cap; h += 2) {
        unsigned v;
        if (sscanf(h, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Line `n` (0-based, comments skipped) of a .hex fixture: its type and bytes. */
static size_t fixture_line(const char *file, int n, unsigned *type, uint8_t *out, size_t cap)
{
    char path[256], line[8192];
    snprintf(path, sizeof path, "tests/fixtures/mysql8/%s", file);
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    size_t len = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (n-- > 0)
            continue;
        char *hex = line;
        if (type) {
            *type = (unsigned)strtoul(line, &hex, 10);
            hex++;
        }
        len = unhex(hex, out, cap);
        break;
    }
    fclose(f);
    cr_assert(len > 0, "%s line %d", file, n);
    return len;
}

Test(mb_event, mysql8_gtid_events_give_gtid_and_commit_time)
{
    uint8_t b[256];
    unsigned type;
    char gtid[64];
    int64_t us;
    struct drom_error err = {0};
    size_t n = fixture_line("go-mysql-events.hex", 0, &type, b, sizeof b);
    struct mb_event ev = {.type = (uint8_t)type, .body = b, .body_len = n};
    cr_assert_eq(mb_event_mysql_gtid(&ev, gtid, sizeof gtid, &us, &err), 0, "%s", err.msg);
    cr_assert_str_eq(gtid, "5aa72a7f-44a8-11ea-947f-0242ac190002:258");
    cr_assert_eq(us, 0, "a 5.7 source's transaction through an 8.0 replica: original commit time 0");
    n = fixture_line("go-mysql-events.hex", 1, &type, b, sizeof b);
    ev = (struct mb_event){.type = (uint8_t)type, .body = b, .body_len = n};
    cr_assert_eq(mb_event_mysql_gtid(&ev, gtid, sizeof gtid, &us, &err), 0, "%s", err.msg);
    cr_assert_str_eq(gtid, "5ccc1033-44a8-11ea-bd59-0242ac190003:119");
    cr_assert_eq(us, 1583813191872618);
    ev.type = MB_EV_ANONYMOUS_GTID;
    cr_assert_eq(mb_event_mysql_gtid(&ev, gtid, sizeof gtid, &us, &err), 0);
    cr_assert_str_eq(gtid, "", "anonymous: no GTID");
    ev.body_len = 10;
    cr_assert_eq(mb_event_mysql_gtid(&ev, gtid, sizeof gtid, &us, &err), -1, "truncated");
}

Test(mb_event, heartbeat_v2_gives_file_and_position)
{
    uint8_t b[64];
    unsigned type;
    const char *file;
    size_t flen;
    uint64_t pos;
    struct drom_error err = {0};
    size_t n = fixture_line("go-mysql-events.hex", 2, &type, b, sizeof b);
    struct mb_event ev = {.type = (uint8_t)type, .body = b, .body_len = n};
    cr_assert_eq(type, MB_EV_HEARTBEAT_V2);
    cr_assert_eq(mb_event_heartbeat(&ev, &file, &flen, &pos, &err), 0, "%s", err.msg);
    cr_assert_eq(flen, 13);
    cr_assert(memcmp(file, "binlog.000001", 13) == 0);
    cr_assert_eq(pos, 158);
    n = fixture_line("go-mysql-events.hex", 3, &type, b, sizeof b);
    ev = (struct mb_event){.type = (uint8_t)type, .body = b, .body_len = n};
    cr_assert_eq(mb_event_heartbeat(&ev, &file, &flen, &pos, &err), 0, "%s", err.msg);
    cr_assert_eq(pos, 2600891);
    ev.body_len = 8;
    cr_assert_eq(mb_event_heartbeat(&ev, &file, &flen, &pos, &err), -1, "a field past the end");
}

Test(mb_event, zstd_transaction_payload_inflates_to_its_events)
{
    static uint8_t z[4096], body[4200];
    size_t zn = fixture_line("go-mysql-payload-8.0.27.hex", 0, NULL, z, sizeof z);
    /* the event's header fields: payload size, compression 0 (zstd), end mark */
    size_t n = 0;
    body[n++] = 1;
    body[n++] = 3;
    body[n++] = 0xfc;
    body[n++] = (uint8_t)zn;
    body[n++] = (uint8_t)(zn >> 8);
    body[n++] = 2;
    body[n++] = 1;
    body[n++] = 0;
    body[n++] = 0;
    memcpy(body + n, z, zn);
    n += zn;
    struct mb_event ev = {.type = MB_EV_TRANSACTION_PAYLOAD, .body = body, .body_len = n};
    struct drom_buf out = DROM_BUF_INIT;
    struct drom_error err = {0};
    cr_assert_eq(mb_event_payload(&ev, &out, &err), 0, "%s", err.msg);
    static const unsigned want[] = {MB_EV_QUERY, MB_EV_TABLE_MAP, 30, MB_EV_TABLE_MAP, 31, MB_EV_TABLE_MAP, 32,
                                    MB_EV_XID};
    size_t off = 0, k = 0;
    while (off < out.len) {
        struct mb_event in;
        const uint8_t *p = (const uint8_t *)out.data + off;
        size_t len = p[9] | p[10] << 8 | p[11] << 16 | (size_t)p[12] << 24;
        cr_assert_eq(mb_event_parse(&in, p, len, false, &err), 0, "%s", err.msg);
        cr_assert(k < 8);
        cr_assert_eq(in.type, want[k], "event %zu", k);
        cr_assert_eq(in.next_pos, 0, "events inside a payload have no position of their own");
        k++;
        off += len;
    }
    cr_assert_eq(k, 8);
    body[n - 10] ^= 0xff;   /* a damaged frame is an error, not garbage */
    cr_assert_eq(mb_event_payload(&ev, &out, &err), -1);
    drom_buf_free(&out);
}

Test(mb_event, crc32_and_header_checks)
{
    cr_assert_eq(mb_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    uint8_t e[27] = {0};
    e[4] = MB_EV_XID;
    e[9] = 27;
    uint32_t crc = mb_crc32(e, 23);
    memcpy(e + 23, &crc, 4);
    struct mb_event ev;
    struct drom_error err = {0};
    cr_assert_eq(mb_event_parse(&ev, e, 27, true, &err), 0, "%s", err.msg);
    cr_assert_eq(ev.body_len, 4);
    e[20] ^= 1;
    cr_assert_eq(mb_event_parse(&ev, e, 27, true, &err), -1);
    cr_assert(strstr(err.msg, "checksum"), "%s", err.msg);
    cr_assert_eq(mb_event_parse(&ev, e, 26, true, &err), -1, "length disagrees with the header");
}

Test(mb_event, mysql_gtid_sets_merge_ranges)
{
    char set[256] = "";
    mb_gtidset_add(set, sizeof set, "3E11FA47-71CA-11E1-9E33-C80AA9429562:1");
    mb_gtidset_add(set, sizeof set, "3e11fa47-71ca-11e1-9e33-c80aa9429562:2");
    mb_gtidset_add(set, sizeof set, "3e11fa47-71ca-11e1-9e33-c80aa9429562:5");
    cr_assert_str_eq(set, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2:5");
    mb_gtidset_add(set, sizeof set, "b9b88c66-0755-11f1-9899-4a9da94c4d71:7");
    mb_gtidset_add(set, sizeof set, "3e11fa47-71ca-11e1-9e33-c80aa9429562:3");
    mb_gtidset_add(set, sizeof set, "3e11fa47-71ca-11e1-9e33-c80aa9429562:4");
    cr_assert_str_eq(set, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,b9b88c66-0755-11f1-9899-4a9da94c4d71:7");
    uint32_t d, sv;
    uint64_t q;
    const char *p = "12345678-1234-1234-1234-123456789012:1-3";
    cr_assert(!mb_gtid_next(&p, &d, &sv, &q), "a MySQL set is not read as MariaDB GTIDs");
}

static char *jtext(const uint8_t *b, size_t n)
{
    struct drom_buf out = DROM_BUF_INIT;
    struct drom_error err = {0};
    cr_assert_eq(mb_jsonb_text(&out, b, n, &err), 0, "%s", err.msg);
    return drom_buf_detach(&out);
}

Test(mb_event, binary_json_scalars_as_debezium_writes_them)
{
    struct { uint8_t b[16]; size_t n; const char *want; } cases[] = {
        {{0x05, 0xfe, 0xff}, 3, "-2"},                                           /* int16 */
        {{0x06, 0xff, 0xff}, 3, "65535"},                                        /* uint16 */
        {{0x07, 0x00, 0x00, 0x00, 0x80}, 5, "-2147483648"},                      /* int32 */
        {{0x08, 0xff, 0xff, 0xff, 0xff}, 5, "4294967295"},                       /* uint32 */
        {{0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9, "-1"},       /* int64 */
        {{0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9, "18446744073709551615"},
        {{0x0b, 0, 0, 0, 0, 0, 0, 0x04, 0x40}, 9, "2.5"},                        /* double */
        {{0x0b, 0, 0, 0, 0x20, 0x5f, 0xa0, 0x02, 0x42}, 9, "10000000000"},       /* 1.0E10: BigDecimal, plain */
        {{0x04, 0x00}, 2, "null"}, {{0x04, 0x01}, 2, "true"}, {{0x04, 0x02}, 2, "false"},
        {{0x0c, 0x04, 'a', '"', '\n', 0x01}, 6, "\"a\\\"\\n\\u0001\""},          /* string escapes */
        {{}, 0, "null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = jtext(cases[i].b, cases[i].n);
        cr_assert_str_eq(t, cases[i].want, "case %zu", i);
        free(t);
    }
}

Test(mb_event, binary_json_large_containers_and_opaque_values)
{
    /* large object {"k":[1,"x"]}: count 1, size, key entry (offset u32, len u16),
     * value entry (type, offset u32); the array is a small one inside it */
    static const uint8_t large[] = {
        0x01, 1, 0, 0, 0, 32, 0, 0, 0,      /* type, count, size */
        19, 0, 0, 0, 1, 0,                   /* key at 19, length 1 */
        0x02, 20, 0, 0, 0,                   /* value: small array at 20 */
        'k',
        2, 0, 12, 0,                         /* array: count 2, size 12 */
        0x05, 1, 0,                          /* int16 1, inlined */
        0x0c, 10, 0,                         /* string at 10 */
        1, 'x',
    };
    char *t = jtext(large, sizeof large);
    cr_assert_str_eq(t, "{\"k\":[1,\"x\"]}");
    free(t);
    /* opaque TIME -12:34:56.5: packed (hms << 24) + usec, negated */
    int64_t hms = 12 << 12 | 34 << 6 | 56;
    int64_t packed = -((hms << 24) + 500000);
    uint8_t tm[11] = {0x0f, 11, 8};
    for (int i = 0; i < 8; i++)
        tm[3 + i] = (uint8_t)((uint64_t)packed >> (8 * i));
    t = jtext(tm, sizeof tm);
    cr_assert_str_eq(t, "\"-12:34:56.5\"");
    free(t);
    /* opaque DECIMAL(5,2) -1.50: precision, scale, packed digits */
    static const uint8_t dec[] = {0x0f, 246, 5, 5, 2, 0, 0, 0};
    uint8_t d2[sizeof dec];
    memcpy(d2, dec, sizeof dec);
    /* 5,2: 3 integer digits (2 bytes), 2 fraction digits (1 byte); -1.50 = ~(0x80 0x01 0x32) */
    d2[5] = (uint8_t)~0x80;
    d2[6] = (uint8_t)~0x01;
    d2[7] = (uint8_t)~0x32;
    t = jtext(d2, sizeof d2);
    cr_assert_str_eq(t, "-1.50");
    free(t);
    /* another opaque type (a BLOB): bare base64 */
    static const uint8_t blob[] = {0x0f, 252, 2, 0xff, 0x00};
    t = jtext(blob, sizeof blob);
    cr_assert_str_eq(t, "\"/wA=\"");
    free(t);
    /* damage: an entry past its container */
    uint8_t bad[sizeof large];
    memcpy(bad, large, sizeof large);
    bad[9] = 200;
    struct drom_buf out = DROM_BUF_INIT;
    struct drom_error err = {0};
    cr_assert_eq(mb_jsonb_text(&out, bad, sizeof bad, &err), -1);
    drom_buf_free(&out);
}

Test(mb_event, partial_json_insert_and_remove)
{
    /* before {"a":1}; diffs: insert $.bb = true, then remove $.a */
    static const uint8_t before[] = {0x00, 1, 0, 12, 0, 11, 0, 1, 0, 0x05, 1, 0, 'a'};
    static const uint8_t diff[] = {
        1, 4, '$', '.', 'b', 'b', 2, 0x04, 0x01,      /* insert $.bb true */
        2, 3, '$', '.', 'a',                            /* remove $.a */
    };
    struct drom_buf out = DROM_BUF_INIT;
    struct drom_error err = {0};
    cr_assert_eq(mb_jsonb_patch(&out, before, sizeof before, diff, sizeof diff, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out.data, "{\"bb\":true}");
    drom_buf_reset(&out);
    static const uint8_t missing[] = {0, 4, '$', '.', 'z', 'z', 2, 0x04, 0x01};
    cr_assert_eq(mb_jsonb_patch(&out, before, sizeof before, missing, sizeof missing, &err), -1);
    cr_assert(strstr(err.msg, "not in the before image"), "%s", err.msg);
    drom_buf_free(&out);
}

/* One SID with intervals [start, stop), little-endian as MySQL writes PREVIOUS_GTIDS_LOG_EVENT. */
static size_t prev_gtids_body(uint8_t *b, uint64_t start, uint64_t stop)
{
    memset(b, 0, 48);
    b[0] = 1;                                  /* one SID */
    for (int i = 0; i < 16; i++)
        b[8 + i] = (uint8_t)(0x10 + i);        /* its UUID */
    b[24] = 1;                                 /* one interval */
    for (int i = 0; i < 8; i++) {
        b[32 + i] = (uint8_t)(start >> (8 * i));
        b[40 + i] = (uint8_t)(stop >> (8 * i));
    }
    return 48;
}

Test(mb_event, previous_gtids_refuse_intervals_that_are_not_transaction_numbers)
{
    uint8_t b[48];
    struct drom_error err = {0};
    struct drom_buf out = {0};
    struct mb_event ev = {.type = MB_EV_PREVIOUS_GTIDS, .body = b, .body_len = prev_gtids_body(b, 1, 58)};
    cr_assert_eq(mb_event_previous_gtids(&ev, &out, &err), 0, "%s", err.msg);
    cr_assert_str_eq(drom_buf_cstr(&out), "10111213-1415-1617-1819-1a1b1c1d1e1f:1-57");
    /* found by fuzzing: a stop of 2^63 wrapped to INT64_MIN and its "- 1" overflowed */
    const uint64_t bad[][2] = {{0, 5}, {5, 5}, {9, 3}, {1, UINT64_C(1) << 63 | 1}, {UINT64_C(1) << 63, 1}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        drom_buf_reset(&out);
        ev.body_len = prev_gtids_body(b, bad[i][0], bad[i][1]);
        cr_assert_eq(mb_event_previous_gtids(&ev, &out, &err), -1, "interval %zu", i);
        cr_assert(strstr(err.msg, "not a range of transaction numbers"), "%s", err.msg);
    }
    drom_buf_free(&out);
}
