#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/dromd/address.h"
#include "cmd/dromd/age.h"
#include "cmd/dromd/cli.h"
#include "cmd/dromd/client.h"
#include "cmd/dromd/role.h"
#include "cmd/dromd/status.h"
#include "runtime/option.h"
#include "runtime/xalloc.h"

enum { COL_PID, COL_NAME, COL_ID, COL_FROM, COL_STATUS, COL_AGE, COL_RATE, COL_TOTAL, COL_FAIL,
       COL_INFLIGHT, COL_MEAN, COL_MAX, COL_LAST, COL_SINCE, COL_ERROR, NCOLS };

/* Camel's `camel get route` columns, times in milliseconds. */
static const char *const headings[NCOLS] = {"PID", "NAME", "ID", "FROM", "STATUS", "AGE", "MSG/S", "TOTAL",
                                            "FAIL", "INFLIGHT", "MEAN", "MAX", "LAST", "SINCE-LAST",
                                            "LAST-ERROR"};
static const bool right_aligned[NCOLS] = {[COL_PID] = true, [COL_RATE] = true, [COL_TOTAL] = true,
                                          [COL_FAIL] = true, [COL_INFLIGHT] = true, [COL_MEAN] = true,
                                          [COL_MAX] = true, [COL_LAST] = true};

/* Long values would push every other column off the terminal. */
static char *cell(const char *s, size_t max)
{
    if (!s || !*s)
        return drom_xstrdup("");
    size_t len = strlen(s);
    if (len <= max)
        return drom_xstrdup(s);
    char *c = drom_xmalloc(max + 1);
    memcpy(c, s, max - 3);
    memcpy(c + max - 3, "...", 4);
    return c;
}

static long long int_of(json_t *v)
{
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0LL;
}

static char *num_cell(json_t *v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", int_of(v));
    return drom_xstrdup(tmp);
}

static char *rate_cell(json_t *v)
{
    char tmp[32];
    double r = json_is_number(v) ? json_number_value(v) : 0;
    snprintf(tmp, sizeof tmp, r >= 10 || r == 0 ? "%.0f" : "%.1f", r);
    return drom_xstrdup(tmp);
}

static char *ms_cell(json_t *micros)
{
    char tmp[32];
    long long us = int_of(micros);
    snprintf(tmp, sizeof tmp, us >= 10000 ? "%.0f" : "%.1f", (double)us / 1000.0);
    return drom_xstrdup(tmp);
}

/* "completed/failed" ages, "-" for never, as Camel's SINCE-LAST. */
static char *since_cell(json_t *done, json_t *failed)
{
    char a[32] = "-", b[32] = "-", tmp[80];
    if (json_is_integer(done) && json_integer_value(done) >= 0)
        dromd_age(json_integer_value(done), a, sizeof a);
    if (json_is_integer(failed) && json_integer_value(failed) >= 0)
        dromd_age(json_integer_value(failed), b, sizeof b);
    snprintf(tmp, sizeof tmp, "%s/%s", a, b);
    return drom_xstrdup(tmp);
}

/* One line per route whose source reads a snapshot: the table, a bar of
 * its rows against the estimate, the rate and the time left. */
static void print_snapshots(json_t *routes, FILE *out)
{
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        json_t *sn = json_object_get(r, "snapshot");
        if (!sn || !int_of(json_object_get(sn, "running")))
            continue;
        long long rows = int_of(json_object_get(sn, "rows")), est = int_of(json_object_get(sn, "estimate"));
        long long ms = int_of(json_object_get(sn, "tableMillis"));
        double frac = est > 0 ? (double)rows / (double)est : 0, rate = ms > 0 ? (double)rows * 1000.0 / (double)ms : 0;
        if (frac > 1)
            frac = 1;
        char bar[32], eta[48] = "ETA -";
        int fill = (int)(frac * 24 + 0.5);
        for (int k = 0; k < 24; k++)
            bar[k] = k < fill ? '#' : '.';
        bar[24] = '\0';
        if (est > rows && rate > 0) {
            char age[32];
            snprintf(eta, sizeof eta, "ETA %s", dromd_age((int64_t)((double)(est - rows) / rate * 1000), age,
                                                          sizeof age));
        }
        char of[32] = "?";
        if (est >= 0)
            snprintf(of, sizeof of, "~%lld", est);
        const char *table = json_string_value(json_object_get(sn, "table"));
        fprintf(out, " %s  %s %s [%s] %3.0f%%  %lld/%s rows  %.0f rows/s  %s  tables left %lld of %lld\n",
                json_string_value(json_object_get(r, "id")),
                int_of(json_object_get(sn, "paused")) ? "snapshot (paused)" : "snapshot", table ? table : "?", bar,
                frac * 100, rows, of, rate, eta, int_of(json_object_get(sn, "remainingTables")),
                int_of(json_object_get(sn, "totalTables")));
    }
}

