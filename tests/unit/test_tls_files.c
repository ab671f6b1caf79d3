/* What the compiler checks of the TLS options without a network (the
 * files parse as PEM, key and certificate belong together, they are in
 * their validity, mode values), and the warnings on a password that
 * would travel in clear text. Certificates are made here with openssl. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/tls_files.h"
#include "test_engine_util.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/drom-tlsf-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "(cd %s && E='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes' && "
             "openssl req -x509 $E -days 2 -keyout ca.key -out ca.pem -subj /CN=ca && "
             "openssl req -new $E -keyout c.key -out c.csr -subj /CN=c && "
             "openssl x509 -req -in c.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out c.pem && "
             "openssl x509 -req -in c.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days -1 -out old.pem && "
             "openssl req -new $E -keyout other.key -out other.csr -subj /CN=o && "
             "cat c.pem c.key > both.pem && printf 'not a certificate\\n' > junk.pem && "
             "printf '\\376\\355\\376\\355\\0\\0\\0\\2' > store.jks && "
             "openssl pkcs12 -export -in c.pem -inkey c.key -passout pass:x -out c.p12) >/dev/null 2>&1",
             dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) {
    }
}

TestSuite(tls_files, .init = setup, .fini = teardown);

static const char *f(const char *name)
{
    static char paths[8][128];
    static int i;
    char *p = paths[i++ % 8];
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

static void fails(const char *ca, const char *cert, const char *key, const char *want)
{
    struct drom_error err = {0};
    cr_assert_eq(drom_tls_check_files("ca", ca, "cert", cert, "key", key, &err), -1, "refused: %s", want);
    cr_assert(strstr(err.msg, want), "'%s' in: %s", want, err.msg);
}

Test(tls_files, good_files_pass)
{
    struct drom_error err = {0};
    cr_assert_eq(drom_tls_check_files("ca", f("ca.pem"), "cert", f("c.pem"), "key", f("c.key"), &err), 0, "%s",
                 err.msg);
    cr_assert_eq(drom_tls_check_files("ca", NULL, "cert", f("both.pem"), "key", NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(drom_tls_check_files("ca", "", "cert", "", "key", "", &err), 0, "nothing given, nothing checked");
}

Test(tls_files, each_fault_is_named)
{
    fails(f("junk.pem"), NULL, NULL, "holds no PEM certificate");
    fails(f("store.jks"), NULL, NULL, "is a Java key store; give the CA certificates as a PEM file (keytool");
    fails(f("c.p12"), NULL, NULL, "is PKCS#12; give the CA certificates as a PEM file (openssl pkcs12");
    fails(NULL, f("c.p12"), NULL, "is PKCS#12; give a PEM file with the certificate and its key (openssl pkcs12 -in");
    fails(NULL, f("c.pem"), f("other.key"), "option key: the key in");
    fails(NULL, f("c.pem"), f("other.key"), "does not belong to the certificate in");
    fails(NULL, f("old.pem"), f("c.key"), "expired on");
    fails(NULL, f("c.pem"), NULL, "has no private key; give key or put the key in the same file");
    fails(NULL, NULL, f("c.key"), "option key is set without cert");
    fails(f("missing.pem"), NULL, NULL, "cannot read");
}

Test(tls_files, failures_told_apart)
{
    cr_assert_eq(drom_tls_failure_of("SSL routines::certificate verify failed"), DROM_TLS_FAIL_UNTRUSTED);
    cr_assert_eq(drom_tls_failure_of("TLS/SSL error: self-signed certificate in certificate chain"),
                 DROM_TLS_FAIL_UNTRUSTED);
    cr_assert_eq(drom_tls_failure_of("TLS/SSL error: certificate has expired"), DROM_TLS_FAIL_EXPIRED);
    cr_assert_eq(drom_tls_failure_of("tlsv13 alert certificate required"), DROM_TLS_FAIL_CLIENT_CERT);
    cr_assert_eq(drom_tls_failure_of("tlsv1 alert unknown ca"), DROM_TLS_FAIL_CLIENT_CERT);
    cr_assert_eq(drom_tls_failure_of("Validation of SSL server certificate failed"), DROM_TLS_FAIL_NAME);
    cr_assert_eq(drom_tls_failure_of("Connection refused"), DROM_TLS_FAIL_OTHER);
}

/* The compiler's messages for one <to>/<from> uri (with "%s" for the folder). */
static char *compile_msgs(const char *uri_fmt, bool from, int *rc)
{
    char uri[1024], xml[2048];
    snprintf(uri, sizeof uri, uri_fmt, dir, dir, dir);
    if (from)
        snprintf(xml, sizeof xml, "<routes><route><from uri=\"%s\"/><log message=\"x\"/></route></routes>", uri);
    else
        snprintf(xml, sizeof xml, "<routes><route><from uri=\"timer:t\"/><to uri=\"%s\"/></route></routes>", uri);
    char *text = te_compile_msgs(xml, rc);
    return text;
}

static void compiles_with(const char *uri, bool from, int want_rc, const char *want)
{
    int rc;
    char *text = compile_msgs(uri, from, &rc);
    cr_log_info("%s", text);
    cr_assert_eq(rc, want_rc, "%s: %s", uri, text);
    if (want)
        cr_assert(strstr(text, want), "'%s' in: %s", want, text);
    else
        cr_assert_eq(text[0], '\0', "no message: %s", text);
    free(text);
}

#define MB "mysql-binlog:c?host=%s&amp;user=u&amp;password={{env:HOME}}&amp;"

