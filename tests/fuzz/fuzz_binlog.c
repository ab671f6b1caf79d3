/* libFuzzer target for the streaming decoder as recorded binlogs reach it:
 * the input is a binlog file (the magic number is added when missing), run
 * through mb_replay (event headers, checksums, GTIDs, transaction payloads,
 * table maps, rows, binary JSON and its partial updates) and every change
 * written as Debezium JSON. Seeds: the MySQL 8 fixtures. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/mb_stream.h"
#include "runtime/xalloc.h"

static int emit(void *arg, const struct mb_row_event *e, const struct mb_offset *after, struct drom_error *err)
{
    struct drom_buf b = DROM_BUF_INIT;
    mb_json_value(&b, e->ct->schema, e->op, e->before, e->after, &e->src, e->tx, 0);
    mb_offset_to_json(after, NULL, &b);
    drom_buf_free(&b);
    return 0;
}

static int complete(void *arg, struct mb_table *t, struct drom_error *err)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!t->cols[i].name) {
            char n[24];
            snprintf(n, sizeof n, "c%zu", i + 1);
            t->cols[i].name = drom_xstrdup(n);
        }
    t->has_names = true;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t magic[4] = {0xfe, 'b', 'i', 'n'};
    uint8_t *copy = malloc(size + 4);
    size_t n = 0;
    if (size < 4 || memcmp(data, magic, 4) != 0) {
        memcpy(copy, magic, 4);
        n = 4;
    }
    memcpy(copy + n, data, size);
    n += size;
    struct mb_replay r = {.emit = emit, .complete = complete, .all_databases = true};
    struct mb_src s = {.replay = &r};
    s.cfg.fmt = (struct mb_format){.prefix = "p", .version = "v", .schemas = true};
    s.cfg.include_query = true;
    struct drom_error err;
    mb_replay(&s, copy, n, "fuzz.000001", &err);
    for (size_t i = 0; i < s.ntables; i++) {
        mb_cached_table_clear(s.tables[i]);
        free(s.tables[i]);
    }
    free(s.tables);
    free(s.before);
    free(s.after);
    free(copy);
    return 0;
}
