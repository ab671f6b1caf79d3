/* Read-only incremental snapshots (readOnly, Debezium's read.only): a
 * source whose user may not write the signal table still snapshots by
 * chunks. Each chunk is read inside START TRANSACTION WITH CONSISTENT
 * SNAPSHOT, for which MariaDB reports the binlog position its read view
 * matches exactly (binlog_snapshot_file/_position, the initial snapshot's
 * position too): every transaction before that position is in the chunk,
 * none after it. That position is the chunk's watermark: the stream's
 * changes up to it drop the rows of their keys from the chunk (their
 * images are those the chunk holds), and once the stream has passed it
 * the rest goes out, before any later change.
 *
 * Debezium's read-only variant takes GTID sets read before and after the
 * SELECT instead. MariaDB adds a GTID to @@gtid_binlog_pos when the
 * transaction is written to the binlog, before InnoDB commits it, so a
 * SELECT right after can miss a transaction the low watermark already
 * counts: that row would go out with its older image after the streamed
 * change. The consistent snapshot's position has no such gap. MySQL
 * reports no such position: readOnly is refused there (mb_signal.c). */
#include <stdio.h>
#include <string.h>

#include "components/mysql-binlog/mb_incsnap_int.h"

int mb_inc_ro_begin(struct mb_incsnap *inc, MYSQL *m, struct drom_error *err)
{
    inc->ro_file[0] = '\0';
    inc->ro_pos = 0;
    if (mb_query(m, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", err) ||
        mb_query(m, "START TRANSACTION WITH CONSISTENT SNAPSHOT", err) ||
        mb_snapshot_binlog_pos(m, inc->ro_file, sizeof inc->ro_file, &inc->ro_pos, err)) {
        mysql_query(m, "ROLLBACK");
        return -1;
    }
    return 0;
}

int mb_inc_ro_end(const struct mb_incsnap *inc, MYSQL *m, struct drom_error *err)
{
    if (mb_query(m, "COMMIT", err))
        return -1;
    if (!inc->ro_file[0] || inc->ro_pos < 4)
        return drom_err(err, DROM_EINVAL, "incremental snapshot: the server did not report the chunk's snapshot "
                        "position (binlog_snapshot_file/_position)");
    return 0;
}

bool mb_inc_ro_reached(const struct mb_incsnap *inc)
{
    if (!inc->at_file[0] || !inc->ro_file[0])
        return false;
    if (strcmp(inc->at_file, inc->ro_file) == 0)
        return inc->at_pos >= inc->ro_pos;
    return mb_binlog_after(inc->at_file, inc->ro_file);
}
