#include <string.h>

#include "linkdesc.h"
#include "runtime/option.h"

bool drom_link_describe(const struct drom_gendpoint *ep, unsigned role, struct drom_link *out)
{
    *out = (struct drom_link){.keys = ep->path};
    const struct drom_component *c = ep->comp;
    if (!c || !c->link || !ep->path) {
        out->keys = NULL;
        return false;
    }
    struct drom_error err = {0};
    /* the links of an endpoint whose options are refused are not drawn: its
     * error is reported where the options are checked */
    void *conf = drom_conf_new(c->options, c->conf_size, &ep->opts, ep->scheme, &err);
    if (!conf) {
        out->keys = NULL;
        return false;
    }
    c->link(ep->path, conf, role, out);
    drom_conf_free(c->options, conf);
    return out->keys != NULL;
}

/* Steps through the keys of `l`; *p starts at l->keys. False after the last. */
static bool next_key(const struct drom_link *l, const char **p, const char **key, size_t *len)
{
    if (!*p)
        return false;
    const char *end = l->sep ? strchr(*p, l->sep) : NULL;
    *key = *p;
    *len = end ? (size_t)(end - *p) : strlen(*p);
    *p = end ? end + 1 : NULL;
    return true;
}

bool drom_link_reaches(const struct drom_gendpoint *to, const struct drom_link *tl, const struct drom_gendpoint *from,
                       const struct drom_link *fl)
{
    if (!to->comp || to->comp != from->comp || !tl->keys || !fl->keys)
        return false;
    const char *tp = tl->keys, *tk, *fk;
    size_t tn, fn;
    while (next_key(tl, &tp, &tk, &tn))
        for (const char *fp = fl->keys; next_key(fl, &fp, &fk, &fn);)
            if (tn == fn && strncmp(tk, fk, tn) == 0)
                return true;
    return false;
}
