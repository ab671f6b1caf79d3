/* dromc's command line as a user meets it (runs build/dromc, from the repository root). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static int run(const char *cmd, char *out, size_t size)
{
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(dromc_cli, a_misspelt_command_gets_a_suggestion)
{
    char out[1024];
    cr_expect_eq(run("build/dromc valdiate routes/cdc-pipeline.xml 2>&1", out, sizeof out), 2);
    cr_expect_str_eq(out, "dromc: unknown command 'valdiate'; did you mean 'validate'?\nTry 'dromc --help'.\n");
    cr_expect_eq(run("build/dromc frobnicate 2>&1", out, sizeof out), 2);
    cr_expect_str_eq(out, "dromc: unknown command 'frobnicate'\nTry 'dromc --help'.\n");
}
