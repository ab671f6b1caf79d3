#include "components/mysql-binlog/mb_jsonb.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/rowdec.h"
#include "components/mysql-binlog/rowdec_rd.h"
#include "runtime/xalloc.h"

/* The document as a tree, so partial updates can be applied to it:
 * scalars are kept as their final text. */
struct jn {
    enum { JN_TEXT, JN_OBJ, JN_ARR } kind;
    char *text;
    size_t n, cap;
    char **keys;          /* JN_OBJ: raw UTF-8 member names, NUL-terminated */
    size_t *key_lens;
    struct jn **kids;
};

enum { J_SMALL_OBJ, J_LARGE_OBJ, J_SMALL_ARR, J_LARGE_ARR, J_LITERAL, J_INT16, J_UINT16, J_INT32, J_UINT32,
       J_INT64, J_UINT64, J_DOUBLE, J_STRING, J_OPAQUE = 0x0f };

#define MAX_DEPTH 100

static void jn_free(struct jn *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        jn_free(j->kids[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->kids);
    free(j->keys);
    free(j->key_lens);
    free(j->text);
    free(j);
}

static struct jn *jn_text(struct drom_buf *b)
{
    struct jn *j = drom_xcalloc(1, sizeof *j);
    j->kind = JN_TEXT;
    j->text = drom_buf_detach(b);
    return j;
}

static int bad(struct drom_error *err, const char *what)
{
    return drom_err(err, DROM_EINVAL, "binary JSON malformed: %s", what);
}

/* The 7-bits-a-byte length before strings and opaque values. */
static int varlen(const uint8_t *p, size_t len, size_t *off, size_t *v, struct drom_error *err)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (*off >= len)
            return bad(err, "length truncated");
        uint8_t b = p[(*off)++];
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (x > len - *off)
                return bad(err, "length beyond the value");
            *v = (size_t)x;
            return 0;
        }
    }
    return bad(err, "length too long");
}

/* JsonStringFormatter's escaping: two-character forms for " \ and \b\t\n\f\r,
 * \u00XX for other control characters, everything else as it is. */
static void put_str(struct drom_buf *o, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    drom_buf_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\t' ? "\\t"
                      : c == '\n' ? "\\n" : c == '\f' ? "\\f" : c == '\r' ? "\\r" : NULL;
        if (e)
            drom_buf_puts(o, e);
        else if (c < 0x20)
            drom_buf_printf(o, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        else
            drom_buf_putc(o, (char)c);
    }
    drom_buf_putc(o, '"');
}

/* Double.toString, or BigDecimal(d).toPlainString where that would use an exponent. */
static void put_double(struct drom_buf *o, double d)
{
    struct drom_buf t = DROM_BUF_INIT;
    mb_json_double(&t, d, false);
    if (!strchr(drom_buf_cstr(&t), 'E')) {
        drom_buf_append(o, t.data, t.len);
        drom_buf_free(&t);
        return;
    }
    drom_buf_free(&t);
    char *x = NULL;
    /* glibc prints the exact binary value when asked for enough digits; BigDecimal keeps no trailing zeros */
    if (asprintf(&x, "%.1100f", d) < 0)
        return;
    char *dot = strchr(x, '.');
    if (dot) {
        char *end = x + strlen(x);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
    }
    drom_buf_puts(o, x);
    free(x);
}

static void two(struct drom_buf *o, int v) { drom_buf_printf(o, "%02d", v); }

/* The fraction as JsonStringFormatter writes it: six digits less their trailing zeros. */
static void put_frac(struct drom_buf *o, int64_t usec)
{
    if (!usec)
        return;
    char f[24];
    snprintf(f, sizeof f, "%06" PRId64, usec % 1000000);
    size_t n = 6;
    while (n > 1 && f[n - 1] == '0')
        n--;
    drom_buf_putc(o, '.');
    drom_buf_append(o, f, n);
}

