/* The component callbacks shared by mysql-binlog and debezium-mysql. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "components/mysql-binlog/mb_blocking.h"
#include "components/mysql-binlog/mb_early.h"
#include "components/mysql-binlog/mb_endpoint.h"
#include "components/mysql-binlog/mb_incsnap.h"
#include "components/mysql-binlog/mb_stream.h"
#include "components/mysql-binlog/mb_tls.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

static struct mb_src *S(struct drom_endpoint *ep) { return ep->state; }

int mb_create(struct drom_endpoint *ep, struct drom_error *err)
{
    struct mb_src *s = drom_xcalloc(1, sizeof *s);
    bool camel = strcmp(ep->comp->name, "debezium-mysql") == 0;
    if (mb_config_load(&s->cfg, camel, ep->path, ep->conf, err)) {
        free(s);
        return -1;
    }
    s->ep = ep;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cond, NULL);
    struct drom_buf key = DROM_BUF_INIT;
    drom_buf_printf(&key, "%s/%s", ep->comp->name, s->cfg.fmt.prefix);
    s->offset_key = drom_buf_detach(&key);
    ep->state = s;
    /* Dashboards and alerts written for Debezium's MySQL connector read it. */
    drom_endpoint_debezium(ep, "mysql", s->cfg.fmt.prefix);
    return 0;
}

/* The start waits at most START_PROBE_MS for the check of what the route
 * produced (Kafka may be down); the source checks again before streaming,
 * each time for up to PROBE_MS. */
enum { STORE_RETRY_MS = 1000, START_PROBE_MS = 1000, PROBE_MS = 5000 };

static void flush_timer(void *arg);

static const char *store_name(const struct mb_src *s)
{
    return s->cfg.offset_kafka ? "the Kafka offset store" : "the offset file";
}

/* A failing store is an outage, not a log line: readiness goes off with the
 * reason, the failures are counted, the write is retried every second, and
 * the source stops reading maxUncommittedEvents past the last stored
 * position (mb_source.c) until a write succeeds. */
static void store_failed(struct mb_src *s, const struct drom_error *err)
{
    drom_endpoint_count(s->ep, "OffsetStoreFailures", 1);
    if (!s->store_failing || s->store_failures % 30 == 0)
        drom_error_log(s->ep->route_id, "%s: storing the binlog offset failed%s: %s; retrying every %d ms, reading "
                       "holds %lld changes past the last stored position (maxUncommittedEvents)",
                       s->ep->uri_masked, s->store_failing ? " again" : "", err->msg, STORE_RETRY_MS,
                       (long long)s->cfg.max_uncommitted);
    char reason[1200];
    snprintf(reason, sizeof reason, "%s cannot store positions: %.1000s", store_name(s), err->msg);
    drom_endpoint_set_store_ready(s->ep, false, reason);
    s->store_failing = true;
    s->store_failures++;
    if (!s->flush_timer)
        s->flush_timer = drom_engine_timer(drom_endpoint_engine(s->ep), STORE_RETRY_MS, flush_timer, s);
}

