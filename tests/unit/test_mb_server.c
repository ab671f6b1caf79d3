/* The MySQL 8.0/8.4 paths of the start checks, which no server on the test
 * machines can exercise: the position statement by version, the hint for
 * caching_sha2_password, and the binlog settings refused with their fix. */
#include <criterion/criterion.h>
#include <string.h>

#include "components/mysql-binlog/mb_source.h"

Test(mb_server, versions_compare_by_number)
{
    cr_assert(mb_version_at_least("8.4.2", 8, 2, 0));
    cr_assert(mb_version_at_least("8.2.0-commercial", 8, 2, 0));
    cr_assert(mb_version_at_least("9.1.0", 8, 2, 0));
    cr_assert(!mb_version_at_least("8.0.36-log", 8, 2, 0));
    cr_assert(!mb_version_at_least("8.0.9", 8, 0, 14));
    cr_assert(mb_version_at_least("8.0.14", 8, 0, 14));
    cr_assert(mb_version_at_least("10.11.6-MariaDB-log", 10, 5, 0));
    cr_assert(!mb_version_at_least("", 8, 0, 0));
}

Test(mb_server, binary_log_status_on_84_master_status_before)
{
    cr_assert_str_eq(mb_binlog_status_sql(false, "8.4.0"), "SHOW BINARY LOG STATUS");
    cr_assert_str_eq(mb_binlog_status_sql(false, "8.2.0"), "SHOW BINARY LOG STATUS");
    cr_assert_str_eq(mb_binlog_status_sql(false, "8.0.36"), "SHOW MASTER STATUS");
    cr_assert_str_eq(mb_binlog_status_sql(true, "11.4.2-MariaDB"), "SHOW MASTER STATUS",
                     "MariaDB keeps the old name in every version");
}

Test(mb_server, caching_sha2_password_refusal_says_what_helps)
{
    const char *msg = "Authentication plugin 'caching_sha2_password' reported error: Authentication requires "
                      "secure connection.";
    cr_assert(strstr(mb_auth_hint(2061, msg), "TLS"));
    cr_assert(strstr(mb_auth_hint(2061, msg), "RSA public key"));
    cr_assert(strstr(mb_auth_hint(0, "plugin caching_sha2_password could not be loaded"), "caching_sha2_password"));
    cr_assert_str_eq(mb_auth_hint(1045, "Access denied for user 'x'@'localhost' (using password: YES)"), "",
                     "a wrong password gets no hint about plugins");
}

static struct mb_config cfg(void)
{
    static char host[] = "db.example";
    return (struct mb_config){.host = host, .port = 3306, .server_id = 5400};
}

Test(mb_server, mysql8_defaults_are_refused_with_the_fix)
{
    struct mb_config c = cfg();
    struct drom_error err = {0};
    /* MySQL 8.0/8.4 defaults: ROW, FULL image, MINIMAL metadata */
    struct mb_settings st = {.version = "8.4.2", .log_bin = true, .format = "ROW", .image = "FULL",
                             .metadata = "MINIMAL", .server_id = 1};
    cr_assert_eq(mb_check_settings(&st, &c, &err), -1);
    cr_assert_str_eq(err.msg, "binlog_row_metadata is MINIMAL on db.example:3306, the source needs FULL: run SET "
                              "GLOBAL binlog_row_metadata = 'FULL' and add 'binlog_row_metadata = FULL' to [mysqld] "
                              "in my.cnf");
    st.metadata = "FULL";
    cr_assert_eq(mb_check_settings(&st, &c, &err), 0, "%s", err.msg);
    st.image = "MINIMAL";
    cr_assert_eq(mb_check_settings(&st, &c, &err), -1);
    cr_assert(strstr(err.msg, "binlog_row_image is MINIMAL on db.example:3306, the source needs FULL"));
    st.image = "FULL";
    st.metadata = NULL;
    st.metadata_error = "Unknown system variable 'binlog_row_metadata'";
    st.version = "5.7.44";
    cr_assert_eq(mb_check_settings(&st, &c, &err), -1);
    cr_assert(strstr(err.msg, "MySQL >= 8.0.14"), "%s", err.msg);
    cr_assert(strstr(err.msg, "Unknown system variable"), "%s", err.msg);
}

Test(mb_server, the_flavour_names_its_config_section)
{
    struct mb_config c = cfg();
    struct drom_error err = {0};
    struct mb_settings st = {.mariadb = true, .version = "10.11.6-MariaDB", .log_bin = false, .format = "MIXED",
                             .image = "FULL", .metadata = "NO_LOG"};
    cr_assert_eq(mb_check_settings(&st, &c, &err), -1);
    cr_assert(strstr(err.msg, "to the [mariadbd] section"), "%s", err.msg);
    st.mariadb = false;
    st.log_bin = true;
    cr_assert_eq(mb_check_settings(&st, &c, &err), -1);
    cr_assert(strstr(err.msg, "binlog_format is MIXED") && strstr(err.msg, "[mysqld]"), "%s", err.msg);
    st.format = "ROW";
    st.metadata = "FULL";
    st.server_id = 5400;
    cr_assert_eq(mb_check_settings(&st, &c, &err), -1);
    cr_assert(strstr(err.msg, "serverId 5400 is the server's own server_id"), "%s", err.msg);
}

Test(mb_server, executed_gtid_sets_lose_their_line_breaks)
{
    char out[128];
    mb_gtidset_clean(out, sizeof out, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n"
                                      "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2");
    cr_assert_str_eq(out, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2");
}
