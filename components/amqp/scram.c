/* SCRAM client messages (RFC 5802 section 3 and 5; RFC 7677 for SHA-256),
 * with OpenSSL's PBKDF2 and HMAC. The password is used as given: SASLprep
 * changes only non-ASCII passwords, and a broker that stores the password
 * prepared would refuse those (said in docs/components.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "components/amqp/scram.h"
#include "runtime/xalloc.h"

/* Brokers use 4096; a bound keeps a hostile server from making us spin. */
#define MAX_ITERATIONS 1000000

static char *joined(const char *a, const char *sep, const char *b, size_t b_len, const char *c)
{
    size_t n = strlen(a) + strlen(sep) * 2 + b_len + strlen(c) + 1;
    char *out = drom_xmalloc(n);
    snprintf(out, n, "%s%s%.*s%s%s", a, sep, (int)b_len, b, c[0] ? sep : "", c);
    return out;
}

const void *drom_scram_md(const char *mech)
{
    if (strcasecmp(mech, "SCRAM-SHA-1") == 0)
        return EVP_sha1();
    if (strcasecmp(mech, "SCRAM-SHA-256") == 0)
        return EVP_sha256();
    if (strcasecmp(mech, "SCRAM-SHA-512") == 0)
        return EVP_sha512();
    return NULL;
}

int drom_scram_client_first(struct drom_scram *s, const char *mech, const char *user, const char *nonce, char *out,
                            size_t size, struct drom_error *err)
{
    memset(s, 0, sizeof *s);
    s->md = drom_scram_md(mech);
    if (!s->md)
        return drom_err(err, DROM_EINVAL, "SASL %s is not a SCRAM mechanism", mech);
    size_t n = 0;
    for (const char *p = user; *p; p++) {
        const char *esc = *p == '=' ? "=3D" : *p == ',' ? "=2C" : NULL;
        size_t len = esc ? 3 : 1;
        if (n + len >= sizeof s->user)
            return drom_err(err, DROM_EINVAL, "SASL %s: the user name is longer than %zu bytes", mech,
                            sizeof s->user - 1);
        memcpy(s->user + n, esc ? esc : p, len);
        n += len;
    }
    if (nonce) {
        snprintf(s->nonce, sizeof s->nonce, "%s", nonce);
    } else {
        unsigned char raw[24];
        if (RAND_bytes(raw, sizeof raw) != 1)
            return drom_err(err, DROM_EINTERNAL, "SASL %s: no random bytes for the nonce", mech);
        EVP_EncodeBlock((unsigned char *)s->nonce, raw, sizeof raw);
    }
    char bare[sizeof s->user + sizeof s->nonce + 8];
    snprintf(bare, sizeof bare, "n=%s,r=%s", s->user, s->nonce);
    s->client_first_bare = drom_xstrdup(bare);
    if ((size_t)snprintf(out, size, "n,,%s", s->client_first_bare) >= size)
        return drom_err(err, DROM_EINTERNAL, "SASL %s: the first message does not fit %zu bytes", mech, size);
    return 0;
}

/* The value of attribute `name` ("r", "s", "i", "v", "e") of a message, as
 * a new string; NULL when absent. */
static char *attr(const char *msg, size_t len, char name)
{
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && msg[end] != ',')
            end++;
        if (end - i >= 2 && msg[i] == name && msg[i + 1] == '=')
            return drom_xstrndup(msg + i + 2, end - i - 2);
        i = end + 1;
    }
    return NULL;
}

static int hmac(const struct drom_scram *s, const unsigned char *key, unsigned key_len, const void *data, size_t len,
                unsigned char *out, unsigned *out_len)
{
    return HMAC(s->md, key, (int)key_len, data, len, out, out_len) ? 0 : -1;
}

/* The proof and the server signature from the salted password (RFC 5802
 * section 3); proof_b64 gets the client proof in base64. */