static void stored(struct mb_src *s)
{
    if (s->store_failing) {
        drom_info(s->ep->route_id, "%s: %s takes positions again (after %lld failed writes); reading resumes",
                  s->ep->uri_masked, store_name(s), (long long)s->store_failures);
        drom_endpoint_set_store_ready(s->ep, true, NULL);
    }
    s->store_failing = false;
    s->store_failures = 0;
    pthread_mutex_lock(&s->mu);
    if (s->pending_seq > s->stored)
        s->stored = s->pending_seq;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

/* Writes the pending position; 0 when there was none or it is stored. */
static int flush(struct mb_src *s)
{
    if (!s->pending || !s->store)
        return 0;
    struct drom_error err;
    s->last_put_ms = drom_monotonic_ms();
    struct drom_buf json = DROM_BUF_INIT;
    mb_pos_json(s->pending, &json);
    int rc = drom_offset_put(s->store, s->offset_key, json.data, &err);
    drom_buf_free(&json);
    if (rc) {
        store_failed(s, &err);
        drom_endpoint_gauge(s->ep, "OffsetAgeMs", s->last_put_ms - s->pending_since_ms);
        return -1;
    }
    stored(s);
    mb_signal_stored(s, s->pending->signal_resume);
    drom_endpoint_gauge(s->ep, "OffsetStoredMs", drom_now_us() / 1000);
    free(s->pending);
    s->pending = NULL;
    s->pending_since_ms = 0;
    drom_endpoint_gauge(s->ep, "OffsetAgeMs", 0);
    return 0;
}

static void flush_timer(void *arg)
{
    struct mb_src *s = arg;
    s->flush_timer = 0;
    flush(s);
}

void mb_commit(struct drom_endpoint *ep, const void *pos)
{
    struct mb_src *s = S(ep);
    const struct mb_pos *p = pos;
    free(s->pending);
    s->pending = mb_pos_copy(p);
    s->pending_seq = p->seq;
    int64_t now = drom_monotonic_ms();
    if (!s->pending_since_ms)
        s->pending_since_ms = now;
    if (s->store_failing)
        return;   /* the retry timer writes the newest */
    int64_t since = now - s->last_put_ms;
    pthread_mutex_lock(&s->mu);
    int64_t unstored = p->seq - s->stored;
    pthread_mutex_unlock(&s->mu);
    /* Half the bound unstored: write now, so a long flush interval never
     * holds the source up by itself. */
    bool half = s->cfg.max_uncommitted > 0 && unstored * 2 >= s->cfg.max_uncommitted;
    if (s->cfg.flush_ms <= 0 || since >= s->cfg.flush_ms || half) {
        if (s->flush_timer) {
            drom_engine_timer_cancel(drom_endpoint_engine(ep), s->flush_timer);
            s->flush_timer = 0;
        }
        flush(s);
    } else if (!s->flush_timer)
        s->flush_timer = drom_engine_timer(drom_endpoint_engine(ep), s->cfg.flush_ms - since, flush_timer, s);
}

/* A new offset history: distinct from the one it replaces even when the
 * clock went back. */
static int64_t new_epoch(int64_t previous)
{
    int64_t e = drom_now_us() / 1000;
    return e == previous ? e + 1 : e;
}

/* Whether the stored position can be served; 1 when a new snapshot in a
 * new history must replace it (snapshotMode=when_needed), -1 with err when
 * it cannot be served. */
static int check_stored(struct mb_src *s, MYSQL *m, struct drom_error *err)
{
    struct mb_server_binlogs b;
    if (mb_read_binlogs(s, m, &b, err))
        return -1;
    char why[600];
    enum mb_position_state st = mb_position_check(&s->start, &b, why, sizeof why);
    mb_binlogs_free(&b);
    if (st == MB_POSITION_OK)
        return 0;
    const char *what = st == MB_POSITION_PURGED ? "is no longer on the server" : "is ahead of the server's binlog";
    if (s->cfg.snapshot != MB_SNAP_WHEN_NEEDED)
        return drom_err(err, DROM_ESTATE,
                        "the stored position %s:%" PRIu64 " %s (%s): %s; use snapshotMode=when_needed to take a new "
                        "snapshot, or delete the stored offset to start over", s->start.file, s->start.pos, what, why,
                        st == MB_POSITION_PURGED
                            ? "changes since then are lost to this source"
                            : "the binlog was reset (RESET MASTER) or the server re-created");
    drom_warn(s->ep->route_id, "stored binlog position %s:%" PRIu64 " %s (%s); taking a new snapshot: changes made "
              "meanwhile arrive as their final state (op r)", s->start.file, s->start.pos, what, why);
    return 1;
}

/* The stored position against what the route already produced (the newest
 * DromEventId in its kafka topic), when both can tell: a store without an
 * entry, of an older history, or further behind than maxUncommittedEvents
 * would send changes again as new events or past Artemis' duplicate-id
 * cache, so it is refused. Changes the server's binlog no longer has in
 * that order (ahead of it: RESET MASTER, a re-created server) start a new
 * history as before. -1 with DROM_ESTATE (refused) or another code (could
 * not look: try again). Any thread. */
static int judge_produced(struct mb_src *s, MYSQL *m, char **ids, size_t n, const char *what, struct drom_error *err)
{
    struct mb_event_id newest = {0}, e;
    char newest_id[256] = "";
    for (size_t i = 0; i < n; i++) {
        if (mb_event_id_parse(ids[i], &e) && e.has_gtid &&
            (!newest_id[0] || e.epoch_ms > newest.epoch_ms ||
             (e.epoch_ms == newest.epoch_ms && e.domain == newest.domain && e.seq > newest.seq))) {
            newest = e;
            snprintf(newest_id, sizeof newest_id, "%s", ids[i]);
        }
        free(ids[i]);
    }
    free(ids);
    s->produced_checked = true;
    struct mb_server_binlogs b;
    if (!newest_id[0] || mb_read_binlogs(s, m, &b, err) < 0)
        return newest_id[0] ? -1 : 0;
    uint64_t server_seq = 0;
    uint32_t sv;
    bool served = b.gtids && mb_gtid_of_domain(b.gtids, newest.domain, &sv, &server_seq) && newest.seq <= server_seq;
    mb_binlogs_free(&b);
    if (!served)
        return 0;   /* ahead of the server: its binlog was reset, those ids belong to another history */
    const char *key = s->offset_key;
    if (!s->have_start)
        return drom_err(err, DROM_ESTATE,
                        "the offset store has no position for source %s, but %s already holds its changes (newest "
                        "event id %s, a GTID this server's binlog has): starting over would send them again as new "
                        "events, past the broker's duplicate detection; restore the offset store (the state dir), set "
                        "the position with `dromd offsets set %s --to FILE:POS:GTIDS`, or start over on purpose with "
                        "`dromd offsets reset %s`", key, what, newest_id, key, key);
    if (s->start.epoch_ms && newest.epoch_ms > s->start.epoch_ms)
        return drom_err(err, DROM_ESTATE,
                        "the stored position of %s is of an older offset history (epoch %lld) than what %s holds "
                        "(newest event id %s): the store is an older copy; restore the current one, set the position "
                        "with `dromd offsets set %s`, or start over on purpose with `dromd offsets reset %s`",
                        key, (long long)s->start.epoch_ms, what, newest_id, key, key);
    uint64_t stored_seq = 0;
    int64_t bound = s->cfg.max_uncommitted;
    if (newest.epoch_ms == s->start.epoch_ms && bound > 0 &&
        mb_gtid_of_domain(s->start.gtids, newest.domain, &sv, &stored_seq) && newest.seq > stored_seq + (uint64_t)bound)
        return drom_err(err, DROM_ESTATE,
                        "the stored position of %s (GTIDs %s) is %llu transactions behind what %s already holds "
                        "(newest event id %s), more than maxUncommittedEvents=%lld: replaying them would pass the "
                        "broker's duplicate detection; restore the current offset store, or set the position with "
                        "`dromd offsets set %s`", key, s->start.gtids, (unsigned long long)(newest.seq - stored_seq),
                        what, newest_id, (long long)bound, key);
    return 0;
}

/* judge_produced on what the route's topic holds: the ids of a probe
 * started before (taken from it), or of a look-up made now (probe NULL). */
static int check_produced(struct mb_src *s, MYSQL *m, struct mb_probe *probe, int64_t timeout_ms,
                          struct drom_error *err)
{
    if (s->start_reset) {
        s->produced_checked = true;
        return 0;
    }
    char **ids;
    size_t n;
    const char *what;
    if ((probe ? mb_probe_take(probe, &ids, &n, &what, err)
               : drom_route_produced_ids(s->ep, timeout_ms, &ids, &n, &what, err)) < 0)
        return -1;
    return judge_produced(s, m, ids, n, what, err);
}

/* Decides snapshot or position, once per start. Consumer thread. */
static int prepare(struct mb_src *s, bool *snapshot_only_done, struct drom_error *err)
{
    enum mb_snapshot_mode mode = s->cfg.snapshot;
    bool snap = false;
    MYSQL *m = mb_connect_reuse(s, err);
    if (!m)
        return -1;
    int rc = -1;
    if (!s->produced_checked && check_produced(s, m, NULL, PROBE_MS, err) < 0)
        goto out;
    if (s->have_start && !s->start.snapshot) {
        s->epoch_ms = s->start.epoch_ms;
        int gone = check_stored(s, m, err);
        if (gone < 0)
            goto out;
        if (gone) {
            snap = true;
            s->epoch_ms = new_epoch(s->start.epoch_ms);
        }
        if (mode == MB_SNAP_ALWAYS)
            snap = true;
        if (mode == MB_SNAP_INITIAL_ONLY && !snap) {
            *snapshot_only_done = true;
            rc = 0;
            goto out;
        }
    } else if (s->have_start) {
        snap = true;   /* an interrupted snapshot is taken again from scratch, in its history */
        s->epoch_ms = s->start.epoch_ms;
    } else {
        s->epoch_ms = new_epoch(0);
        switch (mode) {
        case MB_SNAP_NO_DATA:
        case MB_SNAP_NEVER:
            if (mb_current_position(s, m, &s->start, mode == MB_SNAP_NEVER, err))
                goto out;
            /* the history's epoch is stored before any of its events can reach a broker */
            s->start.epoch_ms = s->epoch_ms;
            if (mb_store_offset(s, &s->start, err))
                goto out;
            break;
        default:
            snap = true;
        }
        /* a snapshot sets the start once it succeeded; a failed one is taken again */
        s->have_start = !snap;
    }
    if (snap) {
        mb_early_drop(s);   /* opened for streaming at once; the snapshot may take hours */
        mb_keep(s, m);   /* the snapshot goes on in this session */
    } else
        mb_meta_adopt(s, m);
    m = NULL;
    if (snap) {
        if (mb_snapshot(s, err))
            return -1;
        s->have_start = true;
        if (mode == MB_SNAP_INITIAL_ONLY)
            *snapshot_only_done = true;
    }
    return 0;
out:
    if (m) {
        pthread_mutex_lock(&s->mu);
        s->conn[1] = NULL;
        pthread_mutex_unlock(&s->mu);
        mysql_close(m);
    }
    return rc;
}

/* A login or a TLS handshake the server refused: fixed on the server or in
 * the files, not by waiting alone, so said louder than a lost connection. */
static bool refused(const char *msg)
{
    return strstr(msg, "refused the") || strstr(msg, "certificate") || strstr(msg, "TLS");
}

static void *run(void *arg)
{
    struct mb_src *s = arg;
    pthread_setname_np(pthread_self(), "binlog-reader");   /* for top -H and profiles */
    drom_endpoint_log_here(s->ep);
    struct drom_error err;
    int64_t backoff = s->cfg.backoff_initial_ms;
    bool prepared = false;
    mb_signal_kafka_start(s);
    while (!atomic_load(&s->stopping)) {
        bool connected = false, only = false;
        int rc = 0;
        drom_err_clear(&err);
        if (!prepared) {
            rc = prepare(s, &only, &err);
            if (rc == 0)
                prepared = true;
            else
                mb_early_drop(s);   /* the retry is after a back-off: the stream connects then */
            if (rc == 0 && only) {
                drom_endpoint_set_ready(s->ep, true, NULL);
                drom_info(s->ep->route_id, "%s: snapshot done (snapshotMode=initial_only); not streaming",
                          s->ep->uri_masked);
                mb_meta_close(s);
                while (!mb_wait(s, 60000))
                    ;
                break;
            }
        }
        if (rc == 0)
            rc = mb_stream(s, &connected, &err);
        if (atomic_load(&s->stopping) || err.code == DROM_ESTOPPED)
            break;
        if (rc == 0)
            continue;
        char reason[1200];
        snprintf(reason, sizeof reason, "%s", err.msg);
        drom_endpoint_set_ready(s->ep, false, reason);
        if (err.code == DROM_ESTATE || err.code == DROM_EINVAL) {
            drom_error_log(s->ep->route_id, "%s: %s", s->ep->uri_masked, err.msg);
            if (err.code == DROM_ESTATE)
                break;   /* the position cannot be served; retrying would not help */
        } else
            drom_log(refused(err.msg) ? DROM_LOG_ERROR : DROM_LOG_WARN, s->ep->route_id,
                     "%s: %s; reconnecting in %" PRId64 " ms", s->ep->uri_masked, err.msg, backoff);
        if (connected)
            backoff = s->cfg.backoff_initial_ms;
        if (mb_wait(s, backoff))
            break;
        backoff = backoff * 2 > s->cfg.backoff_max_ms ? s->cfg.backoff_max_ms : backoff * 2;
    }
    mb_meta_close(s);   /* a session adopted by a start that did not reach the stream */
    mb_signal_kafka_stop(s);
    return NULL;
}

int mb_start(struct drom_endpoint *ep, struct drom_error *err)
{
    struct mb_src *s = S(ep);
    if (s->store)
        ;   /* a restart keeps the store opened by the first start */
    else if (s->cfg.offset_kafka || s->cfg.offset_file) {
        struct drom_offset_config oc = {.path = s->cfg.offset_file, .brokers = s->cfg.offset_brokers,
                                        .topic = s->cfg.offset_topic,
                                        .props = drom_kafka_props_list(&s->cfg.offset_props),
                                        .timeout_ms = s->cfg.connect_timeout_ms};
        s->store = drom_engine_open_offsets(drom_endpoint_engine(ep), s->cfg.offset_backend, &oc, err);
        s->own_store = true;
    } else
        s->store = drom_engine_offsets(drom_endpoint_engine(ep), err);
    if (!s->store)
        return -1;
    /* the previous start's newest acknowledged position is what this one resumes from */
    if (s->flush_timer) {
        drom_engine_timer_cancel(drom_endpoint_engine(ep), s->flush_timer);
        s->flush_timer = 0;
    }
    if (flush(s))
        return drom_err(err, DROM_EIO, "%s cannot store the previous start's last position (see the error above); "
                        "not starting from an older one", store_name(s));
    pthread_mutex_lock(&s->mu);
    s->submitted = s->stored = 0;
    pthread_mutex_unlock(&s->mu);
    s->pending_seq = 0;
    char *json = NULL;
    if (drom_offset_get(s->store, s->offset_key, &json, err))
        return -1;
    s->have_start = s->start_reset = s->produced_checked = false;
    s->signal_resume = 0;
    if (json) {
        int rc = mb_offset_from_json(&s->start, s->offset_key, json, err);
        if (rc == 0) {
            mb_incsnap_restore(s, json);
            mb_blocking_restore(s, json);
        }
        free(json);
        if (rc)
            return -1;
        s->start_reset = s->start.reset;
        s->signal_resume = s->start.signal_resume;
        if (s->start.legacy)
            drom_warn(ep->route_id, "%s: the stored position has no checksum (an older dromd wrote it); the next "
                      "commit stores it with one", ep->uri_masked);
        s->have_start = !s->start_reset;
    }
    struct mb_probe probe;
    mb_early_begin(s, &probe, START_PROBE_MS);
    struct drom_error cerr;
    MYSQL *m = mb_connect(s, false, &cerr);
    if (m) {
        char tls[200];
        mb_tls_describe(m, tls, sizeof tls);
        drom_info(ep->route_id, "%s: connected to %s:%u as '%s' over %s (%s=%s)", ep->uri_masked, s->cfg.host,
                  s->cfg.port, s->cfg.user, tls, s->cfg.opt_mode, mb_ssl_mode_name(s->cfg.ssl_mode));
        int rc = mb_check_server(s, m, err);
        /* refused here, dromd does not start; when the check cannot look
         * now (Kafka down), the consumer thread does before streaming */
        struct drom_error perr = {0};
        if (rc == 0 && check_produced(s, m, &probe, START_PROBE_MS, &perr) < 0) {
            if (perr.code == DROM_ESTATE) {
                *err = perr;
                rc = -1;
            } else {
                s->produced_checked = false;
                drom_warn(ep->route_id, "%s: %s; checked again before streaming", ep->uri_masked, perr.msg);
            }
        }
        if (rc) {
            pthread_mutex_lock(&s->mu);
            s->conn[1] = NULL;
            pthread_mutex_unlock(&s->mu);
            mysql_close(m);
            mb_probe_end(&probe);
            mb_early_drop(s);
            return -1;
        }
        mb_keep(s, m);   /* the source thread's first step goes on in this session */
        drom_endpoint_set_ready(ep, false, "taking the snapshot or connecting to the binlog");
    } else if (refused(cerr.msg)) {
        /* Fixed on the server or in the files, not in the route: an outage that says why. */
        drom_error_log(ep->route_id, "%s: %s; will keep trying", ep->uri_masked, cerr.msg);
        drom_endpoint_set_ready(ep, false, cerr.msg);
    } else {
        drom_warn(ep->route_id, "%s: %s; will keep trying", ep->uri_masked, cerr.msg);
        drom_endpoint_set_ready(ep, false, cerr.msg);
    }
    mb_probe_end(&probe);   /* not taken when the login failed: the consumer thread checks again */
    atomic_store(&s->stopping, false);
    if (pthread_create(&s->thread, NULL, run, s)) {
        mb_early_drop(s);
        return drom_err(err, DROM_EINTERNAL, "cannot start the binlog thread");
    }
    s->thread_started = true;
    return 0;
}

void mb_stop(struct drom_endpoint *ep)
{
    struct mb_src *s = S(ep);
    if (!s->thread_started) {
        mb_keep_drop(s);
        mb_early_drop(s);
        return;
    }
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stopping, true);
    pthread_cond_broadcast(&s->cond);
    /* A blocking fetch or query returns once its socket is shut. */
    for (int i = 0; i < 2; i++)
        if (s->conn[i]) {
            int fd = (int)mysql_get_socket(s->conn[i]);
            if (fd >= 0)
                shutdown(fd, SHUT_RDWR);
        }
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    s->thread_started = false;
    mb_keep_drop(s);
    mb_early_drop(s);
}

void mb_destroy(struct drom_endpoint *ep)
{
    struct mb_src *s = S(ep);
    if (!s)
        return;
    mb_stop(ep);
    if (s->flush_timer)
        drom_engine_timer_cancel(drom_endpoint_engine(ep), s->flush_timer);
    flush(s);
    free(s->pending);
    if (s->own_store)
        drom_offset_store_close(s->store);
    for (size_t i = 0; i < s->ntables; i++)
    {
        mb_cached_table_clear(s->tables[i]);
        free(s->tables[i]);
    }
    free(s->tables);
    mb_incsnap_free(s);
    mb_blocking_free(s);
    free(s->before);
    free(s->after);
    free(s->offset_key);
    mb_config_free(&s->cfg);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cond);
    free(s);
    ep->state = NULL;
}
