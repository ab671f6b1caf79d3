/* Snapshot rows, for the initial snapshot and a blocking one
 * (mb_snapshot_int.h): each table read with mysql_use_result, each row
 * sent once the next one tells which of Debezium's source.snapshot marks
 * it takes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_snapshot_int.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

int mb_snap_session(MYSQL *m, struct drom_error *err)
{
    if (mb_query(m, "SET SESSION time_zone = '+00:00'", err) ||
        mb_query(m, "SET SESSION character_set_results = NULL", err) ||
        /* rows are read as the route takes them: a slow route must not make the server drop us */
        mb_query(m, "SET SESSION net_write_timeout = 3600", err) ||
        mb_query(m, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", err))
        return -1;
    return 0;
}

int mb_snap_models(struct mb_src *s, MYSQL *m, const struct mb_snap_table *tables, size_t n,
                   struct mb_cached_table *cts, struct drom_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct mb_cached_table *ct = &cts[i];
        if (mb_table_from_schema(m, tables[i].db, tables[i].table, &ct->t, err))
            return -1;   /* the caller clears cts, this one included */
        ct->t.table_id = UINT64_MAX;   /* apart from the binlog's table ids */
        mb_cached_table_init(s, ct);
    }
    return 0;
}

static void hold(struct mb_snap_held *h, struct mb_cached_table *ct, MYSQL_ROW row, unsigned long *lens, size_t n)
{
    if (n > h->cap) {
        h->cells = drom_xrealloc(h->cells, n * sizeof *h->cells);
        h->lens = drom_xrealloc(h->lens, n * sizeof *h->lens);
        for (size_t i = h->cap; i < n; i++)
            h->cells[i] = NULL;
        h->cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        free(h->cells[i]);
        h->cells[i] = NULL;
        if (row[i]) {
            h->cells[i] = drom_xmalloc(lens[i] + 1);
            memcpy(h->cells[i], row[i], lens[i]);
            h->cells[i][lens[i]] = '\0';
        }
        h->lens[i] = lens[i];
    }
    h->n = n;
    h->ct = ct;
    h->have = true;
}

/* The row's DromEventId (after the epoch). The initial snapshot's rows are
 * numbered from its position; a blocking snapshot's are named by its
 * signal and the row's key, so a snapshot taken again after a crash sends
 * each row under the id it had (the broker's duplicate detection drops
 * the repeats); a table without a primary key numbers its rows per
 * attempt, so a repeat is never mistaken for another row. */
static void event_id(const struct mb_snap_run *r, struct drom_buf *id)
{
    const struct mb_snap_held *h = &r->h;
    const struct mb_table *t = &h->ct->t;
    if (!r->rq) {
        drom_buf_printf(id, "0:%s:%" PRIu64 ":%s.%s#%" PRIu64, r->pos.file, r->pos.pos, t->db, t->table, h->index);
        return;
    }
    drom_buf_printf(id, "0:blocking:%s:%s.%s#", r->rq->id, t->db, t->table);
    if (!t->npk) {
        drom_buf_printf(id, "%u/%" PRIu64, r->rq->attempt, h->index);
        return;
    }
    for (size_t i = 0; i < t->npk; i++) {
        const char *c = t->pk[i] < h->n ? h->cells[t->pk[i]] : NULL;
        drom_buf_printf(id, "%s%s", i ? "," : "", c ? c : "");
    }
}

static int release(struct mb_src *s, struct mb_snap_run *r, bool table_last, bool last, struct drom_error *err)
{
    struct mb_snap_held *h = &r->h;
    if (!h->have)
        return 0;
    struct mb_cached_table *ct = h->ct;
    mb_values_reserve(s, ct->t.ncols);
    for (size_t i = 0; i < ct->t.ncols && i < h->n; i++)
        mb_text_value(&ct->t.cols[i], h->cells[i], h->lens[i], &s->after[i]);
    /* Debezium's precedence: the snapshot's last row, its first, then a table's last, a table's first
     * (a table of one row is "last_in_data_collection", unless it opens or closes the snapshot) */
    const char *mark = last ? "last" : r->first ? "first" : table_last ? "last_in_data_collection"
                       : h->table_first ? "first_in_data_collection" : "true";
    r->first = false;
    struct drom_buf id = DROM_BUF_INIT;
    event_id(r, &id);
    struct mb_row_event e = {
        .op = 'r', .ct = ct, .after = s->after, .event_id = drom_buf_cstr(&id),
        .src = {.ts_ms = h->ts_ms, .snapshot = mark, .db = ct->t.db, .table = ct->t.table, .file = r->pos.file,
                .pos = (int64_t)r->pos.pos},
    };
    struct mb_offset done = r->pos;
    if (!r->rq)
        done.snapshot = !last;
    else if (last) {   /* a blocking snapshot's last row: its offset no longer carries the context (done) */
        free(s->blocking_ctx);
        s->blocking_ctx = NULL;
    }
    h->have = false;
    drom_endpoint_count(s->ep, "SnapshotRowsScanned", 1);
    drom_endpoint_count(s->ep, "SnapshotEventsSeen", 1);
    drom_endpoint_gauge(s->ep, "SnapshotLastEventMs", drom_now_us() / 1000);
    int rc = mb_emit(s, &e, &done, NULL, err);
    drom_buf_free(&id);
    return rc;
}

