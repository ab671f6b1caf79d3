/* Internal to compiler/: the state of one compilation, shared by the files
 * that check and lower the pieces of a route file. Not a public header. */
#ifndef DROM_COMPILER_CC_H
#define DROM_COMPILER_CC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "elements.h"
#include "srcmap.h"
#include "dsl/ast.h"
#include "dsl/placeholder.h"
#include "dsl/properties.h"
#include "runtime/component.h"
#include "runtime/expr.h"
#include "runtime/graph.h"

/* An endpoint whose links the compiler checks (struct drom_link's
 * checks) seen while lowering. */
struct cc_link {
    const struct drom_component *comp;
    const char *scheme;     /* as written */
    const char *name;       /* its link key */
    bool consumer;
    unsigned checks;        /* DROM_LINK_* */
    const char *share_hint; /* for the error on a second consumer, NULL for none */
    const char *route_id;
    struct drom_loc loc;
};

struct cc {
    const char *file;
    struct drom_srcmap map;
    const struct drom_props *props;
    struct drom_placeholder_ctx ph;
    struct drom_diags *diags;
    struct drom_graph *g;
    struct drom_arena *a;                 /* == &g->arena */
    unsigned counters[DROM_STEP__COUNT];  /* for generated step ids */
    const char *route_id;                 /* of the route being lowered */
    struct cc_link *links;
    size_t nlinks, links_cap;
    /* from <camel><errorHandler> or <routeConfiguration> */
    bool has_global_eh;
    struct drom_error_handler global_eh;
    struct drom_on_exception *global_oe;
    size_t nglobal_oe;
    /* every compiled expression, so none leaks when a step is dropped or
     * the compilation fails */
    struct drom_gexpr **exprs;
    size_t nexprs, exprs_cap;
};

/* Diagnostics at a node, an attribute, or a place. */
void cc_error(struct cc *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cc_warn(struct cc *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct drom_loc cc_loc(struct cc *c, int line, int col);

/* Placeholders (dsl/placeholder.h) against the properties and the
 * environment. `what` names where the text is used, for the message.
 * Returns 1 with *out set (a copy in the graph's arena), 0 when an optional placeholder ({{?key}}) is undefined, -1
 * after reporting an error. The error points into attribute `attr` at
 * character `index` of its value plus the placeholder's column; or, when
 * attr is NULL, at line:col. */
int cc_resolve(struct cc *c, const char *text, const char *what, const struct drom_ast_attr *attr, size_t index,
               int line, int col, const char **out);
/* Like cc_resolve but reports nothing: *msg gets the reason on -1. */
int cc_try_resolve(struct cc *c, const char *text, const char **out, struct drom_error *err);

/* Checks a node's attributes against its spec (unknown, type, enum,
 * required, ignored) and resolves their placeholders. Returns an arena
 * array parallel to node->attrs: the resolved value, or NULL when invalid. */
const char **cc_check_attrs(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec);
/* The resolved value of attribute `name` (given), else its default, else NULL. */
const char *cc_attr(const struct drom_ast_node *n, const char **vals, const struct drom_elem_spec *spec,
                    const char *name);
bool cc_attr_bool(const struct drom_ast_node *n, const char **vals, const struct drom_elem_spec *spec,
                  const char *name);
/* Reports a child element that is unknown or not allowed inside `parent`;
 * returns its spec when it is fine. */
const struct drom_elem_spec *cc_check_child(struct cc *c, const struct drom_ast_node *parent,
                                            const struct drom_elem_spec *pspec, const struct drom_ast_node *child);

/* camel.component.<scheme>.<option> properties: each checked once, errors at
 * their line in the properties file. */
void cc_check_props(struct cc *c);
/* The closest component name or alias, or NULL. */
const char *cc_suggest_component(const char *scheme);
/* The option a properties key names (Camel Main ignores case and dashes). */
const struct drom_option *cc_prop_option(const struct drom_component *comp, const char *name);
/* An endpoint URI attribute -> a bound endpoint, or NULL after reporting. */
struct drom_gendpoint *cc_endpoint(struct cc *c, const struct drom_ast_attr *uri, enum drom_role role);
/* An expression element -> its compiled form, or NULL after reporting. */
struct drom_gexpr *cc_expr(struct cc *c, const struct drom_ast_node *n, enum drom_expr_mode mode);
/* A Simple template in an attribute (log message, toD uri). */
struct drom_gexpr *cc_attr_simple(struct cc *c, const struct drom_ast_attr *attr, const char *value,
                                  enum drom_expr_mode mode);

/* The processors among n's children (from index `first`), lowered. */
struct drom_step *cc_steps(struct cc *c, const struct drom_ast_node *n, const struct drom_elem_spec *spec,
                           size_t first, size_t *nsteps);
/* errorHandler, onException, redeliveryPolicy. */
int cc_error_handler(struct cc *c, const struct drom_ast_node *n, struct drom_error_handler *out);
int cc_on_exception(struct cc *c, const struct drom_ast_node *n, struct drom_on_exception *out);
void cc_default_error_handler(struct drom_error_handler *eh);

/* direct:/seda: bookkeeping and the final check. */
void cc_link_add(struct cc *c, const struct drom_gendpoint *ep, const struct drom_link *link, bool consumer);
void cc_link_check(struct cc *c);

#endif
