#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "cmd/dromd/notify.h"

void dromd_notify_ready(const char *status)
{
    sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void dromd_notify_reloading(void)
{
    /* MONOTONIC_USEC lets systemd >= 253 (Type=notify-reload) tie the
     * reload to this message; older ones ignore it. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sd_notifyf(0, "RELOADING=1\nSTATUS=reloading routes\nMONOTONIC_USEC=%llu",
               (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
}

void dromd_notify_stopping(void)
{
    sd_notify(0, "STOPPING=1\nSTATUS=draining in-flight exchanges");
}

void dromd_notify_status(const char *status)
{
    sd_notifyf(0, "STATUS=%s", status);
}

int64_t dromd_watchdog_ms(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return 0;
    return (int64_t)(usec / 1000);
}

void dromd_notify_watchdog(void)
{
    sd_notify(0, "WATCHDOG=1");
}
