/* Binlog events from their raw bytes: the header, the bodies of the control
 * events the source acts on, and the events a MySQL 8 transaction payload
 * holds. The bytes are the same whether they came from a replication
 * connection or from a recorded binlog file, which is what lets a recorded
 * file run through the streaming decoder unchanged.
 *
 * Every read is bounds-checked. Parsed strings and bodies borrow from the
 * event bytes; a payload's inflated events live in the caller's buffer. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_EVENT_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/buf.h"
#include "runtime/error.h"

enum {
    MB_EV_QUERY = 2, MB_EV_ROTATE = 4, MB_EV_FDE = 15, MB_EV_XID = 16, MB_EV_TABLE_MAP = 19,
    MB_EV_HEARTBEAT = 27, MB_EV_ROWS_QUERY = 29, MB_EV_GTID = 33, MB_EV_ANONYMOUS_GTID = 34,
    MB_EV_PREVIOUS_GTIDS = 35, MB_EV_PARTIAL_UPDATE_ROWS = 39, MB_EV_TRANSACTION_PAYLOAD = 40,
    MB_EV_HEARTBEAT_V2 = 41, MB_EV_GTID_TAGGED = 42,
    MB_EV_ANNOTATE_ROWS = 160, MB_EV_MARIADB_GTID = 162,
};

#define MB_EVENT_HEADER 19

struct mb_event {
    uint32_t timestamp;
    uint8_t type;
    uint32_t server_id;
    uint32_t length;          /* as the header says: header + body + checksum */
    uint32_t next_pos;        /* 0 for artificial events and those inside a payload */
    uint16_t flags;
    const uint8_t *body;      /* after the header, without the checksum */
    size_t body_len;
};

/* Splits one event of `len` bytes; `checksum` says whether its last four
 * bytes are a CRC32, which is then verified. */
int mb_event_parse(struct mb_event *ev, const uint8_t *p, size_t len, bool checksum, struct drom_error *err);

/* FORMAT_DESCRIPTION (whole event bytes, checksum included when there is
 * one): whether the events after it carry a CRC32, and the table id size. */
int mb_event_fde(const uint8_t *p, size_t len, bool *checksum, unsigned *table_id_len, struct drom_error *err);

int mb_event_rotate(const struct mb_event *ev, uint64_t *pos, const char **name, size_t *name_len,
                    struct drom_error *err);

struct mb_query {
    uint32_t thread_id;
    const char *db, *sql;
    size_t db_len, sql_len;
};
int mb_event_query(const struct mb_event *ev, struct mb_query *q, struct drom_error *err);

/* MariaDB GTID_EVENT: "domain-server-seq" into out; standalone: a DDL with no XID after it. */
int mb_event_mariadb_gtid(const struct mb_event *ev, char *out, size_t size, bool *standalone,
                          struct drom_error *err);
/* MySQL GTID_LOG_EVENT / ANONYMOUS_GTID_LOG_EVENT: "uuid:gno" into out (empty
 * for an anonymous one) and the original commit time in microseconds (0 when
 * the server wrote none). */
int mb_event_mysql_gtid(const struct mb_event *ev, char *out, size_t size, int64_t *commit_us,
                        struct drom_error *err);
/* PREVIOUS_GTIDS_LOG_EVENT as MySQL prints a GTID set ("uuid:1-5:7-9,uuid:1-3"). */
int mb_event_previous_gtids(const struct mb_event *ev, struct drom_buf *out, struct drom_error *err);
/* ROWS_QUERY_LOG_EVENT / ANNOTATE_ROWS_EVENT: the statement. */
void mb_event_statement(const struct mb_event *ev, const char **sql, size_t *len);
/* HEARTBEAT_LOG_EVENT (v1: file name only) or _V2 (file name and position). */
int mb_event_heartbeat(const struct mb_event *ev, const char **file, size_t *file_len, uint64_t *pos,
                       struct drom_error *err);

/* TRANSACTION_PAYLOAD_EVENT: inflates the events it holds into `out`
 * (zstd, or stored as they are); they carry no checksums. */
int mb_event_payload(const struct mb_event *ev, struct drom_buf *out, struct drom_error *err);

/* The CRC32 (IEEE) binlog checksums use. */
uint32_t mb_crc32(const uint8_t *p, size_t len);

#endif
