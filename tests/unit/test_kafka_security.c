/* A Kafka client's security settings turned into librdkafka properties
 * (runtime/kafka_security.h), the checks every scheme shares, and the
 * source's options for its own Kafka clients (offset store, standby
 * elector, signal consumer) as dromc sees them: typed, checked, and never
 * showing a secret. The TLS files are checked in test_tls_files.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "compiler/graph_json.h"
#include "runtime/kafka_security.h"
#include "test_engine_util.h"

static const char *prop(const struct drom_kafka_props *p, const char *name)
{
    for (size_t i = 0; i + 1 < p->n; i += 2)
        if (strcmp(p->kv[i], name) == 0)
            return p->kv[i + 1];
    return NULL;
}

#define SCRAM_JAAS "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cdc\" "

Test(kafka_security, sasl_takes_the_user_and_password_of_the_jaas_line)
{
    struct drom_kafka_security s = {.protocol = DROM_KAFKA_SASL_PLAINTEXT, .mechanism = "SCRAM-SHA-512",
                                    .jaas = SCRAM_JAAS "password=\"pw\";", .truststore = "/nowhere/ca.pem"};
    struct drom_kafka_props p = {0};
    struct drom_error err = {0};
    cr_assert_eq(drom_kafka_props_build(&s, &p, &err), 0, "%s", err.msg);
    cr_expect_str_eq(prop(&p, "security.protocol"), "sasl_plaintext");
    cr_expect_str_eq(prop(&p, "sasl.mechanism"), "SCRAM-SHA-512");
    cr_expect_str_eq(prop(&p, "sasl.username"), "cdc");
    cr_expect_str_eq(prop(&p, "sasl.password"), "pw");
    cr_expect_null(prop(&p, "ssl.ca.location"), "no TLS file is read for SASL_PLAINTEXT");
    /* given apart, they win over the line's */
    s.username = "other";
    cr_assert_eq(drom_kafka_props_build(&s, &p, &err), 0, "%s", err.msg);
    cr_expect_eq(p.n, 16, "appended: %zu", p.n);
    cr_expect_str_eq(p.kv[p.n - 3], "other");
    drom_kafka_props_free(&p);
    cr_expect_null(p.kv);
    cr_expect_eq(p.n, 0);
}

Test(kafka_security, nothing_given_is_plaintext)
{
    struct drom_kafka_security s = {.protocol = -1};
    cr_expect_not(drom_kafka_security_given(&s));
    struct drom_kafka_props p = {0};
    struct drom_error err = {0};
    cr_assert_eq(drom_kafka_props_build(&s, &p, &err), 0, "%s", err.msg);
    cr_expect_eq(p.n, 2);
    cr_expect_str_eq(prop(&p, "security.protocol"), "plaintext");
    cr_expect_null(drom_kafka_props_list(&p)[2]);
    drom_kafka_props_free(&p);
    cr_expect_eq(drom_kafka_security_check(&s, &err), 0, "%s", err.msg);
}

Test(kafka_security, a_clients_own_settings_win_one_by_one)
{
    struct drom_kafka_security base = {.protocol = DROM_KAFKA_SSL, .truststore = "/ca.pem",
                                       .names = {.protocol = "kafkaSecurityProtocol",
                                                 .truststore = "kafkaSslTruststoreLocation"}};
    struct drom_kafka_security over = {.protocol = DROM_KAFKA_SASL_SSL, .mechanism = "PLAIN",
                                       .names = {.protocol = "signalKafkaSecurityProtocol",
                                                 .mechanism = "signalKafkaSaslMechanism",
                                                 .truststore = "signalKafkaSslTruststoreLocation"}};
    struct drom_kafka_security out;
    drom_kafka_security_over(&out, &base, &over);
    cr_expect_eq(out.protocol, DROM_KAFKA_SASL_SSL);
    cr_expect_str_eq(out.names.protocol, "signalKafkaSecurityProtocol");
    cr_expect_str_eq(out.mechanism, "PLAIN");
    cr_expect_str_eq(out.truststore, "/ca.pem", "not given by the consumer: the shared one");
    cr_expect_str_eq(out.names.truststore, "kafkaSslTruststoreLocation", "named as the user gave it");
    over.protocol = -1;
    drom_kafka_security_over(&out, &base, &over);
    cr_expect_eq(out.protocol, DROM_KAFKA_SSL);
}

