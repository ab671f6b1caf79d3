#include "components/mysql-binlog/mb_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/event_json.h"

static void parse_frac(const char *p, int32_t *us)
{
    *us = 0;
    if (*p != '.')
        return;
    int digits = 0;
    for (p++; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
        *us = *us * 10 + (*p - '0');
    for (; digits < 6; digits++)
        *us *= 10;
}

void mb_text_value(const struct mb_column *c, const char *s, size_t len, struct mb_value *v)
{
    memset(v, 0, offsetof(struct mb_value, dec));
    v->dec[0] = '\0';
    if (!s) {
        v->kind = MB_V_NULL;
        return;
    }
    switch (c->type) {
    case MB_T_TINY: case MB_T_SHORT: case MB_T_INT24: case MB_T_LONG: case MB_T_LONGLONG:
        if (c->is_unsigned) {
            v->kind = MB_V_UINT;
            v->u = strtoull(s, NULL, 10);
        } else {
            v->kind = MB_V_INT;
            v->i = strtoll(s, NULL, 10);
        }
        return;
    case MB_T_FLOAT:
        v->kind = MB_V_FLOAT;
        v->d = strtof(s, NULL);
        return;
    case MB_T_DOUBLE:
        v->kind = MB_V_FLOAT;
        v->d = strtod(s, NULL);
        return;
    case MB_T_NEWDECIMAL:
        v->kind = MB_V_DECIMAL;
        snprintf(v->dec, sizeof v->dec, "%.*s", (int)len, s);
        return;
    case MB_T_BIT:
        v->kind = MB_V_UINT;
        for (unsigned long i = 0; i < len && i < 8; i++)
            v->u = v->u << 8 | (uint8_t)s[i];
        return;
    case MB_T_YEAR:
        v->kind = MB_V_INT;
        v->i = atoi(s);
        return;
    case MB_T_DATE: case MB_T_NEWDATE:
        v->kind = MB_V_DATE;
        sscanf(s, "%d-%d-%d", &v->dt.year, &v->dt.month, &v->dt.day);
        v->zero = !v->dt.year || !v->dt.month || !v->dt.day;
        return;
    case MB_T_TIME: case MB_T_TIME2: {
        bool neg = *s == '-';
        int h = 0, mi = 0, se = 0;
        sscanf(s + neg, "%d:%d:%d", &h, &mi, &se);
        const char *dot = strchr(s, '.');
        int32_t us = 0;
        if (dot)
            parse_frac(dot, &us);
        int64_t t = ((int64_t)h * 3600 + mi * 60 + se) * 1000000 + us;
        v->kind = MB_V_TIME;
        v->i = neg ? -t : t;
        return;
    }
    case MB_T_DATETIME: case MB_T_DATETIME2: case MB_T_TIMESTAMP: case MB_T_TIMESTAMP2: {
        struct mb_datetime d = {0};
        sscanf(s, "%d-%d-%d %d:%d:%d", &d.year, &d.month, &d.day, &d.hour, &d.minute, &d.second);
        const char *dot = strchr(s, '.');
        if (dot)
            parse_frac(dot, &d.usec);
        v->dt = d;
        v->zero = !d.year || !d.month || !d.day;
        if (c->type == MB_T_DATETIME || c->type == MB_T_DATETIME2)
            v->kind = MB_V_DATETIME;
        else {
            /* the session runs in UTC, so the text is UTC */
            v->kind = MB_V_TIMESTAMP;
            v->i = v->zero ? 0 : (mb_days_from_civil(d.year, (unsigned)d.month, (unsigned)d.day) * 86400 +
                                  d.hour * 3600 + d.minute * 60 + d.second);
        }
        return;
    }
    case MB_T_ENUM:
        /* kept as text: Debezium writes the snapshot's member as the server does, the binlog's index escaped */
        v->kind = MB_V_STRING;
        v->s = (const uint8_t *)s;
        v->len = len;
        return;
    case MB_T_SET: {
        v->kind = MB_V_UINT;
        const char *p = s, *end = s + len;
        while (p < end) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);
            for (size_t i = 0; i < c->nvalues && i < 64; i++)
                if (strlen(c->values[i]) == n && memcmp(c->values[i], p, n) == 0)
                    v->u |= 1ULL << i;
            p += n + 1;
        }
        return;
    }
    default:
        v->kind = MB_V_STRING;
        v->s = (const uint8_t *)s;
        v->len = len;
        return;
    }
}

/* --- COLUMN_DEFAULT --- */

/* MariaDB doubles quotes and escapes backslashes and control characters
 * inside a quoted default. */
static void unquote(const char *text, struct drom_buf *buf)
{
    drom_buf_reset(buf);
    drom_buf_append(buf, "", 0);
    for (const char *p = text + 1; *p; p++) {
        if (*p == '\'') {
            if (p[1] != '\'')
                break;
            p++;
        } else if (*p == '\\' && p[1]) {
            p++;
            static const char from[] = "ntr0Zb", to[] = "\n\t\r\0\032\b";
            const char *e = strchr(from, *p);
            drom_buf_putc(buf, e ? to[e - from] : *p);
            continue;
        }
        drom_buf_putc(buf, *p);
    }
}

