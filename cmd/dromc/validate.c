#include <stdio.h>
#include <string.h>

#include "cmd/dromc/dromc.h"

static const char help[] =
    "usage: dromc validate [--properties FILE] [-D key=value]... FILE...\n"
    "\n"
    "Checks route files without connecting anywhere: elements, attributes, endpoint\n"
    "URIs and options, placeholders, expressions, direct:/seda: links. Prints every\n"
    "error and warning as FILE:LINE:COL: error|warning: MESSAGE.\n"
    "\n"
    "  --properties FILE  Camel Main properties (camel.component.<name>.<option>=..., keys for {{...}})\n"
    "  -D key=value       set a property (wins over the file)\n"
    "  -q, --quiet        print nothing for valid files\n"
    "\n"
    "exit status: 0 all valid, 1 some invalid, 2 usage error\n";

int dromc_validate(int argc, char **argv)
{
    struct dromc_common c = {0};
    const char *files[argc];
    int nfiles = 0, rc = DROMC_OK;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            dromc_common_free(&c);
            return DROMC_OK;
        }
        int r = dromc_common_arg(&c, argc, argv, &i, "validate");
        if (r == 1)
            continue;
        if (r == -1 || r == -2) {
            dromc_common_free(&c);
            return r == -1 ? DROMC_USAGE : DROMC_INVALID;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            dromc_common_free(&c);
            return dromc_usage_error("validate", "unknown option '%s'", a);
        } else {
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        dromc_common_free(&c);
        return dromc_usage_error("validate", "no route file given");
    }
    for (int i = 0; i < nfiles; i++) {
        struct drom_graph g;
        if (dromc_compile_one(files[i], &c, &g) < 0) {
            rc = DROMC_INVALID;
            continue;
        }
        if (!quiet)
            printf("%s: valid (%zu route%s)\n", files[i], g.nroutes, g.nroutes == 1 ? "" : "s");
        drom_graph_free(&g);
    }
    dromc_common_free(&c);
    return rc;
}
