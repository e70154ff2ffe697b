/*
 * ops_auth: sign-in. InitiateAuth and AdminInitiateAuth start a flow, RespondToAuthChallenge
 * and AdminRespondToAuthChallenge answer the challenge a flow asked, GetTokensFromRefreshToken
 * renews tokens (what Amplify v6 refreshes with).
 *
 * Two tables drive it, so that new flows and challenges are entries rather than branches:
 * FLOWS maps each AuthFlow to the operations that accept it and the function that starts it
 * (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and its old name ADMIN_NO_SRP_AUTH,
 * REFRESH_TOKEN_AUTH and its alias REFRESH_TOKEN; USER_SRP_AUTH, CUSTOM_AUTH and USER_AUTH
 * are listed but not implemented yet); CHALLENGES maps each ChallengeName to the function
 * that checks a response (NEW_PASSWORD_REQUIRED; PASSWORD_VERIFIER and the MFA challenges
 * come next). A flow ends by signing the user in (tokens.c) or by asking a challenge: a
 * session (an opaque random string, stored with the user and the challenge, valid for the
 * client's AuthSessionValidity minutes) that the response must bring back.
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

#include "jsonutil.h"
#include "op.h"
#include "ops_common.h"
#include "secrets.h"
#include "store.h"
#include "tokens.h"
#include "userpool.h"

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
    bool signed_in;          /* a challenge handler accepted the response: issue tokens */
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

/*
 * An unknown user: UserNotFoundException, or with the client's PreventUserExistenceErrors
 * ENABLED the same answer as a wrong password (developer guide, "Managing error responses").
 */
static int unknown_user(const struct auth *a)
{
    const char *prevent = json_str(a->client, "PreventUserExistenceErrors");

    if (prevent != NULL && strcmp(prevent, "ENABLED") == 0)
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
 * Ask challenge name of a->user: store a new session for it and answer ChallengeName,
 * ChallengeParameters (params, taken over) and Session. 0, or -1 with ctx->err set.
 */
static int answer_challenge(struct auth *a, const char *name, cJSON *params)
{
    int64_t minutes = json_int(a->client, "AuthSessionValidity", DEFAULT_SESSION_MINUTES);
    struct store_session s = {
        .pool_id = (char *)json_str(a->pool, "Id"),
        .client_id = (char *)a->client_id,
        .user_seq = a->user->seq,
        .challenge = (char *)name,
        .data = NULL,
        .expires_ms = a->ctx->now_ms + (minutes > 0 ? minutes : DEFAULT_SESSION_MINUTES) * 60000,
    };
    char *session = secrets_token(SESSION_BYTES);
    int rc = -1;

    if (session == NULL || params == NULL) {
        ops_fail_internal(a->ctx, "out of memory");
    } else if (store_session_put(a->ctx->db, session, &s) != STORE_OK) {
        ops_fail_internal(a->ctx, "could not store the auth session");
    } else if (json_set_str(a->ctx->out, "ChallengeName", name) != 0) {
        ops_fail_internal(a->ctx, "out of memory");
    } else {
        rc = ops_out_set(a->ctx, "ChallengeParameters", params);
        params = NULL;
        if (rc == 0 && json_set_str(a->ctx->out, "Session", session) != 0)
            rc = ops_fail_internal(a->ctx, "out of memory");
    }
    cJSON_Delete(params);
    free(session);
    return rc;
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
    a->signed_in = true;
    rc = 0;
out:
    cJSON_Delete(attrs);
    free(text);
    return rc;
}

/* ---- Password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH) ---------------------- */

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
 * What a user who gave the right password gets, by state. The password is checked first: a
 * disabled or unconfirmed user with a wrong password gets "Incorrect username or password."
 * ("If a user is disabled and the password is incorrect, the error will also indicate that
 * either the username or password is incorrect", developer guide, managing error responses);
 * then "User is disabled." (localstack#8454 quotes AWS), then UserNotConfirmedException.
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
    return answer_sign_in(a);
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
    st = userpool_password_matches(a->pool, a->user, password);
    if (st < 0)
        return ops_fail_internal(a->ctx, "could not check the password");
    /* After AdminResetUserPassword the old password no longer signs in: Cognito answers
     * PasswordResetRequiredException "Password reset required for the user" (amplify-ui
     * fixture force-reset-password.json), unless the password is plainly wrong. */
    if (strcmp(a->user->status, "RESET_REQUIRED") == 0 &&
        (st == 1 || a->user->srp_verifier == NULL))
        return cog_err_set(&a->ctx->err, COG_E_PASSWORD_RESET_REQUIRED,
                           "Password reset required for the user");
    if (st == 0)
        return incorrect_password(a->ctx);
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
    {"USER_SRP_AUTH", "USER_SRP_AUTH", FLOW_BOTH, NULL},
};

struct challenge {
    const char *name; /* the ChallengeName */
    bool needs_session;
    /* Check the response for a->user (known, and the session's) inside the operation's
     * transaction; set a->signed_in, or answer the next challenge. 0 or -1. */
    int (*respond)(struct auth *a, const struct store_session *s);
};

static const struct challenge CHALLENGES[] = {
    {"NEW_PASSWORD_REQUIRED", true, respond_new_password},
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
 * Load session id for challenge name into *out: it must exist, belong to the request's pool
 * and client, be for that challenge and not have expired. "Invalid session for the user,
 * session is expired." otherwise.
 */
static int load_session(struct auth *a, const char *id, const char *name,
                        struct store_session **out)
{
    struct store_session *s = NULL;
    int st = store_session_get(a->ctx->db, id, &s);

    *out = NULL;
    if (st == STORE_ERROR)
        return ops_fail_internal(a->ctx, "could not read the auth session");
    if (st != STORE_OK || strcmp(s->pool_id, json_str(a->pool, "Id")) != 0 ||
        strcmp(s->client_id, a->client_id) != 0 || strcmp(s->challenge, name) != 0 ||
        s->expires_ms <= a->ctx->now_ms) {
        store_session_free(s);
        return invalid_session(a->ctx);
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
    int st = store_user_get_by_seq(a->ctx->db, s->user_seq, &a->user);
    bool same;

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
    const char *username;
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
    if (c->needs_session && session == NULL) {
        missing(ctx, "Session");
        goto out;
    }
    /* One transaction from reading the session to deleting it: a session answers once. */
    if (ops_txn_begin(ctx) != 0)
        goto out;
    rc = load_session(&a, session, name, &s);
    if (rc == 0)
        rc = load_session_user(&a, s, username);
    if (rc == 0)
        rc = c->respond(&a, s);
    if (rc == 0 && store_session_delete(ctx->db, session) != STORE_OK)
        rc = ops_fail_internal(ctx, "could not delete the auth session");
    rc = ops_txn_end(ctx, rc);
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
