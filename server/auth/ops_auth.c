/*
 * ops_auth: sign-in. InitiateAuth and AdminInitiateAuth start a flow, RespondToAuthChallenge
 * and AdminRespondToAuthChallenge answer the challenge a flow asked, GetTokensFromRefreshToken
 * renews tokens (what Amplify v6 refreshes with).
 *
 * Two tables drive it, so that new flows and challenges are entries rather than branches:
 * FLOWS maps each AuthFlow to the operations that accept it and the function that starts it
 * (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and its old name ADMIN_NO_SRP_AUTH,
 * USER_SRP_AUTH, REFRESH_TOKEN_AUTH and its alias REFRESH_TOKEN; CUSTOM_AUTH and USER_AUTH
 * are listed but not implemented yet); CHALLENGES maps each ChallengeName to the function
 * that checks a response (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, and the MFA challenges
 * SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP, asked after the password
 * as Cognito orders them: mfa.h). Repeated wrong passwords lock the user out for a while
 * ("Lockout" below). A flow ends by signing the user in (tokens.c) or by asking a challenge: a
 * session (an opaque random string, stored with the user, the challenge and its state, valid for
 * the client's AuthSessionValidity minutes) that the response must bring back: as Session, or for
 * PASSWORD_VERIFIER as its SECRET_BLOCK (see "USER_SRP_AUTH" below).
 *
 * Errors are Cognito's, in its order: the client, the flow, the parameters, SECRET_HASH,
 * the user, the password, then the user's state. Messages were taken from real responses
 * quoted in public issues and client fixtures (cited where used). Tokens are signed after
 * every store write, outside any transaction (tokens_issue).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "userpool/delivery.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "userpool/mfa.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "crypto/secrets.h"
#include "crypto/srp.h"
#include "crypto/srp_group.h"
#include "store/store.h"
#include "userpool/tokens.h"
#include "userpool/userpool.h"

/* Random bytes in a challenge session (86 base64url characters). */
#define SESSION_BYTES 64

/* Cognito's defaults: AuthSessionValidity 3 minutes, TemporaryPasswordValidityDays 7. */
#define DEFAULT_SESSION_MINUTES 3
#define DEFAULT_TEMPORARY_PASSWORD_DAYS 7

/* One sign-in in progress, shared by the flows and the challenge handlers. */
struct auth {
    struct op_ctx *ctx;
    bool admin;              /* AdminInitiateAuth / AdminRespondToAuthChallenge */
    const cJSON *params;     /* AuthParameters or ChallengeResponses; may be NULL */
    cJSON *pool;             /* owned */
    cJSON *client;           /* owned */
    const char *client_id;   /* borrowed from client */
    struct store_user *user; /* owned, once known */
    bool proved;             /* a challenge's check outside the transaction passed */
    bool signed_in;          /* a challenge handler accepted the response: issue tokens */
    bool wrong_password;     /* a->user's password was wrong: count it (lockout) */
};

static void auth_free(struct auth *a)
{
    cJSON_Delete(a->pool);
    cJSON_Delete(a->client);
    store_user_free(a->user);
}

static const char *param(const struct auth *a, const char *name)
{
    return json_str(a->params, name);
}

/* InvalidParameterException for a missing AuthParameters / ChallengeResponses entry, worded
 * as Cognito words it ("Missing required parameter USERNAME", aws-amplify/amplify-swift#1360;
 * "... SRP_A", aws/aws-sdk-cpp#452; "... Session", amazon-cognito-identity-js#365). */
static int missing(struct op_ctx *ctx, const char *name)
{
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Missing required parameter %s", name);
}

static int incorrect_password(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "Incorrect username or password.");
}

/* Whether the client's PreventUserExistenceErrors is ENABLED. */
static bool hides_user_existence(const struct auth *a)
{
    const char *prevent = json_str(a->client, "PreventUserExistenceErrors");

    return prevent != NULL && strcmp(prevent, "ENABLED") == 0;
}

/*
 * An unknown user: UserNotFoundException, or with the client's PreventUserExistenceErrors
 * ENABLED the same answer as a wrong password (developer guide, "Managing error responses").
 */
static int unknown_user(const struct auth *a)
{
    if (hides_user_existence(a))
        return incorrect_password(a->ctx);
    return cog_err_set(&a->ctx->err, COG_E_USER_NOT_FOUND, "User does not exist.");
}

/* The session message of real Cognito for an unknown or expired session. */
static int invalid_session(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                       "Invalid session for the user, session is expired.");
}

/* Load the request's app client and its pool: by ClientId, and for the Admin operations
 * within UserPoolId. ResourceNotFoundException otherwise. */
static int load_client(struct auth *a)
{
    const char *client_id = json_str(a->ctx->in, "ClientId");
    int rc;

    if (a->admin)
        rc = userpool_load_pool_client(a->ctx, json_str(a->ctx->in, "UserPoolId"), client_id,
                                       &a->client, &a->pool);
    else
        rc = userpool_load_client(a->ctx, client_id, &a->client, &a->pool);
    if (rc == 0)
        a->client_id = json_str(a->client, "ClientId");
    return rc;
}

/* ---- Answers ----------------------------------------------------------------------------- */

/*
 * Sign a->user in: tokens for the grant into ctx->out's AuthenticationResult. Cognito also
 * sends an empty ChallengeParameters with the tokens of InitiateAuth and the challenge
 * responses (not with GetTokensFromRefreshToken, whose output has no such member).
 */
