/* One binlog event of any type, from a server's dump or a recorded file:
 * everything the source does with the binlog starts here. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_stream_int.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

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
static int ddl_event(struct mb_src *s, struct mb_st *st, const struct mb_event *ev, const struct mb_query *q,
                     struct drom_error *err)
{
    char db[256], table[256], dflt[256];
    snprintf(dflt, sizeof dflt, "%.*s", (int)q->db_len, q->db);
    bool truncate = !s->cfg.skip_t && mb_truncate_parse(q->sql, q->sql_len, dflt, db, sizeof db, table, sizeof table) &&
                    mb_config_wants_table(&s->cfg, db, table);
    if (!truncate) {
        mb_st_tx_end(s, st, ev);
        return 0;
    }
    struct drom_error terr;
    struct mb_cached_table *ct = s->replay ? NULL : truncated_table(s, db, table, &terr);
    if (!ct) {
        drom_warn(mb_route(s), "TRUNCATE of %s.%s not emitted: %s", db, table,
                  s->replay ? "no table model while replaying" : terr.msg);
        mb_st_tx_end(s, st, ev);
        return 0;
    }
    char gtid[64];
    snprintf(gtid, sizeof gtid, "%s", st->gtid);
    bool has_thread = st->has_thread;
    int64_t thread = st->thread;
    struct mb_tx_info tx = {.id = gtid};
    char tx_id[320];
    uint64_t pos = mb_st_ev_start(st, ev);
    if (s->cfg.tx_metadata) {
        mb_st_tx_count(s, st, ct, &tx);
        if (!gtid[0]) {
            snprintf(tx_id, sizeof tx_id, "file=%s,pos=%" PRIu64, st->file, pos);
            tx.id = tx_id;
        }
    }
    mb_st_tx_end(s, st, ev);
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

static int query_event(struct mb_src *s, struct mb_st *st, const struct mb_event *ev, struct drom_error *err)
{
    struct mb_query q;
    if (mb_event_query(ev, &q, err))
        return -1;
    if (is_word(q.sql, q.sql_len, "BEGIN")) {
        if (!st->in_tx)
            mb_st_tx_begin(st, ev);
        st->has_thread = !s->mariadb;
        st->thread = q.thread_id;
        return 0;
    }
    bool commit = is_word(q.sql, q.sql_len, "COMMIT");
    if (!commit && !st->standalone && st->in_tx)
        return 0;   /* a statement inside a transaction (statement-logged, or a temporary table) */
    if (commit) {
        mb_st_tx_end(s, st, ev);
        return 0;
    }
    if (!st->in_tx && st->next_gtid[0])
        mb_st_tx_begin(st, ev);   /* MySQL: the DDL's GTID joins the executed set when it ends */
    char head[201];
    snprintf(head, sizeof head, "%.*s", (int)(q.sql_len > 200 ? 200 : q.sql_len), q.sql);
    if (strcasestr(head, "IDENTIFIED") || strcasestr(head, "PASSWORD"))
        snprintf(head, sizeof head, "(an account statement, not logged: it carries a password hash)");
    drom_debug(mb_route(s), "DDL: %s", head);
    for (size_t i = 0; i < s->ntables; i++)
        s->tables[i]->stale = true;
    return ddl_event(s, st, ev, &q, err);
}

/* MySQL's compressed transaction: the events it holds, in order, at its position. */
static int payload_event(struct mb_src *s, struct mb_st *st, const struct mb_event *ev, struct drom_error *err)
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
    while (rc == 0 && off < n && !s->blocking) {   /* a blocking snapshot pauses the stream inside it too */
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
        rc = mb_st_event(s, st, p + off, elen, NULL, err);
        off += elen;
    }
    st->inner = false;
    return rc;
}

/* One event, from a server's dump or a recorded file: everything the
 * source does with the binlog happens here. */
static int dispatch(struct mb_src *s, struct mb_st *st, const uint8_t *raw, size_t len, const struct mb_rows *inflated,
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
                            mb_st_ev_start(st, &ev));
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
            mb_st_gtids_text(st, s->start.gtids, sizeof s->start.gtids);
        }
        return 0;
    }
    case MB_EV_MARIADB_GTID: {
        char gtid[64];
        bool standalone;
        if (mb_event_mariadb_gtid(&ev, gtid, sizeof gtid, &standalone, err))
            return -1;
        mb_st_tx_begin(st, &ev);
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
        mb_st_tx_end(s, st, &ev);
        return 0;
    case MB_EV_TABLE_MAP:
        st->cur = mb_table_cache(s, ev.body, ev.body_len, st->id_len, err);
        return st->cur ? 0 : -1;
    case 23: case 24: case 25: case 30: case 31: case 32: case MB_EV_PARTIAL_UPDATE_ROWS:
    case 166: case 167: case 168:
        return mb_st_rows(s, st, &ev, ev.type >= 166 ? inflated : NULL, err);
    case MB_EV_TRANSACTION_PAYLOAD:
        return payload_event(s, st, &ev, err);
    case MB_EV_HEARTBEAT: case MB_EV_HEARTBEAT_V2:
        mb_gauge(s, "MilliSecondsBehindSource", 0);
        return 0;
    default:
        return 0;
    }
}

int mb_st_event(struct mb_src *s, struct mb_st *st, const uint8_t *raw, size_t len, const struct mb_rows *inflated,
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
