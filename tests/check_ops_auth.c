/*
 * check_ops_auth: sign-in and tokens (ops_auth.c, tokens.c): password sign-in with Cognito's
 * errors, the claims and signatures of the tokens, refreshes, GetTokensFromRefreshToken, the
 * NEW_PASSWORD_REQUIRED challenge, and the access token checks GetUser relies on. Operations
 * run through tu_call exactly as the server runs them.
 *
 * Users are written straight into the store (store_user_insert with a password set by
 * userpool_set_password), so that these tests depend on no other operation than the pool and
 * client ones.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ids.h"
#include "jsonutil.h"
#include "jwt.h"
#include "keys.h"
#include "op.h"
#include "secrets.h"
#include "settings.h"
#include "store.h"
#include "testutil.h"
#include "tokens.h"
#include "userpool.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[IDS_MAX];
static char client_id[64];

#define PASSWORD "Passw0rd!"
#define DAY_MS (24LL * 3600 * 1000)

/* The flows of the suite's standard client. */
#define FLOWS                                                                                      \
    "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_ADMIN_USER_PASSWORD_AUTH\","      \
    "\"ALLOW_REFRESH_TOKEN_AUTH\"]"

/* Create a client of pool pool with extra members (a JSON fragment) and copy its id. */
static void create_client_in(const char *pool, const char *extra, char *out)
{
    cJSON *resp = tu_callf(env, IDP "CreateUserPoolClient",
                           "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\",%s}", pool, extra);

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateUserPoolClient failed: %s",
                  tu_str(resp, "message"));
    snprintf(out, 64, "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    cJSON_Delete(resp);
}

/* The secret of client id in the suite's pool, copied into out (size 64). */
static void client_secret(const char *id, char *out)
{
    cJSON *resp = tu_callf(env, IDP "DescribeUserPoolClient",
                           "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", pool_id, id);

    snprintf(out, 64, "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret"));
    cJSON_Delete(resp);
}

/* An op_ctx on a connection of the fixture's store at the emulator clock (release with
 * ctx_done). */
static struct op_ctx ctx_new(void)
{
    struct op_ctx ctx = {
        .settings = &env->settings,
        .region = "us-east-1",
        .db = store_acquire(env->store),
        .now_ms = clock_now_ms(),
    };
    return ctx;
}

static void ctx_done(struct op_ctx *ctx)
{
    store_release(env->store, ctx->db);
}

/*
 * Put a user into pool with password, status and attributes (a JSON object text without sub;
 * a sub is added). Returns the new user's seq.
 */
static int64_t add_user_to(const char *pool, const char *username, const char *password,
                           const char *status, const char *attributes)
{
    struct op_ctx ctx = ctx_new();
    cJSON *pool_doc = NULL, *attrs = cJSON_Parse(attributes);
    char sub[IDS_UUID_LEN + 1];
    struct store_user u = {0};

    ck_assert_ptr_nonnull(attrs);
    ck_assert_int_eq(userpool_load(&ctx, pool, &pool_doc), 0);
    ids_uuid(sub);
    json_set_str(attrs, "sub", sub);
    u.pool_id = (char *)pool;
    u.username = (char *)username;
    u.username_key = (char *)username;
    u.sub = sub;
    u.status = (char *)status;
    u.enabled = 1;
    u.attributes = cJSON_PrintUnformatted(attrs);
    u.created_ms = u.modified_ms = ctx.now_ms;
    ck_assert_int_eq(userpool_set_password(&ctx, pool_doc, &u, password), 0);
    ck_assert_int_eq(store_user_insert(ctx.db, &u), STORE_OK);
    free(u.attributes);
    free(u.srp_salt);
    free(u.srp_verifier);
    cJSON_Delete(pool_doc);
    cJSON_Delete(attrs);
    ctx_done(&ctx);
    return u.seq;
}

static int64_t add_user(const char *username, const char *status)
{
    return add_user_to(pool_id, username, PASSWORD, status,
                       "{\"email\":\"alice@example.com\",\"email_verified\":\"true\","
                       "\"custom:team\":\"blue\",\"given_name\":\"Alice\"}");
}

/* Read user username of the suite's pool (store_user_free). */
static struct store_user *get_user(const char *username)
{
    struct store_conn *db = store_acquire(env->store);
    struct store_user *u = NULL;

    ck_assert_int_eq(store_user_get(db, pool_id, username, &u), STORE_OK);
    store_release(env->store, db);
    return u;
}

static void setup(void)
{
    char *id;

    tu_setup();
    id = tu_create_user_pool(env, "{\"PoolName\":\"auth\"}");
    snprintf(pool_id, sizeof(pool_id), "%s", id);
    free(id);
    create_client_in(pool_id,
                     FLOWS ",\"AccessTokenValidity\":5,\"IdTokenValidity\":10,"
                           "\"TokenValidityUnits\":{\"AccessToken\":\"minutes\","
                           "\"IdToken\":\"minutes\"}",
                     client_id);
}

/* InitiateAuth USER_PASSWORD_AUTH for username/password with the suite's client. */
static cJSON *sign_in_with(const char *client, const char *username, const char *password)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"%s\",\"PASSWORD\":\"%s\"}}",
                    client, username, password);
}

static cJSON *sign_in(const char *username, const char *password)
{
    return sign_in_with(client_id, username, password);
}

static const cJSON *result_of(const cJSON *resp)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "call failed: %s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    return tu_get(resp, "AuthenticationResult");
}

/* The header of a JWT, decoded (cJSON_Delete). */
static cJSON *jwt_header(const char *token)
{
    const char *dot = strchr(token, '.');
    unsigned char *raw;
    size_t len;
    cJSON *header;

    ck_assert_ptr_nonnull(dot);
    raw = jwt_b64url_decode(token, (size_t)(dot - token), &len);
    ck_assert_ptr_nonnull(raw);
    header = cJSON_ParseWithLength((const char *)raw, len);
    free(raw);
    ck_assert_ptr_nonnull(header);
    return header;
}

