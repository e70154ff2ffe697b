/*
 * check_trigger_message: the message path (userpool/delivery.c) and its triggers
 * (triggers/trigger_message.c), against the fake Lambda (testlambda.h): the texts every kind
 * of message gets from the pool's templates or Cognito's defaults; CustomMessage fired by each
 * operation with its source and its event, member by member; a function's text sent with the
 * real code; its answers refused as Cognito refuses them; its failures failing the operation
 * (after the commit, which stands); the custom senders, called asynchronously with the code
 * while the inbox keeps the message; GET /_emu/messages showing the texts; and the inbox of a
 * database made before the texts were kept.
 *
 * No assertion depends on timing: the asynchronous senders are awaited with tlam_wait_count.
 */
#include "config.h"

#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/ops_common.h"
#include "server.h"
#include "store/store.h"
#include "testlambda.h"
#include "testlife.h"
#include "testutil.h"
#include "triggers/triggers.h"
#include "userpool/delivery.h"

static struct tu_env *const env = &tu_fixture;

#define ARN "arn:aws:lambda:us-east-1:123456789012:function:"
#define KMS "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
#define MSG "\"CustomMessage\":\"" ARN "msg\""
#define EMAIL_SENDER                                                                               \
    "\"CustomEmailSender\":{\"LambdaVersion\":\"V1_0\",\"LambdaArn\":\"" ARN "email\"}"
#define SMS_SENDER "\"CustomSMSSender\":{\"LambdaVersion\":\"V1_0\",\"LambdaArn\":\"" ARN "sms\"}"
#define DEVELOPER                                                                                  \
    "\"EmailConfiguration\":{\"EmailSendingAccount\":\"DEVELOPER\",\"SourceArn\":"                 \
    "\"arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com\"}"
#define EMAIL_POOL "\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"]"
#define PHONE_POOL "\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"phone_number\"]"
#define SNS "{\"SnsCallerArn\":\"arn:aws:iam::123456789012:role/sns\",\"ExternalId\":\"x\"}"
#define TEMP_PASSWORD "Temp0rary!x"

/* The validator's patterns (the API model), as the error messages quote them. */
#define BODY_PATTERN                                                                               \
    "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*"
#define SUBJECT_PATTERN "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s]+"
#define SMS_PATTERN ".*\\{####\\}.*"

/* ---- Helpers -------------------------------------------------------------------------------- */

/* The function "msg" answers with response (a string literal), or passes the event back. */
static void msg_answers(const char *response)
{
    if (response == NULL)
        tlam_on(tlam_fixture, "msg", tlam_return_event, NULL);
    else
        tlam_on_response(tlam_fixture, "msg", response);
}

/* The newest inbox message of username (store_message_free), or NULL when there is none. */
static struct store_message *newest(const char *username)
{
    struct store_message_filter f = {.username = username, .limit = 1};
    struct store_message **list = NULL, *m = NULL;
    size_t count = 0;
    int64_t last = 0;

    ck_assert_int_eq(inbox_list(env->store, &f, &list, &count, &last), 0);
    if (count == 1) {
        m = list[0];
        list[0] = NULL;
    }
    store_message_list_free(list, count);
    return m;
}

/*
 * The newest message of username must be text (a "%s" in it stands for its code), with
 * subject (NULL: none) and sender (NULL: the emulator's own delivery). Returns the code
 * (7 bytes into code, may be NULL).
 */
static void expect_message(const char *username, const char *text, const char *subject,
                           const char *sender, char *code)
{
    struct store_message *m = newest(username);
    const char *hole = strstr(text, "%s");
    char want[2048];

    ck_assert_msg(m != NULL, "no message for %s", username);
    if (hole != NULL)
        snprintf(want, sizeof(want), "%.*s%s%s", (int)(hole - text), text, m->code, hole + 2);
    else
        snprintf(want, sizeof(want), "%s", text);
    ck_assert_ptr_nonnull(m->message);
    ck_assert_str_eq(m->message, want);
    if (subject == NULL)
        ck_assert_ptr_null(m->subject);
    else
        ck_assert_str_eq(m->subject ? m->subject : "(null)", subject);
    if (sender == NULL)
        ck_assert_ptr_null(m->sender);
    else
        ck_assert_str_eq(m->sender ? m->sender : "(null)", sender);
    if (code != NULL)
        snprintf(code, 7, "%s", m->code);
    store_message_free(m);
}

/* How many inbox messages username has. */
static size_t inbox_count(const char *username)
{
    struct store_message_filter f = {.username = username, .limit = 100};
    struct store_message **list = NULL;
    size_t count = 0;
    int64_t last = 0;

    ck_assert_int_eq(inbox_list(env->store, &f, &list, &count, &last), 0);
    store_message_list_free(list, count);
    return count;
}

/* SignUp of username with attrs (JSON array) and extra request members (a fragment). */
static cJSON *sign_up(const struct tl_app *a, const char *username, const char *attrs,
                      const char *extra)
{
    return tu_callf(env, IDP "SignUp",
                    "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" TL_PASSWORD
                    "\",\"UserAttributes\":%s%s}",
                    a->client, username, attrs, extra);
}

static cJSON *sign_up_email(const struct tl_app *a, const char *username)
{
    char attrs[256];

    snprintf(attrs, sizeof(attrs), "[{\"Name\":\"email\",\"Value\":\"%s@example.com\"}]", username);
    return sign_up(a, username, attrs, "");
}

/* AdminCreateUser of username with an email and a phone, inviting by medium. */
static cJSON *invite(const struct tl_app *a, const char *username, const char *medium,
                     const char *password)
{
    return tu_callf(env, IDP "AdminCreateUser",
                    "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"TemporaryPassword\":\"%s\","
                    "\"DesiredDeliveryMediums\":[\"%s\"],\"UserAttributes\":["
                    "{\"Name\":\"email\",\"Value\":\"%s@example.com\"},"
                    "{\"Name\":\"phone_number\",\"Value\":\"+15555550100\"}]}",
                    a->pool, username, password, medium, username);
}

/* ConfirmSignUp of username with the code the inbox holds for it. */
static void confirm(const struct tl_app *a, const char *username)
{
    struct store_message *m = newest(username);

    ck_assert_ptr_nonnull(m);
    tl_ok(tu_callf(env, IDP "ConfirmSignUp",
                   "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"ConfirmationCode\":\"%s\"}",
                   a->client, username, m->code));
    store_message_free(m);
}

/*
 * Call i of function "msg", checked as every CustomMessage event must be (lambda-triggers.md
 * sections 4 and 5.8): version, source, userName, clientId (NULL: an administrator's call),
 * codeParameter the placeholder and never the code, usernameParameter only for
 * AdminCreateUser, the user's attributes, the null response defaults. The event
 * (cJSON_Delete).
 */
