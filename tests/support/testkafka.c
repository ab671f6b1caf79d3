#include "tests/support/testkafka.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/testenv.h"

const char *ts_brokers(void)
{
    return ts_env("KAFKA_BROKERS", "127.0.0.1:19092");
}

rd_kafka_t *ts_kafka_admin(void)
{
    char why[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", ts_brokers(), why, sizeof why);
    rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    return rk;
}

void ts_create_topic(const char *topic, int partitions, const char *config)
{
    char why[512];
    rd_kafka_t *rk = ts_kafka_admin();
    /* the broker's default replication: 1 on the test broker, 3 on make ha's cluster */
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, -1, why, sizeof why);
    cr_assert_not_null(nt, "%s", why);
    if (config) {
        char name[128];
        const char *eq = strchr(config, '=');
        cr_assert_not_null(eq, "topic setting %s is name=value", config);
        snprintf(name, sizeof name, "%.*s", (int)(eq - config), config);
        rd_kafka_NewTopic_set_config(nt, name, eq + 1);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    cr_assert_not_null(ev, "CreateTopics %s answered", topic);
    size_t n;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    cr_assert(n == 1 && rd_kafka_topic_result_error(res[0]) == 0, "create topic %s: %s", topic,
              n ? rd_kafka_topic_result_error_string(res[0]) : rd_kafka_event_error_string(ev));
    rd_kafka_event_destroy(ev);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

void ts_produce(const char *brokers, const char *topic, const char *key, const char *value)
{
    char why[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    cr_assert_eq(rd_kafka_conf_set(conf, "bootstrap.servers", brokers, why, sizeof why), RD_KAFKA_CONF_OK, "%s", why);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    cr_assert_not_null(rk, "%s", why);
    rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                              RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    cr_assert_eq(e, 0, "%s", rd_kafka_err2str(e));
    cr_assert_eq(rd_kafka_flush(rk, 30000), 0);
    rd_kafka_destroy(rk);
}
