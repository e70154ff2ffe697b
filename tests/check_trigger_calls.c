/*
 * check_trigger_calls: how cognito-emu calls a pool's Lambda triggers, against the fake Invoke
 * API of tests/testlambda.h: the Invoke request (name and Qualifier from the ARN, SigV4
 * headers), Cognito's envelope and the request of the sign-up, confirmation and sign-in
 * triggers field by field (../shared/lambda-triggers.md sections 4 and 5.1-5.4), how their
 * answers are applied, what is stored when one fails, the error mapping of section 6, and the
 * invocation log behind GET /_emu/triggers.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "testlambda.h"
#include "testlife.h"
#include "testutil.h"
#include "triggers/lambda.h"
#include "triggers/trigger_log.h"
#include "userpool/account.h"

#define ARN(fn) "arn:aws:lambda:us-east-1:123456789012:function:" fn

static struct tlam *fake;

/* The fixture of testlambda.h, its fake as "fake" (the HTTP case below starts its own). */
static void setup(void)
{
    tlam_setup();
    fake = tlam_fixture;
    trigger_log_clear();
}

/* A pool with lambda_config (a JSON object text) and email sign-up, and its client. */
static void app_with(struct tl_app *a, const char *lambda_config)
{
    char body[1024];

    snprintf(body, sizeof(body),
             "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"],\"LambdaConfig\":%s}",
             lambda_config);
    tl_app(a, body, "");
}

/* SignUp of username with an email and extra request members ("" or ",\"X\":..."). */
static cJSON *sign_up(const struct tl_app *a, const char *username, const char *email,
                      const char *extra)
{
    return tu_callf(&tu_fixture, IDP "SignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" TL_PASSWORD "\","
                    "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"%s\"}]%s}",
                    a->client, username, email, extra);
}

/* Call i of fn: its event, which must exist (cJSON_Delete). */
static cJSON *event_of(const char *fn, size_t i)
{
    cJSON *event = tlam_event(fake, fn, i);

    ck_assert_msg(event != NULL, "no call %zu of %s (%zu calls)", i, fn, tlam_count(fake, fn));
    return event;
}

/* The envelope of section 4, as every trigger gets it. */
static void assert_envelope(const cJSON *event, const char *source, const struct tl_app *a,
                            const char *username, const char *client_id)
{
    const cJSON *context = tu_get(event, "callerContext");

    ck_assert_str_eq(tu_str(event, "version"), "1");
    ck_assert_str_eq(tu_str(event, "triggerSource"), source);
    ck_assert_str_eq(tu_str(event, "region"), "us-east-1");
    ck_assert_str_eq(tu_str(event, "userPoolId"), a->pool);
    ck_assert_str_eq(tu_str(event, "userName"), username);
    ck_assert_str_eq(tu_str(context, "awsSdkVersion"), "aws-sdk-unknown-unknown");
    ck_assert_str_eq(tu_str(context, "clientId"), client_id);
    ck_assert(cJSON_IsObject(tu_get(event, "request")));
    ck_assert(cJSON_IsObject(tu_get(event, "response")));
}

/* ---- The Invoke request ---------------------------------------------------------------- */

START_TEST(test_arns_name_the_function_and_qualifier)
{
    char name[64], qualifier[32], region[32] = "eu-west-1";

    ck_assert_int_eq(lambda_parse_arn(ARN("pre"), name, sizeof(name), qualifier, sizeof(qualifier),
                                      region, sizeof(region)),
                     0);
    ck_assert_str_eq(name, "pre");
    ck_assert_str_eq(qualifier, "");
    ck_assert_str_eq(region, "us-east-1");
    ck_assert_int_eq(lambda_parse_arn("arn:aws:lambda:eu-central-1:123456789012:function:pre:live",
                                      name, sizeof(name), qualifier, sizeof(qualifier), region,
                                      sizeof(region)),
                     0);
    ck_assert_str_eq(name, "pre");
    ck_assert_str_eq(qualifier, "live");
    ck_assert_str_eq(region, "eu-central-1");
    ck_assert_int_eq(lambda_parse_arn("plain:3", name, sizeof(name), qualifier, sizeof(qualifier),
                                      region, sizeof(region)),
                     0);
    ck_assert_str_eq(name, "plain");
    ck_assert_str_eq(qualifier, "3");
    ck_assert_int_ne(lambda_parse_arn("arn:aws:s3:::bucket", name, sizeof(name), qualifier,
                                      sizeof(qualifier), region, sizeof(region)),
                     0);
    ck_assert_int_ne(lambda_parse_arn(ARN("f:a:b"), name, sizeof(name), qualifier,
                                      sizeof(qualifier), region, sizeof(region)),
                     0);
}
END_TEST

