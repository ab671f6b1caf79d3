/* `dromd status` (Camel's `camel get route` table, read from /routes) and
 * `dromd health` (exit 0 when /health/ready answers 200): clients of a
 * running dromd. Each returns the process exit code. */
#ifndef DROMD_STATUS_H
#define DROMD_STATUS_H

#include <stdio.h>

#define DROMD_DEFAULT_HTTP "127.0.0.1:8080"

int dromd_cmd_status(int argc, char **argv);
int dromd_cmd_health(int argc, char **argv);

/* The table for a /routes document; -1 with a message on `errs` when the
 * document is not one. Exposed for tests. */
int dromd_print_status(const char *routes_json, FILE *out, FILE *errs);

#endif
