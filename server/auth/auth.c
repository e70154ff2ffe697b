/*
 * auth: one sign-in in progress (struct auth, auth_int.h) and its answers, shared by every flow
 * and challenge: the refusals Cognito words the same way everywhere, tokens for a user who
 * signed in, and a challenge with its session. A session is an opaque random string, stored
 * with the user, the challenge and its state, valid for the client's AuthSessionValidity
 * minutes, that the response must bring back: as Session, or for PASSWORD_VERIFIER as its
 * SECRET_BLOCK (auth_srp.c). Tokens are signed after every store write, outside any
 * transaction (tokens_issue).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "triggers/triggers.h"
#include "userpool/client.h"
#include "userpool/delivery.h"
#include "userpool/tokens.h"
#include "userpool/user.h"
#include "util/jsonutil.h"

/* Random bytes in a challenge session (86 base64url characters). */
#define SESSION_BYTES 64

/* Cognito's default AuthSessionValidity: 3 minutes. */
#define DEFAULT_SESSION_MINUTES 3

void auth_free(struct auth *a)
{
    cJSON_Delete(a->pool);
    cJSON_Delete(a->client);
    store_user_free(a->user);
    cJSON_Delete(a->custom);
    free(a->device_key);
}

const char *auth_param(const struct auth *a, const char *name)
{
    return json_str(a->params, name);
}

/* InvalidParameterException for a missing AuthParameters / ChallengeResponses entry, worded
 * as Cognito words it ("Missing required parameter USERNAME", aws-amplify/amplify-swift#1360;
 * "... SRP_A", aws/aws-sdk-cpp#452; "... Session", amazon-cognito-identity-js#365). */
int auth_missing(struct op_ctx *ctx, const char *name)
{
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Missing required parameter %s", name);
}

int auth_incorrect_password(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "Incorrect username or password.");
}

/*
 * An unknown user: UserNotFoundException, or with the client's PreventUserExistenceErrors
 * ENABLED the same answer as a wrong password (developer guide, "Managing error responses").
 */
int auth_unknown_user(const struct auth *a)
{
    if (client_hides_users(a->client))
        return auth_incorrect_password(a->ctx);
    return cog_err_set(&a->ctx->err, COG_E_USER_NOT_FOUND, "User does not exist.");
}

/* The session message of real Cognito for an unknown or expired session. */
int auth_invalid_session(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                       "Invalid session for the user, session is expired.");
}

/*
 * A session answered successfully stays until its expiry as a tombstone: its challenge becomes
 * SPENT, which no ChallengeName is, so that answering it again gets Cognito's "Invalid session
 * for the user, session can only be used once." (observed for EMAIL_OTP,
 * ../shared/user-auth-passkeys.md 1.6; assumed for every challenge) rather than the expired
 * message of an unknown or expired session.
 */
#define SPENT "(spent)"

int auth_used_session(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                       "Invalid session for the user, session can only be used once.");
}

