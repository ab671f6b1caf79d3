#include "components/mysql-binlog/mb_source.h"
#include "components/mysql-binlog/mb_stream.h"
#include "components/mysql-binlog/mb_tls.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

MYSQL *mb_connect(struct mb_src *s, bool replication, struct drom_error *err)
{
    const struct mb_config *c = &s->cfg;
    MYSQL *m = mysql_init(NULL);
    if (!m) {
        drom_err(err, DROM_ENOMEM, "mysql_init failed");
        return NULL;
    }
    unsigned timeout = (unsigned)((c->connect_timeout_ms + 999) / 1000);
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    if (replication && c->heartbeat_ms > 0) {
        /* Heartbeats arrive while idle, so silence longer than a few of them means a dead peer. */
        unsigned rt = (unsigned)(c->heartbeat_ms * 3 / 1000 + 5);
        mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rt);
    }
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mb_tls_apply(m, c);
    if (!mysql_real_connect(m, c->host, c->user, c->password ? c->password : "", NULL, c->port, NULL, 0)) {
        mb_tls_connect_error(m, c, err);
        mysql_close(m);
        return NULL;
    }
    if (mb_tls_check_negotiated(m, c, err)) {
        mysql_close(m);
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    s->conn[replication ? 0 : 1] = m;
    pthread_mutex_unlock(&s->mu);
    return m;
}

MYSQL *mb_connect_reuse(struct mb_src *s, struct drom_error *err)
{
    pthread_mutex_lock(&s->mu);
    MYSQL *m = s->kept;
    s->kept = NULL;
    if (m)
        s->conn[1] = m;
    pthread_mutex_unlock(&s->mu);
    return m ? m : mb_connect(s, false, err);
}

void mb_keep(struct mb_src *s, MYSQL *m)
{
    pthread_mutex_lock(&s->mu);
    if (s->conn[1] == m)
        s->conn[1] = NULL;
    MYSQL *old = s->kept;
    s->kept = m;
    pthread_mutex_unlock(&s->mu);
    if (old)
        mysql_close(old);
}

void mb_keep_drop(struct mb_src *s)
{
    pthread_mutex_lock(&s->mu);
    MYSQL *m = s->kept;
    s->kept = NULL;
    pthread_mutex_unlock(&s->mu);
    if (m)
        mysql_close(m);
}

static int one_row(MYSQL *m, const char *sql, MYSQL_RES **res, MYSQL_ROW *row, struct drom_error *err)
{
    if (mb_query(m, sql, err))
        return -1;
    *res = mysql_store_result(m);
    *row = *res ? mysql_fetch_row(*res) : NULL;
    if (!*row) {
        mysql_free_result(*res);
        return drom_err(err, DROM_ECONNECT, "%s: no result", sql);
    }
    return 0;
}

static bool grants_have(MYSQL *m, const char *const *any_of)
{
    if (mysql_query(m, "SHOW GRANTS"))
        return true;   /* cannot tell: let the server refuse later with its own words */
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row;
    bool found = false;
    while (res && !found && (row = mysql_fetch_row(res))) {
        if (!row[0] || !strstr(row[0], " ON *.* "))
            continue;
        for (const char *const *p = any_of; *p && !found; p++)
            found = strcasestr(row[0], *p) != NULL;
    }
    mysql_free_result(res);
    return found;
}

