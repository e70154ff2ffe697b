/*
 * check_ops_device: remembered devices (userpool/ops_device.c, auth/auth_device.c): the
 * NewDeviceMetadata of a sign-in in a pool that tracks devices, ConfirmDevice with a device SRP
 * verifier, the remembered status, DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER in place of MFA,
 * the user's and the Admin operations, and a forgotten key. The client's side of device SRP is
 * testauth.h's SRP client with the device's identities (check_device_srp.c checks the
 * arithmetic against amazon-cognito-identity-js).
 */
#include "config.h"

#include <openssl/bn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secrets.h"
#include "crypto/srp_group.h"
#include "testauth.h"
#include "testlife.h"
#include "testlambda.h"
#include "testutil.h"
#include "util/clock.h"

static struct tu_env *const env = &tu_fixture;

#define SNS "{\"SnsCallerArn\":\"arn:aws:iam::123456789012:role/sns\",\"ExternalId\":\"x\"}"
#define PHONE "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"}]"
#define OPT_IN "{\"ChallengeRequiredOnNewDevice\":true,\"DeviceOnlyRememberedOnUserPrompt\":true}"
#define ALWAYS "{\"DeviceOnlyRememberedOnUserPrompt\":false}"
#define NO_DEVICE "Device does not exist."
#define DEVICE_PASSWORD "the device's own random password"

/* A pool with DeviceConfiguration config (JSON, NULL: none), alice in it with a phone, and with
 * mfa SMS MFA required for her. */
static void device_app(struct tl_app *a, const char *config, bool mfa)
{
    char body[512];

    snprintf(body, sizeof(body), "{\"PoolName\":\"p\"%s%s}",
             config ? ",\"DeviceConfiguration\":" : "", config ? config : "");
    tl_app(a, body, "");
    tl_user(a, "alice", PHONE);
    if (!mfa)
        return;
    tl_ok(tu_callf(env, IDP "SetUserPoolMfaConfig",
                   "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"ON\","
                   "\"SmsMfaConfiguration\":{\"SmsConfiguration\":" SNS "}}",
                   a->pool));
}

/* InitiateAuth USER_PASSWORD_AUTH for alice, with DEVICE_KEY key unless NULL. */
static cJSON *sign_in(const struct tl_app *a, const char *key)
{
    char extra[128] = "";

    if (key != NULL)
        snprintf(extra, sizeof(extra), ",\"DEVICE_KEY\":\"%s\"", key);
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
                    "{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TL_PASSWORD "\"%s}}",
                    a->client, extra);
}

/* RespondToAuthChallenge name for alice with session and responses (a fragment after
 * USERNAME). */
static cJSON *respond(const struct tl_app *a, const char *name, const char *session,
                      const char *responses)
{
    return tu_callf(env, IDP "RespondToAuthChallenge",
                    "{\"ClientId\":\"%s\",\"ChallengeName\":\"%s\",\"Session\":\"%s\","
                    "\"ChallengeResponses\":{\"USERNAME\":\"alice\"%s}}",
                    a->client, name, session, responses);
}

/* resp must ask challenge name. */
static void expect_challenge(const cJSON *resp, const char *name)
{
    ck_assert_msg(tu_error_type(resp) == NULL, "%s: %s", tu_error_type(resp),
                  tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), name);
    ck_assert_ptr_nonnull(tu_str(resp, "Session"));
}

/* Answer the SMS_MFA challenge resp (deleted) with the code, and DEVICE_KEY key unless NULL. */
static cJSON *answer_sms(const struct tl_app *a, cJSON *resp, const char *key)
{
    char code[7], responses[160];
    cJSON *out;

    expect_challenge(resp, "SMS_MFA");
    tl_mfa_code("alice", "SMS", code);
    snprintf(responses, sizeof(responses), ",\"SMS_MFA_CODE\":\"%s\"%s%s%s", code,
             key ? ",\"DEVICE_KEY\":\"" : "", key ? key : "", key ? "\"" : "");
    out = respond(a, "SMS_MFA", tu_str(resp, "Session"), responses);
    cJSON_Delete(resp);
    return out;
}

