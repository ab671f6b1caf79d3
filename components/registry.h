/* The one table of components, and of offset-store backends. Adding a
 * component (or a backend) is one line of a list in registry.c plus its
 * own folder. */
#ifndef DROM_COMPONENTS_REGISTRY_H
#define DROM_COMPONENTS_REGISTRY_H

#include <stddef.h>

#include "runtime/component.h"

/* By scheme, aliases included; NULL when unknown. */
const struct drom_component *drom_registry_find(const char *scheme);
/* Every component, in catalog order; *n gets the count. */
const struct drom_component *const *drom_registry_all(size_t *n);

struct drom_offset_backend;
/* The offset-store backend registered as `name` (a source's offsetStorage
 * value); NULL when unknown. */
const struct drom_offset_backend *drom_registry_offset_backend(const char *name);

#endif
