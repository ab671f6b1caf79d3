/* The tables a signal's data-collections name: regular expressions
 * matched against information_schema's base tables that are captured (the
 * signal table never), each with its additional-conditions filter. Used by
 * the incremental and the blocking snapshots; calls neither. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_incsnap_int.h"
#include "runtime/regex.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

/* The filter of additional-conditions for db.table ("data-collection" a
 * name or a regex); NULL when none applies. */
static const char *condition_for(json_t *conds, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c) {
        const char *dc = json_string_value(json_object_get(c, "data-collection"));
        const char *f = json_string_value(json_object_get(c, "filter"));
        if (!dc || !f)
            continue;
        struct drom_error rerr;
        struct drom_regex *re = drom_regex_compile(dc, strlen(dc), DROM_REGEX_CASELESS, &rerr);
        bool hit = strcmp(dc, name) == 0 || (re && drom_regex_matches(re, name));
        drom_regex_free(re);
        if (hit)
            return f;
    }
    return NULL;
}

int mb_signal_tables(struct mb_src *s, const char *id, json_t *colls, json_t *conds, mb_signal_table_fn *add,
                     void *arg, struct drom_error *err)
{
    struct drom_regex_list res = {0};
    res.n = json_array_size(colls);
    res.items = drom_xcalloc(res.n ? res.n : 1, sizeof *res.items);
    for (size_t i = 0; i < res.n; i++) {
        const char *p = json_string_value(json_array_get(colls, i));
        struct drom_error rerr;
        if (!p || !(res.items[i] = drom_regex_compile(p, strlen(p), DROM_REGEX_CASELESS, &rerr)))
            drom_warn(mb_route(s), "signal %s: data-collections item %zu is not a regular expression (%s); ignored",
                      id, i, p ? rerr.msg : "not a string");
    }
    MYSQL *m = mb_meta_conn(s, err);
    int rc = m ? mb_query(m, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = "
                             "'BASE TABLE' ORDER BY BINARY TABLE_SCHEMA, BINARY TABLE_NAME", err) : -1;
    MYSQL_RES *res_set = rc == 0 ? mysql_store_result(m) : NULL;
    MYSQL_ROW row;
    size_t matched = 0;
    while (res_set && (row = mysql_fetch_row(res_set))) {
        char name[520];
        snprintf(name, sizeof name, "%s.%s", row[0], row[1]);
        if (!drom_regex_list_any(&res, name) || mb_config_is_signal_table(&s->cfg, row[0], row[1]))
            continue;
        if (!mb_config_wants_table(&s->cfg, row[0], row[1])) {
            drom_warn(mb_route(s), "signal %s: %s is not captured (tableIncludeList); not snapshotted", id, name);
            continue;
        }
        add(arg, row[0], row[1], condition_for(conds, name));
        matched++;
    }
    mysql_free_result(res_set);
    for (size_t i = 0; i < res.n; i++)
        drom_regex_free(res.items[i]);
    free(res.items);
    if (rc == 0 && !matched)
        drom_warn(mb_route(s), "signal %s: no captured table matches data-collections; nothing to snapshot", id);
    return rc;
}
