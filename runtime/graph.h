/* The route graph: what dromc compiles a route file into and what dromd
 * runs. The compiler builds it (from XML, or by reading the graph JSON,
 * compiler/graph_json.h); the engine only reads it. Everything lives in the
 * graph's arena and dies with drom_graph_free.
 *
 * The JSON form is documented in docs/graph-format.md ("format": 1). */
#ifndef DROM_RUNTIME_GRAPH_H
#define DROM_RUNTIME_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/arena.h"
#include "runtime/component.h"
#include "runtime/option.h"

#define DROM_GRAPH_FORMAT 1

struct drom_expr;   /* runtime/expr.h */

struct drom_loc {
    const char *file;
    int line, col;
};

/* An expression as written plus its compiled form. */
struct drom_gexpr {
    const char *language;        /* "simple", "constant", "header", "jsonpath" */
    const char *text;
    struct drom_expr *expr;      /* compiled, owned by the graph (freed by drom_graph_free) */
    struct drom_loc loc;
};

struct drom_gendpoint {
    const char *uri;             /* as written, placeholders of secrets unresolved, literal secrets masked */
    const char *uri_masked;      /* for logs and status */
    const char *scheme;
    const char *path;
    const struct drom_component *comp;
    struct drom_optset opts;     /* resolved values (secrets resolved only in dromd) */
    struct drom_loc loc;
};

enum drom_step_kind {
    DROM_STEP_TO,
    DROM_STEP_TOD,             /* uri is `expr` (simple) */
    DROM_STEP_LOG,             /* params: message (expr), loggingLevel, logName */
    DROM_STEP_FILTER,          /* expr, steps */
    DROM_STEP_CHOICE,          /* steps: WHEN..., optional OTHERWISE last */
    DROM_STEP_WHEN,            /* expr, steps */
    DROM_STEP_OTHERWISE,       /* steps */
    DROM_STEP_SET_HEADER,      /* params: name; expr */
    DROM_STEP_SET_BODY,        /* expr */
    DROM_STEP_SET_PROPERTY,    /* params: name; expr */
    DROM_STEP_REMOVE_HEADER,   /* params: name (a pattern for removeHeaders) */
    DROM_STEP_REMOVE_HEADERS,  /* params: pattern, excludePattern */
    DROM_STEP_MARSHAL,         /* params: format ("json"), prettyPrint */
    DROM_STEP_UNMARSHAL,       /* params: format */
    DROM_STEP_CONVERT_BODY_TO, /* params: type, charset */
    DROM_STEP_MULTICAST,       /* params: parallelProcessing, stopOnException; steps (each a branch) */
    DROM_STEP_WIRETAP,         /* endpoint */
    DROM_STEP_SPLIT,           /* expr (jsonpath/simple/tokenize), params: streaming, stopOnException; steps */
    DROM_STEP_THROTTLE,        /* expr (max requests), params: timePeriodMillis, rejectExecution */
    DROM_STEP_DELAY,           /* expr (ms) */
    DROM_STEP_STOP,
    DROM_STEP__COUNT
};

struct drom_param {
    const char *name;
    const char *value;
};

struct drom_step {
    enum drom_step_kind kind;
    const char *id;              /* the element's id attribute or a generated one ("to1") */
    struct drom_loc loc;
    struct drom_param *params;
    size_t nparams;
    struct drom_gexpr *expr;     /* NULL when the kind takes none */
    struct drom_gendpoint *endpoint;  /* TO, WIRETAP */
    struct drom_step *steps;     /* children, in order */
    size_t nsteps;
};

struct drom_redelivery {
    int maximum_redeliveries;        /* Camel: 0 for defaultErrorHandler, -1 = forever */
    int64_t redelivery_delay_ms;     /* 1000 */
    double back_off_multiplier;      /* 2.0, used when use_exponential_backoff */
    bool use_exponential_backoff;
    int64_t maximum_redelivery_delay_ms; /* 60000 */
    bool log_exhausted;
};

enum drom_eh_kind { DROM_EH_DEFAULT, DROM_EH_DEAD_LETTER, DROM_EH_NONE };

struct drom_error_handler {
    enum drom_eh_kind kind;
    struct drom_gendpoint *dead_letter;  /* DROM_EH_DEAD_LETTER */
    bool use_original_message;
    struct drom_redelivery redelivery;
    struct drom_loc loc;
};

struct drom_on_exception {
    const char **exceptions;     /* as written; matched by the engine (docs/routes.md) */
    size_t nexceptions;
    struct drom_gexpr *handled;  /* NULL = not handled */
    struct drom_gexpr *continued;
    bool has_redelivery;
    struct drom_redelivery redelivery;
    struct drom_step *steps;
    size_t nsteps;
    struct drom_loc loc;
};

struct drom_route {
    const char *id;
    const char *description;
    bool auto_startup;
    struct drom_loc loc;
    struct drom_gendpoint from;
    struct drom_step *steps;
    size_t nsteps;
    struct drom_error_handler error_handler;    /* the route's, or the global one, or the default */
    struct drom_on_exception *on_exceptions;    /* route-scoped first, then global */
    size_t non_exceptions;
};

struct drom_graph {
    int format;                  /* DROM_GRAPH_FORMAT */
    const char *source;          /* the route file it came from */
    struct drom_route *routes;
    size_t nroutes;
    struct drom_arena arena;
};

const char *drom_step_kind_name(enum drom_step_kind kind);   /* "to", "filter", ... as in the XML */
const char *drom_step_param(const struct drom_step *s, const char *name);  /* NULL when absent */
/* Frees the compiled expressions and the arena. */
void drom_graph_free(struct drom_graph *g);

#endif
