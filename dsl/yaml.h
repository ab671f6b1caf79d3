/* YAML documents (Strimzi resources, Kafka Connect REST JSON, which YAML
 * reads as well) as a small tree whose every node knows its line and
 * column. The one file that touches libyaml. Anchors and aliases are
 * refused (no alias bombs); nesting and size are bounded.
 *
 * Ownership: a drom_ydocs owns every node and string in its arena; free it
 * with drom_ydocs_free. Not thread-safe while being built. */
#ifndef DROM_DSL_YAML_H
#define DROM_DSL_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/arena.h"
#include "runtime/error.h"

#define DROM_YAML_MAX_SIZE (4u * 1024u * 1024u)
#define DROM_YAML_MAX_DEPTH 64

enum drom_ykind { DROM_Y_SCALAR, DROM_Y_MAP, DROM_Y_SEQ };

struct drom_ynode {
    enum drom_ykind kind;
    const char *value;            /* a scalar's text ("" for an empty one) */
    bool plain;                   /* a scalar written without quotes (null, ~ mean null) */
    int line, col;                /* 1-based, where the node starts */
    struct drom_ynode **keys;     /* a map's keys (scalars: other keys are refused) */
    struct drom_ynode **items;    /* a map's values, a sequence's items */
    size_t n;
};

struct drom_ydocs {
    struct drom_arena arena;
    struct drom_ynode **docs;     /* one root per document; NULL for an empty one */
    size_t n;
};

/* Errors carry `name`, the line and the column, and libyaml's reason. */
int drom_yaml_parse(const char *data, size_t len, const char *name, struct drom_ydocs *out,
                    struct drom_error *err);
/* The value of `key` in a map, NULL when absent or when map is not a map. */
const struct drom_ynode *drom_ymap_get(const struct drom_ynode *map, const char *key);
/* A plain null, ~ or empty scalar. */
bool drom_ynode_is_null(const struct drom_ynode *n);
void drom_ydocs_free(struct drom_ydocs *d);

#endif
