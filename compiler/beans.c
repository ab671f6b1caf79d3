/* camel.beans.* connection factories -> the amqp component's remoteURI,
 * username and password (compiler/beans.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beans.h"
#include "suggest.h"
#include "components/registry.h"
#include "runtime/xalloc.h"

enum url_kind { URL_CORE, URL_AMQP };

/* What each factory class calls its settings, and where its constructor
 * puts them: ctor3 is the order of the three-argument constructor. */
struct cf_class {
    const char *name;
    enum url_kind kind;
    const char *url_prop, *user_prop;
    enum { URL_USER_PASS, USER_PASS_URL } ctor3;
};

static const struct cf_class classes[] = {
    {"org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory", URL_CORE, "brokerURL", "user", URL_USER_PASS},
    {"org.apache.activemq.artemis.jms.client.ActiveMQJMSConnectionFactory", URL_CORE, "brokerURL", "user",
     URL_USER_PASS},
    {"org.apache.activemq.ActiveMQConnectionFactory", URL_CORE, "brokerURL", "userName", USER_PASS_URL},
    {"org.apache.qpid.jms.JmsConnectionFactory", URL_AMQP, "remoteURI", "username", USER_PASS_URL},
};

static const struct cf_class *find_class(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
        if (strlen(classes[i].name) == len && strncmp(classes[i].name, name, len) == 0)
            return &classes[i];
    return NULL;
}

struct cf {
    const struct cf_class *cls;
    char *url, *user, *password;          /* raw texts, placeholders kept */
    const struct drom_prop *url_at, *at;  /* where each came from, for messages */
};

static int fail(struct drom_error *err, const struct drom_prop *at, const char *fmt, const char *a, const char *b)
{
    char msg[900];
    snprintf(msg, sizeof msg, fmt, a, b);
    return drom_err_at(err, DROM_EINVAL, at->origin, at->line, at->line ? 1 : 0, "%s", msg);
}

/* Constructor arguments: "quoted" or 'quoted' texts and bare words, split at
 * commas outside quotes and outside {{placeholders}}. */
static int split_args(const char *s, char **out, int max, int *n)
{
    *n = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (*n == max)
            return -1;
        char q = (*s == '"' || *s == '\'') ? *s++ : 0;
        const char *start = s;
        int depth = 0;
        while (*s && (q ? *s != q : (*s != ',' || depth > 0))) {
            if (!q && s[0] == '{' && s[1] == '{')
                depth++, s++;
            else if (!q && s[0] == '}' && s[1] == '}' && depth > 0)
                depth--, s++;
            s++;
        }
        if (q && *s != q)
            return -1;
        size_t len = (size_t)(s - start);
        while (!q && len && isspace((unsigned char)start[len - 1]))
            len--;
        out[(*n)++] = drom_xstrndup(start, len);
        if (q)
            s++;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return 0;
}

static void set(char **slot, const char *v)
{
    free(*slot);
    *slot = drom_xstrdup(v);
}

