/* libFuzzer target for the row-image decoder and the event writer. Input:
 * records {u8 event type, u32 LE length, body} as captured by
 * tests/unit/data/binlog/capture.c: TABLE_MAP bodies set the table, ROWS
 * bodies are decoded against it and written as Debezium JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "components/mysql-binlog/event_json.h"
#include "components/mysql-binlog/rowdec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mb_table t = {0};
    bool have = false;
    struct mb_format f = {.prefix = "p", .version = "v", .schemas = true};
    struct mb_schema *s = NULL;
    struct drom_error err;
    for (size_t off = 0; off + 5 <= size;) {
        unsigned type = data[off];
        size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8 | (size_t)data[off + 3] << 16 |
                     (size_t)data[off + 4] << 24;
        off += 5;
        if (len > size - off)
            len = size - off;
        /* a copy of exactly len bytes, so that any over-read is caught */
        uint8_t *body = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            body[i] = data[off + i];
        off += len;
        if (type == 19) {
            mb_schema_free(s);
            s = NULL;
            if (have)
                mb_table_free(&t);
            have = mb_table_parse(&t, body, len, 6, &err) == 0;
            if (have)
                s = mb_schema_new(&f, &t, NULL);
        } else if (have) {
            struct mb_rows r;
            if (mb_rows_parse(&r, type, body, len, 6, &err) == 0) {
                struct mb_value *v = calloc(t.ncols, sizeof *v), *w = calloc(t.ncols, sizeof *w);
                size_t o = 0;
                for (int img = 0; o < r.len && img < 1000; img++) {
                    if (mb_row_decode(&t, &r, false, &o, v, &err))
                        break;
                    if (r.kind == MB_ROWS_UPDATE && mb_row_decode(&t, &r, true, &o, w, &err))
                        break;
                    struct drom_buf b = DROM_BUF_INIT;
                    struct mb_source_info src = {.db = t.db, .table = t.table, .file = "f"};
                    mb_json_key(&b, s, v);
                    mb_json_value(&b, s, 'u', v, r.kind == MB_ROWS_UPDATE ? w : v, &src, NULL, 0);
                    drom_buf_free(&b);
                }
                free(v);
                free(w);
            }
        }
        free(body);
    }
    mb_schema_free(s);
    if (have)
        mb_table_free(&t);
    return 0;
}
