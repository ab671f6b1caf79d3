/* Readiness and consumer lag from librdkafka's error and statistics
 * callbacks. librdkafka reports a lost connection (ERR__TRANSPORT,
 * ERR__ALL_BROKERS_DOWN) as an error but a recovered one only in its
 * statistics, so both are used: an error turns readiness off, the next
 * statistics showing a broker UP turn it on again.
 *
 * The client's opaque must point at a struct whose first member is the
 * struct kafka_health (the producer's and the consumer's states are). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "components/kafka/kafka.h"
#include "runtime/log.h"

void kafka_health_init(struct kafka_health *h, struct drom_endpoint *ep, const char *reason)
{
    h->ep = ep;
    atomic_store(&h->up, false);
    atomic_store(&h->fatal, false);
    atomic_store(&h->lag, -1);
    drom_endpoint_set_ready(ep, false, reason);
}

/* `error`: the reason is news even when readiness was already off. */
static void set_up(struct kafka_health *h, bool up, const char *reason, bool error)
{
    if (atomic_load(&h->fatal))
        return;
    bool was = atomic_exchange(&h->up, up);
    if (was != up || error)
        drom_endpoint_set_ready(h->ep, up, up ? NULL : reason);
}

static void error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    struct kafka_health *h = opaque;
    char msg[512];
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
        char why[400];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        snprintf(msg, sizeof msg, "fatal error %s: %s", rd_kafka_err2name(orig), why);
        drom_log(DROM_LOG_ERROR, "kafka", "%s: %s", h->ep->uri_masked, msg);
        atomic_store(&h->fatal, true);
        drom_endpoint_set_ready(h->ep, false, msg);
        return;
    }
    snprintf(msg, sizeof msg, "%s: %s", rd_kafka_err2name(code), reason);
    if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || code == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
        code == RD_KAFKA_RESP_ERR__RESOLVE || code == RD_KAFKA_RESP_ERR__SSL) {
        set_up(h, false, msg, true);
        drom_log_limited(DROM_LOG_WARN, "kafka", 60000, "%s: %s", h->ep->uri_masked, msg);
    } else {
        drom_log(DROM_LOG_DEBUG, "kafka", "%s: %s", h->ep->uri_masked, msg);
    }
}

/* Sum of consumer_lag over the assigned partitions, -1 when none is known. */
static long long lag_of(json_t *topics)
{
    long long sum = -1;
    const char *tn;
    json_t *t;
    json_object_foreach(topics, tn, t) {
        const char *pn;
        json_t *p;
        json_object_foreach(json_object_get(t, "partitions"), pn, p) {
            if (strcmp(pn, "-1") == 0)
                continue;
            json_t *lag = json_object_get(p, "consumer_lag");
            if (json_is_integer(lag) && json_integer_value(lag) >= 0)
                sum = (sum < 0 ? 0 : sum) + json_integer_value(lag);
        }
    }
    return sum;
}

static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    struct kafka_health *h = opaque;
    json_t *root = json_loadb(json, len, 0, NULL);
    if (!root)
        return 0;
    bool up = false;
    const char *name;
    json_t *b;
    json_object_foreach(json_object_get(root, "brokers"), name, b) {
        json_t *id = json_object_get(b, "nodeid");
        const char *state = json_string_value(json_object_get(b, "state"));
        if (json_is_integer(id) && json_integer_value(id) >= 0 && state && strcmp(state, "UP") == 0)
            up = true;
    }
    set_up(h, up, "no connection to any broker", false);
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type && strcmp(type, "consumer") == 0) {
        long long lag = lag_of(json_object_get(root, "topics"));
        atomic_store(&h->lag, lag);
        if (lag >= 0)
            drom_endpoint_gauge(h->ep, "consumer_lag", lag);
    }
    json_decref(root);
    return 0;
}

void kafka_health_wire(struct kafka_health *h, rd_kafka_conf_t *conf, struct drom_error *err)
{
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_stats_cb(conf, stats_cb);
    char val[32];
    size_t n = sizeof val;
    if (rd_kafka_conf_get(conf, "statistics.interval.ms", val, &n) == RD_KAFKA_CONF_OK && strcmp(val, "0") == 0)
        rd_kafka_conf_set(conf, "statistics.interval.ms", "1000", NULL, 0);
}
