/* The expression languages: Simple predicates and templates, constant,
 * header and jsonpath, with exact results and exact error positions. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsl/simple.h"
#include "runtime/exchange.h"
#include "runtime/expr.h"

/* 2024-03-05 07:08:09.123 UTC, a Tuesday. */
#define FIXED_US 1709622489123000LL

static const struct drom_expr_env test_env = {.route_id = "r1", .camel_context = "ctx1", .now_us = FIXED_US};

static struct drom_exchange *mk(const char *body)
{
    struct drom_exchange *ex = drom_exchange_new();
    if (body)
        drom_exchange_set_body_str(ex, body, NULL);
    return ex;
}

static bool pred(const char *text, struct drom_exchange *ex)
{
    struct drom_error err = {0};
    struct drom_expr *e = drom_expr_parse("simple", text, DROM_EXPR_PREDICATE, &err);
    cr_assert_not_null(e, "parse of [%s] failed: %d:%d: %s", text, err.line, err.col, err.msg);
    bool b = false;
    int rc = drom_expr_eval_bool(e, ex, &test_env, &b, &err);
    cr_assert_eq(rc, 0, "eval of [%s] failed: %s", text, err.msg);
    drom_expr_free(e);
    return b;
}

/* Evaluates `text` in `lang` (VALUE mode) as text; caller frees. */
static char *val(const char *lang, const char *text, struct drom_exchange *ex)
{
    struct drom_error err = {0};
    struct drom_expr *e = drom_expr_parse(lang, text, DROM_EXPR_VALUE, &err);
    cr_assert_not_null(e, "parse of [%s] failed: %d:%d: %s", text, err.line, err.col, err.msg);
    char *s = NULL;
    int rc = drom_expr_eval_str(e, ex, &test_env, &s, &err);
    cr_assert_eq(rc, 0, "eval of [%s] failed: %s", text, err.msg);
    drom_expr_free(e);
    return s;
}

static void expect_val(const char *lang, const char *text, struct drom_exchange *ex, const char *want)
{
    char *s = val(lang, text, ex);
    cr_expect_str_eq(s, want, "[%s] gave [%s], want [%s]", text, s, want);
    free(s);
}

static void expect_parse_error(const char *lang, const char *text, enum drom_expr_mode mode, int line, int col,
                               const char *msg)
{
    struct drom_error err = {0};
    struct drom_expr *e = drom_expr_parse(lang, text, mode, &err);
    cr_assert_null(e, "[%s] parsed but should fail", text);
    cr_expect_str_eq(err.msg, msg, "[%s]: got message [%s]", text, err.msg);
    cr_expect_eq(err.line, line, "[%s]: line %d, want %d", text, err.line, line);
    cr_expect_eq(err.col, col, "[%s]: col %d, want %d", text, err.col, col);
    cr_expect_str_eq(err.file, "");
    cr_expect_eq(err.code, DROM_EINVAL);
}

static void expect_eval_error(const char *lang, const char *text, struct drom_exchange *ex, const char *msg)
{
    struct drom_error err = {0};
    struct drom_expr *e = drom_expr_parse(lang, text, DROM_EXPR_VALUE, &err);
    cr_assert_not_null(e, "parse of [%s] failed: %s", text, err.msg);
    struct drom_value v;
    cr_expect_eq(drom_expr_eval(e, ex, &test_env, &v, &err), -1, "[%s] should fail", text);
    cr_expect_str_eq(err.msg, msg, "[%s]: got [%s]", text, err.msg);
    drom_expr_free(e);
}

/* ---- the main route's filter ---- */

Test(simple, body_not_null_is_false_for_a_null_body)
{
    struct drom_exchange *ex = mk(NULL);
    cr_expect_not(pred("${body} != null", ex));
    cr_expect(pred("${body} == null", ex));
    drom_exchange_free(ex);
}

Test(simple, body_not_null_is_true_for_an_empty_body)
{
    struct drom_exchange *ex = mk("");
    cr_expect(pred("${body} != null", ex));
    cr_expect_not(pred("${body} == null", ex));
    drom_exchange_free(ex);
}

Test(simple, body_not_null_is_true_for_a_body)
{
    struct drom_exchange *ex = mk("{\"id\":1}");
    cr_expect(pred("  ${body} != null\n", ex));
    drom_exchange_free(ex);
}

/* ---- headers and other functions ---- */

Test(simple, header_spellings)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "foo", "bar");
    const char *forms[] = {"${header.foo}", "${headers.foo}", "${header[foo]}", "${header['foo']}",
                           "${in.header.foo}", "${in.headers.foo}", "${headers:foo}", "${header.FOO}"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        expect_val("simple", forms[i], ex, "bar");
    drom_exchange_free(ex);
}

Test(simple, header_name_with_dots)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "kafka.TOPIC", "my-mysql.cdcdb.customers");
    cr_expect(pred("${header.kafka.TOPIC} == 'my-mysql.cdcdb.customers'", ex));
    drom_exchange_free(ex);
}

Test(simple, missing_header_is_null)
{
    struct drom_exchange *ex = mk("x");
    cr_expect(pred("${header.nope} == null", ex));
    cr_expect_not(pred("${header.nope} != null", ex));
    cr_expect_not(pred("${header.nope} == ''", ex));
    expect_val("simple", "[${header.nope}]", ex, "[]");
    drom_exchange_free(ex);
}

