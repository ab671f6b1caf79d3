/* stub: Camel's stand-in for any endpoint while a route is developed or
 * tested: put "stub:" in front of a URI (stub:smtp://mail?user=x,
 * stub:kafka:orders?brokers=...) and the route runs without connecting
 * anywhere. Every query parameter is the stubbed endpoint's: accepted and
 * not used. What a producer sends goes, as a copy, to the route consuming
 * the same stub URI (asynchronously, as Camel's seda-based stub does), or
 * nowhere when no route does; both are counted. */
#include "runtime/component.h"
#include "runtime/engine.h"

struct stub_conf {
    struct drom_optpairs stubbed;   /* the stubbed endpoint's options, not used */
};

static const struct drom_option options[] = {
    {.name = "", DROM_OPT_AT(struct stub_conf, stubbed), .type = DROM_OPT_STRING, .flags = DROM_OPT_PREFIX,
     .group = "common", .doc = "Any option of the stubbed endpoint: accepted and not used"},
    DROM_OPTIONS_END,
};

static void stub_link(const char *path, const void *conf, unsigned role, struct drom_link *out)
{
    /* a stubbed producer needs no consumer, but stub_start takes only one */
    out->checks = DROM_LINK_ONE_CONSUMER;
}

static int stub_start(struct drom_endpoint *ep, struct drom_error *err)
{
    if (drom_consumer_slot_claim(ep->state, ep) < 0)
        return drom_err(err, DROM_EINVAL, "stub:%s already has a consumer", ep->path);
    return 0;
}

static enum drom_status stub_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct drom_endpoint *consumer = drom_consumer_slot_get(ep->state);
    if (!consumer) {
        drom_endpoint_count(ep, "stub_unconsumed", 1);
        return DROM_DONE;
    }
    /* on the engine thread submit never waits for the window: no deadlock
     * when the consuming route is busy */
    if (drom_consumer_submit(consumer, drom_exchange_copy(ex), NULL, err) < 0)
        return DROM_FAIL;
    drom_endpoint_count(ep, "stub_passed", 1);
    return DROM_DONE;
}

const struct drom_component drom_component_stub = {
    .name = "stub",
    .title = "Stand-in for any endpoint while developing or testing: connects nowhere, ignores its options",
    .path_syntax = "uri",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .flags = DROM_COMP_INTERNAL,
    .options = options,
    .conf_size = sizeof(struct stub_conf),
    .link = stub_link,
    .create = drom_consumer_slot_create,
    .start = stub_start,
    .stop = drom_consumer_slot_stop,
    .produce = stub_produce,
};
