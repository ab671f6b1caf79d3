/* JSON log lines carry the exchange's fields; a library's repeated error
 * is written once per window with the count of the others. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/log.h"

/* Runs fn with stderr sent to a file, returns what was written. */
static char *capture(void (*fn)(void))
{
    char path[] = "/tmp/drom-log-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    off_t len = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)len + 1);
    cr_assert_eq(pread(fd, text, (size_t)len, 0), len);
    close(fd);
    unlink(path);
    return text;
}

static void with_context(void)
{
    drom_log_configure(DROM_LOG_INFO, DROM_LOG_JSON);
    struct drom_log_ctx old = drom_log_ctx_set((struct drom_log_ctx){
        .route_id = "kafka-to-amq", .exchange_id = "ID-drom-1-0000000000000007",
        .endpoint = "sjms2:queue:queue.customers", .event_id = "1700000000000/1:mysql-bin.000003:4711:0"});
    drom_log(DROM_LOG_WARN, "kafka-to-amq", "Failed delivery");
    drom_log_ctx_set(old);
    drom_log(DROM_LOG_INFO, "dromd", "no exchange here");
}

Test(log, json_lines_carry_the_exchange)
{
    char *text = capture(with_context);
    char *second = strchr(text, '\n');
    cr_assert(second, "%s", text);
    *second++ = '\0';
    cr_expect(strstr(text, "\"routeId\":\"kafka-to-amq\",\"exchangeId\":\"ID-drom-1-0000000000000007\","
                           "\"endpoint\":\"sjms2:queue:queue.customers\","
                           "\"eventId\":\"1700000000000/1:mysql-bin.000003:4711:0\",\"msg\":\"Failed delivery\"}"),
              "%s", text);
    cr_expect_null(strstr(second, "routeId"), "%s", second);
    cr_expect(strstr(second, "\"msg\":\"no exchange here\""), "%s", second);
    free(text);
}

static void repeated(void)
{
    drom_log_configure(DROM_LOG_INFO, DROM_LOG_TEXT);
    for (int i = 0; i < 38; i++)
        drom_log_limited(DROM_LOG_ERROR, "kafka", 200,
                         "rdkafka#producer-1: FAIL: 127.0.0.1:9/bootstrap: Connect failed (after %dms in state CONNECT)",
                         i);
    drom_log_limited(DROM_LOG_ERROR, "kafka", 200, "another error");
    usleep(250 * 1000);
    drom_log_limited(DROM_LOG_ERROR, "kafka", 200,
                     "rdkafka#producer-1: FAIL: 127.0.0.1:9/bootstrap: Connect failed (after 99ms in state CONNECT)");
}

Test(log, repeated_library_errors_are_counted)
{
    char *text = capture(repeated);
    int lines = 0;
    for (char *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 3, "%s", text);
    cr_expect(strstr(text, "after 0ms in state CONNECT)\n"), "%s", text);
    cr_expect(strstr(text, "another error\n"), "%s", text);
    cr_expect(strstr(text, "after 99ms in state CONNECT) (37 more in the last 200 ms)\n"), "%s", text);
    free(text);
}

static void thread_context(void)
{
    drom_log_configure(DROM_LOG_INFO, DROM_LOG_JSON);
    drom_log_ctx_set((struct drom_log_ctx){.route_id = "customers-to-kafka", .endpoint = "mysql-binlog:cdc"});
    drom_log(DROM_LOG_WARN, "customers-to-kafka", "binlog connection lost");
    const char *was = drom_log_ctx_endpoint("kafka:t");
    drom_log(DROM_LOG_WARN, "customers-to-kafka", "sending");
    drom_log_ctx_endpoint(was);
    drom_log(DROM_LOG_WARN, "customers-to-kafka", "back");
}

Test(log, a_sources_thread_says_its_route_and_endpoint)
{
    char *text = capture(thread_context);
    cr_expect(strstr(text, "\"routeId\":\"customers-to-kafka\",\"endpoint\":\"mysql-binlog:cdc\",\"msg\":\"binlog "
                           "connection lost\""),
              "%s", text);
    cr_expect(strstr(text, "\"endpoint\":\"kafka:t\",\"msg\":\"sending\""), "%s", text);
    cr_expect(strstr(text, "\"endpoint\":\"mysql-binlog:cdc\",\"msg\":\"back\""), "%s", text);
    free(text);
}
