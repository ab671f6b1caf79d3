#include "runtime/component.h"

static const char *const wait_values[] = {"Never", "IfReplyExpected", "Always", NULL};

/* Camel 4's seda endpoint options and defaults. */
static const struct drom_option options[] = {
    {.name = "size", .type = DROM_OPT_INT, .def = "1000", .min = 1, .max = INT32_MAX, .group = "common",
     .doc = "Maximum capacity of the queue"},
    {.name = "concurrentConsumers", .type = DROM_OPT_INT, .def = "1", .min = 1, .max = 1000, .group = "consumer",
     .doc = "Number of exchanges taken from the queue and processed at the same time"},
    {.name = "blockWhenFull", .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Wait for room when the queue is full (the exchange stays pending) instead of failing"},
    {.name = "discardWhenFull", .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Drop the message when the queue is full, without failing"},
    {.name = "offerTimeout", .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "With blockWhenFull: fail after this long without room (0: wait forever)"},
    {.name = "failIfNoConsumers", .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Fail when sending to a queue without an active consumer"},
    {.name = "discardIfNoConsumers", .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Drop the message when the queue has no active consumer"},
    {.name = "waitForTaskToComplete", .type = DROM_OPT_ENUM, .def = "IfReplyExpected", .values = wait_values,
     .group = "producer", .doc = "Always: the producer completes only when the consumer route finished"},
    {.name = "timeout", .type = DROM_OPT_DURATION, .def = "30000", .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "Timeout of waitForTaskToComplete"},
    {.name = "purgeWhenStopping", .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Drop the queued messages at stop instead of draining them"},
    {.name = "pollTimeout", .type = DROM_OPT_DURATION, .def = "1000", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Poll timeout of the consumer threads (none here: the engine is woken)"},
    {.name = "multipleConsumers", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer", .doc = "Publish-subscribe between several consumers (not supported)"},
    {.name = "limitConcurrentConsumers", .type = DROM_OPT_BOOL, .def = "true", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Cap concurrentConsumers at 500"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_seda = {
    .name = "seda",
    .title = "Asynchronous in-memory queue between routes",
    .path_syntax = "name",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
};
