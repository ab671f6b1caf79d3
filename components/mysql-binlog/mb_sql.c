/* Plain SQL on one of the source's connections: a statement whose failure
 * names it, and a string quoted for the connection. Below the table models
 * (mb_meta.c) and the connections (mb_source.c), which both use them. */
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_source.h"
#include "runtime/xalloc.h"

int mb_query(MYSQL *m, const char *sql, struct drom_error *err)
{
    if (mysql_query(m, sql))
        return drom_err(err, DROM_ECONNECT, "%s: %s", sql, mysql_error(m));
    return 0;
}

void mb_quote_str(MYSQL *m, struct drom_buf *b, const char *s)
{
    size_t n = strlen(s);
    char *tmp = drom_xmalloc(2 * n + 1);
    mysql_real_escape_string(m, tmp, s, (unsigned long)n);
    drom_buf_printf(b, "'%s'", tmp);
    free(tmp);
}
