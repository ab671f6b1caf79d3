/* Runs the engine's route tests (compiled against the shim in
 * tests/tsan/criterion) in one process, for ThreadSanitizer.
 * Usage: engine-tsan [SUBSTRING...]  runs the tests whose "suite/name"
 * contains one of the substrings (all when none). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criterion/criterion.h"

struct test {
    const char *suite, *name;
    void (*fn)(void);
};

static struct test tests[512];
static size_t ntests;
static bool skipped;

void shim_register(const char *suite, const char *name, void (*fn)(void))
{
    if (ntests < sizeof tests / sizeof tests[0])
        tests[ntests++] = (struct test){suite, name, fn};
}

void shim_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    abort();
}

void shim_skip(void)
{
    skipped = true;
}

int main(int argc, char **argv)
{
    size_t ran = 0, skips = 0;
    for (size_t i = 0; i < ntests; i++) {
        char full[256];
        snprintf(full, sizeof full, "%s/%s", tests[i].suite, tests[i].name);
        bool want = argc < 2;
        for (int a = 1; a < argc; a++)
            want = want || strstr(full, argv[a]);
        if (!want)
            continue;
        fprintf(stderr, "RUN  %s\n", full);
        skipped = false;
        tests[i].fn();
        skips += skipped;
        ran++;
    }
    fprintf(stderr, "PASSED %zu tests (%zu skipped)\n", ran, skips);
    return 0;
}
