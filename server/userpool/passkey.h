/*
 * passkey: the pool-side rules of passkeys (WebAuthn) that the passkey operations
 * (ops_webauthn.c), SetUserPoolMfaConfig (ops_mfa.c) and sign-in (auth/auth_webauthn.c)
 * share: the pool's WebAuthnConfiguration (kept in the pool document), its relying party ID
 * and the origins its domains add, whether passkeys are a first factor, and the constants
 * Cognito's ceremonies use. The WebAuthn checks themselves are crypto/webauthn.c's.
 */
#ifndef COG_PASSKEY_H
#define COG_PASSKEY_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/op.h"

/* The pool document member that holds WebAuthnConfiguration as SetUserPoolMfaConfig got it. */
#define PASSKEY_POOL_CONFIG "WebAuthnConfiguration"

/* Cognito's cap of passkeys per user (commonly cited; ListWebAuthnCredentials pages hold 20). */
#define PASSKEY_MAX_PER_USER 20

/* Random bytes of a WebAuthn challenge (WA3 §13.4.3 asks at least 16). */
#define PASSKEY_CHALLENGE_BYTES 32

/* What a ceremony of the pool needs. */
struct passkey_config {
    char *rp_id;     /* the configured RelyingPartyId, else the pool's domain; NULL: none */
    bool require_uv; /* UserVerification "required" ("preferred" otherwise) */
    char *hosts[3];  /* the pool's domain hosts, NULL-terminated: their https origins are
                        allowed too (the managed login pages) */
};

/* The passkey settings of pool into *c (passkey_config_clear). rp_id NULL when the pool has
 * neither a RelyingPartyId nor a domain. 0, or -1 (InternalErrorException). */
int passkey_config_load(struct op_ctx *ctx, const cJSON *pool, struct passkey_config *c);
void passkey_config_clear(struct passkey_config *c);

/* The pool's UserVerification: "required" or "preferred" (the default). */
const char *passkey_user_verification(const cJSON *pool);

/* Whether WEB_AUTHN is among the pool's SignInPolicy.AllowedFirstAuthFactors. */
bool passkey_first_factor(const cJSON *pool);

/* Whether the pool's feature plan has passkeys: ESSENTIALS or PLUS, not LITE. */
bool passkey_tier_ok(const cJSON *pool);

/* The base64url string member name of obj (WebAuthn's JSON forms carry binary so) decoded
 * into a new buffer (free()) of *len bytes; NULL when absent, empty or not base64url. */
unsigned char *passkey_b64_member(const cJSON *obj, const char *name, size_t *len);

/* The name ListWebAuthnCredentials shows for a passkey of that authenticatorAttachment
 * (NULL: not told): "Platform passkey", "Roaming passkey" or "Passkey" (static). */
const char *passkey_friendly_name(const char *attachment);

#endif
