/* Validate equals start: each refusal dromd makes from the files alone is
 * made by `dromc validate` with the same message. A case compiles a route
 * whose option is good, puts the bad value into the compiled graph (as a
 * hand-edited graph JSON or a graph from an older dromc would carry it) and
 * starts an engine on it; the same route with the bad value is compiled as
 * dromc validate would. tests/golden/parity/NAME.txt shows the two messages
 * side by side; UPDATE_GOLDEN=1 rewrites them. Nothing here connects
 * anywhere: the refusals come before any endpoint is created. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/engine.h"
#include "tests/support/testenv.h"

#define PARITY "tests/golden/parity/"

struct parity_case {
    const char *name;
    const char *uri;       /* the endpoint, with %s where the option's value goes */
    const char *option;
    const char *good, *bad;  /* put into the uri's %s */
    bool from;             /* the endpoint is the route's source, else a <to> after a timer */
    const char *value;     /* the bad value put into the graph, when it is not `bad` itself */
};

/* a source whose offset store is on a Kafka of its own clients' security options */
#define KAFKA_STORE                                                                                            \
    "mysql-binlog:cdc?host=127.0.0.1&amp;port=1&amp;user=u&amp;serverId=5&amp;offsetStorage=kafka&amp;"       \
    "offsetStorageTopic=o&amp;offsetStorageBrokers=127.0.0.1:1&amp;"

static const struct parity_case cases[] = {
    {"regex_list", "mysql-binlog:cdc?host=127.0.0.1&amp;port=1&amp;user=u&amp;serverId=5&amp;tableIncludeList=%s",
     "tableIncludeList", "shop\\.orders", "shop.(orders", true, NULL},
    {"file_include", "file:/tmp/drom-parity-in?include=%s", "include", ".*\\.json", "(abc", true, NULL},
    {"amqp_failover", "sjms2:queue:q?remoteURI=%s", "remoteURI", "amqp://127.0.0.1:1",
     "failover:(amqp://a:61616,amqps://b:61617)", false, NULL},
    {"amqp_clear_password", "amqp:queue:q?remoteURI=amqp://broker.example.com:1&amp;username=cdc&amp;"
     "password={{env:PARITY_PW:x}}&amp;allowInsecurePlain=%s", "allowInsecurePlain", "true", "false", false, NULL},
    {"enum_value", "log:x?level=%s", "level", "WARN", "LOUD", false, NULL},
    {"int_range", "mysql-binlog:cdc?host=127.0.0.1&amp;user=u&amp;serverId=5&amp;port=%s", "port", "1", "70000",
     true, NULL},
    {"bool_value", "kafka:t?brokers=127.0.0.1:1&amp;groupId=g&amp;autoCommitEnable=%s", "autoCommitEnable", "true",
     "yes", true, NULL},
    {"duration_value", "timer:t?period=%s", "period", "1s", "soon", true, NULL},
    {"include_and_exclude", "mysql-binlog:cdc?host=127.0.0.1&amp;port=1&amp;user=u&amp;serverId=5&amp;"
     "tableIncludeList=a\\.b%s", "tableExcludeList", "", "&amp;tableExcludeList=a\\.c", true, "a\\.c"},
    {"missing_required", "mysql-binlog:cdc?host=127.0.0.1&amp;port=1&amp;serverId=5%s", "user", "&amp;user=u", "",
     true, ""},
    {"kafka_store_without_topic", "mysql-binlog:cdc?host=127.0.0.1&amp;port=1&amp;user=u&amp;serverId=5&amp;"
     "offsetStorage=%s", "offsetStorage", "file", "kafka", true, NULL},
    {"kafka_consumer_group", "kafka:t?brokers=127.0.0.1:1%s", "groupId", "&amp;groupId=g", "", true, ""},
    {"amqp_durable_queue", "sjms2:queue:q?remoteURI=amqp://127.0.0.1:1&amp;clientId=c&amp;durableSubscriptionName=s&amp;"
     "durable=%s", "durable", "false", "true", true, NULL},
    {"seda_block_and_wait", "seda:q?blockWhenFull=true&amp;waitForTaskToComplete=%s", "waitForTaskToComplete",
     "Never", "Always", false, NULL},
    {"skipped_operations", "mysql-binlog:cdc?host=127.0.0.1&amp;port=1&amp;user=u&amp;serverId=5&amp;"
     "skippedOperations=%s", "skippedOperations", "t", "x", true, NULL},
    {"kafka_client_protocol", KAFKA_STORE "kafkaSecurityProtocol=%s", "kafkaSecurityProtocol", "SSL", "TLS", true,
     NULL},
    {"kafka_client_sasl_credentials", KAFKA_STORE "kafkaSecurityProtocol=SASL_PLAINTEXT&amp;kafkaSaslMechanism=%s",
     "kafkaSaslMechanism", "GSSAPI", "PLAIN", true, NULL},
    {"kafka_client_truststore", KAFKA_STORE "kafkaSecurityProtocol=SSL&amp;kafkaSslTruststoreLocation=%s",
     "kafkaSslTruststoreLocation", "/etc/ssl/certs", "/nonexistent/kafka-ca.pem", true, NULL},
};