/* Opaque temporal values: MySQL's packed 8-byte form, (int part << 24) + microseconds. */
static void put_temporal(struct drom_buf *o, unsigned type, int64_t packed)
{
    bool neg = packed < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)packed : (uint64_t)packed;
    int64_t usec = (int64_t)(a % (1u << 24));
    uint64_t ip = a >> 24;
    drom_buf_putc(o, '"');
    if (type == MB_T_TIME) {
        if (neg)
            drom_buf_putc(o, '-');
        two(o, (int)((ip >> 12) % (1 << 10)));
        drom_buf_printf(o, ":%02d:%02d", (int)((ip >> 6) % 64), (int)(ip % 64));
        put_frac(o, usec);
    } else {
        uint64_t ymd = ip >> 17, ym = ymd >> 5, hms = ip % (1 << 17);
        drom_buf_printf(o, "%04d-%02d-%02d", (int)(ym / 13), (int)(ym % 13), (int)(ymd % 32));
        if (type != MB_T_DATE) {
            drom_buf_printf(o, " %02d:%02d:%02d", (int)(hms >> 12), (int)((hms >> 6) % 64), (int)(hms % 64));
            put_frac(o, usec);
        }
    }
    drom_buf_putc(o, '"');
}

static int put_opaque(struct drom_buf *o, const uint8_t *p, size_t len, struct drom_error *err)
{
    size_t off = 1, n;
    if (len < 1)
        return bad(err, "opaque value truncated");
    unsigned type = p[0];
    if (varlen(p, len, &off, &n, err))
        return -1;
    const uint8_t *d = p + off;
    switch (type) {
    case MB_T_NEWDECIMAL: case MB_T_DECIMAL: {
        char dec[80];
        if (n < 2 || mb_decimal_text(d[0], d[1], d + 2, n - 2, dec, err))
            return n < 2 ? bad(err, "opaque DECIMAL truncated") : -1;
        drom_buf_puts(o, dec);
        return 0;
    }
    case MB_T_DATE: case MB_T_TIME: case MB_T_DATETIME: case MB_T_TIMESTAMP:
        if (n < 8)
            return bad(err, "opaque temporal value truncated");
        put_temporal(o, type == MB_T_TIMESTAMP ? MB_T_DATETIME : type, (int64_t)le(d, 8));
        return 0;
    default:
        drom_buf_putc(o, '"');
        mb_base64(o, d, n, false);
        drom_buf_putc(o, '"');
        return 0;
    }
}

static struct jn *parse(unsigned type, const uint8_t *p, size_t len, int depth, struct drom_error *err);

static struct jn *parse_container(unsigned type, const uint8_t *p, size_t len, int depth, struct drom_error *err)
{
    bool large = type == J_LARGE_OBJ || type == J_LARGE_ARR, obj = type <= J_LARGE_OBJ;
    unsigned w = large ? 4 : 2;
    if (depth > MAX_DEPTH) {
        bad(err, "nested too deep");
        return NULL;
    }
    if (len < 2 * w) {
        bad(err, "container header truncated");
        return NULL;
    }
    size_t count = (size_t)le(p, w), size = (size_t)le(p + w, w);
    size_t entries = 2 * w + count * ((obj ? w + 2 : 0) + 1 + w);
    if (size > len || count > size || entries > size) {
        bad(err, "container larger than its value");
        return NULL;
    }
    struct jn *j = drom_xcalloc(1, sizeof *j);
    j->kind = obj ? JN_OBJ : JN_ARR;
    j->cap = count ? count : 1;
    j->kids = drom_xcalloc(j->cap, sizeof *j->kids);
    if (obj) {
        j->keys = drom_xcalloc(j->cap, sizeof *j->keys);
        j->key_lens = drom_xcalloc(j->cap, sizeof *j->key_lens);
    }
    const uint8_t *ve = p + 2 * w + (obj ? count * (w + 2) : 0);
    for (size_t i = 0; i < count; i++, ve += 1 + w) {
        if (obj) {
            const uint8_t *ke = p + 2 * w + i * (w + 2);
            size_t ko = (size_t)le(ke, w), kl = (size_t)le(ke + w, 2);
            if (ko > size || kl > size - ko) {
                bad(err, "key beyond its object");
                goto fail;
            }
            j->keys[i] = drom_xstrndup((const char *)p + ko, kl);
            j->key_lens[i] = kl;
        }
        j->n = i + 1;   /* freed with the node from here on, value or not */
        unsigned vt = ve[0];
        bool inlined = vt == J_LITERAL || vt == J_INT16 || vt == J_UINT16 || (large && (vt == J_INT32 || vt == J_UINT32));
        if (inlined)
            j->kids[i] = parse(vt, ve + 1, w, depth + 1, err);
        else {
            size_t vo = (size_t)le(ve + 1, w);
            if (vo >= size) {
                bad(err, "value beyond its container");
                goto fail;
            }
            j->kids[i] = parse(vt, p + vo, size - vo, depth + 1, err);
        }
        if (!j->kids[i])
            goto fail;
    }
    return j;
fail:
    jn_free(j);
    return NULL;
}

