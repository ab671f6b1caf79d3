/* Runtime tests of the log, timer, seda and file components. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_engine_util.h"

/* --- timer --- */

Test(components_timer, repeat_count_and_properties)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"r\"><from uri=\"timer:tick?period=10&amp;delay=0&amp;repeatCount=3"
                     "&amp;includeMetadata=true\"/><to uri=\"mock:out\"/></route></routes>");
    struct drom_mock *m = te_mock(&t, "out");
    drom_mock_expect_count(m, 3);
    te_assert_mock(m, 5000);
    for (int i = 0; i < 3; i++) {
        struct drom_exchange *ex = drom_mock_exchange(m, (size_t)i);
        char n[16];
        snprintf(n, sizeof n, "%d", i + 1);
        cr_assert_str_eq(drom_headers_get_str(&ex->props, "CamelTimerCounter"), n);
        cr_assert_str_eq(drom_headers_get_str(&ex->props, "CamelTimerName"), "tick");
        cr_assert_not_null(drom_exchange_header(ex, "CamelTimerFiredTime"));
        cr_assert(drom_exchange_body_is_null(ex));
        drom_exchange_free(ex);
    }
    te_free(&t);
}

/* --- seda --- */

Test(components_seda, queue_between_routes)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/><to uri=\"seda:q\"/></route>"
                     "<route id=\"b\"><from uri=\"seda:q?concurrentConsumers=2\"/><to uri=\"mock:out\"/></route></routes>");
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 100; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 100, 5000), 0);
    TE_WAIT_FOR(te_committed(f) == 99, 5000);
    te_free(&t);
}

Test(components_seda, full_queue_fails)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/><to uri=\"seda:q?size=2\"/></route>"
                     "<route id=\"b\" autoStartup=\"false\"><from uri=\"seda:q?size=2\"/><to uri=\"mock:out\"/></route>"
                     "</routes>");
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 3; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "a").total == 3, 5000);
    struct drom_route_status st = te_status(&t, "a");
    cr_assert_eq(st.failed, 1);
    cr_assert(strstr(st.last_error, "Queue full"), "%s", st.last_error);
    te_free(&t);
}

Test(components_seda, full_queue_block_when_full_waits, .timeout = 30)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/>"
                     "<to uri=\"seda:q?size=2&amp;blockWhenFull=true\"/></route>"
                     "<route id=\"b\"><from uri=\"seda:q\"/><delay><constant>20</constant></delay>"
                     "<to uri=\"mock:out\"/></route></routes>");
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 20; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 20, 10000), 0);
    TE_WAIT_FOR(te_status(&t, "a").total == 20, 5000);
    cr_assert_eq(te_status(&t, "a").failed, 0);
    te_free(&t);
}

Test(components_seda, block_when_full_offer_timeout)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/>"
                     "<to uri=\"seda:q?size=1&amp;blockWhenFull=true&amp;offerTimeout=50\"/></route>"
                     "<route id=\"b\"><from uri=\"seda:q?size=1\"/><delay><constant>2000</constant></delay>"
                     "<to uri=\"mock:out\"/></route></routes>");
    struct feed *f = te_feed(&t, "feed");
    /* one in the consumer route, one taken by the consumer thread, one queued, one blocked */
    for (int i = 0; i < 4; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "a").failed == 1, 5000);
    cr_assert(strstr(te_status(&t, "a").last_error, "timeout"), "%s", te_status(&t, "a").last_error);
    te_free(&t);
}

Test(components_seda, drain_empties_the_queue, .timeout = 30)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/><to uri=\"seda:q?size=5000\"/></route>"
                     "<route id=\"b\"><from uri=\"seda:q?size=5000\"/><to uri=\"mock:out\"/></route></routes>");
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 2000; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    struct drom_error err = {0};
    cr_assert_eq(drom_engine_stop(t.eng, 10000, &err), 0, "%s", err.msg);
    cr_assert_eq(drom_mock_received(te_mock(&t, "out")), 2000, "queued exchanges are processed before stop");
    te_free(&t);
}

/* --- direct --- */

