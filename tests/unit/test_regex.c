/* runtime/regex: Java's syntax and matches() semantics through PCRE2, and
 * Debezium's comma-separated lists. */
#include <criterion/criterion.h>
#include <string.h>

#include "runtime/regex.h"

static bool m(const char *pattern, unsigned flags, const char *text)
{
    struct drom_error err = {0};
    struct drom_regex *re = drom_regex_compile(pattern, strlen(pattern), flags, &err);
    cr_assert_not_null(re, "%s: %s", pattern, err.msg);
    bool r = drom_regex_matches(re, text);
    drom_regex_free(re);
    return r;
}

Test(regex, whole_text_as_java_matches)
{
    cr_expect(m("orders", 0, "orders"));
    cr_expect_not(m("orders", 0, "orders2"));
    cr_expect_not(m("orders", 0, "my_orders"));
    cr_expect_not(m("a$", 0, "a\n"));
    cr_expect(m("a|b", 0, "b"));          /* the alternation is anchored as a whole */
    cr_expect_not(m("a|b", 0, "ab"));
}

Test(regex, caseless_flag_and_inline_flags)
{
    cr_expect(m("shop\\.orders", DROM_REGEX_CASELESS, "SHOP.Orders"));
    cr_expect_not(m("shop\\.orders", 0, "SHOP.Orders"));
    cr_expect(m("(?i)shop", 0, "Shop"));
    cr_expect(m("Ünïcödé", DROM_REGEX_CASELESS, "üNÏCÖDÉ"));
}

Test(regex, invalid_utf8_text_does_not_match_nor_crash)
{
    cr_expect_not(m("a.c", 0, "a\xff" "c"));
}

Test(regex, compile_errors_name_pattern_and_offset)
{
    struct drom_error err = {0};
    cr_expect_null(drom_regex_compile("shop.(orders", 12, 0, &err));
    cr_expect_str_eq(err.msg, "invalid regex 'shop.(orders': missing closing parenthesis at offset 12");
    char big[5000];
    memset(big, 'a', sizeof big);
    cr_expect_null(drom_regex_compile(big, sizeof big, 0, &err));
    cr_expect(strstr(err.msg, "longer than 4096 characters"));
}

Test(regex, list_splits_like_debezium)
{
    struct drom_regex_list l;
    struct drom_error err = {0};
    cr_assert_eq(drom_regex_list_compile(&l, " shop.orders , shop.(?!tmp_).*_log,x\\,y,,", &err), 0, "%s", err.msg);
    cr_expect_eq(l.n, 3);
    cr_expect(drom_regex_list_any(&l, "SHOP.ORDERS"));
    cr_expect(drom_regex_list_any(&l, "shop.audit_log"));
    cr_expect_not(drom_regex_list_any(&l, "shop.tmp_log"));
    cr_expect(drom_regex_list_any(&l, "x,y"));
    cr_expect_not(drom_regex_list_any(&l, "x"));
    drom_regex_list_free(&l);
    cr_expect_eq(drom_regex_list_compile(&l, NULL, &err), 0);
    cr_expect_eq(l.n, 0);
    /* A comma splits even inside braces, as in Debezium; write a{1\,2} to keep it. */
    cr_assert_eq(drom_regex_list_compile(&l, "a{1,2}", &err), 0);
    cr_expect_eq(l.n, 2);
    drom_regex_list_free(&l);
    cr_assert_eq(drom_regex_list_compile(&l, "a{1\\,2}", &err), 0);
    cr_expect(drom_regex_list_any(&l, "aa"));
    drom_regex_list_free(&l);
    cr_expect_eq(drom_regex_list_compile(&l, "ok,(bad", &err), -1);
    cr_expect_str_eq(err.msg, "invalid regex '(bad': missing closing parenthesis at offset 4");
    cr_expect_eq(l.n, 0);
}
