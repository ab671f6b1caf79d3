/* setHeader, setProperty, setBody: the value of the expression, typed as
 * the expression made it (a JSON value stays JSON). */
#include "runtime/engine_int.h"

static enum eip_result set_in(struct xctx *x, struct eng_step *s, struct drom_headers *h)
{
    const char *name = drom_step_param(s->g, "name");
    if (!name) {
        x_fail(x, DROM_EINVAL, false, "%s has no name", drom_step_kind_name(s->kind));
        return EIP_FAIL;
    }
    struct drom_value v;
    if (x_eval(x, s, &v) < 0)
        return EIP_FAIL;
    drom_headers_set(h, name, &v);
    drom_value_clear(&v);
    return EIP_NEXT;
}

enum eip_result eip_set_header(struct xctx *x, struct eng_step *s)
{
    return set_in(x, s, &x->ex->headers);
}

enum eip_result eip_set_property(struct xctx *x, struct eng_step *s)
{
    return set_in(x, s, &x->ex->props);
}

enum eip_result eip_set_body(struct xctx *x, struct eng_step *s)
{
    struct drom_value v;
    if (x_eval(x, s, &v) < 0)
        return EIP_FAIL;
    x_set_body_value(x->ex, &v);
    drom_value_clear(&v);
    return EIP_NEXT;
}
