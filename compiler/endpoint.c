/* Endpoint URIs: parse, bind to a component, check every option against
 * the component's table (merged with camel.component.<scheme>.* from the
 * properties), build the option set with defaults, keep secrets out. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "linkdesc.h"
#include "suggest.h"
#include "components/registry.h"
#include "dsl/uri.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

#define MASK "xxxxxx"

/* One value on its way into the option set. */
struct given {
    const char *name;
    const char *value;      /* resolved, or the placeholder text of a secret */
    const char *shown;      /* what the graph's uri shows */
    bool from_props;
};

struct builder {
    struct cc *c;
    const struct drom_component *comp;
    const char *scheme;
    const char *text;       /* the uri parsed */
    bool mapped;            /* text is the attribute's own value: offsets map to columns */
    struct drom_optval *items;
    size_t n, cap;
};

static struct drom_optval *slot(struct builder *b, const struct drom_option *opt, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->items[i].name, name) == 0)
            return &b->items[i];
    drom_xgrow((void **)&b->items, &b->cap, b->n + 1, sizeof *b->items);
    b->items[b->n] = (struct drom_optval){.opt = opt, .name = drom_arena_strdup(b->c->a, name)};
    return &b->items[b->n++];
}

static const char *suggest_option(const struct drom_component *comp, const char *name)
{
    struct drom_suggest s;
    drom_suggest_init(&s, name);
    for (const struct drom_option *o = comp->options; o && o->name; o++)
        drom_suggest_offer(&s, o->name);
    return drom_suggest_best(&s);
}

const char *cc_suggest_component(const char *scheme)
{
    struct drom_suggest s;
    drom_suggest_init(&s, scheme);
    size_t n;
    const struct drom_component *const *all = drom_registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        drom_suggest_offer(&s, all[i]->name);
        for (const char *const *a = all[i]->aliases; a && *a; a++)
            drom_suggest_offer(&s, *a);
    }
    return drom_suggest_best(&s);
}

static void list_components(struct drom_buf *b)
{
    size_t n;
    const struct drom_component *const *all = drom_registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        drom_buf_printf(b, "%s%s", i ? ", " : "", all[i]->name);
        for (const char *const *a = all[i]->aliases; a && *a; a++)
            drom_buf_printf(b, ", %s", *a);
    }
}

/* Where character `index` of the uri value is. */
static void at(struct cc *c, const struct drom_ast_attr *a, size_t index, int *line, int *col)
{
    drom_srcmap_attr(&c->map, a->line, a->col, index, line, col);
}

/* Checks a value against its option, adding a did-you-mean for enums. */
static int check_value(const struct drom_option *o, const char *v, struct drom_error *err)
{
    if (drom_option_check(o, v, err) == 0)
        return 0;
    if (o->type == DROM_OPT_ENUM) {
        struct drom_suggest s;
        drom_suggest_init(&s, v);
        for (const char *const *e = o->values; e && *e; e++)
            drom_suggest_offer(&s, *e);
        const char *best = drom_suggest_best(&s);
        if (best) {
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n, "; did you mean '%s'?", best);
        }
    }
    return -1;
}

/* The component's own check, on its conf filled as dromd will fill it. */
static int run_validate(const struct drom_component *comp, const char *path, const struct drom_optset *set,
                        unsigned role, struct drom_error *err)
{
    void *conf = drom_conf_new(comp->options, comp->conf_size, set, comp->name, err);
    if (!conf)
        return -1;
    int rc = comp->validate ? comp->validate(path, conf, role, err) : 0;
    drom_conf_free(comp->options, conf);
    return rc;
}

const struct drom_option *cc_prop_option(const struct drom_component *comp, const char *name)
{
    const struct drom_option *o = drom_option_find(comp->options, name);
    if (o)
        return o;
    for (o = comp->options; o && o->name; o++)
        if (!(o->flags & DROM_OPT_PREFIX) && drom_name_loose_eq(o->name, name))
            return o;
    return NULL;
}

