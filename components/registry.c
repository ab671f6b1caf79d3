#include <string.h>

#include "components/registry.h"
#include "runtime/offset_store.h"

/* One line a component, in catalog order: the name of its struct after
 * drom_component_ (declared here, defined in its folder). */
#define COMPONENTS(X)   \
    X(mysql_binlog)     \
    X(debezium_mysql)   \
    X(kafka)            \
    X(amqp)             \
    X(log)              \
    X(file)             \
    X(timer)            \
    X(direct)           \
    X(seda)             \
    X(mock)             \
    X(stub)             \
    /* a new component: one line above this one */

#define DECLARE(name) extern const struct drom_component drom_component_##name;
#define ENTRY(name) &drom_component_##name,

COMPONENTS(DECLARE)

static const struct drom_component *const components[] = {COMPONENTS(ENTRY)};

/* Offset-store backends likewise: drom_offset_backend_<name>, chosen by a
 * source's offsetStorage value. */
#define OFFSET_BACKENDS(X) \
    X(file)                \
    X(kafka)               \
    /* a new backend: one line above this one */

#define DECLARE_BACKEND(name) extern const struct drom_offset_backend drom_offset_backend_##name;
#define BACKEND(name) &drom_offset_backend_##name,

OFFSET_BACKENDS(DECLARE_BACKEND)

static const struct drom_offset_backend *const offset_backends[] = {OFFSET_BACKENDS(BACKEND)};

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
