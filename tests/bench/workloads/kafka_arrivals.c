/* Benchmark probe: reads a Kafka topic from the beginning with a group of its own and prints
 * one line per record, "ARRIVAL_NS ID" (CLOCK_REALTIME at receipt; the row's key from the JSON
 * value, -1 if none; tombstones are skipped). Waits for the topic to appear. Stops on
 * SIGTERM/SIGINT.
 *
 *   kafka_arrivals BROKERS TOPIC [READY_FILE]
 *
 * With READY_FILE, a topic that already exists is read from its end as it is when the probe
 * starts (each partition's high watermark), and READY_FILE is created once those positions are
 * taken: the peer is started after that, so the probe prints exactly what the peer writes (a
 * backlog drain on a topic that already holds earlier phases' records). A topic that does not
 * exist yet is read from the beginning, READY_FILE created at once.
 */
#define _GNU_SOURCE
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

static void set(rd_kafka_conf_t *c, const char *k, const char *v)
{
    char err[256];
    if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kafka_arrivals: %s\n", err);
        exit(2);
    }
}

/* Each partition of `topic` at its high watermark; NULL when the topic does not exist. */
static rd_kafka_topic_partition_list_t *topic_ends(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_partition_list_t *list = NULL;
    if (rd_kafka_metadata(rk, 0, t, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
        !md->topics[0].err && md->topics[0].partition_cnt > 0) {
        list = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            int32_t p = md->topics[0].partitions[i].id;
            int64_t lo = 0, hi = 0;
            if (rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000)) {
                fprintf(stderr, "kafka_arrivals: no watermark for %s [%d]\n", topic, p);
                exit(1);
            }
            rd_kafka_topic_partition_list_add(list, topic, p)->offset = hi;
        }
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return list;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s BROKERS TOPIC [READY_FILE]\n", argv[0]);
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    char group[64], err[256];
    snprintf(group, sizeof group, "drom-bench-probe-%d", (int)getpid());
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", argv[1]);
    set(conf, "group.id", group);
    set(conf, "auto.offset.reset", "earliest");
    set(conf, "enable.auto.commit", "false");
    set(conf, "allow.auto.create.topics", "false");
    set(conf, "topic.metadata.refresh.interval.ms", "500");
    /* the probe must not add latency of its own: answer fetches at once */
    set(conf, "fetch.wait.max.ms", "5");
    set(conf, "log_level", "3");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "kafka_arrivals: %s\n", err);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *ends = argc == 4 ? topic_ends(rk, argv[2]) : NULL;
    if (ends) {
        rd_kafka_assign(rk, ends);
        rd_kafka_topic_partition_list_destroy(ends);
    } else {
        rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(subs, argv[2], RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rk, subs);
        rd_kafka_topic_partition_list_destroy(subs);
    }
    if (argc == 4) {
        FILE *ready = fopen(argv[3], "w");
        if (!ready) {
            perror(argv[3]);
            return 1;
        }
        fclose(ready);
    }
    long long count = 0;
    while (!stop_requested) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) {
            fflush(stdout);
            continue;
        }
        if (!m->err && m->payload) {
            printf("%lld %lld\n", now_ns(), row_id(m->payload, m->len));
            count++;
        }
        rd_kafka_message_destroy(m);
    }
    fflush(stdout);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    fprintf(stderr, "kafka_arrivals: %lld records\n", count);
    return 0;
}
