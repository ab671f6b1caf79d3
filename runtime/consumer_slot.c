/* One consumer per name among the endpoints of an engine, for components
 * whose producers hand their exchanges to a route of the same engine
 * (direct:, stub:). Engine thread only, so no lock. */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/engine.h"
#include "runtime/xalloc.h"

struct drom_consumer_slot {
    struct drom_endpoint *consumer;
};

static void *slot_new(void *arg)
{
    return drom_xcalloc(1, sizeof(struct drom_consumer_slot));
}

struct drom_consumer_slot *drom_engine_consumer_slot(struct drom_endpoint *ep)
{
    char key[512];
    snprintf(key, sizeof key, "consumer %s:%s", ep->comp->name, ep->path);
    return drom_engine_shared(drom_endpoint_engine(ep), key, slot_new, NULL, free);
}

int drom_consumer_slot_claim(struct drom_consumer_slot *s, struct drom_endpoint *ep)
{
    if (s->consumer && s->consumer != ep)
        return -1;
    s->consumer = ep;
    return 0;
}

void drom_consumer_slot_release(struct drom_consumer_slot *s, struct drom_endpoint *ep)
{
    if (s->consumer == ep)
        s->consumer = NULL;
}

struct drom_endpoint *drom_consumer_slot_get(const struct drom_consumer_slot *s)
{
    return s->consumer;
}

int drom_consumer_slot_create(struct drom_endpoint *ep, struct drom_error *err)
{
    (void)err;
    ep->state = drom_engine_consumer_slot(ep);
    return 0;
}

void drom_consumer_slot_stop(struct drom_endpoint *ep)
{
    drom_consumer_slot_release(ep->state, ep);
}
