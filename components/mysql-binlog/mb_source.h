/* The binlog source behind both schemes: one consumer thread per endpoint
 * that connects, checks the server, takes the snapshot and streams the
 * binlog, turning each row change into an exchange submitted with the
 * offset to store once it is done. Internal to this folder.
 *
 * Threads: create/destroy/start/stop/commit run on the engine thread; the
 * consumer thread owns everything under "consumer thread only". */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_SOURCE_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_SOURCE_H

#include <mysql.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/mb_config.h"
#include "components/mysql-binlog/rowdec.h"
#include "runtime/buf.h"
#include "runtime/component.h"
#include "runtime/offset_store.h"

/* A stored position: where to resume and what to skip there. */
struct mb_offset {
    char file[256];
    uint64_t pos;             /* start of the interrupted transaction, or after the last committed one */
    char gtids[512];          /* completed GTID set, "0-1-37,1-2-5" */
    uint32_t event;           /* rows events of the transaction already done */
    uint32_t row;             /* rows of the next rows event already done */
    bool tombstone;           /* the delete of `row` is done, its tombstone not yet */
    bool snapshot;            /* a snapshot was in progress: take it again */
    uint32_t server_id;
    int64_t ts_sec;
    int64_t epoch_ms;         /* the offset history's epoch; 0 in offsets stored before epochs */
    bool legacy;              /* read without a checksum (an older dromd's) */
    bool reset;               /* `dromd offsets reset`: no position, start over on purpose */
    /* borrowed: the running incremental snapshot's context (mb_incsnap.c),
     * JSON stored as "incremental_snapshot"; NULL when none runs */
    const char *incremental;
    /* borrowed: the running blocking snapshot's context (mb_blocking.c),
     * stored as "blocking_snapshot"; NULL when none runs */
    const char *blocking;
    /* Where the Kafka signal channel resumes: the offset of its topic's
     * record after the last one handled, whose effect (a snapshot's
     * context) this offset carries; stored as Debezium's
     * "incremental_snapshot_signal_offset" (the last one handled). 0: none. */
    int64_t signal_resume;
};

/* `source` is the store key the offset belongs to; with it the JSON carries
 * "source" and "checksum" (NULL: neither, Debezium's keys only). Reading
 * refuses a checksum that does not match and an offset of another source;
 * one without a checksum (stored by an older dromd) sets `legacy`. */
void mb_offset_to_json(const struct mb_offset *o, const char *source, struct drom_buf *out);
int mb_offset_from_json(struct mb_offset *o, const char *source, const char *json, struct drom_error *err);
/* True when a store key is a binlog source's ("<component>/<topicPrefix>",
 * mb_create), whose entry is an mb_offset. */
bool mb_is_offset_key(const char *key);
/* The "incremental_snapshot" member of a stored offset as compact JSON
 * (malloc'ed), NULL when it has none. */
char *mb_offset_incremental(const char *json);
/* Member `name` (an object) of a stored offset as compact JSON (malloc'ed), NULL when absent. */
char *mb_offset_member(const char *json, const char *name);

/* What a DromEventId says: "<epoch>/<server_id>:<gtid-or-file>:<pos>:<row>..."
 * (no "<epoch>/" in ids of offsets stored before epochs, epoch 0). */
struct mb_event_id {
    int64_t epoch_ms;
    bool has_gtid;
    uint32_t domain, server;
    uint64_t seq;
};
/* False when `id` is not of that form. */
bool mb_event_id_parse(const char *id, struct mb_event_id *out);

/* Iterates a GTID set "0-1-37,1-2-5": the next GTID at *p, which it
 * advances (malformed items are skipped); false at the end. */
bool mb_gtid_next(const char **p, uint32_t *domain, uint32_t *server, uint64_t *seq);
/* Adds MySQL GTID "uuid:gno" to the GTID set `set` ("uuid:1-5:7,uuid:1-3",
 * as gtid_executed prints it), merging ranges. */
