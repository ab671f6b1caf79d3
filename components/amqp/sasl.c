/* The client's SASL for a proton built without Cyrus SASL (Debian's): a
 * proton SASL implementation (proton/sasl_plugin.h) that adds SCRAM-SHA-512,
 * -256 and -1 (components/amqp/scram.c) to what proton's own offers
 * (EXTERNAL, PLAIN, ANONYMOUS), so it is installed on a transport only when
 * SCRAM may be chosen. Of the mechanisms both sides allow it takes the
 * strongest the credentials allow. A broker that accepts the login without
 * proving it knows the password is refused. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <proton/sasl.h>
#include <proton/sasl_plugin.h>
#include <proton/transport.h>

#include "components/amqp/amqp_int.h"
#include "components/amqp/scram.h"
#include "runtime/xalloc.h"

/* The condition of a login we refused: not the broker's refusal. */
#define REFUSED "dromedary:broker-not-verified"

struct ctx {
    bool scram;
    struct drom_scram s;
    char *password;
    char *out;   /* the bytes proton sends next: valid until the next frame */
    size_t out_len;
};

static struct ctx *ctx_of(pn_transport_t *t)
{
    struct ctx *c = pnx_sasl_get_context(t);
    if (!c) {
        c = drom_xcalloc(1, sizeof *c);
        pnx_sasl_set_context(t, c);
    }
    return c;
}