Test(simple, exchange_property)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->props, "tenant", "acme");
    expect_val("simple", "${exchangeProperty.tenant}", ex, "acme");
    expect_val("simple", "${exchangeProperty[tenant]}", ex, "acme");
    drom_exchange_free(ex);
}

Test(simple, ids)
{
    struct drom_exchange *ex = mk("x");
    ex->route_id = "from-exchange";
    expect_val("simple", "${routeId}/${camelId}", ex, "r1/ctx1");
    char *id = val("simple", "${exchangeId}", ex);
    cr_expect_str_eq(id, ex->id);
    free(id);
    /* Without an env the exchange's route and the default context name. */
    struct drom_expr *e = drom_expr_parse("simple", "${routeId} ${camelId}", DROM_EXPR_VALUE, NULL);
    char *s = NULL;
    cr_assert_eq(drom_expr_eval_str(e, ex, NULL, &s, NULL), 0);
    cr_expect_str_eq(s, "from-exchange dromedary");
    free(s);
    drom_expr_free(e);
    drom_exchange_free(ex);
}

Test(simple, env_variables)
{
    setenv("DROM_TEST_ENV", "hello", 1);
    unsetenv("DROM_TEST_MISSING");
    struct drom_exchange *ex = mk("x");
    expect_val("simple", "${env:DROM_TEST_ENV} ${env.DROM_TEST_ENV} ${sysenv.DROM_TEST_ENV}", ex, "hello hello hello");
    cr_expect(pred("${env:DROM_TEST_MISSING} == null", ex));
    drom_exchange_free(ex);
}

Test(simple, exception_message)
{
    struct drom_exchange *ex = mk("x");
    cr_expect(pred("${exception.message} == null", ex));
    drom_exchange_fail(ex, "broker said %s", "no");
    expect_val("simple", "failed: ${exception.message}", ex, "failed: broker said no");
    expect_val("simple", "${exception}", ex, "broker said no");
    drom_exchange_free(ex);
}

Test(simple, body_as_and_one_line)
{
    struct drom_exchange *ex = mk(" 42\n");
    cr_expect(pred("${bodyAs(Integer)} == 42", ex));
    cr_expect(pred("${bodyAs(java.lang.Long)} > 41", ex));
    expect_val("simple", "${bodyAs(String)}|", ex, " 42\n|");
    expect_val("simple", "${bodyOneLine}|", ex, " 42|");
    drom_exchange_set_body_str(ex, "TRUE", NULL);
    cr_expect(pred("${bodyAs(Boolean)}", ex));
    drom_exchange_free(ex);
}

Test(simple, body_as_integer_on_text_is_an_error)
{
    struct drom_exchange *ex = mk("forty-two");
    expect_eval_error("simple", "${bodyAs(Integer)}", ex, "cannot convert the body to a whole number: 'forty-two'");
    drom_exchange_free(ex);
}

Test(simple, body_as_unknown_type)
{
    expect_parse_error("simple", "x ${bodyAs(Date)}", DROM_EXPR_VALUE, 1, 3,
                       "unsupported type 'Date' in '${bodyAs(Date)}' (expected String, Integer, Long, Boolean or byte[])");
}

/* ---- comparisons ---- */

Test(simple, numeric_comparison_when_both_sides_are_numbers)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "n", "100");
    drom_headers_set_str(&ex->headers, "small", "9");
    drom_headers_set_int(&ex->headers, "i", 5);
    cr_expect(pred("${header.n} > 99", ex));
    cr_expect(pred("${header.small} < ${header.n}", ex));   /* 9 < 100, not "9" > "100" */
    cr_expect(pred("${header.n} == 0100", ex));
    cr_expect(pred("${header.n} >= 100.0", ex));
    cr_expect(pred("${header.i} == '5'", ex));
    cr_expect(pred("${header.i} <= 5", ex));
    cr_expect_not(pred("${header.i} > 5", ex));
    drom_exchange_free(ex);
}

Test(simple, string_comparison_otherwise)
{
    struct drom_exchange *ex = mk("abc");
    cr_expect(pred("${body} < 'abd'", ex));
    cr_expect(pred("${body} > 'ab'", ex));
    cr_expect(pred("${body} == \"abc\"", ex));
    cr_expect(pred("${body} == abc", ex));   /* a bare word is text, as Camel reads it */
    cr_expect_not(pred("${body} == 'ABC'", ex));
    cr_expect(pred("${body} =~ 'ABC'", ex));
    cr_expect(pred("${body} != 'x'", ex));
    drom_exchange_free(ex);
}

Test(simple, ordering_with_null_is_false)
{
    struct drom_exchange *ex = mk(NULL);
    cr_expect_not(pred("${body} > 1", ex));
    cr_expect_not(pred("${body} < 1", ex));
    cr_expect_not(pred("${header.none} >= 0", ex));
    drom_exchange_free(ex);
}

Test(simple, booleans)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_bool(&ex->headers, "flag", true);
    drom_headers_set_str(&ex->headers, "word", "TRUE");
    cr_expect(pred("${header.flag} == true", ex));
    cr_expect(pred("${header.word} == true", ex));
    cr_expect_not(pred("${header.flag} == false", ex));
    drom_exchange_free(ex);
}

