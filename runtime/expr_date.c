/* ${date:...:PATTERN}: Java SimpleDateFormat letters rendered with the C
 * library's local time (TZ), as the JVM renders in its default zone. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/buf.h"
#include "runtime/expr.h"

static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"};
static const char *const days[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                   "Saturday"};

/* Java's Date.toString(): "EEE MMM dd HH:mm:ss zzz yyyy". */
static const struct drom_date_tok default_toks[] = {
    {'E', 3, NULL}, {0, 0, " "}, {'M', 3, NULL}, {0, 0, " "}, {'d', 2, NULL}, {0, 0, " "},
    {'H', 2, NULL}, {0, 0, ":"}, {'m', 2, NULL}, {0, 0, ":"}, {'s', 2, NULL}, {0, 0, " "},
    {'z', 1, NULL}, {0, 0, " "}, {'y', 4, NULL},
};

static void num(struct drom_buf *b, long v, int width)
{
    drom_buf_printf(b, "%0*ld", width > 20 ? 20 : width, v);
}

static void name(struct drom_buf *b, const char *full, int count)
{
    if (count >= 4)
        drom_buf_puts(b, full);
    else
        drom_buf_append(b, full, 3);
}

static void offset(struct drom_buf *b, long gmtoff, char letter, int count)
{
    if (letter == 'X' && gmtoff == 0) {
        drom_buf_putc(b, 'Z');
        return;
    }
    char sign = gmtoff < 0 ? '-' : '+';
    long a = labs(gmtoff) / 60;
    if (letter == 'X' && count == 1)
        drom_buf_printf(b, "%c%02ld", sign, a / 60);
    else if (letter == 'X' && count >= 3)
        drom_buf_printf(b, "%c%02ld:%02ld", sign, a / 60, a % 60);
    else
        drom_buf_printf(b, "%c%02ld%02ld", sign, a / 60, a % 60);
}

void drom_expr_date_format(const struct drom_date_fmt *f, int64_t t_us, struct drom_buf *out)
{
    int64_t ms = t_us / 1000 - (t_us % 1000 < 0);
    time_t secs = (time_t)(ms / 1000 - (ms % 1000 < 0));
    long millis = (long)(ms - (int64_t)secs * 1000);
    struct tm tm;
    if (!localtime_r(&secs, &tm))
        memset(&tm, 0, sizeof tm);
    const struct drom_date_tok *toks = f->ntoks ? f->toks : default_toks;
    size_t n = f->ntoks ? f->ntoks : sizeof default_toks / sizeof *default_toks;
    drom_buf_append(out, "", 0);
    for (size_t i = 0; i < n; i++) {
        const struct drom_date_tok *t = &toks[i];
        int c = t->count;
        switch (t->letter) {
        case 0: drom_buf_puts(out, t->text); break;
        case 'y':
            if (c == 2)
                num(out, (tm.tm_year + 1900) % 100, 2);
            else
                num(out, tm.tm_year + 1900L, c);
            break;
        case 'M':
            if (c >= 3)
                name(out, months[tm.tm_mon], c);
            else
                num(out, tm.tm_mon + 1, c);
            break;
        case 'd': num(out, tm.tm_mday, c); break;
        case 'D': num(out, tm.tm_yday + 1, c); break;
        case 'E': name(out, days[tm.tm_wday], c); break;
        case 'H': num(out, tm.tm_hour, c); break;
        case 'k': num(out, tm.tm_hour ? tm.tm_hour : 24, c); break;
        case 'K': num(out, tm.tm_hour % 12, c); break;
        case 'h': num(out, tm.tm_hour % 12 ? tm.tm_hour % 12 : 12, c); break;
        case 'a': drom_buf_puts(out, tm.tm_hour < 12 ? "AM" : "PM"); break;
        case 'm': num(out, tm.tm_min, c); break;
        case 's': num(out, tm.tm_sec, c); break;
        case 'S': num(out, millis, c); break;
        case 'z': drom_buf_puts(out, tm.tm_zone ? tm.tm_zone : "UTC"); break;
        case 'Z':
        case 'X': offset(out, tm.tm_gmtoff, t->letter, c); break;
        default: break;
        }
    }
}
