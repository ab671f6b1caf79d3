/* The row-image decoder on row images captured from MariaDB 10.11
 * (the .sql files beside the captures say which statements). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/mysql-binlog/rowdec.h"

struct rec {
    unsigned type;
    const uint8_t *body;
    size_t len;
};

struct capture {
    uint8_t *data;
    size_t n;
    struct rec recs[64];
    size_t nrecs;
};

static void load(struct capture *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "open %s", path);
    c->data = malloc(1 << 20);
    c->n = fread(c->data, 1, 1 << 20, f);
    fclose(f);
    c->nrecs = 0;
    for (size_t off = 0; off + 5 <= c->n && c->nrecs < 64;) {
        size_t len = c->data[off + 1] | c->data[off + 2] << 8 | c->data[off + 3] << 16 | (size_t)c->data[off + 4] << 24;
        cr_assert(off + 5 + len <= c->n);
        c->recs[c->nrecs++] = (struct rec){c->data[off], c->data + off + 5, len};
        off += 5 + len;
    }
}

static int col(const struct mb_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    cr_assert_fail("no column %s", name);
    return -1;
}

Test(rowdec, table_map_of_every_type)
{
    struct capture c;
    struct mb_table t;
    struct drom_error err;
    load(&c, "tests/unit/data/binlog/alltypes.bin");
    cr_assert_eq(c.recs[0].type, 19);
    cr_assert_eq(mb_table_parse(&t, c.recs[0].body, c.recs[0].len, 6, &err), 0, "%s", err.msg);
    cr_assert_str_eq(t.db, "drom_types");
    cr_assert_str_eq(t.table, "t");
    cr_assert_eq(t.ncols, 42);
    cr_assert(t.has_names && t.has_signedness);
    cr_assert_eq(t.npk, 1);
    cr_assert_eq(t.pk[0], 0);
    cr_assert(!t.cols[0].nullable);
    cr_assert(t.cols[col(&t, "tiu")].is_unsigned);
    cr_assert(!t.cols[col(&t, "ti")].is_unsigned);
    cr_assert(t.cols[col(&t, "biu")].is_unsigned);
    const struct mb_column *d2 = &t.cols[col(&t, "d2")];
    cr_assert_eq(d2->precision, 65);
    cr_assert_eq(d2->scale, 30);
    cr_assert_eq(t.cols[col(&t, "b10")].nbits, 10);
    cr_assert_eq(t.cols[col(&t, "c")].type, MB_T_STRING);
    cr_assert_eq(t.cols[col(&t, "c")].max_len, 40);
    cr_assert_eq(t.cols[col(&t, "c100")].max_len, 400);
    cr_assert_eq(t.cols[col(&t, "bn")].collation, MB_COLLATION_BINARY);
    cr_assert_eq(t.cols[col(&t, "cl")].collation, 8);
    cr_assert_eq(t.cols[col(&t, "c")].collation, 45);
    const struct mb_column *e = &t.cols[col(&t, "e")];
    cr_assert_eq(e->type, MB_T_ENUM);
    cr_assert_eq(e->nvalues, 3);
    cr_assert_str_eq(e->values[1], "medium");
    cr_assert_eq(t.cols[col(&t, "st")].nvalues, 4);
    cr_assert_eq(t.cols[col(&t, "tm6")].fsp, 6);
    cr_assert_eq(t.cols[col(&t, "pt")].geom_type, 1);
    cr_assert_eq(t.cols[col(&t, "g")].geom_type, 0);
    mb_table_free(&t);
    free(c.data);
}

Test(rowdec, values_of_every_type)
{
    struct capture c;
    struct mb_table t;
    struct mb_rows r;
    struct mb_value v[42];
    struct drom_error err;
    size_t off = 0;
    load(&c, "tests/unit/data/binlog/alltypes.bin");
    cr_assert_eq(mb_table_parse(&t, c.recs[0].body, c.recs[0].len, 6, &err), 0);
    cr_assert_eq(mb_rows_parse(&r, c.recs[1].type, c.recs[1].body, c.recs[1].len, 6, &err), 0, "%s", err.msg);
    cr_assert_eq(r.kind, MB_ROWS_WRITE);
    cr_assert_eq(mb_row_decode(&t, &r, false, &off, v, &err), 0, "%s", err.msg);
    cr_assert_eq(off, r.len);
    cr_assert_eq(v[col(&t, "id")].i, 1);
    cr_assert_eq(v[col(&t, "ti")].i, -5);
    cr_assert_eq(v[col(&t, "tiu")].u, 250);
    cr_assert_eq(v[col(&t, "si")].i, -300);
    cr_assert_eq(v[col(&t, "siu")].u, 65000);
    cr_assert_eq(v[col(&t, "mi")].i, -8000000);
    cr_assert_eq(v[col(&t, "miu")].u, 16000000);
    cr_assert_eq(v[col(&t, "i")].i, -2000000000);
    cr_assert_eq(v[col(&t, "iu")].u, 4000000000u);
    cr_assert_eq(v[col(&t, "bi")].i, -9000000000000000000LL);
    cr_assert_eq(v[col(&t, "biu")].u, UINT64_MAX);
    cr_assert_str_eq(v[col(&t, "d1")].dec, "1234.56");
    cr_assert_str_eq(v[col(&t, "d2")].dec,
                     "-12345678901234567890123456789012345.123456789012345678901234567890");
    cr_assert_eq(v[col(&t, "f")].d, 3.25);
    cr_assert_eq(v[col(&t, "dbl")].d, -2.5e100);
    cr_assert_eq(v[col(&t, "b1")].u, 1);
    cr_assert_eq(v[col(&t, "b10")].u, 515);
    cr_assert_eq(v[col(&t, "b64")].u, UINT64_MAX);
    int k = col(&t, "vc");
    cr_assert_eq(v[k].len, strlen("héllo 😀 wörld"));
    cr_assert(memcmp(v[k].s, "héllo 😀 wörld", v[k].len) == 0);
    k = col(&t, "bn");
    cr_assert_eq(v[k].len, 2);   /* trailing zero bytes stripped by the server */
    k = col(&t, "bl");
    cr_assert_eq(v[k].len, 4);
    cr_assert(memcmp(v[k].s, "\xde\xad\xbe\xef", 4) == 0);
    k = col(&t, "dt");
    cr_assert(v[k].dt.year == 2024 && v[k].dt.month == 2 && v[k].dt.day == 29 && !v[k].zero);
    cr_assert_eq(v[col(&t, "tm")].i, -45296000000LL);
    cr_assert_eq(v[col(&t, "tm3")].i, -45296789000LL);
    cr_assert_eq(v[col(&t, "tm6")].i, 3020399000000LL);
    k = col(&t, "dtm6");
    cr_assert(v[k].dt.year == 2024 && v[k].dt.month == 1 && v[k].dt.day == 2 && v[k].dt.hour == 3 &&
              v[k].dt.minute == 4 && v[k].dt.second == 5 && v[k].dt.usec == 123456);
    cr_assert_eq(v[col(&t, "dtm3")].dt.usec, 678000);
    k = col(&t, "ts3");
    cr_assert_eq(v[k].kind, MB_V_TIMESTAMP);
    cr_assert_eq(v[k].i, 1704164645);
    cr_assert_eq(v[k].dt.usec, 678000);
    cr_assert_eq(v[col(&t, "ts6")].dt.usec, 1);
    cr_assert_eq(v[col(&t, "y")].i, 2024);
    cr_assert_eq(v[col(&t, "e")].u, 2);
    cr_assert_eq(v[col(&t, "st")].u, 5);
    k = col(&t, "j");
    cr_assert_eq(v[k].len, strlen("{\"k\": [1, 2.5, \"x\"], \"n\": null}"));
    k = col(&t, "g");
    cr_assert_eq(v[k].len, 25);   /* SRID + WKB point */
    k = col(&t, "cl");
    cr_assert(v[k].len == 4 && memcmp(v[k].s, "caf\xe9", 4) == 0);
    mb_table_free(&t);
    free(c.data);
}

