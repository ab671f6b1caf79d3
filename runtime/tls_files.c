#include "runtime/tls_files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

int drom_tls_kind(const char *opt, const char *path, enum drom_tls_kind *kind, struct drom_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return drom_err(err, DROM_EINVAL, "option %s: cannot read %s: %s", opt, path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        *kind = DROM_TLS_DIR;
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return drom_err(err, DROM_EINVAL, "option %s: cannot read %s: %s", opt, path, strerror(errno));
    unsigned char head[4] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    /* JKS and JCEKS start with a magic number, PKCS#12 is DER (a SEQUENCE);
     * anything else is taken as PEM (OpenSSL skips text around the blocks). */
    if (n == 4 && ((head[0] == 0xFE && head[1] == 0xED && head[2] == 0xFE && head[3] == 0xED) ||
                   (head[0] == 0xCE && head[1] == 0xCE && head[2] == 0xCE && head[3] == 0xCE)))
        *kind = DROM_TLS_JKS;
    else if (n >= 1 && head[0] == 0x30)
        *kind = DROM_TLS_PKCS12;
    else
        *kind = DROM_TLS_PEM;
    return 0;
}

int drom_tls_need_pem_ca(const char *opt, const char *path, struct drom_error *err)
{
    enum drom_tls_kind kind;
    if (drom_tls_kind(opt, path, &kind, err) < 0)
        return -1;
    if (kind == DROM_TLS_JKS)
        return drom_err(err, DROM_EINVAL,
                        "option %s: %s is a Java key store; give the CA certificates as a PEM file (keytool "
                        "-exportcert -rfc -keystore %s -alias CA > ca.pem)",
                        opt, path, path);
    if (kind == DROM_TLS_PKCS12)
        return drom_err(err, DROM_EINVAL,
                        "option %s: %s is PKCS#12; give the CA certificates as a PEM file (openssl pkcs12 -in %s "
                        "-nokeys -out ca.pem)",
                        opt, path, path);
    return 0;
}

int drom_tls_need_pem_client(const char *opt, const char *path, bool pkcs12_ok, struct drom_error *err)
{
    enum drom_tls_kind kind;
    if (drom_tls_kind(opt, path, &kind, err) < 0)
        return -1;
    if (kind == DROM_TLS_DIR)
        return drom_err(err, DROM_EINVAL, "option %s: %s is a folder; give a PEM file", opt, path);
    if (kind == DROM_TLS_JKS)
        return drom_err(err, DROM_EINVAL,
                        pkcs12_ok ? "option %s: %s is a Java key store; give a PKCS#12 file (keytool -importkeystore "
                                    "-srckeystore %s -destkeystore client.p12 -deststoretype PKCS12) or a PEM file "
                                    "with the certificate and its key"
                                  : "option %s: %s is a Java key store; give a PEM file with the certificate and its "
                                    "key (keytool -importkeystore -srckeystore %s -destkeystore client.p12 "
                                    "-deststoretype PKCS12, then openssl pkcs12 -in client.p12 -nodes -out client.pem)",
                        opt, path, path);
    if (kind == DROM_TLS_PKCS12 && !pkcs12_ok)
        return drom_err(err, DROM_EINVAL,
                        "option %s: %s is PKCS#12; give a PEM file with the certificate and its key (openssl pkcs12 "
                        "-in %s -nodes -out client.pem)",
                        opt, path, path);
    return 0;
}

static const char *ssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "no PEM data";
}

static void when(const ASN1_TIME *t, char *buf, size_t size)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) == 1)
        strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
        snprintf(buf, size, "?");
}

static int check_dates(const char *opt, const char *path, X509 *x, struct drom_error *err)
{
    char t[64];
    if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
        when(X509_get0_notAfter(x), t, sizeof t);
        return drom_err(err, DROM_EINVAL, "option %s: the certificate in %s expired on %s", opt, path, t);
    }
    if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
        when(X509_get0_notBefore(x), t, sizeof t);
        return drom_err(err, DROM_EINVAL, "option %s: the certificate in %s is not valid before %s", opt, path, t);
    }
    return 0;
}