/*
 * The call goes to the bare function name (serverless-offline looks names up, not ARNs), the
 * ARN's qualifier as ?Qualifier=, synchronously, signed with SigV4 for the lambda service in
 * the ARN's region.
 */
START_TEST(test_the_invoke_request_is_what_lambda_expects)
{
    struct tl_app a;
    char *type, *auth, *date, *qualifier, *content;

    app_with(&a, "{\"PreSignUp\":\"arn:aws:lambda:us-east-1:123456789012:function:pre:live\"}");
    tlam_on(fake, "pre", tlam_return_event, NULL);
    tl_ok(sign_up(&a, "alice", "a@example.com", ""));
    ck_assert_uint_eq(tlam_count(fake, "pre"), 1);
    type = tlam_header(fake, "pre", 0, "X-Amz-Invocation-Type");
    auth = tlam_header(fake, "pre", 0, "Authorization");
    date = tlam_header(fake, "pre", 0, "X-Amz-Date");
    content = tlam_header(fake, "pre", 0, "Content-Type");
    qualifier = tlam_query(fake, "pre", 0, "Qualifier");
    ck_assert_str_eq(type, "RequestResponse");
    ck_assert_str_eq(content, "application/json");
    ck_assert_str_eq(qualifier, "live");
    tu_assert_matches(date, "^[0-9]{8}T[0-9]{6}Z$");
    tu_assert_matches(auth, "^AWS4-HMAC-SHA256 Credential=test/[0-9]{8}/us-east-1/lambda/"
                            "aws4_request, SignedHeaders=[a-z;-]*host[a-z;-]*, "
                            "Signature=[0-9a-f]{64}$");
    free(type);
    free(auth);
    free(date);
    free(content);
    free(qualifier);
}
END_TEST

/* ---- PreSignUp and PostConfirmation ---------------------------------------------------- */

START_TEST(test_pre_sign_up_gets_cognitos_event)
{
    struct tl_app a;
    cJSON *event;
    const cJSON *request, *response;
    char *text;

    app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\"}");
    tlam_on(fake, "pre", tlam_return_event, NULL);
    tl_ok(sign_up(&a, "alice", "a@example.com",
                  ",\"ValidationData\":[{\"Name\":\"captcha\",\"Value\":\"ok\"}],"
                  "\"ClientMetadata\":{\"source\":\"web\"}"));
    tl_ok(sign_up(&a, "bob", "b@example.com", ""));
    event = event_of("pre", 0);
    assert_envelope(event, "PreSignUp_SignUp", &a, "alice", a.client);
    request = tu_get(event, "request");
    /* Only what the caller supplied: no sub, no status, never the password. */
    ck_assert_str_eq(tu_str(tu_get(request, "userAttributes"), "email"), "a@example.com");
    ck_assert_ptr_null(tu_get(tu_get(request, "userAttributes"), "sub"));
    text = cJSON_PrintUnformatted(event);
    ck_assert_ptr_null(strstr(text, TL_PASSWORD));
    free(text);
    ck_assert_str_eq(tu_str(tu_get(request, "validationData"), "captcha"), "ok");
    ck_assert_str_eq(tu_str(tu_get(request, "clientMetadata"), "source"), "web");
    response = tu_get(event, "response");
    ck_assert(cJSON_IsFalse(tu_get(response, "autoConfirmUser")));
    ck_assert(cJSON_IsFalse(tu_get(response, "autoVerifyEmail")));
    ck_assert(cJSON_IsFalse(tu_get(response, "autoVerifyPhone")));
    cJSON_Delete(event);
    /* Nothing sent: validationData is null, clientMetadata left out (real captures). */
    event = event_of("pre", 1);
    request = tu_get(event, "request");
    ck_assert(cJSON_IsNull(tu_get(request, "validationData")));
    ck_assert_ptr_null(tu_get(request, "clientMetadata"));
    cJSON_Delete(event);
}
END_TEST

/*
 * autoConfirmUser and autoVerifyEmail: the user is CONFIRMED at once with email_verified, no
 * code is stored, and the post confirmation trigger runs with SignUp's ClientMetadata.
 */
