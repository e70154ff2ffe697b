/*
 * check_ops_mfa: multi-factor authentication and the lockout. TOTP (mfa.c) against RFC 6238's
 * published vectors; the pool's MFA configuration, TOTP association and verification and the
 * users' MFA preferences (ops_mfa.c); the SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP,
 * SELECT_MFA_TYPE and MFA_SETUP challenges after the password, and the lockout after repeated
 * wrong passwords on the password and SRP paths (auth_password.c, auth_srp.c).
 *
 * The codes a test answers with come from this file's own TOTP (totp_code below, HMAC-SHA-1
 * straight from OpenSSL, checked against the RFC's vectors first), never from the server's, and
 * SMS / e-mail codes from the code inbox the server fills.
 */
#include "config.h"

#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/totp.h"
#include "util/clock.h"
#include "userpool/mfa.h"
#include "store/store.h"
#include "testlife.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

#define OPTIONAL_TOTP_POOL "{\"PoolName\":\"p\"}"
#define SNS "{\"SnsCallerArn\":\"arn:aws:iam::123456789012:role/sns\",\"ExternalId\":\"x\"}"
#define PHONE_ATTRS                                                                                \
    "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"},"                                     \
    "{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]"
#define MISMATCH "Invalid code received for user"
#define INCORRECT "Incorrect username or password."
#define EXCEEDED "Password attempts exceeded"

/* RFC 6238 appendix B: the SHA-1 secret "12345678901234567890" (base32 below). */
#define RFC_SECRET "12345678901234567890"
#define RFC_SECRET_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static const struct {
    long long t;
    const char *eight; /* the RFC's 8-digit value; 6-digit codes are its last six digits */
} VECTORS[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
};

/* ---- The test's own TOTP ----------------------------------------------------------------- */

static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

/* The 6-digit TOTP of a base32 secret at unix time t (out: 7 bytes). */
static void totp_code(const char *b32, long long t, char *out)
{
    unsigned char key[64], msg[8], md[20];
    unsigned int md_len = 0, bits = 0, buffer = 0, n = 0;
    unsigned long long counter = (unsigned long long)t / 30;
    unsigned long v;
    int off;

    for (const char *p = b32; *p; p++) {
        ck_assert_int_ge(b32_value(*p), 0);
        buffer = (buffer << 5) | (unsigned)b32_value(*p);
        if ((bits += 5) >= 8) {
            key[n++] = (unsigned char)(buffer >> (bits - 8));
            bits -= 8;
        }
    }
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (unsigned char)counter;
    ck_assert_ptr_nonnull(HMAC(EVP_sha1(), key, (int)n, msg, 8, md, &md_len));
    off = md[19] & 15;
    v = ((unsigned long)(md[off] & 0x7f) << 24) | ((unsigned long)md[off + 1] << 16) |
        ((unsigned long)md[off + 2] << 8) | md[off + 3];
    snprintf(out, 7, "%06lu", v % 1000000);
}

/* The code of secret now, by the emulator's clock. */
static void totp_now(const char *secret, char *out)
{
    totp_code(secret, clock_now_ms() / 1000, out);
}

/* ---- Helpers ----------------------------------------------------------------------------- */

static cJSON *set_pool_mfa(const struct tl_app *a, const char *fragment)
{
    return tu_callf(env, IDP "SetUserPoolMfaConfig", "{\"UserPoolId\":\"%s\"%s}", a->pool,
                    fragment);
}

/* Move the emulator's clock on by one TOTP step (30 seconds). */
static void next_totp_step(void)
{
    clock_set_offset_ms(clock_offset_ms() + 30 * 1000);
}

/*
 * Associate and verify a TOTP for the token's user; its secret into secret (33 bytes). The
 * verification spends the code of its step, so the clock then moves on a step: the next code
 * a test computes is a fresh one.
 */
static void set_up_totp(const char *access, char *secret)
{
    cJSON *resp = tu_callf(env, IDP "AssociateSoftwareToken", "{\"AccessToken\":\"%s\"}", access);
    char code[7];

    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    tu_assert_matches(tu_str(resp, "SecretCode"), "^[A-Z2-7]{32}$");
    snprintf(secret, 33, "%s", tu_str(resp, "SecretCode"));
    ck_assert_ptr_null(tu_get(resp, "Session"));
    cJSON_Delete(resp);
    totp_now(secret, code);
    resp = tu_callf(env, IDP "VerifySoftwareToken", "{\"AccessToken\":\"%s\",\"UserCode\":\"%s\"}",
                    access, code);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "Status"), "SUCCESS");
    cJSON_Delete(resp);
    next_totp_step();
}

