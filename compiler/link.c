/* The link checks a component asks for (struct drom_link): a producer
 * whose key needs a consumer route in the same file (direct:, seda:), and
 * keys with at most one consumer. */
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "strmap.h"
#include "suggest.h"
#include "runtime/xalloc.h"

void cc_link_add(struct cc *c, const struct drom_gendpoint *ep, const struct drom_link *link, bool consumer)
{
    drom_xgrow((void **)&c->links, &c->links_cap, c->nlinks + 1, sizeof *c->links);
    c->links[c->nlinks++] = (struct cc_link){
        .comp = ep->comp,
        .scheme = ep->scheme,
        .name = link->keys,
        .consumer = consumer,
        .checks = link->checks,
        .share_hint = link->share_hint,
        .route_id = c->route_id,
        .loc = ep->loc,
    };
}

static const char *key_of(struct cc *c, const struct cc_link *l)
{
    return drom_arena_printf(c->a, "%s:%s", l->comp->name, l->name);
}

void cc_link_check(struct cc *c)
{
    struct drom_strmap consumers = {0};
    for (size_t i = 0; i < c->nlinks; i++) {
        const struct cc_link *l = &c->links[i];
        if (!l->consumer)
            continue;
        const char *key = key_of(c, l);
        const struct cc_link *first = drom_strmap_get(&consumers, key);
        if (!first) {
            drom_strmap_put(&consumers, key, (void *)l);
        } else if (l->checks & DROM_LINK_ONE_CONSUMER) {
            cc_error(c, l->loc.line, l->loc.col,
                     "a second consumer of '%s:%s' (route '%s' at line %d already consumes it)%s", l->scheme,
                     l->name, first->route_id ? first->route_id : "?", first->loc.line,
                     l->share_hint ? l->share_hint : "");
        }
    }
    for (size_t i = 0; i < c->nlinks; i++) {
        const struct cc_link *l = &c->links[i];
        if (l->consumer || !(l->checks & DROM_LINK_NEEDS_CONSUMER) || drom_strmap_get(&consumers, key_of(c, l)))
            continue;
        struct drom_suggest s;
        drom_suggest_init(&s, l->name);
        for (size_t j = 0; j < c->nlinks; j++)
            if (c->links[j].consumer && c->links[j].comp == l->comp)
                drom_suggest_offer(&s, c->links[j].name);
        const char *best = drom_suggest_best(&s);
        if (best)
            cc_error(c, l->loc.line, l->loc.col,
                     "no route consumes '%s:%s' (no <from uri=\"%s:%s\"/> in this file); did you mean '%s:%s'?",
                     l->scheme, l->name, l->scheme, l->name, l->scheme, best);
        else
            cc_error(c, l->loc.line, l->loc.col, "no route consumes '%s:%s' (no <from uri=\"%s:%s\"/> in this file)",
                     l->scheme, l->name, l->scheme, l->name);
    }
    drom_strmap_free(&consumers);
}
