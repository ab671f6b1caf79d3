/* dromc import: Camel Kafka Connector sinks (sjms2, amqp, jms; the 0.x
 * camel.sink.* form and the kamelet form) -> a kafka: consumer, the
 * tombstone filter and an sjms2:/amqp: producer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "beans.h"
#include "suggest.h"
#include "import_int.h"
#include "components/registry.h"
#include "runtime/xalloc.h"

#define ARTEMIS_CF "org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory"
#define QPID_CF "org.apache.qpid.jms.JmsConnectionFactory"

bool imp_is_camel_sink(const char *cls)
{
    size_t n = strlen(cls), s = strlen("SinkConnector");
    return strncmp(cls, "org.apache.camel.kafkaconnector.", 32) == 0 && n > s && strcmp(cls + n - s, "SinkConnector") == 0;
}

struct sink {
    const char *scheme;          /* sjms2 or amqp, as written in the route */
    const char *dest_type, *dest_name;
    struct drom_buf opts;        /* endpoint options, XML-escaped */
    const char *url;             /* the broker as the connector gave it */
    const char *url_class;       /* its connection factory class, NULL for an amqp:// remoteURI */
    struct imp_entry *url_at, *user, *password;
};

/* The Camel component a connector class or a sink url names, as written here. */
static const char *our_scheme(const char *s, size_t n)
{
    if (n == 5 && strncmp(s, "sjms2", 5) == 0)
        return "sjms2";
    if (n == 4 && strncmp(s, "sjms", 4) == 0)
        return "sjms2";
    if (n == 3 && strncmp(s, "jms", 3) == 0)
        return "sjms2";
    if (n == 4 && strncmp(s, "amqp", 4) == 0)
        return "amqp";
    return NULL;
}

static void endpoint_opt(struct imp *m, struct imp_conn *c, struct sink *k, struct imp_entry *e, const char *name)
{
    const struct drom_component *comp = drom_registry_find("sjms2");
    const struct drom_option *o = drom_option_find(comp->options, name);
    if (!o) {
        imp_report(m, c, e, "the %s component has no endpoint option %s", k->scheme ? k->scheme : "sjms2", name);
        return;
    }
    e->used = true;
    drom_buf_printf(&k->opts, "%s%s=%s", k->opts.len ? "&amp;" : "?", name, imp_xml(m, imp_uri_value(m, e->value)));
}

/* sjms2://queue:NAME?opts (the 0.x form; "//" is optional). */
static int sink_url(struct imp *m, struct imp_conn *c, struct sink *k, struct imp_entry *e, struct drom_error *err)
{
    const char *u = e->value, *colon = strchr(u, ':');
    const char *scheme = colon ? our_scheme(u, (size_t)(colon - u)) : NULL;
    if (!scheme)
        return drom_err_at(err, DROM_EINVAL, c->file, e->line, 0,
                           "connector %s: camel.sink.url '%s' is not an sjms2:, amqp: or jms: endpoint", c->name, u);
    e->used = true;
    k->scheme = scheme;
    const char *path = colon + 1;
    if (strncmp(path, "//", 2) == 0)
        path += 2;
    const char *q = strchr(path, '?');
    char *p = q ? drom_xstrndup(path, (size_t)(q - path)) : drom_xstrdup(path);
    char *type_end = strchr(p, ':');
    if (type_end && (strncmp(p, "queue:", 6) == 0 || strncmp(p, "topic:", 6) == 0)) {
        *type_end = '\0';
        k->dest_type = drom_arena_strdup(&m->a, p);
        k->dest_name = drom_arena_strdup(&m->a, type_end + 1);
    } else {
        k->dest_name = drom_arena_strdup(&m->a, p);
    }
    free(p);
    for (const char *o = q ? q + 1 : NULL; o && *o;) {
        const char *amp = strchr(o, '&'), *end = amp ? amp : o + strlen(o), *eq = memchr(o, '=', (size_t)(end - o));
        if (eq) {
            struct imp_entry one = {.key = drom_arena_strndup(&m->a, o, (size_t)(eq - o)),
                                    .value = drom_arena_strndup(&m->a, eq + 1, (size_t)(end - eq - 1)), .line = e->line};
            endpoint_opt(m, c, k, &one, one.key);
        }
        o = amp ? amp + 1 : NULL;
    }
    return 0;
}

