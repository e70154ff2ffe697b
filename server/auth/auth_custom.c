/*
 * auth_custom: CUSTOM_AUTH, the sign-in that the pool's own Lambda functions drive
 * (../shared/lambda-triggers.md 5.5, through triggers/trigger_custom_auth.c). After the
 * pre authentication trigger, DefineAuthChallenge reads the history of the challenges asked so
 * far and decides: fail, issue tokens, or ask a challenge. A CUSTOM_CHALLENGE is made by
 * CreateAuthChallenge (its public parameters go to the client, its private ones stay in the
 * session) and its ANSWER judged by VerifyAuthChallengeResponse; the result joins the history
 * and DefineAuthChallenge decides again. A flow started with SRP_A (CHALLENGE_NAME "SRP_A",
 * Amplify's CUSTOM_WITH_SRP) may ask PASSWORD_VERIFIER first: the ordinary SRP challenge
 * (auth_srp.c), after which (and after any MFA or new password the user owes) the history
 * holds those challenges as passed and DefineAuthChallenge decides again.
 *
 * The flow's state, a->custom, travels in the challenge sessions ({"custom": ...} in their
 * data, auth_store_challenge) and expires with them (AuthSessionValidity):
 *   {"username": USERNAME as typed, "history": [{challengeName, challengeResult,
 *    challengeMetadata}, ...], while a CUSTOM_CHALLENGE is open "private" (its private
 *    parameters) and "metadata" (string or null), once its response is taken "answer"}.
 *
 * Where the triggers run: never inside a store transaction (triggers.h). A response to
 * CUSTOM_CHALLENGE only spends its session inside the transaction (ops_auth.c respond());
 * VerifyAuthChallengeResponse, DefineAuthChallenge and CreateAuthChallenge run after the
 * commit (auth_custom_continue), and the next session is stored then. So a trigger that fails
 * leaves the flow with no session to answer: the client starts again, which is what Cognito
 * was seen to do ("Invalid session for the user." after a failed CreateAuthChallenge,
 * aws-samples/amazon-cognito-passwordless-email-auth#17).
 *
 * Choices where Cognito's behaviour is not documented, each pinned in tests/check_auth_custom.c:
 *   - an unknown user: UserNotFoundException; with PreventUserExistenceErrors ENABLED the
 *     triggers run with "userNotFound": true (and userAttributes {}), and tokens, if Define
 *     issues them, are refused with "Incorrect username or password.";
 *   - a disabled or unconfirmed user is refused before DefineAuthChallenge runs;
 *   - Define's answer: failAuthentication wins over issueTokens, which wins over challengeName;
 *     PASSWORD_VERIFIER only right after SRP_A; no decision, or another challenge, is
 *     InvalidLambdaResponseException "Unrecognizable lambda output";
 *   - a sign-in asks at most CUSTOM_MAX_CHALLENGES challenges (SRP_A included);
 *   - a wrong password in CUSTOM_WITH_SRP is refused as in USER_SRP_AUTH (and counted for the
 *     lockout); DefineAuthChallenge is not asked about it.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "auth/auth_int.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "triggers/triggers.h"
#include "userpool/client.h"
#include "userpool/user.h"
#include "util/jsonutil.h"
#include "util/log.h"

/*
 * How many challenges one sign-in may be asked. Cognito's limit is not documented; this one
 * is generous enough for any flow seen in the wild (three or five tries of a code, after a
 * password and an MFA code), and keeps a Define that never decides from looping for ever.
 */
#define CUSTOM_MAX_CHALLENGES 16

/* The answer for a pool without DefineAuthChallenge, as Cognito words it (quoted in many app
 * codebases; InvalidParameterException in one captured error object). */
static int not_configured(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                       "Custom auth lambda trigger is not configured for the user pool.");
}

static int unusable_decision(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_INVALID_LAMBDA_RESPONSE, "Unrecognizable lambda output");
}

static cJSON *history(const struct auth *a)
{
    return json_get(a->custom, "history");
}

/* Append {challengeName, challengeResult, challengeMetadata} to the history of custom. 0 or
 * -1 (out of memory). */
static int history_add(cJSON *custom, const char *name, bool result, const char *metadata)
{
    cJSON *entry = cJSON_CreateObject();

    if (entry == NULL || json_set_str(entry, "challengeName", name) != 0 ||
        json_set_bool(entry, "challengeResult", result) != 0 ||
        json_set_item(entry, "challengeMetadata",
                      metadata ? cJSON_CreateString(metadata) : cJSON_CreateNull()) != 0 ||
        !cJSON_AddItemToArray(json_get(custom, "history"), entry)) {
        cJSON_Delete(entry);
        return -1;
    }
    return 0;
}

/* What the triggers' request says of userNotFound: only a client that hides users says it. */
static enum trigger_user_found user_found(const struct auth *a)
{
    if (!client_hides_users(a->client))
        return TRIGGER_USER_FOUND_UNSAID;
    return a->user != NULL ? TRIGGER_USER_FOUND : TRIGGER_USER_NOT_FOUND;
}