/* Component-level values from the properties, already checked by
 * cc_check_props; invalid ones are skipped here. */
static void merge_props(struct builder *b)
{
    const struct drom_props *p = b->c->props;
    if (!p)
        return;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "camel.component.%s.", b->scheme);
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < drom_props_count(p); i++) {
        const struct drom_prop *pr = drom_props_at(p, i);
        if (strncmp(pr->key, prefix, pl) != 0)
            continue;
        const struct drom_option *o = cc_prop_option(b->comp, pr->key + pl);
        if (!o)
            continue;
        const char *name = (o->flags & DROM_OPT_PREFIX) ? pr->key + pl : o->name;
        struct drom_error err = {0};
        const char *v;
        if (drom_option_is_secret(o, name)) {
            /* dromd resolves the property itself at load: the graph keeps a reference */
            if (cc_try_resolve(b->c, pr->value, &v, &err) <= 0)
                continue;
            struct drom_optval *s = slot(b, o, name);
            s->value = drom_arena_printf(b->c->a, "{{%s}}", pr->key);
            s->given = true;
            continue;
        }
        if (cc_try_resolve(b->c, pr->value, &v, &err) <= 0 || check_value(o, v, &err) < 0)
            continue;
        struct drom_optval *s = slot(b, o, name);
        s->value = v;
        s->given = true;
    }
}

/* Reports one bad camel.component.* property at its line. */
static void prop_error(struct cc *c, const struct drom_prop *pr, const char *fmt, const char *a1, const char *a2,
                       const char *a3)
{
    char msg[1536];
    snprintf(msg, sizeof msg, fmt, a1, a2, a3);
    bool cmdline = strcmp(pr->origin, "-D") == 0;
    drom_diag_add(c->diags, DROM_DIAG_ERROR, cmdline ? "-D" : pr->origin, pr->line, pr->line ? 1 : 0, "%s", msg);
}

void cc_check_props(struct cc *c)
{
    const struct drom_props *p = c->props;
    static const char head[] = "camel.component.";
    for (size_t i = 0; p && i < drom_props_count(p); i++) {
        const struct drom_prop *pr = drom_props_at(p, i);
        if (strncmp(pr->key, head, sizeof head - 1) != 0)
            continue;
        const char *rest = pr->key + sizeof head - 1;
        const char *dot = strchr(rest, '.');
        if (!dot || dot == rest || !dot[1]) {
            prop_error(c, pr, "property '%s' should be camel.component.<component>.<option>%s%s", pr->key, "", "");
            continue;
        }
        char scheme[128];
        snprintf(scheme, sizeof scheme, "%.*s", (int)(dot - rest) < 127 ? (int)(dot - rest) : 127, rest);
        const struct drom_component *comp = drom_registry_find(scheme);
        if (!comp) {
            const char *best = cc_suggest_component(scheme);
            if (best)
                prop_error(c, pr, "unknown component '%s' in property '%s'; did you mean '%s'?", scheme, pr->key, best);
            else
                prop_error(c, pr, "unknown component '%s' in property '%s'%s", scheme, pr->key, "");
            continue;
        }
        const struct drom_option *o = cc_prop_option(comp, dot + 1);
        if (!o) {
            const char *best = suggest_option(comp, dot + 1);
            if (best)
                prop_error(c, pr, "unknown option '%s' of component '%s'; did you mean '%s'?", dot + 1, scheme, best);
            else
                prop_error(c, pr, "unknown option '%s' of component '%s' (see: dromc components %s)", dot + 1, scheme,
                           comp->name);
            continue;
        }
        if (o->flags & DROM_OPT_IGNORED)
            drom_diag_add(c->diags, DROM_DIAG_WARNING, pr->origin, pr->line, pr->line ? 1 : 0,
                          "option '%s' of component '%s' is accepted for Camel compatibility and ignored: %s",
                          o->name, scheme, o->doc);
        struct drom_error err = {0};
        const char *v;
        int r = cc_try_resolve(c, pr->value, &v, &err);
        if (r < 0) {
            prop_error(c, pr, "%s (in property '%s')%s", err.msg, pr->key, "");
            continue;
        }
        if (r > 0 && check_value(o, v, &err) < 0) {
            prop_error(c, pr, "invalid value for option '%s' of component '%s': %s", o->name, scheme, err.msg);
        } else if (r > 0 && (o->flags & DROM_OPT_PREFIX) && comp->validate) {
            /* the component's own check of a pass-through property */
            struct drom_optval one = {.opt = o, .name = dot + 1, .value = v, .given = true};
            struct drom_optset set = {.items = &one, .n = 1};
            if (run_validate(comp, "", &set, 0, &err) < 0)
                prop_error(c, pr, "%s (in property '%s')%s", err.msg, pr->key, "");
        }
    }
}

