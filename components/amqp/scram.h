/* SCRAM (RFC 5802, RFC 7677): the client's side of the three messages,
 * without channel binding ("n,,"), with SHA-1, SHA-256 or SHA-512. Pure
 * functions over strings; components/amqp/sasl.c speaks them to proton.
 *
 * Ownership: a drom_scram holds copies of what it was given and the keys it
 * derived; drom_scram_clear wipes and frees them. The password is only read
 * by drom_scram_client_final and never kept. Messages are written into the
 * caller's buffers. */
#ifndef DROM_AMQP_SCRAM_H
#define DROM_AMQP_SCRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/error.h"

struct drom_scram {
    const void *md;            /* EVP_MD of the mechanism */
    char user[256];            /* saslname: "=" and "," escaped */
    char nonce[96];            /* the client's nonce (printable, no ',') */
    char *client_first_bare;   /* "n=user,r=nonce" */
    unsigned char server_sig[64];
    unsigned sig_len;
    bool ready;                /* client_final done: server_sig is the one expected */
};

/* The hash of a mechanism name (SCRAM-SHA-1, -256, -512); NULL otherwise. */
const void *drom_scram_md(const char *mech);

/* Starts an exchange: writes the client-first message ("n,,n=USER,r=NONCE")
 * into out. `nonce` NULL draws 24 random bytes (tests give their own). */
int drom_scram_client_first(struct drom_scram *s, const char *mech, const char *user, const char *nonce, char *out,
                            size_t size, struct drom_error *err);

/* Answers the server-first message: checks its nonce extends ours, derives
 * the keys from the password, salt and iteration count, writes the
 * client-final message (with the proof) into out and keeps the server
 * signature it will expect. */
int drom_scram_client_final(struct drom_scram *s, const char *password, const char *server_first, size_t first_len,
                            char *out, size_t size, struct drom_error *err);

/* Checks the server-final message ("v=SIGNATURE"): -1 with the reason when
 * the server did not prove it knows the password, or sent "e=ERROR". */
int drom_scram_verify_server(const struct drom_scram *s, const char *server_final, size_t len, struct drom_error *err);

void drom_scram_clear(struct drom_scram *s);

#endif
