/* One chunk of an incremental snapshot (DBLog): a low watermark row is
 * written to the signal table, the chunk read by primary key, a high
 * watermark written; the stream drops from the chunk every row whose key a
 * change between the two watermarks touched (mb_incsnap_seen), and when
 * the high watermark comes by, the rest goes out as op "r". The reads use
 * the source's information_schema connection (mb_meta_conn). */
#include <inttypes.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "components/mysql-binlog/mb_incsnap_int.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

static void table_name(struct drom_buf *q, const struct mb_snap_table *t)
{
    mb_quote_ident(q, t->db);
    drom_buf_putc(q, '.');
    mb_quote_ident(q, t->table);
}

static void pk_list(struct drom_buf *q, const struct mb_table *t)
{
    drom_buf_putc(q, '(');
    for (size_t i = 0; i < t->npk; i++) {
        if (i)
            drom_buf_putc(q, ',');
        mb_quote_ident(q, t->cols[t->pk[i]].name);
    }
    drom_buf_putc(q, ')');
}

static void key_values(MYSQL *m, struct drom_buf *q, const struct inc_key *k)
{
    drom_buf_putc(q, '(');
    for (size_t i = 0; i < k->n; i++) {
        if (i)
            drom_buf_putc(q, ',');
        mb_quote_str(m, q, k->v[i]);
    }
    drom_buf_putc(q, ')');
}

/* A failure of the server (lost connection) is returned; one of the
 * snapshot's own (no INSERT grant on the signal table, a bad
 * additional-condition) ends the snapshot, loudly, and streaming goes on. */
static int failed(struct mb_src *s, struct mb_incsnap *inc, MYSQL *m, struct drom_error *err)
{
    unsigned no = m ? mysql_errno(m) : 0;
    if (!no || no >= 2000)
        return -1;
    drom_error_log(mb_route(s), "incremental snapshot %s aborted: %s%s", inc->id, err->msg,
                   no == ER_TABLEACCESS_DENIED_ERROR ? " (the user needs INSERT on the signal table for the "
                                                       "snapshot's watermarks)" : "");
    mb_gauge(s, "SnapshotAborted", 1);
    mb_inc_abort(s, inc);
    return 0;
}

/* The largest key of the table (within its condition): the snapshot reads up to it. 0 when empty. */
static int read_max(struct mb_src *s, struct mb_incsnap *inc, MYSQL *m, struct drom_error *err)
{
    const struct mb_table *t = &inc->ct.t;
    struct drom_buf q = DROM_BUF_INIT;
    drom_buf_puts(&q, "SELECT ");
    for (size_t i = 0; i < t->npk; i++) {
        if (i)
            drom_buf_putc(&q, ',');
        mb_quote_ident(&q, t->cols[t->pk[i]].name);
    }
    drom_buf_puts(&q, " FROM ");
    table_name(&q, &inc->tables[0]);
    if (inc->tables[0].filter)
        drom_buf_printf(&q, " WHERE %s", inc->tables[0].filter);
    drom_buf_puts(&q, " ORDER BY ");
    for (size_t i = 0; i < t->npk; i++) {
        if (i)
            drom_buf_putc(&q, ',');
        mb_quote_ident(&q, t->cols[t->pk[i]].name);
        drom_buf_puts(&q, " DESC");
    }
    drom_buf_puts(&q, " LIMIT 1");
    int rc = mb_query(m, q.data, err);
    drom_buf_free(&q);
    if (rc)
        return -1;
    MYSQL_RES *r = mysql_store_result(m);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    if (row) {
        inc->max.v = drom_xcalloc(t->npk, sizeof *inc->max.v);
        for (size_t i = 0; i < t->npk; i++)
            inc->max.v[i] = drom_xstrdup(row[i] ? row[i] : "");
        inc->max.n = t->npk;
    }
    mysql_free_result(r);
    (void)s;
    return row ? 1 : 0;
}

/* Loads the current table's model and its largest key: 1 when there is
 * something to read, 0 when the table was skipped (done), -1 on a failure. */
