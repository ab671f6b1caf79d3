/* The route AST: the XML element tree of a route file, each node with its
 * file:line:column, as the hardened reader (dsl/xml.h) produced it. Syntax
 * only: what an element means is the compiler's business. Everything lives
 * in the AST's arena. */
#ifndef DROM_DSL_AST_H
#define DROM_DSL_AST_H

#include <stddef.h>

#include "runtime/arena.h"

struct drom_ast_attr {
    const char *name;      /* local name (no prefix) */
    const char *value;     /* entity references already decoded by XML rules */
    int line, col;         /* of the attribute name */
};

struct drom_ast_node {
    const char *name;      /* local name, e.g. "route" */
    const char *ns;        /* namespace URI, NULL when none */
    const char *file;
    int line, col;         /* of the '<' that opens the element */
    struct drom_ast_attr *attrs;
    size_t nattrs;
    const char *text;      /* the element's own text content (CDATA included), NULL when none or only white space */
    int text_line, text_col;
    struct drom_ast_node **children;   /* elements only, in order */
    size_t nchildren;
    struct drom_ast_node *parent;
};

struct drom_ast {
    struct drom_arena arena;
    const char *file;
    struct drom_ast_node *root;
};

const char *drom_ast_attr(const struct drom_ast_node *n, const char *name);   /* NULL when absent */
const struct drom_ast_attr *drom_ast_attr_find(const struct drom_ast_node *n, const char *name);
void drom_ast_free(struct drom_ast *ast);

#endif
