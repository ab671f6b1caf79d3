#include <string.h>

#include "runtime/expr.h"
#include "runtime/graph.h"

const char *drom_step_kind_name(enum drom_step_kind kind)
{
    static const char *const names[DROM_STEP__COUNT] = {
        [DROM_STEP_TO] = "to",
        [DROM_STEP_TOD] = "toD",
        [DROM_STEP_LOG] = "log",
        [DROM_STEP_FILTER] = "filter",
        [DROM_STEP_CHOICE] = "choice",
        [DROM_STEP_WHEN] = "when",
        [DROM_STEP_OTHERWISE] = "otherwise",
        [DROM_STEP_SET_HEADER] = "setHeader",
        [DROM_STEP_SET_BODY] = "setBody",
        [DROM_STEP_SET_PROPERTY] = "setProperty",
        [DROM_STEP_REMOVE_HEADER] = "removeHeader",
        [DROM_STEP_REMOVE_HEADERS] = "removeHeaders",
        [DROM_STEP_MARSHAL] = "marshal",
        [DROM_STEP_UNMARSHAL] = "unmarshal",
        [DROM_STEP_CONVERT_BODY_TO] = "convertBodyTo",
        [DROM_STEP_MULTICAST] = "multicast",
        [DROM_STEP_WIRETAP] = "wireTap",
        [DROM_STEP_SPLIT] = "split",
        [DROM_STEP_THROTTLE] = "throttle",
        [DROM_STEP_DELAY] = "delay",
        [DROM_STEP_STOP] = "stop",
    };
    return (unsigned)kind < DROM_STEP__COUNT && names[kind] ? names[kind] : "?";
}

const char *drom_step_param(const struct drom_step *s, const char *name)
{
    for (size_t i = 0; i < s->nparams; i++)
        if (strcmp(s->params[i].name, name) == 0)
            return s->params[i].value;
    return NULL;
}

static void free_gexpr(struct drom_gexpr *e)
{
    if (e && e->expr) {
        drom_expr_free(e->expr);
        e->expr = NULL;
    }
}

static void free_steps(struct drom_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free_gexpr(steps[i].expr);
        free_steps(steps[i].steps, steps[i].nsteps);
    }
}

void drom_graph_free(struct drom_graph *g)
{
    if (!g)
        return;
    for (size_t r = 0; r < g->nroutes; r++) {
        struct drom_route *rt = &g->routes[r];
        free_steps(rt->steps, rt->nsteps);
        for (size_t i = 0; i < rt->non_exceptions; i++) {
            free_gexpr(rt->on_exceptions[i].handled);
            free_gexpr(rt->on_exceptions[i].continued);
            free_steps(rt->on_exceptions[i].steps, rt->on_exceptions[i].nsteps);
        }
    }
    drom_arena_free(&g->arena);
}
