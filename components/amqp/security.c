/* The security of an AMQP connection: TLS with the client's own
 * certificate (mutual TLS) and the SASL mechanisms, chosen as Qpid JMS
 * does: of those both sides allow, the strongest the client can use with
 * what it was given (EXTERNAL with a certificate, SCRAM with a password
 * (sasl.c when proton has no Cyrus SASL), then PLAIN, then ANONYMOUS
 * without a user); amqp.saslMechanisms narrows the list. Also the words for
 * a connection the broker refused. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <proton/sasl.h>
#include <proton/ssl.h>

#include "components/amqp/amqp_int.h"
#include "runtime/log.h"
#include "runtime/tls_files.h"

/* Strongest first: the order a client prefers them in. */
static const char *const known[] = {"EXTERNAL", "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5",
                                    "PLAIN", "ANONYMOUS", NULL};

static bool needs_cyrus(const char *mech)
{
    return strcasecmp(mech, "CRAM-MD5") == 0;
}

static bool is_scram(const char *mech)
{
    return strncasecmp(mech, "SCRAM-", 6) == 0;
}

static bool listed(const char *list, const char *mech)
{
    size_t n = strlen(mech);
    for (const char *p = list; p && *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (len == n && strncasecmp(p, mech, n) == 0)
            return true;
        p += len;
    }
    return false;
}

static int check_mechs(const char *list, const struct amqp_conn_config *cfg, struct drom_error *err)
{
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (!len)
            break;
        char m[32];
        snprintf(m, sizeof m, "%.*s", (int)len, p);
        p += len;
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcasecmp(*k, m) == 0;
        if (!ok)
            return drom_err(err, DROM_EINVAL,
                            "amqp.saslMechanisms: unknown mechanism '%s' (EXTERNAL, SCRAM-SHA-512, SCRAM-SHA-256, "
                            "SCRAM-SHA-1, CRAM-MD5, PLAIN, ANONYMOUS)", m);
        if (needs_cyrus(m) && !pn_sasl_extended())
            return drom_err(err, DROM_EINVAL,
                            "amqp.saslMechanisms: %s needs a qpid-proton built with Cyrus SASL; this one offers "
                            "EXTERNAL, SCRAM-SHA-512, SCRAM-SHA-256, SCRAM-SHA-1, PLAIN and ANONYMOUS", m);
        if (is_scram(m) && !cfg->username)
            return drom_err(err, DROM_EINVAL, "amqp.saslMechanisms: %s logs in with username and password", m);
        if (strcasecmp(m, "EXTERNAL") == 0 && (!cfg->tls || !cfg->cert))
            return drom_err(err, DROM_EINVAL,
                            "amqp.saslMechanisms: EXTERNAL logs in with the client certificate: use amqps:// and "
                            "set sslCert (and sslKey)");
    }
    return 0;
}

bool amqp_password_in_clear(const struct amqp_conn_config *cfg)
{
    /* SCRAM proves the password without sending it: only PLAIN shows it */
    return cfg->username && !cfg->tls && (!cfg->sasl_mechs || listed(cfg->sasl_mechs, "PLAIN"));
}

int amqp_security_read(const struct amqp_conf *o, struct amqp_conn_config *cfg, struct drom_error *err)
{
    cfg->cert = o->ssl_cert;
    cfg->key = o->ssl_key;
    cfg->key_password = o->ssl_key_password;
    cfg->sasl_mechs = o->sasl_mechanisms;
    if (cfg->cert && !*cfg->cert)
        cfg->cert = NULL;
    if (cfg->key && !*cfg->key)
        cfg->key = NULL;
    if (cfg->sasl_mechs && !*cfg->sasl_mechs)
        cfg->sasl_mechs = NULL;
    if (cfg->cert && !cfg->tls)
        return drom_err(err, DROM_EINVAL, "sslCert is set but remoteURI is not amqps://: a client certificate "
                        "needs TLS");
    if (cfg->sasl_mechs && check_mechs(cfg->sasl_mechs, cfg, err) < 0)
        return -1;
    return 0;
}

int amqp_tls_files_check(const struct amqp_conn_config *cfg, struct drom_error *err)
{
    return drom_tls_check_files("sslTrustStore", cfg->trust_store, "sslCert", cfg->cert, "sslKey", cfg->key, err);
}

