/* The STATUS cell of `dromd status`: a route's state and its role among
 * the replicas. The programs' objects are not in libdrom.a, so the file is
 * compiled into this test directly. */
#include <criterion/criterion.h>

#include "cmd/dromd/role.c"

static void expect_cell(const char *route_json, const char *want)
{
    json_error_t je;
    json_t *r = json_loads(route_json, 0, &je);
    cr_assert_not_null(r, "%s", je.text);
    char cell[256];
    dromd_route_status_text(r, cell, sizeof cell);
    cr_expect_str_eq(cell, want, "%s", route_json);
    json_decref(r);
}

Test(dromd_role, leader_standby_and_no_role)
{
    expect_cell("{\"state\":\"Started\",\"role\":\"leader\"}", "Started (leader)");
    expect_cell("{\"state\":\"Standby\",\"role\":\"standby\"}", "Standby");
    expect_cell("{\"state\":\"Started\"}", "Started");
}

Test(dromd_role, a_consumer_lists_its_partitions_per_topic)
{
    expect_cell("{\"state\":\"Started\",\"role\":\"consumer\",\"partitions\":{\"my-topic\":[0,2,4]}}",
                "Started (consumer of my-topic 0,2,4)");
    expect_cell("{\"state\":\"Started\",\"role\":\"consumer\",\"partitions\":{\"t\":[0,1,2,3,4,5]}}",
                "Started (consumer of t 0-5)");
    expect_cell("{\"state\":\"Started\",\"role\":\"consumer\",\"partitions\":{\"t\":[0,1,3,4,5,9]}}",
                "Started (consumer of t 0,1,3-5,9)");
    expect_cell("{\"state\":\"Started\",\"role\":\"consumer\",\"partitions\":{\"a\":[1],\"b\":[]}}",
                "Started (consumer of a 1; b none)");
    expect_cell("{\"state\":\"Started\",\"role\":\"consumer\",\"partitions\":{}}", "Started (consumer)");
}
