/* <toD uri="scheme:${header.topic}">: the URI is evaluated per exchange,
 * bound to a component by the engine's resolve_uri hook (the compiler's
 * binder, so options are checked as for <to>), and the endpoint is created
 * once per distinct URI and kept for the engine's life (Camel's cacheSize,
 * here a cap: past it the exchange fails rather than growing without end). */
#include <stdlib.h>
#include <string.h>

#include "runtime/engine_int.h"
#include "runtime/xalloc.h"

struct tod_entry {
    char *uri;
    struct eng_endpoint *ep;
};

struct tod_cache {
    struct tod_entry *items;
    size_t n, cap;
};

static void cache_free(struct drom_engine *eng, void *p)
{
    struct tod_cache *c = p;
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].uri);
    free(c->items);
    free(c);
}

enum eip_result eip_tod(struct xctx *x, struct eng_step *s)
{
    struct drom_engine *eng = x->eng;
    char *uri;
    if (x_eval_str(x, s, &uri) < 0)
        return EIP_FAIL;
    struct tod_cache *c = s->state;
    if (!c) {
        c = s->state = drom_xcalloc(1, sizeof *c);
        s->state_free = cache_free;
    }
    struct eng_endpoint *ep = NULL;
    for (size_t i = 0; i < c->n && !ep; i++)
        if (strcmp(c->items[i].uri, uri) == 0)
            ep = c->items[i].ep;
    if (!ep) {
        int64_t max = step_param_int(s, "cacheSize", 1000);
        struct drom_error err = {0};
        if (!eng->opts.resolve_uri) {
            x_fail(x, DROM_EINVAL, false, "toD %s: this engine cannot bind dynamic URIs", uri);
            free(uri);
            return EIP_FAIL;
        }
        if (max > 0 && (int64_t)c->n >= max) {
            x_fail(x, DROM_EINVAL, false, "toD %s: more than cacheSize=%lld distinct endpoints", uri,
                   (long long)max);
            free(uri);
            return EIP_FAIL;
        }
        struct drom_gendpoint *g = drom_arena_alloc(&eng->arena, sizeof *g);
        if (eng->opts.resolve_uri(eng->opts.hook_arg, uri, &eng->arena, g, &err) < 0) {
            x_fail(x, err.code ? err.code : DROM_EINVAL, false, "toD %s: %s", uri, err.msg);
            free(uri);
            return EIP_FAIL;
        }
        ep = eng_endpoint_new(eng, x->route, g, false);
        if (eng_endpoint_create(ep, &err) < 0) {
            x_fail(x, err.code ? err.code : DROM_EINVAL, false, "toD: %s", err.msg);
            free(uri);
            return EIP_FAIL;
        }
        drom_xgrow((void **)&c->items, &c->cap, c->n + 1, sizeof *c->items);
        c->items[c->n++] = (struct tod_entry){.uri = uri, .ep = ep};
        uri = NULL;
    }
    free(uri);
    return x_produce(x, ep);
}
