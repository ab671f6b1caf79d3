/* Benchmark probe: consumes a queue over AMQP 1.0 and prints one line per message,
 * "ARRIVAL_NS ID", where ARRIVAL_NS is CLOCK_REALTIME at receipt and ID the row's primary key
 * read from the JSON body (the Debezium envelope's "after", or a bare row), -1 if none.
 * Accepts (and so removes) every message. Stops on SIGTERM/SIGINT.
 *
 *   amqp_arrivals HOST:PORT QUEUE [USER PASSWORD]
 */
#define _GNU_SOURCE
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/message.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/transport.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"

#define CREDIT 1000

static long long body_id(pn_message_t *m)
{
    pn_data_t *b = pn_message_body(m);
    pn_data_rewind(b);
    if (!pn_data_next(b))
        return -1;
    pn_bytes_t v;
    switch (pn_data_type(b)) {
    case PN_STRING: v = pn_data_get_string(b); break;
    case PN_BINARY: v = pn_data_get_binary(b); break;
    default: return -1;
    }
    return row_id(v.start, v.size);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: %s HOST:PORT QUEUE [USER PASSWORD]\n", argv[0]);
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    static char line[64];
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);

    pn_proactor_t *pro = pn_proactor();
    pn_connection_t *conn = pn_connection();
    pn_connection_set_container(conn, "drom-bench-probe");
    if (argc == 5) {
        pn_connection_set_user(conn, argv[3]);
        pn_connection_set_password(conn, argv[4]);
    }
    pn_transport_t *tr = pn_transport();
    pn_sasl_t *sasl = pn_sasl(tr);
    pn_sasl_set_allow_insecure_mechs(sasl, true);
    pn_proactor_connect2(pro, conn, tr, argv[1]);
    pn_proactor_set_timeout(pro, 100);

    pn_message_t *msg = pn_message();
    char *buf = NULL;
    size_t cap = 0, len = 0;
    long long count = 0;
    int rc = 0, done = 0;
    while (!done) {
        if (stop_requested) {
            pn_connection_close(conn);
            pn_connection_wake(conn);
            stop_requested = 0;
        }
        /* the timeout only wakes the loop to notice a stop signal */
        pn_event_batch_t *batch = pn_proactor_wait(pro);
        pn_event_t *e;
        while ((e = pn_event_batch_next(batch))) {
            switch (pn_event_type(e)) {
            case PN_CONNECTION_INIT: {
                pn_connection_open(conn);
                pn_session_t *ssn = pn_session(conn);
                pn_session_open(ssn);
                pn_link_t *l = pn_receiver(ssn, "probe");
                pn_terminus_set_address(pn_link_source(l), argv[2]);
                pn_terminus_set_address(pn_link_target(l), argv[2]);
                pn_link_open(l);
                pn_link_flow(l, CREDIT);
                break;
            }
            case PN_DELIVERY: {
                pn_delivery_t *d = pn_event_delivery(e);
                pn_link_t *l = pn_delivery_link(d);
                if (!pn_delivery_readable(d))
                    break;
                size_t pend = pn_delivery_pending(d);
                if (len + pend > cap) {
                    cap = (len + pend) * 2;
                    buf = realloc(buf, cap);
                    if (!buf) { fprintf(stderr, "out of memory\n"); return 1; }
                }
                ssize_t n = pn_link_recv(l, buf + len, pend);
                if (n > 0)
                    len += (size_t)n;
                if (pn_delivery_partial(d))
                    break;
                long long t = now_ns(), id = -1;
                pn_link_advance(l);
                if (pn_message_decode(msg, buf, len) == 0)
                    id = body_id(msg);
                len = 0;
                pn_delivery_update(d, PN_ACCEPTED);
                pn_delivery_settle(d);
                int k = snprintf(line, sizeof line, "%lld %lld\n", t, id);
                fwrite(line, 1, (size_t)k, stdout);
                count++;
                if (pn_link_credit(l) < CREDIT / 2)
                    pn_link_flow(l, CREDIT - pn_link_credit(l));
                break;
            }
            case PN_TRANSPORT_CLOSED: {
                pn_condition_t *c = pn_transport_condition(pn_event_transport(e));
                if (pn_condition_is_set(c)) {
                    fprintf(stderr, "amqp_arrivals: %s: %s\n", pn_condition_get_name(c),
                            pn_condition_get_description(c));
                    rc = 1;
                }
                done = 1; /* the pending stop timer would keep PN_PROACTOR_INACTIVE away */
                break;
            }
            case PN_LINK_REMOTE_CLOSE:
            case PN_CONNECTION_REMOTE_CLOSE: {
                pn_condition_t *c = pn_event_type(e) == PN_LINK_REMOTE_CLOSE
                                        ? pn_link_remote_condition(pn_event_link(e))
                                        : pn_connection_remote_condition(conn);
                if (pn_condition_is_set(c)) {
                    fprintf(stderr, "amqp_arrivals: %s: %s\n", pn_condition_get_name(c),
                            pn_condition_get_description(c));
                    rc = 1;
                }
                pn_connection_close(conn);
                break;
            }
            case PN_PROACTOR_TIMEOUT: pn_proactor_set_timeout(pro, 100); break;
            case PN_PROACTOR_INACTIVE: done = 1; break;
            default: break;
            }
        }
        pn_proactor_done(pro, batch);
        fflush(stdout);
    }
    fflush(stdout);
    fprintf(stderr, "amqp_arrivals: %lld messages\n", count);
    pn_message_free(msg);
    free(buf);
    pn_proactor_free(pro);
    return rc;
}
