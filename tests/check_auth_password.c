/*
 * check_auth_password: password sign-in (auth_password.c) and what every flow goes through
 * (ops_auth.c's FLOWS and CHALLENGES, auth.c's answers): USER_PASSWORD_AUTH and the Admin flows
 * with Cognito's errors, the claims and signatures of the tokens a sign-in issues (tokens.c),
 * and the NEW_PASSWORD_REQUIRED challenge. Operations run through tu_call exactly as the server
 * runs them; users are written straight into the store (testauth.h). The lockout is tested with
 * MFA in check_ops_mfa.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "crypto/secrets.h"
#include "settings.h"
#include "store/store.h"
#include "testauth.h"
#include "testutil.h"
#include "util/clock.h"
#include "util/ids.h"

static struct tu_env *const env = &tu_fixture;

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

/* ---- Password sign-in -------------------------------------------------------------------- */

START_TEST(test_auth_password_sign_in_returns_three_tokens)
{
    cJSON *resp;
    const cJSON *r;

    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in("alice", TA_PASSWORD);
    r = ta_result_of(resp);
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

START_TEST(test_auth_password_id_token_claims_are_cognitos)
{
    cJSON *resp, *claims;
    const cJSON *r;
    char iss[700];
    int64_t before = clock_now_ms() / 1000;

    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in("alice", TA_PASSWORD);
    r = ta_result_of(resp);
    claims = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert_ptr_nonnull(claims);
    settings_issuer(&env->settings, ta_pool_id, iss, sizeof(iss));
    tu_assert_matches(tu_str(claims, "sub"), "^[0-9a-f-]{36}$");
    ck_assert_str_eq(tu_str(claims, "iss"), iss);
    ck_assert_str_eq(tu_str(claims, "cognito:username"), "alice");
    ck_assert_str_eq(tu_str(claims, "aud"), ta_client_id);
    ck_assert_str_eq(tu_str(claims, "token_use"), "id");
    tu_assert_matches(tu_str(claims, "origin_jti"), "^[0-9a-f-]{36}$");
    tu_assert_matches(tu_str(claims, "event_id"), "^[0-9a-f-]{36}$");
    tu_assert_matches(tu_str(claims, "jti"), "^[0-9a-f-]{36}$");
    ck_assert(tu_bool(claims, "email_verified"));
    ck_assert_str_eq(tu_str(claims, "email"), "alice@example.com");
    ck_assert_str_eq(tu_str(claims, "given_name"), "Alice");
    ck_assert_str_eq(tu_str(claims, "custom:team"), "blue");
    ck_assert(ta_num_claim(claims, "iat") >= (double)before);
    ck_assert(ta_num_claim(claims, "auth_time") == ta_num_claim(claims, "iat"));
    /* IdTokenValidity 10 minutes. */
    ck_assert_int_eq((int)(ta_num_claim(claims, "exp") - ta_num_claim(claims, "iat")), 600);
    ck_assert_ptr_null(tu_get(claims, "client_id"));
    ck_assert_ptr_null(tu_get(claims, "username"));
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_access_token_claims_are_cognitos)
{
    cJSON *resp, *claims, *id;
    const cJSON *r;

    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in("alice", TA_PASSWORD);
    r = ta_result_of(resp);
    claims = jwt_peek_payload(tu_str(r, "AccessToken"));
    id = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert_ptr_nonnull(claims);
    ck_assert_str_eq(tu_str(claims, "sub"), tu_str(id, "sub"));
    ck_assert_str_eq(tu_str(claims, "iss"), tu_str(id, "iss"));
    ck_assert_str_eq(tu_str(claims, "client_id"), ta_client_id);
    ck_assert_str_eq(tu_str(claims, "token_use"), "access");
    ck_assert_str_eq(tu_str(claims, "scope"), "aws.cognito.signin.user.admin");
    ck_assert_str_eq(tu_str(claims, "username"), "alice");
    /* One sign-in: the same origin_jti and event_id, different jti. */
    ck_assert_str_eq(tu_str(claims, "origin_jti"), tu_str(id, "origin_jti"));
    ck_assert_str_eq(tu_str(claims, "event_id"), tu_str(id, "event_id"));
    ck_assert_str_ne(tu_str(claims, "jti"), tu_str(id, "jti"));
    ck_assert(ta_num_claim(claims, "auth_time") == ta_num_claim(id, "auth_time"));
    /* AccessTokenValidity 5 minutes. */
    ck_assert_int_eq((int)(ta_num_claim(claims, "exp") - ta_num_claim(claims, "iat")), 300);
    /* No aud in an access token, and no attributes. */
    ck_assert_ptr_null(tu_get(claims, "aud"));
    ck_assert_ptr_null(tu_get(claims, "email"));
    ck_assert_ptr_null(tu_get(claims, "cognito:username"));
    cJSON_Delete(id);
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_tokens_are_signed_with_the_pools_two_keys)
{
    cJSON *resp, *h_id, *h_access;
    const cJSON *r;
    char *other = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");

    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in("alice", TA_PASSWORD);
    r = ta_result_of(resp);
    h_id = jwt_header(tu_str(r, "IdToken"));
    h_access = jwt_header(tu_str(r, "AccessToken"));
    ck_assert_str_eq(tu_str(h_id, "alg"), "RS256");
    ck_assert_str_eq(tu_str(h_access, "alg"), "RS256");
    ck_assert_ptr_nonnull(tu_str(h_id, "kid"));
    ck_assert_str_ne(tu_str(h_id, "kid"), tu_str(h_access, "kid"));
    ck_assert(ta_verifies(tu_str(r, "IdToken"), ta_pool_id));
    ck_assert(ta_verifies(tu_str(r, "AccessToken"), ta_pool_id));
    /* Another pool's keys do not verify them. */
    ck_assert(!ta_verifies(tu_str(r, "AccessToken"), other));
    cJSON_Delete(h_id);
    cJSON_Delete(h_access);
    cJSON_Delete(resp);
    free(other);
}
END_TEST

START_TEST(test_auth_password_default_validity_is_an_hour)
{
    char plain[64];
    cJSON *resp, *claims;
    const cJSON *r;

    ta_create_client_in(ta_pool_id, TA_FLOWS, plain);
    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in_with(plain, "alice", TA_PASSWORD);
    r = ta_result_of(resp);
    ck_assert_int_eq((int)tu_num(r, "ExpiresIn"), 3600);
    claims = jwt_peek_payload(tu_str(r, "IdToken"));
    ck_assert_int_eq((int)(ta_num_claim(claims, "exp") - ta_num_claim(claims, "iat")), 3600);
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_id_token_has_only_readable_attributes)
{
    char narrow[64];
    cJSON *resp, *claims;

    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"ReadAttributes\":[\"email\"]", narrow);
    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in_with(narrow, "alice", TA_PASSWORD);
    claims = jwt_peek_payload(tu_str(ta_result_of(resp), "IdToken"));
    ck_assert_str_eq(tu_str(claims, "email"), "alice@example.com");
    ck_assert_ptr_nonnull(tu_str(claims, "sub"));
    ck_assert_ptr_null(tu_get(claims, "given_name"));
    ck_assert_ptr_null(tu_get(claims, "custom:team"));
    ck_assert_ptr_null(tu_get(claims, "email_verified"));
    cJSON_Delete(claims);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_wrong_password)
{
    cJSON *resp;

    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in("alice", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_unknown_user_depends_on_prevent_user_existence_errors)
{
    char hiding[64];
    cJSON *resp;

    resp = ta_sign_in("nobody", TA_PASSWORD);
    tu_assert_error(resp, "UserNotFoundException", "User does not exist.");
    cJSON_Delete(resp);
    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", hiding);
    resp = ta_sign_in_with(hiding, "nobody", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"PreventUserExistenceErrors\":\"LEGACY\"", hiding);
    resp = ta_sign_in_with(hiding, "nobody", TA_PASSWORD);
    tu_assert_error(resp, "UserNotFoundException", "User does not exist.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_unconfirmed_user_after_the_password)
{
    cJSON *resp;

    ta_add_user("bob", "UNCONFIRMED");
    resp = ta_sign_in("bob", TA_PASSWORD);
    tu_assert_error(resp, "UserNotConfirmedException", "User is not confirmed.");
    cJSON_Delete(resp);
    resp = ta_sign_in("bob", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_disabled_user_after_the_password)
{
    struct store_conn *db;
    struct store_user *u;
    cJSON *resp;

    ta_add_user("carol", "CONFIRMED");
    u = ta_get_user("carol");
    u->enabled = 0;
    db = store_acquire(env->store);
    ck_assert_int_eq(store_user_update(db, u), STORE_OK);
    store_release(env->store, db);
    store_user_free(u);
    resp = ta_sign_in("carol", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "User is disabled.");
    cJSON_Delete(resp);
    resp = ta_sign_in("carol", "Wrong-passw0rd");
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_reset_required_user)
{
    cJSON *resp;

    ta_add_user("dave", "RESET_REQUIRED");
    resp = ta_sign_in("dave", TA_PASSWORD);
    tu_assert_error(resp, "PasswordResetRequiredException", "Password reset required for the user");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_flow_must_be_enabled_for_the_client)
{
    char srp_only[64];
    cJSON *resp;

    ta_create_client_in(ta_pool_id, "\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\"]", srp_only);
    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in_with(srp_only, "alice", TA_PASSWORD);
    tu_assert_error(resp, "InvalidParameterException",
                    "USER_PASSWORD_AUTH flow not enabled for this client");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"AuthParameters\":{\"USERNAME\":\"alice\","
                    "\"PASSWORD\":\"" TA_PASSWORD "\"}}",
                    ta_pool_id, srp_only);
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_flow_must_suit_the_operation)
{
    cJSON *resp;

    ta_add_user("alice", "CONFIRMED");
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TA_PASSWORD "\"}}",
                    ta_client_id);
    tu_assert_error(resp, "InvalidParameterException", "Initiate Auth method not supported");
    cJSON_Delete(resp);
    resp =
        tu_callf(env, IDP "AdminInitiateAuth",
                 "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                 "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TA_PASSWORD "\"}}",
                 ta_pool_id, ta_client_id);
    tu_assert_error(resp, "InvalidParameterException", "Initiate Auth method not supported");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_missing_parameters)
{
    cJSON *resp;

    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"PASSWORD\":\"x\"}}",
                    ta_client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter USERNAME");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\"}}",
                    ta_client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter PASSWORD");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"ClientId\":\"%s\"}", ta_client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter REFRESH_TOKEN");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_unknown_client)
{
    cJSON *resp = ta_sign_in_with("nosuchclient0000000000000", "alice", TA_PASSWORD);

    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_secret_hash_on_a_secret_client)
{
    char secret_client[64], secret[64];
    char *hash, *wrong;
    cJSON *resp;

    ta_create_client_in(ta_pool_id, TA_FLOWS ",\"GenerateSecret\":true", secret_client);
    ta_client_secret(secret_client, secret);
    ta_add_user("alice", "CONFIRMED");
    resp = ta_sign_in_with(secret_client, "alice", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "secret was not received"));
    cJSON_Delete(resp);
    wrong = secrets_secret_hash(secret, "bob", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TA_PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, wrong);
    ck_assert_str_eq(tu_error_type(resp), "NotAuthorizedException");
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "Unable to verify secret hash"));
    cJSON_Delete(resp);
    hash = secrets_secret_hash(secret, "alice", secret_client);
    resp = tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TA_PASSWORD "\","
                    "\"SECRET_HASH\":\"%s\"}}",
                    secret_client, hash);
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    free(hash);
    free(wrong);
}
END_TEST

