/* remoteURI's addresses: one amqp:// or amqps:// broker, or Qpid JMS's
 * failover:(amqp://a:p,amqp://b:p)?failover.name=value&... list with the
 * failover options that make sense for one AMQP connection. Read by the
 * same code at validate and at create (config.c). */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/amqp/conn_int.h"

int amqp_broker_parse(const char *what, const char *s, size_t len, struct amqp_broker *b, bool *tls,
                      struct drom_error *err)
{
    char uri[1024];
    if (len >= sizeof uri)
        return drom_err(err, DROM_EINVAL, "%s: the address is too long", what);
    memcpy(uri, s, len);
    uri[len] = '\0';
    const char *p;
    if (strncasecmp(uri, "amqp://", 7) == 0) {
        p = uri + 7;
        *tls = false;
    } else if (strncasecmp(uri, "amqps://", 8) == 0) {
        p = uri + 8;
        *tls = true;
    } else {
        return drom_err(err, DROM_EINVAL, "%s: expected amqp://host:port or amqps://host:port", what);
    }
    size_t hl;
    const char *rest;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (!close)
            return drom_err(err, DROM_EINVAL, "%s: unclosed '[' in the host", what);
        hl = (size_t)(close - p - 1);
        p++;
        rest = close + 1;
    } else {
        hl = strcspn(p, ":/?");
        rest = p + hl;
    }
    if (hl == 0 || hl >= sizeof b->host)
        return drom_err(err, DROM_EINVAL, "%s: no host", what);
    memcpy(b->host, p, hl);
    b->host[hl] = '\0';
    if (*rest == ':') {
        size_t pl = strspn(rest + 1, "0123456789");
        if (pl == 0 || pl >= sizeof b->port)
            return drom_err(err, DROM_EINVAL, "%s: bad port", what);
        memcpy(b->port, rest + 1, pl);
        b->port[pl] = '\0';
        rest += 1 + pl;
    } else {
        snprintf(b->port, sizeof b->port, "%s", *tls ? "5671" : "5672");
    }
    if (*rest && *rest != '/' && *rest != '?')
        return drom_err(err, DROM_EINVAL, "%s: unexpected '%s' after the port", what, rest);
    return 0;
}

/* --- the failover options --- */

enum fo_type { FO_MS, FO_ATTEMPTS, FO_BOOL, FO_FACTOR };

struct fo_option {
    const char *name;
    enum fo_type type;
    size_t at;   /* offset in struct amqp_schedule */
};

#define AT(f) offsetof(struct amqp_schedule, f)
static const struct fo_option fo_options[] = {
    {"failover.initialReconnectDelay", FO_MS, AT(initial_delay_ms)},
    {"failover.reconnectDelay", FO_MS, AT(delay_ms)},
    {"failover.maxReconnectDelay", FO_MS, AT(max_delay_ms)},
    {"failover.useReconnectBackOff", FO_BOOL, AT(backoff)},
    {"failover.reconnectBackOffMultiplier", FO_FACTOR, AT(multiplier)},
    {"failover.maxReconnectAttempts", FO_ATTEMPTS, AT(max_attempts)},
    {"failover.startupMaxReconnectAttempts", FO_ATTEMPTS, AT(startup_max_attempts)},
    {"failover.randomize", FO_BOOL, AT(randomize)},
};
#undef AT
#define NFO (sizeof fo_options / sizeof *fo_options)

static const char known_list[] =
    "failover.initialReconnectDelay, failover.reconnectDelay, failover.maxReconnectDelay, "
    "failover.useReconnectBackOff, failover.reconnectBackOffMultiplier, failover.maxReconnectAttempts, "
    "failover.startupMaxReconnectAttempts, failover.randomize";

static int fo_value(const char *uri, const struct fo_option *o, const char *v, struct amqp_schedule *s,
                    struct drom_error *err)
{
    char *end = NULL;
    void *slot = (char *)s + o->at;
    errno = 0;
    switch (o->type) {
    case FO_BOOL:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': %s takes true or false, not '%s'", uri, o->name, v);
        *(bool *)slot = v[0] == 't';
        return 0;
    case FO_FACTOR: {
        double d = strtod(v, &end);
        if (!*v || *end || errno || !isfinite(d) || d < 1.0 || d > 100.0)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': %s takes a number from 1 to 100, not '%s'", uri,
                            o->name, v);
        *(double *)slot = d;
        return 0;
    }
    case FO_MS:
    case FO_ATTEMPTS: {
        long long n = strtoll(v, &end, 10);
        long long min = o->type == FO_MS ? 0 : -1, max = o->type == FO_MS ? 86400000LL : INT32_MAX;
        if (!*v || *end || errno || n < min || n > max)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': %s takes %s, not '%s'", uri, o->name,
                            o->type == FO_MS ? "milliseconds from 0 to 86400000"
                                             : "a number of attempts (-1: no limit)",
                            v);
        *(int64_t *)slot = n;
        return 0;
    }
    }
    return 0;
}

