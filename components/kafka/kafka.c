#include <stddef.h>
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

/* The order of each list is its enum's in kafka.h. */
static const char *const offset_resets[] = {"earliest", "latest", "none", NULL};
static const char *const seek_policies[] = {"beginning", "end", "BEGINNING", "END", NULL};
static const int seek_ints[] = {KAFKA_SEEK_BEGINNING, KAFKA_SEEK_END, KAFKA_SEEK_BEGINNING, KAFKA_SEEK_END};
static const char *const poll_on_error[] = {"DISCARD", "ERROR_HANDLER", "RECONNECT", "RETRY", "STOP", NULL};

#define IGN DROM_OPT_IGNORED
#define AT(f) DROM_OPT_AT(struct kafka_conf, f)
#define GIVEN(f) DROM_OPT_GIVEN_AT(struct kafka_conf, f)

static const struct drom_option options[] = {
    /* common */
    {.name = "brokers", AT(brokers), .type = DROM_OPT_STRING, .flags = DROM_OPT_REQUIRED, .group = "common",
     .doc = "Bootstrap servers, host:port[,host:port...] (usually camel.component.kafka.brokers)"},
    {.name = "clientId", AT(client_id), .type = DROM_OPT_STRING, .group = "common",
     .doc = "Client id sent to the brokers with every request"},
    {.name = "additionalProperties.", AT(additional_properties), .type = DROM_OPT_STRING, .flags = DROM_OPT_PREFIX, .group = "common",
     .doc = "Any librdkafka property, e.g. additionalProperties.socket.keepalive.enable=true"},
    {.name = "reconnectBackoffMaxMs", AT(reconnect_backoff_max_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "common",
     .doc = "Longest wait before reconnecting to a broker that failed"},
    {.name = "shutdownTimeout", AT(shutdown_timeout_ms), .type = DROM_OPT_DURATION, .def = "30000", .group = "common",
     .doc = "How long stopping waits for in-flight records to be delivered or committed"},
    {.name = "retryBackoffMs", AT(retry_backoff_ms), .type = DROM_OPT_DURATION, .def = "100", .group = "common",
     .doc = "Wait before retrying a failed request"},
    {.name = "retryBackoffMaxMs", AT(retry_backoff_max_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "common",
     .doc = "Longest wait between retries of a failed request (exponential backoff cap)"},
    {.name = "headerFilterStrategy", .type = DROM_OPT_STRING, .flags = IGN, .group = "common",
     .doc = "A Java bean filtering headers (Camel* headers are never sent as record headers here)"},

    /* consumer */
    {.name = "groupId", AT(group_id), .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Consumer group id; required to commit offsets"},
    {.name = "groupInstanceId", AT(group_instance_id), .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Static group membership id (avoids rebalances on restart)"},
    {.name = "autoOffsetReset", AT(auto_offset_reset), .type = DROM_OPT_ENUM, .def = "latest", .values = offset_resets, .group = "consumer",
     .doc = "Where to start when the group has no committed offset"},
    {.name = "autoCommitEnable", AT(auto_commit_enable), .type = DROM_OPT_BOOL, .def = "true", .group = "consumer",
     .doc = "Commit offsets of completed exchanges periodically (never past an unfinished one)"},
    {.name = "autoCommitIntervalMs", AT(auto_commit_interval_ms), .type = DROM_OPT_DURATION, .def = "5000", .group = "consumer",
     .doc = "Interval between offset commits"},
    {.name = "allowManualCommit", .type = DROM_OPT_BOOL, .def = "false", .flags = IGN, .group = "consumer",
     .doc = "Manual commits through CamelKafkaManualCommit (offsets follow acknowledgement here)"},
    {.name = "breakOnFirstError", AT(break_on_first_error), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "On a failed exchange, stop and re-poll from the failed record instead of moving on"},
    {.name = "pollOnError", AT(poll_on_error), .type = DROM_OPT_ENUM, .def = "ERROR_HANDLER", .values = poll_on_error, .group = "consumer",
     .doc = "What to do when polling fails"},
    {.name = "maxPollRecords", AT(max_poll_records), .type = DROM_OPT_INT, .def = "500", .min = 1, .max = 1000000, .group = "consumer",
     .doc = "Most records handed over per poll"},
    {.name = "maxPollIntervalMs", AT(max_poll_interval_ms), .type = DROM_OPT_DURATION, .def = "300000", .group = "consumer",
     .doc = "Longest time between polls before the member leaves the group"},
    {.name = "pollTimeoutMs", AT(poll_timeout_ms), .type = DROM_OPT_DURATION, .def = "5000", .group = "consumer",
     .doc = "How long one poll waits for records"},
    {.name = "sessionTimeoutMs", AT(session_timeout_ms), .type = DROM_OPT_DURATION, .def = "10000", .group = "consumer",
     .doc = "Group session timeout: a member silent this long is removed"},
    {.name = "heartbeatIntervalMs", AT(heartbeat_interval_ms), .type = DROM_OPT_DURATION, .def = "3000", .group = "consumer",
     .doc = "Interval between group heartbeats"},
    {.name = "seekTo", AT(seek_to), .type = DROM_OPT_ENUM, .values = seek_policies, .ints = seek_ints, .group = "consumer",
     .doc = "Start from the beginning or end of the partitions on every start, ignoring committed offsets "
            "(until a record of the partition is taken, so a rebalance between this endpoint's consumers "
            "does not seek again)"},
    {.name = "topicIsPattern", AT(topic_is_pattern), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "The topic is a regular expression (POSIX extended) that must match a whole topic name, as Java's "
            "Pattern.matches; every matching topic is consumed, new ones once the metadata is refreshed "
            "(additionalProperties.topic.metadata.refresh.interval.ms, 5 min by default)"},
    {.name = "consumersCount", AT(consumers_count), .type = DROM_OPT_INT, .def = "1", .min = 1, .max = 1024, .group = "consumer",
     .doc = "Number of consumers (threads) in the group for this endpoint"},
    {.name = "isolationLevel", AT(isolation_level), .type = DROM_OPT_ENUM, .def = "read_uncommitted", .values = kafka_isolation_levels,
     .group = "consumer", .doc = "Whether to read records of aborted or open transactions"},
    {.name = "fetchMinBytes", AT(fetch_min_bytes), .type = DROM_OPT_SIZE, .def = "1", .group = "consumer",
     .doc = "Least data a fetch waits for"},
    {.name = "fetchMaxBytes", AT(fetch_max_bytes), .type = DROM_OPT_SIZE, .def = "52428800", .group = "consumer",
     .doc = "Most data one fetch returns"},
    {.name = "fetchWaitMaxMs", AT(fetch_wait_max_ms), .type = DROM_OPT_DURATION, .def = "500", .group = "consumer",
     .doc = "Longest a fetch waits for fetchMinBytes"},
    {.name = "maxPartitionFetchBytes", AT(max_partition_fetch_bytes), .type = DROM_OPT_SIZE, .def = "1048576", .group = "consumer",
     .doc = "Most data returned per partition per fetch"},
    {.name = "checkCrcs", AT(check_crcs), .type = DROM_OPT_BOOL, .def = "true", .group = "consumer",
     .doc = "Verify the CRC32 of consumed records"},
    {.name = "commitTimeoutMs", AT(commit_timeout_ms), .type = DROM_OPT_DURATION, .def = "5000", .group = "consumer",
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
    {.name = "key", AT(key), .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Record key (the kafka.KEY header overrides it)"},
    {.name = "partitionKey", AT(partition_key), GIVEN(partition_key_given), .type = DROM_OPT_INT, .min = 0, .max = INT32_MAX, .group = "producer",
     .doc = "Partition to send to (the kafka.PARTITION_KEY header overrides it)"},
    {.name = "requestRequiredAcks", AT(request_required_acks), .type = DROM_OPT_ENUM, .def = "all", .values = kafka_acks, .group = "producer",
     .doc = "Acknowledgements the leader waits for before answering"},
    {.name = "enableIdempotence", AT(enable_idempotence), .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Idempotent producer: retries never duplicate or reorder records"},
    {.name = "lingerMs", AT(linger_ms), .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "Wait this long to batch records before sending"},
    {.name = "producerBatchSize", AT(producer_batch_size), .type = DROM_OPT_SIZE, .def = "16384", .group = "producer",
     .doc = "Most bytes per batch of records to one partition"},
    {.name = "compressionCodec", AT(compression_codec), .type = DROM_OPT_ENUM, .def = "none", .values = kafka_codecs, .group = "producer",
     .doc = "Compression of record batches"},
    {.name = "deliveryTimeoutMs", AT(delivery_timeout_ms), .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "Upper bound to report a record delivered or failed, retries included; 0 (default) waits as long "
            "as Kafka is down, holding the source back instead of failing records"},
    {.name = "requestTimeoutMs", AT(request_timeout_ms), .type = DROM_OPT_DURATION, .def = "30000", .group = "producer",
     .doc = "How long the producer waits for a broker's answer to a request"},
    {.name = "retries", AT(retries), GIVEN(retries_given), .type = DROM_OPT_INT, .min = 0, .max = INT32_MAX, .group = "producer",
     .doc = "Retries of a failed send (default: until deliveryTimeoutMs)"},
    {.name = "maxInFlightRequest", AT(max_in_flight_request), .type = DROM_OPT_INT, .def = "5", .min = 1, .max = 1000000, .group = "producer",
     .doc = "Most unacknowledged requests per broker connection"},
    {.name = "maxRequestSize", AT(max_request_size), .type = DROM_OPT_SIZE, .def = "1048576", .group = "producer",
     .doc = "Largest request the producer sends"},
    {.name = "maxBlockMs", AT(max_block_ms), .type = DROM_OPT_DURATION, .def = "60000", .group = "producer",
     .doc = "How long a send may block when the local queue is full"},
    {.name = "bufferMemorySize", AT(buffer_memory_size), .type = DROM_OPT_SIZE, .def = "33554432", .group = "producer",
     .doc = "Memory for records waiting to be sent"},
    {.name = "queueBufferingMaxMessages", AT(queue_buffering_max_messages), .type = DROM_OPT_INT, .def = "10000", .min = 1, .max = INT32_MAX,
     .group = "producer", .doc = "Most records waiting to be sent"},
    {.name = "transactionalId", AT(transactional_id), .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Transactional producer id: records are written in transactions that also hold the route source's "
            "offset (offsetStorage=kafka on the same brokers), so read_committed consumers see each change once"},
    {.name = "transactionBatchSize", AT(transaction_batch_size), .type = DROM_OPT_INT, .def = "500", .min = 1, .max = 1000000,
     .group = "producer", .doc = "With transactionalId: most records per transaction"},
    {.name = "transactionLingerMs", AT(transaction_linger_ms), .type = DROM_OPT_DURATION, .def = "100", .group = "producer",
     .doc = "With transactionalId: longest wait for more records before a transaction is committed"},
    {.name = "recordMetadata", AT(record_metadata), .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
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
    {.name = "securityProtocol", AT(security_protocol), .type = DROM_OPT_ENUM, .def = "PLAINTEXT", .values = drom_kafka_protocols, .flags = DROM_OPT_ANYCASE, .group = "security",
     .doc = "Protocol to talk to the brokers; the ssl* options apply to SSL and SASL_SSL"},
    {.name = "saslMechanism", AT(sasl_mechanism), .type = DROM_OPT_STRING, .def = "GSSAPI", .group = "security",
     .doc = "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI"},
    {.name = "saslJaasConfig", AT(sasl_jaas_config), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "JAAS line; username=\"…\" password=\"…\" of the PLAIN and SCRAM login modules are used"},
    {.name = "saslUsername", AT(sasl_username), .type = DROM_OPT_STRING, .group = "security",
     .doc = "SASL user name (dromedary's shorthand for saslJaasConfig)"},
    {.name = "saslPassword", AT(sasl_password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "SASL password (dromedary's shorthand for saslJaasConfig)"},
    {.name = "saslKerberosServiceName", AT(sasl_kerberos_service_name), .type = DROM_OPT_STRING, .group = "security",
     .doc = "Kerberos principal name the brokers run as"},
    {.name = "sslTruststoreLocation", AT(ssl_truststore_location), .type = DROM_OPT_STRING, .group = "security",
     .doc = "CA certificates that verify the brokers: a PEM file (or a folder of them); a JKS or PKCS#12 "
            "truststore is refused with the command that converts it. Unset: the system's CAs"},
    {.name = "sslTruststorePassword", .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET | IGN, .group = "security",
     .doc = "Password of a Java truststore (PEM files need none)"},
    {.name = "sslTruststoreType", .type = DROM_OPT_STRING, .def = "JKS", .flags = IGN, .group = "security",
     .doc = "Java truststore type (the truststore is always read as PEM)"},
    {.name = "sslKeystoreLocation", AT(ssl_keystore_location), .type = DROM_OPT_STRING, .group = "security",
     .doc = "Client certificate and key (for brokers that ask for one): a PEM file holding both, or PKCS#12; "
            "the content decides, a JKS file is refused"},
    {.name = "sslKeystorePassword", AT(ssl_keystore_password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "Password of a PKCS#12 keystore"},
    {.name = "sslKeystoreType", .type = DROM_OPT_STRING, .def = "JKS", .flags = IGN, .group = "security",
     .doc = "Java keystore type (PEM or PKCS#12 is told from the file's content)"},
    {.name = "sslKeyPassword", AT(ssl_key_password), .type = DROM_OPT_STRING, .flags = DROM_OPT_SECRET, .group = "security",
     .doc = "Password of the private key in a PEM keystore"},
    {.name = "sslEndpointAlgorithm", AT(ssl_endpoint_algorithm), .type = DROM_OPT_STRING, .def = "https", .group = "security",
     .doc = "https verifies the broker's host name or IP address against its certificate; none (or empty, "
            "as in Camel) turns that off"},
    {.name = "sslProtocol", .type = DROM_OPT_STRING, .flags = IGN, .group = "security",
     .doc = "Java SSLContext protocol (OpenSSL negotiates the best TLS version)"},
    {.name = "sslEnabledProtocols", .type = DROM_OPT_STRING, .flags = IGN, .group = "security",
     .doc = "Java TLS protocol list (OpenSSL negotiates the best TLS version)"},
    {.name = "sslCipherSuites", AT(ssl_cipher_suites), .type = DROM_OPT_STRING, .group = "security",
     .doc = "OpenSSL cipher list"},
    DROM_OPTIONS_END,
};

/* Every additionalProperties.* must be accepted by librdkafka (and not be
 * one that loads code), so a typo fails dromc; a consumer needs its group. */
static int validate(const char *path, const void *conf, unsigned role, struct drom_error *err)
{
    (void)path;
    const struct kafka_conf *o = conf;
    if (role == DROM_ROLE_CONSUMER && !o->group_id)
        return drom_err(err, DROM_EINVAL, "a kafka consumer needs groupId: offsets are committed to its group");
    return kafka_conf_check_extra(conf, err) < 0 ? -1 : kafka_security_validate(conf, err);
}

/* An endpoint does not learn whether it is a source before start(), so
 * create() builds the producer (connecting early, so readiness tells the
 * truth before the first message) and start() swaps it for the consumer. */
static int k_create(struct drom_endpoint *ep, struct drom_error *err)
{
    struct kafka_ep *k = drom_xcalloc(1, sizeof *k);
    const struct kafka_conf *o = ep->conf;
    if (o->transactional_id && !drom_endpoint_is_source(ep))
        k->txn = kafka_txn_new(ep, err);
    else
        k->producer = kafka_producer_new(ep, err);
    if (!k->producer && !k->txn) {
        free(k);
        return -1;
    }
    ep->state = k;
    return 0;
}

static void k_settings(const struct drom_endpoint *ep, struct drom_consumer_settings *out)
{
    if (((const struct kafka_conf *)ep->conf)->break_on_first_error)
        out->flags |= DROM_COMP_STOPS_ON_FAILURE;
}

/* A consumer may subscribe to a comma-separated list of topics. */
static void k_link(const char *path, const void *conf, unsigned role, struct drom_link *out)
{
    out->label = "kafka topic";
    out->sep = role == DROM_ROLE_CONSUMER ? ',' : 0;
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
    .conf_size = sizeof(struct kafka_conf),
    .validate = validate,
    .advise = kafka_advise,
    .link = k_link,
    .create = k_create,
    .destroy = k_destroy,
    .start = k_start,
    .stop = k_stop,
    .produce = k_produce,
    .commit = k_commit,
    .position_free = free,
    .consumer_settings = k_settings,
    .produced_ids = kafka_produced_ids,
};
