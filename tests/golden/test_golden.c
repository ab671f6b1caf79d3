/* Golden tests of the compiler: every bad-input class with its exact
 * messages and exit status (tests/golden/errors/NAME.xml -> NAME.stderr,
 * NAME.exit), and the graph dumps of the seed pipeline and of a route using
 * every element (tests/golden/graphs/NAME.{json,dot,mmd}).
 *
 * The compiler runs in process, with an empty environment so that
 * {{env:X:default}} placeholders take their defaults on any machine.
 * UPDATE_GOLDEN=1 build/test-unit --filter 'golden*' rewrites the expected
 * files; review the diff before committing. Run from the repository root. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "compiler/compile.h"
#include "compiler/graph_draw.h"
#include "compiler/graph_json.h"
#include "dsl/properties.h"
#include "tests/support/testenv.h"

#define ERRORS "tests/golden/errors/"
#define GRAPHS "tests/golden/graphs/"

static const char *no_env(const char *name, void *ctx)
{
    (void)name;
    (void)ctx;
    return NULL;
}

static bool updating(void)
{
    const char *u = getenv("UPDATE_GOLDEN");
    return u && *u && strcmp(u, "0") != 0;
}

/* Compares `actual` with the expected file, or rewrites it. */
static void expect_file(const char *path, const char *actual)
{
    if (updating()) {
        FILE *f = fopen(path, "w");
        cr_assert(f, "cannot write %s", path);
        fputs(actual, f);
        fclose(f);
        return;
    }
    char *want = ts_read_file(path, NULL);
    cr_assert(want, "missing expected file %s (run with UPDATE_GOLDEN=1 from the repository root)", path);
    cr_expect_str_eq(actual, want, "%s differs:\n--- expected\n%s--- actual\n%s", path, want, actual);
    free(want);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The diagnostics as dromc prints them, and dromc's exit status. */
static void compile_to_text(const char *xml_path, const char *data, size_t len, const char *props_path,
                            char **text, int *exit_status, struct drom_graph *keep)
{
    struct drom_props props = DROM_PROPS_INIT;
    struct drom_diags d = DROM_DIAGS_INIT;
    struct drom_error err = {0};
    size_t size = 0;
    FILE *out = open_memstream(text, &size);
    if (props_path && drom_props_load_file(&props, props_path, &err) < 0) {
        fprintf(out, "%s:%d:%d: error: %s\n", err.file, err.line, err.col, err.msg);
        fclose(out);
        *exit_status = 1;
        drom_props_free(&props);
        return;
    }
    struct drom_compile_opts o = {.props = &props, .env = no_env};
    struct drom_graph g;
    int rc = data ? drom_compile_mem(data, len, xml_path, &o, &g, &d) : drom_compile_file(xml_path, &o, &g, &d);
    drom_diags_print(&d, out);
    fclose(out);
    *exit_status = rc == 0 ? 0 : 1;
    if (rc == 0 && keep)
        *keep = g;
    else if (rc == 0)
        drom_graph_free(&g);
    drom_diags_free(&d);
    drom_props_free(&props);
}

static void expect_exit(const char *name, int status)
{
    char path[256], actual[16];
    snprintf(path, sizeof path, ERRORS "%s.exit", name);
    snprintf(actual, sizeof actual, "%d\n", status);
    expect_file(path, actual);
}

static void error_case(const char *name)
{
    cr_assert(exists(ERRORS), "run the tests from the repository root");
    char xml[256], props[256], stderr_path[256];
    snprintf(xml, sizeof xml, ERRORS "%s.xml", name);
    snprintf(props, sizeof props, ERRORS "%s.properties", name);
    snprintf(stderr_path, sizeof stderr_path, ERRORS "%s.stderr", name);
    char *text = NULL;
    int status = -1;
    compile_to_text(xml, NULL, 0, exists(props) ? props : NULL, &text, &status, NULL);
    expect_file(stderr_path, text);
    expect_exit(name, status);
    free(text);
}

/* Every tests/golden/errors/NAME.xml is a case, as jq runs its data files:
 * adding one needs NAME.xml, NAME.stderr and NAME.exit (UPDATE_GOLDEN=1
 * writes the last two), and no change here. */
struct error_case {
    char name[128];
};

ParameterizedTestParameters(golden_errors, each)
{
    glob_t g;
    size_t n = 0;
    struct error_case *cases = NULL;
    if (glob(ERRORS "*.xml", 0, NULL, &g) == 0) {
        cases = cr_malloc(g.gl_pathc * sizeof *cases);
        for (size_t i = 0; i < g.gl_pathc; i++) {
            const char *base = g.gl_pathv[i] + strlen(ERRORS);
            snprintf(cases[n++].name, sizeof cases->name, "%.*s", (int)(strlen(base) - 4), base);
        }
        globfree(&g);
    }
    return cr_make_param_array(struct error_case, cases, n);
}

ParameterizedTest(struct error_case *c, golden_errors, each)
{
    error_case(c->name);
}

/* The glob found the folder's cases: a wrong working directory must not pass as "no case". */
Test(golden_errors, cases_present)
{
    glob_t g;
    cr_assert_eq(glob(ERRORS "*.xml", 0, NULL, &g), 0, "run the tests from the repository root");
    cr_expect_geq(g.gl_pathc, 30);
    globfree(&g);
}

/* 5,000 nested filters: refused by depth, no stack overflow. */
Test(golden_errors, deep_nesting)
{
    size_t depth = 5000;
    struct drom_buf_like {
        char *s;
        size_t n;
    } b = {0};
    FILE *f = open_memstream(&b.s, &b.n);
    fputs("<routes>\n<route>\n<from uri=\"timer:tick\"/>\n", f);
    for (size_t i = 0; i < depth; i++)
        fputs("<filter><simple>true</simple>\n", f);
    for (size_t i = 0; i < depth; i++)
        fputs("</filter>\n", f);
    fputs("</route>\n</routes>\n", f);
    fclose(f);
    char *text = NULL;
    int status = -1;
    compile_to_text("deep_nesting.xml", b.s, b.n, NULL, &text, &status, NULL);
    expect_file(ERRORS "deep_nesting.stderr", text);
    expect_exit("deep_nesting", status);
    free(text);
    free(b.s);
}

/* A 10 MB route file (generated, not committed): thousands of routes,
 * compiled whole, quickly. */
Test(golden_errors, large_10mb, .timeout = 60)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    fputs("<routes xmlns=\"http://camel.apache.org/schema/xml-io\">\n", f);
    size_t i = 0;
    while (ftell(f) < 10 * 1024 * 1024) {
        fprintf(f,
                "  <route id=\"r%zu\">\n"
                "    <from uri=\"direct:in%zu\"/>\n"
                "    <setHeader name=\"n\"><simple>${header.n} == %zu</simple></setHeader>\n"
                "    <filter><simple>${body} != null &amp;&amp; ${header.kind} in 'a,b,c'</simple>\n"
                "      <log message=\"route %zu got ${body} with ${header.n}\"/>\n"
                "    </filter>\n"
                "    <to uri=\"direct:in%zu\"/>\n"
                "  </route>\n",
                i, i, i, i, i + 1);
        i++;
    }
    fprintf(f, "  <route id=\"last\"><from uri=\"direct:in%zu\"/><to uri=\"log:end\"/></route>\n</routes>\n", i);
    fclose(f);
    cr_assert_geq(n, 10u * 1024 * 1024);
    char *text = NULL;
    int status = -1;
    struct drom_graph g = {0};
    time_t t0 = time(NULL);
    compile_to_text("large_10mb.xml", s, n, NULL, &text, &status, &g);
    cr_expect_str_eq(text, "");
    cr_expect_eq(status, 0);
    cr_expect_eq(g.nroutes, i + 1);
    /* How long it took is printed, not asserted: speed is the benchmarks' business. */
    cr_log_info("compiling 10 MB took %lds", (long)(time(NULL) - t0));
    drom_graph_free(&g);
    free(text);
    free(s);
}

