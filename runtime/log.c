#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "runtime/buf.h"
#include "runtime/log.h"

static _Atomic int min_level = DROM_LOG_INFO;
static _Atomic int format = DROM_LOG_TEXT;

static const char *const level_names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};

void drom_log_configure(enum drom_log_level min, enum drom_log_format fmt)
{
    atomic_store(&min_level, (int)min);
    atomic_store(&format, (int)fmt);
}

enum drom_log_level drom_log_min_level(void)
{
    return (enum drom_log_level)atomic_load(&min_level);
}

int drom_log_level_parse(const char *s)
{
    for (int i = 0; i <= DROM_LOG_OFF; i++)
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    if (strcasecmp(s, "warning") == 0)
        return DROM_LOG_WARN;
    return -1;
}

const char *drom_log_level_name(enum drom_log_level level)
{
    return level <= DROM_LOG_OFF ? level_names[level] : "?";
}

static void json_string(struct drom_buf *b, const char *s)
{
    drom_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': drom_buf_puts(b, "\\\""); break;
        case '\\': drom_buf_puts(b, "\\\\"); break;
        case '\n': drom_buf_puts(b, "\\n"); break;
        case '\r': drom_buf_puts(b, "\\r"); break;
        case '\t': drom_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20)
                drom_buf_printf(b, "\\u%04x", *p);
            else
                drom_buf_putc(b, (char)*p);
        }
    }
    drom_buf_putc(b, '"');
}

void drom_log(enum drom_log_level level, const char *logger, const char *fmt, ...)
{
    if ((int)level < atomic_load(&min_level) || level >= DROM_LOG_OFF)
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[40];
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%03dZ", (int)(tv.tv_usec / 1000));

    struct drom_buf b = DROM_BUF_INIT;
    if (atomic_load(&format) == DROM_LOG_JSON) {
        drom_buf_puts(&b, "{\"ts\":");
        json_string(&b, ts);
        drom_buf_puts(&b, ",\"level\":");
        json_string(&b, level_names[level]);
        if (logger) {
            drom_buf_puts(&b, ",\"logger\":");
            json_string(&b, logger);
        }
        drom_buf_puts(&b, ",\"msg\":");
        json_string(&b, msg);
        drom_buf_puts(&b, "}\n");
    } else {
        drom_buf_printf(&b, "%s %5s %d --- [%s] : %s\n", ts, level_names[level], (int)getpid(),
                        logger ? logger : "main", msg);
    }
    ssize_t w = write(STDERR_FILENO, b.data, b.len);
    (void)w;
    drom_buf_free(&b);
}
