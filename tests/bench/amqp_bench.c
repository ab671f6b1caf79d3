/* Throughput of the amqp producer and consumer through the engine: N
 * durable messages of SIZE bytes sent by a route to a fresh queue (each
 * completed by the broker's accepted disposition), then read back by a
 * consumer route. Prints messages/s; asserts nothing.
 * usage: amqp_bench AMQP_URI USER PASSWORD QUEUE N SIZE */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/compile.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/xalloc.h"

struct src {
    struct drom_endpoint *ep;
    atomic_llong committed;
};

static void *src_new(void *arg)
{
    struct src *s = drom_xcalloc(1, sizeof *s);
    atomic_store(&s->committed, -1);
    return s;
}

static int src_create(struct drom_endpoint *ep, struct drom_error *err)
{
    struct src *s = drom_engine_shared(drom_endpoint_engine(ep), "bench-src", src_new, NULL, free);
    s->ep = ep;
    ep->state = s;
    return 0;
}

static int src_start(struct drom_endpoint *ep, struct drom_error *err)
{
    return 0;
}

static void src_commit(struct drom_endpoint *ep, const void *pos)
{
    struct src *s = ep->state;
    atomic_store(&s->committed, *(const long long *)pos);
}

static const struct drom_component src_component = {
    .name = "src", .roles = DROM_ROLE_CONSUMER, .create = src_create, .start = src_start,
    .commit = src_commit, .position_free = free,
};

struct sink {
    atomic_llong n;
};

static void *sink_new(void *arg)
{
    return drom_xcalloc(1, sizeof(struct sink));
}

static int sink_create(struct drom_endpoint *ep, struct drom_error *err)
{
    ep->state = drom_engine_shared(drom_endpoint_engine(ep), "bench-sink", sink_new, NULL, free);
    return 0;
}

static enum drom_status sink_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    atomic_fetch_add(&((struct sink *)ep->state)->n, 1);
    return DROM_DONE;
}

static const struct drom_component sink_component = {
    .name = "sink", .roles = DROM_ROLE_PRODUCER, .create = sink_create, .produce = sink_produce,
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct drom_engine *run(const char *xml, struct drom_graph *g)
{
    struct drom_diags d = DROM_DIAGS_INIT;
    if (drom_compile_mem(xml, strlen(xml), "bench.xml", NULL, g, &d) < 0) {
        drom_diags_print(&d, stderr);
        exit(2);
    }
    drom_diags_free(&d);
    for (size_t r = 0; r < g->nroutes; r++) {
        if (strncmp(g->routes[r].from.uri, "timer:", 6) == 0)
            g->routes[r].from.comp = &src_component;
        for (size_t i = 0; i < g->routes[r].nsteps; i++)
            if (g->routes[r].steps[i].endpoint && strncmp(g->routes[r].steps[i].endpoint->uri, "mock:", 5) == 0)
                g->routes[r].steps[i].endpoint->comp = &sink_component;
    }
    struct drom_engine_options o = {.quiet = true};
    struct drom_error err = {0};
    struct drom_engine *eng = drom_engine_new(g, &o, &err);
    if (!eng || drom_engine_start(eng, &err) < 0) {
        fprintf(stderr, "amqp_bench: %s\n", err.msg);
        exit(2);
    }
    return eng;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s AMQP_URI USER PASSWORD QUEUE N SIZE\n", argv[0]);
        return 2;
    }
    drom_log_configure(DROM_LOG_WARN, DROM_LOG_TEXT);
    const char *uri = argv[1], *user = argv[2], *pass = argv[3], *queue = argv[4];
    long long n = atoll(argv[5]);
    size_t size = (size_t)atoll(argv[6]);
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<routes><route id=\"send\"><from uri=\"timer:bench\"/>"
             "<to uri=\"sjms2:queue:%s?remoteURI=%s&amp;username=%s&amp;password=%s\"/></route></routes>",
             queue, uri, user, pass);
    struct drom_graph g = {0};
    struct drom_engine *eng = run(xml, &g);
    struct src *s = drom_engine_shared_find(eng, "bench-src");
    char *body = drom_xmalloc(size + 1);
    memset(body, 'x', size);
    body[size] = '\0';
    double t0 = now_s();
    for (long long i = 0; i < n; i++) {
        struct drom_exchange *ex = drom_exchange_new();
        drom_exchange_set_body(ex, body, size, "text/plain");
        char id[64];
        snprintf(id, sizeof id, "bench:%s:%lld", queue, i);
        drom_headers_set_str(&ex->headers, "DromEventId", id);
        long long *p = malloc(sizeof *p);
        *p = i;
        struct drom_error err = {0};
        if (drom_consumer_submit(s->ep, ex, p, &err) < 0) {
            fprintf(stderr, "amqp_bench: %s\n", err.msg);
            return 1;
        }
    }
    while (atomic_load(&s->committed) < n - 1)
        pause_ms(1);
    double t1 = now_s();
    struct drom_error err = {0};
    drom_engine_stop(eng, 10000, &err);
    drom_engine_free(eng);
    drom_graph_free(&g);
    printf("dromedary producer: %lld durable messages of %zu B accepted in %.2f s: %.0f msg/s\n", n, size, t1 - t0,
           n / (t1 - t0));

    snprintf(xml, sizeof xml,
             "<routes><route id=\"recv\"><from uri=\"sjms2:queue:%s?remoteURI=%s&amp;username=%s&amp;password=%s\"/>"
             "<to uri=\"mock:sink\"/></route></routes>",
             queue, uri, user, pass);
    struct drom_graph g2 = {0};
    double t2 = now_s();
    eng = run(xml, &g2);
    struct sink *k = drom_engine_shared_find(eng, "bench-sink");
    while (atomic_load(&k->n) < n)
        pause_ms(1);
    double t3 = now_s();
    drom_engine_stop(eng, 10000, &err);
    drom_engine_free(eng);
    drom_graph_free(&g2);
    printf("dromedary consumer: %lld messages received and accepted in %.2f s: %.0f msg/s\n", n, t3 - t2,
           n / (t3 - t2));
    free(body);
    return 0;
}