Test(components_direct, no_consumer_fails)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"a\"><from uri=\"timer:feed\"/><to uri=\"direct:x\"/></route>"
                     "<route id=\"b\" autoStartup=\"false\"><from uri=\"direct:x\"/><to uri=\"mock:out\"/></route>"
                     "</routes>");
    te_send_pos(te_feed(&t, "feed"), "x", 0, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "a").failed == 1, 5000);
    cr_assert(strstr(te_status(&t, "a").last_error, "No consumers available on endpoint: direct://x"), "%s",
              te_status(&t, "a").last_error);
    te_free(&t);
}

/* --- log: stderr goes to a file for the test --- */

static char logpath[64];
static int saved_stderr = -1;

static void capture_stderr(void)
{
    snprintf(logpath, sizeof logpath, "/tmp/drom-log-XXXXXX");
    int fd = mkstemp(logpath);
    cr_assert_geq(fd, 0);
    saved_stderr = dup(2);
    dup2(fd, 2);
    close(fd);
}

static char *captured(void)
{
    dup2(saved_stderr, 2);
    close(saved_stderr);
    FILE *in = fopen(logpath, "r");
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    buf[n] = '\0';
    fclose(in);
    unlink(logpath);
    return buf;
}

Test(components_log, exchange_formatting)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"r\"><from uri=\"timer:feed\"/>"
                     "<to uri=\"log:plain\"/><to uri=\"log:hdrs?showHeaders=true\"/>"
                     "<to uri=\"log:quiet?level=DEBUG\"/><to uri=\"mock:out\"/></route></routes>");
    capture_stderr();
    te_send_pos(te_feed(&t, "feed"), "hello", 0, "k", "v");
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 1, 5000), 0);
    char *out = captured();
    cr_assert(strstr(out, "[plain] : Exchange[BodyType: String, Body: hello]"), "%s", out);
    cr_assert(strstr(out, "[hdrs] : Exchange[Headers: {k=v}, BodyType: String, Body: hello]"), "%s", out);
    cr_assert_null(strstr(out, "[quiet]"), "DEBUG is below the default level: %s", out);
    te_free(&t);
}

Test(components_log, group_size_throughput_line)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"r\"><from uri=\"timer:feed\"/>"
                     "<to uri=\"log:tp?groupSize=5\"/><to uri=\"mock:out\"/></route></routes>");
    capture_stderr();
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 10; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 10, 5000), 0);
    char *out = captured();
    cr_assert(strstr(out, "Received: 5 new messages, with total 5 so far. Last group took: "), "%s", out);
    cr_assert(strstr(out, "Received: 5 new messages, with total 10 so far."), "%s", out);
    cr_assert(strstr(out, " messages per second. average: "), "%s", out);
    te_free(&t);
}

Test(components_log, group_interval_throughput_line)
{
    struct te t = {0};
    te_start_fed(&t, "<routes><route id=\"r\"><from uri=\"timer:feed\"/>"
                     "<to uri=\"log:tp?groupInterval=50\"/><to uri=\"mock:out\"/></route></routes>");
    capture_stderr();
    struct feed *f = te_feed(&t, "feed");
    for (int i = 0; i < 3; i++)
        te_send_pos(f, "x", i, NULL, NULL);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "out"), 3, 5000), 0);
    struct drom_mock *m = te_mock(&t, "out");
    /* the interval line is written by the engine's timer; wait until the file has it */
    int64_t deadline = ts_now_ms() + 30000;
    bool seen = false;
    while (!seen && ts_now_ms() < deadline) {
        FILE *in = fopen(logpath, "r");
        char buf[8192];
        size_t n = fread(buf, 1, sizeof buf - 1, in);
        buf[n] = '\0';
        fclose(in);
        seen = strstr(buf, "Received: 3 new messages, with total 3 so far.") != NULL;
        if (!seen)
            drom_mock_wait(m, 1000, 5);
    }
    captured();
    cr_assert(seen);
    te_free(&t);
}

/* --- file --- */

static char dir[128];

