/* The values of mb_mapper.h's rules. Debezium maps the Java String of a
 * value, so the work is done on its UTF-16 units: truncation counts units
 * (and may split a surrogate pair), hashing v1 digests the salt then the
 * String's Java serialization (ObjectOutputStream: stream header, then the
 * modified UTF-8 of the units), v2 the salt then String.getBytes() (UTF-8,
 * the JVM's default charset since Java 18), written as lower-case hex. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/mb_mapper.h"
#include "runtime/xalloc.h"

struct units {
    uint16_t *u;
    size_t n, cap;
};

static void unit(struct units *s, uint32_t cp)
{
    if (s->n + 2 > s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->u = drom_xrealloc(s->u, s->cap * sizeof *s->u);
    }
    if (cp >= 0x10000) {
        cp -= 0x10000;
        s->u[s->n++] = (uint16_t)(0xd800 | cp >> 10);
        s->u[s->n++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
    } else
        s->u[s->n++] = (uint16_t)cp;
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v << 4 | (unsigned)(c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* The units of a JSON string as mb_json_string writes it (valid UTF-8, the
 * escapes of JSON), quotes included in [s, s+len). */
static void decode(struct units *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s + 1, *end = (const unsigned char *)s + len - 1;
    while (p < end) {
        if (*p == '\\' && p + 1 < end) {
            char e = (char)p[1];
            if (e == 'u' && p + 6 <= end) {
                unit(out, hex4((const char *)p + 2));
                p += 6;
                continue;
            }
            unit(out, e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : (uint32_t)e);
            p += 2;
            continue;
        }
        uint32_t cp = *p;
        size_t n = cp >= 0xf0 ? 4 : cp >= 0xe0 ? 3 : cp >= 0xc0 ? 2 : 1;
        if (n > 1)
            cp &= 0xffu >> (n + 1);
        for (size_t k = 1; k < n && p + k < end; k++)
            cp = cp << 6 | (p[k] & 0x3f);
        unit(out, cp);
        p += n;
    }
}

static size_t put_utf8(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80)
        return o[0] = (uint8_t)cp, 1;
    if (cp < 0x800)
        return o[0] = (uint8_t)(0xc0 | cp >> 6), o[1] = (uint8_t)(0x80 | (cp & 63)), 2;
    if (cp < 0x10000)
        return o[0] = (uint8_t)(0xe0 | cp >> 12), o[1] = (uint8_t)(0x80 | ((cp >> 6) & 63)),
               o[2] = (uint8_t)(0x80 | (cp & 63)), 3;
    return o[0] = (uint8_t)(0xf0 | cp >> 18), o[1] = (uint8_t)(0x80 | ((cp >> 12) & 63)),
           o[2] = (uint8_t)(0x80 | ((cp >> 6) & 63)), o[3] = (uint8_t)(0x80 | (cp & 63)), 4;
}

static bool high(uint16_t u) { return u >= 0xd800 && u < 0xdc00; }
static bool low(uint16_t u) { return u >= 0xdc00 && u < 0xe000; }

/* UTF-8 of the units, a lone surrogate written as `lone`. */
static void to_utf8(struct drom_buf *b, const uint16_t *u, size_t n, const char *lone)
{
    uint8_t e[4];
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = u[i];
        if (high(u[i]) && i + 1 < n && low(u[i + 1]))
            cp = 0x10000 + ((uint32_t)(u[i] - 0xd800) << 10) + (u[i + 1] - 0xdc00), i++;
        else if (high(u[i]) || low(u[i])) {
            drom_buf_puts(b, lone);
            continue;
        }
        drom_buf_append(b, e, put_utf8(e, cp));
    }
}

/* As Jackson writes a String: mb_json_string's escapes, a lone surrogate as \uXXXX. */
static void put_units(struct drom_buf *out, const uint16_t *u, size_t n)
{
    drom_buf_putc(out, '"');
    size_t from = 0;
    for (size_t i = 0; i <= n; i++) {
        bool pair = i + 1 < n && high(u[i]) && low(u[i + 1]);
        bool lone = i < n && !pair && (high(u[i]) || low(u[i]));
        if (i < n && !lone) {
            i += pair;
            continue;
        }
        struct drom_buf seg = DROM_BUF_INIT, js = DROM_BUF_INIT;
        to_utf8(&seg, u + from, i - from, "");
        mb_json_string(&js, seg.data ? seg.data : "", seg.len);
        drom_buf_append(out, js.data + 1, js.len - 2);
        drom_buf_free(&seg);
        drom_buf_free(&js);
        if (lone)
            drom_buf_printf(out, "\\u%04X", u[i]);
        from = i + 1;
    }
    drom_buf_putc(out, '"');
}

