#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/xalloc.h"

static void oom(size_t size)
{
    fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", size);
    abort();
}

void *drom_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *drom_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *drom_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        oom(size);
    return q;
}

char *drom_xstrndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = drom_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *drom_xstrdup(const char *s)
{
    return s ? drom_xstrndup(s, strlen(s)) : NULL;
}

void drom_xgrow(void **items, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    *items = drom_xrealloc(*items, n * item_size);
    *cap = n;
}
