/* The incremental snapshot's signals, its context stored with offsets and
 * its metrics (the per-table progress is mb_progress.c's). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_incsnap_int.h"
#include "runtime/log.h"
#include "runtime/regex.h"
#include "runtime/xalloc.h"

void mb_inc_key_free(struct inc_key *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
    k->v = NULL;
    k->n = 0;
}

void mb_inc_key_copy(struct inc_key *dst, const struct inc_key *src)
{
    mb_inc_key_free(dst);
    dst->v = src->n ? drom_xcalloc(src->n, sizeof *dst->v) : NULL;
    for (size_t i = 0; i < src->n; i++)
        dst->v[i] = drom_xstrdup(src->v[i]);
    dst->n = src->n;
}

static json_t *key_json(const struct inc_key *k)
{
    json_t *a = json_array();
    for (size_t i = 0; i < k->n; i++)
        json_array_append_new(a, json_string(k->v[i]));
    return a;
}

static void key_from_json(struct inc_key *k, json_t *a)
{
    mb_inc_key_free(k);
    size_t n = json_array_size(a);
    if (!n)
        return;
    k->v = drom_xcalloc(n, sizeof *k->v);
    for (size_t i = 0; i < n; i++) {
        const char *v = json_string_value(json_array_get(a, i));
        k->v[i] = drom_xstrdup(v ? v : "");
    }
    k->n = n;
}

/* mb_snap_ctx_new's members and "last_key", "max_key", "paused", "total" */
void mb_inc_ctx_update(struct mb_src *s, struct mb_incsnap *inc)
{
    free(s->inc_ctx);
    s->inc_ctx = NULL;
    if (!inc->ntables)
        return;
    json_t *j = mb_snap_ctx_new(inc->id, inc->tables, inc->ntables);
    if (inc->last.n)
        json_object_set_new(j, "last_key", key_json(&inc->last));
    if (inc->max.n)
        json_object_set_new(j, "max_key", key_json(&inc->max));
    if (inc->paused)
        json_object_set_new(j, "paused", json_true());
    json_object_set_new(j, "total", json_integer((json_int_t)inc->total_tables));
    s->inc_ctx = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
}

void mb_inc_table_add(struct mb_incsnap *inc, const char *db, const char *table, const char *filter)
{
    if (mb_snap_tables_add(&inc->tables, &inc->ntables, db, table, filter))
        inc->total_tables++;
}

void mb_inc_rows_clear(struct mb_incsnap *inc)
{
    for (size_t i = 0; i < inc->nrows; i++) {
        for (size_t c = 0; c < inc->ncols; c++)
            free(inc->rows[i].cells[c]);
        free(inc->rows[i].cells);
        free(inc->rows[i].lens);
        free(inc->rows[i].key);
    }
    inc->nrows = 0;
    inc->window[0] = '\0';
    inc->window_open = false;
    mb_inc_key_free(&inc->chunk_last);
}

static void current_clear(struct mb_incsnap *inc)
{
    mb_inc_rows_clear(inc);
    if (inc->ct_loaded)
        mb_cached_table_clear(&inc->ct);
    memset(&inc->ct, 0, sizeof inc->ct);
    inc->ct_loaded = false;
    mb_inc_key_free(&inc->last);
    mb_inc_key_free(&inc->max);
    inc->table_rows = 0;
}

void mb_inc_table_done(struct mb_src *s, struct mb_incsnap *inc)
{
    if (!inc->ntables)
        return;
    drom_info(mb_route(s), "incremental snapshot %s: %s.%s done, %" PRId64 " rows", inc->id, inc->tables[0].db,
              inc->tables[0].table, inc->table_rows);
    current_clear(inc);
    mb_snap_table_clear(&inc->tables[0]);
    memmove(inc->tables, inc->tables + 1, (inc->ntables - 1) * sizeof *inc->tables);
    if (--inc->ntables == 0) {
        drom_info(mb_route(s), "incremental snapshot %s done: %" PRId64 " rows from %zu tables in %.1f s", inc->id,
                  inc->rows_scanned, inc->total_tables, (double)(drom_monotonic_ms() - inc->t0_ms) / 1000);
        mb_gauge(s, "SnapshotCompleted", 1);
        inc->total_tables = 0;
    }
    mb_inc_ctx_update(s, inc);
    mb_inc_gauges(s, inc);
}

void mb_inc_abort(struct mb_src *s, struct mb_incsnap *inc)
{
    current_clear(inc);
    for (size_t i = 0; i < inc->ntables; i++)
        mb_snap_table_clear(&inc->tables[i]);
    inc->ntables = inc->total_tables = 0;
    mb_inc_ctx_update(s, inc);
    mb_inc_gauges(s, inc);
}

