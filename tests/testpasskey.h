/*
 * testpasskey: a software authenticator for the passkey suites (check_webauthn, the pure
 * module; check_ops_webauthn, the operations and the WEB_AUTHN sign-in). Keys are OpenSSL's
 * (ES256 P-256, RS256 RSA-2048), CBOR is libcbor's encoder; every ceremony part can be spoilt
 * through struct tp_opts so that each check of WA3 §7.1 / §7.2 has a failing input.
 */
#ifndef COG_TESTPASSKEY_H
#define COG_TESTPASSKEY_H

#include <cJSON.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tp_key {
    EVP_PKEY *pkey;
    int alg; /* -7 or -257 */
    unsigned char cred_id[16];
    uint32_t count; /* the next counter an assertion reports (0: always 0) */
};

/* A new authenticator key of alg with a random credential id; counter starts at start. */
void tp_key_init(struct tp_key *k, int alg, uint32_t start);
void tp_key_free(struct tp_key *k);

/* Bytes the test owns (tp_bytes_free). */
struct tp_bytes {
    unsigned char *p;
    size_t n;
};
void tp_bytes_free(struct tp_bytes *b);

/* How a ceremony is made; zeroes mean the good default. */
struct tp_opts {
    const char *type;      /* clientDataJSON type; default webauthn.create / webauthn.get */
    const char *challenge; /* base64url; required */
    const char *origin;    /* default "https://" + rp_id */
    const char *rp_id;     /* the RP ID hashed into authData; required */
    int flags;             /* authData flags without AT; 0: UP|UV (0x05); -1: none */
    bool cross_origin;
    const char *fmt;         /* "none" (default), "packed" (self), "packed-x5c", or another name */
    bool flip_sig;           /* flip a bit of the assertion / packed signature */
    bool other_cred_id;      /* the attested credential id differs from cred_id */
    const char *client_data; /* a clientDataJSON text to use as is */
};

/* A registration: clientDataJSON and attestationObject. */
void tp_register(const struct tp_key *k, const struct tp_opts *o, struct tp_bytes *client_data,
                 struct tp_bytes *att_obj);

/* An assertion: clientDataJSON, authenticatorData, signature (k->count reported, then
 * incremented when non-zero). */
void tp_assert(struct tp_key *k, const struct tp_opts *o, struct tp_bytes *client_data,
               struct tp_bytes *auth_data, struct tp_bytes *sig);

/* The base64url (no padding) of b (free()). */
char *tp_b64(const unsigned char *p, size_t n);

/* RegistrationResponseJSON of a registration (cJSON_Delete), as Amplify sends it. */
cJSON *tp_registration_json(const struct tp_key *k, const struct tp_opts *o,
                            const char *attachment);

/* AuthenticationResponseJSON text of an assertion (free()), as Amplify sends it. user_handle:
 * the userHandle text or NULL. */
char *tp_assertion_json(struct tp_key *k, const struct tp_opts *o, const char *user_handle);

#endif
