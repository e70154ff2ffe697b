/*
 * check_auth_refresh: new tokens for a refresh token (auth_refresh.c): REFRESH_TOKEN_AUTH and its
 * alias, GetTokensFromRefreshToken, their client secrets and SECRET_HASH; and the access-token
 * check (tokens_check_access, userpool/tokens.c) that GetUser and the other token-authorized
 * operations rely on, on tokens a sign-in issued. Operations run through tu_call exactly as the
 * server runs them; users are written straight into the store (testauth.h).
 */
#include "config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "crypto/secrets.h"
#include "store/store.h"
#include "testauth.h"
#include "testutil.h"
#include "userpool/tokens.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;

/* ---- Refresh ----------------------------------------------------------------------------- */

/* Sign alice in with client and copy the refresh token into out (size 256). */
static void refresh_token_of(const char *client, char *out)
{
    cJSON *resp = ta_sign_in_with(client, "alice", TA_PASSWORD);

    snprintf(out, 256, "%s", tu_str(ta_result_of(resp), "RefreshToken"));
    cJSON_Delete(resp);
}

static cJSON *refresh_with(const char *flow, const char *client, const char *token)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"%s\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"}}",
                    flow, client, token);
}

START_TEST(test_auth_refresh_keeps_auth_time_and_origin_jti)
{
    cJSON *first, *resp, *a1, *a2, *i1, *i2;
    const cJSON *r;

    ta_add_user("alice", "CONFIRMED");
    first = ta_sign_in("alice", TA_PASSWORD);
    clock_set_offset_ms(120 * 1000);
    resp = refresh_with("REFRESH_TOKEN_AUTH", ta_client_id,
                        tu_str(ta_result_of(first), "RefreshToken"));
    r = ta_result_of(resp);
    ck_assert_ptr_null(tu_get(r, "RefreshToken"));
    ck_assert_str_eq(tu_str(r, "TokenType"), "Bearer");
    ck_assert_int_eq((int)tu_num(r, "ExpiresIn"), 300);
    a1 = jwt_peek_payload(tu_str(ta_result_of(first), "AccessToken"));
    a2 = jwt_peek_payload(tu_str(r, "AccessToken"));
    i1 = jwt_peek_payload(tu_str(ta_result_of(first), "IdToken"));
    i2 = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert(ta_num_claim(a2, "auth_time") == ta_num_claim(a1, "auth_time"));
    ck_assert(ta_num_claim(i2, "auth_time") == ta_num_claim(i1, "auth_time"));
    ck_assert(ta_num_claim(a2, "iat") >= ta_num_claim(a1, "iat") + 120);
    ck_assert_str_eq(tu_str(a2, "origin_jti"), tu_str(a1, "origin_jti"));
    ck_assert_str_eq(tu_str(i2, "origin_jti"), tu_str(i1, "origin_jti"));
    ck_assert_str_ne(tu_str(a2, "jti"), tu_str(a1, "jti"));
    ck_assert_str_ne(tu_str(a2, "event_id"), tu_str(a1, "event_id"));
    ck_assert_str_eq(tu_str(i2, "sub"), tu_str(i1, "sub"));
    ck_assert(ta_verifies(tu_str(r, "AccessToken"), ta_pool_id));
    cJSON_Delete(a1);
    cJSON_Delete(a2);
    cJSON_Delete(i1);
    cJSON_Delete(i2);
    cJSON_Delete(resp);
    cJSON_Delete(first);
}
END_TEST

START_TEST(test_auth_refresh_alias_and_admin_refresh)
{
    char token[256];
    cJSON *resp;

    ta_add_user("alice", "CONFIRMED");
    refresh_token_of(ta_client_id, token);
    resp = refresh_with("REFRESH_TOKEN", ta_client_id, token);
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "IdToken"));
    cJSON_Delete(resp);
    resp =
        tu_callf(env, IDP "AdminInitiateAuth",
                 "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                 "\"AuthParameters\":{\"REFRESH_TOKEN\":\"%s\"}}",
                 ta_pool_id, ta_client_id, token);
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_refresh_expired_garbage_revoked_and_foreign)
{
    char token[256], other[64];
    cJSON *resp, *claims;
    struct store_conn *db;
    const char *origin;

    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in("alice", TA_PASSWORD);
    snprintf(token, sizeof(token), "%s", tu_str(ta_result_of(resp), "RefreshToken"));
    claims = jwt_peek_payload(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);

    resp = refresh_with("REFRESH_TOKEN_AUTH", ta_client_id, "not-a-refresh-token");
    tu_assert_error(resp, "NotAuthorizedException", "Invalid Refresh Token");
    cJSON_Delete(resp);
    /* A token of another client of the same pool. */
    ta_create_client_in(ta_pool_id, TA_FLOWS, other);
    resp = refresh_with("REFRESH_TOKEN_AUTH", other, token);
    tu_assert_error(resp, "NotAuthorizedException", "Invalid Refresh Token");
    cJSON_Delete(resp);
    /* Thirty days (the default RefreshTokenValidity) and a minute later. */
    clock_set_offset_ms(30 * TA_DAY_MS + 60 * 1000);
    resp = refresh_with("REFRESH_TOKEN_AUTH", ta_client_id, token);
    tu_assert_error(resp, "NotAuthorizedException", "Refresh Token has expired");
    cJSON_Delete(resp);
    clock_set_offset_ms(0);
    /* Revoked (what RevokeToken and GlobalSignOut will do, by origin_jti). */
    origin = tu_str(claims, "origin_jti");
    db = store_acquire(env->store);
    ck_assert_int_eq(store_refresh_revoke(db, origin), STORE_OK);
    store_release(env->store, db);
    resp = refresh_with("REFRESH_TOKEN_AUTH", ta_client_id, token);
    tu_assert_error(resp, "NotAuthorizedException", "Refresh Token has been revoked");
    cJSON_Delete(resp);
    cJSON_Delete(claims);
}
END_TEST

