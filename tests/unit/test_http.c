/* The HTTP server with fake callbacks, spoken to over a real socket. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <strings.h>

#include "runtime/http.h"
#include "tests/support/rawhttp.h"

struct fake {
    _Atomic int ready_calls;
    _Atomic int ready;   /* what /health/ready answers */
};

static int fake_live(void *ctx, struct drom_buf *body)
{
    drom_buf_puts(body, "{\"status\":\"UP\"}");
    return 200;
}

static int fake_ready(void *ctx, struct drom_buf *body)
{
    struct fake *f = ctx;
    atomic_fetch_add(&f->ready_calls, 1);
    if (atomic_load(&f->ready)) {
        drom_buf_puts(body, "{\"status\":\"UP\"}");
        return 200;
    }
    drom_buf_puts(body, "{\"status\":\"DOWN\",\"reason\":\"kafka: not connected\"}");
    return 503;
}

static int fake_metrics(void *ctx, struct drom_buf *body)
{
    drom_buf_puts(body, "# TYPE camel_exchanges_total counter\n"
                        "camel_exchanges_total{routeId=\"r1\"} 7\n");
    return 200;
}

static int fake_routes(void *ctx, struct drom_buf *body)
{
    drom_buf_puts(body, "[{\"id\":\"r1\"}]");
    return 200;
}

static struct fake fk;
static struct drom_http *srv;
static int port;

static void start(void)
{
    atomic_store(&fk.ready, 1);
    atomic_store(&fk.ready_calls, 0);
    struct drom_http_handlers h = {.ctx = &fk, .live = fake_live, .ready = fake_ready,
                                   .metrics = fake_metrics, .routes = fake_routes};
    struct drom_error err = {0};
    srv = drom_http_start("127.0.0.1:0", &h, NULL, &err);
    cr_assert(srv, "start: %s", err.msg);
    port = drom_http_port(srv);
    cr_assert_gt(port, 0);
}

static void stop(void)
{
    drom_http_stop(srv);
    srv = NULL;
}

TestSuite(http, .init = start, .fini = stop, .timeout = 20);

static void expect(const char *method, const char *path, int status, const char *body_part)
{
    struct rawhttp_answer a;
    cr_assert_eq(rawhttp_request(port, method, path, &a), 0, "connect");
    cr_expect_eq(a.status, status, "%s %s: got %d\n%s", method, path, a.status, a.raw);
    if (body_part)
        cr_expect(strstr(a.body, body_part), "%s %s: body '%s' lacks '%s'", method, path,
                  a.body, body_part);
    rawhttp_free(&a);
}

Test(http, every_path_answers)
{
    expect("GET", "/health/live", 200, "\"UP\"");
    expect("GET", "/observe/health/live", 200, "\"UP\"");
    expect("GET", "/health/ready", 200, "{\"status\":\"UP\"}");
    expect("GET", "/observe/health/ready", 200, "\"UP\"");
    expect("GET", "/metrics", 200, "camel_exchanges_total{routeId=\"r1\"} 7");
    expect("GET", "/routes", 200, "\"id\":\"r1\"");
}

Test(http, content_types)
{
    struct rawhttp_answer a;
    char v[128];
    rawhttp_request(port, "GET", "/metrics", &a);
    cr_assert(rawhttp_header(&a, "Content-Type", v, sizeof v));
    cr_expect_str_eq(v, "text/plain; version=0.0.4; charset=utf-8");
    rawhttp_free(&a);
    rawhttp_request(port, "GET", "/routes", &a);
    cr_assert(rawhttp_header(&a, "Content-Type", v, sizeof v));
    cr_expect_str_eq(v, "application/json");
    rawhttp_free(&a);
}

Test(http, not_ready_is_503_with_reason)
{
    atomic_store(&fk.ready, 0);
    expect("GET", "/health/ready", 503, "\"reason\":\"kafka: not connected\"");
    expect("GET", "/observe/health/ready", 503, "\"DOWN\"");
    expect("GET", "/health/live", 200, NULL);
}

Test(http, query_string_is_ignored)
{
    expect("GET", "/metrics?name=x", 200, "camel_exchanges_total");
}

Test(http, unknown_path_is_404)
{
    expect("GET", "/", 404, NULL);
    expect("GET", "/health", 404, NULL);
    expect("GET", "/health/live/", 404, NULL);
    expect("GET", "/../etc/passwd", 404, NULL);
}

Test(http, other_methods_are_405_with_allow)
{
    const char *methods[] = {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        struct rawhttp_answer a;
        cr_assert_eq(rawhttp_request(port, methods[i], "/health/live", &a), 0);
        cr_expect_eq(a.status, 405, "%s: %d", methods[i], a.status);
        char v[64];
        cr_expect(rawhttp_header(&a, "Allow", v, sizeof v), "%s: no Allow", methods[i]);
        if (rawhttp_header(&a, "Allow", v, sizeof v))
            cr_expect_str_eq(v, "GET, HEAD");
        rawhttp_free(&a);
    }
    cr_expect_eq(atomic_load(&fk.ready_calls), 0);
}

Test(http, post_with_a_body_is_405)
{
    const char req[] = "POST /health/ready HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n"
                       "Connection: close\r\n\r\nhello=world";
    struct rawhttp_answer a;
    cr_assert_eq(rawhttp_send(port, req, sizeof req - 1, 5000, &a), 0);
    cr_expect_eq(a.status, 405, "%s", a.raw);
    rawhttp_free(&a);
    cr_expect_eq(atomic_load(&fk.ready_calls), 0);
}

