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

#include "components/mysql-binlog/mb_source.h"
#include "components/mysql-binlog/mb_text.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

void mb_quote_ident(struct drom_buf *b, const char *s)
{
    drom_buf_putc(b, '`');
    for (; *s; s++) {
        if (*s == '`')
            drom_buf_putc(b, '`');
        drom_buf_putc(b, *s);
    }
    drom_buf_putc(b, '`');
}

/* enum('a','b''c') -> values */
static void parse_values(const char *ctype, struct mb_column *c)
{
    const char *p = strchr(ctype, '(');
    while (p && *p) {
        p = strchr(p, '\'');
        if (!p)
            break;
        struct drom_buf v = DROM_BUF_INIT;
        for (p++; *p; p++) {
            if (*p == '\'' && p[1] == '\'') {
                drom_buf_putc(&v, '\'');
                p++;
            } else if (*p == '\'')
                break;
            else
                drom_buf_putc(&v, *p);
        }
        c->values = drom_xrealloc(c->values, (c->nvalues + 1) * sizeof *c->values);
        c->values[c->nvalues++] = v.data ? drom_buf_detach(&v) : drom_xstrdup("");
        if (*p)
            p++;
    }
}

int mb_table_from_schema(MYSQL *m, const char *db, const char *table, struct mb_table *t, struct drom_error *err)
{
    memset(t, 0, sizeof *t);
    struct drom_buf q = DROM_BUF_INIT;
    drom_buf_puts(&q, "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, c.NUMERIC_PRECISION, "
                      "c.NUMERIC_SCALE, c.DATETIME_PRECISION, c.CHARACTER_OCTET_LENGTH, l.ID, c.COLUMN_KEY, "
                      "c.CHARACTER_SET_NAME "
                      "FROM information_schema.COLUMNS c LEFT JOIN information_schema.COLLATIONS l "
                      "ON l.COLLATION_NAME = c.COLLATION_NAME WHERE c.TABLE_SCHEMA = ");
    mb_quote_str(m, &q, db);
    drom_buf_puts(&q, " AND c.TABLE_NAME = ");
    mb_quote_str(m, &q, table);
    drom_buf_puts(&q, " ORDER BY c.ORDINAL_POSITION");
    int rc = mb_query(m, q.data, err);
    drom_buf_free(&q);
    if (rc)
        return -1;
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    t->db = drom_xstrdup(db);
    t->table = drom_xstrdup(table);
    t->has_names = t->has_signedness = true;
    while (res && (row = mysql_fetch_row(res))) {
        t->cols = drom_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
        struct mb_column *c = &t->cols[t->ncols++];
        memset(c, 0, sizeof *c);
        const char *dt = row[1] ? row[1] : "", *ct = row[2] ? row[2] : "";
        c->name = drom_xstrdup(row[0]);
        c->nullable = row[3] && strcmp(row[3], "YES") == 0;
        c->is_unsigned = strstr(ct, "unsigned") != NULL;
        unsigned prec = row[4] ? (unsigned)atoi(row[4]) : 0, scale = row[5] ? (unsigned)atoi(row[5]) : 0;
        c->fsp = (uint8_t)(row[6] ? atoi(row[6]) : 0);
        uint64_t octets = row[7] ? strtoull(row[7], NULL, 10) : 0;
        c->collation = row[8] ? (uint32_t)atoi(row[8]) : MB_COLLATION_BINARY;
        bool binary = strstr(dt, "binary") || strstr(dt, "blob");
        if (binary)
            c->collation = MB_COLLATION_BINARY;
        static const struct { const char *name; uint8_t type; } map[] = {
            {"tinyint", MB_T_TINY}, {"smallint", MB_T_SHORT}, {"mediumint", MB_T_INT24}, {"int", MB_T_LONG},
            {"bigint", MB_T_LONGLONG}, {"float", MB_T_FLOAT}, {"double", MB_T_DOUBLE}, {"decimal", MB_T_NEWDECIMAL},
            {"bit", MB_T_BIT}, {"char", MB_T_STRING}, {"binary", MB_T_STRING}, {"varchar", MB_T_VARCHAR},
            {"varbinary", MB_T_VARCHAR}, {"date", MB_T_DATE}, {"time", MB_T_TIME2}, {"datetime", MB_T_DATETIME2},
            {"timestamp", MB_T_TIMESTAMP2}, {"year", MB_T_YEAR}, {"enum", MB_T_ENUM}, {"set", MB_T_SET},
            {"point", MB_T_GEOMETRY}, {"json", MB_T_BLOB},
        };
        c->type = MB_T_BLOB;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (strcasecmp(dt, map[i].name) == 0)
                c->type = map[i].type;
        if (strstr(dt, "geometry") || strstr(dt, "point") || strstr(dt, "linestring") || strstr(dt, "polygon"))
            c->type = MB_T_GEOMETRY;
        if (strcasecmp(dt, "point") == 0)
            c->geom_type = 1;
        c->len_bytes = 4;
        c->max_len = (uint32_t)(octets > 65535 ? 65535 : octets);
        if (c->type == MB_T_NEWDECIMAL) {
            c->precision = (uint8_t)prec;
            c->scale = (uint8_t)scale;
        } else if (c->type == MB_T_BIT)
            c->nbits = (uint16_t)prec;
        else if (c->type == MB_T_ENUM || c->type == MB_T_SET)
            parse_values(ct, c);
        if (row[9] && strcmp(row[9], "PRI") == 0)
            c->pk = true;
        mb_column_type_hints(c, dt, ct, row[10]);
    }
    mysql_free_result(res);
    if (!t->ncols)
        return drom_err(err, DROM_EINVAL, "table %s.%s has no columns in information_schema", db, table);
    drom_buf_puts(&q, "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE INDEX_NAME = 'PRIMARY' AND "
                      "TABLE_SCHEMA = ");
    mb_quote_str(m, &q, db);
    drom_buf_puts(&q, " AND TABLE_NAME = ");
    mb_quote_str(m, &q, table);
    drom_buf_puts(&q, " ORDER BY SEQ_IN_INDEX");
    rc = mb_query(m, q.data, err);
    drom_buf_free(&q);
    if (rc)
        return -1;
    res = mysql_store_result(m);
    while (res && (row = mysql_fetch_row(res)))
        for (size_t i = 0; i < t->ncols; i++)
            if (row[0] && strcmp(t->cols[i].name, row[0]) == 0) {
                t->pk = drom_xrealloc(t->pk, (t->npk + 1) * sizeof *t->pk);
                t->pk[t->npk++] = (uint32_t)i;
            }
    mysql_free_result(res);
    return mb_table_load_meta(m, t, err);
}