START_TEST(test_auto_confirm_confirms_and_runs_post_confirmation)
{
    struct tl_app a;
    cJSON *r, *event;
    const cJSON *attrs;
    char verified[8], code[8];

    app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\",\"PostConfirmation\":\"" ARN("post") "\"}");
    tlam_on_response(
        fake, "pre",
        "{\"autoConfirmUser\":true,\"autoVerifyEmail\":true,\"autoVerifyPhone\":false}");
    tlam_on(fake, "post", tlam_return_event, NULL);
    r = sign_up(&a, "alice", "a@example.com", ",\"ClientMetadata\":{\"k\":\"v\"}");
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert(tu_bool(r, "UserConfirmed"));
    ck_assert_ptr_null(tu_get(r, "CodeDeliveryDetails"));
    cJSON_Delete(r);
    tl_assert_status(&a, "alice", "CONFIRMED");
    tl_admin_attr(&a, "alice", "email_verified", verified, sizeof(verified));
    ck_assert_str_eq(verified, "true");
    ck_assert_int_ne(tl_code(&a, "alice", "sign-up", code), 0);
    ck_assert_uint_eq(tlam_count(fake, "post"), 1);
    event = event_of("post", 0);
    assert_envelope(event, "PostConfirmation_ConfirmSignUp", &a, "alice", a.client);
    attrs = tu_get(tu_get(event, "request"), "userAttributes");
    ck_assert_str_eq(tu_str(attrs, "cognito:user_status"), "CONFIRMED");
    ck_assert_str_eq(tu_str(attrs, "email_verified"), "true");
    tu_assert_matches(tu_str(attrs, "sub"), "^[0-9a-f-]{36}$");
    ck_assert_str_eq(tu_str(tu_get(tu_get(event, "request"), "clientMetadata"), "k"), "v");
    cJSON_Delete(event);
}
END_TEST

/* Answers Cognito refuses: auto-verifying without confirming, or an attribute not there. */
START_TEST(test_auto_verify_needs_auto_confirm_and_the_attribute)
{
    struct tl_app a;
    cJSON *users;

    app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\"}");
    tlam_on_response(fake, "pre", "{\"autoConfirmUser\":false,\"autoVerifyEmail\":true}");
    tl_error(sign_up(&a, "alice", "a@example.com", ""), "InvalidLambdaResponseException",
             "Phone or email cannot be auto verified, when user is not being auto confirmed.");
    tlam_on_response(fake, "pre", "{\"autoConfirmUser\":true,\"autoVerifyPhone\":true}");
    tl_error(sign_up(&a, "alice", "a@example.com", ""), "InvalidLambdaResponseException",
             "Phone or email cannot be auto verified, when the user has no such attribute.");
    users = tu_callf(&tu_fixture, IDP "ListUsers", "{\"UserPoolId\":\"%s\"}", a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(users, "Users")), 0);
    cJSON_Delete(users);
}
END_TEST

/* An auto-verified email that is another user's alias moves to the new user (5.1). */
START_TEST(test_an_auto_verified_alias_moves_to_the_new_user)
{
    struct tl_app a;
    char verified[8];

    tl_app(&a,
           "{\"PoolName\":\"p\",\"AliasAttributes\":[\"email\"],\"LambdaConfig\":"
           "{\"PreSignUp\":\"" ARN("pre") "\"}}",
           "");
    tlam_on_response(fake, "pre", "{\"autoConfirmUser\":true}");
    tl_user(&a, "bob",
            "[{\"Name\":\"email\",\"Value\":\"same@example.com\"},"
            "{\"Name\":\"email_verified\",\"Value\":\"true\"}]");
    tlam_on_response(fake, "pre", "{\"autoConfirmUser\":true,\"autoVerifyEmail\":true}");
    tl_ok(sign_up(&a, "alice", "same@example.com", ""));
    tl_admin_attr(&a, "bob", "email_verified", verified, sizeof(verified));
    ck_assert_str_eq(verified, "false");
    tl_admin_attr(&a, "alice", "email_verified", verified, sizeof(verified));
    ck_assert_str_eq(verified, "true");
    tl_expect_tokens(tl_sign_in_call(&a, "same@example.com", TL_PASSWORD));
}
END_TEST

/* A thrown error refuses the sign-up with Cognito's wording, and no user is created. */
START_TEST(test_a_refused_sign_up_creates_no_user)
{
    struct tl_app a;
    cJSON *users;

    app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\"}");
    tlam_on_error(fake, "pre", "domain not allowed");
    tl_error(sign_up(&a, "alice", "a@blocked.test", ""), "UserLambdaValidationException",
             "PreSignUp failed with error domain not allowed.");
    users = tu_callf(&tu_fixture, IDP "ListUsers", "{\"UserPoolId\":\"%s\"}", a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(users, "Users")), 0);
    cJSON_Delete(users);
}
END_TEST

