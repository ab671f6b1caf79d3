/* Offset stores: where a source keeps its position so that a restarted or
 * replacement dromd continues exactly after the last acknowledged exchange.
 * A store maps a key (one per source, e.g. the route id or Debezium's
 * connector name) to a JSON blob the source defines.
 *
 * Backends: a local file (runtime/offset_file.c, the default) and the
 * others registered by name (components/registry.c), through these same ops.
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
    const char *name;   /* the backend's registered name */
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

/* What a store is opened with; each backend reads the fields it needs. */
struct drom_offset_config {
    const char *path;             /* a file: its path */
    const char *brokers;          /* a topic: bootstrap servers */
    const char *topic;            /* a topic: compacted, created when missing */
    /* a topic: the clients' TLS and SASL properties (name, value, ...,
     * NULL, as runtime/kafka_security.h builds them); NULL for none */
    const char *const *props;
    int64_t timeout_ms;           /* open (read to the end); each put waits at most 5 s of it; 0 = 30000 */
};

/* An offset-store backend, registered by name like a component (one line
 * in components/registry.c; a backend may live in a component's folder)
 * and chosen by a source's offsetStorage value through the registry. */
struct drom_offset_backend {
    const char *name;
    /* The caller owns the store and closes it with drom_offset_store_close. */
    struct drom_offset_store *(*open)(const struct drom_offset_config *cfg, struct drom_error *err);
};

/* The file backend as the registry lists it (opens cfg->path). */
extern const struct drom_offset_backend drom_offset_backend_file;

#endif
