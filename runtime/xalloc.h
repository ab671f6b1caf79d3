/* Allocation that cannot fail: out of memory aborts with a message, since
 * no caller could do anything better and checking at every site hides bugs. */
#ifndef DROM_RUNTIME_XALLOC_H
#define DROM_RUNTIME_XALLOC_H

#include <stddef.h>

void *drom_xmalloc(size_t size);
void *drom_xcalloc(size_t n, size_t size);
void *drom_xrealloc(void *p, size_t size);
char *drom_xstrdup(const char *s);          /* NULL stays NULL */
char *drom_xstrndup(const char *s, size_t n);
/* Grows *items (of item_size each) so that index `need - 1` fits; doubles. */
void drom_xgrow(void **items, size_t *cap, size_t need, size_t item_size);

#endif
