/* Internal to compiler/import*.c: the connectors read from the input and the
 * texts being written. Not a public header. */
#ifndef DROM_COMPILER_IMPORT_INT_H
#define DROM_COMPILER_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "import.h"
#include "runtime/arena.h"
#include "runtime/buf.h"

struct imp_entry {
    const char *key, *value;
    int line;
    bool used;
};

struct imp_conn {
    const char *name, *cls, *file;
    int line;
    struct imp_entry *e;
    size_t n, cap;
    struct drom_buf notes;        /* the report lines of this connector, as route comments */
};

/* One step of a route body; a filter holds every step after it. */
struct imp_step {
    const char *comment;          /* what it came from */
    const char *xml;              /* the element, or the predicate of a filter */
    bool filter;
};

struct imp_route {
    struct imp_step *s;
    size_t n, cap;
};

struct imp {
    const struct drom_import_opts *o;
    struct drom_arena a;
    struct imp_conn *conns;
    size_t nconns;
    struct imp_conn worker;       /* spec.config of a KafkaConnect resource */
    bool have_worker;
    const char *bootstrap;        /* the worker's spec.bootstrapServers */
    int bootstrap_line;
    struct drom_buf xml, props, report;
    size_t nreported;
    bool brokers_written;
};

/* Entries: find one, or take it (marked carried over). */
struct imp_entry *imp_find(struct imp_conn *c, const char *key);
const char *imp_take(struct imp_conn *c, const char *key);
/* The first present of several names (newer first); marks all present used. */
struct imp_entry *imp_take_any(struct imp_conn *c, const char *const *keys);
/* Reports an option not carried over, with the reason. */
void imp_report(struct imp *m, struct imp_conn *c, const struct imp_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A remark on an option that was carried over with a difference worth knowing. */
void imp_note(struct imp *m, struct imp_conn *c, const struct imp_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Every entry still unused: reported with the reason its key's family has. */
void imp_report_rest(struct imp *m, struct imp_conn *c);

/* A config value as a properties value: ${file:...}, ${directory:...},
 * ${secrets:...}, ${env:...} become placeholders; a literal secret becomes
 * {{env:NAME}} (and is reported). Arena string. */
const char *imp_value(struct imp *m, struct imp_conn *c, struct imp_entry *e, bool secret);
/* key=value into the properties, with a comment naming where it came from. */
void imp_prop(struct imp *m, const char *comment, const char *key, const char *value);
/* The component-level Kafka brokers, once for the whole file. */
void imp_brokers(struct imp *m, struct imp_conn *c);

/* XML text: escaped for an attribute or element content. */
const char *imp_xml(struct imp *m, const char *s);
/* A URI option value: RAW(...) when it holds characters a URI changes. */
const char *imp_uri_value(struct imp *m, const char *v);

void imp_step(struct imp *m, struct imp_route *r, const char *comment, const char *xml, bool filter);
void imp_write_route(struct imp *m, struct imp_conn *c, const char *from_comment, const char *from_xml,
                     const struct imp_route *r);

/* The connectors. Each returns 0 or -1 with err set. */
bool imp_is_debezium(const char *cls);
bool imp_is_camel_sink(const char *cls);
int imp_debezium(struct imp *m, struct imp_conn *c, struct drom_error *err);
int imp_camel_sink(struct imp *m, struct imp_conn *c, struct drom_error *err);

/* Single message transforms of connector c into steps of r. `topic` is the
 * record's topic when it is known when importing (NULL otherwise), and may be
 * replaced by a RegexRouter; `source` says which side the route is on. */
struct imp_smt_ctx {
    bool source;
    const char *topic;
    const char *topic_header;     /* the header holding the topic at run time */
    const char *topic_note;       /* how a RegexRouter changed (or kept) the topic */
    bool schemas;                 /* the source's envelope carries its schema */
    const char *tables;           /* the captured tables, comma-separated, when literal */
    const char *column_exclude;   /* set by ReplaceField after an unwrap */
    const char *column_include;
};
int imp_transforms(struct imp *m, struct imp_conn *c, struct imp_route *r, struct imp_smt_ctx *x,
                   struct drom_error *err);

/* The effective converter settings (connector over worker over Kafka's defaults). */
const char *imp_converter(struct imp *m, struct imp_conn *c, const char *which);
bool imp_schemas_enable(struct imp *m, struct imp_conn *c, const char *which);

#endif