/* AdminCreateUser: its own source, no client, and the flags are ignored (section 5.1). */
START_TEST(test_admin_create_user_ignores_the_pre_sign_up_flags)
{
    struct tl_app a;
    cJSON *event;

    app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\"}");
    tlam_on_response(fake, "pre", "{\"autoConfirmUser\":true,\"autoVerifyEmail\":true}");
    tl_ok(tu_callf(&tu_fixture, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"MessageAction\":\"SUPPRESS\","
                   "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"a@example.com\"}],"
                   "\"ValidationData\":[{\"Name\":\"v\",\"Value\":\"1\"}]}",
                   a.pool));
    tl_assert_status(&a, "alice", "FORCE_CHANGE_PASSWORD");
    event = event_of("pre", 0);
    assert_envelope(event, "PreSignUp_AdminCreateUser", &a, "alice", "CLIENT_ID_NOT_APPLICABLE");
    ck_assert_str_eq(tu_str(tu_get(tu_get(event, "request"), "validationData"), "v"), "1");
    cJSON_Delete(event);
}
END_TEST

/*
 * ConfirmSignUp runs post confirmation after the commit; when it fails the caller gets the
 * error, yet the user stays confirmed (aws-amplify/amplify-cli#2735).
 */
START_TEST(test_a_failed_post_confirmation_leaves_the_user_confirmed)
{
    struct tl_app a;
    char code[8];
    cJSON *event;

    app_with(&a, "{\"PostConfirmation\":\"" ARN("post") "\"}");
    tl_ok(sign_up(&a, "alice", "a@example.com", ""));
    ck_assert_int_eq(tl_code(&a, "alice", "sign-up", code), 0);
    tlam_on_error(fake, "post", "database down");
    tl_error(tu_callf(&tu_fixture, IDP "ConfirmSignUp",
                      "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"ConfirmationCode\":\"%s\","
                      "\"ClientMetadata\":{\"from\":\"confirm\"}}",
                      a.client, code),
             "UserLambdaValidationException", "PostConfirmation failed with error database down.");
    tl_assert_status(&a, "alice", "CONFIRMED");
    event = event_of("post", 0);
    assert_envelope(event, "PostConfirmation_ConfirmSignUp", &a, "alice", a.client);
    ck_assert_str_eq(tu_str(tu_get(tu_get(event, "request"), "clientMetadata"), "from"), "confirm");
    cJSON_Delete(event);
}
END_TEST

/* AdminConfirmSignUp (no client) and ConfirmForgotPassword (its own source). */
START_TEST(test_post_confirmation_sources)
{
    struct tl_app a;
    char code[8];
    cJSON *event;

    app_with(&a, "{\"PostConfirmation\":\"" ARN("post") "\"}");
    tlam_on(fake, "post", tlam_return_event, NULL);
    tl_ok(sign_up(&a, "alice", "a@example.com", ""));
    tl_ok(tu_callf(&tu_fixture, IDP "AdminConfirmSignUp",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}", a.pool));
    tl_ok(tu_callf(&tu_fixture, IDP "AdminUpdateUserAttributes",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"UserAttributes\":"
                   "[{\"Name\":\"email_verified\",\"Value\":\"true\"}]}",
                   a.pool));
    tl_ok(tu_callf(&tu_fixture, IDP "ForgotPassword",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\"}", a.client));
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_RESET_PURPOSE, code), 0);
    tl_ok(tu_callf(&tu_fixture, IDP "ConfirmForgotPassword",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"ConfirmationCode\":\"%s\","
                   "\"Password\":\"N3w-Passw0rd!\"}",
                   a.client, code));
    ck_assert_uint_eq(tlam_count(fake, "post"), 2);
    event = event_of("post", 0);
    assert_envelope(event, "PostConfirmation_ConfirmSignUp", &a, "alice",
                    "CLIENT_ID_NOT_APPLICABLE");
    cJSON_Delete(event);
    event = event_of("post", 1);
    assert_envelope(event, "PostConfirmation_ConfirmForgotPassword", &a, "alice", a.client);
    ck_assert_ptr_null(tu_get(tu_get(event, "request"), "clientMetadata"));
    cJSON_Delete(event);
}
END_TEST

