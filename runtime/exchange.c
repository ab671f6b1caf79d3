#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "runtime/exchange.h"
#include "runtime/xalloc.h"

/* The bytes live after the header (a body built by copying) or in a buffer
 * the body adopted (drom_exchange_set_body_take), freed with it. */
struct drom_body {
    atomic_int refs;
    size_t len;
    char *data;          /* NUL at data[len] */
    char inline_data[];
};

static struct drom_body *body_new(size_t len)
{
    struct drom_body *b = drom_xmalloc(sizeof *b + len + 1);
    atomic_init(&b->refs, 1);
    b->len = len;
    b->data = b->inline_data;
    b->data[len] = '\0';
    return b;
}

static struct drom_body *body_adopt(char *data, size_t len)
{
    struct drom_body *b = drom_xmalloc(sizeof *b);
    atomic_init(&b->refs, 1);
    b->len = len;
    /* Usually a shrink in place: the buffer already had room for the NUL. */
    b->data = drom_xrealloc(data, len + 1);
    b->data[len] = '\0';
    return b;
}

static void body_release(struct drom_body *b)
{
    if (!b || atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    if (b->data != b->inline_data)
        free(b->data);
    free(b);
}

int64_t drom_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct timespec drom_deadline_in(int64_t ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    int64_t ns = dl.tv_nsec + (ms % 1000) * 1000000;
    dl.tv_sec += ms / 1000 + ns / 1000000000;
    dl.tv_nsec = ns % 1000000000;
    return dl;
}

int64_t drom_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static atomic_uint_fast64_t exchange_counter;

static char id_prefix[32];
static size_t id_prefix_len;
static pthread_once_t id_once = PTHREAD_ONCE_INIT;

static void id_init(void)
{
    int n = snprintf(id_prefix, sizeof id_prefix, "ID-drom-%d-", (int)getpid());
    id_prefix_len = n > 0 ? (size_t)n : 0;
}

struct drom_exchange *drom_exchange_new(void)
{
    struct drom_exchange *ex = drom_xcalloc(1, sizeof *ex);
    uint64_t n = atomic_fetch_add(&exchange_counter, 1) + 1;
    /* Camel's ids read ID-<host>-<start>-<n>; the pid keeps ours unique per
     * process. Made by hand: one is made for every change, and printf and
     * getpid() were a visible part of a change's cost. */
    pthread_once(&id_once, id_init);
    char *id = drom_xmalloc(id_prefix_len + 17);
    memcpy(id, id_prefix, id_prefix_len);
    for (int i = 15; i >= 0; i--, n >>= 4)
        id[id_prefix_len + (size_t)i] = "0123456789ABCDEF"[n & 15];
    id[id_prefix_len + 16] = '\0';
    ex->id = id;
    ex->created_us = drom_now_us();
    return ex;
}

struct drom_exchange *drom_exchange_copy(const struct drom_exchange *src)
{
    struct drom_exchange *ex = drom_exchange_new();
    ex->route_id = src->route_id;
    ex->from_uri = src->from_uri;
    drom_headers_copy(&ex->headers, &src->headers);
    drom_headers_copy(&ex->props, &src->props);
    ex->body = src->body;
    if (ex->body)
        atomic_fetch_add(&ex->body->refs, 1);
    ex->content_type = drom_xstrdup(src->content_type);
    ex->created_us = src->created_us;
    ex->failed = src->failed;
    ex->exception = drom_xstrdup(src->exception);
    return ex;
}

void drom_exchange_free(struct drom_exchange *ex)
{
    if (!ex)
        return;
    drom_headers_clear(&ex->headers);
    drom_headers_clear(&ex->props);
    body_release(ex->body);
    free(ex->content_type);
    free(ex->exception);
    free(ex->id);
    free(ex);
}

static void set_content_type(struct drom_exchange *ex, const char *content_type)
{
    free(ex->content_type);
    ex->content_type = drom_xstrdup(content_type);
}

void drom_exchange_set_body(struct drom_exchange *ex, const void *data, size_t len, const char *content_type)
{
    struct drom_body *b = body_new(len);
    if (len)
        memcpy(b->data, data, len);
    body_release(ex->body);
    ex->body = b;
    set_content_type(ex, content_type);
}

void drom_exchange_set_body_str(struct drom_exchange *ex, const char *s, const char *content_type)
{
    drom_exchange_set_body(ex, s, strlen(s), content_type);
}

void drom_exchange_set_body_take(struct drom_exchange *ex, char *data, size_t len, const char *content_type)
{
    struct drom_body *b = body_adopt(data, len);
    body_release(ex->body);
    ex->body = b;
    set_content_type(ex, content_type);
}

void drom_exchange_set_body_null(struct drom_exchange *ex)
{
    body_release(ex->body);
    ex->body = NULL;
    set_content_type(ex, NULL);
}

bool drom_exchange_body_is_null(const struct drom_exchange *ex)
{
    return ex->body == NULL;
}

const char *drom_exchange_body(const struct drom_exchange *ex, size_t *len)
{
    if (!ex->body) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = ex->body->len;
    return ex->body->data;
}

void drom_value_clear(struct drom_value *v)
{
    free(v->s);
    memset(v, 0, sizeof *v);
}

void drom_value_copy(struct drom_value *dst, const struct drom_value *src)
{
    *dst = *src;
    if (src->s)
        dst->s = drom_xstrndup(src->s, src->len);
}

const char *drom_value_str(const struct drom_value *v, char *tmp, size_t tmpsize)
{
    switch (v->type) {
    case DROM_V_NULL: return "";
    case DROM_V_INT: snprintf(tmp, tmpsize, "%" PRId64, v->i); return tmp;
    case DROM_V_BOOL: return v->b ? "true" : "false";
    default: return v->s ? v->s : "";
    }
}

static struct drom_header *find(const struct drom_headers *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->items[i].name, name) == 0)
            return &h->items[i];
    return NULL;
}