/* One fetched row kept until the next one says whether it was the last. */
struct held {
    bool have;
    struct mb_cached_table *ct;
    char **cells;
    unsigned long *lens;
    size_t n, cap;
    int64_t ts_ms;
    uint64_t index;
    bool table_first;
};

static void hold(struct held *h, struct mb_cached_table *ct, MYSQL_ROW row, unsigned long *lens, size_t n)
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

static int release(struct mb_src *s, struct held *h, bool table_last, bool last, const struct mb_offset *pos,
                   bool *first, struct drom_error *err)
{
    if (!h->have)
        return 0;
    struct mb_cached_table *ct = h->ct;
    mb_values_reserve(s, ct->t.ncols);
    for (size_t i = 0; i < ct->t.ncols && i < h->n; i++)
        mb_text_value(&ct->t.cols[i], h->cells[i], h->lens[i], &s->after[i]);
    /* Debezium's precedence: the snapshot's last row, its first, then a table's last, a table's first
     * (a table of one row is "last_in_data_collection", unless it opens or closes the snapshot) */
    const char *mark = last ? "last" : *first ? "first" : table_last ? "last_in_data_collection"
                       : h->table_first ? "first_in_data_collection" : "true";
    *first = false;
    char id[600];
    snprintf(id, sizeof id, "0:%s:%" PRIu64 ":%s.%s#%" PRIu64, pos->file, pos->pos, ct->t.db, ct->t.table, h->index);
    struct mb_row_event e = {
        .op = 'r', .ct = ct, .after = s->after, .event_id = id,
        .src = {.ts_ms = h->ts_ms, .snapshot = mark, .db = ct->t.db, .table = ct->t.table, .file = pos->file,
                .pos = (int64_t)pos->pos},
    };
    struct mb_offset done = *pos;
    done.snapshot = !last;
    h->have = false;
    drom_endpoint_count(s->ep, "SnapshotRowsScanned", 1);
    drom_endpoint_count(s->ep, "SnapshotEventsSeen", 1);
    drom_endpoint_gauge(s->ep, "SnapshotLastEventMs", drom_now_us() / 1000);
    return mb_emit(s, &e, &done, NULL, err);
}

