/* What dromd calls to get a runnable graph from its command line: a route
 * file (Camel XML, compiled in memory with every check of dromc validate)
 * or a graph file written by `dromc compile` (JSON, recognised by its
 * first character '{'), then every secret placeholder resolved
 * (compiler/secrets.h) with the same properties and environment.
 *
 * Problems go into `diags` (XML: all of them, file:line:col; JSON: the
 * first, with its JSON path). Returns 0 with *out filled (free it with
 * drom_graph_free), or -1 with *out empty. Thread-safe as the compiler is. */
#ifndef DROM_COMPILER_LOAD_H
#define DROM_COMPILER_LOAD_H

#include "compile.h"

int drom_graph_load(const char *path, const struct drom_compile_opts *opts, struct drom_graph *out,
                    struct drom_diags *diags);

#endif
