/* Camel endpoint URIs: parsing, decoding, errors with columns, rendering. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dsl/uri.h"

static struct drom_uri ok(const char *s)
{
    struct drom_uri u;
    struct drom_error err = {0};
    cr_assert_eq(drom_uri_parse(s, &u, &err), 0, "%s: %s (col %d)", s, err.msg, err.col);
    return u;
}

static void bad(const char *s, const char *msg, int col)
{
    struct drom_uri u;
    struct drom_error err = {0};
    cr_assert_eq(drom_uri_parse(s, &u, &err), -1, "%s parsed", s);
    cr_assert_eq(err.code, DROM_EINVAL);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_eq(err.col, col, "%s: col %d, expected %d", s, err.col, col);
    cr_assert_eq(err.line, 0);
    cr_assert_null(u.scheme);
    cr_assert_eq(u.nparams, 0);
}

static void param_is(const struct drom_uri *u, size_t i, const char *name, const char *value)
{
    cr_assert_lt(i, u->nparams);
    cr_assert_str_eq(u->params[i].name, name);
    cr_assert_str_eq(u->params[i].value, value);
}

Test(uri, scheme_path_and_options)
{
    const char *s = "kafka:my-mysql.cdcdb.customers?brokers=127.0.0.1:9092&groupId=amq-sink&autoOffsetReset=earliest";
    struct drom_uri u = ok(s);
    cr_assert_str_eq(u.scheme, "kafka");
    cr_assert_str_eq(u.path, "my-mysql.cdcdb.customers");
    cr_assert_eq(u.nparams, 3);
    param_is(&u, 0, "brokers", "127.0.0.1:9092");
    param_is(&u, 1, "groupId", "amq-sink");
    param_is(&u, 2, "autoOffsetReset", "earliest");
    cr_assert_eq(u.params[1].name_off, (size_t)(strstr(s, "groupId") - s));
    cr_assert_eq(u.params[1].value_off, (size_t)(strstr(s, "amq-sink") - s));
    cr_assert_not(u.params[0].raw);
    cr_assert_str_eq(drom_uri_param(&u, "groupId")->value, "amq-sink");
    cr_assert_null(drom_uri_param(&u, "nope"));
    drom_uri_free(&u);
    drom_uri_free(&u);   /* idempotent */
}

Test(uri, no_query_and_colons_in_path)
{
    struct drom_uri u = ok("sjms2:queue:queue.customers");
    cr_assert_str_eq(u.scheme, "sjms2");
    cr_assert_str_eq(u.path, "queue:queue.customers");
    cr_assert_eq(u.nparams, 0);
    drom_uri_free(&u);
    u = ok("direct:");
    cr_assert_str_eq(u.path, "");
    drom_uri_free(&u);
    u = ok("timer:tick?");
    cr_assert_str_eq(u.path, "tick");
    cr_assert_eq(u.nparams, 0);
    drom_uri_free(&u);
}

Test(uri, double_slash_form)
{
    struct drom_uri u = ok("sjms2://queue:queue.customers?deliveryPersistent=false");
    cr_assert_str_eq(u.scheme, "sjms2");
    cr_assert_str_eq(u.path, "queue:queue.customers");
    param_is(&u, 0, "deliveryPersistent", "false");
    drom_uri_free(&u);
    u = ok("file:///var/data");
    cr_assert_str_eq(u.path, "/var/data");
    drom_uri_free(&u);
}

