/* Streaming from s->start until stop or a failure (mb_stream.c), and the
 * tombstone-only emission used when resuming after an acknowledged delete. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_STREAM_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_STREAM_H

#include "components/mysql-binlog/mb_source.h"

/* Returns 0 when stopped, -1 on a failure (err says which; DROM_ESTATE for
 * a position the server cannot serve). *connected tells whether the dump
 * had started (the caller resets its backoff). */
int mb_stream(struct mb_src *s, bool *connected, struct drom_error *err);
/* Runs a recorded binlog file (data[0..len), named `file`) through the same
 * decoder as mb_stream, from its start; s->replay receives the changes.
 * s->cfg shapes the events as when streaming. */
int mb_replay(struct mb_src *s, const uint8_t *data, size_t len, const char *file, struct drom_error *err);
int mb_emit_tombstone(struct mb_src *s, const struct mb_row_event *e, const struct mb_offset *after,
                      struct drom_error *err);

#endif
