/* JSON -> the graph, checked as strictly as the XML (docs/graph-format.md). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "graph_json.h"
#include "components/registry.h"
#include "dsl/simple.h"
#include "runtime/option.h"
#include "runtime/xalloc.h"

#define MAX_GRAPH_FILE (64u * 1024u * 1024u)
#define MAX_DEPTH 200

struct rd {
    struct drom_graph *g;
    struct drom_arena *a;
    const char *name;
    struct drom_error *err;
    char path[512];      /* the JSON path being read */
    bool failed;
};

static int fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct rd *r, const char *fmt, ...)
{
    if (r->failed)
        return -1;
    r->failed = true;
    char msg[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    drom_err_at(r->err, DROM_EINVAL, r->name, 0, 0, "%s: %s", r->path, msg);
    return -1;
}

/* Path bookkeeping: push a member or an index, pop by restoring the length. */
static size_t push_key(struct rd *r, const char *key)
{
    size_t n = strlen(r->path);
    snprintf(r->path + n, sizeof r->path - n, ".%s", key);
    return n;
}

static size_t push_index(struct rd *r, size_t i)
{
    size_t n = strlen(r->path);
    snprintf(r->path + n, sizeof r->path - n, "[%zu]", i);
    return n;
}

static void pop(struct rd *r, size_t n)
{
    r->path[n] = '\0';
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* Member `key` of `o` as a string; NULL (no error) when absent or null and
 * optional. */
static const char *get_str(struct rd *r, const json_t *o, const char *key, bool required)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) {
            size_t n = push_key(r, key);
            fail(r, "missing (expected a string)");
            pop(r, n);
        }
        return NULL;
    }
    if (!json_is_string(v)) {
        size_t n = push_key(r, key);
        fail(r, "expected a string, got %s", type_name(v));
        pop(r, n);
        return NULL;
    }
    return drom_arena_strdup(r->a, json_string_value(v));
}

static int64_t get_int(struct rd *r, const json_t *o, const char *key, int64_t def)
{
    const json_t *v = json_object_get(o, key);
    if (!v)
        return def;
    if (!json_is_integer(v)) {
        size_t n = push_key(r, key);
        fail(r, "expected an integer, got %s", type_name(v));
        pop(r, n);
        return def;
    }
    return json_integer_value(v);
}

static bool get_bool(struct rd *r, const json_t *o, const char *key, bool def)
{
    const json_t *v = json_object_get(o, key);
    if (!v)
        return def;
    if (!json_is_boolean(v)) {
        size_t n = push_key(r, key);
        fail(r, "expected true or false, got %s", type_name(v));
        pop(r, n);
        return def;
    }
    return json_is_true(v);
}

static const json_t *get_obj(struct rd *r, const json_t *o, const char *key, bool required)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required) {
            size_t n = push_key(r, key);
            fail(r, "missing (expected an object)");
            pop(r, n);
        }
        return NULL;
    }
    if (!json_is_object(v)) {
        size_t n = push_key(r, key);
        fail(r, "expected an object, got %s", type_name(v));
        pop(r, n);
        return NULL;
    }
    return v;
}

static const json_t *get_arr(struct rd *r, const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v)) {
        size_t n = push_key(r, key);
        fail(r, "expected an array, got %s", type_name(v));
        pop(r, n);
        return NULL;
    }
    return v;
}

static struct drom_loc loc(struct rd *r, const json_t *o)
{
    return (struct drom_loc){.file = r->g->source, .line = (int)get_int(r, o, "line", 0),
                             .col = (int)get_int(r, o, "col", 0)};
}

/* An endpoint: its component from the registry, its options checked
 * against the table and completed with defaults. */
