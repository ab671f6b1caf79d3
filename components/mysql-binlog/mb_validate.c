#include <stdio.h>
#include <string.h>

#include "components/mysql-binlog/mb_options.h"
#include "runtime/regex.h"

#define FILE_STORE "org.apache.kafka.connect.storage.FileOffsetBackingStore"
#define KAFKA_STORE "org.apache.kafka.connect.storage.KafkaOffsetBackingStore"

static int check_ops(const char *ops, struct drom_error *err)
{
    if (!ops || strcmp(ops, "none") == 0)
        return 0;
    for (const char *p = ops; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        if (!strchr("cudt", *p) || (p[1] && p[1] != ',' && p[1] != ' '))
            return drom_err(err, DROM_EINVAL,
                            "skippedOperations: expected a comma-separated list of c, u, d, t or 'none', got '%s'",
                            ops);
        p++;
    }
    return 0;
}

/* Compiles one list as the source will, so a bad pattern is refused here. */
static int check_regexes(const struct drom_optset *opts, const char *name, struct drom_error *err)
{
    struct drom_regex_list l;
    if (drom_regex_list_compile(&l, drom_opt_str(opts, name), err) < 0)
        return drom_err_prefix(err, "%s", name), -1;
    drom_regex_list_free(&l);
    return 0;
}

/* Debezium refuses an include list and an exclude list of the same kind. */
static int check_lists(const struct drom_optset *opts, struct drom_error *err)
{
    static const char *const kinds[] = {"database", "table", "column", NULL};
    for (const char *const *k = kinds; *k; k++) {
        char inc[64], exc[64];
        snprintf(inc, sizeof inc, "%sIncludeList", *k);
        snprintf(exc, sizeof exc, "%sExcludeList", *k);
        if (drom_opt_str(opts, inc) && drom_opt_str(opts, exc))
            return drom_err(err, DROM_EINVAL, "%s and %s cannot be used together: give one of them", inc, exc);
        if (check_regexes(opts, inc, err) < 0 || check_regexes(opts, exc, err) < 0)
            return -1;
    }
    return 0;
}

int mb_validate_binlog(const char *path, const struct drom_optset *opts, struct drom_error *err)
{
    const char *storage = drom_opt_str(opts, "offsetStorage");
    if (storage && strcmp(storage, "kafka") == 0 && !drom_opt_str(opts, "offsetStorageTopic"))
        return drom_err(err, DROM_EINVAL, "offsetStorageTopic must be set since offsetStorage is 'kafka'");
    if (storage && strcmp(storage, "kafka") == 0 && !drom_opt_str(opts, "offsetStorageBrokers"))
        return drom_err(err, DROM_EINVAL, "offsetStorageBrokers must be set since offsetStorage is 'kafka'");
    if (check_lists(opts, err))
        return -1;
    return check_ops(drom_opt_str(opts, "skippedOperations"), err);
}

/* Camel's own messages, so a route that fails in Camel fails here the same way. */
int mb_validate_debezium(const char *path, const struct drom_optset *opts, struct drom_error *err)
{
    const char *storage = drom_opt_str(opts, "offsetStorage");
    if (storage && strcmp(storage, FILE_STORE) == 0 && !drom_opt_str(opts, "offsetStorageFileName"))
        return drom_err(err, DROM_EINVAL,
                        "Required field 'offsetStorageFileName' must be set since 'offsetStorage' is set to '%s'",
                        storage);
    if (storage && strcmp(storage, KAFKA_STORE) == 0 && !drom_opt_str(opts, "offsetStorageTopic"))
        return drom_err(err, DROM_EINVAL,
                        "Required field 'offsetStorageTopic' must be set since 'offsetStorage' is set to '%s'",
                        storage);
    if (storage && strcmp(storage, KAFKA_STORE) == 0 && !drom_opt_given(opts, "additionalProperties.bootstrap.servers"))
        return drom_err(err, DROM_EINVAL,
                        "Required field 'additionalProperties.bootstrap.servers' must be set since 'offsetStorage' is "
                        "set to '%s'", storage);
    if (check_lists(opts, err))
        return -1;
    return check_ops(drom_opt_str(opts, "skippedOperations"), err);
}