static int keys(struct drom_scram *s, const unsigned char *salted, unsigned dlen, const char *auth_msg,
                char *proof_b64)
{
    unsigned char client_key[64], stored_key[64], client_sig[64], server_key[64], proof[64];
    unsigned len = 0;
    int rc = -1;
    if (hmac(s, salted, dlen, "Client Key", 10, client_key, &len) < 0 ||
        EVP_Digest(client_key, dlen, stored_key, &len, s->md, NULL) != 1 ||
        hmac(s, stored_key, dlen, auth_msg, strlen(auth_msg), client_sig, &len) < 0 ||
        hmac(s, salted, dlen, "Server Key", 10, server_key, &len) < 0 ||
        hmac(s, server_key, dlen, auth_msg, strlen(auth_msg), s->server_sig, &s->sig_len) < 0)
        goto out;
    for (unsigned i = 0; i < dlen; i++)
        proof[i] = client_key[i] ^ client_sig[i];
    EVP_EncodeBlock((unsigned char *)proof_b64, proof, (int)dlen);
    rc = 0;
out:
    OPENSSL_cleanse(client_key, sizeof client_key);
    OPENSSL_cleanse(stored_key, sizeof stored_key);
    OPENSSL_cleanse(server_key, sizeof server_key);
    OPENSSL_cleanse(proof, sizeof proof);
    return rc;
}

/* Base64 `in` decoded into out, which holds `size` + 2 bytes (the decoder
 * writes the padding's zeros too); the length or -1 when it is not. */
static int unbase64(const char *in, unsigned char *out, size_t size)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 || len / 4 * 3 > size + 2)
        return -1;
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    return n - (in[len - 1] == '=') - (in[len - 2] == '=');
}

int drom_scram_client_final(struct drom_scram *s, const char *password, const char *server_first, size_t first_len,
                            char *out, size_t size, struct drom_error *err)
{
    char *nonce = attr(server_first, first_len, 'r'), *salt64 = attr(server_first, first_len, 's');
    char *iter = attr(server_first, first_len, 'i'), *auth_msg = NULL;
    unsigned char salt[258], salted[64];
    int rc = -1, iterations = iter ? atoi(iter) : 0, salt_len = salt64 ? unbase64(salt64, salt, sizeof salt - 2) : -1;
    unsigned dlen = (unsigned)EVP_MD_size(s->md);
    if (!nonce || strncmp(nonce, s->nonce, strlen(s->nonce)) != 0 || strlen(nonce) == strlen(s->nonce)) {
        drom_err(err, DROM_ECONNECT, "the broker's SCRAM challenge does not extend our nonce");
        goto out;
    }
    if (strlen(nonce) > 200) {
        drom_err(err, DROM_ECONNECT, "the broker's SCRAM nonce is longer than 200 bytes");
        goto out;
    }
    if (salt_len <= 0 || iterations < 1 || iterations > MAX_ITERATIONS) {
        drom_err(err, DROM_ECONNECT, "the broker's SCRAM challenge has no usable salt and iteration count (i=%s)",
                 iter ? iter : "(none)");
        goto out;
    }
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, salt_len, iterations, s->md, (int)dlen, salted) != 1) {
        drom_err(err, DROM_EINTERNAL, "SCRAM: PBKDF2 failed");
        goto out;
    }
    char without_proof[256], proof[100];
    snprintf(without_proof, sizeof without_proof, "c=biws,r=%s", nonce);
    auth_msg = joined(s->client_first_bare, ",", server_first, first_len, without_proof);
    if (keys(s, salted, dlen, auth_msg, proof) < 0) {
        drom_err(err, DROM_EINTERNAL, "SCRAM: HMAC failed");
        goto out;
    }
    if ((size_t)snprintf(out, size, "%s,p=%s", without_proof, proof) >= size) {
        drom_err(err, DROM_EINTERNAL, "SCRAM: the final message does not fit %zu bytes", size);
        goto out;
    }
    s->ready = true;
    rc = 0;
out:
    OPENSSL_cleanse(salted, sizeof salted);
    free(nonce), free(salt64), free(iter), free(auth_msg);
    return rc;
}

int drom_scram_verify_server(const struct drom_scram *s, const char *server_final, size_t len, struct drom_error *err)
{
    char *e = attr(server_final, len, 'e'), *v = attr(server_final, len, 'v');
    unsigned char sig[66];
    int n = v ? unbase64(v, sig, sizeof sig - 2) : -1;
    int rc = 0;
    if (e)
        rc = drom_err(err, DROM_ECONNECT, "the broker ended SCRAM with the error '%s'", e);
    else if (!s->ready || n != (int)s->sig_len || CRYPTO_memcmp(sig, s->server_sig, s->sig_len) != 0)
        rc = drom_err(err, DROM_ECONNECT,
                      "the broker did not prove it knows the password (%s SCRAM server signature): refused",
                      v ? "a wrong" : "no");
    free(e), free(v);
    return rc;
}

void drom_scram_clear(struct drom_scram *s)
{
    free(s->client_first_bare);
    OPENSSL_cleanse(s, sizeof *s);
}
