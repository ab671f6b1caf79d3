/* An endpoint's connection settings: remoteURI and the options beside it,
 * read by the same code at validate and at create, so that what `dromc
 * validate` passes is what dromd accepts. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "components/amqp/amqp_int.h"
#include "runtime/tls_files.h"


int amqp_conn_config_parse(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    const char *uri = o->remote_uri;
    if (!uri || !*uri)
        return drom_err(err, DROM_EINVAL, "remoteURI is required (amqp://host:port or amqps://host:port)");
    const char *p;
    if (strncasecmp(uri, "amqp://", 7) == 0) {
        p = uri + 7;
    } else if (strncasecmp(uri, "amqps://", 8) == 0) {
        p = uri + 8;
        cfg->tls = true;
    } else if (strncasecmp(uri, "failover:", 9) == 0) {
        return drom_err(err, DROM_EINVAL,
                        "remoteURI '%s': failover URIs are not supported; give one broker as amqp://host:port or "
                        "amqps://host:port", uri);
    } else {
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': expected amqp://host:port or amqps://host:port", uri);
    }
    size_t hl;
    const char *rest;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (!close)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': unclosed '[' in the host", uri);
        hl = (size_t)(close - p - 1);
        p++;
        rest = close + 1;
    } else {
        hl = strcspn(p, ":/?");
        rest = p + hl;
    }
    if (hl == 0 || hl >= sizeof cfg->host)
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': no host", uri);
    memcpy(cfg->host, p, hl);
    cfg->host[hl] = '\0';
    if (*rest == ':') {
        size_t pl = strspn(rest + 1, "0123456789");
        if (pl == 0 || pl >= sizeof cfg->port)
            return drom_err(err, DROM_EINVAL, "remoteURI '%s': bad port", uri);
        memcpy(cfg->port, rest + 1, pl);
        cfg->port[pl] = '\0';
        rest += 1 + pl;
    } else {
        snprintf(cfg->port, sizeof cfg->port, "%s", cfg->tls ? "5671" : "5672");
    }
    if (*rest && *rest != '/' && *rest != '?')
        return drom_err(err, DROM_EINVAL, "remoteURI '%s': unexpected '%s' after the port", uri, rest);
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
    cfg->reconnect_delay_ms = o->reconnect_delay_ms;
    cfg->max_reconnect_delay_ms = o->max_reconnect_delay_ms;
    cfg->backoff_multiplier = o->reconnect_backoff_multiplier;
    cfg->max_reconnect_attempts = o->max_reconnect_attempts;
    if (cfg->reconnect_delay_ms < 1)
        cfg->reconnect_delay_ms = 1;
    if (cfg->max_reconnect_delay_ms < cfg->reconnect_delay_ms)
        cfg->max_reconnect_delay_ms = cfg->reconnect_delay_ms;
    return amqp_security_read(o, cfg, err);
}

int amqp_conn_config_read(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err)
{
    if (amqp_conn_config_parse(o, cfg, err) < 0)
        return -1;
    if (amqp_password_in_clear(cfg) && !drom_host_is_loopback(cfg->host) && !cfg->allow_insecure_plain)
        return drom_err(err, DROM_EINVAL,
                        "refusing to send the password of user '%s' in clear text to %s over amqp://: use amqps:// "
                        "or set allowInsecurePlain=true",
                        cfg->username, cfg->host);
    return 0;
}

void amqp_advise(const char *path, const void *conf, char *warning, size_t size)
{
    struct amqp_conn_config cfg;
    warning[0] = '\0';
    /* without allowInsecurePlain=true this is refused, by validate */
    if (amqp_conn_config_parse(conf, &cfg, NULL) < 0 || !amqp_password_in_clear(&cfg) ||
        drom_host_is_loopback(cfg.host))
        return;
    snprintf(warning, size, "the password of user '%s' goes in clear text to %s over amqp:// (allowInsecurePlain=true): "
             "use amqps:// (TLS)", cfg.username, cfg.host);
}
