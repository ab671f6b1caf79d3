/* dromc compile and dromc graph: the graph as JSON, DOT or Mermaid. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/dromc/dromc.h"
#include "compiler/graph_draw.h"
#include "compiler/graph_json.h"

static const char compile_help[] =
    "usage: dromc compile [--properties FILE] [-D key=value]... FILE -o GRAPH.json\n"
    "\n"
    "Checks FILE like `dromc validate` and writes its route graph as JSON (\"format\": 1,\n"
    "docs/graph-format.md), which dromd runs as it runs the XML. Secret options keep\n"
    "their {{placeholders}}; secrets written literally are masked.\n"
    "\n"
    "  -o, --output FILE  where to write the graph ('-' for standard output)\n"
    "  --properties FILE  Camel Main properties\n"
    "  -D key=value       set a property\n";

static const char graph_help[] =
    "usage: dromc graph [--properties FILE] [-D key=value]... FILE [--format dot|mermaid] [-o OUT]\n"
    "\n"
    "Draws the routes of FILE: each route a cluster with its endpoint and processors,\n"
    "dashed edges for direct:, seda: and Kafka-topic links between routes.\n"
    "  dromc graph routes/cdc-pipeline.xml --properties routes/cdc-pipeline.properties | dot -Tsvg > routes.svg\n"
    "\n"
    "  --format dot|mermaid  Graphviz DOT (default) or a Mermaid flowchart\n"
    "  -o, --output FILE     write there instead of standard output\n"
    "  --properties FILE     Camel Main properties\n"
    "  -D key=value          set a property\n";

enum what { JSON, DOT, MERMAID };

static int output(const struct drom_graph *g, enum what w, const char *path)
{
    FILE *f = stdout;
    if (path && strcmp(path, "-") != 0) {
        f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
            return DROMC_INVALID;
        }
    }
    struct drom_error err = {0};
    int rc = 0;
    if (w == JSON)
        rc = drom_graph_json_write(g, f, &err);
    else if (w == DOT)
        drom_graph_write_dot(g, f);
    else
        drom_graph_write_mermaid(g, f);
    if (f != stdout) {
        if (fclose(f) != 0)
            rc = drom_err(&err, DROM_EIO, "cannot write: %s", strerror(errno));
    } else if (fflush(f) != 0) {
        rc = drom_err(&err, DROM_EIO, "cannot write to standard output");
    }
    if (rc < 0) {
        fprintf(stderr, "%s: error: %s\n", path ? path : "stdout", err.msg);
        return DROMC_INVALID;
    }
    return DROMC_OK;
}

static int run(int argc, char **argv, const char *cmd, const char *help, bool graph)
{
    struct dromc_common c = {0};
    const char *file = NULL, *out = NULL;
    enum what w = graph ? DOT : JSON;
    int rc = DROMC_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            goto done;
        }
        int r = dromc_common_arg(&c, argc, argv, &i, cmd);
        if (r == 1)
            continue;
        if (r < 0) {
            rc = r == -1 ? DROMC_USAGE : DROMC_INVALID;
            goto done;
        }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                rc = dromc_usage_error(cmd, "%s needs a file name", a);
                goto done;
            }
            out = argv[++i];
        } else if (graph && (strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0 || strncmp(a, "--format=", 9) == 0)) {
            const char *v = a[2] == 'f' && a[8] == '=' ? a + 9 : NULL;
            if (!v) {
                if (i + 1 >= argc) {
                    rc = dromc_usage_error(cmd, "%s needs a value (dot or mermaid)", a);
                    goto done;
                }
                v = argv[++i];
            }
            if (strcmp(v, "dot") == 0)
                w = DOT;
            else if (strcmp(v, "mermaid") == 0)
                w = MERMAID;
            else {
                rc = dromc_usage_error(cmd, "unknown format '%s' (dot or mermaid)", v);
                goto done;
            }
        } else if (a[0] == '-' && a[1]) {
            rc = dromc_usage_error(cmd, "unknown option '%s'", a);
            goto done;
        } else if (file) {
            rc = dromc_usage_error(cmd, "one route file at a time");
            goto done;
        } else {
            file = a;
        }
    }
    if (!file) {
        rc = dromc_usage_error(cmd, "no route file given");
        goto done;
    }
    if (!graph && !out) {
        rc = dromc_usage_error(cmd, "no output given (-o GRAPH.json, or -o - for standard output)");
        goto done;
    }
    struct drom_graph g;
    if (dromc_compile_one(file, &c, &g) < 0) {
        rc = DROMC_INVALID;
        goto done;
    }
    rc = output(&g, w, out);
    drom_graph_free(&g);
done:
    dromc_common_free(&c);
    return rc;
}

int dromc_compile(int argc, char **argv)
{
    return run(argc, argv, "compile", compile_help, false);
}

int dromc_graph(int argc, char **argv)
{
    return run(argc, argv, "graph", graph_help, true);
}
