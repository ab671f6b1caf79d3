/* file: write exchanges to files, and poll a directory for files.
 *
 * Producer (engine thread): the name is the fileName option (Simple,
 * evaluated per exchange), else the CamelFileName header, else the
 * exchange id; written to a hidden temporary file and renamed into place
 * (Override), appended to (Append), refused when it exists (Fail) or
 * skipped (Ignore). autoCreate makes missing directories. Any I/O error
 * fails the exchange with the path and errno text. Sets
 * CamelFileNameProduced.
 *
 * Consumer (own thread): every `delay` ms lists the directory (regular,
 * non-hidden files, sorted by name, include/exclude regexes), submits each
 * file not already in flight with headers CamelFileName,
 * CamelFileNameOnly, CamelFileAbsolutePath, CamelFileLength,
 * CamelFileLastModified; once its exchange is done: noop leaves it (and
 * remembers it for this run), delete removes it, else it moves to `move`
 * (default ".camel"); a failed exchange leaves the file in place (or moves
 * it to moveFailed) so it is picked up again, as Camel's rollback does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "components/file/file_append.h"
#include "runtime/component.h"
#include "runtime/engine.h"
#include "runtime/log.h"
#include "runtime/regex.h"
#include "runtime/xalloc.h"

enum file_exist { EXIST_OVERRIDE, EXIST_APPEND, EXIST_FAIL, EXIST_IGNORE, EXIST_MOVE, EXIST_TRY_RENAME };
static const char *const exist_values[] = {"Override", "Append", "Fail", "Ignore", "Move", "TryRename", NULL};
static const char *const read_locks[] = {"none", "markerFile", "fileLock", "rename", "changed", "idempotent",
                                         "idempotent-changed", "idempotent-rename", NULL};

struct file_conf {
    const char *file_name, *move, *move_failed, *include, *exclude, *append_chars, *chmod;
    bool noop, delete, auto_create, flatten;
    int64_t delay_ms, initial_delay_ms, max_messages_per_poll;
    int file_exist;   /* enum file_exist */
};

#define AT(f) DROM_OPT_AT(struct file_conf, f)

/* Camel 4's file endpoint options and defaults (the subset dromedary
 * implements, plus common ones accepted and ignored). */
