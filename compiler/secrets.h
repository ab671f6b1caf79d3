/* Secrets at load time. A compiled graph keeps the `{{placeholder}}` of
 * every secret option (passwords, SASL credentials, ...) instead of its
 * value; dromd calls drom_graph_resolve_secrets once after compiling the
 * XML or reading the graph JSON, with its own properties and environment.
 * A secret that was written literally in the route was masked (`xxxxxx`)
 * in the graph file and cannot be recovered: that is an error naming the
 * option.
 *
 * The resolved values live in the graph's arena (never in a URI string:
 * uri and uri_masked keep placeholders or the mask). Call it once, before
 * the engine reads the graph; not thread-safe against readers. */
#ifndef DROM_COMPILER_SECRETS_H
#define DROM_COMPILER_SECRETS_H

#include "dsl/placeholder.h"
#include "runtime/error.h"
#include "runtime/graph.h"

int drom_graph_resolve_secrets(struct drom_graph *g, const struct drom_placeholder_ctx *ph, struct drom_error *err);

#endif
