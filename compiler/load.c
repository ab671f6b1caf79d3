#include <stdio.h>
#include <string.h>

#include "graph_json.h"
#include "load.h"
#include "secrets.h"

/* A graph file is a JSON object; a route file starts with '<' (or a BOM). */
static int looks_like_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    int c;
    while ((c = fgetc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        ;
    fclose(f);
    return c == '{';
}

int drom_graph_load(const char *path, const struct drom_compile_opts *opts, struct drom_graph *out,
                    struct drom_diags *diags)
{
    struct drom_error err = {0};
    if (looks_like_json(path)) {
        if (drom_graph_json_read_file(path, out, &err) < 0) {
            drom_diag_add_error(diags, &err);
            return -1;
        }
    } else if (drom_compile_file(path, opts, out, diags) < 0) {
        return -1;
    }
    struct drom_placeholder_ctx ph = {
        .props = opts ? opts->props : NULL,
        .env = opts ? opts->env : NULL,
        .env_ctx = opts ? opts->env_ctx : NULL,
    };
    if (drom_graph_resolve_secrets(out, &ph, &err) < 0) {
        drom_diag_add_error(diags, &err);
        drom_graph_free(out);
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}