Test(simple, right_side_function_and_template_literal)
{
    struct drom_exchange *ex = mk("x-7");
    drom_headers_set_str(&ex->headers, "a", "7");
    drom_headers_set_str(&ex->headers, "b", "7");
    cr_expect(pred("${header.a} == ${header.b}", ex));
    cr_expect(pred("${body} == 'x-${header.a}'", ex));
    cr_expect_not(pred("${body} == '${header.a}'", ex));
    drom_exchange_free(ex);
}

Test(simple, contains_starts_ends)
{
    struct drom_exchange *ex = mk("Apache Camel rocks");
    cr_expect(pred("${body} contains 'Camel'", ex));
    cr_expect_not(pred("${body} contains 'camel'", ex));
    cr_expect(pred("${body} ~~ 'camel'", ex));
    cr_expect(pred("${body} !contains 'Horse'", ex));
    cr_expect(pred("${body} !~~ 'horse'", ex));
    cr_expect(pred("${body} startsWith 'Apache'", ex));
    cr_expect(pred("${body} endsWith 'rocks'", ex));
    cr_expect(pred("${body} !endsWith 'Apache'", ex));
    cr_expect_not(pred("${header.none} contains 'x'", ex));
    cr_expect(pred("${header.none} !contains 'x'", ex));
    drom_exchange_free(ex);
}

Test(simple, regex_matches_the_whole_text)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "number", "1234");
    drom_headers_set_str(&ex->headers, "code", "AB-12");
    cr_expect(pred("${header.number} regex '\\d{4}'", ex));
    cr_expect_not(pred("${header.number} regex '\\d{3}'", ex));   /* whole-text match, as String.matches */
    cr_expect(pred("${header.code} regex '[A-Z]+-[\\d]+'", ex));
    cr_expect(pred("${header.code} regex '(?:AB|CD)-\\w+'", ex));
    cr_expect(pred("${header.code} !regex '\\s+'", ex));
    drom_exchange_free(ex);
}

Test(simple, regex_on_a_missing_header_is_false)
{
    struct drom_exchange *ex = mk("x");
    cr_expect_not(pred("${header.none} regex '.*'", ex));
    cr_expect(pred("${header.none} !regex '.*'", ex));
    drom_exchange_free(ex);
}

Test(simple, regex_pattern_from_a_header)
{
    struct drom_exchange *ex = mk("abc");
    drom_headers_set_str(&ex->headers, "pat", "a.c");
    cr_expect(pred("${body} regex ${header.pat}", ex));
    drom_headers_set_str(&ex->headers, "pat", "(");
    struct drom_expr *e = drom_expr_parse("simple", "${body} regex ${header.pat}", DROM_EXPR_PREDICATE, NULL);
    struct drom_error err = {0};
    bool b;
    cr_expect_eq(drom_expr_eval_bool(e, ex, &test_env, &b, &err), -1);
    cr_expect_str_eq(err.msg, "invalid regex '(': missing closing parenthesis at offset 1");
    drom_expr_free(e);
    drom_exchange_free(ex);
}

Test(simple, regex_invalid_at_parse_time)
{
    expect_parse_error("simple", "${header.x} regex '[a-'", DROM_EXPR_PREDICATE, 1, 19,
                       "invalid regex '[a-': missing terminating ] for character class at offset 3");
    expect_parse_error("simple", "${header.x} regex 'a{2,1}'", DROM_EXPR_PREDICATE, 1, 19,
                       "invalid regex 'a{2,1}': numbers out of order in {} quantifier at offset 5");
    expect_parse_error("simple", "${header.x} regex 'shop.(orders'", DROM_EXPR_PREDICATE, 1, 19,
                       "invalid regex 'shop.(orders': missing closing parenthesis at offset 12");
}

/* Slips a Camel user makes, each told where and what was meant. */
Test(simple, slips_get_a_column_and_a_suggestion)
{
    expect_parse_error("simple", "${body} = null", DROM_EXPR_PREDICATE, 1, 9,
                       "unknown operator '='; did you mean '=='?");
    expect_parse_error("simple", "${body} contians 'a'", DROM_EXPR_PREDICATE, 1, 9,
                       "unknown operator 'contians'; did you mean 'contains'?");
    expect_parse_error("simple", "${body} !startswith 'a'", DROM_EXPR_PREDICATE, 1, 9,
                       "unknown operator '!startswith'; did you mean '!startsWith'?");
    expect_parse_error("simple", "${header.op == }", DROM_EXPR_PREDICATE, 1, 13,
                       "the name 'op ==' holds the operator '==': close the function before it, as in "
                       "'${header.op} == ...'");
    expect_parse_error("simple", "${body.toUpperCase()}", DROM_EXPR_VALUE, 1, 8,
                       "method calls ('toUpperCase()') are not run: Simple here has no OGNL; see docs/expressions.md "
                       "for the functions it has");
    expect_parse_error("simple", "${header.code.trim()} == 'a'", DROM_EXPR_PREDICATE, 1, 15,
                       "method calls ('trim()') are not run: Simple here has no OGNL; see docs/expressions.md "
                       "for the functions it has");
    expect_parse_error("simple", "${body} foo 3", DROM_EXPR_PREDICATE, 1, 9, "expected an operator after '${body}'");
}

/* What Java's java.util.regex accepts and users write: inline flags,
 * look-around, possessive quantifiers, back references, named groups. */
