/* libFuzzer target: the whole compiler, route file to graph. Whatever the
 * input, compilation ends with a graph or with at least one error, and an
 * accepted graph survives the JSON round trip. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "compiler/graph_json.h"

static const char *no_env(const char *name, void *ctx)
{
    (void)name;
    (void)ctx;
    return "x";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct drom_compile_opts opts = {.env = no_env};
    struct drom_graph g;
    struct drom_diags diags = {0};
    memset(&g, 0, sizeof g);
    if (drom_compile_mem((const char *)data, size, "fuzz.xml", &opts, &g, &diags) == 0) {
        char *json = drom_graph_json_dumps(&g);
        struct drom_graph back;
        struct drom_error err = {0};
        memset(&back, 0, sizeof back);
        /* Secrets written literally are masked in the JSON and refused when read
         * back, so only a successful read is compared. */
        if (drom_graph_json_read(json, strlen(json), "fuzz.json", &back, &err) == 0) {
            char *again = drom_graph_json_dumps(&back);
            assert(strcmp(json, again) == 0);
            free(again);
            drom_graph_free(&back);
        }
        free(json);
        drom_graph_free(&g);
    } else {
        assert(diags.nerrors > 0);
    }
    drom_diags_free(&diags);
    return 0;
}
