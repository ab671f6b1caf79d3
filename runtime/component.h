/* The component interface. A component is one `const struct drom_component`
 * in its own folder under components/, registered by one line in
 * components/registry.c. The compiler validates endpoint URIs from the
 * option table alone; the engine calls the function pointers.
 *
 * Threads: create/destroy/start/stop and produce are called on the engine
 * thread. A consumer runs its own thread(s) where its library blocks and
 * hands exchanges over with drom_consumer_submit. A producer that answers
 * DROM_PENDING completes later, from any thread, with drom_exchange_complete. */
#ifndef DROM_RUNTIME_COMPONENT_H
#define DROM_RUNTIME_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/error.h"
#include "runtime/exchange.h"
#include "runtime/kafka_security.h"
#include "runtime/option.h"

struct drom_engine;
struct drom_route;

/* What a producer answers for one exchange. */
enum drom_status {
    DROM_DONE,     /* finished now */
    DROM_PENDING,  /* will finish later through drom_exchange_complete */
    DROM_RETRY,    /* a transient failure: the error handler may redeliver */
    DROM_FAIL,     /* a permanent failure: straight to the error handler */
};

enum drom_role { DROM_ROLE_CONSUMER = 1, DROM_ROLE_PRODUCER = 2 };

/* What the engine must know of a component's consumers. */
enum drom_component_flags {
    /* Fed by other routes of the same engine: keeps running while the
     * engine drains the others, and is stopped after them. */
    DROM_COMP_INTERNAL = 1 << 0,
    /* A failed exchange blocks the watermark and stops this consumer, so
     * nothing after it is committed (a source that must not skip). */
    DROM_COMP_STOPS_ON_FAILURE = 1 << 1,
};

/* A consumer's settings that depend on its options, given to the engine
 * after create: flags added to the component's, and the in-flight window of
 * its route (0 keeps the engine's default; a window given in the engine's
 * options stays a ceiling). */
struct drom_consumer_settings {
    unsigned flags;   /* DROM_COMP_* */
    size_t window;
};

/* How endpoints of one component reach each other, for the compiler's
 * link checks and `dromc graph`: a producer's messages reach the consumers
 * of the same component that name one of its keys. `dromc graph` draws
 * every such pair of the file; the checks are the component's choice. */
enum drom_link_checks {
    DROM_LINK_NEEDS_CONSUMER = 1 << 0,  /* a producer's key needs a consumer in the same file (direct:) */
    DROM_LINK_ONE_CONSUMER = 1 << 1,    /* a key has at most one consumer in the file */
};

struct drom_link {
    /* The link keys: the path unless the component says otherwise; borrowed
     * from the path or static; NULL for none. */
    const char *keys;
    char sep;                  /* keys is a list split by sep (a consumer's topics), 0: one key */
    const char *label;         /* the edge's label in `dromc graph`, NULL for none */
    unsigned checks;           /* DROM_LINK_*, made by the compiler */
    const char *share_hint;    /* ONE_CONSUMER: appended to the error on a second consumer, NULL for none */
};

/* Where a source keeps its offsets, for a producer that writes them inside
 * its own transaction (kafka's transactionalId). Strings are borrowed from
 * the source's state and live until its destroy. */
struct drom_offset_location {
    const char *store;      /* the offset store's registered name */
    const char *brokers;    /* kafka: bootstrap servers of the offset topic */
    const char *topic;      /* kafka: the offset topic */
    const char *key;        /* the source's key in the store */
};

/* How the replicas that run one route file choose the one that runs a
 * source allowed a single reader (standby=true): a Kafka consumer group on a
 * one-partition topic, whose member owning the partition leads (the kafka
 * component's elector, components/kafka/standby.c). Strings are borrowed
 * from the conf they were read from. */
struct drom_standby_config {
    const char *brokers;            /* bootstrap servers */
    const char *topic;              /* the one-partition coordination topic, created when missing */
    const char *group_id;           /* one group per source */
    int64_t session_timeout_ms;     /* a silent leader is replaced after this long */
    int64_t heartbeat_interval_ms;
    /* TLS and SASL towards the brokers, as the source's options name them
     * (the elector turns them into its client's properties when it opens,
     * so nothing here needs an owner) */
    struct drom_kafka_security security;
};

