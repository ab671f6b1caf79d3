/* Running a real program from a test: start it with its stdout and stderr
 * in a file, wait (with a deadline, polling) for a line in that file or for
 * its exit. Header-only, for the integration binaries. */
#ifndef DROM_TESTS_PROC_H
#define DROM_TESTS_PROC_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/testenv.h"
/* Waits a little without sleeping the whole deadline: the poll step of the
 * wait loops below. */
static inline void proc_pause_ms(int ms)
{
    poll(NULL, 0, ms);
}

/* What proc_spawn_ex does in the child beside the redirections. */
enum {
    PROC_DIE_WITH_PARENT = 1,   /* SIGKILL when the test process ends, however it ends */
    PROC_CLOSE_FDS = 2,         /* none of the test runner's descriptors (Criterion's pipes) */
};

/* Starts argv[0] with stdout and stderr appended to `out_path` (and stdout
 * to `stdout_path` instead when not NULL), stdin /dev/null and no signal
 * blocked; `flags` from the enum above. Returns the pid, -1 on failure. */
static inline pid_t proc_spawn_ex(char *const argv[], const char *out_path, const char *stdout_path, unsigned flags)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (flags & PROC_DIE_WITH_PARENT)
        prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (flags & PROC_CLOSE_FDS)
        for (int cfd = 3; cfd < 1024; cfd++)
            close(cfd);
    int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    int ofd = stdout_path ? open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : fd;
    if (fd < 0 || ofd < 0)
        _exit(126);
    dup2(ofd, 1);
    dup2(fd, 2);
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0)
        dup2(nul, 0);
    /* The test runner may block signals; the child must see SIGTERM and SIGHUP. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(argv[0], argv);
    _exit(127);
}

static inline pid_t proc_spawn(char *const argv[], const char *out_path, const char *stdout_path)
{
    return proc_spawn_ex(argv, out_path, stdout_path, 0);
}

/* True once `needle` appears in the file, false at the deadline. */
static inline bool proc_wait_text(const char *path, const char *needle, int timeout_ms)
{
    long long deadline = ts_now_ms() + timeout_ms;
    for (;;) {
        char *s = ts_slurp(path);
        bool found = strstr(s, needle) != NULL;
        free(s);
        if (found)
            return true;
        if (ts_now_ms() >= deadline)
            return false;
        proc_pause_ms(20);
    }
}

/* Exit code (or 128+signal) once the process exits, -1 at the deadline. */
static inline int proc_wait_exit(pid_t pid, int timeout_ms)
{
    long long deadline = ts_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 && errno != EINTR)
            return -1;
        if (ts_now_ms() >= deadline)
            return -1;
        proc_pause_ms(10);
    }
}

/* Runs to completion; returns the exit code, -1 when it outlived the deadline
 * (then it is killed). */
static inline int proc_run(char *const argv[], const char *out_path, const char *stdout_path,
                           int timeout_ms)
{
    pid_t pid = proc_spawn(argv, out_path, stdout_path);
    if (pid < 0)
        return -1;
    int rc = proc_wait_exit(pid, timeout_ms);
    if (rc < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return rc;
}

#endif
