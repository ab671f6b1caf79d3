/* Helpers of the TLS suites: the test servers' certificates from their
 * ctl env, and shell commands (openssl) that must succeed. */
#ifndef DROM_TESTS_TLSTEST_H
#define DROM_TESTS_TLSTEST_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define TLST_UNUSED __attribute__((unused))

/* The value of an environment variable that tests/services/env.sh sets. */
TLST_UNUSED static const char *tlst_need(const char *name)
{
    const char *v = getenv(name);
    cr_assert(v && *v, "%s is set (. tests/services/env.sh)", name);
    return v;
}

TLST_UNUSED static void tlst_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
TLST_UNUSED static void tlst_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* A folder of the test's own, removed by tlst_rmdir. */
TLST_UNUSED static void tlst_mkdir(char *dir, size_t size, const char *what)
{
    snprintf(dir, size, "/tmp/drom-%s-XXXXXX", what);
    cr_assert_not_null(mkdtemp(dir));
}

TLST_UNUSED static void tlst_rmdir(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", dir);
}

/* In `dir`: a CA no test server knows (other-ca.pem) and a client
 * certificate of it for `cn` (other.pem, other.key). */
TLST_UNUSED static void tlst_foreign_client(const char *dir, const char *cn)
{
    tlst_sh("(cd %s && E='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes' && "
            "openssl req -x509 $E -days 2 -keyout other-ca.key -out other-ca.pem -subj /CN=other-ca && "
            "openssl req -new $E -keyout other.key -out other.csr -subj /CN=%s && "
            "openssl x509 -req -in other.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 2 "
            "-out other.pem) >/dev/null 2>&1",
            dir, cn);
}

#endif