static void check_fails(const struct drom_kafka_security *s, const char *want)
{
    struct drom_error err = {0};
    cr_assert_eq(drom_kafka_security_check(s, &err), -1, "refused: %s", want);
    cr_expect(strstr(err.msg, want), "'%s' in: %s", want, err.msg);
    cr_expect_null(strstr(err.msg, "hunter2"), "no secret in: %s", err.msg);
}

Test(kafka_security, sasl_needs_a_known_mechanism_and_credentials)
{
    struct drom_kafka_security s = {
        .protocol = DROM_KAFKA_SASL_SSL, .mechanism = "PLAIN", .jaas = "x required password=\"hunter2\";",
        .names = {.mechanism = "kafkaSaslMechanism", .jaas = "kafkaSaslJaasConfig"}};
    check_fails(&s, "kafkaSaslMechanism: SASL PLAIN over SASL_SSL needs a user name and a password: give "
                    "username=\"...\" password=\"...\" in kafkaSaslJaasConfig");
    s.jaas = NULL;
    s.mechanism = "SCRAM-SHA-256";
    check_fails(&s, "SASL SCRAM-SHA-256 over SASL_SSL needs a user name and a password");
    s.mechanism = "KERBEROS";
    check_fails(&s, "kafkaSaslMechanism: unknown SASL mechanism 'KERBEROS'");
    /* Kerberos and OAuth bring their own credentials */
    struct drom_error err = {0};
    s.mechanism = NULL;
    cr_expect_eq(drom_kafka_security_check(&s, &err), 0, "%s", err.msg);
    s.mechanism = "OAUTHBEARER";
    cr_expect_eq(drom_kafka_security_check(&s, &err), 0, "%s", err.msg);
    /* no SASL, no SASL check */
    s.protocol = DROM_KAFKA_PLAINTEXT;
    s.mechanism = "PLAIN";
    cr_expect_eq(drom_kafka_security_check(&s, &err), 0, "%s", err.msg);
}

Test(kafka_security, clear_text_password_to_another_machine_is_warned_of)
{
    struct drom_kafka_security s = {.protocol = DROM_KAFKA_SASL_PLAINTEXT, .mechanism = "PLAIN",
                                    .names = {.protocol = "kafkaSecurityProtocol"}};
    char w[512];
    drom_kafka_security_advise(&s, "127.0.0.1:9094,localhost:9094", w, sizeof w);
    cr_expect_str_eq(w, "");
    drom_kafka_security_advise(&s, "kafka.example.com:9094", w, sizeof w);
    cr_expect_str_eq(w, "SASL PLAIN over SASL_PLAINTEXT sends the password in clear text to kafka.example.com:9094: "
                        "use kafkaSecurityProtocol=SASL_SSL");
}

/* --- the source's options --- */

#define BINLOG                                                                                                  \
    "mysql-binlog:c?user=u&amp;password={{env:HOME}}&amp;offsetStorage=kafka&amp;offsetStorageTopic=o&amp;" \
    "offsetStorageBrokers=127.0.0.1:9094&amp;"
#define DEBEZIUM                                                                                               \
    "debezium-mysql:c?databasePassword={{env:HOME}}&amp;topicPrefix=t&amp;offsetStorage="                     \
    "org.apache.kafka.connect.storage.KafkaOffsetBackingStore&amp;offsetStorageTopic=o&amp;"                 \
    "additionalProperties.bootstrap.servers=127.0.0.1:9094&amp;"
#define PLAIN_JAAS "org.apache.kafka.common.security.plain.PlainLoginModule required username=&quot;cdc&quot; "

static char *compile_from(const char *uri, int *rc)
{
    char xml[4096];
    snprintf(xml, sizeof xml, "<routes><route><from uri=\"%s\"/><log message=\"x\"/></route></routes>", uri);
    return te_compile_msgs(xml, rc);
}

static void accepted(const char *uri)
{
    int rc;
    char *text = compile_from(uri, &rc);
    cr_expect_eq(rc, 0, "%s: %s", uri, text);
    cr_expect_str_eq(text, "", "no message for %s", uri);
    free(text);
}

static void refused(const char *uri, const char *want)
{
    int rc;
    char *text = compile_from(uri, &rc);
    cr_expect_eq(rc, -1, "%s is refused", uri);
    cr_expect(strstr(text, want), "'%s' in: %s", want, text);
    cr_expect_null(strstr(text, "hunter2"), "no secret in: %s", text);
    free(text);
}

