#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmd/dromd/client.h"
#include "runtime/http.h"

/* Our own server answers a few KB; anything this large is not it. */
#define MAX_ANSWER (16u << 20)

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_for(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

static int connect_to(const char *addr, long long deadline, struct drom_error *err)
{
    char host[256], port[8];
    if (drom_http_split_addr(addr, host, sizeof host, port, sizeof port, err) < 0)
        return -1;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &res);
    if (rc != 0)
        return drom_err(err, DROM_ECONNECT, "cannot resolve %s: %s", addr, gai_strerror(rc));
    int fd = -1, saved = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        if (errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline) > 0) {
            int soerr = 0;
            socklen_t len = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            if (soerr == 0)
                break;
            saved = soerr;
        } else {
            saved = errno == EINPROGRESS ? ETIMEDOUT : errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return drom_err(err, DROM_ECONNECT, "cannot connect to %s: %s", addr, strerror(saved));
    return fd;
}

static int send_all(int fd, const char *data, size_t len, long long deadline)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_for(fd, POLLOUT, deadline) <= 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Reads until the server closes (we ask it to) or the deadline. */
static int recv_all(int fd, struct drom_buf *raw, long long deadline)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            drom_buf_append(raw, chunk, (size_t)n);
            if (raw->len > MAX_ANSWER)
                return -1;
        } else if (n == 0) {
            return 0;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (wait_for(fd, POLLIN, deadline) <= 0)
                return -1;
        } else {
            return -1;
        }
    }
}

int dromd_http_get(const char *addr, const char *path, int timeout_ms, struct drom_buf *body,
                   struct drom_error *err)
{
    long long deadline = now_ms() + timeout_ms;
    int fd = connect_to(addr, deadline, err);
    if (fd < 0)
        return -1;
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: dromd\r\nAccept: */*\r\n"
                     "Connection: close\r\n\r\n", path, addr);
    struct drom_buf raw = DROM_BUF_INIT;
    int rc = -1;
    if (n < 0 || (size_t)n >= sizeof req) {
        drom_err(err, DROM_EINVAL, "request path too long");
    } else if (send_all(fd, req, (size_t)n, deadline) < 0 || recv_all(fd, &raw, deadline) < 0) {
        drom_err(err, DROM_EIO, "no complete answer from %s within %d ms", addr, timeout_ms);
    } else {
        int major, minor, status;
        const char *text = drom_buf_cstr(&raw);
        const char *sep = strstr(text, "\r\n\r\n");
        if (sscanf(text, "HTTP/%d.%d %d", &major, &minor, &status) != 3 || !sep) {
            drom_err(err, DROM_EIO, "%s did not answer HTTP", addr);
        } else {
            drom_buf_append(body, sep + 4, raw.len - (size_t)(sep + 4 - text));
            rc = status;
        }
    }
    drom_buf_free(&raw);
    close(fd);
    return rc;
}
