/*
 * srp: the SRP-6a arithmetic Cognito uses for passwords (../shared/cognito-facts.md 2.3):
 * the RFC 5054 3072-bit group, g = 2, H = SHA-256, and Cognito's derivation of x:
 *
 *   x = H(PAD(salt) | H(poolName | userId | ":" | password)),   v = g^x mod N
 *
 * where poolName is the part of the user pool id after '_' and userId is USER_ID_FOR_SRP
 * (the username). Passwords are stored only as (salt, v), as Cognito stores them; password
 * sign-in recomputes v from the presented password and compares. The challenge/response half
 * of SRP (USER_SRP_AUTH, auth/auth_srp.c) uses srp_group.h, and from here the parts of it that
 * need no BIGNUM: the TIMESTAMP parser and the made-up salts and user ids of simulated users.
 */
#ifndef COG_SRP_H
#define COG_SRP_H

#include <stdbool.h>
#include <stdint.h>

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

/*
 * Device SRP (../shared/user-auth-passkeys.md 4.3) is this same SRP with other identities:
 * the DeviceGroupKey as the pool name, the DeviceKey as the user id, a random password the
 * client keeps, and a salt and verifier the client computes and sends in ConfirmDevice's
 * DeviceSecretVerifierConfig, as base64 of big-endian bytes. srp_device_value reads one of
 * them into hex as stored (the BigInteger hex the challenge's SALT carries): a salt of 1 to
 * SRP_DEVICE_SALT_MAX bytes, or with verifier a value v with 0 < v < N, as SRP requires (v = 0
 * or a multiple of N would let any claim pass). 0 with *hex new (free()); 1 when b64 is not
 * such a value (NULL included); -1 when out of memory.
 */
#define SRP_DEVICE_SALT_MAX 256
int srp_device_value(const char *b64, bool verifier, char **hex);

/* The pool name of a user pool id: the part after '_' ("us-east-1_AbC" -> "AbC"). Borrowed. */
const char *srp_pool_name(const char *user_pool_id);

/*
 * Parse a PASSWORD_VERIFIER TIMESTAMP as the clients write it, "EEE MMM d HH:mm:ss UTC yyyy" in
 * English with the day not zero-padded ("Tue Apr 5 22:42:34 UTC 2017"; amazon-cognito-identity-js
 * DateHelper, Amplify's getNowString, the Android SDK's SimpleDateFormat). Cognito refuses a
 * padded day (qwigo/warrant#12) and a weekday that does not fit the date
 * (ministackorg/ministack#1758), so this refuses anything but that exact form of a real date.
 * true with *ms the time it names (milliseconds since the epoch); false, *ms untouched, for
 * anything else (NULL included).
 */
bool srp_parse_timestamp(const char *t, int64_t *ms);

/*
 * Simulated users (PreventUserExistenceErrors): a challenge for a name that is no user's must
 * look like a real one. These derive what it shows from a random key drawn once per process
 * (HMAC-SHA256 over pool_id, a label and the name), so they are the same on every attempt for
 * as long as the process runs.
 *
 * srp_fake_user_id: a version-4-shaped UUID for name (as USER_ID_FOR_SRP is in a pool that
 * signs in by email or phone). srp_fake_salt: a 16-byte salt for user_id, in hex as real salts
 * are. Each a new string (free()), or NULL when out of memory or the CSPRNG failed.
 */
char *srp_fake_user_id(const char *pool_id, const char *name);
char *srp_fake_salt(const char *pool_id, const char *user_id);

#endif
