/* The tables a signalled snapshot reads, each with its additional
 * condition, as the incremental (mb_incsnap*.c) and the blocking
 * (mb_blocking.c) snapshots keep them, and the part of their context stored
 * with the offsets that names them: {"id": <signal id>, "tables":
 * [{"table": "db.table", "filter": <SQL>}], ...}, each snapshot adding its
 * own members. Internal to this folder.
 *
 * Ownership: a list owns its strings and its array (mb_snap_tables_free);
 * the functions borrow their other arguments. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_SNAP_TABLES_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_SNAP_TABLES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A table a snapshot reads, with its additional condition (SQL; NULL: none). */
struct mb_snap_table {
    char *db, *table, *filter;
};

/* Appends db.table with a copy of `filter` (NULL or "": none) unless the
 * list holds it already; whether it was added. */
bool mb_snap_tables_add(struct mb_snap_table **tables, size_t *n, const char *db, const char *table,
                        const char *filter);
/* The strings of one entry (the array stays). */
void mb_snap_table_clear(struct mb_snap_table *t);
/* Every entry and the array. */
void mb_snap_tables_free(struct mb_snap_table *tables, size_t n);

/* A new object {"id", "tables"} for the caller to add its members to, dump and release. */
json_t *mb_snap_ctx_new(const char *id, const struct mb_snap_table *tables, size_t n);
/* Member `member` of a stored offset (its JSON text), as mb_snap_ctx_new
 * made it: NULL when the offset has none; else the object, which the caller
 * releases, with its tables appended to *tables and *n (each once) and its
 * id ("?" when it has none) in *id, malloc'ed. */
json_t *mb_snap_ctx_load(const char *offset_json, const char *member, struct mb_snap_table **tables, size_t *n,
                         char **id);

#endif
