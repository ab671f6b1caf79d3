/* Inside the engine: what engine*.c, eip_*.c and errhandler.c share.
 * Not for components. Everything here is touched on the loop thread only,
 * except where a field says otherwise. */
#ifndef DROM_RUNTIME_ENGINE_INT_H
#define DROM_RUNTIME_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "runtime/engine.h"
#include "runtime/metrics.h"
#include "runtime/watermark.h"

struct eng_route;
struct xctx;

struct eng_endpoint {
    struct drom_endpoint ep;            /* first: components get &ep */
    struct drom_engine *eng;
    struct eng_route *route;
    const struct drom_gendpoint *g;
    bool created, started, is_from;
    struct drom_endpoint_metrics metrics;
    pthread_mutex_t mu;                 /* ready, reason, store_*: any thread */
    bool ready;
    char reason[512];   /* long enough for a refused TLS handshake with its fix */
    bool store_down;
    char store_reason[512];
    /* consumer side */
    struct drom_watermark *wm;
    bool wm_dirty, stop_on_failure, internal;
    bool commit_taken;                  /* a transactional producer writes the offsets */
    struct eng_endpoint *next;          /* all endpoints of the engine */
};

struct eng_step {
    const struct drom_step *g;
    enum drom_step_kind kind;
    struct eng_endpoint *ep;            /* TO, WIRETAP */
    struct eng_step *kids;              /* children; WIRETAP: one synthetic TO */
    size_t nkids;
    struct eng_route *route;
    void *state;                        /* the EIP's own (throttle window, toD cache) */
    void (*state_free)(struct drom_engine *eng, void *state);
    unsigned node;                      /* its node in `dromc graph` (r<route>_n<node>); 0: none */
    atomic_llong count;                 /* exchanges that reached it; any thread reads */
};

enum route_state { ROUTE_STOPPED, ROUTE_STARTED, ROUTE_STOPPING, ROUTE_FAILED, ROUTE_STANDBY };

struct eng_route {
    struct drom_engine *eng;
    const struct drom_route *g;
    size_t index;
    struct eng_endpoint *from;
    struct eng_step *steps;
    size_t nsteps;
    struct eng_step **onex;             /* per on_exception, its steps */
    struct eng_step dlq_step;           /* synthetic TO to the dead-letter endpoint */
    struct drom_route_metrics metrics;
    unsigned next_node;                 /* numbering steps as `dromc graph` does */
    pthread_mutex_t mu;                 /* below: any thread */
    pthread_cond_t cond;
    size_t inflight, window;
    bool accepting;
    enum route_state state;
    char last_error[512];
    int64_t started_ms;
    bool held;                          /* standby: endpoints not created (engine_hold.c); owner thread */
};

/* What a step answers to the runner. */
enum eip_result {
    EIP_NEXT,      /* go on with the next step (children pushed, if any, run first) */
    EIP_WAIT,      /* the exchange waits (producer, timer, children); x->state says which */
    EIP_FAIL,      /* x->ex is marked failed; the error handler decides */
    EIP_STOP,      /* <stop/>: the exchange is done, successfully */
};

enum frame_kind { FRAME_STEPS, FRAME_ONEX, FRAME_DLQ };

struct frame {
    struct eng_step *steps;
    size_t n, i;
    enum frame_kind kind;
    size_t onex;                        /* FRAME_ONEX: which clause */
};

enum xrole { X_TOP, X_BRANCH, X_DIRECT, X_TAP };
enum xstate { XS_READY, XS_RUNNING, XS_WAIT_PRODUCER, XS_WAIT_TIMER, XS_WAIT_CHILDREN, XS_DONE };

/* What a context does when the loop runs it next. */
enum eng_resume { R_NONE, R_NEXT, R_RERUN, R_FAIL, R_STOP, R_CHILDREN };