/* camel.component.<s>.* and camel.kamelet.<k>.*: the broker and credentials. */
static void connection(struct imp *m, struct imp_conn *c, struct sink *k)
{
    for (size_t i = 0; i < c->n; i++) {
        struct imp_entry *e = &c->e[i];
        const char *rest = NULL;
        if (strncmp(e->key, "camel.component.", 16) == 0 || strncmp(e->key, "camel.kamelet.", 14) == 0) {
            const char *dot = strchr(e->key + (e->key[6] == 'c' ? 16 : 14), '.');
            rest = dot ? dot + 1 : NULL;
        }
        if (!rest)
            continue;
        bool kamelet = strncmp(e->key, "camel.kamelet.", 14) == 0;
        if (drom_name_loose_eq(rest, "connectionFactory") && strncmp(e->value, "#class:", 7) == 0) {
            e->used = true;
            k->url_class = drom_arena_strdup(&m->a, e->value + 7);
        } else if (drom_name_loose_eq(rest, "connectionFactory.brokerURL") || drom_name_loose_eq(rest, "brokerURL")) {
            e->used = true;
            k->url = e->value;
            k->url_at = e;
            if (!k->url_class)
                k->url_class = ARTEMIS_CF;
        } else if (drom_name_loose_eq(rest, "remoteURI") || drom_name_loose_eq(rest, "connectionFactory.remoteURI")) {
            e->used = true;
            k->url = e->value;
            k->url_at = e;
            k->url_class = NULL;
        } else if (drom_name_loose_eq(rest, "connectionUsername") || drom_name_loose_eq(rest, "username") || drom_name_loose_eq(rest, "userName") ||
                   drom_name_loose_eq(rest, "connectionFactory.userName") || drom_name_loose_eq(rest, "connectionFactory.user")) {
            e->used = true;
            k->user = e;
        } else if (drom_name_loose_eq(rest, "connectionPassword") || drom_name_loose_eq(rest, "password") ||
                   drom_name_loose_eq(rest, "connectionFactory.password")) {
            e->used = true;
            k->password = e;
        } else if (kamelet && drom_name_loose_eq(rest, "destinationName")) {
            e->used = true;
            k->dest_name = e->value;
        } else if (kamelet && drom_name_loose_eq(rest, "destinationType")) {
            e->used = true;
            k->dest_type = e->value;
        }
    }
}

/* The broker into the properties: remoteURI and credentials, or in
 * --camel-compatible form a connection factory bean. */
