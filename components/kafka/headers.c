/* Exchange headers <-> Kafka record headers.
 *
 * Out: Camel's KafkaHeaderFilterStrategy drops Camel's internal headers
 * (Camel*, org.apache.camel.*); the kafka.* headers steer the producer
 * (kafka.KEY, kafka.OVERRIDE_TOPIC, kafka.PARTITION_KEY, ...) or describe
 * the record a consumer read (kafka.TOPIC, kafka.OFFSET, ...), so they are
 * not forwarded either. Everything else, DromEventId first of all, travels
 * as a record header. Values go as text (integers in decimal, booleans
 * true/false, JSON as its text) or as the bytes they hold; a null header
 * goes as a header with a null value. Camel's Java serializer writes Long
 * and Integer headers as big-endian binary instead: text is what a C or
 * command-line consumer can read, and what our consumer restores.
 *
 * In: UTF-8 values become string headers, anything else bytes. */
#include <string.h>
#include <strings.h>

#include "components/kafka/kafka.h"

static bool filtered(const char *name)
{
    return strncasecmp(name, "camel", 5) == 0 || strncasecmp(name, "org.apache.camel.", 17) == 0 ||
           strncasecmp(name, "kafka.", 6) == 0;
}

rd_kafka_headers_t *kafka_headers_from_exchange(const struct drom_exchange *ex)
{
    rd_kafka_headers_t *hdrs = NULL;
    for (size_t i = 0; i < ex->headers.n; i++) {
        const struct drom_header *h = &ex->headers.items[i];
        if (filtered(h->name))
            continue;
        if (!hdrs)
            hdrs = rd_kafka_headers_new(ex->headers.n);
        char tmp[32];
        const void *val = NULL;
        ssize_t len = 0;
        switch (h->v.type) {
        case DROM_V_NULL:
            break;
        case DROM_V_STRING:
        case DROM_V_JSON:
        case DROM_V_BYTES:
            val = h->v.s ? h->v.s : "";
            len = (ssize_t)h->v.len;
            break;
        case DROM_V_INT:
        case DROM_V_BOOL:
            val = drom_value_str(&h->v, tmp, sizeof tmp);
            len = (ssize_t)strlen(val);
            break;
        }
        rd_kafka_header_add(hdrs, h->name, -1, val, len);
    }
    return hdrs;
}

bool kafka_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c == 0)
            return false;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t k;
        unsigned min;
        unsigned cp;
        if ((c & 0xE0) == 0xC0) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= k)
            return false;
        for (size_t i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += k + 1;
    }
    return true;
}

void kafka_headers_to_exchange(const rd_kafka_message_t *m, struct drom_exchange *ex)
{
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs)
        return;
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
        if (!val) {
            struct drom_value v = {.type = DROM_V_NULL};
            drom_headers_set(&ex->headers, name, &v);
        } else if (kafka_utf8_valid(val, len)) {
            struct drom_value v = {.type = DROM_V_STRING, .s = (char *)val, .len = len};
            drom_headers_set(&ex->headers, name, &v);
        } else {
            drom_headers_set_bytes(&ex->headers, name, val, len);
        }
    }
}
