#include <stdlib.h>

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

void drom_offset_store_close(struct drom_offset_store *s)
{
    if (s)
        s->ops->close(s);
}
