/*
 * webauthn: the relying party's checks of W3C Web Authentication Level 3 (WA3) for passkeys:
 * a registration (§7.1: clientDataJSON, the CBOR attestation object, its authenticator data
 * and COSE public key, attestation "none" or "packed") and an assertion (§7.2: clientDataJSON,
 * authenticator data, the signature, the signature counter). Pure functions over bytes: no
 * store, no Cognito JSON, no error names; each failure has its own status so that the caller
 * maps it to Cognito's exception. Lengths inside the data are never trusted (fuzz-friendly).
 *
 * Algorithms: ES256 (COSE -7, ECDSA P-256 with SHA-256, DER signatures) and RS256 (COSE -257,
 * RSASSA-PKCS1-v1_5 with SHA-256), what Cognito's creation options offer. Public keys leave
 * and come back as SubjectPublicKeyInfo DER.
 */
#ifndef COG_WEBAUTHN_H
#define COG_WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEBAUTHN_ES256 (-7)
#define WEBAUTHN_RS256 (-257)

enum webauthn_status {
    WEBAUTHN_OK = 0,
    WEBAUTHN_MALFORMED,          /* clientDataJSON, CBOR or authenticator data unreadable */
    WEBAUTHN_BAD_TYPE,           /* clientDataJSON.type is not the ceremony's */
    WEBAUTHN_BAD_CHALLENGE,      /* clientDataJSON.challenge is not the one sent */
    WEBAUTHN_BAD_ORIGIN,         /* clientDataJSON.origin not allowed for the RP ID */
    WEBAUTHN_CROSS_ORIGIN,       /* clientDataJSON.crossOrigin true */
    WEBAUTHN_BAD_RP_ID_HASH,     /* rpIdHash is not SHA-256 of the RP ID */
    WEBAUTHN_NO_USER_PRESENCE,   /* flag UP clear */
    WEBAUTHN_NO_USER_VERIFIED,   /* flag UV clear where verification is required */
    WEBAUTHN_BAD_BACKUP_FLAGS,   /* BS set without BE */
    WEBAUTHN_NO_CREDENTIAL_DATA, /* registration without attested credential data (AT) */
    WEBAUTHN_CREDENTIAL_ID,      /* the attested credential id is not rawId */
    WEBAUTHN_UNSUPPORTED_KEY,    /* COSE key or alg other than ES256 / RS256 */
    WEBAUTHN_UNSUPPORTED_FORMAT, /* attestation format other than "none" / "packed" */
    WEBAUTHN_BAD_ATTESTATION,    /* attStmt wrong for its format, or its signature fails */
    WEBAUTHN_BAD_SIGNATURE,      /* the assertion's signature fails */
    WEBAUTHN_REPLAYED_COUNTER,   /* signCount not above the one stored */
    WEBAUTHN_INTERNAL,           /* out of memory or OpenSSL failure */
};

/* A short English text for status (static), for logs and test failures. */
const char *webauthn_status_text(enum webauthn_status status);

/* What the relying party expects of a ceremony. */
struct webauthn_expect {
    const char *challenge; /* base64url as sent in the options, compared byte for byte */
    const char *rp_id;
    /* Further hosts whose https origins are allowed besides the RP ID and its subdomains
     * (the pool's domains), NULL-terminated; the array may be NULL. */
    const char *const *hosts;
    bool require_uv; /* UserVerification "required" */
};

/* The credential a registration proved. Owned buffers: webauthn_credential_clear(). */
struct webauthn_credential {
    unsigned char *id;
    size_t id_len;
    int alg;             /* WEBAUTHN_ES256 or WEBAUTHN_RS256 */
    unsigned char *spki; /* SubjectPublicKeyInfo DER of the public key */
    size_t spki_len;
    uint32_t sign_count;
    unsigned char aaguid[16];
    bool backup_eligible;
    bool backed_up;
    bool user_verified;
};

void webauthn_credential_clear(struct webauthn_credential *c);

/*
 * WA3 §7.1 for a registration response: raw_id (the decoded rawId), client_data (the decoded
 * clientDataJSON) and att_obj (the decoded attestationObject). The COSE key must be ES256 or
 * RS256 (both offered); attestation "none" (empty attStmt) or "packed" (self-attestation with
 * the new key, or x5c's leaf key; no trust chain). On WEBAUTHN_OK *out holds the credential.
 */
enum webauthn_status webauthn_verify_registration(const struct webauthn_expect *e,
                                                  const unsigned char *raw_id, size_t raw_id_len,
                                                  const unsigned char *client_data,
                                                  size_t client_data_len,
                                                  const unsigned char *att_obj, size_t att_obj_len,
                                                  struct webauthn_credential *out);

/*
 * WA3 §7.2 for an assertion by the credential whose key is spki (alg) and whose counter was
 * stored_count: client_data, auth_data and sig are the decoded response members. On
 * WEBAUTHN_OK *new_count is the counter to store.
 */
enum webauthn_status
webauthn_verify_assertion(const struct webauthn_expect *e, const unsigned char *spki,
                          size_t spki_len, int alg, uint32_t stored_count,
                          const unsigned char *client_data, size_t client_data_len,
                          const unsigned char *auth_data, size_t auth_data_len,
                          const unsigned char *sig, size_t sig_len, uint32_t *new_count);

/* The signature counter of authenticator data (bytes 33-36) into *count; false when too short
 * to hold one. For the store step after webauthn_verify_assertion() proved the data. */
bool webauthn_auth_data_count(const unsigned char *auth_data, size_t len, uint32_t *count);

/* WA3 §7.2 step 21: when either counter is non-zero the received one must be greater (many
 * platform passkeys always send 0). */
bool webauthn_sign_count_ok(uint32_t stored, uint32_t received);

/* Whether origin (scheme://host[:port]) is allowed for e: https with a host equal to the RP
 * ID or one of its subdomains, or one of e->hosts; http only for localhost (a secure context
 * in browsers). Ports are ignored. */
bool webauthn_origin_ok(const struct webauthn_expect *e, const char *origin);

#endif
