/* Exchange <-> AMQP 1.0 message, the way JMS clients of ActiveMQ Artemis
 * read and write them (qpid-jms's mapping, which Artemis follows):
 *
 *  - Text (content type text/..., application/json, +json, xml; or, with no
 *    content type, a body that is valid UTF-8) is an AmqpValue string and
 *    x-opt-jms-msg-type 5: a JMS TextMessage. Anything else is one Data
 *    section and type 3: a BytesMessage. The content type is kept.
 *  - A null body (a Kafka tombstone) is a message without a body section
 *    and type 0: a plain JMS Message, which comes back as a null body. With
 *    allowNullBody=false it fails the exchange instead.
 *  - Header JMSCorrelationID -> correlation-id, JMSType -> subject,
 *    JMSReplyTo or the replyTo option -> reply-to; message-id is
 *    "ID:" + the exchange id; `to` is the destination.
 *  - Every other header becomes an application property named with Camel's
 *    JMS key format ("." -> "_DOT_", "-" -> "_HYPHEN_"); Camel* and
 *    org.apache.camel* headers, other JMS* headers, null values and names
 *    that are no Java identifier even after encoding are left out, as
 *    Camel's JMS binding does. Strings, JSON and valid-UTF-8 bytes go as
 *    strings, ints as long, booleans as boolean.
 *  - DromEventId is sent as _AMQ_DUPL_ID (string), Artemis's duplicate
 *    detection id, and comes back as DromEventId.
 *
 * Decoding reverses all of this and adds Camel's JMS headers (JMSMessageID,
 * JMSCorrelationID, JMSType, JMSDestination, JMSPriority, JMSDeliveryMode,
 * JMSTimestamp, JMSRedelivered). Any thread; nothing shared. */
#ifndef DROM_COMPONENTS_AMQP_MESSAGE_H
#define DROM_COMPONENTS_AMQP_MESSAGE_H

#include <proton/message.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/buf.h"
#include "runtime/error.h"
#include "runtime/exchange.h"

#define DROM_AMQP_DUPL_ID "_AMQ_DUPL_ID"
#define DROM_AMQP_EVENT_ID "DromEventId"

struct drom_amqp_send {
    const char *address;        /* `to`; borrowed */
    bool topic;
    bool durable;
    int priority;               /* 0..9 */
    int64_t ttl_ms;             /* <= 0: never expires */
    const char *reply_to;       /* NULL: from the JMSReplyTo header, if any */
    bool allow_null_body;
    bool preserve_qos;          /* priority, ttl, durability from JMSPriority, JMSExpiration, JMSDeliveryMode */
};

/* Encodes `ex` into out (reset first). `msg` is scratch space the caller
 * owns and reuses (cleared here). -1 with err when the exchange cannot be
 * sent (a null body with allow_null_body off). */
int drom_amqp_encode(const struct drom_exchange *ex, const struct drom_amqp_send *s, pn_message_t *msg,
                     struct drom_buf *out, struct drom_error *err);

/* Decodes an AMQP message into a new exchange (caller owns). `msg` is
 * scratch space. NULL with err for bytes that are no AMQP message. */
struct drom_exchange *drom_amqp_decode(const char *data, size_t len, pn_message_t *msg, struct drom_error *err);

/* Camel's JMS key format: "." -> "_DOT_", "-" -> "_HYPHEN_" and back. */
void drom_amqp_key_encode(const char *name, struct drom_buf *out);
void drom_amqp_key_decode(const char *name, struct drom_buf *out);
/* True for a valid JMS property name (a Java identifier, ASCII here). */
bool drom_amqp_key_valid(const char *name);

/* Whether a body is sent as text (see the top). */
bool drom_amqp_is_text(const char *content_type, const char *body, size_t len);
bool drom_amqp_utf8_valid(const char *s, size_t len);

#endif
