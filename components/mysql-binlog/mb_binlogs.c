/* What the server says of its binlog at a start: where streaming begins
 * when no offset says so, and the files and GTIDs a stored position is
 * checked against (mb_position_check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_source.h"
#include "runtime/xalloc.h"

int mb_current_position(struct mb_src *s, MYSQL *m, struct mb_offset *o, bool oldest, struct drom_error *err)
{
    if (mb_query(m, oldest ? "SHOW BINARY LOGS" : mb_binlog_status_sql(s->mariadb, s->version), err))
        return -1;
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (!row || !row[0]) {
        mysql_free_result(res);
        return drom_err(err, DROM_EINVAL, "the server reports no binary log");
    }
    memset(o, 0, sizeof *o);
    snprintf(o->file, sizeof o->file, "%s", row[0]);
    o->pos = oldest ? 4 : strtoull(row[1], NULL, 10);
    if (!oldest && !s->mariadb && mysql_num_fields(res) >= 5 && row[4])
        mb_gtidset_clean(o->gtids, sizeof o->gtids, row[4]);   /* MySQL's Executed_Gtid_Set */
    mysql_free_result(res);
    if (mysql_query(m, "SELECT @@gtid_binlog_pos") == 0) {
        res = mysql_store_result(m);
        row = res ? mysql_fetch_row(res) : NULL;
        if (row && row[0] && !oldest)
            snprintf(o->gtids, sizeof o->gtids, "%s", row[0]);
        mysql_free_result(res);
    }
    return 0;
}

int mb_read_binlogs(struct mb_src *s, MYSQL *m, struct mb_server_binlogs *b, struct drom_error *err)
{
    memset(b, 0, sizeof *b);
    if (mb_query(m, "SHOW BINARY LOGS", err))
        return -1;
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    struct mb_binlog_file *files = NULL;
    size_t cap = 0;
    while (res && (row = mysql_fetch_row(res))) {
        if (!row[0])
            continue;
        drom_xgrow((void **)&files, &cap, b->n + 1, sizeof *files);
        files[b->n++] = (struct mb_binlog_file){drom_xstrdup(row[0]), row[1] ? strtoull(row[1], NULL, 10) : 0};
    }
    mysql_free_result(res);
    b->files = files;
    if (s->mariadb && mysql_query(m, "SELECT @@gtid_binlog_pos") == 0) {
        res = mysql_store_result(m);
        row = res ? mysql_fetch_row(res) : NULL;
        b->gtids = drom_xstrdup(row && row[0] ? row[0] : "");
        mysql_free_result(res);
    }
    return 0;
}

void mb_binlogs_free(struct mb_server_binlogs *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->files[i].name);
    free((void *)b->files);
    free((void *)b->gtids);
}
