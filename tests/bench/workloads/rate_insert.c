/* Benchmark load: inserts COUNT rows into cdcdb.customers at RATE rows/s, open loop (each
 * insert is due at start + i/RATE, however long the earlier ones took), one autocommit
 * transaction each. Prints "ID COMMIT_NS DUE_NS" per row: the new key, CLOCK_REALTIME when
 * the commit returned, and when the row was due.
 *
 *   rate_insert HOST PORT USER PASSWORD RATE COUNT TAG
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long ns_of(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: %s HOST PORT USER PASSWORD RATE COUNT TAG\n", argv[0]);
        return 2;
    }
    double rate = atof(argv[5]);
    long count = atol(argv[6]);
    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, argv[1], argv[3], argv[4], "cdcdb", (unsigned)atoi(argv[2]), NULL, 0)) {
        fprintf(stderr, "rate_insert: %s\n", mysql_error(db));
        return 1;
    }
    struct timespec start, due, now;
    clock_gettime(CLOCK_REALTIME, &start);
    char q[256];
    for (long i = 0; i < count; i++) {
        long long off = (long long)((double)i * 1e9 / rate);
        due.tv_sec = start.tv_sec + (time_t)((start.tv_nsec + off) / 1000000000LL);
        due.tv_nsec = (long)((start.tv_nsec + off) % 1000000000LL);
        clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &due, NULL);
        snprintf(q, sizeof q,
                 "INSERT INTO customers (first_name, last_name, email) VALUES ('lat', '%ld', '%s-%ld@bench')",
                 i, argv[7], i);
        if (mysql_query(db, q)) {
            fprintf(stderr, "rate_insert: %s\n", mysql_error(db));
            return 1;
        }
        clock_gettime(CLOCK_REALTIME, &now);
        printf("%llu %lld %lld\n", (unsigned long long)mysql_insert_id(db), ns_of(&now), ns_of(&due));
    }
    mysql_close(db);
    return 0;
}
