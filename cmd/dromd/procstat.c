#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/dromd/procstat.h"

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;   /* the directory's own descriptor */
}

/* utime, stime (ticks), vsize (bytes), rss (pages) from /proc/self/stat. */
static int stat_fields(unsigned long long *ticks, unsigned long long *vsize, long long *rss)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: start after the last ')'. */
    const char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long utime, stime;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %*u %llu %lld",
               &utime, &stime, vsize, rss) != 4)
        return -1;
    *ticks = utime + stime;
    return 0;
}

void dromd_process_metrics(struct drom_buf *out, int64_t started_wall_ms)
{
    unsigned long long ticks = 0, vsize = 0;
    long long rss = 0;
    long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    struct rlimit rl = {0};
    getrlimit(RLIMIT_NOFILE, &rl);
    if (stat_fields(&ticks, &vsize, &rss) == 0) {
        drom_buf_printf(out,
                        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
                        "# TYPE process_cpu_seconds_total counter\n"
                        "process_cpu_seconds_total %.2f\n"
                        "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                        "# TYPE process_resident_memory_bytes gauge\n"
                        "process_resident_memory_bytes %lld\n"
                        "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                        "# TYPE process_virtual_memory_bytes gauge\n"
                        "process_virtual_memory_bytes %llu\n",
                        hz > 0 ? (double)ticks / (double)hz : 0.0, rss * (long long)page, vsize);
    }
    drom_buf_printf(out,
                    "# HELP process_open_fds Number of open file descriptors.\n"
                    "# TYPE process_open_fds gauge\n"
                    "process_open_fds %ld\n"
                    "# HELP process_max_fds Maximum number of open file descriptors.\n"
                    "# TYPE process_max_fds gauge\n"
                    "process_max_fds %llu\n"
                    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
                    "# TYPE process_start_time_seconds gauge\n"
                    "process_start_time_seconds %lld.%03lld\n",
                    open_fds(), (unsigned long long)rl.rlim_cur, (long long)(started_wall_ms / 1000),
                    (long long)(started_wall_ms % 1000));
}
