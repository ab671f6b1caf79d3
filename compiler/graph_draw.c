#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_draw.h"
#include "linkdesc.h"
#include "runtime/xalloc.h"

enum style { DOT, MERMAID };

struct draw {
    const struct drom_graph *g;
    FILE *out;
    enum style style;
    unsigned next;       /* node counter within the route */
};

#define LABEL_MAX 60

/* A label piece, shortened and escaped for the output language. */
static void text_until(struct draw *d, const char *s, char stop)
{
    size_t n = 0;
    for (; s && *s && *s != stop; s++, n++) {
        if (n == LABEL_MAX) {
            fputs("...", d->out);
            return;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '\n' || c == '\r' || c == '\t') {
            fputc(' ', d->out);
        } else if (d->style == DOT && (c == '"' || c == '\\')) {
            fputc('\\', d->out);
            fputc(c, d->out);
        } else if (d->style == MERMAID && (c == '"' || c == '<' || c == '>' || c == '#' || c == '&')) {
            fprintf(d->out, "#%d;", c);
        } else {
            fputc(c, d->out);
        }
    }
}

static void text(struct draw *d, const char *s)
{
    text_until(d, s, '\0');
}

/* An endpoint as scheme:path: the options would crowd the picture. */
static void endpoint_text(struct draw *d, const struct drom_gendpoint *e)
{
    text_until(d, e->uri_masked, '?');
}

static const char *newline(const struct draw *d)
{
    return d->style == DOT ? "\\n" : "<br/>";
}

static void node_open(struct draw *d, unsigned r, unsigned id, const char *shape)
{
    if (d->style == DOT)
        fprintf(d->out, "    r%u_n%u [shape=%s, label=\"", r, id, shape);
    else
        fprintf(d->out, "    r%u_n%u%s\"", r, id,
                strcmp(shape, "ellipse") == 0 ? "([" : strcmp(shape, "diamond") == 0 ? "{" : "[");
}

static void node_close(struct draw *d, const char *shape)
{
    if (d->style == DOT)
        fputs("\"];\n", d->out);
    else
        fprintf(d->out, "\"%s\n", strcmp(shape, "ellipse") == 0 ? "])" : strcmp(shape, "diamond") == 0 ? "}" : "]");
}

static void edge(struct draw *d, unsigned r1, unsigned n1, unsigned r2, unsigned n2, const char *label, bool dashed)
{
    if (d->style == DOT) {
        fprintf(d->out, "  r%u_n%u -> r%u_n%u", r1, n1, r2, n2);
        if (label || dashed) {
            fputs(" [", d->out);
            if (dashed)
                fputs("style=dashed", d->out);
            if (label) {
                fprintf(d->out, "%slabel=\"", dashed ? ", " : "");
                text(d, label);
                fputc('"', d->out);
            }
            fputc(']', d->out);
        }
        fputs(";\n", d->out);
        return;
    }
    fprintf(d->out, "  r%u_n%u %s", r1, n1, dashed ? "-.->" : "-->");
    if (label) {
        fputc('|', d->out);
        fputc('"', d->out);
        text(d, label);
        fputs("\"|", d->out);
    }
    fprintf(d->out, " r%u_n%u\n", r2, n2);
}

static const char *shape_of(enum drom_step_kind k)
{
    switch (k) {
    case DROM_STEP_FILTER:
    case DROM_STEP_CHOICE:
    case DROM_STEP_WHEN:
        return "diamond";
    case DROM_STEP_TO:
    case DROM_STEP_TOD:
    case DROM_STEP_WIRETAP:
        return "box";
    default:
        return "box";
    }
}

/* Draws the steps in order; returns the last node drawn. Edges are written
 * after the nodes of each cluster, so they are collected in `edges`. */
struct edge_list {
    struct {
        unsigned from, to;
    } *items;
    size_t n, cap;
};

static void add_edge(struct edge_list *e, unsigned a, unsigned b, const char *label)
{
    (void)label;
    drom_xgrow((void **)&e->items, &e->cap, e->n + 1, sizeof *e->items);
    e->items[e->n].from = a;
    e->items[e->n].to = b;
    e->n++;
}

static void step_label(struct draw *d, const struct drom_step *s)
{
    text(d, s->id ? s->id : drom_step_kind_name(s->kind));
    if (s->endpoint) {
        fputs(newline(d), d->out);
        endpoint_text(d, s->endpoint);
    } else if (s->kind == DROM_STEP_LOG && s->expr) {
        fputs(newline(d), d->out);
        text(d, s->expr->text);
    } else if (s->expr) {
        fputs(newline(d), d->out);
        if (s->kind == DROM_STEP_SET_HEADER || s->kind == DROM_STEP_SET_PROPERTY) {
            text(d, drom_step_param(s, "name"));
            fputs(" = ", d->out);
        }
        text(d, s->expr->text);
    } else if (s->kind == DROM_STEP_MARSHAL || s->kind == DROM_STEP_UNMARSHAL) {
        fputs(newline(d), d->out);
        text(d, drom_step_param(s, "format"));
    } else if (s->kind == DROM_STEP_REMOVE_HEADER) {
        fputs(newline(d), d->out);
        text(d, drom_step_param(s, "name"));
    } else if (s->kind == DROM_STEP_CONVERT_BODY_TO) {
        fputs(newline(d), d->out);
        text(d, drom_step_param(s, "type"));
    }
}

