/* Producer benchmark: messages/s for 1 KB records into one topic,
 *   1. through the engine: a route "from <feeder> to kafka:TOPIC" with the
 *      component's default options (idempotent, acks=all, lingerMs=0),
 *      counted until the source's watermark says every record was
 *      acknowledged;
 *   2. librdkafka alone on the same broker, with the same settings and with
 *      librdkafka's own defaults (linger.ms=5), counted until the last
 *      delivery report.
 *   3. through the engine with transactionalId (default transactionBatchSize
 *      and transactionLingerMs): the feeder then says its offsets live on
 *      the same broker, and each transaction carries one offset record.
 * Prints the figures; asserts nothing. Run by tests/bench/kafka_produce.sh.
 *
 *   kafka_produce BROKERS [COUNT] [SIZE]
 * BENCH_ENGINE_ONLY=1 runs the engine part alone (for a profiler).
 * BENCH_KAFKA_OPTIONS="&lingerMs=5" adds options to the engine's kafka URI.
 * BENCH_WINDOW=N sets the engine's in-flight window (default 1000), which
 * bounds the records in flight to Kafka and so, with lingerMs=0, the rate. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler/compile.h"
#include "runtime/engine.h"
#include "runtime/log.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- the feeder: a source component submitting COUNT exchanges --- */

struct feeder {
    struct drom_endpoint *ep;
    long count;
    size_t size;
    const char *brokers;
    pthread_t th;
    atomic_long done;   /* exchanges finished, in either mode */
};

static void *feed_main(void *arg)
{
    struct feeder *f = arg;
    char *body = malloc(f->size);
    memset(body, 'x', f->size);
    for (long i = 0; i < f->count; i++) {
        struct drom_exchange *ex = drom_exchange_new();
        int n = snprintf(body, f->size, "{\"seq\":%ld,\"pad\":\"", i);
        body[n] = 'x';
        body[f->size - 2] = '"';
        body[f->size - 1] = '}';
        drom_exchange_set_body(ex, body, f->size, "application/json");
        char key[32];
        snprintf(key, sizeof key, "%ld", i % 1000);
        drom_headers_set_str(&ex->headers, "kafka.KEY", key);
        long *pos = malloc(sizeof *pos);
        *pos = i;
        if (drom_consumer_submit(f->ep, ex, pos, NULL) < 0)
            break;
    }
    free(body);
    return NULL;
}

static struct feeder *the_feeder(struct drom_endpoint *ep)
{
    /* The engine's shared registry holds the one feeder of this run. */
    return drom_engine_shared_find(drom_endpoint_engine(ep), "bench-feeder");
}

static void feed_done(struct drom_endpoint *ep, const void *pos, bool failed)
{
    struct feeder *f = ep->state;
    if (failed)
        fprintf(stderr, "an exchange failed\n");
    atomic_fetch_add(&f->done, 1);
}

static int feed_create(struct drom_endpoint *ep, struct drom_error *err)
{
    ep->state = the_feeder(ep);
    ((struct feeder *)ep->state)->ep = ep;
    return 0;
}

static int feed_start(struct drom_endpoint *ep, struct drom_error *err)
{
    struct feeder *f = ep->state;
    return pthread_create(&f->th, NULL, feed_main, f) == 0 ? 0 : -1;
}

static void feed_stop(struct drom_endpoint *ep)
{
    struct feeder *f = ep->state;
    pthread_join(f->th, NULL);
}

static int feed_offset_location(struct drom_endpoint *ep, struct drom_offset_location *out, struct drom_error *err)
{
    struct feeder *f = ep->state;
    *out = (struct drom_offset_location){
        .store = "kafka", .brokers = f->brokers, .topic = "drom-bench-offsets", .key = "feeder"};
    return 0;
}

static char *feed_position_json(const void *pos)
{
    char *s = malloc(32);
    snprintf(s, 32, "{\"n\":%ld}", *(const long *)pos);
    return s;
}

static const struct drom_component feeder_component = {
    .name = "feeder",
    .roles = DROM_ROLE_CONSUMER,
    .create = feed_create,
    .start = feed_start,
    .stop = feed_stop,
    .position_free = free,
    /* With transactionalId the source's commit is taken over: completions are counted instead. */
    .done = feed_done,
    .offset_location = feed_offset_location,
    .position_json = feed_position_json,
};

static void *feeder_obj(void *arg)
{
    return arg;
}

