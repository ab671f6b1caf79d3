/* The amqp/sjms2 component's inside: one AMQP connection per broker (and
 * credentials) shared by the endpoints of an engine, run by its own proton
 * proactor thread; sender links for producers, receiver links for consumers.
 *
 * Threads and locking. Everything in a struct amqp_conn and in the links
 * attached to it is guarded by conn->mu. The proton thread holds it while it
 * handles each event; the engine thread (produce, commit, create, destroy)
 * and a consumer's submit thread take it briefly to queue work, then wake
 * the proton thread with amqp_conn_wake (pn_connection_wake). Proton
 * objects (pn_link_t, pn_delivery_t) are only touched by the proton thread.
 *
 * Ownership: the connection is owned by the engine's shared registry (it
 * lives until the engine is freed); endpoints hold a reference that starts
 * the thread and releases that stop it. A link belongs to its endpoint's
 * state until destroy detaches it; the proton thread frees what is left. */
#ifndef DROM_COMPONENTS_AMQP_INT_H
#define DROM_COMPONENTS_AMQP_INT_H

#include <proton/delivery.h>
#include <proton/link.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/ssl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "components/amqp/message.h"
#include "runtime/component.h"

struct amqp_conn;
struct amqp_link;
struct amqp_producer;
struct amqp_consumer;

/* An endpoint's state (ep->state): the connection it shares and, once
 * used, its producer (first produce) and consumer (start). The engine does
 * not say at create which role an endpoint plays, so both come later. */
struct amqp_ep {
    struct drom_endpoint *ep;
    struct amqp_conn *conn;
    struct amqp_producer *prod;
    struct amqp_consumer *cons;
    struct amqp_ep *next;         /* conn's members; guarded by conn->mu */
};

/* Per-kind callbacks the connection's handle() dispatches to; called on the
 * proton thread with conn->mu held. */
struct amqp_link_ops {
    void (*opened)(struct amqp_link *l);                    /* attached by the broker */
    void (*flow)(struct amqp_link *l);                      /* credit or a wake */
    void (*delivery)(struct amqp_link *l, pn_delivery_t *d);
    void (*lost)(struct amqp_link *l);                      /* the connection went down */
    void (*freed)(struct amqp_link *l);                     /* detached and closed: free own state */
};

struct amqp_link {
    struct amqp_conn *conn;
    const struct amqp_link_ops *ops;
    void *owner;                  /* the producer or consumer */
    struct amqp_ep *aep;          /* for readiness and counters */
    char name[160];
    char address[512];
    bool topic;
    bool sender;
    /* Consumer source settings. */
    const char *selector;         /* borrowed from the endpoint's options */
    const char *durable_name;     /* durable subscription: link name, deliveries kept */
    unsigned credit;              /* receiver: the credit window */
    pn_link_t *pl;                /* proton thread: NULL while down */
    bool attached;                /* the broker answered the attach */
    bool detached;                /* destroy asked to go away: the proton thread frees it */
    char error[512];              /* why the broker closed the link, "" when none */
    struct amqp_link *next;
};

enum amqp_ack { AMQP_ACK_AUTO, AMQP_ACK_CLIENT, AMQP_ACK_DUPS_OK, AMQP_ACK_SESSION_TRANSACTED };

/* The endpoint's options (ep->conf), filled from amqp.c's table. */
struct amqp_conf {
    const char *remote_uri, *username, *password, *client_id, *ssl_trust_store, *reply_to;
    const char *ssl_cert, *ssl_key, *ssl_key_password, *sasl_mechanisms;
    const char *durable_subscription_name, *subscription_id, *message_selector;
    const char *connection_factory;   /* read by compiler/beans.c from the properties, not here */
    bool allow_insecure_plain, ssl_verify_host, test_connection_on_startup, transacted, disable_reply_to;
    bool durable, shared, delivery_persistent, explicit_qos_enabled, preserve_message_qos, allow_null_body;
    int64_t idle_timeout_ms, reconnect_delay_ms, max_reconnect_delay_ms, reconnect_backoff_multiplier;
    int64_t max_reconnect_attempts, concurrent_consumers, prefetch, priority, time_to_live, request_timeout_ms;
    int acknowledgement_mode, acknowledgement_mode_name;   /* enum amqp_ack */
    int delivery_mode;                                     /* 1, 2, or -1 when unset */
};

