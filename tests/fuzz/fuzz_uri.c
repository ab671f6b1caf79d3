/* libFuzzer target: endpoint URIs. Besides not crashing, what parses must
 * render to a string that parses back to the same URI. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl/uri.h"

static bool never(const char *name, void *ctx)
{
    (void)name;
    (void)ctx;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct drom_uri u, v;
    struct drom_error err = {0};
    if (drom_uri_parse(s, &u, &err) == 0) {
        char *r = drom_uri_render(&u, never, NULL);
        if (drom_uri_parse(r, &v, &err) != 0) {
            fprintf(stderr, "render of %s is %s, which does not parse: %s\n", s, r, err.msg);
            abort();
        }
        if (strcmp(u.scheme, v.scheme) || strcmp(u.path, v.path) || u.nparams != v.nparams)
            abort();
        for (size_t i = 0; i < u.nparams; i++)
            if (strcmp(u.params[i].name, v.params[i].name) ||
                strcmp(u.params[i].value, v.params[i].value))
                abort();
        free(r);
        drom_uri_free(&v);
        drom_uri_free(&u);
    } else if (err.col < 1 || (size_t)err.col > size + 1) {
        abort();
    }
    free(s);
    return 0;
}
