/* The one reader of route files: XML text -> the route AST (dsl/ast.h).
 *
 * Hardened against hostile input: any DOCTYPE is refused (so no DTD, no
 * external or internal entities, no XXE, no billion laughs), no network,
 * no XInclude, elements nested at most DROM_XML_MAX_DEPTH deep, files of at
 * most DROM_XML_MAX_SIZE bytes, UTF-8 only (a UTF-8 BOM is accepted, the
 * encoding declaration is ignored). Errors are one line, located
 * (`err->file`, `err->line`, `err->col`, 1-based, columns in characters)
 * and never printed: libxml2's messages are captured, not sent to stderr.
 *
 * Attributes in the XML Schema instance namespace (xsi:schemaLocation …)
 * are dropped, as Camel ignores them. Attribute values and text arrive
 * with entity and character references decoded.
 *
 * Ownership: on success `out` holds the tree in its own arena; release it
 * with drom_ast_free. On failure `out` is left empty (nothing to free).
 * Thread-safe: each call uses its own parser context. */
#ifndef DROM_DSL_XML_H
#define DROM_DSL_XML_H

#include <stddef.h>

#include "dsl/ast.h"
#include "runtime/error.h"

#define DROM_XML_MAX_SIZE  (16u * 1024u * 1024u)   /* bytes in one route file */
#define DROM_XML_MAX_DEPTH 200                     /* elements nested */

int drom_xml_parse_file(const char *path, struct drom_ast *out, struct drom_error *err);
/* `name` is used in locations and stored as the AST's file name. */
int drom_xml_parse_mem(const char *data, size_t len, const char *name, struct drom_ast *out,
                       struct drom_error *err);

#endif