static int broker(struct imp *m, struct imp_conn *c, struct sink *k, struct drom_error *err)
{
    drom_buf_printf(&m->props, "\n# connector %s (%s:%d): the broker\n", c->name, c->file, c->line);
    if (!k->url) {
        imp_prop(m, "no broker address in the connector: it comes from the environment",
                 drom_arena_printf(&m->a, "camel.component.%s.remoteURI", k->scheme), "{{env:AMQ_URI}}");
        return 0;
    }
    char *amqp;
    const char *url = imp_value(m, c, k->url_at, false);   /* ${...} as placeholders */
    if (k->url_class) {
        amqp = drom_beans_amqp_url(k->url_class, url, err);
        if (!amqp)
            return drom_err_at(err, DROM_EINVAL, c->file, k->url_at->line, 0, "connector %s: %s: %s", c->name,
                               k->url_at->key, err->msg);
    } else {
        amqp = drom_xstrdup(url);
    }
    const char *user = k->user ? imp_value(m, c, k->user, false) : NULL;
    const char *pass = k->password ? imp_value(m, c, k->password, true) : NULL;
    char why[400];
    snprintf(why, sizeof why, "%s (%s:%d)%s", k->url_at->key, c->file, k->url_at->line,
             k->url_class ? ": the broker spoken to over AMQP 1.0, which Artemis' acceptors take beside CORE and OpenWire"
                          : "");
    if (m->o->camel_compatible) {
        bool tls = strncmp(amqp, "amqps:", 6) == 0;
        const char *hostport = strstr(amqp, "://") ? strstr(amqp, "://") + 3 : amqp;
        const char *bean = drom_arena_printf(&m->a, "%sConnectionFactory", k->scheme);
        const char *ctor;
        if (k->url_class && strcmp(k->url_class, QPID_CF) != 0)
            ctor = drom_arena_printf(&m->a, "#class:" ARTEMIS_CF "(\"tcp://%s%s\"", hostport, tls ? "?sslEnabled=true" : "");
        else
            ctor = drom_arena_printf(&m->a, "#class:" QPID_CF "(\"%s\"", amqp);
        if (user || pass)
            ctor = k->url_class && strcmp(k->url_class, QPID_CF) != 0
                       ? drom_arena_printf(&m->a, "%s,\"%s\",\"%s\")", ctor, user ? user : "", pass ? pass : "")
                       : drom_arena_printf(&m->a, "#class:" QPID_CF "(\"%s\",\"%s\",\"%s\")", user ? user : "",
                                           pass ? pass : "", amqp);
        else
            ctor = drom_arena_printf(&m->a, "%s)", ctor);
        imp_prop(m, why, drom_arena_printf(&m->a, "camel.beans.%s", bean), ctor);
        imp_prop(m, "Camel's sjms2 and amqp take the broker from a connection factory; dromd reads the same bean",
                 drom_arena_printf(&m->a, "camel.component.%s.connectionFactory", k->scheme),
                 drom_arena_printf(&m->a, "#bean:%s", bean));
    } else {
        imp_prop(m, why, drom_arena_printf(&m->a, "camel.component.%s.remoteURI", k->scheme), amqp);
        if (user)
            imp_prop(m, k->user->key, drom_arena_printf(&m->a, "camel.component.%s.username", k->scheme), user);
        if (pass)
            imp_prop(m, k->password->key, drom_arena_printf(&m->a, "camel.component.%s.password", k->scheme), pass);
    }
    /* The connector sent the password over plain CORE/OpenWire: the same exposure is
     * allowed here only when said (dromd refuses it by default). */
    const char *host = strstr(amqp, "://") ? strstr(amqp, "://") + 3 : amqp;
    bool loopback = strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost", 9) == 0 || strncmp(host, "[::1]", 5) == 0;
    if (user && strncmp(amqp, "amqp:", 5) == 0 && !loopback) {
        const char *key = drom_arena_printf(&m->a, "camel.component.%s.allowInsecurePlain", k->scheme);
        if (m->o->camel_compatible) {
            imp_report(m, c, k->url_at, "the broker is reached without TLS, so dromd will not send the password "
                       "unless started with -D %s=true (Camel would refuse that property); better, use TLS", key);
        } else {
            imp_note(m, c, k->url_at, "the broker is reached without TLS, as the connector reached it: the "
                       "properties allow the password in clear text (%s=true); better, use TLS", key);
            imp_prop(m, "the connector sent the password without TLS as well", key, "true");
        }
    }
    free(amqp);
    return 0;
}