void mb_inc_gauges(struct mb_src *s, const struct mb_incsnap *inc)
{
    mb_gauge(s, "SnapshotRunning", inc->ntables > 0);
    mb_gauge(s, "SnapshotPaused", inc->ntables > 0 && inc->paused);
    if (inc->ntables) {
        mb_gauge(s, "SnapshotTotalTableCount", (int64_t)inc->total_tables);
        mb_gauge(s, "SnapshotRemainingTableCount", (int64_t)inc->ntables);
    } else
        mb_gauge(s, "SnapshotRemainingTableCount", 0);
    mb_gauge(s, "SnapshotDurationInSeconds", (drom_monotonic_ms() - inc->t0_ms) / 1000);
}

struct mb_incsnap *mb_inc_of(struct mb_src *s)
{
    if (!s->inc)
        s->inc = drom_xcalloc(1, sizeof *s->inc);
    return s->inc;
}

void mb_incsnap_restore(struct mb_src *s, const char *offset_json)
{
    struct mb_snap_table *tables = NULL;
    size_t n = 0;
    char *id = NULL;
    json_t *j = mb_snap_ctx_load(offset_json, "incremental_snapshot", &tables, &n, &id);
    if (!j)
        return;
    struct mb_incsnap *inc = mb_inc_of(s);
    current_clear(inc);
    free(inc->id);
    inc->id = id;
    for (size_t i = 0; i < n; i++)
        mb_inc_table_add(inc, tables[i].db, tables[i].table, tables[i].filter);
    mb_snap_tables_free(tables, n);
    key_from_json(&inc->last, json_object_get(j, "last_key"));
    key_from_json(&inc->max, json_object_get(j, "max_key"));
    inc->paused = json_is_true(json_object_get(j, "paused"));
    json_int_t total = json_integer_value(json_object_get(j, "total"));
    if (total > (json_int_t)inc->total_tables)
        inc->total_tables = (size_t)total;
    json_decref(j);
    inc->t0_ms = drom_monotonic_ms();
    mb_inc_ctx_update(s, inc);
    if (inc->ntables)
        drom_info(mb_route(s), "incremental snapshot %s resumes at %s.%s after key %s%s", inc->id, inc->tables[0].db,
                  inc->tables[0].table, inc->last.n ? inc->last.v[0] : "(start)", inc->paused ? " (paused)" : "");
    mb_inc_gauges(s, inc);
}

void mb_incsnap_free(struct mb_src *s)
{
    struct mb_incsnap *inc = s->inc;
    if (!inc)
        return;
    current_clear(inc);
    for (size_t i = 0; i < inc->ntables; i++)
        mb_snap_table_clear(&inc->tables[i]);
    free(inc->tables);
    free(inc->rows);
    free(s->inc_ctx);
    s->inc_ctx = NULL;
    free(inc->id);
    free(inc);
    s->inc = NULL;
}

void mb_incsnap_stop(struct mb_src *s, json_t *data)
{
    struct mb_incsnap *inc = s->inc;
    if (!inc || !inc->ntables) {
        drom_info(mb_route(s), "stop-snapshot: no incremental snapshot runs");
        return;
    }
    json_t *colls = json_object_get(data, "data-collections");
    size_t n = json_array_size(colls);
    for (size_t i = inc->ntables; i-- > 0;) {
        char name[520];
        snprintf(name, sizeof name, "%s.%s", inc->tables[i].db, inc->tables[i].table);
        bool hit = n == 0;
        for (size_t k = 0; k < n && !hit; k++) {
            const char *p = json_string_value(json_array_get(colls, k));
            struct drom_error rerr;
            struct drom_regex *re = p ? drom_regex_compile(p, strlen(p), DROM_REGEX_CASELESS, &rerr) : NULL;
            hit = re && drom_regex_matches(re, name);
            drom_regex_free(re);
        }
        if (!hit)
            continue;
        drom_info(mb_route(s), "stop-snapshot: %s no longer snapshotted", name);
        if (i == 0) {
            mb_inc_table_done(s, inc);
            continue;
        }
        mb_snap_table_clear(&inc->tables[i]);
        memmove(inc->tables + i, inc->tables + i + 1, (inc->ntables - i - 1) * sizeof *inc->tables);
        inc->ntables--;
    }
    mb_inc_ctx_update(s, inc);
    mb_inc_gauges(s, inc);
}

void mb_incsnap_seen(struct mb_src *s, const struct mb_cached_table *ct, const struct mb_value *before,
                     const struct mb_value *after)
{
    struct mb_incsnap *inc = s->inc;
    if (!inc || !inc->window_open || !inc->nrows || !ct->schema || !inc->ct_loaded ||
        strcmp(ct->t.db, inc->ct.t.db) != 0 || strcmp(ct->t.table, inc->ct.t.table) != 0)
        return;
    const struct mb_value *imgs[2] = {before, after};
    struct drom_buf k = DROM_BUF_INIT;
    for (int i = 0; i < 2; i++) {
        if (!imgs[i])
            continue;
        drom_buf_reset(&k);
        mb_json_key_payload(&k, ct->schema, imgs[i]);
        for (size_t r = 0; r < inc->nrows; r++)
            if (!inc->rows[r].dropped && strcmp(inc->rows[r].key, drom_buf_cstr(&k)) == 0)
                inc->rows[r].dropped = true;
    }
    drom_buf_free(&k);
}
