#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_timer = {
    .name = "timer",
    .title = "Fire exchanges on a timer",
    .path_syntax = "timerName",
    .roles = DROM_ROLE_CONSUMER,
    .options = options,
};