static int endpoint(struct rd *r, const json_t *o, struct drom_gendpoint *e)
{
    memset(e, 0, sizeof *e);
    e->uri = get_str(r, o, "uri", true);
    e->uri_masked = get_str(r, o, "uriMasked", false);
    e->scheme = get_str(r, o, "scheme", true);
    e->path = get_str(r, o, "path", false);
    e->loc = loc(r, o);
    if (r->failed)
        return -1;
    if (!e->uri_masked)
        e->uri_masked = e->uri;
    if (!e->path)
        e->path = "";
    e->comp = drom_registry_find(e->scheme);
    if (!e->comp) {
        size_t n = push_key(r, "scheme");
        fail(r, "unknown component '%s'", e->scheme);
        pop(r, n);
        return -1;
    }
    const json_t *opts = get_obj(r, o, "options", false);
    size_t ntable = 0, ngiven = opts ? json_object_size(opts) : 0;
    for (const struct drom_option *t = e->comp->options; t && t->name; t++)
        ntable++;
    e->opts.items = drom_arena_alloc(r->a, (ntable + ngiven + 1) * sizeof *e->opts.items);
    for (const struct drom_option *t = e->comp->options; t && t->name; t++) {
        if (t->flags & DROM_OPT_PREFIX)
            continue;
        e->opts.items[e->opts.n++] = (struct drom_optval){.opt = t, .name = t->name, .value = t->def};
    }
    const char *key;
    const json_t *v;
    size_t n0 = push_key(r, "options");
    json_object_foreach((json_t *)opts, key, v) {
        size_t n1 = push_key(r, key);
        const struct drom_option *t = drom_option_find(e->comp->options, key);
        if (!t) {
            fail(r, "unknown option of component '%s'", e->scheme);
        } else if (!json_is_string(v)) {
            fail(r, "expected a string, got %s", type_name(v));
        } else {
            struct drom_error why = {0};
            const char *val = json_string_value(v);
            bool deferred = (t->flags & DROM_OPT_SECRET) || strstr(val, "{{");
            if (!deferred && drom_option_check(t, val, &why) < 0) {
                fail(r, "%s", why.msg);
            } else {
                struct drom_optval *slot = NULL;
                for (size_t i = 0; i < e->opts.n && !slot; i++)
                    if (strcmp(e->opts.items[i].name, key) == 0)
                        slot = &e->opts.items[i];
                if (!slot) {
                    slot = &e->opts.items[e->opts.n++];
                    *slot = (struct drom_optval){.opt = t, .name = drom_arena_strdup(r->a, key)};
                }
                slot->value = drom_arena_strdup(r->a, val);
                slot->given = true;
            }
        }
        pop(r, n1);
        if (r->failed)
            break;
    }
    pop(r, n0);
    return r->failed ? -1 : 0;
}

static struct drom_gexpr *expression(struct rd *r, const json_t *o, enum drom_expr_mode mode)
{
    struct drom_gexpr *e = drom_arena_alloc(r->a, sizeof *e);
    e->language = get_str(r, o, "language", true);
    e->text = get_str(r, o, "text", true);
    e->loc = loc(r, o);
    if (r->failed)
        return NULL;
    struct drom_error why = {0};
    e->expr = drom_expr_parse(e->language, e->text, mode, &why);
    if (!e->expr) {
        size_t n = push_key(r, "text");
        fail(r, "invalid %s expression: %s", e->language, why.msg);
        pop(r, n);
        return NULL;
    }
    return e;
}

static int steps(struct rd *r, const json_t *arr, struct drom_step **out, size_t *nout, int depth);

static int kind_from(const char *name)
{
    for (int k = 0; k < DROM_STEP__COUNT; k++)
        if (strcmp(drom_step_kind_name((enum drom_step_kind)k), name) == 0)
            return k;
    return -1;
}

static bool predicate_kind(enum drom_step_kind k)
{
    return k == DROM_STEP_FILTER || k == DROM_STEP_WHEN;
}

