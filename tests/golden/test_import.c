/* Golden tests of dromc import: connector configurations in, route file,
 * properties file and report out (tests/import/expected/NAME.xml,
 * .properties, .report), or the exact error for malformed input
 * (NAME.error). Each imported route must compile with its properties file
 * (secret files stood in for), and no secret value of the inputs may appear
 * in any output. UPDATE_GOLDEN=1 build/test-unit --filter 'import/...'
 * rewrites the expected files. Run from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "compiler/beans.h"
#include "compiler/compile.h"
#include "compiler/import.h"
#include "dsl/properties.h"
#include "runtime/buf.h"
#include "tests/support/testenv.h"

#define DIR "tests/import/"

static bool updating(void)
{
    const char *u = getenv("UPDATE_GOLDEN");
    return u && *u && strcmp(u, "0") != 0;
}

static void expect_file(const char *name, const char *ext, const char *actual)
{
    char path[256];
    snprintf(path, sizeof path, DIR "expected/%s.%s", name, ext);
    if (updating()) {
        FILE *f = fopen(path, "w");
        cr_assert(f, "cannot write %s", path);
        fputs(actual, f);
        fclose(f);
        return;
    }
    char *want = ts_read_file(path, NULL);
    cr_assert(want, "missing expected file %s (UPDATE_GOLDEN=1 from the repository root)", path);
    cr_expect_str_eq(actual, want, "%s differs:\n--- expected\n%s--- actual\n%s", path, want, actual);
    free(want);
}

static const char *any_env(const char *name, void *ctx)
{
    (void)name;
    (void)ctx;
    return "from-the-environment";
}

/* The route compiles with its properties; files of secrets are stood in for. */
static void expect_compiles(const char *name, const struct drom_import_out *out)
{
    struct drom_props p = DROM_PROPS_INIT;
    struct drom_error err = {0};
    cr_assert_eq(drom_props_load_mem(&p, out->properties, strlen(out->properties), "imported.properties", &err), 0,
                 "%s: properties: %s", name, err.msg);
    for (size_t i = 0; i < drom_props_count(&p); i++) {
        const struct drom_prop *pr = drom_props_at(&p, i);
        if (strstr(pr->value, "{{file:")) {
            char *key = strdup(pr->key);
            drom_props_set(&p, key, "stand-in", "test", 0);
            free(key);
        }
    }
    /* what the report of a --camel-compatible import tells users to give dromd */
    if (strstr(out->report, "-D camel.component.sjms2.allowInsecurePlain=true"))
        drom_props_set(&p, "camel.component.sjms2.allowInsecurePlain", "true", "-D", 0);
    cr_assert_eq(drom_beans_apply(&p, &err), 0, "%s: beans: %s", name, err.msg);
    struct drom_compile_opts o = {.props = &p, .env = any_env};
    struct drom_diags d = DROM_DIAGS_INIT;
    struct drom_graph g;
    int rc = drom_compile_mem(out->route, strlen(out->route), "imported.xml", &o, &g, &d);
    if (rc < 0)
        drom_diags_print(&d, stderr);
    cr_expect_eq(rc, 0, "%s: the imported route compiles (diagnostics above)", name);
    if (rc == 0)
        drom_graph_free(&g);
    drom_diags_free(&d);
    drom_props_free(&p);
}

static void run_case(const char *name, const char *const *inputs, bool camel, const char *const *secrets)
{
    struct drom_import_input in[8];
    size_t n = 0;
    char paths[8][200];
    for (; inputs[n]; n++) {
        snprintf(paths[n], sizeof paths[n], DIR "%s", inputs[n]);
        size_t len;
        char *data = ts_read_file(paths[n], &len);
        cr_assert(data, "cannot read %s (run from the repository root)", paths[n]);
        in[n] = (struct drom_import_input){.name = paths[n], .data = data, .len = len};
    }
    struct drom_import_opts o = {.camel_compatible = camel, .properties_name = "imported.properties"};
    struct drom_import_out out;
    struct drom_error err = {0};
    int rc = drom_import(in, n, &o, &out, &err);
    if (rc < 0) {
        char line[1400];
        if (err.col > 0)
            snprintf(line, sizeof line, "%s:%d:%d: error: %s\n", err.file, err.line, err.col, err.msg);
        else
            snprintf(line, sizeof line, "%s:%d: error: %s\n", err.file, err.line, err.msg);
        expect_file(name, "error", line);
    } else {
        expect_file(name, "xml", out.route);
        expect_file(name, "properties", out.properties);
        expect_file(name, "report", out.report);
        for (const char *const *s = secrets; s && *s; s++) {
            cr_expect(!strstr(out.route, *s), "%s: secret '%s' in the route", name, *s);
            cr_expect(!strstr(out.properties, *s), "%s: secret '%s' in the properties", name, *s);
            cr_expect(!strstr(out.report, *s), "%s: secret '%s' in the report", name, *s);
        }
        expect_compiles(name, &out);
        drom_import_out_free(&out);
    }
    for (size_t i = 0; i < n; i++)
        free((char *)in[i].data);
}

#define INPUTS(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(import, seed_connectors)
{
    run_case("seed", INPUTS("seed/mysql-source.yaml", "seed/amq-sink.yaml"), false, NULL);
}

Test(import, seed_connectors_with_the_connect_cluster)
{
    run_case("seed-worker", INPUTS("seed/my-connect-s2i.yaml", "seed/mysql-source.yaml", "seed/amq-sink.yaml"), false,
             NULL);
}

Test(import, seed_connectors_camel_compatible)
{
    run_case("seed-camel", INPUTS("seed/mysql-source.yaml", "seed/amq-sink.yaml"), true, NULL);
}

Test(import, debezium_documentation_example)
{
    run_case("debezium-doc", INPUTS("cases/debezium-doc.yaml"), false, INPUTS("dbz"));
}

Test(import, the_signal_consumers_security_is_carried_over)
{
    run_case("signal-consumer", INPUTS("cases/signal-consumer.yaml"), false, NULL);
}

Test(import, rest_json_source_and_sink_with_transforms)
{
    run_case("rest", INPUTS("cases/rest-source.json", "cases/rest-sink.json"), false, NULL);
}

Test(import, unsupported_options_and_transforms_are_each_reported)
{
    run_case("unsupported", INPUTS("cases/unsupported.yaml"), false, NULL);
}

Test(import, secrets_become_placeholders)
{
    run_case("secrets", INPUTS("cases/secrets.yaml"), false, INPUTS("Sup3rS3cr3t!"));
    run_case("secrets-camel", INPUTS("cases/secrets.yaml"), true, INPUTS("Sup3rS3cr3t!"));
}

Test(import, malformed_input_names_file_and_line)
{
    run_case("malformed-yaml", INPUTS("cases/malformed-yaml.yaml"), false, NULL);
    run_case("malformed-json", INPUTS("cases/malformed-json.json"), false, NULL);
    run_case("malformed-value", INPUTS("cases/malformed-value.yaml"), false, NULL);
    run_case("malformed-kind", INPUTS("cases/malformed-kind.yaml"), false, NULL);
    run_case("malformed-transform", INPUTS("cases/malformed-transform.json"), false, NULL);
}
