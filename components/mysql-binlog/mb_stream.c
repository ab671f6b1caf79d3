/* Streaming: one replication connection, events in binlog order, one
 * exchange per row change. */
#include <inttypes.h>
#include <mysql.h>
#include <mariadb_rpl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_event.h"
#include "components/mysql-binlog/mb_jsonb.h"
#include "components/mysql-binlog/mb_stream.h"
#include "components/mysql-binlog/mb_tls.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct gtid {
    uint32_t domain, server;
    uint64_t seq;
};

/* Per connection (or per replayed file). */
struct stream {
    char file[256];
    unsigned id_len;
    bool checksum;            /* events end with a CRC32 (from the format description) */
    bool verify;              /* check it here (the library checks what it fetched) */
    /* events inside a MySQL transaction payload take its position */
    bool inner;
    uint64_t outer_start, outer_next;
    uint32_t inner_rows;      /* rows emitted from the payload so far: keeps their event ids apart */
    struct drom_buf payload;
    struct drom_buf json;     /* JSON columns of the current row, as text */
    /* MySQL: the GTID event's GTID, taken by the transaction its BEGIN opens */
    char next_gtid[64];
    int64_t next_commit_us, commit_us;
    char mysql_gtids[512];    /* completed MySQL GTID set */
    /* the open transaction */
    bool in_tx, standalone;
    char tx_file[256];
    uint64_t tx_pos;
    char gtid[64];
    uint32_t rows_events;
    bool has_thread;
    int64_t thread;
    char *query;
    /* completed GTIDs per domain */
    struct gtid g[32];
    size_t ng;
    /* resume: skip what the stored offset says is done */
    bool skipping;
    uint32_t skip_event, skip_row;
    bool skip_tomb;
    /* the table map each rows event refers to */
    struct mb_cached_table *cur;
    /* transaction metadata: events of captured tables so far, in all and per table */
    int64_t tx_total;
    struct tx_table { const struct mb_cached_table *table; int64_t n; } tx_tables[64];
    size_t ntx_tables;
};

/* Debezium's order counters of the transaction's next event of table `ct`. */
static void tx_count(struct mb_src *s, struct stream *st, const struct mb_cached_table *ct, struct mb_tx_info *tx)
{
    size_t i = 0;
    while (i < st->ntx_tables && st->tx_tables[i].table != ct)
        i++;
    if (i == st->ntx_tables && i < sizeof st->tx_tables / sizeof st->tx_tables[0])
        st->tx_tables[st->ntx_tables++] = (struct tx_table){ct, 0};
    tx->total_order = ++st->tx_total;
    tx->data_collection_order = i < st->ntx_tables ? ++st->tx_tables[i].n : tx->total_order;
}

static void gtids_parse(struct stream *st, const char *text)
{
    st->ng = 0;
    st->mysql_gtids[0] = '\0';
    if (strchr(text, ':')) {
        snprintf(st->mysql_gtids, sizeof st->mysql_gtids, "%s", text);
        return;
    }
    struct gtid g;
    for (const char *p = text; st->ng < 32 && mb_gtid_next(&p, &g.domain, &g.server, &g.seq);)
        st->g[st->ng++] = g;
}

static void gtids_text(const struct stream *st, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    if (st->mysql_gtids[0]) {
        snprintf(out, size, "%s", st->mysql_gtids);
        return;
    }
    for (size_t i = 0; i < st->ng && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, i ? "," : "", st->g[i].domain,
                              st->g[i].server, st->g[i].seq);
}

static void gtids_add(struct stream *st, uint32_t domain, uint32_t server, uint64_t seq)
{
    for (size_t i = 0; i < st->ng; i++)
        if (st->g[i].domain == domain) {
            st->g[i] = (struct gtid){domain, server, seq};
            return;
        }
    if (st->ng < 32)
        st->g[st->ng++] = (struct gtid){domain, server, seq};
}

/* The resume point right after a committed transaction. */
static void at_boundary(struct mb_src *s, struct stream *st, uint64_t next_pos, uint32_t server_id, int64_t ts)
{
    struct mb_offset *o = &s->start;
    snprintf(o->file, sizeof o->file, "%s", st->file);
    o->pos = next_pos;
    gtids_text(st, o->gtids, sizeof o->gtids);
    o->event = o->row = 0;
    o->tombstone = o->snapshot = false;
    o->server_id = server_id;
    o->ts_sec = ts;
}

static uint64_t ev_start(const struct stream *st, const struct mb_event *ev)
{
    return st->inner ? st->outer_start : ev->next_pos - ev->length;
}

static uint64_t ev_next(const struct stream *st, const struct mb_event *ev)
{
    return st->inner ? st->outer_next : ev->next_pos;
}