int mb_check_server(struct mb_src *s, MYSQL *m, struct drom_error *err)
{
    const struct mb_config *c = &s->cfg;
    MYSQL_RES *res;
    MYSQL_ROW row;
    if (one_row(m, "SELECT @@version, @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id", &res, &row, err))
        return -1;
    struct mb_settings st = {0};
    char format[32], image[32], meta[32], meta_error[256];
    s->mariadb = row[0] && strstr(row[0], "MariaDB");
    if (s->cfg.identity_auto)
        s->cfg.fmt.mariadb = s->mariadb;
    snprintf(s->version, sizeof s->version, "%s", row[0] ? row[0] : "");
    st.mariadb = s->mariadb;
    st.version = s->version;
    st.log_bin = row[1] && strcmp(row[1], "1") == 0;
    snprintf(format, sizeof format, "%s", row[2] ? row[2] : "");
    snprintf(image, sizeof image, "%s", row[3] ? row[3] : "");
    st.format = format;
    st.image = image;
    st.server_id = row[4] ? (uint32_t)strtoul(row[4], NULL, 10) : 0;
    mysql_free_result(res);
    if (mysql_query(m, "SELECT @@binlog_row_metadata")) {
        snprintf(meta_error, sizeof meta_error, "%s", mysql_error(m));
        st.metadata_error = meta_error;
    } else {
        res = mysql_store_result(m);
        row = res ? mysql_fetch_row(res) : NULL;
        snprintf(meta, sizeof meta, "%s", row && row[0] ? row[0] : "?");
        st.metadata = meta;
        mysql_free_result(res);
    }
    if (mb_check_settings(&st, c, err))
        return -1;
    static const char *const repl_slave[] = {"REPLICATION SLAVE", "ALL PRIVILEGES", NULL};
    static const char *const repl_client[] = {"REPLICATION CLIENT", "BINLOG MONITOR", "ALL PRIVILEGES", "SUPER", NULL};
    static const char *const select[] = {"SELECT", "ALL PRIVILEGES", NULL};
    const char *missing = !grants_have(m, repl_slave)    ? "REPLICATION SLAVE"
                          : !grants_have(m, repl_client) ? (s->mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT")
                          : !grants_have(m, select)      ? "SELECT"
                                                         : NULL;
    if (missing)
        return drom_err(err, DROM_EINVAL,
                        "user '%s' lacks %s on *.*: GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, %s "
                        "ON *.* TO '%s'@'%%'", c->user, missing, s->mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT",
                        c->user);
    return 0;
}

/* `o` with what the source's state adds to every offset it stores: the
 * snapshots' contexts and the signal channel's position, so a signal's
 * position is stored with its effect, never before it. */
static struct mb_offset with_state(const struct mb_src *s, const struct mb_offset *o)
{
    struct mb_offset with = *o;
    with.incremental = s->inc_ctx;
    with.blocking = s->blocking_ctx;
    with.signal_resume = s->signal_resume;
    return with;
}

void mb_signal_stored(struct mb_src *s, int64_t resume)
{
    int64_t was = atomic_load(&s->signal_stored);
    while (resume > was && !atomic_compare_exchange_weak(&s->signal_stored, &was, resume))
        ;
}

int mb_store_offset(struct mb_src *s, const struct mb_offset *o, struct drom_error *err)
{
    struct drom_buf b = DROM_BUF_INIT;
    struct mb_offset with = with_state(s, o);
    mb_offset_to_json(&with, s->offset_key, &b);
    int rc = drom_offset_put(s->store, s->offset_key, b.data, err);
    drom_buf_free(&b);
    if (rc)
        drom_err_prefix(err, "storing the binlog offset %s:%" PRIu64, o->file, o->pos);
    else
        mb_signal_stored(s, with.signal_resume);
    return rc;
}

/* --- table cache --- */

void mb_cached_table_clear(struct mb_cached_table *ct)
{
    mb_schema_free(ct->schema);
    mb_table_free(&ct->t);
    free(ct->raw);
    memset(ct, 0, sizeof *ct);
}

void mb_values_reserve(struct mb_src *s, size_t n)
{
    if (n <= s->nvalues)
        return;
    free(s->before);
    free(s->after);
    s->before = drom_xcalloc(n, sizeof *s->before);
    s->after = drom_xcalloc(n, sizeof *s->after);
    s->nvalues = n;
}

struct mb_cached_table *mb_cached_table_add(struct mb_src *s)
{
    drom_xgrow((void **)&s->tables, &s->captables, s->ntables + 1, sizeof *s->tables);
    return s->tables[s->ntables++] = drom_xcalloc(1, sizeof **s->tables);
}

static bool wants(const struct mb_src *s, const char *db, const char *table)
{
    if (s->replay && s->replay->all_databases)
        return true;
    return mb_config_wants_table(&s->cfg, db, table);
}

/* Decides filters and builds the event schema of a parsed table. */
void mb_cached_table_init(struct mb_src *s, struct mb_cached_table *ct)
{
    const struct mb_table *t = &ct->t;
    ct->wanted = wants(s, t->db, t->table);
    ct->signal = !s->replay && mb_config_is_signal_table(&s->cfg, t->db, t->table);
    if (!ct->wanted)
        return;
    bool *keep = NULL;
    if (mb_config_has_column_filter(&s->cfg)) {
        keep = drom_xcalloc(t->ncols, sizeof *keep);
        for (size_t i = 0; i < t->ncols; i++)
            keep[i] = mb_config_wants_column(&s->cfg, t->db, t->table, t->cols[i].name);
    }
    ct->schema = mb_schema_new(&s->cfg.fmt, t, keep);
    free(keep);
    mb_values_reserve(s, t->ncols);
}

MYSQL *mb_meta_conn(struct mb_src *s, struct drom_error *err)
{
    if (!s->meta)
        s->meta = mb_connect(s, false, err);
    return s->meta;
}

void mb_meta_adopt(struct mb_src *s, MYSQL *m)
{
    if (!s->meta) {
        s->meta = m;
        return;
    }
    pthread_mutex_lock(&s->mu);
    if (s->conn[1] == m)
        s->conn[1] = s->meta;
    pthread_mutex_unlock(&s->mu);
    mysql_close(m);
}

void mb_meta_close(struct mb_src *s)
{
    if (!s->meta)
        return;
    pthread_mutex_lock(&s->mu);
    s->conn[1] = NULL;
    pthread_mutex_unlock(&s->mu);
    mysql_close(s->meta);
    s->meta = NULL;
}

void mb_count(struct mb_src *s, const char *name, int64_t delta)
{
    if (s->ep)
        drom_endpoint_count(s->ep, name, delta);
}

int mb_event_failure(struct mb_src *s, bool unknown_table, const char *file, uint64_t pos, struct drom_error *err)
{
    enum mb_failure_mode mode = unknown_table ? s->cfg.on_unknown_table : s->cfg.on_failure;
    if (mode == MB_FAIL_FAIL)
        return -1;
    mb_count(s, "NumberOfSkippedEvents", 1);
    /* Debezium's skip logs nothing; here a fault is never silent */
    drom_warn(s->ep ? s->ep->route_id : "mysql-binlog", "%s: the rows event at %s:%" PRIu64 " is skipped (%s=%s): %s",
              s->ep ? s->ep->uri_masked : s->cfg.name, file, pos,
              unknown_table ? "inconsistentSchemaHandlingMode" : "eventProcessingFailureHandlingMode",
              mode == MB_FAIL_WARN ? "warn" : "skip", err->msg);
    return 0;
}

void mb_gauge(struct mb_src *s, const char *name, int64_t value)
{
    if (s->ep)
        drom_endpoint_gauge(s->ep, name, value);
}

const char *mb_route(const struct mb_src *s)
{
    return s->ep ? s->ep->route_id : "replay";
}

/* Only captured tables cost an information_schema read. */
static int with_meta(struct mb_src *s, struct mb_table *t, struct drom_error *err)
{
    if (!wants(s, t->db, t->table))
        return 0;
    if (s->replay)
        return s->replay->complete ? s->replay->complete(s->replay->arg, t, err) : 0;
    MYSQL *m = mb_meta_conn(s, err);
    if (!m || mb_table_load_meta(m, t, err)) {
        drom_err_prefix(err, "table %s.%s", t->db, t->table);
        mb_meta_close(s);   /* a broken connection is opened afresh on the next try */
        return -1;
    }
    return 0;
}

/* Table maps repeat before every statement: an identical map reuses its
 * parsed model and schema; a changed one (after DDL) replaces it. */
struct mb_cached_table *mb_table_cache(struct mb_src *s, const uint8_t *body, size_t len, unsigned id_len,
                                       struct drom_error *err)
{
    struct mb_table t;
    if (mb_table_parse(&t, body, len, id_len, err))
        return NULL;
    for (size_t i = 0; i < s->ntables; i++) {
        struct mb_cached_table *ct = s->tables[i];
        if (ct->t.table_id == t.table_id || (strcmp(ct->t.db, t.db) == 0 && strcmp(ct->t.table, t.table) == 0)) {
            bool same = ct->raw_len == len && memcmp(ct->raw, body, len) == 0;
            if (same && !ct->stale) {
                mb_table_free(&t);
                return ct;
            }
            if (with_meta(s, &t, err)) {
                mb_table_free(&t);
                return NULL;
            }
            if (!same && ct->raw && (ct->raw_len != len || len < 6 || memcmp(ct->raw + 6, body + 6, len - 6) != 0))
                drom_info(mb_route(s), "table %s.%s changed (new table map); events use the new columns",
                          t.db, t.table);
            mb_cached_table_clear(ct);
            ct->t = t;
            ct->raw = drom_xmalloc(len ? len : 1);
            memcpy(ct->raw, body, len);
            ct->raw_len = len;
            mb_cached_table_init(s, ct);
            return ct;
        }
    }
    if (with_meta(s, &t, err)) {
        mb_table_free(&t);
        return NULL;
    }
    struct mb_cached_table *ct = mb_cached_table_add(s);
    ct->t = t;
    ct->raw = drom_xmalloc(len ? len : 1);
    memcpy(ct->raw, body, len);
    ct->raw_len = len;
    mb_cached_table_init(s, ct);
    return ct;
}

/* --- exchanges --- */

/* Returns the bytes the headers hold. */
static size_t set_headers(struct mb_src *s, struct drom_exchange *ex, const struct mb_row_event *e, bool tombstone,
                          int64_t now_us)
{
    size_t bytes = 0;
    const struct mb_schema *sc = e->ct->schema;
    struct drom_buf b = DROM_BUF_INIT;
    const struct mb_value *keyrow = e->after ? e->after : e->before;
    drom_headers_set_str(&ex->headers, "CamelDebeziumIdentifier", mb_schema_topic(sc));
    if (mb_schema_has_key(sc) && keyrow) {   /* a truncate has no row, so no key */
        mb_json_key_payload(&b, sc, keyrow);
        bytes += b.len;
        drom_headers_set_json(&ex->headers, "CamelDebeziumKey", b.data);
        if (!s->cfg.camel) {
            drom_buf_reset(&b);
            mb_json_key(&b, sc, keyrow);
            bytes += b.len;
            drom_headers_set_str(&ex->headers, "kafka.KEY", b.data);
        }
    }
    if (!tombstone) {
        char op[2] = {e->op, 0};
        drom_headers_set_str(&ex->headers, "CamelDebeziumOperation", op);
        if (e->before) {
            drom_buf_reset(&b);
            mb_json_row(&b, sc, e->before);
            bytes += b.len;
            drom_headers_set_json(&ex->headers, "CamelDebeziumBefore", b.data);
        } else {
            struct drom_value null = {.type = DROM_V_NULL};
            drom_headers_set(&ex->headers, "CamelDebeziumBefore", &null);
        }
        drom_buf_reset(&b);
        mb_json_source(&b, sc, &e->src);
        bytes += b.len;
        drom_headers_set_json(&ex->headers, "CamelDebeziumSourceMetadata", b.data);
        drom_headers_set_int(&ex->headers, "CamelDebeziumTimestamp", now_us / 1000);
    }
    drom_buf_reset(&b);
    /* Positions and GTIDs start again after RESET MASTER or on a re-created
     * server; the epoch of the offset history keeps those ids apart from the
     * ones the broker's duplicate cache remembers. */
    if (s->epoch_ms) {
        drom_buf_put_i64(&b, s->epoch_ms);
        drom_buf_putc(&b, '/');
    }
    drom_buf_puts(&b, e->event_id);
    if (tombstone)
        drom_buf_puts(&b, ":tombstone");
    drom_headers_set_str(&ex->headers, "DromEventId", b.data);
    bytes += b.len + 256;   /* names and the smaller headers */
    drom_buf_free(&b);
    return bytes;
}

/* Memory follows the bytes in flight, not only their count: a source of
 * 16 MB rows waits here until earlier ones are done. One exchange larger
 * than the budget goes alone.
 *
 * A crash replays every change sent after the last stored position, and
 * Artemis drops a replay only while its id is in the address's duplicate
 * cache (id-cache-size, 20000 by default). So reading also waits while
 * maxUncommittedEvents changes are sent past the stored position: when the
 * store fails (disk full, Kafka down), the source holds there and resumes
 * once a write succeeds (mb_endpoint.c). */
static int submit(struct mb_src *s, struct drom_exchange *ex, const struct mb_offset *o, int64_t bytes,
                  struct drom_error *err)
{
    int64_t budget = s->cfg.max_inflight_bytes, bound = s->cfg.max_uncommitted;
    pthread_mutex_lock(&s->mu);
    while (budget > 0 && s->inflight_bytes > 0 && s->inflight_bytes + bytes > budget && !atomic_load(&s->stopping))
        pthread_cond_wait(&s->cond, &s->mu);
    bool held = false;
    while (bound > 0 && s->submitted - s->stored >= bound && !atomic_load(&s->stopping)) {
        if (!held) {
            held = true;
            pthread_mutex_unlock(&s->mu);
            drom_endpoint_gauge(s->ep, "OffsetHeld", 1);
            drom_warn(s->ep->route_id, "%s: %lld changes sent past the last stored position (maxUncommittedEvents); "
                      "reading waits for the offset store", s->ep->uri_masked, (long long)bound);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        pthread_cond_wait(&s->cond, &s->mu);
    }
    s->inflight_bytes += bytes;
    int64_t seq = ++s->submitted, unstored = seq - s->stored;
    pthread_mutex_unlock(&s->mu);
    if (held) {
        drom_endpoint_gauge(s->ep, "OffsetHeld", 0);
        drom_info(s->ep->route_id, "%s: the offset store caught up; reading again", s->ep->uri_masked);
    }
    drom_endpoint_gauge(s->ep, "OffsetUncommittedEvents", unstored);
    struct mb_offset with = with_state(s, o);
    return drom_consumer_submit(s->ep, ex, mb_pos_new(s->offset_key, &with, bytes, seq), err);
}

void mb_exchange_done(struct drom_endpoint *ep, const void *pos, bool failed)
{
    struct mb_src *s = ep->state;
    const struct mb_pos *p = pos;
    bool in_txn = drom_endpoint_commit_taken(ep);
    pthread_mutex_lock(&s->mu);
    s->inflight_bytes -= p->bytes;
    /* a transactional producer stored the position with the records */
    if (in_txn && !failed && p->seq > s->stored)
        s->stored = p->seq;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    if (in_txn && !failed)
        mb_signal_stored(s, p->signal_resume);
}

int mb_emit(struct mb_src *s, const struct mb_row_event *e, const struct mb_offset *after_change,
            const struct mb_offset *after_tombstone, struct drom_error *err)
{
    if (s->replay)
        return s->replay->emit(s->replay->arg, e, after_change, err);
    const struct mb_schema *sc = e->ct->schema;
    int64_t now_us = drom_now_us();
    struct drom_exchange *ex = drom_exchange_new();
    struct drom_buf b = DROM_BUF_INIT;
    size_t body_len = 0;
    if (s->cfg.camel) {
        if (e->after) {
            mb_json_row(&b, sc, e->after);
            body_len = b.len;
            drom_exchange_set_body_take(ex, drom_buf_detach(&b), body_len, "application/json");
        } else
            drom_exchange_set_body_null(ex);
    } else {
        mb_json_value(&b, sc, e->op, e->before, e->after, &e->src, e->tx, now_us);
        body_len = b.len;
        drom_exchange_set_body_take(ex, drom_buf_detach(&b), body_len, "application/json");
    }
    drom_buf_free(&b);
    int64_t bytes = (int64_t)(body_len + set_headers(s, ex, e, false, now_us));
    if (submit(s, ex, after_change, bytes, err))
        return -1;
    char name[16];
    snprintf(name, sizeof name, "events_%c", e->op);
    drom_endpoint_count(s->ep, name, 1);
    if (after_tombstone && mb_schema_has_key(sc)) {
        ex = drom_exchange_new();
        drom_exchange_set_body_null(ex);
        bytes = (int64_t)set_headers(s, ex, e, true, now_us);
        if (submit(s, ex, after_tombstone, bytes, err))
            return -1;
        drom_endpoint_count(s->ep, "tombstones", 1);
    }
    return 0;
}

bool mb_wait(struct mb_src *s, int64_t ms)
{
    struct timespec ts = drom_deadline_in(ms);
    pthread_mutex_lock(&s->mu);
    while (!atomic_load(&s->stopping))
        if (pthread_cond_timedwait(&s->cond, &s->mu, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&s->mu);
    return atomic_load(&s->stopping);
}

int mb_emit_tombstone(struct mb_src *s, const struct mb_row_event *e, const struct mb_offset *after,
                      struct drom_error *err)
{
    if (!mb_schema_has_key(e->ct->schema))
        return 0;
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_null(ex);
    int64_t bytes = (int64_t)set_headers(s, ex, e, true, drom_now_us());
    if (submit(s, ex, after, bytes, err))
        return -1;
    drom_endpoint_count(s->ep, "tombstones", 1);
    return 0;
}