Test(kafka_security, source_options_are_typed_and_checked)
{
    accepted(BINLOG "kafkaSecurityProtocol=SASL_PLAINTEXT&amp;kafkaSaslMechanism=PLAIN&amp;kafkaSaslJaasConfig="
             PLAIN_JAAS "password=&quot;{{env:HOME}}&quot;;");
    accepted(DEBEZIUM "additionalProperties.security.protocol=SASL_PLAINTEXT&amp;additionalProperties.sasl."
             "mechanism=PLAIN&amp;additionalProperties.sasl.jaas.config=" PLAIN_JAAS "password=&quot;{{env:HOME}}"
             "&quot;;&amp;additionalProperties.ssl.truststore.type=PEM");
    /* a placeholder is checked by dromd once resolved */
    accepted(BINLOG "kafkaSecurityProtocol=SASL_SSL&amp;kafkaSaslMechanism=SCRAM-SHA-256&amp;kafkaSaslJaasConfig="
             "{{env:HOME}}");
    refused(BINLOG "kafkaSecurityProtocol=TLS", "invalid value for option 'kafkaSecurityProtocol' of component "
                                                "'mysql-binlog': expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, "
                                                "SASL_SSL, got 'TLS'");
    /* Kafka reads the protocol in any case */
    accepted(DEBEZIUM "additionalProperties.security.protocol=ssl&amp;additionalProperties.ssl.truststore.type=PEM");
    refused(DEBEZIUM "additionalProperties.security.protocol=sasl_tls",
            "invalid value for option 'additionalProperties.security.protocol'");
    refused(BINLOG "kafkaSecurityProtocol=SASL_SSL&amp;kafkaSaslMechanism=SCRAM-SHA-512",
            "kafkaSaslMechanism: SASL SCRAM-SHA-512 over SASL_SSL needs a user name and a password: give "
            "username=\"...\" password=\"...\" in kafkaSaslJaasConfig");
    refused(DEBEZIUM "additionalProperties.security.protocol=SASL_SSL&amp;additionalProperties.sasl.mechanism="
            "PLAIN&amp;additionalProperties.sasl.jaas.config=x required password=&quot;hunter2&quot;;",
            "additionalProperties.sasl.mechanism: SASL PLAIN over SASL_SSL needs a user name and a password: give "
            "username=\"...\" password=\"...\" in additionalProperties.sasl.jaas.config");
    refused(BINLOG "kafkaSecurityProtocol=SSL&amp;kafkaSslTruststoreLocation=/nonexistent/ca.pem",
            "option kafkaSslTruststoreLocation: cannot read /nonexistent/ca.pem");
}

Test(kafka_security, the_signal_consumer_has_its_own_over_the_shared_ones)
{
    const char *signal = "signalEnabledChannels=kafka&amp;signalKafkaTopic=s&amp;"
                         "signalKafkaBootstrapServers=127.0.0.1:9095&amp;";
    char uri[2048];
    /* TLS for the store, SASL for the signals: the store's truststore is not the signals' business */
    snprintf(uri, sizeof uri, BINLOG "%ssignalKafkaSecurityProtocol=SASL_PLAINTEXT&amp;signalKafkaSaslMechanism=PLAIN",
             signal);
    refused(uri, "signalKafkaSaslMechanism: SASL PLAIN over SASL_PLAINTEXT needs a user name and a password: give "
                 "username=\"...\" password=\"...\" in signalKafkaSaslJaasConfig");
    snprintf(uri, sizeof uri, BINLOG "%skafkaSecurityProtocol=SSL&amp;signalKafkaSslTruststoreLocation=/no/ca.pem",
             signal);
    refused(uri, "option signalKafkaSslTruststoreLocation: cannot read /no/ca.pem");
    refused(DEBEZIUM "signalEnabledChannels=kafka&amp;signalKafkaTopic=s&amp;signalKafkaBootstrapServers=b:1&amp;"
            "additionalProperties.signal.consumer.security.protocol=SASL_SSL&amp;"
            "additionalProperties.signal.consumer.sasl.mechanism=GSSAPI2",
            "additionalProperties.signal.consumer.sasl.mechanism: unknown SASL mechanism 'GSSAPI2'");
}

/* Written literally, every secret of the new options is masked in the
 * graph and the URIs, with the warning that says so. */
