/* What both producers (producer.c, txn.c) share: how an exchange becomes a
 * record, what its delivery report puts back on the exchange, and the
 * endpoint counters they show. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/kafka/kafka.h"

void kafka_target_init(struct kafka_target *t, const struct drom_endpoint *ep)
{
    const struct kafka_conf *o = ep->conf;
    t->topic = ep->path;
    t->key = o->key;
    t->partition = o->partition_key_given ? (int32_t)o->partition_key : RD_KAFKA_PARTITION_UA;
    t->record_meta = o->record_metadata;
}

rd_kafka_resp_err_t kafka_target_produce(const struct kafka_target *t, rd_kafka_t *rk, struct drom_exchange *ex,
                                         void *opaque)
{
    const char *topic = drom_exchange_header(ex, "kafka.OVERRIDE_TOPIC");
    if (!topic || !*topic)
        topic = t->topic;
    const char *key = drom_exchange_header(ex, "kafka.KEY");
    if (!key)
        key = t->key;
    int32_t part = t->partition;
    const struct drom_value *pk = drom_headers_get(&ex->headers, "kafka.PARTITION_KEY");
    if (pk && pk->type == DROM_V_INT)
        part = (int32_t)pk->i;
    else if (pk && pk->s && *pk->s)
        part = (int32_t)strtol(pk->s, NULL, 10);
    size_t vlen = 0;
    const char *val = drom_exchange_body(ex, &vlen);
    rd_kafka_headers_t *hdrs = kafka_headers_from_exchange(ex);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part), RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
        RD_KAFKA_V_VALUE((void *)val, val ? vlen : 0), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(opaque),
        RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && hdrs)
        rd_kafka_headers_destroy(hdrs);
    return e;
}

void kafka_target_delivered(const struct kafka_target *t, struct drom_exchange *ex, const rd_kafka_message_t *m)
{
    drom_headers_remove(&ex->headers, "kafka.OVERRIDE_TOPIC");
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR || !t->record_meta)
        return;
    char meta[512];
    snprintf(meta, sizeof meta,
             "{\"topic\":\"%s\",\"partition\":%" PRId32 ",\"offset\":%" PRId64 ",\"timestamp\":%" PRId64 "}",
             rd_kafka_topic_name(m->rkt), m->partition, m->offset, rd_kafka_message_timestamp(m, NULL));
    drom_headers_set_json(&ex->headers, "kafka.RECORD_META", meta);
}

void kafka_counters_show(struct kafka_counters *c, struct drom_endpoint *ep)
{
    int64_t v;
    if ((v = atomic_load(&c->produced)) != c->shown_produced) {
        drom_endpoint_count(ep, "produced", v - c->shown_produced);
        c->shown_produced = v;
    }
    if ((v = atomic_load(&c->acked)) != c->shown_acked) {
        drom_endpoint_count(ep, "acknowledged", v - c->shown_acked);
        c->shown_acked = v;
    }
    if ((v = atomic_load(&c->errors)) != c->shown_errors) {
        drom_endpoint_count(ep, "errors", v - c->shown_errors);
        c->shown_errors = v;
    }
    drom_endpoint_gauge(ep, "inflight", atomic_load(&c->inflight));
}
