/* The inside of one AMQP connection, shared by the files that make it up:
 * conn_state.c (accessors, readiness, members), conn_link.c (links),
 * conn_events.c (the proton events and the reconnection schedule) and
 * conn.c (the shared object, its thread and references). Each file only
 * calls down that list. Everything here is guarded by mu (see amqp_int.h). */
#ifndef DROM_COMPONENTS_AMQP_CONN_INT_H
#define DROM_COMPONENTS_AMQP_CONN_INT_H

#include <proton/event.h>
#include <stddef.h>

#include "components/amqp/amqp_int.h"

#define LOGGER "amqp"

struct amqp_conn {
    pthread_mutex_t mu;
    pthread_cond_t cond;             /* state changes, for acquire's wait */
    struct amqp_conn_config cfg;     /* strings below are its own copies */
    char *username, *password, *client_id, *trust_store;
    char *cert, *key, *key_password, *sasl_mechs;
    char label[300];                 /* amqp://host:port of the current broker, for logs */
    char addr[300];                  /* host:port for the proactor */
    int cur;                         /* cfg.brokers[cur] is cfg.host:cfg.port */
    int tried;                       /* brokers of the failover list tried in this pass */
    int last_up;                     /* the broker of the last connection, -1 before the first */
    int64_t lost_at_ms;              /* monotonic: when the last live connection was lost */
    pn_ssl_domain_t *ssl;
    int refs;
    bool running, stopping;
    pthread_t thread;
    pn_proactor_t *proactor;
    pn_connection_t *pc;             /* the live connection; NULL while down */
    pn_session_t *session;
    bool up, ever_up, gave_up;
    bool link_failed;                /* the broker closed a link: why the connection closes */
    int64_t failures;                /* attempts failed in a row */
    int64_t delay_ms;                /* the next wait before reconnecting */
    uint64_t rng;
    unsigned link_seq;
    char reason[600];                /* why not up */
    struct amqp_link *links;
    struct amqp_ep *members;
};

/* snprintf for messages that may be cut at the buffer's end, on purpose. */
void amqp_say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* amqp_ep_update_ready for every member, then wakes acquire's wait; mu held. */
void amqp_conn_update_all(struct amqp_conn *c);

/* Opens link l on the connection's session; the proton thread, mu held. */
void amqp_link_attach(struct amqp_conn *c, struct amqp_link *l);
/* Closes and frees a link destroy gave up; the proton thread (or no thread), mu held. */
void amqp_link_drop(struct amqp_conn *c, struct amqp_link *l);

/* conn_failover.c: makes cfg.brokers[i] the broker to connect to next
 * (host, port, label, proactor address); mu held or no thread yet. */
void amqp_conn_use_broker(struct amqp_conn *c, int i);
/* The wait in ms before the next attempt after the connection ended
 * (`lost`: a live connection dropped, else an attempt failed; `auth`: the
 * login was refused), moving along the failover list; -1: give up
 * (maxReconnectAttempts). mu held. */
int64_t amqp_conn_next_wait(struct amqp_conn *c, bool lost, bool auth);
/* The connection is up on the current broker: counts and logs a failover
 * when it is not the broker of the last connection; mu held. */
void amqp_conn_note_up(struct amqp_conn *c);

/* Opens a new proton connection to the broker; mu held. */
void amqp_conn_connect(struct amqp_conn *c);
/* Handles one proton event; returns false when the thread's loop should end. mu held. */
bool amqp_conn_handle(struct amqp_conn *c, pn_event_t *e);

#endif
