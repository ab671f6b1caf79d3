/* The compiler's driver: read, parse, check the roots and routes, link,
 * sort the diagnostics, hand over the graph or free it. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc.h"
#include "compile.h"
#include "beans.h"
#include "strmap.h"
#include "suggest.h"
#include "dsl/xml.h"
#include "runtime/expr.h"
#include "runtime/xalloc.h"

static const char *const namespaces[] = {
    "http://camel.apache.org/schema/xml-io",
    "http://camel.apache.org/schema/spring",
    "http://camel.apache.org/schema/blueprint",
    NULL,
};

/* Camel reads elements in the root's namespace or Camel's others. */
static void check_namespaces(struct cc *c, const struct drom_ast_node *n)
{
    if (n->ns) {
        bool ok = false;
        for (const char *const *s = namespaces; *s && !ok; s++)
            ok = strcmp(*s, n->ns) == 0;
        if (!ok) {
            cc_error(c, n->line, n->col,
                     "<%s> is in namespace '%s'; route files use http://camel.apache.org/schema/xml-io (or "
                     "Camel's spring or blueprint namespace, or none)",
                     n->name, n->ns);
            return;
        }
    }
    for (size_t i = 0; i < n->nchildren; i++)
        check_namespaces(c, n->children[i]);
}

static void global_parts(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec)
{
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        const struct drom_elem_spec *ks = drom_elem_find(k->name);
        if (!ks || !drom_elem_allows_child(spec, ks))
            continue;   /* reported by the caller's walk */
        if (strcmp(k->name, "errorHandler") == 0) {
            struct drom_error_handler eh;
            if (cc_error_handler(c, k, &eh) < 0)
                continue;
            if (c->has_global_eh) {
                cc_error(c, k->line, k->col, "a second global <errorHandler> (the first is at line %d)",
                         c->global_eh.loc.line);
                continue;
            }
            c->global_eh = eh;
            c->has_global_eh = true;
        } else if (strcmp(k->name, "onException") == 0) {
            struct drom_on_exception oe;
            if (cc_on_exception(c, k, &oe) < 0)
                continue;
            struct drom_on_exception *arr = drom_arena_alloc(c->a, (c->nglobal_oe + 1) * sizeof *arr);
            if (c->nglobal_oe)
                memcpy(arr, c->global_oe, c->nglobal_oe * sizeof *arr);
            arr[c->nglobal_oe++] = oe;
            c->global_oe = arr;
        } else if (strcmp(k->name, "routeConfiguration") == 0) {
            cc_check_attrs(c, k, ks);
            for (size_t j = 0; j < k->nchildren; j++)
                cc_check_child(c, k, ks, k->children[j]);
            global_parts(c, k, ks);
        }
    }
}


static void route(struct cc *c, const struct drom_ast_node *n, const char *gen_id, struct drom_route *r)
{
    const struct drom_elem_spec *spec = drom_elem_find("route");
    const char **vals = cc_check_attrs(c, n, spec);
    const char *id = cc_attr(n, vals, spec, "id");
    *r = (struct drom_route){
        .id = drom_arena_strdup(c->a, id && *id ? id : gen_id),
        .description = drom_arena_strdup(c->a, cc_attr(n, vals, spec, "description")),
        .auto_startup = !drom_ast_attr_find(n, "autoStartup") || cc_attr_bool(n, vals, spec, "autoStartup"),
        .loc = cc_loc(c, n->line, n->col),
    };
    c->route_id = r->id;
    const struct drom_ast_node *from = NULL, *eh = NULL;
    struct drom_on_exception *oes = drom_arena_alloc(c->a, (n->nchildren + c->nglobal_oe + 1) * sizeof *oes);
    size_t noe = 0;
    /* the consumer first, so that links name the route */
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        if (strcmp(k->name, "from") != 0)
            continue;
        if (from) {
            cc_error(c, k->line, k->col, "route '%s' has a second <from> (the first is at line %d); a route has exactly one",
                     r->id, from->line);
            continue;
        }
        from = k;
        const struct drom_elem_spec *fs = drom_elem_find("from");
        cc_check_attrs(c, k, fs);
        for (size_t j = 0; j < k->nchildren; j++)
            cc_error(c, k->children[j]->line, k->children[j]->col, "<from> takes no child elements");
        const struct drom_ast_attr *a = drom_ast_attr_find(k, "uri");
        struct drom_gendpoint *ep = a ? cc_endpoint(c, a, DROM_ROLE_CONSUMER) : NULL;
        if (ep)
            r->from = *ep;
    }
    if (!from)
        cc_error(c, n->line, n->col, "route '%s' has no <from>: a route starts with <from uri=\"...\"/>", r->id);
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct drom_ast_node *k = n->children[i];
        if (strcmp(k->name, "errorHandler") == 0) {
            if (eh) {
                cc_error(c, k->line, k->col, "route '%s' has a second <errorHandler> (the first is at line %d)", r->id,
                         eh->line);
                continue;
            }
            eh = k;
            cc_error_handler(c, k, &r->error_handler);
        } else if (strcmp(k->name, "onException") == 0) {
            if (cc_on_exception(c, k, &oes[noe]) == 0)
                noe++;
        }
    }
    if (!eh) {
        if (c->has_global_eh)
            r->error_handler = c->global_eh;
        else
            cc_default_error_handler(&r->error_handler);
    }
    for (size_t i = 0; i < c->nglobal_oe; i++)
        oes[noe++] = c->global_oe[i];
    r->on_exceptions = noe ? oes : NULL;
    r->non_exceptions = noe;
    r->steps = cc_steps(c, n, spec, 0, &r->nsteps);
}

