/*
 * check_auth_choice: choice-based sign-in, AuthFlow USER_AUTH (auth_choice.c), through the
 * operations as the server runs them: AvailableChallenges (what the pool allows and the user
 * can use, in Cognito's order), PREFERRED_CHALLENGE and SELECT_CHALLENGE for every first
 * factor but WEB_AUTHN (auth_webauthn.c's), the 8-digit sign-in codes read from the inbox, the
 * sessions (a wrong code keeps one, a success spends it), the refusals, and passwordless
 * sign-up with its auto sign-in.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "testauth.h"
#include "testlife.h"
#include "testutil.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;

#define USER_AUTH_FLOWS "\"ExplicitAuthFlows\":[\"ALLOW_USER_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]"
#define ALL_FACTORS "[\"PASSWORD\",\"EMAIL_OTP\",\"SMS_OTP\",\"WEB_AUTHN\"]"
#define PHONE_AND_EMAIL                                                                            \
    "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"},"                                     \
    "{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]"
#define MISMATCH "Invalid code or auth state for the user."
#define USED_SESSION "Invalid session for the user, session can only be used once."
#define EXPIRED_SESSION "Invalid session for the user, session is expired."

/* A pool allowing factors (a JSON array, NULL: no SignInPolicy) with a USER_AUTH client, and
 * alice in it (CONFIRMED, TL_PASSWORD) with attrs. */
static void choice_app(struct tl_app *a, const char *factors, const char *attrs)
{
    char body[256];

    if (factors != NULL)
        snprintf(body, sizeof(body),
                 "{\"PoolName\":\"p\",\"Policies\":{\"SignInPolicy\":"
                 "{\"AllowedFirstAuthFactors\":%s}}}",
                 factors);
    else
        snprintf(body, sizeof(body), "{\"PoolName\":\"p\"}");
    tl_app(a, body, USER_AUTH_FLOWS);
    tl_user(a, "alice", attrs);
}

/* InitiateAuth USER_AUTH for user with the AuthParameters fragment extra after USERNAME. */
static cJSON *initiate(const struct tl_app *a, const char *user, const char *extra)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"%s\"%s}}",
                    a->client, user, extra);
}

/* RespondToAuthChallenge name with session for user and the ChallengeResponses fragment. */
static cJSON *respond(const struct tl_app *a, const char *name, const char *session,
                      const char *user, const char *responses)
{
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ClientId\":\"%s\",\"ChallengeName\":\"%s\",\"Session\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"%s\"%s}}",
                    a->client, name, session, user, responses);
}

/* resp must be challenge name with a Session (copied into session, 512 bytes); kept. */
static void expect_challenge(const cJSON *resp, const char *name, char *session)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), name);
    if (session != NULL) {
        ck_assert_ptr_nonnull(tu_str(resp, "Session"));
        snprintf(session, 512, "%s", tu_str(resp, "Session"));
    }
}

/* resp's AvailableChallenges, as compact JSON text, must be list. */
static void expect_available(const cJSON *resp, const char *list)
{
    char *text = cJSON_PrintUnformatted(tu_get(resp, "AvailableChallenges"));

    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, list);
    cJSON_free(text);
}

/* The newest sign-in code sent to username by medium (out: 9 bytes): 8 digits. */
static void otp_code(const char *username, const char *medium, char *out)
{
    struct store_conn *conn = store_acquire(env->store);
    struct store_message_filter f = {.username = username, .kind = "mfa", .limit = 1};
    struct store_message **list = NULL;
    size_t count = 0;

    ck_assert_int_eq(store_message_list(conn, &f, &list, &count), STORE_OK);
    store_release(env->store, conn);
    ck_assert_uint_eq(count, 1);
    ck_assert_str_eq(list[0]->medium, medium);
    ck_assert_uint_eq(strlen(list[0]->code), 8);
    snprintf(out, 9, "%s", list[0]->code);
    store_message_list_free(list, count);
}

