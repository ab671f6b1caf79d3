/* The XML DSL as a table: every element dromedary accepts, its attributes
 * (with types, defaults and one-line docs) and the children it may hold.
 * The table drives the compiler's checks and messages and the element
 * reference in docs/routes.md (dromc dsl --format markdown). */
#ifndef DROM_COMPILER_ELEMENTS_H
#define DROM_COMPILER_ELEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum drom_attr_kind {
    DROM_ATTR_STRING,
    DROM_ATTR_BOOL,
    DROM_ATTR_INT,
    DROM_ATTR_NUMBER,     /* a decimal such as 2.0 */
    DROM_ATTR_DURATION,   /* milliseconds or 1s, 500ms, 1m30s */
    DROM_ATTR_ENUM,
    DROM_ATTR_URI,        /* an endpoint URI, checked against the component */
    DROM_ATTR_SIMPLE,     /* a Simple template evaluated per exchange */
};

enum drom_attr_flags {
    DROM_ATTR_REQUIRED = 1 << 0,
    DROM_ATTR_IGNORED = 1 << 1,   /* Camel accepts it; dromedary ignores it with a warning */
};

struct drom_attr_spec {
    const char *name;
    enum drom_attr_kind kind;
    unsigned flags;
    const char *def;
    const char *const *values;   /* DROM_ATTR_ENUM, NULL-terminated */
    const char *doc;
};

enum drom_elem_role {
    DROM_EL_ROOT,         /* routes, camel */
    DROM_EL_ROUTE,
    DROM_EL_FROM,
    DROM_EL_STEP,         /* a processor (EIP) inside a route */
    DROM_EL_EXPRESSION,   /* simple, constant, header, jsonpath */
    DROM_EL_DATAFORMAT,   /* json */
    DROM_EL_PART,         /* belongs to one parent: when, exception, redeliveryPolicy, ... */
};

/* What an element may contain besides the names in `children`. */
enum drom_content {
    DROM_CONTENT_STEPS = 1 << 0,   /* processors, in order */
    DROM_CONTENT_EXPR = 1 << 1,    /* one expression element, first */
    DROM_CONTENT_TEXT = 1 << 2,    /* text: an expression or a class name */
};

struct drom_elem_spec {
    const char *name;
    enum drom_elem_role role;
    const struct drom_attr_spec *attrs;   /* ends with {.name = NULL} */
    unsigned content;                     /* DROM_CONTENT_* */
    const char *const *children;          /* NULL-terminated, may be NULL */
    const char *doc;
};

/* NULL when dromedary has no such element. */
const struct drom_elem_spec *drom_elem_find(const char *name);
const struct drom_elem_spec *drom_elem_all(size_t *n);   /* the table, in reference order */
/* Attributes every processor takes (id, description, disabled). */
const struct drom_attr_spec *drom_elem_common_attrs(void);
/* The element's attribute `name` (the common ones included for steps). */
const struct drom_attr_spec *drom_elem_attr(const struct drom_elem_spec *e, const char *name);
bool drom_elem_allows_child(const struct drom_elem_spec *parent, const struct drom_elem_spec *child);
/* True for an element of Apache Camel's XML DSL that dromedary does not support. */
bool drom_elem_is_camel_only(const char *name);
/* The element reference as Markdown (for docs/routes.md), or as text. */
void drom_elem_markdown(FILE *out);
void drom_elem_text(FILE *out);

#endif