/* The claims of JWT token (a new object). */
static cJSON *claims_of(const char *token)
{
    const char *dot = strchr(token, '.'), *end = dot ? strchr(dot + 1, '.') : NULL;
    char b64[4096];
    size_t n = 0, len;
    unsigned char *raw;
    cJSON *claims;

    ck_assert_ptr_nonnull(end);
    for (const char *p = dot + 1; p < end && n < sizeof(b64) - 4; p++)
        b64[n++] = *p == '-' ? '+' : *p == '_' ? '/' : *p;
    while (n % 4 != 0)
        b64[n++] = '=';
    b64[n] = '\0';
    raw = secrets_base64_decode(b64, &len);
    ck_assert_ptr_nonnull(raw);
    claims = cJSON_ParseWithLength((const char *)raw, len);
    free(raw);
    ck_assert_ptr_nonnull(claims);
    return claims;
}

/* The device_key claim of resp's access token must be key (NULL: none). */
static void assert_token_device(const cJSON *resp, const char *key)
{
    cJSON *claims = claims_of(tu_str(tu_get(resp, "AuthenticationResult"), "AccessToken"));

    if (key == NULL)
        ck_assert_ptr_null(tu_get(claims, "device_key"));
    else
        ck_assert_str_eq(tu_str(claims, "device_key"), key);
    cJSON_Delete(claims);
}

/* A device a sign-in minted. */
struct device {
    char key[64], group[64], access[4096];
};

/* resp (deleted) must be tokens with NewDeviceMetadata, which goes into d with the access
 * token (that carries the new key). */
static void take_new_device(cJSON *resp, struct device *d)
{
    const cJSON *result = tu_get(resp, "AuthenticationResult");
    const cJSON *meta = tu_get(result, "NewDeviceMetadata");

    ck_assert_msg(result != NULL, "%s: %s", tu_error_type(resp), tu_str(resp, "message"));
    ck_assert_ptr_nonnull(meta);
    ck_assert_ptr_nonnull(strstr(tu_str(meta, "DeviceKey"), "us-east-1_"));
    ck_assert_uint_eq(strlen(tu_str(meta, "DeviceKey")), strlen("us-east-1_") + 36);
    snprintf(d->key, sizeof(d->key), "%s", tu_str(meta, "DeviceKey"));
    snprintf(d->group, sizeof(d->group), "%s", tu_str(meta, "DeviceGroupKey"));
    snprintf(d->access, sizeof(d->access), "%s", tu_str(result, "AccessToken"));
    assert_token_device(resp, d->key);
    cJSON_Delete(resp);
}

/* x's big-endian bytes, with a 0x00 in front when the top bit is set (as clients pad), in
 * base64 (a new string). */
static char *padded_base64(const BIGNUM *x)
{
    size_t len;
    unsigned char *pad = srp_pad(x, &len);
    char *b64 = secrets_base64(pad, len);

    free(pad);
    ck_assert_ptr_nonnull(b64);
    return b64;
}

/* ConfirmDevice d as a client does: salt and verifier of DEVICE_PASSWORD. The response. */
static cJSON *confirm(const struct device *d)
{
    BIGNUM *salt = NULL, *x, *v;
    char *salt64, *v64;
    cJSON *resp;

    ck_assert_int_gt(BN_hex2bn(&salt, "9a8b7c6d5e4f30211203f4e5d6c7b8a9"), 0);
    x = srp_compute_x(d->group, d->key, DEVICE_PASSWORD, salt);
    v = srp_compute_verifier(x);
    salt64 = padded_base64(salt);
    v64 = padded_base64(v);
    resp = tu_callf(env, IDP "ConfirmDevice",
                    "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\",\"DeviceName\":\"phone\","
                    "\"DeviceSecretVerifierConfig\":{\"Salt\":\"%s\",\"PasswordVerifier\":\"%s\"}}",
                    d->access, d->key, salt64, v64);
    BN_free(salt);
    BN_free(x);
    BN_free(v);
    free(salt64);
    free(v64);
    return resp;
}

