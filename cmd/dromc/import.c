#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dromc/dromc.h"
#include "compiler/import.h"
#include "runtime/buf.h"

static const char help[] =
    "usage: dromc import [--camel-compatible] [-o ROUTE.xml] [--properties-out FILE] CONFIG...\n"
    "\n"
    "Turns Kafka Connect connector configurations into a route file and its\n"
    "properties file: Strimzi KafkaConnector resources (YAML, several documents\n"
    "allowed), a KafkaConnect resource (the worker's brokers and converters), and\n"
    "Kafka Connect REST JSON. Debezium's MySQL/MariaDB source becomes mysql-binlog:\n"
    "and a kafka: producer; a Camel Kafka Connector sjms2/amqp/jms sink becomes a\n"
    "kafka: consumer, the tombstone filter and sjms2:/amqp:. Every option that is\n"
    "not carried over is printed on stderr (FILE:LINE: ...) and listed in the route.\n"
    "Secrets become {{env:...}} or {{file:...}} placeholders.\n"
    "\n"
    "  -o FILE              the route file (default: imported.xml)\n"
    "  --properties-out FILE  the properties file (default: the route file's name\n"
    "                       with .properties)\n"
    "  --camel-compatible   the broker as a camel.beans connection factory and\n"
    "                       secrets from the environment, as Camel Main reads them\n"
    "\n"
    "exit status: 0 written, 1 unusable input, 2 usage error\n";

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct drom_buf b = DROM_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= 4u * 1024u * 1024u)
        drom_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    drom_buf_cstr(&b);
    return drom_buf_detach(&b);
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "dromc import: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int dromc_import(int argc, char **argv)
{
    const char *route = "imported.xml", *props = NULL;
    struct drom_import_opts o = {0};
    struct drom_import_input in[argc];
    size_t nin = 0;
    int rc = DROMC_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            rc = DROMC_OK;
            goto out;
        } else if (strcmp(a, "--camel-compatible") == 0) {
            o.camel_compatible = true;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--properties-out") == 0) {
            if (i + 1 >= argc) {
                rc = dromc_usage_error("import", "%s needs a file name", a);
                goto out;
            }
            *(a[1] == 'o' ? &route : &props) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            rc = dromc_usage_error("import", "unknown option '%s'", a);
            goto out;
        } else {
            size_t len = 0;
            char *data = slurp(a, &len);
            if (!data) {
                fprintf(stderr, "%s: error: cannot read: %s\n", a, strerror(errno));
                rc = DROMC_INVALID;
                goto out;
            }
            in[nin++] = (struct drom_import_input){.name = a, .data = data, .len = len};
        }
    }
    if (!nin) {
        rc = dromc_usage_error("import", "no connector configuration given");
        goto out;
    }
    char *props_path = NULL;
    if (!props) {
        size_t n = strlen(route);
        const char *dot = n > 4 && strcmp(route + n - 4, ".xml") == 0 ? route + n - 4 : route + n;
        props_path = malloc((size_t)(dot - route) + 12);
        sprintf(props_path, "%.*s.properties", (int)(dot - route), route);
        props = props_path;
    }
    o.properties_name = props;
    struct drom_import_out res;
    struct drom_error err = {0};
    if (drom_import(in, nin, &o, &res, &err) < 0) {
        if (err.file[0] && err.line > 0 && err.col > 0)
            fprintf(stderr, "%s:%d:%d: error: %s\n", err.file, err.line, err.col, err.msg);
        else if (err.file[0] && err.line > 0)
            fprintf(stderr, "%s:%d: error: %s\n", err.file, err.line, err.msg);
        else if (err.file[0])
            fprintf(stderr, "%s: error: %s\n", err.file, err.msg);
        else
            fprintf(stderr, "error: %s\n", err.msg);
        rc = DROMC_INVALID;
    } else {
        fputs(res.report, stderr);
        if (write_file(route, res.route) < 0 || write_file(props, res.properties) < 0)
            rc = DROMC_INVALID;
        else
            fprintf(stderr, "dromc import: wrote %s and %s (%zu option%s not carried over)\n", route, props,
                    res.nreported, res.nreported == 1 ? "" : "s");
        drom_import_out_free(&res);
    }
    free(props_path);
out:
    for (size_t i = 0; i < nin; i++)
        free((char *)in[i].data);
    return rc;
}