/* "#class:FQCN" or "#class:FQCN(args)" at `def`, then NAME.prop entries. */
static int read_bean(const struct drom_props *p, const struct drom_prop *def, const char *props_prefix, struct cf *cf,
                     struct drom_error *err)
{
    const char *v = def->value;
    if (strncmp(v, "#class:", 7) != 0)
        return fail(err, def, "property '%s' should be #class:CLASS or #class:CLASS(ARGS), a connection factory%s",
                    def->key, "");
    v += 7;
    const char *paren = strchr(v, '(');
    size_t nlen = paren ? (size_t)(paren - v) : strlen(v);
    while (nlen && isspace((unsigned char)v[nlen - 1]))
        nlen--;
    cf->cls = find_class(v, nlen);
    if (!cf->cls) {
        char cls[300];
        snprintf(cls, sizeof cls, "%.*s", (int)(nlen < 290 ? nlen : 290), v);
        return fail(err, def,
                    "connection factory class '%s' is not one this runtime can stand in for (%s)", cls,
                    "org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory, "
                    "org.apache.activemq.ActiveMQConnectionFactory, org.apache.qpid.jms.JmsConnectionFactory");
    }
    cf->at = cf->url_at = def;
    if (paren) {
        const char *close = strrchr(paren, ')');
        if (!close || close[1 + strspn(close + 1, " \t")])
            return fail(err, def, "property '%s': the constructor arguments of %s need a closing ')'", def->key,
                        cf->cls->name);
        char *inner = drom_xstrndup(paren + 1, (size_t)(close - paren - 1));
        char *args[3] = {0};
        int n = 0;
        int rc = split_args(inner, args, 3, &n);
        free(inner);
        if (rc < 0 || n == 2) {
            for (int i = 0; i < 3; i++)
                free(args[i]);
            return fail(err, def,
                        "property '%s': %s takes (URL) or three arguments (see its constructors), as quoted texts",
                        def->key, cf->cls->name);
        }
        if (n == 1) {
            cf->url = args[0];
        } else if (n == 3) {
            bool url_first = cf->cls->ctor3 == URL_USER_PASS;
            cf->url = args[url_first ? 0 : 2];
            cf->user = args[url_first ? 1 : 0];
            cf->password = args[url_first ? 2 : 1];
        }
    }
    size_t pl = strlen(props_prefix);
    for (size_t i = 0; i < drom_props_count(p); i++) {
        const struct drom_prop *pr = drom_props_at(p, i);
        if (strncmp(pr->key, props_prefix, pl) != 0)
            continue;
        const char *name = pr->key + pl;
        if (drom_name_loose_eq(name, cf->cls->url_prop)) {
            set(&cf->url, pr->value);
            cf->url_at = pr;
        } else if (drom_name_loose_eq(name, cf->cls->user_prop)) {
            set(&cf->user, pr->value);
        } else if (drom_name_loose_eq(name, "password")) {
            set(&cf->password, pr->value);
        } else {
            char want[200];
            snprintf(want, sizeof want, "%s, %s or password", cf->cls->url_prop, cf->cls->user_prop);
            return fail(err, pr, "property '%s': this runtime reads only the %s of a connection factory", pr->key,
                        want);
        }
    }
    if (!cf->url || !*cf->url)
        return fail(err, def, "connection factory '%s' has no broker URL (%s)", def->key, cf->cls->url_prop);
    return 0;
}

/* tcp://h:p, nio://h:p -> amqp://h:p; ssl://h:p or sslEnabled=true -> amqps;
 * amqp(s):// stay. URL options are the JMS client's, not ours: dropped. */
static char *one_to_amqp(const struct cf_class *cls, const char *u, struct drom_error *err)
{
    const char *sep = strstr(u, "://");
    if (!sep)
        return drom_err(err, DROM_EINVAL, "broker URL '%s' has no scheme (tcp://, ssl://, amqp:// or amqps://)", u),
               NULL;
    size_t sl = (size_t)(sep - u);
    const char *rest = sep + 3, *q = strchr(rest, '?');
    bool amqp = sl == 4 && strncmp(u, "amqp", 4) == 0, amqps = sl == 5 && strncmp(u, "amqps", 5) == 0;
    bool tls;
    if (amqp || amqps)
        tls = amqps;
    else if (cls->kind == URL_AMQP)
        return drom_err(err, DROM_EINVAL, "broker URL '%s': Qpid JMS takes amqp:// or amqps:// addresses", u), NULL;
    else if ((sl == 3 && strncmp(u, "tcp", 3) == 0) || (sl == 3 && strncmp(u, "nio", 3) == 0))
        tls = q && (strstr(q, "sslEnabled=true") || strstr(q, "ssl=true"));
    else if (sl == 3 && strncmp(u, "ssl", 3) == 0)
        tls = true;
    else
        return drom_err(err, DROM_EINVAL,
                        "broker URL '%s': this runtime speaks AMQP to the broker, from a tcp://, ssl://, amqp:// or "
                        "amqps:// address", u),
               NULL;
    size_t hl = q ? (size_t)(q - rest) : strlen(rest);
    char *out = drom_xmalloc(hl + 9);
    snprintf(out, hl + 9, "%s://%.*s", tls ? "amqps" : "amqp", (int)hl, rest);
    return out;
}

