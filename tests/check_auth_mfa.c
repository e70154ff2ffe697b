/*
 * check_auth_mfa: the MFA challenges of sign-in (auth_mfa.c) where check_ops_mfa.c, which drives
 * them end to end with TOTP set up through ops_mfa.c, does not look: the codes sent by SMS and
 * e-mail (a missing or wrong code, a retry, expiry, a session answered once), SELECT_MFA_TYPE
 * with an answer it did not offer, MFA_SETUP answered before the token is verified, sessions
 * bound to their challenge and user, and the Admin respond operation. No TOTP code is needed:
 * the codes come from the inbox the server fills, as a developer reads them from the log.
 */
#include "config.h"

#include <stdio.h>

#include "store/store.h"
#include "testlife.h"
#include "testutil.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;

#define SNS "{\"SnsCallerArn\":\"arn:aws:iam::123456789012:role/sns\",\"ExternalId\":\"x\"}"
#define PHONE_AND_EMAIL                                                                            \
    "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"},"                                     \
    "{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]"
#define MISMATCH "Invalid code received for user"
#define EXPIRED_SESSION "Invalid session for the user, session is expired."
#define USED_SESSION "Invalid session for the user, session can only be used once."

/* A pool whose MFA is mode (OPTIONAL or ON) with SMS, e-mail and TOTP offered, and alice in it
 * with the attributes attrs (a JSON array of {"Name","Value"}, "" for none). */
static void mfa_app(struct tl_app *a, const char *mode, const char *attrs)
{
    char body[512];

    tl_app(a, "{\"PoolName\":\"p\"}", "");
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"%s\","
             "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"
             "\"SmsMfaConfiguration\":{\"SmsConfiguration\":" SNS "},"
             "\"EmailMfaConfiguration\":{\"Message\":\"{####}\",\"Subject\":\"c\"}}",
             a->pool, mode);
    tl_ok(tu_call(env, IDP "SetUserPoolMfaConfig", body));
    tl_user(a, "alice", attrs);
}

/* AdminSetUserMFAPreference for username with settings (a JSON fragment). */
static void preference(const struct tl_app *a, const char *username, const char *settings)
{
    tl_ok(tu_callf(env, IDP "AdminSetUserMFAPreference",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",%s}", a->pool, username, settings));
}

/* RespondToAuthChallenge name with session for user, and the responses fragment after
 * USERNAME. */
static cJSON *respond(const struct tl_app *a, const char *name, const char *session,
                      const char *user, const char *responses)
{
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ClientId\":\"%s\",\"ChallengeName\":\"%s\",\"Session\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"%s\"%s}}",
                    a->client, name, session, user, responses);
}

/* The response must be challenge name; its Session into session (512 bytes). resp is kept. */
static void expect_challenge(const cJSON *resp, const char *name, char *session)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), name);
    ck_assert_ptr_nonnull(tu_str(resp, "Session"));
    snprintf(session, 512, "%s", tu_str(resp, "Session"));
}

/* Sign alice in with the password; the answer must be challenge name (session: 512 bytes). */
static void sign_in_to(const struct tl_app *a, const char *name, char *session)
{
    cJSON *resp = tl_sign_in_call(a, "alice", TL_PASSWORD);

    expect_challenge(resp, name, session);
    cJSON_Delete(resp);
}

/* The ChallengeResponses fragment of member name with value code (out: 64 bytes). */
static void code_response(const char *name, const char *code, char *out)
{
    snprintf(out, 64, ",\"%s\":\"%s\"", name, code);
}

