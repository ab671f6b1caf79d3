/* Offset stores: where a source keeps its position so that a restarted or
 * replacement dromd continues exactly after the last acknowledged exchange.
 * A store maps a key (one per source, e.g. the route id or Debezium's
 * connector name) to a JSON blob the source defines.
 *
 * Backends: a local file (runtime/offset_file.c, the default) and a
 * compacted Kafka topic (from the kafka component, through these same ops).
 * A store that cannot read what it stored (corrupt, truncated, unreadable)
 * reports DROM_ESTATE and never answers "no offsets" instead: replaying from
 * scratch silently is worse than refusing to start.
 *
 * Thread-safety: every backend serialises its own calls; get/put may be
 * called from any thread. Ownership: the store owns its backend state and
 * is released with drom_offset_store_close. */
#ifndef DROM_RUNTIME_OFFSET_STORE_H
#define DROM_RUNTIME_OFFSET_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/error.h"

struct drom_offset_store;

struct drom_offset_store_ops {
    const char *name;   /* "file", "kafka" */
    /* *json = malloc'ed blob, or NULL when the key has none (returns 0). */
    int (*get)(struct drom_offset_store *s, const char *key, char **json, struct drom_error *err);
    /* Durable when it returns 0. `json` must be one JSON value. */
    int (*put)(struct drom_offset_store *s, const char *key, const char *json, struct drom_error *err);
    /* Removes the key's entry, durably when it returns 0 (none is fine). */
    int (*del)(struct drom_offset_store *s, const char *key, struct drom_error *err);
    /* The keys with an entry, sorted: *keys malloc'ed, each key malloc'ed. */
    int (*keys)(struct drom_offset_store *s, char ***keys, size_t *n, struct drom_error *err);
    void (*close)(struct drom_offset_store *s);
};

struct drom_offset_store {
    const struct drom_offset_store_ops *ops;
    void *impl;
};

int drom_offset_get(struct drom_offset_store *s, const char *key, char **json, struct drom_error *err);
int drom_offset_put(struct drom_offset_store *s, const char *key, const char *json, struct drom_error *err);
int drom_offset_del(struct drom_offset_store *s, const char *key, struct drom_error *err);
/* Free with drom_offset_keys_free. */
int drom_offset_keys(struct drom_offset_store *s, char ***keys, size_t *n, struct drom_error *err);
void drom_offset_keys_free(char **keys, size_t n);
/* NULL is fine. */
void drom_offset_store_close(struct drom_offset_store *s);

/* The file backend. The file holds
 *   {"format":1,"offsets":{"<key>":<blob>,...}}
 * and is read whole at open: a missing file is an empty store (its
 * directory is created), an empty, truncated or otherwise unparseable file
 * is an error naming the file and what is wrong. Every put rewrites it
 * atomically: write "<path>.tmp", fsync, rename over, fsync the directory.
 * A file with no entry is refused too: dromd never writes one (removing the
 * last entry removes the file), so it was made or emptied by hand. */
struct drom_offset_store *drom_offset_file_open(const char *path, struct drom_error *err);

/* The Kafka backend lives in the kafka component (components/kafka), which a
 * source in another component cannot include; the program that creates the
 * engine hands its opener over (drom_engine_options.offset_kafka_open) and
 * sources reach it through drom_engine_open_kafka_offsets. */
#ifndef DROM_OFFSET_KAFKA_API
#define DROM_OFFSET_KAFKA_API 1
struct drom_offset_kafka_config {
    const char *brokers;          /* bootstrap servers */
    const char *topic;            /* compacted topic, created when missing */
    const char *const *props;     /* extra librdkafka properties: name, value, ..., NULL; may be NULL */
    int64_t timeout_ms;           /* open (read to the end); each put waits at most 5 s of it; 0 = 30000 */
};
#endif
typedef struct drom_offset_store *(*drom_offset_kafka_open_fn)(const struct drom_offset_kafka_config *cfg,
                                                               struct drom_error *err);

#endif