void mb_gtidset_add(char *set, size_t size, const char *gtid);
/* A GTID set as SHOW BINARY LOG STATUS prints it, without its line breaks. */
void mb_gtidset_clean(char *out, size_t size, const char *text);

/* Whether binlog file `a` comes after `b` ("mysql-bin.000012" after
 * "mysql-bin.000009"); never for names of different bases. */
bool mb_binlog_after(const char *a, const char *b);

/* The GTID of `domain` in set `set` (NULL is an empty set); false when it has none. */
bool mb_gtid_of_domain(const char *set, uint32_t domain, uint32_t *server, uint64_t *seq);

/* What the server's binlog holds now, to judge a stored position by. */
struct mb_binlog_file {
    char *name;
    uint64_t size;
};
struct mb_server_binlogs {
    const struct mb_binlog_file *files;   /* SHOW BINARY LOGS, oldest first */
    size_t n;
    const char *gtids;          /* @@gtid_binlog_pos; NULL when the server has none (MySQL) */
};

enum mb_position_state {
    MB_POSITION_OK,
    MB_POSITION_PURGED,         /* older than the oldest binlog there */
    MB_POSITION_AHEAD,          /* beyond the server's end: its binlog was reset or the server re-created */
};

/* Whether the server can serve stored position `o`; `why` says what is
 * wrong when it cannot. A position is ahead when its binlog is newer than
 * the server's newest, it lies past the end of its binlog, or a GTID of it
 * is beyond the server's in its domain (or its domain is unknown there). */
enum mb_position_state mb_position_check(const struct mb_offset *o, const struct mb_server_binlogs *b, char *why,
                                         size_t why_size);

/* One table as seen last, with its event schema. */
struct mb_cached_table {
    struct mb_table t;
    struct mb_schema *schema;
    bool wanted;
    uint8_t *raw;             /* the TABLE_MAP body it came from */
    size_t raw_len;
    bool stale;               /* a DDL went by: reload the information_schema part at the next map */
    bool signal;              /* the signal table (signalDataCollection): its inserts are signals */
};

/* Where decoded changes go when a recorded binlog is replayed through the
 * streaming decoder instead of a server's dump (tests, tools): no endpoint,
 * no server. Set mb_src.replay and leave mb_src.ep NULL. */
struct mb_row_event;
struct mb_replay {
    /* Each row change, with the offset that would be stored once it is done. */
    int (*emit)(void *arg, const struct mb_row_event *e, const struct mb_offset *after, struct drom_error *err);
    /* What a server's information_schema adds to a table model: column
     * names when the map has none (binlog_row_metadata=MINIMAL). May be NULL. */
    int (*complete)(void *arg, struct mb_table *t, struct drom_error *err);
    void *arg;
    bool all_databases;   /* capture the system databases too: recordings often write to `mysql` */
};

/* The position handed to the engine with each exchange: the offset to store
 * once it is done, and the bytes it holds (for the in-flight byte budget).
 * The offset is a compact copy, made into JSON only when it is stored or
 * asked for (mb_pos_json): most positions are passed over by a newer one
 * before the next write, and the JSON with its checksum cost more than the
 * rest of a change. */
struct mb_pos {
    int64_t bytes;
    int64_t seq;              /* the exchange's number in this start (1, 2, ...) */
    size_t size;              /* of the allocation, for mb_pos_copy */
    const char *source;       /* the store key (the endpoint's, which outlives its positions) */
    uint64_t pos;
    uint32_t event, row, server_id;
    bool tombstone, snapshot;
    int64_t ts_sec, epoch_ms, signal_resume;
    uint32_t gtids_at, inc_at;  /* into text, after the file name; inc_at 0: no incremental context */
    uint32_t blocking_at;       /* into text, after those; 0: no blocking snapshot's context */
    char text[];
};

/* `o` with its snapshot contexts (copied), of store key `source`
 * (borrowed). Free with free(). */
struct mb_pos *mb_pos_new(const char *source, const struct mb_offset *o, int64_t bytes, int64_t seq);
struct mb_pos *mb_pos_copy(const struct mb_pos *p);
/* The stored form (mb_offset_to_json with its source), appended to `out`. */
void mb_pos_json(const struct mb_pos *p, struct drom_buf *out);

