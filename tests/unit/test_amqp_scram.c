/* The SCRAM client messages (components/amqp/scram.h) against the test
 * vectors of RFC 5802 (SHA-1) and RFC 7677 (SHA-256); SHA-512 against the
 * same exchange computed with Python's hashlib/hmac. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "components/amqp/scram.h"

struct vector {
    const char *mech, *nonce, *server_first, *client_final, *server_final;
};

static const char first256[] = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

static const struct vector vectors[] = {
    {"SCRAM-SHA-1", "fyko+d2lbbFgONRv9qkxdawL",
     "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
     "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
     "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="},
    {"SCRAM-SHA-256", "rOprNGfwEbeRWgbNEkqO", first256,
     "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
     "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="},
    {"SCRAM-SHA-512", "rOprNGfwEbeRWgbNEkqO", first256,
     "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xN"
     "JdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==",
     "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw=="},
};

static void exchange(const struct vector *v, struct drom_scram *s)
{
    char out[512];
    struct drom_error err = {0};
    cr_assert_eq(drom_scram_client_first(s, v->mech, "user", v->nonce, out, sizeof out, &err), 0, "%s", err.msg);
    char want[128];
    snprintf(want, sizeof want, "n,,n=user,r=%s", v->nonce);
    cr_assert_str_eq(out, want);
    cr_assert_eq(drom_scram_client_final(s, "pencil", v->server_first, strlen(v->server_first), out, sizeof out, &err),
                 0, "%s", err.msg);
    cr_assert_str_eq(out, v->client_final, "%s", v->mech);
}

Test(amqp_scram, rfc_vectors_give_the_proof_and_accept_the_server)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        struct drom_scram s;
        exchange(&vectors[i], &s);
        struct drom_error err = {0};
        cr_assert_eq(drom_scram_verify_server(&s, vectors[i].server_final, strlen(vectors[i].server_final), &err), 0,
                     "%s: %s", vectors[i].mech, err.msg);
        drom_scram_clear(&s);
    }
}

Test(amqp_scram, a_server_that_does_not_prove_the_password_is_refused)
{
    struct drom_scram s;
    exchange(&vectors[1], &s);
    struct drom_error err = {0};
    /* the signature of SHA-1's vector: well formed, not this exchange's */
    const char *wrong = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=";
    cr_assert_eq(drom_scram_verify_server(&s, wrong, strlen(wrong), &err), -1);
    cr_assert(strstr(err.msg, "did not prove it knows the password"), "%s", err.msg);
    cr_assert_eq(drom_scram_verify_server(&s, "", 0, &err), -1, "an empty outcome proves nothing");
    cr_assert_eq(drom_scram_verify_server(&s, "e=invalid-proof", 15, &err), -1);
    cr_assert(strstr(err.msg, "invalid-proof"), "%s", err.msg);
    drom_scram_clear(&s);
}

Test(amqp_scram, a_challenge_that_does_not_extend_our_nonce_is_refused)
{
    struct drom_scram s;
    char out[512];
    struct drom_error err = {0};
    cr_assert_eq(drom_scram_client_first(&s, "SCRAM-SHA-256", "user", "abc", out, sizeof out, &err), 0);
    const char *first = "r=xyzdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    cr_assert_eq(drom_scram_client_final(&s, "pencil", first, strlen(first), out, sizeof out, &err), -1);
    cr_assert(strstr(err.msg, "does not extend our nonce"), "%s", err.msg);
    first = "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0";
    cr_assert_eq(drom_scram_client_final(&s, "pencil", first, strlen(first), out, sizeof out, &err), -1);
    cr_assert(strstr(err.msg, "iteration count"), "%s", err.msg);
    /* no proof was made: a server signature cannot be accepted */
    cr_assert_eq(drom_scram_verify_server(&s, vectors[1].server_final, strlen(vectors[1].server_final), &err), -1);
    drom_scram_clear(&s);
}

Test(amqp_scram, user_names_are_escaped_and_nonces_drawn)
{
    struct drom_scram s;
    char out[512];
    struct drom_error err = {0};
    cr_assert_eq(drom_scram_client_first(&s, "SCRAM-SHA-512", "a=b,c", NULL, out, sizeof out, &err), 0);
    cr_assert(strncmp(out, "n,,n=a=3Db=2Cc,r=", 17) == 0, "%s", out);
    cr_assert_eq(strlen(out + 17), 32, "24 random bytes in base64: %s", out);
    drom_scram_clear(&s);
    cr_assert_eq(drom_scram_client_first(&s, "CRAM-MD5", "u", NULL, out, sizeof out, &err), -1);
}