/* In a pool whose users sign in with their email, userName is the generated UUID (the sub). */
START_TEST(test_user_name_is_the_uuid_in_email_pools)
{
    struct tl_app a;
    cJSON *event;
    const char *sub;

    tl_app(&a,
           "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"],\"LambdaConfig\":"
           "{\"PreSignUp\":\"" ARN("pre") "\",\"PostConfirmation\":\"" ARN("post") "\"}}",
           "");
    tlam_on_response(fake, "pre", "{\"autoConfirmUser\":true}");
    tlam_on(fake, "post", tlam_return_event, NULL);
    tl_ok(sign_up(&a, "ana@example.com", "ana@example.com", ""));
    event = event_of("post", 0);
    sub = tu_str(tu_get(tu_get(event, "request"), "userAttributes"), "sub");
    ck_assert_ptr_nonnull(sub);
    ck_assert_str_eq(tu_str(event, "userName"), sub);
    cJSON_Delete(event);
}
END_TEST

/* ---- PreAuthentication and PostAuthentication ------------------------------------------ */

/* A confirmed user made before the pool's triggers mattered (AdminCreateUser runs none here). */
static void app_with_user(struct tl_app *a, const char *lambda_config)
{
    app_with(a, lambda_config);
    tl_user(a, "alice", "[{\"Name\":\"email\",\"Value\":\"a@example.com\"}]");
}

START_TEST(test_sign_in_runs_pre_and_post_authentication)
{
    struct tl_app a;
    cJSON *event, *r;
    const cJSON *request;

    app_with_user(&a, "{\"PreAuthentication\":\"" ARN("preauth") "\","
                                                                 "\"PostAuthentication\":\"" ARN(
                                                                     "postauth") "\"}");
    tlam_on(fake, "preauth", tlam_return_event, NULL);
    tlam_on(fake, "postauth", tlam_return_event, NULL);
    r = tu_callf(&tu_fixture, IDP "InitiateAuth",
                 "{\"ClientId\":\"%s\",\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"AuthParameters\":"
                 "{\"USERNAME\":\"alice\",\"PASSWORD\":\"" TL_PASSWORD "\"},"
                 "\"ClientMetadata\":{\"device\":\"kiosk\"}}",
                 a.client);
    tl_expect_tokens(r);
    event = event_of("preauth", 0);
    assert_envelope(event, "PreAuthentication_Authentication", &a, "alice", a.client);
    request = tu_get(event, "request");
    /* InitiateAuth's ClientMetadata arrives as validationData (section 3). */
    ck_assert_str_eq(tu_str(tu_get(request, "validationData"), "device"), "kiosk");
    ck_assert(cJSON_IsFalse(tu_get(request, "userNotFound")));
    ck_assert_str_eq(tu_str(tu_get(request, "userAttributes"), "cognito:user_status"), "CONFIRMED");
    cJSON_Delete(event);
    event = event_of("postauth", 0);
    assert_envelope(event, "PostAuthentication_Authentication", &a, "alice", a.client);
    request = tu_get(event, "request");
    ck_assert(cJSON_IsFalse(tu_get(request, "newDeviceUsed")));
    ck_assert_ptr_null(tu_get(request, "clientMetadata")); /* not InitiateAuth's */
    ck_assert_str_eq(tu_str(tu_get(request, "userAttributes"), "email"), "a@example.com");
    cJSON_Delete(event);
}
END_TEST

/* A refusal of either trigger means no tokens; a refresh runs neither. */
START_TEST(test_authentication_triggers_can_refuse_and_skip_refresh)
{
    struct tl_app a;
    struct tl_tokens t;

    app_with_user(&a, "{\"PreAuthentication\":\"" ARN("preauth") "\","
                                                                 "\"PostAuthentication\":\"" ARN(
                                                                     "postauth") "\"}");
    tlam_on_error(fake, "preauth", "not today");
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "UserLambdaValidationException",
             "PreAuthentication failed with error not today.");
    ck_assert_uint_eq(tlam_count(fake, "postauth"), 0);
    tlam_on(fake, "preauth", tlam_return_event, NULL);
    tlam_on_error(fake, "postauth", "audit failed");
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "UserLambdaValidationException",
             "PostAuthentication failed with error audit failed.");
    tlam_on(fake, "postauth", tlam_return_event, NULL);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    ck_assert_uint_eq(tlam_count(fake, "preauth"), 3);
    ck_assert_uint_eq(tlam_count(fake, "postauth"), 2);
    tl_expect_tokens(tl_refresh_call(&a, t.refresh));
    ck_assert_uint_eq(tlam_count(fake, "preauth"), 3);
    ck_assert_uint_eq(tlam_count(fake, "postauth"), 2);
    tl_tokens_free(&t);
}
END_TEST

