/* The reading both snapshots share (mb_snapshot_rows.c): the initial one
 * (mb_snapshot.c) and a blocking one (mb_blocking.c) read their tables in
 * one consistent transaction, row by row (mysql_use_result, never a table
 * loaded whole), each row held until the next one tells whether it was its
 * table's last or the snapshot's last, for Debezium's source.snapshot
 * marks. Internal to this folder; consumer thread only. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_SNAPSHOT_INT_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_SNAPSHOT_INT_H

#include "components/mysql-binlog/mb_snap_tables.h"
#include "components/mysql-binlog/mb_source.h"

/* A blocking snapshot (mb_blocking.c), as the reader below takes it. */
struct mb_snap_request {
    const char *id;                       /* the execute-snapshot signal's id, in the rows' event ids */
    const struct mb_snap_table *tables;
    size_t ntables;
    unsigned attempt;                     /* 1, then one more each time it is taken again */
};

/* One fetched row, its cells copied. */
struct mb_snap_held {
    bool have;
    struct mb_cached_table *ct;
    char **cells;
    unsigned long *lens;
    size_t n, cap;
    int64_t ts_ms;
    uint64_t index;
    bool table_first;
};

/* A snapshot under way. */
struct mb_snap_run {
    const char *kind;                   /* "snapshot", "blocking snapshot": progress and log lines */
    struct mb_offset pos;               /* the initial snapshot's position; a blocking one's resume point */
    const struct mb_snap_request *rq;   /* a blocking snapshot's request; NULL for the initial one */
    struct mb_snap_held h;
    bool first;
    uint64_t total;
    int64_t t0_ms;
};

/* The session a snapshot reads in: UTC, bytes as stored, a long write
 * timeout (rows go as fast as the route takes them), REPEATABLE READ. The
 * caller opens the transaction. */
int mb_snap_session(MYSQL *m, struct drom_error *err);
/* The models of `tables` into cts[0..n) (zeroed by the caller, who clears
 * them all with mb_cached_table_clear), as snapshot rows carry them (no
 * table id); -1 at the first that fails. */
int mb_snap_models(struct mb_src *s, MYSQL *m, const struct mb_snap_table *tables, size_t n,
                   struct mb_cached_table *cts, struct drom_error *err);
/* Sends the rows of every table, keeping the very last one held for
 * mb_snap_last; sets RemainingTableCount and SnapshotDurationInSeconds as
 * each table ends. */
int mb_snap_read(struct mb_src *s, MYSQL *m, struct mb_snap_run *r, struct mb_cached_table *cts,
                 const struct mb_snap_table *tables, size_t n, struct drom_error *err);
/* Sends the held row as the snapshot's last: 1 when there was one, 0 when
 * the snapshot had no row, -1 when the engine stops. */
int mb_snap_last(struct mb_src *s, struct mb_snap_run *r, struct drom_error *err);
void mb_snap_run_free(struct mb_snap_run *r);

#endif
