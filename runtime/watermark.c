#include <stdlib.h>

#include "runtime/watermark.h"
#include "runtime/xalloc.h"

enum { PENDING, DONE, BLOCKED };

struct entry {
    void *pos;
    unsigned char state;
};

/* A ring of entries for sequence numbers [base, base + n). */
struct drom_watermark {
    struct entry *ring;
    size_t cap, head, n;     /* cap is a power of two */
    uint64_t base;
    void (*pos_free)(void *);
    void *committed;         /* last position returned by advance */
    bool has_committed;
};

struct drom_watermark *drom_watermark_new(void (*pos_free)(void *pos))
{
    struct drom_watermark *wm = drom_xcalloc(1, sizeof *wm);
    wm->cap = 64;
    wm->ring = drom_xcalloc(wm->cap, sizeof *wm->ring);
    wm->pos_free = pos_free;
    return wm;
}

static void release(struct drom_watermark *wm, void *pos)
{
    if (pos && wm->pos_free)
        wm->pos_free(pos);
}

void drom_watermark_free(struct drom_watermark *wm)
{
    if (!wm)
        return;
    for (size_t i = 0; i < wm->n; i++)
        release(wm, wm->ring[(wm->head + i) & (wm->cap - 1)].pos);
    release(wm, wm->committed);
    free(wm->ring);
    free(wm);
}

static void grow(struct drom_watermark *wm)
{
    size_t cap = wm->cap * 2;
    struct entry *ring = drom_xcalloc(cap, sizeof *ring);
    for (size_t i = 0; i < wm->n; i++)
        ring[i] = wm->ring[(wm->head + i) & (wm->cap - 1)];
    free(wm->ring);
    wm->ring = ring;
    wm->cap = cap;
    wm->head = 0;
}

uint64_t drom_watermark_add(struct drom_watermark *wm, void *pos)
{
    if (wm->n == wm->cap)
        grow(wm);
    struct entry *e = &wm->ring[(wm->head + wm->n) & (wm->cap - 1)];
    e->pos = pos;
    e->state = PENDING;
    return wm->base + wm->n++;
}

static struct entry *lookup(struct drom_watermark *wm, uint64_t seq)
{
    if (seq < wm->base || seq - wm->base >= wm->n)
        return NULL;
    return &wm->ring[(wm->head + (size_t)(seq - wm->base)) & (wm->cap - 1)];
}

static int mark(struct drom_watermark *wm, uint64_t seq, unsigned char state)
{
    struct entry *e = lookup(wm, seq);
    if (!e || e->state != PENDING)
        return -1;
    e->state = state;
    return 0;
}

int drom_watermark_done(struct drom_watermark *wm, uint64_t seq)
{
    return mark(wm, seq, DONE);
}

int drom_watermark_block(struct drom_watermark *wm, uint64_t seq)
{
    return mark(wm, seq, BLOCKED);
}

bool drom_watermark_advance(struct drom_watermark *wm, const void **pos, uint64_t *seq)
{
    bool moved = false;
    void *last = NULL;
    while (wm->n && wm->ring[wm->head].state == DONE) {
        struct entry *e = &wm->ring[wm->head];
        if (moved)
            release(wm, last);
        last = e->pos;
        e->pos = NULL;
        moved = true;
        wm->head = (wm->head + 1) & (wm->cap - 1);
        wm->n--;
        wm->base++;
    }
    if (!moved)
        return false;
    release(wm, wm->committed);
    wm->committed = last;
    wm->has_committed = true;
    if (pos)
        *pos = last;
    if (seq)
        *seq = wm->base - 1;
    return true;
}

size_t drom_watermark_pending(const struct drom_watermark *wm)
{
    return wm->n;
}

uint64_t drom_watermark_next_seq(const struct drom_watermark *wm)
{
    return wm->base + wm->n;
}

bool drom_watermark_blocked(const struct drom_watermark *wm)
{
    return wm->n && wm->ring[wm->head].state == BLOCKED;
}

bool drom_watermark_is_done(const struct drom_watermark *wm, uint64_t seq)
{
    if (seq < wm->base)
        return true;
    if (seq - wm->base >= wm->n)
        return false;
    return wm->ring[(wm->head + (size_t)(seq - wm->base)) & (wm->cap - 1)].state == DONE;
}

const void *drom_watermark_pos(const struct drom_watermark *wm, uint64_t seq)
{
    if (seq < wm->base || seq - wm->base >= wm->n)
        return NULL;
    return wm->ring[(wm->head + (size_t)(seq - wm->base)) & (wm->cap - 1)].pos;
}
