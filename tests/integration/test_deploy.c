/* deploy/ cannot run here (no container engine, no cluster), so its files are
 * checked against what can be: the manifests parse and refer to each other,
 * the Deployment keeps the binlog source single and non-root, the ConfigMap's
 * routes validate with build/dromc given the Secret's keys as files, and the
 * Containerfile's packages, sources, programs and flags exist and work with
 * build/dromd. The checks live in tests/deploy/check.py (python3-yaml); each
 * test here runs one of its groups. Needs no external server. */
#include <criterion/criterion.h>

#include "tests/support/proc.h"

#define CHECK_SCRIPT "tests/deploy/check.py"

static void run_group(const char *group, int timeout_ms)
{
    char dir[] = "/tmp/deploy-test-XXXXXX";
    cr_assert(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    char out[64];
    snprintf(out, sizeof out, "%s/out", dir);
    char *argv[] = {"/usr/bin/python3", CHECK_SCRIPT, (char *)group, NULL};
    int rc = proc_run(argv, out, NULL, timeout_ms);
    char *text = ts_slurp(out);
    unlink(out);
    rmdir(dir);
    cr_assert_eq(rc, 0, "tests/deploy/check.py %s exited %d:\n%s", group, rc, text);
    free(text);
}

Test(deploy, manifests_parse_with_expected_kinds_and_references)
{
    run_group("manifests", 30000);
}

Test(deploy, deployment_replicas_rolled_with_a_standby_probed_non_root)
{
    run_group("deployment", 30000);
}

Test(deploy, configmap_routes_validate_with_secret_files)
{
    run_group("routes", 60000);
}

Test(deploy, containerfile_packages_sources_programs_and_flags)
{
    run_group("containerfile", 120000);
}
