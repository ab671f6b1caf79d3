/* Certificate and key files named by TLS options, looked at before any
 * client library reads them: a Java key store or a PKCS#12 bundle where a
 * PEM file is needed gets a message with the command that converts it, not
 * an OpenSSL parse error at connect time, and `dromc validate` can check
 * them without a network (readable, parse as PEM, key matches certificate).
 *
 * `opt` is the option's name as the user wrote it, for the messages. All
 * functions borrow their arguments. */
#ifndef DROM_RUNTIME_TLS_FILES_H
#define DROM_RUNTIME_TLS_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/error.h"

enum drom_tls_kind { DROM_TLS_PEM, DROM_TLS_PKCS12, DROM_TLS_JKS, DROM_TLS_DIR };

/* What `path` holds, by content (JKS/JCEKS magic, DER for PKCS#12, else
 * PEM); fails when it cannot be read. */
int drom_tls_kind(const char *opt, const char *path, enum drom_tls_kind *kind, struct drom_error *err);

/* CA certificates as a PEM file (or a folder of them): anything else is
 * refused with the conversion command. */
int drom_tls_need_pem_ca(const char *opt, const char *path, struct drom_error *err);

/* A client certificate or key as PEM. `pkcs12_ok`: a PKCS#12 bundle is
 * accepted too (librdkafka reads it). */
int drom_tls_need_pem_client(const char *opt, const char *path, bool pkcs12_ok, struct drom_error *err);

/* The offline checks: each file given (NULL or "" skipped) parses as PEM
 * (CA: at least one certificate; cert: a certificate; key: a private key,
 * which may sit in the certificate's file when `key` is NULL), the key
 * matches the certificate, and the certificates are within their validity.
 * Unencrypted keys only are checked for the match; an encrypted one is
 * left to the connection. */
int drom_tls_check_files(const char *ca_opt, const char *ca, const char *cert_opt, const char *cert,
                         const char *key_opt, const char *key, struct drom_error *err);

/* What an OpenSSL handshake error (as a client library words it) says
 * went wrong, so that each component can name the fix. */
enum drom_tls_failure {
    DROM_TLS_FAIL_OTHER,
    DROM_TLS_FAIL_EXPIRED,       /* the peer's certificate is out of its validity */
    DROM_TLS_FAIL_NAME,          /* issued for another host name */
    DROM_TLS_FAIL_UNTRUSTED,     /* not signed by a CA we trust */
    DROM_TLS_FAIL_CLIENT_CERT,   /* the peer refused our certificate (or wanted one) */
};
enum drom_tls_failure drom_tls_failure_of(const char *msg);

/* Who was connected to, with the options that would fix a failure. */
struct drom_tls_peer {
    const char *what;        /* "server", "broker" */
    const char *at;          /* its address as the user gave it */
    const char *host;        /* the name connected to, NULL when not one */
    const char *ca_opt, *ca;             /* ca NULL: the system's */
    const char *cert_opt, *cert;         /* cert NULL: none given */
    const char *name_fix;    /* how to skip the name check, e.g. "set sslMode=verify_ca" */
    const char *renew;       /* after renewing, e.g. " (then FLUSH SSL)"; "" for nothing */
};

/* A failure of `kind` in words that name the peer and the fix, with the
 * library's `why` in parentheses; "" for DROM_TLS_FAIL_OTHER. */
void drom_tls_explain(enum drom_tls_failure kind, const struct drom_tls_peer *p, const char *why, char *buf,
                      size_t size);

/* Why a server's certificate does not verify, when a client library only
 * says "certificate verify failed": a handshake of our own to host:port
 * that verifies nothing but asks OpenSSL afterwards ("certificate has
 * expired", "IP address mismatch", ...), with 3 s timeouts. `ca` NULL:
 * the system's CAs; `check_name`: the name is checked too. "" into buf
 * when it cannot tell. Blocks: call only after a failed handshake. */
void drom_tls_probe(const char *host, const char *port, const char *ca, bool check_name, char *buf, size_t size);

/* True for a host name or address that stays on this machine. */
bool drom_host_is_loopback(const char *host);

#endif
