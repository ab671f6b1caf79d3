/* Server text read as the binlog decoder's values, and the few statements
 * the stream must recognise: text-protocol cells (snapshot rows),
 * information_schema COLUMN_DEFAULT literals (schema defaults), TRUNCATE
 * statements (QUERY events). Pure: no connection, no allocation kept.
 *
 * Ownership: values borrow from the text they were read from, or from the
 * caller's buffer when unquoting was needed. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_TEXT_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "components/mysql-binlog/rowdec.h"
#include "runtime/buf.h"

/* A text-protocol cell of column c (NULL: SQL NULL) into v. TIMESTAMP text
 * is read as UTC. */
void mb_text_value(const struct mb_column *c, const char *s, size_t len, struct mb_value *v);

/* The default Debezium puts in the field schema of column c, from the
 * column's information_schema COLUMN_DEFAULT text as MariaDB prints it
 * (NULL: no DEFAULT; NULL text: DEFAULT NULL; 'quoted' literals; numbers;
 * b'101'; expressions). False when the schema gets no default. A TIMESTAMP
 * literal is read as UTC (Debezium reads it in the JVM's zone, UTC in its
 * images). MySQL 8 prints string defaults unquoted: those read as
 * expressions, so no default. `buf` holds the unquoted text v may point
 * into; the caller frees it. */
bool mb_default_value(const struct mb_column *c, const char *text, struct drom_buf *buf, struct mb_value *v);

/* Recognises TRUNCATE [TABLE] [db.]name (backquotes, comments allowed) and
 * names its table; the database defaults to `default_db` (the QUERY event's
 * current database). False for any other statement, or a name too long. */
bool mb_truncate_parse(const char *sql, size_t len, const char *default_db, char *db, size_t db_size, char *table,
                       size_t table_size);

#endif
