/* Streaming: one replication connection, events in binlog order, one
 * exchange per row change; and recorded binlog files through the same
 * decoder. */
#include <inttypes.h>
#include <mysql.h>
#include <mariadb_rpl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_blocking.h"
#include "components/mysql-binlog/mb_early.h"
#include "components/mysql-binlog/mb_incsnap.h"
#include "components/mysql-binlog/mb_stream_int.h"
#include "components/mysql-binlog/mb_tls.h"
#include "runtime/log.h"

int mb_replay(struct mb_src *s, const uint8_t *data, size_t len, const char *file, struct drom_error *err)
{
    static const uint8_t magic[4] = {0xfe, 'b', 'i', 'n'};
    if (len < 4 || memcmp(data, magic, 4) != 0)
        return drom_err(err, DROM_EINVAL, "%s is not a binlog file (no magic number)", file);
    struct mb_st st;
    if (!s->start.file[0])
        snprintf(s->start.file, sizeof s->start.file, "%s", file);
    mb_st_init(s, &st);
    snprintf(st.file, sizeof st.file, "%s", file);
    st.verify = true;
    int rc = 0;
    for (size_t off = 4; rc == 0 && off < len;) {
        if (len - off < MB_EVENT_HEADER) {
            rc = drom_err(err, DROM_EINVAL, "%s: %zu bytes at %zu, less than an event header", file, len - off, off);
            break;
        }
        size_t elen = (size_t)data[off + 9] | (size_t)data[off + 10] << 8 | (size_t)data[off + 11] << 16 |
                      (size_t)data[off + 12] << 24;
        if (elen < MB_EVENT_HEADER || elen > len - off) {
            rc = drom_err(err, DROM_EINVAL, "%s: event of %zu bytes at %zu of %zu", file, elen, off, len);
            break;
        }
        rc = mb_st_event(s, &st, data + off, elen, NULL, err);
        off += elen;
    }
    mb_st_free(&st);
    return rc;
}

static int setup_session(struct mb_src *s, MYSQL *m, struct drom_error *err)
{
    if (mb_query(m, "SET @master_binlog_checksum = @@global.binlog_checksum", err) ||
        mb_query(m, "SET @source_binlog_checksum = @@global.binlog_checksum", err))
        return -1;
    if (s->mariadb && mb_query(m, "SET @mariadb_slave_capability = 4", err))
        return -1;
    if (s->cfg.heartbeat_ms > 0) {
        char sql[96];
        snprintf(sql, sizeof sql, "SET @master_heartbeat_period = %" PRId64, s->cfg.heartbeat_ms * 1000000);
        if (mb_query(m, sql, err))
            return -1;
    }
    return 0;
}

static void close_conn(struct mb_src *s, int which)
{
    pthread_mutex_lock(&s->mu);
    MYSQL *m = s->conn[which];
    s->conn[which] = NULL;
    pthread_mutex_unlock(&s->mu);
    if (m)
        mysql_close(m);
}

/* The next event of a MySQL server's dump, read as packets: libmariadb's
 * event parser stops at the event types MySQL 8 added (partial updates,
 * transaction payloads), so for MySQL only the dump request goes through it.
 * Returns 1 with the event bytes, 0 at the end of a non-blocking dump, -1. */
static int mysql_next(MYSQL *m, const uint8_t **raw, size_t *len, struct drom_error *err)
{
    unsigned long n = mysql_net_read_packet(m);
    if (n == (unsigned long)-1 || n == 0)
        return drom_err(err, mysql_errno(m) == 1236 ? DROM_ESTATE : DROM_ECONNECT, "binlog connection lost: %s",
                        mysql_errno(m) ? mysql_error(m) : "end of stream");
    const uint8_t *p = m->net.read_pos;
    if (p[0] == 0xfe && n < 9)
        return 0;
    if (p[0] == 0xff) {
        unsigned no = n >= 3 ? (unsigned)(p[1] | p[2] << 8) : 0;
        size_t skip = n > 9 && p[3] == '#' ? 9 : 3;
        return drom_err(err, no == 1236 ? DROM_ESTATE : DROM_ECONNECT, "the server ended the binlog dump: %u %.*s", no,
                        (int)(n > skip ? n - skip : 0), (const char *)p + skip);
    }
    *raw = p + 1;
    *len = n - 1;
    return 1;
}

