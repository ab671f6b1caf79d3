#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "components/mock/mock.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

/* Set only where given: several endpoints share one mock by name. */
struct mock_conf {
    int64_t expected_count, retain_first, retain_last, result_wait_time_ms, assert_period_ms, report_group;
    bool expected_count_given, retain_first_given, retain_last_given, assert_period_ms_given;
    bool fail_fast, log;
};

#define AT(f) DROM_OPT_AT(struct mock_conf, f)
#define GIVEN(f) DROM_OPT_GIVEN_AT(struct mock_conf, f)

/* Camel 4's mock endpoint options; expectations are set from tests through
 * components/mock/mock.h. */
static const struct drom_option options[] = {
    {.name = "expectedCount", AT(expected_count), GIVEN(expected_count_given), .type = DROM_OPT_INT, .def = "-1", .group = "producer",
     .doc = "Number of messages expected (-1: no expectation)"},
    {.name = "retainFirst", AT(retain_first), GIVEN(retain_first_given), .type = DROM_OPT_INT, .def = "-1", .group = "producer",
     .doc = "Keep only the first N received exchanges (-1: all)"},
    {.name = "retainLast", AT(retain_last), GIVEN(retain_last_given), .type = DROM_OPT_INT, .def = "-1", .group = "producer",
     .doc = "Keep only the last N received exchanges (-1: all)"},
    {.name = "resultWaitTime", AT(result_wait_time_ms), .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "Maximum time to wait for the expectations (0: the test's own deadline)"},
    {.name = "resultMinimumWaitTime", .type = DROM_OPT_DURATION, .def = "0", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Minimum time to wait for the expectations"},
    {.name = "assertPeriod", AT(assert_period_ms), GIVEN(assert_period_ms_given), .type = DROM_OPT_DURATION, .def = "0", .group = "producer",
     .doc = "After the expectations are met, keep checking they still hold for this long"},
    {.name = "sleepForEmptyTest", .type = DROM_OPT_DURATION, .def = "0", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Sleep before checking an expectation of 0 messages"},
    {.name = "failFast", AT(fail_fast), .type = DROM_OPT_BOOL, .def = "true", .group = "producer",
     .doc = "Fail the assertion as soon as an expectation is broken"},
    {.name = "copyOnExchange", .type = DROM_OPT_BOOL, .def = "true", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Record a copy of each exchange (always the case here)"},
    {.name = "log", AT(log), .type = DROM_OPT_BOOL, .def = "false", .group = "producer",
     .doc = "Log every received exchange at INFO"},
    {.name = "reportGroup", AT(report_group), .type = DROM_OPT_INT, .group = "producer",
     .doc = "Log a throughput line every N messages"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},
    DROM_OPTIONS_END,
};

struct drom_mock {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    char *name;
    struct drom_exchange **got;
    size_t n, cap;
    int64_t expected;
    char **bodies;
    size_t nbodies;
    bool any_order;
    char *hdr_name, *hdr_value;
    int fail_n;
    enum drom_status fail_status;
    enum drom_errcode fail_code;
    char *fail_msg;
    int64_t assert_period, retain_first, retain_last;
    bool log;
};

static void *mock_new(void *arg)
{
    struct drom_mock *m = drom_xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cond, NULL);
    m->name = drom_xstrdup(arg);
    m->expected = -1;
    m->retain_first = m->retain_last = -1;
    return m;
}

static void clear_expectations(struct drom_mock *m)
{
    for (size_t i = 0; i < m->nbodies; i++)
        free(m->bodies[i]);
    free(m->bodies);
    m->bodies = NULL;
    m->nbodies = 0;
    free(m->hdr_name);
    free(m->hdr_value);
    m->hdr_name = m->hdr_value = NULL;
    m->expected = -1;
}

static void clear_arrivals(struct drom_mock *m)
{
    for (size_t i = 0; i < m->n; i++)
        drom_exchange_free(m->got[i]);
    m->n = 0;
}

static void mock_free(void *p)
{
    struct drom_mock *m = p;
    clear_arrivals(m);
    clear_expectations(m);
    free(m->got);
    free(m->fail_msg);
    free(m->name);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cond);
    free(m);
}

struct drom_mock *drom_mock_get(struct drom_engine *eng, const char *name)
{
    char key[512];
    snprintf(key, sizeof key, "mock:%s", name);
    return drom_engine_shared_find(eng, key);
}

static int mock_create(struct drom_endpoint *ep, struct drom_error *err)
{
    char key[512];
    snprintf(key, sizeof key, "mock:%s", ep->path);
    struct drom_mock *m = drom_engine_shared(drom_endpoint_engine(ep), key, mock_new, (void *)ep->path, mock_free);
    pthread_mutex_lock(&m->mu);
    const struct mock_conf *o = ep->conf;
    if (o->expected_count_given)
        m->expected = o->expected_count;
    if (o->assert_period_ms_given)
        m->assert_period = o->assert_period_ms;
    if (o->retain_first_given)
        m->retain_first = o->retain_first;
    if (o->retain_last_given)
        m->retain_last = o->retain_last;
    m->log = m->log || o->log;
    pthread_mutex_unlock(&m->mu);
    ep->state = m;
    return 0;
}

static enum drom_status mock_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct drom_mock *m = ep->state;
    pthread_mutex_lock(&m->mu);
    bool keep = m->retain_first < 0 || (int64_t)m->n < m->retain_first;
    if (m->retain_last >= 0 && (int64_t)m->n >= m->retain_last && m->retain_first < 0) {
        if (m->retain_last == 0) {
            keep = false;
        } else {
            drom_exchange_free(m->got[0]);
            memmove(m->got, m->got + 1, (m->n - 1) * sizeof *m->got);
            m->n--;
        }
    }
    if (keep) {
        drom_xgrow((void **)&m->got, &m->cap, m->n + 1, sizeof *m->got);
        m->got[m->n++] = drom_exchange_copy(ex);
    }
    enum drom_status st = DROM_DONE;
    if (m->fail_n != 0) {
        if (m->fail_n > 0)
            m->fail_n--;
        st = m->fail_status;
        drom_err(err, m->fail_code, "%s", m->fail_msg ? m->fail_msg : "mock failure");
    }
    pthread_cond_broadcast(&m->cond);
    bool log = m->log;
    pthread_mutex_unlock(&m->mu);
    if (log) {
        const char *body = drom_exchange_body(ex, NULL);
        drom_info(ep->uri_masked, "Exchange[ExchangeId: %s, Body: %s]", ex->id, body ? body : "[Body is null]");
    }
    return st;
}

