/* Row events: each row of a captured table decoded, its JSON columns
 * made text, and emitted as a change event with the offset that resumes
 * right after it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "components/mysql-binlog/mb_incsnap.h"
#include "components/mysql-binlog/mb_jsonb.h"
#include "components/mysql-binlog/mb_stream_int.h"

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
static int json_to_text(struct mb_st *st, const struct mb_table *t, struct mb_value *before,
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

/* What every row of one rows event shares. */
struct rows_ctx {
    const struct mb_event *ev;
    struct mb_cached_table *ct;
    enum mb_rows_kind kind;
    char op;
    uint32_t k;               /* the event's number in its transaction */
    uint64_t pos;
    bool skip_all;            /* resuming: the whole event is behind the stored offset */
    bool emit;                /* captured and not skipped (else only the signal table's rows are read) */
    struct mb_offset base;
};

/* Row `row` of the event, decoded into s->before/s->after: emitted unless
 * the stored offset says it is done. */
static int emit_row(struct mb_src *s, struct mb_st *st, const struct rows_ctx *x, uint32_t row,
                    struct drom_error *err)
{
    const struct mb_event *ev = x->ev;
    struct mb_cached_table *ct = x->ct;
    char op = x->op;
    uint64_t pos = x->pos;
    struct mb_tx_info tx = {0};
    char tx_id[320];
    if (s->cfg.tx_metadata) {
        mb_st_tx_count(s, st, ct, &tx);
        if (st->gtid[0])
            snprintf(tx_id, sizeof tx_id, "%s", st->gtid);
        else
            snprintf(tx_id, sizeof tx_id, "file=%s,pos=%" PRIu64, st->in_tx ? st->tx_file : st->file,
                     st->in_tx ? st->tx_pos : pos);
        tx.id = tx_id;
    }
    if (x->skip_all)
        return 0;
    bool tomb_only = false;
    if (st->skipping && x->k == st->skip_event) {
        if (row < st->skip_row)
            return 0;
        tomb_only = row == st->skip_row && st->skip_tomb;
    }
    struct mb_row_event e = {
        .op = op, .ct = ct,
        .before = x->kind == MB_ROWS_WRITE ? NULL : s->before,
        .after = x->kind == MB_ROWS_DELETE ? NULL : s->after,
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
    struct mb_offset done = x->base, tomb = x->base;
    done.row = row + 1;
    tomb.row = row + 1;
    bool with_tomb = op == 'd' && s->cfg.tombstones;
    if (with_tomb) {
        done.row = row;
        done.tombstone = true;
    }
    if (!x->emit)
        return op == 'c' && !tomb_only ? mb_signal_row(s, ct, s->after, &e.src, err) : 0;
    mb_incsnap_seen(s, ct, e.before, e.after);
    mb_count(s, "TotalNumberOfEventsSeen", 1);
    mb_gauge(s, "LastEventMs", drom_now_us() / 1000);
    if (tomb_only) {
        /* The delete was acknowledged before the restart; only its tombstone is owed. */
        struct mb_row_event t = e;
        if (mb_emit_tombstone(s, &t, &tomb, err))
            return -1;
    } else if (op == 'u' && key_changed(ct, s->before, s->after)) {
        struct mb_offset redo = x->base;
        redo.row = row;
        if (emit_key_change(s, &e, &redo, &done, err))
            return -1;
    } else if (mb_emit(s, &e, &done, with_tomb ? &tomb : NULL, err))
        return -1;
    s->start = with_tomb ? tomb : done;
    return ct->signal && op == 'c' && !tomb_only ? mb_signal_row(s, ct, s->after, &e.src, err) : 0;
}

/* Decodes the row at *off into s->before/s->after, its JSON columns as text. */
static int decode_row(struct mb_src *s, struct mb_st *st, const struct mb_cached_table *ct, const struct mb_rows *r,
                      size_t *off, struct drom_error *err)
{
    size_t start = *off;
    if (r->kind == MB_ROWS_WRITE) {
        if (mb_row_decode(&ct->t, r, false, off, s->after, err))
            return -1;
    } else {
        if (mb_row_decode(&ct->t, r, false, off, s->before, err))
            return -1;
        if (r->kind == MB_ROWS_UPDATE && mb_row_decode(&ct->t, r, true, off, s->after, err))
            return -1;
    }
    if (*off == start)   /* no column present: the rest would be rows of nothing, without end */
        return drom_err(err, DROM_EINVAL, "rows event of %s.%s malformed: a row image of no bytes", ct->t.db,
                        ct->t.table);
    return json_to_text(st, &ct->t, r->kind == MB_ROWS_WRITE ? NULL : s->before,
                        r->kind == MB_ROWS_DELETE ? NULL : s->after, err);
}

int mb_st_rows(struct mb_src *s, struct mb_st *st, const struct mb_event *ev, const struct mb_rows *inflated,
               struct drom_error *err)
{
    uint32_t k = st->rows_events++;
    struct mb_rows r;
    if (inflated)
        r = *inflated;
    else if (mb_rows_parse(&r, ev->type, ev->body, ev->body_len, st->id_len, err))
        return mb_event_failure(s, false, st->file, mb_st_ev_start(st, ev), err);
    bool skip_all = st->skipping && k < st->skip_event;
    struct mb_cached_table *ct = st->cur && st->cur->t.table_id == r.table_id ? st->cur : find_table(s, r.table_id);
    if (!ct && skip_all)
        return 0;
    if (!ct) {
        drom_err(err, DROM_EINVAL, "rows event for table id %" PRIu64 " without a table map", r.table_id);
        return mb_event_failure(s, true, st->file, mb_st_ev_start(st, ev), err);
    }
    if (!ct->wanted && !ct->signal) {
        drom_endpoint_count(s->ep, "NumberOfEventsFiltered", 1);
        return 0;
    }
    char op = r.kind == MB_ROWS_WRITE ? 'c' : r.kind == MB_ROWS_UPDATE ? 'u' : 'd';
    bool skipped = (op == 'c' && s->cfg.skip_c) || (op == 'u' && s->cfg.skip_u) || (op == 'd' && s->cfg.skip_d);
    if (skipped && !ct->signal)
        return 0;
    if (!ct->t.has_names) {
        drom_err(err, DROM_EINVAL, "table map of %s.%s has no column names (written before binlog_row_metadata=FULL "
                 "was set?)", ct->t.db, ct->t.table);
        return mb_event_failure(s, true, st->file, mb_st_ev_start(st, ev), err);
    }
    mb_values_reserve(s, ct->t.ncols);
    uint64_t pos = mb_st_ev_start(st, ev);
    if (ev->timestamp)
        mb_gauge(s, "MilliSecondsBehindSource", drom_now_us() / 1000 - (int64_t)ev->timestamp * 1000);
    struct rows_ctx x = {.ev = ev, .ct = ct, .kind = r.kind, .op = op, .k = k, .pos = pos, .skip_all = skip_all,
                         .emit = ct->wanted && !skipped};
    snprintf(x.base.file, sizeof x.base.file, "%s", st->in_tx ? st->tx_file : st->file);
    x.base.pos = st->in_tx ? st->tx_pos : pos;
    mb_st_gtids_text(st, x.base.gtids, sizeof x.base.gtids);
    x.base.event = k;
    x.base.server_id = ev->server_id;
    x.base.ts_sec = ev->timestamp;
    x.base.epoch_ms = s->epoch_ms;
    size_t off = 0;
    uint32_t nrows = 0;
    for (uint32_t row = 0; off < r.len; row++) {
        nrows = row + 1;
        if (decode_row(s, st, ct, &r, &off, err)) {
            /* the rest of the event cannot be read either: all of it fails or is passed over */
            if (mb_event_failure(s, false, st->file, pos, err))
                return -1;
            nrows = row;
            break;
        }
        if (emit_row(s, st, &x, row, err))
            return -1;
        if (s->blocking) {
            /* a blocking snapshot's signal: streaming pauses right after its row, and resumes there */
            s->start = x.base;
            s->start.row = row + 1;
            break;
        }
    }
    if (st->inner)
        st->inner_rows += nrows;
    if (st->skipping && k >= st->skip_event)
        st->skipping = false;
    return 0;
}