static void routes(struct cc *c, const struct drom_ast_node *root)
{
    const struct drom_ast_node **list = drom_xcalloc(root->nchildren + 1, sizeof *list);
    size_t n = 0;
    if (strcmp(root->name, "route") == 0) {
        list[n++] = root;
    } else {
        const struct drom_elem_spec *rs = drom_elem_find(root->name);
        cc_check_attrs(c, root, rs);
        for (size_t i = 0; i < root->nchildren; i++) {
            const struct drom_ast_node *k = root->children[i];
            const struct drom_elem_spec *ks = cc_check_child(c, root, rs, k);
            if (ks && ks->role == DROM_EL_ROUTE)
                list[n++] = k;
        }
        global_parts(c, root, rs);
    }
    struct drom_graph *g = c->g;
    g->routes = drom_arena_alloc(c->a, (n + 1) * sizeof *g->routes);
    /* generated ids (route1, route2, ...) skip the ids given in the file */
    struct drom_strmap given_ids = {0}, ids = {0};
    for (size_t i = 0; i < n; i++) {
        const char *v = drom_ast_attr(list[i], "id");
        if (v && *v)
            drom_strmap_put(&given_ids, v, (void *)list[i]);
    }
    unsigned counter = 0;
    for (size_t i = 0; i < n; i++) {
        char gen[32] = "";
        const char *given = drom_ast_attr(list[i], "id");
        if (!given || !*given) {
            do
                snprintf(gen, sizeof gen, "route%u", ++counter);
            while (drom_strmap_get(&given_ids, gen));
        }
        struct drom_route *r = &g->routes[g->nroutes];
        route(c, list[i], gen, r);
        const struct drom_route *first = drom_strmap_get(&ids, r->id);
        if (first) {
            const struct drom_ast_attr *a = drom_ast_attr_find(list[i], "id");
            cc_error(c, a ? a->line : list[i]->line, a ? a->col : list[i]->col,
                     "duplicate route id '%s' (the first route with it is at line %d)", r->id, first->loc.line);
        } else {
            drom_strmap_put(&ids, r->id, r);
        }
        g->nroutes++;
    }
    drom_strmap_free(&given_ids);
    drom_strmap_free(&ids);
    if (n == 0)
        cc_error(c, root->line, root->col, "<%s> holds no <route>", root->name);
    free(list);
}

static void check_root(struct cc *c, const struct drom_ast_node *root)
{
    const struct drom_elem_spec *rs = drom_elem_find(root->name);
    if (rs && (rs->role == DROM_EL_ROOT || rs->role == DROM_EL_ROUTE)) {
        routes(c, root);
        return;
    }
    struct drom_suggest s;
    drom_suggest_init(&s, root->name);
    drom_suggest_offer(&s, "routes");
    drom_suggest_offer(&s, "route");
    drom_suggest_offer(&s, "camel");
    if (drom_suggest_best(&s))
        cc_error(c, root->line, root->col,
                 "unknown root element <%s>; did you mean '%s'? (a route file starts with <routes>, <route> or <camel>)",
                 root->name, drom_suggest_best(&s));
    else
        cc_error(c, root->line, root->col,
                 "unknown root element <%s>: a route file starts with <routes>, <route> or <camel>", root->name);
}

/* --- expression ownership --- */

static int ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

struct reach {
    const struct drom_gexpr **items;
    size_t n, cap;
};

static void reach_add(struct reach *r, const struct drom_gexpr *e)
{
    if (!e)
        return;
    drom_xgrow((void **)&r->items, &r->cap, r->n + 1, sizeof *r->items);
    r->items[r->n++] = e;
}

