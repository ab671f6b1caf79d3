/* The decoder's transactions: where one begins and ends, the completed
 * GTID sets, and the resume point each commit moves. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_stream_int.h"

void mb_st_tx_count(struct mb_src *s, struct mb_st *st, const struct mb_cached_table *ct, struct mb_tx_info *tx)
{
    size_t i = 0;
    while (i < st->ntx_tables && st->tx_tables[i].table != ct)
        i++;
    if (i == st->ntx_tables && i < sizeof st->tx_tables / sizeof st->tx_tables[0])
        st->tx_tables[st->ntx_tables++] = (struct tx_table){ct, 0};
    tx->total_order = ++st->tx_total;
    tx->data_collection_order = i < st->ntx_tables ? ++st->tx_tables[i].n : tx->total_order;
}

static void gtids_parse(struct mb_st *st, const char *text)
{
    st->ng = 0;
    st->mysql_gtids[0] = '\0';
    if (strchr(text, ':')) {
        snprintf(st->mysql_gtids, sizeof st->mysql_gtids, "%s", text);
        return;
    }
    struct gtid g;
    for (const char *p = text; st->ng < 32 && mb_gtid_next(&p, &g.domain, &g.server, &g.seq);)
        st->g[st->ng++] = g;
}

void mb_st_gtids_text(const struct mb_st *st, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    if (st->mysql_gtids[0]) {
        snprintf(out, size, "%s", st->mysql_gtids);
        return;
    }
    for (size_t i = 0; i < st->ng && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, i ? "," : "", st->g[i].domain,
                              st->g[i].server, st->g[i].seq);
}

static void gtids_add(struct mb_st *st, uint32_t domain, uint32_t server, uint64_t seq)
{
    for (size_t i = 0; i < st->ng; i++)
        if (st->g[i].domain == domain) {
            st->g[i] = (struct gtid){domain, server, seq};
            return;
        }
    if (st->ng < 32)
        st->g[st->ng++] = (struct gtid){domain, server, seq};
}

/* The resume point right after a committed transaction. */
static void at_boundary(struct mb_src *s, struct mb_st *st, uint64_t next_pos, uint32_t server_id, int64_t ts)
{
    struct mb_offset *o = &s->start;
    snprintf(o->file, sizeof o->file, "%s", st->file);
    o->pos = next_pos;
    mb_st_gtids_text(st, o->gtids, sizeof o->gtids);
    o->event = o->row = 0;
    o->tombstone = o->snapshot = false;
    o->server_id = server_id;
    o->ts_sec = ts;
}

uint64_t mb_st_ev_start(const struct mb_st *st, const struct mb_event *ev)
{
    return st->inner ? st->outer_start : ev->next_pos - ev->length;
}

static uint64_t ev_next(const struct mb_st *st, const struct mb_event *ev)
{
    return st->inner ? st->outer_next : ev->next_pos;
}

void mb_st_tx_end(struct mb_src *s, struct mb_st *st, const struct mb_event *ev)
{
    struct gtid g;
    const char *p = st->gtid;
    if (st->in_tx && strchr(st->gtid, ':'))
        mb_gtidset_add(st->mysql_gtids, sizeof st->mysql_gtids, st->gtid);
    else if (st->in_tx && mb_gtid_next(&p, &g.domain, &g.server, &g.seq))
        gtids_add(st, g.domain, g.server, g.seq);
    st->in_tx = st->standalone = false;
    st->gtid[0] = '\0';
    st->has_thread = false;
    free(st->query);
    st->query = NULL;
    if (st->skipping)
        st->skipping = false;   /* the interrupted transaction is behind us */
    s->committed_txs++;
    mb_count(s, "NumberOfCommittedTransactions", 1);
    at_boundary(s, st, ev_next(st, ev), ev->server_id, ev->timestamp);
}

void mb_st_tx_begin(struct mb_st *st, const struct mb_event *ev)
{
    st->in_tx = true;
    snprintf(st->tx_file, sizeof st->tx_file, "%s", st->file);
    st->tx_pos = mb_st_ev_start(st, ev);
    st->rows_events = 0;
    st->inner_rows = 0;
    st->tx_total = 0;
    st->ntx_tables = 0;
    snprintf(st->gtid, sizeof st->gtid, "%s", st->next_gtid);
    st->commit_us = st->next_commit_us;
    st->next_gtid[0] = '\0';
    st->next_commit_us = 0;
    st->has_thread = false;
    free(st->query);
    st->query = NULL;
}

void mb_st_init(struct mb_src *s, struct mb_st *st)
{
    memset(st, 0, sizeof *st);
    st->id_len = 6;
    snprintf(st->file, sizeof st->file, "%s", s->start.file);
    gtids_parse(st, s->start.gtids);
    if (s->start.event || s->start.row || s->start.tombstone) {
        st->skipping = true;
        st->skip_event = s->start.event;
        st->skip_row = s->start.row;
        st->skip_tomb = s->start.tombstone;
    }
}

void mb_st_free(struct mb_st *st)
{
    free(st->query);
    st->query = NULL;
    drom_buf_free(&st->payload);
    drom_buf_free(&st->json);
}
