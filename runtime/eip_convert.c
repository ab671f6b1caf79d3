/* <convertBodyTo type="..." charset="..." mandatory="true"/>. Bodies are
 * bytes, so conversion checks and normalises:
 *  - java.lang.String / String: text; with a charset other than UTF-8 the
 *    bytes are converted from it to UTF-8 (iconv);
 *  - byte[] / [B / java.io.InputStream: bytes, unchanged;
 *  - java.lang.Integer / Long / int / long: must be a whole number (trimmed);
 *  - java.lang.Boolean / boolean: must be true or false;
 *  - java.util.Map / java.util.List / com.fasterxml.jackson.databind.JsonNode:
 *    must be JSON (then the body is JSON, as after unmarshal).
 * A null body fails when mandatory (Camel's NoTypeConversionAvailable),
 * else stays null. */
#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/engine_int.h"
#include "runtime/xalloc.h"

static bool is(const char *type, const char *a, const char *b)
{
    return strcmp(type, a) == 0 || (b && strcmp(type, b) == 0);
}

static char *from_charset(const char *charset, const char *in, size_t len, size_t *outlen)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 4 + 16;
    char *out = drom_xmalloc(cap), *o = out;
    char *src = (char *)in;
    size_t left = len, room = cap;
    size_t rc = iconv(cd, &src, &left, &o, &room);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        free(out);
        return NULL;
    }
    *outlen = (size_t)(o - out);
    return out;
}

enum eip_result eip_convert_body_to(struct xctx *x, struct eng_step *s)
{
    const char *type = drom_step_param(s->g, "type");
    const char *charset = drom_step_param(s->g, "charset");
    if (!type) {
        x_fail(x, DROM_EINVAL, false, "convertBodyTo has no type");
        return EIP_FAIL;
    }
    size_t len;
    const char *body = drom_exchange_body(x->ex, &len);
    if (!body) {
        if (step_param_bool(s, "mandatory", true)) {
            x_fail(x, DROM_EINVAL, false, "No body available of type: %s but has type: null", type);
            return EIP_FAIL;
        }
        return EIP_NEXT;
    }
    if (is(type, "java.lang.String", "String")) {
        if (charset && strcasecmp(charset, "UTF-8") != 0 && strcasecmp(charset, "UTF8") != 0) {
            size_t n;
            char *conv = from_charset(charset, body, len, &n);
            if (!conv) {
                x_fail(x, DROM_EINVAL, false, "convertBodyTo: cannot convert the body from charset %s", charset);
                return EIP_FAIL;
            }
            drom_exchange_set_body(x->ex, conv, n, "text/plain");
            free(conv);
        } else if (x->ex->content_type && strncasecmp(x->ex->content_type, "application/octet-stream", 24) == 0) {
            drom_exchange_set_body(x->ex, body, len, NULL);
        }
        return EIP_NEXT;
    }
    if (is(type, "byte[]", "[B") || is(type, "java.io.InputStream", NULL))
        return EIP_NEXT;
    char *text = drom_xstrndup(body, len);
    char *t = text, *e = text + strlen(text);
    while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
        t++;
    while (e > t && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    enum eip_result r = EIP_NEXT;
    if (is(type, "java.lang.Integer", "Integer") || is(type, "java.lang.Long", "Long") || is(type, "int", "long")) {
        int64_t v;
        if (drom_parse_int(t, &v) < 0) {
            x_fail(x, DROM_EINVAL, false, "No type converter available to convert from '%s' to type: %s", t, type);
            r = EIP_FAIL;
        } else {
            drom_exchange_set_body(x->ex, t, strlen(t), NULL);
        }
    } else if (is(type, "java.lang.Boolean", "Boolean") || is(type, "boolean", NULL)) {
        bool b;
        if (drom_parse_bool(t, &b) < 0) {
            x_fail(x, DROM_EINVAL, false, "No type converter available to convert from '%s' to type: %s", t, type);
            r = EIP_FAIL;
        } else {
            drom_exchange_set_body_str(x->ex, b ? "true" : "false", NULL);
        }
    } else if (is(type, "java.util.Map", "Map") || is(type, "java.util.List", "List") ||
               is(type, "com.fasterxml.jackson.databind.JsonNode", "JsonNode")) {
        json_error_t jerr;
        json_t *v = json_loads(t, JSON_DECODE_ANY, &jerr);
        bool ok = v && (strstr(type, "Map") ? json_is_object(v) : strstr(type, "List") ? json_is_array(v) : true);
        if (!ok) {
            x_fail(x, DROM_EINVAL, false, "No type converter available to convert the body to type: %s", type);
            r = EIP_FAIL;
        } else {
            char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
            drom_exchange_set_body(x->ex, d, strlen(d), "application/json");
            free(d);
        }
        json_decref(v);
    } else {
        x_fail(x, DROM_EINVAL, false, "convertBodyTo: type %s is not supported", type);
        r = EIP_FAIL;
    }
    free(text);
    return r;
}
