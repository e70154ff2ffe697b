/*
 * tokens: the ID, access and refresh tokens of user pools, as Cognito issues them
 * (../shared/cognito-facts.md 1.1): RS256 JWTs signed with the pool's keys (keys.h), claims
 * and lifetimes from the app client, and opaque refresh tokens recorded in the store.
 * tokens_issue() is the one place tokens are made, and where the pre token generation trigger
 * (triggers/triggers.h) may change their claims before they are signed. tokens_verify() is the
 * one place they are verified, for every caller (the token-authorized operations through
 * tokens_check_access(), identity pools' Logins), each wording the refusals its own way.
 */
#ifndef COG_TOKENS_H
#define COG_TOKENS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/op.h"
#include "store/store.h"

struct token_grant {
    const cJSON *pool;   /* the pool document */
    const cJSON *client; /* the app client document */
    /* The signed-in user; NULL for the client credentials grant (the client is the subject:
     * an access token only, sub = the client id, no refresh token). */
    const struct store_user *user;
    int64_t auth_time;       /* seconds: when the user authenticated (kept on refresh) */
    const char *origin_jti;  /* NULL at sign-in (a new one is made); refresh keeps it */
    bool with_refresh_token; /* true at sign-in; a refresh returns none without rotation */
    /* A refresh on a client that rotates (client_rotates_refresh): the refresh token
     * presented (its value), which a new one (made whatever with_refresh_token says)
     * supersedes, and its record, whose family (origin_jti, scope) and expiry the new one
     * keeps: rotation never extends a sign-in. NULL otherwise: a new refresh token lasts the
     * client's RefreshTokenValidity from now. */
    const char *supersedes;
    const struct store_refresh *family;
    const char *source; /* the pre token generation triggerSource ("TokenGeneration_...") */
    /* The ClientMetadata pre token generation gets: RespondToAuthChallenge's and
     * GetTokensFromRefreshToken's; NULL for InitiateAuth, whose metadata Cognito keeps from it. */
    const cJSON *client_metadata;
    /*
     * The OAuth scopes granted at the domain's token endpoint (space-separated), or NULL for
     * the user pool API, whose access tokens carry only aws.cognito.signin.user.admin. With
     * scopes: the access token's scope claim is them and it has "version": 2; an ID token is
     * made only when they hold openid, with at_hash, nonce (when not NULL) and the attributes
     * tokens_scope_reads() lets through; the refresh token records them.
     */
    const char *scope;
    const char *nonce;
    /* The device the sign-in used or minted (auth/auth_device.c): the access token's
     * device_key claim; NULL for none. */
    const char *device_key;
};

/*
 * Issue tokens for grant into result, the AuthenticationResultType: AccessToken, ExpiresIn,
 * TokenType "Bearer", IdToken and, when asked, RefreshToken, after the pool's pre token
 * generation trigger (triggers_pre_token_generation) changed their claims. 0, or -1 with
 * ctx->err set: a failed trigger means no tokens, and no refresh token is recorded.
 */
int tokens_issue(struct op_ctx *ctx, const struct token_grant *grant, cJSON *result);

/*
 * Whether an OAuth token of scope (space-separated; NULL: an API token) shows user attribute
 * name, in its ID token and at the userInfo endpoint (developer guide, "Scopes" and the
 * userInfo page): everything the client may read under openid alone (or for an API token);
 * once profile, email or phone is granted only their attributes: email and email_verified
 * (email), phone_number and phone_number_verified (phone), the OIDC profile claims and custom
 * attributes (profile).
 */
bool tokens_scope_reads(const char *scope, const char *name);

/* How tokens_verify() and tokens_check_user() judged a token, in the order of the checks. */
enum tokens_status {
    TOKENS_OK = 0,
    TOKENS_MALFORMED,     /* not a JWT, or (no pool expected) no pool id in its iss */
    TOKENS_BAD_ISSUER,    /* iss (unverified or signed) is not the pool's issuer */
    TOKENS_BAD_SIGNATURE, /* not signed by a key of the pool */
    TOKENS_NO_AUD,        /* aud is checked and the token has none (an access token) */
    TOKENS_BAD_AUD,       /* aud_ok refused the token's aud */
    TOKENS_BAD_CLAIMS,    /* not the expected token_use, or sub, exp (access: username) missing */
    TOKENS_EXPIRED,       /* exp is not after the emulator clock's now */
    TOKENS_NO_USER,       /* tokens_check_user: no user of that sub (and username) */
    TOKENS_REVOKED,       /* tokens_check_user: the user is disabled or signed out since */
    TOKENS_ERROR,         /* the store failed: ctx->err is InternalErrorException */
};

