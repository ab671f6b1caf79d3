#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "runtime/http.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct drom_http {
    struct MHD_Daemon *mhd;
    struct drom_http_handlers h;
    int port;
};

enum slot { SLOT_LIVE, SLOT_READY, SLOT_METRICS, SLOT_ROUTES, SLOT_PAGE, SLOT_GRAPH, SLOT_STATUS };

static const struct {
    const char *path;
    enum slot slot;
    const char *content_type;
} paths[] = {
    {"/health/live", SLOT_LIVE, "application/json"},
    {"/observe/health/live", SLOT_LIVE, "application/json"},
    {"/health/ready", SLOT_READY, "application/json"},
    {"/observe/health/ready", SLOT_READY, "application/json"},
    {"/metrics", SLOT_METRICS, "text/plain; version=0.0.4; charset=utf-8"},
    {"/routes", SLOT_ROUTES, "application/json"},
    {"/", SLOT_PAGE, "text/html; charset=utf-8"},
    {"/graph.dot", SLOT_GRAPH, "text/vnd.graphviz; charset=utf-8"},
    {"/status", SLOT_STATUS, "application/json"},
};

static drom_http_fn handler_for(const struct drom_http_handlers *h, enum slot s)
{
    switch (s) {
    case SLOT_LIVE: return h->live;
    case SLOT_READY: return h->ready;
    case SLOT_METRICS: return h->metrics;
    case SLOT_ROUTES: return h->routes;
    case SLOT_PAGE: return h->page;
    case SLOT_GRAPH: return h->graph;
    case SLOT_STATUS: return h->status;
    }
    return NULL;
}

/* --- address ------------------------------------------------------------ */

int drom_http_split_addr(const char *addr, char *host, size_t hsize, char *port, size_t psize,
                         struct drom_error *err)
{
    const char *colon;
    const char *h = addr;
    size_t hlen;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':')
            return drom_err(err, DROM_EINVAL, "bad address '%s': expected [IPV6]:PORT", addr);
        h = addr + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon)
            return drom_err(err, DROM_EINVAL, "bad address '%s': expected ADDR:PORT", addr);
        hlen = (size_t)(colon - addr);
    }
    const char *p = colon + 1;
    size_t plen = strlen(p);
    if (plen == 0 || plen >= psize || strspn(p, "0123456789") != plen || atol(p) > 65535)
        return drom_err(err, DROM_EINVAL, "bad address '%s': port must be 0..65535", addr);
    if (hlen >= hsize)
        return drom_err(err, DROM_EINVAL, "bad address '%s': host too long", addr);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memcpy(port, p, plen + 1);
    return 0;
}

static struct addrinfo *resolve(const char *addr, struct drom_error *err)
{
    char host[256], port[8];
    if (drom_http_split_addr(addr, host, sizeof host, port, sizeof port, err) < 0)
        return NULL;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc != 0) {
        drom_err(err, DROM_EINVAL, "bad address '%s': %s", addr, gai_strerror(rc));
        return NULL;
    }
    return res;
}

int drom_http_check_addr(const char *addr, struct drom_error *err)
{
    struct addrinfo *res = resolve(addr, err);
    if (!res)
        return -1;
    freeaddrinfo(res);
    return 0;
}

/* We bind ourselves so that a failure says why (address in use, no such
 * address) instead of libmicrohttpd's bare NULL. */
static int listen_on(const char *addr, int *family, int *port, struct drom_error *err)
{
    struct addrinfo *res = resolve(addr, err);
    if (!res)
        return -1;
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0) {
            *family = ai->ai_family;
            break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return drom_err(err, DROM_EIO, "cannot listen on %s: %s", addr, strerror(saved));
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        char serv[16];
        if (getnameinfo((struct sockaddr *)&ss, len, NULL, 0, serv, sizeof serv, NI_NUMERICSERV) == 0)
            *port = atoi(serv);
    }
    return fd;
}

/* --- requests ----------------------------------------------------------- */

static enum MHD_Result send_answer(struct MHD_Connection *c, unsigned status,
                                   const char *content_type, const char *body, size_t len,
                                   bool allow)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    /* The status page loads nothing from elsewhere and may not be framed. */
    if (strncmp(content_type, "text/html", 9) == 0) {
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                                "connect-src 'self'; img-src data:; frame-ancestors 'none'");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text,
                                 bool allow)
{
    return send_answer(c, status, "text/plain; charset=utf-8", text, strlen(text), allow);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct drom_http *srv = cls;
    size_t i;
    for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (strcmp(url, paths[i].path) == 0)
            break;
    bool known = i < sizeof paths / sizeof paths[0];
    drom_http_fn fn = known ? handler_for(&srv->h, paths[i].slot) : NULL;
    /* A wrong method is refused on the first call, before any request body
     * is read (libmicrohttpd then closes the connection). Everything else is
     * answered on the second call, once the request is complete, which keeps
     * the connection alive; a body sent with GET is read and dropped. */
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return fn ? send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed\n", true)
                  : send_text(c, MHD_HTTP_NOT_FOUND, "Not Found\n", false);
    if (*con_cls == NULL) {
        *con_cls = srv;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!fn)
        return send_text(c, MHD_HTTP_NOT_FOUND, "Not Found\n", false);

    struct drom_buf body = DROM_BUF_INIT;
    int status = fn(srv->h.ctx, &body);
    if (status < 100 || status > 599)
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    /* For HEAD libmicrohttpd sends the headers (Content-Length included) only. */
    enum MHD_Result ret = send_answer(c, (unsigned)status, paths[i].content_type,
                                      drom_buf_cstr(&body), body.len, false);
    drom_buf_free(&body);
    return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    drom_debug("http", "%s", line);
}

/* --- server ------------------------------------------------------------- */

struct drom_http *drom_http_start(const char *addr, const struct drom_http_handlers *h,
                                  const struct drom_http_limits *limits, struct drom_error *err)
{
    struct drom_http_limits lim = limits ? *limits : (struct drom_http_limits){0};
    if (!lim.max_connections)
        lim.max_connections = 32;
    if (!lim.per_ip_connections)
        lim.per_ip_connections = 16;
    if (!lim.timeout_s)
        lim.timeout_s = 10;
    if (!lim.conn_memory)
        lim.conn_memory = 16 * 1024;

    int family = AF_INET, port = 0;
    int fd = listen_on(addr, &family, &port, err);
    if (fd < 0)
        return NULL;
    struct drom_http *srv = drom_xcalloc(1, sizeof *srv);
    srv->h = *h;
    srv->port = port;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    srv->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)lim.max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)lim.per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)lim.timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)lim.conn_memory,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_END);
    if (!srv->mhd) {
        close(fd);
        free(srv);
        drom_err(err, DROM_EIO, "cannot start the HTTP server on %s", addr);
        return NULL;
    }
    return srv;
}

int drom_http_port(const struct drom_http *srv)
{
    return srv->port;
}

void drom_http_stop(struct drom_http *srv)
{
    if (!srv)
        return;
    MHD_stop_daemon(srv->mhd);   /* also closes the listening socket */
    free(srv);
}