/* The name the flow's user goes by: the user's username, or the name typed for none. */
static const char *flow_username(const struct auth *a)
{
    return a->user != NULL ? a->user->username : json_str(a->custom, "username");
}

/*
 * The caller of a custom trigger, with *attrs the user's trigger attributes (a new object, or
 * NULL for an unknown user; the caller deletes it). ClientMetadata, as Cognito routes it
 * (facts section 3): RespondToAuthChallenge's goes to Define and Verify (with_metadata);
 * Create does not get it (observed on AWS, localstack/localstack#11687); InitiateAuth's goes
 * to none of them, only to pre authentication as validationData. 0 or -1.
 */
static int custom_caller(struct auth *a, bool with_metadata, cJSON **attrs,
                         struct trigger_caller *out)
{
    *attrs = NULL;
    if (a->user != NULL && (*attrs = user_trigger_attributes(a->pool, a->user)) == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    *out = triggers_caller(a->pool, a->client_id, flow_username(a), *attrs);
    if (with_metadata && a->responding)
        out->client_metadata = json_get(a->ctx->in, "ClientMetadata");
    return 0;
}

/*
 * CreateAuthChallenge, then ask CUSTOM_CHALLENGE: ChallengeParameters are the public
 * parameters plus USERNAME (the user's username, which the response must name), and a new
 * session keeps the private parameters and the metadata for the answer.
 */
static int ask_custom_challenge(struct auth *a)
{
    struct trigger_create_auth made;
    struct trigger_caller caller;
    cJSON *attrs, *params;
    int rc, bad;

    if (custom_caller(a, false, &attrs, &caller) != 0)
        return -1;
    rc = triggers_create_auth_challenge(a->ctx, &caller, "CUSTOM_CHALLENGE", history(a),
                                        user_found(a), &made);
    cJSON_Delete(attrs);
    if (rc != 0)
        return rc < 0 ? -1 : not_configured(a->ctx);
    params = made.public_parameters;
    /* Each setter takes its item, also on failure: evaluate them all. */
    bad = json_set_str(params, "USERNAME", flow_username(a)) != 0;
    bad |= json_set_item(a->custom, "private", made.private_parameters) != 0;
    bad |= json_set_item(a->custom, "metadata",
                         made.metadata ? cJSON_CreateString(made.metadata) : cJSON_CreateNull());
    made.public_parameters = made.private_parameters = NULL;
    triggers_create_auth_clear(&made);
    if (bad) {
        cJSON_Delete(params);
        return ops_fail_internal(a->ctx, "out of memory");
    }
    return auth_answer_challenge(a, "CUSTOM_CHALLENGE", params);
}

/* Define issued tokens: the flow is over. */
static int issue_tokens(struct auth *a)
{
    if (a->user == NULL) /* the unknown user of a client that hides users */
        return auth_incorrect_password(a->ctx);
    cJSON_Delete(a->custom);
    a->custom = NULL;
    return auth_answer_sign_in(a);
}

/* The SRP_A of a flow that started with it and has asked nothing yet, or NULL. */
static const char *pending_srp_a(const struct auth *a)
{
    const cJSON *h = history(a);

    if (a->responding || cJSON_GetArraySize(h) != 1 ||
        strcmp(json_str_or(cJSON_GetArrayItem(h, 0), "challengeName", ""), "SRP_A") != 0)
        return NULL;
    return auth_param(a, "SRP_A");
}

/* Ask DefineAuthChallenge what follows the history, and do it. 0 or -1. */
static int decide(struct auth *a)
{
    struct trigger_define_auth d;
    struct trigger_caller caller;
    const char *srp_a;
    cJSON *attrs;
    int rc;

    if (custom_caller(a, true, &attrs, &caller) != 0)
        return -1;
    rc = triggers_define_auth_challenge(a->ctx, &caller, history(a), user_found(a), &d);
    cJSON_Delete(attrs);
    if (rc != 0)
        return rc < 0 ? -1 : not_configured(a->ctx);
    /* Clients report this wording for a failed custom sign-in (facts 5.5). */
    if (d.fail_authentication)
        return auth_incorrect_password(a->ctx);
    if (d.issue_tokens)
        return issue_tokens(a);
    srp_a = pending_srp_a(a);
    if (strcmp(d.challenge_name, "CUSTOM_CHALLENGE") != 0 &&
        (strcmp(d.challenge_name, "PASSWORD_VERIFIER") != 0 || srp_a == NULL))
        return unusable_decision(a->ctx);
    if (cJSON_GetArraySize(history(a)) >= CUSTOM_MAX_CHALLENGES) {
        log_warn("user pool %s: the custom sign-in of %s has asked %d challenges, the most "
                 "cognito-emu allows; it fails",
                 json_str(a->pool, "Id"), flow_username(a), CUSTOM_MAX_CHALLENGES);
        return auth_incorrect_password(a->ctx);
    }
    if (strcmp(d.challenge_name, "CUSTOM_CHALLENGE") == 0)
        return ask_custom_challenge(a);
    return auth_ask_password_verifier(a, srp_a, flow_username(a));
}

/* A new flow state for username: an empty history, or SRP_A passed when srp. NULL when out of
 * memory. */
static cJSON *flow_new(const char *username, bool srp)
{
    cJSON *custom = cJSON_CreateObject();

    if (custom == NULL || json_set_str(custom, "username", username) != 0 ||
        json_set_item(custom, "history", cJSON_CreateArray()) != 0 ||
        (srp && history_add(custom, "SRP_A", true, NULL) != 0)) {
        cJSON_Delete(custom);
        return NULL;
    }
    return custom;
}

/*
 * CUSTOM_AUTH: AuthParameters USERNAME, SECRET_HASH for a client with a secret, and to start
 * with the password CHALLENGE_NAME "SRP_A" and SRP_A (InitiateAuth API reference; an SRP_A
 * without that CHALLENGE_NAME is ignored). The parameters are checked first, then whether the
 * pool has a DefineAuthChallenge trigger, then the user.
 */
int auth_start_custom(struct auth *a)
{
    const char *username = auth_param(a, "USERNAME"), *srp_a = NULL;
    const char *first = auth_param(a, "CHALLENGE_NAME");
    int st;

    if (username == NULL)
        return auth_missing(a->ctx, "USERNAME");
    if (first != NULL && strcmp(first, "SRP_A") == 0 && (srp_a = auth_param(a, "SRP_A")) == NULL)
        return auth_missing(a->ctx, "SRP_A");
    if (client_check_secret_hash(a->ctx, a->client, username, auth_param(a, "SECRET_HASH")) != 0 ||
        (srp_a != NULL && auth_check_srp_a(a, srp_a) != 0))
        return -1;
    if (triggers_function(json_get(a->pool, "LambdaConfig"), "DefineAuthChallenge") == NULL)
        return not_configured(a->ctx);
    st = user_find(a->ctx, a->pool, username, &a->user);
    if (st == STORE_ERROR)
        return -1;
    if (st != STORE_OK && !client_hides_users(a->client))
        return auth_unknown_user(a);
    if (auth_pre_authentication(a, username) != 0 || auth_check_user_state(a) != 0)
        return -1;
    if ((a->custom = flow_new(username, srp_a != NULL)) == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    return decide(a);
}

int auth_custom_resume(struct auth *a, const struct store_session *s)
{
    cJSON *data, *custom;

    if (s->data == NULL)
        return 0;
    if ((data = cJSON_Parse(s->data)) == NULL)
        return ops_fail_internal(a->ctx, "unreadable auth session");
    custom = cJSON_DetachItemFromObjectCaseSensitive(data, "custom");
    cJSON_Delete(data);
    if (custom == NULL)
        return 0;
    /* A custom challenge's own record waits for VerifyAuthChallengeResponse. */
    if (strcmp(s->challenge, "CUSTOM_CHALLENGE") != 0 &&
        history_add(custom, s->challenge, true, NULL) != 0) {
        cJSON_Delete(custom);
        return ops_fail_internal(a->ctx, "out of memory");
    }
    cJSON_Delete(a->custom);
    a->custom = custom;
    return 0;
}

/*
 * RespondToAuthChallenge CUSTOM_CHALLENGE, inside the transaction: ChallengeResponses USERNAME
 * (checked against the session) and ANSWER. Nothing is judged here: the answer joins the flow
 * (a->custom, auth_custom_resume) for auth_custom_continue, after the commit that spends the
 * session.
 */
int auth_respond_custom_challenge(struct auth *a, const struct store_session *s)
{
    const char *answer = auth_param(a, "ANSWER");

    (void)s;
    if (answer == NULL)
        return auth_missing(a->ctx, "ANSWER");
    if (a->custom == NULL)
        return ops_fail_internal(a->ctx, "unreadable auth session");
    if (json_set_str(a->custom, "answer", answer) != 0)
        return ops_fail_internal(a->ctx, "out of memory");
    return 0;
}

/* VerifyAuthChallengeResponse of the flow's answer; its verdict and the challenge's metadata
 * join the history, and the challenge is closed. 0 or -1. */
static int verify_answer(struct auth *a)
{
    struct trigger_caller caller;
    cJSON *attrs;
    bool correct;
    int rc;

    if (custom_caller(a, true, &attrs, &caller) != 0)
        return -1;
    rc = triggers_verify_auth_challenge(a->ctx, &caller, json_get(a->custom, "private"),
                                        json_str(a->custom, "answer"), user_found(a), &correct);
    cJSON_Delete(attrs);
    if (rc != 0)
        return rc < 0 ? -1 : not_configured(a->ctx);
    if (history_add(a->custom, "CUSTOM_CHALLENGE", correct, json_str(a->custom, "metadata")) != 0)
        return ops_fail_internal(a->ctx, "out of memory");
    cJSON_DeleteItemFromObjectCaseSensitive(a->custom, "answer");
    cJSON_DeleteItemFromObjectCaseSensitive(a->custom, "private");
    cJSON_DeleteItemFromObjectCaseSensitive(a->custom, "metadata");
    return 0;
}

int auth_custom_continue(struct auth *a)
{
    if (json_str(a->custom, "answer") != NULL && verify_answer(a) != 0)
        return -1;
    return decide(a);
}