static cJSON *message_event(size_t i, const char *source, const char *username,
                            const char *client_id, const char *code)
{
    cJSON *ev = tlam_event(tlam_fixture, "msg", i), *req, *resp;
    const char *names[] = {"smsMessage", "emailMessage", "emailSubject"};
    char *text;

    ck_assert_msg(ev != NULL, "no call %zu of msg", i);
    ck_assert_str_eq(tu_str(ev, "version"), "1");
    ck_assert_str_eq(tu_str(ev, "triggerSource"), source);
    ck_assert_str_eq(tu_str(ev, "region"), "us-east-1");
    ck_assert_str_eq(tu_str(ev, "userName"), username);
    ck_assert_str_eq(tu_str(tu_get(ev, "callerContext"), "clientId"),
                     client_id ? client_id : "CLIENT_ID_NOT_APPLICABLE");
    req = tu_get(ev, "request");
    ck_assert_str_eq(tu_str(req, "codeParameter"), "{####}");
    if (strcmp(source, "CustomMessage_AdminCreateUser") == 0)
        ck_assert_str_eq(tu_str(req, "usernameParameter"), "{username}");
    else
        ck_assert(cJSON_IsNull(tu_get(req, "usernameParameter")));
    ck_assert_ptr_nonnull(tu_str(tu_get(req, "userAttributes"), "sub"));
    ck_assert_ptr_nonnull(tu_str(tu_get(req, "userAttributes"), "cognito:user_status"));
    resp = tu_get(ev, "response");
    for (size_t k = 0; k < 3; k++)
        ck_assert_msg(cJSON_IsNull(tu_get(resp, names[k])), "response.%s", names[k]);
    text = cJSON_PrintUnformatted(ev);
    ck_assert_msg(strstr(text, code) == NULL, "the code %s is in the event: %s", code, text);
    free(text);
    return ev;
}

/* The code of username's newest message (7 bytes into out). */
static void newest_code(const char *username, char *out)
{
    struct store_message *m = newest(username);

    ck_assert_ptr_nonnull(m);
    snprintf(out, 7, "%s", m->code);
    store_message_free(m);
}

/* ---- Texts ---------------------------------------------------------------------------------- */

/* A pool that sets no texts sends Cognito's: by email with a subject, by SMS without. */
START_TEST(test_trigger_message_defaults_per_kind)
{
    struct tl_app a, p;

    tl_app(&a, "{" EMAIL_POOL "}", "");
    tl_ok(sign_up_email(&a, "alice"));
    expect_message("alice", "Your verification code is %s. ", "Your verification code", NULL, NULL);
    /* A password reset uses the verification template (developer guide). */
    confirm(&a, "alice");
    tl_ok(tu_callf(env, IDP "ForgotPassword", "{\"ClientId\":\"%s\",\"Username\":\"alice\"}",
                   a.client));
    expect_message("alice", "Your verification code is %s. ", "Your verification code", NULL, NULL);
    tl_ok(invite(&a, "bob", "EMAIL", TEMP_PASSWORD));
    expect_message("bob", "Your username is bob and temporary password is %s. ",
                   "Your temporary password", NULL, NULL);
    tl_ok(invite(&a, "bea", "SMS", TEMP_PASSWORD));
    expect_message("bea", "Your username is bea and temporary password is %s. ", NULL, NULL, NULL);

    tl_app(&p, "{" PHONE_POOL "}", "");
    tl_ok(sign_up(&p, "carol", "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"}]", ""));
    expect_message("carol", "Your verification code is %s. ", NULL, NULL, NULL);
}
END_TEST

/* The pool's own templates, the invitation's {username}, and a link email. */
START_TEST(test_trigger_message_uses_the_pool_templates_and_links)
{
    struct tl_app a, l, d;
    char code[7], want[1024];

    tl_app(&a,
           "{" EMAIL_POOL ",\"VerificationMessageTemplate\":{\"EmailMessage\":\"Code: {####}!\","
           "\"EmailSubject\":\"Welcome\",\"SmsMessage\":\"SMS code {####}\"},"
           "\"AdminCreateUserConfig\":{\"InviteMessageTemplate\":{\"EmailMessage\":"
           "\"Hi {username}, use {####}\",\"EmailSubject\":\"Invite\",\"SMSMessage\":"
           "\"{username} / {####}\"}}}",
           "");
    tl_ok(sign_up_email(&a, "alice"));
    expect_message("alice", "Code: %s!", "Welcome", NULL, NULL);
    tl_ok(invite(&a, "bob", "EMAIL", TEMP_PASSWORD));
    expect_message("bob", "Hi bob, use %s", "Invite", NULL, NULL);
    tl_ok(invite(&a, "bea", "SMS", TEMP_PASSWORD));
    expect_message("bea", "bea / %s", NULL, NULL, NULL);

    /* A link pool: sign-up and resend emails carry the link; a reset uses the code template. */
    tl_app(&l,
           "{" EMAIL_POOL ",\"VerificationMessageTemplate\":{\"DefaultEmailOption\":"
           "\"CONFIRM_WITH_LINK\",\"EmailMessageByLink\":\"Click {##Confirm here##} now\","
           "\"EmailSubjectByLink\":\"Confirm\"}}",
           "");
    tl_ok(sign_up_email(&l, "carol"));
    newest_code("carol", code);
    snprintf(want, sizeof(want),
             "Click <a href=\"%s/confirmUser/?client_id=%s&user_name=carol&confirmation_code=%s\">"
             "Confirm here</a> now",
             env->settings.public_url, l.client, code);
    expect_message("carol", want, "Confirm", NULL, NULL);
    tl_ok(tu_callf(env, IDP "ResendConfirmationCode",
                   "{\"ClientId\":\"%s\",\"Username\":\"carol\"}", l.client));
    newest_code("carol", code);
    snprintf(want, sizeof(want),
             "Click <a href=\"%s/confirmUser/?client_id=%s&user_name=carol&confirmation_code=%s\">"
             "Confirm here</a> now",
             env->settings.public_url, l.client, code);
    expect_message("carol", want, "Confirm", NULL, NULL);
    confirm(&l, "carol");
    tl_ok(tu_callf(env, IDP "ForgotPassword", "{\"ClientId\":\"%s\",\"Username\":\"carol\"}",
                   l.client));
    expect_message("carol", "Your verification code is %s. ", "Your verification code", NULL, NULL);

    /* A link pool without its own link template sends Cognito's. */
    tl_app(&d,
           "{" EMAIL_POOL ",\"VerificationMessageTemplate\":{\"DefaultEmailOption\":"
           "\"CONFIRM_WITH_LINK\"}}",
           "");
    tl_ok(sign_up_email(&d, "dave"));
    newest_code("dave", code);
    snprintf(want, sizeof(want),
             "Please click the link below to verify your email address. <a href=\"%s/confirmUser/"
             "?client_id=%s&user_name=dave&confirmation_code=%s\">Verify Email</a> ",
             env->settings.public_url, d.client, code);
    expect_message("dave", want, "Your verification link", NULL, NULL);
}
END_TEST

/* ---- CustomMessage: sources and events ---------------------------------------------------- */

/*
 * Each operation that sends a code fires CustomMessage with its source: SignUp,
 * ResendConfirmationCode, ForgotPassword, AdminResetUserPassword, AdminCreateUser (and its
 * RESEND), UpdateUserAttributes, AdminUpdateUserAttributes, GetUserAttributeVerificationCode;
 * ClientMetadata arrives where the request sent it and is left out otherwise; a suppressed
 * invitation fires nothing. A function that returns the event unchanged leaves the pool's text.
 */
