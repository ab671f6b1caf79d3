/* Compiled expressions (Simple, constant, header, jsonpath) and their
 * evaluation against an exchange. dsl/ parses the text into these nodes;
 * the engine evaluates them. An expression is immutable after building and
 * may be evaluated from several threads at once.
 * (The node layout below is owned by the expression module.) */
#ifndef DROM_RUNTIME_EXPR_H
#define DROM_RUNTIME_EXPR_H

#include <stdbool.h>

#include "runtime/error.h"
#include "runtime/exchange.h"

struct drom_expr;

/* Facts an expression may read besides the exchange. */
struct drom_expr_env {
    const char *route_id;
    const char *camel_context;   /* name for ${camelId}; may be NULL */
};

/* Value of the expression; out is owned by the caller (drom_value_clear). */
int drom_expr_eval(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                   struct drom_value *out, struct drom_error *err);
/* As a predicate, with Camel's truthiness (a non-boolean value is true when
 * it is not null and not the empty string... see docs/expressions.md). */
int drom_expr_eval_bool(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                        bool *out, struct drom_error *err);
/* As text; *out is malloc'ed, caller frees. */
int drom_expr_eval_str(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                       char **out, struct drom_error *err);
void drom_expr_free(struct drom_expr *e);

#endif
