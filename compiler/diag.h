/* Diagnostics: every error and warning found in a route file, kept so that
 * dromc can print them all, in file order, gcc style:
 *   FILE:LINE:COL: error: MESSAGE
 *   FILE:LINE:COL: warning: MESSAGE
 * The list owns its strings; drom_diags_free releases them. Not thread-safe:
 * one compilation fills one list. */
#ifndef DROM_COMPILER_DIAG_H
#define DROM_COMPILER_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "runtime/error.h"

enum drom_diag_sev { DROM_DIAG_ERROR, DROM_DIAG_WARNING };

struct drom_diag {
    enum drom_diag_sev sev;
    char *file;        /* NULL when the message has no place */
    int line, col;     /* 0 when unknown */
    char *msg;
    size_t seq;        /* order of discovery, breaks ties when sorting */
};

struct drom_diags {
    struct drom_diag *items;
    size_t n, cap;
    size_t nerrors, nwarnings;
};

#define DROM_DIAGS_INIT {0}

void drom_diag_add(struct drom_diags *d, enum drom_diag_sev sev, const char *file, int line, int col,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Records `err` (with its own location) as an error. */
void drom_diag_add_error(struct drom_diags *d, const struct drom_error *err);
/* Orders by file (in order of first appearance), then line and column. */
void drom_diags_sort(struct drom_diags *d);
/* One line per diagnostic. */
void drom_diags_print(const struct drom_diags *d, FILE *out);
/* The first error as a drom_error (for callers that want one message). */
void drom_diags_first_error(const struct drom_diags *d, struct drom_error *err);
void drom_diags_free(struct drom_diags *d);

#endif