static unsigned steps(struct draw *d, unsigned r, const struct drom_step *s, size_t n, unsigned prev,
                      struct edge_list *edges);

static unsigned step(struct draw *d, unsigned r, const struct drom_step *s, unsigned prev, struct edge_list *edges)
{
    unsigned id = d->next++;
    const char *shape = shape_of(s->kind);
    node_open(d, r, id, shape);
    step_label(d, s);
    node_close(d, shape);
    add_edge(edges, prev, id, NULL);
    if (!s->nsteps)
        return id;
    if (s->kind == DROM_STEP_CHOICE || s->kind == DROM_STEP_MULTICAST) {
        for (size_t i = 0; i < s->nsteps; i++)
            step(d, r, &s->steps[i], id, edges);   /* each branch leaves the block */
    } else {
        steps(d, r, s->steps, s->nsteps, id, edges);
    }
    return id;
}

static unsigned steps(struct draw *d, unsigned r, const struct drom_step *s, size_t n, unsigned prev,
                      struct edge_list *edges)
{
    for (size_t i = 0; i < n; i++) {
        unsigned id = d->next;
        step(d, r, &s[i], prev, edges);
        prev = id;
    }
    return prev;
}

/* Node ids of the producer endpoints in a route, for the links. */
struct producer {
    unsigned route, node;
    const struct drom_gendpoint *ep;
};

struct producers {
    struct producer *items;
    size_t n, cap;
};

static void collect(const struct drom_step *s, size_t n, unsigned r, unsigned *next, struct producers *p)
{
    for (size_t i = 0; i < n; i++) {
        unsigned id = (*next)++;
        if (s[i].endpoint) {
            drom_xgrow((void **)&p->items, &p->cap, p->n + 1, sizeof *p->items);
            p->items[p->n++] = (struct producer){.route = r, .node = id, .ep = s[i].endpoint};
        }
        collect(s[i].steps, s[i].nsteps, r, next, p);
    }
}

/* Does route consumer `from` receive what producer `to` sends? The label
 * is the component's word for what links them (NULL for none). */
static bool linked(const struct drom_gendpoint *to, const struct drom_gendpoint *from, const char **label)
{
    struct drom_link tl, fl;
    if (!drom_link_describe(to, DROM_ROLE_PRODUCER, &tl) || !drom_link_describe(from, DROM_ROLE_CONSUMER, &fl) ||
        !drom_link_reaches(to, &tl, from, &fl))
        return false;
    *label = tl.label;
    return true;
}

static void write(const struct drom_graph *g, FILE *out, enum style style)
{
    struct draw d = {.g = g, .out = out, .style = style};
    struct edge_list edges_ = {0}, *edges = &edges_;
    if (style == DOT)
        fputs("digraph routes {\n  rankdir=LR;\n  compound=true;\n"
              "  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
              out);
    else
        fputs("flowchart LR\n", out);
    for (size_t r = 0; r < g->nroutes; r++) {
        const struct drom_route *rt = &g->routes[r];
        d.next = 1;
        edges->n = 0;
        if (style == DOT) {
            fprintf(out, "  subgraph cluster_r%zu {\n    label=\"route ", r);
            text(&d, rt->id);
            fputs("\";\n    style=rounded;\n", out);
        } else {
            fprintf(out, "  subgraph r%zu[\"route ", r);
            text(&d, rt->id);
            fputs("\"]\n", out);
        }
        node_open(&d, (unsigned)r, 0, "ellipse");
        fputs("from", out);
        fputs(newline(&d), out);
        endpoint_text(&d, &rt->from);
        node_close(&d, "ellipse");
        steps(&d, (unsigned)r, rt->steps, rt->nsteps, 0, edges);
        for (size_t i = 0; i < edges->n; i++) {
            fputs("  ", out);
            edge(&d, (unsigned)r, edges->items[i].from, (unsigned)r, edges->items[i].to, NULL, false);
        }
        fputs(style == DOT ? "  }\n" : "  end\n", out);
    }
    free(edges->items);
    struct producers p_ = {0}, *p = &p_;
    for (size_t r = 0; r < g->nroutes; r++) {
        unsigned next = 1;
        collect(g->routes[r].steps, g->routes[r].nsteps, (unsigned)r, &next, p);
    }
    for (size_t i = 0; i < p->n; i++)
        for (size_t r = 0; r < g->nroutes; r++) {
            const char *label = NULL;
            if (linked(p->items[i].ep, &g->routes[r].from, &label))
                edge(&d, p->items[i].route, p->items[i].node, (unsigned)r, 0, label, true);
        }
    free(p->items);
    if (style == DOT)
        fputs("}\n", out);
}

void drom_graph_write_dot(const struct drom_graph *g, FILE *out)
{
    write(g, out, DOT);
}

void drom_graph_write_mermaid(const struct drom_graph *g, FILE *out)
{
    write(g, out, MERMAID);
}
