/* The live status page at `/`, rendered by headless Chromium (Debian's
 * chromium) against dromd running the seed pipeline on the test servers:
 *  - every route of the seed pipeline and every node of `dromc graph`'s
 *    picture is drawn in the page, which loads nothing from elsewhere;
 *  - the counters on the page move while changes flow;
 *  - an outage (the broker stopped) shows: NOT READY with the reason, and
 *    the AMQP node marked not ready.
 * Screenshots during the stream and during the outage, and the DOM of each
 * step, are kept in build/observe/. */
#include <regex.h>

#include "tests/observe/observe_util.h"

static const char *chromium(void)
{
    return ts_env("CHROMIUM", "/usr/bin/chromium");
}

/* The page after its scripts ran (~3 s of its time), as Chromium saw it;
 * with a screenshot when `png` is given. */
static char *render(const struct e2e *t, const char *png, const char *dom_copy)
{
    char profile[256], url[64], cmd[2048];
    snprintf(profile, sizeof profile, "%s/chromium-XXXXXX", t->dir);
    cr_assert(mkdtemp(profile), "mkdtemp %s", profile);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", t->http);
    const char *flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                        "--disable-background-networking --disable-component-update --disable-sync "
                        "--window-size=1400,1400 --virtual-time-budget=3500";
    char *out = NULL;
    if (png) {
        snprintf(cmd, sizeof cmd, "timeout 60 '%s' %s --user-data-dir='%s' --screenshot='%s' '%s' 2>&1", chromium(),
                 flags, profile, png, url);
        int rc = ts_sh(cmd, &out);
        struct stat st;
        cr_expect(rc == 0 && stat(png, &st) == 0 && st.st_size > 10000, "chromium wrote the screenshot %s:\n%s",
                  png, out);
        free(out);
    }
    snprintf(cmd, sizeof cmd, "timeout 60 '%s' %s --user-data-dir='%s' --dump-dom '%s' 2>/dev/null", chromium(),
             flags, profile, url);
    int rc = ts_sh(cmd, &out);
    cr_assert_eq(rc, 0, "chromium --dump-dom of %s exited %d", url, rc);
    if (dom_copy)
        obs_write(dom_copy, out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", profile);
    ts_sh(cmd, NULL);
    return out;
}

/* Inserts a change every 50 ms until told to stop: a stream to look at. */
struct stream {
    struct e2e *t;
    atomic_bool stop;
    pthread_t thread;
};

static void *stream_run(void *arg)
{
    struct stream *s = arg;
    while (!atomic_load(&s->stop)) {
        obs_insert(s->t, 1);
        proc_pause_ms(50);
    }
    return NULL;
}

/* The text of the SVG group of node `id` (its tags stripped). */
static char *node_text(const char *dom, const char *id)
{
    char start[64];
    snprintf(start, sizeof start, "id=\"node-%s\"", id);
    const char *p = strstr(dom, start);
    if (!p)
        return strdup("");
    const char *end = strstr(p, "</g>");
    struct drom_buf b = DROM_BUF_INIT;
    bool tag = true;
    for (; *p && p != end; p++) {
        if (*p == '<')
            tag = true;
        else if (*p == '>') {
            tag = false;
            drom_buf_putc(&b, ' ');
        } else if (!tag)
            drom_buf_putc(&b, *p);
    }
    drom_buf_cstr(&b);
    return drom_buf_detach(&b);
}

/* The number after `word ` in text; -1 when absent. */
static long long figure(const char *text, const char *word)
{
    char key[64];
    snprintf(key, sizeof key, "%s ", word);
    const char *p = strstr(text, key);
    return p ? atoll(p + strlen(key)) : -1;
}

Test(statuspage, renders_every_route_counts_live_and_shows_an_outage, .timeout = 400)
{
    obs_artefacts_dir();
    struct e2e t;
    e2e_init(&t, "page", 7742, 1);
    e2e_start(&t);
    obs_insert(&t, 3);
    E2E_EXPECT(&t, e2e_wait_queue(&t, 3, 60000) >= 3, "the first changes reach the queue");

    /* The page draws what dromc graph draws: every route and every node. */
    char *dot = NULL;
    cr_assert_eq(e2e_http(&t, "/graph.dot", &dot), 200);
    char *dom1 = render(&t, NULL, OBS_ARTEFACTS "/statuspage-1.html");
    const char *routes[] = {"customers-to-kafka", "kafka-to-amq"};
    for (size_t i = 0; i < 2; i++) {
        char want[96];
        snprintf(want, sizeof want, ">route %s<", routes[i]);
        E2E_EXPECT(&t, strstr(dom1, want), "the page draws %s", want);
    }
    int nodes = 0;
    regex_t re;
    regcomp(&re, "(r[0-9]+_n[0-9]+) \\[shape=", REG_EXTENDED);
    regmatch_t m[2];
    for (const char *p = dot; regexec(&re, p, 2, m, 0) == 0; p += m[0].rm_eo) {
        char id[32], want[48];
        snprintf(id, sizeof id, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), p + m[1].rm_so);
        snprintf(want, sizeof want, "id=\"node-%s\"", id);
        E2E_EXPECT(&t, strstr(dom1, want), "node %s of /graph.dot is drawn", id);
        nodes++;
    }
    regfree(&re);
    E2E_EXPECT(&t, nodes == 5, "the seed pipeline has 5 nodes (from, to; from, filter, to), /graph.dot has %d", nodes);
    E2E_EXPECT(&t, strstr(dom1, ">READY<"), "the page says READY");
    E2E_EXPECT(&t, !strstr(dom1, "src=\"http") && !strstr(dom1, "href=\"http"), "the page loads nothing from elsewhere");
    char *src0 = node_text(dom1, "r0_n0"), *amqp0 = node_text(dom1, "r1_n2");
    long long total1 = figure(src0, "total"), sent1 = figure(amqp0, "sent");
    E2E_EXPECT(&t, total1 >= 3, "the source node counts the first changes: '%s'", src0);
    E2E_EXPECT(&t, sent1 >= 3, "the AMQP node counts what it sent: '%s'", amqp0);

    /* Changes flow: the counters move. */
    int done = obs_insert(&t, 20);
    E2E_EXPECT(&t, e2e_wait_queue(&t, done, 60000) >= done, "the 20 changes reach the queue");
    struct stream flow = {.t = &t};
    pthread_create(&flow.thread, NULL, stream_run, &flow);
    char *dom2 = render(&t, OBS_ARTEFACTS "/statuspage-stream.png", OBS_ARTEFACTS "/statuspage-2.html");
    char *src1 = node_text(dom2, "r0_n0"), *amqp1 = node_text(dom2, "r1_n2"), *filter1 = node_text(dom2, "r1_n1");
    E2E_EXPECT(&t, strstr(src1, "/s") && !strstr(src1, " 0.0/s"), "the source node shows a rate while changes flow: '%s'",
               src1);
    E2E_EXPECT(&t, figure(src1, "total") >= total1 + 20, "the source count moved from %lld: '%s'", total1, src1);
    E2E_EXPECT(&t, figure(amqp1, "sent") >= sent1 + 20, "the AMQP count moved from %lld: '%s'", sent1, amqp1);
    E2E_EXPECT(&t, figure(filter1, "exchanges") >= 23, "the filter step counts its exchanges: '%s'", filter1);
    E2E_EXPECT(&t, strstr(dom2, "binlog lag"), "the page shows the binlog lag");
    E2E_EXPECT(&t, strstr(dom2, "snapshot"), "the page shows the snapshot's progress");
    E2E_EXPECT(&t, strstr(dom2, "Configuration (secrets masked)") && strstr(dom2, "password</td><td>xxxxxx<") &&
                       strstr(dom2, "{{env:DB_PASSWORD:xxxxxx}}") && !strstr(dom2, "PASSWORD:debezium") &&
                       !strstr(dom2, "PASSWORD:admin"),
               "the effective configuration is shown with its secrets (and their defaults) masked");

    /* dromd status finds this dromd through its state directory (no --http)
     * and shows Camel's columns, while the changes still flow. */
    char cmd[512], *table = NULL;
    snprintf(cmd, sizeof cmd, "env -u DROMD_HTTP build/dromd status --state-dir '%s' --watch --interval 1s --count 3",
             t.state);
    E2E_EXPECT(&t, ts_sh(cmd, &table) == 0, "dromd status --watch: %s", table);
    E2E_EXPECT(&t, strstr(table, "MSG/S") && strstr(table, "MEAN") && strstr(table, "SINCE-LAST") &&
                       strstr(table, "customers-to-kafka") && strstr(table, "kafka-to-amq"),
               "dromd status shows both routes with rates and times:\n%s", table);
    obs_write(OBS_ARTEFACTS "/status-watch-stream.txt", table);
    free(table);
    atomic_store(&flow.stop, true);
    pthread_join(flow.thread, NULL);

    /* The broker stops: the page shows the outage. */
    cr_assert_eq(ts_ctl(t.log, "artemis", "stop"), 0);
    obs_insert(&t, 2);
    E2E_EXPECT(&t, e2e_wait_ready(&t, 503, 60000), "dromd is not ready while Artemis is down");
    char *dom3 = render(&t, OBS_ARTEFACTS "/statuspage-outage.png", OBS_ARTEFACTS "/statuspage-3.html");
    char *amqp2 = node_text(dom3, "r1_n2");
    E2E_EXPECT(&t, strstr(dom3, ">NOT READY<"), "the page says NOT READY");
    E2E_EXPECT(&t, strstr(amqp2, "not ready:"), "the AMQP node shows why: '%s'", amqp2);
    E2E_EXPECT(&t, strstr(dom3, "class=\"err\">sjms2:queue:"), "LAST-ERROR names the unreachable broker");
    snprintf(cmd, sizeof cmd, "env -u DROMD_HTTP build/dromd status --state-dir '%s'", t.state);
    ts_sh(cmd, &table);
    E2E_EXPECT(&t, strstr(table, "cannot connect to amqp://"), "LAST-ERROR of dromd status names the broker:\n%s",
               table);
    obs_write(OBS_ARTEFACTS "/status-outage.txt", table);
    free(table);
    cr_assert_eq(ts_ctl(t.log, "artemis", "start"), 0);
    E2E_EXPECT(&t, e2e_wait_ready(&t, 200, 90000), "dromd is ready again once Artemis is back");

    free(dot);
    free(dom1);
    free(dom2);
    free(dom3);
    free(src0);
    free(amqp0);
    free(src1);
    free(amqp1);
    free(filter1);
    free(amqp2);
    e2e_finish(&t);
}