/* The table a snapshot reads now, for progress (mb_progress.c). */
struct mb_progress {
    const char *kind;         /* "snapshot" or "incremental snapshot" */
    char table[520];          /* db.table */
    int64_t estimate;         /* information_schema's TABLE_ROWS; -1 unknown */
    int64_t rows;             /* read from it so far */
    int64_t table_t0_ms, gauge_ms, log_ms, log_rows;
};

struct mb_src {
    struct drom_endpoint *ep;         /* NULL when replaying */
    const struct mb_replay *replay;   /* NULL when streaming from a server */
    struct mb_config cfg;
    pthread_t thread;
    bool thread_started;
    atomic_bool stopping;
    pthread_mutex_t mu;       /* guards conn (stop shuts its socket) and the wake-up */
    pthread_cond_t cond;      /* stop, and room in the byte budget */
    int64_t inflight_bytes;   /* under mu: bytes of submitted exchanges not yet done */
    int64_t submitted;        /* under mu: exchanges submitted in this start */
    int64_t stored;           /* under mu: the number of the newest exchange whose position is stored */
    MYSQL *conn[2];           /* replication and snapshot connections, for stop */
    MYSQL *kept;              /* a checked plain session left for the next step (mb_keep), under mu */
    /* the binlog session opened beside the start's checks (mb_early.c):
     * opened on the start thread, taken or dropped on the consumer thread */
    struct {
        pthread_t thread;
        bool started;
        MYSQL *m;
    } early;

    /* engine thread only */
    struct drom_offset_store *store;
    bool own_store;
    char *offset_key;
    struct mb_pos *pending;   /* newest committed offset not yet written */
    int64_t pending_seq;      /* its exchange's number */
    int64_t pending_since_ms; /* when the oldest unwritten commit came; 0: none waits */
    int64_t last_put_ms;
    uint64_t flush_timer;
    bool store_failing;       /* the last write failed: retried every second, readiness off */
    int64_t store_failures;   /* writes failed in a row */

    /* consumer thread only */
    struct mb_offset start;   /* where streaming begins */
    bool have_start;
    bool start_reset;         /* the store says: start over on purpose (dromd offsets reset) */
    bool produced_checked;    /* the stored position was compared with what the route produced */
    int64_t epoch_ms;         /* every offset and event id of this history carries it; 0: ids of the old form */
    bool mariadb;
    char version[64];         /* @@version, from the start checks */
    struct mb_cached_table **tables;   /* each allocated on its own: a stream keeps pointers across growth */
    size_t ntables, captables;
    struct mb_value *before, *after;
    size_t nvalues;
    MYSQL *meta;              /* information_schema reads while streaming (also conn[1]); NULL until needed */
    int64_t committed_txs;
    struct mb_incsnap *inc;   /* the incremental snapshot (mb_incsnap.c); NULL when none ever ran */
    struct mb_progress progress;
    struct mb_signal_kafka *kafka_signals;   /* the Kafka signal channel; NULL when off */
    char *inc_ctx;            /* its context, stored with every offset; NULL when none runs (mb_incsnap.c owns it) */
    struct mb_blocking *blocking;   /* a blocking snapshot due or running (mb_blocking.c); NULL when none */
    /* its context, stored with the offsets of its rows but the last: mb_blocking.c
     * sets it, the row reader (mb_snapshot_rows.c) frees it with the last row */
    char *blocking_ctx;
    /* the Kafka signal channel's position handed to every offset (mb_offset.signal_resume):
     * set from the stored offset at start, advanced as its signals are handled */
    int64_t signal_resume;

    /* any thread: the signal_resume of the newest offset stored, which the
     * Kafka signal channel commits to its consumer group (mb_signal_kafka.c) */
    _Atomic int64_t signal_stored;
};

/* An offset with signal position `resume` is stored (engine or consumer thread). */
void mb_signal_stored(struct mb_src *s, int64_t resume);

