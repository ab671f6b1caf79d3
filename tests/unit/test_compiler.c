/* Unit tests of the compiler pieces: did-you-mean, positions inside values,
 * lowering details, component options from properties, secrets, the graph
 * JSON reader's checks, the drawings, and every example route. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "compiler/compile.h"
#include "compiler/graph_draw.h"
#include "compiler/graph_json.h"
#include "compiler/load.h"
#include "compiler/secrets.h"
#include "compiler/srcmap.h"
#include "compiler/suggest.h"
#include "dsl/properties.h"
#include "optset_util.h"

static const char *fake_env(const char *name, void *ctx)
{
    (void)ctx;
    if (strcmp(name, "DB_PASSWORD") == 0)
        return "s3cret-from-env";
    return NULL;
}

/* Compiles XML text; returns the diagnostics as printed. */
static char *compile(const char *xml, const char *props_text, struct drom_graph *g, int *rc)
{
    struct drom_props props = DROM_PROPS_INIT;
    struct drom_error err = {0};
    if (props_text)
        cr_assert_eq(drom_props_load_mem(&props, props_text, strlen(props_text), "app.properties", &err), 0, "%s",
                     err.msg);
    struct drom_diags d = DROM_DIAGS_INIT;
    struct drom_compile_opts o = {.props = &props, .env = fake_env};
    struct drom_graph tmp;
    *rc = drom_compile_mem(xml, strlen(xml), "t.xml", &o, g ? g : &tmp, &d);
    if (*rc == 0 && !g)
        drom_graph_free(&tmp);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    drom_diags_print(&d, f);
    fclose(f);
    drom_diags_free(&d);
    drom_props_free(&props);
    return out;
}

Test(compiler_suggest, close_names_only)
{
    cr_expect_eq(drom_edit_distance("perid", "period"), 1);
    cr_expect_eq(drom_edit_distance("fliter", "filter"), 1);   /* a swap counts once */
    cr_expect_eq(drom_edit_distance("Brokers", "brokers"), 0);
    struct drom_suggest s;
    drom_suggest_init(&s, "grupId");
    drom_suggest_offer(&s, "groupId");
    drom_suggest_offer(&s, "clientId");
    cr_expect_str_eq(drom_suggest_best(&s), "groupId");
    drom_suggest_init(&s, "frobnicate");
    drom_suggest_offer(&s, "filter");
    cr_expect_null(drom_suggest_best(&s));
}

Test(compiler_srcmap, attribute_value_with_entities_and_lines)
{
    const char *text = "<a>\n  <b uri=\"x:y?p=1&amp;q=%ZZ\"/>\n  <c uri=\"x:\n    y\"/>\n</a>\n";
    struct drom_srcmap m;
    drom_srcmap_init(&m, text, strlen(text));
    int line, col;
    /* decoded value "x:y?p=1&q=%ZZ": '%' is character 10 */
    drom_srcmap_attr(&m, 2, 6, 10, &line, &col);
    cr_expect_eq(line, 2);
    cr_expect_eq(col, 25);
    /* "x: y" after the line break: 'y' is character 3... plus the indent */
    drom_srcmap_attr(&m, 3, 6, 7, &line, &col);
    cr_expect_eq(line, 4);
    cr_expect_eq(col, 5);
    drom_srcmap_free(&m);
}

Test(compiler_lower, generated_ids_and_defaults)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile("<routes><route><from uri=\"timer:a\"/><log message=\"x\"/><to uri=\"log:b\"/></route>"
                         "<route id=\"route2\"><from uri=\"timer:b\"/><to uri=\"log:c\"/></route>"
                         "<route><from uri=\"timer:c\"/><to uri=\"log:d\"/></route></routes>",
                         NULL, &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    cr_assert_eq(g.nroutes, 3);
    cr_expect_str_eq(g.routes[0].id, "route1");
    cr_expect_str_eq(g.routes[1].id, "route2");
    cr_expect_str_eq(g.routes[2].id, "route3");   /* route2 is taken */
    cr_expect_str_eq(g.routes[0].steps[0].id, "log1");
    cr_expect_str_eq(g.routes[0].steps[1].id, "to1");
    cr_expect_str_eq(g.routes[2].steps[0].id, "to3");
    cr_expect_str_eq(drom_step_param(&g.routes[0].steps[0], "loggingLevel"), "INFO");
    cr_expect_eq(opt_int(&g.routes[0].from.opts, "period"), 1000);
    cr_expect_not(opt_given(&g.routes[0].from.opts, "period"));
    cr_expect(g.routes[0].auto_startup);
    cr_expect_eq(g.routes[0].error_handler.kind, DROM_EH_DEFAULT);
    drom_graph_free(&g);
    free(msgs);
}

