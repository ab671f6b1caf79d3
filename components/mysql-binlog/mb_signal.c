/* Signals from the signal table: a row's id, type and data, handed to the
 * incremental snapshot (execute, pause, resume here; stop and the
 * watermarks in mb_incsnap*.c) or logged. A bad signal is logged and skipped; it
 * never stops the stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/mb_blocking.h"
#include "components/mysql-binlog/mb_incsnap_int.h"
#include "runtime/regex.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

/* Column `name` of the row (else the one at `pos`, Debezium reads them by
 * position) as text, malloc'ed; NULL when absent, SQL NULL or not text. */
static char *cell(const struct mb_table *t, const struct mb_value *row, const char *name, size_t pos)
{
    size_t at = pos;
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].name && strcasecmp(t->cols[i].name, name) == 0)
            at = i;
    if (at >= t->ncols || row[at].kind != MB_V_STRING)
        return NULL;
    return drom_xstrndup((const char *)row[at].s, row[at].len);
}

int mb_signal_row(struct mb_src *s, const struct mb_cached_table *ct, const struct mb_value *after,
                  const struct mb_source_info *src, struct drom_error *err)
{
    char *id = cell(&ct->t, after, "id", 0), *type = cell(&ct->t, after, "type", 1);
    char *data = cell(&ct->t, after, "data", 2);
    int rc = 0;
    if (type && !s->cfg.signal_source && strncmp(type, "snapshot-window-", 16) != 0)
        drom_debug(mb_route(s), "signal %s in the signal table: the source channel is off; ignored", id ? id : "?");
    else if (!id || !type)
        drom_warn(mb_route(s), "signal table %s.%s: a row without id or type (columns id, type, data expected); "
                  "ignored", ct->t.db, ct->t.table);
    else
        rc = mb_signal_dispatch(s, id, type, data, src, err);
    free(id);
    free(type);
    free(data);
    return rc;
}

static void queue_table(void *arg, const char *db, const char *table, const char *filter)
{
    mb_inc_table_add(arg, db, table, filter);
}

int mb_incsnap_execute(struct mb_src *s, const char *id, json_t *data, struct drom_error *err)
{
    const char *type = json_string_value(json_object_get(data, "type"));
    json_t *colls = json_object_get(data, "data-collections");
    if (!json_is_array(colls) || !json_array_size(colls)) {
        drom_warn(mb_route(s), "signal %s: execute-snapshot without \"data-collections\" (an array of regular "
                  "expressions of db.table); ignored", id);
        return 0;
    }
    if (type && strcasecmp(type, "blocking") == 0)
        return mb_blocking_signal(s, id, data, err);
    if (type && strcasecmp(type, "incremental") != 0) {
        drom_warn(mb_route(s), "signal %s: execute-snapshot of type '%s' is not supported (incremental and blocking "
                  "are); ignored", id, type);
        return 0;
    }
    /* the option's name on each scheme: Camel has none of its own for Debezium's read.only */
    const char *ro = s->cfg.camel ? "additionalProperties.read.only" : "readOnly";
    if (!s->cfg.signal_db && !s->cfg.read_only) {
        drom_warn(mb_route(s), "signal %s: an incremental snapshot writes its watermarks to the signal table: set "
                  "signalDataCollection (or %s=true on MariaDB); ignored", id, ro);
        return 0;
    }
    if (s->cfg.read_only && !s->mariadb) {
        drom_warn(mb_route(s), "signal %s: a read-only incremental snapshot needs the binlog position of a "
                  "consistent snapshot, which MySQL does not report (MariaDB does): set %s=false and "
                  "signalDataCollection; ignored", id, ro);
        return 0;
    }
    struct mb_incsnap *inc = mb_inc_of(s);
    bool running = inc->ntables > 0;
    if (running && inc->id && strcmp(inc->id, id) == 0)
        return 0;   /* the same signal again (a restart before its position was stored) */
    if (!running) {
        free(inc->id);
        inc->id = drom_xstrdup(id);
        inc->total_tables = 0;
        inc->rows_scanned = 0;
        inc->t0_ms = drom_monotonic_ms();
        inc->paused = false;
        mb_gauge(s, "SnapshotCompleted", 0);
        mb_gauge(s, "SnapshotAborted", 0);
    }
    json_t *conds = json_object_get(data, "additional-conditions");
    if (mb_signal_tables(s, id, colls, conds, queue_table, inc, err))
        return -1;
    mb_inc_ctx_update(s, inc);
    mb_inc_gauges(s, inc);
    if (inc->ntables)
        drom_info(mb_route(s), "signal %s: incremental snapshot of %zu tables%s", id, inc->ntables,
                  running ? " (added to the running one)" : "");
    return running ? 0 : mb_inc_read_chunk(s, inc, err);
}

