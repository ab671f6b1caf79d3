#include "components/mysql-binlog/mb_event.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "components/mysql-binlog/rowdec_rd.h"

uint32_t mb_crc32(const uint8_t *p, size_t len)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static int truncated(struct drom_error *err, const struct mb_event *ev, const char *what)
{
    return drom_err(err, DROM_EINVAL, "binlog event %u truncated: %s", ev->type, what);
}

int mb_event_parse(struct mb_event *ev, const uint8_t *p, size_t len, bool checksum, struct drom_error *err)
{
    memset(ev, 0, sizeof *ev);
    if (len < MB_EVENT_HEADER + (checksum ? 4u : 0u))
        return drom_err(err, DROM_EINVAL, "binlog event of %zu bytes, shorter than its header", len);
    ev->timestamp = (uint32_t)le(p, 4);
    ev->type = p[4];
    ev->server_id = (uint32_t)le(p + 5, 4);
    ev->length = (uint32_t)le(p + 9, 4);
    ev->next_pos = (uint32_t)le(p + 13, 4);
    ev->flags = (uint16_t)le(p + 17, 2);
    if (ev->length != len)
        return drom_err(err, DROM_EINVAL, "binlog event %u says %u bytes but has %zu", ev->type, ev->length, len);
    size_t trailer = checksum ? 4 : 0;
    if (checksum) {
        uint32_t want = (uint32_t)le(p + len - 4, 4), got = mb_crc32(p, len - 4);
        if (want != got)
            return drom_err(err, DROM_EINVAL, "binlog event %u: checksum %08" PRIx32 " where the event says %08" PRIx32,
                            ev->type, got, want);
    }
    ev->body = p + MB_EVENT_HEADER;
    ev->body_len = len - MB_EVENT_HEADER - trailer;
    return 0;
}

int mb_event_fde(const uint8_t *p, size_t len, bool *checksum, unsigned *table_id_len, struct drom_error *err)
{
    /* version u16, server version [50], created u32, header length u8, then a
     * post-header length per event type, the checksum algorithm and a CRC32 */
    const size_t fixed = MB_EVENT_HEADER + 2 + 50 + 4 + 1;
    if (len < fixed + 5 + MB_EV_TABLE_MAP)
        return drom_err(err, DROM_EINVAL, "format description event of %zu bytes", len);
    uint8_t alg = p[len - 5];
    *checksum = alg == 1;
    *table_id_len = p[fixed + MB_EV_TABLE_MAP - 1] == 6 ? 4 : 6;
    if (alg != 0 && alg != 1)
        return drom_err(err, DROM_EINVAL, "binlog checksum algorithm %u is unknown (CRC32 or none)", alg);
    if (*checksum) {
        /* MySQL sets "binlog in use" (flags bit 0) in a file's description after checksumming it */
        uint32_t crc;
        if (p[17] & 1) {
            uint8_t copy[1024];
            if (len > sizeof copy)
                return drom_err(err, DROM_EINVAL, "format description event of %zu bytes", len);
            memcpy(copy, p, len);
            copy[17] &= (uint8_t)~1u;
            crc = mb_crc32(copy, len - 4);
        } else
            crc = mb_crc32(p, len - 4);
        if (crc != (uint32_t)le(p + len - 4, 4))
            return drom_err(err, DROM_EINVAL, "format description event: bad checksum");
    }
    return 0;
}

int mb_event_rotate(const struct mb_event *ev, uint64_t *pos, const char **name, size_t *name_len,
                    struct drom_error *err)
{
    if (ev->body_len < 8)
        return truncated(err, ev, "rotate position");
    *pos = le(ev->body, 8);
    *name = (const char *)ev->body + 8;
    *name_len = ev->body_len - 8;
    return 0;
}

int mb_event_query(const struct mb_event *ev, struct mb_query *q, struct drom_error *err)
{
    const uint8_t *b = ev->body;
    if (ev->body_len < 13)
        return truncated(err, ev, "query post-header");
    q->thread_id = (uint32_t)le(b, 4);
    q->db_len = b[8];
    size_t status_len = (size_t)le(b + 11, 2);
    size_t off = 13 + status_len;
    if (off + q->db_len + 1 > ev->body_len)
        return truncated(err, ev, "query schema");
    q->db = (const char *)b + off;
    off += q->db_len + 1;
    q->sql = (const char *)b + off;
    q->sql_len = ev->body_len - off;
    return 0;
}