static int step(struct rd *r, const json_t *o, struct drom_step *s, int depth)
{
    memset(s, 0, sizeof *s);
    if (!json_is_object(o))
        return fail(r, "expected an object, got %s", type_name(o));
    const char *kind = get_str(r, o, "kind", true);
    if (!kind)
        return -1;
    int k = kind_from(kind);
    if (k < 0) {
        size_t n = push_key(r, "kind");
        fail(r, "unknown step kind '%s'", kind);
        pop(r, n);
        return -1;
    }
    s->kind = (enum drom_step_kind)k;
    s->id = get_str(r, o, "id", false);
    s->loc = loc(r, o);
    const json_t *params = get_obj(r, o, "params", false);
    if (params) {
        s->params = drom_arena_alloc(r->a, (json_object_size(params) + 1) * sizeof *s->params);
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)params, key, v) {
            if (!json_is_string(v)) {
                size_t n0 = push_key(r, "params"), n1 = push_key(r, key);
                fail(r, "expected a string, got %s", type_name(v));
                pop(r, n1);
                pop(r, n0);
                return -1;
            }
            s->params[s->nparams++] = (struct drom_param){.name = drom_arena_strdup(r->a, key),
                                                          .value = drom_arena_strdup(r->a, json_string_value(v))};
        }
    }
    const json_t *ex = get_obj(r, o, "expression", false);
    if (ex) {
        size_t n = push_key(r, "expression");
        s->expr = expression(r, ex, predicate_kind(s->kind) ? DROM_EXPR_PREDICATE : DROM_EXPR_VALUE);
        pop(r, n);
    }
    const json_t *ep = get_obj(r, o, "endpoint", s->kind == DROM_STEP_TO || s->kind == DROM_STEP_WIRETAP);
    if (ep && !r->failed) {
        size_t n = push_key(r, "endpoint");
        s->endpoint = drom_arena_alloc(r->a, sizeof *s->endpoint);
        endpoint(r, ep, s->endpoint);
        pop(r, n);
    }
    const json_t *kids = get_arr(r, o, "steps");
    if (kids && !r->failed) {
        size_t n = push_key(r, "steps");
        steps(r, kids, &s->steps, &s->nsteps, depth + 1);
        pop(r, n);
    }
    return r->failed ? -1 : 0;
}

static int steps(struct rd *r, const json_t *arr, struct drom_step **out, size_t *nout, int depth)
{
    *out = NULL;
    *nout = 0;
    if (depth > MAX_DEPTH)
        return fail(r, "steps nested more than %d deep", MAX_DEPTH);
    size_t n = json_array_size(arr);
    if (!n)
        return 0;
    *out = drom_arena_alloc(r->a, n * sizeof **out);
    for (size_t i = 0; i < n && !r->failed; i++) {
        size_t p = push_index(r, i);
        /* counted even when it fails, so that drom_graph_free sees what it holds */
        (*nout)++;
        step(r, json_array_get(arr, i), &(*out)[i], depth);
        pop(r, p);
    }
    return r->failed ? -1 : 0;
}

static void redelivery(struct rd *r, const json_t *o, struct drom_redelivery *d)
{
    *d = (struct drom_redelivery){
        .maximum_redeliveries = (int)get_int(r, o, "maximumRedeliveries", 0),
        .redelivery_delay_ms = get_int(r, o, "redeliveryDelay", 1000),
        .maximum_redelivery_delay_ms = get_int(r, o, "maximumRedeliveryDelay", 60000),
        .use_exponential_backoff = get_bool(r, o, "useExponentialBackOff", false),
        .back_off_multiplier = 2.0,
        .log_exhausted = get_bool(r, o, "logExhausted", true),
    };
    const json_t *m = o ? json_object_get(o, "backOffMultiplier") : NULL;
    if (m && json_is_number(m))
        d->back_off_multiplier = json_number_value(m);
    else if (m) {
        size_t n = push_key(r, "backOffMultiplier");
        fail(r, "expected a number, got %s", type_name(m));
        pop(r, n);
    }
}