/* Sign alice in (MFA in pool a when mfa), confirm the new device into d; remembered unless
 * opt_in (then UpdateDeviceStatus remembers it). */
static void remembered_device(const struct tl_app *a, bool mfa, bool opt_in, struct device *d)
{
    cJSON *resp = sign_in(a, NULL);

    take_new_device(mfa ? answer_sms(a, resp, NULL) : resp, d);
    resp = confirm(d);
    ck_assert_int_eq(tu_bool(resp, "UserConfirmationNecessary"), opt_in);
    cJSON_Delete(resp);
    if (opt_in)
        tl_ok(tu_callf(env, IDP "UpdateDeviceStatus",
                       "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\","
                       "\"DeviceRememberedStatus\":\"remembered\"}",
                       d->access, d->key));
}

/* The DEVICE_PASSWORD_VERIFIER responses of client c for d, with the claim of password over
 * the challenge's params (out: 2048 bytes). */
static void claim_responses(const struct ta_srp_client *c, const struct device *d,
                            const cJSON *params, const char *password, char *out)
{
    char timestamp[40], signature[SRP_SIGNATURE_B64_LEN + 1];

    ta_srp_timestamp(clock_now_ms(), timestamp);
    ta_srp_sign_as(c, d->group, d->key, params, password, timestamp, signature);
    snprintf(out, 2048,
             ",\"DEVICE_KEY\":\"%s\",\"PASSWORD_CLAIM_SECRET_BLOCK\":\"%s\","
             "\"PASSWORD_CLAIM_SIGNATURE\":\"%s\",\"TIMESTAMP\":\"%s\"",
             d->key, tu_str(params, "SECRET_BLOCK"), signature, timestamp);
}

/* Answer DEVICE_SRP_AUTH (resp, deleted) for d; with wrong_first, a wrong claim is refused
 * before the right one. The final response. */
static cJSON *device_srp(const struct tl_app *a, const struct device *d, cJSON *resp,
                         bool wrong_first)
{
    struct ta_srp_client c = ta_srp_client_new();
    char responses[2048], session[512];
    const cJSON *params;
    cJSON *next;

    expect_challenge(resp, "DEVICE_SRP_AUTH");
    snprintf(responses, sizeof(responses), ",\"DEVICE_KEY\":\"%s\",\"SRP_A\":\"%s\"", d->key,
             c.A_hex);
    next = respond(a, "DEVICE_SRP_AUTH", tu_str(resp, "Session"), responses);
    cJSON_Delete(resp);
    expect_challenge(next, "DEVICE_PASSWORD_VERIFIER");
    params = tu_get(next, "ChallengeParameters");
    ck_assert_str_eq(tu_str(params, "USERNAME"), "alice");
    ck_assert_str_eq(tu_str(params, "DEVICE_KEY"), d->key);
    ck_assert_str_eq(tu_str(params, "SALT"), "9a8b7c6d5e4f30211203f4e5d6c7b8a9");
    snprintf(session, sizeof(session), "%s", tu_str(next, "Session"));
    if (wrong_first) {
        claim_responses(&c, d, params, "wrong", responses);
        tl_error(respond(a, "DEVICE_PASSWORD_VERIFIER", session, responses),
                 "NotAuthorizedException", "Incorrect username or password.");
    }
    claim_responses(&c, d, params, DEVICE_PASSWORD, responses);
    resp = respond(a, "DEVICE_PASSWORD_VERIFIER", session, responses);
    cJSON_Delete(next);
    ta_srp_client_free(&c);
    return resp;
}

