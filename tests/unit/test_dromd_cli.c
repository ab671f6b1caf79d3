/* dromd's command line. The programs' objects are not in libdrom.a, so the
 * parser is compiled into this test directly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/dromd/cli.c"

static int parse(struct dromd_opts *o, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return dromd_parse_args(argc, argv, o);
}

Test(dromd_cli, exit_on_failure_is_off_unless_given)
{
    struct dromd_opts o;
    char *plain[] = {"dromd", "--state-dir", "/tmp/x", "routes.xml", NULL};
    cr_assert_eq(parse(&o, plain), 0);
    cr_assert_not(o.exit_on_failure);
    cr_assert_str_eq(o.routes_file, "routes.xml");
    dromd_opts_free(&o);

    char *flag[] = {"dromd", "--state-dir", "/tmp/x", "--exit-on-failure", "routes.xml", NULL};
    cr_assert_eq(parse(&o, flag), 0);
    cr_assert(o.exit_on_failure);
    cr_assert_str_eq(o.routes_file, "routes.xml");
    cr_assert_str_eq(o.state_dir, "/tmp/x");
    dromd_opts_free(&o);

    /* after the route file too, as getopt allows */
    char *after[] = {"dromd", "routes.xml", "--exit-on-failure", "--state-dir", "/tmp/x", NULL};
    cr_assert_eq(parse(&o, after), 0);
    cr_assert(o.exit_on_failure);
    cr_assert_str_eq(o.routes_file, "routes.xml");
    dromd_opts_free(&o);
}

Test(dromd_cli, exit_on_failure_takes_no_value)
{
    struct dromd_opts o;
    char *valued[] = {"dromd", "--exit-on-failure=yes", "routes.xml", NULL};
    cr_assert_eq(parse(&o, valued), -1, "a usage error (exit 2)");
    dromd_opts_free(&o);
}

Test(dromd_cli, help_names_the_flag_and_every_exit_status)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    dromd_usage(f);
    fclose(f);
    cr_assert(strstr(text, "--exit-on-failure"), "%s", text);
    cr_assert(strstr(text, "exit 3"), "%s", text);
    const char *exits = strstr(text, "Exit:");
    cr_assert_not_null(exits, "%s", text);
    for (const char *code = "0123"; *code; code++) {
        char word[8];
        snprintf(word, sizeof word, " %c ", *code);
        cr_assert(strstr(exits, word), "exit status %c documented in:\n%s", *code, exits);
    }
    free(text);
}