Test(compiler_lower, component_options_from_properties_endpoint_wins)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile("<routes><route><from uri=\"kafka:t?groupId=g&amp;maxPollRecords=7\"/>"
                         "<to uri=\"sjms2:queue:q\"/></route></routes>",
                         "camel.component.kafka.brokers=k1:9092\n"
                         "camel.component.kafka.max-poll-records=100\n"
                         "camel.component.sjms2.remoteURI=amqp://127.0.0.1:61616\n"
                         "camel.component.sjms2.password={{env:DB_PASSWORD}}\n",
                         &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    const struct drom_optset *k = &g.routes[0].from.opts;
    cr_expect_str_eq(opt_str(k, "brokers"), "k1:9092");
    cr_expect_eq(opt_int(k, "maxPollRecords"), 7);
    const struct drom_optset *a = &g.routes[0].steps[0].endpoint->opts;
    cr_expect_str_eq(opt_str(a, "remoteURI"), "amqp://127.0.0.1:61616");
    /* a secret from the properties stays a reference for dromd */
    cr_expect_str_eq(opt_str(a, "password"), "{{camel.component.sjms2.password}}");
    drom_graph_free(&g);
    free(msgs);
}

Test(compiler_lower, optional_placeholder_drops_the_option)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile("<route><from uri=\"timer:a?period={{?tick.period}}\"/><to uri=\"log:x\"/></route>", NULL,
                         &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    cr_expect_not(opt_given(&g.routes[0].from.opts, "period"));
    cr_expect_str_eq(g.routes[0].from.uri, "timer:a");
    drom_graph_free(&g);
    free(msgs);
}

Test(compiler_secrets, placeholder_kept_then_resolved_at_load)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile("<route><from uri=\"mysql-binlog:cdc?user=u&amp;password={{env:DB_PASSWORD}}\"/>"
                         "<to uri=\"log:x\"/></route>",
                         NULL, &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    cr_expect_str_eq(msgs, "");
    cr_expect_str_eq(opt_str(&g.routes[0].from.opts, "password"), "{{env:DB_PASSWORD}}");
    char *json = drom_graph_json_dumps(&g);
    cr_expect_null(strstr(json, "s3cret"));
    free(json);
    struct drom_placeholder_ctx ph = {.env = fake_env};
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_resolve_secrets(&g, &ph, &err), 0, "%s", err.msg);
    cr_expect_str_eq(opt_str(&g.routes[0].from.opts, "password"), "s3cret-from-env");
    /* resolved or not, the JSON and the URIs never show it */
    json = drom_graph_json_dumps(&g);
    cr_expect_null(strstr(json, "s3cret"));
    cr_expect_null(strstr(g.routes[0].from.uri, "s3cret"));
    free(json);
    drom_graph_free(&g);
    free(msgs);
}

Test(compiler_secrets, literal_secret_masked_with_a_warning)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile("<route><from uri=\"mysql-binlog:cdc?user=u&amp;password=hunter2\"/><to uri=\"log:x\"/></route>",
                         NULL, &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    cr_expect(strstr(msgs, "warning: option 'password' is a secret written literally"), "%s", msgs);
    cr_expect_null(strstr(g.routes[0].from.uri, "hunter2"));
    cr_expect_null(strstr(g.routes[0].from.uri_masked, "hunter2"));
    char *json = drom_graph_json_dumps(&g);
    cr_expect_null(strstr(json, "hunter2"));
    /* the graph file cannot give the secret back: loading it says so */
    struct drom_graph back;
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_json_read(json, strlen(json), "g.json", &back, &err), 0, "%s", err.msg);
    struct drom_placeholder_ctx ph = {.env = fake_env};
    cr_expect_eq(drom_graph_resolve_secrets(&back, &ph, &err), -1);
    cr_expect(strstr(err.msg, "written literally"), "%s", err.msg);
    drom_graph_free(&back);
    free(json);
    drom_graph_free(&g);
    free(msgs);
}