static int answer_tokens(struct auth *a, int64_t auth_time, const char *origin_jti,
                         bool with_refresh_token, bool challenge_parameters)
{
    struct token_grant grant = {
        .pool = a->pool,
        .client = a->client,
        .user = a->user,
        .auth_time = auth_time,
        .origin_jti = origin_jti,
        .with_refresh_token = with_refresh_token,
    };
    cJSON *result = cJSON_CreateObject();

    if (result == NULL)
        return ops_fail_internal(a->ctx, "out of memory");
    if (tokens_issue(a->ctx, &grant, result) != 0) {
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
static int answer_sign_in(struct auth *a)
{
    return answer_tokens(a, a->ctx->now_ms / 1000, NULL, true, true);
}

/*
 * Store the session key of challenge name for a->user (NULL for the made-up user of
 * USER_SRP_AUTH with PreventUserExistenceErrors), with the challenge's state data (JSON text,
 * or NULL for none), valid for the client's AuthSessionValidity minutes. 0, or -1 with
 * InternalErrorException.
 */
static int store_challenge(struct auth *a, const char *key, const char *name, const char *data)
{
    int64_t minutes = json_int(a->client, "AuthSessionValidity", DEFAULT_SESSION_MINUTES);
    struct store_session s = {
        .pool_id = (char *)json_str(a->pool, "Id"),
        .client_id = (char *)a->client_id,
        .user_seq = a->user != NULL ? a->user->seq : 0,
        .challenge = (char *)name,
        .data = (char *)data,
        .expires_ms = a->ctx->now_ms + (minutes > 0 ? minutes : DEFAULT_SESSION_MINUTES) * 60000,
    };

    if (store_session_put(a->ctx->db, key, &s) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not store the auth session");
    return 0;
}

/*
 * Answer ChallengeName name with ChallengeParameters params (taken over, also on failure) and,
 * unless session is NULL, Session. 0, or -1 with InternalErrorException.
 */
static int answer_challenge_with(struct auth *a, const char *name, cJSON *params,
                                 const char *session)
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
static int answer_challenge_data(struct auth *a, const char *name, cJSON *params, const char *data)
{
    char *session = secrets_token(SESSION_BYTES);
    int rc = -1;

    if (session == NULL) {
        cJSON_Delete(params);
        ops_fail_internal(a->ctx, "out of memory");
    } else if (store_challenge(a, session, name, data) != 0) {
        cJSON_Delete(params);
    } else {
        rc = answer_challenge_with(a, name, params, session);
    }
    free(session);
    return rc;
}

static int answer_challenge(struct auth *a, const char *name, cJSON *params)
{
    return answer_challenge_data(a, name, params, NULL);
}

/* ---- MFA: SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP ------------- */

/* How long a code sent by SMS or e-mail for MFA is good for (developer guide: 3 minutes). */
#define MFA_CODE_MS (3 * 60 * 1000)

/* Cognito's answer to a wrong MFA code (Amplify's error catalogue and app fixtures quote
 * "Invalid code received for user"). */
static int mfa_code_mismatch(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_CODE_MISMATCH, "Invalid code received for user");
}

/*
 * Ask the challenge of factor: SOFTWARE_TOKEN_MFA (no parameters), or SMS_MFA / EMAIL_OTP with
 * a code "sent" (delivery.c, kind "mfa") to the user's phone_number / email, whose masked
 * destination the challenge names (CODE_DELIVERY_DELIVERY_MEDIUM, CODE_DELIVERY_DESTINATION,
 * as real SMS_MFA challenges show them: amplify-ui's fixtures). The code and its expiry go into
 * the session.
 */
static int ask_factor(struct auth *a, unsigned factor)
{
    bool sms = factor == MFA_SMS;
    const char *attribute = sms ? "phone_number" : "email", *medium = sms ? "SMS" : "EMAIL";
    cJSON *params = cJSON_CreateObject(), *details = NULL, *attrs = NULL, *data = NULL;
    char code[7], *text = NULL;
    struct delivery d = {.kind = "mfa", .medium = medium, .attribute = attribute, .code = code};
    int rc = -1;

    if (factor == MFA_TOTP)
        return answer_challenge(a, "SOFTWARE_TOKEN_MFA", params);
    secrets_code(code);
    if (params == NULL || (details = cJSON_CreateObject()) == NULL ||
        (attrs = userpool_attributes(a->user)) == NULL || (data = cJSON_CreateObject()) == NULL ||
        json_set_str(data, "code", code) != 0 ||
        json_set_num(data, "expires_ms", (double)(a->ctx->now_ms + MFA_CODE_MS)) != 0 ||
        (text = cJSON_PrintUnformatted(data)) == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    d.pool_id = json_str(a->pool, "Id");
    d.username = a->user->username;
    d.destination = json_str(attrs, attribute);
    if (delivery_send(a->ctx, &d, details) != 0)
        goto out;
    if (json_set_str(params, "CODE_DELIVERY_DELIVERY_MEDIUM", medium) != 0 ||
        json_set_str(params, "CODE_DELIVERY_DESTINATION", json_str(details, "Destination")) != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    rc = answer_challenge_data(a, sms ? "SMS_MFA" : "EMAIL_OTP", params, text);
    params = NULL;
out:
    cJSON_Delete(params);
    cJSON_Delete(details);
    cJSON_Delete(attrs);
    cJSON_Delete(data);
    free(text);
    return rc;
}

/* Ask SELECT_MFA_TYPE (MFAS_CAN_CHOOSE) or MFA_SETUP (MFAS_CAN_SETUP): the factors as JSON
 * array text, ["SMS_MFA","SOFTWARE_TOKEN_MFA"] (amplify-ui fixtures, the API reference). */
static int ask_list(struct auth *a, const char *name, const char *member, unsigned factors)
{
    cJSON *params = cJSON_CreateObject();
    char *list = mfa_factor_list_text(factors), data[48];

    snprintf(data, sizeof(data), "{\"factors\":%u}", factors);
    if (params == NULL || list == NULL || json_set_str(params, member, list) != 0) {
        free(list);
        cJSON_Delete(params);
        return ops_fail_internal(a->ctx, "out of memory");
    }
    free(list);
    return answer_challenge_data(a, name, params, data);
}

/*
 * The step after a proved password (and a new one, if one was required): tokens when the user
 * has no MFA to pass, else the challenge mfa_decide() picks. Sets a->signed_in, or answers
 * the challenge. 0 or -1.
 */
static int ask_mfa(struct auth *a)
{
    struct store_mfa m = {0};
    unsigned factor, factors;
    enum mfa_step step;

    if (store_mfa_get(a->ctx->db, a->user->seq, &m) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not read the MFA settings");
    step = mfa_decide(a->pool, a->user, &m, &factor, &factors);
    store_mfa_clear(&m);
    switch (step) {
    case MFA_STEP_ASK:
        return ask_factor(a, factor);
    case MFA_STEP_SELECT:
        return ask_list(a, "SELECT_MFA_TYPE", "MFAS_CAN_CHOOSE", factors);
    case MFA_STEP_SETUP:
        return ask_list(a, "MFA_SETUP", "MFAS_CAN_SETUP", factors);
    case MFA_STEP_NONE:
        break;
    }
    a->signed_in = true;
    return 0;
}

/* RespondToAuthChallenge SOFTWARE_TOKEN_MFA: SOFTWARE_TOKEN_MFA_CODE, the TOTP of the user's
 * verified secret (mfa_totp_ok: the emulator's clock, one step either way). */
static int respond_software_token(struct auth *a, const struct store_session *s)
{
    const char *code = param(a, "SOFTWARE_TOKEN_MFA_CODE");
    struct store_mfa m = {0};
    bool ok;

    (void)s;
    if (a->user == NULL)
        return invalid_session(a->ctx);
    if (code == NULL)
        return missing(a->ctx, "SOFTWARE_TOKEN_MFA_CODE");
    if (store_mfa_get(a->ctx->db, a->user->seq, &m) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not read the MFA settings");
    ok = mfa_totp_ok(m.totp_secret, code, a->ctx->now_ms);
    store_mfa_clear(&m);
    if (!ok)
        return mfa_code_mismatch(a->ctx);
    a->signed_in = true;
    return 0;
}

/* The code of an SMS_MFA or EMAIL_OTP session in response member name. A wrong one may be
 * tried again while the session lasts; one past its 3 minutes is ExpiredCodeException. */
static int respond_sent_code(struct auth *a, const struct store_session *s, const char *name)
{
    const char *given = param(a, name);
    cJSON *data;
    int rc = 0;

    if (a->user == NULL)
        return invalid_session(a->ctx);
    if (given == NULL)
        return missing(a->ctx, name);
    if ((data = cJSON_Parse(s->data)) == NULL)
        return ops_fail_internal(a->ctx, "unreadable auth session");
    if (json_str(data, "code") == NULL || !secrets_equal(json_str(data, "code"), given))
        rc = mfa_code_mismatch(a->ctx);
    else if (a->ctx->now_ms > json_int(data, "expires_ms", 0))
        rc = cog_err_set(&a->ctx->err, COG_E_EXPIRED_CODE,
                         "Invalid code provided, please request a code again.");
    else
        a->signed_in = true;
    cJSON_Delete(data);
    return rc;
}

static int respond_sms_mfa(struct auth *a, const struct store_session *s)
{
    return respond_sent_code(a, s, "SMS_MFA_CODE");
}

static int respond_email_otp(struct auth *a, const struct store_session *s)
{
    return respond_sent_code(a, s, "EMAIL_OTP_CODE");
}

/* The set of factors a SELECT_MFA_TYPE or MFA_SETUP session offered. */
static unsigned session_factors(const struct store_session *s)
{
    cJSON *data = cJSON_Parse(s->data);
    unsigned factors = (unsigned)json_int(data, "factors", 0);

    cJSON_Delete(data);
    return factors;
}

/* RespondToAuthChallenge SELECT_MFA_TYPE: ANSWER names one of MFAS_CAN_CHOOSE; that factor's
 * challenge follows. Another answer: InvalidParameterException (the emulator's wording). */
static int respond_select_mfa_type(struct auth *a, const struct store_session *s)
{
    const char *answer = param(a, "ANSWER");
    unsigned factor = mfa_factor_of(answer);

    if (a->user == NULL)
        return invalid_session(a->ctx);
    if (answer == NULL)
        return missing(a->ctx, "ANSWER");
    if ((factor & session_factors(s)) == 0)
        return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid MFA type %s for the user.", answer);
    return ask_factor(a, factor);
}

/*
 * RespondToAuthChallenge MFA_SETUP, with the Session that VerifySoftwareToken answered
 * (ops_mfa.c rekeys the MFA_SETUP session at AssociateSoftwareToken and VerifySoftwareToken
 * and marks it verified): the user is signed in. Before the token is verified: an error of the
 * emulator's wording.
 */
static int respond_mfa_setup(struct auth *a, const struct store_session *s)
{
    cJSON *data = cJSON_Parse(s->data);
    bool verified = json_bool(data, "verified", false);

    cJSON_Delete(data);
    if (a->user == NULL)
        return invalid_session(a->ctx);
    if (!verified)
        return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                           "MFA setup is not complete: call AssociateSoftwareToken and "
                           "VerifySoftwareToken with the Session first.");
    a->signed_in = true;
    return 0;
}

/* ---- Lockout -----------------------------------------------------------------------------
 *
 * Cognito locks a user out after repeated wrong passwords: "After five failed sign-in
 * attempts ... temporary lockouts start at one second and increase exponentially, doubling
 * with each failed attempt up to about 15 minutes. Attempts during a temporary lockout period
 * are ignored ... Waiting for about 15 minutes without any attempts also resets the temporary
 * lockout" (developer guide, authentication flow, "Locking out users"), with
 * NotAuthorizedException "Password attempts exceeded" (../shared/cognito-facts.md). So the
 * n-th consecutive failure (n >= 5) locks for 2^(n-5) seconds, at most 15 minutes; a correct
 * password after the lockout signs in and forgets the failures.
 */

#define LOCKOUT_FREE_FAILURES 5
#define LOCKOUT_MAX_MS (15 * 60 * 1000LL)
#define LOCKOUT_FORGET_MS (15 * 60 * 1000LL)

/* Refuse a sign-in of a->user during its lockout. 0 or -1. */
static int check_lockout(struct auth *a)
{
    struct store_lockout l;

    if (store_lockout_get(a->ctx->db, a->user->seq, &l) != STORE_OK)
        return ops_fail_internal(a->ctx, "could not read the lockout");
    if (a->ctx->now_ms < l.locked_until_ms)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "Password attempts exceeded");
    return 0;
}

/* Count a wrong password of a->user (outside any transaction that the error rolls back).
 * The request fails anyway: a store error is only logged. */
static void note_wrong_password(struct auth *a)
{
    struct store_lockout l;
    int64_t now = a->ctx->now_ms, shift;

    if (store_lockout_get(a->ctx->db, a->user->seq, &l) != STORE_OK)
        return;
    if (l.failures > 0 && now - l.last_failure_ms >= LOCKOUT_FORGET_MS)
        l.failures = 0;
    l.failures++;
    l.last_failure_ms = now;
    if (l.failures >= LOCKOUT_FREE_FAILURES) {
        shift = l.failures - LOCKOUT_FREE_FAILURES;
        l.locked_until_ms = now + (shift >= 20                          ? LOCKOUT_MAX_MS
                                   : (1000LL << shift) < LOCKOUT_MAX_MS ? 1000LL << shift
                                                                        : LOCKOUT_MAX_MS);
    }
    if (store_lockout_put(a->ctx->db, a->user->seq, &l) != STORE_OK)
        log_error("auth: could not count a failed sign-in of user %s", a->user->username);
}

/* Forget a->user's failures after a proved password (no write when there are none). */
static int clear_lockout(struct auth *a)
{
    struct store_lockout l;

    if (store_lockout_get(a->ctx->db, a->user->seq, &l) != STORE_OK ||
        (l.failures > 0 && store_lockout_clear(a->ctx->db, a->user->seq) != STORE_OK))
        return ops_fail_internal(a->ctx, "could not update the lockout");
    return 0;
}

/* ---- NEW_PASSWORD_REQUIRED --------------------------------------------------------------- */

/* The pool's schema entry of attribute name, or NULL. */
static const cJSON *schema_attribute(const cJSON *pool, const char *name)
{
    const cJSON *attr;

    cJSON_ArrayForEach(attr, json_get(pool, "SchemaAttributes"))
    {
        const char *n = json_str(attr, "Name");
        if (n != NULL && strcmp(n, name) == 0)
            return attr;
    }
    return NULL;
}

/*
 * The NEW_PASSWORD_REQUIRED challenge of a user made by AdminCreateUser. Its parameters are
 * strings, two of them JSON text: USER_ID_FOR_SRP (the username), requiredAttributes (the
 * pool's required attributes the user lacks, as "userAttributes.<name>") and userAttributes
 * (the user's attributes without sub). Shape of real responses: amplify-ui e2e fixtures
 * force-change-password*.json, and an aws cli transcript with USER_ID_FOR_SRP.
 */
static int challenge_new_password(struct auth *a)
{
    cJSON *params = cJSON_CreateObject(), *attrs = userpool_attributes(a->user);
    cJSON *required = cJSON_CreateArray();
    const cJSON *attr;
    char *required_text = NULL, *attrs_text = NULL;
    int bad = params == NULL || attrs == NULL || required == NULL;

    if (!bad) {
        cJSON_DeleteItemFromObjectCaseSensitive(attrs, "sub");
        cJSON_ArrayForEach(attr, json_get(a->pool, "SchemaAttributes"))
        {
            const char *name = json_str(attr, "Name");
            char entry[160];
            if (name == NULL || !json_bool(attr, "Required", false) || strcmp(name, "sub") == 0 ||
                json_get(attrs, name) != NULL)
                continue;
            snprintf(entry, sizeof(entry), "userAttributes.%s", name);
            bad |= !cJSON_AddItemToArray(required, cJSON_CreateString(entry));
        }
        required_text = cJSON_PrintUnformatted(required);
        attrs_text = cJSON_PrintUnformatted(attrs);
        bad |= required_text == NULL || attrs_text == NULL;
        bad |= json_set_str(params, "USER_ID_FOR_SRP", a->user->username);
        bad |= json_set_str(params, "requiredAttributes", required_text ? required_text : "");
        bad |= json_set_str(params, "userAttributes", attrs_text ? attrs_text : "");
    }
    cJSON_Delete(attrs);
    cJSON_Delete(required);
    free(required_text);
    free(attrs_text);
    if (bad) {
        cJSON_Delete(params);
        return ops_fail_internal(a->ctx, "out of memory");
    }
    return answer_challenge(a, "NEW_PASSWORD_REQUIRED", params);
}

/*
 * Apply the "userAttributes.<name>" responses to attrs (the user's attribute object), then
 * require every required attribute. Cognito refuses to change a required attribute that
 * already has a value ("Cannot modify an already provided email"; the API reference: "you
 * can't modify a required attribute that already has a value") and names a missing one
 * ("Invalid attributes given, name is missing", aws-amplify/aws-sdk-android#1402).
 */
static int apply_new_password_attributes(struct auth *a, cJSON *attrs)
{
    static const char prefix[] = "userAttributes.";
    const size_t plen = sizeof(prefix) - 1;
    const cJSON *item, *attr;

    cJSON_ArrayForEach(item, a->params)
    {
        const char *name = item->string, *old;
        const cJSON *schema;
        if (name == NULL || strncmp(name, prefix, plen) != 0 || !cJSON_IsString(item))
            continue;
        name += plen;
        schema = schema_attribute(a->pool, name);
        if (schema == NULL)
            return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                               "Attribute does not exist in the schema.");
        old = json_str(attrs, name);
        if (old != NULL && strcmp(old, item->valuestring) != 0 &&
            (json_bool(schema, "Required", false) || strcmp(name, "sub") == 0))
            return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                               "Cannot modify an already provided %s", name);
        if (json_set_str(attrs, name, item->valuestring) != 0)
            return ops_fail_internal(a->ctx, "out of memory");
    }
    cJSON_ArrayForEach(attr, json_get(a->pool, "SchemaAttributes"))
    {
        const char *name = json_str(attr, "Name");
        if (name != NULL && json_bool(attr, "Required", false) && strcmp(name, "sub") != 0 &&
            json_get(attrs, name) == NULL)
            return cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER,
                               "Invalid attributes given, %s is missing", name);
    }
    return 0;
}

/* Replace *field (an owned string of a store_user) with a copy of value. 0 or -1. */
static int set_field(char **field, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

/*
 * RespondToAuthChallenge NEW_PASSWORD_REQUIRED: ChallengeResponses {USERNAME, NEW_PASSWORD,
 * userAttributes.<name>...}. Sets the new password (the pool's policy applies:
 * InvalidPasswordException), the attributes, and status CONFIRMED; the user is then signed in.
 */
static int respond_new_password(struct auth *a, const struct store_session *s)
{
    const char *password = param(a, "NEW_PASSWORD");
    struct store_user *u = a->user;
    cJSON *attrs = NULL;
    char *text = NULL;
    int rc = -1;

    (void)s;
    if (u == NULL) /* a session of this challenge always names its user */
        return invalid_session(a->ctx);
    if (password == NULL)
        return missing(a->ctx, "NEW_PASSWORD");
    if (!u->enabled)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
    if (userpool_set_password(a->ctx, a->pool, u, password) != 0)
        return -1;
    if ((attrs = userpool_attributes(u)) == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    if (apply_new_password_attributes(a, attrs) != 0)
        goto out;
    if ((text = cJSON_PrintUnformatted(attrs)) == NULL || set_field(&u->attributes, text) != 0 ||
        set_field(&u->status, "CONFIRMED") != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    u->modified_ms = a->ctx->now_ms;
    if (store_user_update(a->ctx->db, u) != STORE_OK) {
        ops_fail_internal(a->ctx, "could not update the user");
        goto out;
    }
    rc = ask_mfa(a);
out:
    cJSON_Delete(attrs);
    free(text);
    return rc;
}

/* ---- Password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH) ------- */

/* Whether the temporary password of a FORCE_CHANGE_PASSWORD user is older than the pool's
 * TemporaryPasswordValidityDays. The user's last change is when the password was set. */
static bool temporary_password_expired(const struct auth *a)
{
    const cJSON *policy = json_get(json_get(a->pool, "Policies"), "PasswordPolicy");
    int64_t days = json_int(policy, "TemporaryPasswordValidityDays", 0);

    if (days <= 0)
        days = DEFAULT_TEMPORARY_PASSWORD_DAYS;
    return a->ctx->now_ms - a->user->modified_ms > days * 86400000;
}

/*
 * What a user who proved the password (USER_PASSWORD_AUTH's PASSWORD, or USER_SRP_AUTH's
 * PASSWORD_VERIFIER) gets, by state. The password is checked first: a disabled or unconfirmed
 * user with a wrong password gets "Incorrect username or password." ("If a user is disabled
 * and the password is incorrect, the error will also indicate that either the username or
 * password is incorrect", developer guide, managing error responses); then "User is
 * disabled." (localstack#8454 quotes AWS), then UserNotConfirmedException. A user in
 * FORCE_CHANGE_PASSWORD is asked NEW_PASSWORD_REQUIRED; any other is signed in: a->signed_in
 * is set, and the caller issues the tokens (after its transaction, if it has one).
 */
static int password_accepted(struct auth *a)
{
    const char *status = a->user->status;

    if (!a->user->enabled)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
    if (strcmp(status, "UNCONFIRMED") == 0)
        return cog_err_set(&a->ctx->err, COG_E_USER_NOT_CONFIRMED, "User is not confirmed.");
    if (strcmp(status, "FORCE_CHANGE_PASSWORD") == 0) {
        if (temporary_password_expired(a))
            return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                               "Temporary password has expired and must be reset by an "
                               "administrator.");
        return challenge_new_password(a);
    }
    return ask_mfa(a);
}

/*
 * After AdminResetUserPassword the old password no longer signs in: Cognito answers
 * PasswordResetRequiredException "Password reset required for the user" (amplify-ui fixture
 * force-reset-password.json), unless the password is plainly wrong. matched is whether the
 * password was proved. Returns -1 with that error, or 0.
 */
static int check_reset_required(const struct auth *a, bool matched)
{
    if (strcmp(a->user->status, "RESET_REQUIRED") == 0 &&
        (matched || a->user->srp_verifier == NULL))
        return cog_err_set(&a->ctx->err, COG_E_PASSWORD_RESET_REQUIRED,
                           "Password reset required for the user");
    return 0;
}

static int start_password(struct auth *a)
{
    const char *username = param(a, "USERNAME"), *password = param(a, "PASSWORD");
    int st;

    if (username == NULL)
        return missing(a->ctx, "USERNAME");
    if (password == NULL)
        return missing(a->ctx, "PASSWORD");
    if (userpool_check_secret_hash(a->ctx, a->client, username, param(a, "SECRET_HASH")) != 0)
        return -1;
    st = userpool_find_user(a->ctx, a->pool, username, &a->user);
    if (st == STORE_ERROR)
        return -1;
    if (st != STORE_OK)
        return unknown_user(a);
    if (check_lockout(a) != 0)
        return -1;
    st = userpool_password_matches(a->pool, a->user, password);
    if (st < 0)
        return ops_fail_internal(a->ctx, "could not check the password");
    if (st == 0)
        note_wrong_password(a);
    if (check_reset_required(a, st == 1) != 0)
        return -1;
    if (st == 0)
        return incorrect_password(a->ctx);
    if (clear_lockout(a) != 0 || password_accepted(a) != 0)
        return -1;
    return a->signed_in ? answer_sign_in(a) : 0;
}

/* ---- USER_SRP_AUTH and PASSWORD_VERIFIER ------------------------------------------------- */

/*
 * USER_SRP_AUTH proves the password without sending it (../shared/cognito-facts.md 2.3):
 * InitiateAuth {USERNAME, SRP_A} is answered with the PASSWORD_VERIFIER challenge {SALT,
 * SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME}; the response brings back TIMESTAMP and
 * PASSWORD_CLAIM_SIGNATURE, an HMAC keyed with the shared SRP key over the pool name,
 * USER_ID_FOR_SRP, the secret block and TIMESTAMP.
 *
 * Real Cognito sends no Session with this challenge: its SECRET_BLOCK is an opaque blob that
 * carries the state, and the clients send only that back (a real response without Session is
 * quoted in floci-io/floci#1305; ministackorg/ministack#1758 measured the same against AWS,
 * with "Incorrect username or password." for a wrong SECRET_BLOCK). Here SECRET_BLOCK is
 * SRP_SECRET_BLOCK_BYTES random bytes that mean nothing by themselves; its base64 text is the key
 * of the session row that keeps the state: A, the server's secret b, B, the salt and
 * USER_ID_FOR_SRP in the data, the user in user_seq.
 *
 * With PreventUserExistenceErrors ENABLED an unknown user gets a challenge that looks like a
 * real one (developer guide, "Managing error responses": Cognito "returns a simulated
 * response" and the sign-in fails later with the wrong-password error): a salt that is the
 * same on every attempt for that name, a B made from a random verifier, and in a pool that
 * signs in by email or phone a UUID as USER_ID_FOR_SRP, as a real user there has. Its session
 * names no user and is refused at the verifier with "Incorrect username or password.".
 */

#define SRP_A_MAX_DIGITS 1024   /* 768 for a value below N, and room for leading zeros */
#define SRP_VERIFIER_DIGITS 800 /* srp.c's bound for stored verifiers */
/* How far TIMESTAMP may be from the clock. Cognito's bound is not documented (the API
 * reference only says the response must come "within a few seconds"); this is generous, for
 * clients whose clocks drift. */
#define TIMESTAMP_SKEW_MS (15 * 60 * 1000)

/* USER_ID_FOR_SRP for a name that is no user's: its username key, or in a pool with
 * UsernameAttributes a version-4-shaped UUID derived from it. A new string, or NULL. */
static char *fake_user_id(const struct auth *a, const char *name)
{
    const cJSON *by = json_get(a->pool, "UsernameAttributes");
    char *key = userpool_username_key(a->pool, name), *id;

    if (key == NULL || !cJSON_IsArray(by) || cJSON_GetArraySize(by) == 0)
        return key;
    id = srp_fake_user_id(json_str(a->pool, "Id"), key);
    free(key);
    return id;
}

/* Set name of obj to x in hex. 0, or -1 when out of memory. */
static int set_hex(cJSON *obj, const char *name, const BIGNUM *x)
{
    char *hex = srp_bn_to_hex(x);
    int rc = hex != NULL ? json_set_str(obj, name, hex) : -1;

    srp_free_secret(hex); /* b is secret */
    return rc;
}

/*
 * Ask PASSWORD_VERIFIER for the client's A: a->user, or NULL for the name of an unknown user
 * (PreventUserExistenceErrors). A user without a password gets a challenge that no password
 * answers. The state goes into a session row under the SECRET_BLOCK; no Session is answered.
 */
static int challenge_password_verifier(struct auth *a, const BIGNUM *A, const char *name)
{
    const struct store_user *u = a->user;
    bool real = u != NULL && u->srp_verifier != NULL && u->srp_salt != NULL;
    char *user_id = NULL, *salt = NULL, *text = NULL, block[SRP_SECRET_BLOCK_B64 + 1];
    BIGNUM *v = NULL, *b = NULL, *B = NULL;
    cJSON *data = cJSON_CreateObject(), *params = cJSON_CreateObject();
    int rc = -1;

    user_id = u != NULL ? strdup(u->username) : fake_user_id(a, name);
    if (user_id != NULL)
        salt = real ? strdup(u->srp_salt) : srp_fake_salt(json_str(a->pool, "Id"), user_id);
    v = real ? srp_bn_from_hex(u->srp_verifier, SRP_VERIFIER_DIGITS) : srp_fake_verifier();
    if (v != NULL && (b = srp_random_secret()) != NULL)
        B = srp_compute_B(v, b);
    if (data == NULL || params == NULL || user_id == NULL || salt == NULL || B == NULL ||
        srp_secret_block_new(block) != 0) {
        ops_fail_internal(a->ctx, "could not make the SRP challenge");
        goto out;
    }
    if (set_hex(data, "A", A) != 0 || set_hex(data, "b", b) != 0 || set_hex(data, "B", B) != 0 ||
        json_set_str(data, "SALT", salt) != 0 ||
        json_set_str(data, "USER_ID_FOR_SRP", user_id) != 0 ||
        (text = cJSON_PrintUnformatted(data)) == NULL || json_set_str(params, "SALT", salt) != 0 ||
        set_hex(params, "SRP_B", B) != 0 || json_set_str(params, "SECRET_BLOCK", block) != 0 ||
        json_set_str(params, "USER_ID_FOR_SRP", user_id) != 0 ||
        json_set_str(params, "USERNAME", user_id) != 0) {
        ops_fail_internal(a->ctx, "out of memory");
        goto out;
    }
    if (store_challenge(a, block, "PASSWORD_VERIFIER", text) != 0)
        goto out;
    rc = answer_challenge_with(a, "PASSWORD_VERIFIER", params, NULL);
    params = NULL;
out:
    srp_free_secret(text);
    free(user_id);
    free(salt);
    BN_free(v);
    BN_clear_free(b);
    BN_free(B);
    cJSON_Delete(data);
    cJSON_Delete(params);
    return rc;
}

/*
 * USER_SRP_AUTH: AuthParameters USERNAME, SRP_A (hex), and SECRET_HASH for a client with a
 * secret (over USERNAME as typed). An SRP_A that is not hex, or is 0 mod N, is refused with
 * InvalidParameterException, which is what Cognito answers for a tampered SRP_A
 * (amazon-archives/amazon-cognito-identity-js#356; its message was not found, so the wording
 * is the emulator's). An unknown user: UserNotFoundException here, or with
 * PreventUserExistenceErrors ENABLED a simulated challenge.
 */
static int start_srp(struct auth *a)
{
    const char *username = param(a, "USERNAME"), *srp_a = param(a, "SRP_A");
    BIGNUM *A = NULL;
    int st, rc = -1;

    if (username == NULL)
        return missing(a->ctx, "USERNAME");
    if (srp_a == NULL)
        return missing(a->ctx, "SRP_A");
    if (userpool_check_secret_hash(a->ctx, a->client, username, param(a, "SECRET_HASH")) != 0)
        return -1;
    A = srp_bn_from_hex(srp_a, SRP_A_MAX_DIGITS);
    st = A != NULL ? srp_public_ok(A) : 0;
    if (st < 0) {
        ops_fail_internal(a->ctx, "could not check SRP_A");
        goto out;
    }
    if (st == 0) {
        cog_err_set(&a->ctx->err, COG_E_INVALID_PARAMETER, "Invalid SRP_A value.");
        goto out;
    }
    st = userpool_find_user(a->ctx, a->pool, username, &a->user);
    if (st == STORE_ERROR)
        goto out;
    if (st != STORE_OK && !hides_user_existence(a)) {
        unknown_user(a);
        goto out;
    }
    rc = challenge_password_verifier(a, A, username);
out:
    BN_free(A);
    return rc;
}

/*
 * Whether TIMESTAMP is a well-formed time (srp_parse_timestamp: the exact form the clients
 * write, of a real date) within TIMESTAMP_SKEW_MS of the emulator's clock, or
 * of the wall clock: a developer who moved the emulator's clock (clock.h) still has clients
 * that read the real one.
 */
static bool timestamp_ok(const struct auth *a, const char *timestamp)
{
    int64_t t, now = a->ctx->now_ms, wall = now - clock_offset_ms();

    return srp_parse_timestamp(timestamp, &t) &&
           ((t > now - TIMESTAMP_SKEW_MS && t < now + TIMESTAMP_SKEW_MS) ||
            (t > wall - TIMESTAMP_SKEW_MS && t < wall + TIMESTAMP_SKEW_MS));
}

/*
 * Whether the response proves a->user's password: 1 yes, 0 no, -1 on error (ctx->err not
 * set). data is the session's state, block the secret block (the session key, so one this
 * server made), signature and timestamp the client's.
 */
static int proof_matches(const struct auth *a, const cJSON *data, const char *block,
                         const char *signature, const char *timestamp)
{
    const struct store_user *u = a->user;
    const char *salt = json_str(data, "SALT"), *user_id = json_str(data, "USER_ID_FOR_SRP");
    BIGNUM *A = srp_bn_from_hex(json_str(data, "A"), SRP_A_MAX_DIGITS);
    BIGNUM *b = srp_bn_from_hex(json_str(data, "b"), SRP_VERIFIER_DIGITS);
    BIGNUM *B = srp_bn_from_hex(json_str(data, "B"), SRP_VERIFIER_DIGITS), *v = NULL;
    int rc = -1;

    if (A == NULL || b == NULL || B == NULL || salt == NULL || user_id == NULL ||
        strlen(block) != SRP_SECRET_BLOCK_B64)
        goto out;
    rc = 0;
    /* B was made from the verifier of the password the user had then: a password set since
     * (a new salt), or none at all, cannot be proved with this challenge. */
    if (!timestamp_ok(a, timestamp) || u->srp_verifier == NULL || u->srp_salt == NULL ||
        strcmp(u->srp_salt, salt) != 0)
        goto out;
    rc = -1;
    if ((v = srp_bn_from_hex(u->srp_verifier, SRP_VERIFIER_DIGITS)) == NULL)
        goto out;
    rc = srp_claim_ok(A, B, v, b, srp_pool_name(json_str(a->pool, "Id")), user_id, block, timestamp,
                      signature);
out:
    BN_free(A);
    BN_clear_free(b);
    BN_free(B);
    BN_free(v);
    return rc;
}

/*
 * RespondToAuthChallenge PASSWORD_VERIFIER, first half, outside the transaction (the SRP
 * arithmetic takes a millisecond or two, too long to hold the database's write lock):
 * ChallengeResponses USERNAME, PASSWORD_CLAIM_SECRET_BLOCK (the session key, already found),
 * PASSWORD_CLAIM_SIGNATURE, TIMESTAMP. Sets a->proved when they prove a->user's password. The
 * session of an unknown user is "Incorrect username or password." at once.
 */
static int verify_password_claim(struct auth *a, const struct store_session *s)
{
    const char *signature = param(a, "PASSWORD_CLAIM_SIGNATURE");
    const char *timestamp = param(a, "TIMESTAMP");
    cJSON *data;
    int st;

    if (signature == NULL)
        return missing(a->ctx, "PASSWORD_CLAIM_SIGNATURE");
    if (timestamp == NULL)
        return missing(a->ctx, "TIMESTAMP");
    if (a->user == NULL)
        return incorrect_password(a->ctx);
    if ((data = cJSON_Parse(s->data)) == NULL)
        return ops_fail_internal(a->ctx, "unreadable auth session");
    st = proof_matches(a, data, param(a, "PASSWORD_CLAIM_SECRET_BLOCK"), signature, timestamp);
    cJSON_Delete(data);
    if (st < 0)
        return ops_fail_internal(a->ctx, "could not check the password claim");
    a->proved = st == 1;
    return 0;
}

/*
 * Second half, inside the transaction, on the session and user read again: a wrong password,
 * signature or timestamp is "Incorrect username or password."; a proved one continues as
 * password sign-in does (password_accepted: the user's state, NEW_PASSWORD_REQUIRED, or
 * tokens). A password set since the check (a new salt) voids the proof.
 */
static int respond_password_verifier(struct auth *a, const struct store_session *s)
{
    cJSON *data = cJSON_Parse(s->data);
    const char *salt = json_str(data, "SALT");
    bool proved = a->proved && a->user != NULL && a->user->srp_salt != NULL && salt != NULL &&
                  strcmp(a->user->srp_salt, salt) == 0;

    cJSON_Delete(data);
    if (a->user == NULL)
        return incorrect_password(a->ctx);
    if (check_lockout(a) != 0)
        return -1;
    /* Counted by respond() once this transaction is rolled back. */
    a->wrong_password = !proved;
    if (check_reset_required(a, proved) != 0)
        return -1;
    if (!proved)
        return incorrect_password(a->ctx);
    if (clear_lockout(a) != 0)
        return -1;
    return password_accepted(a);
}

/* ---- Refresh (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken) ------------------------------ */

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
 * REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens with the sign-in's auth_time
 * and origin_jti, and no new refresh token. On a client with a secret, SECRET_HASH is computed
 * over the token user's username (its cognito:username, a UUID in pools that sign in by email),
 * not over what the user typed (aws/aws-sdk-net-extensions-cognito#122). A wrong one gets the
 * wording Cognito uses for refreshes, "SecretHash does not match for the client: <id>"
 * (aws-sdk-net-extensions-cognito#94, NabuCasa/pycognito#196, amplify-android#3111).
 */
static int start_refresh(struct auth *a)
{
    const char *token = param(a, "REFRESH_TOKEN"), *hash = param(a, "SECRET_HASH");
    const char *secret = json_str(a->client, "ClientSecret");
    struct store_refresh *r = NULL;
    int rc = -1;

    if (token == NULL)
        return missing(a->ctx, "REFRESH_TOKEN");
    /* A missing SECRET_HASH is refused before the token is looked at. */
    if (secret != NULL && hash == NULL)
        return userpool_check_secret_hash(a->ctx, a->client, "", NULL);
    if (tokens_redeem_refresh(a->ctx, token, a->client_id, &r) != 0 || refresh_user(a, r) != 0)
        goto out;
    if (secret != NULL && !secrets_secret_hash_ok(secret, a->user->username, a->client_id, hash)) {
        cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                    "SecretHash does not match for the client: %s", a->client_id);
        goto out;
    }
    rc = answer_tokens(a, r->auth_time, r->origin_jti, false, true);
out:
    store_refresh_free(r);
    return rc;
}

/* ---- The tables -------------------------------------------------------------------------- */

enum flow_api { FLOW_CLIENT = 1, FLOW_ADMIN = 2, FLOW_BOTH = 3 };

struct flow {
    const char *name;             /* the AuthFlow */
    const char *client_flow;      /* the name its ExplicitAuthFlows check knows it by */
    unsigned apis;                /* FLOW_CLIENT: InitiateAuth; FLOW_ADMIN: AdminInitiateAuth */
    int (*start)(struct auth *a); /* NULL: not implemented yet */
};

/*
 * ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH are AdminInitiateAuth's, USER_PASSWORD_AUTH
 * InitiateAuth's (API reference, AuthFlow); the other operation refuses them with "Initiate
 * Auth method not supported" (what AWS confirmed to moto, getmoto/moto#4836).
 */
static const struct flow FLOWS[] = {
    {"ADMIN_NO_SRP_AUTH", "ADMIN_NO_SRP_AUTH", FLOW_ADMIN, start_password},
    {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", FLOW_ADMIN, start_password},
    {"CUSTOM_AUTH", "CUSTOM_AUTH", FLOW_BOTH, NULL},
    {"REFRESH_TOKEN", "REFRESH_TOKEN_AUTH", FLOW_BOTH, start_refresh},
    {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH", FLOW_BOTH, start_refresh},
    {"USER_AUTH", "USER_AUTH", FLOW_BOTH, NULL},
    {"USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH", FLOW_CLIENT, start_password},
    {"USER_SRP_AUTH", "USER_SRP_AUTH", FLOW_BOTH, start_srp},
};

struct challenge {
    const char *name; /* the ChallengeName */
    /* Where the response names its session: NULL for the request's Session, else the
     * ChallengeResponses entry that is the session's key. An unknown key in that entry is
     * answered as a wrong password, an unknown Session as an expired session. */
    const char *session_in;
    /* Optional: the costly, read-only part of the check, on the session and its user before
     * the transaction (it may set a->proved). 0, or -1 to refuse the response. */
    int (*verify)(struct auth *a, const struct store_session *s);
    /* Check the response for a->user (the session's; NULL for a session that names no user)
     * inside the operation's transaction; set a->signed_in, or answer the next challenge.
     * 0 or -1. */
    int (*respond)(struct auth *a, const struct store_session *s);
};

static const struct challenge CHALLENGES[] = {
    {"EMAIL_OTP", NULL, NULL, respond_email_otp},
    {"MFA_SETUP", NULL, NULL, respond_mfa_setup},
    {"NEW_PASSWORD_REQUIRED", NULL, NULL, respond_new_password},
    {"PASSWORD_VERIFIER", "PASSWORD_CLAIM_SECRET_BLOCK", verify_password_claim,
     respond_password_verifier},
    {"SELECT_MFA_TYPE", NULL, NULL, respond_select_mfa_type},
    {"SMS_MFA", NULL, NULL, respond_sms_mfa},
    {"SOFTWARE_TOKEN_MFA", NULL, NULL, respond_software_token},
};

static const struct flow *find_flow(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(FLOWS) / sizeof(FLOWS[0]); i++)
        if (strcmp(FLOWS[i].name, name) == 0)
            return &FLOWS[i];
    return NULL;
}

static const struct challenge *find_challenge(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(CHALLENGES) / sizeof(CHALLENGES[0]); i++)
        if (strcmp(CHALLENGES[i].name, name) == 0)
            return &CHALLENGES[i];
    return NULL;
}

/* ---- InitiateAuth, AdminInitiateAuth ----------------------------------------------------- */

static int initiate(struct op_ctx *ctx, bool admin)
{
    const char *name = json_str(ctx->in, "AuthFlow");
    const struct flow *flow = find_flow(name);
    struct auth a = {.ctx = ctx, .admin = admin, .params = json_get(ctx->in, "AuthParameters")};
    int rc = -1;

    if (flow == NULL || !(flow->apis & (admin ? FLOW_ADMIN : FLOW_CLIENT)))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Initiate Auth method not supported");
    if (load_client(&a) != 0 || userpool_check_auth_flow(ctx, a.client, flow->client_flow) != 0)
        goto out;
    if (flow->start == NULL)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "cognito-emu does not implement %s yet",
                    name);
    else
        rc = flow->start(&a);
out:
    auth_free(&a);
    return rc;
}

int op_initiate_auth(struct op_ctx *ctx)
{
    return initiate(ctx, false);
}

int op_admin_initiate_auth(struct op_ctx *ctx)
{
    return initiate(ctx, true);
}

/* ---- RespondToAuthChallenge, AdminRespondToAuthChallenge --------------------------------- */

/*
 * Load session id of challenge c into *out: it must exist, belong to the request's pool and
 * client, be for that challenge and not have expired. "Invalid session for the user, session
 * is expired." otherwise, except that a session key given in the ChallengeResponses (the
 * SECRET_BLOCK) that is not one of ours is a wrong password, as Cognito answers a tampered
 * SECRET_BLOCK (see USER_SRP_AUTH).
 */
static int load_session(struct auth *a, const char *id, const struct challenge *c,
                        struct store_session **out)
{
    struct store_session *s = NULL;
    int st = store_session_get(a->ctx->db, id, &s);
    bool ours;

    *out = NULL;
    if (st == STORE_ERROR)
        return ops_fail_internal(a->ctx, "could not read the auth session");
    ours = st == STORE_OK && strcmp(s->pool_id, json_str(a->pool, "Id")) == 0 &&
           strcmp(s->client_id, a->client_id) == 0 && strcmp(s->challenge, c->name) == 0;
    if (!ours || s->expires_ms <= a->ctx->now_ms) {
        store_session_free(s);
        return !ours && c->session_in != NULL ? incorrect_password(a->ctx)
                                              : invalid_session(a->ctx);
    }
    *out = s;
    return 0;
}

/*
 * The session's user into a->user. USERNAME must name that user (by username or by whatever
 * else signs the user in); a response for another user gets "Invalid session provided for the
 * user." (kdgregory/example-cognito-java#1 quotes it for a changed USERNAME).
 */
static int load_session_user(struct auth *a, const struct store_session *s, const char *username)
{
    struct store_user *named = NULL;
    int st;
    bool same;

    if (s->user_seq <= 0) /* a simulated challenge (PreventUserExistenceErrors) */
        return 0;
    st = store_user_get_by_seq(a->ctx->db, s->user_seq, &a->user);
    if (st == STORE_ERROR)
        return ops_fail_internal(a->ctx, "could not read the user");
    if (st != STORE_OK)
        return invalid_session(a->ctx);
    if (strcmp(a->user->username, username) == 0)
        return 0;
    st = userpool_find_user(a->ctx, a->pool, username, &named);
    if (st == STORE_ERROR)
        return -1;
    same = st == STORE_OK && named->seq == a->user->seq;
    store_user_free(named);
    if (!same)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                           "Invalid session provided for the user.");
    return 0;
}

static int respond(struct op_ctx *ctx, bool admin)
{
    const char *name = json_str(ctx->in, "ChallengeName"), *session = json_str(ctx->in, "Session");
    const struct challenge *c = find_challenge(name);
    struct auth a = {.ctx = ctx, .admin = admin, .params = json_get(ctx->in, "ChallengeResponses")};
    struct store_session *s = NULL;
    const char *username, *key;
    int rc = -1;

    if (load_client(&a) != 0)
        goto out;
    if (c == NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "cognito-emu does not implement the %s challenge yet", name);
        goto out;
    }
    if ((username = param(&a, "USERNAME")) == NULL) {
        missing(ctx, "USERNAME");
        goto out;
    }
    if (userpool_check_secret_hash(ctx, a.client, username, param(&a, "SECRET_HASH")) != 0)
        goto out;
    key = c->session_in != NULL ? param(&a, c->session_in) : session;
    if (key == NULL) {
        missing(ctx, c->session_in != NULL ? c->session_in : "Session");
        goto out;
    }
    /* The costly checks first, outside any transaction: it would hold the database's write
     * lock, which every other sign-in waits for. They are repeated on fresh reads below. */
    if (c->verify != NULL) {
        rc = load_session(&a, key, c, &s);
        if (rc == 0)
            rc = load_session_user(&a, s, username);
        if (rc == 0)
            rc = c->verify(&a, s);
        store_session_free(s);
        s = NULL;
        store_user_free(a.user);
        a.user = NULL;
        if (rc != 0)
            goto out;
        rc = -1;
    }
    /* One transaction from reading the session to deleting it: a session answers once. A
     * refused response leaves it for another try until it expires. */
    if (ops_txn_begin(ctx) != 0)
        goto out;
    rc = load_session(&a, key, c, &s);
    if (rc == 0)
        rc = load_session_user(&a, s, username);
    if (rc == 0)
        rc = c->respond(&a, s);
    if (rc == 0 && store_session_delete(ctx->db, key) != STORE_OK)
        rc = ops_fail_internal(ctx, "could not delete the auth session");
    rc = ops_txn_end(ctx, rc);
    if (rc != 0 && a.wrong_password && a.user != NULL)
        note_wrong_password(&a);
    if (rc == 0 && a.signed_in)
        rc = answer_sign_in(&a);
out:
    store_session_free(s);
    auth_free(&a);
    return rc;
}

int op_respond_to_auth_challenge(struct op_ctx *ctx)
{
    return respond(ctx, false);
}

int op_admin_respond_to_auth_challenge(struct op_ctx *ctx)
{
    return respond(ctx, true);
}

/* ---- GetTokensFromRefreshToken ----------------------------------------------------------- */

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
 * New ID and access tokens for a refresh token. Refresh token rotation
 * (RefreshTokenRotation.Feature ENABLED: a new refresh token, the old one invalid after
 * RetryGracePeriodSeconds, RefreshTokenReuseException afterwards) is not implemented yet:
 * the store has no way to mark a token superseded. Without it Cognito returns no
 * RefreshToken, and Amplify keeps the one it has.
 */
int op_get_tokens_from_refresh_token(struct op_ctx *ctx)
{
    struct auth a = {.ctx = ctx};
    struct store_refresh *r = NULL;
    int rc = -1;

    if (load_client(&a) == 0 && check_client_secret(&a) == 0 &&
        userpool_check_auth_flow(ctx, a.client, "REFRESH_TOKEN_AUTH") == 0 &&
        tokens_redeem_refresh(ctx, json_str(ctx->in, "RefreshToken"), a.client_id, &r) == 0 &&
        refresh_user(&a, r) == 0)
        rc = answer_tokens(&a, r->auth_time, r->origin_jti, false, false);
    store_refresh_free(r);
    auth_free(&a);
    return rc;
}
