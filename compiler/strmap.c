#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "runtime/xalloc.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct drom_strmap_slot *find(const struct drom_strmap *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

void *drom_strmap_get(const struct drom_strmap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    return find(m, key)->value;
}

void drom_strmap_put(struct drom_strmap *m, const char *key, void *value)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct drom_strmap bigger = {.cap = m->cap ? m->cap * 2 : 64};
        bigger.slots = drom_xcalloc(bigger.cap, sizeof *bigger.slots);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *find(&bigger, m->slots[i].key) = m->slots[i];
        bigger.n = m->n;
        free(m->slots);
        *m = bigger;
    }
    struct drom_strmap_slot *s = find(m, key);
    if (!s->key)
        m->n++;
    s->key = key;
    s->value = value;
}

void drom_strmap_free(struct drom_strmap *m)
{
    free(m->slots);
    *m = (struct drom_strmap){0};
}
