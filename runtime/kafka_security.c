#include "runtime/kafka_security.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/tls_files.h"
#include "runtime/xalloc.h"

const char *const drom_kafka_protocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL};
static const char *const lower_protocols[] = {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"};

static bool is_tls(const struct drom_kafka_security *s)
{
    return s->protocol == DROM_KAFKA_SSL || s->protocol == DROM_KAFKA_SASL_SSL;
}

static bool is_sasl(const struct drom_kafka_security *s)
{
    return s->protocol == DROM_KAFKA_SASL_PLAINTEXT || s->protocol == DROM_KAFKA_SASL_SSL;
}

static bool given(const char *v)
{
    return v && *v;
}

/* The settings an override may give, each with its name. */
static const struct {
    size_t value, name;
} fields[] = {
#define FIELD(f) {offsetof(struct drom_kafka_security, f), offsetof(struct drom_kafka_security, names.f)}
    FIELD(mechanism), FIELD(jaas), FIELD(username), FIELD(password), FIELD(truststore),
    FIELD(keystore), FIELD(keystore_password), FIELD(key_password),
#undef FIELD
};

static const char **str_at(struct drom_kafka_security *s, size_t off)
{
    return (const char **)((char *)s + off);
}

void drom_kafka_security_over(struct drom_kafka_security *out, const struct drom_kafka_security *base,
                              const struct drom_kafka_security *over)
{
    *out = *base;
    struct drom_kafka_security o = *over;
    if (o.protocol >= 0) {
        out->protocol = o.protocol;
        out->names.protocol = o.names.protocol;
    }
    /* a setting neither gives is named as the client's own, which a message asking for it points to */
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (*str_at(&o, fields[i].value) || !*str_at(out, fields[i].value)) {
            *str_at(out, fields[i].value) = *str_at(&o, fields[i].value);
            *str_at(out, fields[i].name) = *str_at(&o, fields[i].name);
        }
    if (o.endpoint_algorithm)
        out->endpoint_algorithm = o.endpoint_algorithm;
    if (o.cipher_suites)
        out->cipher_suites = o.cipher_suites;
}

bool drom_kafka_security_given(const struct drom_kafka_security *s)
{
    return s->protocol >= 0 || s->mechanism || s->jaas || s->username || s->password || s->truststore ||
           s->keystore || s->keystore_password || s->key_password || s->endpoint_algorithm || s->cipher_suites;
}

/* username="..." password="..." of a JAAS line (PLAIN and SCRAM login
 * modules); false when `key` has no quoted value there. */
static bool jaas_value(const char *jaas, const char *key, char *out, size_t size)
{
    size_t kl = strlen(key);
    for (const char *p = jaas; (p = strstr(p, key)) != NULL; p += kl) {
        if (p > jaas && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            continue;
        const char *q = p + kl;
        while (*q == ' ')
            q++;
        if (*q++ != '=')
            continue;
        while (*q == ' ')
            q++;
        if (*q++ != '"')
            continue;
        size_t n = 0;
        while (*q && *q != '"' && n + 1 < size)
            out[n++] = *q++;
        out[n] = '\0';
        return *q == '"';
    }
    return false;
}

/* The user name and password a SASL client logs in with: given apart, or
 * read from the JAAS line. */
static void credentials(const struct drom_kafka_security *s, char *user, char *pass, size_t size)
{
    user[0] = pass[0] = '\0';
    if (s->jaas) {
        jaas_value(s->jaas, "username", user, size);
        jaas_value(s->jaas, "password", pass, size);
    }
    if (s->username)
        snprintf(user, size, "%s", s->username);
    if (s->password)
        snprintf(pass, size, "%s", s->password);
}

static bool unresolved(const char *v)
{
    return v && strstr(v, "{{");
}

static const char *name_or(const char *name, const char *fallback)
{
    return name ? name : fallback;
}

static int check_sasl(const struct drom_kafka_security *s, struct drom_error *err)
{
    static const char *const known[] = {"GSSAPI", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", NULL};
    const char *mech = s->mechanism ? s->mechanism : "GSSAPI";
    const char *mech_opt = name_or(s->names.mechanism, "sasl.mechanism");
    bool ok = false;
    for (const char *const *k = known; *k && !ok; k++)
        ok = strcasecmp(mech, *k) == 0;
    if (!ok)
        return drom_err(err, DROM_EINVAL,
                        "%s: unknown SASL mechanism '%s' (GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)",
                        mech_opt, mech);
    if (strcasecmp(mech, "PLAIN") != 0 && strncasecmp(mech, "SCRAM-", 6) != 0)
        return 0;
    /* a secret keeps its {{placeholder}} until dromd loads the routes, which checks them again resolved */
    if (unresolved(s->jaas) || unresolved(s->username) || unresolved(s->password))
        return 0;
    char user[512], pass[512];
    credentials(s, user, pass, sizeof user);
    bool complete = user[0] && pass[0];
    explicit_bzero(pass, sizeof pass);
    if (complete)
        return 0;
    const char *jaas_opt = name_or(s->names.jaas, "sasl.jaas.config");
    char apart[256] = "";
    if (s->names.username && s->names.password)
        snprintf(apart, sizeof apart, " (or %s and %s)", s->names.username, s->names.password);
    return drom_err(err, DROM_EINVAL,
                    "%s: SASL %s over %s needs a user name and a password: give username=\"...\" "
                    "password=\"...\" in %s%s",
                    mech_opt, mech, drom_kafka_protocols[s->protocol], jaas_opt, apart);
}

int drom_kafka_security_check(const struct drom_kafka_security *s, struct drom_error *err)
{
    if (is_sasl(s) && check_sasl(s, err) < 0)
        return -1;
    if (!is_tls(s))
        return 0;
    const char *keystore_opt = name_or(s->names.keystore, "ssl.keystore.location");
    if (given(s->keystore) && drom_tls_need_pem_client(keystore_opt, s->keystore, true, err) < 0)
        return -1;
    return drom_tls_check_files(name_or(s->names.truststore, "ssl.truststore.location"), s->truststore, NULL, NULL,
                                NULL, NULL, err);
}

void drom_kafka_props_add(struct drom_kafka_props *p, const char *name, const char *value)
{
    p->kv = drom_xrealloc(p->kv, (p->n + 3) * sizeof *p->kv);
    p->kv[p->n++] = drom_xstrdup(name);
    p->kv[p->n++] = drom_xstrdup(value);
    p->kv[p->n] = NULL;
}

void drom_kafka_props_free(struct drom_kafka_props *p)
{
    for (size_t i = 0; i < p->n; i++) {
        explicit_bzero(p->kv[i], strlen(p->kv[i]));
        free(p->kv[i]);
    }
    free(p->kv);
    p->kv = NULL;
    p->n = 0;
}

static void add_sasl(const struct drom_kafka_security *s, struct drom_kafka_props *p)
{
    if (s->mechanism)
        drom_kafka_props_add(p, "sasl.mechanism", s->mechanism);
    char user[512], pass[512];
    credentials(s, user, pass, sizeof user);
    if (user[0])
        drom_kafka_props_add(p, "sasl.username", user);
    if (pass[0])
        drom_kafka_props_add(p, "sasl.password", pass);
    explicit_bzero(pass, sizeof pass);
}

/* The client's certificate: a PEM file holding certificate (chain) and
 * key, or a PKCS#12 bundle; the content decides. */
static int add_keystore(const struct drom_kafka_security *s, struct drom_kafka_props *p, struct drom_error *err)
{
    const char *opt = name_or(s->names.keystore, "ssl.keystore.location");
    enum drom_tls_kind kind;
    if (drom_tls_need_pem_client(opt, s->keystore, true, err) < 0 || drom_tls_kind(opt, s->keystore, &kind, err) < 0)
        return -1;
    if (kind == DROM_TLS_PKCS12) {
        drom_kafka_props_add(p, "ssl.keystore.location", s->keystore);
        if (s->keystore_password)
            drom_kafka_props_add(p, "ssl.keystore.password", s->keystore_password);
        return 0;
    }
    drom_kafka_props_add(p, "ssl.certificate.location", s->keystore);
    drom_kafka_props_add(p, "ssl.key.location", s->keystore);
    return 0;
}

static int add_tls(const struct drom_kafka_security *s, struct drom_kafka_props *p, struct drom_error *err)
{
    if (given(s->truststore)) {
        if (drom_tls_need_pem_ca(name_or(s->names.truststore, "ssl.truststore.location"), s->truststore, err) < 0)
            return -1;
        drom_kafka_props_add(p, "ssl.ca.location", s->truststore);
    }
    if (given(s->keystore) && add_keystore(s, p, err) < 0)
        return -1;
    if (given(s->key_password))
        drom_kafka_props_add(p, "ssl.key.password", s->key_password);
    /* Camel turns host name checking off with an empty value. */
    const char *algo = s->endpoint_algorithm;
    if (algo)
        drom_kafka_props_add(p, "ssl.endpoint.identification.algorithm",
                             *algo && strcasecmp(algo, "none") != 0 ? "https" : "none");
    if (given(s->cipher_suites))
        drom_kafka_props_add(p, "ssl.cipher.suites", s->cipher_suites);
    return 0;
}

int drom_kafka_props_build(const struct drom_kafka_security *s, struct drom_kafka_props *out,
                           struct drom_error *err)
{
    struct drom_kafka_props p = {0};
    int protocol = s->protocol >= 0 ? s->protocol : DROM_KAFKA_PLAINTEXT;
    drom_kafka_props_add(&p, "security.protocol", lower_protocols[protocol]);
    if (is_sasl(s))
        add_sasl(s, &p);
    if (is_tls(s) && add_tls(s, &p, err) < 0) {
        drom_kafka_props_free(&p);
        return -1;
    }
    for (size_t i = 0; i < p.n; i += 2)
        drom_kafka_props_add(out, p.kv[i], p.kv[i + 1]);
    drom_kafka_props_free(&p);
    return 0;
}

/* Whether every broker of a "host:port,host:port" list is on this machine. */
static bool all_loopback(const char *brokers)
{
    for (const char *p = brokers; p && *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ",");
        if (!len)
            break;
        char host[256];
        size_t hl = len;
        const char *colon = memrchr(p, ':', len);
        if (colon && *p != '[')
            hl = (size_t)(colon - p);
        snprintf(host, sizeof host, "%.*s", (int)hl, p);
        if (!drom_host_is_loopback(host))
            return false;
        p += len;
    }
    return true;
}

void drom_kafka_security_advise(const struct drom_kafka_security *s, const char *brokers, char *warning,
                                size_t size)
{
    warning[0] = '\0';
    if (s->protocol != DROM_KAFKA_SASL_PLAINTEXT || !s->mechanism || strcasecmp(s->mechanism, "PLAIN") != 0 ||
        all_loopback(brokers))
        return;
    snprintf(warning, size,
             "SASL PLAIN over SASL_PLAINTEXT sends the password in clear text to %s: use %s=SASL_SSL", brokers,
             name_or(s->names.protocol, "security.protocol"));
}