void drom_mock_expect_count(struct drom_mock *m, int64_t n)
{
    pthread_mutex_lock(&m->mu);
    m->expected = n;
    pthread_mutex_unlock(&m->mu);
}

static void set_bodies(struct drom_mock *m, const char *const *bodies, size_t n, bool any)
{
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->nbodies; i++)
        free(m->bodies[i]);
    free(m->bodies);
    m->bodies = drom_xcalloc(n ? n : 1, sizeof *m->bodies);
    for (size_t i = 0; i < n; i++)
        m->bodies[i] = drom_xstrdup(bodies[i]);
    m->nbodies = n;
    m->any_order = any;
    m->expected = (int64_t)n;
    pthread_mutex_unlock(&m->mu);
}

void drom_mock_expect_bodies(struct drom_mock *m, const char *const *bodies, size_t n)
{
    set_bodies(m, bodies, n, false);
}

void drom_mock_expect_bodies_any_order(struct drom_mock *m, const char *const *bodies, size_t n)
{
    set_bodies(m, bodies, n, true);
}

void drom_mock_expect_header(struct drom_mock *m, const char *name, const char *value)
{
    pthread_mutex_lock(&m->mu);
    free(m->hdr_name);
    free(m->hdr_value);
    m->hdr_name = drom_xstrdup(name);
    m->hdr_value = drom_xstrdup(value);
    pthread_mutex_unlock(&m->mu);
}

void drom_mock_fail(struct drom_mock *m, int n, enum drom_status status, enum drom_errcode code, const char *msg)
{
    pthread_mutex_lock(&m->mu);
    m->fail_n = n;
    m->fail_status = status;
    m->fail_code = code;
    free(m->fail_msg);
    m->fail_msg = drom_xstrdup(msg);
    pthread_mutex_unlock(&m->mu);
}

