/* A signalled snapshot's tables and their form in its stored context
 * (mb_snap_tables.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_snap_tables.h"
#include "components/mysql-binlog/mb_source.h"
#include "runtime/xalloc.h"

bool mb_snap_tables_add(struct mb_snap_table **tables, size_t *n, const char *db, const char *table,
                        const char *filter)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*tables)[i].db, db) == 0 && strcmp((*tables)[i].table, table) == 0)
            return false;
    *tables = drom_xrealloc(*tables, (*n + 1) * sizeof **tables);
    (*tables)[(*n)++] = (struct mb_snap_table){drom_xstrdup(db), drom_xstrdup(table),
                                               filter && *filter ? drom_xstrdup(filter) : NULL};
    return true;
}

void mb_snap_table_clear(struct mb_snap_table *t)
{
    free(t->db);
    free(t->table);
    free(t->filter);
    *t = (struct mb_snap_table){0};
}

void mb_snap_tables_free(struct mb_snap_table *tables, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mb_snap_table_clear(&tables[i]);
    free(tables);
}

json_t *mb_snap_ctx_new(const char *id, const struct mb_snap_table *tables, size_t n)
{
    json_t *j = json_object(), *a = json_array();
    json_object_set_new(j, "id", json_string(id));
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_object();
        char name[520];
        snprintf(name, sizeof name, "%s.%s", tables[i].db, tables[i].table);
        json_object_set_new(t, "table", json_string(name));
        if (tables[i].filter)
            json_object_set_new(t, "filter", json_string(tables[i].filter));
        json_array_append_new(a, t);
    }
    json_object_set_new(j, "tables", a);
    return j;
}

json_t *mb_snap_ctx_load(const char *offset_json, const char *member, struct mb_snap_table **tables, size_t *n,
                         char **id)
{
    char *text = mb_offset_member(offset_json, member);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!j)
        return NULL;
    const char *v = json_string_value(json_object_get(j, "id"));
    *id = drom_xstrdup(v ? v : "?");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tables"), i, t) {
        const char *name = json_string_value(json_object_get(t, "table"));
        const char *dot = name ? strchr(name, '.') : NULL;
        if (!dot)
            continue;
        char db[256];
        snprintf(db, sizeof db, "%.*s", (int)(dot - name), name);
        mb_snap_tables_add(tables, n, db, dot + 1, json_string_value(json_object_get(t, "filter")));
    }
    return j;
}
