/* What the two schemes of this folder share at compile time: the snapshot
 * modes both accept and the extra checks beyond the option tables. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_OPTIONS_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_OPTIONS_H

#include "runtime/error.h"
#include "runtime/option.h"

/* "schema_only" is Debezium 2.x's name of no_data. */
#define MB_SNAPSHOT_MODES {"initial", "initial_only", "no_data", "schema_only", "when_needed", "never", "always", NULL}

int mb_validate_binlog(const char *path, const struct drom_optset *opts, struct drom_error *err);
int mb_validate_debezium(const char *path, const struct drom_optset *opts, struct drom_error *err);

#endif
