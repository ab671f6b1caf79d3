/* The incremental snapshot's state, shared by mb_incsnap.c (signals,
 * context, progress) and mb_incsnap_chunk.c (watermarks, chunk reads,
 * emission). Internal to this folder. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_INCSNAP_INT_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_INCSNAP_INT_H

#include "components/mysql-binlog/mb_incsnap.h"
#include "components/mysql-binlog/mb_snap_tables.h"

/* A row of the chunk: its text cells as the server sent them, and its key
 * as the event key's JSON, to match streamed changes with. */
struct inc_row {
    char **cells;
    unsigned long *lens;
    char *key;
    bool dropped;
};

/* Primary key values as text (cells of the key columns, in key order). */
struct inc_key {
    char **v;
    size_t n;                  /* 0: none */
};

struct mb_incsnap {
    char *id;                  /* the execute-snapshot signal's id */
    struct mb_snap_table *tables;   /* left to read; the current one first */
    size_t ntables, total_tables;
    struct inc_key last, max;  /* the last key done and the largest, of the current table */
    bool paused;
    /* the current table */
    struct mb_cached_table ct;
    bool ct_loaded;
    int64_t table_rows;        /* rows read from it so far */
    /* the chunk between its watermarks */
    char window[40];           /* watermark id; "" when no chunk waits */
    bool window_open;
    struct inc_row *rows;
    size_t nrows, caprows, ncols;
    struct inc_key chunk_last; /* key of the chunk's last row */
    bool chunk_end;            /* fewer rows than a chunk: the table's last */
    /* progress */
    int64_t t0_ms, rows_scanned;
    /* readOnly (mb_incsnap_ro.c): the binlog position of the chunk's
     * consistent snapshot, its watermark, and where the stream is (the end
     * of the last event it read) */
    char ro_file[256], at_file[256];
    uint64_t ro_pos, at_pos;
};

void mb_inc_key_free(struct inc_key *k);
void mb_inc_key_copy(struct inc_key *dst, const struct inc_key *src);
void mb_inc_rows_clear(struct mb_incsnap *inc);
/* The state, made on first use. */
struct mb_incsnap *mb_inc_of(struct mb_src *s);
/* Queues db.table (once) with its condition (NULL: none). */
void mb_inc_table_add(struct mb_incsnap *inc, const char *db, const char *table, const char *filter);
/* Rebuilds s->inc_ctx from the state (NULL once no table is left). */
void mb_inc_ctx_update(struct mb_src *s, struct mb_incsnap *inc);
/* Drops the current table: the next one becomes current. */
void mb_inc_table_done(struct mb_src *s, struct mb_incsnap *inc);
/* Drops every table left: the snapshot ends unfinished. */
void mb_inc_abort(struct mb_src *s, struct mb_incsnap *inc);
void mb_inc_gauges(struct mb_src *s, const struct mb_incsnap *inc);
/* Reads the next chunk between watermarks (mb_incsnap_chunk.c); nothing
 * while paused or when no table is left. */
int mb_inc_read_chunk(struct mb_src *s, struct mb_incsnap *inc, struct drom_error *err);
/* The chunk's rows, by primary key after the last key done (mb_incsnap_chunk.c). */
int mb_inc_select_chunk(struct mb_src *s, struct mb_incsnap *inc, MYSQL *m, struct drom_error *err);
/* readOnly: sends the chunk's rows the stream left (mb_incsnap_chunk.c). */
int mb_inc_ro_emit(struct mb_src *s, struct mb_incsnap *inc, struct drom_error *err);
/* readOnly (mb_incsnap_ro.c): opens the chunk's consistent snapshot and
 * keeps its binlog position (rolled back on an error); ends it, -1 when the
 * server reported no position; whether the stream has passed it. */
int mb_inc_ro_begin(struct mb_incsnap *inc, MYSQL *m, struct drom_error *err);
int mb_inc_ro_end(const struct mb_incsnap *inc, MYSQL *m, struct drom_error *err);
bool mb_inc_ro_reached(const struct mb_incsnap *inc);

#endif