int auth_spend_session(struct auth *a, const char *key, const struct store_session *s)
{
    struct store_session spent = *s;

    spent.challenge = (char *)SPENT;
    spent.data = (char *)"{}";
    if (store_session_put(a->ctx->db, key, &spent) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not spend the auth session");
    return 0;
}

bool auth_session_spent(const struct auth *a, const struct store_session *s)
{
    return strcmp(s->challenge, SPENT) == 0 && strcmp(s->pool_id, json_str(a->pool, "Id")) == 0 &&
           strcmp(s->client_id, a->client_id) == 0 && s->expires_ms > a->ctx->now_ms;
}

/* ---- Answers ----------------------------------------------------------------------------- */

/*
 * The ClientMetadata that reaches pre token generation: (Admin)RespondToAuthChallenge's and
 * GetTokensFromRefreshToken's; InitiateAuth's goes only to the validationData of pre
 * authentication (../shared/lambda-triggers.md section 3), so a sign-in or refresh by
 * InitiateAuth passes none.
 */
static const cJSON *token_client_metadata(const struct auth *a)
{
    const char *op = a->ctx->operation;

    if (a->responding || (op != NULL && strcmp(op, "GetTokensFromRefreshToken") == 0))
        return json_get(a->ctx->in, "ClientMetadata");
    return NULL;
}

/*
 * Sign a->user in: tokens for the grant into ctx->out's AuthenticationResult. Cognito also
 * sends an empty ChallengeParameters with the tokens of InitiateAuth and the challenge
 * responses (not with GetTokensFromRefreshToken, whose output has no such member).
 */
int auth_answer_tokens(struct auth *a, int64_t auth_time, const char *origin_jti,
                       bool with_refresh_token, bool challenge_parameters)
{
    struct token_grant grant = {
        .pool = a->pool,
        .client = a->client,
        .user = a->user,
        .auth_time = auth_time,
        .origin_jti = origin_jti,
        .with_refresh_token = with_refresh_token,
        .supersedes = a->rotates,
        .family = a->rotates_family,
        /* ../shared/lambda-triggers.md: a refresh is _RefreshTokens, a new password
         * _NewPasswordChallenge, any other sign-in _Authentication. */
        .source = origin_jti != NULL ? "TokenGeneration_RefreshTokens"
                  : a->token_source  ? a->token_source
                                     : "TokenGeneration_Authentication",
        .client_metadata = token_client_metadata(a),
        .scope = a->oauth_scope,
    };
    cJSON *result = cJSON_CreateObject(), *device = NULL;

    if (result == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    if (auth_device_tokens(a, with_refresh_token, &device) != 0) {
        cJSON_Delete(result);
        return -1;
    }
    grant.device_key = a->device_key;
    /* NewDeviceMetadata comes last in Cognito's AuthenticationResult. */
    if (tokens_issue(a->ctx, &grant, result) != 0 ||
        (device != NULL && json_set_item(result, "NewDeviceMetadata", device) != 0)) {
        cJSON_Delete(result);
        return -1;
    }
    if (challenge_parameters &&
        ops_out_set(a->ctx, "ChallengeParameters", cJSON_CreateObject()) != 0) {
        cJSON_Delete(result);
        return -1;
    }
    return ops_out_set(a->ctx, "AuthenticationResult", result);
}

/* A sign-in that just proved the user's identity: new auth_time, new origin_jti, a refresh
 * token. */
/* The caller of a trigger for a->user (attrs: its trigger attributes, or NULL). */
static struct trigger_caller trigger_caller_of(const struct auth *a, const char *username,
                                               const cJSON *attrs)
{
    return triggers_caller(a->pool, a->client_id, a->user ? a->user->username : username, attrs);
}

int auth_pre_authentication(struct auth *a, const char *username)
{
    cJSON *attrs;
    struct trigger_caller caller;
    int rc;

    if (triggers_function(json_get(a->pool, "LambdaConfig"), "PreAuthentication") == NULL)
        return 0;
    attrs = a->user != NULL ? user_trigger_attributes(a->pool, a->user) : cJSON_CreateObject();
    if (attrs == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    caller = trigger_caller_of(a, username, attrs);
    rc = triggers_pre_authentication(a->ctx, &caller, json_get(a->ctx->in, "ClientMetadata"),
                                     a->user == NULL);
    cJSON_Delete(attrs);
    return rc;
}

/* The post authentication trigger of a->user's sign-in. */
static int post_authentication(struct auth *a)
{
    cJSON *attrs;
    struct trigger_caller caller;
    int rc;

    if (triggers_function(json_get(a->pool, "LambdaConfig"), "PostAuthentication") == NULL)
        return 0;
    if ((attrs = user_trigger_attributes(a->pool, a->user)) == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    caller = trigger_caller_of(a, NULL, attrs);
    /* Only RespondToAuthChallenge passes its ClientMetadata on (section 3 of the facts). */
    if (a->responding)
        caller.client_metadata = json_get(a->ctx->in, "ClientMetadata");
    rc = triggers_post_authentication(a->ctx, &caller, false);
    cJSON_Delete(attrs);
    return rc;
}

int auth_answer_sign_in(struct auth *a)
{
    if (post_authentication(a) != 0)
        return -1;
    if (a->hosted) /* the hosted pages hand out a code instead (auth_hosted.h) */
        return 0;
    return auth_answer_tokens(a, a->ctx->now_ms / 1000, NULL, true, true);
}

/*
 * The state data (JSON object text, or NULL) of a challenge asked within a custom flow, with
 * the flow (a->custom, which moves into it) as its "custom" member, so that any challenge the
 * flow passes through carries it on to the next response (auth_custom_resume). A new string
 * (secrets_wipe it: the data may hold SRP's secret b), or NULL when out of memory.
 */
static char *data_with_custom(struct auth *a, const char *data)
{
    cJSON *obj = data != NULL ? cJSON_Parse(data) : cJSON_CreateObject();
    char *text = NULL;

    if (obj != NULL && json_set_item(obj, "custom", a->custom) == 0)
        text = cJSON_PrintUnformatted(obj);
    else if (obj == NULL)
        cJSON_Delete(a->custom);
    a->custom = NULL;
    cJSON_Delete(obj);
    return text;
}

/*
 * Store the session key of challenge name for a->user (NULL for the made-up user of
 * USER_SRP_AUTH with PreventUserExistenceErrors), with the challenge's state data (JSON text,
 * or NULL for none) and the custom flow in progress if any, valid for the client's
 * AuthSessionValidity minutes. 0, or -1 with InternalErrorException.
 */
int auth_store_challenge(struct auth *a, const char *key, const char *name, const char *data)
{
    int64_t minutes = json_int(a->client, "AuthSessionValidity", DEFAULT_SESSION_MINUTES);
    bool custom = a->custom != NULL;
    char *merged = custom ? data_with_custom(a, data) : NULL;
    struct store_session s = {
        .pool_id = (char *)json_str(a->pool, "Id"),
        .client_id = (char *)a->client_id,
        .user_seq = a->user != NULL ? a->user->seq : 0,
        .challenge = (char *)name,
        .data = merged != NULL ? merged : (char *)data,
        .expires_ms = a->ctx->now_ms + (minutes > 0 ? minutes : DEFAULT_SESSION_MINUTES) * 60000,
    };
    int st;

    if (custom && merged == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    st = store_session_put(a->ctx->db, key, &s);
    if (merged != NULL) {
        secrets_wipe(merged, strlen(merged));
        free(merged);
    }
    if (st != STORE_OK)
        return ops_fail_internal(a->ctx, "could not store the auth session");
    return 0;
}

/*
 * Answer ChallengeName name with ChallengeParameters params (taken over, also on failure) and,
 * unless session is NULL, Session. 0, or -1 with InternalErrorException.
 */
int auth_answer_challenge_with(struct auth *a, const char *name, cJSON *params, const char *session)
{
    int rc;

    if (params == NULL || json_set_str(a->ctx->out, "ChallengeName", name) != 0) {
        cJSON_Delete(params);
        return ops_fail_internal(a->ctx, "out of memory");
    }
    rc = ops_out_set(a->ctx, "ChallengeParameters", params);
    if (rc == 0 && session != NULL && json_set_str(a->ctx->out, "Session", session) != 0)
        rc = ops_fail_internal(a->ctx, "out of memory");
    return rc;
}

/*
 * Ask challenge name of a->user: store a new session for it and answer ChallengeName,
 * ChallengeParameters (params, taken over) and Session. 0, or -1 with ctx->err set.
 */
int auth_answer_challenge_data(struct auth *a, const char *name, cJSON *params, const char *data)
{
    char *session = secrets_token(SESSION_BYTES);
    int rc = -1;

    if (session == NULL) {
        cJSON_Delete(params);
        ops_fail_internal(a->ctx, "out of memory");
    } else if (auth_store_challenge(a, session, name, data) != 0) {
        cJSON_Delete(params);
    } else {
        rc = auth_answer_challenge_with(a, name, params, session);
    }
    free(session);
    return rc;
}

int auth_answer_challenge(struct auth *a, const char *name, cJSON *params)
{
    return auth_answer_challenge_data(a, name, params, NULL);
}

/* ---- Codes sent for a challenge ---------------------------------------------------------- */

/*
 * The message of a sign-in or MFA code by medium to attribute (kind "mfa": the pool's
 * EmailMfaConfiguration, SmsAuthenticationMessage, CustomMessage_Authentication), for a->user
 * or, when that is NULL, for the unknown username (nothing is sent then: code NULL). Only
 * AdminRespondToAuthChallenge passes its ClientMetadata to the message trigger
 * (lambda-triggers.md section 3); InitiateAuth's goes to pre authentication alone.
 */
struct delivery auth_code_delivery(const struct auth *a, const char *medium, const char *attribute,
                                   const char *code, const char *username)
{
    struct delivery d = {.kind = "mfa",
                         .medium = medium,
                         .attribute = attribute,
                         .code = a->user != NULL ? code : NULL,
                         .pool = a->pool,
                         .pool_id = json_str(a->pool, "Id"),
                         .client_id = a->client_id,
                         .user = a->user,
                         .username = a->user != NULL ? a->user->username : username,
                         .client_metadata = a->admin && a->responding
                                                ? json_get(a->ctx->in, "ClientMetadata")
                                                : NULL};
    return d;
}

/*
 * Send d, then ask challenge name with params (taken over) and the delivery's
 * CODE_DELIVERY_DELIVERY_MEDIUM and masked CODE_DELIVERY_DESTINATION, as real SMS_MFA and
 * EMAIL_OTP challenges show them (amplify-ui's fixtures; the API reference), with state data.
 */
int auth_answer_code_challenge(struct auth *a, const struct delivery *d, const char *name,
                               cJSON *params, const char *data)
{
    cJSON *details = cJSON_CreateObject();
    int rc = -1;

    if (params == NULL || details == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    if (delivery_send(a->ctx, d, details) != 0)
        goto out;
    if (json_set_str(params, "CODE_DELIVERY_DELIVERY_MEDIUM", d->medium) != 0 ||
        json_set_str(params, "CODE_DELIVERY_DESTINATION", json_str(details, "Destination")) != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    rc = auth_answer_challenge_data(a, name, params, data);
    params = NULL;
out:
    cJSON_Delete(params);
    cJSON_Delete(details);
    return rc;
}
