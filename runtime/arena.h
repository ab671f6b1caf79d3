/* A bump allocator for data that dies together (the AST, the graph).
 * Nothing allocated from an arena is freed on its own; drom_arena_free
 * releases everything at once. Not thread-safe: one owner at a time. */
#ifndef DROM_RUNTIME_ARENA_H
#define DROM_RUNTIME_ARENA_H

#include <stddef.h>

struct drom_arena_block;
struct drom_arena {
    struct drom_arena_block *head;
};

#define DROM_ARENA_INIT {0}

/* Zeroed memory, aligned for any type; aborts on out-of-memory (like xmalloc). */
void *drom_arena_alloc(struct drom_arena *a, size_t size);
char *drom_arena_strdup(struct drom_arena *a, const char *s);   /* NULL stays NULL */
char *drom_arena_strndup(struct drom_arena *a, const char *s, size_t n);
char *drom_arena_printf(struct drom_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void drom_arena_free(struct drom_arena *a);

#endif
