/* {{placeholders}}: properties, env, files, optional ones, errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/unprivileged.h"
#include "dsl/placeholder.h"

/* A fake environment: "NAME=value" pairs. */
static const char *fake_env(const char *name, void *ctx)
{
    for (const char *const *e = ctx; *e; e++) {
        size_t n = strlen(name);
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

static const char *const env[] = {"DB_HOST=db.example", "EMPTY=", "NAME=DB_HOST", NULL};

static struct drom_props props = DROM_PROPS_INIT;
static struct drom_placeholder_ctx ctx;

static void setup(void)
{
    const char *text = "db.host=props-host\n"
                       "db.port=3306\n"
                       "url=jdbc:{{db.host}}:{{db.port}}\n"
                       "loop=x{{loop}}\n"
                       "a=a{{b}}\n"
                       "b=b{{a}}\n"
                       "broken=x{{nope}}\n"
                       "which=db.port\n"
                       "secret=s3cr3t-value\n"
                       "escaped=\\\\{{not}}\n";
    struct drom_error err = {0};
    cr_assert_eq(drom_props_load_mem(&props, text, strlen(text), "app.properties", &err), 0, "%s", err.msg);
    ctx = (struct drom_placeholder_ctx){.props = &props, .env = fake_env, .env_ctx = (void *)env};
}

static void teardown(void)
{
    drom_props_free(&props);
}

TestSuite(placeholder, .init = setup, .fini = teardown);

static void is(const char *text, const char *expect)
{
    char *out = (char *)1;
    bool absent = true;
    struct drom_error err = {0};
    cr_assert_eq(drom_placeholder_resolve(text, &ctx, &out, &absent, &err), 0, "%s: %s", text, err.msg);
    cr_assert_not(absent);
    cr_assert_str_eq(out, expect);
    free(out);
}

static void is_absent(const char *text)
{
    char *out = (char *)1;
    bool absent = false;
    struct drom_error err = {0};
    cr_assert_eq(drom_placeholder_resolve(text, &ctx, &out, &absent, &err), 0, "%s: %s", text, err.msg);
    cr_assert(absent, "%s", text);
    cr_assert_null(out);
}

static void fails(const char *text, const char *msg, int col)
{
    char *out = (char *)1;
    bool absent = false;
    struct drom_error err = {0};
    cr_assert_eq(drom_placeholder_resolve(text, &ctx, &out, &absent, &err), -1, "%s resolved", text);
    cr_assert_null(out);
    cr_assert_eq(err.code, DROM_EINVAL);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_eq(err.col, col, "%s: col %d, expected %d", text, err.col, col);
    cr_assert_null(strstr(err.msg, "s3cr3t"));
    cr_assert_null(strstr(err.msg, "props-host"));
    cr_assert_null(strstr(err.msg, "db.example"));
}

Test(placeholder, literal_text_unchanged)
{
    is("", "");
    is("plain text { } }} {x}", "plain text { } }} {x}");
}

Test(placeholder, properties_and_defaults)
{
    is("{{db.host}}", "props-host");
    is("host={{db.host}}&port={{db.port}}!", "host=props-host&port=3306!");
    is("{{missing:fallback}}", "fallback");
    is("{{missing:}}", "");
    is("{{missing:a:b}}", "a:b");
    is("{{db.port:9999}}", "3306");
    is("{{url}}", "jdbc:props-host:3306");
}

Test(placeholder, environment)
{
    is("{{env:DB_HOST}}", "db.example");
    is("{{env:EMPTY}}", "");
    is("{{env:NOPE:127.0.0.1}}", "127.0.0.1");
    is("{{env:NOPE:}}", "");
    is("{{env:DB_HOST:127.0.0.1}}:{{db.port}}", "db.example:3306");
    fails("x {{env:DB_PASSWORD}}",
          "unresolved placeholder '{{env:DB_PASSWORD}}': environment variable DB_PASSWORD is not set", 3);
    fails("{{env:}}", "unresolved placeholder '{{env:}}': empty environment variable name", 1);
}

Test(placeholder, default_env_is_getenv)
{
    struct drom_placeholder_ctx plain = {.props = NULL};
    setenv("DROM_TEST_PLACEHOLDER", "from-env", 1);
    char *out;
    struct drom_error err = {0};
    cr_assert_eq(drom_placeholder_resolve("{{env:DROM_TEST_PLACEHOLDER}}", &plain, &out, NULL, &err), 0);
    cr_assert_str_eq(out, "from-env");
    free(out);
    cr_assert_eq(drom_placeholder_resolve("{{db.host}}", NULL, &out, NULL, &err), -1);
    cr_assert_str_eq(err.msg, "unresolved placeholder '{{db.host}}': property db.host is not defined "
                              "(set it in the --properties file or with -D)");
}

Test(placeholder, optional)
{
    is_absent("{{?nope}}");
    is_absent("prefix-{{?nope}}-suffix");
    is_absent("{{?env:NOPE}}");
    is("{{?db.host}}", "props-host");
    is("{{?nope:dflt}}", "dflt");
    is("{{?env:DB_HOST}}", "db.example");
    char *out;
    struct drom_error err = {0};
    cr_assert_eq(drom_placeholder_resolve("{{?nope}}", &ctx, &out, NULL, &err), -1);
    cr_assert_str_eq(err.msg, "an optional placeholder {{?…}} is undefined where a value is required");
}

Test(placeholder, unresolved_property)
{
    fails("a{{db.user}}", "unresolved placeholder '{{db.user}}': property db.user is not defined "
                          "(set it in the --properties file or with -D)", 2);
    fails("{{}}", "unresolved placeholder '{{}}': empty placeholder", 1);
    fails("{{?}}", "unresolved placeholder '{{?}}': empty placeholder", 1);
    fails("{{:x}}", "unresolved placeholder '{{:x}}': empty property name", 1);
}

Test(placeholder, unterminated)
{
    fails("abc {{db.host", "'{{' without matching '}}'", 5);
    fails("{{db.port}} {{b", "'{{' without matching '}}'", 13);
    fails("\xC3\xA9\xC3\xA9{{x", "'{{' without matching '}}'", 3);
}

Test(placeholder, nested_and_recursive)
{
    is("{{env:{{missing:DB_HOST}}}}", "db.example");
    is("{{{{which}}}}", "3306");
    fails("{{loop}}", "unresolved placeholder '{{loop}}': property loop refers to itself "
                      "(in the value of property loop)", 1);
    fails("x{{a}}", "unresolved placeholder '{{a}}': property a refers to itself "
                    "(in the value of property b) (in the value of property a)", 2);
    fails("  {{broken}}", "unresolved placeholder '{{nope}}': property nope is not defined "
                          "(set it in the --properties file or with -D) (in the value of property broken)", 3);
    fails("{{env:{{env:NAME}}X}}",
          "unresolved placeholder '{{env:{{env:NAME}}X}}': environment variable (named by a nested placeholder) is not set", 1);
    fails("ab{{env:{{nope}}}}", "unresolved placeholder '{{nope}}': property nope is not defined "
                                "(set it in the --properties file or with -D)", 9);
}

Test(placeholder, escapes)
{
    is("\\{{db.host\\}}", "{{db.host}}");
    is("{{escaped}}", "{{not}}");   /* the value holds \\{{not}} */
    cr_assert_not(drom_placeholder_present("\\{{x\\}}"));
}

Test(placeholder, refused_functions)
{
    fails("{{sys:user.home}}", "unresolved placeholder '{{sys:user.home}}': Java system properties are not "
                               "supported; use {{env:NAME}} or a property (--properties FILE or -D key=value)", 1);
    fails("{{bean:foo}}", "unresolved placeholder '{{bean:foo}}': the 'bean' function is not supported", 1);
    fails("{{service:FOO}}", "unresolved placeholder '{{service:FOO}}': the 'service' function is not supported", 1);
}

Test(placeholder, files)
{
    test_drop_root();
    char dir[] = "/tmp/drom-ph-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], text[512], expect[1024];
    snprintf(path, sizeof path, "%s/password", dir);
    FILE *f = fopen(path, "w");
    fputs("  top secret \n\n", f);
    fclose(f);
    snprintf(text, sizeof text, "pw={{file:%s}};", path);
    is(text, "pw=  top secret;");

    snprintf(text, sizeof text, "{{file:%s/none}}", dir);
    snprintf(expect, sizeof expect,
             "unresolved placeholder '{{file:%s/none}}': cannot read file %s/none: No such file or directory",
             dir, dir);
    fails(text, expect, 1);
    snprintf(text, sizeof text, "{{?file:%s/none}}", dir);
    is_absent(text);

    cr_assert_eq(chmod(path, 0), 0);
    snprintf(text, sizeof text, "{{file:%s}}", path);
    snprintf(expect, sizeof expect, "unresolved placeholder '{{file:%s}}': cannot read file %s: Permission denied",
             path, path);
    fails(text, expect, 1);
    cr_assert_null(strstr(expect, "top secret"));
    snprintf(text, sizeof text, "{{file:%s}}", dir);
    snprintf(expect, sizeof expect, "unresolved placeholder '{{file:%s}}': cannot read file %s: Is a directory",
             dir, dir);
    fails(text, expect, 1);

    snprintf(path, sizeof path, "%s/nul", dir);
    f = fopen(path, "w");
    fputs("ab", f);
    fputc(0, f);
    fputs("cd", f);
    fclose(f);
    snprintf(text, sizeof text, "{{file:%s}}", path);
    snprintf(expect, sizeof expect, "unresolved placeholder '{{file:%s}}': file %s holds a NUL byte", path, path);
    fails(text, expect, 1);
    fails("{{file:}}", "unresolved placeholder '{{file:}}': empty file name", 1);
    snprintf(text, sizeof text, "rm -rf '%s'", dir);
    cr_assert_eq(system(text), 0);
}

/* Kafka's FileConfigProvider form, ${file:PATH:KEY}, as imported connector configs use it. */
Test(placeholder, file_key)
{
    char dir[] = "/tmp/drom-phk-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128], text[512], expect[1024];
    snprintf(path, sizeof path, "%s/amq.properties", dir);
    FILE *f = fopen(path, "w");
    fputs("# mounted from a Secret\nusername=admin\npassword = s3cr3t\n", f);
    fclose(f);
    snprintf(text, sizeof text, "{{file:%s:username}}/{{file:%s:password}}", path, path);
    is(text, "admin/s3cr3t");
    snprintf(text, sizeof text, "{{file:%s:token}}", path);
    snprintf(expect, sizeof expect, "unresolved placeholder '{{file:%s:token}}': file %s has no key token", path, path);
    fails(text, expect, 1);
    snprintf(text, sizeof text, "{{?file:%s:token}}", path);
    is_absent(text);
    snprintf(text, sizeof text, "{{file:%s:}}", path);
    snprintf(expect, sizeof expect, "unresolved placeholder '{{file:%s:}}': {{file:PATH:KEY}} needs a file and a key", path);
    fails(text, expect, 1);
    snprintf(text, sizeof text, "rm -rf '%s'", dir);
    cr_assert_eq(system(text), 0);
}

Test(placeholder, present)
{
    cr_assert(drom_placeholder_present("a{{b}}"));
    cr_assert(drom_placeholder_present("{{b"));
    cr_assert_not(drom_placeholder_present("a{b}"));
    cr_assert_not(drom_placeholder_present(""));
    cr_assert_not(drom_placeholder_present(NULL));
}