START_TEST(test_auth_refresh_of_a_disabled_user)
{
    char token[256];
    struct store_conn *db;
    struct store_user *u;
    cJSON *resp;

    ta_add_user("alice", "CONFIRMED");
    refresh_token_of(ta_client_id, token);
    u = ta_get_user("alice");
    u->enabled = 0;
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_update(db, u), STORE_OK);
    store_release(env->store, db);
    store_user_free(u);
    resp = refresh_with("REFRESH_TOKEN_AUTH", ta_client_id, token);
    tu_assert_error(resp, "NotAuthorizedException", "User is disabled.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_refresh_secret_hash_is_over_the_tokens_username)
{
    char secret_client[64], secret[64], token[256];
    char *hash, *login_hash;
    cJSON *resp;

    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"GenerateSecret\":true", secret_client);
    ta_client_secret(secret_client, secret);
    ta_add_user("alice", "CONFIRMED");
    login_hash = secrets_secret_hash(secret, "alice", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TA_PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, login_hash);
    snprintf(token, sizeof(token), "%s", tu_str(ta_result_of(resp), "RefreshToken"));
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
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(hash);
    free(login_hash);
}
END_TEST

START_TEST(test_auth_refresh_get_tokens_from_refresh_token)
{
    char token[256];
    cJSON *resp, *claims;
    const cJSON *r;

    ta_add_user("alice", "CONFIRMED");
    refresh_token_of(ta_client_id, token);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"%s\",\"ClientId\":\"%s\"}", token, ta_client_id);
    r = ta_result_of(resp);
    ck_assert_ptr_nonnull(tu_str(r, "AccessToken"));
    ck_assert_ptr_nonnull(tu_str(r, "IdToken"));
    ck_assert_str_eq(tu_str(r, "TokenType"), "Bearer");
    ck_assert_int_eq((int)tu_num(r, "ExpiresIn"), 300);
    ck_assert_ptr_null(tu_get(r, "RefreshToken"));
    ck_assert_ptr_null(tu_get(resp, "ChallengeParameters"));
    /* Amplify needs iat in the access token. */
    claims = jwt_peek_payload(tu_str(r, "AccessToken"));
    ck_assert(ta_num_claim(claims, "iat") > 0);
    cJSON_Delete(claims);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"RefreshToken\":\"garbage\",\"ClientId\":\"%s\"}", ta_client_id);
    tu_assert_error(resp, "NotAuthorizedException", "Invalid Refresh Token");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_refresh_get_tokens_from_refresh_token_needs_the_client_secret)
{
    char secret_client[64], secret[64], token[256];
    char *hash;
    cJSON *resp;

    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"GenerateSecret\":true", secret_client);
    ta_client_secret(secret_client, secret);
    ta_add_user("alice", "CONFIRMED");
    hash = secrets_secret_hash(secret, "alice", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TA_PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, hash);
    snprintf(token, sizeof(token), "%s", tu_str(ta_result_of(resp), "RefreshToken"));
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
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(hash);
}
END_TEST

/* ---- tokens_check_access ----------------------------------------------------------------- */

