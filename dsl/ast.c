#include <string.h>

#include "dsl/ast.h"

const struct drom_ast_attr *drom_ast_attr_find(const struct drom_ast_node *n, const char *name)
{
    if (!n || !name)
        return NULL;
    for (size_t i = 0; i < n->nattrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

const char *drom_ast_attr(const struct drom_ast_node *n, const char *name)
{
    const struct drom_ast_attr *a = drom_ast_attr_find(n, name);
    return a ? a->value : NULL;
}

void drom_ast_free(struct drom_ast *ast)
{
    if (!ast)
        return;
    drom_arena_free(&ast->arena);
    ast->file = NULL;
    ast->root = NULL;
}
