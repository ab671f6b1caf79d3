/* The byte buffer's formatting: printf in one pass when the text fits and
 * in two when it does not, and the integer writers of the hot path, which
 * must print what %" PRId64 " and %" PRIu64 " print. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "runtime/buf.h"

Test(buf, printf_fits_and_grows)
{
    struct drom_buf b = DROM_BUF_INIT;
    drom_buf_printf(&b, "%s-%d", "a", 1);
    cr_assert_str_eq(b.data, "a-1");
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    drom_buf_printf(&b, "[%s]", big);
    cr_assert_eq(b.len, 3 + 2 + sizeof big - 1);
    cr_assert_eq(b.data[3], '[');
    cr_assert_eq(b.data[b.len - 1], ']');
    cr_assert_eq(b.data[b.len], '\0');
    drom_buf_printf(&b, "%s", "");
    cr_assert_eq(b.len, 3 + 2 + sizeof big - 1, "an empty text adds nothing");
    drom_buf_free(&b);
}

Test(buf, integers_as_printf_writes_them)
{
    const int64_t is[] = {0, 1, -1, 9, 10, -10, 1234567890123LL, INT64_MAX, INT64_MIN};
    const uint64_t us[] = {0, 7, 18446744073709551615ULL, 10000000000000000000ULL};
    struct drom_buf b = DROM_BUF_INIT;
    char want[32];
    for (size_t i = 0; i < sizeof is / sizeof *is; i++) {
        drom_buf_reset(&b);
        drom_buf_put_i64(&b, is[i]);
        snprintf(want, sizeof want, "%" PRId64, is[i]);
        cr_assert_str_eq(b.data, want);
    }
    for (size_t i = 0; i < sizeof us / sizeof *us; i++) {
        drom_buf_reset(&b);
        drom_buf_put_u64(&b, us[i]);
        snprintf(want, sizeof want, "%" PRIu64, us[i]);
        cr_assert_str_eq(b.data, want);
    }
    drom_buf_free(&b);
}
