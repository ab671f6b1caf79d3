/* Fuzzes the expression parsers: the input picks a language by its first
 * byte and the rest is the text, parsed in both modes and evaluated
 * against a small exchange. Nothing may crash, hang or leak. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsl/simple.h"
#include "runtime/exchange.h"
#include "runtime/expr.h"

static const char *const languages[] = {"simple", "simple", "simple", "simple", "constant", "header", "jsonpath"};

static void run(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env)
{
    struct drom_error err;
    struct drom_value v;
    bool b;
    char *s = NULL;
    if (drom_expr_eval(e, ex, env, &v, &err) == 0)
        drom_value_clear(&v);
    (void)drom_expr_eval_bool(e, ex, env, &b, &err);
    if (drom_expr_eval_str(e, ex, env, &s, &err) == 0)
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    const char *lang = languages[data[0] % (sizeof languages / sizeof *languages)];
    bool json_body = data[0] & 0x80;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    struct drom_exchange *ex = drom_exchange_new();
    drom_exchange_set_body_str(ex, json_body ? "{\"a\":{\"b\":[1,2.5,\"x\",null,true]},\"c\":\"d\"}" : "1234", NULL);
    drom_headers_set_str(&ex->headers, "foo", "bar");
    drom_headers_set_int(&ex->headers, "n", 42);
    drom_headers_set_str(&ex->headers, "kafka.TOPIC", "t");
    drom_headers_set_bool(&ex->headers, "flag", true);
    drom_headers_set_str(&ex->props, "p", "5");
    const struct drom_expr_env env = {.route_id = "r", .camel_context = "c", .now_us = 1709622489123000LL};

    for (int mode = 0; mode < 2; mode++) {
        struct drom_error err;
        struct drom_expr *e = drom_expr_parse(lang, text, mode ? DROM_EXPR_VALUE : DROM_EXPR_PREDICATE, &err);
        if (!e)
            continue;
        run(e, ex, &env);
        drom_exchange_set_body_null(ex);
        run(e, ex, &env);
        drom_exchange_set_body_str(ex, "", NULL);
        run(e, ex, &env);
        drom_expr_free(e);
    }
    drom_exchange_free(ex);
    free(text);
    return 0;
}