int mb_event_mariadb_gtid(const struct mb_event *ev, char *out, size_t size, bool *standalone,
                          struct drom_error *err)
{
    if (ev->body_len < 13)
        return truncated(err, ev, "GTID");
    snprintf(out, size, "%" PRIu32 "-%" PRIu32 "-%" PRIu64, (uint32_t)le(ev->body + 8, 4), ev->server_id,
             le(ev->body, 8));
    *standalone = ev->body[12] & 1;
    return 0;
}

static void uuid_text(const uint8_t *u, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

int mb_event_mysql_gtid(const struct mb_event *ev, char *out, size_t size, int64_t *commit_us,
                        struct drom_error *err)
{
    /* flags u8, source uuid [16], gno i64, then (5.7+) logical clock fields,
     * and (8.0+) the commit timestamps: 7 bytes each, the original one
     * present only when bit 55 of the immediate one says it differs. */
    const uint8_t *b = ev->body;
    *commit_us = 0;
    out[0] = '\0';
    if (ev->body_len < 25)
        return truncated(err, ev, "GTID");
    if (ev->type == MB_EV_GTID) {
        char uuid[37];
        uuid_text(b + 1, uuid);
        snprintf(out, size, "%s:%" PRId64, uuid, (int64_t)le(b + 17, 8));
    }
    if (ev->body_len >= 42 + 7) {
        uint64_t immediate = le(b + 42, 7);
        if (immediate & (1ULL << 55)) {
            if (ev->body_len < 42 + 14)
                return truncated(err, ev, "original commit timestamp");
            *commit_us = (int64_t)le(b + 49, 7);
        } else
            *commit_us = (int64_t)immediate;
    }
    return 0;
}

int mb_event_previous_gtids(const struct mb_event *ev, struct drom_buf *out, struct drom_error *err)
{
    const uint8_t *b = ev->body;
    size_t n = ev->body_len, off = 8;
    if (n < 8)
        return truncated(err, ev, "GTID set");
    uint64_t nsids = le(b, 8);
    if (nsids >> 56)
        return drom_err(err, DROM_EINVAL, "previous GTIDs event: tagged GTID sets (MySQL 8.3+) are not read");
    for (uint64_t i = 0; i < nsids; i++) {
        if (n - off < 24)
            return truncated(err, ev, "GTID set");
        char uuid[37];
        uuid_text(b + off, uuid);
        uint64_t nint = le(b + off + 16, 8);
        off += 24;
        if (nint > (n - off) / 16)
            return truncated(err, ev, "GTID intervals");
        drom_buf_printf(out, "%s%s", i ? "," : "", uuid);
        for (uint64_t k = 0; k < nint; k++, off += 16) {
            /* [start, stop) of transaction numbers, which MySQL keeps in 1..2^63-1 */
            uint64_t start = le(b + off, 8), stop = le(b + off + 8, 8);
            if (start < 1 || stop <= start || stop - 1 > (uint64_t)INT64_MAX)
                return drom_err(err, DROM_EINVAL, "previous GTIDs event: interval [%" PRIu64 ", %" PRIu64 ") of %s is not a range of transaction numbers",
                                start, stop, uuid);
            if (stop - 1 > start)
                drom_buf_printf(out, ":%" PRIu64 "-%" PRIu64, start, stop - 1);
            else
                drom_buf_printf(out, ":%" PRIu64, start);
        }
    }
    return 0;
}

void mb_event_statement(const struct mb_event *ev, const char **sql, size_t *len)
{
    /* ROWS_QUERY starts with a one-byte length that long statements overflow: the text is the rest. */
    size_t skip = ev->type == MB_EV_ROWS_QUERY && ev->body_len ? 1 : 0;
    *sql = (const char *)ev->body + skip;
    *len = ev->body_len - skip;
}

int mb_event_heartbeat(const struct mb_event *ev, const char **file, size_t *file_len, uint64_t *pos,
                       struct drom_error *err)
{
    if (ev->type == MB_EV_HEARTBEAT) {
        *file = (const char *)ev->body;
        *file_len = ev->body_len;
        *pos = ev->next_pos;
        return 0;
    }
    /* v2: fields of type u8, length, value up to an end mark 0; 1 = file
     * name, 2 = position as a length-encoded integer */
    *file = NULL;
    *file_len = 0;
    *pos = 0;
    size_t off = 0;
    while (off < ev->body_len) {
        uint8_t type = ev->body[off++];
        uint64_t len, v;
        if (type == 0)
            break;
        if (lenenc(ev->body, ev->body_len, &off, &len) || len > ev->body_len - off)
            return truncated(err, ev, "heartbeat field");
        size_t voff = 0;
        if (type == 1) {
            *file = (const char *)ev->body + off;
            *file_len = (size_t)len;
        } else if (type == 2) {
            if (lenenc(ev->body + off, (size_t)len, &voff, &v))
                return drom_err(err, DROM_EINVAL, "heartbeat position malformed");
            *pos = v;
        }
        off += (size_t)len;
    }
    return 0;
}

int mb_event_payload(const struct mb_event *ev, struct drom_buf *out, struct drom_error *err)
{
    /* header fields (type, length, value as length-encoded integers) up to an end mark, then the payload */
    const uint8_t *b = ev->body;
    size_t n = ev->body_len, off = 0;
    uint64_t size = UINT64_MAX, alg = UINT64_MAX, usize = 0;
    for (;;) {
        uint64_t type, len, v;
        size_t voff = 0;
        if (lenenc(b, n, &off, &type))
            return truncated(err, ev, "payload header");
        if (type == 0)
            break;
        if (lenenc(b, n, &off, &len) || len > n - off || lenenc(b + off, (size_t)len, &voff, &v))
            return truncated(err, ev, "payload header field");
        off += (size_t)len;
        if (type == 1)
            size = v;
        else if (type == 2)
            alg = v;
        else if (type == 3)
            usize = v;
    }
    if (size == UINT64_MAX || alg == UINT64_MAX)
        return drom_err(err, DROM_EINVAL, "transaction payload without its size or compression type");
    if (size > n - off)
        return drom_err(err, DROM_EINVAL, "transaction payload of %" PRIu64 " bytes in an event of %zu", size, n - off);
    drom_buf_reset(out);
    if (alg == 255) {   /* NONE */
        drom_buf_append(out, b + off, (size_t)size);
        return 0;
    }
    if (alg != 0)
        return drom_err(err, DROM_EINVAL, "transaction payload compressed with algorithm %" PRIu64
                        " (only zstd is known)", alg);
    ZSTD_DStream *z = ZSTD_createDStream();
    if (!z)
        return drom_err(err, DROM_ENOMEM, "zstd: no memory for a decompression stream");
    ZSTD_initDStream(z);
    ZSTD_inBuffer in = {.src = b + off, .size = (size_t)size};
    char chunk[16384];
    size_t rc = 1;
    while (rc != 0) {
        ZSTD_outBuffer o = {.dst = chunk, .size = sizeof chunk};
        rc = ZSTD_decompressStream(z, &o, &in);
        if (ZSTD_isError(rc)) {
            ZSTD_freeDStream(z);
            return drom_err(err, DROM_EINVAL, "transaction payload: zstd: %s", ZSTD_getErrorName(rc));
        }
        drom_buf_append(out, chunk, o.pos);
        if (in.pos == in.size && o.pos < o.size && rc != 0) {
            ZSTD_freeDStream(z);
            return drom_err(err, DROM_EINVAL, "transaction payload: zstd stream ends early");
        }
    }
    ZSTD_freeDStream(z);
    if (usize && out->len != usize)
        return drom_err(err, DROM_EINVAL, "transaction payload inflated to %zu bytes, the event says %" PRIu64,
                        out->len, usize);
    return 0;
}