/* The next event of a MariaDB server's dump, through libmariadb; a
 * compressed rows event comes with the rows the library inflated, in
 * *inflated, and *infl pointing at it. Returns 1 with the event, 0 when
 * stopping, -1. */
static int mariadb_next(struct mb_src *s, MYSQL *m, MARIADB_RPL *rpl, MARIADB_RPL_EVENT **evp, const uint8_t **raw,
                        size_t *len, struct mb_rows *inflated, struct mb_rows **infl, struct drom_error *err)
{
    MARIADB_RPL_EVENT *ev = *evp = mariadb_rpl_fetch(rpl, *evp);
    if (!ev) {
        if (atomic_load(&s->stopping))
            return 0;
        const char *msg = mysql_errno(m) ? mysql_error(m) : mariadb_rpl_error(rpl);
        unsigned no = mysql_errno(m);
        if (strstr(msg, "server_id") || strstr(msg, "same server"))
            /* Retried with backoff: the other replica may go away, and the log says why meanwhile. */
            return drom_err(err, DROM_ECONNECT, "the server refused the binlog dump: %s (another replica or source "
                            "uses serverId %u; give each one its own)", msg, s->cfg.server_id);
        if (no == 1236)
            return drom_err(err, DROM_ESTATE, "the server ended the binlog dump: %s", msg);
        return drom_err(err, DROM_ECONNECT, "binlog connection lost: %s", msg && *msg ? msg : "end of stream");
    }
    *raw = ev->raw_data + ev->raw_data_ofs;
    *len = ev->event_length;
    if (ev->raw_data_size < ev->raw_data_ofs || ev->raw_data_size - ev->raw_data_ofs < *len)
        return drom_err(err, DROM_EINVAL, "binlog event %u: %u bytes announced, fewer received", ev->event_type,
                        ev->event_length);
    if (ev->event_type >= WRITE_ROWS_COMPRESSED_EVENT_V1 && ev->event_type <= DELETE_ROWS_COMPRESSED_EVENT_V1) {
        /* MariaDB compressed: the library inflated the rows */
        const struct st_mariadb_rpl_rows_event *re = &ev->event.rows;
        memset(inflated, 0, sizeof *inflated);
        mb_rows_kind_of(ev->event_type, &inflated->kind, &(bool){false});
        inflated->table_id = re->table_id;
        inflated->flags = re->flags;
        inflated->ncols = re->column_count;
        inflated->present = re->column_bitmap;
        inflated->present_after = inflated->kind == MB_ROWS_UPDATE ? re->column_update_bitmap : NULL;
        inflated->data = re->row_data;
        inflated->len = re->row_data_size;
        if (!inflated->present || (inflated->kind == MB_ROWS_UPDATE && !inflated->present_after))
            return drom_err(err, DROM_EINVAL, "compressed rows event without bitmaps");
        *infl = inflated;
    }
    return 1;
}

/* Asks the server for its binlog from s->start; the dump's settings into st. */
static MARIADB_RPL *open_dump(struct mb_src *s, MYSQL *m, struct mb_st *st, struct drom_error *err)
{
    if (setup_session(s, m, err))
        return NULL;
    MARIADB_RPL *rpl = mariadb_rpl_init(m);
    if (!rpl) {
        drom_err(err, DROM_ECONNECT, "mariadb_rpl_init: %s", mysql_error(m));
        return NULL;
    }
    unsigned flags = s->mariadb && s->cfg.include_query ? MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS : 0;
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, (unsigned)s->cfg.server_id);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, s->start.file, strlen(s->start.file));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, (unsigned long)s->start.pos);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, flags);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_VERIFY_CHECKSUM, 1u);
    if (mariadb_rpl_open(rpl)) {
        drom_err(err, DROM_ECONNECT, "binlog dump from %s:%" PRIu64 " refused: %s", s->start.file, s->start.pos,
                 mysql_error(m));
        mariadb_rpl_close(rpl);
        return NULL;
    }
    /* The fake rotate comes before the format description: whether it has a
     * checksum is what the server's binlog_checksum said. The library checks
     * the events it fetches; those read as packets are checked here. */
    st->checksum = rpl->artificial_checksum;
    st->verify = !s->mariadb;
    return rpl;
}

