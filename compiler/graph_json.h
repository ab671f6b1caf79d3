/* The route graph as JSON ("format": 1), documented field by field in
 * docs/graph-format.md: what `dromc compile` writes and what dromd loads
 * instead of the XML.
 *
 * The writer never puts a secret in the text: a secret option keeps its
 * `{{placeholder}}`, and any other value of it (written literally in the
 * route, or already resolved) becomes `xxxxxx`. Only given options are
 * written; the reader fills defaults from the component tables.
 *
 * The reader checks everything it reads (format version, step kinds,
 * components, options against their tables, expressions) and reports the
 * first problem with its JSON path: `FILE: $.routes[0].steps[2].kind: ...`.
 *
 * Ownership: on success the reader fills *out (free it with
 * drom_graph_free); on failure *out is left empty. The writer borrows the
 * graph; drom_graph_json_dumps returns a string the caller frees. */
#ifndef DROM_COMPILER_GRAPH_JSON_H
#define DROM_COMPILER_GRAPH_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "runtime/error.h"
#include "runtime/graph.h"

char *drom_graph_json_dumps(const struct drom_graph *g);
int drom_graph_json_write(const struct drom_graph *g, FILE *out, struct drom_error *err);

/* `name` is used in messages. */
int drom_graph_json_read(const char *data, size_t len, const char *name, struct drom_graph *out,
                         struct drom_error *err);
int drom_graph_json_read_file(const char *path, struct drom_graph *out, struct drom_error *err);

#endif
