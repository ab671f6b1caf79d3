#include "components/mysql-binlog/mb_tls.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>

#include "components/mysql-binlog/mb_source.h"
#include "runtime/tls_files.h"


const char *mb_ssl_mode_name(enum mb_ssl_mode mode)
{
    return mb_ssl_modes[mode];
}

void mb_tls_apply(MYSQL *m, const struct mb_config *c)
{
    if (c->ssl_mode == MB_SSL_DISABLED)
        return;
    /* Connector/C offers TLS as soon as any TLS option is set, and falls
     * back to plain text when the server has none unless it is enforced:
     * that fallback is "preferred". */
    /* Connector/C verifies the chain whenever it has a CA: only the modes
     * that verify get one, so that required means encrypted, unverified,
     * as in Debezium. */
    mysql_ssl_set(m, c->ssl_key, c->ssl_cert, c->ssl_mode >= MB_SSL_VERIFY_CA ? c->ssl_ca : NULL, NULL, NULL);
    if (c->ssl_key_password && *c->ssl_key_password)
        mysql_optionsv(m, MARIADB_OPT_TLS_PASSPHRASE, c->ssl_key_password);
    my_bool on = 1;
    if (c->ssl_mode >= MB_SSL_REQUIRED)
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
    if (c->ssl_mode == MB_SSL_VERIFY_IDENTITY)
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
}

void mb_tls_describe(MYSQL *m, char *buf, size_t size)
{
    const char *cipher = mysql_get_ssl_cipher(m);
    const char *version = NULL;
    if (!cipher || mariadb_get_infov(m, MARIADB_CONNECTION_TLS_VERSION, &version) != 0)
        version = NULL;
    if (cipher)
        snprintf(buf, size, "%s with %s", version ? version : "TLS", cipher);
    else
        snprintf(buf, size, "no TLS");
}

static bool has(const char *s, const char *what)
{
    return s && strcasestr(s, what) != NULL;
}

void mb_tls_connect_error(MYSQL *m, const struct mb_config *c, struct drom_error *err)
{
    unsigned no = mysql_errno(m);
    const char *msg = mysql_error(m);
    const char *mode = mb_ssl_mode_name(c->ssl_mode);
    char where[300];
    snprintf(where, sizeof where, "%s:%u", c->host, c->port);
    if (no == 1045 || no == 1698) {
        /* MariaDB answers require_secure_transport and REQUIRE X509 with
         * this same error, so the message names the causes it can have. */
        drom_err(err, DROM_ECONNECT, "the server at %s refused the login of user '%s' (%u: %s): check the password%s",
                 where, c->user, no, msg,
                 c->ssl_mode == MB_SSL_DISABLED ? "; if the server accepts TLS connections only "
                                                  "(require_secure_transport=ON) set sslMode=required or stronger"
                 : !c->ssl_cert ? "; if the user is REQUIRE X509, give a client certificate"
                                : "");
        return;
    }
    if (no == 4151 || no == 3159 || has(msg, "insecure transport")) {
        drom_err(err, DROM_ECONNECT,
                 "the server at %s accepts TLS connections only (require_secure_transport) and %s=%s: set it to "
                 "required, verify_ca or verify_identity (%u: %s)", where, c->opt_mode, mode, no, msg);
        return;
    }
    /* A server that rejects the client's certificate may just reset the
     * connection in the handshake (errno 104) instead of sending an alert. */
    bool reset = no == CR_SERVER_LOST && c->ssl_cert && c->ssl_mode != MB_SSL_DISABLED &&
                 has(msg, "authentication information");
    if (!reset && no != CR_SSL_CONNECTION_ERROR && !has(msg, "SSL") && !has(msg, "TLS") && !has(msg, "certificate")) {
        drom_err(err, DROM_ECONNECT, "cannot connect to %s as '%s': %s%s", where, c->user, msg, mb_auth_hint(no, msg));
        return;
    }
    if (has(msg, "doesn't support") || has(msg, "not support") || has(msg, "SSL is required")) {
        drom_err(err, DROM_ECONNECT,
                 "the server at %s offers no TLS and %s=%s requires it: enable TLS on the server (ssl_cert and "
                 "ssl_key in my.cnf) or set %s=preferred (%s)", where, c->opt_mode, mode, c->opt_mode, msg);
        return;
    }
    struct drom_tls_peer peer = {.what = "server", .at = where, .host = c->host, .ca_opt = c->opt_ca,
                                 .ca = c->ssl_ca, .cert_opt = c->opt_cert, .cert = c->ssl_cert,
                                 .renew = " (then FLUSH SSL)"};
    char fix[64], text[sizeof err->msg];
    snprintf(fix, sizeof fix, "set %s=verify_ca", c->opt_mode);
    peer.name_fix = fix;
    drom_tls_explain(reset ? DROM_TLS_FAIL_CLIENT_CERT : drom_tls_failure_of(msg), &peer, msg, text, sizeof text);
    if (text[0])
        drom_err(err, DROM_ECONNECT, "%s", text);
    else
        drom_err(err, DROM_ECONNECT, "TLS to %s failed with %s=%s: %s", where, c->opt_mode, mode, msg);
}

int mb_tls_check_negotiated(MYSQL *m, const struct mb_config *c, struct drom_error *err)
{
    /* Connector/C 3.3 goes on in plain text when the server offers no TLS
     * even with MYSQL_OPT_SSL_ENFORCE set: the mode is held here. */
    if (c->ssl_mode < MB_SSL_REQUIRED || mysql_get_ssl_cipher(m))
        return 0;
    return drom_err(err, DROM_ECONNECT,
                    "the server at %s:%u offers no TLS and %s=%s requires it: enable TLS on the server (ssl_cert and "
                    "ssl_key in my.cnf) or set %s=preferred", c->host, c->port, c->opt_mode,
                    mb_ssl_mode_name(c->ssl_mode), c->opt_mode);
}

int mb_tls_validate(const struct mb_options *o, bool camel, struct drom_error *err)
{
    const char *mode_opt = camel ? "databaseSslMode" : "sslMode";
    const char *ca_opt = camel ? "databaseSslTruststore" : "sslCa";
    const char *cert_opt = camel ? "databaseSslKeystore" : "sslCert";
    if ((o->ssl_mode == MB_SSL_VERIFY_CA || o->ssl_mode == MB_SSL_VERIFY_IDENTITY) && !(o->ssl_ca && *o->ssl_ca))
        return drom_err(err, DROM_EINVAL, "%s=%s needs %s: the CA certificates (PEM) that signed the server's "
                        "certificate", mode_opt, mb_ssl_mode_name(o->ssl_mode), ca_opt);
    return drom_tls_check_files(ca_opt, o->ssl_ca, cert_opt, o->ssl_cert, camel ? cert_opt : "sslKey",
                                camel ? NULL : o->ssl_key, err);
}
