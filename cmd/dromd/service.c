#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd/dromd/address.h"
#include "cmd/dromd/age.h"
#include "cmd/dromd/answers.h"
#include "cmd/dromd/notify.h"
#include "cmd/dromd/service.h"
#include "runtime/http.h"
#include "runtime/log.h"

#define LOGGER "dromd"

int64_t dromd_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* "routes/timer-log.xml" -> "timer-log", like Camel's integration name. */
static void name_from_file(const char *file, char *out, size_t size)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    snprintf(out, size, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

static int make_dirs(const char *dir, struct drom_error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return drom_err(err, DROM_EINVAL, "state dir path too long");
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return drom_err(err, DROM_EIO, "cannot create state dir %s: %s", path,
                                strerror(errno));
            *p = saved;
            if (!saved)
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return drom_err(err, DROM_EIO, "state dir %s is not a directory", dir);
    if (access(dir, W_OK) < 0)
        return drom_err(err, DROM_EIO, "state dir %s is not writable: %s", dir, strerror(errno));
    return 0;
}

/* The compiler's gcc-style lines go through the log (at `level`), so that
 * JSON logs stay one object a line and a reload's reasons are logged. */
static struct dromd_routes *load_logged(const struct dromd_opts *o, enum drom_log_level level,
                                        struct drom_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    struct dromd_routes *r = dromd_routes_load(o, mem ? mem : stderr, err);
    if (mem) {
        fclose(mem);
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
            drom_log(level, LOGGER, "%s", line);
        free(text);
    }
    return r;
}

static void reload(struct dromd_service *svc)
{
    const struct dromd_opts *o = svc->opts;
    dromd_notify_reloading();
    atomic_store(&svc->phase, DROMD_RELOADING);
    drom_info(LOGGER, "Reloading routes from %s (SIGHUP)", o->routes_file);
    struct drom_error err = {0};
    struct dromd_routes *r = load_logged(o, DROM_LOG_WARN, &err);
    int rc = r ? dromd_app_reload_take(svc->app, r, &err) : -1;
    if (rc < 0) {
        atomic_fetch_add(&svc->reload_failures, 1);
        char msg[1400];
        drom_warn(LOGGER, "Reload of %s failed, the running routes are kept: %s", o->routes_file,
                  drom_err_format(&err, msg, sizeof msg));
    } else {
        atomic_fetch_add(&svc->reloads, 1);
        drom_info(LOGGER, "Reloaded routes from %s", o->routes_file);
    }
    atomic_store(&svc->phase, DROMD_RUNNING);
    dromd_notify_ready(rc < 0 ? "running; last reload failed" : "running");
}

/* With --exit-on-failure a failed route ends the process: some failures
 * (a producer in a fatal state) only a new process cures, and the restart
 * resumes from the committed position, before the failed exchange. */
static bool route_failed(struct dromd_service *svc)
{
    char reason[700];
    if (!svc->opts->exit_on_failure || !dromd_app_failed(svc->app, reason, sizeof reason))
        return false;
    drom_error_log(LOGGER, "%s; it must not skip the failed exchange, so dromd exits with status %d "
                   "(--exit-on-failure) after the drain, for its service manager to restart it from the "
                   "last committed position", reason, DROMD_EXIT_ROUTE_FAILED);
    return true;
}

/* Waits for signals; returns the exit status once asked to stop or, with
 * --exit-on-failure, once a route has failed. */
static int serve(struct dromd_service *svc, int sfd)
{
    int64_t watchdog = dromd_watchdog_ms();
    int tick = 1000;
    if (watchdog > 0 && watchdog / 2 < tick)
        tick = (int)(watchdog / 2 > 0 ? watchdog / 2 : 1);
    for (;;) {
        atomic_store(&svc->heartbeat_ms, dromd_monotonic_ms());
        dromd_app_sample(svc->app, dromd_monotonic_ms());
        if (watchdog > 0)
            dromd_notify_watchdog();
        struct pollfd p = {.fd = sfd, .events = POLLIN};
        int n = poll(&p, 1, tick);
        if (n < 0 && errno != EINTR) {
            drom_error_log(LOGGER, "poll: %s; stopping", strerror(errno));
            return DROMD_EXIT_OK;
        }
        if (route_failed(svc))
            return DROMD_EXIT_ROUTE_FAILED;
        if (n <= 0)
            continue;
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
            if (si.ssi_signo == SIGHUP) {
                reload(svc);
            } else {
                drom_info(LOGGER, "Received %s, stopping", strsignal((int)si.ssi_signo));
                return DROMD_EXIT_OK;
            }
        }
    }
}

