/* The test MariaDB as root through its socket (socket authentication):
 * databases, users, PURGE BINARY LOGS, SET GLOBAL. Part of the tests/support
 * library; the asserting helpers fail the running Criterion test. */
#ifndef DROM_TESTS_SUPPORT_TESTDB_H
#define DROM_TESTS_SUPPORT_TESTDB_H

#include <mysql.h>

/* Root on $MARIADB_SOCKET, or NULL. The caller closes it. */
MYSQL *ts_root_try(void);
/* The same, waiting up to timeout_ms for the server (after a restart it
 * takes a moment); fails the test at the deadline. */
MYSQL *ts_root(int timeout_ms);
/* Runs q (several statements allowed) and drops its results; -1 with
 * mysql_error(m) on failure. */
int ts_sql_try(MYSQL *m, const char *q);
/* printf-style; fails the test, naming the statement, on failure. */
void ts_sql(MYSQL *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Database `db`, empty, utf8mb4. */
void ts_fresh_db(MYSQL *m, const char *db);

#endif
