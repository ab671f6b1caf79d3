/* An endpoint's connection settings: remoteURI and the options beside it,
 * read by the same code at validate and at create, so that what `dromc
 * validate` passes is what dromd accepts. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "components/amqp/conn_int.h"
#include "runtime/tls_files.h"


/* The component's own reconnection options, for a single broker. */
static void single_schedule(const struct amqp_conf *o, struct amqp_schedule *s)
{
    int64_t delay = o->reconnect_delay_ms < 1 ? 1 : o->reconnect_delay_ms;
    *s = (struct amqp_schedule){.initial_delay_ms = delay, .delay_ms = delay,
                                .max_delay_ms = o->max_reconnect_delay_ms < delay ? delay : o->max_reconnect_delay_ms,
                                .backoff = true, .multiplier = (double)o->reconnect_backoff_multiplier,
                                .max_attempts = o->max_reconnect_attempts,
                                .startup_max_attempts = o->max_reconnect_attempts};
}

int amqp_conn_config_parse(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    const char *uri = o->remote_uri;
    if (!uri || !*uri)
        return drom_err(err, DROM_EINVAL, "remoteURI is required (amqp://host:port, amqps://host:port or "
                        "failover:(amqp://host:port,amqp://host:port))");
    if (strncasecmp(uri, "failover:", 9) == 0) {
        if (amqp_failover_parse(uri, cfg, err) < 0)
            return -1;
    } else if (strncasecmp(uri, "amqp://", 7) != 0 && strncasecmp(uri, "amqps://", 8) != 0) {
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': expected amqp://host:port, amqps://host:port or "
                        "failover:(amqp://host:port,amqp://host:port)", uri);
    } else {
        char what[1100];
        amqp_say(what, sizeof what, "remoteURI '%s'", uri);
        if (amqp_broker_parse(what, uri, strlen(uri), &cfg->brokers[0], &cfg->tls, err) < 0)
            return -1;
        cfg->nbrokers = 1;
        single_schedule(o, &cfg->sched);
    }
    snprintf(cfg->host, sizeof cfg->host, "%s", cfg->brokers[0].host);
    snprintf(cfg->port, sizeof cfg->port, "%s", cfg->brokers[0].port);
    cfg->username = o->username;
    cfg->password = o->password;
    if (cfg->username && !*cfg->username)
        cfg->username = NULL;
    cfg->client_id = o->client_id;
    cfg->trust_store = o->ssl_trust_store;
    if (cfg->trust_store && !*cfg->trust_store)
        cfg->trust_store = NULL;   /* the system's CAs */
    cfg->verify_host = o->ssl_verify_host;
    cfg->allow_insecure_plain = o->allow_insecure_plain;
    cfg->idle_timeout_ms = o->idle_timeout_ms;
    return amqp_security_read(o, cfg, err);
}

/* The first broker of cfg's list that is not on this machine, NULL when all are. */
static const char *remote_host(const struct amqp_conn_config *cfg)
{
    for (int i = 0; i < cfg->nbrokers; i++)
        if (!drom_host_is_loopback(cfg->brokers[i].host))
            return cfg->brokers[i].host;
    return NULL;
}

int amqp_conn_config_read(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err)
{
    if (amqp_conn_config_parse(o, cfg, err) < 0)
        return -1;
    const char *remote = remote_host(cfg);
    if (amqp_password_in_clear(cfg) && remote && !cfg->allow_insecure_plain)
        return drom_err(err, DROM_EINVAL,
                        "refusing to send the password of user '%s' in clear text to %s over amqp://: use amqps:// "
                        "or set allowInsecurePlain=true",
                        cfg->username, remote);
    return 0;
}

void amqp_advise(const char *path, const void *conf, char *warning, size_t size)
{
    struct amqp_conn_config cfg;
    warning[0] = '\0';
    /* without allowInsecurePlain=true this is refused, by validate */
    if (amqp_conn_config_parse(conf, &cfg, NULL) < 0 || !amqp_password_in_clear(&cfg) || !remote_host(&cfg))
        return;
    snprintf(warning, size, "the password of user '%s' goes in clear text to %s over amqp:// (allowInsecurePlain=true): "
             "use amqps:// (TLS)", cfg.username, remote_host(&cfg));
}
