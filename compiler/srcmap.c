#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "srcmap.h"
#include "runtime/xalloc.h"

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t drom_utf8_chars(const char *s, size_t off)
{
    size_t n = 0;
    for (size_t i = 0; i < off && s[i]; i++)
        if (!is_cont((unsigned char)s[i]))
            n++;
    return n;
}

void drom_srcmap_init(struct drom_srcmap *m, const char *text, size_t len)
{
    *m = (struct drom_srcmap){.text = text, .len = len};
    if (!text)
        return;
    size_t cap = 0;
    drom_xgrow((void **)&m->lines, &cap, 1, sizeof *m->lines);
    m->lines[m->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            drom_xgrow((void **)&m->lines, &cap, m->nlines + 1, sizeof *m->lines);
            m->lines[m->nlines++] = i + 1;
        }
    }
}

void drom_srcmap_free(struct drom_srcmap *m)
{
    free(m->lines);
    *m = (struct drom_srcmap){0};
}

/* Byte offset of line:col (col counted in characters); len when outside. */
static size_t offset_of(const struct drom_srcmap *m, int line, int col)
{
    if (line < 1 || (size_t)line > m->nlines)
        return m->len;
    size_t p = m->lines[line - 1];
    for (int c = 1; c < col && p < m->len && m->text[p] != '\n'; c++) {
        p++;
        while (p < m->len && is_cont((unsigned char)m->text[p]))
            p++;
    }
    return p;
}

static void position_of(const struct drom_srcmap *m, size_t off, int *line, int *col)
{
    size_t lo = 0, hi = m->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (m->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (int)lo + 1;
    *col = (int)drom_utf8_chars(m->text + m->lines[lo], off - m->lines[lo]) + 1;
}

static bool starts(const struct drom_srcmap *m, size_t p, const char *s)
{
    size_t n = strlen(s);
    return p + n <= m->len && memcmp(m->text + p, s, n) == 0;
}

/* Moves past markup that yields no character of element text. */
static size_t skip_markup(const struct drom_srcmap *m, size_t p, bool *in_cdata)
{
    for (;;) {
        if (*in_cdata && starts(m, p, "]]>")) {
            *in_cdata = false;
            p += 3;
        } else if (!*in_cdata && starts(m, p, "<![CDATA[")) {
            *in_cdata = true;
            p += 9;
        } else if (!*in_cdata && starts(m, p, "<!--")) {
            const char *end = memmem(m->text + p + 4, m->len - p - 4, "-->", 3);
            p = end ? (size_t)(end - m->text) + 3 : m->len;
        } else {
            return p;
        }
    }
}

/* Moves past one decoded character. */
static size_t step(const struct drom_srcmap *m, size_t p, bool text_mode, bool *in_cdata)
{
    if (text_mode)
        p = skip_markup(m, p, in_cdata);
    if (p >= m->len)
        return m->len;
    if (m->text[p] == '&' && !*in_cdata) {
        const char *semi = memchr(m->text + p, ';', m->len - p < 12 ? m->len - p : 12);
        return semi ? (size_t)(semi - m->text) + 1 : p + 1;
    }
    if (m->text[p] == '\r' && p + 1 < m->len && m->text[p + 1] == '\n')
        return p + 2;
    p++;
    while (p < m->len && is_cont((unsigned char)m->text[p]))
        p++;
    return p;
}

void drom_srcmap_attr(const struct drom_srcmap *m, int line, int col, size_t index, int *out_line, int *out_col)
{
    *out_line = line;
    *out_col = col;
    if (!m->text)
        return;
    size_t p = offset_of(m, line, col);
    while (p < m->len && m->text[p] != '=')
        p++;
    p++;
    while (p < m->len && m->text[p] != '"' && m->text[p] != '\'')
        p++;
    if (p >= m->len)
        return;
    char quote = m->text[p++];
    bool cdata = false;
    for (size_t i = 0; i < index && p < m->len && m->text[p] != quote; i++)
        p = step(m, p, false, &cdata);
    position_of(m, p, out_line, out_col);
}

void drom_srcmap_text(const struct drom_srcmap *m, const char *text, int line, int col, int tline, int tcol,
                      int *out_line, int *out_col)
{
    /* character index of tline:tcol in text, and of its first non-blank */
    size_t idx = 0, first = (size_t)-1, i = 0;
    int l = 1, c = 1, fl = 1, fc = 1;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        if (is_cont(*s))
            continue;
        if (first == (size_t)-1 && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
            first = i;
            fl = l;
            fc = c;
        }
        if (l == tline && c == tcol)
            idx = i;
        if (*s == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
        i++;
    }
    if (l == tline && c == tcol)
        idx = i;   /* just past the end */
    if (first == (size_t)-1)
        first = 0;
    if (idx < first)
        idx = first;
    if (!m->text) {
        *out_line = line + (tline - fl);
        *out_col = tline == fl ? col + (tcol - fc) : tcol;
        return;
    }
    size_t p = offset_of(m, line, col);
    /* the reader located the text at its first non-blank character, which
     * may sit inside a CDATA section opened before it */
    bool cdata = false;
    for (size_t q = p; q >= 3 && p - q < 4096; q--) {
        if (memcmp(m->text + q - 3, "]]>", 3) == 0)
            break;
        if (q >= 9 && memcmp(m->text + q - 9, "<![CDATA[", 9) == 0) {
            cdata = true;
            break;
        }
    }
    for (size_t k = first; k < idx && p < m->len; k++)
        p = step(m, p, true, &cdata);
    if (idx > first)
        p = skip_markup(m, p, &cdata);
    position_of(m, p, out_line, out_col);
}
