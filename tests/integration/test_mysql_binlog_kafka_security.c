/* The Kafka clients a binlog source opens for itself, on the test broker's
 * secured listeners, in dromd: the offset store and the standby elector
 * over TLS (the SSL listener, the test CA), the kafka signal channel over
 * SASL PLAIN (the SASL_PLAINTEXT listener). The route is elected, streams,
 * its offset is read back from the topic over TLS, and a signal read over
 * SASL snapshots a table. A wrong SASL password is said at ERROR: for the
 * signal consumer naming its group and topic (the route runs on), for the
 * offset store naming its topic (the route cannot start). No password ever
 * shows. */
#include "tests/integration/test_mysql_binlog_util.h"
#include "tests/support/testkafka.h"

static const char *need(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        cr_skip_test("%s is not set (source tests/services/env.sh after tests/services/up.sh)", name);
    return v;
}

/* The route: `extra` adds options to the source; the signal consumer's
 * password is $KT_SIGNAL_PASSWORD, the sink a file in p->dir. */
/* `name` is the source's, and so its signal group's (dromd-signal-<name>):
 * one of each run, so that a member a failed run left in the group never
 * holds up the next run's join. The tables are in database `db`. */
static void route(char *xml, size_t size, const struct mbt_proc *p, unsigned server_id, const char *name,
                  const char *db, const char *signal_topic, const char *extra)
{
    snprintf(xml, size,
             "<routes><route id=\"cdc\"><from uri=\"mysql-binlog:%s?host=127.0.0.1&amp;port=%u&amp;user=debezium&amp;"
             "password=debezium&amp;serverId=%u&amp;topicPrefix=%s&amp;tableIncludeList=%s[.]t&amp;"
             "schemas=false&amp;snapshotMode=no_data&amp;heartbeatIntervalMs=200&amp;signalDataCollection=%s"
             ".sig&amp;signalEnabledChannels=source,kafka&amp;signalKafkaTopic=%s&amp;"
             "signalKafkaBootstrapServers={{env:KAFKA_SASL_BROKERS}}&amp;signalKafkaSecurityProtocol=SASL_PLAINTEXT"
             "&amp;signalKafkaSaslMechanism=PLAIN&amp;signalKafkaSaslJaasConfig=org.apache.kafka.common.security."
             "plain.PlainLoginModule required username=&quot;{{env:KAFKA_SASL_USER}}&quot; "
             "password=&quot;{{env:KT_SIGNAL_PASSWORD}}&quot;;&amp;%s\"/>"
             "<to uri=\"file:%s?fileName=out.jsonl&amp;fileExist=Append&amp;appendChars=\\n\"/></route></routes>",
             name, mbt_port(), server_id, name, db, db, signal_topic, extra, p->dir);
}

static void setup_db(MYSQL *root, const char *db)
{
    ts_fresh_db(root, db);
    ts_sql(root, "USE %s; CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL); "
                 "CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048)); "
                 "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)", db);
    ts_sql(root, "GRANT INSERT ON %s.sig TO 'debezium'@'%%'; GRANT INSERT ON %s.sig TO 'debezium'@'localhost'", db, db);
}