static void tx_end(struct mb_src *s, struct stream *st, const struct mb_event *ev)
{
    struct gtid g;
    const char *p = st->gtid;
    if (st->in_tx && strchr(st->gtid, ':'))
        mb_gtidset_add(st->mysql_gtids, sizeof st->mysql_gtids, st->gtid);
    else if (st->in_tx && mb_gtid_next(&p, &g.domain, &g.server, &g.seq))
        gtids_add(st, g.domain, g.server, g.seq);
    st->in_tx = st->standalone = false;
    st->gtid[0] = '\0';
    st->has_thread = false;
    free(st->query);
    st->query = NULL;
    if (st->skipping)
        st->skipping = false;   /* the interrupted transaction is behind us */
    s->committed_txs++;
    mb_count(s, "NumberOfCommittedTransactions", 1);
    at_boundary(s, st, ev_next(st, ev), ev->server_id, ev->timestamp);
}

static void tx_begin(struct stream *st, const struct mb_event *ev)
{
    st->in_tx = true;
    snprintf(st->tx_file, sizeof st->tx_file, "%s", st->file);
    st->tx_pos = ev_start(st, ev);
    st->rows_events = 0;
    st->inner_rows = 0;
    st->tx_total = 0;
    st->ntx_tables = 0;
    snprintf(st->gtid, sizeof st->gtid, "%s", st->next_gtid);
    st->commit_us = st->next_commit_us;
    st->next_gtid[0] = '\0';
    st->next_commit_us = 0;
    st->has_thread = false;
    free(st->query);
    st->query = NULL;
}

static struct mb_cached_table *find_table(struct mb_src *s, uint64_t id)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i]->t.table_id == id)
            return s->tables[i];
    return NULL;
}

static bool key_changed(const struct mb_cached_table *ct, const struct mb_value *before, const struct mb_value *after)
{
    if (!mb_schema_has_key(ct->schema))
        return false;
    struct drom_buf a = DROM_BUF_INIT, b = DROM_BUF_INIT;
    mb_json_key_payload(&a, ct->schema, before);
    mb_json_key_payload(&b, ct->schema, after);
    bool changed = a.len != b.len || memcmp(a.data, b.data, a.len) != 0;
    drom_buf_free(&a);
    drom_buf_free(&b);
    return changed;
}

/* An update that changes the key is written as Debezium writes it: a
 * delete under the old key (and its tombstone), then a create under the new
 * one, so that a compacted topic forgets the old key. The delete and its
 * tombstone keep the offset before the row (a restart between them and the
 * create sends them again); their event ids carry ":delete" so that the
 * create's id stays the row's. */
static int emit_key_change(struct mb_src *s, const struct mb_row_event *e, const struct mb_offset *redo,
                           const struct mb_offset *done, struct drom_error *err)
{
    char id[340];
    snprintf(id, sizeof id, "%s:delete", e->event_id);
    struct mb_row_event del = *e, ins = *e;
    del.op = 'd';
    del.after = NULL;
    del.event_id = id;
    ins.op = 'c';
    ins.before = NULL;
    if (mb_emit(s, &del, redo, s->cfg.tombstones ? redo : NULL, err))
        return -1;
    return mb_emit(s, &ins, done, NULL, err);
}

/* MySQL's JSON columns are binary in the binlog: written as text here (a
 * partial update's diffs applied to its before image), so the event writer
 * only copies text. The texts live in st->json until the next row. */
static int json_to_text(struct stream *st, const struct mb_table *t, struct mb_value *before,
                        struct mb_value *after, struct drom_error *err)
{
    drom_buf_reset(&st->json);
    bool any = false;
    for (size_t i = 0; i < t->ncols; i++) {
        if (t->cols[i].type != MB_T_JSON)
            continue;
        struct mb_value *img[2] = {after, before};   /* the after image first: a diff needs the binary before */
        for (int k = 0; k < 2; k++) {
            struct mb_value *v = img[k] ? &img[k][i] : NULL;
            if (!v || (v->kind != MB_V_STRING && v->kind != MB_V_JSON_DIFF))
                continue;
            size_t at = st->json.len;
            int rc;
            if (v->kind == MB_V_JSON_DIFF) {
                if (!before || before[i].kind != MB_V_STRING)
                    return drom_err(err, DROM_EINVAL, "%s.%s column %s: a partial JSON update without the before "
                                    "image (binlog_row_image must be FULL)", t->db, t->table,
                                    t->cols[i].name ? t->cols[i].name : "?");
                rc = mb_jsonb_patch(&st->json, before[i].s, before[i].len, v->s, v->len, err);
            } else
                rc = mb_jsonb_text(&st->json, v->s, v->len, err);
            if (rc) {
                drom_err_prefix(err, "%s.%s column %s", t->db, t->table, t->cols[i].name ? t->cols[i].name : "?");
                return -1;
            }
            v->kind = MB_V_JSON_TEXT;
            v->i = (int64_t)at;
            v->len = st->json.len - at;
            any = true;
        }
    }
    if (!any)
        return 0;
    /* the buffer settled: point at it */
    struct mb_value *img[2] = {before, after};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; img[k] && i < t->ncols; i++)
            if (img[k][i].kind == MB_V_JSON_TEXT)
                img[k][i].s = (const uint8_t *)st->json.data + img[k][i].i;
    return 0;
}