static cJSON *set_preference(const char *access, const char *settings)
{
    return tu_callf(env, IDP "SetUserMFAPreference", "{\"AccessToken\":\"%s\",%s}", access,
                    settings);
}

static cJSON *admin_preference(const struct tl_app *a, const char *user, const char *settings)
{
    return tu_callf(env, IDP "AdminSetUserMFAPreference",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",%s}", a->pool, user, settings);
}

/* RespondToAuthChallenge name with session and the responses fragment (after USERNAME). */
static cJSON *respond(const struct tl_app *a, const char *name, const char *session,
                      const char *user, const char *responses)
{
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ClientId\":\"%s\",\"ChallengeName\":\"%s\",\"Session\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"%s\"%s}}",
                    a->client, name, session, user, responses);
}

/* The response must be challenge name; its Session into session (512 bytes). */
static void expect_challenge(const cJSON *resp, const char *name, char *session)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_ptr_null(tu_get(resp, "AuthenticationResult"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), name);
    ck_assert_ptr_nonnull(tu_str(resp, "Session"));
    snprintf(session, 512, "%s", tu_str(resp, "Session"));
}

/* A pool with TOTP (and fragment's other factors) under mode, one user alice signed in. */
static void totp_app(struct tl_app *a, const char *mode, const char *attrs, struct tl_tokens *t)
{
    char body[512];

    tl_app(a, OPTIONAL_TOTP_POOL, "");
    snprintf(body, sizeof(body),
             ",\"MfaConfiguration\":\"%s\",\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"
             "\"SmsMfaConfiguration\":{\"SmsConfiguration\":" SNS "},"
             "\"EmailMfaConfiguration\":{\"Message\":\"{####}\",\"Subject\":\"c\"}",
             mode);
    tl_ok(set_pool_mfa(a, body));
    tl_user(a, "alice", attrs);
    if (t != NULL)
        tl_sign_in(a, "alice", TL_PASSWORD, t);
}

/* ---- TOTP -------------------------------------------------------------------------------- */

START_TEST(test_mfa_totp_matches_rfc6238_vectors)
{
    char code[7];

    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        const char *six = VECTORS[i].eight + 2;
        /* The test's own implementation, and the server's, against the RFC. */
        totp_code(RFC_SECRET_B32, VECTORS[i].t, code);
        ck_assert_str_eq(code, six);
        ck_assert_int_eq(totp_generate((const unsigned char *)RFC_SECRET, strlen(RFC_SECRET),
                                       VECTORS[i].t, code),
                         0);
        ck_assert_str_eq(code, six);
        ck_assert(totp_verify(RFC_SECRET_B32, six, VECTORS[i].t * 1000));
    }
    /* One 30-second step either way, not two. */
    ck_assert(totp_verify(RFC_SECRET_B32, "287082", 59000 + 30000));
    ck_assert(!totp_verify(RFC_SECRET_B32, "287082", 59000 + 60000));
    ck_assert(totp_verify(RFC_SECRET_B32, "081804", 1111111109000LL - 30000));
    ck_assert(!totp_verify(RFC_SECRET_B32, "081804", 1111111109000LL - 60000));
    ck_assert(!totp_verify(RFC_SECRET_B32, "28708", 59000));
    ck_assert(!totp_verify(RFC_SECRET_B32, "287083", 59000));
    ck_assert(!totp_verify(NULL, "287082", 59000));
}
END_TEST

/* ---- SetUserPoolMfaConfig, GetUserPoolMfaConfig ------------------------------------------ */

