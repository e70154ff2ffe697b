/*
 * ops_account: what users do to their own account. ForgotPassword and ConfirmForgotPassword
 * name the user with an app client (and SECRET_HASH); ChangePassword, UpdateUserAttributes,
 * GetUserAttributeVerificationCode, VerifyUserAttribute, DeleteUserAttributes, DeleteUser and
 * GlobalSignOut act on the user of an access token (tokens_check_access, which also refuses
 * revoked tokens); RevokeToken revokes a refresh token and the access tokens of its sign-in.
 *
 * The attribute and reset-code rules shared with the administrator's operations are in
 * account.c; revocation state is kept by the store (store_user_sign_out, store_refresh_revoke)
 * and honoured by tokens.c. Each handler changes the store in one transaction and sends codes
 * after it has committed.
 *
 * Sources of Cognito's behaviour and wording, cited once here and referred to below:
 *   [facts]  ../shared/cognito-facts.md ("Incorrect username or password.", ForgotPassword's
 *            UserNotFoundException "Username/client id combination not found.").
 *   [errors] the developer guide's "Managing user existence error responses": with
 *            PreventUserExistenceErrors ENABLED, password recovery answers an unknown user with
 *            a code "sent" to a simulated destination.
 *   [api]    the API reference text carried in server/aws/model/cognito-idp.json.
 *   [revoke] the developer guide's token revocation endpoint: a token that is not a refresh
 *            token is an unsupported_token_type, revocation turned off an invalid_request.
 * Wording marked "the emulator's" was not found anywhere and is this emulator's own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userpool/account.h"
#include "userpool/delivery.h"
#include "userpool/migrate.h"
#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "triggers/triggers.h"
#include "userpool/tokens.h"
#include "userpool/pool.h"
#include "userpool/client.h"
#include "userpool/user.h"

/* ---- Token-authorized operations --------------------------------------------------------- */

/* The user of a request's AccessToken with its app client and pool. */
struct token_user {
    struct store_user *user;
    cJSON *claims;
    cJSON *client; /* the token's app client; an empty object when it has been deleted */
    cJSON *pool;
};

static void token_user_free(struct token_user *t)
{
    store_user_free(t->user);
    cJSON_Delete(t->claims);
    cJSON_Delete(t->client);
    cJSON_Delete(t->pool);
    memset(t, 0, sizeof(*t));
}

/*
 * Check the request's AccessToken and load its user, app client and pool into t. A client
 * deleted since the token was issued is an empty one: the self-service rules (no verified
 * flags, no sub) still apply, and every standard attribute is writable. 0, or -1.
 */
static int load_token_user(struct op_ctx *ctx, struct token_user *t)
{
    memset(t, 0, sizeof(*t));
    if (tokens_check_access(ctx, json_str(ctx->in, "AccessToken"), &t->user, &t->claims) != 0)
        return -1;
    if (client_load(ctx, json_str(t->claims, "client_id"), &t->client, &t->pool) != 0) {
        ctx->err.code = COG_OK;
        if ((t->client = cJSON_CreateObject()) == NULL)
            return ops_fail_internal(ctx, "out of memory");
        if (pool_load(ctx, t->user->pool_id, &t->pool) != 0)
            return -1;
    }
    return 0;
}

/*
 * ChangePassword: PreviousPassword must be the user's ("Incorrect username or password."
 * [facts]; a missing one is as wrong), ProposedPassword must meet the pool's policy
 * (InvalidPasswordException). Tokens stay valid, as on Cognito.
 */
int op_change_password(struct op_ctx *ctx)
{
    struct token_user t;
    int rc = -1, match;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_token_user(ctx, &t) == 0) {
        match = user_password_matches(t.pool, t.user, json_str(ctx->in, "PreviousPassword"));
        if (match < 0)
            ops_fail_internal(ctx, "could not check the password");
        else if (match == 0)
            cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "Incorrect username or password.");
        else if (user_set_password(ctx, t.pool, t.user, json_str(ctx->in, "ProposedPassword")) == 0)
            rc = user_save(ctx, t.user);
    }
    rc = ops_txn_end(ctx, rc);
    token_user_free(&t);
    return rc;
}

/*
 * UpdateUserAttributes: account.c's rules; CodeDeliveryDetailsList lists the codes sent to
 * changed email addresses and phone numbers (empty when none).
 */
