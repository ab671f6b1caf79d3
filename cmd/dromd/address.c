#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/dromd/address.h"
#include "runtime/log.h"

#define FILE_NAME "dromd.http"

static void path_of(const char *state_dir, char *out, size_t size)
{
    snprintf(out, size, "%s/" FILE_NAME, state_dir);
}

void dromd_address_write(const char *state_dir, const char *host, int port)
{
    char path[4096], tmp[4200];
    path_of(state_dir, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    bool any = !host[0] || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0;
    bool v6 = strchr(host, ':') != NULL;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        drom_warn("dromd", "cannot record the HTTP address in %s: %s", tmp, strerror(errno));
        return;
    }
    if (any)
        fprintf(f, "%s:%d\n", v6 ? "[::1]" : "127.0.0.1", port);
    else
        fprintf(f, "%s%s%s:%d\n", v6 ? "[" : "", host, v6 ? "]" : "", port);
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        drom_warn("dromd", "cannot record the HTTP address in %s: %s", path, strerror(errno));
}

void dromd_address_remove(const char *state_dir)
{
    char path[4096];
    path_of(state_dir, path, sizeof path);
    unlink(path);
}

bool dromd_address_read(const char *state_dir, char *out, size_t size)
{
    char path[4096], addr[300] = "";
    long pid = 0;
    path_of(state_dir, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    int n = fscanf(f, "%299s %ld", addr, &pid);
    fclose(f);
    /* A dromd killed with SIGKILL leaves its file behind. */
    if (n != 2 || pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
        return false;
    snprintf(out, size, "%s", addr);
    return true;
}
