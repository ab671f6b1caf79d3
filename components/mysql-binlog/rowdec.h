/* Our own decoder of the binlog's TABLE_MAP and ROWS events (the library's
 * mariadb_rpl_extract_rows mis-decodes several types). Input is the event
 * body: the bytes after the 19-byte header, without the CRC32 trailer.
 * Every read is bounds-checked: malformed input is an error, never an
 * over-read, since the bytes come from the network (and from a fuzzer).
 *
 * Ownership: a struct mb_table owns its strings (free with mb_table_free).
 * Decoded values borrow from the ROWS body they were decoded from. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_ROWDEC_H
#define DROM_COMPONENTS_MYSQL_BINLOG_ROWDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/error.h"

/* Binlog column type codes. */
enum mb_type {
    MB_T_DECIMAL = 0, MB_T_TINY = 1, MB_T_SHORT = 2, MB_T_LONG = 3, MB_T_FLOAT = 4, MB_T_DOUBLE = 5,
    MB_T_NULL = 6, MB_T_TIMESTAMP = 7, MB_T_LONGLONG = 8, MB_T_INT24 = 9, MB_T_DATE = 10, MB_T_TIME = 11,
    MB_T_DATETIME = 12, MB_T_YEAR = 13, MB_T_NEWDATE = 14, MB_T_VARCHAR = 15, MB_T_BIT = 16,
    MB_T_TIMESTAMP2 = 17, MB_T_DATETIME2 = 18, MB_T_TIME2 = 19, MB_T_JSON = 245, MB_T_NEWDECIMAL = 246,
    MB_T_ENUM = 247, MB_T_SET = 248, MB_T_TINY_BLOB = 249, MB_T_MEDIUM_BLOB = 250, MB_T_LONG_BLOB = 251,
    MB_T_BLOB = 252, MB_T_VAR_STRING = 253, MB_T_STRING = 254, MB_T_GEOMETRY = 255,
};

#define MB_COLLATION_BINARY 63

struct mb_column {
    uint8_t type;          /* enum mb_type; STRING resolved to its real type (STRING, ENUM or SET) */
    uint16_t meta;         /* raw metadata as the table map gave it */
    uint32_t max_len;      /* CHAR/BINARY/VARCHAR: max bytes; ENUM/SET: pack length */
    uint8_t precision, scale;  /* NEWDECIMAL */
    uint8_t fsp;           /* TIME2/DATETIME2/TIMESTAMP2 */
    uint16_t nbits;        /* BIT */
    uint8_t len_bytes;     /* BLOB family, GEOMETRY, JSON: size of the length prefix; FLOAT/DOUBLE: pack length */
    bool nullable;
    bool is_unsigned;
    bool pk;
    uint32_t collation;    /* 0 when not a character column or unknown */
    uint8_t geom_type;     /* GEOMETRY_TYPE metadata: 0 geometry, 1 point, ... */
    char *name;            /* NULL when the table map had no COLUMN_NAME metadata */
    char **values;         /* ENUM/SET member names */
    size_t nvalues;
    char *def;             /* information_schema COLUMN_DEFAULT as the server prints it; NULL: none or unknown */
    /* from information_schema, for what the binlog does not tell apart */
    bool float_double;     /* FLOAT(M,D): Debezium makes it a double */
    bool uuid;             /* MariaDB's UUID type (16 bytes in the binlog) */
    char charset[16];      /* character set name; "" unknown (the collation id then decides) */
    /* Debezium's Column (from the table's definition): type name as
     * INT UNSIGNED, length and scale; -1 when it has none */
    char type_name[40];
    int64_t length, src_scale;
};

struct mb_table {
    uint64_t table_id;
    uint16_t flags;
    char *db, *table;
    size_t ncols;
    struct mb_column *cols;
    size_t npk;
    uint32_t *pk;          /* PK column indexes in key order */
    bool has_names;        /* COLUMN_NAME metadata was present (binlog_row_metadata=FULL) */
    bool has_signedness;
};