int op_update_user_attributes(struct op_ctx *ctx)
{
    struct account_codes codes = {.count = 0};
    struct token_user t;
    cJSON *list = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_token_user(ctx, &t) == 0)
        rc = account_update_attributes(ctx, t.pool, t.client, t.user,
                                       json_get(ctx->in, "UserAttributes"), &codes);
    rc = ops_txn_end(ctx, rc);
    if (rc == 0 && (list = cJSON_CreateArray()) == NULL)
        rc = ops_fail_internal(ctx, "out of memory");
    if (rc == 0 && (rc = account_send(ctx, t.pool, json_str(t.client, "ClientId"), t.user, &codes,
                                      list)) == 0) {
        rc = ops_out_set(ctx, "CodeDeliveryDetailsList", list);
        list = NULL;
    }
    cJSON_Delete(list);
    account_codes_free(&codes);
    token_user_free(&t);
    return rc;
}

/* Set ctx->out's CodeDeliveryDetails to the details of the one code in codes, sent to u for
 * the request of app client client. */
static int send_one(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                    const struct store_user *u, const struct account_codes *codes)
{
    cJSON *list = cJSON_CreateArray();
    int rc;

    if (list == NULL)
        return ops_fail_internal(ctx, "out of memory");
    rc = account_send(ctx, pool, json_str(client, "ClientId"), u, codes, list);
    if (rc == 0 && list->child != NULL)
        rc = ops_out_set(ctx, "CodeDeliveryDetails", cJSON_DetachItemViaPointer(list, list->child));
    cJSON_Delete(list);
    return rc;
}

/* GetUserAttributeVerificationCode: a code for the (new) email or phone number. */
int op_get_user_attribute_verification_code(struct op_ctx *ctx)
{
    struct account_codes codes = {.count = 0};
    struct token_user t;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_token_user(ctx, &t) == 0)
        rc = account_verification_code(ctx, t.pool, t.user, json_str(ctx->in, "AttributeName"),
                                       &codes);
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = send_one(ctx, t.pool, t.client, t.user, &codes);
    account_codes_free(&codes);
    token_user_free(&t);
    return rc;
}

/* VerifyUserAttribute: the code makes the attribute verified (and, when waiting, its value). */
int op_verify_user_attribute(struct op_ctx *ctx)
{
    struct token_user t;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_token_user(ctx, &t) == 0)
        rc = account_verify_attribute(ctx, t.pool, t.user, json_str(ctx->in, "AttributeName"),
                                      json_str(ctx->in, "Code"));
    rc = ops_txn_end(ctx, rc);
    token_user_free(&t);
    return rc;
}

/* DeleteUserAttributes: the client's WriteAttributes decide what the user may delete. */
int op_delete_user_attributes(struct op_ctx *ctx)
{
    struct token_user t;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_token_user(ctx, &t) == 0)
        rc = account_delete_attributes(ctx, t.pool, t.client, t.user,
                                       json_get(ctx->in, "UserAttributeNames"));
    rc = ops_txn_end(ctx, rc);
    token_user_free(&t);
    return rc;
}

/* DeleteUser: the user goes with everything of it (store_user_delete); its tokens then answer
 * "User does not exist.". */
int op_delete_user(struct op_ctx *ctx)
{
    struct token_user t;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_token_user(ctx, &t) == 0)
        rc = store_user_delete(ctx->db, t.user->seq) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "deleting the user");
    rc = ops_txn_end(ctx, rc);
    token_user_free(&t);
    return rc;
}

/*
 * GlobalSignOut: every refresh token of the user is revoked, and every access token issued
 * before now answers "Access Token has been revoked" ([api]).
 */
int op_global_sign_out(struct op_ctx *ctx)
{
    struct token_user t;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_token_user(ctx, &t) == 0)
        rc = store_user_sign_out(ctx->db, t.user->seq, ctx->now_ms, 1) == STORE_OK
                 ? 0
                 : ops_fail_internal(ctx, "signing the user out");
    rc = ops_txn_end(ctx, rc);
    token_user_free(&t);
    return rc;
}

/* ---- RevokeToken ------------------------------------------------------------------------- */

/*
 * RevokeToken's client authentication: a client with a secret must send it as ClientSecret.
 * The API declares UnauthorizedException ("the request isn't authorized") and no
 * NotAuthorizedException for RevokeToken, and the revocation endpoint answers invalid_client:
 * UnauthorizedException, with the emulator's wording after Cognito's secret messages.
 */
