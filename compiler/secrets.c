#include <stdlib.h>
#include <string.h>

#include "secrets.h"

#define MASK "xxxxxx"

static int endpoint(struct drom_graph *g, struct drom_gendpoint *e, const struct drom_placeholder_ctx *ph,
                    struct drom_error *err)
{
    if (!e)
        return 0;
    for (size_t i = 0; i < e->opts.n; i++) {
        struct drom_optval *v = &e->opts.items[i];
        if (!drom_option_is_secret(v->opt, v->name) || !v->value)
            continue;
        const char *where = e->uri_masked ? e->uri_masked : e->scheme;
        if (strcmp(v->value, MASK) == 0)
            return drom_err_at(err, DROM_EINVAL, e->loc.file, e->loc.line, e->loc.col,
                               "secret option '%s' of %s was written literally in the route and is masked in the "
                               "graph; use a placeholder such as {{env:NAME}}, or run the XML",
                               v->name, where);
        if (!drom_placeholder_present(v->value))
            continue;
        char *res = NULL;
        bool absent = false;
        struct drom_error why = {0};
        if (drom_placeholder_resolve(v->value, ph, &res, &absent, &why) < 0)
            return drom_err_at(err, DROM_EINVAL, e->loc.file, e->loc.line, e->loc.col, "%s (in option '%s' of %s)",
                               why.msg, v->name, where);
        v->value = absent ? NULL : drom_arena_strdup(&g->arena, res);
        if (absent)
            v->given = false;
        free(res);
    }
    return 0;
}

static int steps(struct drom_graph *g, struct drom_step *s, size_t n, const struct drom_placeholder_ctx *ph,
                 struct drom_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (endpoint(g, s[i].endpoint, ph, err) < 0 || steps(g, s[i].steps, s[i].nsteps, ph, err) < 0)
            return -1;
    return 0;
}

int drom_graph_resolve_secrets(struct drom_graph *g, const struct drom_placeholder_ctx *ph, struct drom_error *err)
{
    for (size_t r = 0; r < g->nroutes; r++) {
        struct drom_route *rt = &g->routes[r];
        if (endpoint(g, &rt->from, ph, err) < 0 || endpoint(g, rt->error_handler.dead_letter, ph, err) < 0 ||
            steps(g, rt->steps, rt->nsteps, ph, err) < 0)
            return -1;
        for (size_t i = 0; i < rt->non_exceptions; i++)
            if (steps(g, rt->on_exceptions[i].steps, rt->on_exceptions[i].nsteps, ph, err) < 0)
                return -1;
    }
    return 0;
}