Test(uri, white_space_and_line_breaks_ignored)
{
    /* as the XML reader hands over an attribute broken across lines */
    const char *s = "  debezium-mysql:cdc?databaseHostname=db     &databasePort=3306\n"
                    "\t\t&databaseUser = debezium &\r\n  topicPrefix=my-mysql  ";
    struct drom_uri u = ok(s);
    cr_assert_str_eq(u.scheme, "debezium-mysql");
    cr_assert_str_eq(u.path, "cdc");
    cr_assert_eq(u.nparams, 4);
    param_is(&u, 0, "databaseHostname", "db");
    param_is(&u, 1, "databasePort", "3306");
    param_is(&u, 2, "databaseUser", "debezium");
    param_is(&u, 3, "topicPrefix", "my-mysql");
    cr_assert_eq(u.params[2].name_off, (size_t)(strstr(s, "databaseUser") - s));
    drom_uri_free(&u);
    u = ok("log : out ? level = WARN");
    cr_assert_str_eq(u.scheme, "log");
    cr_assert_str_eq(u.path, "out");
    param_is(&u, 0, "level", "WARN");
    drom_uri_free(&u);
}

Test(uri, percent_and_plus_decoding)
{
    struct drom_uri u = ok("file:my%20dir/a%2Bb+c?fileName=a%20b+c%26d%3De&x=%C3%A9");
    cr_assert_str_eq(u.path, "my dir/a+b+c");   /* '+' stays '+' in the path */
    param_is(&u, 0, "fileName", "a b c&d=e");
    param_is(&u, 1, "x", "\xC3\xA9");
    drom_uri_free(&u);
}

Test(uri, bad_percent_encoding)
{
    bad("file:a%zzb", "invalid percent-encoding '%zz' in the path (expected '%' and two hex digits)", 7);
    bad("log:x?level=%4",
        "invalid percent-encoding '%4' in the value of option 'level' (expected '%' and two hex digits)", 13);
    bad("log:x?a=1&level=ab%",
        "invalid percent-encoding '%' in the value of option 'level' (expected '%' and two hex digits)", 19);
    bad("log:x?a=%00", "'%00' (a NUL byte) is not allowed in the value of option 'a'", 9);
}

Test(uri, raw_values)
{
    struct drom_uri u = ok("kafka:t?saslJaasConfig=RAW(a=b&c+d%20e)&password=RAW{p)&w}&x=1");
    param_is(&u, 0, "saslJaasConfig", "a=b&c+d%20e");
    cr_assert(u.params[0].raw);
    cr_assert_eq(u.params[0].value_off, 23);
    param_is(&u, 1, "password", "p)&w");
    cr_assert(u.params[1].raw);
    param_is(&u, 2, "x", "1");
    cr_assert_not(u.params[2].raw);
    drom_uri_free(&u);
    u = ok("kafka:t?password=RAW(se)cret))");
    param_is(&u, 0, "password", "se)cret)");
    drom_uri_free(&u);
    u = ok("kafka:t?password= RAW( sp ) \n &x=1");
    param_is(&u, 0, "password", " sp ");
    param_is(&u, 1, "x", "1");
    drom_uri_free(&u);
    bad("kafka:t?password=RAW(abc",
        "RAW( value of option 'password' has no closing bracket followed by '&' or the end", 18);
    bad("kafka:t?password=RAW{a)b",
        "RAW{ value of option 'password' has no closing bracket followed by '&' or the end", 18);
}

Test(uri, placeholders_kept_intact)
{
    const char *s = "mysql-binlog:{{env:SRC:cdc}}?host={{env:DB_HOST:127.0.0.1}}&password={{env:DB_PASSWORD}}"
                    "&x=a%20{{k:%zz&?=}}+b&{{?opt}}=1";
    struct drom_uri u = ok(s);
    cr_assert_str_eq(u.path, "{{env:SRC:cdc}}");
    param_is(&u, 0, "host", "{{env:DB_HOST:127.0.0.1}}");
    param_is(&u, 1, "password", "{{env:DB_PASSWORD}}");
    param_is(&u, 2, "x", "a {{k:%zz&?=}} b");
    param_is(&u, 3, "{{?opt}}", "1");
    drom_uri_free(&u);
    u = ok("timer:{{name}}?period={{a{{b}}c}}");
    param_is(&u, 0, "period", "{{a{{b}}c}}");
    drom_uri_free(&u);
    bad("timer:x?period={{p", "'{{' without matching '}}'", 16);
    bad("timer:{{x?period=1", "'{{' without matching '}}'", 7);
}

