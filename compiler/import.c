/* dromc import: reading the resources and putting the output together
 * (compiler/import.h). The connectors' own mappings are in import_source.c
 * and import_sink.c, the transforms in import_smt.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_int.h"
#include "dsl/yaml.h"
#include "runtime/xalloc.h"

static int fail_at(struct drom_error *err, const char *file, const struct drom_ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(struct drom_error *err, const char *file, const struct drom_ynode *n, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return drom_err_at(err, DROM_EINVAL, file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

static void add_entry(struct imp *m, struct imp_conn *c, const char *key, const char *value, int line)
{
    drom_xgrow((void **)&c->e, &c->cap, c->n + 1, sizeof *c->e);
    c->e[c->n++] = (struct imp_entry){.key = drom_arena_strdup(&m->a, key), .value = value, .line = line};
}

/* A config map: every value a text, number or boolean, as Kafka Connect takes them. */
static int add_config(struct imp *m, struct imp_conn *c, const struct drom_ynode *cfg, struct drom_error *err)
{
    if (!cfg || drom_ynode_is_null(cfg))
        return 0;
    if (cfg->kind != DROM_Y_MAP)
        return fail_at(err, c->file, cfg, "'config' must be a map of option names to values");
    for (size_t i = 0; i < cfg->n; i++) {
        const struct drom_ynode *v = cfg->items[i];
        if (v->kind != DROM_Y_SCALAR)
            return fail_at(err, c->file, v, "option '%s' must be a text, a number or a boolean, not a %s",
                           cfg->keys[i]->value, v->kind == DROM_Y_MAP ? "map" : "list");
        add_entry(m, c, cfg->keys[i]->value, drom_ynode_is_null(v) ? "" : v->value, cfg->keys[i]->line);
    }
    return 0;
}

static const char *scalar(const struct drom_ynode *n)
{
    return n && n->kind == DROM_Y_SCALAR && !drom_ynode_is_null(n) ? n->value : NULL;
}

static struct imp_conn *new_conn(struct imp *m, const char *file, const struct drom_ynode *at)
{
    m->conns = drom_xrealloc(m->conns, (m->nconns + 1) * sizeof *m->conns);
    struct imp_conn *c = &m->conns[m->nconns++];
    *c = (struct imp_conn){.file = file, .line = at->line};
    return c;
}

static int strimzi_connector(struct imp *m, const char *file, const struct drom_ynode *root, struct drom_error *err)
{
    const struct drom_ynode *meta = drom_ymap_get(root, "metadata"), *spec = drom_ymap_get(root, "spec");
    const char *name = scalar(drom_ymap_get(meta, "name"));
    if (!name)
        return fail_at(err, file, meta ? meta : root, "a KafkaConnector needs metadata.name");
    if (!spec || spec->kind != DROM_Y_MAP)
        return fail_at(err, file, root, "KafkaConnector '%s' has no spec", name);
    struct imp_conn *c = new_conn(m, file, root);
    c->name = name;
    for (size_t i = 0; i < spec->n; i++) {
        const char *k = spec->keys[i]->value;
        const struct drom_ynode *v = spec->items[i];
        if (strcmp(k, "config") == 0)
            continue;
        /* spec.class and spec.tasksMax are the REST config's connector.class and tasks.max */
        const char *key = strcmp(k, "class") == 0 ? "connector.class" : strcmp(k, "tasksMax") == 0 ? "tasks.max" : NULL;
        char other[160];
        if (!key) {
            snprintf(other, sizeof other, "spec.%s", k);
            key = other;
        }
        if (v->kind != DROM_Y_SCALAR && key != other)
            return fail_at(err, file, v, "spec.%s of KafkaConnector '%s' must be a text or number", k, name);
        add_entry(m, c, key, v->kind == DROM_Y_SCALAR ? v->value : "", spec->keys[i]->line);
    }
    if (add_config(m, c, drom_ymap_get(spec, "config"), err) < 0)
        return -1;
    struct imp_entry *cls = imp_find(c, "connector.class");
    if (!cls)
        return fail_at(err, file, spec, "KafkaConnector '%s' has no spec.class", name);
    c->cls = cls->value;
    return 0;
}

