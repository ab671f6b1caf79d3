/* Per-source ordered completion tracking. Exchanges from one consumer are
 * added in submission order and may finish in any order; the watermark is
 * the newest position such that it and everything added before it are done:
 * what the source may commit (Kafka Connect's "submitted records" rule).
 *
 * Positions are opaque, owned by the watermark once added, and freed with
 * the function given at creation (NULL positions are allowed). Not
 * thread-safe: the engine uses one from its loop thread only. */
#ifndef DROM_RUNTIME_WATERMARK_H
#define DROM_RUNTIME_WATERMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct drom_watermark;

struct drom_watermark *drom_watermark_new(void (*pos_free)(void *pos));
/* Frees every position still held, done or not. NULL is fine. */
void drom_watermark_free(struct drom_watermark *wm);

/* Adds the next exchange; takes `pos`. Returns its sequence number
 * (0, 1, 2, ... in add order). */
uint64_t drom_watermark_add(struct drom_watermark *wm, void *pos);

/* Marks `seq` done. Returns -1 when seq was never added, is already done or
 * already committed (a double completion: a bug in the caller). */
int drom_watermark_done(struct drom_watermark *wm, uint64_t seq);

/* Marks `seq` as a blocker: the watermark never passes it (stop-on-failure
 * consumers). Same errors as drom_watermark_done. */
int drom_watermark_block(struct drom_watermark *wm, uint64_t seq);

/* Moves past the contiguous done prefix. When it moved, returns true and
 * sets *pos to the position of the newest entry passed (may be NULL if that
 * entry had none), and *seq to its sequence number. The returned position
 * stays owned by the watermark until the next advance that moves, or free.
 * Positions passed over are freed. */
bool drom_watermark_advance(struct drom_watermark *wm, const void **pos, uint64_t *seq);

/* The position given for `seq` while it is still held (not yet passed);
 * NULL otherwise. Borrowed. */
const void *drom_watermark_pos(const struct drom_watermark *wm, uint64_t seq);

/* Entries added and not yet passed (done or not). */
size_t drom_watermark_pending(const struct drom_watermark *wm);
/* Sequence number the next add will get. */
uint64_t drom_watermark_next_seq(const struct drom_watermark *wm);
/* True when the oldest pending entry is a blocker. */
bool drom_watermark_blocked(const struct drom_watermark *wm);
/* True when `seq` is done: marked done, or already passed. */
bool drom_watermark_is_done(const struct drom_watermark *wm, uint64_t seq);

#endif
