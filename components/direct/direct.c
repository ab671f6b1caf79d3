#include "runtime/component.h"

/* Camel 4's direct endpoint options and defaults. */
static const struct drom_option options[] = {
    {.name = "failIfNoConsumers", .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
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

const struct drom_component drom_component_direct = {
    .name = "direct",
    .title = "Synchronous call of another route",
    .path_syntax = "name",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
};