START_TEST(test_auth_mfa_sms_code_is_required_may_be_retried_and_answers_once)
{
    struct tl_app a;
    char session[512], code[7], body[64];

    mfa_app(&a, "OPTIONAL", PHONE_AND_EMAIL);
    preference(&a, "alice", "\"SMSMfaSettings\":{\"Enabled\":true}");
    sign_in_to(&a, "SMS_MFA", session);
    tl_mfa_code("alice", "SMS", code);
    tl_error(respond(&a, "SMS_MFA", session, "alice", ""), "InvalidParameterException",
             "Missing required parameter SMS_MFA_CODE");
    /* A wrong code (one digit off) leaves the session for another try. */
    snprintf(body, sizeof(body), ",\"SMS_MFA_CODE\":\"%c%s\"", code[0] == '9' ? '0' : code[0] + 1,
             code + 1);
    tl_error(respond(&a, "SMS_MFA", session, "alice", body), "CodeMismatchException", MISMATCH);
    code_response("SMS_MFA_CODE", code, body);
    tl_expect_tokens(respond(&a, "SMS_MFA", session, "alice", body));
    tl_error(respond(&a, "SMS_MFA", session, "alice", body), "NotAuthorizedException",
             USED_SESSION);
}
END_TEST

START_TEST(test_auth_mfa_email_code_is_required_and_expires)
{
    struct tl_app a, longer;
    char session[512], code[7], body[64];

    mfa_app(&a, "OPTIONAL", PHONE_AND_EMAIL);
    preference(&a, "alice", "\"EmailMfaSettings\":{\"Enabled\":true}");
    /* A client whose sessions outlast the code's 3 minutes. */
    tl_client(&a, "\"AuthSessionValidity\":10", &longer);
    sign_in_to(&longer, "EMAIL_OTP", session);
    tl_mfa_code("alice", "EMAIL", code);
    tl_error(respond(&longer, "EMAIL_OTP", session, "alice", ",\"SMS_MFA_CODE\":\"123456\""),
             "InvalidParameterException", "Missing required parameter EMAIL_OTP_CODE");
    tl_error(respond(&longer, "EMAIL_OTP", session, "alice", ",\"EMAIL_OTP_CODE\":\"x\""),
             "CodeMismatchException", MISMATCH);
    clock_set_offset_ms(3 * 60 * 1000 + 1000);
    code_response("EMAIL_OTP_CODE", code, body);
    tl_error(respond(&longer, "EMAIL_OTP", session, "alice", body), "ExpiredCodeException",
             "Invalid code provided, please request a code again.");
    /* A new sign-in sends a new code that works. */
    sign_in_to(&longer, "EMAIL_OTP", session);
    tl_mfa_code("alice", "EMAIL", code);
    code_response("EMAIL_OTP_CODE", code, body);
    tl_expect_tokens(respond(&longer, "EMAIL_OTP", session, "alice", body));
}
END_TEST

START_TEST(test_auth_mfa_select_accepts_only_an_offered_factor)
{
    struct tl_app a;
    char session[512], code[7], body[64];
    const cJSON *params;
    cJSON *resp;

    mfa_app(&a, "OPTIONAL", PHONE_AND_EMAIL);
    preference(&a, "alice",
               "\"SMSMfaSettings\":{\"Enabled\":true},\"EmailMfaSettings\":{\"Enabled\":true}");
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SELECT_MFA_TYPE", session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "MFAS_CAN_CHOOSE"),
                     "[\"SMS_MFA\",\"EMAIL_OTP\"]");
    cJSON_Delete(resp);
    tl_error(respond(&a, "SELECT_MFA_TYPE", session, "alice", ""), "InvalidParameterException",
             "Missing required parameter ANSWER");
    tl_error(respond(&a, "SELECT_MFA_TYPE", session, "alice", ",\"ANSWER\":\"SOFTWARE_TOKEN_MFA\""),
             "InvalidParameterException", "Invalid MFA type SOFTWARE_TOKEN_MFA for the user.");
    tl_error(respond(&a, "SELECT_MFA_TYPE", session, "alice", ",\"ANSWER\":\"NOT_A_FACTOR\""),
             "InvalidParameterException", "Invalid MFA type NOT_A_FACTOR for the user.");
    /* The chosen factor's challenge follows, with its code sent. */
    resp = respond(&a, "SELECT_MFA_TYPE", session, "alice", ",\"ANSWER\":\"EMAIL_OTP\"");
    expect_challenge(resp, "EMAIL_OTP", session);
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DELIVERY_MEDIUM"), "EMAIL");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DESTINATION"), "a***@e***");
    cJSON_Delete(resp);
    tl_mfa_code("alice", "EMAIL", code);
    code_response("EMAIL_OTP_CODE", code, body);
    tl_expect_tokens(respond(&a, "EMAIL_OTP", session, "alice", body));
}
END_TEST

