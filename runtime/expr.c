/* The evaluator: walks an immutable tree against one exchange. Values met
 * on the way borrow from the exchange or the tree while they can, so that
 * `${body} != null` on a large body copies nothing. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/buf.h"
#include "runtime/expr.h"
#include "runtime/xalloc.h"

struct ctx {
    struct drom_exchange *ex;
    const struct drom_expr_env *env;
    struct drom_error *err;
};

/* A value that may borrow its bytes. */
struct tval {
    struct drom_value v;
    bool owned;
};

static void tv_clear(struct tval *t)
{
    if (t->owned)
        free(t->v.s);
    memset(t, 0, sizeof *t);
}

static void tv_borrow(struct tval *t, enum drom_vtype type, const char *s, size_t len)
{
    memset(t, 0, sizeof *t);
    t->v.type = s ? type : DROM_V_NULL;
    t->v.s = (char *)s;
    t->v.len = s ? len : 0;
}

static void tv_take(struct tval *t, enum drom_vtype type, char *s, size_t len)
{
    memset(t, 0, sizeof *t);
    t->v.type = type;
    t->v.s = s;
    t->v.len = len;
    t->owned = true;
}

static void tv_bool(struct tval *t, bool b)
{
    memset(t, 0, sizeof *t);
    t->v.type = DROM_V_BOOL;
    t->v.b = b;
}

/* Text form; ints render into tmp. */
static const char *text_of(const struct drom_value *v, char *tmp, size_t tmpsize, size_t *len)
{
    const char *s = drom_value_str(v, tmp, tmpsize);
    if (len)
        *len = (v->type == DROM_V_STRING || v->type == DROM_V_JSON || v->type == DROM_V_BYTES) && v->s
                   ? v->len : strlen(s);
    return s;
}

struct num {
    bool is_int;
    int64_t i;
    double d;
};

static bool parse_num(const char *s, size_t len, struct num *n)
{
    if (len == 0 || len > 64 || strlen(s) != len)
        return false;
    for (size_t k = 0; k < len; k++)
        if (!strchr("0123456789+-.eE", s[k]))
            return false;
    char *end;
    errno = 0;
    long long i = strtoll(s, &end, 10);
    if (end == s + len && errno == 0) {
        n->is_int = true;
        n->i = i;
        n->d = (double)i;
        return true;
    }
    errno = 0;
    double d = strtod(s, &end);
    if (end != s + len || !isfinite(d))
        return false;
    n->is_int = false;
    n->d = d;
    return true;
}

static bool as_num(const struct drom_value *v, struct num *n)
{
    switch (v->type) {
    case DROM_V_INT:
        n->is_int = true;
        n->i = v->i;
        n->d = (double)v->i;
        return true;
    case DROM_V_STRING:
    case DROM_V_JSON:
        return v->s && parse_num(v->s, v->len, n);
    default:
        return false;
    }
}

static int num_cmp(const struct num *a, const struct num *b)
{
    if (a->is_int && b->is_int)
        return (a->i > b->i) - (a->i < b->i);
    return (a->d > b->d) - (a->d < b->d);
}

/* "true"/"false" in any case, white space around ignored. */
static int bool_word(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    if (len == 4 && strncasecmp(s, "true", 4) == 0)
        return 1;
    if (len == 5 && strncasecmp(s, "false", 5) == 0)
        return 0;
    return -1;
}

static bool truthy(const struct drom_value *v)
{
    switch (v->type) {
    case DROM_V_NULL: return false;
    case DROM_V_BOOL: return v->b;
    case DROM_V_INT: return true;
    default: {
        int b = v->s ? bool_word(v->s, v->len) : -1;
        return b != 0;
    }
    }
}

static bool values_equal(const struct drom_value *l, const struct drom_value *r, bool nocase)
{
    if (l->type == DROM_V_NULL || r->type == DROM_V_NULL)
        return l->type == r->type;
    struct num a, b;
    if (as_num(l, &a) && as_num(r, &b))
        return num_cmp(&a, &b) == 0;
    char t1[32], t2[32];
    size_t n1, n2;
    const char *s1 = text_of(l, t1, sizeof t1, &n1), *s2 = text_of(r, t2, sizeof t2, &n2);
    if (l->type == DROM_V_BOOL || r->type == DROM_V_BOOL || nocase)
        return n1 == n2 && strncasecmp(s1, s2, n1) == 0;
    return n1 == n2 && memcmp(s1, s2, n1) == 0;
}

