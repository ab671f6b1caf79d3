#include "components/mysql-binlog/mb_early.h"

#include <stdlib.h>

#include "components/mysql-binlog/mb_source.h"
#include "runtime/engine.h"

static void *probe_main(void *arg)
{
    struct mb_probe *p = arg;
    pthread_setname_np(pthread_self(), "produced-probe");
    p->rc = drom_route_produced_ids(p->ep, p->timeout_ms, &p->ids, &p->n, &p->what, &p->err);
    return NULL;
}

void mb_probe_start(struct mb_probe *p, struct drom_endpoint *ep, int64_t timeout_ms)
{
    *p = (struct mb_probe){.ep = ep, .timeout_ms = timeout_ms};
    p->started = pthread_create(&p->thread, NULL, probe_main, p) == 0;
}

static void probe_wait(struct mb_probe *p)
{
    if (p->done)
        return;
    if (p->started)
        pthread_join(p->thread, NULL);
    else
        probe_main(p);
    p->started = false;
    p->done = true;
}

int mb_probe_take(struct mb_probe *p, char ***ids, size_t *n, const char **what, struct drom_error *err)
{
    probe_wait(p);
    *ids = p->ids;
    *n = p->n;
    *what = p->what;
    p->ids = NULL;
    p->n = 0;
    if (p->rc < 0)
        *err = p->err;
    return p->rc;
}

void mb_probe_end(struct mb_probe *p)
{
    if (!p->started && !p->done)
        return;   /* never started */
    probe_wait(p);
    for (size_t i = 0; i < p->n; i++)
        free(p->ids[i]);
    free(p->ids);
    p->ids = NULL;
    p->n = 0;
}

static void *early_main(void *arg)
{
    struct mb_src *s = arg;
    pthread_setname_np(pthread_self(), "binlog-connect");
    struct drom_error err = {0};
    /* a failure is met again by the stream's own connect, which says it */
    s->early.m = mb_connect(s, true, &err);
    return NULL;
}

void mb_early_begin(struct mb_src *s, struct mb_probe *probe, int64_t probe_ms)
{
    *probe = (struct mb_probe){0};
    if (!s->start_reset)
        mb_probe_start(probe, s->ep, probe_ms);
    s->early.m = NULL;
    s->early.started = false;
    enum mb_snapshot_mode mode = s->cfg.snapshot;
    if (mode != MB_SNAP_ALWAYS && mode != MB_SNAP_INITIAL_ONLY && !s->blocking &&
        (s->have_start ? !s->start.snapshot : mode == MB_SNAP_NO_DATA || mode == MB_SNAP_NEVER))
        s->early.started = pthread_create(&s->early.thread, NULL, early_main, s) == 0;
}

MYSQL *mb_early_take(struct mb_src *s)
{
    if (!s->early.started)
        return NULL;
    pthread_join(s->early.thread, NULL);
    s->early.started = false;
    MYSQL *m = s->early.m;
    s->early.m = NULL;
    return m;
}

void mb_early_drop(struct mb_src *s)
{
    MYSQL *m = mb_early_take(s);
    if (!m)
        return;
    pthread_mutex_lock(&s->mu);
    if (s->conn[0] == m)
        s->conn[0] = NULL;
    pthread_mutex_unlock(&s->mu);
    mysql_close(m);
}
