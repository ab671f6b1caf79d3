#include <string.h>

#include "components/registry.h"
#include "runtime/offset_store.h"

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

extern const struct drom_offset_backend drom_offset_backend_kafka;

static const struct drom_offset_backend *const offset_backends[] = {
    &drom_offset_backend_file,
    &drom_offset_backend_kafka,
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

const struct drom_offset_backend *drom_registry_offset_backend(const char *name)
{
    for (size_t i = 0; i < sizeof offset_backends / sizeof offset_backends[0]; i++)
        if (strcmp(offset_backends[i]->name, name) == 0)
            return offset_backends[i];
    return NULL;
}