/* Ordering; false when the two cannot be ordered (a null side). */
static bool values_order(const struct drom_value *l, const struct drom_value *r, int *ord)
{
    if (l->type == DROM_V_NULL || r->type == DROM_V_NULL)
        return false;
    struct num a, b;
    if (as_num(l, &a) && as_num(r, &b)) {
        *ord = num_cmp(&a, &b);
        return true;
    }
    char t1[32], t2[32];
    size_t n1, n2;
    const char *s1 = text_of(l, t1, sizeof t1, &n1), *s2 = text_of(r, t2, sizeof t2, &n2);
    int c = memcmp(s1, s2, n1 < n2 ? n1 : n2);
    *ord = c ? (c > 0) - (c < 0) : (n1 > n2) - (n1 < n2);
    return true;
}

static bool text_find(const char *hay, size_t hn, const char *needle, size_t nn, bool nocase)
{
    if (nn > hn)
        return false;
    for (size_t i = 0; i + nn <= hn; i++)
        if (nocase ? strncasecmp(hay + i, needle, nn) == 0 : memcmp(hay + i, needle, nn) == 0)
            return true;
    return false;
}

static int eval_node(const struct drom_expr *e, struct ctx *c, struct tval *out);

static int eval_truth(const struct drom_expr *e, struct ctx *c, bool *out)
{
    struct tval t;
    if (eval_node(e, c, &t) < 0)
        return -1;
    *out = truthy(&t.v);
    tv_clear(&t);
    return 0;
}

static int op_in(const struct drom_value *l, const char *list, size_t len)
{
    if (l->type == DROM_V_NULL)
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && list[i] != ',')
            continue;
        size_t a = start, b = i;
        while (a < b && (list[a] == ' ' || list[a] == '\t'))
            a++;
        while (b > a && (list[b - 1] == ' ' || list[b - 1] == '\t'))
            b--;
        char *item = drom_xstrndup(list + a, b - a);
        struct drom_value v = {.type = DROM_V_STRING, .s = item, .len = b - a};
        bool eq = values_equal(l, &v, false);
        free(item);
        if (eq)
            return 1;
        start = i + 1;
    }
    return 0;
}

static int op_regex(const struct drom_expr *e, const struct drom_value *l, const char *pat, struct ctx *c)
{
    if (l->type == DROM_V_NULL)
        return 0;
    char tmp[32];
    const char *s = text_of(l, tmp, sizeof tmp, NULL);
    if (e->re)
        return drom_regex_match(e->re, s, strlen(s), c->err);
    struct drom_regex *re = drom_regex_compile(pat, strlen(pat), 0, c->err);
    if (!re)
        return -1;
    int m = drom_regex_match(re, s, strlen(s), c->err);
    drom_regex_free(re);
    return m;
}

static int op_range(const struct drom_expr *e, const struct drom_value *l, const char *text, struct ctx *c)
{
    long lo = e->range_lo, hi = e->range_hi;
    if (!e->range_ready && drom_expr_range_parse(text, &lo, &hi, c->err) < 0)
        return -1;
    struct num n;
    if (l->type == DROM_V_NULL || !as_num(l, &n))
        return 0;
    return n.d >= (double)lo && n.d <= (double)hi;
}