Test(kafka_security, secrets_never_reach_the_graph)
{
    static const char xml[] =
        "<routes><route><from uri=\"" BINLOG "kafkaSecurityProtocol=SASL_SSL&amp;kafkaSaslMechanism=PLAIN&amp;"
        "kafkaSaslJaasConfig=" PLAIN_JAAS "password=&quot;hunter2&quot;;&amp;kafkaSslKeyPassword=hunter2&amp;"
        "signalKafkaSslKeystorePassword=hunter2\"/><log message=\"x\"/></route>"
        "<route><from uri=\"" DEBEZIUM "additionalProperties.security.protocol=SASL_SSL&amp;"
        "additionalProperties.sasl.mechanism=PLAIN&amp;additionalProperties.sasl.jaas.config=" PLAIN_JAAS
        "password=&quot;hunter2&quot;;&amp;additionalProperties.signal.consumer.ssl.key.password=hunter2\"/>"
        "<log message=\"x\"/></route></routes>";
    struct drom_graph g = {0};
    struct drom_diags d = DROM_DIAGS_INIT;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int rc = drom_compile_mem(xml, strlen(xml), "test.xml", NULL, &g, &d);
    drom_diags_print(&d, out);
    fclose(out);
    drom_diags_free(&d);
    cr_assert_eq(rc, 0, "%s", text);
    cr_expect(strstr(text, "option 'kafkaSaslJaasConfig' is a secret written literally"), "%s", text);
    cr_expect(strstr(text, "option 'signalKafkaSslKeystorePassword' is a secret written literally"), "%s", text);
    cr_expect(strstr(text, "option 'additionalProperties.sasl.jaas.config' is a secret written literally"), "%s",
              text);
    cr_expect_null(strstr(text, "hunter2"), "%s", text);
    char *json = drom_graph_json_dumps(&g);
    cr_expect_null(strstr(json, "hunter2"), "%s", json);
    for (size_t i = 0; i < g.nroutes; i++) {
        cr_expect_null(strstr(g.routes[i].from.uri, "hunter2"), "%s", g.routes[i].from.uri);
        cr_expect_null(strstr(g.routes[i].from.uri_masked, "hunter2"), "%s", g.routes[i].from.uri_masked);
    }
    free(json);
    free(text);
    drom_graph_free(&g);
}

/* The elector is opened before the source exists, from the options alone:
 * it gets the same settings, named as the scheme names them. */
Test(kafka_security, the_standby_elector_gets_the_stores_settings)
{
    static const char *const uris[][2] = {
        {BINLOG "standby=true&amp;standbyGroupId=g&amp;kafkaSecurityProtocol=SSL&amp;"
                "kafkaSslTruststoreLocation=/etc/ssl/certs", "kafkaSslTruststoreLocation"},
        {DEBEZIUM "standby=true&amp;standbyGroupId=g&amp;additionalProperties.security.protocol=SSL&amp;"
                  "additionalProperties.ssl.truststore.location=/etc/ssl/certs",
         "additionalProperties.ssl.truststore.location"},
    };
    for (size_t i = 0; i < 2; i++) {
        char xml[2048];
        snprintf(xml, sizeof xml, "<routes><route><from uri=\"%s\"/><log message=\"x\"/></route></routes>", uris[i][0]);
        struct drom_graph g = {0};
        struct drom_diags d = DROM_DIAGS_INIT;
        int rc = drom_compile_mem(xml, strlen(xml), "test.xml", NULL, &g, &d);
        if (rc < 0)
            drom_diags_print(&d, stderr);
        drom_diags_free(&d);
        cr_assert_eq(rc, 0, "%s", uris[i][0]);
        const struct drom_gendpoint *from = &g.routes[0].from;
        struct drom_error err = {0};
        void *conf = drom_conf_new(from->comp->options, from->comp->conf_size, &from->opts, from->scheme, &err);
        cr_assert_not_null(conf, "%s", err.msg);
        struct drom_standby_config cfg;
        cr_assert(from->comp->standby(conf, &cfg), "%s stands by", from->scheme);
        cr_expect_str_eq(cfg.brokers, "127.0.0.1:9094");
        cr_expect_eq(cfg.security.protocol, DROM_KAFKA_SSL);
        cr_expect_str_eq(cfg.security.truststore, "/etc/ssl/certs");
        cr_expect_str_eq(cfg.security.names.truststore, uris[i][1]);
        struct drom_kafka_props p = {0};
        cr_assert_eq(drom_kafka_props_build(&cfg.security, &p, &err), 0, "%s", err.msg);
        cr_expect_str_eq(prop(&p, "security.protocol"), "ssl");
        cr_expect_str_eq(prop(&p, "ssl.ca.location"), "/etc/ssl/certs");
        drom_kafka_props_free(&p);
        drom_conf_free(from->comp->options, conf);
        drom_graph_free(&g);
    }
}
