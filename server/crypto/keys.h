/*
 * keys: the RSA-2048 signing keys of user pools and of cognito-identity's OpenID tokens, and
 * their JWKS.
 *
 * Each pool has two key pairs, as Cognito has: one signs ID tokens, the other access tokens
 * (their kids differ). A pool's keys are generated on first use (the first token issued or
 * the first JWKS fetch) and persisted in the store, so tokens verify across restarts; making
 * them lazily keeps CreateUserPool fast (an RSA-2048 key takes ~100 ms to generate).
 *
 * Parsed keys are cached in memory by pool id and shared between worker threads (an
 * EVP_PKEY is safe to use from several threads for signing and verifying).
 *
 * cognito-identity signs the OpenID tokens of every identity pool with one key (one issuer,
 * https://cognito-identity.amazonaws.com), made on first use and stored the same way.
 */
#ifndef COG_KEYS_H
#define COG_KEYS_H

#include <cJSON.h>
#include <openssl/evp.h>

struct store_conn;

enum key_use { KEY_USE_ID, KEY_USE_ACCESS };

#define KEYS_KID_MAX 64

struct signing_key {
    char kid[KEYS_KID_MAX]; /* base64 of the SHA-256 of the public key, like Cognito's */
    EVP_PKEY *pkey;         /* a reference owned by the caller: EVP_PKEY_free() it */
};

/*
 * The pool's key for use, generating and storing it when the pool has none yet.
 * 0 with *out filled, or -1 (store or OpenSSL failure, logged).
 */
int keys_get(struct store_conn *conn, const char *pool_id, enum key_use use,
             struct signing_key *out);

/*
 * The key with this kid among the pool's keys (for verifying), or NULL. The EVP_PKEY is a new
 * reference the caller frees. Does not generate keys.
 */
EVP_PKEY *keys_find(struct store_conn *conn, const char *pool_id, const char *kid);

/*
 * The pool's JWKS document {"keys": [{kid, alg, kty, e, n, use}, ...]} (both keys), generating
 * them if needed. A new cJSON (cJSON_Delete), or NULL on failure.
 */
cJSON *keys_jwks(struct store_conn *conn, const char *pool_id);

/* The kid of pkey (standard base64 of the SHA-256 of its DER public key) into kid. 0, or -1. */
int keys_kid(EVP_PKEY *pkey, char kid[KEYS_KID_MAX]);

/* pkey's private key as PKCS#8 PEM: a new string (free()), or NULL. */
char *keys_to_pem(EVP_PKEY *pkey);

/* Parse a stored PEM private key: a new EVP_PKEY (EVP_PKEY_free), or NULL (not PEM, not RSA). */
EVP_PKEY *keys_from_pem(const char *pem);

/* The JWK of key {alg, e, kid, kty, n, use}, in Cognito's member order; NULL on failure. */
cJSON *keys_jwk(const struct signing_key *key);

/* Forget cached keys of a pool (after it is deleted). */
void keys_forget(const char *pool_id);

/*
 * cognito-identity's OpenID token key, generating and storing it on first use. 0 with *out
 * filled (a new reference: EVP_PKEY_free(out->pkey)), or -1 (store or OpenSSL failure, logged).
 */
int keys_identity_get(struct store_conn *conn, struct signing_key *out);

/*
 * cognito-identity's key when kid is its kid (for verifying), or NULL. The EVP_PKEY is a new
 * reference the caller frees. Makes the key on first use, as keys_identity_get() does.
 */
EVP_PKEY *keys_identity_find(struct store_conn *conn, const char *kid);

/*
 * The JWKS of cognito-identity's OpenID tokens, {"keys": [{kid, alg, kty, e, n, use}]}, making
 * the key on first use. A new cJSON (cJSON_Delete), or NULL on failure.
 */
cJSON *keys_identity_jwks(struct store_conn *conn);

/*
 * Free every cached key, the pools' and cognito-identity's (at shutdown, when a store is
 * closed or reset; for leak checkers). The stored keys are untouched.
 */
void keys_cache_clear(void);

#endif
