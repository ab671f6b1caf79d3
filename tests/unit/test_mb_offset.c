/* The binlog source's stored offset: its JSON with the history's epoch
 * (and offsets stored before epochs), and the judgement of a stored
 * position against what the server's binlog holds now: purged, ahead of
 * the server (RESET MASTER, a re-created server), or fine. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "components/mysql-binlog/mb_source.h"

static char *to_json(const struct mb_offset *o)
{
    struct drom_buf b = DROM_BUF_INIT;
    mb_offset_to_json(o, NULL, &b);
    return drom_buf_detach(&b);
}

Test(mb_offset, epoch_round_trips)
{
    struct mb_offset o = {.file = "mysql-bin.000003", .pos = 1234, .gtids = "0-1-37", .event = 1, .row = 2,
                          .server_id = 1, .ts_sec = 1700000000, .epoch_ms = 1767225600123};
    char *j = to_json(&o);
    cr_assert_str_eq(j, "{\"file\":\"mysql-bin.000003\",\"pos\":1234,\"gtids\":\"0-1-37\",\"event\":1,\"row\":2,"
                        "\"server_id\":1,\"ts_sec\":1700000000,\"epoch\":1767225600123}");
    struct mb_offset back;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&back, NULL, j, &err), 0, "%s", err.msg);
    cr_assert_eq(back.epoch_ms, 1767225600123);
    char *again = to_json(&back);
    cr_assert_str_eq(again, j, "every field comes back");
    free(again);
    free(j);
}

Test(mb_offset, offset_from_before_epochs_has_none)
{
    /* as stored by an earlier version: the ids of its replays keep the old form */
    struct mb_offset o;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&o, NULL, "{\"file\":\"mysql-bin.000001\",\"pos\":4567,\"gtids\":\"0-1-9\"}", &err), 0,
                 "%s", err.msg);
    cr_assert_eq(o.epoch_ms, 0);
    char *j = to_json(&o);
    cr_assert_null(strstr(j, "epoch"), "written back without one: %s", j);
    free(j);
}

Test(mb_offset, bad_epoch_is_refused)
{
    static const char *const bad[] = {
        "{\"file\":\"f.000001\",\"pos\":4,\"epoch\":\"123\"}",
        "{\"file\":\"f.000001\",\"pos\":4,\"epoch\":0}",
        "{\"file\":\"f.000001\",\"pos\":4,\"epoch\":-5}",
        "{\"file\":\"f.000001\",\"pos\":4,\"epoch\":1.5}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct mb_offset o;
        struct drom_error err = {0};
        cr_assert_eq(mb_offset_from_json(&o, NULL, bad[i], &err), -1, "%s", bad[i]);
        cr_assert_eq(err.code, DROM_ESTATE);
        cr_assert(strstr(err.msg, "epoch that is not a positive integer") && strstr(err.msg, bad[i]), "%s", err.msg);
    }
}

Test(mb_offset, gtid_sets_iterate_skipping_malformed_items)
{
    const char *p = "0-1-37,junk,2-5-18446744073709551615";
    uint32_t d, s;
    uint64_t q;
    cr_assert(mb_gtid_next(&p, &d, &s, &q));
    cr_assert(d == 0 && s == 1 && q == 37);
    cr_assert(mb_gtid_next(&p, &d, &s, &q));
    cr_assert(d == 2 && s == 5 && q == UINT64_MAX);
    cr_assert_not(mb_gtid_next(&p, &d, &s, &q));
    p = "";
    cr_assert_not(mb_gtid_next(&p, &d, &s, &q));
}

/* The server of these cases: two binlogs, GTIDs of domains 0 and 1. */
static const struct mb_binlog_file FILES[] = {{"mysql-bin.000007", 1073741824}, {"mysql-bin.000008", 5000}};

static enum mb_position_state check(const char *file, uint64_t pos, const char *gtids, const char *server_gtids,
                                    char *why)
{
    struct mb_offset o = {.pos = pos};
    snprintf(o.file, sizeof o.file, "%s", file);
    snprintf(o.gtids, sizeof o.gtids, "%s", gtids);
    struct mb_server_binlogs b = {.files = FILES, .n = 2, .gtids = server_gtids};
    why[0] = '\0';
    return mb_position_check(&o, &b, why, 512);
}