/* `inflated`: a MariaDB compressed rows event as the library inflated it. */
static int rows_event(struct mb_src *s, struct stream *st, const struct mb_event *ev, const struct mb_rows *inflated,
                      struct drom_error *err)
{
    uint32_t k = st->rows_events++;
    struct mb_rows r;
    if (inflated)
        r = *inflated;
    else if (mb_rows_parse(&r, ev->type, ev->body, ev->body_len, st->id_len, err))
        return -1;
    bool skip_all = st->skipping && k < st->skip_event;
    struct mb_cached_table *ct = st->cur && st->cur->t.table_id == r.table_id ? st->cur : find_table(s, r.table_id);
    if (!ct && skip_all)
        return 0;
    if (!ct)
        return drom_err(err, DROM_EINVAL, "rows event for table id %" PRIu64 " without a table map", r.table_id);
    if (!ct->wanted) {
        drom_endpoint_count(s->ep, "NumberOfEventsFiltered", 1);
        return 0;
    }
    char op = r.kind == MB_ROWS_WRITE ? 'c' : r.kind == MB_ROWS_UPDATE ? 'u' : 'd';
    if ((op == 'c' && s->cfg.skip_c) || (op == 'u' && s->cfg.skip_u) || (op == 'd' && s->cfg.skip_d))
        return 0;
    if (!ct->t.has_names)
        return drom_err(err, DROM_EINVAL,
                        "table map of %s.%s has no column names (written before binlog_row_metadata=FULL was set?)",
                        ct->t.db, ct->t.table);
    mb_values_reserve(s, ct->t.ncols);
    uint64_t pos = ev_start(st, ev);
    if (ev->timestamp)
        mb_gauge(s, "MilliSecondsBehindSource", drom_now_us() / 1000 - (int64_t)ev->timestamp * 1000);
    struct mb_offset base = {0};
    snprintf(base.file, sizeof base.file, "%s", st->in_tx ? st->tx_file : st->file);
    base.pos = st->in_tx ? st->tx_pos : pos;
    gtids_text(st, base.gtids, sizeof base.gtids);
    base.event = k;
    base.server_id = ev->server_id;
    base.ts_sec = ev->timestamp;
    base.epoch_ms = s->epoch_ms;
    size_t off = 0;
    uint32_t nrows = 0;
    for (uint32_t row = 0; off < r.len; row++) {
        nrows = row + 1;
        size_t start = off;
        if (r.kind == MB_ROWS_WRITE) {
            if (mb_row_decode(&ct->t, &r, false, &off, s->after, err))
                return -1;
        } else {
            if (mb_row_decode(&ct->t, &r, false, &off, s->before, err))
                return -1;
            if (r.kind == MB_ROWS_UPDATE && mb_row_decode(&ct->t, &r, true, &off, s->after, err))
                return -1;
        }
        if (off == start)   /* no column present: the rest would be rows of nothing, without end */
            return drom_err(err, DROM_EINVAL, "rows event of %s.%s malformed: a row image of no bytes", ct->t.db,
                            ct->t.table);
        if (json_to_text(st, &ct->t, r.kind == MB_ROWS_WRITE ? NULL : s->before,
                         r.kind == MB_ROWS_DELETE ? NULL : s->after, err))
            return -1;
        struct mb_tx_info tx = {0};
        char tx_id[320];
        if (s->cfg.tx_metadata) {
            tx_count(s, st, ct, &tx);
            if (st->gtid[0])
                snprintf(tx_id, sizeof tx_id, "%s", st->gtid);
            else
                snprintf(tx_id, sizeof tx_id, "file=%s,pos=%" PRIu64, st->in_tx ? st->tx_file : st->file,
                         st->in_tx ? st->tx_pos : pos);
            tx.id = tx_id;
        }
        if (skip_all)
            continue;
        bool tomb_only = false;
        if (st->skipping && k == st->skip_event) {
            if (row < st->skip_row)
                continue;
            tomb_only = row == st->skip_row && st->skip_tomb;
        }
        struct mb_row_event e = {
            .op = op, .ct = ct,
            .before = r.kind == MB_ROWS_WRITE ? NULL : s->before,
            .after = r.kind == MB_ROWS_DELETE ? NULL : s->after,
            .src = {.ts_ms = st->commit_us ? st->commit_us / 1000 : (int64_t)ev->timestamp * 1000,
                    .ts_us = st->commit_us, .db = ct->t.db, .table = ct->t.table,
                    .server_id = ev->server_id, .gtid = st->gtid[0] ? st->gtid : NULL, .file = st->file,
                    .pos = (int64_t)pos, .row = (int32_t)row, .has_thread = st->has_thread, .thread = st->thread,
                    .query = s->cfg.include_query ? st->query : NULL},
        };
        char id[320];
        /* rows of one payload share its position: their count since its start keeps the ids apart */
        snprintf(id, sizeof id, "%" PRIu32 ":%s:%" PRIu64 ":%" PRIu32, ev->server_id, st->gtid[0] ? st->gtid : st->file,
                 pos, st->inner ? st->inner_rows + row : row);
        e.event_id = id;
        e.tx = s->cfg.tx_metadata ? &tx : NULL;
        struct mb_offset done = base, tomb = base;
        done.row = row + 1;
        tomb.row = row + 1;
        bool with_tomb = op == 'd' && s->cfg.tombstones;
        if (with_tomb) {
            done.row = row;
            done.tombstone = true;
        }
        mb_count(s, "TotalNumberOfEventsSeen", 1);
        mb_gauge(s, "LastEventMs", drom_now_us() / 1000);
        if (tomb_only) {
            /* The delete was acknowledged before the restart; only its tombstone is owed. */
            struct mb_row_event t = e;
            if (mb_emit_tombstone(s, &t, &tomb, err))
                return -1;
        } else if (op == 'u' && key_changed(ct, s->before, s->after)) {
            struct mb_offset redo = base;
            redo.row = row;
            if (emit_key_change(s, &e, &redo, &done, err))
                return -1;
        } else if (mb_emit(s, &e, &done, with_tomb ? &tomb : NULL, err))
            return -1;
        s->start = with_tomb ? tomb : done;
    }
    if (st->inner)
        st->inner_rows += nrows;
    if (st->skipping && k >= st->skip_event)
        st->skipping = false;
    return 0;
}

