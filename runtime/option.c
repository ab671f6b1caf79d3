#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/buf.h"
#include "runtime/option.h"

bool drom_option_name_secret(const char *name)
{
    static const char *const words[] = {"password", "secret", "token", "credential", "passphrase", "jaas"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasestr(name, words[i]))
            return true;
    return false;
}

bool drom_option_is_secret(const struct drom_option *o, const char *name)
{
    return o && ((o->flags & DROM_OPT_SECRET) || ((o->flags & DROM_OPT_PREFIX) && drom_option_name_secret(name)));
}

const struct drom_option *drom_option_find(const struct drom_option *table, const char *name)
{
    for (const struct drom_option *o = table; o && o->name; o++) {
        if (o->flags & DROM_OPT_PREFIX) {
            size_t n = strlen(o->name);
            if (strncmp(name, o->name, n) == 0 && name[n] != '\0')
                return o;
        } else if (strcmp(o->name, name) == 0) {
            return o;
        }
    }
    return NULL;
}

int drom_parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0)
        *out = true;
    else if (strcmp(s, "false") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

int drom_parse_int(const char *s, int64_t *out)
{
    if (!*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Camel accepts plain milliseconds and the "1h2m3s4ms" form. */
int drom_parse_duration_ms(const char *s, int64_t *out)
{
    if (drom_parse_int(s, out) == 0)
        return *out < 0 ? -1 : 0;
    int64_t total = 0;
    const char *p = s;
    if (!*p)
        return -1;
    while (*p) {
        if (!isdigit((unsigned char)*p))
            return -1;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || v < 0)
            return -1;
        p = end;
        int64_t mult;
        if (strncmp(p, "ms", 2) == 0) { mult = 1; p += 2; }
        else if (*p == 's') { mult = 1000; p++; }
        else if (*p == 'm') { mult = 60000; p++; }
        else if (*p == 'h') { mult = 3600000; p++; }
        else if (*p == 'd') { mult = 86400000; p++; }
        else return -1;
        if (v > INT64_MAX / mult || total > INT64_MAX - v * mult)
            return -1;
        total += v * mult;
    }
    *out = total;
    return 0;
}

int drom_parse_size(const char *s, int64_t *out)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || v < 0)
        return -1;
    int64_t mult = 1;
    switch (tolower((unsigned char)*end)) {
    case '\0': break;
    case 'k': mult = 1024; end++; break;
    case 'm': mult = 1024 * 1024; end++; break;
    case 'g': mult = 1024LL * 1024 * 1024; end++; break;
    case 'b': break;
    default: return -1;
    }
    if (mult > 1 && (*end == 'b' || *end == 'B'))
        end++;
    else if (mult == 1 && (*end == 'b' || *end == 'B'))
        end++;
    if (*end || v > INT64_MAX / mult)
        return -1;
    *out = v * mult;
    return 0;
}

const char *drom_opt_type_name(enum drom_opt_type type)
{
    switch (type) {
    case DROM_OPT_STRING: return "string";
    case DROM_OPT_INT: return "integer";
    case DROM_OPT_BOOL: return "boolean";
    case DROM_OPT_DURATION: return "duration";
    case DROM_OPT_ENUM: return "enum";
    case DROM_OPT_SIZE: return "size";
    }
    return "?";
}

int drom_option_check(const struct drom_option *opt, const char *value, struct drom_error *err)
{
    int64_t i;
    bool b;
    switch (opt->type) {
    case DROM_OPT_STRING:
        return 0;
    case DROM_OPT_BOOL:
        if (drom_parse_bool(value, &b) == 0)
            return 0;
        return drom_err(err, DROM_EINVAL, "expected true or false, got '%s'", value);
    case DROM_OPT_INT:
        if (drom_parse_int(value, &i) < 0) {
            if (opt->min != opt->max)
                return drom_err(err, DROM_EINVAL, "expected an integer in %" PRId64 "..%" PRId64 ", got '%s'",
                                opt->min, opt->max, value);
            return drom_err(err, DROM_EINVAL, "expected an integer, got '%s'", value);
        }
        if (opt->min != opt->max && (i < opt->min || i > opt->max))
            return drom_err(err, DROM_EINVAL, "expected an integer in %" PRId64 "..%" PRId64 ", got '%s'",
                            opt->min, opt->max, value);
        return 0;
    case DROM_OPT_DURATION:
        if (drom_parse_duration_ms(value, &i) == 0)
            return 0;
        return drom_err(err, DROM_EINVAL,
                        "expected a duration (milliseconds, or like 500ms, 10s, 1m30s), got '%s'", value);
    case DROM_OPT_SIZE:
        if (drom_parse_size(value, &i) == 0)
            return 0;
        return drom_err(err, DROM_EINVAL, "expected a size (bytes, or like 64k, 16MB), got '%s'", value);
    case DROM_OPT_ENUM:
        for (const char *const *v = opt->values; v && *v; v++)
            if ((opt->flags & DROM_OPT_ANYCASE ? strcasecmp(*v, value) : strcmp(*v, value)) == 0)
                return 0;
        {
            struct drom_buf list = DROM_BUF_INIT;
            for (const char *const *v = opt->values; v && *v; v++)
                drom_buf_printf(&list, "%s%s", v == opt->values ? "" : ", ", *v);
            drom_err(err, DROM_EINVAL, "expected one of %s, got '%s'", drom_buf_cstr(&list), value);
            drom_buf_free(&list);
        }
        return -1;
    }
    return drom_err(err, DROM_EINTERNAL, "option '%s' has an unknown type", opt->name);
}

const struct drom_optval *drom_optset_find(const struct drom_optset *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i].name, name) == 0)
            return &set->items[i];
    return NULL;
}