/* jwt_verify_rs256's key lookup over keys_find for the pool in arg. */
static EVP_PKEY *found_key;
static EVP_PKEY *find_key(void *arg, const char *kid)
{
    struct store_conn *db = store_acquire(env->store);

    EVP_PKEY_free(found_key);
    found_key = keys_find(db, arg, kid);
    store_release(env->store, db);
    return found_key;
}

/* Whether token verifies with a key of pool. */
static bool verifies(const char *token, const char *pool)
{
    cJSON *claims = NULL;
    enum jwt_status st = jwt_verify_rs256(token, find_key, (void *)pool, &claims);

    EVP_PKEY_free(found_key);
    found_key = NULL;
    cJSON_Delete(claims);
    return st == JWT_OK;
}

static double num_claim(const cJSON *claims, const char *name)
{
    return tu_num(claims, name);
}

/* ---- Password sign-in -------------------------------------------------------------------- */

START_TEST(test_ops_auth_password_sign_in_returns_three_tokens)
{
    cJSON *resp;
    const cJSON *r;

    add_user("alice", "CONFIRMED");
    resp = sign_in("alice", PASSWORD);
    r = result_of(resp);
    ck_assert_ptr_nonnull(r);
    tu_assert_matches(tu_str(r, "AccessToken"),
                      "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$");
    tu_assert_matches(tu_str(r, "IdToken"), "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$");
    tu_assert_matches(tu_str(r, "RefreshToken"), "^[A-Za-z0-9_-]{100,}$");
    ck_assert_str_eq(tu_str(r, "TokenType"), "Bearer");
    ck_assert_int_eq((int)tu_num(r, "ExpiresIn"), 300);
    /* Cognito sends an empty ChallengeParameters with the tokens, and no challenge. */
    ck_assert(cJSON_IsObject(tu_get(resp, "ChallengeParameters")));
    ck_assert_ptr_null(tu_get(resp, "ChallengeParameters")->child);
    ck_assert_ptr_null(tu_get(resp, "ChallengeName"));
    ck_assert_ptr_null(tu_get(resp, "Session"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_id_token_claims_are_cognitos)
{
    cJSON *resp, *claims;
    const cJSON *r;
    char iss[700];
    int64_t before = clock_now_ms() / 1000;

    add_user("alice", "CONFIRMED");
    resp = sign_in("alice", PASSWORD);
    r = result_of(resp);
    claims = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert_ptr_nonnull(claims);
    settings_issuer(&env->settings, pool_id, iss, sizeof(iss));
    tu_assert_matches(tu_str(claims, "sub"), "^[0-9a-f-]{36}$");
    ck_assert_str_eq(tu_str(claims, "iss"), iss);
    ck_assert_str_eq(tu_str(claims, "cognito:username"), "alice");
    ck_assert_str_eq(tu_str(claims, "aud"), client_id);
    ck_assert_str_eq(tu_str(claims, "token_use"), "id");
    tu_assert_matches(tu_str(claims, "origin_jti"), "^[0-9a-f-]{36}$");
    tu_assert_matches(tu_str(claims, "event_id"), "^[0-9a-f-]{36}$");
    tu_assert_matches(tu_str(claims, "jti"), "^[0-9a-f-]{36}$");
    ck_assert(tu_bool(claims, "email_verified"));
    ck_assert_str_eq(tu_str(claims, "email"), "alice@example.com");
    ck_assert_str_eq(tu_str(claims, "given_name"), "Alice");
    ck_assert_str_eq(tu_str(claims, "custom:team"), "blue");
    ck_assert(num_claim(claims, "iat") >= (double)before);
    ck_assert(num_claim(claims, "auth_time") == num_claim(claims, "iat"));
    /* IdTokenValidity 10 minutes. */
    ck_assert_int_eq((int)(num_claim(claims, "exp") - num_claim(claims, "iat")), 600);
    ck_assert_ptr_null(tu_get(claims, "client_id"));
    ck_assert_ptr_null(tu_get(claims, "username"));
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_access_token_claims_are_cognitos)
{
    cJSON *resp, *claims, *id;
    const cJSON *r;

    add_user("alice", "CONFIRMED");
    resp = sign_in("alice", PASSWORD);
    r = result_of(resp);
    claims = jwt_peek_payload(tu_str(r, "AccessToken"));
    id = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert_ptr_nonnull(claims);
    ck_assert_str_eq(tu_str(claims, "sub"), tu_str(id, "sub"));
    ck_assert_str_eq(tu_str(claims, "iss"), tu_str(id, "iss"));
    ck_assert_str_eq(tu_str(claims, "client_id"), client_id);
    ck_assert_str_eq(tu_str(claims, "token_use"), "access");
    ck_assert_str_eq(tu_str(claims, "scope"), "aws.cognito.signin.user.admin");
    ck_assert_str_eq(tu_str(claims, "username"), "alice");
    /* One sign-in: the same origin_jti and event_id, different jti. */
    ck_assert_str_eq(tu_str(claims, "origin_jti"), tu_str(id, "origin_jti"));
    ck_assert_str_eq(tu_str(claims, "event_id"), tu_str(id, "event_id"));
    ck_assert_str_ne(tu_str(claims, "jti"), tu_str(id, "jti"));
    ck_assert(num_claim(claims, "auth_time") == num_claim(id, "auth_time"));
    /* AccessTokenValidity 5 minutes. */
    ck_assert_int_eq((int)(num_claim(claims, "exp") - num_claim(claims, "iat")), 300);
    /* No aud in an access token, and no attributes. */
    ck_assert_ptr_null(tu_get(claims, "aud"));
    ck_assert_ptr_null(tu_get(claims, "email"));
    ck_assert_ptr_null(tu_get(claims, "cognito:username"));
    cJSON_Delete(id);
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_tokens_are_signed_with_the_pools_two_keys)
{
    cJSON *resp, *h_id, *h_access;
    const cJSON *r;
    char *other = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");

    add_user("alice", "CONFIRMED");
    resp = sign_in("alice", PASSWORD);
    r = result_of(resp);
    h_id = jwt_header(tu_str(r, "IdToken"));
    h_access = jwt_header(tu_str(r, "AccessToken"));
    ck_assert_str_eq(tu_str(h_id, "alg"), "RS256");
    ck_assert_str_eq(tu_str(h_access, "alg"), "RS256");
    ck_assert_ptr_nonnull(tu_str(h_id, "kid"));
    ck_assert_str_ne(tu_str(h_id, "kid"), tu_str(h_access, "kid"));
    ck_assert(verifies(tu_str(r, "IdToken"), pool_id));
    ck_assert(verifies(tu_str(r, "AccessToken"), pool_id));
    /* Another pool's keys do not verify them. */
    ck_assert(!verifies(tu_str(r, "AccessToken"), other));
    cJSON_Delete(h_id);
    cJSON_Delete(h_access);
    cJSON_Delete(resp);
    free(other);
}
END_TEST

START_TEST(test_ops_auth_default_validity_is_an_hour)
{
    char plain[64];
    cJSON *resp, *claims;
    const cJSON *r;

    create_client_in(pool_id, FLOWS, plain);
    add_user("alice", "CONFIRMED");
    resp = sign_in_with(plain, "alice", PASSWORD);
    r = result_of(resp);
    ck_assert_int_eq((int)tu_num(r, "ExpiresIn"), 3600);
    claims = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert_int_eq((int)(num_claim(claims, "exp") - num_claim(claims, "iat")), 3600);
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_id_token_has_only_readable_attributes)
{
    char narrow[64];
    cJSON *resp, *claims;

    create_client_in(pool_id, FLOWS ",\"ReadAttributes\":[\"email\"]", narrow);
    add_user("alice", "CONFIRMED");
    resp = sign_in_with(narrow, "alice", PASSWORD);
    claims = jwt_peek_payload(tu_str(result_of(resp), "IdToken"));
    ck_assert_str_eq(tu_str(claims, "email"), "alice@example.com");
    ck_assert_ptr_nonnull(tu_str(claims, "sub"));
    ck_assert_ptr_null(tu_get(claims, "given_name"));
    ck_assert_ptr_null(tu_get(claims, "custom:team"));
    ck_assert_ptr_null(tu_get(claims, "email_verified"));
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_wrong_password)
{
    cJSON *resp;

    add_user("alice", "CONFIRMED");
    resp = sign_in("alice", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_unknown_user_depends_on_prevent_user_existence_errors)
{
    char hiding[64];
    cJSON *resp;

    resp = sign_in("nobody", PASSWORD);
    tu_assert_error(resp, "UserNotFoundException", "User does not exist.");
    cJSON_Delete(resp);
    create_client_in(pool_id, FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", hiding);
    resp = sign_in_with(hiding, "nobody", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    create_client_in(pool_id, FLOWS ",\"PreventUserExistenceErrors\":\"LEGACY\"", hiding);
    resp = sign_in_with(hiding, "nobody", PASSWORD);
    tu_assert_error(resp, "UserNotFoundException", "User does not exist.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_unconfirmed_user_after_the_password)
{
    cJSON *resp;

    add_user("bob", "UNCONFIRMED");
    resp = sign_in("bob", PASSWORD);
    tu_assert_error(resp, "UserNotConfirmedException", "User is not confirmed.");
    cJSON_Delete(resp);
    resp = sign_in("bob", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_disabled_user_after_the_password)
{
    struct store_conn *db;
    struct store_user *u;
    cJSON *resp;

    add_user("carol", "CONFIRMED");
    u = get_user("carol");
    u->enabled = 0;
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_update(db, u), STORE_OK);
    store_release(env->store, db);
    store_user_free(u);
    resp = sign_in("carol", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "User is disabled.");
    cJSON_Delete(resp);
    resp = sign_in("carol", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_reset_required_user)
{
    cJSON *resp;

    add_user("dave", "RESET_REQUIRED");
    resp = sign_in("dave", PASSWORD);
    tu_assert_error(resp, "PasswordResetRequiredException", "Password reset required for the user");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_flow_must_be_enabled_for_the_client)
{
    char srp_only[64];
    cJSON *resp;

    create_client_in(pool_id, "\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\"]", srp_only);
    add_user("alice", "CONFIRMED");
    resp = sign_in_with(srp_only, "alice", PASSWORD);
    tu_assert_error(resp, "InvalidParameterException",
                    "USER_PASSWORD_AUTH flow not enabled for this client");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"AuthParameters\":{\"USERNAME\":\"alice\","
                    "\"PASSWORD\":\"" PASSWORD "\"}}",
                    pool_id, srp_only);
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_flow_must_suit_the_operation)
{
    cJSON *resp;

    add_user("alice", "CONFIRMED");
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException", "Initiate Auth method not supported");
    cJSON_Delete(resp);
    resp =
        tu_callf(env, IDP "AdminInitiateAuth",
                 "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                 "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\"}}",
                 pool_id, client_id);
    tu_assert_error(resp, "InvalidParameterException", "Initiate Auth method not supported");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_flows_not_implemented_yet_say_so)
{
    char srp[64];
    cJSON *resp;

    create_client_in(pool_id, "\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\"]", srp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"SRP_A\":\"abcd\"}}",
                    srp);
    tu_assert_error(resp, "InvalidParameterException",
                    "cognito-emu does not implement USER_SRP_AUTH yet");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_missing_parameters)
{
    cJSON *resp;

    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"PASSWORD\":\"x\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter USERNAME");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter PASSWORD");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\"}", client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter REFRESH_TOKEN");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_unknown_client)
{
    cJSON *resp = sign_in_with("nosuchclient0000000000000", "alice", PASSWORD);

    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_secret_hash_on_a_secret_client)
{
    char secret_client[64], secret[64];
    char *hash, *wrong;
    cJSON *resp;

    create_client_in(pool_id, FLOWS ",\"GenerateSecret\":true", secret_client);
    client_secret(secret_client, secret);
    add_user("alice", "CONFIRMED");
    resp = sign_in_with(secret_client, "alice", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    wrong = secrets_secret_hash(secret, "bob", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, wrong);
    ck_assert_str_eq(tu_error_type(resp), "NotAuthorizedException");
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "Unable to verify secret hash"));
    cJSON_Delete(resp);
    hash = secrets_secret_hash(secret, "alice", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, hash);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(hash);
    free(wrong);
}
END_TEST

START_TEST(test_ops_auth_admin_flows_and_the_old_name)
{
    static const char *const flows[] = {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"};
    char *other = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");
    cJSON *resp;

    add_user("alice", "CONFIRMED");
    for (int i = 0; i < 2; i++) {
        resp =
            tu_callf(env, IDP "AdminInitiateAuth",
                     "{\"AuthFlow\":\"%s\",\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                     "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\"}}",
                     flows[i], pool_id, client_id);
        ck_assert_ptr_nonnull(tu_str(result_of(resp), "RefreshToken"));
        cJSON_Delete(resp);
    }
    /* The client must be one of the named pool's. */
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"AuthParameters\":{\"USERNAME\":\"alice\","
                    "\"PASSWORD\":\"" PASSWORD "\"}}",
                    other, client_id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    free(other);
}
END_TEST

/* ---- Refresh ----------------------------------------------------------------------------- */

/* Sign alice in with client and copy the refresh token into out (size 256). */
static void refresh_token_of(const char *client, char *out)
{
    cJSON *resp = sign_in_with(client, "alice", PASSWORD);

    snprintf(out, 256, "%s", tu_str(result_of(resp), "RefreshToken"));
    cJSON_Delete(resp);
}

static cJSON *refresh_with(const char *flow, const char *client, const char *token)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"%s\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"}}",
                    flow, client, token);
}

START_TEST(test_ops_auth_refresh_keeps_auth_time_and_origin_jti)
{
    cJSON *first, *resp, *a1, *a2, *i1, *i2;
    const cJSON *r;

    add_user("alice", "CONFIRMED");
    first = sign_in("alice", PASSWORD);
    clock_set_offset_ms(120 * 1000);
    resp = refresh_with("REFRESH_TOKEN_AUTH", client_id, tu_str(result_of(first), "RefreshToken"));
    r = result_of(resp);
    ck_assert_ptr_null(tu_get(r, "RefreshToken"));
    ck_assert_str_eq(tu_str(r, "TokenType"), "Bearer");
    ck_assert_int_eq((int)tu_num(r, "ExpiresIn"), 300);
    a1 = jwt_peek_payload(tu_str(result_of(first), "AccessToken"));
    a2 = jwt_peek_payload(tu_str(r, "AccessToken"));
    i1 = jwt_peek_payload(tu_str(result_of(first), "IdToken"));
    i2 = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert(num_claim(a2, "auth_time") == num_claim(a1, "auth_time"));
    ck_assert(num_claim(i2, "auth_time") == num_claim(i1, "auth_time"));
    ck_assert(num_claim(a2, "iat") >= num_claim(a1, "iat") + 120);
    ck_assert_str_eq(tu_str(a2, "origin_jti"), tu_str(a1, "origin_jti"));
    ck_assert_str_eq(tu_str(i2, "origin_jti"), tu_str(i1, "origin_jti"));
    ck_assert_str_ne(tu_str(a2, "jti"), tu_str(a1, "jti"));
    ck_assert_str_ne(tu_str(a2, "event_id"), tu_str(a1, "event_id"));
    ck_assert_str_eq(tu_str(i2, "sub"), tu_str(i1, "sub"));
    ck_assert(verifies(tu_str(r, "AccessToken"), pool_id));
    cJSON_Delete(a1);
    cJSON_Delete(a2);
    cJSON_Delete(i1);
    cJSON_Delete(i2);
    cJSON_Delete(resp);
    cJSON_Delete(first);
}
END_TEST

START_TEST(test_ops_auth_refresh_alias_and_admin_refresh)
{
    char token[256];
    cJSON *resp;

    add_user("alice", "CONFIRMED");
    refresh_token_of(client_id, token);
    resp = refresh_with("REFRESH_TOKEN", client_id, token);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "IdToken"));
    cJSON_Delete(resp);
    resp =
        tu_callf(env, IDP "AdminInitiateAuth",
                 "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                 "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"}}",
                 pool_id, client_id, token);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_refresh_expired_garbage_revoked_and_foreign)
{
    char token[256], other[64];
    cJSON *resp, *claims;
    struct store_conn *db;
    const char *origin;

    add_user("alice", "CONFIRMED");
    resp = sign_in("alice", PASSWORD);
    snprintf(token, sizeof(token), "%s", tu_str(result_of(resp), "RefreshToken"));
    claims = jwt_peek_payload(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);

    resp = refresh_with("REFRESH_TOKEN_AUTH", client_id, "not-a-refresh-token");
    tu_assert_error(resp, "NotAuthorizedException", "Invalid Refresh Token");
    cJSON_Delete(resp);
    /* A token of another client of the same pool. */
    create_client_in(pool_id, FLOWS, other);
    resp = refresh_with("REFRESH_TOKEN_AUTH", other, token);
    tu_assert_error(resp, "NotAuthorizedException", "Invalid Refresh Token");
    cJSON_Delete(resp);
    /* Thirty days (the default RefreshTokenValidity) and a minute later. */
    clock_set_offset_ms(30 * DAY_MS + 60 * 1000);
    resp = refresh_with("REFRESH_TOKEN_AUTH", client_id, token);
    tu_assert_error(resp, "NotAuthorizedException", "Refresh Token has expired");
    cJSON_Delete(resp);
    clock_set_offset_ms(0);
    /* Revoked (what RevokeToken and GlobalSignOut will do, by origin_jti). */
    origin = tu_str(claims, "origin_jti");
    db = store_acquire(env->store);
    ck_assert_int_eq(store_refresh_revoke(db, origin), STORE_OK);
    store_release(env->store, db);
    resp = refresh_with("REFRESH_TOKEN_AUTH", client_id, token);
    tu_assert_error(resp, "NotAuthorizedException", "Refresh Token has been revoked");
    cJSON_Delete(resp);
    cJSON_Delete(claims);
}
END_TEST

START_TEST(test_ops_auth_refresh_of_a_disabled_user)
{
    char token[256];
    struct store_conn *db;
    struct store_user *u;
    cJSON *resp;

    add_user("alice", "CONFIRMED");
    refresh_token_of(client_id, token);
    u = get_user("alice");
    u->enabled = 0;
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_update(db, u), STORE_OK);
    store_release(env->store, db);
    store_user_free(u);
    resp = refresh_with("REFRESH_TOKEN_AUTH", client_id, token);
    tu_assert_error(resp, "NotAuthorizedException", "User is disabled.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_refresh_secret_hash_is_over_the_tokens_username)
{
    char secret_client[64], secret[64], token[256];
    char *hash, *login_hash;
    cJSON *resp;

    create_client_in(pool_id, FLOWS ",\"GenerateSecret\":true", secret_client);
    client_secret(secret_client, secret);
    add_user("alice", "CONFIRMED");
    login_hash = secrets_secret_hash(secret, "alice", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, login_hash);
    snprintf(token, sizeof(token), "%s", tu_str(result_of(resp), "RefreshToken"));
    cJSON_Delete(resp);

    resp = refresh_with("REFRESH_TOKEN_AUTH", secret_client, token);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    hash = secrets_secret_hash(secret, "mallory", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\",\"SECRET_HASH\":\"%s\"}}",
                    secret_client, token, hash);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "SecretHash does not match"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\",\"SECRET_HASH\":\"%s\"}}",
                    secret_client, token, login_hash);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(hash);
    free(login_hash);
}
END_TEST

START_TEST(test_ops_auth_get_tokens_from_refresh_token)
{
    char token[256];
    cJSON *resp, *claims;
    const cJSON *r;

    add_user("alice", "CONFIRMED");
    refresh_token_of(client_id, token);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"%s\",\"ClientId\":\"%s\"}", token, client_id);
    r = result_of(resp);
    ck_assert_ptr_nonnull(tu_str(r, "AccessToken"));
    ck_assert_ptr_nonnull(tu_str(r, "IdToken"));
    ck_assert_str_eq(tu_str(r, "TokenType"), "Bearer");
    ck_assert_int_eq((int)tu_num(r, "ExpiresIn"), 300);
    ck_assert_ptr_null(tu_get(r, "RefreshToken"));
    ck_assert_ptr_null(tu_get(resp, "ChallengeParameters"));
    /* Amplify needs iat in the access token. */
    claims = jwt_peek_payload(tu_str(r, "AccessToken"));
    ck_assert(num_claim(claims, "iat") > 0);
    cJSON_Delete(claims);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"garbage\",\"ClientId\":\"%s\"}", client_id);
    tu_assert_error(resp, "NotAuthorizedException", "Invalid Refresh Token");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_get_tokens_from_refresh_token_needs_the_client_secret)
{
    char secret_client[64], secret[64], token[256];
    char *hash;
    cJSON *resp;

    create_client_in(pool_id, FLOWS ",\"GenerateSecret\":true", secret_client);
    client_secret(secret_client, secret);
    add_user("alice", "CONFIRMED");
    hash = secrets_secret_hash(secret, "alice", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, hash);
    snprintf(token, sizeof(token), "%s", tu_str(result_of(resp), "RefreshToken"));
    cJSON_Delete(resp);

    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"%s\",\"ClientId\":\"%s\"}", token, secret_client);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"%s\",\"ClientId\":\"%s\",\"ClientSecret\":\"%s\"}", token,
                    secret_client, "wrongsecret0wrongsecret0wrongsecret0wrongsecret0abc");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"%s\",\"ClientId\":\"%s\",\"ClientSecret\":\"%s\"}", token,
                    secret_client, secret);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(hash);
}
END_TEST