/* A prefix option has no secret flag of its own: its name tells, so a
 * password passed through additionalProperties is masked and resolved like
 * a flagged one. */
Test(compiler_secrets, prefix_option_named_as_a_secret_is_one)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile("<route><from uri=\"timer:t\"/><to uri=\"kafka:t?brokers=b:9092"
                         "&amp;additionalProperties.sasl.password=hunter2"
                         "&amp;additionalProperties.sasl.username={{env:DB_PASSWORD}}\"/></route>",
                         NULL, &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    cr_expect(strstr(msgs, "warning: option 'additionalProperties.sasl.password' is a secret written literally"),
              "%s", msgs);
    const struct drom_gendpoint *to = g.routes[0].steps[0].endpoint;
    cr_expect_null(strstr(to->uri, "hunter2"));
    char *json = drom_graph_json_dumps(&g);
    cr_expect_null(strstr(json, "hunter2"), "%s", json);
    /* a name that says nothing of secrets stays as it is, placeholders resolved */
    cr_expect_str_eq(opt_str(&to->opts, "additionalProperties.sasl.username"), "s3cret-from-env");
    struct drom_graph back;
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_json_read(json, strlen(json), "g.json", &back, &err), 0, "%s", err.msg);
    struct drom_placeholder_ctx ph = {.env = fake_env};
    cr_expect_eq(drom_graph_resolve_secrets(&back, &ph, &err), -1);
    cr_expect(strstr(err.msg, "additionalProperties.sasl.password"), "%s", err.msg);
    drom_graph_free(&back);
    free(json);
    drom_graph_free(&g);
    free(msgs);
}

Test(compiler_secrets, unresolvable_secret_is_a_compile_error)
{
    int rc;
    char *msgs = compile("<route><from uri=\"mysql-binlog:cdc?user=u&amp;password={{env:NOPE}}\"/><to uri=\"log:x\"/></route>",
                         NULL, NULL, &rc);
    cr_expect_eq(rc, -1);
    cr_expect(strstr(msgs, "t.xml:1:56: error: unresolved placeholder '{{env:NOPE}}'"), "%s", msgs);
    free(msgs);
}

static void read_fails(const char *json, const char *want)
{
    struct drom_graph g;
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_json_read(json, strlen(json), "g.json", &g, &err), -1);
    char buf[1400];
    drom_err_format(&err, buf, sizeof buf);
    cr_expect(strstr(buf, want), "got: %s\nwant: %s", buf, want);
}

Test(compiler_graph_json, reader_reports_json_paths)
{
    read_fails("{\"routes\": []}", "g.json: $.format: missing format version");
    read_fails("{\"format\": 2, \"routes\": []}", "$.format: graph format 2 is not supported");
    read_fails("[1]", "$: expected an object, got an array");
    read_fails("{\"format\": 1, \"routes\": [{\"id\": \"a\", \"from\": {\"uri\": \"timer:a\", \"scheme\": \"timer\", "
               "\"path\": \"a\"}, \"steps\": [{\"kind\": \"fliter\"}]}]}",
               "$.routes[0].steps[0].kind: unknown step kind 'fliter'");
    read_fails("{\"format\": 1, \"routes\": [{\"id\": \"a\", \"from\": {\"uri\": \"timer:a\", \"scheme\": \"timer\", "
               "\"path\": \"a\", \"options\": {\"period\": \"soon\"}}}]}",
               "$.routes[0].from.options.period: expected a duration");
    read_fails("{\"format\": 1, \"routes\": [{\"id\": \"a\", \"from\": {\"uri\": \"x:a\", \"scheme\": \"nope\"}}]}",
               "$.routes[0].from.scheme: unknown component 'nope'");
    read_fails("{\"format\": 1, \"routes\": [{\"id\": \"a\", \"from\": {\"uri\": \"timer:a\", \"scheme\": \"timer\"}, "
               "\"steps\": [{\"kind\": \"filter\", \"expression\": {\"language\": \"simple\", \"text\": \"${body\"}}]}]}",
               "$.routes[0].steps[0].expression.text: invalid simple expression");
    read_fails("{\"format\": 1, \"format\": 1}", "invalid JSON");
    read_fails("not json", "not a graph file");
}