static double through_engine(const char *brokers, const char *topic, long count, size_t size, const char *extra)
{
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"bench\"><from uri=\"timer:feeder\"/><to uri=\"kafka:%s?brokers=%s%s\"/></route></routes>",
             topic, brokers, extra);
    struct drom_graph g = {0};
    struct drom_diags d = DROM_DIAGS_INIT;
    if (drom_compile_mem(xml, strlen(xml), "bench.xml", NULL, &g, &d) < 0) {
        drom_diags_print(&d, stderr);
        exit(1);
    }
    drom_diags_free(&d);
    g.routes[0].from.comp = &feeder_component;
    struct drom_error err = {0};
    struct drom_engine_options o = {.quiet = true, .window = getenv("BENCH_WINDOW") ? (size_t)atol(getenv("BENCH_WINDOW")) : 0};
    struct drom_engine *eng = drom_engine_new(&g, &o, &err);
    struct feeder f = {.count = count, .size = size, .brokers = brokers};
    drom_engine_shared(eng, "bench-feeder", feeder_obj, &f, NULL);
    double t0 = now_s();
    if (!eng || drom_engine_start(eng, &err) < 0) {
        fprintf(stderr, "engine: %s\n", err.msg);
        exit(1);
    }
    while (atomic_load(&f.done) < count) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    double secs = now_s() - t0;
    drom_engine_stop(eng, 30000, &err);
    drom_engine_free(eng);
    drom_graph_free(&g);
    return secs;
}

/* --- librdkafka alone --- */

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    long *left = opaque;
    if (m->err)
        fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    (*left)--;
}

static double raw(const char *brokers, const char *topic, long count, size_t size, bool linger0)
{
    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, sizeof why);
    rd_kafka_conf_set(conf, "enable.idempotence", "true", why, sizeof why);
    rd_kafka_conf_set(conf, "acks", "all", why, sizeof why);
    rd_kafka_conf_set(conf, "partitioner", "murmur2_random", why, sizeof why);
    if (linger0)
        rd_kafka_conf_set(conf, "linger.ms", "0", why, sizeof why);
    long left = count;
    rd_kafka_conf_set_opaque(conf, &left);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    char *body = malloc(size);
    memset(body, 'x', size);
    /* Connect first, as the engine's producer does at create. */
    const struct rd_kafka_metadata *md;
    rd_kafka_metadata(rk, 0, NULL, &md, 10000);
    rd_kafka_metadata_destroy(md);
    double t0 = now_s();
    for (long i = 0; i < count; i++) {
        char key[32];
        snprintf(key, sizeof key, "%ld", i % 1000);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                 RD_KAFKA_V_VALUE(body, size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 1);
        rd_kafka_poll(rk, 0);
    }
    while (left > 0)
        rd_kafka_poll(rk, 10);
    double secs = now_s() - t0;
    free(body);
    rd_kafka_destroy(rk);
    return secs;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s BROKERS [COUNT] [SIZE]\n", argv[0]);
        return 2;
    }
    const char *brokers = argv[1];
    long count = argc > 2 ? atol(argv[2]) : 200000;
    size_t size = argc > 3 ? (size_t)atol(argv[3]) : 1024;
    drom_log_configure(DROM_LOG_WARN, DROM_LOG_TEXT);
    char topic[128];
    snprintf(topic, sizeof topic, "drom-bench-%ld", (long)time(NULL));
    /* Warm-up: creates the topic (auto-create) and its leader. */
    raw(brokers, topic, 1000, size, false);
    const char *opts = getenv("BENCH_KAFKA_OPTIONS") ? getenv("BENCH_KAFKA_OPTIONS") : "";
    double e = through_engine(brokers, topic, count, size, opts);
    if (getenv("BENCH_ENGINE_ONLY")) {   /* for profiling the engine's part alone */
        printf("engine: %.0f msg/s\n", count / e);
        return 0;
    }
    char txn[128];
    snprintf(txn, sizeof txn, "&amp;transactionalId=drom-bench-%ld", (long)getpid());
    double et = through_engine(brokers, topic, count, size, txn);
    double r0 = raw(brokers, topic, count, size, true);
    double r5 = raw(brokers, topic, count, size, false);
    printf("kafka producer, %ld records of %zu bytes to %s (topic %s)\n", count, size, brokers, topic);
    printf("  engine, default options (lingerMs=0, idempotent, acks=all): %8.0f msg/s  %6.1f MB/s\n", count / e,
           count * (double)size / e / 1e6);
    printf("  engine, transactionalId (500 records or 100 ms a transaction): %5.0f msg/s  %6.1f MB/s\n", count / et,
           count * (double)size / et / 1e6);
    printf("  librdkafka alone, same settings (linger.ms=0):             %8.0f msg/s  %6.1f MB/s\n", count / r0,
           count * (double)size / r0 / 1e6);
    printf("  librdkafka alone, its defaults (linger.ms=5):              %8.0f msg/s  %6.1f MB/s\n", count / r5,
           count * (double)size / r5 / 1e6);
    return 0;
}
