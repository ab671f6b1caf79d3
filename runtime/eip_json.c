/* <marshal><json/></marshal> and <unmarshal><json/></unmarshal> with
 * jansson. Bodies here are bytes, so "unmarshalled" means: checked JSON,
 * kept compact, content type application/json (Simple and jsonpath then
 * read it as structure). Marshal writes JSON text: a JSON body as it is
 * (pretty with prettyPrint="true"), any other body as a JSON string, a null
 * body as null; and sets the header Content-Type: application/json
 * (Camel's contentTypeHeader default). Only the json format exists. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/engine_int.h"

static bool is_json_type(const char *ct)
{
    return ct && strncasecmp(ct, "application/json", 16) == 0;
}

static bool format_ok(struct xctx *x, struct eng_step *s, const char *what)
{
    const char *fmt = drom_step_param(s->g, "format");
    if (!fmt || strcmp(fmt, "json") == 0)
        return true;
    x_fail(x, DROM_EINVAL, false, "%s: data format '%s' is not supported (only json)", what, fmt);
    return false;
}

enum eip_result eip_unmarshal(struct xctx *x, struct eng_step *s)
{
    if (!format_ok(x, s, "unmarshal"))
        return EIP_FAIL;
    size_t len;
    const char *body = drom_exchange_body(x->ex, &len);
    if (!body) {
        if (step_param_bool(s, "allowNullBody", false))
            return EIP_NEXT;
        x_fail(x, DROM_EINVAL, false, "unmarshal: the body is null");
        return EIP_FAIL;
    }
    json_error_t jerr;
    json_t *v = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    if (!v) {
        x_fail(x, DROM_EINVAL, false, "unmarshal: the body is not JSON (line %d, column %d: %s)", jerr.line,
               jerr.column, jerr.text);
        return EIP_FAIL;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    json_decref(v);
    drom_exchange_set_body(x->ex, text, strlen(text), "application/json");
    free(text);
    return EIP_NEXT;
}

enum eip_result eip_marshal(struct xctx *x, struct eng_step *s)
{
    if (!format_ok(x, s, "marshal"))
        return EIP_FAIL;
    size_t len;
    const char *body = drom_exchange_body(x->ex, &len);
    size_t flags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
                   (step_param_bool(s, "prettyPrint", false) ? JSON_INDENT(2) : JSON_COMPACT);
    json_t *v = NULL;
    if (!body) {
        v = json_null();
    } else if (is_json_type(x->ex->content_type)) {
        json_error_t jerr;
        v = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
        if (!v) {
            x_fail(x, DROM_EINVAL, false, "marshal: the JSON body is not valid JSON: %s", jerr.text);
            return EIP_FAIL;
        }
    } else {
        v = json_stringn(body, len);
        if (!v) {
            x_fail(x, DROM_EINVAL, false, "marshal: the body is not valid UTF-8 text");
            return EIP_FAIL;
        }
    }
    char *text = json_dumps(v, flags);
    json_decref(v);
    drom_exchange_set_body(x->ex, text, strlen(text), "application/json");
    free(text);
    if (step_param_bool(s, "contentTypeHeader", true))
        drom_headers_set_str(&x->ex->headers, "Content-Type", "application/json");
    return EIP_NEXT;
}