/* The captured table of a TRUNCATE: the cached model, else one read from
 * information_schema (a table with no row event yet in this session). */
static struct mb_cached_table *truncated_table(struct mb_src *s, const char *db, const char *table,
                                               struct drom_error *err)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i]->schema && strcmp(s->tables[i]->t.db, db) == 0 && strcmp(s->tables[i]->t.table, table) == 0)
            return s->tables[i];
    MYSQL *m = mb_meta_conn(s, err);
    struct mb_table t;
    if (!m || mb_table_from_schema(m, db, table, &t, err)) {
        if (m)
            mb_table_free(&t);
        return NULL;
    }
    t.table_id = UINT64_MAX;   /* matched by name when its table map comes */
    struct mb_cached_table *ct = mb_cached_table_add(s);
    ct->t = t;
    mb_cached_table_init(s, ct);
    return ct;
}

/* A statement outside a transaction (DDL): ends it, after emitting Debezium's
 * truncate event (op t, no key, no row) for a TRUNCATE of a captured table
 * when skippedOperations lets it through. The event's offset is the
 * position after the statement, so an acknowledged truncate is not sent
 * again after a restart. */
static int ddl_event(struct mb_src *s, struct stream *st, const struct mb_event *ev, const struct mb_query *q,
                     struct drom_error *err)
{
    char db[256], table[256], dflt[256];
    snprintf(dflt, sizeof dflt, "%.*s", (int)q->db_len, q->db);
    bool truncate = !s->cfg.skip_t && mb_truncate_parse(q->sql, q->sql_len, dflt, db, sizeof db, table, sizeof table) &&
                    mb_config_wants_table(&s->cfg, db, table);
    if (!truncate) {
        tx_end(s, st, ev);
        return 0;
    }
    struct drom_error terr;
    struct mb_cached_table *ct = s->replay ? NULL : truncated_table(s, db, table, &terr);
    if (!ct) {
        drom_warn(mb_route(s), "TRUNCATE of %s.%s not emitted: %s", db, table,
                  s->replay ? "no table model while replaying" : terr.msg);
        tx_end(s, st, ev);
        return 0;
    }
    char gtid[64];
    snprintf(gtid, sizeof gtid, "%s", st->gtid);
    bool has_thread = st->has_thread;
    int64_t thread = st->thread;
    struct mb_tx_info tx = {.id = gtid};
    char tx_id[320];
    uint64_t pos = ev_start(st, ev);
    if (s->cfg.tx_metadata) {
        tx_count(s, st, ct, &tx);
        if (!gtid[0]) {
            snprintf(tx_id, sizeof tx_id, "file=%s,pos=%" PRIu64, st->file, pos);
            tx.id = tx_id;
        }
    }
    tx_end(s, st, ev);
    char id[320];
    snprintf(id, sizeof id, "%" PRIu32 ":%s:%" PRIu64 ":0", ev->server_id, gtid[0] ? gtid : st->file, pos);
    struct mb_row_event e = {
        .op = 't', .ct = ct, .event_id = id, .tx = s->cfg.tx_metadata ? &tx : NULL,
        .src = {.ts_ms = (int64_t)ev->timestamp * 1000, .db = ct->t.db, .table = ct->t.table,
                .server_id = ev->server_id, .gtid = gtid[0] ? gtid : NULL, .file = st->file, .pos = (int64_t)pos,
                .has_thread = has_thread, .thread = thread},
    };
    mb_count(s, "TotalNumberOfEventsSeen", 1);
    struct mb_offset after = s->start;
    return mb_emit(s, &e, &after, NULL, err);
}

