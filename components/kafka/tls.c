/* Camel's security options (securityProtocol, ssl*, sasl*) of a kafka
 * endpoint, handed to the program's one translation into librdkafka
 * properties (runtime/kafka_security.h), which the source's own Kafka
 * clients share: Camel names Java key stores and a JAAS line, librdkafka
 * reads PEM or PKCS#12 files and a user name and password. */
#include "components/kafka/kafka.h"

static const struct drom_kafka_names names = {
    .protocol = "securityProtocol",
    .mechanism = "saslMechanism",
    .jaas = "saslJaasConfig",
    .username = "saslUsername",
    .password = "saslPassword",
    .truststore = "sslTruststoreLocation",
    .keystore = "sslKeystoreLocation",
    .keystore_password = "sslKeystorePassword",
    .key_password = "sslKeyPassword",
};

static void security_of(const struct kafka_conf *o, struct drom_kafka_security *s)
{
    *s = (struct drom_kafka_security){
        .protocol = o->security_protocol,
        .mechanism = o->sasl_mechanism,
        .jaas = o->sasl_jaas_config,
        .username = o->sasl_username,
        .password = o->sasl_password,
        .truststore = o->ssl_truststore_location,
        .keystore = o->ssl_keystore_location,
        .keystore_password = o->ssl_keystore_password,
        .key_password = o->ssl_key_password,
        .endpoint_algorithm = o->ssl_endpoint_algorithm,
        .cipher_suites = o->ssl_cipher_suites,
        .names = names,
    };
}

int kafka_conf_security(rd_kafka_conf_t *conf, const struct kafka_conf *o, struct drom_error *err)
{
    struct drom_kafka_security s;
    security_of(o, &s);
    struct drom_kafka_props p = {0};
    if (drom_kafka_props_build(&s, &p, err) < 0)
        return -1;
    int rc = kafka_conf_set_list(conf, drom_kafka_props_list(&p), err);
    drom_kafka_props_free(&p);
    return rc;
}

int kafka_security_validate(const struct kafka_conf *o, struct drom_error *err)
{
    struct drom_kafka_security s;
    security_of(o, &s);
    return drom_kafka_security_check(&s, err);
}

void kafka_advise(const char *path, const void *conf, char *warning, size_t size)
{
    (void)path;
    const struct kafka_conf *o = conf;
    struct drom_kafka_security s;
    security_of(o, &s);
    drom_kafka_security_advise(&s, o->brokers, warning, size);
}
