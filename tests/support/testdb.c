#include "tests/support/testdb.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/support/proc.h"
#include "tests/support/testenv.h"

MYSQL *ts_root_try(void)
{
    MYSQL *m = mysql_init(NULL);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char *sock = ts_env("MARIADB_SOCKET", ".state/test/mariadb/run/mariadb.sock");
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, sock, CLIENT_MULTI_STATEMENTS)) {
        mysql_close(m);
        return NULL;
    }
    return m;
}

MYSQL *ts_root(int timeout_ms)
{
    long long end = ts_now_ms() + timeout_ms;
    MYSQL *m;
    while (!(m = ts_root_try()) && ts_now_ms() < end)
        proc_pause_ms(100);
    cr_assert_not_null(m, "root on the test MariaDB's socket (tests/services/mariadb/ctl start; MARIADB_SOCKET)");
    return m;
}

int ts_sql_try(MYSQL *m, const char *q)
{
    if (mysql_query(m, q))
        return -1;
    do {
        MYSQL_RES *r = mysql_store_result(m);
        mysql_free_result(r);
    } while (mysql_next_result(m) == 0);
    return mysql_errno(m) ? -1 : 0;
}

void ts_sql(MYSQL *m, const char *fmt, ...)
{
    char *q;
    va_list ap;
    va_start(ap, fmt);
    cr_assert_neq(vasprintf(&q, fmt, ap), -1);
    va_end(ap);
    cr_assert_eq(ts_sql_try(m, q), 0, "%.2000s: %s", q, mysql_error(m));
    free(q);
}

void ts_fresh_db(MYSQL *m, const char *db)
{
    ts_sql(m, "DROP DATABASE IF EXISTS `%s`; CREATE DATABASE `%s` DEFAULT CHARSET utf8mb4", db, db);
}
