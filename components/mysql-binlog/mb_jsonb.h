/* MySQL's binary JSON (the JSON column type of MySQL 5.7+, as the binlog
 * carries it) written as the text Debezium's streaming gives for it:
 * compact, members in stored order, opaque DECIMAL as a plain number,
 * opaque DATE/TIME/DATETIME as quoted text, other opaque values as quoted
 * base64 (mysql-binlog-connector-java's JsonStringFormatter). Also the
 * partial updates of binlog_row_value_options=PARTIAL_JSON, applied to the
 * before image to give the whole after document.
 *
 * Input is untrusted: every read is bounds-checked, nesting is limited. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_JSONB_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_JSONB_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/buf.h"
#include "runtime/error.h"

/* Appends the text of the binary document p[0..len) (empty: JSON null,
 * which is how MySQL stores a JSON column set to SQL NULL's JSON form). */
int mb_jsonb_text(struct drom_buf *out, const uint8_t *p, size_t len, struct drom_error *err);

/* Appends the text of `before` with the diffs of a partial update applied
 * (a sequence of: operation u8 (0 replace, 1 insert, 2 remove), path as a
 * length-encoded string, and unless removing a length-encoded binary value). */
int mb_jsonb_patch(struct drom_buf *out, const uint8_t *before, size_t before_len, const uint8_t *diff,
                   size_t diff_len, struct drom_error *err);

#endif
