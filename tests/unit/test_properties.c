/* application.properties in java.util.Properties format, and -D overrides. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsl/properties.h"

static char msgbuf[2048];

static void load(struct drom_props *p, const char *text)
{
    struct drom_error err = {0};
    cr_assert_eq(drom_props_load_mem(p, text, strlen(text), "app.properties", &err), 0, "%s",
                 drom_err_format(&err, msgbuf, sizeof msgbuf));
}

static const char *load_fail(const char *text, size_t len)
{
    struct drom_props p = DROM_PROPS_INIT;
    struct drom_error err = {0};
    cr_assert_eq(drom_props_load_mem(&p, text, len, "app.properties", &err), -1);
    drom_props_free(&p);
    return drom_err_format(&err, msgbuf, sizeof msgbuf);
}

Test(properties, separators_comments_and_white_space)
{
    struct drom_props p = DROM_PROPS_INIT;
    load(&p, "# a comment\n"
             "! another\n"
             "\n"
             "   camel.component.kafka.brokers=127.0.0.1:9092\n"
             "a: b\n"
             "c d\n"
             "e   =   f g  \n"
             "h\t:\tx=y:z\n"
             "empty=\n"
             "keyonly\n"
             "  # indented comment\n"
             "url = amqp://127.0.0.1:61616\n");
    cr_assert_str_eq(drom_props_get(&p, "camel.component.kafka.brokers"), "127.0.0.1:9092");
    cr_assert_str_eq(drom_props_get(&p, "a"), "b");
    cr_assert_str_eq(drom_props_get(&p, "c"), "d");
    cr_assert_str_eq(drom_props_get(&p, "e"), "f g  ");   /* trailing white space is kept */
    cr_assert_str_eq(drom_props_get(&p, "h"), "x=y:z");
    cr_assert_str_eq(drom_props_get(&p, "empty"), "");
    cr_assert_str_eq(drom_props_get(&p, "keyonly"), "");
    cr_assert_str_eq(drom_props_get(&p, "url"), "amqp://127.0.0.1:61616");
    cr_assert_null(drom_props_get(&p, "# a comment"));
    cr_assert_null(drom_props_get(&p, "nope"));
    cr_assert_eq(drom_props_count(&p), 8);
    const struct drom_prop *e = drom_props_find(&p, "c");
    cr_assert_str_eq(e->origin, "app.properties");
    cr_assert_eq(e->line, 6);
    cr_assert_eq(drom_props_find(&p, "url")->line, 12);
    drom_props_free(&p);
}

Test(properties, continuation_lines)
{
    struct drom_props p = DROM_PROPS_INIT;
    load(&p, "fruits = apple, banana, \\\n"
             "         pear, \\\r\n"
             "         # not a comment\n"
             "two\\\\=x\n"
             "three=a\\\\\\\n"
             "   b\n"
             "last=end\\");
    cr_assert_str_eq(drom_props_get(&p, "fruits"), "apple, banana, pear, # not a comment");
    cr_assert_str_eq(drom_props_get(&p, "two\\"), "x");
    cr_assert_str_eq(drom_props_get(&p, "three"), "a\\b");
    cr_assert_str_eq(drom_props_get(&p, "last"), "end");
    cr_assert_eq(drom_props_find(&p, "two\\")->line, 4);
    cr_assert_eq(drom_props_find(&p, "three")->line, 5);
    cr_assert_eq(drom_props_find(&p, "last")->line, 7);
    drom_props_free(&p);
}

