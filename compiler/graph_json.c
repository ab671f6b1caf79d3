/* The graph -> JSON (docs/graph-format.md). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "graph_json.h"
#include "dsl/placeholder.h"

#define MASK "xxxxxx"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void set_loc(json_t *o, const struct drom_loc *l)
{
    json_object_set_new(o, "line", json_integer(l->line));
    json_object_set_new(o, "col", json_integer(l->col));
}

static json_t *endpoint(const struct drom_gendpoint *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "uri", str_or_null(e->uri));
    json_object_set_new(o, "uriMasked", str_or_null(e->uri_masked));
    json_object_set_new(o, "component", json_string(e->comp ? e->comp->name : e->scheme));
    json_object_set_new(o, "scheme", str_or_null(e->scheme));
    json_object_set_new(o, "path", str_or_null(e->path));
    json_t *opts = json_object();
    for (size_t i = 0; i < e->opts.n; i++) {
        const struct drom_optval *v = &e->opts.items[i];
        if (!v->given || !v->value)
            continue;
        bool secret = drom_option_is_secret(v->opt, v->name);
        const char *shown = secret && !drom_placeholder_present(v->value) ? MASK : v->value;
        json_object_set_new(opts, v->name, json_string(shown));
    }
    json_object_set_new(o, "options", opts);
    set_loc(o, &e->loc);
    return o;
}

static json_t *expr(const struct drom_gexpr *e)
{
    if (!e)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "language", json_string(e->language));
    json_object_set_new(o, "text", json_string(e->text ? e->text : ""));
    set_loc(o, &e->loc);
    return o;
}

static json_t *steps(const struct drom_step *s, size_t n);

static json_t *step(const struct drom_step *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(drom_step_kind_name(s->kind)));
    json_object_set_new(o, "id", str_or_null(s->id));
    set_loc(o, &s->loc);
    if (s->nparams) {
        json_t *p = json_object();
        for (size_t i = 0; i < s->nparams; i++)
            json_object_set_new(p, s->params[i].name, str_or_null(s->params[i].value));
        json_object_set_new(o, "params", p);
    }
    if (s->expr)
        json_object_set_new(o, "expression", expr(s->expr));
    if (s->endpoint)
        json_object_set_new(o, "endpoint", endpoint(s->endpoint));
    if (s->nsteps)
        json_object_set_new(o, "steps", steps(s->steps, s->nsteps));
    return o;
}

static json_t *steps(const struct drom_step *s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, step(&s[i]));
    return a;
}

static json_t *redelivery(const struct drom_redelivery *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "maximumRedeliveries", json_integer(r->maximum_redeliveries));
    json_object_set_new(o, "redeliveryDelay", json_integer(r->redelivery_delay_ms));
    json_object_set_new(o, "maximumRedeliveryDelay", json_integer(r->maximum_redelivery_delay_ms));
    json_object_set_new(o, "useExponentialBackOff", json_boolean(r->use_exponential_backoff));
    json_object_set_new(o, "backOffMultiplier", json_real(r->back_off_multiplier));
    json_object_set_new(o, "logExhausted", json_boolean(r->log_exhausted));
    return o;
}

static const char *eh_kind(enum drom_eh_kind k)
{
    return k == DROM_EH_DEAD_LETTER ? "deadLetterChannel" : k == DROM_EH_NONE ? "noErrorHandler" : "defaultErrorHandler";
}

static json_t *error_handler(const struct drom_error_handler *eh)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(eh_kind(eh->kind)));
    if (eh->dead_letter)
        json_object_set_new(o, "deadLetter", endpoint(eh->dead_letter));
    json_object_set_new(o, "useOriginalMessage", json_boolean(eh->use_original_message));
    json_object_set_new(o, "redelivery", redelivery(&eh->redelivery));
    set_loc(o, &eh->loc);
    return o;
}

static json_t *on_exception(const struct drom_on_exception *oe)
{
    json_t *o = json_object();
    json_t *ex = json_array();
    for (size_t i = 0; i < oe->nexceptions; i++)
        json_array_append_new(ex, json_string(oe->exceptions[i]));
    json_object_set_new(o, "exceptions", ex);
    json_object_set_new(o, "handled", expr(oe->handled));
    json_object_set_new(o, "continued", expr(oe->continued));
    json_object_set_new(o, "redelivery", oe->has_redelivery ? redelivery(&oe->redelivery) : json_null());
    json_object_set_new(o, "steps", steps(oe->steps, oe->nsteps));
    set_loc(o, &oe->loc);
    return o;
}

static json_t *route(const struct drom_route *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "description", str_or_null(r->description));
    json_object_set_new(o, "autoStartup", json_boolean(r->auto_startup));
    set_loc(o, &r->loc);
    json_object_set_new(o, "from", endpoint(&r->from));
    json_object_set_new(o, "errorHandler", error_handler(&r->error_handler));
    json_t *oes = json_array();
    for (size_t i = 0; i < r->non_exceptions; i++)
        json_array_append_new(oes, on_exception(&r->on_exceptions[i]));
    json_object_set_new(o, "onException", oes);
    json_object_set_new(o, "steps", steps(r->steps, r->nsteps));
    return o;
}

char *drom_graph_json_dumps(const struct drom_graph *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_integer(DROM_GRAPH_FORMAT));
    json_object_set_new(o, "generator", json_string("dromc"));
    json_object_set_new(o, "source", str_or_null(g->source));
    json_t *rs = json_array();
    for (size_t i = 0; i < g->nroutes; i++)
        json_array_append_new(rs, route(&g->routes[i]));
    json_object_set_new(o, "routes", rs);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

int drom_graph_json_write(const struct drom_graph *g, FILE *out, struct drom_error *err)
{
    char *s = drom_graph_json_dumps(g);
    if (!s)
        return drom_err(err, DROM_ENOMEM, "cannot render the graph as JSON");
    int rc = fputs(s, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
    free(s);
    if (rc < 0)
        return drom_err(err, DROM_EIO, "cannot write the graph");
    return 0;
}