static int strimzi_connect(struct imp *m, const char *file, const struct drom_ynode *root, struct drom_error *err)
{
    if (m->have_worker)
        return fail_at(err, file, root, "a second KafkaConnect resource: give the one the connectors run on");
    const struct drom_ynode *meta = drom_ymap_get(root, "metadata"), *spec = drom_ymap_get(root, "spec");
    m->have_worker = true;
    m->worker = (struct imp_conn){.file = file, .line = root->line,
                                  .name = scalar(drom_ymap_get(meta, "name")) ?: "kafka-connect"};
    const struct drom_ynode *bs = drom_ymap_get(spec, "bootstrapServers");
    if (scalar(bs)) {
        m->bootstrap = bs->value;
        m->bootstrap_line = bs->line;
    }
    if (add_config(m, &m->worker, drom_ymap_get(spec, "config"), err) < 0)
        return -1;
    /* the rest of the resource (replicas, resources, externalConfiguration, ...) is reported */
    for (size_t i = 0; spec && spec->kind == DROM_Y_MAP && i < spec->n; i++) {
        const char *k = spec->keys[i]->value;
        if (strcmp(k, "config") == 0 || strcmp(k, "bootstrapServers") == 0)
            continue;
        char key[160];
        snprintf(key, sizeof key, "spec.%s", k);
        add_entry(m, &m->worker, key, spec->items[i]->kind == DROM_Y_SCALAR ? spec->items[i]->value : "",
                  spec->keys[i]->line);
    }
    return 0;
}

/* {"name": ..., "config": {...}} or the bare config map of PUT /connectors/NAME/config. */
static int rest_connector(struct imp *m, const char *file, const struct drom_ynode *root, struct drom_error *err)
{
    const struct drom_ynode *cfg = drom_ymap_get(root, "config");
    const char *name = scalar(drom_ymap_get(root, "name"));
    if (!cfg) {
        cfg = root;
        name = scalar(drom_ymap_get(root, "name"));
    }
    if (!name)
        return fail_at(err, file, root, "a Kafka Connect connector configuration needs a \"name\"");
    struct imp_conn *c = new_conn(m, file, root);
    c->name = name;
    if (add_config(m, c, cfg, err) < 0)
        return -1;
    struct imp_entry *n = imp_find(c, "name");
    if (n)
        n->used = true;
    struct imp_entry *cls = imp_find(c, "connector.class");
    if (!cls)
        return fail_at(err, file, cfg, "connector '%s' has no \"connector.class\"", name);
    c->cls = cls->value;
    return 0;
}

static int read_doc(struct imp *m, const char *file, const struct drom_ynode *root, struct drom_error *err)
{
    if (drom_ynode_is_null(root))
        return 0;
    if (root->kind == DROM_Y_SEQ) {
        for (size_t i = 0; i < root->n; i++)
            if (read_doc(m, file, root->items[i], err) < 0)
                return -1;
        return 0;
    }
    if (root->kind != DROM_Y_MAP)
        return fail_at(err, file, root, "expected a Strimzi resource or a Kafka Connect connector configuration");
    const struct drom_ynode *kind = drom_ymap_get(root, "kind");
    const char *k = scalar(kind);
    if (!k)
        return rest_connector(m, file, root, err);
    if (strcmp(k, "KafkaConnector") == 0)
        return strimzi_connector(m, file, root, err);
    if (strcmp(k, "KafkaConnect") == 0 || strcmp(k, "KafkaConnectS2I") == 0)
        return strimzi_connect(m, file, root, err);
    if (strcmp(k, "List") == 0)
        return read_doc(m, file, drom_ymap_get(root, "items"), err);
    return fail_at(err, file, kind, "kind '%s' is neither a KafkaConnector nor a KafkaConnect resource", k);
}

/* JSON allows tabs between tokens where YAML does not; JSON texts hold no raw tab. */
static char *untab_json(const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", data[i]))
        i++;
    if (i == len || (data[i] != '{' && data[i] != '['))
        return NULL;
    char *c = drom_xstrndup(data, len);
    for (size_t j = 0; j < len; j++)
        if (c[j] == '\t')
            c[j] = ' ';
    return c;
}