struct xctx {
    struct drom_engine *eng;
    struct eng_route *route;
    struct drom_exchange *ex;
    bool owns_ex;
    struct drom_exchange *original;     /* for useOriginalMessage */
    enum xrole role;
    enum xstate state;
    struct frame *frames;
    size_t nframes, capframes;
    /* X_TOP */
    struct eng_endpoint *source;
    uint64_t seq;
    bool has_seq;
    /* parent: X_BRANCH, X_DIRECT */
    struct xctx *parent;
    size_t branch_index;
    /* error handling */
    int attempts;                       /* redeliveries of the current step */
    enum drom_errcode fail_code;
    bool no_redeliver;
    bool handling;                      /* in an onException block or the dead-letter send */
    bool handled;                       /* ended through a handler */
    bool stopped;                       /* <stop/> reached (propagates through direct:) */
    const char *failure_uri;            /* CamelFailureEndpoint */
    /* what to do when the context runs next (enum eng_resume) */
    int resume;
    /* children of multicast/split */
    struct eng_step *kid_step;
    size_t kids_total, kids_started, kids_done;
    bool kids_parallel, kids_stop_on_exc, kids_failed;
    size_t kid_fail_index;
    enum drom_errcode kid_fail_code;
    char *kid_fail_msg;
    struct drom_exchange *kid_last;     /* multicast: the last branch's result */
    char **items;                       /* split parts */
    size_t *item_lens;
    bool *item_json;
    /* engine bookkeeping */
    struct xctx *prev_live, *next_live;
    struct xctx *next_run;
};

struct work;
struct eng_timer;

struct shared_entry {
    char *key;
    void *obj;
    void (*free_fn)(void *);
    struct shared_entry *next;
};

struct drom_engine {
    const struct drom_graph *graph;
    struct drom_engine_options opts;
    char *state_dir, *camel_context;
    struct drom_arena arena;            /* engine-lifetime allocations (toD endpoints) */
    struct eng_route *routes;
    size_t nroutes;
    pthread_mutex_t eps_mu;             /* the endpoint list: toD adds at run time */
    struct eng_endpoint *endpoints;     /* list */
    bool torn_down;                     /* endpoints destroyed: nothing runs any more (loop thread) */
    /* loop */
    pthread_t thread;
    bool thread_started;
    int epfd, evfd;
    pthread_mutex_t qmu;                /* the work queue: any thread */
    struct work *qhead, *qtail;
    bool quit;
    /* loop thread only */
    struct eng_timer *timers;           /* binary heap by due */
    size_t ntimers, captimers;
    uint64_t next_timer_id;
    struct xctx *live;                  /* every context */
    struct xctx *runq_head, *runq_tail;
    /* drain accounting: any thread, under drain_mu */
    pthread_mutex_t drain_mu;
    pthread_cond_t drain_cond;
    int64_t roots;                      /* X_TOP + X_TAP contexts alive */
    int64_t pending;                    /* drom_engine_pending_add */
    /* state */
    atomic_bool started, draining, stopped;
    pthread_mutex_t shared_mu;
    struct shared_entry *shared;
    struct drom_offset_store *offsets;
    struct drom_expr_env env;
};

/* engine_loop.c */
int eng_loop_start(struct drom_engine *eng, struct drom_error *err);
void eng_loop_quit(struct drom_engine *eng);
/* Runs fn(arg) on the loop thread and waits for it (directly when already there). */
void eng_call(struct drom_engine *eng, void (*fn)(void *arg), void *arg);
void eng_post_submit(struct drom_engine *eng, struct eng_endpoint *ep, struct drom_exchange *ex, void *pos);
void eng_post_complete(struct drom_engine *eng, struct xctx *x, enum drom_status st, const struct drom_error *err);
uint64_t eng_timer_add(struct drom_engine *eng, int64_t delay_ms, void (*fn)(void *), void *arg);
void eng_timer_cancel(struct drom_engine *eng, uint64_t id);
void eng_timers_free(struct drom_engine *eng);
void eng_runq_push(struct drom_engine *eng, struct xctx *x);

/* engine.c, for engine_hold.c */
int eng_start_route(struct drom_engine *eng, struct eng_route *r, struct drom_error *err);
void eng_stop_consumer(struct eng_endpoint *e);
void eng_endpoint_destroy(struct eng_endpoint *e);
/* Accepts no more submits; a started route is Stopping. Any thread. */
void eng_route_close(struct eng_route *r);

/* engine_run.c */
struct xctx *x_new(struct drom_engine *eng, struct eng_route *route, struct drom_exchange *ex, bool owns,
                   enum xrole role);