static int table_load(struct mb_src *s, struct mb_incsnap *inc, MYSQL *m, struct drom_error *err)
{
    const struct mb_snap_table *it = &inc->tables[0];
    if (mb_table_from_schema(m, it->db, it->table, &inc->ct.t, err)) {
        mb_table_free(&inc->ct.t);
        if (mysql_errno(m))
            return -1;
        drom_warn(mb_route(s), "incremental snapshot %s: %s; skipped", inc->id, err->msg);
        mb_inc_table_done(s, inc);
        return 0;
    }
    inc->ct.t.table_id = UINT64_MAX;
    mb_cached_table_init(s, &inc->ct);
    inc->ct_loaded = true;
    if (!inc->ct.t.npk) {
        drom_warn(mb_route(s), "incremental snapshot %s: %s.%s has no primary key, which the chunks are read by; "
                  "skipped", inc->id, it->db, it->table);
        mb_inc_table_done(s, inc);
        return 0;
    }
    mb_progress_table(s, "incremental snapshot", it->db, it->table, mb_table_estimate(m, it->db, it->table));
    if (!inc->max.n) {
        int got = read_max(s, inc, m, err);
        if (got <= 0) {
            if (got == 0)
                mb_inc_table_done(s, inc);
            return got;
        }
    }
    mb_inc_ctx_update(s, inc);
    mb_inc_gauges(s, inc);
    return 1;
}

/* A fresh watermark id: a random UUID, as Debezium's (36 characters, so
 * "-close" fits the signal table's VARCHAR(42) id). */
static void new_window(char out[40])
{
    uint8_t b[16] = {0};
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        uint64_t t = (uint64_t)drom_now_us();
        memcpy(b, &t, sizeof t);
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int watermark(struct mb_src *s, MYSQL *m, const char *window, bool open, struct drom_error *err)
{
    char now[64];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    struct drom_buf q = DROM_BUF_INIT;
    drom_buf_puts(&q, "INSERT INTO ");
    struct mb_snap_table sig = {s->cfg.signal_db, s->cfg.signal_table, NULL};
    table_name(&q, &sig);
    drom_buf_printf(&q, " VALUES ('%s-%s', 'snapshot-window-%s', '{\"%sWindowTimestamp\": \"%s\"}')", window,
                    open ? "open" : "close", open ? "open" : "close", open ? "open" : "close", now);
    int rc = mb_query(m, q.data, err);
    drom_buf_free(&q);
    return rc;
}

static void chunk_query(struct mb_incsnap *inc, MYSQL *m, int64_t limit, struct drom_buf *q)
{
    const struct mb_table *t = &inc->ct.t;
    mb_select_list(q, t);
    drom_buf_puts(q, " FROM ");
    table_name(q, &inc->tables[0]);
    drom_buf_puts(q, " WHERE ");
    pk_list(q, t);
    drom_buf_puts(q, " <= ");
    key_values(m, q, &inc->max);
    if (inc->last.n) {
        drom_buf_puts(q, " AND ");
        pk_list(q, t);
        drom_buf_puts(q, " > ");
        key_values(m, q, &inc->last);
    }
    if (inc->tables[0].filter)
        drom_buf_printf(q, " AND (%s)", inc->tables[0].filter);
    drom_buf_puts(q, " ORDER BY ");
    for (size_t i = 0; i < t->npk; i++) {
        if (i)
            drom_buf_putc(q, ',');
        mb_quote_ident(q, t->cols[t->pk[i]].name);
    }
    drom_buf_printf(q, " LIMIT %" PRId64, limit);
}

/* Keeps a fetched row with its key's JSON (as a streamed change's key reads). */
static void keep_row(struct mb_src *s, struct mb_incsnap *inc, MYSQL_ROW row, const unsigned long *lens)
{
    const struct mb_table *t = &inc->ct.t;
    drom_xgrow((void **)&inc->rows, &inc->caprows, inc->nrows + 1, sizeof *inc->rows);
    struct inc_row *r = &inc->rows[inc->nrows++];
    r->cells = drom_xcalloc(t->ncols, sizeof *r->cells);
    r->lens = drom_xcalloc(t->ncols, sizeof *r->lens);
    r->dropped = false;
    mb_values_reserve(s, t->ncols);
    for (size_t i = 0; i < t->ncols; i++) {
        if (row[i]) {
            r->cells[i] = drom_xmalloc(lens[i] + 1);
            memcpy(r->cells[i], row[i], lens[i]);
            r->cells[i][lens[i]] = '\0';
        }
        r->lens[i] = lens[i];
        mb_text_value(&t->cols[i], r->cells[i], r->lens[i], &s->after[i]);
    }
    struct drom_buf k = DROM_BUF_INIT;
    mb_json_key_payload(&k, inc->ct.schema, s->after);
    r->key = drom_buf_detach(&k);
}

int mb_inc_select_chunk(struct mb_src *s, struct mb_incsnap *inc, MYSQL *m, struct drom_error *err)
{
    struct drom_buf q = DROM_BUF_INIT;
    chunk_query(inc, m, s->cfg.inc_chunk, &q);
    int rc = mb_query(m, "SET SESSION time_zone = '+00:00', character_set_results = NULL", err);
    if (rc == 0)
        rc = mb_query(m, q.data, err);
    drom_buf_free(&q);
    MYSQL_RES *res = rc == 0 ? mysql_store_result(m) : NULL;
    if (rc || !res)
        return rc ? -1 : drom_err(err, DROM_ECONNECT, "incremental snapshot chunk: %s", mysql_error(m));
    inc->ncols = inc->ct.t.ncols;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)))
        keep_row(s, inc, row, mysql_fetch_lengths(res));
    mysql_free_result(res);
    inc->chunk_end = (int64_t)inc->nrows < s->cfg.inc_chunk;
    if (inc->nrows) {
        const struct inc_row *last = &inc->rows[inc->nrows - 1];
        struct inc_key k = {drom_xcalloc(inc->ct.t.npk, sizeof(char *)), inc->ct.t.npk};
        for (size_t i = 0; i < k.n; i++)
            k.v[i] = drom_xstrdup(last->cells[inc->ct.t.pk[i]] ? last->cells[inc->ct.t.pk[i]] : "");
        mb_inc_key_free(&inc->chunk_last);
        inc->chunk_last = k;
    }
    inc->rows_scanned += (int64_t)inc->nrows;
    inc->table_rows += (int64_t)inc->nrows;
    mb_progress_rows(s, (int64_t)inc->nrows);
    mb_progress_flush(s);   /* RowsScanned of the table, exact at each chunk */
    mb_count(s, "SnapshotRowsScanned", (int64_t)inc->nrows);
    return 0;
}