/* A URI option: check, resolve, add to the set. Returns what the graph's
 * uri shows for it (NULL to leave it out). */
static const char *take_param(struct builder *b, const struct drom_ast_attr *a, const struct drom_uri_param *p,
                              const char *uri_shown)
{
    struct cc *c = b->c;
    int line, col;
    size_t name_idx = b->mapped ? drom_utf8_chars(b->text, p->name_off) : 0;
    size_t value_idx = b->mapped ? drom_utf8_chars(b->text, p->value_off) : 0;
    at(c, a, name_idx, &line, &col);
    const struct drom_option *o = drom_option_find(b->comp->options, p->name);
    if (!o) {
        const char *best = suggest_option(b->comp, p->name);
        if (best)
            cc_error(c, line, col, "unknown option '%s' of component '%s'; did you mean '%s'?", p->name, b->scheme,
                     best);
        else
            cc_error(c, line, col, "unknown option '%s' of component '%s' (see: dromc components %s)", p->name,
                     b->scheme, b->comp->name);
        return NULL;
    }
    if (o->flags & DROM_OPT_IGNORED)
        cc_warn(c, line, col, "option '%s' of component '%s' is accepted for Camel compatibility and ignored: %s",
                p->name, b->scheme, o->doc);
    char what[512];
    snprintf(what, sizeof what, "option '%s' of %s", p->name, uri_shown);
    int vline, vcol;
    at(c, a, value_idx, &vline, &vcol);
    const char *v = NULL;
    const char *name = (o->flags & DROM_OPT_PREFIX) ? p->name : o->name;
    /* p is the parsed uri's, freed once the endpoint is built: the graph keeps its own copy */
    int r = p->raw ? (v = drom_arena_strdup(c->a, p->value), 1)
                   : cc_resolve(c, p->value, what, a, value_idx, vline, vcol, &v);
    if (r == 0)
        return NULL;   /* an optional placeholder left undefined: Camel drops the option */
    struct drom_error err = {0};
    if (r > 0 && check_value(o, v, &err) < 0) {
        cc_error(c, vline, vcol, "invalid value for option '%s' of component '%s': %s", p->name, b->scheme,
                 err.msg);
        r = -1;
    }
    struct drom_optval *s = slot(b, o, name);
    s->given = true;   /* given, even when wrong: not also "missing" */
    if (r < 0) {
        s->value = NULL;
        return NULL;
    }
    if (!drom_option_is_secret(o, name)) {
        s->value = v;
        return v;
    }
    if (!p->raw && drom_placeholder_present(p->value)) {
        s->value = drom_arena_strdup(c->a, p->value);   /* resolved by dromd at load */
        return s->value;
    }
    cc_warn(c, vline, vcol,
            "option '%s' is a secret written literally: it is masked in the graph; use a placeholder such as "
            "{{env:NAME}} or {{file:/run/secrets/name}}",
            p->name);
    s->value = v;
    return MASK;
}

