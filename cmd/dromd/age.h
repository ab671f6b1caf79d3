/* Durations as Camel's tooling prints them: "850ms", "5s", "3m12s", "2h5m", "4d3h". */
#ifndef DROMD_AGE_H
#define DROMD_AGE_H

#include <stddef.h>
#include <stdint.h>

/* Writes into buf and returns it. */
const char *dromd_age(int64_t ms, char *buf, size_t size);

#endif
