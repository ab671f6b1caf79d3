/* The security settings of the Kafka clients the source opens for itself
 * (offset store, standby elector, kafka signal channel), as either scheme
 * names them: mysql-binlog's kafka* and signalKafka*, the kafka component's
 * names in camelCase; debezium-mysql's additionalProperties.* and
 * additionalProperties.signal.consumer.*, as Kafka Connect's worker and
 * Debezium's signal channel take them. The signal consumer's own settings
 * win one by one over the shared ones, as Kafka Connect's consumer.* over
 * the worker's, so one set serves all three clients when they share a
 * listener. */
#include "components/mysql-binlog/mb_options.h"

#define JAVA "additionalProperties."

static const struct drom_kafka_names binlog_names = MB_KAFKA_EXPAND(MB_KAFKA_NAMES, "kafka", MB_KAFKA_CAMEL_NAMES),
                                     binlog_signal_names =
                                         MB_KAFKA_EXPAND(MB_KAFKA_NAMES, "signalKafka", MB_KAFKA_CAMEL_NAMES),
                                     java_names = MB_KAFKA_EXPAND(MB_KAFKA_NAMES, JAVA, MB_KAFKA_JAVA_NAMES),
                                     java_signal_names =
                                         MB_KAFKA_EXPAND(MB_KAFKA_NAMES, JAVA "signal.consumer.", MB_KAFKA_JAVA_NAMES);

void mb_kafka_security(const struct mb_options *o, bool camel, bool signal, struct drom_kafka_security *out)
{
    struct drom_kafka_security base = o->kafka;
    base.names = camel ? java_names : binlog_names;
    if (!signal) {
        *out = base;
        return;
    }
    struct drom_kafka_security over = o->signal_kafka;
    over.names = camel ? java_signal_names : binlog_signal_names;
    drom_kafka_security_over(out, &base, &over);
}

int mb_kafka_validate(const struct mb_options *o, bool camel, struct drom_error *err)
{
    struct drom_kafka_security s;
    mb_kafka_security(o, camel, false, &s);
    if (drom_kafka_security_check(&s, err) < 0)
        return -1;
    if (!o->signal_kafka_topic && !drom_kafka_security_given(&o->signal_kafka))
        return 0;
    mb_kafka_security(o, camel, true, &s);
    return drom_kafka_security_check(&s, err);
}
