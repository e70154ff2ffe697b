/*
 * srp_group: the building blocks of Cognito's SRP-6a, shared by srp.c (verifiers) and the
 * USER_SRP_AUTH / PASSWORD_VERIFIER exchange (../shared/cognito-facts.md 2.3). Internal to the
 * server: callers outside srp.c and the SRP operation handlers should use srp.h.
 *
 * Every value is a non-negative OpenSSL BIGNUM. PAD(x) is Java's BigInteger.toByteArray() of
 * x, as amazon-cognito-identity-js's padHex() spells it: the big-endian bytes of x, with a
 * 0x00 byte in front when the top bit of the first byte is set (PAD(0) is one 0x00 byte).
 * H is SHA-256 over bytes. Hex strings in and out are those of Java's BigInteger.toString(16):
 * lower case, no leading zeros; either case and leading zeros are accepted on input.
 *
 * The group (N, g, k and N's Montgomery context) is built once, on first use, under
 * pthread_once, and is read-only afterwards, so every function here may be called from any
 * thread. Secret exponents (x, b) go through BN_mod_exp_mont_consttime.
 */
#ifndef COG_SRP_GROUP_H
#define COG_SRP_GROUP_H

#include <openssl/bn.h>
#include <stddef.h>

#define SRP_N_BYTES 384 /* N is 3072 bits */
#define SRP_HASH_LEN 32 /* SHA-256 */
#define SRP_KEY_LEN 16  /* the "Caldera Derived Key" */
#define SRP_SIGNATURE_B64_LEN 44

/* A PASSWORD_VERIFIER SECRET_BLOCK: random bytes, base64 (128 characters, no padding since 96
 * is a multiple of 3). */
#define SRP_SECRET_BLOCK_BYTES 96
#define SRP_SECRET_BLOCK_B64 (4 * SRP_SECRET_BLOCK_BYTES / 3)

/* Results of srp_server_key besides 0 and -1. */
#define SRP_ILLEGAL_PARAMETER 1

/*
 * The group: N (RFC 5054 appendix A / RFC 3526 group 15, 3072 bits), g = 2 and
 * k = H(PAD(N) | PAD(g)). Borrowed, never freed; NULL only when OpenSSL could not build them
 * (out of memory at first use), in which case every function below fails.
 */
const BIGNUM *srp_group_N(void);
const BIGNUM *srp_group_g(void);
const BIGNUM *srp_group_k(void);

/* PAD(x) as a new buffer (free()) of *len bytes; NULL when out of memory. */
unsigned char *srp_pad(const BIGNUM *x, size_t *len);

/*
 * H(PAD(a) | PAD(b)) as a new BIGNUM (BN_free()), NULL when out of memory.
 * k = srp_hash_pads(N, g); u = srp_hash_pads(A, B).
 */
BIGNUM *srp_hash_pads(const BIGNUM *a, const BIGNUM *b);

/*
 * x = H(PAD(salt) | H(pool_name | user_id | ":" | password)), the strings taken as their
 * (UTF-8) bytes. A new BIGNUM (BN_free()), NULL when out of memory.
 */
BIGNUM *srp_compute_x(const char *pool_name, const char *user_id, const char *password,
                      const BIGNUM *salt);

/* v = g^x mod N (x secret: constant time). A new BIGNUM, NULL when out of memory. */
BIGNUM *srp_compute_verifier(const BIGNUM *x);

/*
 * A new random server secret b (256 random bits, never 0), for srp_compute_B. A new BIGNUM,
 * NULL when out of memory or when the CSPRNG fails.
 */
BIGNUM *srp_random_secret(void);

/* The server's public value B = (k*v + g^b) mod N (b secret). A new BIGNUM or NULL (OOM). */
BIGNUM *srp_compute_B(const BIGNUM *v, const BIGNUM *b);

/*
 * The server's premaster secret S = (A * v^u)^b mod N (b secret). A new BIGNUM or NULL (OOM).
 * It does not check A or u; srp_server_key does.
 */
