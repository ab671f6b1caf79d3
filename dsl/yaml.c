/* libyaml's event stream -> drom_ynode trees (dsl/yaml.h). */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dsl/yaml.h"
#include "runtime/xalloc.h"

struct frame {
    struct drom_ynode *node;
    size_t cap;
    struct drom_ynode *pending_key;   /* a map's key waiting for its value */
};

struct builder {
    struct drom_ydocs *out;
    const char *name;
    struct drom_error *err;
    struct frame stack[DROM_YAML_MAX_DEPTH + 1];
    int depth;
    struct drom_ynode *root;
};

static int fail(struct builder *b, const yaml_mark_t *m, const char *msg)
{
    return drom_err_at(b->err, DROM_EINVAL, b->name, (int)m->line + 1, (int)m->column + 1, "%s", msg);
}

static void push_child(struct builder *b, struct frame *f, struct drom_ynode *child, bool is_key)
{
    struct drom_ynode *p = f->node;
    if (is_key) {
        f->pending_key = child;
        return;
    }
    size_t need = p->n + 1;
    if (need > f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        struct drom_ynode **items = drom_arena_alloc(&b->out->arena, cap * sizeof *items);
        struct drom_ynode **keys = drom_arena_alloc(&b->out->arena, cap * sizeof *keys);
        if (p->n) {
            memcpy(items, p->items, p->n * sizeof *items);
            memcpy(keys, p->keys, p->n * sizeof *keys);
        }
        p->items = items;
        p->keys = keys;
        f->cap = cap;
    }
    p->keys[p->n] = f->pending_key;
    p->items[p->n++] = child;
    f->pending_key = NULL;
}

/* Where a new node goes: into the open collection, or as the document root. */
static int attach(struct builder *b, struct drom_ynode *n, const yaml_mark_t *m)
{
    if (b->depth == 0) {
        b->root = n;
        return 0;
    }
    struct frame *f = &b->stack[b->depth - 1];
    bool key = f->node->kind == DROM_Y_MAP && !f->pending_key;
    if (key && n->kind != DROM_Y_SCALAR)
        return fail(b, m, "a mapping key must be a plain text");
    push_child(b, f, n, key);
    return 0;
}

static struct drom_ynode *new_node(struct builder *b, enum drom_ykind kind, const yaml_mark_t *m)
{
    struct drom_ynode *n = drom_arena_alloc(&b->out->arena, sizeof *n);
    n->kind = kind;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    n->value = "";
    return n;
}

static void add_doc(struct builder *b)
{
    struct drom_ydocs *o = b->out;
    struct drom_ynode **docs = drom_arena_alloc(&o->arena, (o->n + 1) * sizeof *docs);
    if (o->n)
        memcpy(docs, o->docs, o->n * sizeof *docs);
    docs[o->n++] = b->root;
    o->docs = docs;
    b->root = NULL;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    struct drom_ynode *n;
    switch (ev->type) {
    case YAML_DOCUMENT_END_EVENT:
        add_doc(b);
        return 0;
    case YAML_ALIAS_EVENT:
        return fail(b, m, "YAML aliases (*name) are not supported");
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor)
            return fail(b, m, "YAML anchors (&name) are not supported");
        n = new_node(b, DROM_Y_SCALAR, m);
        n->value = drom_arena_strndup(&b->out->arena, (const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (strlen(n->value) != ev->data.scalar.length)
            return fail(b, m, "a NUL character in a text");
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return attach(b, n, m);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if ((ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor))
            return fail(b, m, "YAML anchors (&name) are not supported");
        if (b->depth >= DROM_YAML_MAX_DEPTH)
            return fail(b, m, "nesting deeper than 64 levels");
        n = new_node(b, ev->type == YAML_SEQUENCE_START_EVENT ? DROM_Y_SEQ : DROM_Y_MAP, m);
        if (attach(b, n, m) < 0)
            return -1;
        b->stack[b->depth++] = (struct frame){.node = n};
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        b->depth--;
        return 0;
    default:
        return 0;
    }
}

int drom_yaml_parse(const char *data, size_t len, const char *name, struct drom_ydocs *out, struct drom_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > DROM_YAML_MAX_SIZE)
        return drom_err_at(err, DROM_EINVAL, name, 0, 0, "larger than the limit of 4 MiB");
    if (memchr(data, '\0', len))
        return drom_err_at(err, DROM_EINVAL, name, 0, 0, "holds a NUL byte: not a text file");
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return drom_err(err, DROM_ENOMEM, "%s: cannot start the YAML reader", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    struct builder b = {.out = out, .name = name, .err = err};
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            const yaml_mark_t *m = parser.problem_mark.line || parser.problem_mark.column ? &parser.problem_mark
                                                                                          : &parser.context_mark;
            char msg[600];
            snprintf(msg, sizeof msg, "not valid YAML or JSON: %s%s%s", parser.problem ? parser.problem : "error",
                     parser.context ? " " : "", parser.context ? parser.context : "");
            rc = fail(&b, m, msg);
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &ev);
        yaml_event_delete(&ev);
        if (rc < 0 || end)
            break;
    }
    yaml_parser_delete(&parser);
    if (rc < 0)
        drom_ydocs_free(out);
    return rc;
}

const struct drom_ynode *drom_ymap_get(const struct drom_ynode *map, const char *key)
{
    if (!map || map->kind != DROM_Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->value, key) == 0)
            return map->items[i];
    return NULL;
}

bool drom_ynode_is_null(const struct drom_ynode *n)
{
    return !n || (n->kind == DROM_Y_SCALAR && n->plain &&
                  (!*n->value || strcmp(n->value, "null") == 0 || strcmp(n->value, "~") == 0));
}

void drom_ydocs_free(struct drom_ydocs *d)
{
    drom_arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}
