/* Camel endpoint URIs: `scheme:path?option=value&option=value`, also
 * `scheme://path` (the `//` is dropped), as Camel 4 reads them:
 *  - white space around the scheme, the path, each option name and each
 *    value is dropped, so a long URI may be broken across lines (the XML
 *    reader turns those line breaks into spaces); `&amp;` is XML's business;
 *  - the path, names and values are percent-decoded (`%20`); in a value `+`
 *    is a space (Camel's URISupport); a bad or truncated `%` escape is an
 *    error;
 *  - `RAW(…)` and `RAW{…}` values are kept literally (no decoding, `&` and
 *    `=` allowed inside); the value ends at the first `)` (or `}`) that is
 *    followed by `&` or the end;
 *  - `{{placeholders}}` are kept intact (not decoded, `?` `&` `=` inside them
 *    are not separators) for later resolution (dsl/placeholder.h);
 *  - an empty option name or a repeated option is an error; empty parts
 *    (`a=1&&b=2`) are skipped; an option without `=` has the value "".
 * On error err->col is the 1-based column (in characters) within the string
 * given, err->line is 0 and err->file empty: the caller relocates it.
 *
 * Ownership: drom_uri_parse fills *out with malloc'd strings owned by it;
 * release them with drom_uri_free (safe on a zeroed or failed struct). */
#ifndef DROM_DSL_URI_H
#define DROM_DSL_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/error.h"

struct drom_uri_param {
    char *name;               /* decoded */
    char *value;              /* decoded, or literal when raw; "" when no '=' */
    size_t name_off;          /* byte offsets into the string parsed, for columns */
    size_t value_off;         /* of the first character, of "RAW(" when raw */
    bool raw;
};

struct drom_uri {
    char *scheme;
    char *path;               /* decoded; "" when empty */
    struct drom_uri_param *params;
    size_t nparams;
};

int drom_uri_parse(const char *s, struct drom_uri *out, struct drom_error *err);
void drom_uri_free(struct drom_uri *u);
/* The first parameter named `name`, or NULL. */
const struct drom_uri_param *drom_uri_param(const struct drom_uri *u, const char *name);

/* A canonical string for logs and graphs: no white space, parameters in
 * their order, percent-encoding where needed, placeholders kept, raw values
 * as RAW(…). Values of options for which is_secret(name, ctx) is true are
 * written as `xxxxxx` (Camel's mask); is_secret may be NULL. The caller
 * frees the result. drom_uri_parse reads it back to the same URI. */
char *drom_uri_render(const struct drom_uri *u, bool (*is_secret)(const char *name, void *ctx),
                      void *ctx);

#endif