int mb_stream(struct mb_src *s, bool *connected, struct drom_error *err)
{
    /* a blocking snapshot paused the stream (or was interrupted by a restart): it goes first */
    if (mb_blocking_run(s, err))
        return -1;
    MYSQL *m = mb_early_take(s);   /* opened beside the start's checks */
    if (!m && !(m = mb_connect(s, true, err)))
        return -1;
    MARIADB_RPL_EVENT *ev = NULL;
    struct mb_st st;
    mb_st_init(s, &st);
    int rc = -1;
    bool paused = false;   /* closed for a blocking snapshot, not lost */
    MARIADB_RPL *rpl = open_dump(s, m, &st, err);
    if (!rpl)
        goto out;
    *connected = true;
    drom_endpoint_set_ready(s->ep, true, NULL);
    drom_endpoint_gauge(s->ep, "Connected", 1);
    drom_endpoint_text(s->ep, "BinlogFilename", s->start.file);
    char tls[200];
    mb_tls_describe(m, tls, sizeof tls);
    drom_info(s->ep->route_id, "%s streaming binlog from %s:%" PRIu64 " of %s:%u over %s", s->ep->uri_masked,
              s->start.file, s->start.pos, s->cfg.host, s->cfg.port, tls);
    if (mb_incsnap_stream_start(s, err))
        goto out;
    while (!atomic_load(&s->stopping)) {
        const uint8_t *raw = NULL;
        size_t len = 0;
        struct mb_rows inflated, *infl = NULL;
        int got = s->mariadb ? mariadb_next(s, m, rpl, &ev, &raw, &len, &inflated, &infl, err)
                             : mysql_next(m, &raw, &len, err);
        if (got <= 0) {
            if (atomic_load(&s->stopping))
                break;
            if (got == 0)
                drom_err(err, DROM_ECONNECT, "binlog connection lost: end of stream");
            goto out;
        }
        uint32_t next = 0;
        if (len >= MB_EVENT_HEADER) {
            next = (uint32_t)raw[13] | (uint32_t)raw[14] << 8 | (uint32_t)raw[15] << 16 | (uint32_t)raw[16] << 24;
            if (next)
                drom_endpoint_gauge(s->ep, "BinlogPosition", next);
        }
        /* Kafka's signals are taken between transactions, where s->start is the stream's position */
        if (!st.in_tx && mb_signal_kafka_drain(s, err))
            goto out;
        if (s->blocking)
            break;   /* this event is read again after the snapshot */
        if (mb_st_event(s, &st, raw, len, infl, err))
            goto out;
        if (s->blocking)
            break;   /* the stream pauses right after the signal */
        /* a rotate's position is in the file it leaves; an artificial event has none */
        if (next && raw[4] != MB_EV_ROTATE && mb_incsnap_stream_at(s, st.file, next, err))
            goto out;
    }
    paused = s->blocking != NULL;
    rc = 0;
out:
    mb_st_free(&st);
    mb_meta_close(s);
    if (ev)
        mariadb_free_rpl_event(ev);
    if (rpl)
        mariadb_rpl_close(rpl);
    close_conn(s, 0);
    if (*connected && !atomic_load(&s->stopping) && !paused)
        drom_endpoint_count(s->ep, "NumberOfDisconnects", 1);
    drom_endpoint_gauge(s->ep, "Connected", 0);
    return atomic_load(&s->stopping) ? 0 : rc;
}
