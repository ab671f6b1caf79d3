/* What differs between the servers the source talks to: MariaDB and MySQL
 * 8.0/8.4 name things differently, and refuse a replica in their own words.
 * Pure functions of what the server reported, so every branch is tested
 * without the server (no MySQL server runs on the test machines). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_source.h"

bool mb_version_at_least(const char *version, int major, int minor, int patch)
{
    int v[3] = {0, 0, 0};
    const char *p = version ? version : "";
    for (int i = 0; i < 3; i++) {
        char *e;
        v[i] = (int)strtol(p, &e, 10);
        if (e == p || *e != '.') {
            if (e == p)
                v[i] = 0;
            break;
        }
        p = e + 1;
    }
    if (v[0] != major)
        return v[0] > major;
    if (v[1] != minor)
        return v[1] > minor;
    return v[2] >= patch;
}

const char *mb_binlog_status_sql(bool mariadb, const char *version)
{
    /* MySQL 8.2 renamed it SHOW BINARY LOG STATUS and 8.4 removed the old name;
     * every MariaDB keeps SHOW MASTER STATUS. */
    return !mariadb && mb_version_at_least(version, 8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
}

const char *mb_auth_hint(unsigned no, const char *msg)
{
    /* MySQL 8's default caching_sha2_password sends the password only over
     * TLS or encrypted with the server's RSA key, until a first login has
     * cached it: a replica that has neither is refused with 2061. */
    if (no == 2061 || (msg && strstr(msg, "caching_sha2_password")))
        return " (the user authenticates with caching_sha2_password, MySQL 8's default, which needs a TLS "
               "connection or the server's RSA public key: connect with TLS, or give the user "
               "mysql_native_password on MySQL 8.0)";
    return "";
}

int mb_check_settings(const struct mb_settings *st, const struct mb_config *c, struct drom_error *err)
{
    const char *where = st->mariadb ? "[mariadbd]" : "[mysqld]";
    if (!st->log_bin)
        return drom_err(err, DROM_EINVAL,
                        "binary logging is off on %s:%u: add 'log_bin = mysql-bin', 'binlog_format = ROW', "
                        "'binlog_row_image = FULL' and 'binlog_row_metadata = FULL' to the %s section of my.cnf "
                        "and restart the server", c->host, c->port, where);
    if (strcasecmp(st->format, "ROW") != 0)
        return drom_err(err, DROM_EINVAL,
                        "binlog_format is %s on %s:%u, the source needs ROW: run SET GLOBAL binlog_format = 'ROW' "
                        "and add 'binlog_format = ROW' to %s in my.cnf", st->format, c->host, c->port, where);
    if (strcasecmp(st->image, "FULL") != 0)
        return drom_err(err, DROM_EINVAL,
                        "binlog_row_image is %s on %s:%u, the source needs FULL: run SET GLOBAL binlog_row_image = "
                        "'FULL' and add 'binlog_row_image = FULL' to %s in my.cnf", st->image, c->host, c->port, where);
    if (!st->metadata)
        return drom_err(err, DROM_EINVAL,
                        "%s:%u has no binlog_row_metadata (%s): the source needs MariaDB >= 10.5 or MySQL >= 8.0.14 "
                        "for column names in the binlog", c->host, c->port, st->metadata_error ? st->metadata_error : "");
    if (strcasecmp(st->metadata, "FULL") != 0)
        return drom_err(err, DROM_EINVAL,
                        "binlog_row_metadata is %s on %s:%u, the source needs FULL: run SET GLOBAL "
                        "binlog_row_metadata = 'FULL' and add 'binlog_row_metadata = FULL' to %s in my.cnf",
                        st->metadata, c->host, c->port, where);
    if (st->server_id == c->server_id)
        return drom_err(err, DROM_EINVAL,
                        "serverId %u is the server's own server_id on %s:%u: give this source another id "
                        "(unique among the server and its replicas)", c->server_id, c->host, c->port);
    return 0;
}
