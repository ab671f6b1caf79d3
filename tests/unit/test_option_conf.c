/* Option tables fill typed structs: every row of every component has a
 * field of its type inside the component's conf, and a set fills it. */
#include <criterion/criterion.h>
#include <string.h>

#include "components/registry.h"
#include "runtime/option.h"

Test(option_conf, every_table_fills_its_struct_with_the_defaults)
{
    size_t n;
    const struct drom_component *const *all = drom_registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        const struct drom_component *c = all[i];
        cr_assert_gt(c->conf_size, 0, "%s has a conf struct", c->name);
        /* the defaults as the compiler would set them */
        struct drom_optval items[256];
        struct drom_optset set = {.items = items};
        for (const struct drom_option *o = c->options; o->name; o++) {
            cr_assert(o->size || (o->flags & DROM_OPT_IGNORED), "%s.%s has a field", c->name, o->name);
            if (!(o->flags & DROM_OPT_PREFIX))
                items[set.n++] = (struct drom_optval){.opt = o, .name = o->name, .value = o->def};
        }
        struct drom_error err = {0};
        void *conf = drom_conf_new(c->options, c->conf_size, &set, c->name, &err);
        cr_assert_not_null(conf, "%s: %s", c->name, err.msg);
        drom_conf_free(c->options, conf);
    }
}

struct t_conf {
    const char *s;
    int64_t ms;
    bool b, b_given;
    int e, anycase;
    struct drom_optpairs extra;
};

static const char *const colours[] = {"red", "green", "blue", NULL};
static const int colour_ints[] = {10, 20, 30};

static const struct drom_option table[] = {
    {.name = "s", .type = DROM_OPT_STRING, DROM_OPT_AT(struct t_conf, s)},
    {.name = "ms", .type = DROM_OPT_DURATION, .def = "2s", DROM_OPT_AT(struct t_conf, ms)},
    {.name = "b", .type = DROM_OPT_BOOL, .def = "true", DROM_OPT_AT(struct t_conf, b),
     DROM_OPT_GIVEN_AT(struct t_conf, b_given)},
    {.name = "e", .type = DROM_OPT_ENUM, .values = colours, .ints = colour_ints, DROM_OPT_AT(struct t_conf, e)},
    {.name = "x.", .type = DROM_OPT_STRING, .flags = DROM_OPT_PREFIX, DROM_OPT_AT(struct t_conf, extra)},
    {.name = "ign", .type = DROM_OPT_INT, .flags = DROM_OPT_IGNORED},
    {.name = "p", .type = DROM_OPT_ENUM, .values = colours, .flags = DROM_OPT_ANYCASE, DROM_OPT_AT(struct t_conf, anycase)},
    DROM_OPTIONS_END,
};

Test(option_conf, values_enums_given_flags_and_prefix_pairs)
{
    struct drom_optval items[] = {
        {.opt = &table[1], .name = "ms", .value = "1m30s", .given = true},
        {.opt = &table[2], .name = "b", .value = "true"},
        {.opt = &table[3], .name = "e", .value = "blue", .given = true},
        {.opt = &table[4], .name = "x.a.b", .value = "1", .given = true},
        {.opt = &table[4], .name = "x.c", .value = "2", .given = true},
    };
    struct drom_optset set = {.items = items, .n = sizeof items / sizeof items[0]};
    struct drom_error err = {0};
    struct t_conf *c = drom_conf_new(table, sizeof *c, &set, "t", &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_expect_null(c->s);
    cr_expect_eq(c->ms, 90000);
    cr_expect(c->b);
    cr_expect_not(c->b_given, "a default is not given");
    cr_expect_eq(c->e, 30);
    cr_assert_eq(c->extra.n, 2);
    cr_expect_str_eq(c->extra.items[0].key, "a.b");
    cr_expect_str_eq(c->extra.items[1].name, "x.c");
    cr_expect_str_eq(c->extra.items[1].value, "2");
    drom_conf_free(table, c);
}

Test(option_conf, an_unset_enum_is_minus_one_and_a_bad_value_is_refused)
{
    struct drom_optset none = {0};
    struct drom_error err = {0};
    struct t_conf *c = drom_conf_new(table, sizeof *c, &none, "t", &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_expect_eq(c->e, -1);
    cr_expect_eq(c->ms, 0);
    drom_conf_free(table, c);
    struct drom_optval bad = {.opt = &table[1], .name = "ms", .value = "{{env:X}}", .given = true};
    struct drom_optset set = {.items = &bad, .n = 1};
    cr_expect_null(drom_conf_new(table, sizeof *c, &set, "t", &err));
    cr_expect(strstr(err.msg, "option 'ms'"), "%s", err.msg);
}

/* Kafka reads security.protocol in any case: sasl_ssl is SASL_SSL there. */
Test(option_conf, an_anycase_enum_takes_its_values_in_any_case_and_others_not)
{
    struct drom_error err = {0};
    cr_expect_eq(drom_option_check(&table[6], "GrEeN", &err), 0, "%s", err.msg);
    cr_expect_eq(drom_option_check(&table[3], "GREEN", &err), -1, "an enum without the flag keeps its case");
    struct drom_optval v = {.opt = &table[6], .name = "p", .value = "BLUE", .given = true};
    struct drom_optset set = {.items = &v, .n = 1};
    struct t_conf *c = drom_conf_new(table, sizeof *c, &set, "t", &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_expect_eq(c->anycase, 2);
    drom_conf_free(table, c);
}