/* A list of brokers: Qpid JMS's failover:(amqp://..,amqp://..)?failover.*
 * stays as it is (the amqp component reads it); Artemis' (tcp://a,tcp://b)
 * and ActiveMQ 5's failover:(tcp://a,tcp://b) become failover:(amqp://a,
 * amqp://b), their options (the JVM client's) dropped. */
static char *list_to_amqp(const struct cf_class *cls, const char *u, struct drom_error *err)
{
    bool prefixed = strncmp(u, "failover:", 9) == 0;
    if (prefixed && cls->kind == URL_AMQP)
        return drom_xstrdup(u);
    const char *lp = prefixed ? u + 9 : u, *rp = strchr(lp, ')');
    if (*lp != '(' || !rp)
        return drom_err(err, DROM_EINVAL, "broker URL '%s': a list of brokers is written (url,url) or "
                        "failover:(url,url)", u),
               NULL;
    size_t cap = strlen(u) * 2 + 32, n = 0;
    char *out = drom_xmalloc(cap);
    n += (size_t)snprintf(out, cap, "failover:(");
    for (const char *p = lp + 1; p < rp;) {
        size_t len = strcspn(p, ",)");
        char *one = drom_xstrndup(p, len), *conv = one_to_amqp(cls, one, err);
        free(one);
        if (!conv) {
            free(out);
            return NULL;
        }
        n += (size_t)snprintf(out + n, cap - n, "%s%s", n > 10 ? "," : "", conv);
        free(conv);
        p += len + (p[len] == ',');
    }
    snprintf(out + n, cap - n, ")");
    return out;
}

static char *to_amqp(const struct cf_class *cls, const char *u, struct drom_error *err)
{
    if (u[0] == '(' || strncmp(u, "failover:", 9) == 0)
        return list_to_amqp(cls, u, err);
    if (strchr(u, ','))
        return drom_err(err, DROM_EINVAL, "broker URL '%s' lists several brokers: write them (url,url) or "
                        "failover:(url,url)", u),
               NULL;
    return one_to_amqp(cls, u, err);
}

char *drom_beans_amqp_url(const char *class_name, const char *url, struct drom_error *err)
{
    const struct cf_class *cls = find_class(class_name, strlen(class_name));
    if (!cls)
        return drom_err(err, DROM_EINVAL, "connection factory class '%s' is not one this runtime can stand in for",
                        class_name),
               NULL;
    return to_amqp(cls, url, err);
}

/* Sets key to value unless an entry the user wrote is there: that is a conflict. */
static int put(struct drom_props *p, const char *scheme, const char *opt, const char *value,
               const struct drom_prop *cf_at, const struct drom_prop *at, struct drom_error *err)
{
    if (!value)
        return 0;
    char key[256];
    snprintf(key, sizeof key, "camel.component.%s.%s", scheme, opt);
    const struct drom_prop *had = drom_props_find(p, key);
    if (had && !(had->line == at->line && strcmp(had->origin, at->origin) == 0)) {
        char both[300];
        snprintf(both, sizeof both, "%s (%s:%d)", key, had->origin, had->line);
        return fail(err, cf_at, "both %s and '%s' give the broker connection; keep one", both, cf_at->key);
    }
    drom_props_set(p, key, value, at->origin, at->line);
    return 0;
}