Test(simple, regex_java_syntax)
{
    struct drom_exchange *ex = mk("Orders");
    cr_expect(pred("${body} regex '(?i)orders'", ex));
    cr_expect_not(pred("${body} regex 'orders'", ex));
    cr_expect(pred("${body} regex '(?!tmp_).*'", ex));
    cr_expect(pred("${body} regex '\\p{Lu}\\w++'", ex));
    cr_expect(pred("${body} regex '(?<first>O)rders'", ex));
    drom_exchange_free(ex);
    ex = mk("tmp_orders");
    cr_expect_not(pred("${body} regex '(?!tmp_).*'", ex));
    drom_exchange_free(ex);
    ex = mk("abab");
    cr_expect(pred("${body} regex '(ab)\\1'", ex));
    drom_exchange_free(ex);
    ex = mk("line\n");
    cr_expect_not(pred("${body} regex 'line$'", ex));   /* Java's matches(): '$' does not stop before a final newline */
    drom_exchange_free(ex);
}

Test(simple, in_and_not_in)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "type", "silver");
    drom_headers_set_int(&ex->headers, "n", 3);
    cr_expect(pred("${header.type} in 'gold,silver'", ex));
    cr_expect(pred("${header.type} in 'gold, silver , bronze'", ex));
    cr_expect_not(pred("${header.type} in 'gold,platinum'", ex));
    cr_expect(pred("${header.type} !in 'gold,platinum'", ex));
    cr_expect(pred("${header.n} in '1,2,03'", ex));
    cr_expect_not(pred("${header.none} in 'a,b'", ex));
    drom_exchange_free(ex);
}

Test(simple, range_and_not_range)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "n", "10");
    drom_headers_set_str(&ex->headers, "word", "ten");
    cr_expect(pred("${header.n} range '1..10'", ex));
    cr_expect(pred("${header.n} range '10..20'", ex));
    cr_expect_not(pred("${header.n} range '11..20'", ex));
    cr_expect(pred("${header.n} !range '11..20'", ex));
    cr_expect(pred("${header.n} range '-5..10'", ex));
    cr_expect_not(pred("${header.word} range '1..100'", ex));
    cr_expect_not(pred("${header.none} range '1..100'", ex));
    drom_exchange_free(ex);
}

Test(simple, range_needs_from_to)
{
    expect_parse_error("simple", "${header.n} range '1-10'", DROM_EXPR_PREDICATE, 1, 19,
                       "range must be 'FROM..TO' with whole numbers, got '1-10'");
}

Test(simple, and_or_left_to_right)
{
    struct drom_exchange *ex = mk("x");
    cr_expect(pred("true && true", ex));
    cr_expect_not(pred("true && false", ex));
    cr_expect(pred("false || true", ex));
    /* Left to right, no precedence: (true || false) && false. */
    cr_expect_not(pred("true || false && false", ex));
    /* (false && x) || true */
    cr_expect(pred("false && false || true", ex));
    cr_expect(pred("${body} == 'x' && ${header.a} == null || ${body} == 'y'", ex));
    drom_exchange_free(ex);
}

Test(simple, and_short_circuits)
{
    struct drom_exchange *ex = mk("not a number");
    /* The right side would fail to convert; it is never evaluated. */
    cr_expect_not(pred("${header.none} != null && ${bodyAs(Integer)} > 1", ex));
    cr_expect(pred("${body} != null || ${bodyAs(Integer)} > 1", ex));
    drom_exchange_free(ex);
}

Test(simple, truthiness_of_plain_values)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "t", " True ");
    drom_headers_set_str(&ex->headers, "f", "false");
    drom_headers_set_str(&ex->headers, "empty", "");
    drom_headers_set_str(&ex->headers, "other", "yes");
    drom_headers_set_int(&ex->headers, "zero", 0);
    cr_expect(pred("${header.t}", ex));
    cr_expect_not(pred("${header.f}", ex));
    cr_expect(pred("${header.empty}", ex));   /* Camel: not null, so true */
    cr_expect(pred("${header.other}", ex));
    cr_expect(pred("${header.zero}", ex));
    cr_expect_not(pred("${header.none}", ex));
    cr_expect_not(pred("false", ex));
    cr_expect_not(pred("null", ex));
    drom_exchange_free(ex);
}

/* ---- templates (VALUE mode) ---- */

Test(simple, interpolation_with_adjacent_text)
{
    struct drom_exchange *ex = mk("row-1");
    drom_headers_set_str(&ex->headers, "kafka.TOPIC", "t1");
    drom_headers_set_int(&ex->headers, "kafka.PARTITION", 3);
    expect_val("simple", "Got ${body} from ${header.kafka.TOPIC}", ex, "Got row-1 from t1");
    expect_val("simple", "[${body}]${header.kafka.TOPIC}:${header.kafka.PARTITION}!", ex, "[row-1]t1:3!");
    expect_val("simple", "${header.kafka.TOPIC}${header.kafka.PARTITION}", ex, "t13");
    expect_val("simple", "$simple{body} and $ alone and {braces}", ex, "row-1 and $ alone and {braces}");
    drom_exchange_free(ex);
}

