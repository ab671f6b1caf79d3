/* Streaming from s->start until stop or a failure (mb_stream.c), and the
 * tombstone-only emission used when resuming after an acknowledged delete. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_STREAM_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_STREAM_H

#include "components/mysql-binlog/mb_source.h"

/* Returns 0 when stopped, -1 on a failure (err says which; DROM_ESTATE for
 * a position the server cannot serve). *connected tells whether the dump
 * had started (the caller resets its backoff). */
int mb_stream(struct mb_src *s, bool *connected, struct drom_error *err);
int mb_emit_tombstone(struct mb_src *s, const struct mb_row_event *e, const struct mb_offset *after,
                      struct drom_error *err);

#endif