START_TEST(test_mfa_pool_config_round_trip_and_errors)
{
    struct tl_app a;
    cJSON *resp;

    tl_app(&a, OPTIONAL_TOTP_POOL, "");
    resp = tu_callf(env, IDP "GetUserPoolMfaConfig", "{\"UserPoolId\":\"%s\"}", a.pool);
    ck_assert_str_eq(tu_str(resp, "MfaConfiguration"), "OFF");
    ck_assert(!tu_bool(tu_get(resp, "SoftwareTokenMfaConfiguration"), "Enabled"));
    ck_assert_ptr_null(tu_get(resp, "SmsMfaConfiguration"));
    cJSON_Delete(resp);

    tl_error(set_pool_mfa(&a, ",\"MfaConfiguration\":\"ON\""), "InvalidParameterException",
             "Invalid MFA configuration given, can't disable all MFAs with a required or "
             "optional configuration.");
    tl_error(set_pool_mfa(&a, ",\"MfaConfiguration\":\"OFF\","
                              "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}"),
             "InvalidParameterException",
             "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.");
    tl_error(tu_call(env, IDP "GetUserPoolMfaConfig", "{\"UserPoolId\":\"us-east-1_nope\"}"),
             "ResourceNotFoundException", NULL);

    resp = set_pool_mfa(&a, ",\"MfaConfiguration\":\"OPTIONAL\","
                            "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true},"
                            "\"SmsMfaConfiguration\":{\"SmsAuthenticationMessage\":\"{####}\","
                            "\"SmsConfiguration\":" SNS "}");
    ck_assert_str_eq(tu_str(resp, "MfaConfiguration"), "OPTIONAL");
    ck_assert(tu_bool(tu_get(resp, "SoftwareTokenMfaConfiguration"), "Enabled"));
    ck_assert_str_eq(tu_str(tu_get(resp, "SmsMfaConfiguration"), "SmsAuthenticationMessage"),
                     "{####}");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetUserPoolMfaConfig", "{\"UserPoolId\":\"%s\"}", a.pool);
    ck_assert_str_eq(tu_str(resp, "MfaConfiguration"), "OPTIONAL");
    ck_assert(tu_bool(tu_get(resp, "SoftwareTokenMfaConfiguration"), "Enabled"));
    ck_assert_ptr_nonnull(tu_get(tu_get(resp, "SmsMfaConfiguration"), "SmsConfiguration"));
    ck_assert_ptr_null(tu_get(resp, "EmailMfaConfiguration"));
    cJSON_Delete(resp);

    /* DescribeUserPool shows the mode and the SMS settings, not the factor documents. */
    resp = tu_callf(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", a.pool);
    ck_assert_str_eq(tu_str(tu_get(resp, "UserPool"), "MfaConfiguration"), "OPTIONAL");
    ck_assert_str_eq(tu_str(tu_get(resp, "UserPool"), "SmsAuthenticationMessage"), "{####}");
    ck_assert_ptr_null(tu_get(tu_get(resp, "UserPool"), "SoftwareTokenMfaConfiguration"));
    cJSON_Delete(resp);

    /* Factors left out are turned off; MfaConfiguration left out stays. */
    resp = set_pool_mfa(&a, ",\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}");
    ck_assert_str_eq(tu_str(resp, "MfaConfiguration"), "OPTIONAL");
    ck_assert_ptr_null(tu_get(resp, "SmsMfaConfiguration"));
    cJSON_Delete(resp);
    tl_ok(set_pool_mfa(&a, ",\"MfaConfiguration\":\"OFF\""));
}
END_TEST

/* ---- AssociateSoftwareToken, VerifySoftwareToken, preferences ---------------------------- */

START_TEST(test_mfa_associate_verify_and_preferences)
{
    struct tl_app a;
    struct tl_tokens t;
    char secret[33], code[7];
    cJSON *resp;

    totp_app(&a, "OPTIONAL", "", &t);
    /* TOTP cannot be turned on before a token is verified. */
    tl_error(set_preference(t.access, "\"SoftwareTokenMfaSettings\":{\"Enabled\":true}"),
             "InvalidParameterException", "User has not set up software token mfa");
    tl_error(admin_preference(&a, "alice", "\"SoftwareTokenMfaSettings\":{\"Enabled\":true}"),
             "InvalidParameterException",
             "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA");
    tl_error(admin_preference(&a, "alice", "\"SMSMfaSettings\":{\"Enabled\":true}"),
             "InvalidParameterException",
             "User does not have delivery config set to turn on SMS_MFA");
    tl_error(tu_callf(env, IDP "VerifySoftwareToken",
                      "{\"AccessToken\":\"%s\",\"UserCode\":\"123456\"}", t.access),
             "SoftwareTokenMFANotFoundException",
             "Software Token MFA does not exist for the user.");

    resp = tu_callf(env, IDP "AssociateSoftwareToken", "{\"AccessToken\":\"%s\"}", t.access);
    snprintf(secret, sizeof(secret), "%s", tu_str(resp, "SecretCode"));
    cJSON_Delete(resp);
    totp_code(secret, clock_now_ms() / 1000 + 300, code); /* ten steps off */
    tl_error(tu_callf(env, IDP "VerifySoftwareToken",
                      "{\"AccessToken\":\"%s\",\"UserCode\":\"%s\"}", t.access, code),
             "EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA");
    tl_error(tu_callf(env, IDP "VerifySoftwareToken", "{\"UserCode\":\"123456\"}"),
             "InvalidParameterException", NULL);
    tl_error(tu_callf(env, IDP "VerifySoftwareToken",
                      "{\"Session\":\"no-such-session-of-this-server\",\"UserCode\":\"123456\"}"),
             "NotAuthorizedException", "Invalid session for the user, session is expired.");

    /* Verifying does not turn TOTP on: GetUser has no MFA members yet. */
    set_up_totp(t.access, secret);
    resp = tl_get_user(t.access);
    ck_assert_ptr_null(tu_get(resp, "UserMFASettingList"));
    cJSON_Delete(resp);
    tl_ok(set_preference(t.access,
                         "\"SoftwareTokenMfaSettings\":{\"Enabled\":true,\"PreferredMfa\":true}"));
    resp = tl_get_user(t.access);
    ck_assert_str_eq(tu_str(resp, "PreferredMfaSetting"), "SOFTWARE_TOKEN_MFA");
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(resp, "UserMFASettingList"), 0)->valuestring,
                     "SOFTWARE_TOKEN_MFA");
    cJSON_Delete(resp);
    resp =
        tu_callf(env, IDP "AdminGetUser", "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", a.pool);
    ck_assert_str_eq(tu_str(resp, "PreferredMfaSetting"), "SOFTWARE_TOKEN_MFA");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "UserMFASettingList")), 1);
    cJSON_Delete(resp);

    /* Turning it off forgets the preference. */
    tl_ok(admin_preference(&a, "alice", "\"SoftwareTokenMfaSettings\":{\"Enabled\":false}"));
    resp = tl_get_user(t.access);
    ck_assert_ptr_null(tu_get(resp, "PreferredMfaSetting"));
    ck_assert_ptr_null(tu_get(resp, "UserMFASettingList"));
    cJSON_Delete(resp);
    tl_error(admin_preference(&a, "nobody", "\"SMSMfaSettings\":{\"Enabled\":false}"),
             "UserNotFoundException", "User does not exist.");
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_mfa_totp_needs_the_pool_to_offer_it)
{
    struct tl_app a;
    struct tl_tokens t;

    tl_app(&a, OPTIONAL_TOTP_POOL, "");
    tl_user(&a, "alice", "");
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_error(tu_callf(env, IDP "AssociateSoftwareToken", "{\"AccessToken\":\"%s\"}", t.access),
             "SoftwareTokenMFANotFoundException",
             "Software Token MFA has not been enabled by the userPool.");
    tl_tokens_free(&t);
}
END_TEST

