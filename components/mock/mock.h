/* Camel's mock endpoint, for route tests: every exchange sent to
 * mock:NAME is recorded (a copy), expectations are set on it and checked
 * with a deadline. Endpoints with the same name in one engine share one
 * mock. All functions may be called from any thread; the test calls them
 * while the engine runs. A mock lives as long as its engine. */
#ifndef DROM_COMPONENTS_MOCK_H
#define DROM_COMPONENTS_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/component.h"
#include "runtime/engine.h"

struct drom_mock;

/* The mock named `name` (without "mock:"), once the engine created it
 * (drom_engine_start); NULL when no route uses it. */
struct drom_mock *drom_mock_get(struct drom_engine *eng, const char *name);

/* Expect exactly n exchanges (-1: no expectation). */
void drom_mock_expect_count(struct drom_mock *m, int64_t n);
/* Expect these bodies in this order (also sets the count). Copied. */
void drom_mock_expect_bodies(struct drom_mock *m, const char *const *bodies, size_t n);
/* Expect these bodies in any order (also sets the count). Copied. */
void drom_mock_expect_bodies_any_order(struct drom_mock *m, const char *const *bodies, size_t n);
/* Expect header `name` = `value` on every received exchange. */
void drom_mock_expect_header(struct drom_mock *m, const char *name, const char *value);

/* Makes the next n exchanges fail (n < 0: all from now on, 0: none) with
 * `status` (DROM_RETRY or DROM_FAIL), error code and message. Failed
 * arrivals are recorded too: a redelivery shows as another arrival. */
void drom_mock_fail(struct drom_mock *m, int n, enum drom_status status, enum drom_errcode code, const char *msg);

/* Waits until at least `count` exchanges arrived or timeout_ms passed;
 * 0 when reached. */
int drom_mock_wait(struct drom_mock *m, size_t count, int64_t timeout_ms);
/* Waits for the expected count (when set) up to timeout_ms, then, for
 * assertPeriod, that no more arrive; checks every expectation. 0 when all
 * hold, else -1 with the first difference in err. */
int drom_mock_assert(struct drom_mock *m, int64_t timeout_ms, struct drom_error *err);

size_t drom_mock_received(struct drom_mock *m);
/* A copy of the i-th arrival (caller frees), NULL when out of range. */
struct drom_exchange *drom_mock_exchange(struct drom_mock *m, size_t i);
/* The i-th arrival's body as a malloc'ed string (NULL for a null body or out of range). */
char *drom_mock_body(struct drom_mock *m, size_t i);
/* Forgets arrivals and expectations. */
void drom_mock_reset(struct drom_mock *m);

#endif
