/* dromc's subcommands and the pieces they share. */
#ifndef DROMC_DROMC_H
#define DROMC_DROMC_H

#include <stdbool.h>
#include <stdio.h>

#include "compiler/compile.h"
#include "dsl/properties.h"

#define DROMC_VERSION "0.1.0"

/* Exit codes. */
enum { DROMC_OK = 0, DROMC_INVALID = 1, DROMC_USAGE = 2 };

/* Options most subcommands take: --properties FILE, -D key=value. */
struct dromc_common {
    struct drom_props props;
    bool have_props;
    bool beans_done;   /* camel.beans connection factories applied (compiler/beans.h) */
};

/* Consumes argv[*i] (and its value) when it is a common option. Returns 1
 * when consumed, 0 when not one, -1 after printing a usage error, -2 when
 * the properties file itself is invalid (its diagnostics printed). */
int dromc_common_arg(struct dromc_common *c, int argc, char **argv, int *i, const char *cmd);
void dromc_common_free(struct dromc_common *c);
/* "dromc CMD: MESSAGE" plus a hint line; returns DROMC_USAGE. */
int dromc_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Compiles one file, printing its diagnostics to stderr. 0 when valid. */
int dromc_compile_one(const char *path, struct dromc_common *c, struct drom_graph *out);

int dromc_validate(int argc, char **argv);
int dromc_compile(int argc, char **argv);
int dromc_graph(int argc, char **argv);
int dromc_components(int argc, char **argv);
int dromc_dsl(int argc, char **argv);
int dromc_import(int argc, char **argv);

#endif
