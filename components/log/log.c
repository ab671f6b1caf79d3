/* log: Camel's log endpoint. Each exchange is formatted as Camel's
 * DefaultExchangeFormatter does ("Exchange[BodyType: String, Body: hi]"),
 * or, with groupSize/groupInterval, counted and reported as throughput
 * ("Received: 10 new messages, with total 10 so far. Last group took: 5
 * millis which is: 2,000 messages per second. average: 2,000"). The
 * producer runs on the engine thread; so do the interval timer and the
 * counters, which need no lock. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "runtime/component.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

static const char *const levels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", NULL};
static const int level_ints[] = {DROM_LOG_TRACE, DROM_LOG_DEBUG, DROM_LOG_INFO,
                                 DROM_LOG_WARN,  DROM_LOG_ERROR, DROM_LOG_OFF};
static const char *const styles[] = {"Default", "Tab", "Fixed", NULL};

struct log_conf {
    int level;   /* enum drom_log_level */
    bool show_all, show_body, show_body_type, show_headers, show_properties, show_all_properties;
    bool show_exchange_id, show_exchange_pattern, show_exception, show_caught_exception, show_stack_trace;
    bool multiline, plain, skip_body_line_separator, group_active_only;
    int64_t max_chars, group_size, group_interval_ms, group_delay_ms;
};

#define AT(f) DROM_OPT_AT(struct log_conf, f)