static char *route_xml(const struct parity_case *c, const char *value)
{
    char uri[1024], *xml = NULL;
    snprintf(uri, sizeof uri, c->uri, value);
    if (c->from)
        cr_assert_gt(asprintf(&xml, "<routes><route id=\"r\"><from uri=\"%s\"/><to uri=\"log:out\"/></route></routes>",
                              uri), 0);
    else   /* a seda: producer needs its consumer route in the file */
        cr_assert_gt(asprintf(&xml, "<routes><route id=\"r\"><from uri=\"timer:t\"/><to uri=\"%s\"/></route>%s</routes>",
                              uri, strncmp(uri, "seda:q", 6) == 0
                                       ? "<route id=\"s\"><from uri=\"seda:q\"/><to uri=\"log:s\"/></route>" : ""),
                     0);
    return xml;
}

/* What dromc validate says, without the file:line:col and severity. */
static char *validate_message(const struct parity_case *c)
{
    char *xml = route_xml(c, c->bad);
    struct drom_graph g;
    struct drom_diags d = DROM_DIAGS_INIT;
    int rc = drom_compile_mem(xml, strlen(xml), "parity.xml", NULL, &g, &d);
    cr_assert_lt(rc, 0, "%s: dromc validate accepts %s=%s", c->name, c->option, c->bad);
    struct drom_error err = {0};
    drom_diags_first_error(&d, &err);
    drom_diags_free(&d);
    free(xml);
    return strdup(err.msg);
}

static struct drom_optset *endpoint_opts(struct drom_graph *g, const struct parity_case *c)
{
    struct drom_route *r = &g->routes[0];
    return c->from ? &r->from.opts : &r->steps[0].endpoint->opts;
}

/* What dromd says when the graph it is given carries the bad value. */
static char *start_message(const struct parity_case *c)
{
    char *xml = route_xml(c, c->good);
    struct drom_graph g;
    struct drom_diags d = DROM_DIAGS_INIT;
    int rc = drom_compile_mem(xml, strlen(xml), "parity.xml", NULL, &g, &d);
    if (rc < 0)
        drom_diags_print(&d, stderr);
    drom_diags_free(&d);
    free(xml);
    cr_assert_eq(rc, 0, "%s: the good route compiles", c->name);
    struct drom_optset *set = endpoint_opts(&g, c);
    bool patched = false;
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i].name, c->option) == 0) {
            set->items[i].value = c->value ? (*c->value ? c->value : NULL) : c->bad;
            patched = true;
        }
    cr_assert(patched, "%s: the graph holds %s", c->name, c->option);
    struct drom_engine_options o = {.quiet = true};
    struct drom_error err = {0};
    struct drom_engine *eng = drom_engine_new(&g, &o, &err);
    if (eng) {
        cr_assert_eq(drom_engine_start(eng, &err), -1, "%s: dromd starts with %s=%s", c->name, c->option, c->bad);
        drom_engine_free(eng);
    }
    drom_graph_free(&g);
    return strdup(err.msg);
}

Test(golden_parity, every_start_refusal_has_its_validate_twin)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct parity_case *c = &cases[i];
        char *v = validate_message(c), *s = start_message(c);
        cr_expect(strstr(s, v), "%s: dromd says [%s], dromc validate [%s]", c->name, s, v);
        char *text = NULL, path[256];
        cr_assert_gt(asprintf(&text, "%s=%s\nvalidate: %s\nstart:    %s\n", c->option, c->value ? c->value : c->bad, v,
                              s), 0);
        snprintf(path, sizeof path, PARITY "%s.txt", c->name);
        if (getenv("UPDATE_GOLDEN")) {
            FILE *f = fopen(path, "w");
            cr_assert_not_null(f, "%s", path);
            fputs(text, f);
            fclose(f);
        }
        char *want = ts_read_file(path, NULL);
        cr_expect(want && strcmp(want, text) == 0, "%s differs:\n%s\nwant:\n%s", path, text, want ? want : "(none)");
        free(want);
        free(text);
        free(v);
        free(s);
    }
}
