/* Dispatch from step kind to EIP, and what the EIPs share. */
#include <stdlib.h>
#include <string.h>

#include "runtime/engine_int.h"

bool step_param_bool(const struct eng_step *s, const char *name, bool def)
{
    const char *v = s->g ? drom_step_param(s->g, name) : NULL;
    bool b;
    return v && drom_parse_bool(v, &b) == 0 ? b : def;
}

int64_t step_param_int(const struct eng_step *s, const char *name, int64_t def)
{
    const char *v = s->g ? drom_step_param(s->g, name) : NULL;
    int64_t i;
    return v && drom_parse_int(v, &i) == 0 ? i : def;
}

static const struct drom_expr *step_expr(struct xctx *x, const struct drom_gexpr *g, const char *what)
{
    if (!g || !g->expr) {
        x_fail(x, DROM_EINVAL, false, "%s has no compiled expression", what);
        return NULL;
    }
    return g->expr;
}

int x_eval(struct xctx *x, const struct eng_step *s, struct drom_value *out)
{
    memset(out, 0, sizeof *out);
    const struct drom_expr *e = step_expr(x, s->g->expr, drom_step_kind_name(s->kind));
    if (!e)
        return -1;
    struct drom_error err = {0};
    if (drom_expr_eval(e, x->ex, &x->eng->env, out, &err) < 0) {
        x_fail(x, err.code ? err.code : DROM_EINVAL, false, "%s: %s", drom_step_kind_name(s->kind), err.msg);
        return -1;
    }
    return 0;
}

int x_eval_str(struct xctx *x, const struct eng_step *s, char **out)
{
    *out = NULL;
    const struct drom_expr *e = step_expr(x, s->g->expr, drom_step_kind_name(s->kind));
    if (!e)
        return -1;
    struct drom_error err = {0};
    if (drom_expr_eval_str(e, x->ex, &x->eng->env, out, &err) < 0) {
        x_fail(x, err.code ? err.code : DROM_EINVAL, false, "%s: %s", drom_step_kind_name(s->kind), err.msg);
        return -1;
    }
    return 0;
}

int x_eval_bool(struct xctx *x, const struct drom_gexpr *g, const char *what, bool *out)
{
    *out = false;
    const struct drom_expr *e = step_expr(x, g, what);
    if (!e)
        return -1;
    struct drom_error err = {0};
    if (drom_expr_eval_bool(e, x->ex, &x->eng->env, out, &err) < 0) {
        x_fail(x, err.code ? err.code : DROM_EINVAL, false, "%s: %s", what, err.msg);
        return -1;
    }
    return 0;
}

void x_set_body_value(struct drom_exchange *ex, const struct drom_value *v)
{
    char tmp[32];
    switch (v->type) {
    case DROM_V_NULL:
        drom_exchange_set_body_null(ex);
        break;
    case DROM_V_JSON:
        drom_exchange_set_body(ex, v->s, v->len, "application/json");
        break;
    case DROM_V_BYTES:
        drom_exchange_set_body(ex, v->s, v->len, "application/octet-stream");
        break;
    case DROM_V_STRING:
        drom_exchange_set_body(ex, v->s ? v->s : "", v->len, NULL);
        break;
    default: {
        const char *s = drom_value_str(v, tmp, sizeof tmp);
        drom_exchange_set_body(ex, s, strlen(s), NULL);
        break;
    }
    }
}

enum eip_result eip_to(struct xctx *x, struct eng_step *s)
{
    return x_produce(x, s->ep);
}

enum eip_result eip_exec(struct xctx *x, struct eng_step *s)
{
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    switch (s->kind) {
    case DROM_STEP_TO: return eip_to(x, s);
    case DROM_STEP_TOD: return eip_tod(x, s);
    case DROM_STEP_LOG: return eip_log(x, s);
    case DROM_STEP_FILTER: return eip_filter(x, s);
    case DROM_STEP_CHOICE: return eip_choice(x, s);
    case DROM_STEP_SET_HEADER: return eip_set_header(x, s);
    case DROM_STEP_SET_BODY: return eip_set_body(x, s);
    case DROM_STEP_SET_PROPERTY: return eip_set_property(x, s);
    case DROM_STEP_REMOVE_HEADER: return eip_remove_header(x, s);
    case DROM_STEP_REMOVE_HEADERS: return eip_remove_headers(x, s);
    case DROM_STEP_MARSHAL: return eip_marshal(x, s);
    case DROM_STEP_UNMARSHAL: return eip_unmarshal(x, s);
    case DROM_STEP_CONVERT_BODY_TO: return eip_convert_body_to(x, s);
    case DROM_STEP_MULTICAST: return eip_multicast(x, s);
    case DROM_STEP_WIRETAP: return eip_wiretap(x, s);
    case DROM_STEP_SPLIT: return eip_split(x, s);
    case DROM_STEP_THROTTLE: return eip_throttle(x, s);
    case DROM_STEP_DELAY: return eip_delay(x, s);
    case DROM_STEP_STOP: return EIP_STOP;
    case DROM_STEP_WHEN:
    case DROM_STEP_OTHERWISE:
    default:
        x_fail(x, DROM_EINTERNAL, false, "step %s cannot run here", drom_step_kind_name(s->kind));
        return EIP_FAIL;
    }
}