static int check_revoke_secret(struct op_ctx *ctx, const cJSON *client)
{
    const char *secret = json_str(client, "ClientSecret");
    const char *given = json_str(ctx->in, "ClientSecret");
    const char *id = json_str(client, "ClientId");

    if (secret == NULL)
        return 0;
    if (given == NULL)
        return cog_err_set(&ctx->err, COG_E_UNAUTHORIZED,
                           "Client %s is configured for secret but secret was not received", id);
    if (!secrets_equal(secret, given))
        return cog_err_set(&ctx->err, COG_E_UNAUTHORIZED, "Invalid client secret for client %s",
                           id);
    return 0;
}

/*
 * RevokeToken: the refresh token of the request's app client is revoked with the access
 * tokens of its sign-in (same origin_jti; tokens.c refuses them). A client with token
 * revocation turned off: UnsupportedOperationException; an ID or access token:
 * UnsupportedTokenTypeException ([revoke]; both worded by the emulator). A token the client
 * does not know (garbage, another client's, already revoked) is answered with success, as
 * RFC 7009 section 2.2 has it for invalid tokens.
 */
int op_revoke_token(struct op_ctx *ctx)
{
    cJSON *client = NULL, *pool = NULL;
    int rc = -1;

    if (client_load(ctx, json_str(ctx->in, "ClientId"), &client, &pool) != 0 ||
        check_revoke_secret(ctx, client) != 0)
        goto out;
    if (!json_bool(client, "EnableTokenRevocation", true)) {
        cog_err_set(&ctx->err, COG_E_UNSUPPORTED_OPERATION,
                    "Token revocation is not enabled for client %s", json_str(client, "ClientId"));
        goto out;
    }
    rc = tokens_revoke_refresh(ctx, json_str(ctx->in, "Token"), json_str(client, "ClientId"));
    if (rc == 1)
        rc = cog_err_set(&ctx->err, COG_E_UNSUPPORTED_TOKEN_TYPE,
                         "Only refresh tokens can be revoked; this is an ID or access token.");
out:
    cJSON_Delete(client);
    cJSON_Delete(pool);
    return rc;
}

/* ---- Forgotten passwords ----------------------------------------------------------------- */

/*
 * The answer to ForgotPassword for an unknown user when the client hides users ([errors]):
 * CodeDeliveryDetails of a code sent nowhere. The medium follows the Username's format, else
 * the pool's first recovery mechanism (email when it has none that names a phone); the
 * destination masks the Username itself (what Cognito shows there is not documented).
 */