static struct jn *parse(unsigned type, const uint8_t *p, size_t len, int depth, struct drom_error *err)
{
    static const unsigned width[] = {[J_INT16] = 2, [J_UINT16] = 2, [J_INT32] = 4, [J_UINT32] = 4,
                                     [J_INT64] = 8, [J_UINT64] = 8, [J_DOUBLE] = 8};
    struct drom_buf b = DROM_BUF_INIT;
    switch (type) {
    case J_SMALL_OBJ: case J_LARGE_OBJ: case J_SMALL_ARR: case J_LARGE_ARR:
        return parse_container(type, p, len, depth, err);
    case J_LITERAL:
        if (len < 1 || p[0] > 2) {
            bad(err, "unknown literal");
            return NULL;
        }
        drom_buf_puts(&b, p[0] == 0 ? "null" : p[0] == 1 ? "true" : "false");
        return jn_text(&b);
    case J_INT16: case J_UINT16: case J_INT32: case J_UINT32: case J_INT64: case J_UINT64: case J_DOUBLE: {
        unsigned n = width[type];
        if (len < n) {
            bad(err, "number truncated");
            return NULL;
        }
        uint64_t u = le(p, n);
        if (type == J_DOUBLE) {
            double d;
            memcpy(&d, &u, 8);
            put_double(&b, d);
        } else if (type == J_UINT16 || type == J_UINT32 || type == J_UINT64)
            drom_buf_printf(&b, "%" PRIu64, u);
        else {
            unsigned shift = 64 - 8 * n;
            drom_buf_printf(&b, "%" PRId64, (int64_t)(u << shift) >> shift);
        }
        return jn_text(&b);
    }
    case J_STRING: {
        size_t off = 0, n;
        if (varlen(p, len, &off, &n, err))
            return NULL;
        put_str(&b, p + off, n);
        return jn_text(&b);
    }
    case J_OPAQUE:
        if (put_opaque(&b, p, len, err)) {
            drom_buf_free(&b);
            return NULL;
        }
        return jn_text(&b);
    default:
        drom_err(err, DROM_EINVAL, "binary JSON malformed: value type %u", type);
        return NULL;
    }
}

static void jn_write(struct drom_buf *o, const struct jn *j)
{
    if (j->kind == JN_TEXT) {
        drom_buf_puts(o, j->text);
        return;
    }
    drom_buf_putc(o, j->kind == JN_OBJ ? '{' : '[');
    for (size_t i = 0; i < j->n; i++) {
        if (i)
            drom_buf_putc(o, ',');
        if (j->kind == JN_OBJ) {
            put_str(o, (const uint8_t *)j->keys[i], j->key_lens[i]);
            drom_buf_putc(o, ':');
        }
        jn_write(o, j->kids[i]);
    }
    drom_buf_putc(o, j->kind == JN_OBJ ? '}' : ']');
}