/* The first certificate of a PEM file (the leaf of a chain); with `all`,
 * every one is read and checked. */
static X509 *read_certs(const char *opt, const char *path, bool all, struct drom_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        drom_err(err, DROM_EINVAL, "option %s: cannot read %s: %s", opt, path, strerror(errno));
        return NULL;
    }
    ERR_clear_error();
    X509 *first = NULL, *x;
    int n = 0;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
        n++;
        if (check_dates(opt, path, x, err) < 0) {
            X509_free(x);
            X509_free(first);
            fclose(f);
            return NULL;
        }
        if (!first)
            first = x;
        else
            X509_free(x);
        if (!all)
            break;
    }
    fclose(f);
    ERR_clear_error();
    if (n == 0)
        drom_err(err, DROM_EINVAL, "option %s: %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", opt, path);
    return first;
}

static int pass_none(char *buf, int size, int rwflag, void *u)
{
    return -1;   /* an encrypted key is not asked for here */
}

/* 1: read, 0: encrypted (not checked), -1: error. */
static int read_key(const char *opt, const char *path, EVP_PKEY **key, struct drom_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return drom_err(err, DROM_EINVAL, "option %s: cannot read %s: %s", opt, path, strerror(errno));
    char line[256];
    bool encrypted = false, any = false;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "-----BEGIN ENCRYPTED PRIVATE KEY-----") || strstr(line, "Proc-Type: 4,ENCRYPTED"))
            encrypted = true;
        if (strstr(line, "PRIVATE KEY-----"))
            any = true;
    }
    rewind(f);
    ERR_clear_error();
    *key = encrypted ? NULL : PEM_read_PrivateKey(f, NULL, pass_none, NULL);
    fclose(f);
    if (encrypted)
        return 0;
    if (!*key) {
        drom_err(err, DROM_EINVAL, "option %s: %s holds no PEM private key (%s)", opt, path,
                 any ? ssl_reason() : "no -----BEGIN ... PRIVATE KEY----- block");
        ERR_clear_error();
        return -1;
    }
    return 1;
}

int drom_tls_check_files(const char *ca_opt, const char *ca, const char *cert_opt, const char *cert,
                         const char *key_opt, const char *key, struct drom_error *err)
{
    if (ca && *ca) {
        enum drom_tls_kind kind;
        if (drom_tls_need_pem_ca(ca_opt, ca, err) < 0 || drom_tls_kind(ca_opt, ca, &kind, err) < 0)
            return -1;
        if (kind == DROM_TLS_PEM) {
            X509 *x = read_certs(ca_opt, ca, true, err);
            if (!x)
                return -1;
            X509_free(x);
        }
    }
    if (key && *key && !(cert && *cert))
        return drom_err(err, DROM_EINVAL, "option %s is set without %s: a client key needs its certificate", key_opt,
                        cert_opt);
    if (!cert || !*cert)
        return 0;
    if (drom_tls_need_pem_client(cert_opt, cert, false, err) < 0 ||
        (key && *key && drom_tls_need_pem_client(key_opt, key, false, err) < 0))
        return -1;
    X509 *x = read_certs(cert_opt, cert, false, err);
    if (!x)
        return -1;
    EVP_PKEY *pk = NULL;
    int rc = key && *key ? read_key(key_opt, key, &pk, err) : read_key(cert_opt, cert, &pk, err);
    if (rc < 0 && !(key && *key)) {
        drom_err(err, DROM_EINVAL, "option %s: %s has no private key; give %s or put the key in the same file",
                 cert_opt, cert, key_opt);
    } else if (rc > 0 && X509_check_private_key(x, pk) != 1) {
        drom_err(err, DROM_EINVAL, "option %s: the key in %s does not belong to the certificate in %s", key && *key ? key_opt : cert_opt,
                 key && *key ? key : cert, cert);
        rc = -1;
    }
    ERR_clear_error();
    EVP_PKEY_free(pk);
    X509_free(x);
    return rc < 0 ? -1 : 0;
}