int mb_incsnap_pause(struct mb_src *s, bool pause, struct drom_error *err)
{
    struct mb_incsnap *inc = s->inc;
    if (!inc || !inc->ntables) {
        drom_info(mb_route(s), "%s-snapshot: no incremental snapshot runs", pause ? "pause" : "resume");
        return 0;
    }
    if (inc->paused == pause)
        return 0;
    inc->paused = pause;
    drom_info(mb_route(s), "incremental snapshot %s %s", inc->id, pause ? "paused" : "resumed");
    mb_inc_ctx_update(s, inc);
    mb_inc_gauges(s, inc);
    /* a chunk between its watermarks still completes; a resume starts the next one */
    return !pause && !inc->window[0] ? mb_inc_read_chunk(s, inc, err) : 0;
}

int mb_incsnap_stream_start(struct mb_src *s, struct drom_error *err)
{
    struct mb_incsnap *inc = s->inc;
    if (!inc)
        return 0;
    /* the stream is where it resumes: everything before was read by an earlier session (never where an
     * earlier session got to, which may be ahead) */
    snprintf(inc->at_file, sizeof inc->at_file, "%s", s->start.file);
    inc->at_pos = s->start.pos;
    if (!inc->ntables)
        return 0;
    mb_inc_rows_clear(inc);   /* a chunk whose close the stream had not reached is read again */
    return inc->paused ? 0 : mb_inc_read_chunk(s, inc, err);
}


static void log_signal(struct mb_src *s, const char *id, json_t *data)
{
    const char *msg = json_string_value(json_object_get(data, "message"));
    if (!msg)
        drom_warn(mb_route(s), "signal %s (log): data has no \"message\"; ignored", id);
    else
        drom_info(mb_route(s), "signal %s: %s", id, msg);
}

int mb_signal_dispatch(struct mb_src *s, const char *id, const char *type, const char *data,
                       const struct mb_source_info *src, struct drom_error *err)
{
    if (strcmp(type, "snapshot-window-open") == 0 || strcmp(type, "snapshot-window-close") == 0)
        return mb_incsnap_window(s, id, src, err);
    json_error_t je;
    json_t *j = NULL;
    if (data && *data && !(j = json_loads(data, 0, &je))) {
        drom_warn(mb_route(s), "signal %s (%s): data is not JSON (%s at %d): %.200s; ignored", id, type, je.text,
                  je.position, data);
        return 0;
    }
    int rc = 0;
    if (strcmp(type, "log") == 0)
        log_signal(s, id, j);
    else if (strcmp(type, "execute-snapshot") == 0)
        rc = mb_incsnap_execute(s, id, j, err);
    else if (strcmp(type, "stop-snapshot") == 0) {
        mb_incsnap_stop(s, j);
        /* the stopped table's chunk is dropped: the next table, if any, starts */
        struct mb_incsnap *inc = s->inc;
        if (inc && inc->ntables && !inc->paused && !inc->window[0])
            rc = mb_inc_read_chunk(s, inc, err);
    }
    else if (strcmp(type, "pause-snapshot") == 0 || strcmp(type, "resume-snapshot") == 0)
        rc = mb_incsnap_pause(s, type[0] == 'p', err);
    else
        drom_warn(mb_route(s), "signal %s: unknown type '%s' (execute-snapshot, stop-snapshot, pause-snapshot, "
                  "resume-snapshot, log); ignored", id, type);
    json_decref(j);
    return rc;
}