int dromd_run(const struct dromd_opts *o)
{
    drom_log_configure(o->log_level, o->log_format);
    /* Blocked before any thread starts, so that every thread inherits the
     * mask and the signals reach only the signalfd of the main thread. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        drom_error_log(LOGGER, "signalfd: %s", strerror(errno));
        return 1;
    }

    struct dromd_service svc = {.opts = o, .pid = getpid(), .started_wall_ms = wall_ms(),
                                .started_mono_ms = dromd_monotonic_ms()};
    atomic_store(&svc.heartbeat_ms, dromd_monotonic_ms());
    atomic_store(&svc.phase, DROMD_STARTING);
    name_from_file(o->routes_file, svc.name, sizeof svc.name);
    int64_t t0 = dromd_monotonic_ms();
    drom_info(LOGGER, "dromedary %s (%s) is starting", DROMD_VERSION, svc.name);

    struct drom_error err = {0};
    char msg[1400];
    struct drom_http *http = NULL;
    int rc = 1;
    if (make_dirs(o->state_dir, &err) < 0) {
        drom_error_log(LOGGER, "%s", err.msg);
        goto out;
    }
    /* Text logs get the compiler's errors exactly as dromc prints them. */
    struct dromd_routes *routes = o->log_format == DROM_LOG_TEXT
                                      ? dromd_routes_load(o, stderr, &err)
                                      : load_logged(o, DROM_LOG_ERROR, &err);
    if (!routes) {
        if (err.code == DROM_EINVAL)
            drom_error_log(LOGGER, "Invalid routes in %s, not starting", o->routes_file);
        else
            drom_error_log(LOGGER, "Cannot load %s, not starting: %s", o->routes_file,
                           drom_err_format(&err, msg, sizeof msg));
        goto out;
    }
    int64_t t_build = dromd_monotonic_ms();
    svc.app = dromd_app_create_take(routes, o, &err);
    if (!svc.app) {
        drom_error_log(LOGGER, "%s", drom_err_format(&err, msg, sizeof msg));
        goto out;
    }
    if (o->http) {
        struct drom_http_handlers h = dromd_answers(&svc);
        http = drom_http_start(o->http, &h, NULL, &err);
        if (!http) {
            drom_error_log(LOGGER, "%s", err.msg);
            goto out;
        }
        char host[256], port[8];
        drom_http_split_addr(o->http, host, sizeof host, port, sizeof port, NULL);
        int v6 = strchr(host, ':') != NULL;
        drom_info(LOGGER, "HTTP endpoints on http://%s%s%s:%d (/ /health/live /health/ready "
                  "/metrics /routes)", v6 ? "[" : "", host[0] ? host : "0.0.0.0", v6 ? "]" : "",
                  drom_http_port(http));
        dromd_address_write(o->state_dir, host, drom_http_port(http));
    }
    int64_t t_init = dromd_monotonic_ms();
    if (dromd_app_start(svc.app, &err) < 0) {
        drom_error_log(LOGGER, "%s", drom_err_format(&err, msg, sizeof msg));
        dromd_app_stop(svc.app, 0);
        goto out;
    }
    int64_t t_up = dromd_monotonic_ms();
    drom_info(LOGGER, "dromedary %s (%s) started in %lldms (build:%lldms init:%lldms start:%lldms)",
              DROMD_VERSION, svc.name, (long long)(t_up - t0), (long long)(t_build - t0),
              (long long)(t_init - t_build), (long long)(t_up - t_init));
    atomic_store(&svc.phase, DROMD_RUNNING);
    dromd_notify_ready("running");

    int stopped = serve(&svc, sfd);

    dromd_notify_stopping();
    atomic_store(&svc.phase, DROMD_DRAINING);
    int64_t t_stop = dromd_monotonic_ms();
    char age[32];
    drom_info(LOGGER, "dromedary %s (%s) is shutting down (timeout:%s)", DROMD_VERSION, svc.name,
              dromd_age(o->drain_ms, age, sizeof age));
    int64_t abandoned = dromd_app_stop(svc.app, o->drain_ms);
    int64_t t_end = dromd_monotonic_ms();
    char up[32], left[64] = "";
    if (abandoned > 0)
        snprintf(left, sizeof left, " abandoned-inflight:%lld", (long long)abandoned);
    drom_info(LOGGER, "dromedary %s (%s) shutdown in %lldms (uptime:%s%s)", DROMD_VERSION,
              svc.name, (long long)(t_end - t_stop), dromd_age(t_end - t0, up, sizeof up), left);
    rc = stopped;
out:
    if (http)
        dromd_address_remove(o->state_dir);
    drom_http_stop(http);   /* before the app: no answer may read a freed app */
    dromd_app_free(svc.app);
    close(sfd);
    return rc;
}