static bool mask_secret(const char *name, void *ctx)
{
    const struct drom_option *o = drom_option_find(((const struct drom_component *)ctx)->options, name);
    return drom_option_is_secret(o, name);
}

static void add_defaults(struct builder *b)
{
    for (const struct drom_option *o = b->comp->options; o && o->name; o++) {
        if (o->flags & DROM_OPT_PREFIX)
            continue;
        bool found = false;
        for (size_t i = 0; i < b->n && !found; i++)
            found = b->items[i].opt == o;
        if (!found) {
            struct drom_optval *s = slot(b, o, o->name);
            s->value = o->def;
        }
    }
}

/* Table order, then the given prefix options in their order. */
static void order_items(struct builder *b, struct drom_optset *out)
{
    out->items = drom_arena_alloc(b->c->a, (b->n + 1) * sizeof *out->items);
    out->n = 0;
    for (const struct drom_option *o = b->comp->options; o && o->name; o++)
        for (size_t i = 0; i < b->n; i++)
            if (b->items[i].opt == o && (!(o->flags & DROM_OPT_PREFIX) || b->items[i].value))
                out->items[out->n++] = b->items[i];
}

/* Error of a component's validate hook: at the option it names first
 * ("NAME ..." or, as runtime/tls_files.h words it, "option NAME: ..."), if any. */
static void hook_error(struct cc *c, const struct drom_ast_attr *a, const char *text, const struct drom_uri *u,
                       const char *msg)
{
    size_t idx = 0;
    const char *named = strncmp(msg, "option ", 7) == 0 ? msg + 7 : msg;
    for (size_t i = 0; i < u->nparams; i++) {
        size_t n = strlen(u->params[i].name);
        if (strncmp(named, u->params[i].name, n) == 0 && (named[n] == ':' || named[n] == ' ')) {
            idx = text == a->value ? drom_utf8_chars(text, u->params[i].name_off) : 0;
            break;
        }
    }
    int line, col;
    at(c, a, idx, &line, &col);
    cc_error(c, line, col, "%s", msg);
}

