#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/arena.h"
#include "runtime/xalloc.h"

struct drom_arena_block {
    struct drom_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

enum { BLOCK_MIN = 16 * 1024 };

void *drom_arena_alloc(struct drom_arena *a, size_t size)
{
    size_t align = _Alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    struct drom_arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > BLOCK_MIN ? size : BLOCK_MIN;
        b = drom_xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *drom_arena_strndup(struct drom_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = drom_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *drom_arena_strdup(struct drom_arena *a, const char *s)
{
    return s ? drom_arena_strndup(a, s, strlen(s)) : NULL;
}

char *drom_arena_printf(struct drom_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = drom_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void drom_arena_free(struct drom_arena *a)
{
    struct drom_arena_block *b = a->head;
    while (b) {
        struct drom_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
