/* Shared by the two halves of the Simple parser: simple.c (templates,
 * predicates, the entry point) and simple_fn.c (the functions inside ${...}). */
#ifndef DROM_DSL_SIMPLE_INT_H
#define DROM_DSL_SIMPLE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/error.h"
#include "runtime/expr.h"

struct simple_parser {
    const char *t;      /* the whole text: positions count from here */
    size_t end;         /* end of the trimmed text */
    struct drom_error *err;
};

/* Sets p->err at position `at` (turned into line:col) and returns NULL. */
struct drom_expr *simple_err(const struct simple_parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* t[a..b) for a message, shortened to fit `out`. */
const char *simple_snippet(const struct simple_parser *p, size_t a, size_t b, char *out, size_t size);
bool simple_is_space(char c);
size_t simple_skip_ws(const struct simple_parser *p, size_t i);
struct drom_expr *simple_literal_str(const char *s, size_t len);
size_t simple_levenshtein(const char *a, const char *b);

/* Simple's binary operators, the word as written and what it does. */
struct simple_operator {
    const char *word;
    enum drom_expr_op op;
};
extern const struct simple_operator simple_operators[];
extern const size_t simple_noperators;
/* The index of the operator spelt s[0..n), or -1. */
int simple_find_operator(const char *s, size_t n);

/* The length of "${" at i (0 when none starts there before b). */
size_t simple_fn_open_len(const struct simple_parser *p, size_t i, size_t b);
/* The function that opens at i and closes before b; *next is past its '}'. */
struct drom_expr *simple_parse_function(const struct simple_parser *p, size_t i, size_t b, size_t *next);
/* A jsonpath expression, text[0..len) at position `at` of the parser's text. */
struct drom_expr *simple_jsonpath_node(const struct simple_parser *p, size_t at, const char *text, size_t len);
/* A blank-separated operator word inside s[0..len): 1 with its offset and length. */
int simple_operator_in_name(const char *s, size_t len, size_t *at, size_t *oplen);

#endif