/* How many messages the inbox holds for username. */
static size_t messages_of(const char *username)
{
    struct store_conn *conn = store_acquire(env->store);
    struct store_message_filter f = {.username = username, .limit = 100};
    struct store_message **list = NULL;
    size_t count = 0;

    ck_assert_int_eq(store_message_list(conn, &f, &list, &count), STORE_OK);
    store_release(env->store, conn);
    store_message_list_free(list, count);
    return count;
}

START_TEST(test_auth_choice_select_challenge_lists_the_factors_in_order)
{
    struct tl_app a;
    char session[512];
    cJSON *resp;

    choice_app(&a, ALL_FACTORS, PHONE_AND_EMAIL);
    resp = initiate(&a, "alice", "");
    expect_challenge(resp, "SELECT_CHALLENGE", session);
    /* No passkey registered: no WEB_AUTHN. */
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\",\"EMAIL_OTP\",\"SMS_OTP\"]");
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "USERNAME"), "alice");
    cJSON_Delete(resp);
    /* The answer must be one offered. */
    tl_error(respond(&a, "SELECT_CHALLENGE", session, "alice", ",\"ANSWER\":\"WEB_AUTHN\""),
             "InvalidParameterException", NULL);
    tl_error(respond(&a, "SELECT_CHALLENGE", session, "alice", ""), "InvalidParameterException",
             "Missing required parameter ANSWER");
    tl_error(respond(&a, "SELECT_CHALLENGE", session, "alice",
                     ",\"ANSWER\":\"PASSWORD\",\"PASSWORD\":\"wrong-Passw0rd\""),
             "NotAuthorizedException", "Incorrect username or password.");
    tl_expect_tokens(respond(&a, "SELECT_CHALLENGE", session, "alice",
                             ",\"ANSWER\":\"PASSWORD\",\"PASSWORD\":\"" TL_PASSWORD "\""));
}
END_TEST

START_TEST(test_auth_choice_default_pool_offers_passwords_only)
{
    struct tl_app a;
    cJSON *resp;

    choice_app(&a, NULL, PHONE_AND_EMAIL);
    resp = initiate(&a, "alice", "");
    expect_challenge(resp, "SELECT_CHALLENGE", NULL);
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\"]");
    cJSON_Delete(resp);
    /* A preference the user cannot use falls back to SELECT_CHALLENGE. */
    resp = initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"EMAIL_OTP\"");
    expect_challenge(resp, "SELECT_CHALLENGE", NULL);
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\"]");
    cJSON_Delete(resp);
    ck_assert_uint_eq(messages_of("alice"), 0);
}
END_TEST

START_TEST(test_auth_choice_preferred_password_in_one_request)
{
    struct tl_app a;
    char session[512];
    cJSON *resp;

    choice_app(&a, ALL_FACTORS, PHONE_AND_EMAIL);
    resp = initiate(&a, "alice",
                    ",\"PREFERRED_CHALLENGE\":\"PASSWORD\",\"PASSWORD\":\"" TL_PASSWORD "\"");
    ck_assert_ptr_nonnull(tu_str(tu_get(resp, "AuthenticationResult"), "AccessToken"));
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\",\"EMAIL_OTP\",\"SMS_OTP\"]");
    cJSON_Delete(resp);
    tl_error(initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"PASSWORD\",\"PASSWORD\":\"nope\""),
             "NotAuthorizedException", "Incorrect username or password.");
    /* Without the password: the PASSWORD challenge asks for it. */
    resp = initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"PASSWORD\"");
    expect_challenge(resp, "PASSWORD", session);
    cJSON_Delete(resp);
    tl_error(respond(&a, "PASSWORD", session, "alice", ""), "InvalidParameterException",
             "Missing required parameter PASSWORD");
    tl_error(respond(&a, "PASSWORD", session, "alice", ",\"PASSWORD\":\"nope\""),
             "NotAuthorizedException", "Incorrect username or password.");
    tl_expect_tokens(
        respond(&a, "PASSWORD", session, "alice", ",\"PASSWORD\":\"" TL_PASSWORD "\""));
}
END_TEST

