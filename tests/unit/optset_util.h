/* Reading a compiled graph's option values by name, for the tests (the
 * components get their filled conf struct instead). */
#ifndef DROM_TESTS_OPTSET_UTIL_H
#define DROM_TESTS_OPTSET_UTIL_H

#include "runtime/option.h"

static inline const char *opt_str(const struct drom_optset *set, const char *name)
{
    const struct drom_optval *v = drom_optset_find(set, name);
    return v ? v->value : NULL;
}

static inline bool opt_given(const struct drom_optset *set, const char *name)
{
    const struct drom_optval *v = drom_optset_find(set, name);
    return v && v->given;
}

static inline int64_t opt_int(const struct drom_optset *set, const char *name)
{
    int64_t v = -12345;
    const char *s = opt_str(set, name);
    if (s && drom_parse_int(s, &v) < 0 && drom_parse_duration_ms(s, &v) < 0)
        v = -12345;
    return v;
}

#endif