START_TEST(test_auth_password_admin_flows_and_the_old_name)
{
    static const char *const flows[] = {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"};
    char *other = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");
    cJSON *resp;

    ta_add_user("alice", "CONFIRMED");
    for (int i = 0; i < 2; i++) {
        resp = tu_callf(env, IDP "AdminInitiateAuth",
                        "{\"AuthFlow\":\"%s\",\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                        "\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TA_PASSWORD
                        "\"}}",
                        flows[i], ta_pool_id, ta_client_id);
        ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "RefreshToken"));
        cJSON_Delete(resp);
    }
    /* The client must be one of the named pool's. */
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"AuthParameters\":{\"USERNAME\":\"alice\","
                    "\"PASSWORD\":\"" TA_PASSWORD "\"}}",
                    other, ta_client_id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    free(other);
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
    ta_create_client_in(pool, TA_FLOWS, client);
}

/* Sign temp in with the temporary password and copy the session (size 512). */
static cJSON *start_new_password(const char *client, char *session)
{
    cJSON *resp = ta_sign_in_with(client, "temp", TA_PASSWORD);

    ck_assert_msg(tu_error_type(resp) == NULL, "sign-in failed: %s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    snprintf(session, 512, "%s", tu_str(resp, "Session"));
    return resp;
}

START_TEST(test_auth_password_new_password_required_full_path)
{
    char pool[IDS_MAX], client[64], session[512];
    cJSON *resp, *attrs, *claims;
    const cJSON *params;
    struct store_conn *db;
    struct store_user *u = NULL;

    name_pool(pool, client);
    ta_add_user_to(pool, "temp", TA_PASSWORD, "FORCE_CHANGE_PASSWORD",
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

    resp = ta_respond_new_password(client, session, "N3w-passw0rd",
                                   ",\"userAttributes.name\":\"Tim\"");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "RefreshToken"));
    ck_assert(cJSON_IsObject(tu_get(resp, "ChallengeParameters")));
    claims = jwt_peek_payload(tu_str(ta_result_of(resp), "IdToken"));
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
    resp = ta_sign_in_with(client, "temp", "N3w-passw0rd");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = ta_sign_in_with(client, "temp", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException", "Incorrect username or password.");
    cJSON_Delete(resp);
    resp = ta_respond_new_password(client, session, "N3w-passw0rd",
                                   ",\"userAttributes.name\":\"Tim\"");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session can only be used once.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_new_password_bad_and_expired_sessions)
{
    char session[512];
    cJSON *resp;

    ta_add_user("temp", "FORCE_CHANGE_PASSWORD");
    cJSON_Delete(start_new_password(ta_client_id, session));
    resp = ta_respond_new_password(ta_client_id, "bogus-session-bogus-session-bogus",
                                   "N3w-passw0rd", "");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session is expired.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"ClientId\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"temp\",\"NEW_PASSWORD\":\"x\"}}",
                    ta_client_id);
    tu_assert_error(resp, "InvalidParameterException", "Missing required parameter Session");
    cJSON_Delete(resp);
    /* AuthSessionValidity defaults to 3 minutes. */
    clock_set_offset_ms(3 * 60 * 1000 + 1000);
    resp = ta_respond_new_password(ta_client_id, session, "N3w-passw0rd", "");
    tu_assert_error(resp, "NotAuthorizedException",
                    "Invalid session for the user, session is expired.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_new_password_checks_policy_and_attributes)
{
    char pool[IDS_MAX], client[64], session[512];
    cJSON *resp;

    name_pool(pool, client);
    ta_add_user_to(pool, "temp", TA_PASSWORD, "FORCE_CHANGE_PASSWORD",
                   "{\"email\":\"t@example.com\"}");
    cJSON_Delete(start_new_password(client, session));
    resp = ta_respond_new_password(client, session, "weak", ",\"userAttributes.name\":\"Tim\"");
    tu_assert_error(resp, "InvalidPasswordException", NULL);
    ck_assert_ptr_nonnull(strstr(tu_str(resp, "message"), "Password did not conform with policy"));
    cJSON_Delete(resp);
    resp = ta_respond_new_password(client, session, "N3w-passw0rd", "");
    tu_assert_error(resp, "InvalidParameterException", "Invalid attributes given, name is missing");
    cJSON_Delete(resp);
    resp =
        ta_respond_new_password(client, session, "N3w-passw0rd",
                                ",\"userAttributes.name\":\"Tim\",\"userAttributes.nosuch\":\"x\"");
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
    /* A refused response leaves the session usable: the right one still succeeds. */
    resp = ta_respond_new_password(client, session, "N3w-passw0rd",
                                   ",\"userAttributes.name\":\"Tim\"");
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "IdToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_new_password_for_another_user_is_refused)
{
    char session[512];
    cJSON *resp;

    ta_add_user("temp", "FORCE_CHANGE_PASSWORD");
    ta_add_user("alice", "CONFIRMED");
    cJSON_Delete(start_new_password(ta_client_id, session));
    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"ClientId\":\"%s\","
                    "\"Session\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":\"alice\","
                    "\"NEW_PASSWORD\":\"N3w-passw0rd\"}}",
                    ta_client_id, session);
    tu_assert_error(resp, "NotAuthorizedException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_admin_respond_to_new_password)
{
    char session[512];
    cJSON *resp;

    ta_add_user("temp", "FORCE_CHANGE_PASSWORD");
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"AuthParameters\":{\"USERNAME\":\"temp\","
                    "\"PASSWORD\":\"" TA_PASSWORD "\"}}",
                    ta_pool_id, ta_client_id);
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminRespondToAuthChallenge",
                    "{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\",\"UserPoolId\":\"%s\","
                    "\"ClientId\":\"%s\",\"Session\":\"%s\",\"ChallengeResponses\":"
                    "{\"USERNAME\":\"temp\",\"NEW_PASSWORD\":\"N3w-passw0rd\"}}",
                    ta_pool_id, ta_client_id, session);
    ck_assert_ptr_nonnull(tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_unimplemented_challenge_says_so)
{
    cJSON *resp;

    resp = tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ChallengeName\":\"ADMIN_NO_SRP_AUTH\",\"ClientId\":\"%s\",\"Session\":"
                    "\"no-such-session-no-such-session\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"SRP_A\":\"123456\"}}",
                    ta_client_id);
    tu_assert_error(resp, "InvalidParameterException",
                    "cognito-emu does not implement the ADMIN_NO_SRP_AUTH challenge yet");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_temporary_password_expires)
{
    cJSON *resp;

    ta_add_user("temp", "FORCE_CHANGE_PASSWORD");
    /* TemporaryPasswordValidityDays defaults to 7. */
    clock_set_offset_ms(8 * TA_DAY_MS);
    resp = ta_sign_in("temp", TA_PASSWORD);
    tu_assert_error(resp, "NotAuthorizedException",
                    "Temporary password has expired and must be reset by an administrator.");
    cJSON_Delete(resp);
}
END_TEST

/* ---- With the user operations ------------------------------------------------------------ */

START_TEST(test_auth_password_sign_up_confirm_sign_in_get_user)
{
    cJSON *resp;
    char token[4096];

    resp = tu_callf(env, IDP "SignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"erin\",\"Password\":\"" TA_PASSWORD "\","
                    "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"erin@example.com\"}]}",
                    ta_client_id);
    ck_assert_msg(tu_error_type(resp) == NULL, "SignUp: %s", tu_str(resp, "message"));
    cJSON_Delete(resp);
    resp = ta_sign_in("erin", TA_PASSWORD);
    tu_assert_error(resp, "UserNotConfirmedException", "User is not confirmed.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminConfirmSignUp", "{\"UserPoolId\":\"%s\",\"Username\":\"erin\"}",
                    ta_pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = ta_sign_in("erin", TA_PASSWORD);
    snprintf(token, sizeof(token), "%s", tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetUser", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_msg(tu_error_type(resp) == NULL, "GetUser: %s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "Username"), "erin");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_auth_password_admin_create_user_then_new_password)
{
    char session[512], token[4096];
    cJSON *resp;

    resp =
        tu_callf(env, IDP "AdminCreateUser",
                 "{\"UserPoolId\":\"%s\",\"Username\":\"temp\",\"TemporaryPassword\":\"" TA_PASSWORD
                 "\",\"MessageAction\":\"SUPPRESS\",\"UserAttributes\":[{\"Name\":\"email\","
                 "\"Value\":\"t@example.com\"}]}",
                 ta_pool_id);
    ck_assert_msg(tu_error_type(resp) == NULL, "AdminCreateUser: %s", tu_str(resp, "message"));
    cJSON_Delete(resp);
    cJSON_Delete(start_new_password(ta_client_id, session));
    resp = ta_respond_new_password(ta_client_id, session, "N3w-passw0rd", "");
    snprintf(token, sizeof(token), "%s", tu_str(ta_result_of(resp), "AccessToken"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetUser", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_str_eq(tu_str(resp, "Username"), "temp");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminGetUser", "{\"UserPoolId\":\"%s\",\"Username\":\"temp\"}",
                    ta_pool_id);
    ck_assert_str_eq(tu_str(resp, "UserStatus"), "CONFIRMED");
    cJSON_Delete(resp);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("auth_password");
    TCase *tc = tcase_create("password");

    /* Each test makes RSA keys for its pools (~0.1 s a key), more under sanitizers/valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, ta_setup, tu_teardown);
    tcase_add_test(tc, test_auth_password_sign_in_returns_three_tokens);
    tcase_add_test(tc, test_auth_password_id_token_claims_are_cognitos);
    tcase_add_test(tc, test_auth_password_access_token_claims_are_cognitos);
    tcase_add_test(tc, test_auth_password_tokens_are_signed_with_the_pools_two_keys);
    tcase_add_test(tc, test_auth_password_default_validity_is_an_hour);
    tcase_add_test(tc, test_auth_password_id_token_has_only_readable_attributes);
    tcase_add_test(tc, test_auth_password_wrong_password);
    tcase_add_test(tc, test_auth_password_unknown_user_depends_on_prevent_user_existence_errors);
    tcase_add_test(tc, test_auth_password_unconfirmed_user_after_the_password);
    tcase_add_test(tc, test_auth_password_disabled_user_after_the_password);
    tcase_add_test(tc, test_auth_password_reset_required_user);
    tcase_add_test(tc, test_auth_password_flow_must_be_enabled_for_the_client);
    tcase_add_test(tc, test_auth_password_flow_must_suit_the_operation);
    tcase_add_test(tc, test_auth_password_missing_parameters);
    tcase_add_test(tc, test_auth_password_unknown_client);
    tcase_add_test(tc, test_auth_password_secret_hash_on_a_secret_client);
    tcase_add_test(tc, test_auth_password_admin_flows_and_the_old_name);
    tcase_add_test(tc, test_auth_password_new_password_required_full_path);
    tcase_add_test(tc, test_auth_password_new_password_bad_and_expired_sessions);
    tcase_add_test(tc, test_auth_password_new_password_checks_policy_and_attributes);
    tcase_add_test(tc, test_auth_password_new_password_for_another_user_is_refused);
    tcase_add_test(tc, test_auth_password_admin_respond_to_new_password);
    tcase_add_test(tc, test_auth_password_unimplemented_challenge_says_so);
    tcase_add_test(tc, test_auth_password_temporary_password_expires);
    tcase_add_test(tc, test_auth_password_sign_up_confirm_sign_in_get_user);
    tcase_add_test(tc, test_auth_password_admin_create_user_then_new_password);
    suite_add_tcase(s, tc);
    return s;
}
