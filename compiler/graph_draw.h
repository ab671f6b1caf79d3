/* Pictures of the route graph: Graphviz DOT (`dromc graph | dot -Tsvg`) and
 * Mermaid (for Markdown pages). Each route is a cluster (subgraph) holding
 * its from endpoint and its processors in order; nested blocks (filter,
 * choice, split, multicast) fan out to their children. Dashed edges link
 * routes: a producer to every route consuming what it sends, as its
 * component's link description says (compiler/linkdesc.h). Endpoint labels use the
 * masked URIs: no secret is ever drawn. Output is deterministic. */
#ifndef DROM_COMPILER_GRAPH_DRAW_H
#define DROM_COMPILER_GRAPH_DRAW_H

#include <stdio.h>

#include "runtime/graph.h"

void drom_graph_write_dot(const struct drom_graph *g, FILE *out);
void drom_graph_write_mermaid(const struct drom_graph *g, FILE *out);

#endif
