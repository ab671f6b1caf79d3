#include <string.h>

#include "components/registry.h"

extern const struct drom_component drom_component_mysql_binlog, drom_component_debezium_mysql,
    drom_component_kafka, drom_component_amqp, drom_component_log, drom_component_file,
    drom_component_timer, drom_component_direct, drom_component_seda, drom_component_mock;

static const struct drom_component *const components[] = {
    &drom_component_mysql_binlog,
    &drom_component_debezium_mysql,
    &drom_component_kafka,
    &drom_component_amqp,
    &drom_component_log,
    &drom_component_file,
    &drom_component_timer,
    &drom_component_direct,
    &drom_component_seda,
    &drom_component_mock,
};

const struct drom_component *const *drom_registry_all(size_t *n)
{
    *n = sizeof components / sizeof components[0];
    return components;
}

const struct drom_component *drom_registry_find(const char *scheme)
{
    for (size_t i = 0; i < sizeof components / sizeof components[0]; i++) {
        const struct drom_component *c = components[i];
        if (strcmp(c->name, scheme) == 0)
            return c;
        for (const char *const *a = c->aliases; a && *a; a++)
            if (strcmp(*a, scheme) == 0)
                return c;
    }
    return NULL;
}