Test(mb_offset, position_on_the_server_is_fine)
{
    char why[512];
    cr_assert_eq(check("mysql-bin.000008", 5000, "0-1-40,1-2-3", "0-1-40,1-2-9", why), MB_POSITION_OK, "%s", why);
    cr_assert_eq(check("mysql-bin.000007", 900000, "0-1-12", "0-1-40,1-2-9", why), MB_POSITION_OK, "%s", why);
    cr_assert_eq(check("mysql-bin.000008", 4, "", "", why), MB_POSITION_OK, "no GTIDs stored: %s", why);
    /* MySQL: no MariaDB GTID position to compare with */
    cr_assert_eq(check("mysql-bin.000008", 400, "0-1-99", NULL, why), MB_POSITION_OK, "%s", why);
}

Test(mb_offset, older_binlog_is_purged)
{
    char why[512];
    cr_assert_eq(check("mysql-bin.000002", 400, "0-1-3", "0-1-40", why), MB_POSITION_PURGED);
    cr_assert_str_eq(why, "binlog purged; the oldest binlog there is mysql-bin.000007");
    /* another base name (log_bin changed): not ordered, so not ahead */
    cr_assert_eq(check("other-bin.000099", 400, "", "0-1-40", why), MB_POSITION_PURGED);
}

Test(mb_offset, newer_binlog_is_ahead)
{
    /* RESET MASTER: numbering starts again below the stored binlog */
    char why[512];
    cr_assert_eq(check("mysql-bin.000012", 400, "0-1-3", "0-1-40", why), MB_POSITION_AHEAD);
    cr_assert_str_eq(why, "its binlog mysql-bin.000012 is newer than the server's newest, mysql-bin.000008");
}

Test(mb_offset, position_past_the_end_is_ahead)
{
    char why[512];
    cr_assert_eq(check("mysql-bin.000008", 5001, "", "0-1-40", why), MB_POSITION_AHEAD);
    cr_assert_str_eq(why, "mysql-bin.000008 holds only 5000 bytes");
}

Test(mb_offset, gtid_beyond_the_server_is_ahead)
{
    char why[512];
    cr_assert_eq(check("mysql-bin.000008", 300, "0-1-40,1-2-10", "0-1-40,1-2-9", why), MB_POSITION_AHEAD);
    cr_assert_str_eq(why, "GTID 1-2-10 is beyond the server's 1-2-9");
    /* the server's GTID state was cleared (RESET MASTER), its binlog grew past the stored position again */
    cr_assert_eq(check("mysql-bin.000008", 300, "0-1-40", "", why), MB_POSITION_AHEAD);
    cr_assert_str_eq(why, "GTID 0-1-40 is of domain 0, which the server's GTID position '' lacks");
}

static char *replace_once(const char *s, const char *from, const char *to)
{
    const char *hit = strstr(s, from);
    cr_assert_not_null(hit, "%s in %s", from, s);
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_append(&b, s, (size_t)(hit - s));
    drom_buf_puts(&b, to);
    drom_buf_puts(&b, hit + strlen(from));
    return drom_buf_detach(&b);
}

static char *to_json_of(const struct mb_offset *o, const char *source)
{
    struct drom_buf b = DROM_BUF_INIT;
    mb_offset_to_json(o, source, &b);
    return drom_buf_detach(&b);
}

Test(mb_offset, checksum_and_source_round_trip)
{
    struct mb_offset o = {.file = "mysql-bin.000003", .pos = 1234, .gtids = "0-1-37", .event = 1, .epoch_ms = 42};
    char *j = to_json_of(&o, "mysql-binlog/shop");
    cr_assert(strstr(j, "\"source\":\"mysql-binlog/shop\"") && strstr(j, "\"checksum\":\""), "%s", j);
    struct mb_offset back;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&back, "mysql-binlog/shop", j, &err), 0, "%s", err.msg);
    cr_assert_not(back.legacy);
    cr_assert_eq(back.pos, 1234);
    free(j);
}

