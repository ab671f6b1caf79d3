/* The scalar encodings of the event writer: JSON strings, Java's number
 * text, base64, Kafka Connect's decimal bytes and the civil calendar. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/event_json_int.h"
#include "runtime/xalloc.h"

/* --- scalars --- */

static const char hexdig[] = "0123456789abcdef";

void mb_json_string(struct drom_buf *out, const void *data, size_t len)
{
    const uint8_t *s = data;
    drom_buf_putc(out, '"');
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            switch (c) {
            case '"': drom_buf_puts(out, "\\\""); break;
            case '\\': drom_buf_puts(out, "\\\\"); break;
            case '\b': drom_buf_puts(out, "\\b"); break;
            case '\f': drom_buf_puts(out, "\\f"); break;
            case '\n': drom_buf_puts(out, "\\n"); break;
            case '\r': drom_buf_puts(out, "\\r"); break;
            case '\t': drom_buf_puts(out, "\\t"); break;
            default:
                if (c < 0x20) {
                    char e[7] = {'\\', 'u', '0', '0', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15], 0};
                    drom_buf_puts(out, e);
                } else
                    drom_buf_putc(out, (char)c);
            }
            i++;
            continue;
        }
        /* Valid UTF-8 passes through; anything else becomes U+FFFD as Java's decoder does. */
        size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
        bool ok = n && i + n <= len;
        for (size_t k = 1; ok && k < n; k++)
            ok = (s[i + k] & 0xc0) == 0x80;
        if (ok && n == 3) {
            uint32_t cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6;
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        }
        if (ok && n == 4) {
            uint32_t cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3f) << 12;
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (ok) {
            drom_buf_append(out, s + i, n);
            i += n;
        } else {
            drom_buf_puts(out, "\xef\xbf\xbd");
            i++;
        }
    }
    drom_buf_putc(out, '"');
}

void mb_put_cstr(struct drom_buf *out, const char *s)
{
    if (s)
        mb_json_string(out, s, strlen(s));
    else
        drom_buf_puts(out, "null");
}

void mb_base64(struct drom_buf *out, const void *data, size_t len, bool url)
{
    const char *tab = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *p = data;
    char q[4];
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        q[0] = tab[v >> 18], q[1] = tab[(v >> 12) & 63], q[2] = tab[(v >> 6) & 63], q[3] = tab[v & 63];
        drom_buf_append(out, q, 4);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        q[0] = tab[v >> 18], q[1] = tab[(v >> 12) & 63], q[2] = '=', q[3] = '=';
        drom_buf_append(out, q, 4);
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        q[0] = tab[v >> 18], q[1] = tab[(v >> 12) & 63], q[2] = tab[(v >> 6) & 63], q[3] = '=';
        drom_buf_append(out, q, 4);
    }
}

void mb_put_bytes(struct drom_buf *out, enum mb_binary_mode mode, const void *data, size_t len)
{
    drom_buf_putc(out, '"');
    if (mode == MB_BIN_HEX) {
        const uint8_t *p = data;
        for (size_t i = 0; i < len; i++) {
            char h[2] = {hexdig[p[i] >> 4], hexdig[p[i] & 15]};
            drom_buf_append(out, h, 2);
        }
    } else
        mb_base64(out, data, len, mode == MB_BIN_BASE64_URL);
    drom_buf_putc(out, '"');
}

void mb_json_double(struct drom_buf *out, double d, bool is_float)
{
    if (d == 0) {
        drom_buf_puts(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    if (!isfinite(d)) {   /* not storable in MySQL; keep the JSON valid */
        drom_buf_puts(out, "null");
        return;
    }
    /* Shortest digits that read back as the same value, as Java (JDK 19+) prints. */
    char tmp[40];
    int maxp = is_float ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *q = tmp;
    bool neg = *q == '-';
    if (neg)
        q++;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int e = atoi(q + 1);
    if (neg)
        drom_buf_putc(out, '-');
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                drom_buf_putc(out, (size_t)i < nd ? digits[i] : '0');
            drom_buf_putc(out, '.');
            if ((size_t)e + 1 < nd)
                drom_buf_append(out, digits + e + 1, nd - (size_t)e - 1);
            else
                drom_buf_putc(out, '0');
        } else {
            drom_buf_puts(out, "0.");
            for (int i = 0; i < -e - 1; i++)
                drom_buf_putc(out, '0');
            drom_buf_append(out, digits, nd);
        }
    } else {
        drom_buf_putc(out, digits[0]);
        drom_buf_putc(out, '.');
        if (nd > 1)
            drom_buf_append(out, digits + 1, nd - 1);
        else
            drom_buf_putc(out, '0');
        drom_buf_printf(out, "E%d", e);
    }
}

int64_t mb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Kafka Connect Decimal: the unscaled value as big-endian two's complement
 * in the fewest bytes (Java's BigInteger.toByteArray), base64. */
void mb_put_decimal_bytes(struct drom_buf *out, const char *text)
{
    uint8_t mag[40] = {0};
    size_t n = 0;   /* bytes used, little-endian in mag */
    bool neg = *text == '-';
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            continue;
        unsigned carry = (unsigned)(*p - '0');
        for (size_t i = 0; i < n; i++) {
            unsigned v = mag[i] * 10u + carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry && n < sizeof mag)
            mag[n++] = (uint8_t)carry;
    }
    uint8_t be[41];
    size_t len;
    if (n == 0) {
        be[0] = 0;
        len = 1;
    } else if (!neg) {
        len = 0;
        if (mag[n - 1] & 0x80)
            be[len++] = 0;
        for (size_t i = n; i-- > 0;)
            be[len++] = mag[i];
    } else {
        /* two's complement of the magnitude in n bytes */
        uint8_t tc[40];
        unsigned carry = 1;
        for (size_t i = 0; i < n; i++) {
            unsigned v = (uint8_t)~mag[i] + carry;
            tc[i] = (uint8_t)v;
            carry = v >> 8;
        }
        len = 0;
        if (!(tc[n - 1] & 0x80))
            be[len++] = 0xff;
        for (size_t i = n; i-- > 0;)
            be[len++] = tc[i];
    }
    drom_buf_putc(out, '"');
    mb_base64(out, be, len, false);
    drom_buf_putc(out, '"');
}
