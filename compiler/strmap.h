/* A string -> pointer hash map for the compiler's lookups (route ids,
 * direct:/seda: names), so a file with tens of thousands of routes checks in
 * linear time. Keys and values are borrowed. */
#ifndef DROM_COMPILER_STRMAP_H
#define DROM_COMPILER_STRMAP_H

#include <stddef.h>

struct drom_strmap {
    struct drom_strmap_slot {
        const char *key;
        void *value;
    } *slots;
    size_t n, cap;   /* cap is 0 or a power of two */
};

/* NULL when absent. */
void *drom_strmap_get(const struct drom_strmap *m, const char *key);
/* Sets key -> value (replacing). */
void drom_strmap_put(struct drom_strmap *m, const char *key, void *value);
void drom_strmap_free(struct drom_strmap *m);

#endif