/* A remembered device stands in for MFA: DEVICE_SRP_AUTH instead of SMS_MFA, a wrong claim is
 * refused, the right one signs in without NewDeviceMetadata and with the device's key in the
 * access token; GetDevice shows the sign-in. */
START_TEST(test_device_remembered_device_replaces_mfa)
{
    struct tl_app a;
    struct device d;
    cJSON *resp;

    device_app(&a, OPT_IN, true);
    remembered_device(&a, true, true, &d);
    resp = device_srp(&a, &d, sign_in(&a, d.key), true);
    ck_assert_ptr_nonnull(tu_get(resp, "AuthenticationResult"));
    ck_assert_ptr_null(tu_get(tu_get(resp, "AuthenticationResult"), "NewDeviceMetadata"));
    assert_token_device(resp, d.key);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetDevice", "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\"}", d.access,
                    d.key);
    ck_assert_str_eq(tu_str(tu_get(resp, "Device"), "DeviceKey"), d.key);
    ck_assert_ptr_nonnull(tu_get(tu_get(resp, "Device"), "DeviceLastAuthenticatedDate"));
    ck_assert_str_eq(
        tl_attr(tu_get(tu_get(resp, "Device"), "DeviceAttributes"), "dev:device_remembered_status"),
        "remembered");
    ck_assert_str_eq(tl_attr(tu_get(tu_get(resp, "Device"), "DeviceAttributes"), "device_name"),
                     "phone");
    cJSON_Delete(resp);
}
END_TEST

/* User opt-in: a confirmed device is not remembered until UpdateDeviceStatus; until then MFA
 * is asked, the user cannot see it, the administrator can. The sign-in names it and gets no new
 * one. */
START_TEST(test_device_not_remembered_device_still_asks_mfa)
{
    struct tl_app a;
    struct device d;
    cJSON *resp;

    device_app(&a, OPT_IN, true);
    take_new_device(answer_sms(&a, sign_in(&a, NULL), NULL), &d);
    resp = confirm(&d);
    ck_assert(tu_bool(resp, "UserConfirmationNecessary"));
    cJSON_Delete(resp);
    resp = answer_sms(&a, sign_in(&a, d.key), d.key);
    ck_assert_ptr_null(tu_get(tu_get(resp, "AuthenticationResult"), "NewDeviceMetadata"));
    assert_token_device(resp, d.key);
    cJSON_Delete(resp);
    tl_error(tu_callf(env, IDP "GetDevice", "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\"}",
                      d.access, d.key),
             "ResourceNotFoundException", NO_DEVICE);
    resp = tu_callf(env, IDP "ListDevices", "{\"AccessToken\":\"%s\"}", d.access);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Devices")), 0);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminGetDevice",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"DeviceKey\":\"%s\"}", a.pool,
                    d.key);
    ck_assert_str_eq(
        tl_attr(tu_get(tu_get(resp, "Device"), "DeviceAttributes"), "dev:device_remembered_status"),
        "not_remembered");
    cJSON_Delete(resp);
    tl_error(confirm(&d), "DeviceKeyExistsException", NULL);
}
END_TEST

/* "Always": ConfirmDevice remembers at once. A remembered device gets DEVICE_SRP_AUTH also in
 * a pool without MFA (the emulator's choice, auth_device.c). */
START_TEST(test_device_always_remembered_and_asked_without_mfa)
{
    struct tl_app a;
    struct device d;
    cJSON *resp;

    device_app(&a, ALWAYS, false);
    remembered_device(&a, false, false, &d);
    resp = device_srp(&a, &d, sign_in(&a, d.key), false);
    tl_expect_tokens(resp);
}
END_TEST