/* One broker of remoteURI: the only one, or one of a failover:(...) list. */
struct amqp_broker {
    char host[256];
    char port[16];
};

/* A failover:(...) remoteURI holds at most this many brokers. */
#define AMQP_MAX_BROKERS 8

/* How a dropped connection is opened again. A single broker is tried again
 * after reconnectDelay, growing by reconnectBackOffMultiplier up to
 * maxReconnectDelay. A failover list is walked as Qpid JMS walks it: each
 * broker of the list in turn without a pause, and only after a whole pass
 * failed the delay (initialReconnectDelay before the first pass after a
 * loss); an attempt is one pass. */
struct amqp_schedule {
    int64_t initial_delay_ms, delay_ms, max_delay_ms;
    bool backoff;
    double multiplier;
    int64_t max_attempts;            /* -1: forever */
    int64_t startup_max_attempts;    /* before the first connection; -1: forever */
    bool randomize;                  /* shuffle the list once, at the connection's start */
};

struct amqp_conn_config {
    char host[256];               /* the broker to connect to: brokers[0] here, the current one in a connection */
    char port[16];
    bool tls;                     /* every broker of a list speaks the same scheme */
    struct amqp_broker brokers[AMQP_MAX_BROKERS];
    int nbrokers;                 /* 1 unless remoteURI is failover:(...) */
    bool failover;                /* remoteURI was failover:(...), even of one broker */
    const char *username, *password, *client_id, *trust_store;   /* borrowed until amqp_conn_new returns */
    const char *cert, *key, *key_password, *sasl_mechs;          /* likewise; NULL when not given */
    bool verify_host;
    bool allow_insecure_plain;
    int64_t idle_timeout_ms;
    struct amqp_schedule sched;
};

/* failover_uri.c: one amqp:// or amqps:// address (`len` bytes at `s`) into
 * b and *tls; `what` names it in errors ("remoteURI 'x'", "broker 2 of
 * remoteURI 'x'"). */
int amqp_broker_parse(const char *what, const char *s, size_t len, struct amqp_broker *b, bool *tls,
                      struct drom_error *err);
/* A failover:(amqp://a:p,amqp://b:p)?failover.name=value&... remoteURI (Qpid
 * JMS's syntax) into cfg's brokers, tls and schedule (Qpid JMS's defaults
 * for what the URI does not say). */
int amqp_failover_parse(const char *uri, struct amqp_conn_config *cfg, struct drom_error *err);

/* Parses remoteURI and the connection options of an endpoint (cfg borrows
 * o's strings); _read also refuses a password in clear text to a host that
 * is not loopback unless allowInsecurePlain says so. */
int amqp_conn_config_parse(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err);
int amqp_conn_config_read(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err);

/* security.c: the client certificate and SASL options of `o` into cfg
 * (after its URI is read), checked against each other and this proton. */
int amqp_security_read(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err);
/* Whether the password of cfg's user may cross the network readable: over
 * plain amqp:// unless amqp.saslMechanisms leaves PLAIN out (SCRAM only). */
bool amqp_password_in_clear(const struct amqp_conn_config *cfg);
/* The certificate files of cfg checked offline (validate); and the
 * component's advice on a password sent in clear text. */
int amqp_tls_files_check(const struct amqp_conn_config *cfg, struct drom_error *err);
void amqp_advise(const char *path, const void *conf, char *warning, size_t size);
/* The SASL mechanisms to allow, space-separated, strongest first, into buf. */
const char *amqp_sasl_mechs(const struct amqp_conn_config *cfg, char *buf, size_t size);
/* sasl.c: the SASL of a new transport: the mechanisms of amqp_sasl_mechs
 * allowed and, where SCRAM is among them and proton lacks Cyrus SASL, the
 * client SASL of sasl.c that speaks it. */