static bool is_number(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    bool digits = false;
    while (isdigit((unsigned char)*s))
        s++, digits = true;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            digits = true;
    if (digits && (*s == 'e' || *s == 'E')) {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return digits && !*s;
}

/* Debezium's DDL parser turns CURRENT_TIMESTAMP and NOW() into the epoch;
 * MariaDB prints every spelling of them (LOCALTIMESTAMP, NOW()) as
 * current_timestamp(). */
static bool is_now(const char *s)
{
    return strncasecmp(s, "current_timestamp", 17) == 0 || strncasecmp(s, "now(", 4) == 0;
}

static bool is_temporal(uint8_t type)
{
    return type == MB_T_DATETIME || type == MB_T_DATETIME2 || type == MB_T_TIMESTAMP || type == MB_T_TIMESTAMP2;
}

static bool is_timestamp(uint8_t type)
{
    return type == MB_T_TIMESTAMP || type == MB_T_TIMESTAMP2;
}

/* DECIMAL defaults keep the column's scale, as BigDecimal.setScale does. */
static void decimal_scale(struct mb_value *v, unsigned scale)
{
    char *dot = strchr(v->dec, '.');
    size_t frac = dot ? strlen(dot + 1) : 0;
    if (!scale) {
        if (dot)
            *dot = '\0';
        return;
    }
    size_t n = strlen(v->dec);
    if (!dot && n + 1 < sizeof v->dec)
        v->dec[n++] = '.';
    for (; frac < scale && n + 1 < sizeof v->dec; frac++)
        v->dec[n++] = '0';
    v->dec[n] = '\0';
}

bool mb_default_value(const struct mb_column *c, const char *text, struct drom_buf *buf, struct mb_value *v)
{
    static const char epoch[] = "1970-01-01 00:00:00";
    memset(v, 0, sizeof *v);
    if (!text || strcmp(text, "NULL") == 0 || c->type == MB_T_GEOMETRY)
        return false;
    const char *lit;
    size_t len;
    if (text[0] == '\'') {
        unquote(text, buf);
        lit = buf->data;
        len = buf->len;
    } else if (is_now(text)) {
        if (!is_temporal(c->type))
            return false;
        lit = epoch;
        len = strlen(epoch);
    } else if ((text[0] == 'b' || text[0] == 'B') && text[1] == '\'') {
        if (c->type != MB_T_BIT)
            return false;
        v->kind = MB_V_UINT;
        for (const char *p = text + 2; *p == '0' || *p == '1'; p++)
            v->u = v->u << 1 | (uint64_t)(*p - '0');
        return true;
    } else if (is_number(text)) {
        lit = text;
        len = strlen(text);
    } else
        return false;   /* an expression: Debezium's parser keeps no default for it */
    if (c->type == MB_T_BIT) {
        v->kind = MB_V_UINT;
        v->u = strtoull(lit, NULL, 10);
        return true;
    }
    mb_text_value(c, lit, len, v);
    if (v->kind == MB_V_DECIMAL)
        decimal_scale(v, c->scale);
    /* Zero dates (and, for TIMESTAMP, the epoch itself): no default on a
     * nullable column, else the epoch. */
    if (v->zero || (is_timestamp(c->type) && strcmp(lit, epoch) == 0)) {
        if (c->nullable)
            return false;
        mb_text_value(c, epoch, strlen(epoch), v);
    }
    return true;
}

/* --- TRUNCATE --- */

static const char *skip_space(const char *p, const char *end)
{
    while (p < end) {
        if (isspace((unsigned char)*p))
            p++;
        else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
            const char *q = p + 2;
            while (q + 1 < end && !(q[0] == '*' && q[1] == '/'))
                q++;
            p = q + 1 < end ? q + 2 : end;
        } else if (*p == '#' || (end - p >= 3 && p[0] == '-' && p[1] == '-' && isspace((unsigned char)p[2]))) {
            while (p < end && *p != '\n')
                p++;
        } else
            break;
    }
    return p;
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static bool keyword(const char **p, const char *end, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(end - *p) < n || strncasecmp(*p, word, n) != 0 || (*p + n < end && ident_char((*p)[n])))
        return false;
    *p += n;
    return true;
}

/* A bare or backquoted name into out; false when absent or too long. */
static bool ident(const char **pp, const char *end, char *out, size_t size)
{
    const char *p = *pp;
    size_t n = 0;
    if (p < end && *p == '`') {
        for (p++;; p++) {
            if (p >= end)
                return false;
            if (*p == '`') {
                if (p + 1 < end && p[1] == '`')
                    p++;
                else
                    break;
            }
            if (n + 1 >= size)
                return false;
            out[n++] = *p;
        }
        p++;
    } else
        for (; p < end && ident_char(*p); p++) {
            if (n + 1 >= size)
                return false;
            out[n++] = *p;
        }
    out[n] = '\0';
    *pp = p;
    return n > 0;
}

bool mb_truncate_parse(const char *sql, size_t len, const char *default_db, char *db, size_t db_size, char *table,
                       size_t table_size)
{
    const char *p = sql, *end = sql + len;
    p = skip_space(p, end);
    if (!keyword(&p, end, "TRUNCATE"))
        return false;
    p = skip_space(p, end);
    if (keyword(&p, end, "TABLE"))
        p = skip_space(p, end);
    char first[256];
    if (!ident(&p, end, first, sizeof first))
        return false;
    p = skip_space(p, end);
    if (p < end && *p == '.') {
        p = skip_space(p + 1, end);
        if (!ident(&p, end, table, table_size) || strlen(first) >= db_size)
            return false;
        memcpy(db, first, strlen(first) + 1);
        return true;
    }
    if (!default_db || !*default_db || strlen(default_db) >= db_size || strlen(first) >= table_size)
        return false;
    memcpy(db, default_db, strlen(default_db) + 1);
    memcpy(table, first, strlen(first) + 1);
    return true;
}
