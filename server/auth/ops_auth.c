/*
 * ops_auth: sign-in. InitiateAuth and AdminInitiateAuth start a flow, RespondToAuthChallenge
 * and AdminRespondToAuthChallenge answer the challenge a flow asked, GetTokensFromRefreshToken
 * renews tokens (what Amplify v6 refreshes with).
 *
 * Two tables drive it, so that new flows and challenges are entries rather than branches:
 * FLOWS maps each AuthFlow to the operations that accept it and the function that starts it
 * (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and its old name ADMIN_NO_SRP_AUTH,
 * USER_SRP_AUTH, REFRESH_TOKEN_AUTH and its alias REFRESH_TOKEN, CUSTOM_AUTH, and USER_AUTH,
 * the choice-based sign-in of auth_choice.c); CHALLENGES maps each ChallengeName to the
 * function that checks a response (CUSTOM_CHALLENGE, PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED,
 * USER_AUTH's SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP and SMS_OTP, and the MFA
 * challenges SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP, asked
 * after the password as Cognito orders them: mfa.h). Repeated wrong passwords lock the user
 * out for a while. A flow ends by signing the user in (tokens.c) or by asking a challenge: a
 * session that the response must bring back (auth.c). A custom flow (auth_custom.c) goes back
 * to the pool's DefineAuthChallenge trigger after each of its steps, once the transaction has
 * ended.
 *
 * This file holds the operations, the tables, and the sessions' loading; the flows and the
 * challenges live in auth_password.c, auth_srp.c, auth_mfa.c, auth_refresh.c, auth_custom.c
 * and auth_choice.c (auth_int.h).
 *
 * Errors are Cognito's, in its order: the client, the flow, the parameters, SECRET_HASH,
 * the user, the password, then the user's state. Messages were taken from real responses
 * quoted in public issues and client fixtures (cited where used). Tokens are signed after
 * every store write, outside any transaction (tokens_issue).
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "auth/auth_hosted.h"
#include "auth/auth_int.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "userpool/client.h"
#include "userpool/user.h"
#include "util/jsonutil.h"

/* Load the request's app client and its pool: by ClientId, and for the Admin operations
 * within UserPoolId. ResourceNotFoundException otherwise. */