/* A wrong password is refused after pre authentication ran; post authentication does not. */
START_TEST(test_pre_authentication_runs_before_the_password_check)
{
    struct tl_app a;

    app_with_user(&a, "{\"PreAuthentication\":\"" ARN("preauth") "\","
                                                                 "\"PostAuthentication\":\"" ARN(
                                                                     "postauth") "\"}");
    tlam_on(fake, "preauth", tlam_return_event, NULL);
    tlam_on(fake, "postauth", tlam_return_event, NULL);
    tl_error(tl_sign_in_call(&a, "alice", "Wrong-Passw0rd!"), "NotAuthorizedException",
             "Incorrect username or password.");
    ck_assert_uint_eq(tlam_count(fake, "preauth"), 1);
    ck_assert_uint_eq(tlam_count(fake, "postauth"), 0);
}
END_TEST

/* ---- Error mapping (section 6) -------------------------------------------------------- */

static void expect_sign_up_error(const char *type, const char *message)
{
    struct tl_app a;

    app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\"}");
    tl_error(sign_up(&a, "alice", "a@example.com", ""), type, message);
}

START_TEST(test_answers_that_are_not_events_are_invalid)
{
    tlam_on_body(fake, "pre", "this is not json");
    expect_sign_up_error("InvalidLambdaResponseException",
                         "Invalid lambda function output : Invalid JSON");
    tlam_on_body(fake, "pre", "null"); /* an async handler that returned nothing */
    expect_sign_up_error("InvalidLambdaResponseException",
                         "Invalid lambda function output : Invalid JSON");
    tlam_on_body(fake, "pre", "[1,2]");
    expect_sign_up_error("InvalidLambdaResponseException", "Unrecognizable lambda output");
    tlam_on_body(fake, "pre", "{\"response\":\"yes\"}");
    expect_sign_up_error("InvalidLambdaResponseException", "Unrecognizable lambda output");
}
END_TEST

START_TEST(test_service_errors_and_unreachable_endpoints_are_unexpected)
{
    /* No script: the fake answers 404 ResourceNotFoundException, as Lambda does. */
    expect_sign_up_error("UnexpectedLambdaException",
                         "PreSignUp invocation failed due to error ResourceNotFoundException.");
    tlam_on_status(fake, "pre", 429, "TooManyRequestsException");
    expect_sign_up_error("UnexpectedLambdaException",
                         "PreSignUp invocation failed due to error TooManyRequestsException.");
    /* Nothing listens on port 1. */
    snprintf(tu_fixture.settings.lambda_endpoint, sizeof(tu_fixture.settings.lambda_endpoint),
             "http://127.0.0.1:1");
    {
        struct tl_app a;
        cJSON *r;

        app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\"}");
        r = sign_up(&a, "alice", "a@example.com", "");
        ck_assert_str_eq(tu_error_type(r), "UnexpectedLambdaException");
        tu_assert_matches(
            tu_str(r, "message"),
            "^PreSignUp invocation failed due to error .+ \\(http://127.0.0.1:1\\)\\.$");
        cJSON_Delete(r);
    }
}
END_TEST

/* Cognito waits 5 seconds (LAMBDA_TIMEOUT_MS), then gives up with its socket timeout. */
START_TEST(test_a_slow_function_times_out)
{
    tlam_on_delay(fake, "pre", LAMBDA_TIMEOUT_MS + 5000);
    expect_sign_up_error("UnexpectedLambdaException",
                         "PreSignUp invocation failed due to error Socket timeout while invoking "
                         "Lambda function.");
}
END_TEST

/* ---- The invocation log (GET /_emu/triggers) ------------------------------------------ */