static void tmpdir(void)
{
    snprintf(dir, sizeof dir, "/tmp/drom-file-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rmdir_all(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The file's text equals `want`. */
static void assert_file(const char *path, const char *want, const char *why)
{
    char *got = ts_read_file(path, NULL);
    cr_assert_str_eq(got ? got : "(unreadable)", want, "%s", why);
    free(got);
}

static void write_file(const char *path, const char *text)
{
    FILE *out = fopen(path, "w");
    cr_assert_not_null(out);
    fputs(text, out);
    fclose(out);
}

Test(components_file, producer_file_name_and_file_exist)
{
    tmpdir();
    struct te t = {0};
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"o\"><from uri=\"timer:feed\"/>"
             "<to uri=\"file:%s/out?fileName=${header.name}.txt\"/></route>"
             "<route id=\"a\"><from uri=\"timer:feedappend\"/>"
             "<to uri=\"file:%s/out?fileName=log.txt&amp;fileExist=Append&amp;appendChars=\\n\"/></route>"
             "<route id=\"f\"><from uri=\"timer:feedfail\"/>"
             "<to uri=\"file:%s/out?fileName=once.txt&amp;fileExist=Fail\"/></route></routes>",
             dir, dir, dir);
    te_start_fed(&t, xml);
    te_send_pos(te_feed(&t, "feed"), "first", 0, "name", "a");
    te_send_pos(te_feed(&t, "feed"), "second", 1, "name", "a");
    te_send_pos(te_feed(&t, "feedappend"), "l1", 0, NULL, NULL);
    te_send_pos(te_feed(&t, "feedappend"), "l2", 1, NULL, NULL);
    te_send_pos(te_feed(&t, "feedfail"), "x", 0, NULL, NULL);
    te_send_pos(te_feed(&t, "feedfail"), "y", 1, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "o").total == 2 && te_status(&t, "a").total == 2 && te_status(&t, "f").total == 2,
                5000);
    char p[256];
    snprintf(p, sizeof p, "%s/out/a.txt", dir);
    assert_file(p, "second", "Override replaces");
    snprintf(p, sizeof p, "%s/out/log.txt", dir);
    assert_file(p, "l1\nl2\n", "Append adds");
    snprintf(p, sizeof p, "%s/out/once.txt", dir);
    assert_file(p, "x", "written once");
    cr_assert_eq(te_status(&t, "f").failed, 1);
    cr_assert(strstr(te_status(&t, "f").last_error, "File already exist"), "%s", te_status(&t, "f").last_error);
    te_free(&t);
    rmdir_all();
}

/* A record a kill cut short (no appendChars after it) is ended before the
 * first record appended after the start, which keeps its own line; a file
 * that ends right is not touched. */
Test(components_file, append_ends_a_record_cut_by_a_kill)
{
    tmpdir();
    char p[300], q[300], sub[256];
    snprintf(sub, sizeof sub, "%s/out", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    snprintf(p, sizeof p, "%s/cut.jsonl", sub);
    write_file(p, "{\"id\":1}\n{\"id\":2");
    snprintf(q, sizeof q, "%s/whole.jsonl", sub);
    write_file(q, "{\"id\":1}\n");
    struct te t = {0};
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"c\"><from uri=\"timer:feedcut\"/>"
             "<to uri=\"file:%s?fileName=cut.jsonl&amp;fileExist=Append&amp;appendChars=\\n\"/></route>"
             "<route id=\"w\"><from uri=\"timer:feedwhole\"/>"
             "<to uri=\"file:%s?fileName=whole.jsonl&amp;fileExist=Append&amp;appendChars=\\n\"/></route></routes>",
             sub, sub);
    te_start_fed(&t, xml);
    te_send_pos(te_feed(&t, "feedcut"), "{\"id\":2}", 0, NULL, NULL);
    te_send_pos(te_feed(&t, "feedcut"), "{\"id\":3}", 1, NULL, NULL);
    te_send_pos(te_feed(&t, "feedwhole"), "{\"id\":2}", 0, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "c").total == 2 && te_status(&t, "w").total == 1, 5000);
    assert_file(p, "{\"id\":1}\n{\"id\":2\n{\"id\":2}\n{\"id\":3}\n", "the cut record ended, once");
    assert_file(q, "{\"id\":1}\n{\"id\":2}\n", "a whole file untouched");
    te_free(&t);
    rmdir_all();
}

