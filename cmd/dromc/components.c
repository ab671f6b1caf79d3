/* dromc components [NAME]: the catalog, from the option tables. */
#include <stdio.h>
#include <string.h>

#include "cmd/dromc/dromc.h"
#include "compiler/suggest.h"
#include "components/registry.h"

static const char help[] =
    "usage: dromc components [NAME] [--format text|markdown]\n"
    "\n"
    "Lists the components (schemes) dromedary knows, or one component's options:\n"
    "type, default, required/secret, and a one-line description.\n"
    "\n"
    "  --format text      for a terminal (default)\n"
    "  --format markdown  the reference page (docs/components.md)\n";

static const char *roles(unsigned r)
{
    if ((r & DROM_ROLE_CONSUMER) && (r & DROM_ROLE_PRODUCER))
        return "consumer, producer";
    return (r & DROM_ROLE_CONSUMER) ? "consumer" : "producer";
}

static void type_text(const struct drom_option *o, char *buf, size_t size)
{
    if (o->type == DROM_OPT_ENUM) {
        size_t n = (size_t)snprintf(buf, size, "enum:");
        for (const char *const *v = o->values; v && *v && n < size; v++)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", v == o->values ? "" : "|", *v);
    } else if (o->type == DROM_OPT_INT && o->min != o->max) {
        snprintf(buf, size, "integer %lld..%lld", (long long)o->min, (long long)o->max);
    } else {
        snprintf(buf, size, "%s", drom_opt_type_name(o->type));
    }
}

static void flags_text(const struct drom_option *o, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s", (o->flags & DROM_OPT_REQUIRED) ? "required " : "",
             (o->flags & DROM_OPT_SECRET) ? "secret " : "", (o->flags & DROM_OPT_IGNORED) ? "ignored " : "",
             (o->flags & DROM_OPT_PREFIX) ? "prefix " : "");
    size_t n = strlen(buf);
    if (n)
        buf[n - 1] = '\0';
}

static void aliases_text(const struct drom_component *c, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const char *const *a = c->aliases; a && *a && n < size; a++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", *a);
}

static void list_text(FILE *out)
{
    size_t n;
    const struct drom_component *const *all = drom_registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        char al[128];
        aliases_text(all[i], al, sizeof al);
        fprintf(out, "%-16s %-20s %s%s%s%s\n", all[i]->name, roles(all[i]->roles), all[i]->title, *al ? " (also " : "",
                al, *al ? ")" : "");
    }
}

static void one_text(FILE *out, const struct drom_component *c)
{
    char al[128];
    aliases_text(c, al, sizeof al);
    fprintf(out, "%s: %s\n", c->name, c->title);
    if (*al)
        fprintf(out, "aliases: %s\n", al);
    fprintf(out, "syntax:  %s:%s[?options]\n", c->name, c->path_syntax ? c->path_syntax : "");
    fprintf(out, "roles:   %s\n\n", roles(c->roles));
    const char *group = NULL;
    for (const struct drom_option *o = c->options; o && o->name; o++) {
        if (!group || (o->group && strcmp(group, o->group) != 0)) {
            group = o->group ? o->group : "";
            fprintf(out, "%s%s:\n", o == c->options ? "" : "\n", *group ? group : "options");
        }
        char type[256], flags[64];
        type_text(o, type, sizeof type);
        flags_text(o, flags, sizeof flags);
        fprintf(out, "  %s%s  %s", o->name, (o->flags & DROM_OPT_PREFIX) ? "*" : "", type);
        if (o->def)
            fprintf(out, " = %s", o->def);
        if (*flags)
            fprintf(out, "  [%s]", flags);
        fprintf(out, "\n      %s\n", o->doc ? o->doc : "");
    }
}

/* Markdown cells must not break the table. */
static void md_cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

