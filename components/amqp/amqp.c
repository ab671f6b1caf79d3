#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "components/amqp/amqp_int.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

/* Camel 4's sjms2/amqp endpoint options and defaults, plus what a C client
 * needs instead of a JMS ConnectionFactory bean: remoteURI, username and
 * password (design.md), TLS and reconnection settings. */

static const char *const ack_modes[] = {"AUTO_ACKNOWLEDGE", "CLIENT_ACKNOWLEDGE", "DUPS_OK_ACKNOWLEDGE",
                                        "SESSION_TRANSACTED", NULL};
static const char *const delivery_modes[] = {"1", "2", NULL};
static const int delivery_mode_ints[] = {1, 2};

#define IGN DROM_OPT_IGNORED
#define AT(f) DROM_OPT_AT(struct amqp_conf, f)

static const struct drom_option options[] = {
    /* connection */
    {.name = "remoteURI", AT(remote_uri), .type = DROM_OPT_STRING, .flags = DROM_OPT_REQUIRED, .group = "connection",
     .doc = "Broker address, amqp://host:port or amqps://host:port (usually camel.component.sjms2.remoteURI); or "
            "Qpid JMS's failover:(amqp://a:port,amqp://b:port)?failover.maxReconnectAttempts=N&... for a primary/backup "
            "pair (docs/ha.md), whose failover.* options replace the reconnect options below"},
    {.name = "username", AT(username), .type = DROM_OPT_STRING, .group = "connection",
     .doc = "User name for SASL (PLAIN or SCRAM; anonymous when unset and no client certificate logs in)"},
    {.name = "password", AT(password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "connection",
     .doc = "Password of username"},
    {.name = "clientId", AT(client_id), .type = DROM_OPT_STRING, .group = "connection",
     .doc = "AMQP container id (JMS client id), needed for durable subscriptions"},
    {.name = "allowInsecurePlain", AT(allow_insecure_plain), .type = DROM_OPT_BOOL, .def = "false", .group = "security",
     .doc = "Send a password over plain amqp:// to a host that is not loopback"},
    {.name = "sslTrustStore", AT(ssl_trust_store), .type = DROM_OPT_STRING, .group = "security",
     .doc = "CA certificates (PEM file) to verify an amqps:// broker; the system store when unset"},
    {.name = "sslCert", AT(ssl_cert), .type = DROM_OPT_STRING, .group = "security",
     .doc = "Client certificate (PEM file) for a broker whose acceptor has needClientAuth (mutual TLS); may hold "
            "the key too"},
    {.name = "sslKey", AT(ssl_key), .type = DROM_OPT_STRING, .group = "security",
     .doc = "Private key of sslCert (PEM file; default: sslCert's file)"},
    {.name = "sslKeyPassword", AT(ssl_key_password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET,
     .group = "security", .doc = "Passphrase of an encrypted sslKey"},
    {.name = "amqp.saslMechanisms", AT(sasl_mechanisms), .type = DROM_OPT_STRING, .group = "security",
     .doc = "Qpid JMS's option: the SASL mechanisms allowed, comma-separated (EXTERNAL: log in with sslCert; "
            "SCRAM-SHA-512, SCRAM-SHA-256, SCRAM-SHA-1: with username and password, the broker's proof of the "
            "password checked; PLAIN; ANONYMOUS; CRAM-MD5 only with a qpid-proton built with Cyrus SASL). "
            "Default: the strongest both sides offer that the given credentials allow (SCRAM-SHA-1 and CRAM-MD5 "
            "only when listed)"},
    {.name = "sslVerifyHost", AT(ssl_verify_host), .type = DROM_OPT_BOOL, .def = "true", .group = "security",
     .doc = "Check the broker's certificate matches its host name"},
    {.name = "idleTimeout", AT(idle_timeout_ms), .type = DROM_OPT_DURATION, .def = "60000", .group = "connection",
     .doc = "AMQP idle timeout: a silent connection is considered dead after this long (0: off)"},
    {.name = "reconnectDelay", AT(reconnect_delay_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "connection",
     .doc = "Wait before the first reconnection attempt (one broker; failover.reconnectDelay for a failover URI)"},
    {.name = "maxReconnectDelay", AT(max_reconnect_delay_ms), .type = DROM_OPT_DURATION, .def = "5000",
     .group = "connection",
     .doc = "Longest wait between reconnection attempts (short: delivery resumes within seconds of the broker's return)"},
    {.name = "reconnectBackOffMultiplier", AT(reconnect_backoff_multiplier), .type = DROM_OPT_INT, .def = "2", .min = 1, .max = 100,
     .group = "connection", .doc = "Factor the wait grows by after each failed attempt"},
    {.name = "maxReconnectAttempts", AT(max_reconnect_attempts), .type = DROM_OPT_INT, .def = "-1", .min = -1, .max = INT32_MAX,
     .group = "connection", .doc = "Attempts before giving up (-1: forever)"},
    {.name = "connectionFactory", AT(connection_factory), .type = DROM_OPT_STRING, .group = "connection",
     .doc = "On the component: #bean:NAME of a camel.beans.NAME=#class:...ConnectionFactory(...) property, whose "
            "broker URL and credentials become remoteURI, username and password (as Camel reads them)"},
    {.name = "testConnectionOnStartup", AT(test_connection_on_startup), .type = DROM_OPT_BOOL, .def = "false", .group = "connection",
     .doc = "Fail the route's start when the broker cannot be reached"},

    /* common */
    {.name = "acknowledgementMode", AT(acknowledgement_mode), .type = DROM_OPT_ENUM, .def = "AUTO_ACKNOWLEDGE", .values = ack_modes,
     .group = "common", .doc = "When a received message is settled (accepted after the exchange is done in any mode)"},
    {.name = "acknowledgementModeName", AT(acknowledgement_mode_name), .type = DROM_OPT_ENUM, .def = "AUTO_ACKNOWLEDGE", .values = ack_modes,
     .group = "common", .doc = "The amqp (JMS) component's name for acknowledgementMode"},
    {.name = "transacted", AT(transacted), .type = DROM_OPT_BOOL, .def = "false", .group = "common",
     .doc = "Use AMQP transactions for sending and settling"},
    {.name = "disableReplyTo", AT(disable_reply_to), .type = DROM_OPT_BOOL, .def = "false", .group = "common",
     .doc = "Ignore JMSReplyTo: never send a reply"},
    {.name = "replyTo", AT(reply_to), .type = DROM_OPT_STRING, .group = "common",
     .doc = "Destination for replies (sets JMSReplyTo on sent messages)"},

    /* consumer */
    {.name = "concurrentConsumers", AT(concurrent_consumers), .type = DROM_OPT_INT, .def = "1", .min = 1, .max = 1024, .group = "consumer",
     .doc = "Number of receiving links for this endpoint"},
    {.name = "durable", AT(durable), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Durable topic subscription (needs clientId and durableSubscriptionName)"},
    {.name = "durableSubscriptionName", AT(durable_subscription_name), .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Name of the durable subscription"},
    {.name = "shared", AT(shared), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Shared topic subscription"},
    {.name = "subscriptionId", AT(subscription_id), .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Name of a shared subscription"},
    {.name = "messageSelector", AT(message_selector), .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "JMS selector passed to the broker as an AMQP filter"},
    {.name = "prefetch", AT(prefetch), .type = DROM_OPT_INT, .def = "500", .min = 1, .max = 100000, .group = "consumer",
     .doc = "Credit granted per receiving link: messages held before the route settles them"},
    {.name = "asyncConsumer", .type = DROM_OPT_BOOL, .def = "false", .flags = IGN, .group = "consumer",
     .doc = "Process messages asynchronously (exchanges are always pipelined here)"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = IGN,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},

    /* producer */
    {.name = "deliveryPersistent", AT(delivery_persistent), .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Send durable messages (the broker stores them before accepting)"},
    {.name = "deliveryMode", AT(delivery_mode), .type = DROM_OPT_ENUM, .values = delivery_modes, .ints = delivery_mode_ints, .group = "producer",
     .doc = "JMS delivery mode, 1 non-persistent or 2 persistent; overrides deliveryPersistent"},
    {.name = "priority", AT(priority), .type = DROM_OPT_INT, .def = "4", .min = 0, .max = 9, .group = "producer",
     .doc = "Message priority"},
    {.name = "timeToLive", AT(time_to_live), .type = DROM_OPT_INT, .def = "-1", .min = -1, .max = INT64_MAX, .group = "producer",
     .doc = "Message time to live in milliseconds (-1: forever)"},
    {.name = "explicitQosEnabled", AT(explicit_qos_enabled), .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Apply deliveryMode, priority and timeToLive (they are always applied here)"},
    {.name = "preserveMessageQos", AT(preserve_message_qos), .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Take priority and time to live from the JMSPriority and JMSExpiration headers"},
    {.name = "requestTimeout", AT(request_timeout_ms), .type = DROM_OPT_DURATION, .def = "20000", .group = "producer",
     .doc = "How long an InOut request waits for its reply"},
    {.name = "allowNullBody", AT(allow_null_body), .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Send an empty message for a null body (else fail the exchange)"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = IGN,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},
    DROM_OPTIONS_END,
};

/* A testConnectionOnStartup endpoint waits this long for the first attempt. */
#define STARTUP_WAIT_MS 30000

/* The connection settings are read by the same code at create, so what
 * `dromc validate` passes is what dromd accepts. */
static int amqp_validate(const char *path, const void *conf, unsigned role, struct drom_error *err)
{
    const struct amqp_conf *o = conf;
    struct amqp_conn_config cfg;
    if (amqp_conn_config_read(o, &cfg, err) < 0 || amqp_tls_files_check(&cfg, err) < 0)
        return -1;
    const char *name;
    bool topic;
    amqp_destination(path, &name, &topic);
    const char *sub = o->durable_subscription_name;
    if (role == DROM_ROLE_CONSUMER && o->durable && (!topic || !sub || !*sub || !o->client_id))
        return drom_err(err, DROM_EINVAL, "a durable subscription needs a topic:, clientId and durableSubscriptionName");
    return 0;
}

static int amqp_create(struct drom_endpoint *ep, struct drom_error *err)
{
    const struct amqp_conf *o = ep->conf;
    struct amqp_conn_config cfg;
    if (amqp_conn_config_read(o, &cfg, err) < 0)
        return -1;
    if (o->transacted || o->acknowledgement_mode == AMQP_ACK_SESSION_TRANSACTED)
        drom_warn(ep->route_id, "%s: AMQP transactions are not supported; messages are settled one by one after "
                  "the exchange is done (at least once)", ep->uri_masked);
    if (o->shared)
        drom_warn(ep->route_id, "%s: shared subscriptions are not supported; each link gets its own subscription",
                  ep->uri_masked);
    struct amqp_ep *e = drom_xcalloc(1, sizeof *e);
    e->ep = ep;
    int64_t wait = o->test_connection_on_startup ? STARTUP_WAIT_MS : 0;
    e->conn = amqp_conn_acquire(ep, &cfg, wait, err);
    if (!e->conn) {
        free(e);
        return -1;
    }
    ep->state = e;
    amqp_conn_add_member(e->conn, e);
    return 0;
}

static void amqp_link(const char *path, const void *conf, unsigned role, struct drom_link *out)
{
    out->label = "queue";
}

static void amqp_destroy(struct drom_endpoint *ep)
{
    struct amqp_ep *e = ep->state;
    if (!e)
        return;
    amqp_consumer_destroy(ep);
    amqp_producer_destroy(ep);
    amqp_conn_remove_member(e->conn, e);
    amqp_conn_release(e->conn);
    free(e);
    ep->state = NULL;
}

static const char *const aliases[] = {"sjms2", NULL};
const struct drom_component drom_component_amqp = {
    .name = "amqp",
    .aliases = aliases,
    .title = "Send to and receive from an AMQP 1.0 broker (ActiveMQ Artemis)",
    .path_syntax = "[queue:|topic:]destinationName",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
    .conf_size = sizeof(struct amqp_conf),
    .create = amqp_create,
    .destroy = amqp_destroy,
    .start = amqp_consumer_start,
    .stop = amqp_consumer_stop,
    .produce = amqp_producer_send,
    .commit = amqp_consumer_commit,
    .done = amqp_consumer_done,
    .position_free = free,
    .validate = amqp_validate,
    .advise = amqp_advise,
    .link = amqp_link,
};
