/* The client side of `dromd status` and `dromd health`: one GET over a
 * socket to a running dromd, so a container health check needs no curl.
 * It only ever talks to our own server (runtime/http.c), which answers with
 * a Content-Length and closes when asked. */
#ifndef DROMD_CLIENT_H
#define DROMD_CLIENT_H

#include "runtime/buf.h"
#include "runtime/error.h"

/* GETs `path` from `addr` ("HOST:PORT", "[V6]:PORT") within `timeout_ms`
 * overall. On success returns the HTTP status and appends the body to
 * `body` (owned by the caller); -1 with err when it could not connect or
 * the answer was not HTTP. */
int dromd_http_get(const char *addr, const char *path, int timeout_ms, struct drom_buf *body,
                   struct drom_error *err);

#endif
