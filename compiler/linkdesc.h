/* How endpoints link to each other, as their components describe it
 * (struct drom_link in runtime/component.h): the compiler's link checks and
 * the drawings of `dromc graph` ask here and name no component. */
#ifndef DROM_COMPILER_LINKDESC_H
#define DROM_COMPILER_LINKDESC_H

#include <stdbool.h>

#include "runtime/component.h"
#include "runtime/graph.h"

/* The link description of `ep` in `role` (DROM_ROLE_*); false, with
 * out->keys NULL, when its component describes none or its options do not
 * fill the component's struct. Strings in `out` are borrowed from `ep` or
 * static. */
bool drom_link_describe(const struct drom_gendpoint *ep, unsigned role, struct drom_link *out);

/* True when producer `to` reaches consumer `from` (both described, of the
 * same component): one of its keys is one of the consumer's. */
bool drom_link_reaches(const struct drom_gendpoint *to, const struct drom_link *tl, const struct drom_gendpoint *from,
                       const struct drom_link *fl);

#endif