int imp_camel_sink(struct imp *m, struct imp_conn *c, struct drom_error *err)
{
    struct sink k = {0};
    struct imp_route r = {0};
    int rc = 0;
    imp_take(c, "connector.class");
    /* the component from the class: ...sjms2.CamelSjms2SinkConnector, ...jmsamqp10sink..., ...amqp... */
    const char *pkg = c->cls + 32, *dot = strchr(pkg, '.');
    size_t pl = dot ? (size_t)(dot - pkg) : 0;
    k.scheme = our_scheme(pkg, pl);
    if (!k.scheme && pl >= 4 && strncmp(pkg, "jms", 3) == 0)
        k.scheme = "sjms2";   /* the JMS kamelets: jms-amqp-10-sink, jms-apache-artemis-sink */
    struct imp_entry *url = imp_find(c, "camel.sink.url");
    if (url)
        rc = sink_url(m, c, &k, url, err);
    if (rc == 0 && !k.scheme)
        rc = drom_err_at(err, DROM_EINVAL, c->file, c->line, 0,
                         "connector %s: %s sends to no sjms2:, amqp: or jms: endpoint (camel.sink.url)", c->name, c->cls);
    if (rc == 0) {
        struct imp_entry *e;
        if ((e = imp_find(c, "camel.sink.path.destinationType")))
            k.dest_type = e->value, e->used = true;
        if ((e = imp_find(c, "camel.sink.path.destinationName")))
            k.dest_name = e->value, e->used = true;
        for (size_t i = 0; i < c->n; i++)
            if (strncmp(c->e[i].key, "camel.sink.endpoint.", 20) == 0)
                endpoint_opt(m, c, &k, &c->e[i], c->e[i].key + 20);
        connection(m, c, &k);
        if (!k.dest_name)
            rc = drom_err_at(err, DROM_EINVAL, c->file, c->line, 0, "connector %s names no destination (camel.sink.url "
                             "or camel.sink.path.destinationName)", c->name);
    }
    struct imp_entry *topics = imp_find(c, "topics"), *regex = imp_find(c, "topics.regex");
    if (rc == 0 && !topics && !regex)
        rc = drom_err_at(err, DROM_EINVAL, c->file, c->line, 0, "sink connector %s has no \"topics\"", c->name);
    if (rc == 0) {
        struct imp_smt_ctx x = {.source = false, .topic_header = "kafka.TOPIC"};
        const char *t = topics ? topics->value : regex->value;
        if (topics && !strchr(t, ','))
            x.topic = t;
        rc = imp_transforms(m, c, &r, &x, err);
        if (rc == 0)
            rc = broker(m, c, &k, err);
        if (rc == 0) {
            struct drom_buf from = DROM_BUF_INIT, why = DROM_BUF_INIT;
            (topics ? topics : regex)->used = true;
            drom_buf_printf(&from, "<from uri=\"kafka:%s?groupId=%s&amp;autoOffsetReset=earliest", imp_xml(m, t),
                            imp_xml(m, drom_arena_printf(&m->a, "connect-%s", c->name)));
            drom_buf_printf(&why, "%s -> the topic%s\nthe consumer group is Kafka Connect's, connect-%s: the route goes "
                                  "on from the connector's committed offsets\nautoOffsetReset=earliest, a sink "
                                  "connector's default\n",
                            topics ? "topics" : "topics.regex", topics ? "" : "s (topicIsPattern=true)", c->name);
            if (regex)
                drom_buf_puts(&from, "&amp;topicIsPattern=true");
            const char *tasks = imp_take(c, "tasks.max");
            if (tasks && strcmp(tasks, "1") != 0) {
                drom_buf_printf(&from, "&amp;consumersCount=%s", imp_xml(m, tasks));
                drom_buf_printf(&why, "tasks.max -> consumersCount\n");
            }
            drom_buf_puts(&from, "\"/>");
            const char *conv = imp_converter(m, c, "value");
            if (!strstr(conv, "StringConverter") && !strstr(conv, "ByteArrayConverter") && !strstr(conv, "JsonConverter")) {
                struct imp_conn *at = imp_find(c, "value.converter") ? c : &m->worker;
                imp_report(m, at, imp_find(at, "value.converter"),
                           "%s: the message body is the record's value as it is in Kafka", conv);
            }
            imp_take(c, "key.converter");
            imp_take(c, "value.converter.schemas.enable");
            imp_take(c, "key.converter.schemas.enable");
            imp_step(m, &r, "tombstones (null values) stay in Kafka for compaction: a JMS message needs a body",
                     "${body} != null", true);
            char *dest = drom_arena_printf(&m->a, "%s%s%s", k.dest_type ? k.dest_type : "queue", ":", k.dest_name);
            const char *cm = url ? "camel.sink.url" : "the destination of the connector";
            imp_step(m, &r, cm,
                     drom_arena_printf(&m->a, "<to uri=\"%s:%s%s\"/>", k.scheme, imp_xml(m, dest), drom_buf_cstr(&k.opts)),
                     false);
            imp_report_rest(m, c);
            imp_brokers(m, c);
            imp_write_route(m, c, drom_buf_cstr(&why), drom_buf_cstr(&from), &r);
            drom_buf_free(&from);
            drom_buf_free(&why);
        }
    }
    drom_buf_free(&k.opts);
    free(r.s);
    return rc;
}
