/* The information_schema part of a table model: what binlog_row_metadata=FULL
 * does not carry. Read when a table model is built or replaced (a new or
 * changed table map, a DDL since the last one), so it reflects the table as
 * it is now, which is the table of the event unless DDL raced ahead. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_source.h"
#include "runtime/xalloc.h"

static MYSQL_RES *select_table(MYSQL *m, const char *select, const struct mb_table *t, struct drom_error *err)
{
    struct drom_buf q = DROM_BUF_INIT;
    drom_buf_puts(&q, select);
    drom_buf_puts(&q, " TABLE_SCHEMA = ");
    mb_quote_str(m, &q, t->db);
    drom_buf_puts(&q, " AND TABLE_NAME = ");
    mb_quote_str(m, &q, t->table);
    int rc = mb_query(m, q.data, err);
    drom_buf_free(&q);
    if (rc)
        return NULL;
    MYSQL_RES *res = mysql_store_result(m);
    if (!res)
        drom_err(err, DROM_ECONNECT, "reading information_schema for %s.%s: %s", t->db, t->table, mysql_error(m));
    return res;
}

static long column_index(const struct mb_table *t, const char *name)
{
    for (size_t i = 0; name && i < t->ncols; i++)
        if (t->cols[i].name && strcmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Debezium (MySqlAntlrDdlParser.parseUniqueIndexColumnNames) makes the first
 * UNIQUE index whose columns all exist the primary key, and skips one that
 * has a nullable column, so the next one may still be taken. Indexes come in
 * the server's key order, the order of SHOW CREATE TABLE, which is the text
 * Debezium parses after a snapshot. */
static int unique_key(MYSQL *m, struct mb_table *t, struct drom_error *err)
{
    MYSQL_RES *res = select_table(m, "SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS "
                                     "WHERE NON_UNIQUE = 0 AND", t, err);
    if (!res)
        return -1;
    char index[256] = "";
    uint32_t cols[64];
    size_t n = 0;
    bool usable = false;
    MYSQL_ROW row;
    for (;;) {
        row = mysql_fetch_row(res);
        if (!row || !row[0] || strcmp(row[0], index) != 0) {
            if (usable && n) {
                t->pk = drom_xmalloc(n * sizeof *t->pk);
                memcpy(t->pk, cols, n * sizeof *t->pk);
                t->npk = n;
                for (size_t i = 0; i < n; i++)
                    t->cols[cols[i]].pk = true;
                break;
            }
            if (!row)
                break;
            snprintf(index, sizeof index, "%s", row[0] ? row[0] : "");
            n = 0;
            usable = true;
        }
        long seq = row[1] ? atol(row[1]) : 0, col = column_index(t, row[2]);
        if (col < 0 || seq < 1 || seq > 64 || t->cols[col].nullable) {
            usable = false;
            continue;
        }
        cols[seq - 1] = (uint32_t)col;
        if ((size_t)seq > n)
            n = (size_t)seq;
    }
    mysql_free_result(res);
    return 0;
}

/* What Debezium's DDL parser makes of SHOW CREATE TABLE's type: the name in
 * upper case with UNSIGNED, (length[,scale]) as written, an ENUM's length 1
 * and a SET's the length of all its members joined by commas if each were
 * one character (MySqlAntlrDdlParser). */
static void debezium_type(struct mb_column *c, const char *dt, const char *ct)
{
    size_t n = 0;
    for (; dt[n] && n + 1 < sizeof c->type_name; n++)
        c->type_name[n] = (char)toupper((unsigned char)dt[n]);
    c->type_name[n] = '\0';
    if (strstr(ct, "unsigned"))
        snprintf(c->type_name + n, sizeof c->type_name - n, " UNSIGNED");
    c->length = c->src_scale = -1;
    const char *paren = strchr(ct, '(');
    if (strcasecmp(dt, "enum") == 0)
        c->length = 1;
    else if (strcasecmp(dt, "set") == 0)
        c->length = c->nvalues ? 2 * (int64_t)c->nvalues - 1 : 0;
    else if (paren) {
        char *end;
        c->length = strtoll(paren + 1, &end, 10);
        if (*end == ',')
            c->src_scale = strtoll(end + 1, NULL, 10);
    }
}

void mb_column_type_hints(struct mb_column *c, const char *data_type, const char *column_type, const char *charset)
{
    const char *dt = data_type ? data_type : "", *ct = column_type ? column_type : "";
    snprintf(c->charset, sizeof c->charset, "%s", charset ? charset : "");
    c->float_double = strcasecmp(dt, "float") == 0 && strchr(ct, ',') != NULL;
    c->uuid = strcasecmp(dt, "uuid") == 0;
    /* The server's word on signedness: MariaDB's table maps have none by
     * default, and its SIGNEDNESS bitmap counts YEAR among the numeric
     * columns where MySQL's does not, which shifts the bits after one. */
    static const char *const numeric[] = {"tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float",
                                          "double", NULL};
    for (const char *const *t = numeric; *ct && *t; t++)
        if (strcasecmp(dt, *t) == 0)
            c->is_unsigned = strstr(ct, "unsigned") != NULL;
    debezium_type(c, dt, ct);
}

int mb_table_load_meta(MYSQL *m, struct mb_table *t, struct drom_error *err)
{
    MYSQL_RES *res = select_table(m, "SELECT COLUMN_NAME, COLUMN_DEFAULT, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME "
                                     "FROM information_schema.COLUMNS WHERE", t, err);
    if (!res)
        return -1;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        long i = column_index(t, row[0]);
        if (i >= 0) {
            free(t->cols[i].def);
            t->cols[i].def = row[1] ? drom_xstrdup(row[1]) : NULL;
            mb_column_type_hints(&t->cols[i], row[2], row[3], row[4]);
        }
    }
    mysql_free_result(res);
    return t->npk ? 0 : unique_key(m, t, err);
}