static void one_markdown(FILE *out, const struct drom_component *c)
{
    char al[128];
    aliases_text(c, al, sizeof al);
    fprintf(out, "## %s\n\n%s.\n\n", c->name, c->title);
    fprintf(out, "- Syntax: `%s:%s[?options]`\n", c->name, c->path_syntax ? c->path_syntax : "");
    if (*al)
        fprintf(out, "- Also served as: `%s`\n", al);
    fprintf(out, "- Use: %s\n\n", roles(c->roles));
    fprintf(out, "| Option | Group | Type | Default | Flags | Description |\n");
    fprintf(out, "|---|---|---|---|---|---|\n");
    for (const struct drom_option *o = c->options; o && o->name; o++) {
        char type[256], flags[64];
        type_text(o, type, sizeof type);
        flags_text(o, flags, sizeof flags);
        fprintf(out, "| `%s%s` | %s | ", o->name, (o->flags & DROM_OPT_PREFIX) ? "*" : "", o->group ? o->group : "");
        md_cell(out, type);
        fputs(" | ", out);
        if (o->def) {
            fputc('`', out);
            md_cell(out, o->def);
            fputc('`', out);
        }
        fprintf(out, " | %s | ", flags);
        md_cell(out, o->doc);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

static void all_markdown(FILE *out)
{
    size_t n;
    const struct drom_component *const *all = drom_registry_all(&n);
    fputs("# Components\n\n"
          "<!-- Generated by scripts/gen-docs.sh from the option tables (dromc components --format markdown); "
          "do not edit. -->\n\n"
          "Endpoint options go in the URI (`kafka:topic?brokers=...`); component options in the properties\n"
          "file as `camel.component.<name>.<option>=value` (endpoint options win). Flags: *required* must be\n"
          "set somewhere; *secret* is masked in graphs, logs, metrics and HTTP, and keeps its `{{placeholder}}`\n"
          "in compiled graphs; *ignored* is accepted for Camel compatibility and ignored with a warning;\n"
          "*prefix* takes any suffix (`additionalProperties.linger.ms=5`).\n\n",
          out);
    fputs("| Component | Use | Description |\n|---|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        char al[128];
        aliases_text(all[i], al, sizeof al);
        fprintf(out, "| [`%s`](#%s)%s%s | %s | ", all[i]->name, all[i]->name, *al ? ", " : "", al,
                roles(all[i]->roles));
        md_cell(out, all[i]->title);
        fputs(" |\n", out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < n; i++)
        one_markdown(out, all[i]);
}

int dromc_components(int argc, char **argv)
{
    const char *name = NULL, *format = "text";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return DROMC_OK;
        }
        if (strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0) {
            if (i + 1 >= argc)
                return dromc_usage_error("components", "%s needs a value (text or markdown)", a);
            format = argv[++i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            format = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return dromc_usage_error("components", "unknown option '%s'", a);
        } else if (name) {
            return dromc_usage_error("components", "one component name at a time");
        } else {
            name = a;
        }
    }
    bool md = strcmp(format, "markdown") == 0 || strcmp(format, "md") == 0;
    if (!md && strcmp(format, "text") != 0)
        return dromc_usage_error("components", "unknown format '%s' (text or markdown)", format);
    if (!name) {
        if (md)
            all_markdown(stdout);
        else
            list_text(stdout);
        return DROMC_OK;
    }
    const struct drom_component *c = drom_registry_find(name);
    if (!c) {
        struct drom_suggest s;
        drom_suggest_init(&s, name);
        size_t n;
        const struct drom_component *const *all = drom_registry_all(&n);
        for (size_t i = 0; i < n; i++) {
            drom_suggest_offer(&s, all[i]->name);
            for (const char *const *al = all[i]->aliases; al && *al; al++)
                drom_suggest_offer(&s, *al);
        }
        if (drom_suggest_best(&s))
            fprintf(stderr, "dromc components: unknown component '%s'; did you mean '%s'?\n", name,
                    drom_suggest_best(&s));
        else
            fprintf(stderr, "dromc components: unknown component '%s'; 'dromc components' lists them\n", name);
        return DROMC_INVALID;
    }
    if (md)
        one_markdown(stdout, c);
    else
        one_text(stdout, c);
    return DROMC_OK;
}
