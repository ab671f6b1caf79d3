/* Text of the character sets MariaDB and MySQL offer, to UTF-8, decoded as
 * Debezium's Java charsets decode them (a byte sequence that is not
 * valid becomes U+FFFD). glibc's iconv holds the tables. */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "components/mysql-binlog/event_json.h"

static const struct { const char *mysql, *iconv; } names[] = {
    {"armscii8", "ARMSCII-8"}, {"ascii", "US-ASCII"}, {"big5", "BIG5"}, {"cp1250", "CP1250"},
    {"cp1251", "CP1251"}, {"cp1256", "CP1256"}, {"cp1257", "CP1257"}, {"cp850", "CP850"}, {"cp852", "CP852"},
    {"cp866", "CP866"}, {"cp932", "CP932"}, {"eucjpms", "EUC-JP-MS"}, {"euckr", "EUC-KR"}, {"gb2312", "GB2312"},
    {"gbk", "GBK"}, {"geostd8", "GEORGIAN-PS"}, {"greek", "ISO-8859-7"}, {"hebrew", "ISO-8859-8"},
    {"hp8", "HP-ROMAN8"}, {"koi8r", "KOI8-R"}, {"koi8u", "KOI8-U"}, {"latin2", "ISO-8859-2"},
    {"latin5", "ISO-8859-9"}, {"latin7", "ISO-8859-13"}, {"macce", "MAC-CENTRALEUROPE"}, {"macroman", "MACINTOSH"},
    {"sjis", "SHIFT_JIS"}, {"tis620", "TIS-620"}, {"ucs2", "UCS-2BE"}, {"ujis", "EUC-JP"}, {"utf16", "UTF-16BE"},
    {"utf16le", "UTF-16LE"}, {"utf32", "UTF-32BE"},
};

bool mb_charset_to_utf8(struct drom_buf *out, const char *charset, const uint8_t *s, size_t len)
{
    const char *to = NULL;
    for (size_t i = 0; charset && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(names[i].mysql, charset) == 0)
            to = names[i].iconv;
    if (!to)
        return false;
    iconv_t cd = iconv_open("UTF-8", to);
    if (cd == (iconv_t)-1)
        return false;
    char *in = (char *)s;
    size_t inleft = len;
    char chunk[1024];
    while (inleft) {
        char *o = chunk;
        size_t oleft = sizeof chunk;
        size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
        drom_buf_append(out, chunk, sizeof chunk - oleft);
        if (rc == (size_t)-1 && errno != E2BIG) {
            /* an invalid or cut sequence: one replacement character, then on */
            drom_buf_append(out, "\xef\xbf\xbd", 3);
            in++;
            inleft--;
            iconv(cd, NULL, NULL, NULL, NULL);
        }
    }
    iconv_close(cd);
    return true;
}
