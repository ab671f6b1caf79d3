/* direct: and seda: producers need a consumer route in the same file, and
 * a direct: (or a seda: without multipleConsumers) has at most one. */
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "strmap.h"
#include "suggest.h"
#include "runtime/xalloc.h"

void cc_link_add(struct cc *c, const struct drom_gendpoint *ep, bool consumer)
{
    drom_xgrow((void **)&c->links, &c->links_cap, c->nlinks + 1, sizeof *c->links);
    bool multiple = false;
    if (strcmp(ep->scheme, "seda") == 0)
        for (size_t i = 0; i < ep->opts.n; i++)
            if (strcmp(ep->opts.items[i].name, "multipleConsumers") == 0 && ep->opts.items[i].value &&
                strcmp(ep->opts.items[i].value, "true") == 0)
                multiple = true;
    c->links[c->nlinks++] = (struct cc_link){
        .scheme = ep->scheme,
        .name = ep->path,
        .consumer = consumer,
        .multiple = multiple,
        .route_id = c->route_id,
        .loc = ep->loc,
    };
}

static const char *key_of(struct cc *c, const struct cc_link *l)
{
    return drom_arena_printf(c->a, "%s:%s", l->scheme, l->name);
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
        } else if (!(first->multiple && l->multiple)) {
            cc_error(c, l->loc.line, l->loc.col,
                     "a second consumer of '%s:%s' (route '%s' at line %d already consumes it)%s", l->scheme,
                     l->name, first->route_id ? first->route_id : "?", first->loc.line,
                     strcmp(l->scheme, "seda") == 0 ? "; set multipleConsumers=true on both for publish-subscribe"
                                                    : "");
        }
    }
    for (size_t i = 0; i < c->nlinks; i++) {
        const struct cc_link *l = &c->links[i];
        if (l->consumer || drom_strmap_get(&consumers, key_of(c, l)))
            continue;
        struct drom_suggest s;
        drom_suggest_init(&s, l->name);
        for (size_t j = 0; j < c->nlinks; j++)
            if (c->links[j].consumer && strcmp(c->links[j].scheme, l->scheme) == 0)
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
