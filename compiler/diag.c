#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "runtime/xalloc.h"

static void add(struct drom_diags *d, enum drom_diag_sev sev, const char *file, int line, int col, char *msg)
{
    drom_xgrow((void **)&d->items, &d->cap, d->n + 1, sizeof *d->items);
    d->items[d->n] = (struct drom_diag){
        .sev = sev,
        .file = file && *file ? drom_xstrdup(file) : NULL,
        .line = line,
        .col = col,
        .msg = msg,
        .seq = d->n,
    };
    d->n++;
    if (sev == DROM_DIAG_ERROR)
        d->nerrors++;
    else
        d->nwarnings++;
}

void drom_diag_add(struct drom_diags *d, enum drom_diag_sev sev, const char *file, int line, int col,
                   const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    add(d, sev, file, line, col, drom_xstrdup(tmp));
}

void drom_diag_add_error(struct drom_diags *d, const struct drom_error *err)
{
    add(d, DROM_DIAG_ERROR, err->file, err->line, err->col, drom_xstrdup(err->msg));
}

/* Rank of each file: the seq of its first diagnostic. */
static size_t file_rank(const struct drom_diags *d, const char *file)
{
    for (size_t i = 0; i < d->n; i++) {
        const char *f = d->items[i].file;
        if ((!f && !file) || (f && file && strcmp(f, file) == 0))
            return i;
    }
    return d->n;
}

struct keyed {
    struct drom_diag diag;
    size_t rank;
};

static int cmp(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->diag.line != b->diag.line)
        return a->diag.line < b->diag.line ? -1 : 1;
    if (a->diag.col != b->diag.col)
        return a->diag.col < b->diag.col ? -1 : 1;
    return a->diag.seq < b->diag.seq ? -1 : a->diag.seq > b->diag.seq;
}

void drom_diags_sort(struct drom_diags *d)
{
    if (d->n < 2)
        return;
    struct keyed *k = drom_xcalloc(d->n, sizeof *k);
    for (size_t i = 0; i < d->n; i++)
        k[i] = (struct keyed){.diag = d->items[i], .rank = file_rank(d, d->items[i].file)};
    qsort(k, d->n, sizeof *k, cmp);
    for (size_t i = 0; i < d->n; i++)
        d->items[i] = k[i].diag;
    free(k);
}

void drom_diags_print(const struct drom_diags *d, FILE *out)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct drom_diag *g = &d->items[i];
        const char *sev = g->sev == DROM_DIAG_ERROR ? "error" : "warning";
        if (g->file && g->line > 0)
            fprintf(out, "%s:%d:%d: %s: %s\n", g->file, g->line, g->col, sev, g->msg);
        else if (g->file)
            fprintf(out, "%s: %s: %s\n", g->file, sev, g->msg);
        else
            fprintf(out, "%s: %s\n", sev, g->msg);
    }
}

void drom_diags_first_error(const struct drom_diags *d, struct drom_error *err)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct drom_diag *g = &d->items[i];
        if (g->sev == DROM_DIAG_ERROR) {
            drom_err_at(err, DROM_EINVAL, g->file, g->line, g->col, "%s", g->msg);
            return;
        }
    }
    drom_err_clear(err);
}

void drom_diags_free(struct drom_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].msg);
    }
    free(d->items);
    *d = (struct drom_diags)DROM_DIAGS_INIT;
}