static bool is_word(const char *sql, size_t len, const char *word)
{
    return len == strlen(word) && strncasecmp(sql, word, len) == 0;
}

static int query_event(struct mb_src *s, struct stream *st, const struct mb_event *ev, struct drom_error *err)
{
    struct mb_query q;
    if (mb_event_query(ev, &q, err))
        return -1;
    if (is_word(q.sql, q.sql_len, "BEGIN")) {
        if (!st->in_tx)
            tx_begin(st, ev);
        st->has_thread = !s->mariadb;
        st->thread = q.thread_id;
        return 0;
    }
    bool commit = is_word(q.sql, q.sql_len, "COMMIT");
    if (!commit && !st->standalone && st->in_tx)
        return 0;   /* a statement inside a transaction (statement-logged, or a temporary table) */
    if (commit) {
        tx_end(s, st, ev);
        return 0;
    }
    if (!st->in_tx && st->next_gtid[0])
        tx_begin(st, ev);   /* MySQL: the DDL's GTID joins the executed set when it ends */
    char head[201];
    snprintf(head, sizeof head, "%.*s", (int)(q.sql_len > 200 ? 200 : q.sql_len), q.sql);
    if (strcasestr(head, "IDENTIFIED") || strcasestr(head, "PASSWORD"))
        snprintf(head, sizeof head, "(an account statement, not logged: it carries a password hash)");
    drom_debug(mb_route(s), "DDL: %s", head);
    for (size_t i = 0; i < s->ntables; i++)
        s->tables[i]->stale = true;
    return ddl_event(s, st, ev, &q, err);
}

static int on_event(struct mb_src *s, struct stream *st, const uint8_t *raw, size_t len, const struct mb_rows *inflated,
                    struct drom_error *err);

/* MySQL's compressed transaction: the events it holds, in order, at its position. */
static int payload_event(struct mb_src *s, struct stream *st, const struct mb_event *ev, struct drom_error *err)
{
    if (st->inner)
        return drom_err(err, DROM_EINVAL, "a transaction payload inside a transaction payload");
    if (mb_event_payload(ev, &st->payload, err))
        return -1;
    st->inner = true;
    st->outer_start = ev->next_pos - ev->length;
    st->outer_next = ev->next_pos;
    const uint8_t *p = (const uint8_t *)st->payload.data;
    size_t n = st->payload.len, off = 0;
    int rc = 0;
    while (rc == 0 && off < n) {
        if (n - off < MB_EVENT_HEADER) {
            rc = drom_err(err, DROM_EINVAL, "transaction payload: %zu bytes left, less than an event header", n - off);
            break;
        }
        size_t elen = (size_t)p[off + 9] | (size_t)p[off + 10] << 8 | (size_t)p[off + 11] << 16 |
                      (size_t)p[off + 12] << 24;
        if (elen < MB_EVENT_HEADER || elen > n - off) {
            rc = drom_err(err, DROM_EINVAL, "transaction payload: event of %zu bytes at %zu of %zu", elen, off, n);
            break;
        }
        rc = on_event(s, st, p + off, elen, NULL, err);
        off += elen;
    }
    st->inner = false;
    return rc;
}

/* One event, from a server's dump or a recorded file: everything the
 * source does with the binlog happens here. */
