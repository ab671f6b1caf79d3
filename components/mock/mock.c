#include "runtime/component.h"

/* Camel 4's mock endpoint options; expectations are set from tests through
 * components/mock/mock.h. */
static const struct drom_option options[] = {
    {.name = "expectedCount", .type = DROM_OPT_INT, .def = "-1", .group = "producer",
     .doc = "Number of messages expected (-1: no expectation)"},
    {.name = "retainFirst", .type = DROM_OPT_INT, .def = "-1", .group = "producer",
     .doc = "Keep only the first N received exchanges (-1: all)"},
    {.name = "retainLast", .type = DROM_OPT_INT, .def = "-1", .group = "producer",
     .doc = "Keep only the last N received exchanges (-1: all)"},
    {.name = "resultWaitTime", .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "Maximum time to wait for the expectations (0: the test's own deadline)"},
    {.name = "resultMinimumWaitTime", .type = DROM_OPT_DURATION, .def = "0", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Minimum time to wait for the expectations"},
    {.name = "assertPeriod", .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "After the expectations are met, keep checking they still hold for this long"},
    {.name = "sleepForEmptyTest", .type = DROM_OPT_DURATION, .def = "0", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Sleep before checking an expectation of 0 messages"},
    {.name = "failFast", .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Fail the assertion as soon as an expectation is broken"},
    {.name = "copyOnExchange", .type = DROM_OPT_BOOL, .def = "true", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Record a copy of each exchange (always the case here)"},
    {.name = "log", .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Log every received exchange at INFO"},
    {.name = "reportGroup", .type = DROM_OPT_INT, .group = "producer",
     .doc = "Log a throughput line every N messages"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_mock = {
    .name = "mock",
    .title = "Expectations for route tests",
    .path_syntax = "name",
    .path_required = true,
    .roles = DROM_ROLE_PRODUCER,
    .options = options,
};