/* readOnly: the chunk read in a consistent snapshot, whose binlog position is kept (mb_incsnap_ro.c) */
static int ro_select(struct mb_src *s, struct mb_incsnap *inc, MYSQL *m, struct drom_error *err)
{
    if (mb_inc_ro_begin(inc, m, err))
        return -1;
    if (mb_inc_select_chunk(s, inc, m, err)) {
        mysql_query(m, "ROLLBACK");
        return -1;
    }
    return mb_inc_ro_end(inc, m, err);
}

int mb_inc_read_chunk(struct mb_src *s, struct mb_incsnap *inc, struct drom_error *err)
{
    for (;;) {
        mb_inc_rows_clear(inc);
        MYSQL *m = NULL;
        while (inc->ntables && !inc->paused && !inc->ct_loaded) {
            if (!(m = mb_meta_conn(s, err)))
                return -1;
            if (table_load(s, inc, m, err) < 0)
                return failed(s, inc, m, err);
        }
        if (!inc->ntables || inc->paused)
            return 0;
        if (!(m = mb_meta_conn(s, err)))
            return -1;
        char window[40];
        new_window(window);
        int rc = s->cfg.read_only ? ro_select(s, inc, m, err)
                                  : watermark(s, m, window, true, err) || mb_inc_select_chunk(s, inc, m, err) ||
                                        watermark(s, m, window, false, err);
        if (rc) {
            mb_inc_rows_clear(inc);
            return failed(s, inc, m, err);
        }
        snprintf(inc->window, sizeof inc->window, "%s", window);
        mb_inc_gauges(s, inc);
        if (!s->cfg.read_only)
            return 0;
        /* read-only: the window is open from the read until the stream passes the snapshot's position; a
         * stream already there takes the chunk now, and the next one is read */
        inc->window_open = true;
        if (!mb_inc_ro_reached(inc))
            return 0;
        if (mb_inc_ro_emit(s, inc, err))
            return -1;
    }
}

/* The key's cells joined by commas: the row's part of its event id. */
static void key_text(const struct mb_incsnap *inc, const struct inc_row *r, struct drom_buf *out)
{
    for (size_t i = 0; i < inc->ct.t.npk; i++) {
        if (i)
            drom_buf_putc(out, ',');
        const char *c = r->cells[inc->ct.t.pk[i]];
        drom_buf_puts(out, c ? c : "");
    }
}

