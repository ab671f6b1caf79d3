/* Raw HTTP over a loopback socket for tests: sends exactly the bytes given
 * (so a test can send garbage) and reads the answer until the server closes
 * or the deadline passes. Header-only so that the unit and integration
 * binaries can both use it. */
#ifndef DROM_TESTS_RAWHTTP_H
#define DROM_TESTS_RAWHTTP_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/testenv.h"
struct rawhttp_answer {
    int status;         /* 0 when no status line came back (connection closed) */
    char *raw;          /* everything received, NUL-terminated; free with rawhttp_free */
    size_t len;
    const char *body;   /* points into raw, after the blank line; "" when none */
};

/* Returns 0 when it connected and sent (the answer may still be empty),
 * -1 when it could not connect. */
static inline int rawhttp_send(int port, const char *req, size_t reqlen, int timeout_ms,
                               struct rawhttp_answer *out)
{
    memset(out, 0, sizeof *out);
    out->raw = calloc(1, 1);
    out->body = out->raw;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    size_t off = 0;
    while (off < reqlen) {
        ssize_t n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;   /* the server may close on a request it refuses */
        off += (size_t)n;
    }
    long long deadline = ts_now_ms() + timeout_ms;
    size_t cap = 1;
    for (;;) {
        long long left = deadline - ts_now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            break;
        char chunk[4096];
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            break;
        if (out->len + (size_t)n + 1 > cap) {
            cap = (out->len + (size_t)n + 1) * 2;
            out->raw = realloc(out->raw, cap);
        }
        memcpy(out->raw + out->len, chunk, (size_t)n);
        out->len += (size_t)n;
        out->raw[out->len] = '\0';
    }
    close(fd);
    int major, minor, status;
    if (sscanf(out->raw, "HTTP/%d.%d %d", &major, &minor, &status) == 3)
        out->status = status;
    char *sep = strstr(out->raw, "\r\n\r\n");
    out->body = sep ? sep + 4 : out->raw + out->len;
    return 0;
}

/* GET (or another method) with Connection: close, so the answer ends at EOF. */
static inline int rawhttp_request(int port, const char *method, const char *path,
                                  struct rawhttp_answer *out)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                     method, path);
    return rawhttp_send(port, req, (size_t)n, 5000, out);
}

/* The value of header `name` (case-insensitive) copied into buf, or NULL. */
static inline const char *rawhttp_header(const struct rawhttp_answer *a, const char *name,
                                         char *buf, size_t size)
{
    size_t nlen = strlen(name);
    for (const char *line = strstr(a->raw, "\r\n"); line && line + 2 < a->body;
         line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, nlen) == 0 && h[nlen] == ':') {
            const char *v = h + nlen + 1;
            while (*v == ' ')
                v++;
            size_t vlen = strcspn(v, "\r\n");
            if (vlen >= size)
                vlen = size - 1;
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            return buf;
        }
    }
    return NULL;
}

static inline void rawhttp_free(struct rawhttp_answer *a)
{
    free(a->raw);
    a->raw = NULL;
}

#endif