/* --- graphs --- */

static void graph_case(const char *xml, const char *props, const char *name)
{
    cr_assert(exists(GRAPHS), "run the tests from the repository root");
    char *text = NULL;
    int status = -1;
    struct drom_graph g = {0};
    compile_to_text(xml, NULL, 0, props, &text, &status, &g);
    cr_assert_eq(status, 0, "%s does not compile:\n%s", xml, text);
    free(text);
    char path[256];
    char *json = drom_graph_json_dumps(&g);
    size_t len = strlen(json);
    char *with_nl = malloc(len + 2);
    memcpy(with_nl, json, len);
    memcpy(with_nl + len, "\n", 2);
    snprintf(path, sizeof path, GRAPHS "%s.json", name);
    expect_file(path, with_nl);
    free(with_nl);

    char *dot = NULL, *mmd = NULL;
    size_t n1 = 0, n2 = 0;
    FILE *f = open_memstream(&dot, &n1);
    drom_graph_write_dot(&g, f);
    fclose(f);
    snprintf(path, sizeof path, GRAPHS "%s.dot", name);
    expect_file(path, dot);
    f = open_memstream(&mmd, &n2);
    drom_graph_write_mermaid(&g, f);
    fclose(f);
    snprintf(path, sizeof path, GRAPHS "%s.mmd", name);
    expect_file(path, mmd);

    /* round trip: XML -> graph -> JSON -> graph -> JSON, identical */
    struct drom_graph back;
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_json_read(json, strlen(json), path, &back, &err), 0, "reading back: %s", err.msg);
    char *again = drom_graph_json_dumps(&back);
    cr_expect_str_eq(again, json);
    /* and the drawings of the graph read back are the same */
    char *dot2 = NULL;
    size_t n3 = 0;
    f = open_memstream(&dot2, &n3);
    drom_graph_write_dot(&back, f);
    fclose(f);
    cr_expect_str_eq(dot2, dot);
    free(dot2);
    free(again);
    drom_graph_free(&back);
    free(dot);
    free(mmd);
    free(json);
    drom_graph_free(&g);
}

Test(golden_graphs, seed_pipeline)
{
    graph_case("routes/cdc-pipeline.xml", "routes/cdc-pipeline.properties", "cdc-pipeline");
}

Test(golden_graphs, all_elements)
{
    graph_case(GRAPHS "all_elements.xml", GRAPHS "all_elements.properties", "all_elements");
}

Test(golden_graphs, camel_debezium)
{
    graph_case("routes/camel-debezium.xml", "routes/camel-debezium.properties", "camel-debezium");
}

Test(golden_graphs, stub)
{
    graph_case(GRAPHS "stub.xml", NULL, "stub");
}
