/* The compiler's messages: an error or a warning at a place of the file
 * being compiled, and the place a graph node keeps. Every pass reports
 * through these, and they call no pass. */
#include <stdarg.h>
#include <stdio.h>

#include "cc.h"

static void vdiag(struct cc *c, enum drom_diag_sev sev, int line, int col, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    drom_diag_add(c->diags, sev, c->file, line, col, "%s", msg);
}

void cc_error(struct cc *c, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(c, DROM_DIAG_ERROR, line, col, fmt, ap);
    va_end(ap);
}

void cc_warn(struct cc *c, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(c, DROM_DIAG_WARNING, line, col, fmt, ap);
    va_end(ap);
}

struct drom_loc cc_loc(struct cc *c, int line, int col)
{
    return (struct drom_loc){.file = c->g->source, .line = line, .col = col};
}
