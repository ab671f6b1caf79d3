/* Placeholders in attribute values, option values and expression text. */
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "dsl/placeholder.h"

int cc_try_resolve(struct cc *c, const char *text, const char **out, struct drom_error *err)
{
    *out = NULL;
    if (!text || !drom_placeholder_present(text)) {
        *out = drom_arena_strdup(c->a, text);
        return 1;
    }
    char *res = NULL;
    bool absent = false;
    if (drom_placeholder_resolve(text, &c->ph, &res, &absent, err) < 0)
        return -1;
    if (absent)
        return 0;
    *out = drom_arena_strdup(c->a, res);
    free(res);
    return 1;
}

int cc_resolve(struct cc *c, const char *text, const char *what, const struct drom_ast_attr *attr, size_t index,
               int line, int col, const char **out)
{
    struct drom_error err = {0};
    int r = cc_try_resolve(c, text, out, &err);
    if (r < 0) {
        size_t off = err.col > 0 ? (size_t)err.col - 1 : 0;
        if (attr)
            drom_srcmap_attr(&c->map, attr->line, attr->col, index + off, &line, &col);
        else
            col += (int)off;
        cc_error(c, line, col, "%s (in %s)", err.msg, what);
    }
    return r;
}