static void error_handler(struct rd *r, const json_t *o, struct drom_error_handler *eh)
{
    const char *kind = get_str(r, o, "kind", true);
    eh->loc = loc(r, o);
    if (!kind)
        return;
    if (strcmp(kind, "defaultErrorHandler") == 0)
        eh->kind = DROM_EH_DEFAULT;
    else if (strcmp(kind, "deadLetterChannel") == 0)
        eh->kind = DROM_EH_DEAD_LETTER;
    else if (strcmp(kind, "noErrorHandler") == 0)
        eh->kind = DROM_EH_NONE;
    else {
        size_t n = push_key(r, "kind");
        fail(r, "unknown error handler '%s' (defaultErrorHandler, deadLetterChannel or noErrorHandler)", kind);
        pop(r, n);
        return;
    }
    eh->use_original_message = get_bool(r, o, "useOriginalMessage", false);
    const json_t *red = get_obj(r, o, "redelivery", false);
    size_t n = push_key(r, "redelivery");
    if (red)
        redelivery(r, red, &eh->redelivery);
    else
        redelivery(r, NULL, &eh->redelivery);
    pop(r, n);
    const json_t *dl = get_obj(r, o, "deadLetter", eh->kind == DROM_EH_DEAD_LETTER);
    if (dl && !r->failed) {
        n = push_key(r, "deadLetter");
        eh->dead_letter = drom_arena_alloc(r->a, sizeof *eh->dead_letter);
        endpoint(r, dl, eh->dead_letter);
        pop(r, n);
    }
}

static void on_exception(struct rd *r, const json_t *o, struct drom_on_exception *oe)
{
    memset(oe, 0, sizeof *oe);
    oe->loc = loc(r, o);
    const json_t *ex = get_arr(r, o, "exceptions");
    size_t n = push_key(r, "exceptions");
    if (!ex || !json_array_size(ex)) {
        fail(r, "expected a non-empty array of exception class names");
    } else {
        oe->exceptions = drom_arena_alloc(r->a, json_array_size(ex) * sizeof *oe->exceptions);
        for (size_t i = 0; i < json_array_size(ex) && !r->failed; i++) {
            const json_t *v = json_array_get(ex, i);
            size_t p = push_index(r, i);
            if (!json_is_string(v))
                fail(r, "expected a string, got %s", type_name(v));
            else
                oe->exceptions[oe->nexceptions++] = drom_arena_strdup(r->a, json_string_value(v));
            pop(r, p);
        }
    }
    pop(r, n);
    static const char *const preds[] = {"handled", "continued"};
    for (int i = 0; i < 2 && !r->failed; i++) {
        const json_t *e = get_obj(r, o, preds[i], false);
        if (!e)
            continue;
        n = push_key(r, preds[i]);
        struct drom_gexpr *g = expression(r, e, DROM_EXPR_PREDICATE);
        pop(r, n);
        if (i == 0)
            oe->handled = g;
        else
            oe->continued = g;
    }
    const json_t *red = get_obj(r, o, "redelivery", false);
    if (red && !r->failed) {
        oe->has_redelivery = true;
        n = push_key(r, "redelivery");
        redelivery(r, red, &oe->redelivery);
        pop(r, n);
    }
    const json_t *kids = get_arr(r, o, "steps");
    if (kids && !r->failed) {
        n = push_key(r, "steps");
        steps(r, kids, &oe->steps, &oe->nsteps, 1);
        pop(r, n);
    }
}