START_TEST(test_trigger_message_each_operation_fires_its_source)
{
    struct tl_app a;
    struct tl_tokens t;
    char code[7];
    cJSON *ev;
    size_t n = 0;

    tl_app(&a, "{" EMAIL_POOL ",\"LambdaConfig\":{" MSG "}}", "");
    msg_answers(NULL);

    tl_ok(sign_up(&a, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]",
                  ",\"ClientMetadata\":{\"k\":\"v\"}"));
    expect_message("alice", "Your verification code is %s. ", "Your verification code", NULL, code);
    ev = message_event(n++, "CustomMessage_SignUp", "alice", a.client, code);
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "clientMetadata"), "k"), "v");
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "userAttributes"), "email"),
                     "alice@example.com");
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "userAttributes"), "cognito:user_status"),
                     "UNCONFIRMED");
    ck_assert_ptr_null(tu_get(tu_get(ev, "request"), "linkParameter"));
    cJSON_Delete(ev);

    tl_ok(tu_callf(env, IDP "ResendConfirmationCode",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\"}", a.client));
    newest_code("alice", code);
    ev = message_event(n++, "CustomMessage_ResendCode", "alice", a.client, code);
    ck_assert_ptr_null(tu_get(tu_get(ev, "request"), "clientMetadata"));
    cJSON_Delete(ev);

    confirm(&a, "alice");
    tl_ok(tu_callf(env, IDP "ForgotPassword",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"ClientMetadata\":{\"f\":\"1\"}}",
                   a.client));
    newest_code("alice", code);
    ev = message_event(n++, "CustomMessage_ForgotPassword", "alice", a.client, code);
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "clientMetadata"), "f"), "1");
    cJSON_Delete(ev);

    tl_ok(tu_callf(
        env, IDP "AdminResetUserPassword",
        "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"ClientMetadata\":{\"r\":\"2\"}}", a.pool));
    newest_code("alice", code);
    ev = message_event(n++, "CustomMessage_ForgotPassword", "alice", NULL, code);
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "clientMetadata"), "r"), "2");
    cJSON_Delete(ev);

    tl_ok(invite(&a, "bob", "EMAIL", TEMP_PASSWORD));
    cJSON_Delete(message_event(n++, "CustomMessage_AdminCreateUser", "bob", NULL, TEMP_PASSWORD));
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"MessageAction\":\"RESEND\","
                   "\"TemporaryPassword\":\"Another0!x\",\"DesiredDeliveryMediums\":[\"EMAIL\"]}",
                   a.pool));
    ev = message_event(n++, "CustomMessage_AdminCreateUser", "bob", NULL, "Another0!x");
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "userAttributes"), "cognito:user_status"),
                     "FORCE_CHANGE_PASSWORD");
    cJSON_Delete(ev);
    expect_message("bob", "Your username is bob and temporary password is %s. ",
                   "Your temporary password", NULL, NULL);

    /* A suppressed invitation sends nothing, and fires nothing. */
    tl_user(&a, "carol", "[{\"Name\":\"email\",\"Value\":\"carol@example.com\"}]");
    ck_assert_uint_eq(inbox_count("carol"), 0);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "msg"), n);

    tl_sign_in(&a, "carol", TL_PASSWORD, &t);
    tl_ok(tu_callf(env, IDP "UpdateUserAttributes",
                   "{\"AccessToken\":\"%s\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":"
                   "\"carol2@example.com\"}],\"ClientMetadata\":{\"u\":\"3\"}}",
                   t.access));
    newest_code("carol", code);
    ev = message_event(n++, "CustomMessage_UpdateUserAttribute", "carol", a.client, code);
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "clientMetadata"), "u"), "3");
    cJSON_Delete(ev);

    tl_ok(tu_callf(env, IDP "AdminUpdateUserAttributes",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"carol\",\"UserAttributes\":[{\"Name\":"
                   "\"email\",\"Value\":\"carol3@example.com\"}]}",
                   a.pool));
    newest_code("carol", code);
    cJSON_Delete(message_event(n++, "CustomMessage_UpdateUserAttribute", "carol", NULL, code));

    tl_ok(tu_callf(env, IDP "GetUserAttributeVerificationCode",
                   "{\"AccessToken\":\"%s\",\"AttributeName\":\"email\"}", t.access));
    newest_code("carol", code);
    cJSON_Delete(message_event(n++, "CustomMessage_VerifyUserAttribute", "carol", a.client, code));
    expect_message("carol", "Your verification code is %s. ", "Your verification code", NULL, NULL);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "msg"), n);
    tl_tokens_free(&t);
}
END_TEST

/*
 * A pool with MFA mode (ON or OPTIONAL) offering SMS codes (with sms_message, a JSON fragment
 * of SmsMfaConfiguration, "" for none) and e-mail codes, with CustomMessage.
 */
static void mfa_app(struct tl_app *a, const char *mode, const char *sms_message)
{
    tl_app(a, "{\"PoolName\":\"p\",\"LambdaConfig\":{" MSG "}}", "");
    tl_ok(tu_callf(env, IDP "SetUserPoolMfaConfig",
                   "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"%s\","
                   "\"SmsMfaConfiguration\":{%s\"SmsConfiguration\":" SNS "},"
                   "\"EmailMfaConfiguration\":{\"Message\":\"Sign in with {####}\","
                   "\"Subject\":\"Your sign-in code\"}}",
                   a->pool, mode, sms_message));
}

/*
 * SMS and e-mail MFA codes fire CustomMessage_Authentication with the pool's MFA texts;
 * InitiateAuth's ClientMetadata does not reach it (Cognito routes it to pre authentication),
 * AdminRespondToAuthChallenge's does. The latter asks MFA inside its transaction: the message
 * goes out at the commit.
 */