START_TEST(test_every_call_is_in_the_invocation_log)
{
    struct tl_app a;
    struct trigger_log_filter all = {0}, pre = {.source = "PreSignUp_SignUp"};
    int64_t last_id = 0, after;
    cJSON *list;
    const cJSON *newest, *oldest;

    app_with(&a, "{\"PreSignUp\":\"" ARN("pre") "\"}");
    tlam_on_response(fake, "pre", "{\"autoConfirmUser\":false}");
    tl_ok(sign_up(&a, "alice", "a@example.com", ""));
    tlam_on_error(fake, "pre", "no");
    cJSON_Delete(sign_up(&a, "bob", "b@example.com", ""));
    list = trigger_log_list(&all, &last_id);
    ck_assert_int_eq(cJSON_GetArraySize(list), 2);
    newest = cJSON_GetArrayItem(list, 0);
    oldest = cJSON_GetArrayItem(list, 1);
    ck_assert_int_eq((int)tu_num(newest, "id"), (int)last_id);
    ck_assert_str_eq(tu_str(oldest, "poolId"), a.pool);
    ck_assert_str_eq(tu_str(oldest, "triggerSource"), "PreSignUp_SignUp");
    ck_assert_str_eq(tu_str(oldest, "trigger"), "PreSignUp");
    ck_assert_str_eq(tu_str(oldest, "function"), ARN("pre"));
    ck_assert_str_eq(tu_str(oldest, "invocationType"), "RequestResponse");
    ck_assert_str_eq(tu_str(tu_get(oldest, "event"), "userName"), "alice");
    ck_assert(
        cJSON_IsFalse(tu_get(tu_get(tu_get(oldest, "response"), "response"), "autoConfirmUser")));
    ck_assert_ptr_null(tu_get(oldest, "error"));
    ck_assert(tu_num(oldest, "durationMs") >= 0);
    ck_assert_str_eq(tu_str(tu_get(newest, "error"), "type"), "UserLambdaValidationException");
    ck_assert_str_eq(tu_str(tu_get(newest, "error"), "message"), "PreSignUp failed with error no.");
    cJSON_Delete(list);
    /* Filters: by source, and after an id; clearing keeps the ids growing. */
    ck_assert_int_eq(trigger_log_count(&pre), 2);
    after = last_id;
    pre.after_id = after;
    ck_assert_int_eq(trigger_log_count(&pre), 0);
    trigger_log_clear();
    ck_assert_int_eq(trigger_log_count(&all), 0);
    tlam_on(fake, "pre", tlam_return_event, NULL);
    tl_ok(sign_up(&a, "carol", "c@example.com", ""));
    list = trigger_log_list(&all, &last_id);
    ck_assert_int_eq((int)tu_num(cJSON_GetArrayItem(list, 0), "id"), (int)after + 1);
    cJSON_Delete(list);
}
END_TEST

/* ---- Over HTTP: the control API, and a slow function holding only its own request -------- */

static struct server *srv;
static struct settings srv_settings;
static char base[64];