/* Answer the PASSWORD_VERIFIER resp (deleted) of c's A for alice; tokens must follow. */
static void finish_srp(const struct tl_app *a, struct ta_srp_client *c, cJSON *resp)
{
    const cJSON *params = tu_get(resp, "ChallengeParameters");
    char ts[40], sig[128];

    expect_challenge(resp, "PASSWORD_VERIFIER", NULL);
    ta_srp_timestamp(clock_now_ms(), ts);
    ta_srp_sign(c, a->pool, params, TL_PASSWORD, ts, sig);
    tl_expect_tokens(tu_callf(env, IDP "RespondToAuthChallenge",
                              "{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"ClientId\":\"%s\","
                              "\"ChallengeResponses\":{\"USERNAME\":\"alice\","
                              "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\",\"TIMESTAMP\":\"%s\","
                              "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\"}}",
                              a->client, tu_str(params, "SECRET_BLOCK"), ts, sig));
    cJSON_Delete(resp);
}

START_TEST(test_auth_choice_password_srp)
{
    struct tl_app a;
    struct ta_srp_client c = ta_srp_client_new();
    char session[512], extra[1200];
    cJSON *resp;

    /* A client allowing USER_AUTH alone proves the password by SRP inside it. */
    choice_app(&a, NULL, "");
    snprintf(extra, sizeof(extra), ",\"PREFERRED_CHALLENGE\":\"PASSWORD_SRP\",\"SRP_A\":\"%s\"",
             c.A_hex);
    resp = initiate(&a, "alice", extra);
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\"]");
    finish_srp(&a, &c, resp);
    /* Through SELECT_CHALLENGE. */
    resp = initiate(&a, "alice", "");
    expect_challenge(resp, "SELECT_CHALLENGE", session);
    cJSON_Delete(resp);
    tl_error(respond(&a, "SELECT_CHALLENGE", session, "alice", ",\"ANSWER\":\"PASSWORD_SRP\""),
             "InvalidParameterException", "Missing required parameter SRP_A");
    snprintf(extra, sizeof(extra), ",\"ANSWER\":\"PASSWORD_SRP\",\"SRP_A\":\"%s\"", c.A_hex);
    finish_srp(&a, &c, respond(&a, "SELECT_CHALLENGE", session, "alice", extra));
    /* Through the PASSWORD_SRP challenge. */
    resp = initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"PASSWORD_SRP\"");
    expect_challenge(resp, "PASSWORD_SRP", session);
    cJSON_Delete(resp);
    snprintf(extra, sizeof(extra), ",\"SRP_A\":\"%s\"", c.A_hex);
    finish_srp(&a, &c, respond(&a, "PASSWORD_SRP", session, "alice", extra));
    ta_srp_client_free(&c);
}
END_TEST

START_TEST(test_auth_choice_email_otp)
{
    struct tl_app a;
    char session[512], code[9], body[64];
    cJSON *resp;
    const cJSON *params;

    choice_app(&a, ALL_FACTORS, PHONE_AND_EMAIL);
    resp = initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"EMAIL_OTP\"");
    expect_challenge(resp, "EMAIL_OTP", session);
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\",\"EMAIL_OTP\",\"SMS_OTP\"]");
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DELIVERY_MEDIUM"), "EMAIL");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DESTINATION"), "a***@e***");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "alice");
    cJSON_Delete(resp);
    otp_code("alice", "EMAIL", code);
    tl_error(respond(&a, "EMAIL_OTP", session, "alice", ""), "InvalidParameterException",
             "Missing required parameter EMAIL_OTP_CODE");
    /* Wrong codes keep the session. */
    for (int i = 0; i < 3; i++)
        tl_error(respond(&a, "EMAIL_OTP", session, "alice", ",\"EMAIL_OTP_CODE\":\"00000000x\""),
                 "CodeMismatchException", MISMATCH);
    snprintf(body, sizeof(body), ",\"EMAIL_OTP_CODE\":\"%s\"", code);
    tl_expect_tokens(respond(&a, "EMAIL_OTP", session, "alice", body));
    /* A session answers once, and says so. */
    tl_error(respond(&a, "EMAIL_OTP", session, "alice", body), "NotAuthorizedException",
             USED_SESSION);
}
END_TEST