START_TEST(test_trigger_message_mfa_codes_fire_authentication)
{
    struct tl_app a;
    char code[7], session[512];
    cJSON *r, *ev;

    mfa_app(&a, "OPTIONAL", "");
    msg_answers(NULL);
    tl_user(&a, "alice",
            "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"},"
            "{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    tl_ok(tu_callf(env, IDP "AdminSetUserMFAPreference",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"SMSMfaSettings\":"
                   "{\"Enabled\":true}}",
                   a.pool));
    r = tu_callf(env, IDP "InitiateAuth",
                 "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":{"
                 "\"USERNAME\":\"alice\",\"PASSWORD\":\"" TL_PASSWORD "\"},"
                 "\"ClientMetadata\":{\"i\":\"1\"}}",
                 a.client);
    ck_assert_str_eq(tu_str(r, "ChallengeName"), "SMS_MFA");
    cJSON_Delete(r);
    expect_message("alice", "Your authentication code is %s. ", NULL, NULL, code);
    ev = message_event(0, "CustomMessage_Authentication", "alice", a.client, code);
    ck_assert_ptr_null(tu_get(tu_get(ev, "request"), "clientMetadata"));
    cJSON_Delete(ev);

    tl_ok(tu_callf(env, IDP "AdminSetUserMFAPreference",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"SMSMfaSettings\":"
                   "{\"Enabled\":false},\"EmailMfaSettings\":{\"Enabled\":true}}",
                   a.pool));
    r = tl_sign_in_call(&a, "alice", TL_PASSWORD);
    ck_assert_str_eq(tu_str(r, "ChallengeName"), "EMAIL_OTP");
    cJSON_Delete(r);
    expect_message("alice", "Sign in with %s", "Your sign-in code", NULL, code);
    cJSON_Delete(message_event(1, "CustomMessage_Authentication", "alice", a.client, code));

    /* AdminRespondToAuthChallenge: NEW_PASSWORD_REQUIRED, then the SMS code of an ON pool
     * with its own SmsAuthenticationMessage. */
    mfa_app(&a, "ON", "\"SmsAuthenticationMessage\":\"{####} is your code\",");
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"MessageAction\":\"SUPPRESS\","
                   "\"TemporaryPassword\":\"" TEMP_PASSWORD "\",\"UserAttributes\":[{\"Name\":"
                   "\"phone_number\",\"Value\":\"+15555550124\"}]}",
                   a.pool));
    r = tu_callf(env, IDP "AdminInitiateAuth",
                 "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":"
                 "\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{\"USERNAME\":\"bob\","
                 "\"PASSWORD\":\"" TEMP_PASSWORD "\"}}",
                 a.pool, a.client);
    ck_assert_str_eq(tu_str(r, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    snprintf(session, sizeof(session), "%s", tu_str(r, "Session"));
    cJSON_Delete(r);
    r = tu_callf(env, IDP "AdminRespondToAuthChallenge",
                 "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"ChallengeName\":"
                 "\"NEW_PASSWORD_REQUIRED\",\"Session\":\"%s\",\"ChallengeResponses\":{"
                 "\"USERNAME\":\"bob\",\"NEW_PASSWORD\":\"" TL_PASSWORD "\"},"
                 "\"ClientMetadata\":{\"a\":\"2\"}}",
                 a.pool, a.client, session);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(r, "ChallengeName"), "SMS_MFA");
    cJSON_Delete(r);
    expect_message("bob", "%s is your code", NULL, NULL, code);
    ev = message_event(2, "CustomMessage_Authentication", "bob", a.client, code);
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "clientMetadata"), "a"), "2");
    cJSON_Delete(ev);
}
END_TEST

/* A link pool tells the function its link placeholder (request.linkParameter). */
START_TEST(test_trigger_message_link_pool_sends_its_link_parameter)
{
    struct tl_app a;
    char code[7], want[1024];
    cJSON *ev;

    tl_app(&a,
           "{" EMAIL_POOL "," DEVELOPER ",\"LambdaConfig\":{" MSG "},"
           "\"VerificationMessageTemplate\":{\"DefaultEmailOption\":\"CONFIRM_WITH_LINK\","
           "\"EmailMessageByLink\":\"Go {##Click Here##}\"}}",
           "");
    msg_answers("{\"emailMessage\":\"Hello, {##Open##} to confirm\"}");
    tl_ok(sign_up_email(&a, "alice"));
    newest_code("alice", code);
    ev = message_event(0, "CustomMessage_SignUp", "alice", a.client, code);
    ck_assert_str_eq(tu_str(tu_get(ev, "request"), "linkParameter"), "{##Click Here##}");
    cJSON_Delete(ev);
    snprintf(want, sizeof(want),
             "Hello, <a href=\"%s/confirmUser/?client_id=%s&user_name=alice&confirmation_code=%s\">"
             "Open</a> to confirm",
             env->settings.public_url, a.client, code);
    expect_message("alice", want, "Your verification link", NULL, NULL);
}
END_TEST

/* ---- CustomMessage: applying the answer --------------------------------------------------- */

/*
 * The function's text is sent with the real code (and username) in place of the placeholders;
 * a part it leaves null keeps the pool's; the other channel's parts are ignored.
 */
START_TEST(test_trigger_message_custom_text_is_sent_with_the_code)
{
    struct tl_app a, p;

    tl_app(&a, "{" EMAIL_POOL "," DEVELOPER ",\"LambdaConfig\":{" MSG "}}", "");
    msg_answers("{\"emailMessage\":\"<b>Hi</b> code={####}\",\"emailSubject\":\"Custom subject\","
                "\"smsMessage\":\"sms {####}\"}");
    tl_ok(sign_up_email(&a, "alice"));
    expect_message("alice", "<b>Hi</b> code=%s", "Custom subject", NULL, NULL);

    msg_answers("{\"emailMessage\":\"Welcome {username}: {####}\",\"emailSubject\":null}");
    tl_ok(invite(&a, "bob", "EMAIL", TEMP_PASSWORD));
    expect_message("bob", "Welcome bob: %s", "Your temporary password", NULL, NULL);

    msg_answers("{\"emailSubject\":\"Only the subject\"}");
    tl_ok(sign_up_email(&a, "carol"));
    expect_message("carol", "Your verification code is %s. ", "Only the subject", NULL, NULL);

    /* SMS: smsMessage is used; the email parts are not looked at. */
    tl_app(&p, "{" PHONE_POOL ",\"LambdaConfig\":{" MSG "}}", "");
    msg_answers("{\"smsMessage\":\"Your code: {####}\",\"emailMessage\":\"ignored\","
                "\"emailSubject\":\"ignored\"}");
    tl_ok(sign_up(&p, "dave", "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"}]", ""));
    expect_message("dave", "Your code: %s", NULL, NULL, NULL);
    msg_answers("{\"smsMessage\":\"{username}, your password is {####}\"}");
    tl_ok(invite(&p, "erin", "SMS", TEMP_PASSWORD));
    expect_message("erin", "erin, your password is %s", NULL, NULL, NULL);
}
END_TEST

/* One refused answer: SignUp of username in pool a answered with response. */
static void expect_refused(const struct tl_app *a, const char *username, const char *response,
                           const char *type, const char *message)
{
    msg_answers(response);
    tl_error(sign_up_email(a, username), type, message);
    ck_assert_uint_eq(inbox_count(username), 0);
}

/*
 * Answers Cognito refuses, in its words: MessageTemplateType's lengths and patterns for each
 * part (InvalidParameterException, the value echoed up to 100 bytes), a part that is not a
 * string (InvalidLambdaResponseException). Nothing is sent; the new user stays (the
 * emulator's answer to the unverified question: the trigger runs after the commit).
 */