static void server_setup(void)
{
    char *argv[] = {
        (char *)"cognito-emu", (char *)"--db", (char *)":memory:",    (char *)"--port", (char *)"0",
        (char *)"--threads",   (char *)"4",    (char *)"--log-level", (char *)"error",  NULL};

    fake = tlam_start();
    ck_assert_ptr_nonnull(fake);
    ck_assert_int_eq(settings_parse(&srv_settings, 9, argv), SETTINGS_RUN);
    snprintf(srv_settings.lambda_endpoint, sizeof(srv_settings.lambda_endpoint), "%s",
             tlam_url(fake));
    ck_assert_int_eq(server_start(&srv_settings, &srv), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", server_port(srv));
    trigger_log_clear();
}

static void server_teardown(void)
{
    tlam_stop(fake); /* first: ends a delayed answer a worker may still wait for */
    server_stop(srv);
}

/* An AWS call over HTTP; the parsed answer (cJSON_Delete). */
static cJSON *http_call(const char *target, const char *body)
{
    struct tu_http r;
    cJSON *json;

    tu_http_aws(base, target, body, &r);
    json = cJSON_Parse(r.body);
    ck_assert_msg(json != NULL, "not JSON: %s", r.body);
    tu_http_free(&r);
    return json;
}

struct slow_sign_up {
    char client[64];
    cJSON *answer;
};

static void *sign_up_thread(void *arg)
{
    struct slow_sign_up *s = arg;
    char body[512];

    snprintf(body, sizeof(body),
             "{\"ClientId\":\"%s\",\"Username\":\"slow\",\"Password\":\"" TL_PASSWORD "\"}",
             s->client);
    s->answer = http_call(IDP "SignUp", body);
    return NULL;
}

/*
 * While a SignUp waits for its slow pre sign-up function, other requests are served, the
 * invocation log answers over HTTP, and a long poll on it wakes when the call is recorded.
 */
START_TEST(test_a_slow_function_holds_only_its_own_request)
{
    cJSON *pool, *client, *list;
    struct slow_sign_up s = {{0}, NULL};
    pthread_t thread;
    struct tu_http r;
    char url[256], body[256];

    pool = http_call(IDP "CreateUserPool",
                     "{\"PoolName\":\"p\",\"LambdaConfig\":{\"PreSignUp\":\"" ARN("pre") "\"}}");
    snprintf(body, sizeof(body), "{\"UserPoolId\":\"%s\",\"ClientName\":\"c\"}",
             tu_str(tu_get(pool, "UserPool"), "Id"));
    client = http_call(IDP "CreateUserPoolClient", body);
    snprintf(s.client, sizeof(s.client), "%s",
             tu_str(tu_get(client, "UserPoolClient"), "ClientId"));
    tlam_on_delay(fake, "pre", 2000);
    ck_assert_int_eq(pthread_create(&thread, NULL, sign_up_thread, &s), 0);
    ck_assert(tlam_wait_count(fake, "pre", 1, 10000));
    /* The function is still running: the emulator answers other requests meanwhile. */
    list = http_call(IDP "ListUserPools", "{\"MaxResults\":10}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(list, "UserPools")), 1);
    cJSON_Delete(list);
    ck_assert_ptr_null(s.answer);
    /* A long poll for the call wakes when it is recorded (the SignUp then succeeds). */
    snprintf(url, sizeof(url), "%s/_emu/triggers?source=PreSignUp_SignUp&wait=20", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    list = cJSON_Parse(r.body);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(list, "invocations")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(list, "invocations"), 0), "triggerSource"),
                     "PreSignUp_SignUp");
    ck_assert(tu_num(list, "lastId") >= 1);
    cJSON_Delete(list);
    tu_http_free(&r);
    pthread_join(thread, NULL);
    ck_assert_msg(tu_error_type(s.answer) == NULL, "%s", tu_str(s.answer, "message"));
    cJSON_Delete(s.answer);
    /* DELETE empties the log. */
    snprintf(url, sizeof(url), "%s/_emu/triggers", base);
    tu_http_request("DELETE", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    list = cJSON_Parse(r.body);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(list, "invocations")), 0);
    cJSON_Delete(list);
    tu_http_free(&r);
    /* A reset empties it too (a record made in this process stands for a call). */
    {
        cJSON *event = cJSON_CreateObject();
        const struct trigger_record rec = {.pool_id = "p",
                                           .source = "PreSignUp_SignUp",
                                           .trigger = "PreSignUp",
                                           .function = "f",
                                           .event = event};
        struct trigger_log_filter all = {0};

        trigger_log_record(&rec);
        cJSON_Delete(event);
        ck_assert_int_eq(trigger_log_count(&all), 1);
    }
    snprintf(url, sizeof(url), "%s/_emu/reset", base);
    tu_http_request("POST", url, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    tu_http_free(&r);
    snprintf(url, sizeof(url), "%s/_emu/triggers", base);
    tu_http_request("GET", url, NULL, NULL, 0, &r);
    list = cJSON_Parse(r.body);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(list, "invocations")), 0);
    cJSON_Delete(list);
    tu_http_free(&r);
    cJSON_Delete(pool);
    cJSON_Delete(client);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("trigger_calls");
    TCase *tc = tcase_create("calls");
    TCase *http = tcase_create("http");

    tcase_add_checked_fixture(tc, setup, tlam_teardown);
    tcase_add_test(tc, test_arns_name_the_function_and_qualifier);
    tcase_add_test(tc, test_the_invoke_request_is_what_lambda_expects);
    tcase_add_test(tc, test_pre_sign_up_gets_cognitos_event);
    tcase_add_test(tc, test_auto_confirm_confirms_and_runs_post_confirmation);
    tcase_add_test(tc, test_a_refused_sign_up_creates_no_user);
    tcase_add_test(tc, test_auto_verify_needs_auto_confirm_and_the_attribute);
    tcase_add_test(tc, test_an_auto_verified_alias_moves_to_the_new_user);
    tcase_add_test(tc, test_admin_create_user_ignores_the_pre_sign_up_flags);
    tcase_add_test(tc, test_a_failed_post_confirmation_leaves_the_user_confirmed);
    tcase_add_test(tc, test_post_confirmation_sources);
    tcase_add_test(tc, test_user_name_is_the_uuid_in_email_pools);
    tcase_add_test(tc, test_sign_in_runs_pre_and_post_authentication);
    tcase_add_test(tc, test_authentication_triggers_can_refuse_and_skip_refresh);
    tcase_add_test(tc, test_pre_authentication_runs_before_the_password_check);
    tcase_add_test(tc, test_answers_that_are_not_events_are_invalid);
    tcase_add_test(tc, test_service_errors_and_unreachable_endpoints_are_unexpected);
    tcase_add_test(tc, test_a_slow_function_times_out);
    tcase_add_test(tc, test_every_call_is_in_the_invocation_log);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(http, server_setup, server_teardown);
    tcase_add_test(http, test_a_slow_function_holds_only_its_own_request);
    suite_add_tcase(s, http);
    return s;
}
