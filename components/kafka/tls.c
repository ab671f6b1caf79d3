/* Camel's ssl* options -> librdkafka's TLS properties. Camel names Java key
 * stores (JKS by default); librdkafka (OpenSSL) reads CA certificates as PEM
 * and the client's own certificate and key as PEM or PKCS#12. The files are
 * looked at here, before the client exists, so that a Java key store gets a
 * message saying what to convert it to instead of an OpenSSL parse error,
 * and the type options need not match Camel's defaults. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "components/kafka/kafka.h"

enum store_kind { STORE_PEM, STORE_PKCS12, STORE_JKS, STORE_DIR };

/* By content: JKS and JCEKS start with a magic number, PKCS#12 is DER (a
 * SEQUENCE), anything else is taken as PEM (OpenSSL skips text around the
 * -----BEGIN blocks). */
static int store_kind(const char *opt, const char *path, enum store_kind *kind, struct drom_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return drom_err(err, DROM_EINVAL, "option %s: cannot read %s: %s", opt, path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        *kind = STORE_DIR;
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return drom_err(err, DROM_EINVAL, "option %s: cannot read %s: %s", opt, path, strerror(errno));
    unsigned char head[4] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n == 4 && ((head[0] == 0xFE && head[1] == 0xED && head[2] == 0xFE && head[3] == 0xED) ||
                   (head[0] == 0xCE && head[1] == 0xCE && head[2] == 0xCE && head[3] == 0xCE)))
        *kind = STORE_JKS;
    else if (n >= 1 && head[0] == 0x30)
        *kind = STORE_PKCS12;
    else
        *kind = STORE_PEM;
    return 0;
}

static int set_truststore(rd_kafka_conf_t *conf, const char *path, struct drom_error *err)
{
    enum store_kind kind;
    if (store_kind("sslTruststoreLocation", path, &kind, err) < 0)
        return -1;
    if (kind == STORE_JKS)
        return drom_err(err, DROM_EINVAL,
                        "option sslTruststoreLocation: %s is a Java key store; give the CA certificates as a PEM "
                        "file (keytool -exportcert -rfc -keystore %s -alias CA > ca.pem)",
                        path, path);
    if (kind == STORE_PKCS12)
        return drom_err(err, DROM_EINVAL,
                        "option sslTruststoreLocation: %s is PKCS#12; give the CA certificates as a PEM file "
                        "(openssl pkcs12 -in %s -nokeys -out ca.pem)",
                        path, path);
    return kafka_conf_set(conf, "ssl.ca.location", path, err);
}

/* The client's certificate: a PEM file holding certificate (chain) and key,
 * or a PKCS#12 bundle. */
static int set_keystore(rd_kafka_conf_t *conf, const struct kafka_conf *o, const char *path,
                        struct drom_error *err)
{
    enum store_kind kind;
    if (store_kind("sslKeystoreLocation", path, &kind, err) < 0)
        return -1;
    if (kind == STORE_JKS || kind == STORE_DIR)
        return drom_err(err, DROM_EINVAL,
                        "option sslKeystoreLocation: %s is %s; give a PKCS#12 file (keytool -importkeystore "
                        "-deststoretype PKCS12) or a PEM file with the certificate and its key",
                        path, kind == STORE_JKS ? "a Java key store" : "a folder");
    if (kind == STORE_PKCS12) {
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
