/* Benchmark probe: reads a Kafka topic from the beginning with a group of its own and prints
 * one line per record, "ARRIVAL_NS ID" (CLOCK_REALTIME at receipt; the row's key from the JSON
 * value, -1 if none; tombstones are skipped). Waits for the topic to appear. Stops on
 * SIGTERM/SIGINT.
 *
 *   kafka_arrivals BROKERS TOPIC
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

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BROKERS TOPIC\n", argv[0]);
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
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, argv[2], RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
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
