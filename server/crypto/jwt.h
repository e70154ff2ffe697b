/*
 * jwt: compact JWS tokens signed with RS256 (RSASSA-PKCS1-v1_5 with SHA-256), as Cognito
 * issues them, and base64url. OpenSSL EVP only. Knows nothing about Cognito's claims.
 */
#ifndef COG_JWT_H
#define COG_JWT_H

#include <cJSON.h>
#include <openssl/evp.h>
#include <stddef.h>

/* base64url without padding of len bytes: a new string (free()), NULL when out of memory. */
char *jwt_b64url_encode(const unsigned char *data, size_t len);

/*
 * Decode base64url (padding optional) into a new buffer (free()); *len is its length.
 * NULL for invalid input or no memory.
 */
unsigned char *jwt_b64url_decode(const char *text, size_t text_len, size_t *len);

/*
 * base64url without padding of the first nbytes (at most 32) of SHA-256 over text: 32 bytes
 * for a PKCE S256 code challenge (RFC 7636 4.2), 16 for an ID token's at_hash (OIDC Core
 * 3.1.3.6). A new string (free()), NULL when out of memory.
 */
char *jwt_hash_b64url(const char *text, size_t nbytes);

/*
 * Sign payload with key under header {"kid": kid, "alg": "RS256"} (the member order Cognito
 * uses). Returns the compact token "header.payload.signature" (free()), or NULL on failure.
 */
char *jwt_sign_rs256(const cJSON *payload, const char *kid, EVP_PKEY *key);

enum jwt_status {
    JWT_OK = 0,
    JWT_MALFORMED,     /* not three base64url parts of JSON objects */
    JWT_BAD_ALGORITHM, /* header alg is not RS256 */
    JWT_UNKNOWN_KEY,   /* no key for the header's kid */
    JWT_BAD_SIGNATURE,
};

/*
 * Returns the verification key for kid, or NULL. The key is borrowed: jwt_verify_rs256() uses
 * it only during the call and never frees it, so a lookup that gets a new reference (e.g. from
 * keys_find()) keeps it in arg for its caller to EVP_PKEY_free() after jwt_verify_rs256().
 * Called at most once per verification.
 */
typedef EVP_PKEY *jwt_key_lookup(void *arg, const char *kid);

/*
 * Verify token's RS256 signature with the key lookup(arg, kid) returns. On JWT_OK *payload is
 * the parsed claims (cJSON_Delete). Claims (exp, iss, token_use, ...) are the caller's to
 * check. Never crashes on garbage; *payload is NULL on every other status.
 */
enum jwt_status jwt_verify_rs256(const char *token, jwt_key_lookup *lookup, void *arg,
                                 cJSON **payload);

/*
 * Decode the payload of token WITHOUT verifying it (to find which pool a token claims to be
 * from before looking up its key). A new cJSON (cJSON_Delete), or NULL when malformed.
 */
cJSON *jwt_peek_payload(const char *token);

#endif
