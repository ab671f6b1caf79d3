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
#include "runtime/tls_files.h"

void kafka_health_init(struct kafka_health *h, struct drom_endpoint *ep, const char *reason)
{
    h->ep = ep;
    atomic_store(&h->up, false);
    atomic_store(&h->fatal, false);
    atomic_store(&h->lag, -1);
    atomic_store(&h->refused, false);
    h->refusal[0] = '\0';
    atomic_store(&h->gated, false);
    atomic_store(&h->assigned, false);
    atomic_store(&h->shown, 0);
    h->group = NULL;
    drom_endpoint_set_ready(ep, false, reason);
}

void kafka_health_gate(struct kafka_health *h, const char *group)
{
    h->group = group;
    atomic_store(&h->gated, true);
}

/* Gives the endpoint the readiness the broker connection and, for a
 * consumer, the group assignment say. `error`: the reason is news even
 * when readiness was already off. */
static void show(struct kafka_health *h, const char *reason, bool error)
{
    if (atomic_load(&h->fatal))
        return;
    bool up = atomic_load(&h->up);
    bool ready = up && (!atomic_load(&h->gated) || atomic_load(&h->assigned));
    int state = ready ? 2 : up ? 1 : 0;   /* ready, waiting for the group, no broker */
    int was = atomic_exchange(&h->shown, state);
    if (was == state && !error)
        return;
    char why[512];
    if (!ready && up) {
        snprintf(why, sizeof why, "connected, waiting for consumer group '%s' to assign partitions",
                 h->group ? h->group : "?");
        reason = why;
    }
    drom_endpoint_set_ready(h->ep, ready, ready ? NULL : reason);
}

static void set_up(struct kafka_health *h, bool up, const char *reason, bool error)
{
    if (up)
        atomic_store(&h->refused, false);
    atomic_store(&h->up, up);
    show(h, reason, error);
}

void kafka_health_assigned(struct kafka_health *h, bool assigned)
{
    atomic_store(&h->assigned, assigned);
    show(h, "no connection to any broker", false);
}

/* A client property, NULL when unset or empty. */
static const char *conf_str(rd_kafka_t *rk, const char *name, char *buf, size_t size)
{
    size_t n = size;
    return rd_kafka_conf_get(rd_kafka_conf(rk), name, buf, &n) == RD_KAFKA_CONF_OK && buf[0] ? buf : NULL;
}

/* librdkafka says "SASL authentication error: Authentication failed ...
 * (after N ms in state AUTH_REQ)": said as a refusal that names the broker
 * and the user (never the password), as for the other servers. */
static void refused_login(rd_kafka_t *rk, const char *reason, char *msg, size_t size)
{
    char user[256], mech[64], brokers[512];
    if (!strstr(reason, "SASL") && !strstr(reason, "uthentication failed"))
        return;
    const char *u = conf_str(rk, "sasl.username", user, sizeof user);
    const char *m = conf_str(rk, "sasl.mechanisms", mech, sizeof mech);
    const char *b = conf_str(rk, "bootstrap.servers", brokers, sizeof brokers);
    snprintf(msg, size, "the broker at %s refused the login of user '%s' (SASL %s: %s)", b ? b : "?",
             u ? u : "(none)", m ? m : "?", reason);
}

/* librdkafka says "certificate verify failed" whatever the cause: asked
 * again of the first bootstrap broker ("host:port,..."). */
static void probe_first(rd_kafka_t *rk, const char *brokers, const char *ca, char *buf, size_t size)
{
    char host[256], algo[32];
    size_t len = strcspn(brokers, ",");
    snprintf(host, sizeof host, "%.*s", (int)len, brokers);
    char *colon = strrchr(host, ':');
    if (!colon)
        return;
    *colon = '\0';
    const char *a = conf_str(rk, "ssl.endpoint.identification.algorithm", algo, sizeof algo);
    drom_tls_probe(host, colon + 1, ca, a && strcmp(a, "https") == 0, buf, size);
}

/* A TLS handshake that failed, with the fix for each cause. */
static void refused_tls(rd_kafka_t *rk, const char *reason, char *msg, size_t size)
{
    char ca[512], brokers[512], pem[512], p12[512], text[1024];
    const char *cert = conf_str(rk, "ssl.certificate.location", pem, sizeof pem);
    struct drom_tls_peer peer = {
        .what = "broker", .at = conf_str(rk, "bootstrap.servers", brokers, sizeof brokers),
        .ca_opt = "sslTruststoreLocation", .ca = conf_str(rk, "ssl.ca.location", ca, sizeof ca),
        .cert_opt = "sslKeystoreLocation", .cert = cert ? cert : conf_str(rk, "ssl.keystore.location", p12, sizeof p12),
        .name_fix = "set sslEndpointAlgorithm= (empty) to skip the check", .renew = ""};
    if (!peer.at)
        peer.at = "?";
    enum drom_tls_failure kind = drom_tls_failure_of(reason);
    char detail[200] = "", why[1200];
    if (kind == DROM_TLS_FAIL_UNTRUSTED && peer.at[0] != '?')
        probe_first(rk, peer.at, peer.ca, detail, sizeof detail);
    if (detail[0])
        kind = drom_tls_failure_of(detail);
    snprintf(why, sizeof why, "%s%s%s", reason, detail[0] ? ": " : "", detail);
    drom_tls_explain(kind, &peer, why, text, sizeof text);
    if (text[0])
        snprintf(msg, size, "%s", text);
}

static void error_cb(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    struct kafka_health *h = opaque;
    char msg[1400];
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
    /* TLS 1.3 tells a refused client certificate after the handshake: an
     * alert read as a transport error. */
    bool tls_alert = code == RD_KAFKA_RESP_ERR__TRANSPORT && drom_tls_failure_of(reason) == DROM_TLS_FAIL_CLIENT_CERT;
    bool refusal = code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__SSL || tls_alert;
    if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION)
        refused_login(rk, reason, msg, sizeof msg);
    else if (refusal)
        refused_tls(rk, reason, msg, sizeof msg);
    if (refusal) {
        snprintf(h->refusal, sizeof h->refusal, "%s", msg);
        atomic_store(&h->refused, true);
    } else if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && atomic_load(&h->refused)) {
        snprintf(msg, sizeof msg, "%s", h->refusal);
    }
    if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || code == RD_KAFKA_RESP_ERR__RESOLVE || refusal) {
        set_up(h, false, msg, true);
        drom_log_limited(refusal ? DROM_LOG_ERROR : DROM_LOG_WARN, "kafka", 60000, "%s: %s", h->ep->uri_masked, msg);
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
