#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_mock = {
    .name = "mock",
    .title = "Expectations for route tests",
    .path_syntax = "name",
    .roles = DROM_ROLE_PRODUCER,
    .options = options,
};
