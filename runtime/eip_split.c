/* <split>: one sub-exchange per part of the message, with properties
 * CamelSplitIndex, CamelSplitSize, CamelSplitComplete; sequential unless
 * parallelProcessing="true". The parts:
 *  - <tokenize token="\n"/>: the body split at each token (lines); a
 *    trailing empty part is dropped, as Camel's scanner does;
 *  - an expression whose value is JSON (jsonpath, or text that is a JSON
 *    array): one part per array element; string elements become text
 *    bodies, other elements JSON bodies;
 *  - other text: split at `delimiter` (default ","; "false" keeps it whole);
 *  - null: no parts.
 * Camel's default aggregation: the original exchange goes on after the
 * split. Failures as in multicast (runtime/eip_multicast.c). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine_int.h"
#include "runtime/xalloc.h"

struct parts {
    char **items;
    size_t *lens;
    bool *json;
    size_t n, cap;
};

static void add(struct parts *p, const char *s, size_t len, bool json)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->items = drom_xrealloc(p->items, p->cap * sizeof *p->items);
        p->lens = drom_xrealloc(p->lens, p->cap * sizeof *p->lens);
        p->json = drom_xrealloc(p->json, p->cap * sizeof *p->json);
    }
    p->items[p->n] = drom_xstrndup(s, len);
    p->lens[p->n] = len;
    p->json[p->n] = json;
    p->n++;
}

static char *unescape(const char *t)
{
    char *out = drom_xmalloc(strlen(t) + 1), *o = out;
    for (; *t; t++) {
        if (*t == '\\' && t[1]) {
            t++;
            *o++ = *t == 'n' ? '\n' : *t == 'r' ? '\r' : *t == 't' ? '\t' : *t;
        } else {
            *o++ = *t;
        }
    }
    *o = '\0';
    return out;
}

static void split_text(struct parts *p, const char *s, size_t len, const char *token)
{
    size_t tl = strlen(token);
    if (!tl) {
        add(p, s, len, false);
        return;
    }
    const char *end = s + len, *cur = s;
    while (cur <= end) {
        const char *hit = memmem(cur, (size_t)(end - cur), token, tl);
        if (!hit) {
            if (cur < end)
                add(p, cur, (size_t)(end - cur), false);
            break;
        }
        add(p, cur, (size_t)(hit - cur), false);
        cur = hit + tl;
    }
}

static bool split_json(struct parts *p, const char *s, size_t len)
{
    json_error_t jerr;
    json_t *v = json_loadb(s, len, JSON_DECODE_ANY, &jerr);
    if (!v)
        return false;
    if (!json_is_array(v)) {
        add(p, s, len, true);
        json_decref(v);
        return true;
    }
    size_t i;
    json_t *el;
    json_array_foreach(v, i, el) {
        if (json_is_string(el)) {
            add(p, json_string_value(el), json_string_length(el), false);
        } else {
            char *d = json_dumps(el, JSON_COMPACT | JSON_ENCODE_ANY);
            add(p, d, strlen(d), true);
            free(d);
        }
    }
    json_decref(v);
    return true;
}

static int parts_of(struct xctx *x, struct eng_step *s, struct parts *p)
{
    const struct drom_gexpr *ge = s->g->expr;
    if (ge && ge->language && strcmp(ge->language, "tokenize") == 0) {
        size_t len;
        const char *body = drom_exchange_body(x->ex, &len);
        if (!body)
            return 0;
        char *token = unescape(ge->text ? ge->text : "\\n");
        split_text(p, body, len, token);
        free(token);
        return 0;
    }
    struct drom_value v;
    if (x_eval(x, s, &v) < 0)
        return -1;
    switch (v.type) {
    case DROM_V_NULL:
        break;
    case DROM_V_JSON:
        if (!split_json(p, v.s, v.len)) {
            x_fail(x, DROM_EINVAL, false, "split: the expression's value is not valid JSON");
            drom_value_clear(&v);
            return -1;
        }
        break;
    case DROM_V_STRING: {
        const char *t = v.s;
        while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
            t++;
        if (*t == '[' && split_json(p, v.s, v.len))
            break;
        const char *delim = drom_step_param(s->g, "delimiter");
        if (delim && strcmp(delim, "false") == 0) {
            add(p, v.s, v.len, false);
        } else {
            char *d = unescape(delim ? delim : ",");
            split_text(p, v.s, v.len, d);
            free(d);
        }
        break;
    }
    default: {
        char tmp[32];
        const char *str = drom_value_str(&v, tmp, sizeof tmp);
        add(p, str, strlen(str), false);
        break;
    }
    }
    drom_value_clear(&v);
    return 0;
}

enum eip_result eip_split(struct xctx *x, struct eng_step *s)
{
    struct parts p = {0};
    if (parts_of(x, s, &p) < 0) {
        for (size_t i = 0; i < p.n; i++)
            free(p.items[i]);
        free(p.items);
        free(p.lens);
        free(p.json);
        return EIP_FAIL;
    }
    x->items = p.items;
    x->item_lens = p.lens;
    x->item_json = p.json;
    x_start_children(x, s, p.n, step_param_bool(s, "parallelProcessing", false),
                     step_param_bool(s, "stopOnException", false));
    return EIP_WAIT;
}