/* "name=value&name=value" after the list. */
static int fo_options_parse(const char *uri, const char *q, struct amqp_schedule *s, struct drom_error *err)
{
    bool startup_given = false;
    while (*q) {
        size_t len = strcspn(q, "&");
        char item[512];
        if (len == 0 || len >= sizeof item)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': an empty or overlong option after '?'", uri);
        memcpy(item, q, len);
        item[len] = '\0';
        q += len + (q[len] == '&');
        char *eq = strchr(item, '=');
        if (eq)
            *eq = '\0';
        const struct fo_option *o = NULL;
        for (size_t i = 0; i < NFO && !o; i++)
            if (strcmp(fo_options[i].name, item) == 0)
                o = &fo_options[i];
        if (!o)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': unknown option '%s' of a failover URI (%s; "
                            "credentials, clientId and TLS go beside remoteURI as the component's options)",
                            uri, item, known_list);
        if (!eq)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': %s has no value", uri, item);
        if (fo_value(uri, o, eq + 1, s, err) < 0)
            return -1;
        startup_given |= o->at == offsetof(struct amqp_schedule, startup_max_attempts);
    }
    if (!startup_given)
        s->startup_max_attempts = s->max_attempts;   /* Qpid JMS: maxReconnectAttempts unless said */
    if (s->max_delay_ms < s->delay_ms)
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': failover.maxReconnectDelay (%lld) is shorter than "
                        "failover.reconnectDelay (%lld)", uri, (long long)s->max_delay_ms, (long long)s->delay_ms);
    return 0;
}

/* --- the list --- */

/* The ')' closing the '(' at `lp`, or NULL. */
static const char *closing(const char *lp)
{
    int depth = 0;
    for (const char *p = lp; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p;
    }
    return NULL;
}

static int list_parse(const char *uri, const char *p, const char *end, struct amqp_conn_config *cfg,
                      struct drom_error *err)
{
    cfg->nbrokers = 0;
    if (p == end)
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': the failover list is empty; give the brokers as "
                        "failover:(amqp://host:port,amqp://host:port)", uri);
    for (int i = 1;; i++) {
        const char *comma = p;
        for (int depth = 0; comma < end && (*comma != ',' || depth > 0); comma++)
            depth += *comma == '(' ? 1 : *comma == ')' ? -1 : 0;
        size_t len = (size_t)(comma - p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        char what[1200];
        amqp_say(what, sizeof what, "remoteURI '%s': broker %d of the failover list", uri, i);
        if (len == 0)
            return drom_err(err, DROM_EINVAL, "%s is empty", what);
        if (len >= 9 && strncasecmp(p, "failover:", 9) == 0)
            return drom_err(err, DROM_EINVAL, "%s is itself a failover URI; list every broker in one "
                            "failover:(...)", what);
        if (cfg->nbrokers == AMQP_MAX_BROKERS)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': more than %d brokers in the failover list", uri,
                            AMQP_MAX_BROKERS);
        char which[1300];
        amqp_say(which, sizeof which, "%s ('%.*s')", what, (int)(len < 200 ? len : 200), p);
        bool tls = false;
        if (amqp_broker_parse(which, p, len, &cfg->brokers[cfg->nbrokers], &tls, err) < 0)
            return -1;
        if (cfg->nbrokers > 0 && tls != cfg->tls)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': the failover list mixes amqp:// and amqps://; the "
                            "brokers of one connection share its TLS settings, so list them all with one scheme",
                            uri);
        cfg->tls = tls;
        cfg->nbrokers++;
        if (comma == end)
            return 0;
        p = comma + 1;
    }
}

int amqp_failover_parse(const char *uri, struct amqp_conn_config *cfg, struct drom_error *err)
{
    /* Qpid JMS's defaults */
    cfg->sched = (struct amqp_schedule){.initial_delay_ms = 0, .delay_ms = 10, .max_delay_ms = 30000,
                                        .backoff = true, .multiplier = 2.0, .max_attempts = -1,
                                        .startup_max_attempts = -1, .randomize = false};
    cfg->failover = true;
    const char *lp = uri + 9;
    const char *rp = *lp == '(' ? closing(lp) : NULL;
    if (*lp != '(')
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': expected failover:(amqp://host:port,amqp://host:port) "
                        "with the brokers in parentheses", uri);
    if (!rp)
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': the failover list has no closing ')'", uri);
    if (rp[1] && rp[1] != '?')
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': unexpected '%s' after the failover list (options "
                        "follow a '?')", uri, rp + 1);
    if (list_parse(uri, lp + 1, rp, cfg, err) < 0)
        return -1;
    return fo_options_parse(uri, rp[1] ? rp + 2 : "", &cfg->sched, err);
}
