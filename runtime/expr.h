/* Compiled expressions (Simple, constant, header, jsonpath) and their
 * evaluation against an exchange. dsl/simple.h parses the text into these
 * nodes; the engine evaluates them. An expression is immutable after
 * building and may be evaluated from several threads at once.
 *
 * Ownership: a tree is one malloc'ed node per struct drom_expr; every node
 * owns its strings, children, compiled regex and jsonpath steps, and
 * drom_expr_free releases the whole tree. Evaluation borrows the tree, the
 * exchange and the env. docs/expressions.md is the user's reference. */
#ifndef DROM_RUNTIME_EXPR_H
#define DROM_RUNTIME_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/buf.h"
#include "runtime/error.h"
#include "runtime/exchange.h"
#include "runtime/regex.h"

/* What the caller wants: a boolean (filter, when) or a value (setBody,
 * setHeader, log message: a template). */
enum drom_expr_mode { DROM_EXPR_PREDICATE, DROM_EXPR_VALUE };

enum drom_expr_kind {
    DROM_EXPR_LITERAL,      /* lit */
    DROM_EXPR_BODY,         /* conv says how (bodyAs, bodyOneLine) */
    DROM_EXPR_HEADER,       /* name */
    DROM_EXPR_PROPERTY,     /* name: an exchange property */
    DROM_EXPR_ENV,          /* name: an environment variable */
    DROM_EXPR_ROUTE_ID,
    DROM_EXPR_EXCHANGE_ID,
    DROM_EXPR_CAMEL_ID,
    DROM_EXPR_EXCEPTION,    /* the failure message */
    DROM_EXPR_DATE,         /* date_src, name (header), date */
    DROM_EXPR_JSONPATH,     /* jpath, evaluated against the body */
    DROM_EXPR_CONCAT,       /* kids rendered as text, joined */
    DROM_EXPR_BINARY,       /* kids[0] op kids[1]; re when the pattern is a literal */
    DROM_EXPR_AND,          /* kids[0] && kids[1] */
    DROM_EXPR_OR,           /* kids[0] || kids[1] */
};

enum drom_expr_op {
    DROM_OP_EQ, DROM_OP_NE, DROM_OP_EQ_NOCASE, DROM_OP_NE_NOCASE,
    DROM_OP_GT, DROM_OP_GE, DROM_OP_LT, DROM_OP_LE,
    DROM_OP_CONTAINS, DROM_OP_NOT_CONTAINS, DROM_OP_CONTAINS_NOCASE, DROM_OP_NOT_CONTAINS_NOCASE,
    DROM_OP_STARTS_WITH, DROM_OP_NOT_STARTS_WITH, DROM_OP_ENDS_WITH, DROM_OP_NOT_ENDS_WITH,
    DROM_OP_REGEX, DROM_OP_NOT_REGEX,
    DROM_OP_IN, DROM_OP_NOT_IN,
    DROM_OP_RANGE, DROM_OP_NOT_RANGE,
    DROM_OP__COUNT
};

enum drom_expr_conv {
    DROM_CONV_NONE,         /* ${body}: the body as text */
    DROM_CONV_STRING,       /* bodyAs(String) */
    DROM_CONV_INT,          /* bodyAs(Integer|Long): an error when not a whole number */
    DROM_CONV_BOOL,         /* bodyAs(Boolean): "true"/"false" */
    DROM_CONV_BYTES,        /* bodyAs(byte[]) */
    DROM_CONV_ONE_LINE,     /* bodyOneLine: line breaks removed */
};

enum drom_date_src { DROM_DATE_NOW, DROM_DATE_EXCHANGE_CREATED, DROM_DATE_HEADER };

/* A Java SimpleDateFormat pattern, split into fields and literal text. */
struct drom_date_tok {
    char letter;            /* 'y' 'M' 'd' 'H' 'h' 'm' 's' 'S' 'Z' 'X' 'E' 'a' 'z' 'D' 'k' 'K'; 0 = text */
    int count;              /* how many times the letter repeats */
    char *text;             /* literal text when letter == 0 */
};

struct drom_date_fmt {
    struct drom_date_tok *toks;
    size_t ntoks;           /* 0 = no pattern: Java's Date.toString() layout */
};

enum drom_jpath_kind { DROM_JP_KEY, DROM_JP_INDEX, DROM_JP_WILDCARD };

struct drom_jpath_step {
    enum drom_jpath_kind kind;
    char *key;              /* DROM_JP_KEY */
    long index;             /* DROM_JP_INDEX; negative counts from the end */
};

struct drom_expr {
    enum drom_expr_kind kind;
    enum drom_expr_op op;
    enum drom_expr_conv conv;
    struct drom_value lit;          /* LITERAL (owned) */
    char *name;                     /* HEADER, PROPERTY, ENV, DATE from a header */
    struct drom_expr **kids;
    size_t nkids;
    struct drom_regex *re;          /* BINARY regex with a literal pattern, compiled once */
    long range_lo, range_hi;        /* BINARY range with a literal bound pair */
    bool range_ready;
    enum drom_date_src date_src;
    struct drom_date_fmt date;
    struct drom_jpath_step *jpath;
    size_t njpath;
    bool jpath_indefinite;          /* has a wildcard: the result is always an array */
};

/* Facts an expression may read besides the exchange. */
struct drom_expr_env {
    const char *route_id;        /* ${routeId}; when NULL the exchange's route_id */
    const char *camel_context;   /* name for ${camelId}; may be NULL ("dromedary") */
    int64_t now_us;              /* the clock for ${date:now}: 0 = the real clock (tests fix it) */
};

/* Node building, for the parsers. Both abort on out-of-memory. */
struct drom_expr *drom_expr_new(enum drom_expr_kind kind);
/* Appends `kid` (taken) to e's children. */
void drom_expr_add_take(struct drom_expr *e, struct drom_expr *kid);
/* Parses "FROM..TO" (whole numbers) for the `range` operator. */
int drom_expr_range_parse(const char *text, long *lo, long *hi, struct drom_error *err);
const char *drom_expr_op_name(enum drom_expr_op op);

/* Value of the expression; out is owned by the caller (drom_value_clear).
 * A predicate tree yields a DROM_V_BOOL. */
int drom_expr_eval(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                   struct drom_value *out, struct drom_error *err);
/* As a predicate, with Camel's truthiness: a boolean is itself, the text
 * "true"/"false" (any case, trimmed) is that boolean, null is false and any
 * other value (the empty string too) is true. See docs/expressions.md. */
int drom_expr_eval_bool(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                        bool *out, struct drom_error *err);
/* As text (null renders as ""); *out is malloc'ed, caller frees. */
int drom_expr_eval_str(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                       char **out, struct drom_error *err);
/* NULL is fine. */
void drom_expr_free(struct drom_expr *e);

/* Pieces of the evaluator that live in their own files. */
/* Formats `t_us` (microseconds since the epoch, local time) into `out`. */
void drom_expr_date_format(const struct drom_date_fmt *f, int64_t t_us, struct drom_buf *out);
/* Applies the jsonpath of `e` to JSON text; *out is set (owned). */
int drom_expr_jsonpath_eval(const struct drom_expr *e, const char *json, size_t len,
                            struct drom_value *out, struct drom_error *err);

#endif
