#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_kafka = {
    .name = "kafka",
    .title = "Produce to and consume from Apache Kafka",
    .path_syntax = "topic",
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
};
