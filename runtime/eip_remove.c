/* removeHeader (one name) and removeHeaders (pattern, excludePattern).
 * Camel's pattern rule: an exact name (case-insensitive), "*" for all, a
 * prefix ending in "*", else a regular expression matched against the
 * whole name. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/engine_int.h"
#include "runtime/xalloc.h"

static bool matches(const char *pattern, const char *name)
{
    if (strcasecmp(pattern, name) == 0 || strcmp(pattern, "*") == 0)
        return true;
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*' && !strpbrk(pattern, ".[]()+?^$|\\{}")) 
        return strncasecmp(pattern, name, n - 1) == 0;
    regex_t re;
    char *anchored = drom_xmalloc(n + 5);
    strcpy(anchored, "^(");
    strcat(anchored, pattern);
    strcat(anchored, ")$");
    bool m = false;
    if (regcomp(&re, anchored, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0) {
        m = regexec(&re, name, 0, NULL, 0) == 0;
        regfree(&re);
    }
    free(anchored);
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
