#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

static const char *const aliases[] = {"sjms2", NULL};
const struct drom_component drom_component_amqp = {
    .name = "amqp",
    .aliases = aliases,
    .title = "Send to and receive from an AMQP 1.0 broker (ActiveMQ Artemis)",
    .path_syntax = "[queue:|topic:]destinationName",
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
};
