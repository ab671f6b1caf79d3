/* What a kafka producer's topic already holds from its route's source: the
 * DromEventId of the newest record of each partition, read with a consumer
 * of its own (no group) from the last records up to the end. A source
 * compares it with its stored position at start (drom_component's
 * produced_ids), so that a store older than the topic is refused instead of
 * replaying past the broker's duplicate detection. */
#include <stdlib.h>
#include <string.h>

#include "components/kafka/kafka.h"
#include "runtime/xalloc.h"

enum { TAIL = 50 };

int kafka_produced_ids(struct drom_endpoint *ep, int64_t timeout_ms, char ***ids, size_t *n, struct drom_error *err)
{
    int t = (int)timeout_ms;
    *ids = NULL;
    *n = 0;
    const char *topic = ep->path;
    rd_kafka_conf_t *conf = kafka_conf_build(ep->conf, KAFKA_CONSUMER, err);
    if (!conf)
        return -1;
    rd_kafka_t *rk = kafka_reader_new(conf, "drom-produced-probe", "kafka probe", err);
    if (!rk)
        return -1;
    int rc = -1;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, t);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        drom_err(err, DROM_ECONNECT, "cannot read topic %s's metadata: %s", topic, rd_kafka_err2str(e));
        goto out;
    }
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) {
        rc = 0;   /* no topic yet: it holds nothing */
        goto out;
    }
    int parts = md->topics[0].partition_cnt;
    char **last = drom_xcalloc((size_t)parts, sizeof *last);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    for (int i = 0; i < parts; i++) {
        int32_t p = md->topics[0].partitions[i].id;
        int64_t lo, hi;
        e = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, t);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            drom_err(err, DROM_ECONNECT, "cannot read the end of %s [%d]: %s", topic, (int)p, rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_destroy(l);
            free(last);
            goto out;
        }
        if (hi > lo)
            rd_kafka_topic_partition_list_add(l, topic, p)->offset = hi - TAIL > lo ? hi - TAIL : lo;
    }
    int want = l->cnt, eofs = 0;
    if (want)
        rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int64_t deadline = drom_monotonic_ms() + t;
    while (eofs < want) {
        if (drom_monotonic_ms() > deadline) {
            drom_err(err, DROM_ECONNECT, "the last records of %s not read within %d ms", topic, t);
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs++;
        } else if (!m->err) {
            rd_kafka_headers_t *h;
            const void *v;
            size_t len;
            int idx = -1;
            for (int i = 0; i < parts; i++)
                if (md->topics[0].partitions[i].id == m->partition)
                    idx = i;
            if (idx >= 0 && rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                rd_kafka_header_get_last(h, "DromEventId", &v, &len) == RD_KAFKA_RESP_ERR_NO_ERROR && v) {
                free(last[idx]);
                last[idx] = drom_xstrndup(v, len);
            }
        }
        rd_kafka_message_destroy(m);
    }
    if (eofs == want) {
        *ids = drom_xcalloc((size_t)parts + 1, sizeof **ids);
        for (int i = 0; i < parts; i++)
            if (last[i])
                (*ids)[(*n)++] = last[i];
            else
                free(last[i]);
        rc = 0;
    } else {
        for (int i = 0; i < parts; i++)
            free(last[i]);
    }
    free(last);
out:
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (rc)
        drom_err_prefix(err, "checking what %s already holds", ep->uri_masked);
    return rc;
}