/* How many lines of the sink hold `needle`. */
static int lines_with(const char *path, const char *needle)
{
    char *text = ts_slurp(path);
    int n = 0;
    for (const char *p = text; text && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    free(text);
    return n;
}

static bool wait_lines(const char *path, const char *needle, int want, int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    while (lines_with(path, needle) < want) {
        if (ts_now_ms() > end)
            return false;
        usleep(50000);
    }
    return true;
}

/* The first line of the log that holds `needle` (waiting for it), "" for none. */
static void log_line(const struct mbt_proc *p, const char *needle, char *line, size_t size, int64_t timeout_ms)
{
    int64_t end = ts_now_ms() + timeout_ms;
    line[0] = '\0';
    for (;;) {
        char *text = ts_slurp(p->log);
        const char *hit = text ? strstr(text, needle) : NULL;
        if (hit) {
            const char *start = hit;
            while (start > text && start[-1] != '\n')
                start--;
            snprintf(line, size, "%.*s", (int)strcspn(start, "\n"), start);
        }
        free(text);
        if (hit || ts_now_ms() > end)
            return;
        usleep(100000);
    }
}

/* The offset stored under the source's key, read from the topic over TLS
 * (the client the source itself uses, with the test CA): NULL until one
 * is there. */
static char *stored_offset_over_tls(const char *topic)
{
    struct drom_kafka_security sec = {.protocol = DROM_KAFKA_SSL, .truststore = need("KAFKA_SSL_CA")};
    struct drom_kafka_props props = {0};
    struct drom_error err = {0};
    cr_assert_eq(drom_kafka_props_build(&sec, &props, &err), 0, "%s", err.msg);
    struct drom_offset_config cfg = {.brokers = need("KAFKA_SSL_BROKERS"), .topic = topic,
                                     .props = drom_kafka_props_list(&props), .timeout_ms = 15000};
    struct drom_offset_store *st = drom_offset_backend_kafka.open(&cfg, &err);
    cr_assert_not_null(st, "the offset topic is read over TLS: %s", err.msg);
    char **keys = NULL, *json = NULL;
    size_t n = 0;
    cr_assert_eq(drom_offset_keys(st, &keys, &n, &err), 0, "%s", err.msg);
    if (n == 1)
        cr_assert_eq(drom_offset_get(st, keys[0], &json, &err), 0, "%s", err.msg);
    cr_assert_leq(n, 1, "one source, one key");
    drom_offset_keys_free(keys, n);
    drom_offset_store_close(st);
    drom_kafka_props_free(&props);
    return json;
}

static void no_secret_shown(const struct mbt_proc *p, const char *secret)
{
    char *log = ts_slurp(p->log), *routes = NULL;
    cr_expect_null(strstr(log, secret), "no password in the log: %s", log);
    cr_assert_eq(mbt_http(p, "/routes", &routes), 200);
    cr_expect_null(strstr(routes, secret), "no password in /routes: %s", routes);
    cr_expect_null(strstr(routes, "PlainLoginModule"), "no JAAS line in /routes: %s", routes);
    free(routes);
    free(log);
}

/* One test's database (mbt_<what>), source name (<what><tag>, so its own
 * signal group), dromd folder and root connection; the signal consumer
 * logs in with `password`. */
struct ksec {
    MYSQL *root;
    struct mbt_proc p;
    char db[32], name[64];
    long tag;
};

static void ksec_begin(struct ksec *k, const char *what, const char *password)
{
    need("KAFKA_SASL_BROKERS");
    need("KAFKA_SASL_USER");
    setenv("KT_SIGNAL_PASSWORD", password, 1);
    k->root = ts_root(0);
    snprintf(k->db, sizeof k->db, "mbt_%s", what);
    setup_db(k->root, k->db);
    k->tag = (long)getpid() * 1000 + random() % 1000;
    snprintf(k->name, sizeof k->name, "%s%ld", what, k->tag);
    k->p = (struct mbt_proc){.dir = mbt_tmp_path(what)};
    cr_assert_eq(mkdir(k->p.dir, 0700), 0);
}

static void ksec_end(struct ksec *k)
{
    mbt_kill(&k->p, SIGTERM);
    mbt_proc_free(&k->p);
    ts_sql(k->root, "DROP DATABASE %s", k->db);
    mysql_close(k->root);
}

/* Waits until /metrics has `prefix` at 1. */
static void metric_is_one(const struct mbt_proc *p, const char *prefix, const char *what)
{
    int64_t end = ts_now_ms() + 60000;
    while (mbt_metric(p, prefix) != 1 && ts_now_ms() < end)
        usleep(50000);
    cr_assert_eq(mbt_metric(p, prefix), 1, "%s: %s", what, ts_slurp(p->log));
}

/* `dromd offsets show` on the store over TLS, with the client settings in a
 * --command-config file as Kafka's tools take them. */
static void offsets_shown_over_tls(const struct ksec *k, const char *topic)
{
    char conf[512], cmd[2048], want[128];
    snprintf(conf, sizeof conf, "%s/client.properties", k->p.dir);
    snprintf(cmd, sizeof cmd, "security.protocol=SSL\nssl.truststore.location=%s\n", need("KAFKA_SSL_CA"));
    mbt_write_file(conf, cmd);
    snprintf(cmd, sizeof cmd, "%s offsets show --kafka %s --topic %s --command-config %s 2>&1",
             ts_env("DROMD", "build/dromd"), need("KAFKA_SSL_BROKERS"), topic, conf);
    char *out = NULL;
    int rc = ts_sh(cmd, &out);
    snprintf(want, sizeof want, "mysql-binlog/%s\t", k->name);
    cr_expect_eq(rc, 0, "%s: %s", cmd, out);
    cr_expect(strstr(out, want), "'%s' in: %s", want, out);
    free(out);
}

Test(mysql_binlog_kafka_security, offsets_and_standby_over_tls_signals_over_sasl, .timeout = 150)
{
    need("KAFKA_SSL_BROKERS");
    struct ksec k;
    ksec_begin(&k, "ksec", need("KAFKA_SASL_PASSWORD"));
    char offsets[96], group[96], standby_topic[96], signals[96];
    snprintf(offsets, sizeof offsets, "mbt-ksec-offsets-%ld", k.tag);
    snprintf(group, sizeof group, "mbt-ksec-standby-%ld", k.tag);
    snprintf(standby_topic, sizeof standby_topic, "mbt-ksec-elect-%ld", k.tag);
    snprintf(signals, sizeof signals, "mbt-ksec-signals-%ld", k.tag);
    ts_create_topic(signals, 1, NULL);
    char extra[1024], xml[4096], out[512];
    snprintf(extra, sizeof extra,
             "offsetStorage=kafka&amp;offsetStorageTopic=%s&amp;offsetStorageBrokers={{env:KAFKA_SSL_BROKERS}}&amp;"
             "offsetFlushIntervalMs=0&amp;kafkaSecurityProtocol=SSL&amp;kafkaSslTruststoreLocation={{env:KAFKA_SSL_CA}}"
             "&amp;standby=true&amp;standbyGroupId=%s&amp;standbyTopic=%s",
             offsets, group, standby_topic);
    route(xml, sizeof xml, &k.p, 5441, k.name, k.db, signals, extra);
    snprintf(out, sizeof out, "%s/out.jsonl", k.p.dir);
    mbt_dromd(&k.p, xml);

    /* elected through the group on the TLS listener; snapshotMode=no_data
     * streams from where the binlog was when the source started */
    metric_is_one(&k.p, "drom_standby_leader{routeId=\"cdc\"", "leads");
    cr_assert(mbt_proc_ready(&k.p, 30000), "ready: %s", ts_slurp(k.p.log));
    metric_is_one(&k.p, "debezium_metrics_Connected{context=\"streaming\"", "streams");

    /* streams, and stores its position in the topic, read back over TLS */
    ts_sql(k.root, "INSERT INTO mbt_ksec.t VALUES (10, 10)");
    cr_assert(wait_lines(out, "\"op\":\"c\"", 1, 20000), "the insert streamed: %s", ts_slurp(k.p.log));
    char *json = NULL;
    int64_t end = ts_now_ms() + 20000;
    while (!(json = stored_offset_over_tls(offsets)) && ts_now_ms() < end)
        usleep(200000);
    cr_assert_not_null(json, "an offset in %s", offsets);
    cr_expect(strstr(json, "\"file\""), "a binlog position: %s", json);
    free(json);
    offsets_shown_over_tls(&k, offsets);

    /* a signal read over SASL: an incremental snapshot of t, every row once */
    ts_produce(ts_brokers(), signals, k.name,
               "{\"type\": \"execute-snapshot\", \"data\": {\"data-collections\": [\"mbt_ksec[.]t\"], "
               "\"type\": \"incremental\"}}");
    cr_assert(wait_lines(out, "\"op\":\"r\"", 4, 30000), "the snapshot's 4 rows: %s\n%s", ts_slurp(out),
              ts_slurp(k.p.log));
    for (int id = 1; id <= 3; id++) {
        char row[64];
        snprintf(row, sizeof row, "\"after\":{\"id\":%d,\"v\":%d}", id, id);
        cr_expect_eq(lines_with(out, row), 1, "row %d read once: %s", id, ts_slurp(out));
    }
    cr_expect_eq(lines_with(out, "\"after\":{\"id\":10,\"v\":10}"), 2, "10: inserted, then read");
    no_secret_shown(&k.p, need("KAFKA_SASL_PASSWORD"));
    ksec_end(&k);
}

#define WRONG_PASSWORD "not-the-password-4711"

/* The route runs (signals are not its data), and the log says, as an
 * error naming the signal group and topic, that the brokers refused it. */
Test(mysql_binlog_kafka_security, a_wrong_sasl_password_is_said_loudly, .timeout = 90)
{
    struct ksec k;
    ksec_begin(&k, "ksecpw", WRONG_PASSWORD);
    char signals[96], extra[512], xml[4096], want[512], line[2048];
    snprintf(signals, sizeof signals, "mbt-ksec-badpw-%ld", k.tag);
    snprintf(extra, sizeof extra, "offsetStorageFileName=%s/offsets.json", k.p.dir);
    route(xml, sizeof xml, &k.p, 5442, k.name, k.db, signals, extra);
    mbt_dromd(&k.p, xml);
    cr_assert(mbt_proc_ready(&k.p, 30000), "the route runs: %s", ts_slurp(k.p.log));
    snprintf(want, sizeof want, "signal channel kafka (group dromd-signal-%s, topic %s at %s): the brokers "
             "refused the consumer, no signal is read: ", k.name, signals, need("KAFKA_SASL_BROKERS"));
    log_line(&k.p, want, line, sizeof line, 30000);
    cr_assert(line[0], "'%s' in: %s", want, ts_slurp(k.p.log));
    cr_expect(strstr(line, " ERROR "), "an error: %s", line);
    no_secret_shown(&k.p, WRONG_PASSWORD);
    ksec_end(&k);
}

/* The offset store refused: the route cannot start, and dromd says so with
 * the topic and the broker's reason, within connectTimeoutMs, and exits 1
 * (a route that cannot start at start), no password shown. */
Test(mysql_binlog_kafka_security, a_refused_offset_store_is_said_with_its_topic, .timeout = 60)
{
    struct ksec k;
    ksec_begin(&k, "ksecst", WRONG_PASSWORD);
    char offsets[96], extra[1024], xml[4096], want[256], line[2048];
    snprintf(offsets, sizeof offsets, "mbt-ksec-refused-%ld", k.tag);
    snprintf(extra, sizeof extra,
             "connectTimeoutMs=4000&amp;offsetStorage=kafka&amp;offsetStorageTopic=%s&amp;"
             "offsetStorageBrokers={{env:KAFKA_SASL_BROKERS}}&amp;kafkaSecurityProtocol=SASL_PLAINTEXT&amp;"
             "kafkaSaslMechanism=PLAIN&amp;kafkaSaslJaasConfig=org.apache.kafka.common.security.plain.PlainLoginModule"
             " required username=&quot;{{env:KAFKA_SASL_USER}}&quot; password=&quot;{{env:KT_SIGNAL_PASSWORD}}&quot;;",
             offsets);
    route(xml, sizeof xml, &k.p, 5443, k.name, k.db, "mbt-ksec-unused", extra);
    mbt_dromd(&k.p, xml);
    int st = 0;
    int64_t end = ts_now_ms() + 30000;
    while (waitpid(k.p.pid, &st, WNOHANG) != k.p.pid) {
        cr_assert(ts_now_ms() < end, "dromd gives up within connectTimeoutMs: %s", ts_slurp(k.p.log));
        usleep(100000);
    }
    k.p.pid = 0;
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit 1: %d", st);
    snprintf(want, sizeof want, "Kafka offset store: offset topic %s: ", offsets);
    log_line(&k.p, want, line, sizeof line, 0);
    cr_assert(line[0], "'%s' in: %s", want, ts_slurp(k.p.log));
    cr_expect(strstr(line, " ERROR ") && strstr(line, "cannot start"), "an error: %s", line);
    cr_expect(strstr(line, "Authentication failed"), "the broker's reason: %s", line);
    char *log = ts_slurp(k.p.log);
    cr_expect_null(strstr(log, WRONG_PASSWORD), "no password in the log: %s", log);
    free(log);
    ksec_end(&k);
}

/* debezium-mysql with Kafka Connect's names, in process: the worker's
 * additionalProperties.security.protocol and ssl.truststore.location for
 * the offset store on the TLS listener, Debezium's signal.consumer.* for
 * the signal channel on the SASL listener. */
Test(mysql_binlog_kafka_security, debezium_names_for_the_worker_and_the_signal_consumer, .timeout = 120)
{
    struct ksec k;
    ksec_begin(&k, "ksecdbz", need("KAFKA_SASL_PASSWORD"));
    char offsets[96], signals[96];
    snprintf(offsets, sizeof offsets, "mbt-ksecdbz-offsets-%ld", k.tag);
    snprintf(signals, sizeof signals, "mbt-ksecdbz-signals-%ld", k.tag);
    ts_create_topic(signals, 1, NULL);
    char xml[8192];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"cdc\"><from uri=\"debezium-mysql:%s?databaseHostname=127.0.0.1&amp;databasePort=%u"
             "&amp;databaseUser=debezium&amp;databasePassword=debezium&amp;databaseServerId=5444&amp;topicPrefix=%s"
             "&amp;tableIncludeList=%s[.]t&amp;snapshotMode=no_data&amp;heartbeatIntervalMs=200&amp;"
             "offsetStorage=org.apache.kafka.connect.storage.KafkaOffsetBackingStore&amp;offsetStorageTopic=%s&amp;"
             "offsetFlushIntervalMs=0&amp;additionalProperties.bootstrap.servers=%s&amp;"
             "additionalProperties.security.protocol=SSL&amp;additionalProperties.ssl.truststore.location=%s&amp;"
             "signalDataCollection=%s.sig&amp;signalEnabledChannels=source,kafka&amp;signalKafkaTopic=%s&amp;"
             "signalKafkaBootstrapServers=%s&amp;additionalProperties.signal.consumer.security.protocol="
             "SASL_PLAINTEXT&amp;additionalProperties.signal.consumer.sasl.mechanism=PLAIN&amp;"
             "additionalProperties.signal.consumer.sasl.jaas.config=org.apache.kafka.common.security.plain."
             "PlainLoginModule required username=&quot;%s&quot; password=&quot;%s&quot;;\"/>"
             "<to uri=\"mock:out\"/></route></routes>",
             k.name, mbt_port(), k.name, k.db, offsets, need("KAFKA_SSL_BROKERS"), need("KAFKA_SSL_CA"), k.db,
             signals, need("KAFKA_SASL_BROKERS"), need("KAFKA_SASL_USER"), need("KAFKA_SASL_PASSWORD"));
    struct mbt_run r;
    struct drom_mock *mk = mbt_start_routes(&r, xml);
    cr_assert_eq(mbt_before_sentinel(k.root, mk, "INSERT INTO mbt_ksecdbz.t VALUES (10, 10)", "\"id\":10", 20000), 0);
    char *json = NULL;
    int64_t end = ts_now_ms() + 20000;
    while (!(json = stored_offset_over_tls(offsets)) && ts_now_ms() < end)
        usleep(200000);
    cr_assert_not_null(json, "an offset in %s, read over TLS", offsets);
    free(json);
    ts_produce(ts_brokers(), signals, k.name,
               "{\"type\": \"execute-snapshot\", \"data\": {\"data-collections\": [\"mbt_ksecdbz[.]t\"], "
               "\"type\": \"incremental\"}}");
    mbt_out(&r, 5, 30000);
    int reads = 0;
    for (size_t i = 1; i < 5; i++) {
        char *op = mbt_header(mk, i, "CamelDebeziumOperation");
        reads += op && strcmp(op, "r") == 0;
        free(op);
    }
    cr_expect_eq(reads, 4, "the signal over SASL snapshotted the 4 rows");
    mbt_stop(&r);
    ksec_end(&k);
}
