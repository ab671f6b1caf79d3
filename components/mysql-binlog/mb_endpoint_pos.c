/* Where the source's offsets are stored, for a transactional producer that
 * stores them with its records (the position callbacks are in mb_offset.c). */
#include "components/mysql-binlog/mb_endpoint.h"
#include "components/mysql-binlog/mb_source.h"
#include "runtime/engine.h"

int mb_offset_location(struct drom_endpoint *ep, struct drom_offset_location *out, struct drom_error *err)
{
    (void)err;
    struct mb_src *s = ep->state;
    *out = (struct drom_offset_location){.store = s->cfg.offset_backend, .key = s->offset_key};
    if (s->cfg.offset_kafka) {
        out->brokers = s->cfg.offset_brokers;
        out->topic = s->cfg.offset_topic;
    }
    return 0;
}