Test(tls_files, mysql_options_checked_at_compile_time)
{
    compiles_with("mysql-binlog:c?host=127.0.0.1&amp;user=u&amp;password={{env:HOME}}&amp;sslMode=verify_identity"
                  "&amp;sslCa=%s/ca.pem&amp;sslCert=%s/c.pem&amp;sslKey=%s/c.key", true, 0, NULL);
    compiles_with("mysql-binlog:c?user=u&amp;sslMode=verify_ca", true, -1, "sslMode=verify_ca needs sslCa");
    compiles_with("mysql-binlog:c?user=u&amp;sslMode=strict", true, -1, "sslMode");
    compiles_with("mysql-binlog:c?user=u&amp;sslCert=%s/c.pem&amp;sslKey=%s/other.key", true, -1,
                  "does not belong to the certificate");
    compiles_with("debezium-mysql:c?topicPrefix=t&amp;offsetStorageFileName=/tmp/o&amp;databasePassword={{env:HOME}}&amp;databaseSslKeystore=%s/c.p12", true, -1,
                  "option databaseSslKeystore: ");
    compiles_with("debezium-mysql:c?topicPrefix=t&amp;offsetStorageFileName=/tmp/o&amp;databasePassword={{env:HOME}}&amp;databaseSslMode=verify_identity"
                  "&amp;databaseSslTruststore=%s/store.jks", true, -1, "is a Java key store");
    compiles_with("mysql-binlog:c?host=db.example.com&amp;user=u&amp;password={{env:HOME}}&amp;sslMode=disabled", true, 0,
                  "warning: sslMode=disabled: the login and every change read from db.example.com travel "
                  "unencrypted");
}

Test(tls_files, amqp_options_checked_at_compile_time)
{
    compiles_with("amqp:queue:q?remoteURI=amqps://b:5671&amp;sslTrustStore=%s/ca.pem&amp;sslCert=%s/c.pem"
                  "&amp;sslKey=%s/c.key&amp;amqp.saslMechanisms=EXTERNAL", false, 0, NULL);
    compiles_with("amqp:queue:q?remoteURI=amqp://b:5672&amp;amqp.saslMechanisms=EXTERNAL", false, -1,
                  "EXTERNAL logs in with the client certificate: use amqps:// and set sslCert");
    compiles_with("amqp:queue:q?remoteURI=amqps://b:5671&amp;amqp.saslMechanisms=PLAIN,KERBEROS", false, -1,
                  "unknown mechanism 'KERBEROS'");
    compiles_with("amqp:queue:q?remoteURI=amqp://b:5672&amp;sslCert=%s/c.pem", false, -1,
                  "a client certificate needs TLS");
    compiles_with("amqp:queue:q?remoteURI=amqps://b:5671&amp;sslCert=%s/old.pem&amp;sslKey=%s/c.key", false, -1,
                  "expired on");
    compiles_with("sjms2:queue:q?remoteURI=amqp://broker.example.com:5672&amp;username=u&amp;password={{env:HOME}}", false, -1,
                  "refusing to send the password of user 'u' in clear text to broker.example.com");
    compiles_with("sjms2:queue:q?remoteURI=amqp://broker.example.com:5672&amp;username=u&amp;password={{env:HOME}}"
                  "&amp;allowInsecurePlain=true", false, 0,
                  "warning: the password of user 'u' goes in clear text to broker.example.com over amqp:// "
                  "(allowInsecurePlain=true): use amqps:// (TLS)");
    compiles_with("sjms2:queue:q?remoteURI=amqp://127.0.0.1:5672&amp;username=u&amp;password={{env:HOME}}", false, 0, NULL);
    /* SCRAM proves the password without sending it: no refusal, no warning */
    compiles_with("amqp:queue:q?remoteURI=amqp://broker.example.com:5672&amp;username=u&amp;password={{env:HOME}}"
                  "&amp;amqp.saslMechanisms=SCRAM-SHA-512,SCRAM-SHA-256", false, 0, NULL);
    compiles_with("amqp:queue:q?remoteURI=amqp://broker.example.com:5672&amp;username=u&amp;password={{env:HOME}}"
                  "&amp;amqp.saslMechanisms=SCRAM-SHA-256,PLAIN", false, -1,
                  "refusing to send the password of user 'u' in clear text to broker.example.com");
    compiles_with("amqp:queue:q?remoteURI=amqps://b:5671&amp;amqp.saslMechanisms=SCRAM-SHA-256", false, -1,
                  "SCRAM-SHA-256 logs in with username and password");
}

Test(tls_files, kafka_options_checked_at_compile_time)
{
    compiles_with("kafka:t?brokers=k.example.com:9092&amp;securityProtocol=SASL_PLAINTEXT&amp;saslMechanism=PLAIN"
                  "&amp;saslUsername=u&amp;saslPassword={{env:HOME}}", false, 0,
                  "warning: SASL PLAIN over SASL_PLAINTEXT sends the password in clear text to k.example.com:9092");
    compiles_with("kafka:t?brokers=127.0.0.1:9092&amp;securityProtocol=SASL_PLAINTEXT&amp;saslMechanism=PLAIN"
                  "&amp;saslUsername=u&amp;saslPassword={{env:HOME}}", false, 0, NULL);
    compiles_with("kafka:t?brokers=b:9093&amp;securityProtocol=SSL&amp;sslTruststoreLocation=%s/junk.pem", false, -1,
                  "holds no PEM certificate");
}
