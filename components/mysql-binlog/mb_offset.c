#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_endpoint.h"
#include "components/mysql-binlog/mb_source.h"
#include "runtime/checksum.h"
#include "runtime/xalloc.h"

/* The checksum of an offset: CRC-32 of its members but "checksum", sorted
 * and compact, so a store that reorders members keeps it valid. */
static void checksum_of(json_t *j, char out[16])
{
    json_t *c = json_copy(j);
    json_object_del(c, "checksum");
    char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(out, 16, "%08x", drom_crc32(text, strlen(text)));
    free(text);
    json_decref(c);
}

/* Debezium's offset keys (file, pos, gtids, event, row, server_id, ts_sec,
 * snapshot, incremental_snapshot_signal_offset: the last Kafka signal
 * handled), plus "tombstone" for a delete whose tombstone is still owed,
 * "epoch" (ms) for the offset history the event ids belong to, "source"
 * (the store key it belongs to) and "checksum", which tells damage and hand
 * edits from what dromd wrote. */
void mb_offset_to_json(const struct mb_offset *o, const char *source, struct drom_buf *out)
{
    json_t *j = json_object();
    if (o->reset) {
        json_object_set_new(j, "reset", json_true());
        goto done;
    }
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
    json_t *inc = o->incremental ? json_loads(o->incremental, 0, NULL) : NULL;
    if (inc)
        json_object_set_new(j, "incremental_snapshot", inc);
    json_t *blocking = o->blocking ? json_loads(o->blocking, 0, NULL) : NULL;
    if (blocking)
        json_object_set_new(j, "blocking_snapshot", blocking);
    if (o->signal_resume > 0)
        json_object_set_new(j, "incremental_snapshot_signal_offset", json_integer(o->signal_resume - 1));
done:
    if (source) {
        json_object_set_new(j, "source", json_string(source));
        char sum[16];
        checksum_of(j, sum);
        json_object_set_new(j, "checksum", json_string(sum));
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    drom_buf_puts(out, s);
    free(s);
    json_decref(j);
}

int mb_offset_from_json(struct mb_offset *o, const char *source, const char *text, struct drom_error *err)
{
    json_error_t je;
    memset(o, 0, sizeof *o);
    json_t *j = json_loads(text, 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return drom_err(err, DROM_ESTATE, "stored binlog offset is not a JSON object: %s", text);
    }
    const char *sum = json_string_value(json_object_get(j, "checksum"));
    const char *owner = json_string_value(json_object_get(j, "source"));
    if (json_object_get(j, "checksum")) {
        char want[16];
        checksum_of(j, want);
        if (!sum || strcmp(sum, want) != 0) {
            json_decref(j);
            return drom_err(err, DROM_ESTATE,
                            "stored binlog offset fails its checksum (damaged or edited by hand): %s; refusing to "
                            "guess a position: restore the store, or set one with `dromd offsets set`", text);
        }
    } else
        o->legacy = true;
    if (source && owner && strcmp(owner, source) != 0) {
        drom_err(err, DROM_ESTATE,
                 "stored binlog offset belongs to source '%s', not '%s': the store was copied from another "
                 "source; restore this source's store, or set its position with `dromd offsets set`", owner, source);
        json_decref(j);
        return -1;
    }
    if (json_is_true(json_object_get(j, "reset"))) {
        /* `dromd offsets reset`: a fresh start on purpose, no position */
        o->reset = true;
        json_decref(j);
        return 0;
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
    json_t *signal = json_object_get(j, "incremental_snapshot_signal_offset");
    if (signal && (!json_is_integer(signal) || json_integer_value(signal) < 0)) {
        json_decref(j);
        return drom_err(err, DROM_ESTATE, "stored binlog offset has an incremental_snapshot_signal_offset that is not "
                        "an offset of the signal topic: %s", text);
    }
    o->signal_resume = signal ? json_integer_value(signal) + 1 : 0;
    json_decref(j);
    return 0;
}

char *mb_offset_incremental(const char *text)
{
    return mb_offset_member(text, "incremental_snapshot");
}

char *mb_offset_member(const char *text, const char *name)
{
    json_t *j = json_loads(text, 0, NULL);
    json_t *inc = json_object_get(j, name);
    char *out = json_is_object(inc) ? json_dumps(inc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    return out;
}

bool mb_gtid_next(const char **p, uint32_t *domain, uint32_t *server, uint64_t *seq)
{
    while (*p && **p) {
        unsigned long d, sv;
        unsigned long long q;
        const char *comma = strchr(*p, ',');
        const char *colon = strchr(*p, ':');
        /* a MySQL item (uuid:intervals) is not one of MariaDB's, even when its uuid starts with digits */
        bool ok = (!colon || (comma && colon > comma)) && sscanf(*p, "%lu-%lu-%llu", &d, &sv, &q) == 3;
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

bool mb_event_id_parse(const char *id, struct mb_event_id *out)
{
    memset(out, 0, sizeof *out);
    const char *slash = strchr(id, '/'), *colon = strchr(id, ':');
    if (!colon)
        return false;
    if (slash && slash < colon) {
        char *end;
        long long e = strtoll(id, &end, 10);
        if (end != slash || e <= 0)
            return false;
        out->epoch_ms = e;
        id = slash + 1;
    }
    const char *field = strchr(id, ':');
    if (!field)
        return false;
    unsigned long d, sv;
    unsigned long long q;
    int used = 0;
    if (sscanf(field + 1, "%lu-%lu-%llu%n", &d, &sv, &q, &used) == 3 && field[1 + used] == ':') {
        out->has_gtid = true;
        out->domain = (uint32_t)d;
        out->server = (uint32_t)sv;
        out->seq = q;
    }
    return true;
}

/* Binlogs are named base.NNNNNN with a growing number; names of another
 * base are not ordered (log_bin renamed): never "after". */
bool mb_binlog_after(const char *a, const char *b)
{
    const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
    if (!da || !db || da - a != db - b || strncmp(a, b, (size_t)(da - a)) != 0)
        return false;
    return strtoull(da + 1, NULL, 10) > strtoull(db + 1, NULL, 10);
}

bool mb_gtid_of_domain(const char *set, uint32_t domain, uint32_t *server, uint64_t *seq)
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
        if (b->n && mb_binlog_after(o->file, b->files[b->n - 1].name)) {
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
        if (!mb_gtid_of_domain(b->gtids, d, &server_sv, &server_q)) {
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

/* --- MySQL GTID sets --- */

#define SET_UUIDS 32
#define SET_RANGES 64

struct gset {
    struct {
        char uuid[37];
        size_t n;
        int64_t lo[SET_RANGES], hi[SET_RANGES];   /* inclusive, sorted, disjoint */
    } s[SET_UUIDS];
    size_t n;
};

static void gset_add_range(struct gset *g, const char *uuid, size_t uuid_len, int64_t lo, int64_t hi)
{
    size_t i = 0;
    while (i < g->n && !(strlen(g->s[i].uuid) == uuid_len && strncasecmp(g->s[i].uuid, uuid, uuid_len) == 0))
        i++;
    if (i == g->n) {
        if (g->n == SET_UUIDS || uuid_len >= sizeof g->s[0].uuid)
            return;
        memset(&g->s[i], 0, sizeof g->s[i]);
        for (size_t k = 0; k < uuid_len; k++)
            g->s[i].uuid[k] = (char)tolower((unsigned char)uuid[k]);
        g->n++;
    }
    __typeof__(g->s[0]) *u = &g->s[i];
    size_t k = 0;
    while (k < u->n && u->hi[k] + 1 < lo)
        k++;
    if (k < u->n && u->lo[k] <= hi + 1) {   /* touches range k: merge forward */
        if (lo < u->lo[k])
            u->lo[k] = lo;
        if (hi > u->hi[k])
            u->hi[k] = hi;
        while (k + 1 < u->n && u->lo[k + 1] <= u->hi[k] + 1) {
            if (u->hi[k + 1] > u->hi[k])
                u->hi[k] = u->hi[k + 1];
            memmove(&u->lo[k + 1], &u->lo[k + 2], (u->n - k - 2) * sizeof u->lo[0]);
            memmove(&u->hi[k + 1], &u->hi[k + 2], (u->n - k - 2) * sizeof u->hi[0]);
            u->n--;
        }
        return;
    }
    if (u->n == SET_RANGES)
        return;
    memmove(&u->lo[k + 1], &u->lo[k], (u->n - k) * sizeof u->lo[0]);
    memmove(&u->hi[k + 1], &u->hi[k], (u->n - k) * sizeof u->hi[0]);
    u->lo[k] = lo;
    u->hi[k] = hi;
    u->n++;
}

static void gset_parse(struct gset *g, const char *text)
{
    g->n = 0;
    for (const char *p = text; p && *p;) {
        while (*p == ',' || *p == ' ' || *p == '\n')
            p++;
        const char *colon = strchr(p, ':'), *comma = strchr(p, ',');
        if (!colon || (comma && comma < colon)) {
            p = comma;
            continue;
        }
        const char *uuid = p;
        size_t uuid_len = (size_t)(colon - p);
        p = colon;
        while (*p == ':') {
            char *e;
            long long lo = strtoll(p + 1, &e, 10), hi = lo;
            if (e == p + 1)
                break;
            if (*e == '-')
                hi = strtoll(e + 1, &e, 10);
            gset_add_range(g, uuid, uuid_len, lo, hi);
            p = e;
        }
        p = strchr(p, ',');
    }
}

static void gset_text(const struct gset *g, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < g->n && n < size; i++) {
        n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "", g->s[i].uuid);
        for (size_t k = 0; k < g->s[i].n && n < size; k++) {
            if (g->s[i].lo[k] == g->s[i].hi[k])
                n += (size_t)snprintf(out + n, size - n, ":%" PRId64, g->s[i].lo[k]);
            else
                n += (size_t)snprintf(out + n, size - n, ":%" PRId64 "-%" PRId64, g->s[i].lo[k], g->s[i].hi[k]);
        }
    }
}

void mb_gtidset_add(char *set, size_t size, const char *gtid)
{
    const char *colon = strrchr(gtid, ':');
    if (!colon)
        return;
    struct gset *g = drom_xcalloc(1, sizeof *g);
    gset_parse(g, set);
    int64_t gno = strtoll(colon + 1, NULL, 10);
    gset_add_range(g, gtid, (size_t)(colon - gtid), gno, gno);
    gset_text(g, set, size);
    free(g);
}

void mb_gtidset_clean(char *out, size_t size, const char *text)
{
    /* the server breaks long sets over lines */
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < size; p++)
        if (*p != '\n' && *p != '\r' && *p != ' ')
            out[n++] = *p;
    out[n] = '\0';
}

/* The names of mysql_binlog.c's and debezium_mysql.c's components. */
bool mb_is_offset_key(const char *key)
{
    return strncmp(key, "mysql-binlog/", 13) == 0 || strncmp(key, "debezium-mysql/", 15) == 0;
}

/* --- a change's position, kept with its exchange (mb_source.h) --- */

struct mb_pos *mb_pos_new(const char *source, const struct mb_offset *o, int64_t bytes, int64_t seq)
{
    size_t nf = strlen(o->file) + 1, ng = strlen(o->gtids) + 1, ni = o->incremental ? strlen(o->incremental) + 1 : 0;
    size_t nb = o->blocking ? strlen(o->blocking) + 1 : 0;
    size_t size = sizeof(struct mb_pos) + nf + ng + ni + nb;
    struct mb_pos *p = drom_xmalloc(size);
    *p = (struct mb_pos){.bytes = bytes, .seq = seq, .size = size, .source = source, .pos = o->pos, .event = o->event,
                         .row = o->row, .server_id = o->server_id, .tombstone = o->tombstone, .snapshot = o->snapshot,
                         .ts_sec = o->ts_sec, .epoch_ms = o->epoch_ms, .signal_resume = o->signal_resume,
                         .gtids_at = (uint32_t)nf,
                         .inc_at = ni ? (uint32_t)(nf + ng) : 0, .blocking_at = nb ? (uint32_t)(nf + ng + ni) : 0};
    memcpy(p->text, o->file, nf);
    memcpy(p->text + nf, o->gtids, ng);
    if (ni)
        memcpy(p->text + nf + ng, o->incremental, ni);
    if (nb)
        memcpy(p->text + nf + ng + ni, o->blocking, nb);
    return p;
}

struct mb_pos *mb_pos_copy(const struct mb_pos *p)
{
    struct mb_pos *c = drom_xmalloc(p->size);
    memcpy(c, p, p->size);
    return c;
}

void mb_pos_json(const struct mb_pos *p, struct drom_buf *out)
{
    struct mb_offset o = {.pos = p->pos, .event = p->event, .row = p->row, .server_id = p->server_id,
                          .tombstone = p->tombstone, .snapshot = p->snapshot, .ts_sec = p->ts_sec,
                          .epoch_ms = p->epoch_ms, .signal_resume = p->signal_resume,
                          .incremental = p->inc_at ? p->text + p->inc_at : NULL,
                          .blocking = p->blocking_at ? p->text + p->blocking_at : NULL};
    snprintf(o.file, sizeof o.file, "%s", p->text);
    snprintf(o.gtids, sizeof o.gtids, "%s", p->text + p->gtids_at);
    mb_offset_to_json(&o, p->source, out);
}

void mb_position_free(void *pos)
{
    free(pos);
}

char *mb_position_json(const void *pos)
{
    struct drom_buf json = DROM_BUF_INIT;
    mb_pos_json(pos, &json);
    return drom_buf_detach(&json);
}
