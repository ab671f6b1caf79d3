/* The service's HTTP port: health, metrics and status, served by
 * libmicrohttpd. The server knows nothing of the engine: each path's answer
 * comes from a callback the main provides, so the same server runs in tests
 * with fake callbacks.
 *
 * Paths (GET and HEAD only; other methods get 405 with `Allow: GET, HEAD`,
 * unknown paths 404):
 *   /health/live,  /observe/health/live   -> live     (application/json)
 *   /health/ready, /observe/health/ready  -> ready    (application/json)
 *   /metrics                              -> metrics  (Prometheus text 0.0.4)
 *   /routes                               -> routes   (application/json)
 *   /                                     -> page     (text/html: the live status page)
 *   /graph.dot                            -> graph    (the routes as `dromc graph` draws them)
 *   /status                               -> status   (application/json: what the page shows)
 *
 * Threads: libmicrohttpd runs one internal thread; every callback is called
 * on it, one request at a time, so callbacks must only read state that is
 * safe to read from another thread. drom_http_start/stop are called by the
 * owner's thread. */
#ifndef DROM_RUNTIME_HTTP_H
#define DROM_RUNTIME_HTTP_H

#include <stddef.h>

#include "runtime/buf.h"
#include "runtime/error.h"

/* Appends the body to `body` (empty on entry) and returns the HTTP status.
 * A NULL callback answers 404 for its paths. Must never put a secret in the
 * body. */
typedef int (*drom_http_fn)(void *ctx, struct drom_buf *body);

struct drom_http_handlers {
    void *ctx;                  /* passed to every callback, borrowed */
    drom_http_fn live;
    drom_http_fn ready;
    drom_http_fn metrics;
    drom_http_fn routes;
    drom_http_fn page;
    drom_http_fn graph;
    drom_http_fn status;
};

/* Limits; a zero field takes the default in brackets. */
struct drom_http_limits {
    unsigned max_connections;   /* [32] concurrent connections in all */
    unsigned per_ip_connections;/* [16] */
    unsigned timeout_s;         /* [10] idle connection timeout */
    size_t conn_memory;         /* [16 KiB] per connection: request line + headers;
                                 * a request larger than this gets 431 or a close */
};

struct drom_http;

/* Splits "ADDR:PORT" into host (brackets of an IPv6 address removed; empty
 * for ":PORT") and port; also used by clients of the server. */
int drom_http_split_addr(const char *addr, char *host, size_t hsize, char *port, size_t psize,
                         struct drom_error *err);
/* Splits "ADDR:PORT" ("127.0.0.1:8080", "[::1]:9090", "localhost:0",
 * ":8080" for every address) and resolves it. Port 0 takes a free port. */
int drom_http_check_addr(const char *addr, struct drom_error *err);

/* Binds `addr` and starts serving. `h` is copied; `h->ctx` must outlive the
 * server. `limits` may be NULL. */
struct drom_http *drom_http_start(const char *addr, const struct drom_http_handlers *h,
                                  const struct drom_http_limits *limits, struct drom_error *err);
/* The port actually bound (useful with port 0). */
int drom_http_port(const struct drom_http *srv);
/* Stops accepting, closes every connection and frees; NULL is fine.
 * No callback runs after it returns. */
void drom_http_stop(struct drom_http *srv);

#endif