/* Writes `o` to the offset store at once, bypassing the commit path: for
 * the start of a new offset history (its epoch must be stored before any
 * of its events can reach a broker) and a snapshot's position. Consumer
 * thread, while none of this start's exchanges is done yet. */
int mb_store_offset(struct mb_src *s, const struct mb_offset *o, struct drom_error *err);

/* What the start checks read from the server (mb_server.c). */
struct mb_settings {
    bool mariadb;
    const char *version;          /* @@version */
    bool log_bin;
    const char *format, *image;   /* binlog_format, binlog_row_image */
    const char *metadata;         /* binlog_row_metadata; NULL when the server has no such variable */
    const char *metadata_error;   /* the server's words then */
    uint32_t server_id;
};
/* The binlog settings the source needs, each refused with its fix. */
int mb_check_settings(const struct mb_settings *st, const struct mb_config *c, struct drom_error *err);
/* Whether @@version ("8.4.2", "10.11.6-MariaDB-log") is at least major.minor.patch. */
bool mb_version_at_least(const char *version, int major, int minor, int patch);
/* The statement reporting the current binlog file, position (and MySQL's executed GTID set). */
const char *mb_binlog_status_sql(bool mariadb, const char *version);
/* What to add to a refused login's message ("" when nothing helps). */
const char *mb_auth_hint(unsigned no, const char *msg);

/* Where streaming starts when no offset says so: the server's current
 * position (oldest: the start of its oldest binlog), into *o. */
int mb_current_position(struct mb_src *s, MYSQL *m, struct mb_offset *o, bool oldest, struct drom_error *err);
/* What SHOW BINARY LOGS and @@gtid_binlog_pos say now; *b owns its strings
 * until mb_binlogs_free. */
int mb_read_binlogs(struct mb_src *s, MYSQL *m, struct mb_server_binlogs *b, struct drom_error *err);
void mb_binlogs_free(struct mb_server_binlogs *b);

/* Connects one client session with the endpoint's credentials. */
MYSQL *mb_connect(struct mb_src *s, bool replication, struct drom_error *err);
/* A start takes up to three plain sessions one after another (the start's
 * checks, the stored position's, the snapshot): each TLS handshake and login
 * is on the way to the first event, so a step leaves its session to the
 * next. mb_connect_reuse takes the kept one (registered as conn[1]) or
 * connects; mb_keep leaves `m` (no session variable changed, no open
 * transaction) for it, closing one kept before; mb_keep_drop closes it. */
MYSQL *mb_connect_reuse(struct mb_src *s, struct drom_error *err);
void mb_keep(struct mb_src *s, MYSQL *m);
void mb_keep_drop(struct mb_src *s);
/* The start checks: binlog settings and privileges, each with its fix. */
int mb_check_server(struct mb_src *s, MYSQL *m, struct drom_error *err);
/* Runs `sql`; on error names the statement. */
int mb_query(MYSQL *m, const char *sql, struct drom_error *err);
/* Appends s as a quoted SQL string literal. */
void mb_quote_str(MYSQL *m, struct drom_buf *b, const char *s);
/* Appends s as a quoted identifier (`s`), and a snapshot's SELECT column list
 * of t (FLOAT read as DOUBLE, whose text round-trips) (mb_snapshot.c). */
void mb_quote_ident(struct drom_buf *b, const char *s);
void mb_select_list(struct drom_buf *q, const struct mb_table *t);

/* Builds and submits the exchange(s) of one row change. `pos_json` is the
 * offset to store once the (last) exchange is done. Returns -1 when the
 * engine stops. Consumer thread. */
struct mb_row_event {
    char op;                         /* c u d r t (truncate: no row, no key) */
    const struct mb_cached_table *ct;
    const struct mb_value *before, *after;
    struct mb_source_info src;
    const char *event_id;            /* DromEventId */
    const struct mb_tx_info *tx;     /* provideTransactionMetadata; NULL writes null */
};
int mb_emit(struct mb_src *s, const struct mb_row_event *e, const struct mb_offset *after_change,
            const struct mb_offset *after_tombstone, struct drom_error *err);

