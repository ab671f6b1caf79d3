#include "runtime/component.h"

/* Camel 4's timer endpoint options and defaults. */
static const struct drom_option options[] = {
    {.name = "period", .type = DROM_OPT_DURATION, .def = "1000", .group = "consumer",
     .doc = "Milliseconds between firings (0: fire as fast as possible)"},
    {.name = "delay", .type = DROM_OPT_DURATION, .def = "1000", .group = "consumer",
     .doc = "Milliseconds before the first firing"},
    {.name = "repeatCount", .type = DROM_OPT_INT, .def = "0", .group = "consumer",
     .doc = "Maximum number of firings (0 or negative: forever)"},
    {.name = "fixedRate", .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Fire at a fixed rate (catch up after a late firing) instead of a fixed delay"},
    {.name = "includeMetadata", .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Include metadata headers (CamelTimerName, CamelTimerPeriod, CamelTimerCounter, ...)"},
    {.name = "synchronous", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "advanced", .doc = "Synchronous processing"},
    {.name = "daemon", .type = DROM_OPT_BOOL, .def = "true", .flags = DROM_OPT_IGNORED, .group = "advanced",
     .doc = "Whether the timer thread is a daemon thread"},
    {.name = "runLoggingLevel", .type = DROM_OPT_STRING, .def = "TRACE", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Level of the start/end logging of each firing"},
    {.name = "time", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "advanced",
     .doc = "A date for the first event (not supported; use delay)"},
    {.name = "pattern", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "advanced",
     .doc = "Date pattern for the time option"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_timer = {
    .name = "timer",
    .title = "Fire exchanges on a timer",
    .path_syntax = "timerName",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER,
    .options = options,
};