static void reach_steps(struct reach *r, const struct drom_step *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        reach_add(r, s[i].expr);
        reach_steps(r, s[i].steps, s[i].nsteps);
    }
}

/* Frees the compiled expressions the graph does not hold (dropped steps). */
static void free_unreached(struct cc *c)
{
    struct reach r = {0};
    for (size_t i = 0; i < c->g->nroutes; i++) {
        const struct drom_route *rt = &c->g->routes[i];
        reach_steps(&r, rt->steps, rt->nsteps);
        for (size_t j = 0; j < rt->non_exceptions; j++) {
            reach_add(&r, rt->on_exceptions[j].handled);
            reach_add(&r, rt->on_exceptions[j].continued);
            reach_steps(&r, rt->on_exceptions[j].steps, rt->on_exceptions[j].nsteps);
        }
    }
    if (r.n)
        qsort(r.items, r.n, sizeof *r.items, ptr_cmp);
    for (size_t i = 0; i < c->nexprs; i++) {
        const struct drom_gexpr *g = c->exprs[i];
        if (!r.n || !bsearch(&g, r.items, r.n, sizeof *r.items, ptr_cmp)) {
            drom_expr_free(c->exprs[i]->expr);
            c->exprs[i]->expr = NULL;
        }
    }
    free(r.items);
}

static void free_all_exprs(struct cc *c)
{
    for (size_t i = 0; i < c->nexprs; i++) {
        drom_expr_free(c->exprs[i]->expr);
        c->exprs[i]->expr = NULL;
    }
}

int drom_compile_mem(const char *data, size_t len, const char *name, const struct drom_compile_opts *opts,
                     struct drom_graph *out, struct drom_diags *diags)
{
    memset(out, 0, sizeof *out);
    out->format = DROM_GRAPH_FORMAT;
    out->source = drom_arena_strdup(&out->arena, name);
    size_t nerr = diags->nerrors;
    /* camel.beans connection factories count as the options they stand for
     * (dromc and dromd apply them to their own properties too, for secrets) */
    const struct drom_props *props = opts ? opts->props : NULL;
    struct drom_props applied = DROM_PROPS_INIT;
    struct drom_error berr = {0};
    int b = props ? drom_beans_copy_applied(props, &applied, &berr) : 0;
    if (b < 0)
        drom_diag_add_error(diags, &berr);
    else if (b > 0)
        props = &applied;
    struct cc c = {
        .file = out->source,
        .props = props,
        .ph = {.props = props, .env = opts ? opts->env : NULL, .env_ctx = opts ? opts->env_ctx : NULL},
        .diags = diags,
        .g = out,
        .a = &out->arena,
    };
    struct drom_ast ast = {0};
    struct drom_error err = {0};
    cc_check_props(&c);
    if (drom_xml_parse_mem(data, len, name, &ast, &err) < 0) {
        drom_diag_add_error(diags, &err);
    } else {
        /* the reader counts columns without a byte order mark */
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
            data += 3, len -= 3;
        drom_srcmap_init(&c.map, data, len);
        check_namespaces(&c, ast.root);
        check_root(&c, ast.root);
        cc_link_check(&c);
    }
    drom_diags_sort(diags);
    int rc = diags->nerrors == nerr ? 0 : -1;
    if (rc == 0) {
        free_unreached(&c);
    } else {
        free_all_exprs(&c);
        drom_arena_free(&out->arena);
        memset(out, 0, sizeof *out);
    }
    drom_ast_free(&ast);
    drom_props_free(&applied);
    drom_srcmap_free(&c.map);
    free(c.links);
    free(c.exprs);
    return rc;
}

int drom_compile_file(const char *path, const struct drom_compile_opts *opts, struct drom_graph *out,
                      struct drom_diags *diags)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        drom_diag_add(diags, DROM_DIAG_ERROR, path, 0, 0, "cannot open route file: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        drom_diag_add(diags, DROM_DIAG_ERROR, path, 0, 0, "is a directory, not a route file");
        return -1;
    }
    /* one byte past the limit is enough to know the file is too large */
    size_t cap = 64 * 1024, len = 0, limit = (size_t)DROM_XML_MAX_SIZE + 1;
    char *buf = drom_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap >= limit)
                break;
            cap = cap * 2 > limit ? limit : cap * 2;
            buf = drom_xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            free(buf);
            drom_diag_add(diags, DROM_DIAG_ERROR, path, 0, 0, "cannot read route file: %s", strerror(e));
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    /* the reader itself refuses a file over its limit, with the message users see */
    int rc = drom_compile_mem(buf, len, path, opts, out, diags);
    free(buf);
    return rc;
}
