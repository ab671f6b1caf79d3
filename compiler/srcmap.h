/* Positions inside attribute values and element text. The AST gives where an
 * attribute or a text starts; an error found inside the value (a bad `%`
 * escape in a URI, a Simple syntax error) must point at its own column.
 * Values arrive decoded (`&amp;` is one `&`, line breaks are spaces), so the
 * raw file text is walked alongside to find the real line and column.
 *
 * Ownership: a map borrows the text it was built on. */
#ifndef DROM_COMPILER_SRCMAP_H
#define DROM_COMPILER_SRCMAP_H

#include <stddef.h>

struct drom_srcmap {
    const char *text;
    size_t len;
    size_t *lines;      /* byte offset of each line's start */
    size_t nlines;
};

/* `text` may be NULL (no raw text): positions then fall back to the start. */
void drom_srcmap_init(struct drom_srcmap *m, const char *text, size_t len);
void drom_srcmap_free(struct drom_srcmap *m);

/* The attribute whose name starts at line:col: where its value's character
 * number `index` (0-based, counted in decoded characters) is in the file. */
void drom_srcmap_attr(const struct drom_srcmap *m, int line, int col, size_t index, int *out_line, int *out_col);
/* Element text `text` (decoded, as the AST holds it) whose first non-blank
 * character is at line:col: where its character at tline:tcol (1-based,
 * counted in `text` itself, leading blanks included) is in the file. */
void drom_srcmap_text(const struct drom_srcmap *m, const char *text, int line, int col, int tline, int tcol,
                      int *out_line, int *out_col);
/* Characters (not bytes) in the first `off` bytes of UTF-8 `s`. */
size_t drom_utf8_chars(const char *s, size_t off);

#endif
