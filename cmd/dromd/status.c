#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dromd/age.h"
#include "cmd/dromd/client.h"
#include "cmd/dromd/status.h"
#include "runtime/option.h"
#include "runtime/xalloc.h"

enum { COL_PID, COL_NAME, COL_ID, COL_FROM, COL_STATUS, COL_AGE, COL_TOTAL, COL_FAIL,
       COL_INFLIGHT, COL_ERROR, NCOLS };

static const char *const headings[NCOLS] = {"PID", "NAME", "ID", "FROM", "STATUS", "AGE",
                                            "TOTAL", "FAIL", "INFLIGHT", "LAST-ERROR"};
static const bool right_aligned[NCOLS] = {[COL_PID] = true, [COL_TOTAL] = true,
                                          [COL_FAIL] = true, [COL_INFLIGHT] = true};

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

static char *num_cell(json_t *v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", json_is_integer(v) ? (long long)json_integer_value(v) : 0LL);
    return drom_xstrdup(tmp);
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
        row[COL_STATUS] = cell(json_string_value(json_object_get(r, "state")), 12);
        row[COL_AGE] = drom_xstrdup(age);
        row[COL_TOTAL] = num_cell(json_object_get(r, "total"));
        row[COL_FAIL] = num_cell(json_object_get(r, "failed"));
        row[COL_INFLIGHT] = num_cell(json_object_get(r, "inflight"));
        row[COL_ERROR] = cell(json_string_value(json_object_get(r, "lastError")), 60);
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
    json_decref(doc);
    return 0;
}

struct client_opts {
    const char *http;
    int timeout_ms;
    bool json;
};

static int parse_client(int argc, char **argv, const char *cmd, bool allow_json,
                        struct client_opts *o)
{
    static const struct option longopts[] = {
        {"http", required_argument, NULL, 'h'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, '?'},
        {0},
    };
    o->http = getenv("DROMD_HTTP") ? getenv("DROMD_HTTP") : DROMD_DEFAULT_HTTP;
    o->timeout_ms = 3000;
    o->json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            o->http = optarg;
            break;
        case 't': {
            int64_t ms;
            if (drom_parse_duration_ms(optarg, &ms) < 0 || ms <= 0 || ms > 600000) {
                fprintf(stderr, "dromd %s: bad --timeout '%s'\n", cmd, optarg);
                return -1;
            }
            o->timeout_ms = (int)ms;
            break;
        }
        case 'j':
            if (allow_json) {
                o->json = true;
                break;
            }
            /* fall through */
        default:
            fprintf(stderr, "usage: dromd %s [--http ADDR:PORT] [--timeout 3s]%s\n", cmd,
                    allow_json ? " [--json]" : "");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dromd %s: unexpected argument '%s'\n", cmd, argv[optind]);
        return -1;
    }
    return 0;
}

int dromd_cmd_status(int argc, char **argv)
{
    struct client_opts o;
    if (parse_client(argc, argv, "status", true, &o) < 0)
        return 2;
    struct drom_buf body = DROM_BUF_INIT;
    struct drom_error err = {0};
    int status = dromd_http_get(o.http, "/routes", o.timeout_ms, &body, &err);
    int rc = 1;
    if (status < 0) {
        fprintf(stderr, "dromd status: %s\n", err.msg);
    } else if (status != 200) {
        fprintf(stderr, "dromd status: %s answered %d to /routes\n", o.http, status);
    } else if (o.json) {
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
