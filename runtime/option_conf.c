/* Filling a component's typed configuration from an option set, as its
 * table says (Fluent Bit's config map, librdkafka's property table). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/option.h"
#include "runtime/xalloc.h"

static size_t field_size(const struct drom_option *o)
{
    if (o->flags & DROM_OPT_PREFIX)
        return sizeof(struct drom_optpairs);
    switch (o->type) {
    case DROM_OPT_STRING: return sizeof(const char *);
    case DROM_OPT_BOOL: return sizeof(bool);
    case DROM_OPT_ENUM: return sizeof(int);
    case DROM_OPT_INT:
    case DROM_OPT_DURATION:
    case DROM_OPT_SIZE: return sizeof(int64_t);
    }
    return 0;
}

static int enum_value(const struct drom_option *o, const char *v)
{
    for (int i = 0; o->values && o->values[i]; i++)
        if ((o->flags & DROM_OPT_ANYCASE ? strcasecmp(o->values[i], v) : strcmp(o->values[i], v)) == 0)
            return o->ints ? o->ints[i] : i;
    return -2;
}

static int parse_into(const struct drom_option *o, const char *v, char *field)
{
    int64_t i = 0;
    bool b = false;
    int rc = 0;
    switch (o->type) {
    case DROM_OPT_STRING:
        memcpy(field, &v, sizeof v);
        return 0;
    case DROM_OPT_BOOL:
        if (v && drom_parse_bool(v, &b) < 0)
            return -1;
        memcpy(field, &b, sizeof b);
        return 0;
    case DROM_OPT_ENUM: {
        int e = v ? enum_value(o, v) : -1;
        if (e == -2)
            return -1;
        memcpy(field, &e, sizeof e);
        return 0;
    }
    case DROM_OPT_INT: rc = v ? drom_parse_int(v, &i) : 0; break;
    case DROM_OPT_DURATION: rc = v ? drom_parse_duration_ms(v, &i) : 0; break;
    case DROM_OPT_SIZE: rc = v ? drom_parse_size(v, &i) : 0; break;
    }
    if (rc < 0)
        return -1;
    memcpy(field, &i, sizeof i);
    return 0;
}

static void add_pair(struct drom_optpairs *l, const struct drom_optval *v)
{
    l->items = drom_xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] = (struct drom_optpair){.name = v->name, .key = v->name + strlen(v->opt->name), .value = v->value};
}

/* The compiler's words for the same faults, so that dromd refusing a graph
 * says what `dromc validate` says of the route file. */
static int fill_one(const struct drom_option *o, const struct drom_optset *set, const char *scheme, char *conf,
                    struct drom_error *err)
{
    if (o->size != field_size(o))
        return drom_err(err, DROM_EINTERNAL, "option '%s': its field has %zu bytes, a %s takes %zu", o->name,
                        o->size, drom_opt_type_name(o->type), field_size(o));
    const struct drom_optval *given = NULL;
    for (size_t i = 0; i < set->n; i++) {
        const struct drom_optval *v = &set->items[i];
        if (v->opt != o)
            continue;
        if (o->flags & DROM_OPT_PREFIX) {
            if (v->value)
                add_pair((struct drom_optpairs *)(conf + o->offset), v);
            continue;
        }
        given = v;
    }
    if (o->flags & DROM_OPT_PREFIX)
        return 0;
    const char *text = given ? given->value : NULL;
    if (text && drom_option_check(o, text, err) < 0) {
        drom_err_prefix(err, "invalid value for option '%s' of component '%s'", o->name, scheme);
        return -1;
    }
    if (parse_into(o, text, conf + o->offset) < 0)
        return drom_err(err, DROM_EINVAL, "invalid value for option '%s' of component '%s': '%s' is not a %s",
                        o->name, scheme, text, drom_opt_type_name(o->type));
    if (o->given_at)
        conf[o->given_at - 1] = given && given->given;
    return 0;
}

void *drom_conf_new(const struct drom_option *table, size_t size, const struct drom_optset *set, const char *scheme,
                    struct drom_error *err)
{
    char *conf = drom_xcalloc(1, size ? size : 1);
    for (const struct drom_option *o = table; o && o->name; o++) {
        if (!o->size && (o->flags & DROM_OPT_IGNORED))
            continue;
        if (o->offset + o->size > size || (o->given_at && o->given_at > size)) {
            drom_err(err, DROM_EINTERNAL, "option '%s': its field lies outside the configuration", o->name);
            drom_conf_free(table, conf);
            return NULL;
        }
        if (fill_one(o, set, scheme, conf, err) < 0) {
            drom_conf_free(table, conf);
            return NULL;
        }
    }
    return conf;
}

int drom_conf_check_required(const struct drom_option *table, const struct drom_optset *set, const char *scheme,
                             struct drom_error *err)
{
    for (const struct drom_option *o = table; o && o->name; o++) {
        if (!(o->flags & DROM_OPT_REQUIRED))
            continue;
        bool has = false;
        for (size_t i = 0; i < set->n && !has; i++)
            has = set->items[i].opt == o && set->items[i].value;
        if (!has)
            return drom_err(err, DROM_EINVAL, "missing required option '%s' of component '%s' (set it in the uri or "
                            "as camel.component.%s.%s in the properties)", o->name, scheme, scheme, o->name);
    }
    return 0;
}

void drom_conf_free(const struct drom_option *table, void *conf)
{
    if (!conf)
        return;
    for (const struct drom_option *o = table; o && o->name; o++)
        if ((o->flags & DROM_OPT_PREFIX) && o->size == sizeof(struct drom_optpairs))
            free(((struct drom_optpairs *)((char *)conf + o->offset))->items);
    free(conf);
}
