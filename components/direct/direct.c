#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_direct = {
    .name = "direct",
    .title = "Synchronous call to another route in the same dromd",
    .path_syntax = "name",
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
};
