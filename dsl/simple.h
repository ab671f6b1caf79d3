/* Parsers for the expression languages of the XML DSL: simple, constant,
 * header and jsonpath (docs/expressions.md). Text in, an immutable tree of
 * runtime/expr.h nodes out. */
#ifndef DROM_DSL_SIMPLE_H
#define DROM_DSL_SIMPLE_H

#include "runtime/error.h"
#include "runtime/expr.h"

/* Parses `text` in `language` ("simple", "constant", "header", "jsonpath").
 * PREDICATE mode reads a condition (filter, when); VALUE mode reads a
 * template (setBody, setHeader, log). Leading and trailing white space is
 * ignored, as Camel's trim=true default does.
 *
 * Returns a tree the caller owns (drom_expr_free), or NULL with err set:
 * err->line/err->col are 1-based inside `text`, err->file is empty, so the
 * caller adds the file and shifts by where the text starts. */
struct drom_expr *drom_expr_parse(const char *language, const char *text, enum drom_expr_mode mode,
                                  struct drom_error *err);

#endif
