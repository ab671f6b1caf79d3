/* Streaming: one replication connection, events in binlog order, one
 * exchange per row change. */
#include <inttypes.h>
#include <mysql.h>
#include <mariadb_rpl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_stream.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct gtid {
    uint32_t domain, server;
    uint64_t seq;
};

/* Per connection. */
struct stream {
    char file[256];
    unsigned id_len;
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
    struct gtid g;
    for (const char *p = text; st->ng < 32 && mb_gtid_next(&p, &g.domain, &g.server, &g.seq);)
        st->g[st->ng++] = g;
}

static void gtids_text(const struct stream *st, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
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

static void tx_end(struct mb_src *s, struct stream *st, const MARIADB_RPL_EVENT *ev)
{
    struct gtid g;
    const char *p = st->gtid;
    if (st->in_tx && mb_gtid_next(&p, &g.domain, &g.server, &g.seq))
        gtids_add(st, g.domain, g.server, g.seq);
    st->in_tx = st->standalone = false;
    st->gtid[0] = '\0';
    st->has_thread = false;
    free(st->query);
    st->query = NULL;
    if (st->skipping)
        st->skipping = false;   /* the interrupted transaction is behind us */
    s->committed_txs++;
    drom_endpoint_count(s->ep, "NumberOfCommittedTransactions", 1);
    at_boundary(s, st, ev->next_event_pos, ev->server_id, ev->timestamp);
}

static void tx_begin(struct stream *st, const MARIADB_RPL_EVENT *ev)
{
    st->in_tx = true;
    snprintf(st->tx_file, sizeof st->tx_file, "%s", st->file);
    st->tx_pos = ev->next_event_pos - ev->event_length;
    st->rows_events = 0;
    st->tx_total = 0;
    st->ntx_tables = 0;
    st->gtid[0] = '\0';
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

static int rows_event(struct mb_src *s, struct stream *st, MARIADB_RPL *rpl, MARIADB_RPL_EVENT *ev,
                      struct drom_error *err)
{
    uint32_t k = st->rows_events++;
    struct mb_rows r;
    unsigned type = ev->event_type;
    if (type >= 166 && type <= 168) {   /* MariaDB compressed: the library inflated the rows */
        const struct st_mariadb_rpl_rows_event *re = &ev->event.rows;
        if (mb_rows_kind_of(type, &r.kind, &(bool){false}))
            return 0;
        r.table_id = re->table_id;
        r.flags = re->flags;
        r.ncols = re->column_count;
        r.present = re->column_bitmap;
        r.present_after = r.kind == MB_ROWS_UPDATE ? re->column_update_bitmap : NULL;
        r.data = re->row_data;
        r.len = re->row_data_size;
        if (!r.present || (r.kind == MB_ROWS_UPDATE && !r.present_after))
            return drom_err(err, DROM_EINVAL, "compressed rows event without bitmaps");
    } else {
        size_t trailer = rpl->use_checksum ? 4 : 0;
        if (ev->event_length < 19 + trailer)
            return drom_err(err, DROM_EINVAL, "rows event of %u bytes", ev->event_length);
        const uint8_t *body = ev->raw_data + ev->raw_data_ofs + 19;
        if (mb_rows_parse(&r, type, body, ev->event_length - 19 - trailer, st->id_len, err))
            return -1;
    }
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
    uint64_t pos = ev->next_event_pos - ev->event_length;
    if (ev->timestamp)
        drom_endpoint_gauge(s->ep, "MilliSecondsBehindSource", drom_now_us() / 1000 - (int64_t)ev->timestamp * 1000);
    struct mb_offset base = {0};
    snprintf(base.file, sizeof base.file, "%s", st->in_tx ? st->tx_file : st->file);
    base.pos = st->in_tx ? st->tx_pos : pos;
    gtids_text(st, base.gtids, sizeof base.gtids);
    base.event = k;
    base.server_id = ev->server_id;
    base.ts_sec = ev->timestamp;
    base.epoch_ms = s->epoch_ms;
    size_t off = 0;
    for (uint32_t row = 0; off < r.len; row++) {
        if (r.kind == MB_ROWS_WRITE) {
            if (mb_row_decode(&ct->t, &r, false, &off, s->after, err))
                return -1;
        } else {
            if (mb_row_decode(&ct->t, &r, false, &off, s->before, err))
                return -1;
            if (r.kind == MB_ROWS_UPDATE && mb_row_decode(&ct->t, &r, true, &off, s->after, err))
                return -1;
        }
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
            .src = {.ts_ms = (int64_t)ev->timestamp * 1000, .db = ct->t.db, .table = ct->t.table,
                    .server_id = ev->server_id, .gtid = st->gtid[0] ? st->gtid : NULL, .file = st->file,
                    .pos = (int64_t)pos, .row = (int32_t)row, .has_thread = st->has_thread, .thread = st->thread,
                    .query = s->cfg.include_query ? st->query : NULL},
        };
        char id[320];
        snprintf(id, sizeof id, "%" PRIu32 ":%s:%" PRIu64 ":%" PRIu32, ev->server_id, st->gtid[0] ? st->gtid : st->file,
                 pos, row);
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
        drom_endpoint_count(s->ep, "TotalNumberOfEventsSeen", 1);
        drom_endpoint_gauge(s->ep, "LastEventMs", drom_now_us() / 1000);
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
static int ddl_event(struct mb_src *s, struct stream *st, const MARIADB_RPL_EVENT *ev, struct drom_error *err)
{
    const MARIADB_STRING *q = &ev->event.query.statement;
    char db[256], table[256], dflt[256];
    snprintf(dflt, sizeof dflt, "%.*s", (int)ev->event.query.database.length, ev->event.query.database.str);
    bool truncate = !s->cfg.skip_t && mb_truncate_parse(q->str, q->length, dflt, db, sizeof db, table, sizeof table) &&
                    mb_config_wants_table(&s->cfg, db, table);
    if (!truncate) {
        tx_end(s, st, ev);
        return 0;
    }
    struct drom_error terr;
    struct mb_cached_table *ct = truncated_table(s, db, table, &terr);
    if (!ct) {
        drom_warn(s->ep->route_id, "TRUNCATE of %s.%s not emitted: %s", db, table, terr.msg);
        tx_end(s, st, ev);
        return 0;
    }
    char gtid[64];
    snprintf(gtid, sizeof gtid, "%s", st->gtid);
    bool has_thread = st->has_thread;
    int64_t thread = st->thread;
    struct mb_tx_info tx = {.id = gtid};
    char tx_id[320];
    uint64_t pos = ev->next_event_pos - ev->event_length;
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
    drom_endpoint_count(s->ep, "TotalNumberOfEventsSeen", 1);
    struct mb_offset after = s->start;
    return mb_emit(s, &e, &after, NULL, err);
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

int mb_stream(struct mb_src *s, bool *connected, struct drom_error *err)
{
    MYSQL *m = mb_connect(s, true, err);
    if (!m)
        return -1;
    MARIADB_RPL *rpl = NULL;
    MARIADB_RPL_EVENT *ev = NULL;
    struct stream st = {.id_len = 6};
    int rc = -1;
    if (setup_session(s, m, err))
        goto out;
    rpl = mariadb_rpl_init(m);
    if (!rpl) {
        drom_err(err, DROM_ECONNECT, "mariadb_rpl_init: %s", mysql_error(m));
        goto out;
    }
    snprintf(st.file, sizeof st.file, "%s", s->start.file);
    gtids_parse(&st, s->start.gtids);
    if (s->start.event || s->start.row || s->start.tombstone) {
        st.skipping = true;
        st.skip_event = s->start.event;
        st.skip_row = s->start.row;
        st.skip_tomb = s->start.tombstone;
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
    *connected = true;
    drom_endpoint_set_ready(s->ep, true, NULL);
    drom_endpoint_gauge(s->ep, "Connected", 1);
    drom_endpoint_text(s->ep, "BinlogFilename", s->start.file);
    drom_info(s->ep->route_id, "%s streaming binlog from %s:%" PRIu64 " of %s:%u", s->ep->uri_masked, s->start.file,
              s->start.pos, s->cfg.host, s->cfg.port);
    while (!atomic_load(&s->stopping)) {
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
        if (ev->next_event_pos)
            drom_endpoint_gauge(s->ep, "BinlogPosition", ev->next_event_pos);
        switch ((int)ev->event_type) {
        case ROTATE_EVENT:
            snprintf(st.file, sizeof st.file, "%.*s", (int)ev->event.rotate.filename.length,
                     ev->event.rotate.filename.str);
            drom_endpoint_text(s->ep, "BinlogFilename", st.file);
            if (!st.in_tx && !st.skipping && ev->timestamp) {
                snprintf(s->start.file, sizeof s->start.file, "%s", st.file);
                s->start.pos = ev->event.rotate.position;
            }
            break;
        case FORMAT_DESCRIPTION_EVENT:
            st.id_len = rpl->post_header_len[TABLE_MAP_EVENT - 1] == 6 ? 4 : 6;
            break;
        case GTID_EVENT:
            tx_begin(&st, ev);
            snprintf(st.gtid, sizeof st.gtid, "%" PRIu32 "-%" PRIu32 "-%" PRIu64, ev->event.gtid.domain_id,
                     ev->server_id, ev->event.gtid.sequence_nr);
            st.standalone = ev->event.gtid.flags & 1;
            break;
        case QUERY_EVENT: {
            const MARIADB_STRING *q = &ev->event.query.statement;
            if (q->length == 5 && strncasecmp(q->str, "BEGIN", 5) == 0) {
                if (!st.in_tx)
                    tx_begin(&st, ev);
                st.has_thread = !s->mariadb;
                st.thread = ev->event.query.thread_id;
            } else if ((q->length == 6 && strncasecmp(q->str, "COMMIT", 6) == 0) || st.standalone || !st.in_tx) {
                if (!(q->length == 6 && strncasecmp(q->str, "COMMIT", 6) == 0)) {
                    drom_debug(s->ep->route_id, "DDL: %.*s", (int)(q->length > 200 ? 200 : q->length), q->str);
                    for (size_t i = 0; i < s->ntables; i++)
                        s->tables[i]->stale = true;
                    if (ddl_event(s, &st, ev, err))
                        goto out;
                } else
                    tx_end(s, &st, ev);
            }
            break;
        }
        case ANNOTATE_ROWS_EVENT:
            if (s->cfg.include_query) {
                free(st.query);
                st.query = drom_xstrndup(ev->event.annotate_rows.statement.str, ev->event.annotate_rows.statement.length);
            }
            break;
        case XID_EVENT:
            tx_end(s, &st, ev);
            break;
        case TABLE_MAP_EVENT: {
            size_t trailer = rpl->use_checksum ? 4 : 0;
            if (ev->event_length < 19 + trailer) {
                drom_err(err, DROM_EINVAL, "table map event of %u bytes", ev->event_length);
                goto out;
            }
            st.cur = mb_table_cache(s, ev->raw_data + ev->raw_data_ofs + 19, ev->event_length - 19 - trailer,
                                    st.id_len, err);
            if (!st.cur)
                goto out;
            break;
        }
        case WRITE_ROWS_EVENT_V1: case UPDATE_ROWS_EVENT_V1: case DELETE_ROWS_EVENT_V1:
        case WRITE_ROWS_EVENT: case UPDATE_ROWS_EVENT: case DELETE_ROWS_EVENT:
        case WRITE_ROWS_COMPRESSED_EVENT_V1: case UPDATE_ROWS_COMPRESSED_EVENT_V1:
        case DELETE_ROWS_COMPRESSED_EVENT_V1:
            if (rows_event(s, &st, rpl, ev, err)) {
                if (err && err->code != DROM_ESTOPPED)
                    drom_err_prefix(err, "%s:%" PRIu64, st.file, (uint64_t)(ev->next_event_pos - ev->event_length));
                goto out;
            }
            break;
        case HEARTBEAT_LOG_EVENT:
            drom_endpoint_gauge(s->ep, "MilliSecondsBehindSource", 0);
            break;
        default:
            break;
        }
    }
    rc = 0;
out:
    free(st.query);
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