static void route(struct rd *r, const json_t *o, struct drom_route *rt)
{
    if (!json_is_object(o)) {
        fail(r, "expected an object, got %s", type_name(o));
        return;
    }
    rt->id = get_str(r, o, "id", true);
    rt->description = get_str(r, o, "description", false);
    rt->auto_startup = get_bool(r, o, "autoStartup", true);
    rt->loc = loc(r, o);
    const json_t *from = get_obj(r, o, "from", true);
    if (r->failed)
        return;
    size_t n = push_key(r, "from");
    endpoint(r, from, &rt->from);
    pop(r, n);
    const json_t *eh = get_obj(r, o, "errorHandler", false);
    n = push_key(r, "errorHandler");
    if (eh && !r->failed) {
        error_handler(r, eh, &rt->error_handler);
    } else {
        rt->error_handler.kind = DROM_EH_DEFAULT;
        redelivery(r, NULL, &rt->error_handler.redelivery);
    }
    pop(r, n);
    const json_t *oes = get_arr(r, o, "onException");
    if (oes && json_array_size(oes) && !r->failed) {
        rt->on_exceptions = drom_arena_alloc(r->a, json_array_size(oes) * sizeof *rt->on_exceptions);
        n = push_key(r, "onException");
        for (size_t i = 0; i < json_array_size(oes) && !r->failed; i++) {
            size_t p = push_index(r, i);
            const json_t *v = json_array_get(oes, i);
            if (!json_is_object(v))
                fail(r, "expected an object, got %s", type_name(v));
            else
                on_exception(r, v, &rt->on_exceptions[rt->non_exceptions++]);
            pop(r, p);
        }
        pop(r, n);
    }
    const json_t *kids = get_arr(r, o, "steps");
    if (kids && !r->failed) {
        n = push_key(r, "steps");
        steps(r, kids, &rt->steps, &rt->nsteps, 0);
        pop(r, n);
    }
}

int drom_graph_json_read(const char *data, size_t len, const char *name, struct drom_graph *out,
                         struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return drom_err_at(err, DROM_EINVAL, name, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0,
                           "not a graph file: invalid JSON: %s", je.text);
    struct rd r = {.g = out, .a = &out->arena, .name = name, .err = err, .path = "$"};
    if (!json_is_object(root)) {
        fail(&r, "expected an object, got %s", type_name(root));
    } else {
        const json_t *f = json_object_get(root, "format");
        if (!f || !json_is_integer(f)) {
            size_t n = push_key(&r, "format");
            fail(&r, "missing format version (this is not a graph written by dromc compile)");
            pop(&r, n);
        } else if (json_integer_value(f) != DROM_GRAPH_FORMAT) {
            size_t n = push_key(&r, "format");
            fail(&r, "graph format %lld is not supported (this dromd reads format %d); compile the routes again",
                 (long long)json_integer_value(f), DROM_GRAPH_FORMAT);
            pop(&r, n);
        }
    }
    if (!r.failed) {
        out->format = DROM_GRAPH_FORMAT;
        out->source = get_str(&r, root, "source", false);
        if (!out->source)
            out->source = drom_arena_strdup(&out->arena, name);
        const json_t *rs = get_arr(&r, root, "routes");
        if (!rs && !r.failed) {
            size_t n = push_key(&r, "routes");
            fail(&r, "missing (expected an array of routes)");
            pop(&r, n);
        }
        if (rs && !r.failed) {
            out->routes = drom_arena_alloc(&out->arena, (json_array_size(rs) + 1) * sizeof *out->routes);
            size_t n = push_key(&r, "routes");
            for (size_t i = 0; i < json_array_size(rs) && !r.failed; i++) {
                size_t p = push_index(&r, i);
                route(&r, json_array_get(rs, i), &out->routes[out->nroutes++]);
                pop(&r, p);
            }
            pop(&r, n);
        }
    }
    json_decref(root);
    if (r.failed) {
        drom_graph_free(out);
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}

int drom_graph_json_read_file(const char *path, struct drom_graph *out, struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return drom_err_at(err, DROM_EIO, path, 0, 0, "cannot open graph file: %s", strerror(errno));
    size_t cap = 64 * 1024, len = 0;
    char *buf = drom_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap > MAX_GRAPH_FILE)
                break;
            cap *= 2;
            buf = drom_xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad || len > MAX_GRAPH_FILE) {
        free(buf);
        return drom_err_at(err, bad ? DROM_EIO : DROM_EINVAL, path, 0, 0,
                           bad ? "cannot read graph file" : "graph file is larger than 64 MiB");
    }
    int rc = drom_graph_json_read(buf, len, path, out, err);
    free(buf);
    return rc;
}
