/* What the status page and `dromd status` read about endpoints: any
 * thread, while the engine exists. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine_int.h"

void eng_route_endpoint_error(struct drom_engine *eng, struct eng_route *r, char *out, size_t size)
{
    pthread_mutex_lock(&eng->eps_mu);
    for (struct eng_endpoint *e = eng->endpoints; e; e = e->next) {
        if (e->route != r)
            continue;
        pthread_mutex_lock(&e->mu);
        bool down = !e->ready && e->reason[0];
        if (down)
            snprintf(out, size, "%s: %s", e->ep.uri_masked, e->reason);
        pthread_mutex_unlock(&e->mu);
        if (down)
            break;
    }
    pthread_mutex_unlock(&eng->eps_mu);
}

/* Error texts come from remote servers in any encoding; jansson wants UTF-8. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j)
        return j;
    char *copy = strdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

static json_t *items(struct drom_endpoint_metrics *m)
{
    json_t *o = json_object();
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n; i++) {
        const struct drom_metric_item *it = &m->items[i];
        if (!it->table) {
            json_object_set_new(o, it->name, it->text ? jstr(it->text) : json_integer(it->value));
            continue;
        }
        /* a per-table item: {"<name>ByTable": {"db.table": value}} */
        char by[160];
        snprintf(by, sizeof by, "%sByTable", it->name);
        json_t *tables = json_object_get(o, by);
        if (!tables)
            json_object_set_new(o, by, tables = json_object());
        json_object_set_new(tables, it->table, json_integer(it->value));
    }
    /* a group consumer's partitions: {"partitions": {"topic": [0, 2, 4]}} */
    json_t *held = m->held ? json_object() : NULL;
    for (size_t i = 0; i < m->nheld; i++) {
        json_t *parts = json_array();
        for (size_t k = 0; k < m->held[i].n; k++)
            json_array_append_new(parts, json_integer(m->held[i].parts[k]));
        json_object_set_new(held, m->held[i].topic, parts);
    }
    if (held)
        json_object_set_new(o, "partitions", held);
    pthread_mutex_unlock(&m->mu);
    return o;
}

static json_t *options(const struct drom_optset *set)
{
    json_t *o = json_object();
    for (size_t i = 0; set && i < set->n; i++) {
        const struct drom_optval *v = &set->items[i];
        if (!v->value)
            continue;
        bool secret = (v->opt && (v->opt->flags & DROM_OPT_SECRET)) || drom_option_name_secret(v->name);
        json_t *one = json_object();
        json_object_set_new(one, "value", jstr(secret ? "xxxxxx" : v->value));
        json_object_set_new(one, "given", json_boolean(v->given));
        json_object_set_new(o, v->name, one);
    }
    return o;
}

void drom_engine_endpoints_json(struct drom_engine *eng, struct drom_buf *out)
{
    json_t *arr = json_array();
    pthread_mutex_lock(&eng->eps_mu);
    for (struct eng_endpoint *e = eng->endpoints; e; e = e->next) {
        json_t *o = json_object();
        json_object_set_new(o, "routeId", jstr(e->route->g->id));
        json_object_set_new(o, "uri", jstr(e->ep.uri_masked));
        json_object_set_new(o, "role", json_string(e->is_from ? "from" : "to"));
        pthread_mutex_lock(&e->mu);
        json_object_set_new(o, "ready", json_boolean(e->ready));
        json_object_set_new(o, "reason", e->ready ? json_null() : jstr(e->reason));
        pthread_mutex_unlock(&e->mu);
        json_object_set_new(o, "items", items(&e->metrics));
        json_object_set_new(o, "options", options(&e->g->opts));
        /* The list is newest first; keep creation order. */
        json_array_insert_new(arr, 0, o);
    }
    pthread_mutex_unlock(&eng->eps_mu);
    char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    drom_buf_puts(out, s ? s : "[]");
    free(s);
    json_decref(arr);
}

static void step_counts(json_t *o, const struct eng_route *r, const struct eng_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct eng_step *s = &steps[i];
        if (s->node) {
            char key[48];
            snprintf(key, sizeof key, "r%zu_n%u", r->index, s->node);
            json_object_set_new(o, key, json_integer(atomic_load_explicit(&s->count, memory_order_relaxed)));
        }
        if (s->kind != DROM_STEP_WIRETAP)
            step_counts(o, r, s->kids, s->nkids);
    }
}

void drom_engine_steps_json(struct drom_engine *eng, struct drom_buf *out)
{
    json_t *o = json_object();
    for (size_t i = 0; i < eng->nroutes; i++)
        step_counts(o, &eng->routes[i], eng->routes[i].steps, eng->routes[i].nsteps);
    char *s = json_dumps(o, JSON_COMPACT);
    drom_buf_puts(out, s ? s : "{}");
    free(s);
    json_decref(o);
}