static struct drom_gendpoint *bind(struct cc *c, const struct drom_ast_attr *a, const char *text, struct drom_uri *u,
                                   enum drom_role role, const char *where)
{
    int line, col;
    at(c, a, 0, &line, &col);
    const struct drom_component *comp = drom_registry_find(u->scheme);
    if (!comp) {
        const char *best = cc_suggest_component(u->scheme);
        if (best) {
            cc_error(c, line, col, "unknown component '%s'; did you mean '%s'?", u->scheme, best);
        } else {
            struct drom_buf b = DROM_BUF_INIT;
            list_components(&b);
            cc_error(c, line, col, "unknown component '%s' (known: %s)", u->scheme, drom_buf_cstr(&b));
            drom_buf_free(&b);
        }
        return NULL;
    }
    if (!(comp->roles & role)) {
        cc_error(c, line, col, "component '%s' can only be used %s", u->scheme,
                 role == DROM_ROLE_CONSUMER ? "to send (in <to>, not in <from>)" : "to receive (in <from>)");
        return NULL;
    }
    char what[256];
    snprintf(what, sizeof what, "the path of %s:", u->scheme);
    size_t path_idx = 0;
    const char *colon = strchr(text, ':');
    if (colon)
        path_idx = drom_utf8_chars(text, (size_t)(colon - text) + 1);
    const char *path = u->path;
    if (cc_resolve(c, u->path, what, a, path_idx, line, col, &path) <= 0)
        path = NULL;
    if (path && !*path && comp->path_required) {
        cc_error(c, line, col, "'%s:' needs a path: %s:%s", u->scheme, u->scheme, comp->path_syntax);
        path = NULL;
    }
    size_t nerr = c->diags->nerrors;
    struct builder b = {.c = c, .comp = comp, .scheme = u->scheme, .text = text, .mapped = text == a->value};
    merge_props(&b);
    char shown_uri[300];
    snprintf(shown_uri, sizeof shown_uri, "%s:%.200s", u->scheme, path ? path : u->path);
    /* what the graph shows: non-secrets resolved, secrets as placeholders or masked */
    struct drom_uri shown = {.scheme = u->scheme, .path = (char *)(path ? path : u->path)};
    shown.params = drom_xcalloc(u->nparams + 1, sizeof *shown.params);
    for (size_t i = 0; i < u->nparams; i++) {
        const char *v = take_param(&b, a, &u->params[i], shown_uri);
        if (v)
            shown.params[shown.nparams++] = (struct drom_uri_param){
                .name = u->params[i].name, .value = (char *)v, .raw = u->params[i].raw};
    }
    add_defaults(&b);
    for (size_t i = 0; i < b.n; i++) {
        const struct drom_option *o = b.items[i].opt;
        if ((o->flags & DROM_OPT_REQUIRED) && !b.items[i].value && !b.items[i].given)
            cc_error(c, line, col,
                     "missing required option '%s' of component '%s' (set it in the uri or as "
                     "camel.component.%s.%s in the properties)",
                     o->name, u->scheme, u->scheme, o->name);
    }
    struct drom_gendpoint *ep = drom_arena_alloc(c->a, sizeof *ep);
    ep->scheme = drom_arena_strdup(c->a, u->scheme);
    ep->path = drom_arena_strdup(c->a, path ? path : u->path);
    ep->comp = comp;
    ep->loc = cc_loc(c, line, col);
    order_items(&b, &ep->opts);
    free(b.items);
    char *r1 = drom_uri_render(&shown, NULL, NULL);
    char *r2 = drom_uri_render(&shown, mask_secret, (void *)comp);
    ep->uri = drom_arena_strdup(c->a, r1);
    ep->uri_masked = drom_arena_strdup(c->a, r2);
    free(r1);
    free(r2);
    free(shown.params);
    if (c->diags->nerrors == nerr) {
        struct drom_error err = {0};
        if (run_validate(comp, ep->path, &ep->opts, role, &err) < 0)
            hook_error(c, a, text, u, err.msg);
    }
    if (c->diags->nerrors == nerr && comp->advise) {
        char warning[512] = "";
        struct drom_error err = {0};
        void *conf = drom_conf_new(comp->options, comp->conf_size, &ep->opts, ep->scheme, &err);
        if (conf)
            comp->advise(ep->path, conf, warning, sizeof warning);
        drom_conf_free(comp->options, conf);
        if (warning[0])
            cc_warn(c, line, col, "%s", warning);
    }
    (void)where;
    return c->diags->nerrors == nerr ? ep : NULL;
}

struct drom_gendpoint *cc_endpoint(struct cc *c, const struct drom_ast_attr *a, enum drom_role role)
{
    const char *text = a->value;
    int line, col;
    at(c, a, 0, &line, &col);
    /* a placeholder standing for the scheme: resolve the whole URI first */
    const char *colon = strchr(text, ':'), *ph = strstr(text, "{{");
    if (ph && (!colon || ph < colon)) {
        char what[128];
        snprintf(what, sizeof what, "attribute '%s'", a->name);
        if (cc_resolve(c, text, what, a, 0, line, col, &text) <= 0)
            return NULL;
    }
    struct drom_uri u = {0};
    struct drom_error err = {0};
    if (drom_uri_parse(text, &u, &err) < 0) {
        if (text == a->value && err.col > 0)
            at(c, a, (size_t)err.col - 1, &line, &col);
        cc_error(c, line, col, "invalid endpoint uri: %s", err.msg);
        drom_uri_free(&u);
        return NULL;
    }
    struct drom_gendpoint *ep = bind(c, a, text, &u, role, a->name);
    struct drom_link link;
    if (ep && drom_link_describe(ep, role, &link) && link.checks)
        cc_link_add(c, ep, &link, role == DROM_ROLE_CONSUMER);
    drom_uri_free(&u);
    return ep;
}
