/*
 * srp: the SRP-6a arithmetic Cognito uses for passwords (../shared/cognito-facts.md 2.3):
 * the RFC 5054 3072-bit group, g = 2, H = SHA-256, and Cognito's derivation of x:
 *
 *   x = H(PAD(salt) | H(poolName | userId | ":" | password)),   v = g^x mod N
 *
 * where poolName is the part of the user pool id after '_' and userId is USER_ID_FOR_SRP
 * (the username). Passwords are stored only as (salt, v), as Cognito stores them; password
 * sign-in recomputes v from the presented password and compares. The challenge/response half
 * of SRP (USER_SRP_AUTH) builds on this module later.
 */
#ifndef COG_SRP_H
#define COG_SRP_H

/*
 * A new random 16-byte salt and the verifier for password, both as lower-case hex strings
 * (free()). 0, or -1 when OpenSSL fails (out of memory).
 */
int srp_make_verifier(const char *pool_name, const char *user_id, const char *password,
                      char **salt_hex, char **verifier_hex);

/*
 * Whether password matches the stored salt and verifier: 1 yes, 0 no, -1 on error (malformed
 * hex, no memory). Compares in constant time.
 */
int srp_check_password(const char *pool_name, const char *user_id, const char *password,
                       const char *salt_hex, const char *verifier_hex);

/* The pool name of a user pool id: the part after '_' ("us-east-1_AbC" -> "AbC"). Borrowed. */
const char *srp_pool_name(const char *user_pool_id);

#endif