Test(http, head_has_headers_and_no_body)
{
    struct rawhttp_answer a;
    cr_assert_eq(rawhttp_request(port, "HEAD", "/metrics", &a), 0);
    cr_expect_eq(a.status, 200);
    cr_expect_str_eq(a.body, "");
    char v[64];
    cr_assert(rawhttp_header(&a, "Content-Length", v, sizeof v), "%s", a.raw);
    cr_expect_gt(atoi(v), 0);
    rawhttp_free(&a);
}

/* A refused request must end in a 4xx or a closed connection; and the
 * server must keep answering afterwards. */
static void expect_refused_with(const char *req, size_t len, const char *what, int also)
{
    struct rawhttp_answer a;
    cr_assert_eq(rawhttp_send(port, req, len, 5000, &a), 0, "%s: connect", what);
    cr_expect(a.status == 0 || (a.status >= 400 && a.status < 500) || a.status == also,
              "%s: got %d\n%s", what, a.status, a.raw);
    rawhttp_free(&a);
    expect("GET", "/health/live", 200, NULL);
}

static void expect_refused(const char *req, size_t len, const char *what)
{
    expect_refused_with(req, len, what, 0);
}

Test(http, garbage_request_line)
{
    const char g1[] = "\x01\x02garbage\xff\xfe\r\n\r\n";
    expect_refused(g1, sizeof g1 - 1, "binary garbage");
    const char g2[] = "GET\r\n\r\n";
    expect_refused(g2, sizeof g2 - 1, "no path");
    const char g3[] = "GET /health/live HTTP/9.9\r\nHost: x\r\n\r\n";
    expect_refused_with(g3, sizeof g3 - 1, "bad version", 505);
    const char g4[] = "GET /health/live HTTP/1.1\r\nNo colon here\r\n\r\n";
    expect_refused(g4, sizeof g4 - 1, "bad header");
}

Test(http, huge_header_is_refused)
{
    size_t big = 64 * 1024;
    const char head[] = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ";
    size_t len = sizeof head - 1 + big + 4;
    char *req = malloc(len);
    memcpy(req, head, sizeof head - 1);
    memset(req + sizeof head - 1, 'a', big);
    memcpy(req + sizeof head - 1 + big, "\r\n\r\n", 4);
    expect_refused(req, len, "64 KB header");
    free(req);
}

Test(http, many_headers_are_refused)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_puts(&b, "GET /health/live HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 4000; i++)
        drom_buf_printf(&b, "X-H%d: v\r\n", i);
    drom_buf_puts(&b, "\r\n");
    expect_refused(b.data, b.len, "4000 headers");
    drom_buf_free(&b);
}

Test(http, a_silent_client_does_not_block_others)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    send(fd, "GET /heal", 9, MSG_NOSIGNAL);
    expect("GET", "/health/live", 200, NULL);
    close(fd);
}

Test(http, keep_alive_serves_two_requests)
{
    const char req[] = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /routes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    struct rawhttp_answer a;
    cr_assert_eq(rawhttp_send(port, req, sizeof req - 1, 5000, &a), 0);
    cr_expect_eq(a.status, 200);
    cr_expect(strstr(a.raw, "{\"status\":\"UP\"}"), "%s", a.raw);
    cr_expect(strstr(a.raw, "\"id\":\"r1\""), "%s", a.raw);
    rawhttp_free(&a);
}

static int null_ctx_live(void *ctx, struct drom_buf *body)
{
    return 999;   /* a broken callback */
}

Test(http_config, missing_callback_is_404_and_bad_status_is_500)
{
    struct drom_http_handlers h = {.live = null_ctx_live};
    struct drom_error err = {0};
    struct drom_http *s = drom_http_start("127.0.0.1:0", &h, NULL, &err);
    cr_assert(s, "%s", err.msg);
    port = drom_http_port(s);
    expect("GET", "/health/live", 500, NULL);
    expect("GET", "/metrics", 404, NULL);
    drom_http_stop(s);
}

Test(http_config, bad_addresses)
{
    struct drom_error err = {0};
    cr_expect_eq(drom_http_check_addr("127.0.0.1", &err), -1);
    cr_expect(strstr(err.msg, "ADDR:PORT"), "%s", err.msg);
    cr_expect_eq(drom_http_check_addr("127.0.0.1:70000", &err), -1);
    cr_expect_eq(drom_http_check_addr("127.0.0.1:", &err), -1);
    cr_expect_eq(drom_http_check_addr("[::1:80", &err), -1);
    cr_expect_eq(drom_http_check_addr("127.0.0.1:8x", &err), -1);
    cr_expect_eq(drom_http_check_addr("127.0.0.1:8080", &err), 0);
    cr_expect_eq(drom_http_check_addr(":8080", &err), 0);
    cr_expect_eq(drom_http_check_addr("[::1]:8080", &err), 0);
}

Test(http_config, port_in_use_says_so)
{
    struct drom_http_handlers h = {.live = fake_live};
    struct drom_error err = {0};
    struct drom_http *a = drom_http_start("127.0.0.1:0", &h, NULL, &err);
    cr_assert(a);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", drom_http_port(a));
    struct drom_http *b = drom_http_start(addr, &h, NULL, &err);
    cr_expect_null(b);
    cr_expect(strstr(err.msg, "in use"), "%s", err.msg);
    drom_http_stop(b);
    drom_http_stop(a);
}