/* Sends the rows of one table; its last row stays held, unless `more`
 * tables follow (only the next table, or the end, tells whether it is the
 * very last). *n: the rows read. */
static int table_rows(struct mb_src *s, MYSQL *m, struct mb_snap_run *r, struct mb_cached_table *ct,
                      const struct mb_snap_table *tb, bool more, uint64_t *n, struct drom_error *err)
{
    int64_t ts_ms = 0;
    MYSQL_RES *res;
    MYSQL_ROW row;
    if (mysql_query(m, "SELECT UNIX_TIMESTAMP()") == 0) {
        res = mysql_store_result(m);
        row = res ? mysql_fetch_row(res) : NULL;
        ts_ms = row && row[0] ? strtoll(row[0], NULL, 10) * 1000 : 0;
        mysql_free_result(res);
    }
    mb_progress_table(s, r->kind, tb->db, tb->table, mb_table_estimate(m, tb->db, tb->table));
    struct drom_buf q = DROM_BUF_INIT;
    mb_select_list(&q, &ct->t);
    drom_buf_puts(&q, " FROM ");
    mb_quote_ident(&q, tb->db);
    drom_buf_putc(&q, '.');
    mb_quote_ident(&q, tb->table);
    if (tb->filter)
        drom_buf_printf(&q, " WHERE %s", tb->filter);
    int qrc = mb_query(m, q.data, err);
    drom_buf_free(&q);
    if (qrc)
        return -1;
    res = mysql_use_result(m);
    *n = 0;
    while (res && (row = mysql_fetch_row(res))) {
        if (atomic_load(&s->stopping)) {
            mysql_free_result(res);
            return drom_err(err, DROM_ESTOPPED, "stopping");
        }
        /* the held row was not the last: send it now */
        if (release(s, r, false, false, err)) {
            mysql_free_result(res);
            return -1;
        }
        hold(&r->h, ct, row, mysql_fetch_lengths(res), mysql_num_fields(res));
        r->h.ts_ms = ts_ms;
        r->h.index = *n;
        r->h.table_first = *n == 0;
        (*n)++;
        r->total++;
        mb_progress_rows(s, 1);
    }
    if (mysql_errno(m)) {
        drom_err(err, DROM_ECONNECT, "%s of %s.%s: %s", r->kind, tb->db, tb->table, mysql_error(m));
        mysql_free_result(res);
        return -1;
    }
    mysql_free_result(res);
    mb_progress_flush(s);
    if (r->h.have && more && release(s, r, true, false, err))
        return -1;
    return 0;
}

int mb_snap_read(struct mb_src *s, MYSQL *m, struct mb_snap_run *r, struct mb_cached_table *cts,
                 const struct mb_snap_table *tables, size_t n, struct drom_error *err)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t rows;
        if (table_rows(s, m, r, &cts[i], &tables[i], i + 1 < n, &rows, err))
            return -1;
        drom_info(s->ep->route_id, "%s: %s of %s.%s: %" PRIu64 " rows", s->ep->uri_masked, r->kind, tables[i].db,
                  tables[i].table, rows);
        drom_endpoint_gauge(s->ep, "SnapshotRemainingTableCount", (int64_t)(n - i - 1));
        drom_endpoint_gauge(s->ep, "SnapshotDurationInSeconds", (drom_monotonic_ms() - r->t0_ms) / 1000);
    }
    return 0;
}

int mb_snap_last(struct mb_src *s, struct mb_snap_run *r, struct drom_error *err)
{
    if (!r->h.have)
        return 0;
    return release(s, r, true, true, err) ? -1 : 1;
}

void mb_snap_run_free(struct mb_snap_run *r)
{
    for (size_t i = 0; i < r->h.cap; i++)
        free(r->h.cells[i]);
    free(r->h.cells);
    free(r->h.lens);
    memset(&r->h, 0, sizeof r->h);
}
