/* The security settings of a Kafka client (Camel's and Kafka Connect's
 * security.protocol, ssl.* and sasl.*) turned into librdkafka properties,
 * said once for every client of the program: a kafka endpoint's, and the
 * offset store, standby elector and signal consumer a source opens for
 * itself. Kafka's Java clients read key stores and a JAAS line; librdkafka
 * reads PEM or PKCS#12 files and a user name and password, so the files are
 * told apart by content here (a Java key store is refused with the command
 * that converts it, runtime/tls_files.h) and the JAAS line's username and
 * password are taken out of it.
 *
 * Nothing here connects anywhere. All functions borrow their arguments;
 * the property list is owned by its struct and freed with
 * drom_kafka_props_free. No message ever holds a password or the JAAS line. */
#ifndef DROM_RUNTIME_KAFKA_SECURITY_H
#define DROM_RUNTIME_KAFKA_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/error.h"

/* security.protocol, in the order of drom_kafka_protocols (the values an
 * option table accepts; an enum option's index). */
enum drom_kafka_protocol { DROM_KAFKA_PLAINTEXT, DROM_KAFKA_SSL, DROM_KAFKA_SASL_PLAINTEXT, DROM_KAFKA_SASL_SSL };
extern const char *const drom_kafka_protocols[];

/* How the user spelled each setting (option names), for the messages; NULL
 * for a setting the scheme has no option for. */
struct drom_kafka_names {
    const char *protocol, *mechanism, *jaas, *username, *password;
    const char *truststore, *keystore, *keystore_password, *key_password;
};

/* One client's settings; strings borrowed (from an endpoint's conf), NULL
 * when unset. The fields up to `names` are what option tables fill. */
struct drom_kafka_security {
    int protocol;                   /* enum drom_kafka_protocol; -1 unset: PLAINTEXT */
    const char *mechanism;          /* sasl.mechanism; NULL: GSSAPI, as Kafka's */
    const char *jaas;               /* sasl.jaas.config: username="..." password="..." are read */
    const char *username, *password;   /* given apart, they win over the JAAS line's */
    const char *truststore;         /* CA certificates, PEM (ssl.ca.location) */
    const char *keystore;           /* the client's certificate and key: PEM, or PKCS#12 */
    const char *keystore_password;  /* of a PKCS#12 keystore */
    const char *key_password;       /* of the key in a PEM keystore */
    const char *endpoint_algorithm; /* "" or "none": no host name check; NULL: librdkafka's (https) */
    const char *cipher_suites;
    struct drom_kafka_names names;
};

/* `out` = `base` with each setting `over` gives taken from `over` (its name
 * too): a client whose own settings override the shared ones field by
 * field, as Kafka Connect's consumer.* override the worker's. A setting
 * neither gives keeps `over`'s name, for a message that asks for it. */
void drom_kafka_security_over(struct drom_kafka_security *out, const struct drom_kafka_security *base,
                              const struct drom_kafka_security *over);

/* Whether any setting is given (a protocol or any string). */
bool drom_kafka_security_given(const struct drom_kafka_security *s);

/* The checks `dromc validate` and the engine make alike, offline: the
 * files of an SSL or SASL_SSL client exist and are PEM (the keystore may be
 * PKCS#12), and a SASL client names a known mechanism and, for PLAIN and
 * SCRAM, a user name and password. Each message names the option. */
int drom_kafka_security_check(const struct drom_kafka_security *s, struct drom_error *err);

/* librdkafka properties: name, value, name, value, ..., NULL. */
struct drom_kafka_props {
    char **kv;       /* NULL while empty */
    size_t n;        /* strings in kv before the NULL */
};

/* Appends the properties of `s` to `out` (zeroed, or holding earlier
 * properties): security.protocol, sasl.mechanisms, sasl.username,
 * sasl.password, ssl.ca.location, ssl.certificate.location and
 * ssl.key.location (PEM) or ssl.keystore.location and
 * ssl.keystore.password (PKCS#12), ssl.key.password,
 * ssl.endpoint.identification.algorithm, ssl.cipher.suites. The TLS files
 * are read to tell their kind; on error `out` keeps what it had. */
int drom_kafka_props_build(const struct drom_kafka_security *s, struct drom_kafka_props *out,
                           struct drom_error *err);
/* Appends one property (both strings copied). */
void drom_kafka_props_add(struct drom_kafka_props *p, const char *name, const char *value);
/* The list as the clients take it (NULL-ended; NULL when empty). */
static inline const char *const *drom_kafka_props_list(const struct drom_kafka_props *p)
{
    return (const char *const *)p->kv;
}
/* Wipes the values (passwords) and frees; leaves `p` empty. */
void drom_kafka_props_free(struct drom_kafka_props *p);

/* A warning when a SASL PLAIN password would travel in clear text
 * (SASL_PLAINTEXT) to a broker of `brokers` ("host:port,...") that is not
 * on this machine; "" otherwise. */
void drom_kafka_security_advise(const struct drom_kafka_security *s, const char *brokers, char *warning,
                                size_t size);

#endif
