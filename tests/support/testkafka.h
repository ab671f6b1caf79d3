/* The test Kafka broker ($KAFKA_BROKERS) seen from the tests: its topics.
 * Part of the tests/support library; fails the running Criterion test when
 * the broker refuses. */
#ifndef DROM_TESTS_SUPPORT_TESTKAFKA_H
#define DROM_TESTS_SUPPORT_TESTKAFKA_H

#include <librdkafka/rdkafka.h>

/* $KAFKA_BROKERS, or the test profile's default. */
const char *ts_brokers(void);
/* A client for admin requests (topics); the caller destroys it. */
rd_kafka_t *ts_kafka_admin(void);
/* Creates `topic` with `partitions` (the broker's default replication) and, when given, one
 * topic setting `config` ("name=value"). Made before a consumer starts, it
 * is assigned at once instead of after a metadata refresh. */
void ts_create_topic(const char *topic, int partitions, const char *config);
/* One record (key and value as text) to `topic` on `brokers` (the plain
 * listener), waited for until the broker has it. */
void ts_produce(const char *brokers, const char *topic, const char *key, const char *value);

#endif