/* One endpoint as the engine instantiates it from the graph; `conf` lives
 * from before create until after destroy. */
struct drom_endpoint {
    const struct drom_component *comp;
    const char *scheme;          /* as written: the component's name or one of its aliases */
    const char *path;            /* after "scheme:", before "?", decoded */
    const char *uri_masked;      /* for logs: secrets replaced by xxxxxx */
    const void *conf;            /* the component's conf struct, filled from its option table */
    const char *route_id;        /* the route this endpoint appears in */
    struct drom_engine *engine;
    void *state;                 /* the component's own, set by create */
};

struct drom_component {
    const char *name;              /* primary scheme */
    const char *const *aliases;    /* other schemes served (NULL-terminated) */
    const char *title;             /* one line for the catalog */
    const char *path_syntax;       /* e.g. "topic", "[queue:|topic:]destinationName" */
    bool path_required;
    unsigned roles;                /* DROM_ROLE_* */
    unsigned flags;                /* DROM_COMP_*, for every consumer of the component */
    const struct drom_option *options;   /* ends with DROM_OPTIONS_END */
    size_t conf_size;              /* sizeof the struct the table's rows fill (DROM_OPT_AT) */
    /* Extra checks beyond the table (e.g. librdkafka accepting a property),
     * on the filled conf, made by the compiler and again by the engine before
     * create, so dromd refuses nothing from the files that dromc validate
     * passed. `role` is DROM_ROLE_CONSUMER (in <from>) or DROM_ROLE_PRODUCER,
     * 0 for a component-wide property. May be NULL. Must not connect
     * anywhere. A message that starts with an option's name is placed at
     * that option. */
    int (*validate)(const char *path, const void *conf, unsigned role, struct drom_error *err);
    /* Compile-time advice on options that work but are unwise (a password
     * in clear text to another machine), on the filled conf: a warning into
     * `warning`, "" for none. May be NULL. Must not connect anywhere. */
    void (*advise)(const char *path, const void *conf, char *warning, size_t size);
    /* How the endpoint links to others (see struct drom_link), from its
     * path, filled conf and role; `out` comes zeroed with keys = path. NULL:
     * it links to none. Must not connect anywhere. */
    void (*link)(const char *path, const void *conf, unsigned role, struct drom_link *out);

    /* Runtime. Any may be NULL where the role does not apply; a component
     * whose runtime is not built yet leaves them all NULL and the engine
     * refuses to start a route that uses it, naming the component. */
    int (*create)(struct drom_endpoint *ep, struct drom_error *err);
    void (*destroy)(struct drom_endpoint *ep);
    int (*start)(struct drom_endpoint *ep, struct drom_error *err);   /* consumer: begin feeding */
    void (*stop)(struct drom_endpoint *ep);                           /* consumer: no more submits after return */
    enum drom_status (*produce)(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err);
    /* Called on the engine thread with the position given to
     * drom_consumer_submit of the newest exchange such that it and every
     * exchange submitted before it by this endpoint are done: the watermark
     * to commit. `pos` stays owned by the engine. May be NULL. */
    void (*commit)(struct drom_endpoint *ep, const void *pos);
    void (*position_free)(void *pos);
    /* Consumer, optional: called on the engine thread after create, with
     * `out` holding the component's flags and window 0, for what the
     * options change (kafka's breakOnFirstError, seda's concurrentConsumers). */
    void (*consumer_settings)(const struct drom_endpoint *ep, struct drom_consumer_settings *out);
    /* Consumer, optional: called on the engine thread for every exchange
     * this consumer submitted, when it is done (failed tells how it ended),
     * before the watermark moves; `pos` is the one given to submit (still
     * owned by the engine). For per-message acknowledgement (file: delete
     * or move after processing). */
    void (*done)(struct drom_endpoint *ep, const void *pos, bool failed);
    /* Source, optional: where its offsets live (after create), and the JSON
     * its store keeps for a position given to submit (malloc'ed). Both set,
     * or both NULL when nobody else may write the source's offsets. */
    int (*offset_location)(struct drom_endpoint *ep, struct drom_offset_location *out, struct drom_error *err);
    char *(*position_json)(const void *pos);
    /* Source, optional: true with *out filled when the source runs in one
     * replica at a time and stands by in the others (the program elects,
     * before the route's endpoints are created); false when it runs in
     * every replica. On the filled conf; connects nowhere. */
    bool (*standby)(const void *conf, struct drom_standby_config *out);
    /* Producer, optional: the DromEventId of the newest record its
     * destination holds in each of its partitions (a kafka topic), so that a
     * source can tell an offset store that is behind what its route already
     * produced. *ids is a malloc'ed array of malloc'ed strings (none: *n 0).
     * Any thread after create; connects, and gives up after timeout_ms. */
    int (*produced_ids)(struct drom_endpoint *ep, int64_t timeout_ms, char ***ids, size_t *n, struct drom_error *err);
};