START_TEST(test_trigger_message_refuses_invalid_answers)
{
    struct tl_app a, p;
    char *big = malloc(20100), *response = malloc(20200), want[512];
    cJSON *user;

    ck_assert_ptr_nonnull(big);
    ck_assert_ptr_nonnull(response);
    tl_app(&a, "{" EMAIL_POOL "," DEVELOPER ",\"LambdaConfig\":{" MSG "}}", "");
    expect_refused(
        &a, "u1", "{\"emailMessage\":\"no code here\"}", "InvalidParameterException",
        "1 validation error detected: Value 'no code here' at 'emailBody' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: " BODY_PATTERN);
    user = tu_callf(env, IDP "AdminGetUser", "{\"UserPoolId\":\"%s\",\"Username\":\"u1\"}", a.pool);
    ck_assert_str_eq(tu_str(user, "UserStatus"), "UNCONFIRMED");
    cJSON_Delete(user);
    expect_refused(&a, "u2", "{\"emailMessage\":\"{###}\"}", "InvalidParameterException",
                   "1 validation error detected: Value '{###}' at 'emailBody' failed to satisfy "
                   "constraint: Member must have length greater than or equal to 6");
    expect_refused(&a, "u3", "{\"emailSubject\":\"\"}", "InvalidParameterException",
                   "1 validation error detected: Value '' at 'emailSubject' failed to satisfy "
                   "constraint: Member must have length greater than or equal to 1");
    expect_refused(
        &a, "u4", "{\"emailSubject\":\"bad\\u0007bell\"}", "InvalidParameterException",
        "1 validation error detected: Value 'bad\abell' at 'emailSubject' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: " SUBJECT_PATTERN);
    /* 20001 characters: the value is echoed up to 100 bytes, then "...". */
    memset(big, 'a', 20001);
    memcpy(big, "{####}", 6);
    big[20001] = '\0';
    snprintf(response, 20200, "{\"emailMessage\":\"%s\"}", big);
    snprintf(want, sizeof(want),
             "1 validation error detected: Value '%.100s...' at 'emailBody' failed to satisfy "
             "constraint: Member must have length less than or equal to 20000",
             big);
    expect_refused(&a, "u5", response, "InvalidParameterException", want);
    expect_refused(&a, "u6", "{\"emailMessage\":7}", "InvalidLambdaResponseException",
                   "Unrecognizable lambda output");
    expect_refused(&a, "u7", "{\"emailSubject\":[\"x\"]}", "InvalidLambdaResponseException",
                   "Unrecognizable lambda output");
    /* Exactly 20000 characters pass. */
    big[20000] = '\0';
    snprintf(response, 20200, "{\"emailMessage\":\"%s\"}", big);
    msg_answers(response);
    tl_ok(sign_up_email(&a, "u8"));
    ck_assert_uint_eq(inbox_count("u8"), 1);

    tl_app(&p, "{" PHONE_POOL ",\"LambdaConfig\":{" MSG "}}", "");
    msg_answers("{\"smsMessage\":\"no placeholder\"}");
    tl_error(sign_up(&p, "s1", "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"}]", ""),
             "InvalidParameterException",
             "1 validation error detected: Value 'no placeholder' at 'smsMessage' failed to "
             "satisfy constraint: Member must satisfy regular expression pattern: " SMS_PATTERN);
    memset(big, 'b', 141);
    memcpy(big + 10, "{####}", 6);
    big[141] = '\0';
    snprintf(response, 20200, "{\"smsMessage\":\"%s\"}", big);
    msg_answers(response);
    snprintf(want, sizeof(want),
             "1 validation error detected: Value '%.100s...' at 'smsMessage' failed to satisfy "
             "constraint: Member must have length less than or equal to 140",
             big);
    tl_error(sign_up(&p, "s2", "[{\"Name\":\"phone_number\",\"Value\":\"+15555550124\"}]", ""),
             "InvalidParameterException", want);
    ck_assert_uint_eq(inbox_count("s1") + inbox_count("s2"), 0);
    free(big);
    free(response);
}
END_TEST

/* A link email must keep a link placeholder: "The message is empty." otherwise. */
START_TEST(test_trigger_message_link_email_needs_its_placeholder)
{
    struct tl_app a;

    tl_app(&a,
           "{" EMAIL_POOL "," DEVELOPER ",\"LambdaConfig\":{" MSG "},"
           "\"VerificationMessageTemplate\":{\"DefaultEmailOption\":\"CONFIRM_WITH_LINK\"}}",
           "");
    expect_refused(&a, "alice", "{\"emailMessage\":\"Your code is {####}\"}",
                   "InvalidParameterException", "The message is empty.");
}
END_TEST

/*
 * CustomMessage_AdminCreateUser must keep {username}: a part without it is dropped for the
 * pool's own, silently as in Cognito (the subject, which needs none, is kept).
 */
START_TEST(test_trigger_message_invitation_without_username_keeps_the_template)
{
    struct tl_app a;

    tl_app(&a, "{" EMAIL_POOL "," DEVELOPER ",\"LambdaConfig\":{" MSG "}}", "");
    msg_answers("{\"emailMessage\":\"Your password is {####}\",\"emailSubject\":\"Hello\"}");
    tl_ok(invite(&a, "bob", "EMAIL", TEMP_PASSWORD));
    expect_message("bob", "Your username is bob and temporary password is %s. ", "Hello", NULL,
                   NULL);
}
END_TEST

/*
 * An email body or subject from a pool that does not send with its own SES account
 * (EmailSendingAccount COGNITO_DEFAULT, the default): InvalidLambdaResponseException. An
 * smsMessage is no email part: ignored for an email, used for an SMS.
 */
START_TEST(test_trigger_message_email_parts_need_a_developer_pool)
{
    struct tl_app a, p;

    tl_app(&a, "{" EMAIL_POOL ",\"LambdaConfig\":{" MSG "}}", "");
    expect_refused(&a, "u1", "{\"emailMessage\":\"Code {####}\"}", "InvalidLambdaResponseException",
                   "Unrecognizable lambda output");
    expect_refused(&a, "u2", "{\"emailSubject\":\"Subject\"}", "InvalidLambdaResponseException",
                   "Unrecognizable lambda output");
    msg_answers("{\"smsMessage\":\"sms {####}\"}");
    tl_ok(sign_up_email(&a, "u3"));
    expect_message("u3", "Your verification code is %s. ", "Your verification code", NULL, NULL);

    tl_app(&p, "{" PHONE_POOL ",\"LambdaConfig\":{" MSG "}}", "");
    msg_answers("{\"smsMessage\":\"sms {####}\",\"emailMessage\":\"Code {####}\"}");
    tl_ok(sign_up(&p, "s1", "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"}]", ""));
    expect_message("s1", "sms %s", NULL, NULL, NULL);
}
END_TEST

/*
 * A failing function fails the operation with Cognito's exception, after the commit: SignUp's
 * user stays and nothing is sent (a later resend works); the other failures map as for every
 * trigger; a function asked inside a transaction (the MFA code after a new password) fails
 * the response though the new password stands; triggers off send the pool's text.
 */
