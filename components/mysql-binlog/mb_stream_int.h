/* Inside the binlog decoder, shared by its files, each calling only down
 * this list: mb_stream_tx.c (transaction boundaries, GTID sets, resume
 * positions), mb_stream_rows.c (row events into change events),
 * mb_stream_event.c (one event of any type) and mb_stream.c (the
 * replication connection and recorded files). */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_STREAM_INT_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_STREAM_INT_H

#include "components/mysql-binlog/mb_event.h"
#include "components/mysql-binlog/mb_stream.h"

struct gtid {
    uint32_t domain, server;
    uint64_t seq;
};

/* The decoder's state, per connection (or per replayed file). */
struct mb_st {
    char file[256];
    unsigned id_len;
    bool checksum;            /* events end with a CRC32 (from the format description) */
    bool verify;              /* check it here (the library checks what it fetched) */
    /* events inside a MySQL transaction payload take its position */
    bool inner;
    uint64_t outer_start, outer_next;
    uint32_t inner_rows;      /* rows emitted from the payload so far: keeps their event ids apart */
    struct drom_buf payload;
    struct drom_buf json;     /* JSON columns of the current row, as text */
    /* MySQL: the GTID event's GTID, taken by the transaction its BEGIN opens */
    char next_gtid[64];
    int64_t next_commit_us, commit_us;
    char mysql_gtids[512];    /* completed MySQL GTID set */
    /* the open transaction */
    bool in_tx, standalone;
    char tx_file[256];
    uint64_t tx_pos;
    char gtid[64];
    uint32_t rows_events;
    bool has_thread;
    int64_t thread;
    char *query;
    /* completed GTIDs per domain */
    struct gtid g[32];
    size_t ng;
    /* resume: skip what the stored offset says is done */
    bool skipping;
    uint32_t skip_event, skip_row;
    bool skip_tomb;
    /* the table map each rows event refers to */
    struct mb_cached_table *cur;
    /* transaction metadata: events of captured tables so far, in all and per table */
    int64_t tx_total;
    struct tx_table { const struct mb_cached_table *table; int64_t n; } tx_tables[64];
    size_t ntx_tables;
};

/* mb_stream_tx.c. Debezium's order counters of the transaction's next event of table `ct`. */
void mb_st_tx_count(struct mb_src *s, struct mb_st *st, const struct mb_cached_table *ct, struct mb_tx_info *tx);
/* The completed GTID set as text, MySQL's or MariaDB's. */
void mb_st_gtids_text(const struct mb_st *st, char *out, size_t size);
/* Where an event starts: a payload's inner events take the payload's position. */
uint64_t mb_st_ev_start(const struct mb_st *st, const struct mb_event *ev);
/* A transaction opens (BEGIN, a MariaDB GTID) or ends (COMMIT, XID, DDL):
 * the resume point moves past it. */
void mb_st_tx_begin(struct mb_st *st, const struct mb_event *ev);
void mb_st_tx_end(struct mb_src *s, struct mb_st *st, const struct mb_event *ev);
/* State from s->start (file, GTIDs, what to skip); free releases its buffers. */
void mb_st_init(struct mb_src *s, struct mb_st *st);
void mb_st_free(struct mb_st *st);

/* mb_stream_rows.c: a rows event, emitted row by row. `inflated`: a MariaDB
 * compressed rows event as the library inflated it, else NULL. */
int mb_st_rows(struct mb_src *s, struct mb_st *st, const struct mb_event *ev, const struct mb_rows *inflated,
               struct drom_error *err);

/* mb_stream_event.c: one event, from a server's dump or a recorded file;
 * err carries the event's position. */
int mb_st_event(struct mb_src *s, struct mb_st *st, const uint8_t *raw, size_t len, const struct mb_rows *inflated,
                struct drom_error *err);

#endif