static void held_free(struct held *h)
{
    for (size_t i = 0; i < h->cap; i++)
        free(h->cells[i]);
    free(h->cells);
    free(h->lens);
}

/* The text protocol prints FLOAT with 6 significant digits (16777217 reads
 * back as 16777200), the binlog has the exact value: read FLOAT widened to
 * DOUBLE, whose text round-trips, so both give the same event. */
void mb_select_list(struct drom_buf *q, const struct mb_table *t)
{
    bool any_float = false;
    for (size_t i = 0; i < t->ncols; i++)
        any_float |= t->cols[i].type == MB_T_FLOAT;
    drom_buf_puts(q, "SELECT ");
    if (!any_float) {
        drom_buf_putc(q, '*');
        return;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        if (i)
            drom_buf_putc(q, ',');
        if (t->cols[i].type == MB_T_FLOAT) {
            drom_buf_puts(q, "CAST(");
            mb_quote_ident(q, t->cols[i].name);
            drom_buf_puts(q, " AS DOUBLE)");
        } else
            mb_quote_ident(q, t->cols[i].name);
    }
}

static int snapshot_position(struct mb_src *s, MYSQL *m, struct mb_offset *pos, struct drom_error *err)
{
    memset(pos, 0, sizeof *pos);
    if (s->mariadb) {
        if (mb_query(m, "SHOW STATUS LIKE 'binlog_snapshot_%'", err))
            return -1;
        MYSQL_RES *res = mysql_store_result(m);
        MYSQL_ROW row;
        while (res && (row = mysql_fetch_row(res))) {
            if (row[0] && row[1] && strcasecmp(row[0], "binlog_snapshot_file") == 0)
                snprintf(pos->file, sizeof pos->file, "%s", row[1]);
            else if (row[0] && row[1] && strcasecmp(row[0], "binlog_snapshot_position") == 0)
                pos->pos = strtoull(row[1], NULL, 10);
        }
        mysql_free_result(res);
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
    if (mb_query(m, "SET SESSION time_zone = '+00:00'", err) ||
        mb_query(m, "SET SESSION character_set_results = NULL", err) ||
        /* rows are read as the route takes them: a slow route must not make the server drop us */
        mb_query(m, "SET SESSION net_write_timeout = 3600", err) ||
        mb_query(m, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", err))
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

/* The captured tables, as pairs of schema and name in *tables. */
static int snapshot_tables(struct mb_src *s, MYSQL *m, char ***tables, size_t *ntables, struct drom_error *err)
{
    /* Debezium's order: names compared as they are written (upper case first), not by a collation */
    if (mb_query(m, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
                    "ORDER BY BINARY TABLE_SCHEMA, BINARY TABLE_NAME", err))
        return -1;
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    while (res && (row = mysql_fetch_row(res)))
        if (row[0] && row[1] && mb_config_wants_table(&s->cfg, row[0], row[1])) {
            *tables = drom_xrealloc(*tables, (*ntables + 2) * sizeof **tables);
            (*tables)[(*ntables)++] = drom_xstrdup(row[0]);
            (*tables)[(*ntables)++] = drom_xstrdup(row[1]);
        }
    mysql_free_result(res);
    return 0;
}

/* A snapshot under way: where it resumes and the row it holds back. */
struct run {
    struct mb_offset pos;
    struct held h;
    bool first;
    uint64_t total;
};

/* Sends the rows of one table; its last row stays held, unless `more`
 * tables follow (only the next table, or the end, tells whether it is the
 * very last). *n: the rows read. */
static int table_rows(struct mb_src *s, MYSQL *m, struct run *r, struct mb_cached_table *ct, const char *db,
                      const char *table, bool more, uint64_t *n, struct drom_error *err)
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
    mb_progress_table(s, "snapshot", db, table, mb_table_estimate(m, db, table));
    struct drom_buf q = DROM_BUF_INIT;
    mb_select_list(&q, &ct->t);
    drom_buf_puts(&q, " FROM ");
    mb_quote_ident(&q, db);
    drom_buf_putc(&q, '.');
    mb_quote_ident(&q, table);
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
        if (release(s, &r->h, false, false, &r->pos, &r->first, err)) {
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
        drom_err(err, DROM_ECONNECT, "snapshot of %s.%s: %s", db, table, mysql_error(m));
        mysql_free_result(res);
        return -1;
    }
    mysql_free_result(res);
    if (r->h.have && more && release(s, &r->h, true, false, &r->pos, &r->first, err))
        return -1;
    return 0;
}

/* Every table's rows, then the last held row with the snapshot's end. */
static int snapshot_rows(struct mb_src *s, MYSQL *m, struct run *r, struct mb_cached_table *cts, char **tables,
                         size_t ntables, int64_t snap_t0, struct drom_error *err)
{
    for (size_t i = 0; i < ntables; i += 2) {
        uint64_t n;
        if (table_rows(s, m, r, &cts[i / 2], tables[i], tables[i + 1], i + 2 < ntables, &n, err))
            return -1;
        drom_info(s->ep->route_id, "%s: snapshot of %s.%s: %" PRIu64 " rows", s->ep->uri_masked, tables[i],
                  tables[i + 1], n);
        drom_endpoint_gauge(s->ep, "SnapshotRemainingTableCount", (int64_t)((ntables - i - 2) / 2));
        drom_endpoint_gauge(s->ep, "SnapshotDurationInSeconds", (drom_monotonic_ms() - snap_t0) / 1000);
    }
    if (r->h.have) {
        if (release(s, &r->h, true, true, &r->pos, &r->first, err))
            return -1;
    } else {
        /* nothing to send: the position is committed right away */
        struct drom_error perr;
        if (mb_store_offset(s, &r->pos, &perr))
            drom_warn(s->ep->route_id, "%s", perr.msg);
    }
    mysql_query(m, "COMMIT");
    s->start = r->pos;
    s->start.snapshot = false;
    drom_info(s->ep->route_id, "%s: snapshot done: %" PRIu64 " rows from %zu tables", s->ep->uri_masked, r->total,
              ntables / 2);
    drom_endpoint_gauge(s->ep, "SnapshotCompleted", 1);
    drom_endpoint_gauge(s->ep, "SnapshotDurationInSeconds", (drom_monotonic_ms() - snap_t0) / 1000);
    return 0;
}

int mb_snapshot(struct mb_src *s, struct drom_error *err)
{
    MYSQL *m = mb_connect_reuse(s, err);
    if (!m)
        return -1;
    int rc = -1;
    struct run r = {.first = true};
    char **tables = NULL;
    size_t ntables = 0;
    if (snapshot_begin(s, m, &r.pos, err) || snapshot_tables(s, m, &tables, &ntables, err))
        goto out;
    int64_t snap_t0 = drom_monotonic_ms();
    drom_endpoint_gauge(s->ep, "SnapshotRunning", 1);
    drom_endpoint_gauge(s->ep, "SnapshotTotalTableCount", (int64_t)(ntables / 2));
    drom_endpoint_gauge(s->ep, "SnapshotRemainingTableCount", (int64_t)(ntables / 2));
    /* snapshot tables get their own cache entries, apart from the binlog's table ids */
    struct mb_cached_table *cts = drom_xcalloc(ntables / 2 + 1, sizeof *cts);
    size_t i = 0;
    for (; i < ntables; i += 2) {
        struct mb_cached_table *ct = &cts[i / 2];
        if (mb_table_from_schema(m, tables[i], tables[i + 1], &ct->t, err))
            break;
        ct->t.table_id = UINT64_MAX;
        mb_cached_table_init(s, ct);
    }
    if (i >= ntables)
        rc = snapshot_rows(s, m, &r, cts, tables, ntables, snap_t0, err);
    drom_endpoint_gauge(s->ep, "SnapshotRunning", 0);
    if (rc < 0)
        drom_endpoint_gauge(s->ep, "SnapshotAborted", 1);
    for (size_t j = 0; j < ntables / 2; j++)
        mb_cached_table_clear(&cts[j]);
    free(cts);
out:
    for (size_t j = 0; j < ntables; j++)
        free(tables[j]);
    free(tables);
    held_free(&r.h);
    pthread_mutex_lock(&s->mu);
    s->conn[1] = NULL;
    pthread_mutex_unlock(&s->mu);
    mysql_close(m);
    return rc;
}