static void header(struct imp *m, const struct drom_import_input *in, size_t nin)
{
    struct drom_buf names = DROM_BUF_INIT;
    for (size_t i = 0; i < nin; i++)
        drom_buf_printf(&names, "%s%s", i ? ", " : "", in[i].name);
    const char *pn = m->o->properties_name ? m->o->properties_name : "the properties file";
    drom_buf_printf(&m->xml,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<!-- Written by dromc import from %s (Kafka Connect connector configurations).\n"
                    "     Installation values and secrets are in %s; each route names the connector and\n"
                    "     the options it came from, and lists those that were not carried over. -->\n"
                    "<routes xmlns=\"http://camel.apache.org/schema/xml-io\">\n",
                    imp_xml(m, drom_buf_cstr(&names)), imp_xml(m, pn));
    drom_buf_printf(&m->props,
                    "# Written by dromc import from %s: the installation values of the imported\n"
                    "# routes, in Camel Main's application.properties form. Secrets are placeholders.\n",
                    drom_buf_cstr(&names));
    drom_buf_free(&names);
}

int drom_import(const struct drom_import_input *in, size_t nin, const struct drom_import_opts *o,
                struct drom_import_out *out, struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    static const struct drom_import_opts none = {0};
    struct imp m = {.o = o ? o : &none};
    struct drom_ydocs *docs = drom_xcalloc(nin ? nin : 1, sizeof *docs);
    int rc = 0;
    for (size_t i = 0; i < nin && rc == 0; i++) {
        char *untabbed = untab_json(in[i].data, in[i].len);
        rc = drom_yaml_parse(untabbed ? untabbed : in[i].data, in[i].len, in[i].name, &docs[i], err);
        free(untabbed);
        for (size_t d = 0; rc == 0 && d < docs[i].n; d++)
            rc = read_doc(&m, in[i].name, docs[i].docs[d], err);
    }
    size_t carried = 0;
    if (rc == 0) {
        header(&m, in, nin);
        for (size_t i = 0; i < m.nconns && rc == 0; i++) {
            struct imp_conn *c = &m.conns[i];
            if (imp_is_debezium(c->cls)) {
                rc = imp_debezium(&m, c, err);
                carried++;
            } else if (imp_is_camel_sink(c->cls)) {
                rc = imp_camel_sink(&m, c, err);
                carried++;
            } else {
                imp_report(&m, c, imp_find(c, "connector.class"),
                           "connector class %s has no counterpart here (Debezium's MySQL/MariaDB source and Camel "
                           "Kafka Connector's sjms2, amqp and jms sinks have): the whole connector is left out",
                           c->cls);
                for (size_t k = 0; k < c->n; k++)
                    c->e[k].used = true;
            }
        }
        if (m.have_worker)
            imp_report_rest(&m, &m.worker);
        if (rc == 0 && !carried)
            rc = drom_err_at(err, DROM_EINVAL, nin ? in[0].name : "", 0, 0,
                             "no connector to import: expected a Debezium MySQL/MariaDB source or a Camel Kafka "
                             "Connector sink");
    }
    if (rc == 0) {
        drom_buf_puts(&m.xml, "</routes>\n");
        out->route = drom_buf_detach(&m.xml);
        out->properties = drom_buf_detach(&m.props);
        out->report = m.report.len ? drom_buf_detach(&m.report) : drom_xstrdup("");
        out->nreported = m.nreported;
    }
    drom_buf_free(&m.xml);
    drom_buf_free(&m.props);
    drom_buf_free(&m.report);
    for (size_t i = 0; i < m.nconns; i++) {
        free(m.conns[i].e);
        drom_buf_free(&m.conns[i].notes);
    }
    free(m.worker.e);
    drom_buf_free(&m.worker.notes);
    free(m.conns);
    for (size_t i = 0; i < nin; i++)
        drom_ydocs_free(&docs[i]);
    free(docs);
    drom_arena_free(&m.a);
    return rc;
}

void drom_import_out_free(struct drom_import_out *out)
{
    free(out->route);
    free(out->properties);
    free(out->report);
    memset(out, 0, sizeof *out);
}