/* What tokens_verify() expects of a token: what its callers differ in. */
struct tokens_expect {
    const char *pool_id;   /* the pool whose key must have signed it; NULL: the one iss names */
    const char *token_use; /* "id" or "access" */
    /*
     * NULL: aud is not checked. Else the token must have an aud (TOKENS_NO_AUD), which
     * aud_ok(aud_arg, aud) must accept (TOKENS_BAD_AUD); checked before token_use.
     */
    bool (*aud_ok)(void *arg, const char *aud);
    void *aud_arg;
};

/*
 * Verify token, a JWT of a user pool: the pool's issuer (before and after verifying), the
 * RS256 signature with that pool's key, aud when expect asks, token_use and the claims that
 * use always carries, and exp by the emulator clock (ctx->now_ms). On TOKENS_OK *claims holds
 * the verified claims (cJSON_Delete) and pool_id, when not NULL, the pool id (IDS_MAX bytes);
 * *claims is NULL on every other status. Only TOKENS_ERROR sets ctx->err: the caller words
 * the refusals (Cognito's words differ between GetUser and GetId).
 */
enum tokens_status tokens_verify(struct op_ctx *ctx, const char *token,
                                 const struct tokens_expect *expect, char *pool_id, cJSON **claims);

/* Which user check tokens_check_user() makes. */
enum tokens_user_check {
    /*
     * Access tokens: the user of sub must also have the token's username; sign-outs count
     * from the second after iat (a token of the same second is caught by its sign-in's
     * revoked refresh token).
     */
    TOKENS_USER_ACCESS,
    /* ID tokens at identity pools (ServerSideTokenCheck): sign-outs count from iat's second. */
    TOKENS_USER_SERVER_SIDE,
};

/*
 * Whether the user of verified claims of pool_id is still there and may use the token: the
 * user of the sub exists (TOKENS_NO_USER), is enabled and has not had the token revoked by
 * RevokeToken, GlobalSignOut or AdminUserGlobalSignOut since (TOKENS_REVOKED). On TOKENS_OK
 * *user, when user is not NULL, is the user (store_user_free). TOKENS_ERROR sets ctx->err.
 */
enum tokens_status tokens_check_user(struct op_ctx *ctx, const char *pool_id, const cJSON *claims,
                                     enum tokens_user_check check, struct store_user **user);

/*
 * Check an access token as GetUser does (tokens_verify() with the pool its iss names and
 * token_use "access", then tokens_check_user() with TOKENS_USER_ACCESS). On 0,
 * *user is the user (store_user_free) and *claims the verified claims (cJSON_Delete), either
 * may be NULL if not wanted. -1 with NotAuthorizedException as Cognito words it ("Invalid
 * Access Token", "Access Token has expired", "Access Token does not have required scopes"
 * for a token without aws.cognito.signin.user.admin (aws-amplify/amplify-js#1906),
 * "User does not exist.", and "Access Token has been revoked" for a disabled user or a token
 * revoked by RevokeToken, GlobalSignOut or AdminUserGlobalSignOut).
 */
int tokens_check_access(struct op_ctx *ctx, const char *token, struct store_user **user,
                        cJSON **claims);

/*
 * Look up a refresh token presented for app client client (its document): unknown, of another
 * client, revoked or expired -> NotAuthorizedException ("Invalid Refresh Token", "Refresh
 * Token has expired", "Refresh Token has been revoked"); superseded by a rotation longer ago
 * than the client's RetryGracePeriodSeconds -> RefreshTokenReuseException
 * (TOKENS_REUSED_MESSAGE). On 0 *out is the record (store_refresh_free).
 */
int tokens_redeem_refresh(struct op_ctx *ctx, const char *refresh_token, const cJSON *client,
                          struct store_refresh **out);

/* The emulator's wording of RefreshTokenReuseException (Cognito's is not documented). */
#define TOKENS_REUSED_MESSAGE                                                                      \
    "Refresh token has been rotated: use the newest refresh token of this sign-in."

/*
 * Revoke refresh token token of client_id with the access tokens of its sign-in (same
 * origin_jti; tokens_check_user refuses them), as RevokeToken and the revocation endpoint do.
 * A token the client does not know (garbage, another client's, already revoked) is no error
 * (RFC 7009 2.2). 0; 1 when token is an ID or access token (a JWT: unsupported_token_type);
 * -1 with InternalErrorException.
 */
int tokens_revoke_refresh(struct op_ctx *ctx, const char *token, const char *client_id);

/* Whether the space-separated scope list scopes (may be NULL) holds scope, as a whole name. */
bool tokens_scope_has(const char *scopes, const char *scope);

#endif