Test(uri, options_without_values_and_empty_parts)
{
    struct drom_uri u = ok("log:x?showAll&&level=INFO&&");
    cr_assert_eq(u.nparams, 2);
    param_is(&u, 0, "showAll", "");
    param_is(&u, 1, "level", "INFO");
    drom_uri_free(&u);
    u = ok("log:x?a=");
    param_is(&u, 0, "a", "");
    drom_uri_free(&u);
}

Test(uri, errors)
{
    bad("", "empty endpoint URI", 1);
    bad("   ", "empty endpoint URI", 1);
    bad("timer", "missing ':' after the component scheme (expected 'scheme:path')", 6);
    bad("1abc:x", "an endpoint URI starts with a component scheme (expected 'scheme:path')", 1);
    bad("ti_mer:x", "invalid character '_' in the component scheme (expected 'scheme:path')", 3);
    bad("log:x?=1", "empty option name before '='", 7);
    bad("log:x?a=1& =2", "empty option name before '='", 12);
    bad("log:x?level=INFO&showAll=true&level=WARN", "option 'level' is given more than once", 31);
    bad("log:x?a&a", "option 'a' is given more than once", 9);
    bad("log:x?l%65vel=1&level=2", "option 'level' is given more than once", 17);
}

Test(uri, error_columns_count_characters)
{
    bad("log:\xC3\xA9\xC3\xA9?a=%g", "invalid percent-encoding '%g' in the value of option 'a' (expected '%' and two hex digits)", 10);
}

static bool secret(const char *name, void *ctx)
{
    (void)ctx;
    return strcmp(name, "password") == 0 || strcmp(name, "saslJaasConfig") == 0;
}

static void roundtrip(const char *s, const char *expect)
{
    struct drom_uri u = ok(s);
    char *r = drom_uri_render(&u, NULL, NULL);
    cr_assert_str_eq(r, expect);
    struct drom_uri v = ok(r);
    cr_assert_str_eq(v.scheme, u.scheme);
    cr_assert_str_eq(v.path, u.path);
    cr_assert_eq(v.nparams, u.nparams);
    for (size_t i = 0; i < u.nparams; i++) {
        param_is(&v, i, u.params[i].name, u.params[i].value);
        cr_assert_eq(v.params[i].raw, u.params[i].raw);
    }
    free(r);
    drom_uri_free(&u);
    drom_uri_free(&v);
}

Test(uri, render_canonical_and_round_trips)
{
    roundtrip("kafka:t?brokers=a:1,b:2", "kafka:t?brokers=a:1,b:2");
    roundtrip("  sjms2://queue:q ?  a = 1 &\n b=x+y%2Bz", "sjms2:queue:q?a=1&b=x%20y%2Bz");
    roundtrip("file:my%20dir?fileName=a%26b%3Dc%25", "file:my%20dir?fileName=a%26b=c%25");
    roundtrip("kafka:t?c=RAW(a&b=c)&d=RAW{x)&y}", "kafka:t?c=RAW(a&b=c)&d=RAW{x)&y}");
    roundtrip("x:y?p={{env:A:b c}}&q=%7B%7Bz", "x:y?p={{env:A:b c}}&q=%7B%7Bz");
    roundtrip("x:%2F%2Fz?v=RAW%28x", "x:%2F/z?v=RAW%28x");
    roundtrip("x:y?showAll", "x:y?showAll=");
    roundtrip("x:\xC3\xA9", "x:%C3%A9");
}

Test(uri, render_masks_secrets)
{
    struct drom_uri u = ok("mysql-binlog:cdc?user=debezium&password=dbz&saslJaasConfig=RAW(x y)&port=3306");
    char *r = drom_uri_render(&u, secret, NULL);
    cr_assert_str_eq(r, "mysql-binlog:cdc?user=debezium&password=xxxxxx&saslJaasConfig=xxxxxx&port=3306");
    cr_assert_null(strstr(r, "dbz"));
    free(r);
    drom_uri_free(&u);
}
