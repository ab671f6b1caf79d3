/* libFuzzer target: the route-file reader must never crash, leak or hang,
 * and whatever it accepts must be a consistent tree. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "dsl/xml.h"

static void check(const struct drom_ast_node *n, const struct drom_ast_node *parent)
{
    /* iterative enough: depth is bounded by DROM_XML_MAX_DEPTH */
    assert(n->name && n->parent == parent && n->line > 0 && n->col > 0);
    for (size_t i = 0; i < n->nattrs; i++)
        assert(n->attrs[i].name && n->attrs[i].value && n->attrs[i].line > 0);
    assert(!n->text || (n->text_line > 0 && n->text_col > 0));
    for (size_t i = 0; i < n->nchildren; i++)
        check(n->children[i], n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct drom_ast ast;
    struct drom_error err = {0};
    if (drom_xml_parse_mem((const char *)data, size, "fuzz.xml", &ast, &err) == 0) {
        check(ast.root, NULL);
        drom_ast_free(&ast);
    } else {
        assert(err.msg[0]);
    }
    return 0;
}