void x_free(struct xctx *x);
void x_push(struct xctx *x, struct eng_step *steps, size_t n, enum frame_kind kind, size_t onex);
void x_run(struct xctx *x);       /* engine_logctx.c: x_run_now with the exchange's log context */
void x_run_now(struct xctx *x);
void x_on_submit(struct drom_engine *eng, struct eng_endpoint *ep, struct drom_exchange *ex, void *pos);
void x_on_complete(struct xctx *x, enum drom_status st, const struct drom_error *err);
void x_fail(struct xctx *x, enum drom_errcode code, bool redeliverable, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void x_wait_timer(struct xctx *x, int64_t delay_ms, bool rerun);
void eng_commit_all(struct drom_engine *eng);
void eng_free_contexts(struct drom_engine *eng);
void eng_roots_add(struct drom_engine *eng, int delta);

/* Children (multicast, split; engine_kids.c): the parent waits until all finish. */
void x_start_children(struct xctx *x, struct eng_step *step, size_t count, bool parallel, bool stop_on_exc);
void x_kid_finished(struct xctx *x, bool failed);
void x_children_finished(struct xctx *x);

/* eip dispatch (eip_*.c) */
enum eip_result eip_exec(struct xctx *x, struct eng_step *s);
enum eip_result eip_to(struct xctx *x, struct eng_step *s);
enum eip_result eip_tod(struct xctx *x, struct eng_step *s);
enum eip_result eip_log(struct xctx *x, struct eng_step *s);
enum eip_result eip_set_header(struct xctx *x, struct eng_step *s);
enum eip_result eip_set_property(struct xctx *x, struct eng_step *s);
enum eip_result eip_set_body(struct xctx *x, struct eng_step *s);
enum eip_result eip_remove_header(struct xctx *x, struct eng_step *s);
enum eip_result eip_remove_headers(struct xctx *x, struct eng_step *s);
enum eip_result eip_filter(struct xctx *x, struct eng_step *s);
enum eip_result eip_choice(struct xctx *x, struct eng_step *s);
enum eip_result eip_marshal(struct xctx *x, struct eng_step *s);
enum eip_result eip_unmarshal(struct xctx *x, struct eng_step *s);
enum eip_result eip_convert_body_to(struct xctx *x, struct eng_step *s);
enum eip_result eip_multicast(struct xctx *x, struct eng_step *s);
enum eip_result eip_wiretap(struct xctx *x, struct eng_step *s);
enum eip_result eip_split(struct xctx *x, struct eng_step *s);
enum eip_result eip_throttle(struct xctx *x, struct eng_step *s);
enum eip_result eip_delay(struct xctx *x, struct eng_step *s);
/* Splits the exchange body into the parts the split step will process. */
int eip_split_items(struct xctx *x, struct eng_step *s, struct drom_error *err);

/* Helpers for EIPs. */
/* Evaluates the step's expression; on error marks the exchange failed and returns -1. */
int x_eval(struct xctx *x, const struct eng_step *s, struct drom_value *out);
int x_eval_str(struct xctx *x, const struct eng_step *s, char **out);
int x_eval_bool(struct xctx *x, const struct drom_gexpr *e, const char *what, bool *out);
bool step_param_bool(const struct eng_step *s, const char *name, bool def);
int64_t step_param_int(const struct eng_step *s, const char *name, int64_t def);
/* Sets the body from an expression value (text, JSON, bytes; null body for null). */
void x_set_body_value(struct drom_exchange *ex, const struct drom_value *v);
/* Produces to an endpoint: DONE -> NEXT, PENDING -> WAIT, RETRY/FAIL -> FAIL. */
enum eip_result x_produce(struct xctx *x, struct eng_endpoint *ep);
/* Creates a runtime endpoint from a graph endpoint (loop thread). */
struct eng_endpoint *eng_endpoint_new(struct drom_engine *eng, struct eng_route *route,
                                      const struct drom_gendpoint *g, bool is_from);
int eng_endpoint_create(struct eng_endpoint *ep, struct drom_error *err);
void eng_route_set_error(struct eng_route *r, const char *msg);
/* engine_observe.c: when an endpoint of route `r` is not ready, puts
 * "<uri>: <reason>" in `out` (a broker that cannot be reached is the
 * route's last error while it lasts). */
void eng_route_endpoint_error(struct drom_engine *eng, struct eng_route *r, char *out, size_t size);

#endif