int dromd_print_status(const char *routes_json, FILE *out, FILE *errs)
{
    json_error_t jerr;
    json_t *doc = json_loads(routes_json, 0, &jerr);
    json_t *routes = doc ? json_object_get(doc, "routes") : NULL;
    if (!json_is_array(routes)) {
        fprintf(errs, "dromd status: /routes did not answer a route list\n");
        json_decref(doc);
        return -1;
    }
    size_t nrows = json_array_size(routes) + 1;
    char **cells = drom_xcalloc(nrows * NCOLS, sizeof *cells);
    for (int c = 0; c < NCOLS; c++)
        cells[c] = drom_xstrdup(headings[c]);
    char pid[32];
    snprintf(pid, sizeof pid, "%lld", (long long)json_integer_value(json_object_get(doc, "pid")));
    const char *name = json_string_value(json_object_get(doc, "name"));
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        char **row = cells + (i + 1) * NCOLS;
        char age[32];
        dromd_age(json_integer_value(json_object_get(r, "uptimeMillis")), age, sizeof age);
        row[COL_PID] = drom_xstrdup(pid);
        row[COL_NAME] = cell(name, 30);
        row[COL_ID] = cell(json_string_value(json_object_get(r, "id")), 40);
        row[COL_FROM] = cell(json_string_value(json_object_get(r, "from")), 50);
        char status[512];
        dromd_route_status_text(r, status, sizeof status);
        row[COL_STATUS] = cell(status, 80);
        row[COL_AGE] = drom_xstrdup(age);
        row[COL_RATE] = rate_cell(json_object_get(r, "throughput"));
        row[COL_TOTAL] = num_cell(json_object_get(r, "total"));
        row[COL_FAIL] = num_cell(json_object_get(r, "failed"));
        row[COL_INFLIGHT] = num_cell(json_object_get(r, "inflight"));
        row[COL_MEAN] = ms_cell(json_object_get(r, "meanProcessingTimeMicros"));
        row[COL_MAX] = ms_cell(json_object_get(r, "maxProcessingTimeMicros"));
        row[COL_LAST] = ms_cell(json_object_get(r, "lastProcessingTimeMicros"));
        row[COL_SINCE] = since_cell(json_object_get(r, "sinceLastCompletedMillis"),
                                    json_object_get(r, "sinceLastFailedMillis"));
        row[COL_ERROR] = cell(json_string_value(json_object_get(r, "lastError")), 100);
    }
    size_t width[NCOLS] = {0};
    for (size_t k = 0; k < nrows * NCOLS; k++) {
        size_t len = strlen(cells[k]);
        if (len > width[k % NCOLS])
            width[k % NCOLS] = len;
    }
    for (size_t row = 0; row < nrows; row++) {
        struct drom_buf line = DROM_BUF_INIT;
        for (int c = 0; c < NCOLS; c++) {
            const char *v = cells[row * NCOLS + c];
            int w = (int)width[c];
            if (c == NCOLS - 1)
                drom_buf_printf(&line, " %s", v);
            else
                drom_buf_printf(&line, right_aligned[c] ? " %*s " : " %-*s ", w, v);
        }
        while (line.len && line.data[line.len - 1] == ' ')
            line.data[--line.len] = '\0';
        fprintf(out, "%s\n", drom_buf_cstr(&line));
        drom_buf_free(&line);
    }
    for (size_t k = 0; k < nrows * NCOLS; k++)
        free(cells[k]);
    free(cells);
    print_snapshots(routes, out);
    json_decref(doc);
    return 0;
}

struct client_opts {
    const char *http;
    char addr[300];
    int timeout_ms;
    bool json, watch;
    int64_t interval_ms;
    long count;          /* --count N: stop after N refreshes (0: until interrupted) */
};

/* --http, else $DROMD_HTTP, else what a dromd running with this state
 * directory recorded, else the default. */
static void find_address(struct client_opts *o, const char *state_dir)
{
    if (o->http)
        return;
    const char *env = getenv("DROMD_HTTP");
    if (env && *env) {
        o->http = env;
        return;
    }
    char *dir = state_dir ? drom_xstrdup(state_dir) : dromd_default_state_dir();
    o->http = dromd_address_read(dir, o->addr, sizeof o->addr) ? o->addr : DROMD_DEFAULT_HTTP;
    free(dir);
}