static void wipe(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

static void ctx_free(pn_transport_t *t)
{
    struct ctx *c = pnx_sasl_get_context(t);
    if (!c)
        return;
    wipe(&c->password);
    if (c->out)
        OPENSSL_cleanse(c->out, c->out_len);
    free(c->out);
    drom_scram_clear(&c->s);
    free(c);
    pnx_sasl_set_context(t, NULL);
}

static void send_bytes(pn_transport_t *t, struct ctx *c, const char *bytes, size_t len, enum pnx_sasl_state state)
{
    if (c->out)
        OPENSSL_cleanse(c->out, c->out_len);
    free(c->out);
    c->out = drom_xmalloc(len + 1);
    memcpy(c->out, bytes, len);
    c->out_len = len;
    pnx_sasl_set_bytes_out(t, pn_bytes(len, c->out));
    pnx_sasl_set_desired_state(t, state);
}

static void refuse(pn_transport_t *t, const char *why)
{
    pnx_sasl_error(t, why, REFUSED);
    pn_sasl_done(pn_sasl(t), PN_SASL_PERM);
    pnx_sasl_set_desired_state(t, SASL_RECVED_FAILURE);
}

static bool offered(const char *mechs, const char *m)
{
    size_t n = strlen(m);
    for (const char *p = mechs; (p = strstr(p, m)) != NULL; p += n)
        if ((p == mechs || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

static bool start(pn_transport_t *t, const char *mech)
{
    struct ctx *c = ctx_of(t);
    const char *user = pnx_sasl_get_username(t), *password = pnx_sasl_get_password(t);
    pnx_sasl_set_selected_mechanism(t, mech);
    if (drom_scram_md(mech)) {
        char first[400];
        struct drom_error err = {0};
        c->password = drom_xstrdup(password);
        pnx_sasl_clear_password(t);
        if (drom_scram_client_first(&c->s, mech, user, NULL, first, sizeof first, &err) < 0) {
            refuse(t, err.msg);
            return true;
        }
        c->scram = true;
        send_bytes(t, c, first, strlen(first), SASL_POSTED_INIT);
    } else if (strcmp(mech, "PLAIN") == 0) {
        size_t u = strlen(user), p = strlen(password);
        char *buf = drom_xmalloc(u + p + 2);
        buf[0] = '\0';
        memcpy(buf + 1, user, u + 1);
        memcpy(buf + u + 2, password, p);
        send_bytes(t, c, buf, u + p + 2, SASL_POSTED_INIT);
        OPENSSL_cleanse(buf, u + p + 2);
        free(buf);
        pnx_sasl_clear_password(t);
    } else {
        /* EXTERNAL and ANONYMOUS: the user, if any, as authorization id */
        const char *id = user ? user : strcmp(mech, "ANONYMOUS") == 0 ? "anonymous" : "";
        send_bytes(t, c, id, strlen(id), SASL_POSTED_INIT);
    }
    return true;
}

/* `mechs`: those the broker offers that pn_sasl_allowed_mechs lets through.
 * A user named with a password logs in as that user (SCRAM, then PLAIN);
 * without one, EXTERNAL logs in as the client certificate's subject. */
static bool process_mechanisms(pn_transport_t *t, const char *mechs)
{
    const char *user = pnx_sasl_get_username(t), *password = pnx_sasl_get_password(t);
    bool clear_ok = pnx_sasl_is_transport_encrypted(t) || pnx_sasl_get_allow_insecure_mechanisms(t);
    static const char *const with_password[] = {"SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN",
                                                "EXTERNAL", NULL};
    static const char *const without[] = {"EXTERNAL", "ANONYMOUS", NULL};
    for (const char *const *m = user && password ? with_password : without; *m; m++)
        if (offered(mechs, *m) && (strcmp(*m, "PLAIN") != 0 || clear_ok))
            return start(t, *m);
    return false;
}

static void process_challenge(pn_transport_t *t, const pn_bytes_t *recv)
{
    struct ctx *c = pnx_sasl_get_context(t);
    if (!c || !c->scram || c->s.ready) {
        refuse(t, "the broker sent a SASL challenge the mechanism does not have");
        return;
    }
    char final[400];
    struct drom_error err = {0};
    int rc = drom_scram_client_final(&c->s, c->password, recv->start, recv->size, final, sizeof final, &err);
    wipe(&c->password);
    if (rc < 0) {
        refuse(t, err.msg);
        return;
    }
    send_bytes(t, c, final, strlen(final), SASL_POSTED_RESPONSE);
}

/* The server-final message of SCRAM comes as the outcome's additional data. */
static void process_outcome(pn_transport_t *t, const pn_bytes_t *recv)
{
    struct ctx *c = pnx_sasl_get_context(t);
    if (!c || !c->scram || pn_sasl_outcome(pn_sasl(t)) != PN_SASL_OK)
        return;
    struct drom_error err = {0};
    if (drom_scram_verify_server(&c->s, recv->start, recv->size, &err) < 0) {
        pnx_sasl_error(t, err.msg, REFUSED);
        pn_sasl_done(pn_sasl(t), PN_SASL_PERM);
    }
}

static const char *list_mechanisms(pn_transport_t *t) { return ""; }
static bool init_server(pn_transport_t *t) { return false; }
static bool init_client(pn_transport_t *t) { return true; }
static void prepare_write(pn_transport_t *t) {}
static void process_init(pn_transport_t *t, const char *m, const pn_bytes_t *recv) {}
static void process_response(pn_transport_t *t, const pn_bytes_t *recv) {}
static bool can_encrypt(pn_transport_t *t) { return false; }
static ssize_t max_encrypt_size(pn_transport_t *t) { return 0; }
static ssize_t encode(pn_transport_t *t, pn_bytes_t in, pn_bytes_t *out) { return 0; }
static ssize_t decode(pn_transport_t *t, pn_bytes_t in, pn_bytes_t *out) { return 0; }

static const pnx_sasl_implementation impl = {
    .free = ctx_free,
    .list_mechanisms = list_mechanisms,
    .init_server = init_server,
    .init_client = init_client,
    .prepare_write = prepare_write,
    .process_init = process_init,
    .process_response = process_response,
    .process_mechanisms = process_mechanisms,
    .process_challenge = process_challenge,
    .process_outcome = process_outcome,
    .can_encrypt = can_encrypt,
    .max_encrypt_size = max_encrypt_size,
    .encode = encode,
    .decode = decode,
};

pn_sasl_t *amqp_sasl_setup(pn_transport_t *t, const struct amqp_conn_config *cfg)
{
    pn_sasl_t *sasl = pn_sasl(t);
    char mechs[128];
    pn_sasl_allowed_mechs(sasl, amqp_sasl_mechs(cfg, mechs, sizeof mechs));
    if (!pn_sasl_extended() && strstr(mechs, "SCRAM-"))
        pnx_sasl_set_implementation(t, &impl, NULL);
    return sasl;
}