Test(compiler_graph_json, reader_fills_defaults)
{
    const char *json = "{\"format\": 1, \"routes\": [{\"id\": \"a\", \"from\": {\"uri\": \"timer:a?period=5\", "
                       "\"scheme\": \"timer\", \"path\": \"a\", \"options\": {\"period\": \"5\"}}, \"steps\": "
                       "[{\"kind\": \"to\", \"endpoint\": {\"uri\": \"log:x\", \"scheme\": \"log\", \"path\": \"x\"}}]}]}";
    struct drom_graph g;
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_json_read(json, strlen(json), "g.json", &g, &err), 0, "%s", err.msg);
    cr_expect_eq(opt_int(&g.routes[0].from.opts, "period"), 5);
    cr_expect_eq(opt_int(&g.routes[0].from.opts, "delay"), 1000);
    cr_expect_str_eq(opt_str(&g.routes[0].steps[0].endpoint->opts, "level"), "INFO");
    cr_expect(g.routes[0].auto_startup);
    drom_graph_free(&g);
}

/* The DOT drawing of a route file that compiles (malloc'ed). */
static char *dot_of(const char *xml)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile(xml, NULL, &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    free(msgs);
    char *dot = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&dot, &n);
    drom_graph_write_dot(&g, f);
    fclose(f);
    drom_graph_free(&g);
    return dot;
}

Test(compiler_draw, dot_renders_with_graphviz)
{
    char *dot = dot_of("<routes><route><from uri=\"timer:a\"/><to uri=\"direct:b\"/>"
                       "<to uri=\"kafka:t?brokers=k:1\"/></route>"
                       "<route><from uri=\"direct:b\"/><log message=\"say &quot;hi&quot; ${body}\"/></route>"
                       "<route><from uri=\"kafka:t?brokers=k:1&amp;groupId=g\"/><to uri=\"log:z\"/></route></routes>");
    cr_expect(strstr(dot, "r0_n1 -> r1_n0 [style=dashed]"), "%s", dot);
    cr_expect(strstr(dot, "r0_n2 -> r2_n0 [style=dashed, label=\"kafka topic\"]"), "%s", dot);
    cr_expect(strstr(dot, "say \\\"hi\\\""), "%s", dot);
    FILE *p = popen("dot -Tsvg > /dev/null 2>&1", "w");
    if (p) {
        fputs(dot, p);
        int st = pclose(p);
        cr_expect_eq(st, 0, "dot -Tsvg failed on:\n%s", dot);
    }
    free(dot);
}

/* Every example in routes/ validates with its properties (as check-routes.sh). */
Test(compiler_routes, every_example_route_is_valid)
{
    DIR *d = opendir("routes");
    cr_assert(d, "run the tests from the repository root");
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
            continue;
        char xml[512], props[512];
        snprintf(xml, sizeof xml, "routes/%s", e->d_name);
        snprintf(props, sizeof props, "routes/%.*s.properties", (int)(len - 4), e->d_name);
        struct drom_props p = DROM_PROPS_INIT;
        struct drom_error err = {0};
        FILE *pf = fopen(props, "r");
        if (pf) {
            fclose(pf);
            cr_assert_eq(drom_props_load_file(&p, props, &err), 0, "%s", err.msg);
        }
        struct drom_diags diags = DROM_DIAGS_INIT;
        struct drom_compile_opts o = {.props = &p};
        struct drom_graph g;
        int rc = drom_compile_file(xml, &o, &g, &diags);
        char *out = NULL;
        size_t sz = 0;
        FILE *f = open_memstream(&out, &sz);
        drom_diags_print(&diags, f);
        fclose(f);
        cr_expect_eq(rc, 0, "%s:\n%s", xml, out);
        if (rc == 0)
            drom_graph_free(&g);
        free(out);
        drom_diags_free(&diags);
        drom_props_free(&p);
        n++;
    }
    closedir(d);
    cr_expect_geq(n, 4);
}