const char *amqp_sasl_mechs(const struct amqp_conn_config *cfg, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const char *const *k = known; *k; k++) {
        bool usable = strcmp(*k, "EXTERNAL") == 0    ? cfg->tls && cfg->cert
                      : strcmp(*k, "ANONYMOUS") == 0 ? !cfg->username
                      : needs_cyrus(*k)              ? cfg->username && pn_sasl_extended()
                      : is_scram(*k)                 ? cfg->username && cfg->password
                                                     : cfg->username != NULL;
        /* Without a list of its own the client offers what it can do;
         * Qpid JMS does not try the Cyrus-only CRAM-MD5 or SCRAM-SHA-1 unasked. */
        bool wanted = cfg->sasl_mechs ? listed(cfg->sasl_mechs, *k)
                                      : strcmp(*k, "CRAM-MD5") != 0 && strcmp(*k, "SCRAM-SHA-1") != 0;
        if (usable && wanted && n + strlen(*k) + 2 < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "", *k);
    }
    return buf;
}

int amqp_ssl_domain_setup(pn_ssl_domain_t *d, const struct amqp_conn_config *cfg, const char *label,
                          struct drom_error *err)
{
    if (cfg->trust_store && (drom_tls_need_pem_ca("sslTrustStore", cfg->trust_store, err) < 0 ||
                             pn_ssl_domain_set_trusted_ca_db(d, cfg->trust_store) != 0))
        return err->msg[0] ? -1
                           : drom_err(err, DROM_EINVAL, "%s: cannot read the CA certificates in sslTrustStore '%s'",
                                      label, cfg->trust_store);
    if (cfg->cert) {
        if (drom_tls_need_pem_client("sslCert", cfg->cert, false, err) < 0 ||
            (cfg->key && drom_tls_need_pem_client("sslKey", cfg->key, false, err) < 0))
            return -1;
        if (pn_ssl_domain_set_credentials(d, cfg->cert, cfg->key ? cfg->key : cfg->cert, cfg->key_password) != 0)
            return drom_err(err, DROM_EINVAL,
                            "%s: cannot use the client certificate sslCert '%s' with its key sslKey '%s' (is the key "
                            "encrypted without sslKeyPassword, or of another certificate?)",
                            label, cfg->cert, cfg->key ? cfg->key : cfg->cert);
    }
    pn_ssl_domain_set_peer_authentication(d, cfg->verify_host ? PN_SSL_VERIFY_PEER_NAME : PN_SSL_VERIFY_PEER, NULL);
    return 0;
}

pn_ssl_domain_t *amqp_ssl_domain_renew(pn_ssl_domain_t *old, const struct amqp_conn_config *cfg, const char *label)
{
    pn_ssl_domain_t *d = pn_ssl_domain(PN_SSL_MODE_CLIENT);
    struct drom_error err = {0};
    if (d && amqp_ssl_domain_setup(d, cfg, label, &err) == 0) {
        /* a transport made with the old one holds its own reference */
        pn_ssl_domain_free(old);
        return d;
    }
    if (d)
        pn_ssl_domain_free(d);
    drom_warn("amqp", "%s; connecting with the certificate files as they were read before", err.msg);
    return old;
}

void amqp_refusal(const struct amqp_conn_config *cfg, const char *label, bool auth, const char *what, char *buf,
                  size_t size)
{
    const char *user = cfg->username ? cfg->username : cfg->cert && cfg->tls ? "(its client certificate)"
                                                                               : "(anonymous)";
    if (auth) {
        snprintf(buf, size, "the broker at %s refused the login of user '%s' (%s)", label, user, what);
        return;
    }
    enum drom_tls_failure kind = cfg->tls ? drom_tls_failure_of(what) : DROM_TLS_FAIL_OTHER;
    char detail[200] = "", why[700];
    if (kind == DROM_TLS_FAIL_UNTRUSTED) {
        /* proton says only "certificate verify failed" */
        drom_tls_probe(cfg->host, cfg->port, cfg->trust_store, cfg->verify_host, detail, sizeof detail);
        if (detail[0])
            kind = drom_tls_failure_of(detail);
    }
    snprintf(why, sizeof why, "%s%s%s", what, detail[0] ? ": " : "", detail);
    what = why;
    struct drom_tls_peer peer = {.what = "broker", .at = label, .host = cfg->host, .ca_opt = "sslTrustStore",
                                 .ca = cfg->trust_store, .cert_opt = "sslCert", .cert = cfg->cert,
                                 .name_fix = "set sslVerifyHost=false", .renew = ""};
    drom_tls_explain(kind, &peer, what, buf, size);
}
