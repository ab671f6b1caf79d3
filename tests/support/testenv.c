#include "tests/support/testenv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *ts_env(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static long long clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long ts_now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

long long ts_wall_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

/* Reads f to its end (a pipe as well as a file). */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0, got;
    char *s = malloc(cap);
    while (s && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            s = realloc(s, cap);
        }
    }
    if (!s)
        abort();   /* a test without memory has nothing better to do */
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

char *ts_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = read_all(f, len);
    fclose(f);
    return s;
}

char *ts_slurp(const char *path)
{
    char *s = ts_read_file(path, NULL);
    return s ? s : strdup("");
}

long long ts_metric(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        if (strncmp(line, prefix, n) == 0) {
            const char *end = nl ? nl : line + strlen(line), *sp = end;
            while (sp > line && sp[-1] != ' ')
                sp--;
            return sp > line ? atoll(sp) : -1;
        }
        line = nl ? nl + 1 : NULL;
    }
    return -1;
}

int ts_copy_file(const char *from, const char *to)
{
    size_t len;
    char *s = ts_read_file(from, &len);
    if (!s || !len) {
        free(s);
        return -1;
    }
    FILE *f = fopen(to, "wb");
    size_t put = f ? fwrite(s, 1, len, f) : 0;
    int rc = f && fclose(f) == 0 && put == len ? 0 : -1;
    free(s);
    return rc;
}

int ts_sh(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    if (!p) {
        if (out)
            *out = strdup("");
        return -1;
    }
    char *s = read_all(p, NULL);
    int st = pclose(p);
    if (out)
        *out = s;
    else
        free(s);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int ts_ctl(const char *log, const char *svc, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "DROM_PROFILE=${DROM_PROFILE:-test} '%s/%s/ctl' %s >>'%s' 2>&1",
             ts_env("DROM_SERVICES", "tests/services"), svc, args, log ? log : "/dev/null");
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Criterion's pipes among them: the runner would lose track of the next test. */
        for (int fd = 3; fd < 4096; fd++)
            close(fd);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
