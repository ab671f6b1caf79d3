/* The read-only incremental snapshot on both schemes: mysql-binlog's
 * readOnly, and Debezium's read.only as Camel's debezium-mysql passes it
 * (additionalProperties.read.only, Camel having no option of its own),
 * read as Kafka Connect reads a boolean and refused otherwise. */
#include <criterion/criterion.h>
#include <string.h>

#include "components/mysql-binlog/mb_config.h"

/* debezium-mysql's options with additionalProperties.read.only = `value` (NULL: not given). */
static struct mb_options camel_options(struct drom_optpair *pair, const char *value)
{
    *pair = (struct drom_optpair){.name = "additionalProperties.read.only", .key = "read.only", .value = value};
    return (struct mb_options){.host = "127.0.0.1", .user = "u", .password = "p", .topic_prefix = "t",
                               .offset_storage_file_name = "/tmp/offsets.dat",
                               .additional_properties = {pair, value ? 1 : 0}};
}

static bool loaded_read_only(bool camel, const struct mb_options *o)
{
    struct mb_config c;
    struct drom_error err = {0};
    cr_assert_eq(mb_config_load(&c, camel, "cdc", o, &err), 0, "%s", err.msg);
    bool ro = c.read_only;
    mb_config_free(&c);
    return ro;
}

Test(mb_config, debezium_mysql_takes_read_only_from_additional_properties)
{
    struct drom_optpair pair;
    struct mb_options o = camel_options(&pair, "true");
    cr_assert(loaded_read_only(true, &o));
    o = camel_options(&pair, "TRUE");
    cr_assert(loaded_read_only(true, &o), "in any case, as Kafka Connect reads a boolean");
    o = camel_options(&pair, "false");
    cr_assert_not(loaded_read_only(true, &o));
    o = camel_options(&pair, NULL);
    cr_assert_not(loaded_read_only(true, &o), "off unless given");
    struct mb_options binlog = {.host = "127.0.0.1", .user = "u", .password = "p", .read_only = true};
    cr_assert(loaded_read_only(false, &binlog), "mysql-binlog's readOnly");
}

Test(mb_config, debezium_mysql_refuses_a_read_only_that_is_no_boolean)
{
    struct drom_optpair pair;
    struct mb_options o = camel_options(&pair, "yes");
    struct drom_error err = {0};
    cr_assert_eq(mb_validate_debezium("cdc", &o, DROM_ROLE_CONSUMER, &err), -1);
    cr_assert_str_eq(err.msg, "Invalid value yes for configuration read.only (additionalProperties.read.only): "
                              "Expected value to be either true or false");
    o = camel_options(&pair, "false");
    cr_assert_eq(mb_validate_debezium("cdc", &o, DROM_ROLE_CONSUMER, &err), 0, "%s", err.msg);
}
