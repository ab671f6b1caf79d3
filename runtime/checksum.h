/* Checksums of small stored records (offsets): enough to tell damage and
 * hand edits from what dromd wrote, not a defence against an attacker. */
#ifndef DROM_RUNTIME_CHECKSUM_H
#define DROM_RUNTIME_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, as zlib's crc32) of [p, p+n). */
uint32_t drom_crc32(const void *p, size_t n);

#endif
