/*
 * totp: time-based one-time passwords (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) and
 * their base32 secrets, as an authenticator app computes them. No policy: which factor a user
 * has and when a sign-in asks for it is userpool/mfa.h.
 */
#ifndef COG_TOTP_H
#define COG_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of a TOTP secret in base32 (20 random bytes, RFC 4226's recommended 160 bits). */
#define TOTP_SECRET_LEN 32

/*
 * The 6-digit TOTP code (RFC 6238: HMAC-SHA-1, 30-second steps from the epoch) of key (raw
 * bytes) at time unix_seconds, into out (7 bytes). 0, or -1 on a crypto failure.
 */
int totp_generate(const unsigned char *key, size_t key_len, int64_t unix_seconds, char out[7]);

/* A new random secret in base32 (TOTP_SECRET_LEN characters, free()); NULL on failure. */
char *totp_secret_new(void);

/*
 * Whether code is the TOTP of the base32 secret at now_ms or one step either side (RFC 6238
 * section 5.2's allowance for clock drift and typing time). Constant-time comparison.
 */
bool totp_verify(const char *secret, const char *code, int64_t now_ms);

/*
 * As totp_verify, but the time step (unix seconds / 30) code belongs to, or -1 when it is not
 * the TOTP of secret at any of the three steps: what lets a caller spend a code once.
 */
int64_t totp_verify_step(const char *secret, const char *code, int64_t now_ms);

#endif