/* Java's modified UTF-8 (DataOutput.writeUTF): NUL in two bytes, each surrogate on its own. */
static void modified_utf8(struct drom_buf *b, const uint16_t *u, size_t n)
{
    uint8_t e[3];
    for (size_t i = 0; i < n; i++) {
        if (u[i] == 0) {
            e[0] = 0xc0, e[1] = 0x80;
            drom_buf_append(b, e, 2);
        } else
            drom_buf_append(b, e, put_utf8(e, u[i]));   /* a unit is below 0x10000: at most 3 bytes */
    }
}

static void put_hash(struct drom_buf *out, const struct mb_map_rule *r, int64_t length, const struct units *s)
{
    struct drom_buf data = DROM_BUF_INIT;
    if (r->kind == MB_MAP_HASH) {
        struct drom_buf m = DROM_BUF_INIT;
        modified_utf8(&m, s->u, s->n);
        static const uint8_t head[] = {0xac, 0xed, 0x00, 0x05};
        drom_buf_append(&data, head, sizeof head);
        uint8_t len[9];
        if (m.len <= 0xffff) {
            len[0] = 0x74, len[1] = (uint8_t)(m.len >> 8), len[2] = (uint8_t)m.len;
            drom_buf_append(&data, len, 3);
        } else {
            len[0] = 0x7c;
            for (int i = 0; i < 8; i++)
                len[1 + i] = (uint8_t)((uint64_t)m.len >> (56 - 8 * i));
            drom_buf_append(&data, len, 9);
        }
        drom_buf_append(&data, m.data, m.len);
        drom_buf_free(&m);
    } else
        to_utf8(&data, s->u, s->n, "?");   /* Java's encoder replaces a lone surrogate */
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *alg = EVP_get_digestbyname(r->algorithm);
    if (!ctx || !alg || !EVP_DigestInit_ex(ctx, alg, NULL) || !EVP_DigestUpdate(ctx, r->salt, strlen(r->salt)) ||
        !EVP_DigestUpdate(ctx, data.data ? data.data : "", data.len) || !EVP_DigestFinal_ex(ctx, md, &mdlen))
        mdlen = 0;   /* validate refuses an algorithm OpenSSL lacks: not reached */
    EVP_MD_CTX_free(ctx);
    drom_buf_free(&data);
    size_t hexlen = 2 * (size_t)mdlen;
    if (length > 0 && (size_t)length < hexlen)
        hexlen = (size_t)length;   /* Debezium cuts the hash to the column's length */
    drom_buf_putc(out, '"');
    for (size_t i = 0; i < hexlen; i++)
        drom_buf_putc(out, "0123456789abcdef"[i % 2 ? md[i / 2] & 15 : md[i / 2] >> 4]);
    drom_buf_putc(out, '"');
}

void mb_map_json(struct drom_buf *out, const struct mb_map_rule *r, int64_t length, const char *json, size_t len)
{
    if (r->kind == MB_MAP_MASK) {
        drom_buf_putc(out, '"');
        for (int64_t i = 0; i < r->n; i++)
            drom_buf_putc(out, '*');
        drom_buf_putc(out, '"');
        return;
    }
    bool string = len >= 2 && json[0] == '"';
    if (!string || r->kind == MB_MAP_PROPAGATE || r->kind == MB_MAP_PROPAGATE_TYPE ||
        (r->kind == MB_MAP_TRUNCATE && !mb_map_truncates(r, length))) {
        drom_buf_append(out, json, len);
        return;
    }
    struct units s = {0};
    decode(&s, json, len);
    if (r->kind == MB_MAP_TRUNCATE)
        put_units(out, s.u, s.n < (size_t)r->n ? s.n : (size_t)r->n);
    else
        put_hash(out, r, length, &s);
    free(s.u);
}
