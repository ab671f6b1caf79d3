/* Which broker an AMQP connection tries next and when: a single broker
 * again after a growing delay; a failover:(...) list as Qpid JMS walks it
 * (each broker in turn without a pause, the delay only after a whole pass
 * failed, one pass an attempt), so that losing the live broker of an
 * Artemis primary/backup pair moves the connection to the backup within
 * one pass. Each switch is logged and counted on the endpoints. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "components/amqp/conn_int.h"
#include "runtime/engine.h"
#include "runtime/log.h"

void amqp_conn_use_broker(struct amqp_conn *c, int i)
{
    const struct amqp_broker *b = &c->cfg.brokers[i];
    c->cur = i;
    snprintf(c->cfg.host, sizeof c->cfg.host, "%s", b->host);
    snprintf(c->cfg.port, sizeof c->cfg.port, "%s", b->port);
    bool v6 = strchr(b->host, ':') != NULL;
    amqp_say(c->label, sizeof c->label, "%s://%s%s%s:%s", c->cfg.tls ? "amqps" : "amqp", v6 ? "[" : "", b->host,
             v6 ? "]" : "", b->port);
    pn_proactor_addr(c->addr, sizeof c->addr, b->host, b->port);
}

static int64_t grown(const struct amqp_conn *c, const struct amqp_schedule *s, bool auth)
{
    if (auth)
        return s->max_delay_ms;   /* a wrong password never spins */
    if (c->failures <= 1 || !s->backoff)
        return s->delay_ms;
    double next = (double)c->delay_ms * s->multiplier;
    return next >= (double)s->max_delay_ms ? s->max_delay_ms : (int64_t)next;
}

/* One broker: every ending is an attempt (the loss included, as before
 * failover lists existed). */
static int64_t single_wait(struct amqp_conn *c, bool auth)
{
    const struct amqp_schedule *s = &c->cfg.sched;
    c->failures++;
    c->delay_ms = grown(c, s, auth);
    if (s->max_attempts >= 0 && c->failures > s->max_attempts)
        return -1;
    return c->delay_ms;
}

static int64_t failover_wait(struct amqp_conn *c, bool lost, bool auth)
{
    const struct amqp_schedule *s = &c->cfg.sched;
    int n = c->cfg.nbrokers;
    amqp_conn_use_broker(c, (c->cur + 1) % n);
    if (lost) {
        c->tried = 0;
        c->lost_at_ms = drom_monotonic_ms();
        return s->initial_delay_ms;
    }
    if (++c->tried < n)
        return 0;   /* the rest of the pass without a pause */
    c->tried = 0;
    c->failures++;
    int64_t limit = c->ever_up ? s->max_attempts : s->startup_max_attempts;
    if (limit >= 0 && c->failures >= (limit > 0 ? limit : 1))
        return -1;
    c->delay_ms = grown(c, s, auth);
    return c->delay_ms;
}

int64_t amqp_conn_next_wait(struct amqp_conn *c, bool lost, bool auth)
{
    return c->cfg.failover ? failover_wait(c, lost, auth) : single_wait(c, auth);
}

void amqp_conn_note_up(struct amqp_conn *c)
{
    if (!c->cfg.failover)
        return;
    bool switched = c->last_up >= 0 && c->last_up != c->cur;
    int64_t took = switched ? drom_monotonic_ms() - c->lost_at_ms : 0;
    for (struct amqp_ep *e = c->members; e; e = e->next) {
        drom_endpoint_text(e->ep, "broker", c->label);
        if (switched) {
            drom_endpoint_count(e->ep, "failovers", 1);
            drom_endpoint_gauge(e->ep, "failover_ms", took);
        }
    }
    if (switched) {
        const struct amqp_broker *was = &c->cfg.brokers[c->last_up];
        drom_info(LOGGER, "failover: now connected to %s (broker %d of %d) in place of %s:%s, %" PRId64
                  " ms after the connection was lost", c->label, c->cur + 1, c->cfg.nbrokers, was->host, was->port,
                  took);
    }
    c->last_up = c->cur;
}