START_TEST(test_trigger_message_failures_fail_the_operation)
{
    struct tl_app a, m;
    char session[512];
    cJSON *r;

    tl_app(&a, "{" EMAIL_POOL ",\"LambdaConfig\":{" MSG "}}", "");
    tlam_on_error(tlam_fixture, "msg", "boom");
    tl_error(sign_up_email(&a, "alice"), "UserLambdaValidationException",
             "CustomMessage failed with error boom.");
    ck_assert_uint_eq(inbox_count("alice"), 0);
    tl_assert_status(&a, "alice", "UNCONFIRMED");
    msg_answers(NULL);
    tl_ok(tu_callf(env, IDP "ResendConfirmationCode",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\"}", a.client));
    ck_assert_uint_eq(inbox_count("alice"), 1);
    confirm(&a, "alice");

    tlam_on_error(tlam_fixture, "msg", "no reset");
    tl_error(tu_callf(env, IDP "ForgotPassword", "{\"ClientId\":\"%s\",\"Username\":\"alice\"}",
                      a.client),
             "UserLambdaValidationException", "CustomMessage failed with error no reset.");
    tlam_on_body(tlam_fixture, "msg", "not json");
    tl_error(invite(&a, "bob", "EMAIL", TEMP_PASSWORD), "InvalidLambdaResponseException",
             "Invalid lambda function output : Invalid JSON");
    tl_assert_status(&a, "bob", "FORCE_CHANGE_PASSWORD");
    tlam_on(tlam_fixture, "msg", NULL, NULL);
    tl_error(sign_up_email(&a, "carol"), "UnexpectedLambdaException",
             "CustomMessage invocation failed due to error ResourceNotFoundException.");

    /* Inside AdminRespondToAuthChallenge's transaction: the failure comes at the commit. */
    mfa_app(&m, "ON", "");
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"dave\",\"MessageAction\":\"SUPPRESS\","
                   "\"TemporaryPassword\":\"" TEMP_PASSWORD "\",\"UserAttributes\":[{\"Name\":"
                   "\"phone_number\",\"Value\":\"+15555550124\"}]}",
                   m.pool));
    r = tu_callf(env, IDP "AdminInitiateAuth",
                 "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":"
                 "\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{\"USERNAME\":\"dave\","
                 "\"PASSWORD\":\"" TEMP_PASSWORD "\"}}",
                 m.pool, m.client);
    snprintf(session, sizeof(session), "%s", tu_str(r, "Session"));
    cJSON_Delete(r);
    tlam_on_error(tlam_fixture, "msg", "no sms");
    tl_error(tu_callf(env, IDP "AdminRespondToAuthChallenge",
                      "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"ChallengeName\":"
                      "\"NEW_PASSWORD_REQUIRED\",\"Session\":\"%s\",\"ChallengeResponses\":{"
                      "\"USERNAME\":\"dave\",\"NEW_PASSWORD\":\"" TL_PASSWORD "\"}}",
                      m.pool, m.client, session),
             "UserLambdaValidationException", "CustomMessage failed with error no sms.");
    tl_assert_status(&m, "dave", "CONFIRMED");
    ck_assert_uint_eq(inbox_count("dave"), 0);

    /* Triggers off: nothing is called, the pool's text goes out. */
    snprintf(env->settings.lambda_endpoint, sizeof(env->settings.lambda_endpoint), "none");
    tlam_reset(tlam_fixture);
    tl_ok(sign_up_email(&a, "erin"));
    expect_message("erin", "Your verification code is %s. ", "Your verification code", NULL, NULL);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "msg"), 0);
}
END_TEST

/* A pool that names CustomMessage while the server has no Lambda endpoint fails loudly. */
START_TEST(test_trigger_message_without_an_endpoint_fails_loudly)
{
    struct tl_app a;

    tl_app(&a, "{" EMAIL_POOL ",\"LambdaConfig\":{" MSG "}}", "");
    env->settings.lambda_endpoint[0] = '\0';
    tl_error(sign_up_email(&a, "alice"), "UnexpectedLambdaException",
             "CustomMessage invocation failed due to error no Lambda endpoint is configured "
             "(--lambda-endpoint).");
    ck_assert_uint_eq(inbox_count("alice"), 0);
}
END_TEST

/* Reaching the message triggers with the write lock held is a programmer error: it aborts. */
START_TEST(test_trigger_message_refuses_to_run_inside_a_transaction)
{
    struct op_ctx ctx = {.settings = &env->settings};
    cJSON *pool = cJSON_Parse("{\"Id\":\"us-east-1_abc\",\"LambdaConfig\":{" MSG "}}");
    struct trigger_caller caller = triggers_caller(pool, "client", "alice", NULL);
    struct trigger_message m = {.source = "SignUp", .email = true};
    struct trigger_message_text out;

    ctx.db = store_acquire(env->store);
    ck_assert_int_eq(ops_txn_begin(&ctx), 0);
    triggers_custom_message(&ctx, &caller, &m, &out);
}
END_TEST

/* ---- Custom senders ------------------------------------------------------------------------ */

/* Call i of the sender fn, checked: Event invocation, source, type, plaintext code. */
static cJSON *sender_event(const char *fn, size_t i, const char *source, const char *type,
                           const char *code)
{
    char *header;
    cJSON *ev, *req;

    ck_assert_msg(tlam_wait_count(tlam_fixture, fn, i + 1, 10000), "%s was not called", fn);
    header = tlam_header(tlam_fixture, fn, i, "X-Amz-Invocation-Type");
    ck_assert_str_eq(header ? header : "(none)", "Event");
    free(header);
    ev = tlam_event(tlam_fixture, fn, i);
    ck_assert_ptr_nonnull(ev);
    ck_assert_str_eq(tu_str(ev, "version"), "1");
    ck_assert_str_eq(tu_str(ev, "triggerSource"), source);
    req = tu_get(ev, "request");
    ck_assert_str_eq(tu_str(req, "type"), type);
    ck_assert_str_eq(tu_str(req, "code"), code);
    ck_assert(cJSON_IsTrue(tu_get(req, "cognitoEmuPlaintextCode")));
    ck_assert_ptr_nonnull(tu_str(tu_get(req, "userAttributes"), "sub"));
    return ev;
}

/*
 * A custom email sender takes the email channel: called asynchronously with the code in
 * plaintext (and the marker), a temporary password HTML-escaped; CustomMessage is not called
 * for that channel; the inbox still records the message, marked with the sender. The SMS
 * channel, without a sender, goes through CustomMessage as before.
 */
START_TEST(test_trigger_message_custom_email_sender_gets_the_code)
{
    struct tl_app a;
    char code[7];
    cJSON *ev;

    tl_app(&a,
           "{" EMAIL_POOL ",\"LambdaConfig\":{" MSG "," EMAIL_SENDER ",\"KMSKeyID\":\"" KMS "\"}}",
           "");
    msg_answers(NULL);
    tlam_on(tlam_fixture, "email", tlam_return_event, NULL);
    tl_ok(sign_up(&a, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]",
                  ",\"ClientMetadata\":{\"k\":\"v\"}"));
    expect_message("alice", "Your verification code is %s. ", "Your verification code",
                   "CustomEmailSender", code);
    ev = sender_event("email", 0, "CustomEmailSender_SignUp", "customEmailSenderRequestV1", code);
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "userAttributes"), "email"),
                     "alice@example.com");
    ck_assert_str_eq(tu_str(tu_get(tu_get(ev, "request"), "clientMetadata"), "k"), "v");
    ck_assert_str_eq(tu_str(tu_get(ev, "callerContext"), "clientId"), a.client);
    cJSON_Delete(ev);

    tl_ok(invite(&a, "bob", "EMAIL", "Ab1<&\\\"x>yz"));
    expect_message("bob", "Your username is bob and temporary password is %s. ",
                   "Your temporary password", "CustomEmailSender", NULL);
    ev = sender_event("email", 1, "CustomEmailSender_AdminCreateUser", "customEmailSenderRequestV1",
                      "Ab1&lt;&amp;&quot;x&gt;yz");
    cJSON_Delete(ev);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "msg"), 0);

    /* No SMS sender: an SMS invitation goes through CustomMessage. */
    tl_ok(invite(&a, "carol", "SMS", TEMP_PASSWORD));
    expect_message("carol", "Your username is carol and temporary password is %s. ", NULL, NULL,
                   NULL);
    cJSON_Delete(message_event(0, "CustomMessage_AdminCreateUser", "carol", NULL, TEMP_PASSWORD));
}
END_TEST

