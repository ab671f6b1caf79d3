/* A table's definition read from information_schema, and the SQL pieces
 * the snapshots build from it (quoted names, the select list), and the
 * binlog position of a consistent snapshot. Shared by the initial,
 * blocking and incremental snapshots; calls none of them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_snapshot_int.h"
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

int mb_snapshot_binlog_pos(MYSQL *m, char *file, size_t size, uint64_t *pos, struct drom_error *err)
{
    if (mb_query(m, "SHOW STATUS LIKE 'binlog_snapshot_%'", err))
        return -1;
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    while (res && (row = mysql_fetch_row(res))) {
        if (row[0] && row[1] && strcasecmp(row[0], "binlog_snapshot_file") == 0)
            snprintf(file, size, "%s", row[1]);
        else if (row[0] && row[1] && strcasecmp(row[0], "binlog_snapshot_position") == 0)
            *pos = strtoull(row[1], NULL, 10);
    }
    mysql_free_result(res);
    return 0;
}