/* 1, 0 or -1 (error). */
static int binary(const struct drom_expr *e, struct ctx *c)
{
    struct tval l, r;
    if (eval_node(e->kids[0], c, &l) < 0)
        return -1;
    if (eval_node(e->kids[1], c, &r) < 0) {
        tv_clear(&l);
        return -1;
    }
    const struct drom_value *lv = &l.v, *rv = &r.v;
    char t1[32], t2[32];
    size_t n1, n2;
    const char *s1 = text_of(lv, t1, sizeof t1, &n1), *s2 = text_of(rv, t2, sizeof t2, &n2);
    bool both = lv->type != DROM_V_NULL && rv->type != DROM_V_NULL;
    int ord = 0, res;
    switch (e->op) {
    case DROM_OP_EQ: res = values_equal(lv, rv, false); break;
    case DROM_OP_NE: res = !values_equal(lv, rv, false); break;
    case DROM_OP_EQ_NOCASE: res = values_equal(lv, rv, true); break;
    case DROM_OP_NE_NOCASE: res = !values_equal(lv, rv, true); break;
    case DROM_OP_GT: res = values_order(lv, rv, &ord) && ord > 0; break;
    case DROM_OP_GE: res = values_order(lv, rv, &ord) && ord >= 0; break;
    case DROM_OP_LT: res = values_order(lv, rv, &ord) && ord < 0; break;
    case DROM_OP_LE: res = values_order(lv, rv, &ord) && ord <= 0; break;
    case DROM_OP_CONTAINS: res = both && text_find(s1, n1, s2, n2, false); break;
    case DROM_OP_NOT_CONTAINS: res = !(both && text_find(s1, n1, s2, n2, false)); break;
    case DROM_OP_CONTAINS_NOCASE: res = both && text_find(s1, n1, s2, n2, true); break;
    case DROM_OP_NOT_CONTAINS_NOCASE: res = !(both && text_find(s1, n1, s2, n2, true)); break;
    case DROM_OP_STARTS_WITH: res = both && n2 <= n1 && memcmp(s1, s2, n2) == 0; break;
    case DROM_OP_NOT_STARTS_WITH: res = !(both && n2 <= n1 && memcmp(s1, s2, n2) == 0); break;
    case DROM_OP_ENDS_WITH: res = both && n2 <= n1 && memcmp(s1 + n1 - n2, s2, n2) == 0; break;
    case DROM_OP_NOT_ENDS_WITH: res = !(both && n2 <= n1 && memcmp(s1 + n1 - n2, s2, n2) == 0); break;
    case DROM_OP_REGEX:
    case DROM_OP_NOT_REGEX:
        res = op_regex(e, lv, s2, c);
        if (res >= 0 && e->op == DROM_OP_NOT_REGEX)
            res = !res;
        break;
    case DROM_OP_IN: res = op_in(lv, s2, n2); break;
    case DROM_OP_NOT_IN: res = !op_in(lv, s2, n2); break;
    case DROM_OP_RANGE:
    case DROM_OP_NOT_RANGE:
        res = op_range(e, lv, s2, c);
        if (res >= 0 && e->op == DROM_OP_NOT_RANGE)
            res = !res;
        break;
    default: res = drom_err(c->err, DROM_EINTERNAL, "unknown operator %d", (int)e->op); break;
    }
    tv_clear(&l);
    tv_clear(&r);
    return res;
}

static int eval_body(const struct drom_expr *e, struct ctx *c, struct tval *out)
{
    size_t len;
    const char *b = drom_exchange_body(c->ex, &len);
    if (!b) {
        tv_borrow(out, DROM_V_NULL, NULL, 0);
        return 0;
    }
    switch (e->conv) {
    case DROM_CONV_NONE:
    case DROM_CONV_STRING:
        tv_borrow(out, DROM_V_STRING, b, len);
        return 0;
    case DROM_CONV_BYTES:
        tv_borrow(out, DROM_V_BYTES, b, len);
        return 0;
    case DROM_CONV_INT: {
        size_t a = 0, z = len;
        while (a < z && strchr(" \t\r\n", b[a]))
            a++;
        while (z > a && strchr(" \t\r\n", b[z - 1]))
            z--;
        char tmp[32];
        char *end;
        if (z - a > 0 && z - a < sizeof tmp) {
            memcpy(tmp, b + a, z - a);
            tmp[z - a] = '\0';
            errno = 0;
            long long v = strtoll(tmp, &end, 10);
            if (*end == '\0' && errno == 0) {
                memset(out, 0, sizeof *out);
                out->v.type = DROM_V_INT;
                out->v.i = v;
                return 0;
            }
        }
        return drom_err(c->err, DROM_EINVAL, "cannot convert the body to a whole number: '%.40s%s'", b,
                        len > 40 ? "..." : "");
    }
    case DROM_CONV_BOOL: {
        int v = bool_word(b, len);
        if (v < 0)
            return drom_err(c->err, DROM_EINVAL, "cannot convert the body to a boolean: '%.40s%s'", b,
                            len > 40 ? "..." : "");
        tv_bool(out, v);
        return 0;
    }
    case DROM_CONV_ONE_LINE: {
        char *s = drom_xmalloc(len + 1);
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
            if (b[i] != '\n' && b[i] != '\r')
                s[n++] = b[i];
        s[n] = '\0';
        tv_take(out, DROM_V_STRING, s, n);
        return 0;
    }
    }
    return drom_err(c->err, DROM_EINTERNAL, "unknown body conversion");
}