Test(simple, plain_text_is_a_constant)
{
    struct drom_exchange *ex = mk("x");
    struct drom_expr *e = drom_expr_parse("simple", "  just text  ", DROM_EXPR_VALUE, NULL);
    cr_assert_not_null(e);
    cr_expect_eq(e->kind, DROM_EXPR_LITERAL);
    struct drom_value v;
    cr_assert_eq(drom_expr_eval(e, ex, &test_env, &v, NULL), 0);
    cr_expect_eq(v.type, DROM_V_STRING);
    cr_expect_str_eq(v.s, "just text");
    drom_value_clear(&v);
    drom_expr_free(e);
    expect_val("simple", "", ex, "");
    drom_exchange_free(ex);
}

Test(simple, single_function_keeps_its_type)
{
    struct drom_exchange *ex = mk(NULL);
    drom_headers_set_int(&ex->headers, "n", 42);
    struct drom_value v;
    struct drom_expr *e = drom_expr_parse("simple", "${header.n}", DROM_EXPR_VALUE, NULL);
    cr_assert_eq(drom_expr_eval(e, ex, &test_env, &v, NULL), 0);
    cr_expect_eq(v.type, DROM_V_INT);
    cr_expect_eq(v.i, 42);
    drom_value_clear(&v);
    drom_expr_free(e);
    e = drom_expr_parse("simple", "${body}", DROM_EXPR_VALUE, NULL);
    cr_assert_eq(drom_expr_eval(e, ex, &test_env, &v, NULL), 0);
    cr_expect_eq(v.type, DROM_V_NULL);
    drom_expr_free(e);
    expect_val("simple", "body=${body}.", ex, "body=.");
    drom_exchange_free(ex);
}

Test(simple, predicate_value_is_a_boolean)
{
    struct drom_exchange *ex = mk("a");
    struct drom_expr *e = drom_expr_parse("simple", "${body} == 'a'", DROM_EXPR_PREDICATE, NULL);
    struct drom_value v;
    cr_assert_eq(drom_expr_eval(e, ex, &test_env, &v, NULL), 0);
    cr_expect_eq(v.type, DROM_V_BOOL);
    cr_expect(v.b);
    char *s;
    cr_assert_eq(drom_expr_eval_str(e, ex, &test_env, &s, NULL), 0);
    cr_expect_str_eq(s, "true");
    free(s);
    drom_expr_free(e);
    drom_exchange_free(ex);
}

Test(simple, escapes_in_templates)
{
    struct drom_exchange *ex = mk("b");
    expect_val("simple", "a\\n${body}\\tc\\d", ex, "a\nb\tc\\d");
    drom_exchange_free(ex);
}

Test(simple, operators_are_text_in_value_mode)
{
    struct drom_exchange *ex = mk("a");
    expect_val("simple", "${body} == 'a'", ex, "a == 'a'");
    drom_exchange_free(ex);
}

/* ---- dates ---- */

Test(simple, date_with_a_fixed_clock)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct drom_exchange *ex = mk("x");
    expect_val("simple", "${date:now:yyyy-MM-dd HH:mm:ss.SSS Z}", ex, "2024-03-05 07:08:09.123 +0000");
    expect_val("simple", "${date:now:yyyyMMdd}", ex, "20240305");
    expect_val("simple", "${date:now:yyyy-MM-dd'T'HH:mm:ssXXX}", ex, "2024-03-05T07:08:09Z");
    expect_val("simple", "${date:now:EEE, d MMM yy h:mm a}", ex, "Tue, 5 Mar 24 7:08 AM");
    expect_val("simple", "${date:now:EEEE MMMM D 'o''clock' ''}", ex, "Tuesday March 65 o'clock '");
    expect_val("simple", "${date:now}", ex, "Tue Mar 05 07:08:09 UTC 2024");
    drom_exchange_free(ex);
}

Test(simple, date_in_another_zone)
{
    setenv("TZ", "EST5", 1);
    tzset();
    struct drom_exchange *ex = mk("x");
    expect_val("simple", "${date:now:yyyy-MM-dd HH:mm Z|XXX|X}", ex, "2024-03-05 02:08 -0500|-05:00|-05");
    drom_exchange_free(ex);
}

Test(simple, date_from_header_and_exchange)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct drom_exchange *ex = mk("x");
    drom_headers_set_int(&ex->headers, "ts", 86400000);
    ex->created_us = 1000000;
    expect_val("simple", "${date:header.ts:yyyy-MM-dd}|${date:exchangeCreated:HH:mm:ss}", ex, "1970-01-02|00:00:01");
    cr_expect(pred("${date:header.none:yyyy} == null", ex));
    drom_exchange_free(ex);
}

Test(simple, date_errors)
{
    expect_parse_error("simple", "at ${date:now:yyyy-QQ}", DROM_EXPR_VALUE, 1, 20,
                       "unsupported letter 'Q' in date pattern 'yyyy-QQ' (supported: y M d D E H k K h a m s S z Z X)");
    expect_parse_error("simple", "${date:tomorrow:yyyy}", DROM_EXPR_VALUE, 1, 8,
                       "unknown date command 'tomorrow' in '${date:tomorrow:yyyy}' (expected now, exchangeCreated or header.NAME)");
    expect_parse_error("simple", "${date:now:'oops}", DROM_EXPR_VALUE, 1, 12,
                       "unclosed quote in date pattern ''oops'");
}

/* ---- syntax errors ---- */