static int simulate_reset(struct op_ctx *ctx, const cJSON *pool)
{
    const char *username = json_str(ctx->in, "Username");
    const cJSON *first = json_get(json_get(pool, "AccountRecoverySetting"), "RecoveryMechanisms");
    bool sms = user_is_phone(username) ||
               (!user_is_email(username) && first != NULL && first->child != NULL &&
                json_str(first->child, "Name") != NULL &&
                strcmp(json_str(first->child, "Name"), "verified_phone_number") == 0);
    struct delivery d = {
        .pool_id = json_str(pool, "Id"),
        .username = username,
        .kind = "forgot-password",
        .medium = sms ? "SMS" : "EMAIL",
        .attribute = sms ? "phone_number" : "email",
        .destination = username,
        .code = NULL,
    };
    cJSON *details = cJSON_CreateObject();

    if (details == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (delivery_send(ctx, &d, details) != 0) {
        cJSON_Delete(details);
        return -1;
    }
    return ops_out_set(ctx, "CodeDeliveryDetails", details);
}

/*
 * ForgotPassword of an unknown username: the user migration trigger may vouch for it
 * (UserMigration_ForgotPassword, migrate.h), before the transaction of the reset. 0 when the
 * user is now stored or stays unknown; -1 with ctx->err set. As at sign-in, a client that
 * hides users answers the function's refusal as any unknown user.
 */
static int migrate_unknown(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                           const char *username)
{
    struct store_user *u = NULL;
    int rc = user_find(ctx, pool, username, &u);

    if (rc == STORE_NOT_FOUND)
        rc = migrate_user(ctx, pool, json_str(client, "ClientId"), username, NULL, &u);
    store_user_free(u);
    if (rc < 0 && client_hides_users(client) && ctx->err.code == COG_E_USER_LAMBDA_VALIDATION)
        ctx->err.code = COG_OK;
    else if (rc < 0)
        return -1;
    return 0;
}

/*
 * ForgotPassword: a reset code to the user's verified email or phone number (account.c); the
 * user keeps signing in with the old password until ConfirmForgotPassword. A disabled user:
 * NotAuthorizedException "User is disabled." (as sign-in words it). Unknown user: the
 * migration trigger's user, else UserNotFoundException "Username/client id combination not
 * found." [facts], or the simulated answer. A migrated user without a verified email or phone
 * number stays stored, and the reset is refused as for any such user.
 */
int op_forgot_password(struct op_ctx *ctx)
{
    const char *username = json_str(ctx->in, "Username");
    struct account_codes codes = {.count = 0};
    cJSON *client = NULL, *pool = NULL;
    struct store_user *u = NULL;
    int rc = -1, st = STORE_ERROR;

    if (client_load(ctx, json_str(ctx->in, "ClientId"), &client, &pool) != 0 ||
        client_check_secret_hash(ctx, client, username, json_str(ctx->in, "SecretHash")) != 0 ||
        migrate_unknown(ctx, pool, client, username) != 0 || ops_txn_begin(ctx) != 0)
        goto out;
    st = user_find(ctx, pool, username, &u);
    if (st == STORE_NOT_FOUND)
        cog_err_set(&ctx->err, COG_E_USER_NOT_FOUND, "Username/client id combination not found.");
    else if (st == STORE_OK && !u->enabled)
        cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
    else if (st == STORE_OK)
        rc = account_start_reset(ctx, pool, u, &codes);
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = send_one(ctx, pool, client, u, &codes);
    else if (st == STORE_NOT_FOUND && client_hides_users(client))
        rc = simulate_reset(ctx, pool);
out:
    account_codes_free(&codes);
    cJSON_Delete(client);
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}

/*
 * ConfirmForgotPassword: the reset code, then the new password (the pool's policy), and the
 * user is CONFIRMED whatever it was (RESET_REQUIRED after AdminResetUserPassword included).
 * An unknown user: UserNotFoundException as ForgotPassword words it, or, when the client
 * hides users, CodeMismatchException (as ConfirmSignUp does, [errors]).
 */
int op_confirm_forgot_password(struct op_ctx *ctx)
{
    const char *username = json_str(ctx->in, "Username");
    cJSON *client = NULL, *pool = NULL;
    struct store_user *u = NULL;
    char *status = NULL;
    int rc = -1, st;

    if (client_load(ctx, json_str(ctx->in, "ClientId"), &client, &pool) != 0 ||
        client_check_secret_hash(ctx, client, username, json_str(ctx->in, "SecretHash")) != 0 ||
        ops_txn_begin(ctx) != 0)
        goto out;
    st = user_find(ctx, pool, username, &u);
    if (st == STORE_NOT_FOUND && client_hides_users(client))
        cog_err_set(&ctx->err, COG_E_CODE_MISMATCH,
                    "Invalid verification code provided, please try again.");
    else if (st == STORE_NOT_FOUND)
        cog_err_set(&ctx->err, COG_E_USER_NOT_FOUND, "Username/client id combination not found.");
    else if (st == STORE_OK &&
             account_check_reset_code(ctx, u, json_str(ctx->in, "ConfirmationCode")) == 0 &&
             user_set_password(ctx, pool, u, json_str(ctx->in, "Password")) == 0) {
        if ((status = strdup("CONFIRMED")) == NULL) {
            ops_fail_internal(ctx, "out of memory");
        } else {
            free(u->status);
            u->status = status;
            if (store_code_delete(ctx->db, u->seq, ACCOUNT_RESET_PURPOSE) == STORE_ERROR)
                ops_fail_internal(ctx, "deleting a code");
            else
                rc = user_save(ctx, u);
        }
    }
    /* The post confirmation trigger follows the commit, outside the write lock. */
    if ((rc = ops_txn_end(ctx, rc)) == 0)
        rc = account_post_confirmation(ctx, pool, json_str(client, "ClientId"), u,
                                       "PostConfirmation_ConfirmForgotPassword");
out:
    cJSON_Delete(client);
    cJSON_Delete(pool);
    store_user_free(u);
    return rc;
}