static struct drom_value *slot(struct drom_headers *h, const char *name)
{
    struct drom_header *e = find(h, name);
    if (e) {
        drom_value_clear(&e->v);
        return &e->v;
    }
    drom_xgrow((void **)&h->items, &h->cap, h->n + 1, sizeof *h->items);
    e = &h->items[h->n++];
    e->name = drom_xstrdup(name);
    memset(&e->v, 0, sizeof e->v);
    return &e->v;
}

void drom_headers_set(struct drom_headers *h, const char *name, const struct drom_value *v)
{
    struct drom_value copy;
    drom_value_copy(&copy, v); /* v may point into h */
    *slot(h, name) = copy;
}

static void set_bytes(struct drom_headers *h, const char *name, enum drom_vtype t, const void *data, size_t len)
{
    struct drom_value *v = slot(h, name);
    v->type = t;
    v->s = drom_xstrndup(data, len);
    v->len = len;
}

void drom_headers_set_str(struct drom_headers *h, const char *name, const char *s)
{
    if (!s) {
        slot(h, name)->type = DROM_V_NULL;
        return;
    }
    set_bytes(h, name, DROM_V_STRING, s, strlen(s));
}

void drom_headers_set_json(struct drom_headers *h, const char *name, const char *json)
{
    set_bytes(h, name, DROM_V_JSON, json, strlen(json));
}

void drom_headers_set_bytes(struct drom_headers *h, const char *name, const void *data, size_t len)
{
    set_bytes(h, name, DROM_V_BYTES, data, len);
}

void drom_headers_set_int(struct drom_headers *h, const char *name, int64_t i)
{
    struct drom_value *v = slot(h, name);
    v->type = DROM_V_INT;
    v->i = i;
}

void drom_headers_set_bool(struct drom_headers *h, const char *name, bool b)
{
    struct drom_value *v = slot(h, name);
    v->type = DROM_V_BOOL;
    v->b = b;
}

const struct drom_value *drom_headers_get(const struct drom_headers *h, const char *name)
{
    struct drom_header *e = find(h, name);
    return e ? &e->v : NULL;
}

const char *drom_headers_get_str(const struct drom_headers *h, const char *name)
{
    struct drom_header *e = find(h, name);
    if (!e)
        return NULL;
    struct drom_value *v = &e->v;
    if ((v->type == DROM_V_INT || v->type == DROM_V_BOOL) && !v->s) {
        char tmp[32];
        const char *s = drom_value_str(v, tmp, sizeof tmp);
        v->s = drom_xstrdup(s);
        v->len = strlen(s);
    }
    return v->type == DROM_V_NULL ? "" : (v->s ? v->s : "");
}

static void header_free(struct drom_header *e)
{
    free(e->name);
    drom_value_clear(&e->v);
}

bool drom_headers_remove(struct drom_headers *h, const char *name)
{
    struct drom_header *e = find(h, name);
    if (!e)
        return false;
    header_free(e);
    size_t i = (size_t)(e - h->items);
    memmove(e, e + 1, (h->n - i - 1) * sizeof *e);
    h->n--;
    return true;
}

static bool pattern_match(const char *pattern, const char *name)
{
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*')
        return strncasecmp(pattern, name, n - 1) == 0;
    return strcasecmp(pattern, name) == 0;
}

size_t drom_headers_remove_pattern(struct drom_headers *h, const char *pattern)
{
    size_t removed = 0, w = 0;
    for (size_t r = 0; r < h->n; r++) {
        if (pattern_match(pattern, h->items[r].name)) {
            header_free(&h->items[r]);
            removed++;
        } else {
            h->items[w++] = h->items[r];
        }
    }
    h->n = w;
    return removed;
}

void drom_headers_copy(struct drom_headers *dst, const struct drom_headers *src)
{
    for (size_t i = 0; i < src->n; i++)
        drom_headers_set(dst, src->items[i].name, &src->items[i].v);
}

void drom_headers_clear(struct drom_headers *h)
{
    for (size_t i = 0; i < h->n; i++)
        header_free(&h->items[i]);
    free(h->items);
    memset(h, 0, sizeof *h);
}

void drom_exchange_fail(struct drom_exchange *ex, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(ex->exception);
    ex->exception = drom_xstrdup(msg);
    ex->failed = true;
}

void drom_exchange_clear_failure(struct drom_exchange *ex)
{
    ex->failed = false;
}
