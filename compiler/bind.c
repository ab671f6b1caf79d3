/* The URI is compiled as the one <to> of a throwaway route, which reuses
 * every check of the compiler instead of repeating them, then copied out. */
#include <string.h>

#include "compiler/bind.h"
#include "compiler/secrets.h"
#include "components/registry.h"
#include "runtime/buf.h"

static void xml_escape(struct drom_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': drom_buf_puts(b, "&amp;"); break;
        case '<': drom_buf_puts(b, "&lt;"); break;
        case '"': drom_buf_puts(b, "&quot;"); break;
        default: drom_buf_putc(b, *s);
        }
    }
}

static void copy_endpoint(struct drom_arena *a, const struct drom_gendpoint *src, struct drom_gendpoint *dst)
{
    *dst = *src;
    dst->uri = drom_arena_strdup(a, src->uri);
    dst->uri_masked = drom_arena_strdup(a, src->uri_masked);
    dst->scheme = drom_arena_strdup(a, src->scheme);
    dst->path = drom_arena_strdup(a, src->path);
    dst->loc = (struct drom_loc){0};
    dst->opts.items = drom_arena_alloc(a, src->opts.n * sizeof *dst->opts.items + 1);
    for (size_t i = 0; i < src->opts.n; i++) {
        dst->opts.items[i] = src->opts.items[i];
        dst->opts.items[i].name = drom_arena_strdup(a, src->opts.items[i].name);
        dst->opts.items[i].value = drom_arena_strdup(a, src->opts.items[i].value);
    }
}

/* The throwaway route's <from> must connect nowhere and need no option:
 * the first consumer inside the engine that the registry lists. */
static const char *quiet_from(void)
{
    size_t n;
    const struct drom_component *const *all = drom_registry_all(&n);
    for (size_t i = 0; i < n; i++)
        if ((all[i]->flags & DROM_COMP_INTERNAL) && (all[i]->roles & DROM_ROLE_CONSUMER))
            return all[i]->name;
    return NULL;
}

int drom_bind_uri(const char *uri, const struct drom_compile_opts *opts, struct drom_arena *arena,
                  struct drom_gendpoint *out, struct drom_error *err)
{
    const char *from = quiet_from();
    if (!from)
        return drom_err(err, DROM_EINTERNAL, "cannot bind '%s': no component consumes inside the engine", uri);
    struct drom_buf doc = DROM_BUF_INIT;
    drom_buf_printf(&doc, "<route id=\"toD\"><from uri=\"%s:toD\"/><to uri=\"", from);
    xml_escape(&doc, uri);
    drom_buf_puts(&doc, "\"/></route>");

    struct drom_graph g;
    struct drom_diags diags = DROM_DIAGS_INIT;
    memset(&g, 0, sizeof g);
    int rc = drom_compile_mem(doc.data, doc.len, "toD", opts, &g, &diags);
    drom_buf_free(&doc);
    if (rc < 0) {
        /* The first error says what is wrong with the uri; its position is
         * inside the throwaway document, so it is left out. */
        const char *msg = "invalid endpoint uri";
        for (size_t i = 0; i < diags.n; i++)
            if (diags.items[i].sev == DROM_DIAG_ERROR) {
                msg = diags.items[i].msg;
                break;
            }
        drom_err(err, DROM_EINVAL, "%s", msg);
        drom_diags_free(&diags);
        return -1;
    }
    drom_diags_free(&diags);
    struct drom_placeholder_ctx ph = {.props = opts ? opts->props : NULL,
                                      .env = opts ? opts->env : NULL,
                                      .env_ctx = opts ? opts->env_ctx : NULL};
    if (drom_graph_resolve_secrets(&g, &ph, err) < 0) {
        drom_graph_free(&g);
        return -1;
    }
    copy_endpoint(arena, g.routes[0].steps[0].endpoint, out);
    drom_graph_free(&g);
    return 0;
}
