/* direct: a synchronous call of another route of the same engine. The
 * consumer registers itself by name while started; the producer runs that
 * route on the same exchange on the engine thread and finishes when it
 * does (its failure becomes the caller's). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/component.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

/* Camel 4's direct endpoint options and defaults. */
struct direct_conf {
    bool fail_if_no_consumers;
};

#define AT(f) DROM_OPT_AT(struct direct_conf, f)

static const struct drom_option options[] = {
    {.name = "failIfNoConsumers", AT(fail_if_no_consumers), .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Fail the exchange when there is no active consumer (else it is dropped with a warning)"},
    {.name = "block", .type = DROM_OPT_BOOL, .def = "true", .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "Block while the consumer is not started (routes start together here)"},
    {.name = "timeout", .type = DROM_OPT_DURATION, .def = "30000", .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "Timeout of block"},
    {.name = "synchronous", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED, .group = "advanced",
     .doc = "Synchronous processing (direct always calls the consumer route on the engine thread)"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},
    DROM_OPTIONS_END,
};

static void direct_link(const char *path, const void *conf, unsigned role, struct drom_link *out)
{
    out->checks = DROM_LINK_NEEDS_CONSUMER | DROM_LINK_ONE_CONSUMER;
}

static int direct_start(struct drom_endpoint *ep, struct drom_error *err)
{
    if (drom_consumer_slot_claim(ep->state, ep) < 0)
        return drom_err(err, DROM_EINVAL, "Cannot add a 2nd consumer to the same endpoint: direct://%s", ep->path);
    return 0;
}

static enum drom_status direct_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct drom_endpoint *consumer = drom_consumer_slot_get(ep->state);
    if (!consumer) {
        if (((const struct direct_conf *)ep->conf)->fail_if_no_consumers) {
            drom_err(err, DROM_ESTATE, "No consumers available on endpoint: direct://%s", ep->path);
            return DROM_FAIL;
        }
        drom_warn(ep->route_id, "No consumers available on endpoint: direct://%s; the message is dropped", ep->path);
        return DROM_DONE;
    }
    return drom_engine_call_route(consumer, ex, err);
}

const struct drom_component drom_component_direct = {
    .name = "direct",
    .title = "Synchronous call of another route",
    .path_syntax = "name",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .flags = DROM_COMP_INTERNAL,
    .options = options,
    .conf_size = sizeof(struct direct_conf),
    .link = direct_link,
    .create = drom_consumer_slot_create,
    .start = direct_start,
    .stop = drom_consumer_slot_stop,
    .produce = direct_produce,
};
