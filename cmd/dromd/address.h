/* Where a running dromd serves HTTP, recorded in its state directory
 * ("<state-dir>/dromd.http": ADDR:PORT and the pid, one a line) so that
 * `dromd status` on the same machine finds it without --http. */
#ifndef DROMD_ADDRESS_H
#define DROMD_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

/* host as given to --http ("" or 0.0.0.0/:: mean every address: the file
 * then names the loopback one). Failures are logged, never fatal. */
void dromd_address_write(const char *state_dir, const char *host, int port);
void dromd_address_remove(const char *state_dir);
/* The address of a live dromd recorded in state_dir; false when there is
 * none or its process is gone. */
bool dromd_address_read(const char *state_dir, char *out, size_t size);

#endif
