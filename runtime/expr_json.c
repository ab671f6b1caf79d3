/* The jsonpath subset (docs/expressions.md) applied to JSON text. A path
 * without a wildcard yields one value or null; a path with one yields the
 * array of every match (possibly empty), as Jayway's JsonPath does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/expr.h"
#include "runtime/xalloc.h"

static void collect(json_t *node, const struct drom_jpath_step *steps, size_t n, json_t *hits)
{
    if (!node)
        return;
    if (n == 0) {
        json_array_append(hits, node);
        return;
    }
    const struct drom_jpath_step *s = &steps[0];
    switch (s->kind) {
    case DROM_JP_KEY:
        if (json_is_object(node))
            collect(json_object_get(node, s->key), steps + 1, n - 1, hits);
        break;
    case DROM_JP_INDEX:
        if (json_is_array(node)) {
            long size = (long)json_array_size(node), i = s->index < 0 ? size + s->index : s->index;
            if (i >= 0 && i < size)
                collect(json_array_get(node, (size_t)i), steps + 1, n - 1, hits);
        }
        break;
    case DROM_JP_WILDCARD:
        if (json_is_array(node)) {
            size_t i;
            json_t *v;
            json_array_foreach(node, i, v)
                collect(v, steps + 1, n - 1, hits);
        } else if (json_is_object(node)) {
            const char *k;
            json_t *v;
            json_object_foreach(node, k, v)
                collect(v, steps + 1, n - 1, hits);
        }
        break;
    }
}

static void set_text(struct drom_value *out, enum drom_vtype type, const char *s)
{
    out->type = type;
    out->len = strlen(s);
    out->s = drom_xstrndup(s, out->len);
}

/* Shortest text that reads back as the same double. */
static void real_text(double d, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static void to_value(json_t *j, struct drom_value *out)
{
    memset(out, 0, sizeof *out);
    switch (json_typeof(j)) {
    case JSON_NULL: break;
    case JSON_TRUE:
    case JSON_FALSE: out->type = DROM_V_BOOL; out->b = json_is_true(j); break;
    case JSON_INTEGER: out->type = DROM_V_INT; out->i = json_integer_value(j); break;
    case JSON_REAL: {
        char buf[64];
        real_text(json_real_value(j), buf, sizeof buf);
        set_text(out, DROM_V_STRING, buf);
        break;
    }
    case JSON_STRING:
        out->type = DROM_V_STRING;
        out->len = json_string_length(j);
        out->s = drom_xstrndup(json_string_value(j), out->len);
        break;
    default: {
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        set_text(out, DROM_V_JSON, s ? s : "null");
        free(s);
        break;
    }
    }
}

int drom_expr_jsonpath_eval(const struct drom_expr *e, const char *json, size_t len,
                            struct drom_value *out, struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!root)
        return drom_err(err, DROM_EINVAL, "body is not JSON: %s at line %d column %d", je.text, je.line,
                        je.column);
    json_t *hits = json_array();
    collect(root, e->jpath, e->njpath, hits);
    if (e->jpath_indefinite)
        to_value(hits, out);
    else if (json_array_size(hits) == 1)
        to_value(json_array_get(hits, 0), out);
    json_decref(hits);
    json_decref(root);
    return 0;
}
