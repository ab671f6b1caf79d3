#include <stdio.h>
#include <string.h>

#include "cmd/dromd/role.h"
#include "runtime/buf.h"

static long long part_at(json_t *parts, size_t i)
{
    return (long long)json_integer_value(json_array_get(parts, i));
}

/* "0-2,4": a list of every partition would not fit a terminal's line for
 * a topic of many. */
static void put_parts(struct drom_buf *b, json_t *parts)
{
    size_t n = json_array_size(parts);
    if (n == 0) {
        drom_buf_puts(b, "none");
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && part_at(parts, j + 1) == part_at(parts, j) + 1)
            j++;
        if (j - i >= 2) {
            drom_buf_printf(b, "%s%lld-%lld", i ? "," : "", part_at(parts, i), part_at(parts, j));
            i = j + 1;
        } else {
            drom_buf_printf(b, "%s%lld", i ? "," : "", part_at(parts, i));
            i++;
        }
    }
}

void dromd_route_status_text(json_t *route, char *out, size_t size)
{
    const char *state = json_string_value(json_object_get(route, "state"));
    const char *role = json_string_value(json_object_get(route, "role"));
    json_t *held = json_object_get(route, "partitions");
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_puts(&b, state ? state : "");
    if (role && strcmp(role, "leader") == 0) {
        drom_buf_puts(&b, " (leader)");
    } else if (role && strcmp(role, "consumer") == 0 && json_is_object(held)) {
        const char *topic;
        json_t *parts;
        const char *sep = " (consumer of ";
        json_object_foreach(held, topic, parts) {
            drom_buf_printf(&b, "%s%s ", sep, topic);
            put_parts(&b, parts);
            sep = "; ";
        }
        drom_buf_puts(&b, *sep == ';' ? ")" : " (consumer)");
    }
    snprintf(out, size, "%s", drom_buf_cstr(&b));
    drom_buf_free(&b);
}
