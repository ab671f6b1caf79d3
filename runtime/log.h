/* Logging to stderr, as text (Camel's layout) or JSON lines.
 * The sink is configured once by a main before any thread starts; the one
 * piece of process-wide state, since every layer logs. Thread-safe: each
 * line is formatted first and written with one write(2).
 * Never pass a secret: callers log masked URIs (drom_uri_mask). */
#ifndef DROM_RUNTIME_LOG_H
#define DROM_RUNTIME_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum drom_log_level { DROM_LOG_TRACE, DROM_LOG_DEBUG, DROM_LOG_INFO, DROM_LOG_WARN, DROM_LOG_ERROR, DROM_LOG_OFF };
enum drom_log_format { DROM_LOG_TEXT, DROM_LOG_JSON };

void drom_log_configure(enum drom_log_level min, enum drom_log_format fmt);
enum drom_log_level drom_log_min_level(void);
bool drom_log_is_json(void);
/* Parses "trace|debug|info|warn|error|off" (case-insensitive); -1 when unknown. */
int drom_log_level_parse(const char *s);
const char *drom_log_level_name(enum drom_log_level level);

/* `logger` is the logger name (a route id, "log:foo", or a module such as
 * "dromd"); may be NULL. */
void drom_log(enum drom_log_level level, const char *logger, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What a line is about, added to JSON lines as routeId, exchangeId,
 * endpoint and eventId (NULL fields are left out). Per thread: the engine
 * sets it while it runs an exchange; the strings are borrowed and must
 * stay valid until the context is replaced. Returns the previous one, to
 * be put back. */
struct drom_log_ctx {
    const char *route_id, *exchange_id, *endpoint, *event_id;
};
struct drom_log_ctx drom_log_ctx_set(struct drom_log_ctx ctx);
struct drom_log_ctx drom_log_ctx_get(void);
/* Sets only the endpoint; returns the previous one. */
const char *drom_log_ctx_endpoint(const char *endpoint);

/* For libraries that repeat an error while a server is down (librdkafka
 * logs each reconnect): the first line of a kind is written; identical
 * ones (numbers aside) in the next `window_ms` are counted, and the next
 * one after it says "(N more in the last 60 s)". */
void drom_log_limited(enum drom_log_level level, const char *logger, int64_t window_ms, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define drom_info(logger, ...) drom_log(DROM_LOG_INFO, logger, __VA_ARGS__)
#define drom_warn(logger, ...) drom_log(DROM_LOG_WARN, logger, __VA_ARGS__)
#define drom_error_log(logger, ...) drom_log(DROM_LOG_ERROR, logger, __VA_ARGS__)
#define drom_debug(logger, ...) drom_log(DROM_LOG_DEBUG, logger, __VA_ARGS__)

#endif
