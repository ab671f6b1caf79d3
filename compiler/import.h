/* dromc import: Kafka Connect connector configurations -> a route file and
 * its properties file expressing the same pipeline.
 *
 * Input: Strimzi KafkaConnector resources (YAML, several documents per file
 * allowed), a KafkaConnect (or KafkaConnectS2I) resource for the worker's
 * bootstrap servers and converters, Kafka Connect REST JSON
 * ({"name": ..., "config": {...}} or the bare config map). Connectors:
 * Debezium's MySQL/MariaDB source (to mysql-binlog: and a kafka: producer),
 * Camel Kafka Connector sinks for sjms2, amqp and jms (to a kafka: consumer,
 * the tombstone filter and sjms2:/amqp:), and the SMTs with an equivalent
 * step. Every other option is reported, never dropped in silence; secrets
 * become {{env:...}} or {{file:...}} placeholders, never values.
 *
 * Ownership: drom_import_out's strings are malloc'd and freed by
 * drom_import_out_free. Thread-safe: imports share nothing. */
#ifndef DROM_COMPILER_IMPORT_H
#define DROM_COMPILER_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/error.h"

struct drom_import_opts {
    bool camel_compatible;        /* the broker as camel.beans.* connection factory, env placeholders */
    const char *properties_name;  /* the properties file's name, for the route's header comment */
};

struct drom_import_input {
    const char *name;             /* for messages and comments */
    const char *data;
    size_t len;
};

struct drom_import_out {
    char *route;                  /* the route file (Camel XML DSL) */
    char *properties;             /* the properties file */
    char *report;                 /* one line per option not carried over: FILE:LINE: ... */
    size_t nreported;
};

/* 0 on success; -1 with err (file and line) on malformed or unusable input. */
int drom_import(const struct drom_import_input *in, size_t nin, const struct drom_import_opts *o,
                struct drom_import_out *out, struct drom_error *err);
void drom_import_out_free(struct drom_import_out *out);

#endif