static int apply_one(struct drom_props *p, const struct drom_prop *ref, const char *scheme, struct drom_error *err)
{
    const char *v = ref->value;
    const struct drom_prop *def = NULL;
    char *props_prefix = NULL;
    if (strncmp(v, "#class:", 7) == 0) {
        /* Camel Kafka Connector's inline form: the class here, its settings under KEY. */
        def = ref;
        size_t n = strlen(ref->key) + 2;
        props_prefix = drom_xmalloc(n);
        snprintf(props_prefix, n, "%s.", ref->key);
    } else {
        const char *name = strncmp(v, "#bean:", 6) == 0 ? v + 6 : v[0] == '#' ? v + 1 : NULL;
        if (!name || !*name)
            return fail(err, ref, "property '%s' should name a bean: #bean:NAME, declared as camel.beans.NAME=#class:...%s",
                        ref->key, "");
        char key[300];
        snprintf(key, sizeof key, "camel.beans.%s", name);
        def = drom_props_find(p, key);
        if (!def) {
            snprintf(key, sizeof key, "camel.bean.%s", name);
            def = drom_props_find(p, key);
        }
        if (!def)
            return fail(err, ref, "property '%s' refers to bean '%s', which no camel.beans.NAME property declares",
                        ref->key, name);
        size_t n = strlen(def->key) + 2;
        props_prefix = drom_xmalloc(n);
        snprintf(props_prefix, n, "%s.", def->key);
    }
    struct cf cf = {0};
    int rc = read_bean(p, def, props_prefix, &cf, err);
    char *url = rc == 0 ? to_amqp(cf.cls, cf.url, err) : NULL;
    if (rc == 0 && !url) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = drom_err_at(err, DROM_EINVAL, cf.url_at->origin, cf.url_at->line, cf.url_at->line ? 1 : 0, "%s", msg);
    }
    /* every derived entry points at the bean's own line; ref and def point into
     * p's array, which the first new entry may move: copies */
    struct drom_prop r = {.key = drom_xstrdup(ref->key), .origin = drom_xstrdup(ref->origin), .line = ref->line};
    struct drom_prop d = {.key = drom_xstrdup(def->key), .origin = drom_xstrdup(def->origin), .line = def->line};
    if (rc == 0)
        rc = put(p, scheme, "remoteURI", url, &r, &d, err);
    if (rc == 0)
        rc = put(p, scheme, "username", cf.user, &r, &d, err);
    if (rc == 0)
        rc = put(p, scheme, "password", cf.password, &r, &d, err);
    free(r.key), free(r.origin), free(d.key), free(d.origin);
    free(url);
    free(cf.url);
    free(cf.user);
    free(cf.password);
    free(props_prefix);
    return rc;
}

int drom_beans_apply(struct drom_props *p, struct drom_error *err)
{
    static const char head[] = "camel.component.";
    /* collected first: applying adds entries, which moves the array */
    size_t n = drom_props_count(p), nrefs = 0;
    char **keys = drom_xcalloc(n + 1, sizeof *keys);
    char **schemes = drom_xcalloc(n + 1, sizeof *schemes);
    for (size_t i = 0; i < n; i++) {
        const struct drom_prop *pr = drom_props_at(p, i);
        if (strncmp(pr->key, head, sizeof head - 1) != 0)
            continue;
        const char *rest = pr->key + sizeof head - 1, *dot = strchr(rest, '.');
        if (!dot || !drom_name_loose_eq(dot + 1, "connectionFactory"))
            continue;
        char scheme[128];
        snprintf(scheme, sizeof scheme, "%.*s", (int)((size_t)(dot - rest) < 127 ? dot - rest : 127), rest);
        const struct drom_component *comp = drom_registry_find(scheme);
        if (!comp || !drom_option_find(comp->options, "remoteURI"))
            continue;
        keys[nrefs] = drom_xstrdup(pr->key);
        schemes[nrefs++] = drom_xstrdup(scheme);
    }
    int rc = 0;
    for (size_t i = 0; i < nrefs; i++) {
        if (rc == 0)
            rc = apply_one(p, drom_props_find(p, keys[i]), schemes[i], err);
        free(keys[i]);
        free(schemes[i]);
    }
    free(keys);
    free(schemes);
    return rc;
}

int drom_beans_copy_applied(const struct drom_props *in, struct drom_props *out, struct drom_error *err)
{
    bool any = false;
    for (size_t i = 0; i < drom_props_count(in) && !any; i++) {
        const char *k = drom_props_at(in, i)->key;
        const char *dot = strncmp(k, "camel.component.", 16) == 0 ? strchr(k + 16, '.') : NULL;
        any = dot && drom_name_loose_eq(dot + 1, "connectionFactory");
    }
    if (!any)
        return 0;
    for (size_t i = 0; i < drom_props_count(in); i++) {
        const struct drom_prop *pr = drom_props_at(in, i);
        drom_props_set(out, pr->key, pr->value, pr->origin, pr->line);
    }
    if (drom_beans_apply(out, err) < 0) {
        drom_props_free(out);
        return -1;
    }
    return 1;
}