/* MariaDB's binlog position of the consistent snapshot the session's
 * transaction opened (binlog_snapshot_file/_position), into file/pos. */
int mb_snapshot_binlog_pos(MYSQL *m, char *file, size_t size, uint64_t *pos, struct drom_error *err);

/* The snapshot (mb_snapshot.c): reads every captured table in one
 * consistent transaction and sets s->start to the matching binlog position. */
int mb_snapshot(struct mb_src *s, struct drom_error *err);

/* A table model from information_schema, for snapshot rows (mb_snapshot.c). */
int mb_table_from_schema(MYSQL *m, const char *db, const char *table, struct mb_table *t, struct drom_error *err);
/* What the table map lacks, from information_schema (mb_meta.c): column
 * defaults, and for a table without a primary key the unique index
 * Debezium takes as its key. Columns are matched by name. */
int mb_table_load_meta(MYSQL *m, struct mb_table *t, struct drom_error *err);

/* What information_schema's DATA_TYPE/COLUMN_TYPE/CHARACTER_SET_NAME say
 * that the binlog does not: FLOAT(M,D), MariaDB's UUID, the character set by
 * name (mb_meta.c). */
void mb_column_type_hints(struct mb_column *c, const char *data_type, const char *column_type, const char *charset);

/* Cached table for a TABLE_MAP (mb_source.c); NULL with err on a bad map. */
struct mb_cached_table *mb_table_cache(struct mb_src *s, const uint8_t *body, size_t len, unsigned id_len,
                                       struct drom_error *err);
/* A new zeroed entry of the cache; it stays where it is while the cache grows. */
struct mb_cached_table *mb_cached_table_add(struct mb_src *s);
void mb_cached_table_init(struct mb_src *s, struct mb_cached_table *ct);
void mb_cached_table_clear(struct mb_cached_table *ct);
void mb_values_reserve(struct mb_src *s, size_t n);
/* The connection for information_schema reads while streaming, opened on
 * first use; closed by mb_meta_close (end of a streaming session). */
MYSQL *mb_meta_conn(struct mb_src *s, struct drom_error *err);
void mb_meta_close(struct mb_src *s);
/* The start's checked session, or the snapshot's once committed, becomes the
 * information_schema session: the stream's first table map would otherwise
 * wait for a TLS handshake and a login (~40 ms) before its first change.
 * Takes `m` (registered as conn[1]); closes it when one is open already. */
void mb_meta_adopt(struct mb_src *s, MYSQL *m);

/* The engine's done hook: releases the exchange's bytes from the budget. */
void mb_exchange_done(struct drom_endpoint *ep, const void *pos, bool failed);

/* The endpoint's counters and gauges; nothing while replaying. */
void mb_count(struct mb_src *s, const char *name, int64_t delta);
/* The rows event at file:pos failed (err says why; `unknown_table`: its table
 * is not known): -1 to fail with err, or 0 once it is passed over, logged
 * and counted in NumberOfSkippedEvents, as the handling mode says. */
int mb_event_failure(struct mb_src *s, bool unknown_table, const char *file, uint64_t pos, struct drom_error *err);
void mb_gauge(struct mb_src *s, const char *name, int64_t value);
/* The route id for log lines ("replay" while replaying). */
const char *mb_route(const struct mb_src *s);

/* Progress of a snapshot (mb_progress.c): a table starts (its estimated
 * rows from information_schema, -1 unknown), then n more rows of it. */
int64_t mb_table_estimate(MYSQL *m, const char *db, const char *table);
void mb_progress_table(struct mb_src *s, const char *kind, const char *db, const char *table, int64_t estimate);
void mb_progress_rows(struct mb_src *s, int64_t n);
/* Publishes the table's figures now (they are published every 250 ms
 * while it is read): at the end of a table or of a chunk. */
void mb_progress_flush(struct mb_src *s);

/* Sleeps up to ms unless stopping; true when stopping. */
bool mb_wait(struct mb_src *s, int64_t ms);

#endif
