/* Blocking snapshots: the signal, the context stored with offsets, and the
 * read itself (mb_blocking.h says how they fit together). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_blocking.h"
#include "components/mysql-binlog/mb_incsnap.h"
#include "components/mysql-binlog/mb_snapshot_int.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct mb_blocking {
    char *id;                     /* the execute-snapshot signal's id */
    struct mb_snap_table *tables;
    size_t n;
    unsigned attempt;
};

static void blocking_free(struct mb_blocking *b)
{
    if (!b)
        return;
    mb_snap_tables_free(b->tables, b->n);
    free(b->id);
    free(b);
}

/* mb_snap_ctx_new's members and "attempt", into s->blocking_ctx (NULL when none is due). */
static void ctx_update(struct mb_src *s)
{
    free(s->blocking_ctx);
    s->blocking_ctx = NULL;
    const struct mb_blocking *b = s->blocking;
    if (!b)
        return;
    json_t *j = mb_snap_ctx_new(b->id, b->tables, b->n);
    json_object_set_new(j, "attempt", json_integer(b->attempt));
    s->blocking_ctx = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
}

static void add_table(void *arg, const char *db, const char *table, const char *filter)
{
    struct mb_blocking *b = arg;
    mb_snap_tables_add(&b->tables, &b->n, db, table, filter);
}

int mb_blocking_signal(struct mb_src *s, const char *id, json_t *data, struct drom_error *err)
{
    if (s->blocking) {
        if (strcmp(s->blocking->id, id) != 0)
            drom_warn(mb_route(s), "signal %s: blocking snapshot %s is due already; ignored", id, s->blocking->id);
        return 0;
    }
    struct mb_blocking *b = drom_xcalloc(1, sizeof *b);
    b->id = drom_xstrdup(id);
    b->attempt = 1;
    json_t *colls = json_object_get(data, "data-collections"), *conds = json_object_get(data, "additional-conditions");
    if (mb_signal_tables(s, id, colls, conds, add_table, b, err)) {
        blocking_free(b);
        return -1;
    }
    if (!b->n) {
        blocking_free(b);
        return 0;
    }
    s->blocking = b;
    ctx_update(s);
    drom_info(mb_route(s), "signal %s: blocking snapshot of %zu tables; streaming pauses", id, b->n);
    return 0;
}

/* An error that ends the snapshot for good (a bad additional condition, a
 * table dropped meanwhile) rather than one a retry may cure (a lost server). */
static bool own_error(MYSQL *m, const struct drom_error *err)
{
    unsigned no = m ? mysql_errno(m) : 0;
    return (no > 0 && no < 2000) || (no == 0 && err->code == DROM_EINVAL);
}

static int read_tables(struct mb_src *s, MYSQL *m, struct mb_snap_run *r, struct mb_cached_table *cts,
                       struct drom_error *err)
{
    const struct mb_snap_request *rq = r->rq;
    if (mb_snap_session(m, err) || mb_query(m, "START TRANSACTION WITH CONSISTENT SNAPSHOT", err) ||
        mb_snap_models(s, m, rq->tables, rq->ntables, cts, err) ||
        mb_snap_read(s, m, r, cts, rq->tables, rq->ntables, err) || mb_snap_last(s, r, err) < 0)
        return -1;
    mysql_query(m, "COMMIT");
    return 0;
}

/* Reads the tables and sends their rows; 0 also when the snapshot ended
 * on an error of its own, which is logged. */
static int snapshot(struct mb_src *s, const struct mb_snap_request *rq, struct drom_error *err)
{
    MYSQL *m = mb_connect(s, false, err);
    if (!m)
        return -1;
    struct mb_snap_run r = {.kind = "blocking snapshot", .pos = s->start, .rq = rq, .first = true,
                            .t0_ms = drom_monotonic_ms()};
    mb_gauge(s, "SnapshotRunning", 1);
    mb_gauge(s, "SnapshotPaused", 0);
    mb_gauge(s, "SnapshotCompleted", 0);
    mb_gauge(s, "SnapshotAborted", 0);
    mb_gauge(s, "SnapshotTotalTableCount", (int64_t)rq->ntables);
    mb_gauge(s, "SnapshotRemainingTableCount", (int64_t)rq->ntables);
    mb_gauge(s, "SnapshotDurationInSeconds", 0);
    struct mb_cached_table *cts = drom_xcalloc(rq->ntables + 1, sizeof *cts);
    int rc = read_tables(s, m, &r, cts, err);
    bool own = rc && err->code != DROM_ESTOPPED && !atomic_load(&s->stopping) && own_error(m, err);
    int64_t secs = (drom_monotonic_ms() - r.t0_ms) / 1000;
    mb_gauge(s, "SnapshotRunning", 0);
    mb_gauge(s, "SnapshotDurationInSeconds", secs);
    if (rc == 0) {
        mb_gauge(s, "SnapshotCompleted", 1);
        drom_info(mb_route(s), "blocking snapshot %s done: %" PRIu64 " rows from %zu tables in %" PRId64 " s",
                  rq->id, r.total, rq->ntables, secs);
    } else if (own) {
        mb_gauge(s, "SnapshotAborted", 1);
        drom_error_log(mb_route(s), "blocking snapshot %s aborted after %" PRIu64 " rows: %s; streaming resumes",
                       rq->id, r.total, err->msg);
    }
    for (size_t i = 0; i < rq->ntables; i++)
        mb_cached_table_clear(&cts[i]);
    free(cts);
    mb_snap_run_free(&r);
    pthread_mutex_lock(&s->mu);
    s->conn[1] = NULL;
    pthread_mutex_unlock(&s->mu);
    mysql_close(m);
    return rc && !own ? -1 : 0;
}

int mb_blocking_run(struct mb_src *s, struct drom_error *err)
{
    struct mb_blocking *b = s->blocking;
    if (!b)
        return 0;
    drom_info(mb_route(s), "blocking snapshot %s of %zu tables (attempt %u); streaming paused at %s:%" PRIu64, b->id,
              b->n, b->attempt, s->start.file, s->start.pos);
    struct mb_snap_request rq = {.id = b->id, .tables = b->tables, .ntables = b->n, .attempt = b->attempt};
    if (snapshot(s, &rq, err)) {
        /* taken again from its start: a table without a key numbers its rows anew */
        b->attempt++;
        ctx_update(s);
        return -1;
    }
    blocking_free(b);
    s->blocking = NULL;
    ctx_update(s);
    drom_info(mb_route(s), "streaming resumes at %s:%" PRIu64 " after the blocking snapshot", s->start.file,
              s->start.pos);
    return 0;
}

void mb_blocking_restore(struct mb_src *s, const char *offset_json)
{
    struct mb_blocking *b = drom_xcalloc(1, sizeof *b);
    json_t *j = mb_snap_ctx_load(offset_json, "blocking_snapshot", &b->tables, &b->n, &b->id);
    if (!j || !b->n) {
        json_decref(j);
        blocking_free(b);
        return;
    }
    b->attempt = (unsigned)json_integer_value(json_object_get(j, "attempt")) + 1;
    json_decref(j);
    mb_blocking_free(s);
    s->blocking = b;
    ctx_update(s);
    drom_warn(mb_route(s), "blocking snapshot %s was interrupted (a stop or a crash mid-snapshot): it is taken again "
              "from its start before streaming resumes", b->id);
}

void mb_blocking_free(struct mb_src *s)
{
    blocking_free(s->blocking);
    s->blocking = NULL;
    free(s->blocking_ctx);
    s->blocking_ctx = NULL;
}
