/* Camel Main's application.properties: the java.util.Properties text
 * format (`key=value`, `key: value`, `key value`; `#`/`!` comment lines;
 * leading white space dropped; a line ending in an odd number of
 * backslashes continues on the next one; escapes `\t \n \r \f \uXXXX`, and
 * a backslash before any other character keeps that character), read from
 * `--properties FILE`, plus `-D key=value` overrides. Setting a key that is
 * already there replaces its value and origin in place: the later wins.
 * Each entry remembers where it came from, for messages.
 *
 * Ownership: a drom_props owns copies of every string put in it; free it
 * with drom_props_free. Pointers returned by get/find/at stay valid until
 * the next set or load or the free. Not thread-safe while being written;
 * readers may share it once loaded. */
#ifndef DROM_DSL_PROPERTIES_H
#define DROM_DSL_PROPERTIES_H

#include <stddef.h>

#include "runtime/error.h"

struct drom_prop {
    char *key;
    char *value;
    char *origin;    /* the file name, or "-D" for an override */
    int line;        /* of the key in that file; 0 for an override */
};

struct drom_props {
    struct drom_prop *items;   /* in the order keys were first set */
    size_t n, cap;
};

#define DROM_PROPS_INIT {0}
#define DROM_PROPS_MAX_FILE (4u * 1024u * 1024u)

/* Errors carry the file, line and column (of the bad escape). */
int drom_props_load_file(struct drom_props *p, const char *path, struct drom_error *err);
int drom_props_load_mem(struct drom_props *p, const char *data, size_t len, const char *name,
                        struct drom_error *err);
/* One -D argument, "key=value" (split at the first '='). */
int drom_props_define(struct drom_props *p, const char *arg, struct drom_error *err);
void drom_props_set(struct drom_props *p, const char *key, const char *value, const char *origin,
                    int line);

const char *drom_props_get(const struct drom_props *p, const char *key);   /* NULL when absent */
const struct drom_prop *drom_props_find(const struct drom_props *p, const char *key);
/* Iteration: for (size_t i = 0; i < drom_props_count(p); i++) drom_props_at(p, i)... */
size_t drom_props_count(const struct drom_props *p);
const struct drom_prop *drom_props_at(const struct drom_props *p, size_t i);
void drom_props_free(struct drom_props *p);

#endif
