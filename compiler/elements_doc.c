/* The element table as a reference: Markdown for docs/routes.md and plain
 * text for the terminal. */
#include <string.h>

#include "elements.h"

static const char *kind_name(enum drom_attr_kind k)
{
    switch (k) {
    case DROM_ATTR_STRING: return "string";
    case DROM_ATTR_BOOL: return "boolean";
    case DROM_ATTR_INT: return "integer";
    case DROM_ATTR_NUMBER: return "number";
    case DROM_ATTR_DURATION: return "duration";
    case DROM_ATTR_ENUM: return "enum";
    case DROM_ATTR_URI: return "endpoint URI";
    case DROM_ATTR_SIMPLE: return "Simple template";
    }
    return "?";
}

static void cell(FILE *out, const char *s)
{
    for (; s && *s; s++)
        if (*s == '|')
            fputs("\\|", out);
        else
            fputc(*s, out);
}

static void children(FILE *out, const struct drom_elem_spec *e, bool md)
{
    size_t n = 0, nel;
    const struct drom_elem_spec *all = drom_elem_all(&nel);
    if (e->content & DROM_CONTENT_EXPR)
        fprintf(out, "%sone expression first (simple, constant, header, jsonpath)", n++ ? ", " : "");
    if (e->content & DROM_CONTENT_STEPS)
        fprintf(out, "%sprocessors", n++ ? ", " : "");
    if (e->content & DROM_CONTENT_TEXT)
        fprintf(out, "%stext", n++ ? ", " : "");
    for (const char *const *c = e->children; c && *c; c++)
        fprintf(out, md ? "%s`<%s>`" : "%s<%s>", n++ ? ", " : "", *c);
    (void)all;
    if (!n)
        fputs("none", out);
}

static void attr_type(FILE *out, const struct drom_attr_spec *a)
{
    fputs(kind_name(a->kind), out);
    if (a->kind == DROM_ATTR_ENUM) {
        fputs(": ", out);
        for (const char *const *v = a->values; v && *v; v++)
            fprintf(out, "%s%s", v == a->values ? "" : "|", *v);
    }
}

static void md_attrs(FILE *out, const struct drom_attr_spec *list)
{
    for (const struct drom_attr_spec *a = list; a && a->name; a++) {
        fprintf(out, "| `%s` | ", a->name);
        attr_type(out, a);
        fputs(" | ", out);
        if (a->def)
            fprintf(out, "`%s`", a->def);
        fprintf(out, " | %s | ", (a->flags & DROM_ATTR_REQUIRED) ? "required" : (a->flags & DROM_ATTR_IGNORED) ? "ignored" : "");
        cell(out, a->doc);
        fputs(" |\n", out);
    }
}

void drom_elem_markdown(FILE *out)
{
    size_t n;
    const struct drom_elem_spec *all = drom_elem_all(&n);
    fputs("<!-- Generated from compiler/elements.c by scripts/gen-docs.sh (dromc dsl --format markdown). -->\n\n"
          "Every processor also takes `id` (node id; generated as Camel does when absent), `description` and\n"
          "`disabled` (leave the processor out). Attributes marked *ignored* are accepted for Camel\n"
          "compatibility and ignored with a warning. Any attribute may hold `{{placeholders}}`.\n\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const struct drom_elem_spec *e = &all[i];
        fprintf(out, "### `<%s>`\n\n%s.\n\nChildren: ", e->name, e->doc);
        children(out, e, true);
        fputs(".\n\n", out);
        bool any = e->attrs && e->attrs->name;
        if (any) {
            fputs("| Attribute | Type | Default | | Description |\n|---|---|---|---|---|\n", out);
            md_attrs(out, e->attrs);
            fputc('\n', out);
        }
    }
}

void drom_elem_text(FILE *out)
{
    size_t n;
    const struct drom_elem_spec *all = drom_elem_all(&n);
    for (size_t i = 0; i < n; i++) {
        const struct drom_elem_spec *e = &all[i];
        fprintf(out, "<%s>  %s\n  children: ", e->name, e->doc);
        children(out, e, false);
        fputc('\n', out);
        for (const struct drom_attr_spec *a = e->attrs; a && a->name; a++) {
            fprintf(out, "  %s  ", a->name);
            attr_type(out, a);
            if (a->def)
                fprintf(out, " = %s", a->def);
            if (a->flags & DROM_ATTR_REQUIRED)
                fputs("  [required]", out);
            if (a->flags & DROM_ATTR_IGNORED)
                fputs("  [ignored]", out);
            fprintf(out, "\n      %s\n", a->doc);
        }
        fputc('\n', out);
    }
}
