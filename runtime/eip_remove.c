/* removeHeader (one name) and removeHeaders (pattern, excludePattern).
 * Camel's pattern rule: an exact name (case-insensitive), "*" for all, a
 * prefix ending in "*", else a regular expression matched against the
 * whole name. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/engine_int.h"
#include "runtime/regex.h"
#include "runtime/xalloc.h"

static bool matches(const char *pattern, const char *name)
{
    if (strcasecmp(pattern, name) == 0 || strcmp(pattern, "*") == 0)
        return true;
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*' && !strpbrk(pattern, ".[]()+?^$|\\{}")) 
        return strncasecmp(pattern, name, n - 1) == 0;
    struct drom_regex *re = drom_regex_compile(pattern, n, DROM_REGEX_CASELESS, NULL);
    bool m = re && drom_regex_matches(re, name);
    drom_regex_free(re);
    return m;
}

enum eip_result eip_remove_header(struct xctx *x, struct eng_step *s)
{
    const char *name = drom_step_param(s->g, "name");
    if (name)
        drom_headers_remove(&x->ex->headers, name);
    return EIP_NEXT;
}

enum eip_result eip_remove_headers(struct xctx *x, struct eng_step *s)
{
    const char *pattern = drom_step_param(s->g, "pattern");
    const char *exclude = drom_step_param(s->g, "excludePattern");
    if (!pattern)
        return EIP_NEXT;
    struct drom_headers *h = &x->ex->headers;
    for (size_t i = h->n; i-- > 0;) {
        const char *name = h->items[i].name;
        if (matches(pattern, name) && !(exclude && matches(exclude, name)))
            drom_headers_remove(h, name);
    }
    return EIP_NEXT;
}