static int eval_date(const struct drom_expr *e, struct ctx *c, struct tval *out)
{
    int64_t t_us;
    switch (e->date_src) {
    case DROM_DATE_NOW:
        t_us = c->env && c->env->now_us ? c->env->now_us : drom_now_us();
        break;
    case DROM_DATE_EXCHANGE_CREATED:
        t_us = c->ex->created_us;
        break;
    default: {
        const struct drom_value *v = drom_headers_get(&c->ex->headers, e->name);
        struct num n;
        if (!v || v->type == DROM_V_NULL) {
            tv_borrow(out, DROM_V_NULL, NULL, 0);
            return 0;
        }
        if (!as_num(v, &n) || !n.is_int || n.i > INT64_MAX / 1000 || n.i < INT64_MIN / 1000)
            return drom_err(c->err, DROM_EINVAL, "header '%s' is not a time in epoch milliseconds", e->name);
        t_us = n.i * 1000;
        break;
    }
    }
    struct drom_buf b = DROM_BUF_INIT;
    drom_expr_date_format(&e->date, t_us, &b);
    size_t len = b.len;
    tv_take(out, DROM_V_STRING, drom_buf_detach(&b), len);
    return 0;
}

static int eval_node(const struct drom_expr *e, struct ctx *c, struct tval *out)
{
    memset(out, 0, sizeof *out);
    switch (e->kind) {
    case DROM_EXPR_LITERAL:
        out->v = e->lit;
        return 0;
    case DROM_EXPR_BODY:
        return eval_body(e, c, out);
    case DROM_EXPR_HEADER:
    case DROM_EXPR_PROPERTY: {
        const struct drom_value *v =
            drom_headers_get(e->kind == DROM_EXPR_HEADER ? &c->ex->headers : &c->ex->props, e->name);
        if (v)
            out->v = *v;
        return 0;
    }
    case DROM_EXPR_ENV: {
        const char *s = getenv(e->name);
        tv_borrow(out, DROM_V_STRING, s, s ? strlen(s) : 0);
        return 0;
    }
    case DROM_EXPR_ROUTE_ID: {
        const char *s = c->env && c->env->route_id ? c->env->route_id : c->ex->route_id;
        tv_borrow(out, DROM_V_STRING, s, s ? strlen(s) : 0);
        return 0;
    }
    case DROM_EXPR_EXCHANGE_ID:
        tv_borrow(out, DROM_V_STRING, c->ex->id, c->ex->id ? strlen(c->ex->id) : 0);
        return 0;
    case DROM_EXPR_CAMEL_ID: {
        const char *s = c->env && c->env->camel_context ? c->env->camel_context : "dromedary";
        tv_borrow(out, DROM_V_STRING, s, strlen(s));
        return 0;
    }
    case DROM_EXPR_EXCEPTION:
        tv_borrow(out, DROM_V_STRING, c->ex->exception, c->ex->exception ? strlen(c->ex->exception) : 0);
        return 0;
    case DROM_EXPR_DATE:
        return eval_date(e, c, out);
    case DROM_EXPR_JSONPATH: {
        size_t len;
        const char *b = drom_exchange_body(c->ex, &len);
        if (!b)
            return 0;
        if (drom_expr_jsonpath_eval(e, b, len, &out->v, c->err) < 0)
            return -1;
        out->owned = true;
        return 0;
    }
    case DROM_EXPR_CONCAT: {
        struct drom_buf b = DROM_BUF_INIT;
        drom_buf_append(&b, "", 0);
        for (size_t i = 0; i < e->nkids; i++) {
            struct tval t;
            if (eval_node(e->kids[i], c, &t) < 0) {
                drom_buf_free(&b);
                return -1;
            }
            char tmp[32];
            size_t n;
            const char *s = text_of(&t.v, tmp, sizeof tmp, &n);
            drom_buf_append(&b, s, n);
            tv_clear(&t);
        }
        size_t len = b.len;
        tv_take(out, DROM_V_STRING, drom_buf_detach(&b), len);
        return 0;
    }
    case DROM_EXPR_BINARY: {
        int r = binary(e, c);
        if (r < 0)
            return -1;
        tv_bool(out, r);
        return 0;
    }
    case DROM_EXPR_AND:
    case DROM_EXPR_OR: {
        bool b;
        if (eval_truth(e->kids[0], c, &b) < 0)
            return -1;
        /* Short-circuit, left to right. */
        if (b == (e->kind == DROM_EXPR_AND) && eval_truth(e->kids[1], c, &b) < 0)
            return -1;
        tv_bool(out, b);
        return 0;
    }
    }
    return drom_err(c->err, DROM_EINTERNAL, "unknown expression node %d", (int)e->kind);
}

