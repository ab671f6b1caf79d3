/* systemd's notification protocol through libsystemd (Type=notify): each
 * call is a no-op when dromd was not started by systemd ($NOTIFY_SOCKET
 * unset). Main thread only. */
#ifndef DROMD_NOTIFY_H
#define DROMD_NOTIFY_H

#include <stdint.h>

/* READY=1 with a one-line STATUS=. */
void dromd_notify_ready(const char *status);
void dromd_notify_reloading(void);
void dromd_notify_stopping(void);
void dromd_notify_status(const char *status);
/* The watchdog period in ms when WatchdogSec= is set for us, else 0. */
int64_t dromd_watchdog_ms(void);
void dromd_notify_watchdog(void);

#endif
