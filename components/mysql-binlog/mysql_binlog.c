#include "runtime/component.h"

static const struct drom_option options[] = {
    DROM_OPTIONS_END,
};

const struct drom_component drom_component_mysql_binlog = {
    .name = "mysql-binlog",
    .title = "Change events from a MySQL/MariaDB binlog, as Debezium's envelope",
    .path_syntax = "name",
    .roles = DROM_ROLE_CONSUMER,
    .options = options,
};