/* ---- NEW_PASSWORD_REQUIRED --------------------------------------------------------------- */

/* A pool that requires "name", with the standard client; ids into pool/client (IDS_MAX, 64). */
static void name_pool(char *pool, char *client)
{
    char *id = tu_create_user_pool(
        env, "{\"PoolName\":\"np\",\"Schema\":[{\"Name\":\"name\",\"AttributeDataType\":"
             "\"String\",\"Required\":true,\"Mutable\":true}]}");

    snprintf(pool, IDS_MAX, "%s", id);
    free(id);
    create_client_in(pool, FLOWS, client);
}

/* Sign temp in with the temporary password and copy the session (size 512). */
static cJSON *start_new_password(const char *client, char *session)
{
    cJSON *resp = sign_in_with(client, "temp", PASSWORD);

    ck_assert_msg(tu_error_type(resp) == NULL, "sign-in failed: %s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    snprintf(session, 512, "%s", tu_str(resp, "Session"));
    return resp;
}

static cJSON *respond_new_password(const char *client, const char *session, const char *password,
                                   const char *extra)
{
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"ClientId\":\"%s\","
                    "\"Session\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"temp\","
                    "\"NEW_PASSWORD\":\"%s\"%s}}",
                    client, session, password, extra);
}

START_TEST(test_ops_auth_new_password_required_full_path)
{
    char pool[IDS_MAX], client[64], session[512];
    cJSON *resp, *attrs, *claims;
    const cJSON *params;
    struct store_conn *db;
    struct store_user *u = NULL;

    name_pool(pool, client);
    add_user_to(pool, "temp", PASSWORD, "FORCE_CHANGE_PASSWORD",
                "{\"email\":\"t@example.com\",\"email_verified\":\"true\"}");
    resp = start_new_password(client, session);
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    ck_assert_int_ge((int)strlen(session), 40);
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "temp");
    ck_assert_str_eq(tu_str(params, "requiredAttributes"), "[\"userAttributes.name\"]");
    attrs = cJSON_Parse(tu_str(params, "userAttributes"));
    ck_assert_ptr_nonnull(attrs);
    ck_assert_str_eq(tu_str(attrs, "email"), "t@example.com");
    ck_assert_str_eq(tu_str(attrs, "email_verified"), "true");
    ck_assert_ptr_null(tu_get(attrs, "sub"));
    cJSON_Delete(attrs);
    cJSON_Delete(resp);

    resp =
        respond_new_password(client, session, "N3w-passw0rd", ",\"userAttributes.name\":\"Tim\"");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "RefreshToken"));
    ck_assert(cJSON_IsObject(tu_get(resp, "ChallengeParameters")));
    claims = jwt_peek_payload(tu_str(result_of(resp), "IdToken"));
    ck_assert_str_eq(tu_str(claims, "name"), "Tim");
    ck_assert_str_eq(tu_str(claims, "cognito:username"), "temp");
    cJSON_Delete(claims);
    cJSON_Delete(resp);

    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_get(db, pool, "temp", &u), STORE_OK);
    store_release(env->store, db);
    ck_assert_str_eq(u->status, "CONFIRMED");
    store_user_free(u);
    /* The new password signs in, the temporary one no longer does, the session is spent. */
    resp = sign_in_with(client, "temp", "N3w-passw0rd");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = sign_in_with(client, "temp", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    resp =
        respond_new_password(client, session, "N3w-passw0rd", ",\"userAttributes.name\":\"Tim\"");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session is expired.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_new_password_bad_and_expired_sessions)
{
    char session[512];
    cJSON *resp;

    add_user("temp", "FORCE_CHANGE_PASSWORD");
    cJSON_Delete(start_new_password(client_id, session));
    resp = respond_new_password(client_id, "bogus-session-bogus-session-bogus", "N3w-passw0rd", "");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session is expired.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"temp\",\"NEW_PASSWORD\":\"x\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter Session");
    cJSON_Delete(resp);
    /* AuthSessionValidity defaults to 3 minutes. */
    clock_set_offset_ms(3 * 60 * 1000 + 1000);
    resp = respond_new_password(client_id, session, "N3w-passw0rd", "");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session is expired.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_new_password_checks_policy_and_attributes)
{
    char pool[IDS_MAX], client[64], session[512];
    cJSON *resp;

    name_pool(pool, client);
    add_user_to(pool, "temp", PASSWORD, "FORCE_CHANGE_PASSWORD", "{\"email\":\"t@example.com\"}");
    cJSON_Delete(start_new_password(client, session));
    resp = respond_new_password(client, session, "weak", ",\"userAttributes.name\":\"Tim\"");
    tu_assert_error(resp, "InvalidPasswordException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "Password did not conform with policy"));
    cJSON_Delete(resp);
    resp = respond_new_password(client, session, "N3w-passw0rd", "");
    tu_assert_error(resp, "InvalidParameterException", "Invalid attributes given, name is missing");
    cJSON_Delete(resp);
    resp = respond_new_password(client, session, "N3w-passw0rd",
                                ",\"userAttributes.name\":\"Tim\",\"userAttributes.nosuch\":\"x\"");
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
    /* A refused response leaves the session usable: the right one still succeeds. */
    resp =
        respond_new_password(client, session, "N3w-passw0rd", ",\"userAttributes.name\":\"Tim\"");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "IdToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_new_password_for_another_user_is_refused)
{
    char session[512];
    cJSON *resp;

    add_user("temp", "FORCE_CHANGE_PASSWORD");
    add_user("alice", "CONFIRMED");
    cJSON_Delete(start_new_password(client_id, session));
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"ClientId\":\"%s\","
                    "\"Session\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"alice\","
                    "\"NEW_PASSWORD\":\"N3w-passw0rd\"}}",
                    client_id, session);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_admin_respond_to_new_password)
{
    char session[512];
    cJSON *resp;

    add_user("temp", "FORCE_CHANGE_PASSWORD");
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"AuthParameters\":{\"USERNAME\":\"temp\","
                    "\"PASSWORD\":\"" PASSWORD "\"}}",
                    pool_id, client_id);
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminRespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"Session\":\"%s\",\"ChallengeResponses\":"
                    "{\"USERNAME\":\"temp\",\"NEW_PASSWORD\":\"N3w-passw0rd\"}}",
                    pool_id, client_id, session);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_unimplemented_challenge_says_so)
{
    cJSON *resp;

    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"SMS_MFA\",\"ClientId\":\"%s\",\"Session\":\"no-such-"
                    "session-no-such-session\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"SMS_MFA_CODE\":\"123456\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "cognito-emu does not implement the SMS_MFA challenge yet");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_temporary_password_expires)
{
    cJSON *resp;

    add_user("temp", "FORCE_CHANGE_PASSWORD");
    /* TemporaryPasswordValidityDays defaults to 7. */
    clock_set_offset_ms(8 * DAY_MS);
    resp = sign_in("temp", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException",
                    "Temporary password has expired and must be reset by an administrator.");
    cJSON_Delete(resp);
}
END_TEST

/* ---- tokens_check_access ----------------------------------------------------------------- */

/* Sign alice in and copy the access token into out (size 4096). */
static void access_token_of(char *out)
{
    cJSON *resp = sign_in("alice", PASSWORD);

    snprintf(out, 4096, "%s", tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}

/* tokens_check_access on token: 0 and the username in user (size 64), or -1 with err. */
static int check_access(const char *token, char *user, struct cog_err *err)
{
    struct op_ctx ctx = ctx_new();
    struct store_user *u = NULL;
    cJSON *claims = NULL;
    int rc = tokens_check_access(&ctx, token, &u, &claims);

    if (rc == 0) {
        ck_assert_ptr_nonnull(u);
        ck_assert_str_eq(tu_str(claims, "token_use"), "access");
        snprintf(user, 64, "%s", u->username);
    } else {
        ck_assert_ptr_null(u);
        ck_assert_ptr_null(claims);
    }
    *err = ctx.err;
    store_user_free(u);
    cJSON_Delete(claims);
    ctx_done(&ctx);
    return rc;
}

static void assert_refused(const char *token, const char *message)
{
    struct cog_err err;
    char user[64];

    ck_assert_int_eq(check_access(token, user, &err), -1);
    ck_assert_int_eq(err.code, COG_E_NOT_AUTHORIZED);
    ck_assert_str_eq(err.message, message);
}

START_TEST(test_ops_auth_check_access_accepts_a_valid_token)
{
    char token[4096], user[64];
    struct cog_err err;

    add_user("alice", "CONFIRMED");
    access_token_of(token);
    ck_assert_int_eq(check_access(token, user, &err), 0);
    ck_assert_str_eq(user, "alice");
    /* NULL out-pointers are allowed. */
    {
        struct op_ctx ctx = ctx_new();
        ck_assert_int_eq(tokens_check_access(&ctx, token, NULL, NULL), 0);
        ctx_done(&ctx);
    }
}
END_TEST

START_TEST(test_ops_auth_check_access_refuses_an_expired_token)
{
    char token[4096];

    add_user("alice", "CONFIRMED");
    access_token_of(token);
    clock_set_offset_ms(5 * 60 * 1000 + 1000);
    assert_refused(token, "Access Token has expired");
}
END_TEST

START_TEST(test_ops_auth_check_access_refuses_forged_and_foreign_tokens)
{
    char token[4096], forged[4096];
    char *other = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");
    const char *dot1, *dot2;
    unsigned char *raw;
    size_t len;
    char *payload_text, *encoded, *foreign;
    cJSON *claims, *id_resp;
    struct store_conn *db;
    struct signing_key key;

    add_user("alice", "CONFIRMED");
    access_token_of(token);
    assert_refused("garbage", "Invalid Access Token");
    assert_refused("a.b.c", "Invalid Access Token");

    /* One byte of the payload changed ("alice" -> "blice"), signature kept. */
    dot1 = strchr(token, '.');
    dot2 = strchr(dot1 + 1, '.');
    raw = jwt_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &len);
    payload_text = calloc(1, len + 1);
    memcpy(payload_text, raw, len);
    ck_assert_ptr_nonnull(strstr(payload_text, "\"alice\""));
    strstr(payload_text, "\"alice\"")[1] = 'b';
    encoded = jwt_b64url_encode((const unsigned char *)payload_text, len);
    snprintf(forged, sizeof(forged), "%.*s.%s%s", (int)(dot1 - token), token, encoded, dot2);
    assert_refused(forged, "Invalid Access Token");

    /* The same claims signed with another pool's access key. */
    claims = jwt_peek_payload(token);
    db = store_acquire(env->store);
    ck_assert_int_eq(keys_get(db, other, KEY_USE_ACCESS, &key), 0);
    store_release(env->store, db);
    foreign = jwt_sign_rs256(claims, key.kid, key.pkey);
    EVP_PKEY_free(key.pkey);
    assert_refused(foreign, "Invalid Access Token");

    /* An ID token is not an access token. */
    id_resp = sign_in("alice", PASSWORD);
    assert_refused(tu_str(result_of(id_resp), "IdToken"), "Invalid Access Token");

    cJSON_Delete(id_resp);
    cJSON_Delete(claims);
    free(foreign);
    free(encoded);
    free(payload_text);
    free(raw);
    free(other);
}
END_TEST

START_TEST(test_ops_auth_check_access_needs_the_user)
{
    char token[4096];
    struct store_conn *db;
    struct store_user *u;

    add_user("alice", "CONFIRMED");
    access_token_of(token);
    u = get_user("alice");
    u->enabled = 0;
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_update(db, u), STORE_OK);
    store_release(env->store, db);
    assert_refused(token, "Access Token has been revoked");
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_delete(db, u->seq), STORE_OK);
    store_release(env->store, db);
    store_user_free(u);
    assert_refused(token, "User does not exist.");
    /* A new user of the same name does not inherit the old user's tokens. */
    add_user("alice", "CONFIRMED");
    assert_refused(token, "User does not exist.");
}
END_TEST