/* dromd's entry: XML or graph JSON, secrets resolved either way. */
Test(compiler_load, xml_or_graph_json_with_secrets_resolved)
{
    const char *xml_path = "/tmp/drom-test-load.xml", *json_path = "/tmp/drom-test-load.json";
    FILE *f = fopen(xml_path, "w");
    cr_assert(f);
    fputs("<route><from uri=\"mysql-binlog:cdc?user=u&amp;password={{env:DB_PASSWORD}}\"/><to uri=\"log:x\"/></route>",
          f);
    fclose(f);
    struct drom_compile_opts o = {.env = fake_env};
    struct drom_diags d = DROM_DIAGS_INIT;
    struct drom_graph g;
    cr_assert_eq(drom_graph_load(xml_path, &o, &g, &d), 0);
    cr_expect_str_eq(opt_str(&g.routes[0].from.opts, "password"), "s3cret-from-env");
    drom_graph_free(&g);
    /* dromc compile keeps the placeholder; dromd resolves it */
    cr_assert_eq(drom_compile_file(xml_path, &o, &g, &d), 0);
    f = fopen(json_path, "w");
    struct drom_error err = {0};
    cr_assert_eq(drom_graph_json_write(&g, f, &err), 0);
    fclose(f);
    drom_graph_free(&g);
    struct drom_graph g2;
    int rc = drom_graph_load(json_path, &o, &g2, &d);
    for (size_t i = 0; rc != 0 && i < d.n; i++)
        cr_log_error("%s:%d:%d: %s", d.items[i].file ? d.items[i].file : "", d.items[i].line, d.items[i].col,
                     d.items[i].msg);
    cr_assert_eq(rc, 0);
    cr_expect_str_eq(opt_str(&g2.routes[0].from.opts, "password"), "s3cret-from-env");
    drom_graph_free(&g2);
    cr_expect_eq(d.nerrors, 0);
    drom_diags_free(&d);
    remove(xml_path);
    remove(json_path);
}

/* A RAW(...) value outlives the parsed uri: the graph holds its own copy
 * (it pointed into the uri's parse, freed once the endpoint was built). */
Test(compiler_lower, raw_values_belong_to_the_graph)
{
    struct drom_graph g;
    int rc;
    char *msgs = compile("<route><from uri=\"mysql-binlog:cdc?user=u&amp;columnPropagateSourceType=RAW(db.t.(a|b) x)"
                         "&amp;column.mask.with.3.chars=RAW(db.t.c+)\"/><to uri=\"log:x\"/></route>",
                         NULL, &g, &rc);
    cr_assert_eq(rc, 0, "%s", msgs);
    cr_expect_str_eq(opt_str(&g.routes[0].from.opts, "columnPropagateSourceType"), "db.t.(a|b) x");
    cr_expect_str_eq(opt_str(&g.routes[0].from.opts, "column.mask.with.3.chars"), "db.t.c+");
    drom_graph_free(&g);
    free(msgs);
}

/* The drawing links what each component says reaches what: a kafka producer
 * to every consumer whose topic list names its topic, labelled as kafka
 * labels it, and nothing between components or between unlisted topics. */
Test(compiler_graph, links_follow_the_components_descriptions)
{
    char *dot = dot_of("<routes><route id=\"p\"><from uri=\"timer:t\"/><to uri=\"kafka:t1?brokers=b:9092\"/>"
                       "<to uri=\"seda:s\"/></route>"
                       "<route id=\"c1\"><from uri=\"kafka:t0,t1?brokers=b:9092&amp;groupId=g\"/><to uri=\"log:a\"/></route>"
                       "<route id=\"c2\"><from uri=\"kafka:t10?brokers=b:9092&amp;groupId=g\"/><to uri=\"log:b\"/></route>"
                       "<route id=\"c3\"><from uri=\"seda:s\"/><to uri=\"log:c\"/></route></routes>");
    cr_expect(strstr(dot, "r0_n1 -> r1_n0 [style=dashed, label=\"kafka topic\"]"), "%s", dot);
    cr_expect_null(strstr(dot, "-> r2_n0"), "%s", dot);
    cr_expect(strstr(dot, "r0_n2 -> r3_n0 [style=dashed]"), "%s", dot);
    free(dot);
}