Test(properties, escapes)
{
    struct drom_props p = DROM_PROPS_INIT;
    load(&p, "tab=a\\tb\\nc\\rd\\fe\n"
             "uni=caf\\u00e9 \\u20AC \\uD83D\\uDE00\n"
             "key\\ with\\ spaces\\=and\\:colon = v\n"
             "other=\\q\\#\\!\n"
             "\\#notcomment=1\n"
             "utf8=h\xC3\xA9llo\n");
    cr_assert_str_eq(drom_props_get(&p, "tab"), "a\tb\nc\rd\fe");
    cr_assert_str_eq(drom_props_get(&p, "uni"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    cr_assert_str_eq(drom_props_get(&p, "key with spaces=and:colon"), "v");
    cr_assert_str_eq(drom_props_get(&p, "other"), "q#!");
    cr_assert_str_eq(drom_props_get(&p, "#notcomment"), "1");
    cr_assert_str_eq(drom_props_get(&p, "utf8"), "h\xC3\xA9llo");
    drom_props_free(&p);
}

Test(properties, line_endings)
{
    struct drom_props p = DROM_PROPS_INIT;
    load(&p, "a=1\r\nb=2\rc=3\n\xEF\xBB\xBF");
    cr_assert_str_eq(drom_props_get(&p, "a"), "1");
    cr_assert_str_eq(drom_props_get(&p, "b"), "2");
    cr_assert_str_eq(drom_props_get(&p, "c"), "3");
    cr_assert_eq(drom_props_find(&p, "c")->line, 3);
    drom_props_free(&p);
}

Test(properties, errors_with_location)
{
    cr_assert_str_eq(load_fail("a=1\nb=x\\u12G4\n", 14),
                     "app.properties:2:4: malformed \\uXXXX escape (four hex digits expected)");
    cr_assert_str_eq(load_fail("a=\\u12", 6),
                     "app.properties:1:3: malformed \\uXXXX escape (four hex digits expected)");
    cr_assert_str_eq(load_fail("a=\\uD800x", 9),
                     "app.properties:1:3: \\u escape of a lone UTF-16 surrogate");
    cr_assert_str_eq(load_fail("a=\\u0000", 8),
                     "app.properties:1:3: \\u0000 (a NUL character) is not allowed");
    cr_assert_str_eq(load_fail("a=1\nb=\0", 7), "app.properties:2:3: NUL byte in a properties file");
}

Test(properties, later_wins_and_overrides)
{
    struct drom_props p = DROM_PROPS_INIT;
    load(&p, "a=1\nb=2\na=3\n");
    cr_assert_str_eq(drom_props_get(&p, "a"), "3");
    cr_assert_eq(drom_props_find(&p, "a")->line, 3);
    cr_assert_eq(drom_props_count(&p), 2);
    struct drom_error err = {0};
    cr_assert_eq(drom_props_define(&p, "b=x=y", &err), 0);
    cr_assert_eq(drom_props_define(&p, "c=", &err), 0);
    cr_assert_str_eq(drom_props_get(&p, "b"), "x=y");
    cr_assert_str_eq(drom_props_find(&p, "b")->origin, "-D");
    cr_assert_eq(drom_props_find(&p, "b")->line, 0);
    cr_assert_str_eq(drom_props_get(&p, "c"), "");
    cr_assert_eq(drom_props_define(&p, "novalue", &err), -1);
    cr_assert_str_eq(err.msg, "-D novalue: expected key=value");
    cr_assert_eq(drom_props_define(&p, "=v", &err), -1);
    cr_assert_str_eq(err.msg, "-D =v: empty key (expected key=value)");
    drom_props_set(&p, "d", "4", "test", 9);
    /* iteration keeps first-set order */
    const char *order[] = {"a", "b", "c", "d"};
    cr_assert_eq(drom_props_count(&p), 4);
    for (size_t i = 0; i < 4; i++)
        cr_assert_str_eq(drom_props_at(&p, i)->key, order[i]);
    cr_assert_null(drom_props_at(&p, 4));
    drom_props_free(&p);
    cr_assert_eq(drom_props_count(&p), 0);
}

Test(properties, component_options_by_iteration)
{
    struct drom_props p = DROM_PROPS_INIT;
    load(&p, "camel.component.kafka.brokers=k:9092\n"
             "camel.component.sjms2.remoteURI=amqp://127.0.0.1:61616\n"
             "db.host=x\n"
             "camel.component.kafka.groupId=g\n");
    const char *prefix = "camel.component.kafka.";
    int n = 0;
    for (size_t i = 0; i < drom_props_count(&p); i++)
        if (strncmp(drom_props_at(&p, i)->key, prefix, strlen(prefix)) == 0)
            n++;
    cr_assert_eq(n, 2);
    drom_props_free(&p);
}

Test(properties, files)
{
    char dir[] = "/tmp/drom-props-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/application.properties", dir);
    FILE *f = fopen(path, "w");
    fputs("# app\ncamel.component.sjms2.password=secret\n", f);
    fclose(f);
    struct drom_props p = DROM_PROPS_INIT;
    struct drom_error err = {0};
    cr_assert_eq(drom_props_load_file(&p, path, &err), 0);
    const struct drom_prop *e = drom_props_find(&p, "camel.component.sjms2.password");
    cr_assert_str_eq(e->origin, path);
    cr_assert_eq(e->line, 2);
    snprintf(path, sizeof path, "%s/missing.properties", dir);
    cr_assert_eq(drom_props_load_file(&p, path, &err), -1);
    cr_assert_eq(err.code, DROM_EIO);
    char expect[512];
    snprintf(expect, sizeof expect, "%s: cannot open properties file: No such file or directory", path);
    cr_assert_str_eq(drom_err_format(&err, msgbuf, sizeof msgbuf), expect);
    drom_props_free(&p);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    cr_assert_eq(system(path), 0);
}