START_TEST(test_ops_auth_check_access_accepts_the_other_issuer_form)
{
    char token[4096], user[64];
    struct cog_err err;
    int before = env->settings.aws_issuer;

    add_user("alice", "CONFIRMED");
    access_token_of(token);
    /* As if restarted with --issuer switched: the token still verifies by its signature. */
    env->settings.aws_issuer = !before;
    ck_assert_int_eq(check_access(token, user, &err), 0);
    env->settings.aws_issuer = before;
}
END_TEST

/* ---- With the user operations ------------------------------------------------------------ */

START_TEST(test_ops_auth_sign_up_confirm_sign_in_get_user)
{
    cJSON *resp;
    char token[4096];

    resp = tu_callf(env, IDP "SignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"erin\",\"Password\":\"" PASSWORD "\","
                    "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"erin@example.com\"}]}",
                    client_id);
    ck_assert_msg(tu_error_type(resp) == NULL, "SignUp: %s", tu_str(resp, "message"));
    cJSON_Delete(resp);
    resp = sign_in("erin", PASSWORD);
    tu_assert_error(resp, "UserNotConfirmedException", "User is not confirmed.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminConfirmSignUp", "{\"UserPoolId\":\"%s\",\"Username\":\"erin\"}",
                    pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = sign_in("erin", PASSWORD);
    snprintf(token, sizeof(token), "%s", tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetUser", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_msg(tu_error_type(resp) == NULL, "GetUser: %s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "Username"), "erin");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_admin_create_user_then_new_password)
{
    char session[512], token[4096];
    cJSON *resp;

    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"temp\",\"TemporaryPassword\":\"" PASSWORD
                    "\",\"MessageAction\":\"SUPPRESS\",\"UserAttributes\":[{\"Name\":\"email\","
                    "\"Value\":\"t@example.com\"}]}",
                    pool_id);
    ck_assert_msg(tu_error_type(resp) == NULL, "AdminCreateUser: %s", tu_str(resp, "message"));
    cJSON_Delete(resp);
    cJSON_Delete(start_new_password(client_id, session));
    resp = respond_new_password(client_id, session, "N3w-passw0rd", "");
    snprintf(token, sizeof(token), "%s", tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetUser", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_str_eq(tu_str(resp, "Username"), "temp");
    cJSON_Delete(resp);
    resp =
        tu_callf(env, IDP "AdminGetUser", "{\"UserPoolId\":\"%s\",\"Username\":\"temp\"}", pool_id);
    ck_assert_str_eq(tu_str(resp, "UserStatus"), "CONFIRMED");
    cJSON_Delete(resp);
}
END_TEST

