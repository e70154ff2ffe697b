/*
 * check_ops_auth: sign-in and tokens (ops_auth.c, tokens.c): password sign-in with Cognito's
 * errors, the claims and signatures of the tokens, refreshes, GetTokensFromRefreshToken, the
 * NEW_PASSWORD_REQUIRED challenge, USER_SRP_AUTH with PASSWORD_VERIFIER, and the access token
 * checks GetUser relies on. Operations
 * run through tu_call exactly as the server runs them.
 *
 * Users are written straight into the store (store_user_insert with a password set by
 * user_set_password), so that these tests depend on no other operation than the pool and
 * client ones.
 */
#include "config.h"

#include <ctype.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "aws/op.h"
#include "crypto/secrets.h"
#include "settings.h"
#include "crypto/srp.h"
#include "crypto/srp_group.h"
#include "store/store.h"
#include "testutil.h"
#include "userpool/tokens.h"
#include "userpool/pool.h"
#include "userpool/user.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[IDS_MAX];
static char client_id[64];

#define PASSWORD "Passw0rd!"
#define DAY_MS (24LL * 3600 * 1000)

/* The flows of the suite's standard client. */
#define FLOWS                                                                                      \
    "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_ADMIN_USER_PASSWORD_AUTH\","      \
    "\"ALLOW_USER_SRP_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]"

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
    ck_assert_int_eq(pool_load(&ctx, pool, &pool_doc), 0);
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
    ck_assert_int_eq(user_set_password(&ctx, pool_doc, &u, password), 0);
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
    char custom[64];
    cJSON *resp;

    create_client_in(pool_id, "\"ExplicitAuthFlows\":[\"ALLOW_CUSTOM_AUTH\"]", custom);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"CUSTOM_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\"}}",
                    custom);
    tu_assert_error(resp, "InvalidParameterException",
                    "cognito-emu does not implement CUSTOM_AUTH yet");
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
                    "{\"ChallengeName\":\"CUSTOM_CHALLENGE\",\"ClientId\":\"%s\",\"Session\":"
                    "\"no-such-session-no-such-session\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"ANSWER\":\"123456\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "cognito-emu does not implement the CUSTOM_CHALLENGE challenge yet");
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

/* ---- USER_SRP_AUTH and PASSWORD_VERIFIER --------------------------------------------------
 *
 * The client's side of the exchange is computed here as amazon-cognito-identity-js computes
 * it (AuthenticationHelper: a of 128 random bytes, A = g^a mod N, u = H(PAD(A) | PAD(B)),
 * S = (B - k*g^x)^(a + u*x) mod N, the HKDF key, the claim signature), with this test's own
 * exponentiation. For PAD, H, x, the HKDF and the HMAC it uses srp_group.h's building blocks,
 * which check_srp.c checks against values the real JS client computed
 * (tests/vectors/srp_vectors.mjs), so the server is tested against client arithmetic that is
 * known to be the client's. The real clients themselves run in tests/e2e/amplify.
 */

struct srp_client {
    BIGNUM *a, *A;
    char *A_hex;
};

static struct srp_client srp_client_new(void)
{
    unsigned char raw[128];
    struct srp_client c = {BN_new(), BN_new(), NULL};
    BN_CTX *bn = BN_CTX_new();

    ck_assert_int_eq(RAND_bytes(raw, sizeof(raw)), 1);
    ck_assert_ptr_nonnull(BN_bin2bn(raw, sizeof(raw), c.a));
    ck_assert(BN_mod_exp(c.A, srp_group_g(), c.a, srp_group_N(), bn));
    c.A_hex = srp_bn_to_hex(c.A);
    BN_CTX_free(bn);
    return c;
}

static void srp_client_free(struct srp_client *c)
{
    BN_free(c->a);
    BN_free(c->A);
    free(c->A_hex);
}

