/* The hardened route-file reader. libxml2 drives our own SAX2 callbacks,
 * which build the AST iteratively (no recursion, so nesting depth cannot
 * overflow the stack) and stop the parser at the first problem. libxml2
 * 2.9 reports only lines, so positions are computed from the byte offset
 * of the parser's cursor within our own copy of the text. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "dsl/xml.h"
#include "runtime/buf.h"
#include "runtime/xalloc.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

struct frame {
    struct drom_ast_node *node;
    struct drom_ast_node **kids;
    size_t nkids, cap;
    struct drom_buf text;
    bool located;             /* text_line/col set from the first non-blank text */
};

struct reader {
    struct drom_ast *ast;
    const char *data;         /* the text libxml2 parses (BOM removed) */
    size_t len;
    xmlParserCtxtPtr ctxt;
    struct frame *stack;
    size_t depth, cap;
    size_t pos_off;           /* cache for locate(): a known offset and its line:col */
    int pos_line, pos_col;
    struct drom_error *err;
    bool failed;
};

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* line:col (1-based, columns in characters) of a byte offset. Offsets are
 * asked for mostly in increasing order, so a cursor is carried forward. */
static void locate(struct reader *r, size_t off, int *line, int *col)
{
    if (off > r->len)
        off = r->len;
    if (off < r->pos_off) {
        int nl = 0;
        for (size_t i = off; i < r->pos_off; i++)
            nl += r->data[i] == '\n';
        size_t ls = off;
        while (ls > 0 && r->data[ls - 1] != '\n')
            ls--;
        int c = 1;
        for (size_t i = ls; i < off; i++)
            c += !is_cont((unsigned char)r->data[i]);
        r->pos_line -= nl;
        r->pos_col = c;
        r->pos_off = off;
    }
    for (size_t i = r->pos_off; i < off; i++) {
        unsigned char ch = (unsigned char)r->data[i];
        if (ch == '\n') {
            r->pos_line++;
            r->pos_col = 1;
        } else if (!is_cont(ch)) {
            r->pos_col++;
        }
    }
    r->pos_off = off;
    *line = r->pos_line;
    *col = r->pos_col;
}

/* Byte offset of the parser's cursor in r->data. */
static size_t cursor(struct reader *r)
{
    xmlParserInputPtr in = r->ctxt->input;
    if (!in || !in->cur || !in->base || r->ctxt->inputNr != 1)
        return r->len;
    size_t off = (size_t)in->consumed + (size_t)(in->cur - in->base);
    return off > r->len ? r->len : off;
}

static void fail_at(struct reader *r, size_t off, const char *fmt, const char *arg)
{
    int line, col;
    locate(r, off, &line, &col);
    drom_err_at(r->err, DROM_EINVAL, r->ast->file, line, col, fmt, arg);
    r->failed = true;
    xmlStopParser(r->ctxt);
}

/* "&#38;": with entity substitution off, libxml2 hands a decoded '&' in an
 * attribute value back as this character reference (only it can make a
 * '&' appear there, as every literal '&' starts a reference). */