Test(simple, unknown_function_suggests)
{
    expect_parse_error("simple", "${bdy} != null", DROM_EXPR_PREDICATE, 1, 1,
                       "unknown function '${bdy}' \xe2\x80\x94 did you mean '${body}'?");
    expect_parse_error("simple", "Hi ${heder.name}!", DROM_EXPR_VALUE, 1, 4,
                       "unknown function '${heder.name}' \xe2\x80\x94 did you mean '${header.name}'?");
    expect_parse_error("simple", "${routeID}", DROM_EXPR_VALUE, 1, 1,
                       "unknown function '${routeID}' \xe2\x80\x94 did you mean '${routeId}'?");
}

Test(simple, unknown_function_without_a_suggestion)
{
    expect_parse_error("simple", "${frobnicate}", DROM_EXPR_VALUE, 1, 1,
                       "unknown function '${frobnicate}' (expected body, bodyAs(TYPE), header.NAME, "
                       "exchangeProperty.NAME, routeId, exchangeId, camelId, date:now:PATTERN, env:NAME, "
                       "exception.message, null or jsonpath(PATH))");
    expect_parse_error("simple", "${date}", DROM_EXPR_VALUE, 1, 1,
                       "unknown function '${date}' (expected body, bodyAs(TYPE), header.NAME, "
                       "exchangeProperty.NAME, routeId, exchangeId, camelId, date:now:PATTERN, env:NAME, "
                       "exception.message, null or jsonpath(PATH))");
    expect_parse_error("simple", "${uuid}", DROM_EXPR_VALUE, 1, 1,
                       "'${uuid}' is not supported here (see docs/expressions.md for what is)");
}

Test(simple, function_shape_errors)
{
    expect_parse_error("simple", "${}", DROM_EXPR_VALUE, 1, 1,
                       "empty '${}' (expected a function such as ${body} or ${header.NAME})");
    expect_parse_error("simple", "${header}", DROM_EXPR_VALUE, 1, 1,
                       "expected a name in '${header}' (as in '${header.NAME}')");
    expect_parse_error("simple", "${header.}", DROM_EXPR_VALUE, 1, 1, "expected a name in '${header.}'");
    expect_parse_error("simple", "${header[x}", DROM_EXPR_VALUE, 1, 1, "expected ']' to close '${header[x}'");
    expect_parse_error("simple", "${headers}", DROM_EXPR_VALUE, 1, 1,
                       "'${headers}' (all headers at once) is not supported; use '${header.NAME}'");
    expect_parse_error("simple", "${body.name}", DROM_EXPR_VALUE, 1, 1,
                       "OGNL access on the body ('${body.name}') is not supported; use ${jsonpath($.field)}");
}

Test(simple, unclosed_function)
{
    expect_parse_error("simple", "Got ${body from x", DROM_EXPR_VALUE, 1, 5, "unclosed '${' (expected '}')");
    expect_parse_error("simple", "${body} != null && ${header.x", DROM_EXPR_PREDICATE, 1, 20,
                       "unclosed '${' (expected '}')");
    expect_parse_error("simple", "a ${body ${header.x}", DROM_EXPR_VALUE, 1, 3,
                       "unclosed '${' (expected '}'; nested '${' is not supported)");
}

Test(simple, operator_position_errors)
{
    expect_parse_error("simple", "${header.x} 'a'", DROM_EXPR_PREDICATE, 1, 13,
                       "expected an operator after '${header.x}'");
    expect_parse_error("simple", "${header.x} equals 'a'", DROM_EXPR_PREDICATE, 1, 13,
                       "expected an operator after '${header.x}'");
    expect_parse_error("simple", "${header.x} ==", DROM_EXPR_PREDICATE, 1, 15, "expected a value after '=='");
    expect_parse_error("simple", "${header.x} == && true", DROM_EXPR_PREDICATE, 1, 16, "expected a value after '=='");
    expect_parse_error("simple", "== 'a'", DROM_EXPR_PREDICATE, 1, 1, "expected a value before '=='");
    expect_parse_error("simple", "${header.x}=='a'", DROM_EXPR_PREDICATE, 1, 12,
                       "expected a space before '==' (Simple needs spaces around operators)");
    expect_parse_error("simple", "${header.x} =='a'", DROM_EXPR_PREDICATE, 1, 15,
                       "expected a space after '==' (Simple needs spaces around operators)");
}

Test(simple, logic_errors)
{
    expect_parse_error("simple", "${body} == 'a' 'b'", DROM_EXPR_PREDICATE, 1, 16,
                       "expected '&&' or '||' after '${body} == 'a''");
    expect_parse_error("simple", "${body} == 'a' &&", DROM_EXPR_PREDICATE, 1, 18, "expected a condition after '&&'");
    expect_parse_error("simple", "${body} == 'a' and ${body} == 'b'", DROM_EXPR_PREDICATE, 1, 16,
                       "expected '&&' or '||' after '${body} == 'a''");
}

Test(simple, unclosed_string_literal)
{
    expect_parse_error("simple", "${body} == 'abc", DROM_EXPR_PREDICATE, 1, 12, "unclosed string literal (expected ')");
    expect_parse_error("simple", "${body} == \"abc", DROM_EXPR_PREDICATE, 1, 12, "unclosed string literal (expected \")");
}

Test(simple, empty_predicate)
{
    expect_parse_error("simple", "  \n ", DROM_EXPR_PREDICATE, 2, 2,
                       "empty predicate (expected a condition such as ${body} != null)");
}

