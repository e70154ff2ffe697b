/*
 * auth_refresh: new ID and access tokens for a refresh token, by the REFRESH_TOKEN_AUTH flow
 * (and its alias REFRESH_TOKEN) of InitiateAuth / AdminInitiateAuth, or by
 * GetTokensFromRefreshToken (what Amplify v6 refreshes with). Both keep the sign-in's auth_time
 * and origin_jti, and the OAuth scopes of a refresh token from the domain's token endpoint
 * (Amplify refreshes its hosted-UI tokens here); tokens.c redeems the token. A client with
 * RefreshTokenRotation ENABLED refreshes only by GetTokensFromRefreshToken, which then returns
 * a new refresh token of the same sign-in and spends the presented one (tokens.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "userpool/tokens.h"
#include "userpool/client.h"
#include "util/jsonutil.h"

/* The user of refresh record r into a->user: still in the client's pool and enabled. */
static int refresh_user(struct auth *a, const struct store_refresh *r)
{
    int st = store_user_get_by_seq(a->ctx->db, r->user_seq, &a->user);

    if (st == STORE_ERROR)
        return ops_fail_internal(a->ctx, "could not read the user");
    /* Deleting a user deletes its refresh tokens too; a user of another pool cannot hold a
     * token of this client. Either way the token is not one of this client's users. */
    if (st != STORE_OK || strcmp(a->user->pool_id, r->pool_id) != 0)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "Invalid Refresh Token");
    if (!a->user->enabled)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
    return 0;
}

/*
 * A rotating client cannot refresh by REFRESH_TOKEN_AUTH (developer guide, refresh tokens; the
 * API's RefreshTokenRotationType: rotation is completed with GetTokensFromRefreshToken).
 * Cognito's error is undocumented: NotAuthorizedException and this message are the emulator's.
 */
static int refused_by_rotation(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                       "Refresh token rotation is enabled for this app client: refresh with "
                       "GetTokensFromRefreshToken.");
}

/*
 * REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens with the sign-in's auth_time
 * and origin_jti, and no new refresh token. On a client with a secret, SECRET_HASH is computed
 * over the token user's username (its cognito:username, a UUID in pools that sign in by email),
 * not over what the user typed (aws/aws-sdk-net-extensions-cognito#122). A wrong one gets the
 * wording Cognito uses for refreshes, "SecretHash does not match for the client: <id>"
 * (aws-sdk-net-extensions-cognito#94, NabuCasa/pycognito#196, amplify-android#3111).
 */
int auth_start_refresh(struct auth *a)
{
    const char *token = auth_param(a, "REFRESH_TOKEN"), *hash = auth_param(a, "SECRET_HASH");
    const char *secret = json_str(a->client, "ClientSecret");
    struct store_refresh *r = NULL;
    int rc = -1;

    if (token == NULL)
        return auth_missing(a->ctx, "REFRESH_TOKEN");
    if (client_rotates_refresh(a->client, NULL))
        return refused_by_rotation(a->ctx);
    /* A missing SECRET_HASH is refused before the token is looked at. */
    if (secret != NULL && hash == NULL)
        return client_check_secret_hash(a->ctx, a->client, "", NULL);
    if (tokens_redeem_refresh(a->ctx, token, a->client, &r) != 0 || refresh_user(a, r) != 0)
        goto out;
    if (secret != NULL && !secrets_secret_hash_ok(secret, a->user->username, a->client_id, hash)) {
        cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                    "SecretHash does not match for the client: %s", a->client_id);
        goto out;
    }
    a->oauth_scope = r->scope;
    rc = auth_answer_tokens(a, r->auth_time, r->origin_jti, false, true);
out:
    store_refresh_free(r);
    return rc;
}

/*
 * The client secret itself, not a SECRET_HASH: "The client secret of the requested app
 * client, if the client has a secret" (API reference). Cognito's messages for a missing or
 * wrong one were not found; the missing one is worded as its refresh refusal of a secret-less
 * request ("Client <id> is configured for secret but secret was not received",
 * furaiev/amazon-cognito-identity-dart-2#160), the wrong one as its usual secret refusal.
 */
static int check_client_secret(const struct auth *a)
{
    const char *secret = json_str(a->client, "ClientSecret");
    const char *given = json_str(a->ctx->in, "ClientSecret");

    if (secret == NULL)
        return 0;
    if (given == NULL)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                           "Client %s is configured for secret but secret was not received",
                           a->client_id);
    if (!secrets_equal(secret, given))
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                           "Unable to verify secret hash for client %s", a->client_id);
    return 0;
}

/*
 * New ID and access tokens for a refresh token, and without rotation no refresh token (Amplify
 * keeps the one it has). With RefreshTokenRotation ENABLED also a new refresh token of the
 * same family, which supersedes the presented one: that stays usable RetryGracePeriodSeconds
 * for a client's retries (each retry mints another; emulator's choice), then answers
 * RefreshTokenReuseException. A rotating client need not allow REFRESH_TOKEN_AUTH (AWS tells
 * such clients to remove it, aws-amplify/amplify-android#3113); a client that does not rotate
 * must, as before.
 */
int auth_get_tokens_from_refresh_token(struct auth *a)
{
    const char *token = json_str(a->ctx->in, "RefreshToken");
    bool rotates = client_rotates_refresh(a->client, NULL);
    struct store_refresh *r = NULL;
    int rc = -1;

    if (check_client_secret(a) == 0 &&
        (rotates || client_check_auth_flow(a->ctx, a->client, "REFRESH_TOKEN_AUTH") == 0) &&
        tokens_redeem_refresh(a->ctx, token, a->client, &r) == 0 && refresh_user(a, r) == 0) {
        a->oauth_scope = r->scope;
        a->rotates = rotates ? token : NULL;
        a->rotates_family = rotates ? r : NULL;
        rc = auth_answer_tokens(a, r->auth_time, r->origin_jti, false, false);
        a->rotates = NULL;
        a->rotates_family = NULL;
    }
    store_refresh_free(r);
    return rc;
}
