/* Debezium's column mappers (column.truncate.to.N.chars,
 * column.mask.with.N.chars, column.mask.hash[.v2].A.with.salt.S,
 * column.propagate.source.type, datatype.propagate.source.type) and
 * message.key.columns, with Debezium 3.6.1's semantics: a column takes the
 * first rule that names it, rules ordered by kind as above (hashing last),
 * so a column named by two rules gets one; patterns are comma-separated
 * regular expressions matched against db.table.column (db.table.TYPE for
 * datatype.propagate.source.type), whole and case-insensitively.
 *
 * Ownership: mb_mappers_free releases the rules; a rule found is borrowed
 * from its mappers. */
#ifndef DROM_COMPONENTS_MYSQL_BINLOG_MB_MAPPER_H
#define DROM_COMPONENTS_MYSQL_BINLOG_MB_MAPPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/buf.h"
#include "runtime/error.h"
#include "runtime/regex.h"

/* In Debezium's order of precedence. */
enum mb_map_kind { MB_MAP_TRUNCATE, MB_MAP_MASK, MB_MAP_PROPAGATE, MB_MAP_PROPAGATE_TYPE, MB_MAP_HASH, MB_MAP_HASH_V2 };

struct mb_map_rule {
    enum mb_map_kind kind;
    int64_t n;                  /* TRUNCATE, MASK: N */
    char *algorithm;            /* HASH*: OpenSSL's name of Java's algorithm */
    char *salt;
    struct drom_regex_list match;
};

struct mb_mappers {
    size_t n;
    struct mb_map_rule *rules;
    size_t nkeys;
    struct drom_regex_list *keys;   /* message.key.columns, one "table.column" pattern each, in the order given */
};

/* Adds the rule of Debezium property `name` (one of the names above) with
 * the pattern list `value`; returns 1 when added, 0 when `name` is no
 * mapper's, -1 (err says what) on a bad N, algorithm or pattern. */
int mb_mappers_add(struct mb_mappers *m, const char *name, const char *value, struct drom_error *err);
/* message.key.columns: `table-regex:col,col;table-regex:col...`. */
int mb_mappers_set_keys(struct mb_mappers *m, const char *spec, struct drom_error *err);
void mb_mappers_free(struct mb_mappers *m);

/* The rule for a column (NULL: none); `type` is Debezium's type name (INT UNSIGNED). */
const struct mb_map_rule *mb_mappers_find(const struct mb_mappers *m, const char *db, const char *table,
                                          const char *column, const char *type);
/* Whether db.table.column is matched by the i-th key pattern. */
bool mb_mappers_key_matches(const struct mb_mappers *m, size_t i, const char *db, const char *table,
                            const char *column);

/* Whether TRUNCATE acts on a column of Debezium's `length` (-1: none). */
bool mb_map_truncates(const struct mb_map_rule *r, int64_t length);
/* Appends the JSON string `json` (as mb_json_string writes it; anything else,
 * null included, passes unchanged except for MASK, which writes its mask for
 * null too, as Debezium does) mapped by `r`: masked, hashed (cut to `length`
 * characters when above 0) or truncated to N UTF-16 units, a split surrogate
 * pair written as Jackson writes it (\uD83D). */
void mb_map_json(struct drom_buf *out, const struct mb_map_rule *r, int64_t length, const char *json, size_t len);

#endif
