/* Placeholder until the expression module lands: every evaluation fails. */
#include <stdlib.h>

#include "runtime/expr.h"

int drom_expr_eval(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                   struct drom_value *out, struct drom_error *err)
{
    return drom_err(err, DROM_EINTERNAL, "expressions are not available yet");
}

int drom_expr_eval_bool(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                        bool *out, struct drom_error *err)
{
    return drom_err(err, DROM_EINTERNAL, "expressions are not available yet");
}

int drom_expr_eval_str(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                       char **out, struct drom_error *err)
{
    return drom_err(err, DROM_EINTERNAL, "expressions are not available yet");
}

void drom_expr_free(struct drom_expr *e)
{
    free(e);
}
