/* kafka's transactionalId on the real broker: a route mysql-binlog
 * (offsetStorage=kafka) -> kafka. dromd killed with SIGKILL while producing,
 * several times, then restarted: a read_committed reader sees every change
 * exactly once, in order per key. A second dromd with the same
 * transactionalId fences the first. A record the broker refuses aborts its
 * transaction: nothing of it and nothing after it is committed. */
#include <librdkafka/rdkafka.h>

#include "tests/integration/test_mysql_binlog_util.h"
#include "tests/support/testkafka.h"

static void topic_name(char *out, size_t size, const char *what)
{
    snprintf(out, size, "drom-txn-%s-%d-%lld", what, (int)getpid(), (long long)ts_now_ms());
}

struct rec {
    long id;
    char v[16];
    int32_t partition;
    int64_t offset;
};

struct recs {
    struct rec *v;
    size_t n, cap;
    char *last_value;   /* the newest value read (the offset topic's) */
};

/* Every record of `topic` up to the end of each partition, as `isolation`
 * reads them. Envelopes of mysql-binlog (schemas=false) give id and v. */
static void read_topic(const char *topic, const char *isolation, struct recs *out)
{
    char why[512], group[128];
    snprintf(group, sizeof group, "drom-txn-reader-%d", (int)getpid());
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", ts_brokers(), why, sizeof why);
    rd_kafka_conf_set(conf, "group.id", group, why, sizeof why);
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", why, sizeof why);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof why);
    cr_assert_eq(rd_kafka_conf_set(conf, "isolation.level", isolation, why, sizeof why), RD_KAFKA_CONF_OK, "%s", why);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    cr_assert_eq(rd_kafka_metadata(rk, 0, rkt, &md, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    int nparts = md->topics[0].partition_cnt;
    cr_assert_gt(nparts, 0, "%s has partitions", topic);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(nparts);
    for (int i = 0; i < nparts; i++)
        rd_kafka_topic_partition_list_add(l, topic, md->topics[0].partitions[i].id)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(md);
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int eofs = 0;
    int64_t end = ts_now_ms() + 30000;
    while (eofs < nparts) {
        cr_assert_lt(ts_now_ms(), end, "%s read to its end in time", topic);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs++;
        } else {
            cr_assert_eq(m->err, 0, "%s: %s", topic, rd_kafka_message_errstr(m));
            free(out->last_value);
            out->last_value = strndup(m->payload ? m->payload : "", m->len);
            json_t *j = m->payload ? json_loadb(m->payload, m->len, 0, NULL) : NULL;
            json_t *after = json_object_get(j, "after");
            if (after) {
                if (out->n == out->cap)
                    out->v = realloc(out->v, (out->cap = out->cap ? out->cap * 2 : 1024) * sizeof *out->v);
                struct rec *r = &out->v[out->n++];
                r->id = (long)json_integer_value(json_object_get(after, "id"));
                snprintf(r->v, sizeof r->v, "%s", json_string_value(json_object_get(after, "v")));
                r->partition = m->partition;
                r->offset = m->offset;
            }
            json_decref(j);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static void recs_free(struct recs *r)
{
    free(r->v);
    free(r->last_value);
    *r = (struct recs){0};
}

static const char *ROUTE =
    "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:t?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
    "password=debezium&amp;serverId=%u&amp;tableIncludeList=%s.t&amp;snapshotMode=no_data&amp;"
    "schemas=false&amp;offsetStorage=kafka&amp;offsetStorageTopic=%s&amp;offsetStorageBrokers=%s\"/>"
    "<to uri=\"kafka:%s?brokers=%s&amp;transactionalId=%s&amp;transactionBatchSize=%d%s\"/></route></routes>";

static void route(char *xml, size_t size, unsigned server_id, const char *db, const char *offsets, const char *topic,
                  const char *txn_id, int batch, const char *extra)
{
    snprintf(xml, size, ROUTE, mbt_port(), server_id, db, offsets, ts_brokers(), topic, ts_brokers(), txn_id, batch, extra);
}

/* Changes of `keys` rows: an insert then `updates` updates of each, the
 * rows interleaved, several changes per database transaction. v is the
 * row's version: "v0", "v1", ... */
static void write_changes(MYSQL *m, const char *db, int keys, int updates, int first_id)
{
    for (int ver = 0; ver <= updates; ver++)
        for (int k = 0; k < keys; k += 50) {
            char q[16384];
            size_t n = (size_t)snprintf(q, sizeof q, "BEGIN;");
            for (int id = first_id + k; id < first_id + k + 50 && id < first_id + keys; id++)
                n += (size_t)(ver == 0 ? snprintf(q + n, sizeof q - n, "INSERT INTO %s.t (id, v) VALUES (%d, 'v0');", db, id)
                                       : snprintf(q + n, sizeof q - n, "UPDATE %s.t SET v = 'v%d' WHERE id = %d;", db,
                                                  ver, id));
            snprintf(q + n, sizeof q - n, "COMMIT");
            ts_sql(m, "%s", q);
        }
}

/* Every change of ids [first, first + keys) with versions 0..updates seen
 * exactly once, in version order per key (one key, one partition). */
static void check_exactly_once(const struct recs *r, int first, int keys, int updates)
{
    int *next = calloc((size_t)keys, sizeof *next);
    size_t mine = 0;
    /* The reader returns each partition's records in offset order, and a
     * key stays in one partition. */
    for (size_t i = 0; i < r->n; i++) {
        long id = r->v[i].id;
        if (id < first || id >= first + keys)
            continue;
        mine++;
        int ver = atoi(r->v[i].v + 1);
        cr_assert_eq(ver, next[id - first],
                     "id %ld: version %d read where %d was expected (duplicate or out of order), partition %d "
                     "offset %lld",
                     id, ver, next[id - first], r->v[i].partition, (long long)r->v[i].offset);
        next[id - first]++;
    }
    for (int k = 0; k < keys; k++)
        cr_assert_eq(next[k], updates + 1, "id %d: %d of %d changes read", first + k, next[k], updates + 1);
    cr_assert_eq(mine, (size_t)keys * (updates + 1));
    free(next);
}

/* Waits until `topic` holds `want` committed changes (or the deadline). */
static size_t wait_committed(const char *topic, size_t want, int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    size_t n = 0;
    for (;;) {
        struct recs r = {0};
        read_topic(topic, "read_committed", &r);
        n = r.n;
        recs_free(&r);
        if (n >= want || ts_now_ms() > end)
            return n;
        usleep(200000);
    }
}

/* One test's names, database and output topic. */
struct fixture {
    MYSQL *root;
    char db[32], topic[128], offsets[160], txn_id[160], xml[4096];
};

/* Fresh database `db` with table t (`columns`), topic of 3 partitions
 * (`config` as create_topic takes it), and unused offset topic and id. */
static void fixture_init(struct fixture *f, const char *db, const char *columns, const char *config)
{
    f->root = ts_root(0);
    snprintf(f->db, sizeof f->db, "%s", db);
    ts_fresh_db(f->root, db);
    ts_sql(f->root, "CREATE TABLE %s.t (%s)", db, columns);
    topic_name(f->topic, sizeof f->topic, db);
    snprintf(f->offsets, sizeof f->offsets, "%s-offsets", f->topic);
    snprintf(f->txn_id, sizeof f->txn_id, "%s-id", f->topic);
    ts_create_topic(f->topic, 3, config);
}

static void fixture_route(struct fixture *f, unsigned server_id, int batch, const char *extra)
{
    route(f->xml, sizeof f->xml, server_id, f->db, f->offsets, f->topic, f->txn_id, batch, extra);
}

static void fixture_done(struct fixture *f)
{
    ts_sql(f->root, "DROP DATABASE %s", f->db);
    mysql_close(f->root);
}

static long long acknowledged(const struct mbt_proc *p)
{
    return mbt_metric(p, "drom_endpoint_acknowledged{");
}

Test(kafka_txn, kill9_while_producing_then_restart, .timeout = 240)
{
    struct fixture f;
    fixture_init(&f, "kt_txn", "id INT PRIMARY KEY, v VARCHAR(16)", NULL);
    fixture_route(&f, 5431, 50, "");
    MYSQL *root = f.root;
    const char *topic = f.topic, *xml = f.xml;
    struct mbt_proc p = {0};
    mbt_dromd(&p, xml);
    cr_assert(mbt_proc_ready(&p, 30000), "dromd ready: %s", ts_slurp(p.log));
    const int keys = 6000, updates = 3;
    const size_t total = (size_t)keys * (updates + 1);
    /* The whole workload is in the binlog before dromd streams it, so the
     * kills hit it mid-stream. */
    kill(p.pid, SIGSTOP);
    write_changes(root, "kt_txn", keys, updates, 1);
    kill(p.pid, SIGCONT);
    int kills = 0;
    for (int round = 0; round < 4; round++) {
        int64_t end = ts_now_ms() + 30000;
        /* The counters are shown every 250 ms: the first one is the cue. */
        while (acknowledged(&p) < 1 && ts_now_ms() < end)
            usleep(2000);
        kill(p.pid, SIGKILL);
        mbt_kill(&p, SIGKILL);
        size_t before = wait_committed(topic, 0, 0);
        if (before >= total)
            break;
        kills++;
        cr_log_info("kill -9 #%d with %zu of %zu changes committed", kills, before, total);
        mbt_dromd(&p, xml);
        cr_assert(mbt_proc_ready(&p, 60000), "dromd ready after kill #%d: %s", kills, ts_slurp(p.log));
    }
    cr_assert_geq(kills, 2, "dromd was killed while producing at least twice");
    size_t got = wait_committed(topic, total, 90000);
    cr_assert_eq(got, total, "%zu of %zu changes committed", got, total);
    mbt_kill(&p, SIGTERM);
    struct recs r = {0};
    read_topic(topic, "read_committed", &r);
    check_exactly_once(&r, 1, keys, updates);
    recs_free(&r);
    /* The offset topic holds the position the last transaction committed. */
    struct recs o = {0};
    read_topic(f.offsets, "read_committed", &o);
    cr_assert_not_null(o.last_value, "an offset was committed");
    cr_assert(strstr(o.last_value, "\"pos\""), "a binlog position: %s", o.last_value);
    recs_free(&o);
    mbt_proc_free(&p);
    fixture_done(&f);
}

static bool log_has(const struct mbt_proc *p, const char *what, int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    for (;;) {
        char *log = ts_slurp(p->log);
        bool has = strstr(log, what) != NULL;
        free(log);
        if (has || ts_now_ms() > end)
            return has;
        usleep(50000);
    }
}

Test(kafka_txn, second_dromd_with_the_same_id_fences_the_first, .timeout = 180)
{
    struct fixture f;
    fixture_init(&f, "kt_fence", "id INT PRIMARY KEY, v VARCHAR(16)", NULL);
    MYSQL *root = f.root;
    const char *topic = f.topic;
    struct mbt_proc a = {0}, b = {0};
    fixture_route(&f, 5441, 50, "");
    mbt_dromd(&a, f.xml);
    cr_assert(mbt_proc_ready(&a, 30000), "first dromd ready: %s", ts_slurp(a.log));
    write_changes(root, "kt_fence", 100, 0, 1);
    cr_assert_eq(wait_committed(topic, 100, 30000), 100);
    /* Another replica id, so both can read the binlog; the same producer id. */
    fixture_route(&f, 5442, 50, "");
    mbt_dromd(&b, f.xml);
    cr_assert(mbt_proc_ready(&b, 30000), "second dromd ready: %s", ts_slurp(b.log));
    write_changes(root, "kt_fence", 100, 0, 101);
    cr_assert_eq(wait_committed(topic, 200, 30000), 200);
    cr_assert(log_has(&a, "fenced by a newer producer with the same transactionalId", 30000),
              "the first dromd says it was fenced: %s", ts_slurp(a.log));
    cr_assert_neq(mbt_http(&a, "/health/ready", NULL), 200, "the fenced dromd is not ready");
    mbt_kill(&a, SIGTERM);
    mbt_kill(&b, SIGTERM);
    struct recs r = {0};
    read_topic(topic, "read_committed", &r);
    check_exactly_once(&r, 1, 200, 0);
    recs_free(&r);
    mbt_proc_free(&a);
    mbt_proc_free(&b);
    fixture_done(&f);
}

Test(kafka_txn, refused_record_aborts_its_transaction_and_nothing_after_commits, .timeout = 180)
{
    struct fixture f;
    /* The broker refuses a record batch over 20 kB: the padded row. */
    fixture_init(&f, "kt_abort", "id INT PRIMARY KEY, v VARCHAR(16), pad MEDIUMTEXT", "max.message.bytes=20000");
    fixture_route(&f, 5451, 1000, "&amp;producerBatchSize=8000");
    MYSQL *root = f.root;
    const char *topic = f.topic;
    struct mbt_proc p = {0};
    mbt_dromd(&p, f.xml);
    cr_assert(mbt_proc_ready(&p, 30000), "dromd ready: %s", ts_slurp(p.log));
    write_changes(root, "kt_abort", 100, 0, 1);
    cr_assert_eq(wait_committed(topic, 100, 30000), 100);
    /* One database transaction: fine rows, the refused one, fine rows. */
    kill(p.pid, SIGSTOP);
    ts_sql(root, "BEGIN");
    for (int id = 101; id <= 200; id++)
        ts_sql(root, "INSERT INTO kt_abort.t VALUES (%d, 'v0', %s)", id, id == 151 ? "REPEAT('x', 50000)" : "NULL");
    ts_sql(root, "COMMIT");
    kill(p.pid, SIGCONT);
    cr_assert(log_has(&p, "MSG_SIZE_TOO_LARGE", 30000) || log_has(&p, "too large", 1000),
              "the refusal is logged: %s", ts_slurp(p.log));
    cr_assert(log_has(&p, "stopping the route", 30000), "the route stops: %s", ts_slurp(p.log));
    struct recs r = {0};
    read_topic(topic, "read_committed", &r);
    /* The 100 rows share one batch of up to 1000 records with the refused
     * one, closed by transactionLingerMs: none of them is committed. */
    cr_assert_eq(r.n, 100, "only the first 100 rows are committed, got %zu", r.n);
    check_exactly_once(&r, 1, 100, 0);
    recs_free(&r);
    /* The aborted transaction's other records reached the log, marked aborted. */
    struct recs u = {0};
    read_topic(topic, "read_uncommitted", &u);
    cr_assert_gt(u.n, 100, "read_uncommitted sees the aborted records (%zu)", u.n);
    recs_free(&u);
    mbt_kill(&p, SIGTERM);
    mbt_proc_free(&p);
    fixture_done(&f);
}

Test(kafka_txn, source_with_file_offsets_is_refused)
{
    char topic[128], xml[4096];
    topic_name(topic, sizeof topic, "refused");
    snprintf(xml, sizeof xml,
             "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:t?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
             "password=debezium&amp;serverId=5461&amp;snapshotMode=no_data&amp;offsetStorageFileName=/tmp/x.json\"/>"
             "<to uri=\"kafka:%s?brokers=%s&amp;transactionalId=x\"/></route></routes>",
             mbt_port(), topic, ts_brokers());
    struct mbt_proc p = {0};
    mbt_dromd(&p, xml);
    cr_assert(log_has(&p, "set offsetStorage=kafka", 20000), "the refusal names the fix: %s", ts_slurp(p.log));
    cr_assert(!mbt_proc_ready(&p, 500));
    mbt_proc_free(&p);
}