static int load_client(struct auth *a)
{
    const char *client_id = json_str(a->ctx->in, "ClientId");
    int rc;

    if (a->admin)
        rc = client_load_in_pool(a->ctx, json_str(a->ctx->in, "UserPoolId"), client_id, &a->client,
                                 &a->pool);
    else
        rc = client_load(a->ctx, client_id, &a->client, &a->pool);
    if (rc == 0)
        a->client_id = json_str(a->client, "ClientId");
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
    {"ADMIN_NO_SRP_AUTH", "ADMIN_NO_SRP_AUTH", FLOW_ADMIN, auth_start_password},
    {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", FLOW_ADMIN, auth_start_password},
    {"CUSTOM_AUTH", "CUSTOM_AUTH", FLOW_BOTH, auth_start_custom},
    {"REFRESH_TOKEN", "REFRESH_TOKEN_AUTH", FLOW_BOTH, auth_start_refresh},
    {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH", FLOW_BOTH, auth_start_refresh},
    {"USER_AUTH", "USER_AUTH", FLOW_BOTH, auth_start_choice},
    {"USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH", FLOW_CLIENT, auth_start_password},
    {"USER_SRP_AUTH", "USER_SRP_AUTH", FLOW_BOTH, auth_start_srp},
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
    /* Its triggers run after the transaction (auth_custom_continue in respond()): the
     * response spends the session before VerifyAuthChallengeResponse runs. */
    {"CUSTOM_CHALLENGE", NULL, NULL, auth_respond_custom_challenge},
    /* A remembered device's SRP (auth_device.c), asked instead of MFA: its claim is checked
     * before the transaction, as PASSWORD_VERIFIER's is. */
    {"DEVICE_PASSWORD_VERIFIER", NULL, auth_verify_device_password, auth_respond_device_password},
    {"DEVICE_SRP_AUTH", NULL, NULL, auth_respond_device_srp},
    /* A first factor of USER_AUTH or an MFA code: the session says which. */
    {"EMAIL_OTP", NULL, NULL, auth_respond_email_code},
    {"MFA_SETUP", NULL, NULL, auth_respond_mfa_setup},
    {"NEW_PASSWORD_REQUIRED", NULL, NULL, auth_respond_new_password},
    {"PASSWORD", NULL, auth_verify_choice, auth_respond_password_choice},
    {"PASSWORD_SRP", NULL, NULL, auth_respond_password_choice},
    {"PASSWORD_VERIFIER", "PASSWORD_CLAIM_SECRET_BLOCK", auth_verify_password_claim,
     auth_respond_password_verifier},
    {"SELECT_CHALLENGE", NULL, auth_verify_choice, auth_respond_select_challenge},
    {"SELECT_MFA_TYPE", NULL, NULL, auth_respond_select_mfa_type},
    {"SMS_MFA", NULL, NULL, auth_respond_sms_mfa},
    {"SMS_OTP", NULL, NULL, auth_respond_sms_otp},
    {"SOFTWARE_TOKEN_MFA", NULL, NULL, auth_respond_software_token},
    /* The assertion's signature is checked before the transaction, the counter inside. */
    {"WEB_AUTHN", NULL, auth_verify_web_authn, auth_respond_web_authn},
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

/* The user a hosted sign-in (auth_hosted.h) signed in: its seq into *user_seq, else 0. */
static void hosted_user(const struct auth *a, int rc, int64_t *user_seq)
{
    if (user_seq != NULL)
        *user_seq = rc == 0 && a->signed_in && a->user != NULL ? a->user->seq : 0;
}

/* InitiateAuth, AdminInitiateAuth, and with user_seq the hosted pages' sign-in. */
static int initiate(struct op_ctx *ctx, bool admin, int64_t *user_seq)
{
    const char *name = json_str(ctx->in, "AuthFlow");
    const struct flow *flow = find_flow(name);
    struct auth a = {.ctx = ctx,
                     .admin = admin,
                     .params = json_get(ctx->in, "AuthParameters"),
                     .hosted = user_seq != NULL};
    int rc = -1;

    if (flow == NULL || !(flow->apis & (admin ? FLOW_ADMIN : FLOW_CLIENT)))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Initiate Auth method not supported");
    if (load_client(&a) != 0 ||
        (!a.hosted && client_check_auth_flow(ctx, a.client, flow->client_flow) != 0))
        goto out;
    if (flow->start == NULL)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "cognito-emu does not implement %s yet",
                    name);
    else
        rc = flow->start(&a);
    hosted_user(&a, rc, user_seq);
out:
    auth_free(&a);
    return rc;
}

int op_initiate_auth(struct op_ctx *ctx)
{
    return initiate(ctx, false, NULL);
}

int op_admin_initiate_auth(struct op_ctx *ctx)
{
    return initiate(ctx, true, NULL);
}

int auth_hosted_initiate(struct op_ctx *ctx, int64_t *user_seq)
{
    return initiate(ctx, false, user_seq);
}

/* ---- RespondToAuthChallenge, AdminRespondToAuthChallenge --------------------------------- */

/*
 * Load session id of challenge c into *out: it must exist, belong to the request's pool and
 * client, be for that challenge and not have expired. "Invalid session for the user, session
 * is expired." otherwise (or the used-once message of a spent session), except that a session
 * key given in the ChallengeResponses (the SECRET_BLOCK) that is not one of ours is a wrong
 * password, as Cognito answers a tampered SECRET_BLOCK (see USER_SRP_AUTH).
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
    if (!ours && st == STORE_OK && c->session_in == NULL && auth_session_spent(a, s)) {
        store_session_free(s);
        return auth_used_session(a->ctx);
    }
    if (!ours || s->expires_ms <= a->ctx->now_ms) {
        store_session_free(s);
        return !ours && c->session_in != NULL ? auth_incorrect_password(a->ctx)
                                              : auth_invalid_session(a->ctx);
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
        return auth_invalid_session(a->ctx);
    if (strcmp(a->user->username, username) == 0)
        return 0;
    st = user_find(a->ctx, a->pool, username, &named);
    if (st == STORE_ERROR)
        return -1;
    same = st == STORE_OK && named->seq == a->user->seq;
    store_user_free(named);
    if (!same)
        return cog_err_set(&a->ctx->err, COG_E_NOT_AUTHORIZED,
                           "Invalid session provided for the user.");
    return 0;
}

/* (Admin)RespondToAuthChallenge, and with user_seq the hosted pages' responses. */
static int respond(struct op_ctx *ctx, bool admin, int64_t *user_seq)
{
    const char *name = json_str(ctx->in, "ChallengeName"), *session = json_str(ctx->in, "Session");
    const struct challenge *c = find_challenge(name);
    struct auth a = {.ctx = ctx,
                     .admin = admin,
                     .params = json_get(ctx->in, "ChallengeResponses"),
                     .responding = true,
                     .hosted = user_seq != NULL};
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
    if ((username = auth_param(&a, "USERNAME")) == NULL) {
        auth_missing(ctx, "USERNAME");
        goto out;
    }
    if (!a.hosted &&
        client_check_secret_hash(ctx, a.client, username, auth_param(&a, "SECRET_HASH")) != 0)
        goto out;
    key = c->session_in != NULL ? auth_param(&a, c->session_in) : session;
    if (key == NULL) {
        auth_missing(ctx, c->session_in != NULL ? c->session_in : "Session");
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
    /* One transaction from reading the session to spending it: a session answers once. A
     * refused response leaves it for another try until it expires. */
    if (ops_txn_begin(ctx) != 0)
        goto out;
    rc = load_session(&a, key, c, &s);
    if (rc == 0)
        rc = load_session_user(&a, s, username);
    if (rc == 0)
        rc = auth_custom_resume(&a, s);
    if (rc == 0)
        rc = c->respond(&a, s);
    if (rc == 0)
        rc = auth_spend_session(&a, key, s);
    rc = ops_txn_end(ctx, rc);
    if (rc != 0 && a.wrong_password && a.user != NULL)
        auth_note_wrong_password(&a);
    /* A custom flow goes back to its DefineAuthChallenge trigger after each step instead of
     * signing in; the Lambda calls wait for the commit, as every trigger does. */
    if (rc == 0 && a.custom != NULL)
        rc = auth_custom_continue(&a);
    else if (rc == 0 && a.signed_in)
        rc = auth_answer_sign_in(&a);
    hosted_user(&a, rc, user_seq);
out:
    store_session_free(s);
    auth_free(&a);
    return rc;
}

int op_respond_to_auth_challenge(struct op_ctx *ctx)
{
    return respond(ctx, false, NULL);
}

int op_admin_respond_to_auth_challenge(struct op_ctx *ctx)
{
    return respond(ctx, true, NULL);
}

int auth_hosted_respond(struct op_ctx *ctx, int64_t *user_seq)
{
    return respond(ctx, false, user_seq);
}

/* ---- GetTokensFromRefreshToken ----------------------------------------------------------- */

/* New ID and access tokens for a refresh token (auth_refresh.c). */
int op_get_tokens_from_refresh_token(struct op_ctx *ctx)
{
    /* Without a DeviceKey, a pool that tracks devices mints one (its DeviceKey doc). */
    struct auth a = {.ctx = ctx, .mint_device = true};
    int rc = -1;

    if (load_client(&a) == 0)
        rc = auth_get_tokens_from_refresh_token(&a);
    auth_free(&a);
    return rc;
}
