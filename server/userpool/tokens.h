/*
 * tokens: the ID, access and refresh tokens of user pools, as Cognito issues them
 * (../shared/cognito-facts.md 1.1): RS256 JWTs signed with the pool's keys (keys.h), claims
 * and lifetimes from the app client, and opaque refresh tokens recorded in the store.
 * tokens_issue() is the one place tokens are made, and where the pre token generation trigger
 * (triggers/triggers.h) may change their claims before they are signed.
 */
#ifndef COG_TOKENS_H
#define COG_TOKENS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/op.h"
#include "store/store.h"

struct token_grant {
    const cJSON *pool;             /* the pool document */
    const cJSON *client;           /* the app client document */
    const struct store_user *user; /* the signed-in user */
    int64_t auth_time;             /* seconds: when the user authenticated (kept on refresh) */
    const char *origin_jti;        /* NULL at sign-in (a new one is made); refresh keeps it */
    bool with_refresh_token;       /* true at sign-in; a refresh returns no new refresh token */
};

/*
 * Issue tokens for grant into result, the AuthenticationResultType: AccessToken, ExpiresIn,
 * TokenType "Bearer", IdToken and, when asked, RefreshToken. 0, or -1 with ctx->err set.
 */
int tokens_issue(struct op_ctx *ctx, const struct token_grant *grant, cJSON *result);

/*
 * Check an access token as GetUser does: signature with the key of the pool it names, issuer,
 * token_use "access", expiry (by the emulator clock), and that the user still exists. On 0,
 * *user is the user (store_user_free) and *claims the verified claims (cJSON_Delete), either
 * may be NULL if not wanted. -1 with NotAuthorizedException as Cognito words it ("Invalid
 * Access Token", "Access Token has expired", "User does not exist.", and "Access Token has
 * been revoked" for a disabled user or a token revoked by RevokeToken, GlobalSignOut or
 * AdminUserGlobalSignOut).
 */
int tokens_check_access(struct op_ctx *ctx, const char *token, struct store_user **user,
                        cJSON **claims);

/*
 * Look up a refresh token presented for client_id: unknown, of another client, revoked or
 * expired -> NotAuthorizedException ("Invalid Refresh Token", "Refresh Token has expired",
 * "Refresh Token has been revoked"). On 0 *out is the record (store_refresh_free).
 */
int tokens_redeem_refresh(struct op_ctx *ctx, const char *refresh_token, const char *client_id,
                          struct store_refresh **out);

#endif
