/* Helpers of the amqp integration suites: the test Artemis (ctl and its
 * CLI), unique queue names, routes compiled from XML strings and run in
 * process, fed by the test's own source ("timer:feed", re-pointed at the
 * feed component of test_engine_util.h). */
#ifndef TEST_AMQP_UTIL_H
#define TEST_AMQP_UTIL_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../unit/test_engine_util.h"
#include "runtime/buf.h"
#include "runtime/log.h"

static TE_UNUSED const char *ta_uri(void)
{
    return ts_env("ARTEMIS_URI", "amqp://127.0.0.1:61716");
}

static TE_UNUSED const char *ta_ctl_path(void)
{
    static char path[1024];   /* written once per process, same value each time */
    snprintf(path, sizeof path, "%s/artemis/ctl", ts_env("DROM_SERVICES", "tests/services"));
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
    return ts_sh(cmd, out);
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

/* Adds `user` with `password` (role amq) to the broker's properties files
 * `users` and `roles` of ARTEMIS_ETC, or removes it; the login modules
 * reload them when they change (reload=true). */
static TE_UNUSED void ta_broker_user(const char *users, const char *roles, const char *user, const char *password,
                                     bool add)
{
    char cmd[2048];
    const char *etc = getenv("ARTEMIS_ETC");
    cr_assert(etc && *etc, "ARTEMIS_ETC is set (. tests/services/env.sh)");
    if (add)
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && { grep -q '^%s ' %s || printf '\\n%s = %s\\n' >> %s; } && "
                 "sed -i '/^amq *=/{/[=,] *%s$/!s/$/,%s/}' %s",
                 etc, user, users, user, password, users, user, user, roles);
    else
        snprintf(cmd, sizeof cmd, "cd '%s' && sed -i '/^%s /d' %s && sed -i '/^amq *=/s/,%s$//' %s", etc, user, users,
                 user, roles);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static const struct drom_component ta_check_component;

/* Compiles `xml` (routes whose source "timer:feed..." is the test's) and starts it. */
static TE_UNUSED void ta_start(struct te *t, const char *xml, size_t window)
{
    te_compile(t, xml);
    te_patch(t, "timer:feed", &te_feed_component);
    te_patch(t, "mock:check", &ta_check_component);
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

/* --- "mock:check": a test producer that checks bodies "0", "1", "2", ... arrive in order --- */

struct ta_check {
    atomic_llong received, out_of_order, dups;
    long long next;        /* engine thread */
};

static TE_UNUSED void *ta_check_new(void *arg)
{
    return drom_xcalloc(1, sizeof(struct ta_check));
}

static TE_UNUSED int ta_check_create(struct drom_endpoint *ep, struct drom_error *err)
{
    ep->state = drom_engine_shared(drom_endpoint_engine(ep), "ta-check", ta_check_new, NULL, free);
    return 0;
}

static TE_UNUSED enum drom_status ta_check_produce(struct drom_endpoint *ep, struct drom_exchange *ex,
                                                   struct drom_error *err)
{
    struct ta_check *c = ep->state;
    const char *b = drom_exchange_body(ex, NULL);
    long long v = b ? atoll(b) : -1;
    if (v < c->next)
        atomic_fetch_add(&c->dups, 1);
    else if (v != c->next)
        atomic_fetch_add(&c->out_of_order, 1);
    if (v >= c->next)
        c->next = v + 1;
    atomic_fetch_add(&c->received, 1);
    return DROM_DONE;
}

static const TE_UNUSED struct drom_component ta_check_component = {
    .name = "check",
    .roles = DROM_ROLE_PRODUCER,
    .create = ta_check_create,
    .produce = ta_check_produce,
};

static TE_UNUSED struct ta_check *ta_check(struct te *t)
{
    struct ta_check *c = drom_engine_shared_find(t->eng, "ta-check");
    cr_assert_not_null(c);
    return c;
}

/* Messages 0..n-1 of `queue` read back over the plain acceptor: each once,
 * in order (the content, not only the count). */
static TE_UNUSED void ta_read_back(const char *queue, long long n)
{
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"back\"><from uri=\"amqp:queue:%s?remoteURI=%s&amp;username=admin"
             "&amp;password=admin\"/><to uri=\"mock:check\"/></route></routes>",
             queue, ta_uri());
    struct te t = {0};
    ta_start(&t, xml, 0);
    struct ta_check *c = ta_check(&t);
    TE_WAIT_FOR(atomic_load(&c->received) >= n, 30000);
    cr_assert_eq(atomic_load(&c->received), n, "%lld messages read back", n);
    cr_assert_eq(atomic_load(&c->dups), 0, "none twice");
    cr_assert_eq(atomic_load(&c->out_of_order), 0, "bodies 0..%lld in order", n - 1);
    struct drom_error err = {0};
    drom_engine_stop(t.eng, 2000, &err);
    te_free(&t);
}

/* Submits bodies "from".."to-1" with DromEventId "<prefix>:<i>". */
static TE_UNUSED void ta_feed_range(struct feed *f, const char *prefix, long long from, long long to)
{
    for (long long i = from; i < to; i++) {
        struct drom_exchange *ex = drom_exchange_new();
        char body[32], id[300];
        snprintf(body, sizeof body, "%lld", i);
        snprintf(id, sizeof id, "%s:%lld", prefix, i);
        drom_exchange_set_body_str(ex, body, "text/plain");
        drom_headers_set_str(&ex->headers, "DromEventId", id);
        int64_t *p = malloc(sizeof *p);
        *p = i;
        struct drom_error err = {0};
        cr_assert_eq(drom_consumer_submit(f->ep, ex, p, &err), 0, "%s", err.msg);
    }
}