static int parse_client(int argc, char **argv, const char *cmd, bool is_status, struct client_opts *o)
{
    static const struct option longopts[] = {
        {"http", required_argument, NULL, 'h'},
        {"state-dir", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"watch", no_argument, NULL, 'w'},
        {"interval", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, '?'},
        {0},
    };
    memset(o, 0, sizeof *o);
    o->timeout_ms = 3000;
    o->interval_ms = 1000;
    const char *state_dir = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int64_t ms;
        switch (c) {
        case 'h':
            o->http = optarg;
            break;
        case 's':
            state_dir = optarg;
            break;
        case 't':
            if (drom_parse_duration_ms(optarg, &ms) < 0 || ms <= 0 || ms > 600000) {
                fprintf(stderr, "dromd %s: bad --timeout '%s'\n", cmd, optarg);
                return -1;
            }
            o->timeout_ms = (int)ms;
            break;
        case 'i':
            if (!is_status || drom_parse_duration_ms(optarg, &ms) < 0 || ms < 100 || ms > 3600000) {
                fprintf(stderr, "dromd %s: bad --interval '%s' (100ms..1h)\n", cmd, optarg);
                return -1;
            }
            o->interval_ms = ms;
            break;
        case 'c':
            o->count = is_status ? strtol(optarg, NULL, 10) : -1;
            if (o->count <= 0) {
                fprintf(stderr, "dromd %s: bad --count '%s'\n", cmd, optarg);
                return -1;
            }
            break;
        case 'j':
        case 'w':
            if (is_status) {
                *(c == 'j' ? &o->json : &o->watch) = true;
                break;
            }
            /* fall through */
        default:
            fprintf(stderr, "usage: dromd %s [--http ADDR:PORT] [--state-dir DIR] [--timeout 3s]%s\n", cmd,
                    is_status ? " [--json] [--watch [--interval 1s] [--count N]]" : "");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dromd %s: unexpected argument '%s'\n", cmd, argv[optind]);
        return -1;
    }
    find_address(o, state_dir);
    return 0;
}

static int status_once(const struct client_opts *o)
{
    struct drom_buf body = DROM_BUF_INIT;
    struct drom_error err = {0};
    int status = dromd_http_get(o->http, "/routes", o->timeout_ms, &body, &err);
    int rc = 1;
    if (status < 0) {
        fprintf(stderr, "dromd status: %s\n", err.msg);
    } else if (status != 200) {
        fprintf(stderr, "dromd status: %s answered %d to /routes\n", o->http, status);
    } else if (o->json) {
        json_t *doc = json_loads(drom_buf_cstr(&body), 0, NULL);
        if (doc) {
            json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
            json_decref(doc);
            rc = 0;
        } else {
            fprintf(stderr, "dromd status: /routes did not answer JSON\n");
        }
    } else if (dromd_print_status(drom_buf_cstr(&body), stdout, stderr) == 0) {
        rc = 0;
    }
    drom_buf_free(&body);
    return rc;
}

/* Like top: clears the screen and redraws, until interrupted (or --count). */
static int status_watch(const struct client_opts *o)
{
    int rc = 0;
    for (long n = 0; o->count == 0 || n < o->count; n++) {
        if (n > 0) {
            struct timespec ts = {.tv_sec = o->interval_ms / 1000, .tv_nsec = (o->interval_ms % 1000) * 1000000};
            nanosleep(&ts, NULL);
        }
        if (isatty(STDOUT_FILENO))
            fputs("\033[H\033[2J", stdout);
        time_t now = time(NULL);
        char when[32];
        strftime(when, sizeof when, "%H:%M:%S", localtime(&now));
        printf("dromd status %s  every %.1fs  %s\n\n", o->http, (double)o->interval_ms / 1000.0, when);
        rc = status_once(o);
        fflush(stdout);
    }
    return rc;
}

int dromd_cmd_status(int argc, char **argv)
{
    struct client_opts o;
    if (parse_client(argc, argv, "status", true, &o) < 0)
        return 2;
    return o.watch ? status_watch(&o) : status_once(&o);
}

int dromd_cmd_health(int argc, char **argv)
{
    struct client_opts o;
    if (parse_client(argc, argv, "health", false, &o) < 0)
        return 2;
    struct drom_buf body = DROM_BUF_INIT;
    struct drom_error err = {0};
    int status = dromd_http_get(o.http, "/health/ready", o.timeout_ms, &body, &err);
    if (status < 0)
        fprintf(stderr, "dromd health: %s\n", err.msg);
    else
        printf("%s\n", drom_buf_cstr(&body));
    drom_buf_free(&body);
    return status == 200 ? 0 : 1;
}