Test(mb_offset, a_hand_edited_position_fails_its_checksum)
{
    struct mb_offset o = {.file = "mysql-bin.000003", .pos = 91234, .epoch_ms = 42};
    char *j = to_json_of(&o, "mysql-binlog/shop");
    char *edited = replace_once(j, "\"pos\":91234", "\"pos\":4");
    struct mb_offset back;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&back, "mysql-binlog/shop", edited, &err), -1);
    cr_assert_eq(err.code, DROM_ESTATE);
    cr_assert(strstr(err.msg, "fails its checksum") && strstr(err.msg, "dromd offsets set"), "%s", err.msg);
    free(edited);
    free(j);
}

Test(mb_offset, another_sources_offset_is_refused)
{
    struct mb_offset o = {.file = "mysql-bin.000003", .pos = 1234, .epoch_ms = 42};
    char *j = to_json_of(&o, "mysql-binlog/other");
    struct mb_offset back;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&back, "mysql-binlog/shop", j, &err), -1);
    cr_assert(strstr(err.msg, "belongs to source 'mysql-binlog/other', not 'mysql-binlog/shop'"), "%s", err.msg);
    free(j);
}

Test(mb_offset, an_offset_without_checksum_is_an_older_dromds)
{
    struct mb_offset o;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&o, "mysql-binlog/shop", "{\"file\":\"f.000001\",\"pos\":400,\"epoch\":7}", &err),
                 0, "%s", err.msg);
    cr_assert(o.legacy);
}

Test(mb_offset, event_ids_parse_their_epoch_and_gtid)
{
    struct mb_event_id e;
    cr_assert(mb_event_id_parse("1767225600123/1:0-1-37:1234:2", &e));
    cr_assert_eq(e.epoch_ms, 1767225600123);
    cr_assert(e.has_gtid);
    cr_assert(e.domain == 0 && e.server == 1 && e.seq == 37);
    cr_assert(mb_event_id_parse("1767225600123/1:0-1-37:1234:2:tombstone", &e) && e.seq == 37);
    cr_assert(mb_event_id_parse("1:mysql-bin.000003:1234:0", &e), "an id from before epochs");
    cr_assert_eq(e.epoch_ms, 0);
    cr_assert_not(e.has_gtid, "file form");
    cr_assert(mb_event_id_parse("42/0:mysql-bin.000001:4:db.t#7", &e) && e.epoch_ms == 42 && !e.has_gtid, "snapshot");
    cr_assert_not(mb_event_id_parse("garbage", &e));
}

Test(mb_offset, a_reset_mark_round_trips)
{
    struct mb_offset o = {.reset = true}, back;
    char *j = to_json_of(&o, "mysql-binlog/shop");
    cr_assert(strstr(j, "\"reset\":true") && !strstr(j, "\"file\""), "%s", j);
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&back, "mysql-binlog/shop", j, &err), 0, "%s", err.msg);
    cr_assert(back.reset);
    free(j);
}

/* `dromd offsets` reads an entry as a binlog position only under a binlog
 * source's key. */
Test(mb_offset, binlog_keys_are_told_by_component)
{
    cr_assert(mb_is_offset_key("mysql-binlog/shop"));
    cr_assert(mb_is_offset_key("debezium-mysql/shop"));
    cr_assert_not(mb_is_offset_key("mysql-binlogs/shop"));
    cr_assert_not(mb_is_offset_key("mysql-binlog"));
    cr_assert_not(mb_is_offset_key("kafka/t"));
}

/* The running incremental snapshot rides in the offset, under the checksum. */
Test(mb_offset, incremental_snapshot_rides_in_the_offset_under_its_checksum)
{
    const char *ctx = "{\"id\":\"snap-1\",\"tables\":[{\"table\":\"db.t\",\"filter\":\"id > 5\"}],"
                      "\"last_key\":[\"1024\"],\"max_key\":[\"20000\"],\"total\":1}";
    struct mb_offset o = {.file = "mysql-bin.000003", .pos = 1234, .epoch_ms = 42, .incremental = ctx};
    struct drom_buf b = DROM_BUF_INIT;
    mb_offset_to_json(&o, "src", &b);
    char *inc = mb_offset_incremental(b.data);
    cr_assert_str_eq(inc, ctx, "the context comes back as it went in");
    struct mb_offset back;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&back, "src", b.data, &err), 0, "%s", err.msg);
    cr_assert_null(back.incremental, "borrowed: never set by reading");
    /* an edited last key fails the checksum */
    char *edited = strdup(b.data), *at = strstr(edited, "1024");
    memcpy(at, "9999", 4);
    cr_assert_neq(mb_offset_from_json(&back, "src", edited, &err), 0);
    cr_assert_null(mb_offset_incremental("{\"file\":\"f\",\"pos\":4}"), "none stored: NULL");
    free(edited);
    free(inc);
    drom_buf_free(&b);
}