/* TIMESTAMP for ms as the clients write it, "Tue Apr 5 22:42:34 UTC 2017" (out: 40 bytes). */
static void srp_timestamp(int64_t ms, char *out)
{
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
    snprintf(out, 40, "%s %s %d %02d:%02d:%02d UTC %d", DAYS[tm.tm_wday], MONTHS[tm.tm_mon],
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* The client's PASSWORD_CLAIM_SIGNATURE for challenge parameters params of pool, with
 * password and timestamp (out: SRP_SIGNATURE_B64_LEN + 1 bytes). */
static void srp_client_sign(const struct srp_client *c, const char *pool, const cJSON *params,
                            const char *password, const char *timestamp, char *out)
{
    const char *pool_name = srp_pool_name(pool), *user_id = tu_str(params, "USER_ID_FOR_SRP");
    const char *block_b64 = tu_str(params, "SECRET_BLOCK");
    BIGNUM *salt = srp_bn_from_hex(tu_str(params, "SALT"), 256);
    BIGNUM *B = srp_bn_from_hex(tu_str(params, "SRP_B"), 800);
    BIGNUM *x, *u, *gx = BN_new(), *kgx = BN_new(), *base = BN_new(), *ux = BN_new();
    BIGNUM *e = BN_new(), *S = BN_new();
    BN_CTX *bn = BN_CTX_new();
    unsigned char key[SRP_KEY_LEN], block[512];
    size_t len = strlen(block_b64);
    int n;

    ck_assert_ptr_nonnull(user_id);
    ck_assert_ptr_nonnull(salt);
    ck_assert_ptr_nonnull(B);
    x = srp_compute_x(pool_name, user_id, password, salt);
    u = srp_hash_pads(c->A, B);
    ck_assert(x != NULL && u != NULL);
    ck_assert(BN_mod_exp(gx, srp_group_g(), x, srp_group_N(), bn));
    ck_assert(BN_mod_mul(kgx, srp_group_k(), gx, srp_group_N(), bn));
    ck_assert(BN_mod_sub(base, B, kgx, srp_group_N(), bn));
    ck_assert(BN_mul(ux, u, x, bn) && BN_add(e, c->a, ux));
    ck_assert(BN_mod_exp(S, base, e, srp_group_N(), bn));
    ck_assert_int_eq(srp_hkdf_key(S, u, key), 0);
    ck_assert_uint_le(len, 4 * sizeof(block) / 3);
    n = EVP_DecodeBlock(block, (const unsigned char *)block_b64, (int)len);
    ck_assert_int_ge(n, 0);
    while (len > 0 && block_b64[len - 1] == '=') { /* EVP_DecodeBlock counts padding as bytes */
        len--;
        n--;
    }
    ck_assert_int_eq(srp_claim_signature(key, pool_name, user_id, block, (size_t)n, timestamp, out),
                     0);
    BN_free(salt);
    BN_free(B);
    BN_free(x);
    BN_free(u);
    BN_free(gx);
    BN_free(kgx);
    BN_free(base);
    BN_free(ux);
    BN_free(e);
    BN_free(S);
    BN_CTX_free(bn);
}

/* InitiateAuth (or AdminInitiateAuth when pool is not NULL) USER_SRP_AUTH; extra is a JSON
 * fragment added to AuthParameters ("" or ",\"SECRET_HASH\":\"...\""). */
static cJSON *srp_initiate(const char *pool, const char *client, const char *username,
                           const char *srp_a, const char *extra)
{
    if (pool != NULL)
        return tu_callf(env, IDP "AdminInitiateAuth",
                        "{\"AuthFlow\":\"USER_SRP_AUTH\",\"UserPoolId\":\"%s\",\"ClientId\":"
                        "\"%s\",\"AuthParameters\":{\"USERNAME\":\"%s\",\"SRP_A\":\"%s\"%s}}",
                        pool, client, username, srp_a, extra);
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"%s\",\"SRP_A\":\"%s\"%s}}",
                    client, username, srp_a, extra);
}

/* RespondToAuthChallenge (Admin when pool is not NULL) PASSWORD_VERIFIER. */
static cJSON *srp_respond(const char *pool, const char *client, const char *username,
                          const char *block, const char *timestamp, const char *signature,
                          const char *extra)
{
    if (pool != NULL)
        return tu_callf(env, IDP "AdminRespondToAuthChallenge",
                        "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"UserPoolId\":\"%s\","
                        "\"ClientId\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"%s\","
                        "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
                        "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"%s}}",
                        pool, client, username, block, timestamp, signature, extra);
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"%s\","
                    "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
                    "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"%s}}",
                    client, username, block, timestamp, signature, extra);
}

