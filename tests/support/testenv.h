/* The test suites' common ground with no server in it: settings from the
 * environment (tests/services/env.sh), clocks, whole files, shell commands
 * and the test servers' ctl scripts. Part of the tests/support library
 * linked into every test binary; needs libc only, so the benchmark probes
 * can use it too.
 * Ownership: strings returned are malloc'ed and the caller's to free, unless
 * said otherwise. */
#ifndef DROM_TESTS_SUPPORT_TESTENV_H
#define DROM_TESTS_SUPPORT_TESTENV_H

#include <stddef.h>

/* $name when set and not empty, else `def` (borrowed: the environment's or def). */
const char *ts_env(const char *name, const char *def);

/* Monotonic milliseconds, for deadlines and durations. */
long long ts_now_ms(void);
/* Wall-clock milliseconds (an event id's epoch is made of them). */
long long ts_wall_ms(void);

/* The whole file, NUL-terminated; *len (when given) its size without the
 * NUL. NULL when it cannot be read. */
char *ts_read_file(const char *path, size_t *len);
/* The same, but "" for a missing file (a log not written yet). */
char *ts_slurp(const char *path);

/* The value of the first line of a Prometheus text that starts with
 * `prefix` (a name, or a name and the start of its labels): the number
 * after the line's last space; -1 when no line starts so. */
long long ts_metric(const char *text, const char *prefix);

/* Copies the file `from` to `to` byte for byte; -1 when `from` cannot be
 * read or is empty (a copy of nothing is never what a test meant), or `to`
 * cannot be written. */
int ts_copy_file(const char *from, const char *to);

/* Runs `cmd` with /bin/sh; its stdout into *out when out (always set, ""
 * at worst). Returns the exit status, -1 when it could not run. */
int ts_sh(const char *cmd, char **out);

/* Runs tests/services/SVC/ctl ARGS (ARGS a shell fragment; $DROM_SERVICES
 * names the folder), its output appended to `log` when given. A server
 * started here outlives the test, so it inherits none of the test runner's
 * descriptors. Returns the exit status, -1 when it could not run. */
int ts_ctl(const char *log, const char *svc, const char *args);

#endif