static char *attr_value(struct drom_arena *a, const xmlChar *v, const xmlChar *end)
{
    size_t n = (size_t)(end - v);
    char *s = drom_arena_strndup(a, (const char *)v, n);
    char *w = s;
    for (const char *p = s; *p;) {
        if (strncmp(p, "&#38;", 5) == 0) {
            *w++ = '&';
            p += 5;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return s;
}

struct raw_attr {
    size_t off, len;          /* the qualified name in r->data */
    bool used;
};

/* Finds the attribute names of the start tag at `lt` ('<') in the raw text,
 * for their positions. Returns how many were found (at most max). */
static size_t scan_tag(struct reader *r, size_t lt, size_t end, struct raw_attr *out, size_t max)
{
    const char *d = r->data;
    size_t p = lt + 1, n = 0;
    while (p < end && !is_blank((unsigned char)d[p]) && d[p] != '/' && d[p] != '>')
        p++;
    while (p < end && n < max) {
        while (p < end && is_blank((unsigned char)d[p]))
            p++;
        if (p >= end || d[p] == '/' || d[p] == '>')
            break;
        size_t s = p;
        while (p < end && !is_blank((unsigned char)d[p]) && d[p] != '=' && d[p] != '>' && d[p] != '/')
            p++;
        out[n++] = (struct raw_attr){.off = s, .len = p - s};
        while (p < end && is_blank((unsigned char)d[p]))
            p++;
        if (p < end && d[p] == '=')
            p++;
        while (p < end && is_blank((unsigned char)d[p]))
            p++;
        if (p < end && (d[p] == '"' || d[p] == '\'')) {
            char q = d[p++];
            while (p < end && d[p] != q)
                p++;
            p++;
        } else if (s == p) {
            break;    /* no progress: not a tag we understand */
        }
    }
    return n;
}

static size_t find_raw(struct reader *r, struct raw_attr *raw, size_t nraw, const xmlChar *prefix,
                       const xmlChar *local)
{
    size_t pl = prefix ? strlen((const char *)prefix) : 0, ll = strlen((const char *)local);
    for (size_t i = 0; i < nraw; i++) {
        const char *q = r->data + raw[i].off;
        if (raw[i].used)
            continue;
        if (prefix) {
            if (raw[i].len == pl + 1 + ll && memcmp(q, prefix, pl) == 0 && q[pl] == ':' &&
                memcmp(q + pl + 1, local, ll) == 0)
                return raw[i].used = true, i;
        } else if (raw[i].len == ll && memcmp(q, local, ll) == 0) {
            return raw[i].used = true, i;
        }
    }
    return SIZE_MAX;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    struct reader *r = ctx;
    if (r->failed)
        return;
    size_t end = cursor(r), lt = end < r->len ? end : r->len - 1;
    while (lt > 0 && r->data[lt] != '<')
        lt--;
    if (r->depth >= DROM_XML_MAX_DEPTH) {
        char limit[32];
        snprintf(limit, sizeof limit, "%d", DROM_XML_MAX_DEPTH);
        fail_at(r, lt, "elements are nested more than %s deep", limit);
        return;
    }
    struct drom_arena *a = &r->ast->arena;
    struct drom_ast_node *n = drom_arena_alloc(a, sizeof *n);
    n->name = drom_arena_strdup(a, (const char *)localname);
    n->ns = uri ? drom_arena_strdup(a, (const char *)uri) : NULL;
    n->file = r->ast->file;
    locate(r, lt, &n->line, &n->col);

    size_t max = (size_t)nb_attributes + (size_t)nb_namespaces;
    struct raw_attr *raw = max ? drom_xmalloc(max * sizeof *raw) : NULL;
    size_t nraw = max ? scan_tag(r, lt, end, raw, max) : 0;
    if (nb_attributes > 0)
        n->attrs = drom_arena_alloc(a, (size_t)nb_attributes * sizeof *n->attrs);
    for (int i = 0; i < nb_attributes; i++) {
        const xmlChar **at = attributes + 5 * i;
        if (at[2] && strcmp((const char *)at[2], XSI_NS) == 0)
            continue;
        struct drom_ast_attr *x = &n->attrs[n->nattrs++];
        x->name = drom_arena_strdup(a, (const char *)at[0]);
        x->value = attr_value(a, at[3], at[4]);
        size_t k = find_raw(r, raw, nraw, at[1], at[0]);
        if (k != SIZE_MAX) {
            locate(r, raw[k].off, &x->line, &x->col);
        } else {
            x->line = n->line;
            x->col = n->col;
        }
    }
    free(raw);
    (void)namespaces;
    (void)nb_defaulted;

    drom_xgrow((void **)&r->stack, &r->cap, r->depth + 1, sizeof *r->stack);
    r->stack[r->depth++] = (struct frame){.node = n};
}

static void close_frame(struct reader *r, struct frame *f)
{
    struct drom_arena *a = &r->ast->arena;
    struct drom_ast_node *n = f->node;
    if (f->nkids) {
        n->children = drom_arena_alloc(a, f->nkids * sizeof *n->children);
        memcpy(n->children, f->kids, f->nkids * sizeof *n->children);
        n->nchildren = f->nkids;
    }
    if (f->located)
        n->text = drom_arena_strndup(a, f->text.data, f->text.len);
    free(f->kids);
    drom_buf_free(&f->text);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    struct reader *r = ctx;
    if (r->failed || r->depth == 0)
        return;
    struct frame f = r->stack[--r->depth];
    close_frame(r, &f);
    if (r->depth == 0) {
        r->ast->root = f.node;
        return;
    }
    struct frame *p = &r->stack[r->depth - 1];
    f.node->parent = p->node;
    drom_xgrow((void **)&p->kids, &p->cap, p->nkids + 1, sizeof *p->kids);
    p->kids[p->nkids++] = f.node;
}

/* Where a chunk of text starts in r->data: libxml2 passes either a pointer
 * into its input buffer or a copy, delivered with the cursor after the
 * chunk (and after "]]>" for CDATA). Falls back to the cursor. */
static size_t text_offset(struct reader *r, const xmlChar *ch, size_t len)
{
    xmlParserInputPtr in = r->ctxt->input;
    if (in && in->base && ch >= in->base && ch < in->end && r->ctxt->inputNr == 1) {
        size_t off = (size_t)in->consumed + (size_t)(ch - in->base);
        if (off <= r->len)
            return off;
    }
    size_t e = cursor(r);
    if (e >= len && memcmp(r->data + e - len, ch, len) == 0)
        return e - len;
    if (e >= len + 3 && memcmp(r->data + e - len - 3, ch, len) == 0)
        return e - len - 3;
    return e;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    struct reader *r = ctx;
    if (r->failed || r->depth == 0 || len <= 0)
        return;
    struct frame *f = &r->stack[r->depth - 1];
    drom_buf_append(&f->text, ch, (size_t)len);
    if (f->located)
        return;
    int i = 0;
    while (i < len && is_blank(ch[i]))
        i++;
    if (i == len)
        return;
    size_t off = text_offset(r, ch, (size_t)len) + (size_t)i;
    locate(r, off, &f->node->text_line, &f->node->text_col);
    f->located = true;
}

/* Called once a DOCTYPE's name and external id are read, before its
 * internal subset or any external resource: refuse it right there. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    struct reader *r = ctx;
    if (r->failed)
        return;
    size_t off = cursor(r);
    static const char kw[] = "<!DOCTYPE";
    size_t k = sizeof kw - 1;
    size_t at = 0;
    for (size_t p = off >= k ? off - k + 1 : 0; p-- > 0;)
        if (p + k <= r->len && memcmp(r->data + p, kw, k) == 0) {
            at = p;
            break;
        }
    fail_at(r, at, "%s", "DOCTYPE is not allowed in a route file (external entities and entity expansion are refused)");
}

static void on_error(void *ctx, xmlErrorPtr e)
{
    struct reader *r = ctx;
    if (r->failed || !e || e->level < XML_ERR_ERROR)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "malformed XML");
    msg[strcspn(msg, "\r\n")] = '\0';
    size_t n = strlen(msg);
    while (n > 0 && is_blank((unsigned char)msg[n - 1]))
        msg[--n] = '\0';
    drom_err_at(r->err, DROM_EINVAL, r->ast->file, e->line > 0 ? e->line : 1,
                e->int2 > 0 ? e->int2 : 1, "%s", msg);
    r->failed = true;
    /* Not xmlStopParser: libxml2 may still hold pointers into its input
     * here. Silencing the callbacks is enough; it stops on fatal errors. */
    r->ctxt->disableSAX = 1;
}

/* UTF-8 as RFC 3629: no overlongs, surrogates or values above U+10FFFF.
 * Returns the offset of the first bad byte, or len. */
static size_t bad_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t min, cp;
        if ((c & 0xE0) == 0xC0)
            n = 2, min = 0x80, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            n = 3, min = 0x800, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0)
            n = 4, min = 0x10000, cp = c & 0x07;
        else
            return i;
        if (len - i < n)
            return i;
        for (size_t k = 1; k < n; k++) {
            if (!is_cont(s[i + k]))
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

static void init_libxml(void)
{
    xmlInitParser();
}

int drom_xml_parse_mem(const char *data, size_t len, const char *name, struct drom_ast *out,
                       struct drom_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    memset(out, 0, sizeof *out);
    if (!name)
        name = "<memory>";
    if (len > DROM_XML_MAX_SIZE)
        return drom_err_at(err, DROM_EINVAL, name, 0, 0,
                           "route file is %zu bytes, more than the limit of 16 MiB (%u bytes)", len,
                           DROM_XML_MAX_SIZE);
    if (len >= 2 && (((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) ||
                     ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF)))
        return drom_err_at(err, DROM_EINVAL, name, 1, 1,
                           "route file is UTF-16; save it as UTF-8");
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    size_t i = 0;
    while (i < len && is_blank((unsigned char)data[i]))
        i++;
    if (i == len)
        return drom_err_at(err, DROM_EINVAL, name, 0, 0, "empty route file");

    struct reader r = {.data = data, .len = len, .err = err, .pos_line = 1, .pos_col = 1};
    out->file = drom_arena_strdup(&out->arena, name);
    r.ast = out;

    size_t bad = bad_utf8((const unsigned char *)data, len);
    if (bad < len) {
        int line, col;
        locate(&r, bad, &line, &col);
        drom_err_at(err, DROM_EINVAL, name, line, col,
                    "invalid UTF-8 (byte 0x%02X); route files must be UTF-8",
                    (unsigned char)data[bad]);
        drom_ast_free(out);
        return -1;
    }

    pthread_once(&once, init_libxml);
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
    if (!ctxt) {
        drom_ast_free(out);
        return drom_err_at(err, DROM_ENOMEM, name, 0, 0, "cannot create an XML parser");
    }
    /* No NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE: entities stay
     * unexpanded and libxml2 keeps its own size and depth limits. */
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_IGNORE_ENC);
    xmlSAXHandler *sax = ctxt->sax;
    memset(sax, 0, sizeof *sax);
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = on_start;
    sax->endElementNs = on_end;
    sax->characters = on_text;
    sax->cdataBlock = on_text;
    sax->internalSubset = on_doctype;
    sax->serror = on_error;
    ctxt->userData = &r;
    ctxt->replaceEntities = 0;
    ctxt->loadsubset = 0;
    ctxt->validate = 0;
    r.ctxt = ctxt;

    int rc = xmlParseDocument(ctxt);
    if (!r.failed && (rc != 0 || !ctxt->wellFormed))
        drom_err_at(err, DROM_EINVAL, name, 1, 1, "not well-formed XML"), r.failed = true;
    if (!r.failed && !out->root)
        drom_err_at(err, DROM_EINVAL, name, 1, 1, "no root element"), r.failed = true;
    /* Our SAX handler builds no tree, but libxml2 makes a document (with
     * its DTD and hash tables) of its own to hold an entity declared in the
     * internal subset, and the parser context does not own it. */
    if (ctxt->myDoc) {
        xmlFreeDoc(ctxt->myDoc);
        ctxt->myDoc = NULL;
    }
    xmlFreeParserCtxt(ctxt);

    while (r.depth > 0) {
        struct frame *f = &r.stack[--r.depth];
        free(f->kids);
        drom_buf_free(&f->text);
    }
    free(r.stack);
    if (r.failed) {
        drom_ast_free(out);
        return -1;
    }
    return 0;
}

