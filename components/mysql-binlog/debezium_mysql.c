#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_debezium_mysql = {
    .name = "debezium-mysql",
    .title = "Camel's debezium-mysql: the row after the change, with Camel's Debezium headers",
    .path_syntax = "name",
    .roles = DROM_ROLE_CONSUMER,
    .options = options,
};
