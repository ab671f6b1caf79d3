/* What the arrival probes (amqp_arrivals.c, kafka_arrivals.c) share: the
 * stop flag their signal handler sets, the arrival clock and the row key of
 * a JSON body. Standalone programs (built by tests/bench/lib.sh with no
 * project library), hence static functions in one header. */
#ifndef DROM_BENCH_PROBE_H
#define DROM_BENCH_PROBE_H

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

/* CLOCK_REALTIME: arrivals are compared with the writer's wall clock. */
static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The key of the row: "id" inside "after" when the body is an envelope, else the first "id"; -1 if none. */
static long long row_id(const char *s, size_t n)
{
    const char *end = s + n, *p = memmem(s, n, "\"after\":{", 9);
    if (!p)
        p = s;
    const char *q = memmem(p, (size_t)(end - p), "\"id\":", 5);
    if (!q)
        return -1;
    q += 5;
    char tmp[32], *e;
    size_t k = (size_t)(end - q) < sizeof tmp - 1 ? (size_t)(end - q) : sizeof tmp - 1;
    memcpy(tmp, q, k);
    tmp[k] = 0;
    long long v = strtoll(tmp, &e, 10);
    return e == tmp ? -1 : v;
}

#endif