BIGNUM *srp_compute_S(const BIGNUM *A, const BIGNUM *v, const BIGNUM *u, const BIGNUM *b);

/*
 * The client's and server's shared key: HKDF-SHA256 with salt PAD(u), input key material
 * PAD(S) and info "Caldera Derived Key", first 16 bytes (amazon-cognito-identity-js
 * computehkdf). 0, or -1 when OpenSSL fails.
 */
int srp_hkdf_key(const BIGNUM *S, const BIGNUM *u, unsigned char key[SRP_KEY_LEN]);

/*
 * Whether a client's public value A may be used: A mod N != 0 (SRP-6a's safeguard, RFC 5054
 * 2.5.4; a client sending A = 0 or a multiple of N could sign in without the password).
 * 1 yes, 0 no, -1 when out of memory.
 */
int srp_public_ok(const BIGNUM *A);

/*
 * The whole server side of PASSWORD_VERIFIER once the client's A is known: u = H(PAD(A) |
 * PAD(B)), S = (A * v^u)^b mod N, key = srp_hkdf_key(S, u). Returns 0 with key set,
 * SRP_ILLEGAL_PARAMETER when A mod N is 0 or u is 0 (the client must be refused), or -1 when
 * out of memory.
 */
int srp_server_key(const BIGNUM *A, const BIGNUM *B, const BIGNUM *v, const BIGNUM *b,
                   unsigned char key[SRP_KEY_LEN]);

/*
 * PASSWORD_CLAIM_SIGNATURE: Base64(HMAC-SHA256(key, pool_name | user_id | secret_block |
 * timestamp)), secret_block being the raw (base64-decoded) SECRET_BLOCK bytes, written
 * NUL-terminated into out. 0, or -1 when OpenSSL fails. Compare with secrets_equal().
 */
int srp_claim_signature(const unsigned char key[SRP_KEY_LEN], const char *pool_name,
                        const char *user_id, const unsigned char *secret_block,
                        size_t secret_block_len, const char *timestamp,
                        char out[SRP_SIGNATURE_B64_LEN + 1]);

/*
 * Parse hex digits (no sign, no "0x", no spaces; 1 to max_digits of them) into a new BIGNUM
 * (BN_free()). NULL when hex is NULL, empty, too long or not hex, or out of memory.
 */
BIGNUM *srp_bn_from_hex(const char *hex, size_t max_digits);

/* x as lower-case hex without leading zeros ("0" for zero): a new string (free()) or NULL. */
char *srp_bn_to_hex(const BIGNUM *x);

/* Wipe text (a string that held a secret, such as the hex of b) and free it. NULL is fine. */
void srp_free_secret(char *text);

/*
 * A new SECRET_BLOCK: SRP_SECRET_BLOCK_BYTES random bytes in base64 into out. They mean nothing
 * by themselves; auth_srp.c keys the challenge's state by them. 0, or -1 when the CSPRNG fails.
 */
int srp_secret_block_new(char out[SRP_SECRET_BLOCK_B64 + 1]);

/*
 * Whether signature is the client's PASSWORD_CLAIM_SIGNATURE of an exchange: the key of
 * srp_server_key(A, B, v, b) over pool_name, user_id, the bytes of secret_block (base64,
 * SRP_SECRET_BLOCK_B64 characters) and timestamp (srp_claim_signature), compared in constant
 * time. 1 yes; 0 no, also when A or u is illegal (SRP_ILLEGAL_PARAMETER); -1 when secret_block
 * is of another length or OpenSSL fails. The shared key never leaves this function.
 */
int srp_claim_ok(const BIGNUM *A, const BIGNUM *B, const BIGNUM *v, const BIGNUM *b,
                 const char *pool_name, const char *user_id, const char *secret_block,
                 const char *timestamp, const char *signature);

/*
 * A random verifier below N, for the challenge of a simulated user (PreventUserExistenceErrors):
 * one that no password answers. A new BIGNUM (BN_free()), or NULL when out of memory.
 */
BIGNUM *srp_fake_verifier(void);

#endif