/* ---- The challenges ---------------------------------------------------------------------- */

START_TEST(test_mfa_software_token_challenge)
{
    struct tl_app a;
    struct tl_tokens t;
    char secret[33], code[7], session[512];
    cJSON *resp;

    totp_app(&a, "OPTIONAL", "", &t);
    set_up_totp(t.access, secret);
    tl_ok(set_preference(t.access, "\"SoftwareTokenMfaSettings\":{\"Enabled\":true}"));

    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SOFTWARE_TOKEN_MFA", session);
    cJSON_Delete(resp);
    tl_error(respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice", ""), "InvalidParameterException",
             "Missing required parameter SOFTWARE_TOKEN_MFA_CODE");
    totp_code(secret, clock_now_ms() / 1000 - 90, code); /* three steps late */
    tl_error(
        respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice", ",\"SOFTWARE_TOKEN_MFA_CODE\":\"x\""),
        "CodeMismatchException", MISMATCH);
    {
        char body[64];
        snprintf(body, sizeof(body), ",\"SOFTWARE_TOKEN_MFA_CODE\":\"%s\"", code);
        tl_error(respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice", body), "CodeMismatchException",
                 MISMATCH);
        /* A wrong code leaves the session for another try. */
        totp_now(secret, code);
        snprintf(body, sizeof(body), ",\"SOFTWARE_TOKEN_MFA_CODE\":\"%s\"", code);
        tl_expect_tokens(respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice", body));
        /* A session answers once. */
        tl_error(respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice", body),
                 "NotAuthorizedException",
                 "Invalid session for the user, session can only be used once.");
        /* An expired one. */
        resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
        expect_challenge(resp, "SOFTWARE_TOKEN_MFA", session);
        cJSON_Delete(resp);
        clock_set_offset_ms(4 * 60 * 1000);
        totp_now(secret, code);
        snprintf(body, sizeof(body), ",\"SOFTWARE_TOKEN_MFA_CODE\":\"%s\"", code);
        tl_error(respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice", body),
                 "NotAuthorizedException", "Invalid session for the user, session is expired.");
    }
    /* Admin password sign-in asks it too. */
    resp = tu_callf(env, IDP "AdminInitiateAuth",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":"
                    "\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{\"USERNAME\":\"alice\","
                    "\"PASSWORD\":\"%s\"}}",
                    a.pool, a.client, TL_PASSWORD);
    expect_challenge(resp, "SOFTWARE_TOKEN_MFA", session);
    cJSON_Delete(resp);
    tl_tokens_free(&t);
}
END_TEST

