/* dromc: validate, compile and draw Camel XML routes; list the components. */
#include <stdio.h>
#include <string.h>

#include "cmd/dromc/dromc.h"
#include "compiler/suggest.h"

static const char usage[] =
    "usage: dromc COMMAND [ARGS]\n"
    "\n"
    "Checks and compiles Camel XML routes for dromedary.\n"
    "\n"
    "commands:\n"
    "  validate [--properties FILE] [-D k=v]... FILE...   check route files, print every error\n"
    "  compile  [--properties FILE] [-D k=v]... FILE -o GRAPH.json   write the route graph\n"
    "  graph    [--properties FILE] [-D k=v]... FILE [--format dot|mermaid] [-o OUT]   draw the routes\n"
    "  components [NAME] [--format text|markdown]          the component catalog\n"
    "  dsl [--format text|markdown]                        the XML elements and attributes\n"
    "  import [--camel-compatible] [-o ROUTE.xml] CONFIG...  Kafka Connect connectors -> route + properties\n"
    "\n"
    "options:\n"
    "  -h, --help      this help (also after each command)\n"
    "  -V, --version   print the version\n"
    "\n"
    "exit status: 0 valid, 1 invalid routes, 2 usage error\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return DROMC_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return DROMC_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("dromc %s\n", DROMC_VERSION);
        return DROMC_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {
        {"validate", dromc_validate},
        {"compile", dromc_compile},
        {"graph", dromc_graph},
        {"components", dromc_components},
        {"dsl", dromc_dsl},
        {"import", dromc_import},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmd, cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    struct drom_suggest s;
    drom_suggest_init(&s, cmd);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        drom_suggest_offer(&s, cmds[i].name);
    if (drom_suggest_best(&s))
        fprintf(stderr, "dromc: unknown command '%s'; did you mean '%s'?\n", cmd, drom_suggest_best(&s));
    else
        fprintf(stderr, "dromc: unknown command '%s'\n", cmd);
    fprintf(stderr, "Try 'dromc --help'.\n");
    return DROMC_USAGE;
}
