/* Camel property placeholders in any string:
 *   {{key}}  {{key:default}}  (the default may be empty; the first ':' splits)
 *   {{?key}}                  optional: when undefined the result is "absent",
 *                             so the caller drops the option (Camel's rule)
 *   {{env:VAR}}  {{env:VAR:default}}  {{?env:VAR}}
 *   {{file:/path}}            the file's content without trailing white space
 *                             (mounted secrets); {{?file:/path}} is absent when
 *                             the file does not exist
 *   {{file:/path:KEY}}        KEY of /path read as a properties file, as Kafka's
 *                             FileConfigProvider reads ${file:/path:KEY} (a
 *                             ':' in the file name is taken as this form)
 * mixed with literal text and with each other ("jdbc:{{host}}:{{port}}").
 * Placeholders may nest ({{env:{{name}}}}) and a property's value may hold
 * further placeholders, at most DROM_PLACEHOLDER_MAX_DEPTH deep (a cycle is
 * an error). `\{{` and `\}}` stand for literal `{{` and `}}`.
 * {{sys:…}} (no Java system properties here), {{bean:…}}, {{ref:…}} and
 * {{service…:…}} are refused with a clear error.
 *
 * Errors name the placeholder as written and its 1-based column (in
 * characters) in `text` (err->col; err->line 0, err->file empty). They never
 * contain a resolved value, nor a file's content. */
#ifndef DROM_DSL_PLACEHOLDER_H
#define DROM_DSL_PLACEHOLDER_H

#include <stdbool.h>

#include "dsl/properties.h"
#include "runtime/error.h"

#define DROM_PLACEHOLDER_MAX_DEPTH 10
#define DROM_PLACEHOLDER_MAX_FILE (1u * 1024u * 1024u)

struct drom_placeholder_ctx {
    const struct drom_props *props;                     /* NULL: no properties */
    /* Environment lookup; NULL means getenv(3). Tests inject their own. */
    const char *(*env)(const char *name, void *env_ctx);
    void *env_ctx;
};

/* Resolves every placeholder in `text`. On success returns 0 and either
 * sets *out to a malloc'd string the caller frees (and *absent = false) or,
 * when an optional placeholder is undefined, sets *out = NULL and
 * *absent = true. On error returns -1 with *out = NULL. `absent` may be
 * NULL when the caller does not allow optional placeholders; an absent one
 * is then an error. */
int drom_placeholder_resolve(const char *text, const struct drom_placeholder_ctx *ctx, char **out,
                             bool *absent, struct drom_error *err);

/* Whether text holds a placeholder ("{{" not escaped). */
bool drom_placeholder_present(const char *text);

#endif
