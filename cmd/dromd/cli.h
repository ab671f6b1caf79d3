/* The command line of `dromd [OPTIONS] ROUTES.xml|GRAPH.json`. */
#ifndef DROMD_CLI_H
#define DROMD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/log.h"

#define DROMD_VERSION "0.1.0"

struct dromd_opts {
    const char *routes_file;       /* XML routes or a graph JSON file */
    const char *properties;        /* --properties FILE, NULL when absent */
    const char **defines;          /* -D k=v, in order; strings borrowed from argv */
    size_t ndefines;
    const char *http;              /* --http ADDR:PORT, NULL for no HTTP port */
    char *state_dir;               /* --state-dir, or the default; owned */
    int64_t drain_ms;              /* --drain-timeout, default 30 s */
    bool exit_on_failure;          /* --exit-on-failure: exit 3 once a route has failed */
    enum drom_log_format log_format;
    enum drom_log_level log_level;
};

/* Exit statuses of `dromd ROUTES`. */
enum {
    DROMD_EXIT_OK = 0,        /* stopped by a signal, after the drain */
    DROMD_EXIT_INVALID = 1,   /* invalid routes, or a failure at start */
    DROMD_EXIT_USAGE = 2,
    DROMD_EXIT_ROUTE_FAILED = 3,   /* --exit-on-failure: a route failed; a restart resumes it */
};

/* Parses argv; on a usage error prints why on stderr and returns -1 (exit
 * 2). Returns 1 when --help or --version was answered (exit 0). */
int dromd_parse_args(int argc, char **argv, struct dromd_opts *o);
void dromd_opts_free(struct dromd_opts *o);
void dromd_usage(FILE *out);
/* $STATE_DIRECTORY, else $XDG_STATE_HOME/dromedary, else ./.dromd-state; owned by the caller. */
char *dromd_default_state_dir(void);

#endif
