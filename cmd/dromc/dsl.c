/* dromc dsl: the element reference, from the compiler's element table. */
#include <stdio.h>
#include <string.h>

#include "cmd/dromc/dromc.h"
#include "compiler/elements.h"

static const char help[] =
    "usage: dromc dsl [--format text|markdown]\n"
    "\n"
    "Lists the XML elements dromedary accepts, with their attributes and children.\n"
    "The markdown form is the element reference of docs/routes.md.\n";

int dromc_dsl(int argc, char **argv)
{
    const char *format = "text";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return DROMC_OK;
        }
        if (strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0) {
            if (i + 1 >= argc)
                return dromc_usage_error("dsl", "%s needs a value (text or markdown)", a);
            format = argv[++i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            format = a + 9;
        } else {
            return dromc_usage_error("dsl", "unexpected argument '%s'", a);
        }
    }
    if (strcmp(format, "markdown") == 0 || strcmp(format, "md") == 0) {
        drom_elem_markdown(stdout);
        return DROMC_OK;
    }
    if (strcmp(format, "text") != 0)
        return dromc_usage_error("dsl", "unknown format '%s' (text or markdown)", format);
    drom_elem_text(stdout);
    return DROMC_OK;
}