/* A change's position is kept compact and made into JSON only when stored:
 * the JSON must be what the offset itself gives, incremental context and
 * checksum included, and a copy must not point into the original. */
Test(mb_offset, kept_position_gives_the_offsets_json)
{
    struct mb_offset o = {.file = "mysql-bin.000007", .pos = 98765, .gtids = "0-1-37,1-2-5", .event = 3, .row = 9,
                          .tombstone = true, .server_id = 42, .ts_sec = 1700000000, .epoch_ms = 1767225600123,
                          .incremental = "{\"id\":\"s1\",\"tables\":[\"db.t\"],\"last\":[17]}",
                          .signal_resume = 12};
    struct drom_buf want = DROM_BUF_INIT, got = DROM_BUF_INIT, again = DROM_BUF_INIT;
    mb_offset_to_json(&o, "mysql-binlog/p", &want);
    struct mb_pos *p = mb_pos_new("mysql-binlog/p", &o, 100, 7);
    mb_pos_json(p, &got);
    cr_assert_str_eq(got.data, want.data);
    struct mb_pos *c = mb_pos_copy(p);
    memset(p, 0, p->size);
    free(p);
    mb_pos_json(c, &again);
    cr_assert_str_eq(again.data, want.data, "the copy stands alone");
    cr_assert_eq(c->bytes, 100);
    cr_assert_eq(c->seq, 7);
    free(c);
    struct mb_offset plain = {.file = "f.000001", .pos = 4};
    drom_buf_reset(&want);
    drom_buf_reset(&got);
    mb_offset_to_json(&plain, "k", &want);
    p = mb_pos_new("k", &plain, 0, 1);
    mb_pos_json(p, &got);
    cr_assert_str_eq(got.data, want.data, "no gtids, no incremental context");
    free(p);
    drom_buf_free(&want);
    drom_buf_free(&got);
    drom_buf_free(&again);
}

/* The Kafka signal channel's position goes with the offset as Debezium's
 * incremental_snapshot_signal_offset: the last signal handled, one before
 * where the channel resumes; none when no signal was handled. */
Test(mb_offset, signal_position_round_trips_as_the_last_signal_handled)
{
    struct mb_offset o = {.file = "mysql-bin.000003", .pos = 1234, .signal_resume = 8};
    char *j = to_json(&o);
    cr_assert_not_null(strstr(j, "\"incremental_snapshot_signal_offset\":7"), "%s", j);
    struct mb_offset back;
    struct drom_error err = {0};
    cr_assert_eq(mb_offset_from_json(&back, NULL, j, &err), 0, "%s", err.msg);
    cr_assert_eq(back.signal_resume, 8);
    free(j);
    /* the first record of the topic handled: offset 0 */
    cr_assert_eq(mb_offset_from_json(&back, NULL, "{\"file\":\"f.000001\",\"pos\":4,"
                                     "\"incremental_snapshot_signal_offset\":0}", &err), 0, "%s", err.msg);
    cr_assert_eq(back.signal_resume, 1);
    struct mb_offset none = {.file = "f.000001", .pos = 4};
    j = to_json(&none);
    cr_assert_null(strstr(j, "signal"), "no signal handled, none stored: %s", j);
    cr_assert_eq(mb_offset_from_json(&back, NULL, j, &err), 0, "%s", err.msg);
    cr_assert_eq(back.signal_resume, 0);
    free(j);
    static const char *const bad[] = {
        "{\"file\":\"f.000001\",\"pos\":4,\"incremental_snapshot_signal_offset\":-1}",
        "{\"file\":\"f.000001\",\"pos\":4,\"incremental_snapshot_signal_offset\":\"3\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(mb_offset_from_json(&back, NULL, bad[i], &err), -1, "%s", bad[i]);
        cr_assert_eq(err.code, DROM_ESTATE);
    }
}