/* --- Called by components, implemented by the engine --- */

/* Hands a new exchange to the route of consumer `ep`; takes ownership of
 * `ex` and of `pos` (freed with comp->position_free; may be NULL). Blocks
 * while the route's in-flight window is full (back-pressure). Returns 0, or
 * -1 with DROM_ESTOPPED when the engine is stopping (both are released). */
int drom_consumer_submit(struct drom_endpoint *ep, struct drom_exchange *ex, void *pos, struct drom_error *err);

/* Finishes an exchange a producer answered DROM_PENDING for, exactly once,
 * from any thread. `status` is DROM_DONE, DROM_RETRY or DROM_FAIL; `err`
 * (may be NULL for DONE) is copied. */
void drom_exchange_complete(struct drom_exchange *ex, enum drom_status status, const struct drom_error *err);

/* Readiness for /health/ready: false with a reason while disconnected. */
void drom_endpoint_set_ready(struct drom_endpoint *ep, bool ready, const char *reason);
/* A second readiness, the source's offset store: false with a reason while
 * positions cannot be stored. Kept apart from the connection's, so a
 * reconnect that sets the first never hides a failing store. Any thread. */
void drom_endpoint_set_store_ready(struct drom_endpoint *ep, bool ready, const char *reason);

/* Adds to a per-endpoint counter shown in /metrics as
 * drom_endpoint_<name>{routeId,endpoint}; gauges are set instead. */
void drom_endpoint_count(struct drom_endpoint *ep, const char *name, int64_t delta);
void drom_endpoint_gauge(struct drom_endpoint *ep, const char *name, int64_t value);
/* One table's value of a per-table gauge (db.table): Debezium's names
 * carry it as the `table` label, /routes and /status under "<name>ByTable". */
void drom_endpoint_gauge_table(struct drom_endpoint *ep, const char *name, const char *table, int64_t value);
/* A text value (a binlog file name), shown as the `value` label of a gauge 1. */
void drom_endpoint_text(struct drom_endpoint *ep, const char *name, const char *text);
/* A consumer that shares its source with the other members of a group (a
 * Kafka consumer group, where each member reads some of a topic's
 * partitions): the partitions of `topic` it holds now, replacing what it
 * said before for that topic (n 0: none; a topic once named stays listed).
 * Say it on every change of the assignment. /routes shows the route's role
 * as "consumer" with {"<topic>":[0,2,4]}, /status the same among the
 * endpoint's items, /metrics drom_endpoint_consumer_partitions{topic}.
 * `parts` is copied. Any thread. */
void drom_endpoint_partitions(struct drom_endpoint *ep, const char *topic, const int32_t *parts, size_t n);
/* A source that stands in for a Debezium connector: its items are also
 * published under Debezium's names (runtime/metrics.h), with
 * plugin="<plugin>" and name/server="<server>" (topicPrefix). */
void drom_endpoint_debezium(struct drom_endpoint *ep, const char *plugin, const char *server);

/* Lines the calling thread logs from now on are about `ep`: JSON log lines
 * carry its routeId and endpoint. For a thread that serves one endpoint
 * (a source's reader); call it first thing in the thread. */
void drom_endpoint_log_here(const struct drom_endpoint *ep);

/* The state directory (--state-dir) for files a component keeps. */
const char *drom_engine_state_dir(const struct drom_engine *eng);

#endif
