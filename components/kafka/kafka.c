#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/kafka/kafka.h"
#include "runtime/engine.h"
#include "runtime/xalloc.h"

/* Camel 4's kafka endpoint options (KafkaConfiguration) and defaults. The
 * Java (de)serializer and bean-reference options are accepted and ignored:
 * bodies and keys travel as bytes/text here, as with Camel's String
 * (de)serializers. */

static const char *const offset_resets[] = {"earliest", "latest", "none", NULL};
static const char *const seek_policies[] = {"beginning", "end", "BEGINNING", "END", NULL};
static const char *const acks[] = {"all", "-1", "0", "1", NULL};
static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
static const char *const protocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL};
static const char *const isolation[] = {"read_uncommitted", "read_committed", NULL};
static const char *const poll_on_error[] = {"DISCARD", "ERROR_HANDLER", "RECONNECT", "RETRY", "STOP", NULL};

#define IGN DROM_OPT_IGNORED

static const struct drom_option options[] = {
    /* common */
    {.name = "brokers", .type = DROM_OPT_STRING, .flags = DROM_OPT_REQUIRED, .group = "common",
     .doc = "Bootstrap servers, host:port[,host:port...] (usually camel.component.kafka.brokers)"},
    {.name = "clientId", .type = DROM_OPT_STRING, .group = "common",
     .doc = "Client id sent to the brokers with every request"},
    {.name = "additionalProperties.", .type = DROM_OPT_STRING, .flags = DROM_OPT_PREFIX, .group = "common",
     .doc = "Any librdkafka property, e.g. additionalProperties.socket.keepalive.enable=true"},
    {.name = "reconnectBackoffMaxMs", .type = DROM_OPT_DURATION, .def = "1000", .group = "common",
     .doc = "Longest wait before reconnecting to a broker that failed"},
    {.name = "shutdownTimeout", .type = DROM_OPT_DURATION, .def = "30000", .group = "common",
     .doc = "How long stopping waits for in-flight records to be delivered or committed"},
    {.name = "retryBackoffMs", .type = DROM_OPT_DURATION, .def = "100", .group = "common",
     .doc = "Wait before retrying a failed request"},
    {.name = "retryBackoffMaxMs", .type = DROM_OPT_DURATION, .def = "1000", .group = "common",
     .doc = "Longest wait between retries of a failed request (exponential backoff cap)"},
    {.name = "headerFilterStrategy", .type = DROM_OPT_STRING, .flags = IGN, .group = "common",
     .doc = "A Java bean filtering headers (Camel* headers are never sent as record headers here)"},

    /* consumer */
    {.name = "groupId", .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Consumer group id; required to commit offsets"},
    {.name = "groupInstanceId", .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Static group membership id (avoids rebalances on restart)"},
    {.name = "autoOffsetReset", .type = DROM_OPT_ENUM, .def = "latest", .values = offset_resets, .group = "consumer",
     .doc = "Where to start when the group has no committed offset"},
    {.name = "autoCommitEnable", .type = DROM_OPT_BOOL, .def = "true", .group = "consumer",
     .doc = "Commit offsets of completed exchanges periodically (never past an unfinished one)"},
    {.name = "autoCommitIntervalMs", .type = DROM_OPT_DURATION, .def = "5000", .group = "consumer",
     .doc = "Interval between offset commits"},
    {.name = "allowManualCommit", .type = DROM_OPT_BOOL, .def = "false", .flags = IGN, .group = "consumer",
     .doc = "Manual commits through CamelKafkaManualCommit (offsets follow acknowledgement here)"},
    {.name = "breakOnFirstError", .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "On a failed exchange, stop and re-poll from the failed record instead of moving on"},
    {.name = "pollOnError", .type = DROM_OPT_ENUM, .def = "ERROR_HANDLER", .values = poll_on_error, .group = "consumer",
     .doc = "What to do when polling fails"},
    {.name = "maxPollRecords", .type = DROM_OPT_INT, .def = "500", .min = 1, .max = 1000000, .group = "consumer",
     .doc = "Most records handed over per poll"},
    {.name = "maxPollIntervalMs", .type = DROM_OPT_DURATION, .def = "300000", .group = "consumer",
     .doc = "Longest time between polls before the member leaves the group"},
    {.name = "pollTimeoutMs", .type = DROM_OPT_DURATION, .def = "5000", .group = "consumer",
     .doc = "How long one poll waits for records"},
    {.name = "sessionTimeoutMs", .type = DROM_OPT_DURATION, .def = "10000", .group = "consumer",
     .doc = "Group session timeout: a member silent this long is removed"},
    {.name = "heartbeatIntervalMs", .type = DROM_OPT_DURATION, .def = "3000", .group = "consumer",
     .doc = "Interval between group heartbeats"},
    {.name = "seekTo", .type = DROM_OPT_ENUM, .values = seek_policies, .group = "consumer",
     .doc = "Start from the beginning or end of the partitions on every start, ignoring committed offsets "
            "(until a record of the partition is taken, so a rebalance between this endpoint's consumers "
            "does not seek again)"},
    {.name = "topicIsPattern", .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "The topic is a regular expression (POSIX extended) that must match a whole topic name, as Java's "
            "Pattern.matches; every matching topic is consumed, new ones once the metadata is refreshed "
            "(additionalProperties.topic.metadata.refresh.interval.ms, 5 min by default)"},
    {.name = "consumersCount", .type = DROM_OPT_INT, .def = "1", .min = 1, .max = 1024, .group = "consumer",
     .doc = "Number of consumers (threads) in the group for this endpoint"},
    {.name = "isolationLevel", .type = DROM_OPT_ENUM, .def = "read_uncommitted", .values = isolation,
     .group = "consumer", .doc = "Whether to read records of aborted or open transactions"},
    {.name = "fetchMinBytes", .type = DROM_OPT_SIZE, .def = "1", .group = "consumer",
     .doc = "Least data a fetch waits for"},
    {.name = "fetchMaxBytes", .type = DROM_OPT_SIZE, .def = "52428800", .group = "consumer",
     .doc = "Most data one fetch returns"},
    {.name = "fetchWaitMaxMs", .type = DROM_OPT_DURATION, .def = "500", .group = "consumer",
     .doc = "Longest a fetch waits for fetchMinBytes"},
    {.name = "maxPartitionFetchBytes", .type = DROM_OPT_SIZE, .def = "1048576", .group = "consumer",
     .doc = "Most data returned per partition per fetch"},
    {.name = "checkCrcs", .type = DROM_OPT_BOOL, .def = "true", .group = "consumer",
     .doc = "Verify the CRC32 of consumed records"},
    {.name = "commitTimeoutMs", .type = DROM_OPT_DURATION, .def = "5000", .group = "consumer",
     .doc = "How long a synchronous commit may take"},
    {.name = "keyDeserializer", .type = DROM_OPT_STRING, .def = "org.apache.kafka.common.serialization.StringDeserializer",
     .flags = IGN, .group = "consumer", .doc = "Java key deserializer (keys are text here)"},
    {.name = "valueDeserializer", .type = DROM_OPT_STRING,
     .def = "org.apache.kafka.common.serialization.StringDeserializer", .flags = IGN, .group = "consumer",
     .doc = "Java value deserializer (values are bytes here)"},
    {.name = "offsetRepository", .type = DROM_OPT_STRING, .flags = IGN, .group = "consumer",
     .doc = "A Java offset repository bean (offsets live in the consumer group)"},
    {.name = "partitionAssignor", .type = DROM_OPT_STRING, .def = "org.apache.kafka.clients.consumer.RangeAssignor",
     .flags = IGN, .group = "consumer", .doc = "Java assignor class (use additionalProperties.partition.assignment.strategy)"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = IGN,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},

    /* producer */
    {.name = "key", .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Record key (the kafka.KEY header overrides it)"},
    {.name = "partitionKey", .type = DROM_OPT_INT, .min = 0, .max = INT32_MAX, .group = "producer",
     .doc = "Partition to send to (the kafka.PARTITION_KEY header overrides it)"},
    {.name = "requestRequiredAcks", .type = DROM_OPT_ENUM, .def = "all", .values = acks, .group = "producer",
     .doc = "Acknowledgements the leader waits for before answering"},
    {.name = "enableIdempotence", .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Idempotent producer: retries never duplicate or reorder records"},
    {.name = "lingerMs", .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "Wait this long to batch records before sending"},
    {.name = "producerBatchSize", .type = DROM_OPT_SIZE, .def = "16384", .group = "producer",
     .doc = "Most bytes per batch of records to one partition"},
    {.name = "compressionCodec", .type = DROM_OPT_ENUM, .def = "none", .values = codecs, .group = "producer",
     .doc = "Compression of record batches"},
    {.name = "deliveryTimeoutMs", .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "Upper bound to report a record delivered or failed, retries included; 0 (default) waits as long "
            "as Kafka is down, holding the source back instead of failing records"},
    {.name = "requestTimeoutMs", .type = DROM_OPT_DURATION, .def = "30000", .group = "producer",
     .doc = "How long the producer waits for a broker's answer to a request"},
    {.name = "retries", .type = DROM_OPT_INT, .min = 0, .max = INT32_MAX, .group = "producer",
     .doc = "Retries of a failed send (default: until deliveryTimeoutMs)"},
    {.name = "maxInFlightRequest", .type = DROM_OPT_INT, .def = "5", .min = 1, .max = 1000000, .group = "producer",
     .doc = "Most unacknowledged requests per broker connection"},
    {.name = "maxRequestSize", .type = DROM_OPT_SIZE, .def = "1048576", .group = "producer",
     .doc = "Largest request the producer sends"},
    {.name = "maxBlockMs", .type = DROM_OPT_DURATION, .def = "60000", .group = "producer",
     .doc = "How long a send may block when the local queue is full"},
    {.name = "bufferMemorySize", .type = DROM_OPT_SIZE, .def = "33554432", .group = "producer",
     .doc = "Memory for records waiting to be sent"},
    {.name = "queueBufferingMaxMessages", .type = DROM_OPT_INT, .def = "10000", .min = 1, .max = INT32_MAX,
     .group = "producer", .doc = "Most records waiting to be sent"},
    {.name = "transactionalId", .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Transactional producer id: records are written in transactions that also hold the route source's "
            "offset (offsetStorage=kafka on the same brokers), so read_committed consumers see each change once"},
    {.name = "transactionBatchSize", .type = DROM_OPT_INT, .def = "500", .min = 1, .max = 1000000,
     .group = "producer", .doc = "With transactionalId: most records per transaction"},
    {.name = "transactionLingerMs", .type = DROM_OPT_DURATION, .def = "100", .group = "producer",
     .doc = "With transactionalId: longest wait for more records before a transaction is committed"},
    {.name = "recordMetadata", .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Put the record's topic, partition and offset in the kafka.RECORD_META header"},
    {.name = "keySerializer", .type = DROM_OPT_STRING, .def = "org.apache.kafka.common.serialization.StringSerializer",
     .flags = IGN, .group = "producer", .doc = "Java key serializer (keys are sent as text here)"},
    {.name = "valueSerializer", .type = DROM_OPT_STRING, .def = "org.apache.kafka.common.serialization.StringSerializer",
     .flags = IGN, .group = "producer", .doc = "Java value serializer (bodies are sent as bytes here)"},
    {.name = "partitioner", .type = DROM_OPT_STRING, .flags = IGN, .group = "producer",
     .doc = "Java partitioner class (use additionalProperties.partitioner)"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = IGN,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},

    /* security */
    {.name = "securityProtocol", .type = DROM_OPT_ENUM, .def = "PLAINTEXT", .values = protocols, .group = "security",
     .doc = "Protocol to talk to the brokers; the ssl* options apply to SSL and SASL_SSL"},
    {.name = "saslMechanism", .type = DROM_OPT_STRING, .def = "GSSAPI", .group = "security",
     .doc = "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI"},
    {.name = "saslJaasConfig", .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "JAAS line; username=\"…\" password=\"…\" of the PLAIN and SCRAM login modules are used"},
    {.name = "saslUsername", .type = DROM_OPT_STRING, .group = "security",
     .doc = "SASL user name (dromedary's shorthand for saslJaasConfig)"},
    {.name = "saslPassword", .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "SASL password (dromedary's shorthand for saslJaasConfig)"},
    {.name = "saslKerberosServiceName", .type = DROM_OPT_STRING, .group = "security",
     .doc = "Kerberos principal name the brokers run as"},
    {.name = "sslTruststoreLocation", .type = DROM_OPT_STRING, .group = "security",
     .doc = "CA certificates that verify the brokers: a PEM file (or a folder of them); a JKS or PKCS#12 "
            "truststore is refused with the command that converts it. Unset: the system's CAs"},
    {.name = "sslTruststorePassword", .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET | IGN, .group = "security",
     .doc = "Password of a Java truststore (PEM files need none)"},
    {.name = "sslTruststoreType", .type = DROM_OPT_STRING, .def = "JKS", .flags = IGN, .group = "security",
     .doc = "Java truststore type (the truststore is always read as PEM)"},
    {.name = "sslKeystoreLocation", .type = DROM_OPT_STRING, .group = "security",
     .doc = "Client certificate and key (for brokers that ask for one): a PEM file holding both, or PKCS#12; "
            "the content decides, a JKS file is refused"},
    {.name = "sslKeystorePassword", .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "Password of a PKCS#12 keystore"},
    {.name = "sslKeystoreType", .type = DROM_OPT_STRING, .def = "JKS", .flags = IGN, .group = "security",
     .doc = "Java keystore type (PEM or PKCS#12 is told from the file's content)"},
    {.name = "sslKeyPassword", .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "Password of the private key in a PEM keystore"},
    {.name = "sslEndpointAlgorithm", .type = DROM_OPT_STRING, .def = "https", .group = "security",
     .doc = "https verifies the broker's host name or IP address against its certificate; none (or empty, "
            "as in Camel) turns that off"},
    {.name = "sslProtocol", .type = DROM_OPT_STRING, .flags = IGN, .group = "security",
     .doc = "Java SSLContext protocol (OpenSSL negotiates the best TLS version)"},
    {.name = "sslEnabledProtocols", .type = DROM_OPT_STRING, .flags = IGN, .group = "security",
     .doc = "Java TLS protocol list (OpenSSL negotiates the best TLS version)"},
    {.name = "sslCipherSuites", .type = DROM_OPT_STRING, .group = "security",
     .doc = "OpenSSL cipher list"},
    DROM_OPTIONS_END,
};

/* Compile time: every additionalProperties.* must be accepted by
 * librdkafka (and not be one that loads code), so a typo fails dromc. */
static int validate(const char *path, const struct drom_optset *opts, struct drom_error *err)
{
    (void)path;
    return kafka_conf_check_extra(opts, err);
}

/* An endpoint does not learn whether it is a source before start(), so
 * create() builds the producer (connecting early, so readiness tells the
 * truth before the first message) and start() swaps it for the consumer. */
static int k_create(struct drom_endpoint *ep, struct drom_error *err)
{
    struct kafka_ep *k = drom_xcalloc(1, sizeof *k);
    if (drom_opt_str(ep->opts, "transactionalId") && !drom_endpoint_is_source(ep))
        k->txn = kafka_txn_new(ep, err);
    else
        k->producer = kafka_producer_new(ep, err);
    if (!k->producer && !k->txn) {
        free(k);
        return -1;
    }
    ep->state = k;
    /* Only read by the engine for a source (its watermark then stops at a
     * failed exchange); harmless on a producer. */
    if (drom_opt_bool(ep->opts, "breakOnFirstError", false))
        drom_endpoint_stop_on_failure(ep, true);
    return 0;
}

static void k_destroy(struct drom_endpoint *ep)
{
    struct kafka_ep *k = ep->state;
    if (!k)
        return;
    kafka_producer_free(k->producer);
    kafka_txn_free(k->txn);
    kafka_consumer_free(k->consumer);
    free(k);
    ep->state = NULL;
}

static int k_start(struct drom_endpoint *ep, struct drom_error *err)
{
    struct kafka_ep *k = ep->state;
    kafka_producer_free(k->producer);
    k->producer = NULL;
    if (!k->consumer) {
        k->consumer = kafka_consumer_new(ep, err);
        if (!k->consumer)
            return -1;
    }
    return kafka_consumer_start(k->consumer, err);
}

static void k_stop(struct drom_endpoint *ep)
{
    struct kafka_ep *k = ep->state;
    if (k && k->consumer)
        kafka_consumer_stop(k->consumer);
}

static enum drom_status k_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct kafka_ep *k = ep->state;
    if (k->txn)
        return kafka_txn_send(k->txn, ex, err);
    if (!k->producer) {
        drom_err(err, DROM_EINTERNAL, "kafka endpoint %s is a consumer", ep->uri_masked);
        return DROM_FAIL;
    }
    return kafka_producer_send(k->producer, ex, err);
}

static void k_commit(struct drom_endpoint *ep, const void *pos)
{
    struct kafka_ep *k = ep->state;
    if (k && k->consumer)
        kafka_consumer_commit(k->consumer, pos);
}

const struct drom_component drom_component_kafka = {
    .name = "kafka",
    .title = "Produce to and consume from Apache Kafka",
    .path_syntax = "topic",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
    .validate = validate,
    .create = k_create,
    .destroy = k_destroy,
    .start = k_start,
    .stop = k_stop,
    .produce = k_produce,
    .commit = k_commit,
    .position_free = free,
};
