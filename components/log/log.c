#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_log = {
    .name = "log",
    .title = "Log exchanges",
    .path_syntax = "loggerName",
    .roles = DROM_ROLE_PRODUCER,
    .options = options,
};