int drom_expr_eval(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                   struct drom_value *out, struct drom_error *err)
{
    struct ctx c = {.ex = ex, .env = env, .err = err};
    struct tval t;
    memset(out, 0, sizeof *out);
    if (eval_node(e, &c, &t) < 0)
        return -1;
    if (t.owned)
        *out = t.v;
    else
        drom_value_copy(out, &t.v);
    return 0;
}

int drom_expr_eval_bool(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                        bool *out, struct drom_error *err)
{
    struct ctx c = {.ex = ex, .env = env, .err = err};
    return eval_truth(e, &c, out);
}

int drom_expr_eval_str(const struct drom_expr *e, struct drom_exchange *ex, const struct drom_expr_env *env,
                       char **out, struct drom_error *err)
{
    struct ctx c = {.ex = ex, .env = env, .err = err};
    struct tval t;
    *out = NULL;
    if (eval_node(e, &c, &t) < 0)
        return -1;
    char tmp[32];
    size_t n;
    const char *s = text_of(&t.v, tmp, sizeof tmp, &n);
    *out = drom_xstrndup(s, n);
    tv_clear(&t);
    return 0;
}

struct drom_expr *drom_expr_new(enum drom_expr_kind kind)
{
    struct drom_expr *e = drom_xcalloc(1, sizeof *e);
    e->kind = kind;
    return e;
}

void drom_expr_add_take(struct drom_expr *e, struct drom_expr *kid)
{
    e->kids = drom_xrealloc(e->kids, (e->nkids + 1) * sizeof *e->kids);
    e->kids[e->nkids++] = kid;
}

void drom_expr_free(struct drom_expr *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nkids; i++)
        drom_expr_free(e->kids[i]);
    free(e->kids);
    drom_value_clear(&e->lit);
    free(e->name);
    drom_regex_free(e->re);
    for (size_t i = 0; i < e->date.ntoks; i++)
        free(e->date.toks[i].text);
    free(e->date.toks);
    for (size_t i = 0; i < e->njpath; i++)
        free(e->jpath[i].key);
    free(e->jpath);
    free(e);
}

const char *drom_expr_op_name(enum drom_expr_op op)
{
    static const char *const names[DROM_OP__COUNT] = {
        [DROM_OP_EQ] = "==", [DROM_OP_NE] = "!=", [DROM_OP_EQ_NOCASE] = "=~", [DROM_OP_NE_NOCASE] = "!=~",
        [DROM_OP_GT] = ">", [DROM_OP_GE] = ">=", [DROM_OP_LT] = "<", [DROM_OP_LE] = "<=",
        [DROM_OP_CONTAINS] = "contains", [DROM_OP_NOT_CONTAINS] = "!contains",
        [DROM_OP_CONTAINS_NOCASE] = "~~", [DROM_OP_NOT_CONTAINS_NOCASE] = "!~~",
        [DROM_OP_STARTS_WITH] = "startsWith", [DROM_OP_NOT_STARTS_WITH] = "!startsWith",
        [DROM_OP_ENDS_WITH] = "endsWith", [DROM_OP_NOT_ENDS_WITH] = "!endsWith",
        [DROM_OP_REGEX] = "regex", [DROM_OP_NOT_REGEX] = "!regex",
        [DROM_OP_IN] = "in", [DROM_OP_NOT_IN] = "!in",
        [DROM_OP_RANGE] = "range", [DROM_OP_NOT_RANGE] = "!range",
    };
    return (unsigned)op < DROM_OP__COUNT ? names[op] : "?";
}

int drom_expr_range_parse(const char *text, long *lo, long *hi, struct drom_error *err)
{
    const char *dots = strstr(text, "..");
    if (dots) {
        char *end;
        errno = 0;
        long a = strtol(text, &end, 10);
        bool ok = end == dots && end != text && errno == 0;
        const char *second = dots + 2;
        long b = strtol(second, &end, 10);
        while (*end == ' ')
            end++;
        ok = ok && end != second && *end == '\0' && errno == 0 && second[0] != ' ';
        if (ok) {
            *lo = a;
            *hi = b;
            return 0;
        }
    }
    return drom_err(err, DROM_EINVAL, "range must be 'FROM..TO' with whole numbers, got '%.100s'", text);
}
