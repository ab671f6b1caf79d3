#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
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
static _Thread_local struct drom_log_ctx context;

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

bool drom_log_is_json(void)
{
    return atomic_load(&format) == DROM_LOG_JSON;
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

struct drom_log_ctx drom_log_ctx_set(struct drom_log_ctx ctx)
{
    struct drom_log_ctx old = context;
    context = ctx;
    return old;
}

struct drom_log_ctx drom_log_ctx_get(void)
{
    return context;
}

const char *drom_log_ctx_endpoint(const char *endpoint)
{
    const char *old = context.endpoint;
    context.endpoint = endpoint;
    return old;
}

static void field(struct drom_buf *b, const char *name, const char *value)
{
    if (!value)
        return;
    drom_buf_printf(b, ",\"%s\":", name);
    json_string(b, value);
}

static void write_line(enum drom_log_level level, const char *logger, const char *msg);

void drom_log(enum drom_log_level level, const char *logger, const char *fmt, ...)
{
    if ((int)level < atomic_load(&min_level) || level >= DROM_LOG_OFF)
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    write_line(level, logger, msg);
}

static void write_line(enum drom_log_level level, const char *logger, const char *msg)
{
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
        field(&b, "routeId", context.route_id);
        field(&b, "exchangeId", context.exchange_id);
        field(&b, "endpoint", context.endpoint);
        field(&b, "eventId", context.event_id);
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

/* --- repeated lines ------------------------------------------------------- */

#define KINDS 32

struct kind {
    uint64_t key;
    int64_t since_ms;
    long more;
};

/* Part of the sink: shared by every thread that logs, under its mutex. */
static pthread_mutex_t kinds_mu = PTHREAD_MUTEX_INITIALIZER;
static struct kind kinds[KINDS];

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a over the logger and the text with every run of digits as one '#':
 * "after 3ms" and "after 12ms" are the same line. */
static uint64_t key_of(const char *logger, const char *msg)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = logger ? logger : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    bool digits = false;
    for (const char *p = msg; *p; p++) {
        bool d = *p >= '0' && *p <= '9';
        if (d && digits)
            continue;
        digits = d;
        h = (h ^ (unsigned char)(d ? '#' : *p)) * 1099511628211ull;
    }
    return h;
}

void drom_log_limited(enum drom_log_level level, const char *logger, int64_t window_ms, const char *fmt, ...)
{
    if ((int)level < atomic_load(&min_level) || level >= DROM_LOG_OFF)
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint64_t key = key_of(logger, msg);
    int64_t now = mono_ms();
    long more = 0;
    bool quiet = false;
    pthread_mutex_lock(&kinds_mu);
    struct kind *k = NULL, *oldest = &kinds[0];
    for (size_t i = 0; i < KINDS; i++) {
        if (kinds[i].key == key && kinds[i].since_ms)
            k = &kinds[i];
        if (kinds[i].since_ms < oldest->since_ms)
            oldest = &kinds[i];
    }
    if (k && now - k->since_ms < window_ms) {
        k->more++;
        quiet = true;
    } else {
        if (!k) {
            k = oldest;
            k->key = key;
            k->more = 0;
        }
        more = k->more;
        k->more = 0;
        k->since_ms = now;
    }
    pthread_mutex_unlock(&kinds_mu);
    if (quiet)
        return;
    if (more > 0) {
        size_t n = strlen(msg);
        if (window_ms % 1000 == 0)
            snprintf(msg + n, sizeof msg - n, " (%ld more in the last %lld s)", more, (long long)(window_ms / 1000));
        else
            snprintf(msg + n, sizeof msg - n, " (%ld more in the last %lld ms)", more, (long long)window_ms);
    }
    write_line(level, logger, msg);
}