START_TEST(test_auth_choice_sms_otp_through_select_and_expiry)
{
    struct tl_app a;
    char session[512], code[9], body[64];
    cJSON *resp;
    const cJSON *params;

    choice_app(&a, ALL_FACTORS, PHONE_AND_EMAIL);
    resp = initiate(&a, "alice", "");
    expect_challenge(resp, "SELECT_CHALLENGE", session);
    cJSON_Delete(resp);
    resp = respond(&a, "SELECT_CHALLENGE", session, "alice", ",\"ANSWER\":\"SMS_OTP\"");
    expect_challenge(resp, "SMS_OTP", session);
    /* Only InitiateAuth answers AvailableChallenges. */
    ck_assert_ptr_null(tu_get(resp, "AvailableChallenges"));
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DELIVERY_MEDIUM"), "SMS");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DESTINATION"), "+*******0123");
    cJSON_Delete(resp);
    otp_code("alice", "SMS", code);
    snprintf(body, sizeof(body), ",\"SMS_OTP_CODE\":\"%s\"", code);
    /* The session, and its code, last AuthSessionValidity (3 minutes by default). */
    clock_set_offset_ms(3 * 60 * 1000 + 1000);
    tl_error(respond(&a, "SMS_OTP", session, "alice", body), "NotAuthorizedException",
             EXPIRED_SESSION);
    clock_set_offset_ms(0);
    resp = initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"SMS_OTP\"");
    expect_challenge(resp, "SMS_OTP", session);
    cJSON_Delete(resp);
    otp_code("alice", "SMS", code);
    snprintf(body, sizeof(body), ",\"SMS_OTP_CODE\":\"%s\"", code);
    tl_expect_tokens(respond(&a, "SMS_OTP", session, "alice", body));
}
END_TEST

START_TEST(test_auth_choice_refusals)
{
    struct tl_app a, other;

    choice_app(&a, ALL_FACTORS, PHONE_AND_EMAIL);
    tl_error(initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"SOFTWARE_TOKEN_MFA\""),
             "InvalidParameterException", NULL);
    tl_error(initiate(&a, "nobody", ""), "UserNotFoundException", "User does not exist.");
    tl_error(tu_callf(env, IDP "InitiateAuth",
                      "{\"AuthFlow\":\"USER_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":{}}",
                      a.client),
             "InvalidParameterException", "Missing required parameter USERNAME");
    tl_client(&a, "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\"]", &other);
    tl_error(initiate(&other, "alice", ""), "InvalidParameterException",
             "USER_AUTH flow not enabled for this client");
}
END_TEST

START_TEST(test_auth_choice_hidden_users_get_simulated_challenges)
{
    struct tl_app a, hiding;
    char session[512];
    cJSON *resp;

    choice_app(&a, ALL_FACTORS, PHONE_AND_EMAIL);
    tl_client(&a, USER_AUTH_FLOWS ",\"PreventUserExistenceErrors\":\"ENABLED\"", &hiding);
    resp = initiate(&hiding, "bob@example.com", ",\"PREFERRED_CHALLENGE\":\"EMAIL_OTP\"");
    expect_challenge(resp, "EMAIL_OTP", session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "CODE_DELIVERY_DESTINATION"),
                     "b***@e***");
    cJSON_Delete(resp);
    tl_error(respond(&hiding, "EMAIL_OTP", session, "bob@example.com",
                     ",\"EMAIL_OTP_CODE\":\"12345678\""),
             "CodeMismatchException", MISMATCH);
    ck_assert_uint_eq(messages_of("bob@example.com"), 0);
    resp = initiate(&hiding, "bob", "");
    expect_challenge(resp, "SELECT_CHALLENGE", NULL);
    expect_available(resp,
                     "[\"PASSWORD_SRP\",\"PASSWORD\",\"EMAIL_OTP\",\"SMS_OTP\",\"WEB_AUTHN\"]");
    cJSON_Delete(resp);
    tl_error(initiate(&hiding, "bob", ",\"PREFERRED_CHALLENGE\":\"PASSWORD\",\"PASSWORD\":\"x\""),
             "NotAuthorizedException", "Incorrect username or password.");
}
END_TEST

