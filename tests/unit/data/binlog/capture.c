/* Captures TABLE_MAP and ROWS event bodies from a live server into a file of
 * records {u8 event type, u32 LE length, body} (header and CRC removed), the
 * input format of tests/unit/test_rowdec*.c and tests/fuzz/fuzz_rowdec.c.
 * Not part of the build:
 *   cc -o /tmp/capture tests/unit/data/binlog/capture.c $(pkg-config --cflags --libs libmariadb)
 *   /tmp/capture HOST PORT USER PASSWORD FILE POS DB OUT */
#include <mariadb/mysql.h>
#include <mariadb/mariadb_rpl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: capture HOST PORT USER PASSWORD FILE POS DB OUT\n");
        return 2;
    }
    MYSQL *m = mysql_init(NULL);
    if (!mysql_real_connect(m, argv[1], argv[3], argv[4], NULL, (unsigned)atoi(argv[2]), NULL, 0)) {
        fprintf(stderr, "connect: %s\n", mysql_error(m));
        return 1;
    }
    mysql_query(m, "SET @master_binlog_checksum=@@global.binlog_checksum");
    mysql_query(m, "SET @mariadb_slave_capability=4");
    MARIADB_RPL *rpl = mariadb_rpl_init(m);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, 9999u);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, argv[5], strlen(argv[5]));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, (unsigned long)atol(argv[6]));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, (unsigned)MARIADB_RPL_BINLOG_DUMP_NON_BLOCK);
    if (mariadb_rpl_open(rpl)) {
        fprintf(stderr, "open: %s\n", mysql_error(m));
        return 1;
    }
    FILE *out = fopen(argv[8], "wb");
    MARIADB_RPL_EVENT *ev = NULL;
    int keep = 0;
    while ((ev = mariadb_rpl_fetch(rpl, ev))) {
        unsigned t = ev->event_type;
        if (t == TABLE_MAP_EVENT)
            keep = strlen(argv[7]) == ev->event.table_map.database.length &&
                   !memcmp(argv[7], ev->event.table_map.database.str, strlen(argv[7]));
        if (!keep || !(t == TABLE_MAP_EVENT || (t >= 23 && t <= 25) || (t >= 30 && t <= 32)))
            continue;
        size_t blen = ev->event_length - 19 - (rpl->use_checksum ? 4 : 0);
        const unsigned char *body = ev->raw_data + ev->raw_data_ofs + 19;
        unsigned char hdr[5] = {(unsigned char)t, (unsigned char)blen, (unsigned char)(blen >> 8),
                                (unsigned char)(blen >> 16), (unsigned char)(blen >> 24)};
        fwrite(hdr, 1, 5, out);
        fwrite(body, 1, blen, out);
        fprintf(stderr, "event %u at %u: %zu bytes\n", t, ev->next_event_pos - ev->event_length, blen);
    }
    fclose(out);
    mariadb_rpl_close(rpl);
    mysql_close(m);
    return 0;
}
