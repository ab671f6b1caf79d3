/* Option tables: what a component accepts, declared once and used for
 * validation (dromc), defaults, masking of secrets, the catalog and the docs.
 * An option set is the validated, defaulted result for one endpoint; the
 * compiler builds it, components only read it through the typed getters and
 * never parse option strings themselves. */
#ifndef DROM_RUNTIME_OPTION_H
#define DROM_RUNTIME_OPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/error.h"

enum drom_opt_type {
    DROM_OPT_STRING,
    DROM_OPT_INT,       /* 64-bit, checked against [min, max] */
    DROM_OPT_BOOL,      /* true|false */
    DROM_OPT_DURATION,  /* milliseconds: "1500", "1500ms", "2s", "1m", "1h", "1m30s" */
    DROM_OPT_ENUM,      /* one of `values`, compared case-sensitively like Camel */
    DROM_OPT_SIZE,      /* bytes: "1024", "64k"/"64KB", "16m"/"16MB", "1g" */
};

enum drom_opt_flags {
    DROM_OPT_REQUIRED = 1 << 0,
    DROM_OPT_SECRET = 1 << 1,   /* masked in graphs, logs, metrics, HTTP */
    DROM_OPT_IGNORED = 1 << 2,  /* accepted for Camel compatibility, ignored with a warning */
    DROM_OPT_PREFIX = 1 << 3,   /* `name` is a prefix: "additionalProperties." takes any suffix */
};

struct drom_option {
    const char *name;
    enum drom_opt_type type;
    const char *def;              /* default as text; NULL for none */
    unsigned flags;
    int64_t min, max;             /* DROM_OPT_INT only; min == max == 0 means unbounded */
    const char *const *values;    /* DROM_OPT_ENUM only; NULL-terminated */
    const char *doc;              /* one line */
    const char *group;            /* "common", "consumer", "producer", "security", ... */
};

/* Tables end with an entry whose name is NULL. */
#define DROM_OPTIONS_END {.name = NULL}

const struct drom_option *drom_option_find(const struct drom_option *table, const char *name);
/* Parses and checks one value against its option. On error, err->msg is a
 * short reason ("expected an integer in 1..65535, got '70000'") with no location. */
int drom_option_check(const struct drom_option *opt, const char *value, struct drom_error *err);
int drom_parse_bool(const char *s, bool *out);
int drom_parse_int(const char *s, int64_t *out);
int drom_parse_duration_ms(const char *s, int64_t *out);
int drom_parse_size(const char *s, int64_t *out);
const char *drom_opt_type_name(enum drom_opt_type type);

/* One endpoint's options: every table entry with its value (given or
 * default), plus the given values of prefix options. Values are strings as
 * resolved at load time (placeholders already replaced). */
struct drom_optval {
    const struct drom_option *opt;
    const char *name;     /* == opt->name, or the full name for a prefix option */
    const char *value;    /* NULL when neither given nor defaulted */
    bool given;           /* set in the URI or properties, not a default */
};

struct drom_optset {
    struct drom_optval *items;
    size_t n;
};

/* Getters for validated sets. Asking for a name that is not in the table is
 * a programming error and aborts. Missing values return the fallback. */
const char *drom_opt_str(const struct drom_optset *set, const char *name);   /* NULL if unset */
int64_t drom_opt_int(const struct drom_optset *set, const char *name, int64_t fallback);
bool drom_opt_bool(const struct drom_optset *set, const char *name, bool fallback);
int64_t drom_opt_ms(const struct drom_optset *set, const char *name, int64_t fallback);
int64_t drom_opt_size(const struct drom_optset *set, const char *name, int64_t fallback);
bool drom_opt_given(const struct drom_optset *set, const char *name);

#endif
