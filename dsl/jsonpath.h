/* The jsonpath subset: $, .name, ['name'], [N], [-N], [*], .* */
#ifndef DROM_DSL_JSONPATH_H
#define DROM_DSL_JSONPATH_H

#include <stddef.h>

#include "runtime/error.h"
#include "runtime/expr.h"

/* Parses text[0..len) into the steps of `e` (a DROM_EXPR_JSONPATH node).
 * On error returns -1 with the message in err and the byte offset of the
 * fault inside text in *errpos (the caller turns it into line:col). */
int drom_jsonpath_parse(const char *text, size_t len, struct drom_expr *e, size_t *errpos,
                        struct drom_error *err);

#endif