/* Parses a TABLE_MAP body. `table_id_len` is 6 normally (4 for ancient
 * servers: post_header_len of TABLE_MAP == 6). On error the table is left empty. */
int mb_table_parse(struct mb_table *t, const uint8_t *body, size_t len, unsigned table_id_len,
                   struct drom_error *err);
void mb_table_free(struct mb_table *t);
/* Whether the column's bytes are text (false: binary data). */
bool mb_column_is_text(const struct mb_column *c);

enum mb_rows_kind { MB_ROWS_WRITE, MB_ROWS_UPDATE, MB_ROWS_DELETE };

/* A ROWS event split into its parts; `data` holds the row images. */
struct mb_rows {
    enum mb_rows_kind kind;
    uint64_t table_id;
    uint16_t flags;
    size_t ncols;
    const uint8_t *present;        /* columns present in the (before) image */
    const uint8_t *present_after;  /* UPDATE: columns present in the after image */
    const uint8_t *data;
    size_t len;
    bool partial;                  /* PARTIAL_UPDATE_ROWS: after images may carry JSON diffs */
};

/* Event types 23-25 (v1), 30-32 (v2), 39 (MySQL's PARTIAL_UPDATE_ROWS, an
 * update), 166-168 (MariaDB compressed v1, whose body must already be
 * inflated: pass the library's row data instead).
 * Returns -1 for another type. */
int mb_rows_kind_of(unsigned event_type, enum mb_rows_kind *kind, bool *v2);
int mb_rows_parse(struct mb_rows *r, unsigned event_type, const uint8_t *body, size_t len,
                  unsigned table_id_len, struct drom_error *err);

enum mb_vkind {
    MB_V_ABSENT,     /* column not in this image (binlog_row_image MINIMAL/NOBLOB) */
    MB_V_NULL,
    MB_V_INT,        /* signed integers, YEAR (i = the year, 0 for 0000) */
    MB_V_UINT,       /* unsigned integers, BIT (u, nbits in the column), SET (bitmap), ENUM (1-based index) */
    MB_V_FLOAT,      /* d; FLOAT columns too (as the float's exact double) */
    MB_V_DECIMAL,    /* text in dec: "-12.340" with exactly `scale` fraction digits */
    MB_V_STRING,     /* s/len: raw column bytes (text or binary, see mb_column_is_text) */
    MB_V_DATE,       /* dt.year/month/day */
    MB_V_TIME,       /* i = signed microseconds */
    MB_V_DATETIME,   /* dt, wall clock */
    MB_V_TIMESTAMP,  /* i = seconds since the epoch, dt.usec */
    MB_V_JSON_DIFF,  /* s/len: the diffs of a partial JSON update (after image only) */
    MB_V_JSON_TEXT,  /* s/len: a JSON column already written as text (a partial update applied) */
};

struct mb_datetime {
    int year, month, day, hour, minute, second;
    int32_t usec;
};

struct mb_value {
    enum mb_vkind kind;
    bool zero;             /* a zero or partly zero date/datetime/timestamp ("0000-00-00") */
    int64_t i;
    uint64_t u;
    double d;
    const uint8_t *s;
    size_t len;
    struct mb_datetime dt;
    char dec[80];
};

/* Decodes one row image starting at r->data[*off] into vals[0..t->ncols),
 * advancing *off. `after` selects the UPDATE after-image bitmap. The table
 * must match r (same column count). */
int mb_row_decode(const struct mb_table *t, const struct mb_rows *r, bool after, size_t *off,
                  struct mb_value *vals, struct drom_error *err);

/* A packed binlog DECIMAL(precision, scale) of `len` bytes as text with
 * exactly `scale` fraction digits (also the opaque DECIMAL of binary JSON). */
int mb_decimal_text(unsigned precision, unsigned scale, const uint8_t *p, size_t len, char out[80],
                    struct drom_error *err);

#endif
