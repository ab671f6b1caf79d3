/* The YAML reader of dromc import (dsl/yaml.h): trees with positions, JSON
 * read as YAML, and what it refuses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dsl/yaml.h"

static void parse_ok(const char *text, struct drom_ydocs *d)
{
    struct drom_error err = {0};
    cr_assert_eq(drom_yaml_parse(text, strlen(text), "t.yaml", d, &err), 0, "%s", err.msg);
}

static void refused(const char *text, int line, const char *msg)
{
    struct drom_ydocs d;
    struct drom_error err = {0};
    cr_assert_eq(drom_yaml_parse(text, strlen(text), "t.yaml", &d, &err), -1, "parsed: %s", text);
    cr_expect_str_eq(err.file, "t.yaml");
    cr_expect_eq(err.line, line, "line %d, want %d (%s)", err.line, line, err.msg);
    cr_expect(strstr(err.msg, msg), "'%s' does not say '%s'", err.msg, msg);
}

Test(yaml, documents_maps_and_positions)
{
    struct drom_ydocs d;
    parse_ok("kind: KafkaConnector\nspec:\n  config:\n    database.port: 3306\n    x: ~\n---\n- a\n- 'b'\n", &d);
    cr_assert_eq(d.n, 2);
    const struct drom_ynode *cfg = drom_ymap_get(drom_ymap_get(d.docs[0], "spec"), "config");
    const struct drom_ynode *port = drom_ymap_get(cfg, "database.port");
    cr_assert_not_null(port);
    cr_expect_str_eq(port->value, "3306");
    cr_expect_eq(port->line, 4);
    cr_expect_eq(port->col, 20);
    cr_expect(drom_ynode_is_null(drom_ymap_get(cfg, "x")));
    cr_expect_eq(d.docs[1]->kind, DROM_Y_SEQ);
    cr_expect_eq(d.docs[1]->n, 2);
    cr_expect_not(d.docs[1]->items[1]->plain);
    drom_ydocs_free(&d);
}

Test(yaml, json_is_read_as_yaml)
{
    struct drom_ydocs d;
    parse_ok("{\"name\": \"x\", \"config\": {\"a\":\"1\", \"b\": \"two \\\"q\\\"\"}}", &d);
    cr_assert_eq(d.n, 1);
    const struct drom_ynode *cfg = drom_ymap_get(d.docs[0], "config");
    cr_expect_str_eq(drom_ymap_get(cfg, "a")->value, "1");
    cr_expect_str_eq(drom_ymap_get(cfg, "b")->value, "two \"q\"");
    drom_ydocs_free(&d);
}

Test(yaml, refuses_aliases_deep_nesting_and_bad_syntax)
{
    refused("a: &x [1, 2]\nb: *x\n", 1, "anchors");
    refused("a: 1\nb: *x\n", 2, "alias");
    char deep[400] = "";
    for (int i = 0; i < 70; i++)
        strcat(deep, "[");
    refused(deep, 1, "nesting deeper than 64");
    refused("a: b\n c: d\n", 2, "not valid YAML or JSON");
    refused("? [1]\n: x\n", 1, "a mapping key must be a plain text");
    struct drom_ydocs d;
    struct drom_error err = {0};
    cr_expect_eq(drom_yaml_parse("a\0b", 3, "t.yaml", &d, &err), -1);
    cr_expect(strstr(err.msg, "NUL"), "%s", err.msg);
}
