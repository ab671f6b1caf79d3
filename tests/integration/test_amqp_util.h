/* Helpers of the amqp integration suites: the test Artemis (ctl and its
 * CLI), unique queue names, routes compiled from XML strings and run in
 * process, fed by the test's own source ("timer:feed", re-pointed at the
 * feed component of test_engine_util.h). */
#ifndef TEST_AMQP_UTIL_H
#define TEST_AMQP_UTIL_H

#include <jansson.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../unit/test_engine_util.h"
#include "runtime/buf.h"
#include "runtime/log.h"

static TE_UNUSED const char *ta_env(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static TE_UNUSED const char *ta_uri(void)
{
    return ta_env("ARTEMIS_URI", "amqp://127.0.0.1:61716");
}

static TE_UNUSED const char *ta_ctl_path(void)
{
    static char path[1024];   /* written once per process, same value each time */
    snprintf(path, sizeof path, "%s/artemis/ctl", ta_env("DROM_SERVICES", "tests/services"));
    return path;
}

/* Runs `ctl ARGS` (a shell fragment); returns the exit status, stdout in *out (caller frees) when out. */
static TE_UNUSED int ta_ctl(char **out, const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    /* The CLI is a JVM that can wait forever on a broker in trouble: bound it. */
    snprintf(cmd, sizeof cmd, "DROM_PROFILE=${DROM_PROFILE:-test} timeout -k 5 120 '%s' %s 2>/dev/null", ta_ctl_path(),
             args);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f, "popen %s", cmd);
    struct drom_buf b = DROM_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        drom_buf_append(&b, chunk, n);
    int st = pclose(f);
    drom_buf_cstr(&b);
    if (out)
        *out = drom_buf_take(&b);
    else
        drom_buf_free(&b);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The broker runs (starts it when another suite stopped it). */
static TE_UNUSED void ta_broker_up(void)
{
    cr_assert_eq(ta_ctl(NULL, "start >/dev/null"), 0, "the test Artemis starts");
}

/* One queue's row of `queue stat --json`, or NULL when the broker has no such queue. Caller decrefs. */
static TE_UNUSED json_t *ta_queue_stat(const char *queue)
{
    char *out = NULL;
    ta_ctl(&out, "cli queue stat --queueName '%s' --json", queue);
    const char *brace = strchr(out, '{');
    json_t *root = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
    free(out);
    json_t *row = NULL, *v;
    size_t i;
    json_array_foreach(json_object_get(root, "data"), i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name")) ?: "", queue) == 0)
            row = json_incref(v);
    }
    json_decref(root);
    return row;
}

static TE_UNUSED long long ta_queue_count(const char *queue)
{
    json_t *row = ta_queue_stat(queue);
    cr_assert_not_null(row, "queue %s exists", queue);
    long long n = atoll(json_string_value(json_object_get(row, "messageCount")) ?: "-1");
    json_decref(row);
    return n;
}

/* A queue name no other test or run used. */
static TE_UNUSED void ta_queue_name(char *buf, size_t size, const char *what)
{
    snprintf(buf, size, "drom.test.%s.%lld.%d", what, (long long)(drom_now_us() / 1000), (int)getpid());
}

/* Compiles `xml` (routes whose source "timer:feed..." is the test's) and starts it. */
static TE_UNUSED void ta_start(struct te *t, const char *xml, size_t window)
{
    te_compile(t, xml);
    te_patch(t, "timer:feed", &te_feed_component);
    struct drom_engine_options o = {.window = window};
    te_start_opts(t, &o);
}

/* An endpoint counter from /metrics text, summed over the lines that
 * contain `needle` (e.g. the queue name); -1 when none. */
static TE_UNUSED long long ta_metric(struct te *t, const char *metric, const char *needle)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_engine_metrics(t->eng, &b);
    long long sum = -1;
    for (char *line = b.data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (line[0] != '#' && strncmp(line, metric, strlen(metric)) == 0 &&
            (line[strlen(metric)] == '{' || line[strlen(metric)] == ' ') && (!needle || strstr(line, needle))) {
            const char *sp = strrchr(line, ' ');
            sum = (sum < 0 ? 0 : sum) + atoll(sp + 1);
        }
        line = nl ? nl + 1 : NULL;
    }
    drom_buf_free(&b);
    return sum;
}

#endif