/* Called with m->mu held. */
static int wait_locked(struct drom_mock *m, size_t count, int64_t timeout_ms)
{
    struct timespec dl = drom_deadline_in(timeout_ms);
    while (m->n < count)
        if (pthread_cond_timedwait(&m->cond, &m->mu, &dl) == ETIMEDOUT)
            return m->n >= count ? 0 : -1;
    return 0;
}

int drom_mock_wait(struct drom_mock *m, size_t count, int64_t timeout_ms)
{
    pthread_mutex_lock(&m->mu);
    int rc = wait_locked(m, count, timeout_ms);
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static const char *body_of(const struct drom_exchange *ex)
{
    const char *b = drom_exchange_body(ex, NULL);
    return b ? b : "(null)";
}

int drom_mock_assert(struct drom_mock *m, int64_t timeout_ms, struct drom_error *err)
{
    pthread_mutex_lock(&m->mu);
    int rc = 0;
    if (m->expected >= 0) {
        wait_locked(m, (size_t)m->expected, timeout_ms);
        if (m->assert_period > 0)
            wait_locked(m, (size_t)m->expected + 1, m->assert_period);
        if ((int64_t)m->n != m->expected) {
            rc = drom_err(err, DROM_EINVAL, "mock:%s Received message count. Expected: <%lld> but was: <%zu>",
                          m->name, (long long)m->expected, m->n);
            goto out;
        }
    }
    if (m->nbodies) {
        bool *used = drom_xcalloc(m->nbodies, sizeof *used);
        for (size_t i = 0; i < m->n && i < m->nbodies && rc == 0; i++) {
            const char *got = body_of(m->got[i]);
            if (!m->any_order) {
                if (strcmp(got, m->bodies[i]) != 0)
                    rc = drom_err(err, DROM_EINVAL, "mock:%s Message %zu body. Expected: <%s> but was: <%s>", m->name,
                                  i, m->bodies[i], got);
                continue;
            }
            size_t j;
            for (j = 0; j < m->nbodies; j++)
                if (!used[j] && strcmp(got, m->bodies[j]) == 0)
                    break;
            if (j == m->nbodies)
                rc = drom_err(err, DROM_EINVAL, "mock:%s Message %zu body <%s> was not expected (or came twice)",
                              m->name, i, got);
            else
                used[j] = true;
        }
        free(used);
        if (rc)
            goto out;
    }
    if (m->hdr_name)
        for (size_t i = 0; i < m->n; i++) {
            const char *v = drom_exchange_header(m->got[i], m->hdr_name);
            if (!v || strcmp(v, m->hdr_value) != 0) {
                rc = drom_err(err, DROM_EINVAL, "mock:%s Message %zu header %s. Expected: <%s> but was: <%s>",
                              m->name, i, m->hdr_name, m->hdr_value, v ? v : "(absent)");
                goto out;
            }
        }
out:
    pthread_mutex_unlock(&m->mu);
    return rc;
}

size_t drom_mock_received(struct drom_mock *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->n;
    pthread_mutex_unlock(&m->mu);
    return n;
}

struct drom_exchange *drom_mock_exchange(struct drom_mock *m, size_t i)
{
    pthread_mutex_lock(&m->mu);
    struct drom_exchange *ex = i < m->n ? drom_exchange_copy(m->got[i]) : NULL;
    if (ex) {
        free(ex->id);
        ex->id = drom_xstrdup(m->got[i]->id);
    }
    pthread_mutex_unlock(&m->mu);
    return ex;
}

char *drom_mock_body(struct drom_mock *m, size_t i)
{
    pthread_mutex_lock(&m->mu);
    const char *b = i < m->n ? drom_exchange_body(m->got[i], NULL) : NULL;
    char *s = drom_xstrdup(b);
    pthread_mutex_unlock(&m->mu);
    return s;
}

void drom_mock_reset(struct drom_mock *m)
{
    pthread_mutex_lock(&m->mu);
    clear_arrivals(m);
    clear_expectations(m);
    m->fail_n = 0;
    pthread_mutex_unlock(&m->mu);
}

const struct drom_component drom_component_mock = {
    .name = "mock",
    .title = "Expectations for route tests",
    .path_syntax = "name",
    .path_required = true,
    .roles = DROM_ROLE_PRODUCER,
    .options = options,
    .conf_size = sizeof(struct mock_conf),
    .create = mock_create,
    .produce = mock_produce,
};