static const struct drom_option options[] = {
    /* common */
    {.name = "fileName", AT(file_name), .type = DROM_OPT_STRING, .group = "common",
     .doc = "Simple expression for the file name; producer default: the exchange id; consumer: only this name"},
    {.name = "charset", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "common",
     .doc = "Encoding of the file (bytes are written as they are)"},
    {.name = "doneFileName", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "common",
     .doc = "Name of a done marker file"},
    /* consumer */
    {.name = "noop", AT(noop), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Leave files where they are; each file is picked up once per run"},
    {.name = "delete", AT(delete), .type = DROM_OPT_BOOL, .def = "false", .group = "consumer",
     .doc = "Delete the file after it was processed"},
    {.name = "move", AT(move), .type = DROM_OPT_STRING, .def = ".camel", .group = "consumer",
     .doc = "Directory (relative to the endpoint's) to move processed files to"},
    {.name = "moveFailed", AT(move_failed), .type = DROM_OPT_STRING, .group = "consumer",
     .doc = "Directory to move a file to when its exchange failed (default: left in place)"},
    {.name = "include", AT(include), .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Regex (Java syntax, case-insensitive) the whole file name must match"},
    {.name = "exclude", AT(exclude), .type = DROM_OPT_STRING, .group = "filter",
     .doc = "Regex (Java syntax, case-insensitive) of whole file names to skip"},
    {.name = "recursive", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED, .group = "consumer",
     .doc = "Look in subdirectories too (not supported)"},
    {.name = "delay", AT(delay_ms), .type = DROM_OPT_DURATION, .def = "500", .group = "scheduler",
     .doc = "Milliseconds between polls"},
    {.name = "initialDelay", AT(initial_delay_ms), .type = DROM_OPT_DURATION, .def = "1000", .group = "scheduler",
     .doc = "Milliseconds before the first poll"},
    {.name = "maxMessagesPerPoll", AT(max_messages_per_poll), .type = DROM_OPT_INT, .def = "0", .group = "filter",
     .doc = "Files taken per poll (0: all)"},
    {.name = "readLock", .type = DROM_OPT_ENUM, .def = "none", .values = read_locks, .flags = DROM_OPT_IGNORED,
     .group = "lock", .doc = "Read lock strategy (files are expected to be complete when they appear)"},
    {.name = "sendEmptyMessageWhenIdle", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Send an empty message when a poll found nothing"},
    /* producer */
    {.name = "fileExist", AT(file_exist), .type = DROM_OPT_ENUM, .def = "Override", .values = exist_values, .group = "producer",
     .doc = "What to do when the file exists: Override, Append, Fail, Ignore (Move, TryRename as Override)"},
    {.name = "autoCreate", AT(auto_create), .type = DROM_OPT_BOOL, .def = "true", .group = "advanced",
     .doc = "Create missing directories"},
    {.name = "tempFileName", .type = DROM_OPT_STRING, .flags = DROM_OPT_IGNORED, .group = "producer",
     .doc = "Write under a temporary name first (always done here, as a hidden .tmp file)"},
    {.name = "flatten", AT(flatten), .type = DROM_OPT_BOOL, .def = "false", .group = "common",
     .doc = "Strip leading directories from the file name"},
    {.name = "appendChars", AT(append_chars), .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Characters to append after writing the body (e.g. \\n), in the same write; appending, the "
            "first record after a start first ends a record a kill left without them"},
    {.name = "bufferSize", .type = DROM_OPT_SIZE, .def = "131072", .flags = DROM_OPT_IGNORED,
     .group = "advanced", .doc = "Write buffer size"},
    {.name = "keepLastModified", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer", .doc = "Keep the last modified time of the source file"},
    {.name = "chmod", AT(chmod), .type = DROM_OPT_STRING, .group = "producer",
     .doc = "Permissions of written files, octal (e.g. 644)"},
    {.name = "lazyStartProducer", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "producer (advanced)", .doc = "Start the producer on first message"},
    {.name = "bridgeErrorHandler", .type = DROM_OPT_BOOL, .def = "false", .flags = DROM_OPT_IGNORED,
     .group = "consumer (advanced)", .doc = "Route consumer exceptions through the error handler"},
    DROM_OPTIONS_END,
};

struct names {
    char **v;
    size_t n, cap;
};

static bool names_has(const struct names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return true;
    return false;
}

static void names_add(struct names *s, const char *name)
{
    drom_xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = drom_xstrdup(name);
}

static void names_del(struct names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0) {
            free(s->v[i]);
            s->v[i] = s->v[--s->n];
            return;
        }
}

static void names_free(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

struct file_ep {
    struct drom_endpoint *ep;
    struct drom_expr *file_name;     /* producer fileName as Simple */
    /* consumer */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop, running;
    struct names inflight, seen;     /* under mu */
    struct drom_regex *include, *exclude;   /* NULL: none */
    /* producer: the file whose end the first append after the start
     * checked (end_cut_record_once), under mu */
    char *tail_checked;
    char *append_chars;              /* appendChars with its escapes made characters; NULL: none */
};

/* "\n" written in a URI means a newline, as in Camel. */
static char *unescape_chars(const char *in)
{
    char *out = drom_xstrdup(in), *w = out;
    for (const char *r = in; *r; r++) {
        if (*r == '\\' && (r[1] == 'n' || r[1] == 'r' || r[1] == 't')) {
            r++;
            *w++ = *r == 'n' ? '\n' : *r == 'r' ? '\r' : '\t';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return out;
}

static int mkdirs(const char *dir, struct drom_error *err)
{
    char *p = drom_xstrdup(dir);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            drom_err(err, DROM_EIO, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        if (!c)
            break;
        *s = c;
    }
    free(p);
    return 0;
}

/* Camel compiles include/exclude with CASE_INSENSITIVE and tests whole file
 * names (Matcher.matches). `out` stays NULL when the option is not set. */
static int name_filter(const char *name, const char *pattern, struct drom_regex **out, struct drom_error *err)
{
    if (!pattern)
        return 0;
    if (!(*out = drom_regex_compile(pattern, strlen(pattern), DROM_REGEX_CASELESS, err)))
        return drom_err_prefix(err, "%s", name), -1;
    return 0;
}

/* The same compile as at create, so `dromc validate` refuses what dromd would. */
static int file_validate(const char *path, const void *conf, unsigned role, struct drom_error *err)
{
    const struct file_conf *o = conf;
    struct drom_regex *inc = NULL, *exc = NULL;
    int rc = name_filter("include", o->include, &inc, err) < 0 || name_filter("exclude", o->exclude, &exc, err) < 0
                 ? -1
                 : 0;
    drom_regex_free(inc);
    drom_regex_free(exc);
    return rc;
}

static int file_create(struct drom_endpoint *ep, struct drom_error *err)
{
    struct file_ep *f = drom_xcalloc(1, sizeof *f);
    f->ep = ep;
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &ca);
    pthread_condattr_destroy(&ca);
    ep->state = f;
    const struct file_conf *o = ep->conf;
    if (o->append_chars)
        f->append_chars = unescape_chars(o->append_chars);
    const char *fn = o->file_name;
    if (fn && !(f->file_name = drom_engine_compile_simple(drom_endpoint_engine(ep), fn, err)))
        return drom_err_prefix(err, "fileName"), -1;
    if (name_filter("include", o->include, &f->include, err) < 0 ||
        name_filter("exclude", o->exclude, &f->exclude, err) < 0)
        return -1;
    return 0;
}

static void file_destroy(struct drom_endpoint *ep)
{
    struct file_ep *f = ep->state;
    if (!f)
        return;
    drom_expr_free(f->file_name);
    drom_regex_free(f->include);
    drom_regex_free(f->exclude);
    names_free(&f->inflight);
    names_free(&f->seen);
    free(f->tail_checked);
    free(f->append_chars);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cond);
    free(f);
    ep->state = NULL;
}

/* file_end_cut_record once per file after a start: the per-append cost is
 * a compare of the path. */
static int end_cut_record_once(struct file_ep *f, int fd, const char *path, const char *chars)
{
    pthread_mutex_lock(&f->mu);
    bool checked = f->tail_checked && strcmp(f->tail_checked, path) == 0;
    pthread_mutex_unlock(&f->mu);
    if (checked)
        return 0;
    if (file_end_cut_record(fd, chars) < 0)
        return -1;
    pthread_mutex_lock(&f->mu);
    free(f->tail_checked);
    f->tail_checked = drom_xstrdup(path);
    pthread_mutex_unlock(&f->mu);
    return 0;
}

static enum drom_status file_produce(struct drom_endpoint *ep, struct drom_exchange *ex, struct drom_error *err)
{
    struct file_ep *f = ep->state;
    const struct file_conf *o = ep->conf;
    char *name = NULL;
    if (f->file_name) {
        if (drom_engine_eval_str(drom_endpoint_engine(ep), f->file_name, ex, &name, err) < 0) {
            drom_err_prefix(err, "file:%s fileName", ep->path);
            return DROM_FAIL;
        }
    } else {
        const char *h = drom_exchange_header(ex, "CamelFileName");
        name = drom_xstrdup(h && *h ? h : ex->id);
    }
    if (o->flatten && strrchr(name, '/')) {
        char *base = drom_xstrdup(strrchr(name, '/') + 1);
        free(name);
        name = base;
    }
    char path[PATH_MAX], dir[PATH_MAX], tmp[2 * PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", ep->path, name);
    free(name);
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    /* only fileExist=Fail and Ignore ask whether the file is there */
    struct stat st;
    bool exists = (o->file_exist == EXIST_FAIL || o->file_exist == EXIST_IGNORE) && stat(path, &st) == 0;
    if (exists && o->file_exist == EXIST_FAIL) {
        drom_err(err, DROM_EIO, "File already exist: %s. Cannot write new file.", path);
        return DROM_FAIL;
    }
    if (exists && o->file_exist == EXIST_IGNORE)
        return DROM_DONE;
    size_t len;
    const char *body = drom_exchange_body(ex, &len);
    const char *chars = f->append_chars;
    bool appending = o->file_exist == EXIST_APPEND;
    const char *target = path;
    if (!appending) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, base);
        target = tmp;
    }
    /* appending with appendChars reads the file's end once (end_cut_record_once) */
    int flags = ((appending && chars) ? O_RDWR : O_WRONLY) | O_CREAT | O_CLOEXEC | (appending ? O_APPEND : O_TRUNC);
    int fd = open(target, flags, 0644);
    /* autoCreate makes the directory when it is missing, not for every file */
    if (fd < 0 && errno == ENOENT && o->auto_create) {
        if (mkdirs(dir, err) < 0)
            return DROM_FAIL;
        fd = open(target, flags, 0644);
    }
    if (fd < 0) {
        drom_err(err, DROM_EIO, "cannot write file %s: %s", path, strerror(errno));
        return DROM_FAIL;
    }
    int rc = appending && chars ? end_cut_record_once(f, fd, path, chars) : 0;
    if (rc == 0)
        rc = file_write_record(fd, body, len, chars);
    int e = errno;
    if (close(fd) < 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && !appending && rename(tmp, path) < 0) {
        rc = -1;
        e = errno;
    }
    if (rc < 0) {
        if (!appending)
            unlink(tmp);
        drom_err(err, DROM_EIO, "cannot write file %s: %s", path, strerror(e));
        return DROM_FAIL;
    }
    const char *chmod_opt = o->chmod;
    if (chmod_opt)
        chmod(path, (mode_t)strtol(chmod_opt, NULL, 8));
    drom_headers_set_str(&ex->headers, "CamelFileNameProduced", path);
    return DROM_DONE;
}

/* --- consumer --- */

struct file_pos {
    char *name;
};

static void pos_free(void *p)
{
    struct file_pos *fp = p;
    free(fp->name);
    free(fp);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void move_to(struct drom_endpoint *ep, const char *name, const char *sub)
{
    char from[PATH_MAX], dir[PATH_MAX], to[2 * PATH_MAX + 16];
    snprintf(from, sizeof from, "%s/%s", ep->path, name);
    if (sub[0] == '/')
        snprintf(dir, sizeof dir, "%s", sub);
    else
        snprintf(dir, sizeof dir, "%s/%s", ep->path, sub);
    snprintf(to, sizeof to, "%s/%s", dir, name);
    struct drom_error err = {0};
    if (mkdirs(dir, &err) < 0 || rename(from, to) < 0)
        drom_warn(ep->route_id, "file:%s: cannot move %s to %s: %s", ep->path, from, to,
                  err.msg[0] ? err.msg : strerror(errno));
}

static void consumer_done(struct drom_endpoint *ep, const void *pos, bool failed)
{
    struct file_ep *f = ep->state;
    const struct file_pos *fp = pos;
    const struct file_conf *o = ep->conf;
    if (!fp)
        return;
    if (failed) {
        const char *mf = o->move_failed;
        if (mf)
            move_to(ep, fp->name, mf);
    } else if (o->noop) {
        pthread_mutex_lock(&f->mu);
        names_add(&f->seen, fp->name);
        pthread_mutex_unlock(&f->mu);
    } else if (o->delete) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", ep->path, fp->name);
        if (unlink(path) < 0)
            drom_warn(ep->route_id, "file:%s: cannot delete %s: %s", ep->path, path, strerror(errno));
    } else {
        move_to(ep, fp->name, o->move);
    }
    pthread_mutex_lock(&f->mu);
    names_del(&f->inflight, fp->name);
    pthread_mutex_unlock(&f->mu);
}

static bool sleep_until(struct file_ep *f, int64_t due)
{
    struct timespec ts = {.tv_sec = due / 1000, .tv_nsec = (due % 1000) * 1000000};
    pthread_mutex_lock(&f->mu);
    while (!f->stop && drom_monotonic_ms() < due)
        if (pthread_cond_timedwait(&f->cond, &f->mu, &ts) == ETIMEDOUT)
            break;
    bool go = !f->stop;
    pthread_mutex_unlock(&f->mu);
    return go;
}

static struct drom_exchange *read_file(struct drom_endpoint *ep, const char *name, struct stat *st)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", ep->path, name);
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    char *data = drom_xmalloc((size_t)st->st_size + 1);
    size_t n = fread(data, 1, (size_t)st->st_size, in);
    fclose(in);
    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_take(ex, data, n, NULL);
    char abs[PATH_MAX];
    drom_headers_set_str(&ex->headers, "CamelFileName", name);
    drom_headers_set_str(&ex->headers, "CamelFileNameOnly", name);
    drom_headers_set_str(&ex->headers, "CamelFileNameConsumed", name);
    drom_headers_set_str(&ex->headers, "CamelFileAbsolutePath", realpath(path, abs) ? abs : path);
    drom_headers_set_str(&ex->headers, "CamelFilePath", path);
    drom_headers_set_str(&ex->headers, "CamelFileParent", ep->path);
    drom_headers_set_int(&ex->headers, "CamelFileLength", (int64_t)n);
    drom_headers_set_int(&ex->headers, "CamelFileLastModified", (int64_t)st->st_mtime * 1000);
    return ex;
}

static void poll_once(struct file_ep *f)
{
    struct drom_endpoint *ep = f->ep;
    DIR *d = opendir(ep->path);
    if (!d) {
        drom_endpoint_set_ready(ep, false, strerror(errno));
        return;
    }
    drom_endpoint_set_ready(ep, true, NULL);
    struct names found = {0};
    struct dirent *de;
    const struct file_conf *o = ep->conf;
    const char *only = o->file_name;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (only && strcmp(only, de->d_name) != 0)
            continue;
        if (f->include && !drom_regex_matches(f->include, de->d_name))
            continue;
        if (f->exclude && drom_regex_matches(f->exclude, de->d_name))
            continue;
        names_add(&found, de->d_name);
    }
    closedir(d);
    if (found.n)
        qsort(found.v, found.n, sizeof *found.v, cmp_str);
    int64_t max = o->max_messages_per_poll, taken = 0;
    for (size_t i = 0; i < found.n && !f->stop && (max <= 0 || taken < max); i++) {
        const char *name = found.v[i];
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", ep->path, name);
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        pthread_mutex_lock(&f->mu);
        bool skip = names_has(&f->inflight, name) || names_has(&f->seen, name);
        if (!skip)
            names_add(&f->inflight, name);
        pthread_mutex_unlock(&f->mu);
        if (skip)
            continue;
        struct drom_exchange *ex = read_file(ep, name, &st);
        if (!ex) {
            pthread_mutex_lock(&f->mu);
            names_del(&f->inflight, name);
            pthread_mutex_unlock(&f->mu);
            continue;
        }
        struct file_pos *fp = drom_xcalloc(1, sizeof *fp);
        fp->name = drom_xstrdup(name);
        struct drom_error err = {0};
        if (drom_consumer_submit(ep, ex, fp, &err) < 0)
            break;
        taken++;
    }
    names_free(&found);
}

static void *consumer_thread(void *arg)
{
    struct file_ep *f = arg;
    drom_endpoint_log_here(f->ep);
    const struct file_conf *o = f->ep->conf;
    int64_t due = drom_monotonic_ms() + o->initial_delay_ms;
    while (sleep_until(f, due)) {
        poll_once(f);
        due = drom_monotonic_ms() + o->delay_ms;
    }
    return NULL;
}

static int file_start(struct drom_endpoint *ep, struct drom_error *err)
{
    struct file_ep *f = ep->state;
    if (((const struct file_conf *)ep->conf)->auto_create && mkdirs(ep->path, err) < 0)
        return -1;
    f->stop = false;
    if (pthread_create(&f->thread, NULL, consumer_thread, f) != 0)
        return drom_err(err, DROM_EINTERNAL, "cannot start the file consumer thread");
    f->running = true;
    return 0;
}

static void file_stop(struct drom_endpoint *ep)
{
    struct file_ep *f = ep->state;
    if (!f->running)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    f->running = false;
}

const struct drom_component drom_component_file = {
    .name = "file",
    .title = "Read and write files in a directory",
    .path_syntax = "directoryName",
    .path_required = true,
    .roles = DROM_ROLE_CONSUMER | DROM_ROLE_PRODUCER,
    .options = options,
    .conf_size = sizeof(struct file_conf),
    .validate = file_validate,
    .create = file_create,
    .destroy = file_destroy,
    .start = file_start,
    .stop = file_stop,
    .produce = file_produce,
    .position_free = pos_free,
    .done = consumer_done,
};