/* Sign alice in and copy the access token into out (size 4096). */
static void access_token_of(char *out)
{
    cJSON *resp = ta_sign_in("alice", TA_PASSWORD);

    snprintf(out, 4096, "%s", tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}

/* tokens_check_access on token: 0 and the username in user (size 64), or -1 with err. */
static int check_access(const char *token, char *user, struct cog_err *err)
{
    struct op_ctx ctx = ta_ctx_new();
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
    ta_ctx_done(&ctx);
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

START_TEST(test_tokens_check_access_accepts_a_valid_token)
{
    char token[4096], user[64];
    struct cog_err err;

    ta_add_user("alice", "CONFIRMED");
    access_token_of(token);
    ck_assert_int_eq(check_access(token, user, &err), 0);
    ck_assert_str_eq(user, "alice");
    /* NULL out-pointers are allowed. */
    {
        struct op_ctx ctx = ta_ctx_new();
        ck_assert_int_eq(tokens_check_access(&ctx, token, NULL, NULL), 0);
        ta_ctx_done(&ctx);
    }
}
END_TEST

START_TEST(test_tokens_check_access_refuses_an_expired_token)
{
    char token[4096];

    ta_add_user("alice", "CONFIRMED");
    access_token_of(token);
    clock_set_offset_ms(5 * 60 * 1000 + 1000);
    assert_refused(token, "Access Token has expired");
}
END_TEST

START_TEST(test_tokens_check_access_refuses_forged_and_foreign_tokens)
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

    ta_add_user("alice", "CONFIRMED");
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
    id_resp = ta_sign_in("alice", TA_PASSWORD);
    assert_refused(tu_str(ta_result_of(id_resp), "IdToken"), "Invalid Access Token");

    cJSON_Delete(id_resp);
    cJSON_Delete(claims);
    free(foreign);
    free(encoded);
    free(payload_text);
    free(raw);
    free(other);
}
END_TEST

START_TEST(test_tokens_check_access_needs_the_user)
{
    char token[4096];
    struct store_conn *db;
    struct store_user *u;

    ta_add_user("alice", "CONFIRMED");
    access_token_of(token);
    u = ta_get_user("alice");
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
    ta_add_user("alice", "CONFIRMED");
    assert_refused(token, "User does not exist.");
}
END_TEST

START_TEST(test_tokens_check_access_accepts_the_other_issuer_form)
{
    char token[4096], user[64];
    struct cog_err err;
    int before = env->settings.aws_issuer;

    ta_add_user("alice", "CONFIRMED");
    access_token_of(token);
    /* As if restarted with --issuer switched: the token still verifies by its signature. */
    env->settings.aws_issuer = !before;
    ck_assert_int_eq(check_access(token, user, &err), 0);
    env->settings.aws_issuer = before;
}
END_TEST

/*
 * In a pool that signs in by email the username is a UUID; the user types the email, so the
 * sign-in SECRET_HASH is over the email, the refresh one over the UUID username.
 */
START_TEST(test_auth_refresh_email_pool_secret_hashes)
{
    char *pool = tu_create_user_pool(env, "{\"PoolName\":\"byemail\","
                                          "\"UsernameAttributes\":[\"email\"]}");
    char client[64], secret[64], refresh[256];
    char *login_hash, *refresh_hash;
    cJSON *resp, *claims;
    struct store_conn *db;

    ta_create_client_in(pool, TA_FLOWS ",\"GenerateSecret\":true", client);
    resp = tu_callf(env, IDP "DescribeUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", pool, client);
    snprintf(secret, sizeof(secret), "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"f@example.com\",\"MessageAction\":"
                    "\"SUPPRESS\",\"TemporaryPassword\":\"" TA_PASSWORD "\"}",
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
                    "\"AuthParameters\":{\"USERNAME\":\"f@example.com\",\"PASSWORD\":\"" TA_PASSWORD
                    "\",\"SECRET_HASH\":\"%s\"}}",
                    client, login_hash);
    snprintf(refresh, sizeof(refresh), "%s", tu_str(ta_result_of(resp), "RefreshToken"));
    claims = jwt_peek_payload(tu_str(ta_result_of(resp), "AccessToken"));
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
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "IdToken"));
    cJSON_Delete(resp);
    cJSON_Delete(claims);
    free(login_hash);
    free(refresh_hash);
    free(pool);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("auth_refresh");
    TCase *tc = tcase_create("refresh");

    /* Each test makes RSA keys for its pools (~0.1 s a key), more under sanitizers/valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, ta_setup, tu_teardown);
    tcase_add_test(tc, test_auth_refresh_keeps_auth_time_and_origin_jti);
    tcase_add_test(tc, test_auth_refresh_alias_and_admin_refresh);
    tcase_add_test(tc, test_auth_refresh_expired_garbage_revoked_and_foreign);
    tcase_add_test(tc, test_auth_refresh_of_a_disabled_user);
    tcase_add_test(tc, test_auth_refresh_secret_hash_is_over_the_tokens_username);
    tcase_add_test(tc, test_auth_refresh_get_tokens_from_refresh_token);
    tcase_add_test(tc, test_auth_refresh_get_tokens_from_refresh_token_needs_the_client_secret);
    tcase_add_test(tc, test_tokens_check_access_accepts_a_valid_token);
    tcase_add_test(tc, test_tokens_check_access_refuses_an_expired_token);
    tcase_add_test(tc, test_tokens_check_access_refuses_forged_and_foreign_tokens);
    tcase_add_test(tc, test_tokens_check_access_needs_the_user);
    tcase_add_test(tc, test_tokens_check_access_accepts_the_other_issuer_form);
    tcase_add_test(tc, test_auth_refresh_email_pool_secret_hashes);
    suite_add_tcase(s, tc);
    return s;
}
