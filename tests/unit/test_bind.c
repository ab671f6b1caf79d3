/* toD's run-time binding: the same checks as a static endpoint. */
#include <criterion/criterion.h>
#include <string.h>

#include "compiler/bind.h"
#include "components/registry.h"
#include "dsl/properties.h"
#include "optset_util.h"

static const char *fake_env(const char *name, void *ctx)
{
    (void)ctx;
    return strcmp(name, "PW") == 0 ? "s3cret" : NULL;
}

Test(bind, binds_with_defaults_and_properties)
{
    struct drom_props props = DROM_PROPS_INIT;
    struct drom_error err = {0};
    cr_assert_eq(drom_props_define(&props, "camel.component.kafka.brokers=127.0.0.1:1", &err), 0);
    struct drom_compile_opts o = {.props = &props, .env = fake_env};
    struct drom_arena a = DROM_ARENA_INIT;
    struct drom_gendpoint ep;
    cr_assert_eq(drom_bind_uri("kafka:orders-7?lingerMs=5", &o, &a, &ep, &err), 0, "%s", err.msg);
    cr_expect_str_eq(ep.scheme, "kafka");
    cr_expect_str_eq(ep.path, "orders-7");
    cr_expect_str_eq(opt_str(&ep.opts, "brokers"), "127.0.0.1:1");
    cr_expect_str_eq(opt_str(&ep.opts, "lingerMs"), "5");
    cr_expect_eq(ep.comp, drom_registry_find("kafka"));
    drom_arena_free(&a);
    drom_props_free(&props);
}

Test(bind, resolves_secrets_and_masks_them)
{
    struct drom_error err = {0};
    struct drom_compile_opts o = {.env = fake_env};
    struct drom_arena a = DROM_ARENA_INIT;
    struct drom_gendpoint ep;
    cr_assert_eq(drom_bind_uri("sjms2:queue:q?remoteURI=amqp://127.0.0.1:1&username=u&password={{env:PW}}", &o,
                               &a, &ep, &err), 0, "%s", err.msg);
    cr_expect_str_eq(opt_str(&ep.opts, "password"), "s3cret");
    cr_expect_null(strstr(ep.uri_masked, "s3cret"));
    drom_arena_free(&a);
}

Test(bind, refuses_what_a_route_file_would)
{
    struct drom_error err = {0};
    struct drom_compile_opts o = {.env = fake_env};
    struct drom_arena a = DROM_ARENA_INIT;
    struct drom_gendpoint ep;
    cr_expect_eq(drom_bind_uri("kafka:t?brokers=x&lingerMz=5", &o, &a, &ep, &err), -1);
    cr_expect(strstr(err.msg, "lingerMz") && strstr(err.msg, "lingerMs"), "%s", err.msg);
    cr_expect_eq(drom_bind_uri("nosuch:x", &o, &a, &ep, &err), -1);
    cr_expect(strstr(err.msg, "nosuch"), "%s", err.msg);
    cr_expect_eq(drom_bind_uri("file:/tmp?fileExist=Sometimes\"/><to uri=\"log:x", &o, &a, &ep, &err), -1);
    drom_arena_free(&a);
}