Test(simple, errors_count_lines_and_columns)
{
    expect_parse_error("simple", "\n  ${body} != null &&\n    ${bdy} == 'x'", DROM_EXPR_PREDICATE, 3, 5,
                       "unknown function '${bdy}' \xe2\x80\x94 did you mean '${body}'?");
}

Test(simple, unknown_language)
{
    struct drom_error err = {0};
    cr_expect_null(drom_expr_parse("groovy", "1", DROM_EXPR_VALUE, &err));
    cr_expect_str_eq(err.msg, "unknown expression language 'groovy' (expected simple, constant, header or jsonpath)");
    cr_expect_eq(err.line, 0);
}

Test(simple, errors_without_an_error_struct)
{
    cr_expect_null(drom_expr_parse("simple", "${bdy}", DROM_EXPR_VALUE, NULL));
    cr_expect_null(drom_expr_parse("jsonpath", "a.b", DROM_EXPR_VALUE, NULL));
    cr_expect_null(drom_expr_parse("simple", "${x} regex '['", DROM_EXPR_PREDICATE, NULL));
}

/* ---- constant and header ---- */

Test(simple, constant_language)
{
    struct drom_exchange *ex = mk("x");
    expect_val("constant", "  ${body} is not expanded ", ex, "${body} is not expanded");
    struct drom_expr *e = drom_expr_parse("constant", "true", DROM_EXPR_PREDICATE, NULL);
    bool b = false;
    cr_assert_eq(drom_expr_eval_bool(e, ex, &test_env, &b, NULL), 0);
    cr_expect(b);
    drom_expr_free(e);
    drom_exchange_free(ex);
}

Test(simple, header_language)
{
    struct drom_exchange *ex = mk("x");
    drom_headers_set_str(&ex->headers, "CamelDebeziumOperation", "d");
    expect_val("header", " CamelDebeziumOperation ", ex, "d");
    expect_val("header", "missing", ex, "");
    expect_parse_error("header", "   ", DROM_EXPR_VALUE, 1, 4, "expected a header name");
    drom_exchange_free(ex);
}

/* ---- jsonpath ---- */

static const char *const envelope =
    "{\"before\":null,\"after\":{\"id\":1004,\"first_name\":\"Anne\",\"email\":\"annek@noanswer.org\","
    "\"score\":2.5,\"vip\":true},\"source\":{\"db\":\"cdcdb\",\"table\":\"customers\"},\"op\":\"c\","
    "\"tags\":[\"a\",\"b\",\"c\"],\"rows\":[{\"id\":1},{\"id\":2}],\"a.b\":\"dotted\"}";

Test(simple, jsonpath_values)
{
    struct drom_exchange *ex = mk(envelope);
    expect_val("jsonpath", "$.after.first_name", ex, "Anne");
    expect_val("jsonpath", "$['after']['email']", ex, "annek@noanswer.org");
    expect_val("jsonpath", "$[\"a.b\"]", ex, "dotted");
    expect_val("jsonpath", "$.after.id", ex, "1004");
    expect_val("jsonpath", "$.after.score", ex, "2.5");
    expect_val("jsonpath", "$.after.vip", ex, "true");
    expect_val("jsonpath", "$.tags[0]", ex, "a");
    expect_val("jsonpath", "$.tags[-1]", ex, "c");
    expect_val("jsonpath", "$.source", ex, "{\"db\":\"cdcdb\",\"table\":\"customers\"}");
    expect_val("jsonpath", "$.tags", ex, "[\"a\",\"b\",\"c\"]");
    drom_exchange_free(ex);
}

Test(simple, jsonpath_types)
{
    struct drom_exchange *ex = mk(envelope);
    struct drom_expr *e = drom_expr_parse("jsonpath", "$.after.id", DROM_EXPR_VALUE, NULL);
    struct drom_value v;
    cr_assert_eq(drom_expr_eval(e, ex, &test_env, &v, NULL), 0);
    cr_expect_eq(v.type, DROM_V_INT);
    cr_expect_eq(v.i, 1004);
    drom_expr_free(e);
    e = drom_expr_parse("jsonpath", "$.rows", DROM_EXPR_VALUE, NULL);
    cr_assert_eq(drom_expr_eval(e, ex, &test_env, &v, NULL), 0);
    cr_expect_eq(v.type, DROM_V_JSON);
    cr_expect_str_eq(v.s, "[{\"id\":1},{\"id\":2}]");
    drom_value_clear(&v);
    drom_expr_free(e);
    e = drom_expr_parse("jsonpath", "$.before", DROM_EXPR_VALUE, NULL);
    cr_assert_eq(drom_expr_eval(e, ex, &test_env, &v, NULL), 0);
    cr_expect_eq(v.type, DROM_V_NULL);
    drom_expr_free(e);
    drom_exchange_free(ex);
}

Test(simple, jsonpath_wildcards_yield_arrays)
{
    struct drom_exchange *ex = mk(envelope);
    expect_val("jsonpath", "$.tags[*]", ex, "[\"a\",\"b\",\"c\"]");
    expect_val("jsonpath", "$.rows[*].id", ex, "[1,2]");
    expect_val("jsonpath", "$.source.*", ex, "[\"cdcdb\",\"customers\"]");
    expect_val("jsonpath", "$.nothing[*]", ex, "[]");
    drom_exchange_free(ex);
}

