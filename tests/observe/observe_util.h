/* Helpers of the operator's-view suites (part of make test; make observe
 * runs them alone): a real Prometheus and a headless Chromium, each started
 * by the test on loopback against a dromd that runs the seed pipeline on the
 * test servers (e2e_util.h).
 * Artefacts (screenshots, DOM dumps, Prometheus' log) go to build/observe/. */
#ifndef DROM_TESTS_OBSERVE_UTIL_H
#define DROM_TESTS_OBSERVE_UTIL_H

#include <sys/stat.h>

#include "tests/integration/e2e_util.h"

#define OBS_ARTEFACTS "build/observe"

static E2E_UNUSED void obs_artefacts_dir(void)
{
    mkdir("build", 0755);
    mkdir(OBS_ARTEFACTS, 0755);
}

static E2E_UNUSED void obs_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* The route file plus one route whose every exchange fails (a file endpoint
 * under /proc, where nothing can be written). */
static E2E_UNUSED void obs_add_failing_route(struct e2e *t)
{
    char *src = ts_slurp(t->routes);
    char *with = e2e_replace_all(src, "</routes>",
                                 "  <route id=\"failing\">\n"
                                 "    <from uri=\"timer:failing?period=200\"/>\n"
                                 "    <to uri=\"file:/proc/dromedary-cannot-write-here\"/>\n"
                                 "  </route>\n</routes>");
    obs_write(t->routes, with);
    free(src);
    free(with);
}

/* Inserts n customers into the test's table; returns how many so far. */
static E2E_UNUSED int obs_insert(struct e2e *t, int n)
{
    static int seq;
    MYSQL *m = ts_root(30000);
    for (int i = 0; i < n; i++, seq++)
        ts_sql(m, "INSERT INTO `%s`.customers (first_name, last_name, email) VALUES ('Ada', 'L%d', 'a%d@x')",
                t->db, seq, seq);
    mysql_close(m);
    return seq;
}

#endif
