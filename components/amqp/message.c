/* The message mapping of message.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <proton/codec.h>

#include "components/amqp/message.h"
#include "runtime/option.h"
#include "runtime/xalloc.h"

/* qpid-jms's x-opt-jms-msg-type values, which Artemis reads. */
enum { JMS_MESSAGE = 0, JMS_BYTES = 3, JMS_TEXT = 5 };

bool drom_amqp_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            if (c == 0)
                return false;   /* NUL: treat as binary */
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

static bool ct_is(const char *ct, const char *prefix)
{
    return strncasecmp(ct, prefix, strlen(prefix)) == 0;
}

bool drom_amqp_is_text(const char *ct, const char *body, size_t len)
{
    if (!ct || !*ct)
        return drom_amqp_utf8_valid(body, len);
    size_t base = strcspn(ct, ";");
    bool text = ct_is(ct, "text/") || ct_is(ct, "application/json") || ct_is(ct, "application/xml");
    if (!text && base > 5)
        text = strncasecmp(ct + base - 5, "+json", 5) == 0 || (base > 4 && strncasecmp(ct + base - 4, "+xml", 4) == 0);
    /* An AMQP string must be UTF-8: text that is not goes as bytes. */
    return text && drom_amqp_utf8_valid(body, len);
}

void drom_amqp_key_encode(const char *name, struct drom_buf *out)
{
    drom_buf_reset(out);
    for (const char *p = name; *p; p++) {
        if (*p == '.')
            drom_buf_puts(out, "_DOT_");
        else if (*p == '-')
            drom_buf_puts(out, "_HYPHEN_");
        else
            drom_buf_putc(out, *p);
    }
    drom_buf_cstr(out);
}

void drom_amqp_key_decode(const char *name, struct drom_buf *out)
{
    drom_buf_reset(out);
    for (const char *p = name; *p;) {
        if (strncmp(p, "_DOT_", 5) == 0) {
            drom_buf_putc(out, '.');
            p += 5;
        } else if (strncmp(p, "_HYPHEN_", 8) == 0) {
            drom_buf_putc(out, '-');
            p += 8;
        } else {
            drom_buf_putc(out, *p++);
        }
    }
    drom_buf_cstr(out);
}

