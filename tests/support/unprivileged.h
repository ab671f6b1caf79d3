/* Tests of permission errors. CI runs as root, and root reads and writes
 * anything, so such a test gives root up for nobody in its own process
 * (Criterion runs each test in a fork of its own) instead of skipping. */
#ifndef DROM_TESTS_SUPPORT_UNPRIVILEGED_H
#define DROM_TESTS_SUPPORT_UNPRIVILEGED_H

#include <criterion/criterion.h>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

#define TEST_NOBODY 65534

static inline void test_drop_root(void)
{
    if (geteuid() != 0)
        return;
    cr_assert_eq(setgroups(0, NULL), 0);
    cr_assert_eq(setgid(TEST_NOBODY), 0);
    cr_assert_eq(setuid(TEST_NOBODY), 0);
    /* setuid makes the process undumpable, and LeakSanitizer must inspect it */
    prctl(PR_SET_DUMPABLE, 1);
}

#endif
