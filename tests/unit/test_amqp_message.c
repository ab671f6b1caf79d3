/* The amqp component's message mapping (components/amqp/message.h), without a broker. */
#include <criterion/criterion.h>
#include <proton/codec.h>
#include <string.h>

#include "components/amqp/message.h"
#include "runtime/xalloc.h"

static const struct drom_amqp_send SEND = {
    .address = "queue.customers", .durable = true, .priority = 4, .ttl_ms = -1, .allow_null_body = true};

/* Encodes, then decodes with proton into `msg` for inspection. */
static void encode(const struct drom_exchange *ex, const struct drom_amqp_send *s, pn_message_t *msg)
{
    pn_message_t *scratch = pn_message();
    struct drom_buf out = DROM_BUF_INIT;
    struct drom_error err = {0};
    cr_assert_eq(drom_amqp_encode(ex, s, scratch, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(pn_message_decode(msg, out.data, out.len), 0);
    pn_message_free(scratch);
    drom_buf_free(&out);
}

static struct drom_exchange *round_trip(const struct drom_exchange *ex)
{
    pn_message_t *scratch = pn_message();
    struct drom_buf out = DROM_BUF_INIT;
    struct drom_error err = {0};
    cr_assert_eq(drom_amqp_encode(ex, &SEND, scratch, &out, &err), 0, "%s", err.msg);
    struct drom_exchange *back = drom_amqp_decode(out.data, out.len, scratch, &err);
    cr_assert_not_null(back, "%s", err.msg);
    pn_message_free(scratch);
    drom_buf_free(&out);
    return back;
}

/* The application property `name` as text ("" when absent, "<type>" for non-strings). */
static char *prop(pn_message_t *msg, const char *name)
{
    pn_data_t *p = pn_message_properties(msg);
    pn_data_rewind(p);
    if (!pn_data_next(p))
        return NULL;
    size_t n = pn_data_get_map(p);
    pn_data_enter(p);
    char *found = NULL;
    for (size_t i = 0; i < n; i += 2) {
        pn_data_next(p);
        pn_bytes_t k = pn_data_get_string(p);
        pn_data_next(p);
        if (k.size == strlen(name) && memcmp(k.start, name, k.size) == 0) {
            if (pn_data_type(p) == PN_STRING)
                found = drom_xstrndup(pn_data_get_string(p).start, pn_data_get_string(p).size);
            else if (pn_data_type(p) == PN_LONG)
                found = drom_xstrdup("<long>");
            else if (pn_data_type(p) == PN_BOOL)
                found = drom_xstrdup("<bool>");
        }
    }
    pn_data_exit(p);
    return found;
}

static pn_type_t body_type(pn_message_t *msg)
{
    pn_data_t *b = pn_message_body(msg);
    pn_data_rewind(b);
    return pn_data_next(b) ? pn_data_type(b) : PN_NULL;
}

Test(amqp_message, key_format_is_camels)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_amqp_key_encode("kafka.KEY", &b);
    cr_assert_str_eq(b.data, "kafka_DOT_KEY");
    drom_amqp_key_encode("my-header.x", &b);
    cr_assert_str_eq(b.data, "my_HYPHEN_header_DOT_x");
    drom_amqp_key_decode("my_HYPHEN_header_DOT_x", &b);
    cr_assert_str_eq(b.data, "my-header.x");
    drom_amqp_key_decode("plain_name", &b);
    cr_assert_str_eq(b.data, "plain_name");
    drom_buf_free(&b);
    cr_assert(drom_amqp_key_valid("kafka_DOT_KEY"));
    cr_assert(drom_amqp_key_valid("_AMQ_DUPL_ID"));
    cr_assert_not(drom_amqp_key_valid("has space"));
    cr_assert_not(drom_amqp_key_valid("1abc"));
    cr_assert_not(drom_amqp_key_valid(""));
}

Test(amqp_message, text_or_bytes)
{
    cr_assert(drom_amqp_is_text("application/json", "{}", 2));
    cr_assert(drom_amqp_is_text("text/plain; charset=utf-8", "h\xc3\xa9", 3));
    cr_assert(drom_amqp_is_text("application/vnd.x+json", "{}", 2));
    cr_assert(drom_amqp_is_text(NULL, "plain", 5));
    cr_assert_not(drom_amqp_is_text(NULL, "\xff\xfe", 2), "not UTF-8");
    cr_assert_not(drom_amqp_is_text(NULL, "a\0b", 3), "NUL is binary");
    cr_assert_not(drom_amqp_is_text("application/octet-stream", "abc", 3));
    cr_assert_not(drom_amqp_is_text("text/plain", "\xc0\x80", 2), "overlong encoding");
    cr_assert_not(drom_amqp_is_text("text/plain", "\xed\xa0\x80", 3), "surrogate");
}

Test(amqp_message, json_is_a_text_message_with_headers_as_properties)
{
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_str(ex, "{\"id\":1}", "application/json");
    drom_headers_set_str(&ex->headers, "kafka.KEY", "{\"id\":1}");
    drom_headers_set_int(&ex->headers, "kafka.OFFSET", 7);
    drom_headers_set_bool(&ex->headers, "flag", true);
    drom_headers_set_str(&ex->headers, "CamelDebeziumOperation", "c");
    drom_headers_set_str(&ex->headers, "has space", "dropped");
    drom_headers_set_str(&ex->headers, "DromEventId", "5400:mysql-bin.000003:154:0");
    drom_headers_set_str(&ex->headers, "JMSCorrelationID", "corr-1");
    drom_headers_set_str(&ex->headers, "JMSType", "customer");
    pn_message_t *msg = pn_message();
    encode(ex, &SEND, msg);
    cr_assert_eq(body_type(msg), PN_STRING, "AmqpValue string: a JMS TextMessage");
    cr_assert_str_eq(pn_message_get_content_type(msg), "application/json");
    cr_assert_str_eq(pn_message_get_address(msg), "queue.customers");
    cr_assert(pn_message_is_durable(msg));
    cr_assert_eq(pn_message_get_priority(msg), 4);
    cr_assert_eq(pn_message_get_ttl(msg), 0);
    cr_assert_str_eq(pn_message_get_subject(msg), "customer");
    pn_msgid_t corr = pn_message_get_correlation_id(msg);
    cr_assert_eq(corr.type, PN_STRING);
    char *v;
    cr_assert_str_eq((v = prop(msg, "kafka_DOT_KEY")), "{\"id\":1}");
    free(v);
    cr_assert_str_eq((v = prop(msg, "kafka_DOT_OFFSET")), "<long>");
    free(v);
    cr_assert_str_eq((v = prop(msg, "flag")), "<bool>");
    free(v);
    cr_assert_str_eq((v = prop(msg, "_AMQ_DUPL_ID")), "5400:mysql-bin.000003:154:0");
    free(v);
    cr_assert_null(prop(msg, "CamelDebeziumOperation"));
    cr_assert_null(prop(msg, "DromEventId"));
    cr_assert_null(prop(msg, "has space"));
    cr_assert_null(prop(msg, "JMSType"));
    pn_message_free(msg);
    drom_exchange_free(ex);
}

Test(amqp_message, binary_is_a_data_section_and_qos_is_applied)
{
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body(ex, "\x00\x01\xff", 3, NULL);
    struct drom_amqp_send s = SEND;
    s.durable = false;
    s.priority = 9;
    s.ttl_ms = 60000;
    s.topic = true;
    pn_message_t *msg = pn_message();
    encode(ex, &s, msg);
    cr_assert_eq(body_type(msg), PN_BINARY);
    cr_assert(pn_message_is_inferred(msg), "a Data section, not an AmqpValue binary");
    cr_assert_str_eq(pn_message_get_content_type(msg), "application/octet-stream");
    cr_assert_not(pn_message_is_durable(msg));
    cr_assert_eq(pn_message_get_priority(msg), 9);
    cr_assert_eq(pn_message_get_ttl(msg), 60000);
    pn_message_free(msg);
    drom_exchange_free(ex);
}

Test(amqp_message, null_body_is_an_empty_message_or_an_error)
{
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_null(ex);
    pn_message_t *msg = pn_message();
    encode(ex, &SEND, msg);
    cr_assert_eq(body_type(msg), PN_NULL);
    struct drom_exchange *back = round_trip(ex);
    cr_assert(drom_exchange_body_is_null(back));
    drom_exchange_free(back);
    struct drom_amqp_send s = SEND;
    s.allow_null_body = false;
    struct drom_buf out = DROM_BUF_INIT;
    struct drom_error err = {0};
    cr_assert_eq(drom_amqp_encode(ex, &s, msg, &out, &err), -1);
    cr_assert(strstr(err.msg, "allowNullBody"), "%s", err.msg);
    drom_buf_free(&out);
    pn_message_free(msg);
    drom_exchange_free(ex);
}

Test(amqp_message, round_trip_restores_headers_and_event_id)
{
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_str(ex, "h\xc3\xa9llo", "text/plain");
    drom_headers_set_str(&ex->headers, "kafka.KEY", "k");
    drom_headers_set_str(&ex->headers, "my-header", "v");
    drom_headers_set_int(&ex->headers, "n", -5);
    drom_headers_set_str(&ex->headers, "DromEventId", "id-1");
    struct drom_exchange *back = round_trip(ex);
    size_t len;
    cr_assert_str_eq(drom_exchange_body(back, &len), "h\xc3\xa9llo");
    cr_assert_str_eq(back->content_type, "text/plain");
    cr_assert_str_eq(drom_exchange_header(back, "kafka.KEY"), "k");
    cr_assert_str_eq(drom_exchange_header(back, "my-header"), "v");
    cr_assert_eq(drom_headers_get(&back->headers, "n")->type, DROM_V_INT);
    cr_assert_eq(drom_headers_get(&back->headers, "n")->i, -5);
    cr_assert_str_eq(drom_exchange_header(back, "DromEventId"), "id-1");
    cr_assert_null(drom_exchange_header(back, "_AMQ_DUPL_ID"));
    cr_assert_str_eq(drom_exchange_header(back, "JMSDestination"), "queue.customers");
    cr_assert_str_eq(drom_exchange_header(back, "JMSDeliveryMode"), "2");
    cr_assert_str_eq(drom_exchange_header(back, "JMSRedelivered"), "false");
    cr_assert(strncmp(drom_exchange_header(back, "JMSMessageID"), "ID:", 3) == 0);
    drom_exchange_free(back);
    drom_exchange_free(ex);
}

Test(amqp_message, garbage_is_an_error_not_a_crash)
{
    pn_message_t *msg = pn_message();
    struct drom_error err = {0};
    const char junk[] = "this is no AMQP message";
    cr_assert_null(drom_amqp_decode(junk, sizeof junk - 1, msg, &err));
    cr_assert(strstr(err.msg, "undecodable"), "%s", err.msg);
    cr_assert_null(drom_amqp_decode("", 0, msg, &err));
    pn_message_free(msg);
}