Test(rowdec, nulls_extremes_and_zero_dates)
{
    struct capture c;
    struct mb_table t;
    struct mb_rows r;
    struct mb_value v[42];
    struct drom_error err;
    size_t off = 0;
    load(&c, "tests/unit/data/binlog/alltypes.bin");
    cr_assert_eq(mb_table_parse(&t, c.recs[2].body, c.recs[2].len, 6, &err), 0);
    cr_assert_eq(mb_rows_parse(&r, c.recs[3].type, c.recs[3].body, c.recs[3].len, 6, &err), 0);
    for (int row = 2; row <= 3; row++) {   /* a two-row INSERT, everything NULL but the key */
        cr_assert_eq(mb_row_decode(&t, &r, false, &off, v, &err), 0, "%s", err.msg);
        cr_assert_eq(v[0].i, row);
        for (size_t i = 1; i < t.ncols; i++)
            cr_assert_eq(v[i].kind, MB_V_NULL);
    }
    cr_assert_eq(off, r.len);
    mb_table_free(&t);
    cr_assert_eq(mb_table_parse(&t, c.recs[4].body, c.recs[4].len, 6, &err), 0);
    cr_assert_eq(mb_rows_parse(&r, c.recs[5].type, c.recs[5].body, c.recs[5].len, 6, &err), 0);
    off = 0;
    cr_assert_eq(mb_row_decode(&t, &r, false, &off, v, &err), 0, "%s", err.msg);
    cr_assert_eq(v[col(&t, "ti")].i, 127);
    cr_assert_eq(v[col(&t, "bi")].i, INT64_MAX);
    cr_assert_str_eq(v[col(&t, "d1")].dec, "-0.01");
    cr_assert_str_eq(v[col(&t, "d2")].dec, "0.000000000000000000000000000000");
    cr_assert(v[col(&t, "dt")].zero);
    cr_assert(v[col(&t, "dtm")].zero);
    cr_assert(v[col(&t, "dtm3")].zero);   /* 2024-00-00 */
    cr_assert(!v[col(&t, "dtm6")].zero);
    cr_assert(v[col(&t, "ts")].zero);
    cr_assert_eq(v[col(&t, "tm3")].i, -500000);
    cr_assert_eq(v[col(&t, "tm6")].i, -1000001);
    cr_assert_eq(v[col(&t, "y")].i, 0);
    cr_assert_eq(v[col(&t, "e")].u, 0);
    cr_assert_eq(v[col(&t, "c100")].len, 100);
    mb_table_free(&t);
    free(c.data);
}

