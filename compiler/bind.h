/* Binding one endpoint URI at run time, for toD: the URI goes through the
 * same checks as a <to uri="…"> in a route file (component, options, types,
 * camel.component.* properties) and its secrets are resolved, so a dynamic
 * endpoint can never take an option a static one could not.
 *
 * Ownership: everything *out points to is allocated from `arena`. Borrowed:
 * uri, opts. Thread-safe: bindings share nothing. */
#ifndef DROM_COMPILER_BIND_H
#define DROM_COMPILER_BIND_H

#include "compiler/compile.h"
#include "runtime/arena.h"
#include "runtime/graph.h"

int drom_bind_uri(const char *uri, const struct drom_compile_opts *opts, struct drom_arena *arena,
                  struct drom_gendpoint *out, struct drom_error *err);

#endif
