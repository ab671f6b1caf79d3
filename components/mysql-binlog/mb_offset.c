#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "components/mysql-binlog/mb_source.h"

/* Debezium's offset keys (file, pos, gtids, event, row, server_id, ts_sec,
 * snapshot), plus "tombstone" for a delete whose tombstone is still owed. */
void mb_offset_to_json(const struct mb_offset *o, struct drom_buf *out)
{
    json_t *j = json_object();
    json_object_set_new(j, "file", json_string(o->file));
    json_object_set_new(j, "pos", json_integer((json_int_t)o->pos));
    if (o->gtids[0])
        json_object_set_new(j, "gtids", json_string(o->gtids));
    if (o->event)
        json_object_set_new(j, "event", json_integer(o->event));
    if (o->row)
        json_object_set_new(j, "row", json_integer(o->row));
    if (o->tombstone)
        json_object_set_new(j, "tombstone", json_true());
    if (o->server_id)
        json_object_set_new(j, "server_id", json_integer(o->server_id));
    if (o->ts_sec)
        json_object_set_new(j, "ts_sec", json_integer(o->ts_sec));
    if (o->snapshot)
        json_object_set_new(j, "snapshot", json_string("INITIAL"));
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    drom_buf_puts(out, s);
    free(s);
    json_decref(j);
}

int mb_offset_from_json(struct mb_offset *o, const char *text, struct drom_error *err)
{
    json_error_t je;
    memset(o, 0, sizeof *o);
    json_t *j = json_loads(text, 0, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return drom_err(err, DROM_ESTATE, "stored binlog offset is not a JSON object: %s", text);
    }
    const char *file = json_string_value(json_object_get(j, "file"));
    json_t *pos = json_object_get(j, "pos");
    if (!file || !json_is_integer(pos) || json_integer_value(pos) < 4) {
        json_decref(j);
        return drom_err(err, DROM_ESTATE, "stored binlog offset lacks file/pos: %s", text);
    }
    snprintf(o->file, sizeof o->file, "%s", file);
    o->pos = (uint64_t)json_integer_value(pos);
    const char *g = json_string_value(json_object_get(j, "gtids"));
    snprintf(o->gtids, sizeof o->gtids, "%s", g ? g : "");
    o->event = (uint32_t)json_integer_value(json_object_get(j, "event"));
    o->row = (uint32_t)json_integer_value(json_object_get(j, "row"));
    o->tombstone = json_is_true(json_object_get(j, "tombstone"));
    o->server_id = (uint32_t)json_integer_value(json_object_get(j, "server_id"));
    o->ts_sec = json_integer_value(json_object_get(j, "ts_sec"));
    o->snapshot = json_object_get(j, "snapshot") != NULL;
    json_decref(j);
    return 0;
}
