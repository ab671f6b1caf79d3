/* errorHandler (deadLetterChannel, defaultErrorHandler, noErrorHandler),
 * onException and redeliveryPolicy. */
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "runtime/option.h"
#include "runtime/xalloc.h"

void cc_default_error_handler(struct drom_error_handler *eh)
{
    *eh = (struct drom_error_handler){
        .kind = DROM_EH_DEFAULT,
        .redelivery = {
            .maximum_redeliveries = 0,
            .redelivery_delay_ms = 1000,
            .back_off_multiplier = 2.0,
            .use_exponential_backoff = false,
            .maximum_redelivery_delay_ms = 60000,
            .log_exhausted = true,
        },
    };
}

static void redelivery(struct cc *c, const struct drom_ast_node *n, struct drom_redelivery *r)
{
    const struct drom_elem_spec *spec = drom_elem_find("redeliveryPolicy");
    const char **vals = cc_check_attrs(c, n, spec);
    for (size_t i = 0; i < n->nchildren; i++)
        cc_error(c, n->children[i]->line, n->children[i]->col, "<redeliveryPolicy> takes no child elements");
    int64_t v;
    const char *s;
    if ((s = cc_attr(n, vals, spec, "maximumRedeliveries")) && drom_parse_int(s, &v) == 0) {
        if (v < -1 || v > 1000000000) {
            const struct drom_ast_attr *a = drom_ast_attr_find(n, "maximumRedeliveries");
            cc_error(c, a->line, a->col, "maximumRedeliveries must be -1 (forever) or 0..1000000000, got '%s'", s);
        } else {
            r->maximum_redeliveries = (int)v;
        }
    }
    if ((s = cc_attr(n, vals, spec, "redeliveryDelay")) && drom_parse_duration_ms(s, &v) == 0)
        r->redelivery_delay_ms = v;
    if ((s = cc_attr(n, vals, spec, "maximumRedeliveryDelay")) && drom_parse_duration_ms(s, &v) == 0)
        r->maximum_redelivery_delay_ms = v;
    if ((s = cc_attr(n, vals, spec, "backOffMultiplier")))
        r->back_off_multiplier = strtod(s, NULL);
    r->use_exponential_backoff = cc_attr_bool(n, vals, spec, "useExponentialBackOff");
    r->log_exhausted = cc_attr_bool(n, vals, spec, "logExhausted");
}

/* deadLetterChannel / defaultErrorHandler / noErrorHandler */
static void handler_kind(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec,
                         struct drom_error_handler *eh)
{
    const char **vals = cc_check_attrs(c, n, spec);
    eh->loc = cc_loc(c, n->line, n->col);
    if (strcmp(n->name, "noErrorHandler") == 0) {
        eh->kind = DROM_EH_NONE;
    } else if (strcmp(n->name, "deadLetterChannel") == 0) {
        eh->kind = DROM_EH_DEAD_LETTER;
        const struct drom_ast_attr *a = drom_ast_attr_find(n, "deadLetterUri");
        if (a)
            eh->dead_letter = cc_endpoint(c, a, DROM_ROLE_PRODUCER);
    } else {
        eh->kind = DROM_EH_DEFAULT;
    }
    eh->use_original_message = cc_attr_bool(n, vals, spec, "useOriginalMessage");
    const struct drom_ast_node *policy = NULL;
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        if (!cc_check_child(c, n, spec, k))
            continue;
        if (policy) {
            cc_error(c, k->line, k->col, "a second <redeliveryPolicy> (the first is at line %d)", policy->line);
            continue;
        }
        policy = k;
        redelivery(c, k, &eh->redelivery);
    }
}

int cc_error_handler(struct cc *c, const struct drom_ast_node *n, struct drom_error_handler *out)
{
    size_t nerr = c->diags->nerrors;
    const struct drom_elem_spec *spec = drom_elem_find("errorHandler");
    cc_check_attrs(c, n, spec);
    cc_default_error_handler(out);
    out->loc = cc_loc(c, n->line, n->col);
    const struct drom_ast_node *kind = NULL;
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        const struct drom_elem_spec *ks = cc_check_child(c, n, spec, k);
        if (!ks)
            continue;
        if (kind) {
            cc_error(c, k->line, k->col, "<errorHandler> holds one handler; <%s> is a second one", k->name);
            continue;
        }
        kind = k;
        handler_kind(c, k, ks, out);
    }
    if (!kind && n->nchildren == 0)
        cc_error(c, n->line, n->col,
                 "<errorHandler> needs one of <deadLetterChannel>, <defaultErrorHandler>, <noErrorHandler>");
    return c->diags->nerrors == nerr ? 0 : -1;
}

int cc_on_exception(struct cc *c, const struct drom_ast_node *n, struct drom_on_exception *out)
{
    size_t nerr = c->diags->nerrors;
    const struct drom_elem_spec *spec = drom_elem_find("onException");
    cc_check_attrs(c, n, spec);
    *out = (struct drom_on_exception){.loc = cc_loc(c, n->line, n->col)};
    out->redelivery = (struct drom_redelivery){.redelivery_delay_ms = 1000, .back_off_multiplier = 2.0,
                                               .maximum_redelivery_delay_ms = 60000, .log_exhausted = true};
    const char **names = drom_xcalloc(n->nchildren + 1, sizeof *names);
    size_t nn = 0;
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        const struct drom_elem_spec *ks = drom_elem_find(k->name);
        if (!ks || !drom_elem_allows_child(spec, ks) || ks->role == DROM_EL_STEP)
            continue;   /* reported, or lowered, by cc_steps below */
        if (strcmp(k->name, "exception") == 0) {
            cc_check_attrs(c, k, ks);
            const char *t = k->text;
            while (t && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
                t++;
            size_t len = t ? strlen(t) : 0;
            while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\n' || t[len - 1] == '\r'))
                len--;
            if (!len)
                cc_error(c, k->line, k->col, "<exception> needs a class name such as java.lang.Exception");
            else
                names[nn++] = drom_arena_strndup(c->a, t, len);
        } else if (strcmp(k->name, "handled") == 0 || strcmp(k->name, "continued") == 0) {
            cc_check_attrs(c, k, ks);
            struct drom_gexpr *e = NULL;
            if (k->nchildren && drom_elem_find(k->children[0]->name) &&
                drom_elem_find(k->children[0]->name)->role == DROM_EL_EXPRESSION)
                e = cc_expr(c, k->children[0], DROM_EXPR_PREDICATE);
            else
                cc_error(c, k->line, k->col, "<%s> needs an expression such as <constant>true</constant>", k->name);
            for (size_t j = 1; j < k->nchildren; j++)
                cc_error(c, k->children[j]->line, k->children[j]->col, "<%s> takes one expression", k->name);
            if (strcmp(k->name, "handled") == 0)
                out->handled = e;
            else
                out->continued = e;
        } else if (strcmp(k->name, "redeliveryPolicy") == 0) {
            if (out->has_redelivery)
                cc_error(c, k->line, k->col, "a second <redeliveryPolicy> in <onException>");
            out->has_redelivery = true;
            redelivery(c, k, &out->redelivery);
        }
    }
    if (!nn && c->diags->nerrors == nerr)
        cc_error(c, n->line, n->col, "<onException> needs at least one <exception> class name");
    if (nn) {
        out->exceptions = drom_arena_alloc(c->a, nn * sizeof *out->exceptions);
        memcpy(out->exceptions, names, nn * sizeof *names);
        out->nexceptions = nn;
    }
    free(names);
    out->steps = cc_steps(c, n, spec, 0, &out->nsteps);
    return c->diags->nerrors == nerr ? 0 : -1;
}