/* A forgotten key is gone for the operations and for sign-in, with the text clients match. */
START_TEST(test_device_forgotten_key_does_not_exist)
{
    struct tl_app a;
    struct device d;

    device_app(&a, OPT_IN, true);
    remembered_device(&a, true, true, &d);
    tl_ok(tu_callf(env, IDP "ForgetDevice", "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\"}",
                   d.access, d.key));
    tl_error(tu_callf(env, IDP "ForgetDevice", "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\"}",
                      d.access, d.key),
             "ResourceNotFoundException", NO_DEVICE);
    tl_error(tu_callf(env, IDP "AdminGetDevice",
                      "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"DeviceKey\":\"%s\"}", a.pool,
                      d.key),
             "ResourceNotFoundException", NO_DEVICE);
    tl_error(tu_callf(env, IDP "UpdateDeviceStatus",
                      "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\","
                      "\"DeviceRememberedStatus\":\"remembered\"}",
                      d.access, d.key),
             "ResourceNotFoundException", NO_DEVICE);
    tl_error(sign_in(&a, d.key), "ResourceNotFoundException", NO_DEVICE);
    tl_error(sign_in(&a, "us-east-1_00000000-0000-4000-8000-000000000000"),
             "ResourceNotFoundException", NO_DEVICE);
}
END_TEST

/* The Admin operations see every confirmed device, page by page; AdminUpdateDeviceStatus and
 * AdminForgetDevice act on it. Unconfirmed devices stay hidden. */
START_TEST(test_device_admin_operations)
{
    struct tl_app a;
    struct device d1, d2;
    cJSON *resp;
    char token[64];

    device_app(&a, OPT_IN, false);
    remembered_device(&a, false, true, &d1);
    take_new_device(sign_in(&a, NULL), &d2); /* minted, never confirmed: hidden */
    ck_assert_str_eq(d1.group, d2.group);    /* one group key per user */
    remembered_device(&a, false, true, &d2);
    resp = tu_callf(env, IDP "AdminListDevices",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"Limit\":1}", a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Devices")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(resp, "Devices"), 0), "DeviceKey"), d1.key);
    snprintf(token, sizeof(token), "%s", tu_str(resp, "PaginationToken"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "AdminListDevices",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"Limit\":1,"
                    "\"PaginationToken\":\"%s\"}",
                    a.pool, token);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Devices")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(resp, "Devices"), 0), "DeviceKey"), d2.key);
    ck_assert_ptr_null(tu_get(resp, "PaginationToken"));
    cJSON_Delete(resp);
    tl_ok(tu_callf(env, IDP "AdminUpdateDeviceStatus",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"DeviceKey\":\"%s\","
                   "\"DeviceRememberedStatus\":\"not_remembered\"}",
                   a.pool, d1.key));
    resp = tu_callf(env, IDP "ListDevices", "{\"AccessToken\":\"%s\",\"Limit\":60}", d2.access);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Devices")), 1);
    cJSON_Delete(resp);
    tl_ok(tu_callf(env, IDP "AdminForgetDevice",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"DeviceKey\":\"%s\"}", a.pool,
                   d2.key));
    resp = tu_callf(env, IDP "AdminListDevices", "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}",
                    a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "Devices")), 1);
    cJSON_Delete(resp);
    tl_error(tu_callf(env, IDP "AdminListDevices",
                      "{\"UserPoolId\":\"%s\",\"Username\":\"nobody\"}", a.pool),
             "UserNotFoundException", NULL);
}
END_TEST

/* ConfirmDevice refuses a verifier of 0 and unknown keys; a pool that tracks no devices mints
 * none; GetTokensFromRefreshToken without DeviceKey mints one in a pool that does. */