/* A SOFTWARE_TOKEN_MFA answer, the code of secret at unix time t, for session. */
static cJSON *answer_totp(const struct tl_app *a, const char *session, const char *secret,
                          long long t)
{
    char code[7], body[64];

    totp_code(secret, t, code);
    snprintf(body, sizeof(body), ",\"SOFTWARE_TOKEN_MFA_CODE\":\"%s\"", code);
    return respond(a, "SOFTWARE_TOKEN_MFA", session, "alice", body);
}

/* A TOTP code answers once: Cognito's ExpiredCodeException (USED) for a code of a step at or
 * before the last one spent, by a sign-in or by VerifySoftwareToken, whichever secret. */
#define USED "Your software token has already been used once."
START_TEST(test_mfa_totp_code_answers_once)
{
    struct tl_app a;
    struct tl_tokens t;
    char secret[33], session[512], code[7];
    long long now;
    cJSON *resp;

    totp_app(&a, "OPTIONAL", "", &t);
    set_up_totp(t.access, secret); /* spent the step before now */
    tl_ok(set_preference(t.access, "\"SoftwareTokenMfaSettings\":{\"Enabled\":true}"));
    now = clock_now_ms() / 1000;
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SOFTWARE_TOKEN_MFA", session);
    cJSON_Delete(resp);
    /* The code VerifySoftwareToken took is still inside the window, but spent; and the
     * refusal leaves the session for another try. */
    tl_error(answer_totp(&a, session, secret, now - 30), "ExpiredCodeException", USED);
    tl_expect_tokens(answer_totp(&a, session, secret, now));
    /* The same code again, in a new sign-in of the same step. */
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SOFTWARE_TOKEN_MFA", session);
    cJSON_Delete(resp);
    tl_error(answer_totp(&a, session, secret, now), "ExpiredCodeException", USED);
    /* A wrong code is still a mismatch; the next step's code signs in. */
    tl_error(respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice",
                     ",\"SOFTWARE_TOKEN_MFA_CODE\":\"000000\""),
             "CodeMismatchException", MISMATCH);
    next_totp_step();
    tl_expect_tokens(answer_totp(&a, session, secret, now + 30));
    /* VerifySoftwareToken spends the user's steps too, even for a newly associated secret
     * (emulator's choice: one last step per user). */
    resp = tu_callf(env, IDP "AssociateSoftwareToken", "{\"AccessToken\":\"%s\"}", t.access);
    snprintf(secret, 33, "%s", tu_str(resp, "SecretCode"));
    cJSON_Delete(resp);
    totp_now(secret, code);
    tl_error(tu_callf(env, IDP "VerifySoftwareToken",
                      "{\"AccessToken\":\"%s\",\"UserCode\":\"%s\"}", t.access, code),
             "ExpiredCodeException", USED);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_mfa_sms_and_email_challenges)
{
    struct tl_app a;
    char code[7], session[512], body[64];
    const cJSON *params;
    cJSON *resp;

    totp_app(&a, "OPTIONAL", PHONE_ATTRS, NULL);
    tl_ok(admin_preference(&a, "alice", "\"SMSMfaSettings\":{\"Enabled\":true}"));
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SMS_MFA", session);
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DELIVERY_MEDIUM"), "SMS");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DESTINATION"), "+*******0123");
    cJSON_Delete(resp);
    tl_mfa_code("alice", "SMS", code);
    tl_error(respond(&a, "SMS_MFA", session, "alice", ",\"SMS_MFA_CODE\":\"000000x\""),
             "CodeMismatchException", MISMATCH);
    snprintf(body, sizeof(body), ",\"SMS_MFA_CODE\":\"%s\"", code);
    tl_expect_tokens(respond(&a, "SMS_MFA", session, "alice", body));

    /* The code lasts 3 minutes, though a client's session may last longer. */
    tl_client(&a, "\"AuthSessionValidity\":10", &a);
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SMS_MFA", session);
    cJSON_Delete(resp);
    tl_mfa_code("alice", "SMS", code);
    clock_set_offset_ms(4 * 60 * 1000);
    snprintf(body, sizeof(body), ",\"SMS_MFA_CODE\":\"%s\"", code);
    tl_error(respond(&a, "SMS_MFA", session, "alice", body), "ExpiredCodeException", NULL);
    clock_set_offset_ms(0);

    /* E-mail preferred over SMS. */
    tl_ok(admin_preference(&a, "alice",
                           "\"EmailMfaSettings\":{\"Enabled\":true,"
                           "\"PreferredMfa\":true}"));
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "EMAIL_OTP", session);
    params = tu_get(resp, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DELIVERY_MEDIUM"), "EMAIL");
    ck_assert_str_eq(tu_str(params, "CODE_DELIVERY_DESTINATION"), "a***@e***");
    cJSON_Delete(resp);
    tl_mfa_code("alice", "EMAIL", code);
    snprintf(body, sizeof(body), ",\"EMAIL_OTP_CODE\":\"%s\"", code);
    resp = respond(&a, "EMAIL_OTP", session, "alice", body);
    ck_assert_ptr_nonnull(tu_get(resp, "AuthenticationResult"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_mfa_select_mfa_type)
{
    struct tl_app a;
    struct tl_tokens t;
    char secret[33], code[7], session[512], body[64];
    cJSON *resp;

    totp_app(&a, "OPTIONAL", PHONE_ATTRS, &t);
    set_up_totp(t.access, secret);
    tl_ok(set_preference(t.access, "\"SoftwareTokenMfaSettings\":{\"Enabled\":true},"
                                   "\"SMSMfaSettings\":{\"Enabled\":true}"));
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SELECT_MFA_TYPE", session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "MFAS_CAN_CHOOSE"),
                     "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]");
    cJSON_Delete(resp);
    tl_error(respond(&a, "SELECT_MFA_TYPE", session, "alice", ",\"ANSWER\":\"EMAIL_OTP\""),
             "InvalidParameterException", NULL);
    resp = respond(&a, "SELECT_MFA_TYPE", session, "alice", ",\"ANSWER\":\"SOFTWARE_TOKEN_MFA\"");
    expect_challenge(resp, "SOFTWARE_TOKEN_MFA", session);
    cJSON_Delete(resp);
    totp_now(secret, code);
    snprintf(body, sizeof(body), ",\"SOFTWARE_TOKEN_MFA_CODE\":\"%s\"", code);
    tl_expect_tokens(respond(&a, "SOFTWARE_TOKEN_MFA", session, "alice", body));

    /* A preference skips the choice. */
    tl_ok(set_preference(t.access, "\"SMSMfaSettings\":{\"Enabled\":true,\"PreferredMfa\":true}"));
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SMS_MFA", session);
    cJSON_Delete(resp);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_mfa_setup_when_mfa_is_required)
{
    struct tl_app a;
    char secret[33], code[7], session[512];
    cJSON *resp;

    totp_app(&a, "ON", "", NULL);
    tl_ok(set_pool_mfa(&a, ",\"MfaConfiguration\":\"ON\","
                           "\"SoftwareTokenMfaConfiguration\":{\"Enabled\":true}"));
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "MFA_SETUP", session);
    ck_assert_str_eq(tu_str(tu_get(resp, "ChallengeParameters"), "MFAS_CAN_SETUP"),
                     "[\"SOFTWARE_TOKEN_MFA\"]");
    cJSON_Delete(resp);
    tl_error(respond(&a, "MFA_SETUP", session, "alice", ""), "InvalidParameterException", NULL);

    resp = tu_callf(env, IDP "AssociateSoftwareToken", "{\"Session\":\"%s\"}", session);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    snprintf(secret, sizeof(secret), "%s", tu_str(resp, "SecretCode"));
    ck_assert_str_ne(tu_str(resp, "Session"), session);
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);
    tl_error(tu_callf(env, IDP "VerifySoftwareToken", "{\"Session\":\"%s\",\"UserCode\":\"%s\"}",
                      session, "000000"),
             "EnableSoftwareTokenMFAException", NULL);
    totp_now(secret, code);
    resp = tu_callf(env, IDP "VerifySoftwareToken", "{\"Session\":\"%s\",\"UserCode\":\"%s\"}",
                    session, code);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "Status"), "SUCCESS");
    snprintf(session, sizeof(session), "%s", tu_str(resp, "Session"));
    cJSON_Delete(resp);
    tl_expect_tokens(respond(&a, "MFA_SETUP", session, "alice", ""));

    /* From now on the token is asked. */
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SOFTWARE_TOKEN_MFA", session);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_mfa_required_uses_the_phone_without_a_preference)
{
    struct tl_app a;
    char session[512];
    cJSON *resp;

    totp_app(&a, "ON", PHONE_ATTRS, NULL);
    resp = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    expect_challenge(resp, "SMS_MFA", session);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_mfa_new_password_comes_before_mfa)
{
    struct tl_app a;
    char session[512];
    cJSON *resp;

    totp_app(&a, "ON", "", NULL);
    tl_ok(
        tu_callf(env, IDP "AdminCreateUser",
                 "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"TemporaryPassword\":\"Temp0rary!\","
                 "\"MessageAction\":\"SUPPRESS\"}",
                 a.pool));
    resp = tl_sign_in_call(&a, "bob", "Temp0rary!");
    expect_challenge(resp, "NEW_PASSWORD_REQUIRED", session);
    cJSON_Delete(resp);
    resp =
        respond(&a, "NEW_PASSWORD_REQUIRED", session, "bob", ",\"NEW_PASSWORD\":\"N3w-passw0rd\"");
    expect_challenge(resp, "MFA_SETUP", session);
    cJSON_Delete(resp);
}
END_TEST