int drom_xml_parse_file(const char *path, struct drom_ast *out, struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return drom_err_at(err, DROM_EIO, path, 0, 0, "cannot open route file: %s",
                           strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return drom_err_at(err, DROM_EIO, path, 0, 0, "is a directory, not a route file");
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > DROM_XML_MAX_SIZE) {
        close(fd);
        return drom_err_at(err, DROM_EINVAL, path, 0, 0,
                           "route file is %jd bytes, more than the limit of 16 MiB (%u bytes)",
                           (intmax_t)st.st_size, DROM_XML_MAX_SIZE);
    }
    /* Read at most one byte past the limit, so that a pipe or device
     * cannot make us read forever. */
    size_t cap = 64 * 1024, len = 0;
    char *buf = drom_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap > DROM_XML_MAX_SIZE)
                break;
            cap *= 2;
            if (cap > (size_t)DROM_XML_MAX_SIZE + 1)
                cap = (size_t)DROM_XML_MAX_SIZE + 1;
            buf = drom_xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            free(buf);
            return drom_err_at(err, DROM_EIO, path, 0, 0, "cannot read route file: %s",
                               strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (len > DROM_XML_MAX_SIZE) {
        free(buf);
        return drom_err_at(err, DROM_EINVAL, path, 0, 0,
                           "route file is more than the limit of 16 MiB (%u bytes)",
                           DROM_XML_MAX_SIZE);
    }
    int rc = drom_xml_parse_mem(buf, len, path, out, err);
    free(buf);
    return rc;
}