/* A custom SMS sender, likewise, with its own type and source. */
START_TEST(test_trigger_message_custom_sms_sender_gets_the_code)
{
    struct tl_app a;
    char code[7];

    tl_app(&a, "{" PHONE_POOL ",\"LambdaConfig\":{" SMS_SENDER ",\"KMSKeyID\":\"" KMS "\"}}", "");
    tlam_on(tlam_fixture, "sms", tlam_return_event, NULL);
    tl_ok(sign_up(&a, "alice", "[{\"Name\":\"phone_number\",\"Value\":\"+15555550123\"}]", ""));
    expect_message("alice", "Your verification code is %s. ", NULL, "CustomSMSSender", code);
    cJSON_Delete(
        sender_event("sms", 0, "CustomSMSSender_SignUp", "customSMSSenderRequestV1", code));
}
END_TEST

/*
 * A sender that fails or cannot be reached never fails the operation, and the inbox keeps the
 * message; with triggers off the emulator delivers it itself.
 */
START_TEST(test_trigger_message_failing_sender_never_fails_the_operation)
{
    struct tl_app a;

    tl_app(&a, "{" EMAIL_POOL ",\"LambdaConfig\":{" EMAIL_SENDER ",\"KMSKeyID\":\"" KMS "\"}}", "");
    tlam_on_error(tlam_fixture, "email", "sender down");
    tl_ok(sign_up_email(&a, "alice"));
    expect_message("alice", "Your verification code is %s. ", "Your verification code",
                   "CustomEmailSender", NULL);
    ck_assert(tlam_wait_count(tlam_fixture, "email", 1, 10000));
    tlam_on_status(tlam_fixture, "email", 500, "ServiceException");
    tl_ok(sign_up_email(&a, "bob"));
    ck_assert_uint_eq(inbox_count("bob"), 1);
    /* Nothing listens on port 1. */
    snprintf(env->settings.lambda_endpoint, sizeof(env->settings.lambda_endpoint),
             "http://127.0.0.1:1");
    tl_ok(sign_up_email(&a, "carol"));
    expect_message("carol", "Your verification code is %s. ", "Your verification code",
                   "CustomEmailSender", NULL);
    env->settings.lambda_endpoint[0] = '\0';
    tl_ok(sign_up_email(&a, "dave"));
    expect_message("dave", "Your verification code is %s. ", "Your verification code",
                   "CustomEmailSender", NULL);
    snprintf(env->settings.lambda_endpoint, sizeof(env->settings.lambda_endpoint), "none");
    tl_ok(sign_up_email(&a, "erin"));
    expect_message("erin", "Your verification code is %s. ", "Your verification code", NULL, NULL);
}
END_TEST

/* ---- The control API and the store ---------------------------------------------------------- */

static struct settings server_settings;
static struct server *srv;
static char base[64];

/* method path (under base): the JSON answer. */
static cJSON *http_json(const char *method, const char *path)
{
    char url[512];
    struct tu_http r;
    cJSON *json;

    snprintf(url, sizeof(url), "%s%s", base, path);
    tu_http_request(method, url, NULL, NULL, 0, &r);
    json = cJSON_Parse(r.body);
    ck_assert_msg(json != NULL, "%s %s: not JSON: %s", method, path, r.body);
    tu_http_free(&r);
    return json;
}