START_TEST(test_device_confirm_errors_and_minting_rules)
{
    struct tl_app a, plain;
    struct device d;
    cJSON *resp;
    char refresh[4096];

    device_app(&a, ALWAYS, false);
    resp = sign_in(&a, NULL);
    snprintf(refresh, sizeof(refresh), "%s",
             tu_str(tu_get(resp, "AuthenticationResult"), "RefreshToken"));
    take_new_device(resp, &d);
    tl_error(
        tu_callf(
            env, IDP "ConfirmDevice",
            "{\"AccessToken\":\"%s\",\"DeviceKey\":\"%s\","
            "\"DeviceSecretVerifierConfig\":{\"Salt\":\"AQID\",\"PasswordVerifier\":\"AA==\"}}",
            d.access, d.key),
        "InvalidParameterException", NULL);
    tl_error(
        tu_callf(
            env, IDP "ConfirmDevice",
            "{\"AccessToken\":\"%s\",\"DeviceKey\":\"us-east-1_0000\","
            "\"DeviceSecretVerifierConfig\":{\"Salt\":\"AQID\",\"PasswordVerifier\":\"AQ==\"}}",
            d.access),
        "ResourceNotFoundException", NO_DEVICE);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"ClientId\":\"%s\",\"RefreshToken\":\"%s\"}", a.client, refresh);
    ck_assert_ptr_nonnull(tu_get(tu_get(resp, "AuthenticationResult"), "NewDeviceMetadata"));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "GetTokensFromRefreshToken",
                    "{\"ClientId\":\"%s\",\"RefreshToken\":\"%s\",\"DeviceKey\":\"%s\"}", a.client,
                    refresh, d.key);
    ck_assert_ptr_null(tu_get(tu_get(resp, "AuthenticationResult"), "NewDeviceMetadata"));
    assert_token_device(resp, d.key);
    cJSON_Delete(resp);
    device_app(&plain, NULL, false);
    resp = sign_in(&plain, NULL);
    ck_assert_ptr_null(tu_get(tu_get(resp, "AuthenticationResult"), "NewDeviceMetadata"));
    assert_token_device(resp, NULL);
    cJSON_Delete(resp);
}
END_TEST

/* Pre token generation knows a remembered device's sign-in by its trigger source,
 * TokenGeneration_AuthenticateDevice; the first sign-in, which minted the device, was
 * TokenGeneration_Authentication. */
START_TEST(test_device_sign_in_is_its_own_token_generation_source)
{
    struct tl_app a;
    struct device d;
    cJSON *event;
    size_t n;

    tl_app(&a,
           "{\"PoolName\":\"p\",\"DeviceConfiguration\":" ALWAYS ",\"LambdaConfig\":{"
           "\"PreTokenGenerationConfig\":{\"LambdaVersion\":\"V2_0\",\"LambdaArn\":"
           "\"arn:aws:lambda:us-east-1:123456789012:function:tok\"}}}",
           "");
    tl_user(&a, "alice", PHONE);
    tlam_on(tlam_fixture, "tok", tlam_return_event, NULL);
    remembered_device(&a, false, false, &d);
    tl_expect_tokens(device_srp(&a, &d, sign_in(&a, d.key), false));
    n = tlam_count(tlam_fixture, "tok");
    ck_assert_uint_eq(n, 2);
    event = tlam_event(tlam_fixture, "tok", 0);
    ck_assert_str_eq(tu_str(event, "triggerSource"), "TokenGeneration_Authentication");
    cJSON_Delete(event);
    event = tlam_event(tlam_fixture, "tok", 1);
    ck_assert_str_eq(tu_str(event, "triggerSource"), "TokenGeneration_AuthenticateDevice");
    cJSON_Delete(event);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_device");
    TCase *tc = tcase_create("device");

    /* Each test makes RSA keys for its pools (~0.1 s a key), more under sanitizers/valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_device_remembered_device_replaces_mfa);
    tcase_add_test(tc, test_device_not_remembered_device_still_asks_mfa);
    tcase_add_test(tc, test_device_always_remembered_and_asked_without_mfa);
    tcase_add_test(tc, test_device_forgotten_key_does_not_exist);
    tcase_add_test(tc, test_device_admin_operations);
    tcase_add_test(tc, test_device_confirm_errors_and_minting_rules);
    suite_add_tcase(s, tc);
    tc = tcase_create("trigger");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tlam_setup, tlam_teardown);
    tcase_add_test(tc, test_device_sign_in_is_its_own_token_generation_source);
    suite_add_tcase(s, tc);
    return s;
}
