/* A signalled snapshot's tables: added once each, and read back from the
 * context stored with an offset as they were written, with the members a
 * snapshot adds of its own. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_snap_tables.h"

Test(mb_snap_tables, a_table_is_added_once_with_its_condition)
{
    struct mb_snap_table *t = NULL;
    size_t n = 0;
    cr_assert(mb_snap_tables_add(&t, &n, "db", "a", "id > 1"));
    cr_assert(mb_snap_tables_add(&t, &n, "db", "b", ""));
    cr_assert_not(mb_snap_tables_add(&t, &n, "db", "a", "id > 2"), "db.a is in the list already");
    cr_assert_eq(n, 2);
    cr_assert_str_eq(t[0].filter, "id > 1");
    cr_assert_null(t[1].filter, "an empty condition is none");
    mb_snap_tables_free(t, n);
}

Test(mb_snap_tables, the_stored_context_gives_back_the_id_and_the_tables)
{
    struct mb_snap_table *t = NULL;
    size_t n = 0;
    mb_snap_tables_add(&t, &n, "shop", "orders", "total > 100");
    mb_snap_tables_add(&t, &n, "shop", "customers", NULL);
    json_t *ctx = mb_snap_ctx_new("sig-7", t, n);
    json_object_set_new(ctx, "attempt", json_integer(2));
    json_t *offset = json_pack("{s:s, s:i, s:o}", "file", "mysql-bin.000001", "pos", 4, "blocking_snapshot", ctx);
    char *text = json_dumps(offset, JSON_COMPACT);
    json_decref(offset);
    cr_assert_not_null(strstr(text, "{\"id\":\"sig-7\",\"tables\":[{\"table\":\"shop.orders\",\"filter\":\"total > "
                                    "100\"},{\"table\":\"shop.customers\"}]"), "%s", text);
    struct mb_snap_table *back = NULL;
    size_t nback = 0;
    char *id = NULL;
    json_t *j = mb_snap_ctx_load(text, "blocking_snapshot", &back, &nback, &id);
    cr_assert_not_null(j);
    cr_assert_str_eq(id, "sig-7");
    cr_assert_eq(json_integer_value(json_object_get(j, "attempt")), 2, "the snapshot's own members are there");
    cr_assert_eq(nback, 2);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(back[i].db, t[i].db);
        cr_assert_str_eq(back[i].table, t[i].table);
        cr_assert(back[i].filter ? t[i].filter && strcmp(back[i].filter, t[i].filter) == 0 : !t[i].filter);
    }
    cr_assert_null(mb_snap_ctx_load(text, "incremental_snapshot", &back, &nback, &id), "no such context stored");
    json_decref(j);
    free(id);
    free(text);
    mb_snap_tables_free(back, nback);
    mb_snap_tables_free(t, n);
}