/* The challenge parameters of a PASSWORD_VERIFIER answer (borrowed from resp). */
static const cJSON *verifier_params(const cJSON *resp)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "InitiateAuth failed: %s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "PASSWORD_VERIFIER");
    return tu_get(resp, "ChallengeParameters");
}

/* The whole exchange in pool with client for username and password, as a client does it:
 * the RespondToAuthChallenge answer (or the InitiateAuth error). */
static cJSON *srp_sign_in_to(const char *pool, const char *client, const char *username,
                             const char *password)
{
    struct srp_client c = srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    cJSON *init = srp_initiate(NULL, client, username, c.A_hex, ""), *resp;
    const cJSON *params;

    if (tu_error_type(init) != NULL) {
        srp_client_free(&c);
        return init;
    }
    params = verifier_params(init);
    srp_timestamp(clock_now_ms(), ts);
    srp_client_sign(&c, pool, params, password, ts, sig);
    resp = srp_respond(NULL, client, tu_str(params, "USER_ID_FOR_SRP"),
                       tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    cJSON_Delete(init);
    srp_client_free(&c);
    return resp;
}

static cJSON *srp_sign_in(const char *username, const char *password)
{
    return srp_sign_in_to(pool_id, client_id, username, password);
}

START_TEST(test_ops_auth_srp_sign_in_returns_tokens)
{
    struct srp_client c = srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    struct store_user *u;
    cJSON *init, *resp, *claims;
    const cJSON *params;

    add_user("alice", "CONFIRMED");
    u = get_user("alice");
    init = srp_initiate(NULL, client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    ck_assert_str_eq(tu_str(params, "SALT"), u->srp_salt);
    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "alice");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "alice");
    tu_assert_matches(tu_str(params, "SRP_B"), "^[1-9a-f][0-9a-f]{500,767}$");
    tu_assert_matches(tu_str(params, "SECRET_BLOCK"), "^[A-Za-z0-9+/]{128}$");
    /* Real Cognito answers this challenge without a Session. */
    ck_assert_ptr_null(tu_get(init, "Session"));
    ck_assert_ptr_null(tu_get(init, "AuthenticationResult"));

    srp_timestamp(clock_now_ms(), ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    resp = srp_respond(NULL, client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "RefreshToken"));
    ck_assert(cJSON_IsObject(tu_get(resp, "ChallengeParameters")));
    ck_assert_ptr_null(tu_get(resp, "ChallengeName"));
    ck_assert_ptr_null(tu_get(resp, "Session"));
    claims = jwt_peek_payload(tu_str(result_of(resp), "IdToken"));
    ck_assert_str_eq(tu_str(claims, "cognito:username"), "alice");
    ck_assert(verifies(tu_str(result_of(resp), "AccessToken"), pool_id));
    cJSON_Delete(claims);
    cJSON_Delete(resp);
    /* A challenge answers once. */
    resp = srp_respond(NULL, client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    store_user_free(u);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_wrong_password)
{
    cJSON *resp;

    add_user("alice", "CONFIRMED");
    resp = srp_sign_in("alice", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    /* Each challenge is new: the right password still signs in. */
    resp = srp_sign_in("alice", PASSWORD);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}
END_TEST

/* Answer one challenge for alice with a changed signature, secret block or timestamp. */
START_TEST(test_ops_auth_srp_tampered_responses_are_refused)
{
    struct srp_client c = srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], bad[SRP_SIGNATURE_B64_LEN + 1], other[200];
    char padded[40], old[40], weekday[40];
    cJSON *init, *resp;
    const cJSON *params;
    const char *block;
    int64_t now = clock_now_ms();

    add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    block = tu_str(params, "SECRET_BLOCK");
    srp_timestamp(now, ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);

    /* The signature with one character changed. */
    memcpy(bad, sig, sizeof(bad));
    bad[5] = bad[5] == 'A' ? 'B' : 'A';
    resp = srp_respond(NULL, client_id, "alice", block, ts, bad, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    /* A secret block that is not the challenge's. */
    snprintf(other, sizeof(other), "%s", block);
    other[10] = other[10] == 'A' ? 'B' : 'A';
    resp = srp_respond(NULL, client_id, "alice", other, ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    /* A timestamp the signature was not made over. */
    srp_timestamp(now + 1000, old);
    resp = srp_respond(NULL, client_id, "alice", block, old, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    /* Timestamps Cognito refuses even when signed: a zero-padded day (qwigo/warrant#12), a
     * weekday that is not the date's, and one far from the clock. */
    snprintf(padded, sizeof(padded), "Wed Apr 05 22:42:34 UTC 2017");
    srp_client_sign(&c, pool_id, params, PASSWORD, padded, sig);
    resp = srp_respond(NULL, client_id, "alice", block, padded, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    srp_timestamp(now, weekday);
    memcpy(weekday, strncmp(weekday, "Mon", 3) == 0 ? "Tue" : "Mon", 3);
    srp_client_sign(&c, pool_id, params, PASSWORD, weekday, sig);
    resp = srp_respond(NULL, client_id, "alice", block, weekday, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    srp_timestamp(now - 3600 * 1000, old);
    srp_client_sign(&c, pool_id, params, PASSWORD, old, sig);
    resp = srp_respond(NULL, client_id, "alice", block, old, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    /* Refused answers leave the challenge open: the right one still signs in, once the
     * lockout that five wrong proofs started (one second, check_ops_mfa.c) is over. */
    clock_set_offset_ms(1000);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    resp = srp_respond(NULL, client_id, "alice", block, ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "IdToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    srp_client_free(&c);
}
END_TEST

/*
 * TIMESTAMP is parsed as a date (weekday, month, day without padding, leap years): with the
 * emulator's clock moved to each moment, a signature over that moment's timestamp signs in,
 * and one over a day that does not exist does not.
 */
START_TEST(test_ops_auth_srp_timestamps_of_other_dates)
{
    static const struct {
        int64_t ms;
        const char *text;
        bool ok;
    } cases[] = {
        {951782400000LL, "Tue Feb 29 00:00:00 UTC 2000", true},
        {1491432154000LL, "Wed Apr 5 22:42:34 UTC 2017", true},
        {1735689599000LL, "Tue Dec 31 23:59:59 UTC 2024", true},
        {4102444800000LL, "Fri Jan 1 00:00:00 UTC 2100", true},
        {983404800000LL, "Thu Feb 29 00:00:00 UTC 2001", false}, /* 2001-03-01: no Feb 29 */
    };
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    int64_t wall = clock_now_ms();

    add_user("alice", "CONFIRMED");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct srp_client c = srp_client_new();
        cJSON *init, *resp;
        const cJSON *params;

        if (cases[i].ok) { /* the test's own formatter writes what the clients write */
            srp_timestamp(cases[i].ms, ts);
            ck_assert_str_eq(ts, cases[i].text);
        }
        clock_set_offset_ms(cases[i].ms - wall);
        init = srp_initiate(NULL, client_id, "alice", c.A_hex, "");
        params = verifier_params(init);
        srp_client_sign(&c, pool_id, params, PASSWORD, cases[i].text, sig);
        resp = srp_respond(NULL, client_id, "alice", tu_str(params, "SECRET_BLOCK"), cases[i].text,
                           sig, "");
        if (cases[i].ok)
            ck_assert_msg(tu_error_type(resp) == NULL, "%s refused: %s", cases[i].text,
                          tu_str(resp, "message"));
        else
            tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
        cJSON_Delete(resp);
        cJSON_Delete(init);
        srp_client_free(&c);
    }
}
END_TEST

START_TEST(test_ops_auth_srp_missing_and_unknown_sessions)
{
    cJSON *resp;
    struct srp_client c = srp_client_new();

    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter SRP_A");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"SRP_A\":\"%s\"}}",
                    client_id, c.A_hex);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter USERNAME");
    cJSON_Delete(resp);
    /* No secret block: the response names no session. */
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"TIMESTAMP\":\"x\","
                    "\"PASSWORD_CLAIM_SIGNATURE\":\"x\"}}",
                    client_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK");
    cJSON_Delete(resp);
    /* A secret block this server never made: a wrong password, as Cognito answers. */
    add_user("alice", "CONFIRMED");
    resp = srp_respond(NULL, client_id, "alice", "bm90IGEgc2VjcmV0IGJsb2Nr",
                       "Wed Apr 5 22:42:34 UTC 2017", "c2lnbmF0dXJl", "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_missing_claim_parameters)
{
    struct srp_client c = srp_client_new();
    cJSON *init, *resp;
    const cJSON *params;

    add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"TIMESTAMP\":\"x\","
                    "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\"}}",
                    client_id, tu_str(params, "SECRET_BLOCK"));
    tu_assert_error(resp, "InvalidParameterException",
                    "Missing required parameter PASSWORD_CLAIM_SIGNATURE");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"PASSWORD_CLAIM_SIGNATURE\":\"x\","
                    "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"x\"}}",
                    client_id, tu_str(params, "SECRET_BLOCK"));
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter USERNAME");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_session_expires)
{
    struct srp_client c = srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], longer[64];
    cJSON *init, *resp;
    const cJSON *params;

    add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    /* AuthSessionValidity defaults to 3 minutes. The client's clock is the wall clock, which
     * TIMESTAMP may follow when the emulator's clock was moved. */
    clock_set_offset_ms(3 * 60 * 1000 + 1000);
    srp_timestamp(clock_now_ms() - clock_offset_ms(), ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    resp = srp_respond(NULL, client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session is expired.");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    clock_set_offset_ms(0);

    /* A client with AuthSessionValidity 5 keeps the challenge open for 5 minutes; TIMESTAMP
     * may follow the emulator's clock too. */
    create_client_in(pool_id, FLOWS ",\"AuthSessionValidity\":5", longer);
    init = srp_initiate(NULL, longer, "alice", c.A_hex, "");
    params = verifier_params(init);
    clock_set_offset_ms(4 * 60 * 1000);
    srp_timestamp(clock_now_ms(), ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    resp = srp_respond(NULL, longer, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_invalid_srp_a)
{
    /* Not hex, a sign, nothing, 0, N and 2N (0 mod N): InvalidParameterException, as Cognito
     * answers a tampered SRP_A (amazon-archives/amazon-cognito-identity-js#356). */
    BIGNUM *twice = BN_new();
    char *n_hex = srp_bn_to_hex(srp_group_N()), *two_n_hex, upper[1100];
    struct srp_client c = srp_client_new();
    cJSON *resp;

    ck_assert(BN_lshift1(twice, srp_group_N()));
    two_n_hex = srp_bn_to_hex(twice);
    add_user("alice", "CONFIRMED");
    {
        const char *bad[] = {"xyz", "-5", "", "0", "000", n_hex, two_n_hex};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            resp = srp_initiate(NULL, client_id, "alice", bad[i], "");
            tu_assert_error(resp, "InvalidParameterException", "Invalid SRP_A value.");
            cJSON_Delete(resp);
        }
    }
    /* Leading zeros and upper case are the same number. */
    snprintf(upper, sizeof(upper), "0000%s", c.A_hex);
    for (size_t i = 0; upper[i] != '\0'; i++)
        upper[i] = (char)toupper((unsigned char)upper[i]);
    resp = srp_initiate(NULL, client_id, "alice", upper, "");
    ck_assert_ptr_nonnull(verifier_params(resp));
    cJSON_Delete(resp);
    BN_free(twice);
    free(n_hex);
    free(two_n_hex);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_secret_hash)
{
    char secret_client[64], secret[64], ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], extra[128];
    struct srp_client c = srp_client_new();
    char *hash;
    cJSON *init, *resp;
    const cJSON *params;

    create_client_in(pool_id, FLOWS ",\"GenerateSecret\":true", secret_client);
    client_secret(secret_client, secret);
    add_user("alice", "CONFIRMED");
    resp = srp_initiate(NULL, secret_client, "alice", c.A_hex, "");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    hash = secrets_secret_hash(secret, "alice", secret_client);
    snprintf(extra, sizeof(extra), ",\"SECRET_HASH\":\"%s\"", hash);
    init = srp_initiate(NULL, secret_client, "alice", c.A_hex, extra);
    params = verifier_params(init);
    srp_timestamp(clock_now_ms(), ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    resp = srp_respond(NULL, secret_client, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    resp = srp_respond(NULL, secret_client, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig,
                       ",\"SECRET_HASH\":\"bm90IHRoZSBoYXNo\"");
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "Unable to verify secret hash"));
    cJSON_Delete(resp);
    resp =
        srp_respond(NULL, secret_client, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, extra);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    free(hash);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_unknown_user_with_prevent_user_existence_errors)
{
    char hiding[64], salt[64];
    struct srp_client c = srp_client_new();
    cJSON *resp;
    const cJSON *params;
    char *email_pool;

    resp = srp_initiate(NULL, client_id, "nobody", c.A_hex, "");
    tu_assert_error(resp, "UserNotFoundException", "User does not exist.");
    cJSON_Delete(resp);

    create_client_in(pool_id, FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", hiding);
    resp = srp_initiate(NULL, hiding, "nobody", c.A_hex, "");
    params = verifier_params(resp);
    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "nobody");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "nobody");
    tu_assert_matches(tu_str(params, "SALT"), "^[1-9a-f][0-9a-f]{20,31}$");
    tu_assert_matches(tu_str(params, "SRP_B"), "^[1-9a-f][0-9a-f]{500,767}$");
    tu_assert_matches(tu_str(params, "SECRET_BLOCK"), "^[A-Za-z0-9+/]{128}$");
    ck_assert_ptr_null(tu_get(resp, "Session"));
    snprintf(salt, sizeof(salt), "%s", tu_str(params, "SALT"));
    cJSON_Delete(resp);
    /* The same salt every time for that name (a real user's does not change either); another
     * name gets another. */
    resp = srp_initiate(NULL, hiding, "nobody", c.A_hex, "");
    ck_assert_str_eq(tu_str(verifier_params(resp), "SALT"), salt);
    cJSON_Delete(resp);
    resp = srp_initiate(NULL, hiding, "somebody", c.A_hex, "");
    ck_assert_str_ne(tu_str(verifier_params(resp), "SALT"), salt);
    cJSON_Delete(resp);
    /* It fails only at the verifier, like a wrong password. */
    resp = srp_sign_in_to(pool_id, hiding, "nobody", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    /* In a pool that signs in by email, a real USER_ID_FOR_SRP is a UUID: so is the made-up one,
     * the same one every time. */
    email_pool = tu_create_user_pool(env, "{\"PoolName\":\"byemail\","
                                          "\"UsernameAttributes\":[\"email\"]}");
    create_client_in(email_pool, FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", hiding);
    resp = srp_initiate(NULL, hiding, "no@example.com", c.A_hex, "");
    params = verifier_params(resp);
    tu_assert_matches(tu_str(params, "USER_ID_FOR_SRP"),
                      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    snprintf(salt, sizeof(salt), "%s", tu_str(params, "USER_ID_FOR_SRP"));
    cJSON_Delete(resp);
    resp = srp_initiate(NULL, hiding, "no@example.com", c.A_hex, "");
    ck_assert_str_eq(tu_str(verifier_params(resp), "USER_ID_FOR_SRP"), salt);
    cJSON_Delete(resp);
    resp = srp_sign_in_to(email_pool, hiding, "no@example.com", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    free(email_pool);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_user_states_after_the_verifier)
{
    struct store_conn *db;
    struct store_user *u;
    cJSON *resp;

    add_user("bob", "UNCONFIRMED");
    resp = srp_sign_in("bob", PASSWORD);
    tu_assert_error(resp, "UserNotConfirmedException", "User is not confirmed.");
    cJSON_Delete(resp);
    resp = srp_sign_in("bob", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    add_user("carol", "CONFIRMED");
    u = get_user("carol");
    u->enabled = 0;
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_update(db, u), STORE_OK);
    store_release(env->store, db);
    store_user_free(u);
    resp = srp_sign_in("carol", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "User is disabled.");
    cJSON_Delete(resp);
    resp = srp_sign_in("carol", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);

    add_user("dave", "RESET_REQUIRED");
    resp = srp_sign_in("dave", PASSWORD);
    tu_assert_error(resp, "PasswordResetRequiredException", "Password reset required for the user");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_auth_srp_force_change_password_continues_to_new_password)
{
    char session[512];
    cJSON *resp;
    const cJSON *params;

    add_user("temp", "FORCE_CHANGE_PASSWORD");
    resp = srp_sign_in("temp", PASSWORD);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "USER_ID_FOR_SRP"), "temp");
    ck_assert_ptr_nonnull(tu_str(params, "userAttributes"));
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    ck_assert_int_ge((int)strlen(session), 40);
    cJSON_Delete(resp);

    resp = respond_new_password(client_id, session, "N3w-passw0rd", "");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    /* The new password's verifier replaced the old one: SRP proves the new password only. */
    resp = srp_sign_in("temp", "N3w-passw0rd");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = srp_sign_in("temp", PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

/* A password set between the challenge and the answer: B was made from the old verifier. */
START_TEST(test_ops_auth_srp_password_changed_during_the_challenge)
{
    struct srp_client c = srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    struct op_ctx ctx = ctx_new();
    cJSON *init, *resp, *pool = NULL;
    struct store_user *u;
    const cJSON *params;

    add_user("alice", "CONFIRMED");
    init = srp_initiate(NULL, client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    u = get_user("alice");
    ck_assert_int_eq(pool_load(&ctx, pool_id, &pool), 0);
    ck_assert_int_eq(user_set_password(&ctx, pool, u, "N3w-passw0rd"), 0);
    ck_assert_int_eq(store_user_update(ctx.db, u), STORE_OK);
    ctx_done(&ctx);
    srp_timestamp(clock_now_ms(), ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    resp = srp_respond(NULL, client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    cJSON_Delete(init);
    cJSON_Delete(pool);
    store_user_free(u);
    srp_client_free(&c);
}
END_TEST

START_TEST(test_ops_auth_srp_admin_operations)
{
    struct srp_client c = srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1];
    char *other = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");
    cJSON *init, *resp;
    const cJSON *params;

    add_user("alice", "CONFIRMED");
    init = srp_initiate(pool_id, client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    srp_timestamp(clock_now_ms(), ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    /* The client must be the named pool's. */
    resp = srp_respond(other, client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    resp = srp_respond(pool_id, client_id, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "RefreshToken"));
    cJSON_Delete(resp);
    cJSON_Delete(init);
    free(other);
    srp_client_free(&c);
}
END_TEST

/* A challenge is bound to its client and its user. */
START_TEST(test_ops_auth_srp_challenge_of_another_client_or_user)
{
    struct srp_client c = srp_client_new();
    char ts[40], sig[SRP_SIGNATURE_B64_LEN + 1], second[64];
    cJSON *init, *resp;
    const cJSON *params;

    add_user("alice", "CONFIRMED");
    add_user("bob", "CONFIRMED");
    create_client_in(pool_id, FLOWS, second);
    init = srp_initiate(NULL, client_id, "alice", c.A_hex, "");
    params = verifier_params(init);
    srp_timestamp(clock_now_ms(), ts);
    srp_client_sign(&c, pool_id, params, PASSWORD, ts, sig);
    resp = srp_respond(NULL, second, "alice", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    resp = srp_respond(NULL, client_id, "bob", tu_str(params, "SECRET_BLOCK"), ts, sig, "");
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    cJSON_Delete(resp);
    cJSON_Delete(init);
    srp_client_free(&c);
}
END_TEST

/* In a case-insensitive pool USER_ID_FOR_SRP is the stored (lower-case) username, whatever
 * case the user typed: the verifier was made over it. */
START_TEST(test_ops_auth_srp_user_id_is_the_stored_username)
{
    char *pool = tu_create_user_pool(env, "{\"PoolName\":\"ci\","
                                          "\"UsernameConfiguration\":{\"CaseSensitive\":false}}");
    char client[64];
    struct srp_client c = srp_client_new();
    cJSON *resp;

    create_client_in(pool, FLOWS, client);
    add_user_to(pool, "erin", PASSWORD, "CONFIRMED", "{}");
    resp = srp_initiate(NULL, client, "ERIN", c.A_hex, "");
    ck_assert_str_eq(tu_str(verifier_params(resp), "USER_ID_FOR_SRP"), "erin");
    ck_assert_str_eq(tu_str(verifier_params(resp), "USERNAME"), "erin");
    cJSON_Delete(resp);
    resp = srp_sign_in_to(pool, client, "Erin", PASSWORD);
    ck_assert_ptr_nonnull(tu_str(result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(pool);
    srp_client_free(&c);
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
    tcase_add_test(tc, test_ops_auth_srp_sign_in_returns_tokens);
    tcase_add_test(tc, test_ops_auth_srp_wrong_password);
    tcase_add_test(tc, test_ops_auth_srp_tampered_responses_are_refused);
    tcase_add_test(tc, test_ops_auth_srp_timestamps_of_other_dates);
    tcase_add_test(tc, test_ops_auth_srp_missing_and_unknown_sessions);
    tcase_add_test(tc, test_ops_auth_srp_missing_claim_parameters);
    tcase_add_test(tc, test_ops_auth_srp_session_expires);
    tcase_add_test(tc, test_ops_auth_srp_invalid_srp_a);
    tcase_add_test(tc, test_ops_auth_srp_secret_hash);
    tcase_add_test(tc, test_ops_auth_srp_unknown_user_with_prevent_user_existence_errors);
    tcase_add_test(tc, test_ops_auth_srp_user_states_after_the_verifier);
    tcase_add_test(tc, test_ops_auth_srp_force_change_password_continues_to_new_password);
    tcase_add_test(tc, test_ops_auth_srp_password_changed_during_the_challenge);
    tcase_add_test(tc, test_ops_auth_srp_admin_operations);
    tcase_add_test(tc, test_ops_auth_srp_challenge_of_another_client_or_user);
    tcase_add_test(tc, test_ops_auth_srp_user_id_is_the_stored_username);
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