/*
 * In a pool that signs in by email the username is a UUID; the user types the email, so the
 * sign-in SECRET_HASH is over the email, the refresh one over the UUID username.
 */
START_TEST(test_ops_auth_email_pool_secret_hashes)
{
    char *pool = tu_create_user_pool(env, "{\"PoolName\":\"byemail\","
                                          "\"UsernameAttributes\":[\"email\"]}");
    char client[64], secret[64], refresh[256];
    char *login_hash, *refresh_hash;
    cJSON *resp, *claims;
    struct store_conn *db;

    create_client_in(pool, FLOWS ",\"GenerateSecret\":true", client);
    resp = tu_callf(env, IDP "DescribeUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", pool, client);
    snprintf(secret, sizeof(secret), "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"f@example.com\",\"MessageAction\":"
                    "\"SUPPRESS\",\"TemporaryPassword\":\"" PASSWORD "\"}",
                    pool);
    ck_assert_msg(tu_error_type(resp) == NULL, "AdminCreateUser: %s", tu_str(resp, "message"));
    cJSON_Delete(resp);
    /* Confirmed directly (AdminSetUserPassword does not exist yet). */
    {
        struct store_user *u = NULL;
        db = store_acquire(env->store);
        ck_assert_int_eq(store_user_get_by_alias(db, pool, "email", "f@example.com", &u), STORE_OK);
        free(u->status);
        u->status = strdup("CONFIRMED");
        ck_assert_int_eq(store_user_update(db, u), STORE_OK);
        store_release(env->store, db);
        store_user_free(u);
    }
    login_hash = secrets_secret_hash(secret, "f@example.com", client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"f@example.com\",\"PASSWORD\":\"" PASSWORD
                    "\",\"SECRET_HASH\":\"%s\"}}",
                    client, login_hash);
    snprintf(refresh, sizeof(refresh), "%s", tu_str(result_of(resp), "RefreshToken"));
    claims = jwt_peek_payload(tu_str(result_of(resp), "AccessToken"));
    tu_assert_matches(tu_str(claims, "username"), "^[0-9a-f-]{36}$");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\",\"SECRET_HASH\":\"%s\"}}",
                    client, refresh, login_hash);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    cJSON_Delete(resp);
    refresh_hash = secrets_secret_hash(secret, tu_str(claims, "username"), client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\",\"SECRET_HASH\":\"%s\"}}",
                    client, refresh, refresh_hash);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "IdToken"));
    cJSON_Delete(resp);
    cJSON_Delete(claims);
    free(login_hash);
    free(refresh_hash);
    free(pool);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_auth");
    TCase *tc = tcase_create("auth");

    /* Each test makes RSA keys for its pools (~0.1 s a key), more under sanitizers/valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, tu_teardown);
    tcase_add_test(tc, test_ops_auth_password_sign_in_returns_three_tokens);
    tcase_add_test(tc, test_ops_auth_id_token_claims_are_cognitos);
    tcase_add_test(tc, test_ops_auth_access_token_claims_are_cognitos);
    tcase_add_test(tc, test_ops_auth_tokens_are_signed_with_the_pools_two_keys);
    tcase_add_test(tc, test_ops_auth_default_validity_is_an_hour);
    tcase_add_test(tc, test_ops_auth_id_token_has_only_readable_attributes);
    tcase_add_test(tc, test_ops_auth_wrong_password);
    tcase_add_test(tc, test_ops_auth_unknown_user_depends_on_prevent_user_existence_errors);
    tcase_add_test(tc, test_ops_auth_unconfirmed_user_after_the_password);
    tcase_add_test(tc, test_ops_auth_disabled_user_after_the_password);
    tcase_add_test(tc, test_ops_auth_reset_required_user);
    tcase_add_test(tc, test_ops_auth_flow_must_be_enabled_for_the_client);
    tcase_add_test(tc, test_ops_auth_flow_must_suit_the_operation);
    tcase_add_test(tc, test_ops_auth_flows_not_implemented_yet_say_so);
    tcase_add_test(tc, test_ops_auth_missing_parameters);
    tcase_add_test(tc, test_ops_auth_unknown_client);
    tcase_add_test(tc, test_ops_auth_secret_hash_on_a_secret_client);
    tcase_add_test(tc, test_ops_auth_admin_flows_and_the_old_name);
    tcase_add_test(tc, test_ops_auth_refresh_keeps_auth_time_and_origin_jti);
    tcase_add_test(tc, test_ops_auth_refresh_alias_and_admin_refresh);
    tcase_add_test(tc, test_ops_auth_refresh_expired_garbage_revoked_and_foreign);
    tcase_add_test(tc, test_ops_auth_refresh_of_a_disabled_user);
    tcase_add_test(tc, test_ops_auth_refresh_secret_hash_is_over_the_tokens_username);
    tcase_add_test(tc, test_ops_auth_get_tokens_from_refresh_token);
    tcase_add_test(tc, test_ops_auth_get_tokens_from_refresh_token_needs_the_client_secret);
    tcase_add_test(tc, test_ops_auth_new_password_required_full_path);
    tcase_add_test(tc, test_ops_auth_new_password_bad_and_expired_sessions);
    tcase_add_test(tc, test_ops_auth_new_password_checks_policy_and_attributes);
    tcase_add_test(tc, test_ops_auth_new_password_for_another_user_is_refused);
    tcase_add_test(tc, test_ops_auth_admin_respond_to_new_password);
    tcase_add_test(tc, test_ops_auth_unimplemented_challenge_says_so);
    tcase_add_test(tc, test_ops_auth_temporary_password_expires);
    tcase_add_test(tc, test_ops_auth_check_access_accepts_a_valid_token);
    tcase_add_test(tc, test_ops_auth_check_access_refuses_an_expired_token);
    tcase_add_test(tc, test_ops_auth_check_access_refuses_forged_and_foreign_tokens);
    tcase_add_test(tc, test_ops_auth_check_access_needs_the_user);
    tcase_add_test(tc, test_ops_auth_check_access_accepts_the_other_issuer_form);
    tcase_add_test(tc, test_ops_auth_sign_up_confirm_sign_in_get_user);
    tcase_add_test(tc, test_ops_auth_admin_create_user_then_new_password);
    tcase_add_test(tc, test_ops_auth_email_pool_secret_hashes);
    suite_add_tcase(s, tc);
    return s;
}
