/* Signals and incremental snapshots (Debezium's signal table channel and
 * its DBLog watermark algorithm). Signals are rows inserted into the
 * signal table (signalDataCollection: id, type, data), read from the binlog
 * like any change (mb_signal.c). An incremental snapshot reads its tables
 * chunk by chunk in primary key order between two watermark rows it writes
 * to the signal table; changes the binlog brings between them drop the
 * rows of the same key from the chunk, and the rest goes out as op "r"
 * with source.snapshot "incremental" when the closing watermark comes by
 * (mb_incsnap.c, mb_incsnap_chunk.c). With readOnly nothing is written:
 * the chunk is read in a consistent snapshot whose binlog position is its
 * watermark (mb_incsnap_ro.c). Its progress (tables left, the last
 * key done, the table's largest key) is stored in every offset, so a
 * restart resumes at the next chunk.
 *
 * Everything here runs on the consumer thread; the state hangs off
 * mb_src.inc and is freed by mb_incsnap_free. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_INCSNAP_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_INCSNAP_H

#include <jansson.h>

#include "components/mysql-binlog/mb_source.h"

/* A row of the signal table the binlog brought (op c); `src` is the
 * change's source block. Bad signals are logged and skipped; -1 only when
 * the snapshot's reads failed (the stream reconnects and resumes). */
int mb_signal_row(struct mb_src *s, const struct mb_cached_table *ct, const struct mb_value *after,
                  const struct mb_source_info *src, struct drom_error *err);

/* One signal: its id, type and data (JSON text or NULL). */
int mb_signal_dispatch(struct mb_src *s, const char *id, const char *type, const char *data,
                       const struct mb_source_info *src, struct drom_error *err);

/* The captured tables (never the signal table) whose db.table a regular
 * expression of `colls` matches (whole name, case-insensitively), in the
 * initial snapshot's order, each handed to `add` with its condition from
 * `conds` (additional-conditions; NULL when none applies). A table not
 * captured, a bad expression or no match at all is logged. -1 when
 * information_schema cannot be read. */
typedef void mb_signal_table_fn(void *arg, const char *db, const char *table, const char *filter);
int mb_signal_tables(struct mb_src *s, const char *id, json_t *colls, json_t *conds, mb_signal_table_fn *add,
                     void *arg, struct drom_error *err);

/* The signal types behind mb_signal_dispatch. `data` may be NULL;
 * execute-snapshot of type blocking goes on to mb_blocking_signal. */
int mb_incsnap_execute(struct mb_src *s, const char *id, json_t *data, struct drom_error *err);
void mb_incsnap_stop(struct mb_src *s, json_t *data);
int mb_incsnap_pause(struct mb_src *s, bool pause, struct drom_error *err);
/* A watermark row of the signal table went by. */
int mb_incsnap_window(struct mb_src *s, const char *id, const struct mb_source_info *src, struct drom_error *err);

/* A change of a captured table: inside an open window, the chunk's rows of
 * its key (before or after) are dropped. */
void mb_incsnap_seen(struct mb_src *s, const struct mb_cached_table *ct, const struct mb_value *before,
                     const struct mb_value *after);

/* Streaming (re)started: a running, unpaused snapshot reads its next chunk. */
int mb_incsnap_stream_start(struct mb_src *s, struct drom_error *err);
/* readOnly (mb_incsnap_ro.c): the stream has read everything up to
 * file:pos (the end of its last event); a chunk whose snapshot position
 * it passed goes out, and the next chunk is read. */
int mb_incsnap_stream_at(struct mb_src *s, const char *file, uint64_t pos, struct drom_error *err);

/* The Kafka signal channel (mb_signal_kafka.c): its thread, started and
 * stopped by the binlog thread (a failure to start is logged, loudly),
 * reads on from s->signal_resume; drain runs the signals it queued, on the
 * binlog thread, each one handled moving s->signal_resume past it (-1 when
 * a signal's reads failed: it stays queued, with those after it). */
void mb_signal_kafka_start(struct mb_src *s);
void mb_signal_kafka_stop(struct mb_src *s);
int mb_signal_kafka_drain(struct mb_src *s, struct drom_error *err);

/* Takes up the snapshot a stored offset (its JSON text) says was running. */
void mb_incsnap_restore(struct mb_src *s, const char *offset_json);
void mb_incsnap_free(struct mb_src *s);

#endif