Test(rowdec, update_pairs_and_delete)
{
    struct capture c;
    struct mb_table t;
    struct mb_rows r;
    struct mb_value v[42];
    struct drom_error err;
    size_t off = 0;
    load(&c, "tests/unit/data/binlog/alltypes.bin");
    cr_assert_eq(mb_table_parse(&t, c.recs[6].body, c.recs[6].len, 6, &err), 0);
    cr_assert_eq(mb_rows_parse(&r, c.recs[7].type, c.recs[7].body, c.recs[7].len, 6, &err), 0);
    cr_assert_eq(r.kind, MB_ROWS_UPDATE);
    int ids[4] = {1, 1, 4, 4}, ti[4] = {-5, -4, 127, 127};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(mb_row_decode(&t, &r, i % 2, &off, v, &err), 0, "%s", err.msg);
        cr_assert_eq(v[0].i, ids[i]);
        cr_assert_eq(v[1].i, ti[i]);
    }
    cr_assert_eq(off, r.len);
    mb_table_free(&t);
    cr_assert_eq(mb_table_parse(&t, c.recs[8].body, c.recs[8].len, 6, &err), 0);
    cr_assert_eq(mb_rows_parse(&r, c.recs[9].type, c.recs[9].body, c.recs[9].len, 6, &err), 0);
    cr_assert_eq(r.kind, MB_ROWS_DELETE);
    off = 0;
    cr_assert_eq(mb_row_decode(&t, &r, false, &off, v, &err), 0);
    cr_assert_eq(v[0].i, 3);
    mb_table_free(&t);
    free(c.data);
}

/* Every truncation and many single-byte corruptions of real events either
 * decode or fail cleanly (run under `make san` this also proves no over-read). */
Test(rowdec, malformed_input_is_an_error)
{
    struct capture c;
    struct drom_error err;
    load(&c, "tests/unit/data/binlog/alltypes.bin");
    struct mb_table good;
    cr_assert_eq(mb_table_parse(&good, c.recs[0].body, c.recs[0].len, 6, &err), 0);
    for (size_t cut = 0; cut < c.recs[0].len; cut++) {
        struct mb_table t;
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, c.recs[0].body, cut);
        if (mb_table_parse(&t, copy, cut, 6, &err) == 0)
            mb_table_free(&t);
        free(copy);
    }
    for (size_t e = 1; e < c.nrecs; e += 2) {
        for (size_t cut = 0; cut < c.recs[e].len; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, c.recs[e].body, cut);
            struct mb_rows r;
            struct mb_value v[42];
            if (mb_rows_parse(&r, c.recs[e].type, copy, cut, 6, &err) == 0) {
                size_t off = 0;
                int rc = 0, img = 0;
                while (off < r.len && (rc = mb_row_decode(&good, &r, img++ % 2, &off, v, &err)) == 0)
                    ;
                if (cut < c.recs[e].len && off < r.len)
                    cr_assert_eq(rc, -1);
            }
            free(copy);
        }
    }
    struct mb_value v[42];
    struct mb_rows r;
    cr_assert_eq(mb_rows_parse(&r, 23, c.recs[1].body, c.recs[1].len, 6, &err), 0);
    size_t off = 0;
    r.len -= 1;
    cr_assert_eq(mb_row_decode(&good, &r, false, &off, v, &err), -1);
    cr_assert(strstr(err.msg, "truncated"), "%s", err.msg);
    cr_assert_eq(mb_rows_parse(&r, 16, c.recs[1].body, c.recs[1].len, 6, &err), -1);
    mb_table_free(&good);
    free(c.data);
}
