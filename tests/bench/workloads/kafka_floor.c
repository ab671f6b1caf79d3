/* Kafka produce floor: librdkafka alone sends COUNT messages of SIZE bytes to TOPIC as fast as
 * its queue takes them (acks=all, linger.ms 5, librdkafka's defaults otherwise) and waits for
 * every delivery report. Prints "rate MSGS_PER_S msg/s" and "failed N". KAFKA_FLOOR_IDEMPOTENT=1
 * turns idempotence on (the bench's warm-up: a fresh broker answers the first producer-id request
 * with "coordinator load in progress" while it fetches a block of ids from its controller, and a
 * client's first retry comes ~500 ms later).
 *
 *   kafka_floor BROKERS TOPIC COUNT SIZE
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long failed, delivered;

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk; (void)opaque;
    if (m->err) failed++; else delivered++;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s BROKERS TOPIC COUNT SIZE\n", argv[0]);
        return 2;
    }
    long count = atol(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        rd_kafka_conf_set(conf, "acks", "all", err, sizeof err) ||
        rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err) ||
        (getenv("KAFKA_FLOOR_IDEMPOTENT") &&
         rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err))) {
        fprintf(stderr, "kafka_floor: %s\n", err);
        return 2;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_dr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "kafka_floor: %s\n", err);
        return 1;
    }
    char *payload = malloc(size);
    memset(payload, 'x', size);
    double t0 = now_s();
    for (long i = 0; i < count; i++) {
        for (;;) {
            rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]),
                                                      RD_KAFKA_V_VALUE(payload, size), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
                break;
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "kafka_floor: %s\n", rd_kafka_err2str(e));
                return 1;
            }
            rd_kafka_poll(rk, 10);
        }
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
    double t = now_s() - t0;
    printf("rate %.0f msg/s\nfailed %ld\n", (double)delivered / t, failed);
    rd_kafka_destroy(rk);
    free(payload);
    return failed ? 1 : 0;
}
