/* Regular expressions in Java's syntax, as Camel and Debezium users write
 * them (include/exclude lists, Simple's `regex`, removeHeaders, file
 * include), run by PCRE2. Matching is Java's String.matches / Matcher.matches:
 * the whole text must match. One engine for every place, so what `dromc
 * validate` accepts is exactly what runs.
 *
 * A compiled regex is immutable and may be matched from any thread. */
#ifndef DROM_RUNTIME_REGEX_H
#define DROM_RUNTIME_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/error.h"

struct drom_regex;

enum drom_regex_flags {
    DROM_REGEX_CASELESS = 1 << 0,   /* Pattern.CASE_INSENSITIVE (Debezium's lists, Camel's file include) */
};

/* Compiles `len` bytes of `pattern`. On error NULL, with err->msg
 * "invalid regex '<pattern>': <reason> at offset N". The caller owns the
 * result (drom_regex_free). */
struct drom_regex *drom_regex_compile(const char *pattern, size_t len, unsigned flags, struct drom_error *err);
/* 1 when the whole of `s` matches, 0 when not, -1 when the match gave up
 * (a pattern that backtracks past the match limit), with err set. */
int drom_regex_match(const struct drom_regex *re, const char *s, size_t len, struct drom_error *err);
/* As drom_regex_match on a NUL-terminated text; a failed match is false. */
bool drom_regex_matches(const struct drom_regex *re, const char *s);
const char *drom_regex_pattern(const struct drom_regex *re);
void drom_regex_free(struct drom_regex *re);

/* A comma-separated list of regexes as Debezium reads its include/exclude
 * lists: items split at commas not escaped by a backslash ("\," is a comma
 * inside an item), blanks around items ignored, every item matched whole and
 * case-insensitively. */
struct drom_regex_list {
    struct drom_regex **items;
    size_t n;
};

/* Fills `out` from `list` (NULL or empty: an empty list). On error the
 * message names the item. The caller frees with drom_regex_list_free. */
int drom_regex_list_compile(struct drom_regex_list *out, const char *list, struct drom_error *err);
/* True when any item matches the whole of `s`. */
bool drom_regex_list_any(const struct drom_regex_list *l, const char *s);
void drom_regex_list_free(struct drom_regex_list *l);

#endif
