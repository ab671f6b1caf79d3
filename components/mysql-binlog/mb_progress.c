/* Snapshot progress people can watch, for the initial snapshot and the
 * incremental one: the table being read, its rows so far against
 * information_schema's estimate and the time spent on it, as gauges
 * (/metrics, /routes, `dromd status` draws the bar), and one log line
 * every few seconds with the rate and the time left. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_source.h"
#include "runtime/log.h"

#define GAUGE_MS 250
#define LOG_MS 5000

int64_t mb_table_estimate(MYSQL *m, const char *db, const char *table)
{
    struct drom_buf q = DROM_BUF_INIT;
    drom_buf_puts(&q, "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ");
    mb_quote_str(m, &q, db);
    drom_buf_puts(&q, " AND TABLE_NAME = ");
    mb_quote_str(m, &q, table);
    int64_t v = -1;
    if (mysql_query(m, q.data) == 0) {
        MYSQL_RES *r = mysql_store_result(m);
        MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
        v = row && row[0] ? strtoll(row[0], NULL, 10) : -1;
        mysql_free_result(r);
    }
    drom_buf_free(&q);
    return v;
}

static void publish(struct mb_src *s, int64_t now)
{
    struct mb_progress *p = &s->progress;
    /* Debezium's RowsScanned, one per table: the rows this snapshot read from it so far */
    if (s->ep && p->table[0])
        drom_endpoint_gauge_table(s->ep, "SnapshotRowsScanned", p->table, p->rows);
    mb_gauge(s, "SnapshotTableRows", p->rows);
    mb_gauge(s, "SnapshotTableRowsEstimate", p->estimate);
    mb_gauge(s, "SnapshotTableMillis", now - p->table_t0_ms);
    p->gauge_ms = now;
}

void mb_progress_table(struct mb_src *s, const char *kind, const char *db, const char *table, int64_t estimate)
{
    struct mb_progress *p = &s->progress;
    int64_t now = drom_monotonic_ms();
    p->kind = kind;
    snprintf(p->table, sizeof p->table, "%s.%s", db, table);
    p->estimate = estimate;
    p->rows = p->log_rows = 0;
    p->table_t0_ms = p->log_ms = now;
    if (s->ep)
        drom_endpoint_text(s->ep, "SnapshotTable", p->table);
    publish(s, now);
}

void mb_progress_flush(struct mb_src *s)
{
    publish(s, drom_monotonic_ms());
}

void mb_progress_rows(struct mb_src *s, int64_t n)
{
    struct mb_progress *p = &s->progress;
    p->rows += n;
    if (n == 1 && (p->rows & 255))
        return;   /* the clock is read every 256 rows of a row-by-row reader */
    int64_t now = drom_monotonic_ms();
    if (now - p->gauge_ms >= GAUGE_MS)
        publish(s, now);
    if (now - p->log_ms < LOG_MS)
        return;
    double secs = (double)(now - p->log_ms) / 1000, rate = (double)(p->rows - p->log_rows) / secs;
    char left[64] = "";
    if (p->estimate > p->rows && rate > 0)
        snprintf(left, sizeof left, ", about %.0f s left", (double)(p->estimate - p->rows) / rate);
    drom_info(mb_route(s), "%s of %s: %" PRId64 " of ~%" PRId64 " rows, %.0f rows/s%s", p->kind, p->table, p->rows,
              p->estimate, rate, left);
    p->log_ms = now;
    p->log_rows = p->rows;
}