/* An AWS call over HTTP (body printf-style): the parsed answer. */
static cJSON *aws(const char *operation, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static cJSON *aws(const char *operation, const char *fmt, ...)
{
    char url[96], target[128], body[2048];
    struct tu_http r;
    va_list ap;
    cJSON *json;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    snprintf(url, sizeof(url), "%s/", base);
    snprintf(target, sizeof(target), IDP "%s", operation);
    tu_http_aws(url, target, body, &r);
    json = cJSON_Parse(r.body);
    ck_assert_ptr_nonnull(json);
    tu_http_free(&r);
    return json;
}

/* A pool (made from body) and a client of it over HTTP: ids into pool and client (64). */
static void http_app(const char *body, char *pool, char *client)
{
    cJSON *r = aws("CreateUserPool", "%s", body), *c;

    snprintf(pool, 64, "%s", tu_str(tu_get(r, "UserPool"), "Id"));
    cJSON_Delete(r);
    c = aws("CreateUserPoolClient", "{\"UserPoolId\":\"%s\",\"ClientName\":\"c\"}", pool);
    snprintf(client, 64, "%s", tu_str(tu_get(c, "UserPoolClient"), "ClientId"));
    cJSON_Delete(c);
}

/* GET /_emu/messages shows each message's text, subject (null for an SMS) and sender. */
START_TEST(test_trigger_message_control_api_shows_the_texts)
{
    char *argv[] = {(char *)"cognito-emu",
                    (char *)"--db",
                    (char *)":memory:",
                    (char *)"--port",
                    (char *)"0",
                    (char *)"--threads",
                    (char *)"2",
                    (char *)"--log-level",
                    (char *)"error",
                    (char *)"--lambda-endpoint",
                    (char *)tlam_url(tlam_fixture),
                    NULL};
    char pool[64], client[64], want[128];
    cJSON *r, *m;

    ck_assert_int_eq(settings_parse(&server_settings, 11, argv), SETTINGS_RUN);
    ck_assert_int_eq(server_start(&server_settings, &srv), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", server_port(srv));
    tlam_on(tlam_fixture, "email", tlam_return_event, NULL);

    http_app("{" EMAIL_POOL "}", pool, client);
    cJSON_Delete(aws("SignUp",
                     "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"Password\":\"" TL_PASSWORD
                     "\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"a@example.com\"}]}",
                     client));
    r = http_json("GET", "/_emu/messages?username=alice");
    m = cJSON_GetArrayItem(tu_get(r, "messages"), 0);
    ck_assert_ptr_nonnull(m);
    snprintf(want, sizeof(want), "Your verification code is %s. ", tu_str(m, "code"));
    ck_assert_str_eq(tu_str(m, "message"), want);
    ck_assert_str_eq(tu_str(m, "subject"), "Your verification code");
    ck_assert(cJSON_IsNull(tu_get(m, "customSender")));
    cJSON_Delete(r);

    http_app("{" PHONE_POOL "}", pool, client);
    cJSON_Delete(aws("SignUp",
                     "{\"ClientId\":\"%s\",\"Username\":\"bob\",\"Password\":\"" TL_PASSWORD
                     "\",\"UserAttributes\":[{\"Name\":\"phone_number\",\"Value\":"
                     "\"+15555550123\"}]}",
                     client));
    r = http_json("GET", "/_emu/messages?username=bob");
    m = cJSON_GetArrayItem(tu_get(r, "messages"), 0);
    ck_assert_ptr_nonnull(m);
    snprintf(want, sizeof(want), "Your verification code is %s. ", tu_str(m, "code"));
    ck_assert_str_eq(tu_str(m, "message"), want);
    ck_assert(cJSON_IsNull(tu_get(m, "subject")));
    cJSON_Delete(r);

    http_app("{" EMAIL_POOL ",\"LambdaConfig\":{" EMAIL_SENDER ",\"KMSKeyID\":\"" KMS "\"}}", pool,
             client);
    cJSON_Delete(aws("SignUp",
                     "{\"ClientId\":\"%s\",\"Username\":\"carol\",\"Password\":\"" TL_PASSWORD
                     "\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"c@example.com\"}]}",
                     client));
    r = http_json("GET", "/_emu/messages?username=carol");
    m = cJSON_GetArrayItem(tu_get(r, "messages"), 0);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(tu_str(m, "customSender"), "CustomEmailSender");
    ck_assert_str_eq(tu_str(m, "subject"), "Your verification code");
    cJSON_Delete(r);
    ck_assert(tlam_wait_count(tlam_fixture, "email", 1, 10000));
    server_stop(srv);
    srv = NULL;
}
END_TEST

/*
 * A database made before the inbox kept texts (schema version 6, no message, subject or sender
 * columns) opens, is brought forward, and lists its old messages with those members NULL.
 */
START_TEST(test_trigger_message_inbox_of_an_older_database_opens)
{
    char path[] = "/tmp/check_trigger_message_XXXXXX";
    char db_path[128];
    struct store *st;
    struct store_conn *conn;
    struct store_message **list = NULL;
    struct store_message_filter f = {.limit = 10};
    size_t count = 0;
    sqlite3 *db;

    ck_assert_ptr_nonnull(mkdtemp(path));
    snprintf(db_path, sizeof(db_path), "%s/old.db", path);
    ck_assert_int_eq(store_open(db_path, 1, &st), STORE_OK);
    store_close(st);
    /* Take the database back to version 6, as an older build left it, with one message. */
    ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "ALTER TABLE messages DROP COLUMN message;"
                                  "ALTER TABLE messages DROP COLUMN subject;"
                                  "ALTER TABLE messages DROP COLUMN sender;"
                                  /* what later migrations added: 8 */
                                  "DROP TABLE user_pool_domains; DROP TABLE resource_servers;"
                                  "DROP TABLE identity_providers; DROP TABLE oauth_codes;"
                                  "DROP TABLE hosted_sessions;"
                                  "ALTER TABLE refresh_tokens DROP COLUMN scope;"
                                  /* (9) */
                                  "DROP TABLE ui_customizations;"
                                  "DROP TABLE managed_login_brandings;"
                                  /* (10) */
                                  "DROP TABLE federation_links;"
                                  /* (11) */
                                  "DROP TABLE webauthn_credentials;"
                                  "DROP TABLE webauthn_registrations; DROP TABLE devices;"
                                  "ALTER TABLE refresh_tokens DROP COLUMN superseded_ms;"
                                  "ALTER TABLE refresh_tokens DROP COLUMN device_key;"
                                  "ALTER TABLE user_mfa DROP COLUMN totp_last_step;"
                                  "INSERT INTO messages (time_ms, pool_id, username, kind, medium,"
                                  " attribute, destination, code) VALUES (1, 'p', 'old', 'sign-up',"
                                  " 'EMAIL', 'email', 'o@example.com', '123456');"
                                  "PRAGMA user_version = 6;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    ck_assert_int_eq(store_open(db_path, 1, &st), STORE_OK);
    conn = store_acquire(st);
    ck_assert_int_eq(store_message_list(conn, &f, &list, &count), STORE_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_str_eq(list[0]->code, "123456");
    ck_assert_ptr_null(list[0]->message);
    ck_assert_ptr_null(list[0]->subject);
    ck_assert_ptr_null(list[0]->sender);
    store_message_list_free(list, count);
    /* and new rows keep their texts */
    ck_assert_int_eq(store_message_put(conn,
                                       &(struct store_message){.pool_id = (char *)"p",
                                                               .username = (char *)"new",
                                                               .kind = (char *)"mfa",
                                                               .medium = (char *)"SMS",
                                                               .code = (char *)"654321",
                                                               .message = (char *)"text",
                                                               .sender = (char *)"CustomSMSSender"},
                                       NULL),
                     STORE_OK);
    ck_assert_int_eq(store_message_list(conn, &f, &list, &count), STORE_OK);
    ck_assert_uint_eq(count, 2);
    ck_assert_str_eq(list[0]->message, "text");
    ck_assert_ptr_null(list[0]->subject);
    ck_assert_str_eq(list[0]->sender, "CustomSMSSender");
    store_message_list_free(list, count);
    store_release(st, conn);
    store_close(st);
    unlink(db_path);
    rmdir(path);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("trigger_message");
    TCase *tc = tcase_create("trigger_message");

    tcase_add_checked_fixture(tc, tlam_setup, tlam_teardown);
    tcase_add_test(tc, test_trigger_message_defaults_per_kind);
    tcase_add_test(tc, test_trigger_message_uses_the_pool_templates_and_links);
    tcase_add_test(tc, test_trigger_message_each_operation_fires_its_source);
    tcase_add_test(tc, test_trigger_message_mfa_codes_fire_authentication);
    tcase_add_test(tc, test_trigger_message_link_pool_sends_its_link_parameter);
    tcase_add_test(tc, test_trigger_message_custom_text_is_sent_with_the_code);
    tcase_add_test(tc, test_trigger_message_refuses_invalid_answers);
    tcase_add_test(tc, test_trigger_message_link_email_needs_its_placeholder);
    tcase_add_test(tc, test_trigger_message_invitation_without_username_keeps_the_template);
    tcase_add_test(tc, test_trigger_message_email_parts_need_a_developer_pool);
    tcase_add_test(tc, test_trigger_message_failures_fail_the_operation);
    tcase_add_test(tc, test_trigger_message_without_an_endpoint_fails_loudly);
    tcase_add_test_raise_signal(tc, test_trigger_message_refuses_to_run_inside_a_transaction,
                                SIGABRT);
    tcase_add_test(tc, test_trigger_message_custom_email_sender_gets_the_code);
    tcase_add_test(tc, test_trigger_message_custom_sms_sender_gets_the_code);
    tcase_add_test(tc, test_trigger_message_failing_sender_never_fails_the_operation);
    tcase_add_test(tc, test_trigger_message_control_api_shows_the_texts);
    tcase_add_test(tc, test_trigger_message_inbox_of_an_older_database_opens);
    suite_add_tcase(s, tc);
    return s;
}
