/* The exchange: what flows through a route. Headers and properties are
 * typed values looked up case-insensitively (as Camel's headers are); the
 * body is a refcounted byte buffer with a content type, or null (a Kafka
 * tombstone). The body is the only shared object: copies made for multicast
 * or wireTap share it until one of them sets a new body.
 *
 * Ownership: whoever holds an exchange owns it and frees it with
 * drom_exchange_free, except that drom_consumer_submit (runtime/component.h)
 * takes it. Setters copy their arguments. An exchange is used by one thread
 * at a time; only the body's refcount is atomic. */
#ifndef DROM_RUNTIME_EXCHANGE_H
#define DROM_RUNTIME_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum drom_vtype { DROM_V_NULL, DROM_V_STRING, DROM_V_INT, DROM_V_BOOL, DROM_V_JSON, DROM_V_BYTES };

/* STRING, JSON (JSON text) and BYTES keep bytes in s/len (NUL-terminated
 * for convenience; len excludes it). */
struct drom_value {
    enum drom_vtype type;
    int64_t i;
    bool b;
    char *s;
    size_t len;
};

struct drom_header {
    char *name;
    struct drom_value v;
};

struct drom_headers {
    struct drom_header *items;
    size_t n, cap;
};

struct drom_body;   /* refcounted bytes */

struct drom_exchange {
    char *id;                     /* unique per process, like Camel's exchangeId */
    const char *route_id;         /* borrowed from the graph */
    const char *from_uri;         /* borrowed, masked */
    struct drom_headers headers;
    struct drom_headers props;    /* exchange properties */
    struct drom_body *body;       /* NULL = null body */
    char *content_type;           /* NULL when unknown */
    int64_t created_us;           /* CLOCK_REALTIME, for latency */
    /* Set when processing failed; cleared when an error handler handles it. */
    bool failed;
    char *exception;              /* message of the failure, like CamelExceptionCaught */
    void *engine;                 /* the engine's bookkeeping; components leave it alone */
};

struct drom_exchange *drom_exchange_new(void);
/* A copy with its own headers and properties and a shared body. */
struct drom_exchange *drom_exchange_copy(const struct drom_exchange *ex);
void drom_exchange_free(struct drom_exchange *ex);

/* Body. */
void drom_exchange_set_body(struct drom_exchange *ex, const void *data, size_t len, const char *content_type);
void drom_exchange_set_body_str(struct drom_exchange *ex, const char *s, const char *content_type);
/* Adopts `data` (malloc'ed, len bytes, NUL at data[len] not required) as the
 * body without copying it; the body frees it. */
void drom_exchange_set_body_take(struct drom_exchange *ex, char *data, size_t len, const char *content_type);
void drom_exchange_set_body_null(struct drom_exchange *ex);
bool drom_exchange_body_is_null(const struct drom_exchange *ex);
/* Borrowed view: valid until the body changes. NUL-terminated; NULL for a null body. */
const char *drom_exchange_body(const struct drom_exchange *ex, size_t *len);

/* Headers (case-insensitive names). Setting replaces. Getters borrow. */
void drom_headers_set(struct drom_headers *h, const char *name, const struct drom_value *v);
void drom_headers_set_str(struct drom_headers *h, const char *name, const char *s);
void drom_headers_set_int(struct drom_headers *h, const char *name, int64_t i);
void drom_headers_set_bool(struct drom_headers *h, const char *name, bool b);
void drom_headers_set_json(struct drom_headers *h, const char *name, const char *json);
void drom_headers_set_bytes(struct drom_headers *h, const char *name, const void *data, size_t len);
const struct drom_value *drom_headers_get(const struct drom_headers *h, const char *name);
/* String form of a header ("" for null), borrowed; NULL when absent. Ints
 * and bools are rendered into the value's cache on first use. */
const char *drom_headers_get_str(const struct drom_headers *h, const char *name);
bool drom_headers_remove(struct drom_headers *h, const char *name);
/* Removes every header whose name matches the Camel pattern: "*" or a
 * prefix ending with "*", else exact (case-insensitive). Returns the count. */
size_t drom_headers_remove_pattern(struct drom_headers *h, const char *pattern);
void drom_headers_copy(struct drom_headers *dst, const struct drom_headers *src);
void drom_headers_clear(struct drom_headers *h);

/* Shorthands on the exchange. */
#define drom_exchange_header(ex, name) drom_headers_get_str(&(ex)->headers, name)

/* Values. */
void drom_value_copy(struct drom_value *dst, const struct drom_value *src);
void drom_value_clear(struct drom_value *v);
/* Text form: strings and JSON as-is, ints in decimal, bools true/false, null "". */
const char *drom_value_str(const struct drom_value *v, char *tmp, size_t tmpsize);

/* Marks the exchange failed with a message (copied); the error handler reads it. */
void drom_exchange_fail(struct drom_exchange *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void drom_exchange_clear_failure(struct drom_exchange *ex);

int64_t drom_now_us(void);        /* CLOCK_REALTIME in microseconds */
int64_t drom_monotonic_ms(void);  /* CLOCK_MONOTONIC in milliseconds */
/* `ms` from now on CLOCK_REALTIME: the deadline pthread_cond_timedwait takes. */
struct timespec drom_deadline_in(int64_t ms);

#endif
