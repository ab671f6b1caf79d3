/* Camel's ssl* options -> librdkafka's TLS properties. Camel names Java key
 * stores (JKS by default); librdkafka (OpenSSL) reads CA certificates as PEM
 * and the client's own certificate and key as PEM or PKCS#12. The files are
 * looked at here, before the client exists, so that a Java key store gets a
 * message saying what to convert it to instead of an OpenSSL parse error,
 * and the type options need not match Camel's defaults. */
#include <string.h>
#include <strings.h>

#include "components/kafka/kafka.h"
#include "runtime/tls_files.h"

static int set_truststore(rd_kafka_conf_t *conf, const char *path, struct drom_error *err)
{
    if (drom_tls_need_pem_ca("sslTruststoreLocation", path, err) < 0)
        return -1;
    return kafka_conf_set(conf, "ssl.ca.location", path, err);
}

/* The client's certificate: a PEM file holding certificate (chain) and key,
 * or a PKCS#12 bundle. */
static int set_keystore(rd_kafka_conf_t *conf, const struct kafka_conf *o, const char *path,
                        struct drom_error *err)
{
    enum drom_tls_kind kind;
    if (drom_tls_need_pem_client("sslKeystoreLocation", path, true, err) < 0 ||
        drom_tls_kind("sslKeystoreLocation", path, &kind, err) < 0)
        return -1;
    if (kind == DROM_TLS_PKCS12) {
        const char *pass = o->ssl_keystore_password;
        return kafka_conf_set(conf, "ssl.keystore.location", path, err) < 0 ||
                       (pass && kafka_conf_set(conf, "ssl.keystore.password", pass, err) < 0)
                   ? -1
                   : 0;
    }
    return kafka_conf_set(conf, "ssl.certificate.location", path, err) < 0 ||
                   kafka_conf_set(conf, "ssl.key.location", path, err) < 0
               ? -1
               : 0;
}

int kafka_conf_tls(rd_kafka_conf_t *conf, const struct kafka_conf *o, struct drom_error *err)
{
    if (o->security_protocol != KAFKA_SSL && o->security_protocol != KAFKA_SASL_SSL)
        return 0;
    const char *trust = o->ssl_truststore_location;
    if (trust && *trust && set_truststore(conf, trust, err) < 0)
        return -1;
    const char *keystore = o->ssl_keystore_location;
    if (keystore && *keystore && set_keystore(conf, o, keystore, err) < 0)
        return -1;
    const char *keypass = o->ssl_key_password;
    if (keypass && *keypass && kafka_conf_set(conf, "ssl.key.password", keypass, err) < 0)
        return -1;
    /* Camel turns host name checking off with an empty value. */
    const char *algo = o->ssl_endpoint_algorithm;
    if (algo && kafka_conf_set(conf, "ssl.endpoint.identification.algorithm",
                               *algo && strcasecmp(algo, "none") != 0 ? "https" : "none", err) < 0)
        return -1;
    const char *ciphers = o->ssl_cipher_suites;
    if (ciphers && *ciphers && kafka_conf_set(conf, "ssl.cipher.suites", ciphers, err) < 0)
        return -1;
    return 0;
}

int kafka_tls_validate(const struct kafka_conf *o, struct drom_error *err)
{
    if (o->security_protocol != KAFKA_SSL && o->security_protocol != KAFKA_SASL_SSL)
        return 0;
    const char *keystore = o->ssl_keystore_location;
    if (keystore && *keystore && drom_tls_need_pem_client("sslKeystoreLocation", keystore, true, err) < 0)
        return -1;
    return drom_tls_check_files("sslTruststoreLocation", o->ssl_truststore_location, NULL, NULL, NULL, NULL, err);
}

/* Whether every broker of a "host:port,host:port" list is on this machine. */
static bool all_loopback(const char *brokers)
{
    for (const char *p = brokers; p && *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ",");
        if (!len)
            break;
        char host[256];
        size_t hl = len;
        const char *colon = memrchr(p, ':', len);
        if (colon && *p != '[')
            hl = (size_t)(colon - p);
        snprintf(host, sizeof host, "%.*s", (int)hl, p);
        if (!drom_host_is_loopback(host))
            return false;
        p += len;
    }
    return true;
}

void kafka_advise(const char *path, const void *conf, char *warning, size_t size)
{
    const struct kafka_conf *o = conf;
    warning[0] = '\0';
    if (o->security_protocol != KAFKA_SASL_PLAINTEXT || !o->sasl_mechanism || strcmp(o->sasl_mechanism, "PLAIN") != 0 ||
        all_loopback(o->brokers))
        return;
    snprintf(warning, size,
             "SASL PLAIN over SASL_PLAINTEXT sends the password in clear text to %s: use securityProtocol=SASL_SSL",
             o->brokers);
}
