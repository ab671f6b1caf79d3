/* Option tables: what a component accepts, declared once and used for
 * validation (dromc), defaults, masking of secrets, the catalog, the docs,
 * and filling the component's typed configuration struct. An option set is
 * the validated, defaulted result for one endpoint as text (what the graph
 * carries); drom_conf_new turns it into the component's struct, field by
 * field as the table says (offsetof), so a component never reads an option
 * by name nor parses option strings, and defaults live in the table alone. */
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
    /* Field types: STRING `const char *` (NULL when unset), INT/DURATION/SIZE
     * `int64_t` (0 when unset), BOOL `bool`, ENUM `int` (the index of the value
     * in `values`, or `ints[index]` when given; -1 when unset), a PREFIX
     * option `struct drom_optpairs`. */
    DROM_OPT_SIZE,      /* bytes: "1024", "64k"/"64KB", "16m"/"16MB", "1g" */
};

enum drom_opt_flags {
    DROM_OPT_REQUIRED = 1 << 0,
    DROM_OPT_SECRET = 1 << 1,   /* masked in graphs, logs, metrics, HTTP */
    DROM_OPT_IGNORED = 1 << 2,  /* accepted for Camel compatibility, ignored with a warning */
    DROM_OPT_PREFIX = 1 << 3,   /* `name` is a prefix: "additionalProperties." takes any suffix */
    DROM_OPT_ANYCASE = 1 << 4,  /* an enum whose values match in any case, as Kafka's security.protocol */
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
    /* Where the value goes in the component's conf struct: set with
     * DROM_OPT_AT; size 0 only for IGNORED options, which go nowhere. */
    size_t offset, size;
    /* offsetof + 1 of a `bool` set when the option was given (not
     * defaulted), for the few components that care; 0 for none. */
    size_t given_at;
    const int *ints;              /* DROM_OPT_ENUM: the integer of each value; NULL: its index */
};

#define DROM_OPT_AT(type, field) .offset = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define DROM_OPT_GIVEN_AT(type, field) .given_at = offsetof(type, field) + 1

/* The given values of a PREFIX option, in the order given. */
struct drom_optpair {
    const char *name;     /* full: "additionalProperties.linger.ms" */
    const char *key;      /* after the prefix: "linger.ms" */
    const char *value;
};
struct drom_optpairs {
    struct drom_optpair *items;
    size_t n;
};

/* Tables end with an entry whose name is NULL. */
#define DROM_OPTIONS_END {.name = NULL}

const struct drom_option *drom_option_find(const struct drom_option *table, const char *name);
/* A name that says it holds a secret (password, secret, token, credential,
 * passphrase, jaas): for values no table flags, such as a prefix option's
 * (additionalProperties.sasl.password) or a property a placeholder reads. */
bool drom_option_name_secret(const char *name);
/* Is a value given as `name` for row `o` (NULL: no) a secret: the row says
 * so, or it is a prefix row whose given name says so
 * (additionalProperties.sasl.password). */
bool drom_option_is_secret(const struct drom_option *o, const char *name);
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

/* One value of a set by name, NULL when absent: for tools and tests that
 * look at a graph; components receive their filled struct instead. */
const struct drom_optval *drom_optset_find(const struct drom_optset *set, const char *name);

/* A component's configuration: `size` zeroed bytes filled from `set` as
 * `table` says. Strings are borrowed from `set`, which must outlive the
 * result; the caller owns the result and frees it with drom_conf_free.
 * Fails, in the compiler's words naming `scheme` (as written), on a value
 * the table refuses (type, range, enum) or a table row whose field does not
 * fit its type. */
void *drom_conf_new(const struct drom_option *table, size_t size, const struct drom_optset *set, const char *scheme,
                    struct drom_error *err);
void drom_conf_free(const struct drom_option *table, void *conf);
/* The first required option of `table` that `set` has no value for, in the
 * compiler's words. For a graph the compiler did not write. */
int drom_conf_check_required(const struct drom_option *table, const struct drom_optset *set, const char *scheme,
                             struct drom_error *err);

#endif