/* Camel 4's log endpoint options and defaults. */
static const struct drom_option options[] = {
    {.name = "level", AT(level), .type = DROM_OPT_ENUM, .def = "INFO", .values = levels, .ints = level_ints, .group = "producer",
     .doc = "Logging level to use"},
    {.name = "showAll", AT(show_all), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Quick option for turning all options on (multiline, maxChars aside)"},
    {.name = "showBody", AT(show_body), .type = DROM_OPT_BOOL, .def = "true", .group = "formatting", .doc = "Show the message body"},
    {.name = "showBodyType", AT(show_body_type), .type = DROM_OPT_BOOL, .def = "true", .group = "formatting", .doc = "Show the body type"},
    {.name = "showHeaders", AT(show_headers), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting", .doc = "Show the message headers"},
    {.name = "showProperties", AT(show_properties), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Show the exchange properties (only custom ones)"},
    {.name = "showAllProperties", AT(show_all_properties), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Show all exchange properties (custom and internal)"},
    {.name = "showExchangeId", AT(show_exchange_id), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting", .doc = "Show the exchange id"},
    {.name = "showExchangePattern", AT(show_exchange_pattern), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Show the exchange pattern"},
    {.name = "showException", AT(show_exception), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Show the exception if the exchange has one"},
    {.name = "showCaughtException", AT(show_caught_exception), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Show a caught exception (CamelExceptionCaught) if the exchange has one"},
    {.name = "showStackTrace", AT(show_stack_trace), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Show the stack trace (the failure message here; C has no stack trace)"},
    {.name = "showVariables", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED, .group = "formatting",
     .doc = "Show the variables (dromedary has no variables)"},
    {.name = "multiline", AT(multiline), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Each piece of information on its own line"},
    {.name = "maxChars", AT(max_chars), .type = DROM_OPT_INT, .def = "10000", .group = "formatting",
     .doc = "Limit the number of characters logged per line (0 or negative: unlimited)"},
    {.name = "plain", AT(plain), .type = DROM_OPT_BOOL, .def = "false", .group = "formatting",
     .doc = "Log only the body, without the Exchange[] wrapper"},
    {.name = "skipBodyLineSeparator", AT(skip_body_line_separator), .type = DROM_OPT_BOOL, .def = "true", .group = "formatting",
     .doc = "Strip line separators from the body when logging it"},
    {.name = "style", .type = DROM_OPT_ENUM, .def = "Default", .values = styles, .flags = DROM_OPT_IGNORED,
     .group = "formatting", .doc = "Outputting style (only Default is rendered)"},
    {.name = "groupSize", AT(group_size), .type = DROM_OPT_INT, .min = 1, .max = INT32_MAX, .group = "producer",
     .doc = "Throughput logging: log a line every N messages"},
    {.name = "groupInterval", AT(group_interval_ms), .type = DROM_OPT_DURATION, .group = "producer",
     .doc = "Throughput logging: log statistics every interval (milliseconds)"},
    {.name = "groupDelay", AT(group_delay_ms), .type = DROM_OPT_DURATION, .group = "producer",
     .doc = "Throughput logging: initial delay before the first interval line"},
    {.name = "groupActiveOnly", AT(group_active_only), .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "With groupInterval: log only when messages arrived in the interval"},
    {.name = "logMask", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "Mask sensitive information (secrets are always masked here)"},
    {.name = "marker", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "An SLF4J marker (no markers in dromedary)"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},
    DROM_OPTIONS_END,
};

struct log_ep {
    struct drom_endpoint *ep;
    int level;
    bool show_headers, show_props, show_all_props, show_id, show_body, show_body_type, show_exception;
    bool multiline, plain, skip_nl;
    int64_t max_chars;
    /* throughput */
    int64_t group_size, group_interval, group_delay;
    bool group_active_only;
    int64_t received, group_received, group_start_ms, start_ms;
    uint64_t timer;
    bool timer_set;
};

/* Camel's NumberFormat: grouping commas, up to three decimals. */
static void rate(char *out, size_t size, double v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.3f", v);
    char *dot = strchr(tmp, '.');
    char *end = tmp + strlen(tmp);
    while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == dot + 1)
        *dot = '\0', end = dot;
    size_t intlen = (size_t)((strchr(tmp, '.') ? strchr(tmp, '.') : end) - tmp);
    size_t o = 0;
    for (size_t i = 0; tmp[i] && o + 2 < size; i++) {
        if (i < intlen && i > 0 && (intlen - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = tmp[i];
    }
    out[o] = '\0';
}

static void throughput_line(struct log_ep *l, int64_t now)
{
    int64_t took = now - l->group_start_ms;
    char r[64], avg[64];
    rate(r, sizeof r, took > 0 ? (double)l->group_received * 1000.0 / (double)took : (double)l->group_received * 1000.0);
    int64_t total_ms = now - l->start_ms;
    rate(avg, sizeof avg, total_ms > 0 ? (double)l->received * 1000.0 / (double)total_ms : (double)l->received * 1000.0);
    drom_log((enum drom_log_level)l->level, l->ep->path,
             "Received: %" PRId64 " new messages, with total %" PRId64 " so far. Last group took: %" PRId64
             " millis which is: %s messages per second. average: %s",
             l->group_received, l->received, took, r, avg);
    l->group_received = 0;
    l->group_start_ms = now;
}

static void interval_tick(void *arg)
{
    struct log_ep *l = arg;
    int64_t now = drom_monotonic_ms();
    if (l->group_received || !l->group_active_only)
        throughput_line(l, now);
    else
        l->group_start_ms = now;
    l->timer = drom_engine_timer(drom_endpoint_engine(l->ep), l->group_interval, interval_tick, l);
}

static int log_create(struct drom_endpoint *ep, struct drom_error *err)
{
    struct log_ep *l = drom_xcalloc(1, sizeof *l);
    const struct log_conf *o = ep->conf;
    l->ep = ep;
    l->level = o->level;
    bool all = o->show_all;
    l->show_headers = all || o->show_headers;
    l->show_props = all || o->show_properties;
    l->show_all_props = all || o->show_all_properties;
    l->show_id = all || o->show_exchange_id;
    l->show_body = all || o->show_body;
    l->show_body_type = all || o->show_body_type;
    l->show_exception = all || o->show_exception || o->show_caught_exception || o->show_stack_trace;
    l->multiline = o->multiline;
    l->plain = o->plain;
    l->skip_nl = o->skip_body_line_separator;
    l->max_chars = o->max_chars;
    l->group_size = o->group_size;
    l->group_interval = o->group_interval_ms;
    l->group_delay = o->group_delay_ms;
    l->group_active_only = o->group_active_only;
    l->start_ms = l->group_start_ms = drom_monotonic_ms();
    ep->state = l;
    if (l->group_interval > 0) {
        l->timer = drom_engine_timer(drom_endpoint_engine(ep), l->group_delay + l->group_interval, interval_tick, l);
        l->timer_set = true;
    }
    return 0;
}

static void log_destroy(struct drom_endpoint *ep)
{
    struct log_ep *l = ep->state;
    if (!l)
        return;
    if (l->timer_set)
        drom_engine_timer_cancel(drom_endpoint_engine(ep), l->timer);
    free(l);
    ep->state = NULL;
}

static void map(struct drom_buf *b, const struct drom_headers *h, bool internal)
{
    drom_buf_putc(b, '{');
    bool first = true;
    for (size_t i = 0; i < h->n; i++) {
        if (!internal && strncmp(h->items[i].name, "Camel", 5) == 0)
            continue;
        char tmp[32];
        drom_buf_printf(b, "%s%s=%s", first ? "" : ", ", h->items[i].name, drom_value_str(&h->items[i].v, tmp, sizeof tmp));
        first = false;
    }
    drom_buf_putc(b, '}');
}

static void sep(struct drom_buf *b, const struct log_ep *l, bool *first)
{
    if (!*first)
        drom_buf_puts(b, l->multiline ? "\n    " : ", ");
    else if (l->multiline)
        drom_buf_puts(b, "\n    ");
    *first = false;
}

static void body_text(struct drom_buf *b, const struct log_ep *l, const struct drom_exchange *ex)
{
    size_t len;
    const char *body = drom_exchange_body(ex, &len);
    if (!body) {
        drom_buf_puts(b, "[Body is null]");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (l->skip_nl && (body[i] == '\n' || body[i] == '\r'))
            continue;
        drom_buf_putc(b, body[i]);
    }
}

static enum drom_status log_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct log_ep *l = ep->state;
    if (l->level == DROM_LOG_OFF)
        return DROM_DONE;
    if (l->group_size > 0 || l->group_interval > 0) {
        l->received++;
        l->group_received++;
        if (l->group_size > 0 && l->group_received >= l->group_size)
            throughput_line(l, drom_monotonic_ms());
        return DROM_DONE;
    }
    if (l->level < (int)drom_log_min_level())
        return DROM_DONE;
    struct drom_buf b = DROM_BUF_INIT;
    if (l->plain) {
        body_text(&b, l, ex);
    } else {
        bool first = true;
        drom_buf_puts(&b, "Exchange[");
        if (l->show_id) {
            sep(&b, l, &first);
            drom_buf_printf(&b, "Id: %s", ex->id);
        }
        if (l->show_props || l->show_all_props) {
            sep(&b, l, &first);
            drom_buf_puts(&b, "Properties: ");
            map(&b, &ex->props, l->show_all_props);
        }
        if (l->show_headers) {
            sep(&b, l, &first);
            drom_buf_puts(&b, "Headers: ");
            map(&b, &ex->headers, true);
        }
        if (l->show_body_type) {
            sep(&b, l, &first);
            drom_buf_printf(&b, "BodyType: %s", drom_exchange_body_is_null(ex) ? "null"
                                                : ex->content_type && strstr(ex->content_type, "octet") ? "byte[]"
                                                                                                        : "String");
        }
        if (l->show_body) {
            sep(&b, l, &first);
            drom_buf_puts(&b, "Body: ");
            body_text(&b, l, ex);
        }
        if (l->show_exception && ex->exception && (ex->failed || drom_headers_get(&ex->props, "CamelExceptionCaught"))) {
            sep(&b, l, &first);
            drom_buf_printf(&b, "Exception: %s", ex->exception);
        }
        drom_buf_putc(&b, ']');
    }
    if (l->max_chars > 0 && b.len > (size_t)l->max_chars) {
        b.len = (size_t)l->max_chars;
        b.data[b.len] = '\0';
        drom_buf_puts(&b, "... [Body clipped after ");
        drom_buf_printf(&b, "%lld chars]", (long long)l->max_chars);
    }
    drom_log((enum drom_log_level)l->level, ep->path, "%s", drom_buf_cstr(&b));
    drom_buf_free(&b);
    return DROM_DONE;
}

const struct drom_component drom_component_log = {
    .name = "log",
    .title = "Log exchanges",
    .path_syntax = "loggerName",
    .path_required = true,
    .roles = DROM_ROLE_PRODUCER,
    .options = options,
    .conf_size = sizeof(struct log_conf),
    .create = log_create,
    .destroy = log_destroy,
    .produce = log_produce,
};