static int dispatch(struct mb_src *s, struct stream *st, const uint8_t *raw, size_t len, const struct mb_rows *inflated,
                    struct drom_error *err)
{
    struct mb_event ev;
    if (len >= MB_EVENT_HEADER && raw[4] == MB_EV_FDE && !st->inner) {
        if (mb_event_fde(raw, len, &st->checksum, &st->id_len, err))
            return -1;
        return 0;
    }
    bool checksum = st->checksum && !st->inner;
    if (mb_event_parse(&ev, raw, len, false, err))
        return -1;
    if (checksum) {
        if (ev.body_len < 4)
            return drom_err(err, DROM_EINVAL, "binlog event %u of %zu bytes has no room for its checksum", ev.type, len);
        ev.body_len -= 4;
        if (st->verify && mb_crc32(raw, len - 4) != ((uint32_t)raw[len - 4] | (uint32_t)raw[len - 3] << 8 |
                                                     (uint32_t)raw[len - 2] << 16 | (uint32_t)raw[len - 1] << 24))
            return drom_err(err, DROM_EINVAL, "binlog event %u at %s:%" PRIu64 ": bad checksum", ev.type, st->file,
                            ev_start(st, &ev));
    }
    switch (ev.type) {
    case MB_EV_ROTATE: {
        uint64_t pos;
        const char *name;
        size_t name_len;
        if (mb_event_rotate(&ev, &pos, &name, &name_len, err))
            return -1;
        snprintf(st->file, sizeof st->file, "%.*s", (int)name_len, name);
        if (s->ep)
            drom_endpoint_text(s->ep, "BinlogFilename", st->file);
        if (!st->in_tx && !st->skipping && ev.timestamp) {
            snprintf(s->start.file, sizeof s->start.file, "%s", st->file);
            s->start.pos = pos;
            gtids_text(st, s->start.gtids, sizeof s->start.gtids);
        }
        return 0;
    }
    case MB_EV_MARIADB_GTID: {
        char gtid[64];
        bool standalone;
        if (mb_event_mariadb_gtid(&ev, gtid, sizeof gtid, &standalone, err))
            return -1;
        tx_begin(st, &ev);
        snprintf(st->gtid, sizeof st->gtid, "%s", gtid);
        st->standalone = standalone;
        return 0;
    }
    case MB_EV_GTID: case MB_EV_ANONYMOUS_GTID:
        /* taken by the BEGIN that follows (a DDL has none: it stays for the next BEGIN, which is harmless) */
        return mb_event_mysql_gtid(&ev, st->next_gtid, sizeof st->next_gtid, &st->next_commit_us, err);
    case MB_EV_GTID_TAGGED:
        st->next_gtid[0] = '\0';   /* MySQL 8.3+ tags: not read; the transaction goes without a GTID */
        st->next_commit_us = 0;
        return 0;
    case MB_EV_PREVIOUS_GTIDS:
        if (!st->mysql_gtids[0] && !st->ng) {
            struct drom_buf b = DROM_BUF_INIT;
            if (mb_event_previous_gtids(&ev, &b, err) == 0)
                snprintf(st->mysql_gtids, sizeof st->mysql_gtids, "%s", drom_buf_cstr(&b));
            drom_buf_free(&b);
        }
        return 0;
    case MB_EV_QUERY:
        return query_event(s, st, &ev, err);
    case MB_EV_ANNOTATE_ROWS: case MB_EV_ROWS_QUERY:
        if (s->cfg.include_query) {
            const char *sql;
            size_t sql_len;
            mb_event_statement(&ev, &sql, &sql_len);
            free(st->query);
            st->query = drom_xstrndup(sql, sql_len);
        }
        return 0;
    case MB_EV_XID:
        tx_end(s, st, &ev);
        return 0;
    case MB_EV_TABLE_MAP:
        st->cur = mb_table_cache(s, ev.body, ev.body_len, st->id_len, err);
        return st->cur ? 0 : -1;
    case 23: case 24: case 25: case 30: case 31: case 32: case MB_EV_PARTIAL_UPDATE_ROWS:
    case 166: case 167: case 168:
        return rows_event(s, st, &ev, ev.type >= 166 ? inflated : NULL, err);
    case MB_EV_TRANSACTION_PAYLOAD:
        return payload_event(s, st, &ev, err);
    case MB_EV_HEARTBEAT: case MB_EV_HEARTBEAT_V2:
        mb_gauge(s, "MilliSecondsBehindSource", 0);
        return 0;
    default:
        return 0;
    }
}

static int on_event(struct mb_src *s, struct stream *st, const uint8_t *raw, size_t len, const struct mb_rows *inflated,
                    struct drom_error *err)
{
    if (dispatch(s, st, raw, len, inflated, err) == 0)
        return 0;
    if (!st->inner && err && err->code != DROM_ESTOPPED && len >= MB_EVENT_HEADER) {
        uint32_t next = (uint32_t)raw[13] | (uint32_t)raw[14] << 8 | (uint32_t)raw[15] << 16 | (uint32_t)raw[16] << 24;
        drom_err_prefix(err, "%s:%" PRIu64, st->file, next ? (uint64_t)(next - len) : (uint64_t)0);
    }
    return -1;
}

static void stream_init(struct mb_src *s, struct stream *st)
{
    memset(st, 0, sizeof *st);
    st->id_len = 6;
    snprintf(st->file, sizeof st->file, "%s", s->start.file);
    gtids_parse(st, s->start.gtids);
    if (s->start.event || s->start.row || s->start.tombstone) {
        st->skipping = true;
        st->skip_event = s->start.event;
        st->skip_row = s->start.row;
        st->skip_tomb = s->start.tombstone;
    }
}