static struct jn *parse_doc(const uint8_t *p, size_t len, struct drom_error *err)
{
    if (len == 0) {
        struct drom_buf b = DROM_BUF_INIT;
        drom_buf_puts(&b, "null");
        return jn_text(&b);
    }
    return parse(p[0], p + 1, len - 1, 0, err);
}

int mb_jsonb_text(struct drom_buf *out, const uint8_t *p, size_t len, struct drom_error *err)
{
    struct jn *j = parse_doc(p, len, err);
    if (!j)
        return -1;
    jn_write(out, j);
    jn_free(j);
    return 0;
}

/* --- partial updates --- */

/* One leg of a path: a member name or an array index. */
struct leg {
    bool is_key;
    char key[256];
    size_t key_len;
    size_t index;
};

/* Reads the next leg of a MySQL JSON path ("$.a[2]."b c""); 0 at the end. */
static int next_leg(const char **s, const char *end, struct leg *l, struct drom_error *err)
{
    const char *p = *s;
    if (p == end)
        return 0;
    l->key_len = 0;
    if (*p == '.') {
        p++;
        l->is_key = true;
        if (p < end && *p == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                if (l->key_len + 1 >= sizeof l->key)
                    return drom_err(err, DROM_EINVAL, "JSON path member too long");
                l->key[l->key_len++] = *p;
            }
            if (p == end)
                return drom_err(err, DROM_EINVAL, "JSON path: unterminated member name");
            p++;
        } else {
            for (; p < end && *p != '.' && *p != '['; p++) {
                if (l->key_len + 1 >= sizeof l->key)
                    return drom_err(err, DROM_EINVAL, "JSON path member too long");
                l->key[l->key_len++] = *p;
            }
        }
        l->key[l->key_len] = '\0';
    } else if (*p == '[') {
        char *e;
        l->is_key = false;
        l->index = (size_t)strtoull(p + 1, &e, 10);
        if (e == p + 1 || e >= end || *e != ']')
            return drom_err(err, DROM_EINVAL, "JSON path: bad array index");
        p = e + 1;
    } else
        return drom_err(err, DROM_EINVAL, "JSON path: unexpected '%c'", *p);
    *s = p;
    return 1;
}

static size_t find_key(const struct jn *j, const struct leg *l)
{
    for (size_t i = 0; i < j->n; i++)
        if (j->key_lens[i] == l->key_len && memcmp(j->keys[i], l->key, l->key_len) == 0)
            return i;
    return SIZE_MAX;
}

/* MySQL keeps object members sorted by name length, then bytes. */
static size_t key_slot(const struct jn *j, const struct leg *l)
{
    size_t i = 0;
    while (i < j->n && (j->key_lens[i] < l->key_len ||
                        (j->key_lens[i] == l->key_len && memcmp(j->keys[i], l->key, l->key_len) < 0)))
        i++;
    return i;
}

static void insert_at(struct jn *j, size_t at, struct jn *v, const struct leg *l)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? 2 * j->cap : 4;
        j->kids = drom_xrealloc(j->kids, j->cap * sizeof *j->kids);
        if (j->kind == JN_OBJ) {
            j->keys = drom_xrealloc(j->keys, j->cap * sizeof *j->keys);
            j->key_lens = drom_xrealloc(j->key_lens, j->cap * sizeof *j->key_lens);
        }
    }
    memmove(j->kids + at + 1, j->kids + at, (j->n - at) * sizeof *j->kids);
    j->kids[at] = v;
    if (j->kind == JN_OBJ) {
        memmove(j->keys + at + 1, j->keys + at, (j->n - at) * sizeof *j->keys);
        memmove(j->key_lens + at + 1, j->key_lens + at, (j->n - at) * sizeof *j->key_lens);
        j->keys[at] = drom_xstrndup(l->key, l->key_len);
        j->key_lens[at] = l->key_len;
    }
    j->n++;
}

