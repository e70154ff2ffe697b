/*
 * identity_logins: what cognito-identity trusts, in one place: the Logins map of GetId,
 * GetCredentialsForIdentity, GetOpenIdToken and UnlinkIdentity checked against an identity
 * pool's configuration (which provider, which user pool, whose ID token, still valid), and
 * the OpenID tokens cognito-identity itself issues (GetOpenIdToken*), signed with the key of
 * crypto/keys.c (keys_identity_*, which also serves its JWKS).
 *
 * A Logins entry names a user pool as Cognito's SDKs do, "cognito-idp.<region>.amazonaws.com/
 * <poolId>", or as Amplify does, the token's issuer without its scheme ("localhost:9229/
 * <poolId>" with the emulator's default issuer); both name the same provider. The ID token
 * must be signed by that user pool's key, be unexpired by the emulator clock, carry token_use
 * "id" and an aud among the ClientIds the identity pool configures for that user pool, and
 * have been issued for the pool the entry names. Failures are NotAuthorizedException in
 * Cognito's words (sources in identity_logins.c). The key "cognito-identity.amazonaws.com"
 * carries an OpenID token of this emulator (developer-authenticated identities).
 *
 * Like the handlers, this module reads the store only through store_*, keys_*, jwt_* and
 * tokens_* (userpool/tokens.h verifies user-pool tokens); it never logs a token.
 */
#ifndef COG_IDENTITY_LOGIN_H
#define COG_IDENTITY_LOGIN_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/op.h"
#include "store/store.h"

/* The issuer of cognito-identity's OpenID tokens, and the Logins key that presents one. */
#define IDENTITY_TOKEN_ISSUER "https://cognito-identity.amazonaws.com"
#define IDENTITY_TOKEN_LOGIN "cognito-identity.amazonaws.com"

enum identity_login_kind {
    IDENTITY_LOGIN_USER_POOL, /* an ID token of a user pool the identity pool configures */
    IDENTITY_LOGIN_OPENID,    /* an OpenID token of cognito-identity (IDENTITY_TOKEN_LOGIN) */
};

/* One checked Logins entry. Every pointer is owned (identity_logins_free). */
struct identity_login {
    enum identity_login_kind kind;
    char *provider;     /* user pool: the provider name as the identity pool configures it */
    char *subject;      /* user pool: the user's sub; OpenID: the identity id (its sub) */
    char *user_pool_id; /* user pool only */
    char *username;     /* user pool only: cognito:username */
    char *client_id;    /* user pool only: the token's aud */
    cJSON *claims;      /* the verified claims of the token */
};

struct identity_logins {
    struct identity_login *items;
    size_t count;
};

/*
 * Check every entry of logins (a JSON object provider -> token; NULL or empty gives an empty
 * list) against pool (the identity pool document). On 0 *out holds the entries in the map's
 * order (identity_logins_free). -1 with ctx->err set: NotAuthorizedException in Cognito's
 * words for a provider the pool does not configure, a developer provider, or a token that
 * fails a check; InternalErrorException.
 */
int identity_logins_check(struct op_ctx *ctx, const cJSON *pool, const cJSON *logins,
                          struct identity_logins *out);

/* Free what identity_logins_check() filled in; accepts a zeroed list. */
void identity_logins_free(struct identity_logins *list);

/*
 * The provider name under which pool keeps logins of the provider that name refers to: the
 * configured ProviderName when name is either key form of one of pool's user pools, else
 * name itself. A new string (free()), or NULL when out of memory.
 */
char *identity_provider_name(const struct settings *s, const cJSON *pool, const char *name);

/*
 * Whether key may name a RoleMappings entry of pool: "<ProviderName>:<ClientId>" of one of its
 * CognitoIdentityProviders entries (the form the API reference gives), or a provider it lists
 * in SupportedLoginProviders, OpenIdConnectProviderARNs (by host) or SamlProviderARNs.
 */
bool identity_role_mapping_key_ok(const cJSON *pool, const char *key);

/*
 * Sign an OpenID token of cognito-identity for identity_id of pool_id with amr (taken), valid
 * ttl seconds, the claims in the order of Cognito's tokens (RS256, the emulator-wide identity
 * key of keys_identity_get()). A new string (free()), or NULL with InternalErrorException.
 */
char *identity_openid_token(struct op_ctx *ctx, const char *identity_id, const char *pool_id,
                            cJSON *amr, int64_t ttl);

#endif