static bool has(const char *s, const char *what)
{
    return s && strcasestr(s, what) != NULL;
}

enum drom_tls_failure drom_tls_failure_of(const char *msg)
{
    /* The server's alerts first: "tlsv13 alert certificate required",
     * "sslv3 alert bad certificate", "tlsv1 alert unknown ca". */
    if (has(msg, "alert unknown ca") || has(msg, "alert bad certificate") || has(msg, "alert certificate required") ||
        has(msg, "alert certificate unknown") || has(msg, "alert decrypt error") || has(msg, "alert access denied") ||
        has(msg, "alert handshake failure"))
        return DROM_TLS_FAIL_CLIENT_CERT;
    if (has(msg, "expired") || has(msg, "not yet valid"))
        return DROM_TLS_FAIL_EXPIRED;
    if (has(msg, "hostname") || has(msg, "host name") || has(msg, "Validation of SSL server certificate") ||
        has(msg, "name mismatch") || has(msg, "IP address mismatch"))
        return DROM_TLS_FAIL_NAME;
    if (has(msg, "verify failed") || has(msg, "issuer") || has(msg, "self signed") || has(msg, "self-signed") ||
        has(msg, "unable to verify") || has(msg, "untrusted"))
        return DROM_TLS_FAIL_UNTRUSTED;
    return DROM_TLS_FAIL_OTHER;
}

void drom_tls_explain(enum drom_tls_failure kind, const struct drom_tls_peer *p, const char *why, char *buf,
                      size_t size)
{
    switch (kind) {
    case DROM_TLS_FAIL_EXPIRED:
        snprintf(buf, size, "the certificate of the %s at %s has expired (%s): renew it on the %s%s", p->what, p->at,
                 why, p->what, p->renew);
        break;
    case DROM_TLS_FAIL_NAME:
        snprintf(buf, size, "the certificate of the %s at %s is not for host '%s' (%s): connect with a name the "
                 "certificate holds, or %s", p->what, p->at, p->host ? p->host : p->at, why, p->name_fix);
        break;
    case DROM_TLS_FAIL_UNTRUSTED:
        snprintf(buf, size, "the certificate of the %s at %s does not verify against %s=%s (%s): give the CA that "
                 "signed it", p->what, p->at, p->ca_opt, p->ca ? p->ca : "(the system's)", why);
        break;
    case DROM_TLS_FAIL_CLIENT_CERT:
        snprintf(buf, size, "the %s at %s refused the client certificate %s=%s (%s): give one signed by a CA the %s "
                 "trusts", p->what, p->at, p->cert_opt, p->cert ? p->cert : "(none)", why, p->what);
        break;
    default:
        if (size)
            buf[0] = '\0';
    }
}

void drom_tls_probe(const char *host, const char *port, const char *ca, bool check_name, char *buf, size_t size)
{
    buf[0] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
        return;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* the caller's connection thread must not wait on a broker that stalls */
    struct timeval tv = {.tv_sec = 3};
    SSL_CTX *ctx = fd >= 0 ? SSL_CTX_new(TLS_client_method()) : NULL;
    SSL *ssl = NULL;
    if (ctx && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
        (ca ? SSL_CTX_load_verify_locations(ctx, ca, NULL) : SSL_CTX_set_default_verify_paths(ctx)) == 1 &&
        (ssl = SSL_new(ctx)) && SSL_set_fd(ssl, fd) == 1) {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
        SSL_set_tlsext_host_name(ssl, host);
        if (check_name)
            SSL_set1_host(ssl, host);
        long v;
        if (SSL_connect(ssl) == 1 && (v = SSL_get_verify_result(ssl)) != X509_V_OK)
            snprintf(buf, size, "%s", X509_verify_cert_error_string(v));
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
}

bool drom_host_is_loopback(const char *host)
{
    return host && (strcasecmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
                    strcmp(host, "[::1]") == 0);
}
