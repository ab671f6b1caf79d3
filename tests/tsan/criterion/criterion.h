/* A minimal stand-in for Criterion's assertion and test macros, so the
 * engine's route tests run under ThreadSanitizer: Criterion's forked
 * runner cannot start under TSan (Snaipe/Criterion#274). Tests run one
 * after another in one process; the first failed assertion aborts. */
#ifndef TSAN_CRITERION_SHIM_H
#define TSAN_CRITERION_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void shim_register(const char *suite, const char *name, void (*fn)(void));
void shim_fail(const char *file, int line, const char *what);
void shim_skip(void);

#define SHIM_CAT(a, b) a##b
#define Test(suite, name, ...)                                                                                         \
    static void SHIM_CAT(suite##_, name)(void);                                                                        \
    __attribute__((constructor)) static void SHIM_CAT(reg_##suite##_, name)(void)                                     \
    {                                                                                                                  \
        shim_register(#suite, #name, SHIM_CAT(suite##_, name));                                                        \
    }                                                                                                                  \
    static void SHIM_CAT(suite##_, name)(void)

#define cr_assert(cond, ...)                                                                                           \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            shim_fail(__FILE__, __LINE__, #cond);                                                                      \
    } while (0)
#define cr_assert_not(cond, ...) cr_assert(!(cond))
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b))
#define cr_assert_neq(a, b, ...) cr_assert((a) != (b))
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b))
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b))
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b))
#define cr_assert_geq(a, b, ...) cr_assert((a) >= (b))
#define cr_assert_null(a, ...) cr_assert((a) == NULL)
#define cr_assert_not_null(a, ...) cr_assert((a) != NULL)
#define cr_assert_str_eq(a, b, ...) cr_assert(strcmp((a), (b)) == 0)
#define cr_assert_str_empty(a, ...) cr_assert((a)[0] == '\0')
#define cr_assert_str_neq(a, b, ...) cr_assert(strcmp((a), (b)) != 0)
#define cr_assert_fail(...) shim_fail(__FILE__, __LINE__, "cr_assert_fail")
#define cr_skip_test(...)                                                                                              \
    do {                                                                                                               \
        shim_skip();                                                                                                   \
        return;                                                                                                        \
    } while (0)
#define cr_log_error(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr))

#endif
