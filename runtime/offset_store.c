#include <stdlib.h>
#include <string.h>

#include "runtime/offset_store.h"

int drom_offset_get(struct drom_offset_store *s, const char *key, char **json, struct drom_error *err)
{
    *json = NULL;
    return s->ops->get(s, key, json, err);
}

int drom_offset_put(struct drom_offset_store *s, const char *key, const char *json, struct drom_error *err)
{
    return s->ops->put(s, key, json, err);
}

int drom_offset_del(struct drom_offset_store *s, const char *key, struct drom_error *err)
{
    return s->ops->del(s, key, err);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int drom_offset_keys(struct drom_offset_store *s, char ***keys, size_t *n, struct drom_error *err)
{
    *keys = NULL;
    *n = 0;
    if (s->ops->keys(s, keys, n, err))
        return -1;
    if (*n)
        qsort(*keys, *n, sizeof **keys, cmp_key);
    return 0;
}

void drom_offset_keys_free(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

void drom_offset_store_close(struct drom_offset_store *s)
{
    if (s)
        s->ops->close(s);
}