bool drom_amqp_key_valid(const char *name)
{
    if (!name[0] || !(isalpha((unsigned char)name[0]) || name[0] == '_' || name[0] == '$'))
        return false;
    for (const char *p = name + 1; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
            return false;
    return true;
}

static pn_bytes_t B(const char *s, size_t len)
{
    return pn_bytes(len, s);
}

static pn_bytes_t S(const char *s)
{
    return pn_bytes(strlen(s), s);
}

/* Camel's JMS header filter: its own and the JMS fields are not properties. */
static bool skip_header(const char *name)
{
    return strncasecmp(name, "Camel", 5) == 0 || strncasecmp(name, "org.apache.camel", 16) == 0 ||
           strncmp(name, "JMS", 3) == 0 || strcasecmp(name, DROM_AMQP_EVENT_ID) == 0 ||
           strcmp(name, DROM_AMQP_DUPL_ID) == 0;
}

static void put_property(pn_data_t *props, struct drom_buf *key, const struct drom_header *h)
{
    const struct drom_value *v = &h->v;
    if (v->type == DROM_V_NULL || skip_header(h->name))
        return;
    if (v->type == DROM_V_BYTES && !drom_amqp_utf8_valid(v->s, v->len))
        return;   /* JMS properties have no binary type */
    drom_amqp_key_encode(h->name, key);
    if (!drom_amqp_key_valid(key->data))
        return;
    pn_data_put_string(props, B(key->data, key->len));
    switch (v->type) {
    case DROM_V_INT:
        pn_data_put_long(props, v->i);
        break;
    case DROM_V_BOOL:
        pn_data_put_bool(props, v->b);
        break;
    default:
        pn_data_put_string(props, B(v->s ? v->s : "", v->s ? v->len : 0));
        break;
    }
}

static void put_annotations(pn_message_t *msg, int type, bool topic)
{
    pn_data_t *a = pn_message_annotations(msg);
    pn_data_put_map(a);
    pn_data_enter(a);
    pn_data_put_symbol(a, S("x-opt-jms-msg-type"));
    pn_data_put_byte(a, (int8_t)type);
    pn_data_put_symbol(a, S("x-opt-jms-dest"));
    pn_data_put_byte(a, topic ? 1 : 0);
    pn_data_exit(a);
}

static void apply_qos(const struct drom_exchange *ex, const struct drom_amqp_send *s, bool *durable, int *priority,
                      int64_t *ttl)
{
    *durable = s->durable;
    *priority = s->priority;
    *ttl = s->ttl_ms;
    if (!s->preserve_qos)
        return;
    const struct drom_value *v;
    char tmp[32];
    int64_t n;
    if ((v = drom_headers_get(&ex->headers, "JMSPriority")) &&
        drom_parse_int(drom_value_str(v, tmp, sizeof tmp), &n) == 0 && n >= 0 && n <= 9)
        *priority = (int)n;
    if ((v = drom_headers_get(&ex->headers, "JMSDeliveryMode")) &&
        drom_parse_int(drom_value_str(v, tmp, sizeof tmp), &n) == 0 && (n == 1 || n == 2))
        *durable = n == 2;
    if ((v = drom_headers_get(&ex->headers, "JMSExpiration")) &&
        drom_parse_int(drom_value_str(v, tmp, sizeof tmp), &n) == 0 && n > 0) {
        int64_t left = n - drom_now_us() / 1000;
        *ttl = left > 0 ? left : 1;
    }
}

int drom_amqp_encode(const struct drom_exchange *ex, const struct drom_amqp_send *s, pn_message_t *msg,
                     struct drom_buf *out, struct drom_error *err)
{
    size_t len = 0;
    const char *body = drom_exchange_body(ex, &len);
    if (!body && !s->allow_null_body)
        return drom_err(err, DROM_EINVAL, "Cannot send message as message body is null, and option allowNullBody is false.");
    pn_message_clear(msg);
    bool durable;
    int priority;
    int64_t ttl;
    apply_qos(ex, s, &durable, &priority, &ttl);
    pn_message_set_durable(msg, durable);
    pn_message_set_priority(msg, (uint8_t)priority);
    if (ttl > 0)
        pn_message_set_ttl(msg, (pn_millis_t)(ttl > UINT32_MAX ? UINT32_MAX : ttl));
    pn_message_set_address(msg, s->address);
    pn_message_set_creation_time(msg, drom_now_us() / 1000);

    char idbuf[160];
    /* JMS message ids start with "ID:"; Camel's exchange ids with "ID-". */
    const char *xid = ex->id ? ex->id : "";
    snprintf(idbuf, sizeof idbuf, "ID:%s", strncmp(xid, "ID-", 3) == 0 ? xid + 3 : xid);
    pn_data_put_string(pn_message_id(msg), S(idbuf));
    const char *corr = drom_exchange_header(ex, "JMSCorrelationID");
    if (corr && *corr)
        pn_data_put_string(pn_message_correlation_id(msg), S(corr));
    const char *type = drom_exchange_header(ex, "JMSType");
    if (type && *type)
        pn_message_set_subject(msg, type);
    const char *reply = s->reply_to ? s->reply_to : drom_exchange_header(ex, "JMSReplyTo");
    if (reply && *reply)
        pn_message_set_reply_to(msg, reply);

    int jms_type;
    pn_data_t *b = pn_message_body(msg);
    if (!body) {
        jms_type = JMS_MESSAGE;
    } else if (drom_amqp_is_text(ex->content_type, body, len)) {
        jms_type = JMS_TEXT;
        pn_data_put_string(b, B(body, len));
    } else {
        jms_type = JMS_BYTES;
        pn_message_set_inferred(msg, true);   /* binary as a Data section */
        pn_data_put_binary(b, B(body, len));
    }
    if (ex->content_type && *ex->content_type)
        pn_message_set_content_type(msg, ex->content_type);
    else if (jms_type == JMS_BYTES)
        pn_message_set_content_type(msg, "application/octet-stream");
    put_annotations(msg, jms_type, s->topic);

    pn_data_t *props = pn_message_properties(msg);
    pn_data_put_map(props);
    pn_data_enter(props);
    struct drom_buf key = DROM_BUF_INIT;
    for (size_t i = 0; i < ex->headers.n; i++)
        put_property(props, &key, &ex->headers.items[i]);
    drom_buf_free(&key);
    const char *event_id = drom_exchange_header(ex, DROM_AMQP_EVENT_ID);
    if (event_id && *event_id) {
        pn_data_put_string(props, S(DROM_AMQP_DUPL_ID));
        pn_data_put_string(props, S(event_id));
    }
    pn_data_exit(props);

    drom_buf_reset(out);
    size_t cap = len + 512 + 64 * ex->headers.n;
    for (;;) {
        if (out->cap < cap + 1) {
            out->data = drom_xrealloc(out->data, cap + 1);
            out->cap = cap + 1;
        }
        size_t size = cap;
        int rc = pn_message_encode(msg, out->data, &size);
        if (rc == 0) {
            out->len = size;
            out->data[size] = '\0';
            return 0;
        }
        if (rc != PN_OVERFLOW)
            return drom_err(err, DROM_EINTERNAL, "cannot encode the AMQP message: %s",
                            pn_error_text(pn_message_error(msg)));
        cap *= 2;
    }
}

/* --- decoding --- */

static void atom_str(pn_atom_t a, struct drom_buf *out)
{
    drom_buf_reset(out);
    switch (a.type) {
    case PN_STRING:
    case PN_SYMBOL:
    case PN_BINARY:
        drom_buf_append(out, a.u.as_bytes.start, a.u.as_bytes.size);
        break;
    case PN_ULONG:
        drom_buf_printf(out, "%llu", (unsigned long long)a.u.as_ulong);
        break;
    case PN_UUID: {
        const unsigned char *u = (const unsigned char *)a.u.as_uuid.bytes;
        for (int i = 0; i < 16; i++)
            drom_buf_printf(out, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
        break;
    }
    default:
        break;
    }
    drom_buf_cstr(out);
}

/* One application property value at the cursor into a header. */
static void get_property(pn_data_t *d, struct drom_exchange *ex, const char *name)
{
    struct drom_value v = {.type = DROM_V_STRING};
    char tmp[64];
    pn_bytes_t bytes;
    switch (pn_data_type(d)) {
    case PN_NULL:
        v.type = DROM_V_NULL;
        break;
    case PN_BOOL:
        v.type = DROM_V_BOOL, v.b = pn_data_get_bool(d);
        break;
    case PN_BYTE:
        v.type = DROM_V_INT, v.i = pn_data_get_byte(d);
        break;
    case PN_UBYTE:
        v.type = DROM_V_INT, v.i = pn_data_get_ubyte(d);
        break;
    case PN_SHORT:
        v.type = DROM_V_INT, v.i = pn_data_get_short(d);
        break;
    case PN_USHORT:
        v.type = DROM_V_INT, v.i = pn_data_get_ushort(d);
        break;
    case PN_INT:
        v.type = DROM_V_INT, v.i = pn_data_get_int(d);
        break;
    case PN_UINT:
        v.type = DROM_V_INT, v.i = pn_data_get_uint(d);
        break;
    case PN_LONG:
        v.type = DROM_V_INT, v.i = pn_data_get_long(d);
        break;
    case PN_ULONG:
        v.type = DROM_V_INT, v.i = (int64_t)pn_data_get_ulong(d);
        break;
    case PN_TIMESTAMP:
        v.type = DROM_V_INT, v.i = pn_data_get_timestamp(d);
        break;
    case PN_FLOAT:
        snprintf(tmp, sizeof tmp, "%.9g", (double)pn_data_get_float(d));
        v.s = tmp, v.len = strlen(tmp);
        break;
    case PN_DOUBLE:
        snprintf(tmp, sizeof tmp, "%.17g", pn_data_get_double(d));
        v.s = tmp, v.len = strlen(tmp);
        break;
    case PN_STRING:
    case PN_SYMBOL:
        bytes = pn_data_type(d) == PN_STRING ? pn_data_get_string(d) : pn_data_get_symbol(d);
        v.s = drom_xstrndup(bytes.start, bytes.size), v.len = bytes.size;
        drom_headers_set(&ex->headers, name, &v);
        free(v.s);
        return;
    case PN_BINARY:
        bytes = pn_data_get_binary(d);
        drom_headers_set_bytes(&ex->headers, name, bytes.start, bytes.size);
        return;
    default:
        return;   /* lists, maps, decimals: no JMS property type */
    }
    drom_headers_set(&ex->headers, name, &v);
}

static void get_properties(pn_message_t *msg, struct drom_exchange *ex)
{
    pn_data_t *p = pn_message_properties(msg);
    pn_data_rewind(p);
    if (!pn_data_next(p) || pn_data_type(p) != PN_MAP)
        return;
    size_t n = pn_data_get_map(p);
    pn_data_enter(p);
    struct drom_buf name = DROM_BUF_INIT;
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (!pn_data_next(p))
            break;
        pn_type_t kt = pn_data_type(p);
        pn_bytes_t k = kt == PN_STRING ? pn_data_get_string(p) : kt == PN_SYMBOL ? pn_data_get_symbol(p) : pn_bytes(0, NULL);
        char *key = drom_xstrndup(k.start ? k.start : "", k.size);
        if (!pn_data_next(p)) {
            free(key);
            break;
        }
        if (!key[0]) {
            free(key);
            continue;
        }
        if (strcmp(key, DROM_AMQP_DUPL_ID) == 0) {
            drom_buf_reset(&name);
            drom_buf_puts(&name, DROM_AMQP_EVENT_ID);
        } else {
            drom_amqp_key_decode(key, &name);
        }
        get_property(p, ex, name.data);
        free(key);
    }
    drom_buf_free(&name);
    pn_data_exit(p);
}

static void get_body(pn_message_t *msg, struct drom_exchange *ex)
{
    const char *ct = pn_message_get_content_type(msg);
    pn_data_t *b = pn_message_body(msg);
    pn_data_rewind(b);
    if (!pn_data_next(b)) {
        drom_exchange_set_body_null(ex);
        return;
    }
    pn_bytes_t bytes;
    switch (pn_data_type(b)) {
    case PN_NULL:
        drom_exchange_set_body_null(ex);
        return;
    case PN_STRING:
        bytes = pn_data_get_string(b);
        break;
    case PN_BINARY:
        bytes = pn_data_get_binary(b);
        break;
    case PN_SYMBOL:
        bytes = pn_data_get_symbol(b);
        break;
    default: {
        /* A map, list or number (JMS Map/Stream/Object messages): its AMQP text form. */
        struct drom_buf t = DROM_BUF_INIT;
        size_t cap = 256;
        for (;;) {
            t.data = drom_xrealloc(t.data, cap);
            size_t size = cap;
            if (pn_data_format(b, t.data, &size) == 0) {
                t.len = size;
                break;
            }
            cap *= 2;
        }
        drom_exchange_set_body_take(ex, t.data, t.len, ct ? ct : "text/plain");
        return;
    }
    }
    drom_exchange_set_body(ex, bytes.start ? bytes.start : "", bytes.size, ct && *ct ? ct : NULL);
}

struct drom_exchange *drom_amqp_decode(const char *data, size_t len, pn_message_t *msg, struct drom_error *err)
{
    pn_message_clear(msg);
    /* Every section is a described type (0x00 first); proton lets some garbage through as an empty message. */
    if (len == 0 || data[0] != 0x00) {
        drom_err(err, DROM_EINVAL, "undecodable AMQP message: %s", len ? "no section at the start" : "empty");
        return NULL;
    }
    if (pn_message_decode(msg, data, len) != 0) {
        drom_err(err, DROM_EINVAL, "undecodable AMQP message: %s", pn_error_text(pn_message_error(msg)));
        return NULL;
    }
    struct drom_exchange *ex = drom_exchange_new();
    get_body(msg, ex);
    get_properties(msg, ex);
    struct drom_buf t = DROM_BUF_INIT;
    atom_str(pn_message_get_id(msg), &t);
    if (t.len)
        drom_headers_set_str(&ex->headers, "JMSMessageID", t.data);
    atom_str(pn_message_get_correlation_id(msg), &t);
    if (t.len)
        drom_headers_set_str(&ex->headers, "JMSCorrelationID", t.data);
    drom_buf_free(&t);
    const char *s;
    if ((s = pn_message_get_subject(msg)))
        drom_headers_set_str(&ex->headers, "JMSType", s);
    if ((s = pn_message_get_reply_to(msg)))
        drom_headers_set_str(&ex->headers, "JMSReplyTo", s);
    if ((s = pn_message_get_address(msg)))
        drom_headers_set_str(&ex->headers, "JMSDestination", s);
    drom_headers_set_int(&ex->headers, "JMSPriority", pn_message_get_priority(msg));
    drom_headers_set_int(&ex->headers, "JMSDeliveryMode", pn_message_is_durable(msg) ? 2 : 1);
    if (pn_message_get_creation_time(msg))
        drom_headers_set_int(&ex->headers, "JMSTimestamp", pn_message_get_creation_time(msg));
    drom_headers_set_bool(&ex->headers, "JMSRedelivered", pn_message_get_delivery_count(msg) > 0);
    return ex;
}