/* ---- Lockout ----------------------------------------------------------------------------- */

START_TEST(test_mfa_lockout_after_five_failures_and_back_off)
{
    struct tl_app a;
    struct tl_tokens t;

    tl_app(&a, OPTIONAL_TOTP_POOL, "");
    tl_user(&a, "alice", "");
    for (int i = 0; i < 5; i++)
        tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-password"), "NotAuthorizedException",
                 INCORRECT);
    /* Locked for 1 s: even the right password is refused, and the attempt is not counted. */
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "NotAuthorizedException", EXCEEDED);
    tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-password"), "NotAuthorizedException", EXCEEDED);
    clock_set_offset_ms(1000);
    tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-password"), "NotAuthorizedException", INCORRECT);
    /* The sixth failure locks for 2 s. */
    clock_set_offset_ms(2500);
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "NotAuthorizedException", EXCEEDED);
    clock_set_offset_ms(3100);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_tokens_free(&t);
    /* The success forgot the failures: four more are not a lockout. */
    for (int i = 0; i < 4; i++)
        tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-password"), "NotAuthorizedException",
                 INCORRECT);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_mfa_lockout_is_capped_and_forgotten)
{
    struct tl_app a;
    struct tl_tokens t;
    const int64_t cap = 15 * 60 * 1000;
    int64_t now = 0, lock = 0;

    tl_app(&a, OPTIONAL_TOTP_POOL, "");
    tl_user(&a, "alice", "");
    /* Fifteen failures, each once the lockout before it is over: the n-th locks for
     * 2^(n-5) s, and the fifteenth's 2^10 s are capped at 15 minutes. */
    for (int n = 1; n <= 15; n++) {
        if (n > 1)
            now += lock;
        clock_set_offset_ms(now);
        tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-password"), "NotAuthorizedException",
                 INCORRECT);
        lock = n < 5 ? 0 : (1000LL << (n - 5)) < cap ? (1000LL << (n - 5)) : cap;
    }
    ck_assert_int_eq(lock, cap);
    clock_set_offset_ms(now + cap - 1000);
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "NotAuthorizedException", EXCEEDED);
    clock_set_offset_ms(now + cap);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_tokens_free(&t);
    /* Fifteen quiet minutes after a failure forget the failures too. */
    for (int n = 1; n <= 4; n++)
        tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-password"), "NotAuthorizedException",
                 INCORRECT);
    clock_set_offset_ms(now + 2 * cap);
    tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-password"), "NotAuthorizedException", INCORRECT);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_mfa_lockout_counts_srp_failures)
{
    struct tl_app a;
    cJSON *resp;
    char block[256], body[1024];

    tl_app(&a, OPTIONAL_TOTP_POOL,
           "\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\",\"ALLOW_USER_PASSWORD_AUTH\","
           "\"ALLOW_ADMIN_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]");
    tl_user(&a, "alice", "");
    for (int i = 0; i < 6; i++) {
        resp = tu_callf(env, IDP "InitiateAuth",
                        "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\","
                        "\"AuthParameters\":{\"USERNAME\":\"alice\",\"SRP_A\":\"4\"}}",
                        a.client);
        ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
        snprintf(block, sizeof(block), "%s",
                 tu_str(tu_get(resp, "ChallengeParameters"), "SECRET_BLOCK"));
        cJSON_Delete(resp);
        snprintf(body, sizeof(body),
                 "{\"ClientId\":\"%s\",\"ChallengeName\":\"PASSWORD_VERIFIER\","
                 "\"ChallengeResponses\":{\"USERNAME\":\"alice\",\"PASSWORD_CLAIM_SECRET_BLOCK\":"
                 "\"%s\",\"TIMESTAMP\":\"Mon Jan 5 00:00:00 UTC 2026\","
                 "\"PASSWORD_CLAIM_SIGNATURE\":\"AAAA\"}}",
                 a.client, block);
        tl_error(tu_call(env, IDP "RespondToAuthChallenge", body), "NotAuthorizedException",
                 i < 5 ? INCORRECT : EXCEEDED);
    }
    /* The password path shares the count. */
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "NotAuthorizedException", EXCEEDED);
    clock_set_offset_ms(1000);
    tl_expect_tokens(tl_sign_in_call(&a, "alice", TL_PASSWORD));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_mfa");
    TCase *tc = tcase_create("mfa");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_mfa_totp_matches_rfc6238_vectors);
    tcase_add_test(tc, test_mfa_pool_config_round_trip_and_errors);
    tcase_add_test(tc, test_mfa_associate_verify_and_preferences);
    tcase_add_test(tc, test_mfa_totp_needs_the_pool_to_offer_it);
    tcase_add_test(tc, test_mfa_software_token_challenge);
    tcase_add_test(tc, test_mfa_totp_code_answers_once);
    tcase_add_test(tc, test_mfa_sms_and_email_challenges);
    tcase_add_test(tc, test_mfa_select_mfa_type);
    tcase_add_test(tc, test_mfa_setup_when_mfa_is_required);
    tcase_add_test(tc, test_mfa_required_uses_the_phone_without_a_preference);
    tcase_add_test(tc, test_mfa_new_password_comes_before_mfa);
    tcase_add_test(tc, test_mfa_lockout_after_five_failures_and_back_off);
    tcase_add_test(tc, test_mfa_lockout_is_capped_and_forgotten);
    tcase_add_test(tc, test_mfa_lockout_counts_srp_failures);
    suite_add_tcase(s, tc);
    return s;
}
