/* The compiler: a route file (Camel XML DSL) -> the route graph
 * (runtime/graph.h). It reads the XML (dsl/xml.h), checks every element,
 * attribute, endpoint URI, option, placeholder and expression, binds each
 * endpoint to its component through the registry, links direct:/seda:
 * producers to consumers, and lowers the result.
 *
 * Every problem goes into a struct drom_diags (compiler/diag.h), sorted in
 * file order: all errors of a file, not only the first. Warnings (an option
 * accepted for Camel compatibility and ignored, a secret written literally)
 * do not fail the compilation.
 *
 * Secrets: an option marked DROM_OPT_SECRET keeps its `{{…}}` placeholder
 * text in the graph (the compiler checks that it would resolve);
 * drom_graph_resolve_secrets (compiler/secrets.h) replaces it when dromd
 * loads the graph. A secret written literally stays in the in-memory graph
 * but is masked in every URI string and in the graph JSON, with a warning.
 *
 * Ownership: on success *out owns everything in its arena; release it with
 * drom_graph_free. On failure *out is left empty. Borrowed: props, diags.
 * Thread-safe: compilations share nothing. */
#ifndef DROM_COMPILER_COMPILE_H
#define DROM_COMPILER_COMPILE_H

#include <stddef.h>

#include "diag.h"
#include "dsl/properties.h"
#include "runtime/graph.h"

struct drom_compile_opts {
    const struct drom_props *props;   /* --properties FILE and -D; NULL for none */
    /* Environment for {{env:X}}; NULL means getenv(3) (tests inject their own). */
    const char *(*env)(const char *name, void *env_ctx);
    void *env_ctx;
};

/* Returns 0 when the file has no error (warnings allowed), else -1. */
int drom_compile_file(const char *path, const struct drom_compile_opts *opts, struct drom_graph *out,
                      struct drom_diags *diags);
/* `name` is the file name used in messages and stored as the graph's source. */
int drom_compile_mem(const char *data, size_t len, const char *name, const struct drom_compile_opts *opts,
                     struct drom_graph *out, struct drom_diags *diags);

#endif