static int emit_row(struct mb_src *s, struct mb_incsnap *inc, const struct inc_row *r,
                    const struct mb_source_info *src, struct drom_error *err)
{
    const struct mb_table *t = &inc->ct.t;
    mb_values_reserve(s, t->ncols);
    for (size_t i = 0; i < t->ncols; i++)
        mb_text_value(&t->cols[i], r->cells[i], r->lens[i], &s->after[i]);
    /* stable across a resume: the snapshot's id and the row's key */
    struct drom_buf id = DROM_BUF_INIT;
    drom_buf_printf(&id, "0:incremental:%s:%s.%s#", inc->id, t->db, t->table);
    key_text(inc, r, &id);
    struct mb_row_event e = {.op = 'r', .ct = &inc->ct, .after = s->after, .event_id = drom_buf_cstr(&id),
                             .src = *src};
    e.src.snapshot = "incremental";
    e.src.ts_ms = drom_now_us() / 1000;
    e.src.ts_us = 0;
    e.src.db = t->db;
    e.src.table = t->table;
    e.src.query = NULL;
    struct mb_offset done = s->start;
    mb_count(s, "SnapshotEventsSeen", 1);
    mb_gauge(s, "SnapshotLastEventMs", drom_now_us() / 1000);
    int rc = mb_emit(s, &e, &done, NULL, err);
    drom_buf_free(&id);
    return rc;
}

/* The chunk's rows the window left, as op "r"; the last one carries the
 * advanced context, so its stored offset resumes at the next chunk. */
static int emit_chunk(struct mb_src *s, struct mb_incsnap *inc, const struct mb_source_info *src,
                      struct drom_error *err)
{
    size_t last = inc->nrows;
    for (size_t r = 0; r < inc->nrows; r++)
        if (!inc->rows[r].dropped)
            last = r;
    for (size_t r = 0; r < inc->nrows; r++) {
        if (inc->rows[r].dropped)
            continue;
        if (r == last && inc->chunk_last.n) {
            mb_inc_key_copy(&inc->last, &inc->chunk_last);
            mb_inc_ctx_update(s, inc);
        }
        if (emit_row(s, inc, &inc->rows[r], src, err))
            return -1;
    }
    if (last == inc->nrows && inc->chunk_last.n) {
        mb_inc_key_copy(&inc->last, &inc->chunk_last);
        mb_inc_ctx_update(s, inc);
    }
    bool end = inc->chunk_end;
    mb_inc_rows_clear(inc);
    if (end)
        mb_inc_table_done(s, inc);
    return 0;
}

int mb_inc_ro_emit(struct mb_src *s, struct mb_incsnap *inc, struct drom_error *err)
{
    /* the rows' source block: where the stream passed the chunk's snapshot */
    struct mb_source_info src = {.file = inc->at_file, .pos = (int64_t)inc->at_pos};
    if (emit_chunk(s, inc, &src, err))
        return -1;
    mb_inc_gauges(s, inc);
    return 0;
}

int mb_incsnap_window(struct mb_src *s, const char *id, const struct mb_source_info *src, struct drom_error *err)
{
    struct mb_incsnap *inc = s->inc;
    size_t n = inc ? strlen(inc->window) : 0;
    if (!n || strncmp(id, inc->window, n) != 0)
        return 0;   /* a watermark of a chunk read before a restart: that chunk is read again */
    if (strcmp(id + n, "-open") == 0) {
        inc->window_open = true;
        return 0;
    }
    if (strcmp(id + n, "-close") != 0)
        return 0;
    if (emit_chunk(s, inc, src, err))
        return -1;
    mb_inc_gauges(s, inc);
    return mb_inc_read_chunk(s, inc, err);
}

int mb_incsnap_stream_at(struct mb_src *s, const char *file, uint64_t pos, struct drom_error *err)
{
    if (!s->cfg.read_only)
        return 0;
    struct mb_incsnap *inc = mb_inc_of(s);
    /* the stream only moves forward (a heartbeat may say less than the last event's end) */
    if (strcmp(inc->at_file, file) != 0 || pos > inc->at_pos) {
        snprintf(inc->at_file, sizeof inc->at_file, "%s", file);
        inc->at_pos = pos;
    }
    if (!inc->window[0] || !mb_inc_ro_reached(inc))
        return 0;
    return mb_inc_ro_emit(s, inc, err) ? -1 : mb_inc_read_chunk(s, inc, err);
}