Test(simple, jsonpath_no_match_is_null)
{
    struct drom_exchange *ex = mk(envelope);
    struct drom_expr *e = drom_expr_parse("jsonpath", "$.after.missing", DROM_EXPR_PREDICATE, NULL);
    bool b = true;
    cr_assert_eq(drom_expr_eval_bool(e, ex, &test_env, &b, NULL), 0);
    cr_expect_not(b);
    drom_expr_free(e);
    expect_val("jsonpath", "$.tags[3]", ex, "");
    expect_val("jsonpath", "$.tags[-4]", ex, "");
    expect_val("jsonpath", "$.op.x", ex, "");
    drom_exchange_free(ex);
}

Test(simple, jsonpath_inside_simple)
{
    struct drom_exchange *ex = mk(envelope);
    cr_expect(pred("${jsonpath($.op)} == 'c' && ${jsonpath($.after.id)} > 1000", ex));
    cr_expect(pred("${jsonpath($.after.email)} regex '.*@noanswer\\.org'", ex));
    expect_val("simple", "id=${jsonpath($.after.id)}", ex, "id=1004");
    drom_exchange_set_body_null(ex);
    cr_expect(pred("${jsonpath($.op)} == null", ex));
    drom_exchange_free(ex);
}

Test(simple, jsonpath_on_a_body_that_is_not_json)
{
    struct drom_exchange *ex = mk("not json");
    expect_eval_error("jsonpath", "$.a", ex, "body is not JSON: invalid token near 'not' at line 1 column 3");
    drom_exchange_set_body_str(ex, "{\"a\":", NULL);
    expect_eval_error("simple", "${jsonpath($.a)}", ex,
                      "body is not JSON: unexpected token near end of file at line 1 column 5");
    drom_exchange_free(ex);
}

Test(simple, jsonpath_syntax_errors)
{
    expect_parse_error("jsonpath", "after.id", DROM_EXPR_VALUE, 1, 1, "jsonpath must start with '$'");
    expect_parse_error("jsonpath", "$.a[?(@.x)]", DROM_EXPR_VALUE, 1, 5, "jsonpath filters '[?(...)]' are not supported");
    expect_parse_error("jsonpath", "$..id", DROM_EXPR_VALUE, 1, 2, "jsonpath deep scan '..' is not supported");
    expect_parse_error("jsonpath", "$.a[0", DROM_EXPR_VALUE, 1, 4, "unclosed '[' in jsonpath (expected ']')");
    expect_parse_error("jsonpath", "$.a[1:3]", DROM_EXPR_VALUE, 1, 6,
                       "jsonpath unions and slices ('[a,b]', '[1:3]') are not supported");
    expect_parse_error("jsonpath", "$.a.", DROM_EXPR_VALUE, 1, 4, "expected a name after '.' in jsonpath");
    expect_parse_error("simple", "x ${jsonpath($.a[x])}", DROM_EXPR_VALUE, 1, 18,
                       "expected 'name', N or * inside '[...]' in jsonpath");
}

/* ---- sharing ---- */

struct shared {
    const struct drom_expr *e;
    int ok;
};

static void *evaluate_many(void *arg)
{
    struct shared *s = arg;
    struct drom_exchange *ex = mk("1234");
    drom_headers_set_str(&ex->headers, "type", "gold");
    for (int i = 0; i < 2000; i++) {
        bool b = false;
        if (drom_expr_eval_bool(s->e, ex, &test_env, &b, NULL) == 0 && b)
            s->ok++;
    }
    drom_exchange_free(ex);
    return NULL;
}

Test(simple, one_tree_evaluated_from_several_threads)
{
    struct drom_expr *e = drom_expr_parse("simple", "${body} regex '\\d+' && ${header.type} in 'gold,silver'",
                                          DROM_EXPR_PREDICATE, NULL);
    cr_assert_not_null(e);
    pthread_t t[4];
    struct shared s[4];
    for (int i = 0; i < 4; i++) {
        s[i] = (struct shared){.e = e};
        pthread_create(&t[i], NULL, evaluate_many, &s[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(s[i].ok, 2000);
    }
    drom_expr_free(e);
}

Test(simple, regex_limits)
{
    expect_parse_error("simple", "${body} regex '((a{100}){100}){100}'", DROM_EXPR_PREDICATE, 1, 15,
                       "invalid regex '((a{100}){100}){100}': regular expression is too large at offset 20");
    /* A pattern that backtracks without end gives up with an error, not a hang. */
    struct drom_exchange *ex = mk("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    struct drom_expr *e = drom_expr_parse("simple", "${body} regex '(a|aa)+(b|c)'", DROM_EXPR_PREDICATE, NULL);
    struct drom_error err = {0};
    bool b;
    cr_expect_eq(drom_expr_eval_bool(e, ex, &test_env, &b, &err), -1);
    cr_expect_str_eq(err.msg, "regex '(a|aa)+(b|c)' gave up: match limit exceeded");
    drom_expr_free(e);
    drom_exchange_free(ex);
    ex = mk("123-456-789");
    cr_expect(pred("${body} regex '(\\d{3}-?){3}'", ex));
    cr_expect(pred("${body} regex '(a{100}){100}|[-0-9]+'", ex));
    drom_exchange_free(ex);
}