pn_sasl_t *amqp_sasl_setup(pn_transport_t *t, const struct amqp_conn_config *cfg);
/* CA, client certificate and peer checks of a client TLS domain. */
int amqp_ssl_domain_setup(pn_ssl_domain_t *d, const struct amqp_conn_config *cfg, const char *label,
                          struct drom_error *err);
/* A client TLS domain made from cfg's files as they are now (a CA or client
 * certificate corrected on disk is used on the next connection), `old`
 * released; `old` kept, with a warning, when the files do not load. */
pn_ssl_domain_t *amqp_ssl_domain_renew(pn_ssl_domain_t *old, const struct amqp_conn_config *cfg, const char *label);
/* Why the connection to `label` was refused, in words with the fix: a
 * login (`auth`) or a TLS handshake; "" when `what` is neither. */
void amqp_refusal(const struct amqp_conn_config *cfg, const char *label, bool auth, const char *what, char *buf,
                  size_t size);

/* The connection of `ep`'s engine for these settings, created on first use,
 * with a reference taken (the thread starts with the first). With `wait_ms`
 * > 0 waits that long for the connection to open and fails if it does not
 * (testConnectionOnStartup). */
struct amqp_conn *amqp_conn_acquire(struct drom_endpoint *ep, const struct amqp_conn_config *cfg, int64_t wait_ms,
                                    struct drom_error *err);
/* Drops the reference; the last one closes the connection and joins its thread. */
void amqp_conn_release(struct amqp_conn *c);

/* Adds an endpoint to the connection's members (readiness, reconnect
 * counts) and sets its readiness; remove before freeing it. Take conn->mu. */
void amqp_conn_add_member(struct amqp_conn *c, struct amqp_ep *e);
void amqp_conn_remove_member(struct amqp_conn *c, struct amqp_ep *e);

/* Registers a link (attached when the connection is up). Takes conn->mu. */
void amqp_conn_add_link(struct amqp_conn *c, struct amqp_link *l);
/* Asks for the link to be closed and freed by the proton thread; after
 * return no callback of the link runs for its endpoint. Takes conn->mu. */
void amqp_conn_remove_link(struct amqp_conn *c, struct amqp_link *l);

void amqp_conn_lock(struct amqp_conn *c);
void amqp_conn_unlock(struct amqp_conn *c);
/* pthread_cond_wait on conn->mu (held). */
void amqp_conn_wait(struct amqp_conn *c, pthread_cond_t *cond);
/* Wakes the proton thread (flow() of every link runs). conn->mu held. */
void amqp_conn_wake(struct amqp_conn *c);
/* True while the connection is open; conn->mu held. */
bool amqp_conn_up(const struct amqp_conn *c);
/* Why the connection is down ("" when up); conn->mu held. */
const char *amqp_conn_reason(const struct amqp_conn *c);
/* True when reconnection gave up (maxReconnectAttempts); conn->mu held. */
bool amqp_conn_gave_up(const struct amqp_conn *c);

/* Sets an endpoint's readiness from the connection and its links; conn->mu held. */
void amqp_ep_update_ready(struct amqp_ep *e);

/* Splits "queue:name", "topic:name" or "name" (queue). */
void amqp_destination(const char *path, const char **name, bool *topic);

/* Endpoint callbacks (engine thread). */
int amqp_producer_create(struct drom_endpoint *ep, struct drom_error *err);
void amqp_producer_destroy(struct drom_endpoint *ep);
enum drom_status amqp_producer_send(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err);
void amqp_consumer_destroy(struct drom_endpoint *ep);
int amqp_consumer_start(struct drom_endpoint *ep, struct drom_error *err);
void amqp_consumer_stop(struct drom_endpoint *ep);
void amqp_consumer_commit(struct drom_endpoint *ep, const void *pos);
void amqp_consumer_done(struct drom_endpoint *ep, const void *pos, bool failed);

#endif
