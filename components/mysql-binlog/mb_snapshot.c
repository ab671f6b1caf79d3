/* The initial snapshot: one REPEATABLE READ transaction opened WITH
 * CONSISTENT SNAPSHOT, whose binlog position MariaDB reports without any
 * lock (binlog_snapshot_file/_position); rows are streamed with
 * mysql_use_result, never loaded whole. MySQL 8 has no such status: there
 * the position is read under a short FLUSH TABLES WITH READ LOCK (untested
 * until a MySQL 8 server can be run). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_snapshot_int.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

static int snapshot_position(struct mb_src *s, MYSQL *m, struct mb_offset *pos, struct drom_error *err)
{
    memset(pos, 0, sizeof *pos);
    if (s->mariadb) {
        if (mb_snapshot_binlog_pos(m, pos->file, sizeof pos->file, &pos->pos, err))
            return -1;
        MYSQL_RES *res;
        MYSQL_ROW row;
        struct drom_buf q = DROM_BUF_INIT;
        drom_buf_puts(&q, "SELECT BINLOG_GTID_POS(");
        mb_quote_str(m, &q, pos->file);
        drom_buf_printf(&q, ", %" PRIu64 ")", pos->pos);
        if (mysql_query(m, q.data) == 0) {
            res = mysql_store_result(m);
            row = res ? mysql_fetch_row(res) : NULL;
            if (row && row[0])
                snprintf(pos->gtids, sizeof pos->gtids, "%s", row[0]);
            mysql_free_result(res);
        }
        drom_buf_free(&q);
    } else {
        if (mb_query(m, mb_binlog_status_sql(false, s->version), err))
            return -1;
        MYSQL_RES *res = mysql_store_result(m);
        MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
        if (row && row[0] && row[1]) {
            snprintf(pos->file, sizeof pos->file, "%s", row[0]);
            pos->pos = strtoull(row[1], NULL, 10);
            if (mysql_num_fields(res) >= 5 && row[4])
                mb_gtidset_clean(pos->gtids, sizeof pos->gtids, row[4]);
        }
        mysql_free_result(res);
    }
    if (!pos->file[0] || pos->pos < 4)
        return drom_err(err, DROM_EINVAL, "the server did not report the snapshot's binlog position");
    return 0;
}

/* Opens the consistent snapshot and stores its binlog position before any
 * row goes out: a crash from here on takes the snapshot again in the same
 * history, so the rows keep their ids. */
static int snapshot_begin(struct mb_src *s, MYSQL *m, struct mb_offset *pos, struct drom_error *err)
{
    if (mb_snap_session(m, err))
        return -1;
    if (!s->mariadb && mb_query(m, "FLUSH TABLES WITH READ LOCK", err))
        return -1;
    if (mb_query(m, "START TRANSACTION WITH CONSISTENT SNAPSHOT", err) || snapshot_position(s, m, pos, err))
        return -1;
    if (!s->mariadb && mb_query(m, "UNLOCK TABLES", err))
        return -1;
    pos->epoch_ms = s->epoch_ms;
    pos->snapshot = true;
    if (mb_store_offset(s, pos, err))
        return -1;
    s->start = *pos;
    s->have_start = true;
    pos->snapshot = false;
    drom_info(s->ep->route_id, "%s: snapshot at %s:%" PRIu64, s->ep->uri_masked, pos->file, pos->pos);
    return 0;
}

/* The captured tables, in Debezium's order. */
static int snapshot_tables(struct mb_src *s, MYSQL *m, struct mb_snap_table **tables, size_t *ntables,
                           struct drom_error *err)
{
    /* Debezium's order: names compared as they are written (upper case first), not by a collation */
    if (mb_query(m, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
                    "ORDER BY BINARY TABLE_SCHEMA, BINARY TABLE_NAME", err))
        return -1;
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    while (res && (row = mysql_fetch_row(res)))
        if (row[0] && row[1] && mb_config_wants_table(&s->cfg, row[0], row[1])) {
            *tables = drom_xrealloc(*tables, (*ntables + 1) * sizeof **tables);
            (*tables)[(*ntables)++] = (struct mb_snap_table){drom_xstrdup(row[0]), drom_xstrdup(row[1]), NULL};
        }
    mysql_free_result(res);
    return 0;
}

/* Every table's rows, then the last held row with the snapshot's end. */
static int snapshot_rows(struct mb_src *s, MYSQL *m, struct mb_snap_run *r, struct mb_cached_table *cts,
                         const struct mb_snap_table *tables, size_t ntables, struct drom_error *err)
{
    if (mb_snap_read(s, m, r, cts, tables, ntables, err))
        return -1;
    int sent = mb_snap_last(s, r, err);
    if (sent < 0)
        return -1;
    if (!sent) {
        /* nothing to send: the position is committed right away */
        struct drom_error perr;
        if (mb_store_offset(s, &r->pos, &perr))
            drom_warn(s->ep->route_id, "%s", perr.msg);
    }
    mysql_query(m, "COMMIT");
    s->start = r->pos;
    s->start.snapshot = false;
    drom_info(s->ep->route_id, "%s: snapshot done: %" PRIu64 " rows from %zu tables", s->ep->uri_masked, r->total,
              ntables);
    drom_endpoint_gauge(s->ep, "SnapshotCompleted", 1);
    drom_endpoint_gauge(s->ep, "SnapshotDurationInSeconds", (drom_monotonic_ms() - r->t0_ms) / 1000);
    return 0;
}

int mb_snapshot(struct mb_src *s, struct drom_error *err)
{
    MYSQL *m = mb_connect_reuse(s, err);
    if (!m)
        return -1;
    int rc = -1;
    struct mb_snap_run r = {.kind = "snapshot", .first = true};
    struct mb_snap_table *tables = NULL;
    size_t ntables = 0;
    if (snapshot_begin(s, m, &r.pos, err) || snapshot_tables(s, m, &tables, &ntables, err))
        goto out;
    r.t0_ms = drom_monotonic_ms();
    drom_endpoint_gauge(s->ep, "SnapshotRunning", 1);
    drom_endpoint_gauge(s->ep, "SnapshotTotalTableCount", (int64_t)ntables);
    drom_endpoint_gauge(s->ep, "SnapshotRemainingTableCount", (int64_t)ntables);
    /* snapshot tables get their own cache entries, apart from the binlog's table ids */
    struct mb_cached_table *cts = drom_xcalloc(ntables + 1, sizeof *cts);
    if (mb_snap_models(s, m, tables, ntables, cts, err) == 0)
        rc = snapshot_rows(s, m, &r, cts, tables, ntables, err);
    drom_endpoint_gauge(s->ep, "SnapshotRunning", 0);
    if (rc < 0)
        drom_endpoint_gauge(s->ep, "SnapshotAborted", 1);
    for (size_t j = 0; j < ntables; j++)
        mb_cached_table_clear(&cts[j]);
    free(cts);
out:
    mb_snap_tables_free(tables, ntables);
    mb_snap_run_free(&r);
    if (rc == 0 && mysql_errno(m) == 0) {
        mb_meta_adopt(s, m);   /* committed: the stream reads table models in it */
        return 0;
    }
    pthread_mutex_lock(&s->mu);
    s->conn[1] = NULL;
    pthread_mutex_unlock(&s->mu);
    mysql_close(m);
    return rc;
}