static void remove_at(struct jn *j, size_t at)
{
    jn_free(j->kids[at]);
    memmove(j->kids + at, j->kids + at + 1, (j->n - at - 1) * sizeof *j->kids);
    if (j->kind == JN_OBJ) {
        free(j->keys[at]);
        memmove(j->keys + at, j->keys + at + 1, (j->n - at - 1) * sizeof *j->keys);
        memmove(j->key_lens + at, j->key_lens + at + 1, (j->n - at - 1) * sizeof *j->key_lens);
    }
    j->n--;
}

/* Applies one diff; takes `v` (NULL for a removal). */
static int apply(struct jn **root, unsigned op, const char *path, size_t plen, struct jn *v, struct drom_error *err)
{
    const char *s = path, *end = path + plen;
    if (plen == 0 || *s != '$') {
        jn_free(v);
        return drom_err(err, DROM_EINVAL, "JSON diff path '%.*s' does not start with $", (int)plen, path);
    }
    s++;
    struct leg l;
    int more = next_leg(&s, end, &l, err);
    if (more < 0) {
        jn_free(v);
        return -1;
    }
    if (!more) {   /* the whole document */
        if (op != 0) {
            jn_free(v);
            return drom_err(err, DROM_EINVAL, "JSON diff: only a replace can address the whole document");
        }
        jn_free(*root);
        *root = v;
        return 0;
    }
    struct jn *parent = *root;
    for (;;) {
        struct leg next;
        int r = next_leg(&s, end, &next, err);
        if (r < 0) {
            jn_free(v);
            return -1;
        }
        bool last = r == 0;
        size_t at = SIZE_MAX;
        if (l.is_key && parent->kind == JN_OBJ)
            at = find_key(parent, &l);
        else if (!l.is_key && parent->kind == JN_ARR)
            at = l.index < parent->n ? l.index : SIZE_MAX;
        if (last) {
            if (op == 1) {   /* insert */
                if (parent->kind == JN_OBJ && l.is_key && at == SIZE_MAX)
                    insert_at(parent, key_slot(parent, &l), v, &l);
                else if (parent->kind == JN_ARR && !l.is_key)
                    insert_at(parent, l.index < parent->n ? l.index : parent->n, v, &l);
                else
                    break;
                return 0;
            }
            if (at == SIZE_MAX)
                break;
            if (op == 2)
                remove_at(parent, at);
            else {
                jn_free(parent->kids[at]);
                parent->kids[at] = v;
            }
            return 0;
        }
        if (at == SIZE_MAX)
            break;
        parent = parent->kids[at];
        l = next;
    }
    jn_free(v);
    return drom_err(err, DROM_EINVAL, "JSON diff: path '%.*s' is not in the before image", (int)plen, path);
}

int mb_jsonb_patch(struct drom_buf *out, const uint8_t *before, size_t before_len, const uint8_t *diff,
                   size_t diff_len, struct drom_error *err)
{
    struct jn *root = parse_doc(before, before_len, err);
    if (!root)
        return -1;
    size_t off = 0;
    while (off < diff_len) {
        unsigned op = diff[off++];
        uint64_t plen, vlen;
        if (op > 2 || lenenc(diff, diff_len, &off, &plen) || plen > diff_len - off) {
            jn_free(root);
            return bad(err, "JSON diff truncated");
        }
        const char *path = (const char *)diff + off;
        off += (size_t)plen;
        struct jn *v = NULL;
        if (op != 2) {
            if (lenenc(diff, diff_len, &off, &vlen) || vlen > diff_len - off) {
                jn_free(root);
                return bad(err, "JSON diff value truncated");
            }
            v = parse_doc(diff + off, (size_t)vlen, err);
            off += (size_t)vlen;
            if (!v) {
                jn_free(root);
                return -1;
            }
        }
        if (apply(&root, op, path, (size_t)plen, v, err)) {
            jn_free(root);
            return -1;
        }
    }
    jn_write(out, root);
    jn_free(root);
    return 0;
}