START_TEST(test_auth_mfa_setup_answered_before_verification_is_refused)
{
    static const char *const not_yet = "MFA setup is not complete: call AssociateSoftwareToken "
                                       "and VerifySoftwareToken with the Session first.";
    struct tl_app a;
    char session[512];

    mfa_app(&a, "ON", "");
    tl_ok(tu_callf(env, IDP "SetUserPoolMfaConfig",
                   "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"ON\","
                   "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}}",
                   a.pool));
    sign_in_to(&a, "MFA_SETUP", session);
    tl_error(respond(&a, "MFA_SETUP", session, "alice", ""), "InvalidParameterException", not_yet);
    /* The refusal leaves the session: the same answer gets the same error, not an expired
     * session. */
    tl_error(respond(&a, "MFA_SETUP", session, "alice", ""), "InvalidParameterException", not_yet);
}
END_TEST

START_TEST(test_auth_mfa_session_is_bound_to_its_challenge_and_user)
{
    struct tl_app a;
    char session[512], code[7], body[64];

    mfa_app(&a, "OPTIONAL", PHONE_AND_EMAIL);
    tl_user(&a, "bob", "");
    preference(&a, "alice", "\"SMSMfaSettings\":{\"Enabled\":true}");
    sign_in_to(&a, "SMS_MFA", session);
    tl_mfa_code("alice", "SMS", code);
    /* The session of SMS_MFA is not one of EMAIL_OTP. */
    code_response("EMAIL_OTP_CODE", code, body);
    tl_error(respond(&a, "EMAIL_OTP", session, "alice", body), "NotAuthorizedException",
             EXPIRED_SESSION);
    /* Nor bob's. */
    code_response("SMS_MFA_CODE", code, body);
    tl_error(respond(&a, "SMS_MFA", session, "bob", body), "NotAuthorizedException",
             "Invalid session provided for the user.");
    tl_error(respond(&a, "SMS_MFA", "no-such-session-of-this-server", "alice", body),
             "NotAuthorizedException", EXPIRED_SESSION);
    /* None of those spent it. */
    tl_expect_tokens(respond(&a, "SMS_MFA", session, "alice", body));
}
END_TEST

START_TEST(test_auth_mfa_admin_operations_ask_and_answer_it)
{
    struct tl_app a;
    char session[512], code[7];
    cJSON *resp;

    mfa_app(&a, "ON", PHONE_AND_EMAIL);
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":"
                    "\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{\"USERNAME\":\"alice\","
                    "\"PASSWORD\":\"%s\"}}",
                    a.pool, a.client, TL_PASSWORD);
    /* MFA ON and no factor turned on: the phone number. */
    expect_challenge(resp, "SMS_MFA", session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "CODE_DELIVERY_DESTINATION"),
                     "+*******0123");
    cJSON_Delete(resp);
    tl_mfa_code("alice", "SMS", code);
    tl_expect_tokens(tu_callf(env, IDP "AdminRespondToAuthChallenge",
                              "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"ChallengeName\":"
                              "\"SMS_MFA\",\"Session\":\"%s\",\"ChallengeResponses\":{\"USERNAME\":"
                              "\"alice\",\"SMS_MFA_CODE\":\"%s\"}}",
                              a.pool, a.client, session, code));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("auth_mfa");
    TCase *tc = tcase_create("mfa");

    /* Each test makes RSA keys for its pools (~0.1 s a key), more under sanitizers/valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_auth_mfa_sms_code_is_required_may_be_retried_and_answers_once);
    tcase_add_test(tc, test_auth_mfa_email_code_is_required_and_expires);
    tcase_add_test(tc, test_auth_mfa_select_accepts_only_an_offered_factor);
    tcase_add_test(tc, test_auth_mfa_setup_answered_before_verification_is_refused);
    tcase_add_test(tc, test_auth_mfa_session_is_bound_to_its_challenge_and_user);
    tcase_add_test(tc, test_auth_mfa_admin_operations_ask_and_answer_it);
    suite_add_tcase(s, tc);
    return s;
}