START_TEST(test_auth_choice_mfa_and_new_password_users_get_passwords_only)
{
    struct tl_app a;
    char session[512];
    cJSON *resp;

    choice_app(&a, ALL_FACTORS, PHONE_AND_EMAIL);
    tl_ok(tu_callf(env, IDP "SetUserPoolMfaConfig",
                   "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"OPTIONAL\","
                   "\"EmailMfaConfiguration\":{\"Message\":\"{####}\",\"Subject\":\"c\"}}",
                   a.pool));
    tl_ok(tu_callf(env, IDP "AdminSetUserMFAPreference",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\","
                   "\"EmailMfaSettings\":{\"Enabled\":true}}",
                   a.pool));
    resp = initiate(&a, "alice", ",\"PREFERRED_CHALLENGE\":\"EMAIL_OTP\"");
    expect_challenge(resp, "SELECT_CHALLENGE", NULL);
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\"]");
    cJSON_Delete(resp);
    /* The password leads to MFA, whose EMAIL_OTP is the 6-digit MFA code. */
    resp = initiate(&a, "alice",
                    ",\"PREFERRED_CHALLENGE\":\"PASSWORD\",\"PASSWORD\":\"" TL_PASSWORD "\"");
    expect_challenge(resp, "EMAIL_OTP", session);
    cJSON_Delete(resp);
    {
        char code[7], body[64];
        tl_mfa_code("alice", "EMAIL", code);
        ck_assert_uint_eq(strlen(code), 6);
        snprintf(body, sizeof(body), ",\"EMAIL_OTP_CODE\":\"%s\"", code);
        tl_expect_tokens(respond(&a, "EMAIL_OTP", session, "alice", body));
    }
    /* A user who must change the password: password factors, then NEW_PASSWORD_REQUIRED. */
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"tim\",\"MessageAction\":\"SUPPRESS\","
                   "\"TemporaryPassword\":\"Temp0rary!\",\"UserAttributes\":"
                   "[{\"Name\":\"email\",\"Value\":\"tim@example.com\"}]}",
                   a.pool));
    resp = initiate(&a, "tim", ",\"PREFERRED_CHALLENGE\":\"EMAIL_OTP\"");
    expect_challenge(resp, "SELECT_CHALLENGE", NULL);
    expect_available(resp, "[\"PASSWORD_SRP\",\"PASSWORD\"]");
    cJSON_Delete(resp);
    resp = initiate(&a, "tim", ",\"PREFERRED_CHALLENGE\":\"PASSWORD\",\"PASSWORD\":\"Temp0rary!\"");
    expect_challenge(resp, "NEW_PASSWORD_REQUIRED", NULL);
    cJSON_Delete(resp);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("auth_choice");
    TCase *tc = tcase_create("core");

    /* Each test makes RSA keys for its pools (~0.1 s a key), more under sanitizers/valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_auth_choice_select_challenge_lists_the_factors_in_order);
    tcase_add_test(tc, test_auth_choice_default_pool_offers_passwords_only);
    tcase_add_test(tc, test_auth_choice_preferred_password_in_one_request);
    tcase_add_test(tc, test_auth_choice_password_srp);
    tcase_add_test(tc, test_auth_choice_email_otp);
    tcase_add_test(tc, test_auth_choice_sms_otp_through_select_and_expiry);
    tcase_add_test(tc, test_auth_choice_refusals);
    tcase_add_test(tc, test_auth_choice_hidden_users_get_simulated_challenges);
    tcase_add_test(tc, test_auth_choice_mfa_and_new_password_users_get_passwords_only);
    suite_add_tcase(s, tc);
    return s;
}