Test(components_file, unwritable_directory_fails_the_exchange)
{
    tmpdir();
    char blocker[256];
    snprintf(blocker, sizeof blocker, "%s/blocker", dir);
    write_file(blocker, "a file where a directory should be");
    struct te t = {0};
    char xml[1024];
    snprintf(xml, sizeof xml, "<routes><route id=\"r\"><from uri=\"timer:feed\"/><to uri=\"file:%s/sub\"/>"
                              "<to uri=\"mock:after\"/></route></routes>", blocker);
    te_start_fed(&t, xml);
    te_send_pos(te_feed(&t, "feed"), "x", 0, NULL, NULL);
    TE_WAIT_FOR(te_status(&t, "r").failed == 1, 5000);
    cr_assert(strstr(te_status(&t, "r").last_error, "Not a directory"), "%s", te_status(&t, "r").last_error);
    cr_assert_eq(drom_mock_received(te_mock(&t, "after")), 0);
    TE_WAIT_FOR(te_committed(te_feed(&t, "feed")) == 0, 5000);
    te_free(&t);
    rmdir_all();
}

Test(components_file, consumer_moves_deletes_or_leaves)
{
    tmpdir();
    char p[256];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/in/f%d.txt", dir, i);
        char d[256];
        snprintf(d, sizeof d, "%s/in", dir);
        mkdir(d, 0755);
        char body[16];
        snprintf(body, sizeof body, "b%d", i);
        write_file(p, body);
    }
    snprintf(p, sizeof p, "%s/del", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/del/d.txt", dir);
    write_file(p, "gone");
    snprintf(p, sizeof p, "%s/noop", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/noop/n.txt", dir);
    write_file(p, "stays");
    struct te t = {0};
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"m\"><from uri=\"file:%s/in?initialDelay=0&amp;delay=10\"/><to uri=\"mock:in\"/></route>"
             "<route id=\"d\"><from uri=\"file:%s/del?initialDelay=0&amp;delay=10&amp;delete=true\"/>"
             "<to uri=\"mock:del\"/></route>"
             "<route id=\"n\"><from uri=\"file:%s/noop?initialDelay=0&amp;delay=10&amp;noop=true\"/>"
             "<to uri=\"mock:noop\"/></route></routes>",
             dir, dir, dir);
    te_start_fed(&t, xml);
    const char *in[] = {"b0", "b1", "b2"};
    drom_mock_expect_bodies(te_mock(&t, "in"), in, 3);
    te_assert_mock(te_mock(&t, "in"), 5000);
    struct drom_exchange *ex = drom_mock_exchange(te_mock(&t, "in"), 0);
    cr_assert_str_eq(drom_exchange_header(ex, "CamelFileName"), "f0.txt");
    cr_assert_str_eq(drom_exchange_header(ex, "CamelFileLength"), "2");
    drom_exchange_free(ex);
    snprintf(p, sizeof p, "%s/in/.camel/f2.txt", dir);
    TE_WAIT_FOR(access(p, F_OK) == 0, 5000);
    snprintf(p, sizeof p, "%s/del/d.txt", dir);
    TE_WAIT_FOR(access(p, F_OK) != 0, 5000);
    cr_assert_eq(drom_mock_wait(te_mock(&t, "noop"), 1, 5000), 0);
    /* noop: the file stays and is not picked up again */
    cr_assert_eq(drom_mock_wait(te_mock(&t, "noop"), 2, 100), -1);
    snprintf(p, sizeof p, "%s/noop/n.txt", dir);
    cr_assert_eq(access(p, F_OK), 0);
    te_free(&t);
    rmdir_all();
}

Test(components_file, failed_file_stays_for_retry)
{
    tmpdir();
    char p[256];
    snprintf(p, sizeof p, "%s/in", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/in/f.txt", dir);
    write_file(p, "data");
    struct te t = {0};
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"m\"><from uri=\"file:%s/in?initialDelay=300&amp;delay=10&amp;moveFailed=.error\"/>"
             "<to uri=\"mock:in\"/></route></routes>", dir);
    te_compile(&t, xml);
    struct drom_engine_options o = {0};
    te_start_opts(&t, &o);
    drom_mock_fail(te_mock(&t, "in"), -1, DROM_FAIL, DROM_EIO, "cannot deliver");
    snprintf(p, sizeof p, "%s/in/.error/f.txt", dir);
    TE_WAIT_FOR(access(p, F_OK) == 0, 5000);
    te_free(&t);
    rmdir_all();
}
