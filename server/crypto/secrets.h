/*
 * secrets: the small cryptographic helpers of sign-in and of identity pools: SECRET_HASH,
 * numeric codes, opaque tokens, random base64 (credentials' session tokens), digests and
 * wiping secrets from memory. OpenSSL's RAND_bytes, HMAC and SHA-256 only.
 */
#ifndef COG_SECRETS_H
#define COG_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * SECRET_HASH as Cognito defines it: Base64(HMAC-SHA256(key = client secret,
 * message = username + client id)). A new string (free()), NULL when out of memory.
 */
char *secrets_secret_hash(const char *client_secret, const char *username, const char *client_id);

/* Whether provided is the SECRET_HASH of (secret, username, client id); constant time. */
bool secrets_secret_hash_ok(const char *client_secret, const char *username, const char *client_id,
                            const char *provided);

/*
 * A random 6-digit numeric code, as Cognito sends (out holds 7 bytes); the fixed code instead
 * while one is set with secrets_set_fixed_code().
 */
void secrets_code(char *out);

/*
 * Make every later secrets_code() answer code (6 digits, the --fixed-code setting), or random
 * codes again with NULL or "". Process-wide, like the clock; set it before serving requests.
 */
void secrets_set_fixed_code(const char *code);

/* An opaque random token of nbytes random bytes, base64url (free()); NULL when out of memory. */
char *secrets_token(size_t nbytes);

/*
 * nbytes random bytes as standard base64 with padding (RFC 4648 section 4): a new string
 * (free()), NULL when out of memory or nbytes is 0 or too large.
 */
char *secrets_random_base64(size_t nbytes);

/* len bytes of data as standard base64 with padding (RFC 4648 section 4; HTTP Basic
 * credentials): a new string (free()), NULL when out of memory. */
char *secrets_base64(const void *data, size_t len);

/* Decode standard base64 with padding (length a multiple of 4): a new buffer (free()) of *len
 * bytes, or NULL when text is not base64 or out of memory. */
unsigned char *secrets_base64_decode(const char *text, size_t *len);

/* Overwrite n bytes at p with zeros in a way the compiler cannot drop; accepts NULL. */
void secrets_wipe(void *p, size_t n);

/* Lower-case hex SHA-256 of text (out holds 65 bytes). */
void secrets_sha256_hex(const char *text, char *out);

/* Constant-time comparison of two NUL-terminated strings. */
bool secrets_equal(const char *a, const char *b);

#endif
