#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_source.h"

/* Debezium's offset keys (file, pos, gtids, event, row, server_id, ts_sec,
 * snapshot), plus "tombstone" for a delete whose tombstone is still owed and
 * "epoch" (ms) for the offset history the event ids belong to. */
void mb_offset_to_json(const struct mb_offset *o, struct drom_buf *out)
{
    json_t *j = json_object();
    json_object_set_new(j, "file", json_string(o->file));
    json_object_set_new(j, "pos", json_integer((json_int_t)o->pos));
    if (o->gtids[0])
        json_object_set_new(j, "gtids", json_string(o->gtids));
    if (o->event)
        json_object_set_new(j, "event", json_integer(o->event));
    if (o->row)
        json_object_set_new(j, "row", json_integer(o->row));
    if (o->tombstone)
        json_object_set_new(j, "tombstone", json_true());
    if (o->server_id)
        json_object_set_new(j, "server_id", json_integer(o->server_id));
    if (o->ts_sec)
        json_object_set_new(j, "ts_sec", json_integer(o->ts_sec));
    if (o->snapshot)
        json_object_set_new(j, "snapshot", json_string("INITIAL"));
    if (o->epoch_ms)
        json_object_set_new(j, "epoch", json_integer(o->epoch_ms));
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    drom_buf_puts(out, s);
    free(s);
    json_decref(j);
}

int mb_offset_from_json(struct mb_offset *o, const char *text, struct drom_error *err)
{
    json_error_t je;
    memset(o, 0, sizeof *o);
    json_t *j = json_loads(text, 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return drom_err(err, DROM_ESTATE, "stored binlog offset is not a JSON object: %s", text);
    }
    const char *file = json_string_value(json_object_get(j, "file"));
    json_t *pos = json_object_get(j, "pos");
    if (!file || !json_is_integer(pos) || json_integer_value(pos) < 4) {
        json_decref(j);
        return drom_err(err, DROM_ESTATE, "stored binlog offset lacks file/pos: %s", text);
    }
    snprintf(o->file, sizeof o->file, "%s", file);
    o->pos = (uint64_t)json_integer_value(pos);
    const char *g = json_string_value(json_object_get(j, "gtids"));
    snprintf(o->gtids, sizeof o->gtids, "%s", g ? g : "");
    o->event = (uint32_t)json_integer_value(json_object_get(j, "event"));
    o->row = (uint32_t)json_integer_value(json_object_get(j, "row"));
    o->tombstone = json_is_true(json_object_get(j, "tombstone"));
    o->server_id = (uint32_t)json_integer_value(json_object_get(j, "server_id"));
    o->ts_sec = json_integer_value(json_object_get(j, "ts_sec"));
    o->snapshot = json_object_get(j, "snapshot") != NULL;
    json_t *epoch = json_object_get(j, "epoch");
    if (epoch && (!json_is_integer(epoch) || json_integer_value(epoch) <= 0)) {
        json_decref(j);
        return drom_err(err, DROM_ESTATE, "stored binlog offset has an epoch that is not a positive integer: %s", text);
    }
    o->epoch_ms = epoch ? json_integer_value(epoch) : 0;
    json_decref(j);
    return 0;
}

bool mb_gtid_next(const char **p, uint32_t *domain, uint32_t *server, uint64_t *seq)
{
    while (*p && **p) {
        unsigned long d, sv;
        unsigned long long q;
        bool ok = sscanf(*p, "%lu-%lu-%llu", &d, &sv, &q) == 3;
        const char *comma = strchr(*p, ',');
        *p = comma ? comma + 1 : NULL;
        if (ok) {
            *domain = (uint32_t)d;
            *server = (uint32_t)sv;
            *seq = q;
            return true;
        }
    }
    return false;
}

/* Binlogs are named base.NNNNNN with a growing number; names of another
 * base are not ordered (log_bin renamed): never "after". */
static bool binlog_after(const char *a, const char *b)
{
    const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
    if (!da || !db || da - a != db - b || strncmp(a, b, (size_t)(da - a)) != 0)
        return false;
    return strtoull(da + 1, NULL, 10) > strtoull(db + 1, NULL, 10);
}

/* The server's GTID of `domain` in `set`; false when it has none. */
static bool gtid_of_domain(const char *set, uint32_t domain, uint32_t *server, uint64_t *seq)
{
    uint32_t d;
    for (const char *p = set; mb_gtid_next(&p, &d, server, seq);)
        if (d == domain)
            return true;
    return false;
}

enum mb_position_state mb_position_check(const struct mb_offset *o, const struct mb_server_binlogs *b, char *why,
                                         size_t why_size)
{
    size_t at = b->n;
    for (size_t i = 0; i < b->n && at == b->n; i++)
        if (strcmp(b->files[i].name, o->file) == 0)
            at = i;
    if (at == b->n) {
        if (b->n && binlog_after(o->file, b->files[b->n - 1].name)) {
            snprintf(why, why_size, "its binlog %s is newer than the server's newest, %s", o->file,
                     b->files[b->n - 1].name);
            return MB_POSITION_AHEAD;
        }
        snprintf(why, why_size, "binlog purged; the oldest binlog there is %s", b->n ? b->files[0].name : "none");
        return MB_POSITION_PURGED;
    }
    if (o->pos > b->files[at].size) {
        snprintf(why, why_size, "%s holds only %" PRIu64 " bytes", o->file, b->files[at].size);
        return MB_POSITION_AHEAD;
    }
    if (!b->gtids)
        return MB_POSITION_OK;
    uint32_t d, sv, server_sv;
    uint64_t q, server_q;
    for (const char *p = o->gtids; mb_gtid_next(&p, &d, &sv, &q);) {
        if (!gtid_of_domain(b->gtids, d, &server_sv, &server_q)) {
            snprintf(why, why_size, "GTID %" PRIu32 "-%" PRIu32 "-%" PRIu64 " is of domain %" PRIu32
                     ", which the server's GTID position '%s' lacks", d, sv, q, d, b->gtids);
            return MB_POSITION_AHEAD;
        }
        if (q > server_q) {
            snprintf(why, why_size, "GTID %" PRIu32 "-%" PRIu32 "-%" PRIu64 " is beyond the server's %" PRIu32
                     "-%" PRIu32 "-%" PRIu64, d, sv, q, d, server_sv, server_q);
            return MB_POSITION_AHEAD;
        }
    }
    return MB_POSITION_OK;
}