static void stream_free(struct stream *st)
{
    free(st->query);
    st->query = NULL;
    drom_buf_free(&st->payload);
    drom_buf_free(&st->json);
}

int mb_replay(struct mb_src *s, const uint8_t *data, size_t len, const char *file, struct drom_error *err)
{
    static const uint8_t magic[4] = {0xfe, 'b', 'i', 'n'};
    if (len < 4 || memcmp(data, magic, 4) != 0)
        return drom_err(err, DROM_EINVAL, "%s is not a binlog file (no magic number)", file);
    struct stream st;
    if (!s->start.file[0])
        snprintf(s->start.file, sizeof s->start.file, "%s", file);
    stream_init(s, &st);
    snprintf(st.file, sizeof st.file, "%s", file);
    st.verify = true;
    int rc = 0;
    for (size_t off = 4; rc == 0 && off < len;) {
        if (len - off < MB_EVENT_HEADER) {
            rc = drom_err(err, DROM_EINVAL, "%s: %zu bytes at %zu, less than an event header", file, len - off, off);
            break;
        }
        size_t elen = (size_t)data[off + 9] | (size_t)data[off + 10] << 8 | (size_t)data[off + 11] << 16 |
                      (size_t)data[off + 12] << 24;
        if (elen < MB_EVENT_HEADER || elen > len - off) {
            rc = drom_err(err, DROM_EINVAL, "%s: event of %zu bytes at %zu of %zu", file, elen, off, len);
            break;
        }
        rc = on_event(s, &st, data + off, elen, NULL, err);
        off += elen;
    }
    stream_free(&st);
    return rc;
}

static int setup_session(struct mb_src *s, MYSQL *m, struct drom_error *err)
{
    if (mb_query(m, "SET @master_binlog_checksum = @@global.binlog_checksum", err) ||
        mb_query(m, "SET @source_binlog_checksum = @@global.binlog_checksum", err))
        return -1;
    if (s->mariadb && mb_query(m, "SET @mariadb_slave_capability = 4", err))
        return -1;
    if (s->cfg.heartbeat_ms > 0) {
        char sql[96];
        snprintf(sql, sizeof sql, "SET @master_heartbeat_period = %" PRId64, s->cfg.heartbeat_ms * 1000000);
        if (mb_query(m, sql, err))
            return -1;
    }
    return 0;
}

static void close_conn(struct mb_src *s, int which)
{
    pthread_mutex_lock(&s->mu);
    MYSQL *m = s->conn[which];
    s->conn[which] = NULL;
    pthread_mutex_unlock(&s->mu);
    if (m)
        mysql_close(m);
}

/* The next event of a MySQL server's dump, read as packets: libmariadb's
 * event parser stops at the event types MySQL 8 added (partial updates,
 * transaction payloads), so for MySQL only the dump request goes through it.
 * Returns 1 with the event bytes, 0 at the end of a non-blocking dump, -1. */
static int mysql_next(MYSQL *m, const uint8_t **raw, size_t *len, struct drom_error *err)
{
    unsigned long n = mysql_net_read_packet(m);
    if (n == (unsigned long)-1 || n == 0)
        return drom_err(err, mysql_errno(m) == 1236 ? DROM_ESTATE : DROM_ECONNECT, "binlog connection lost: %s",
                        mysql_errno(m) ? mysql_error(m) : "end of stream");
    const uint8_t *p = m->net.read_pos;
    if (p[0] == 0xfe && n < 9)
        return 0;
    if (p[0] == 0xff) {
        unsigned no = n >= 3 ? (unsigned)(p[1] | p[2] << 8) : 0;
        size_t skip = n > 9 && p[3] == '#' ? 9 : 3;
        return drom_err(err, no == 1236 ? DROM_ESTATE : DROM_ECONNECT, "the server ended the binlog dump: %u %.*s", no,
                        (int)(n > skip ? n - skip : 0), (const char *)p + skip);
    }
    *raw = p + 1;
    *len = n - 1;
    return 1;
}

