/* Blocking snapshots (Debezium 2.5+'s execute-snapshot with "type":
 * "blocking"): streaming pauses right after the signal, the tables the
 * signal names (regular expressions, additional-conditions) are read in
 * one consistent transaction and sent as op "r" with the initial
 * snapshot's source.snapshot marks, then streaming resumes where it
 * paused. The pause point is a binlog position (s->start, just past the
 * signal's row, or the transaction boundary where a Kafka signal was
 * taken), so the stream neither loses nor repeats a change: the binlog
 * connection is closed while the tables are read and opened again there.
 *
 * While it runs, the offset of each of its rows but the last carries its
 * context ("blocking_snapshot": signal id, tables, attempt): a restart
 * after a crash or a stop mid-snapshot takes it again from its start, then
 * resumes streaming at the pause point. Its rows' event ids are the signal
 * id and the row's key, so the repeats are the broker's duplicates.
 * (Debezium does not take it again: its streaming restarts and the rest of
 * the snapshot is lost.)
 *
 * Consumer thread only; the state hangs off mb_src.blocking. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_BLOCKING_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_BLOCKING_H

#include <jansson.h>

#include "components/mysql-binlog/mb_source.h"

/* An execute-snapshot signal of type blocking (its data-collections
 * checked): the snapshot becomes due (s->blocking), and the stream stops
 * right after the signal. A table that does not match is logged; -1 only when information_schema cannot be
 * read. */
int mb_blocking_signal(struct mb_src *s, const char *id, json_t *data, struct drom_error *err);
/* Takes the due snapshot, if any (mb_stream before connecting): 0 once it
 * is done or ended on an error of its own (logged loudly), -1 when the
 * server was lost (it stays due, and is taken again). */
int mb_blocking_run(struct mb_src *s, struct drom_error *err);
/* A stored offset that carries a blocking snapshot's context makes it due again. */
void mb_blocking_restore(struct mb_src *s, const char *offset_json);
void mb_blocking_free(struct mb_src *s);

#endif