int mb_stream(struct mb_src *s, bool *connected, struct drom_error *err)
{
    MYSQL *m = mb_connect(s, true, err);
    if (!m)
        return -1;
    MARIADB_RPL *rpl = NULL;
    MARIADB_RPL_EVENT *ev = NULL;
    struct stream st;
    stream_init(s, &st);
    int rc = -1;
    if (setup_session(s, m, err))
        goto out;
    rpl = mariadb_rpl_init(m);
    if (!rpl) {
        drom_err(err, DROM_ECONNECT, "mariadb_rpl_init: %s", mysql_error(m));
        goto out;
    }
    unsigned flags = s->mariadb && s->cfg.include_query ? MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS : 0;
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, (unsigned)s->cfg.server_id);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, s->start.file, strlen(s->start.file));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, (unsigned long)s->start.pos);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, flags);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_VERIFY_CHECKSUM, 1u);
    if (mariadb_rpl_open(rpl)) {
        drom_err(err, DROM_ECONNECT, "binlog dump from %s:%" PRIu64 " refused: %s", s->start.file, s->start.pos,
                 mysql_error(m));
        goto out;
    }
    /* The fake rotate comes before the format description: whether it has a
     * checksum is what the server's binlog_checksum said. The library checks
     * the events it fetches; those read as packets are checked here. */
    st.checksum = rpl->artificial_checksum;
    st.verify = !s->mariadb;
    *connected = true;
    drom_endpoint_set_ready(s->ep, true, NULL);
    drom_endpoint_gauge(s->ep, "Connected", 1);
    drom_endpoint_text(s->ep, "BinlogFilename", s->start.file);
    char tls[200];
    mb_tls_describe(m, tls, sizeof tls);
    drom_info(s->ep->route_id, "%s streaming binlog from %s:%" PRIu64 " of %s:%u over %s", s->ep->uri_masked,
              s->start.file, s->start.pos, s->cfg.host, s->cfg.port, tls);
    while (!atomic_load(&s->stopping)) {
        const uint8_t *raw = NULL;
        size_t len = 0;
        struct mb_rows inflated, *infl = NULL;
        if (!s->mariadb) {
            int got = mysql_next(m, &raw, &len, err);
            if (got <= 0) {
                if (atomic_load(&s->stopping))
                    break;
                if (got == 0)
                    drom_err(err, DROM_ECONNECT, "binlog connection lost: end of stream");
                goto out;
            }
        } else {
            ev = mariadb_rpl_fetch(rpl, ev);
            if (!ev) {
                if (atomic_load(&s->stopping))
                    break;
                const char *msg = mysql_errno(m) ? mysql_error(m) : mariadb_rpl_error(rpl);
                unsigned no = mysql_errno(m);
                if (strstr(msg, "server_id") || strstr(msg, "same server"))
                    /* Retried with backoff: the other replica may go away, and the log says why meanwhile. */
                    drom_err(err, DROM_ECONNECT, "the server refused the binlog dump: %s (another replica or source "
                             "uses serverId %u; give each one its own)", msg, s->cfg.server_id);
                else if (no == 1236)
                    drom_err(err, DROM_ESTATE, "the server ended the binlog dump: %s", msg);
                else
                    drom_err(err, DROM_ECONNECT, "binlog connection lost: %s", msg && *msg ? msg : "end of stream");
                goto out;
            }
            raw = ev->raw_data + ev->raw_data_ofs;
            len = ev->event_length;
            if (ev->raw_data_size < ev->raw_data_ofs || ev->raw_data_size - ev->raw_data_ofs < len) {
                drom_err(err, DROM_EINVAL, "binlog event %u: %u bytes announced, fewer received", ev->event_type,
                         ev->event_length);
                goto out;
            }
            if (ev->event_type >= WRITE_ROWS_COMPRESSED_EVENT_V1 && ev->event_type <= DELETE_ROWS_COMPRESSED_EVENT_V1) {
                /* MariaDB compressed: the library inflated the rows */
                const struct st_mariadb_rpl_rows_event *re = &ev->event.rows;
                memset(&inflated, 0, sizeof inflated);
                mb_rows_kind_of(ev->event_type, &inflated.kind, &(bool){false});
                inflated.table_id = re->table_id;
                inflated.flags = re->flags;
                inflated.ncols = re->column_count;
                inflated.present = re->column_bitmap;
                inflated.present_after = inflated.kind == MB_ROWS_UPDATE ? re->column_update_bitmap : NULL;
                inflated.data = re->row_data;
                inflated.len = re->row_data_size;
                if (!inflated.present || (inflated.kind == MB_ROWS_UPDATE && !inflated.present_after)) {
                    drom_err(err, DROM_EINVAL, "compressed rows event without bitmaps");
                    goto out;
                }
                infl = &inflated;
            }
        }
        if (len >= MB_EVENT_HEADER) {
            uint32_t next = (uint32_t)raw[13] | (uint32_t)raw[14] << 8 | (uint32_t)raw[15] << 16 | (uint32_t)raw[16] << 24;
            if (next)
                drom_endpoint_gauge(s->ep, "BinlogPosition", next);
        }
        if (on_event(s, &st, raw, len, infl, err))
            goto out;
    }
    rc = 0;
out:
    stream_free(&st);
    mb_meta_close(s);
    if (ev)
        mariadb_free_rpl_event(ev);
    if (rpl)
        mariadb_rpl_close(rpl);
    close_conn(s, 0);
    if (*connected && !atomic_load(&s->stopping))
        drom_endpoint_count(s->ep, "NumberOfDisconnects", 1);
    drom_endpoint_gauge(s->ep, "Connected", 0);
    return atomic_load(&s->stopping) ? 0 : rc;
}
