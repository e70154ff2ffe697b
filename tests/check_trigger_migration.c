/*
 * check_trigger_migration: the user migration trigger (LambdaConfig.UserMigration) against the
 * fake Lambda (tests/testlambda.h): the events of UserMigration_Authentication and
 * UserMigration_ForgotPassword member by member (../shared/lambda-triggers.md sections 3, 4 and
 * 5.7), the user each kind of answer creates and what the sign-in or ForgotPassword does next,
 * and that a refused, failed or unusable migration stores nothing (section 6).
 *
 * The fake function "migrate" behaves as the developer guide's example: at sign-in it refuses a
 * password other than TL_PASSWORD with "Bad password", else it answers the response the test
 * gave it; any other trigger pointed at it gets the event back unchanged.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testlambda.h"
#include "testlife.h"
#include "testutil.h"
#include "triggers/trigger_log.h"

static struct tu_env *const env = &tu_fixture;

#define FN "arn:aws:lambda:us-east-1:123456789012:function:migrate"
#define POOL "{\"PoolName\":\"p\",\"LambdaConfig\":{\"UserMigration\":\"" FN "\"}}"
#define EMAIL_ATTRS                                                                                \
    "{\"email\":\"alice@example.com\",\"email_verified\":\"true\",\"name\":\"Alice\"}"
#define CONFIRMED "{\"userAttributes\":" EMAIL_ATTRS ",\"finalUserStatus\":\"CONFIRMED\"}"
#define UNRECOGNIZABLE "Unrecognizable lambda output"
#define RESET_REQUIRED_MESSAGE "Password reset required for the user"

/* The fake "migrate" (see the top); arg is the response JSON text of a migration. */
static void migrate_fn(const cJSON *event, void *arg, struct tlam_answer *out)
{
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(event, "triggerSource");
    const cJSON *request = cJSON_GetObjectItemCaseSensitive(event, "request");
    const cJSON *password = cJSON_GetObjectItemCaseSensitive(request, "password");

    if (!cJSON_IsString(source) || strncmp(source->valuestring, "UserMigration_", 14) != 0)
        tlam_return_event(event, NULL, out);
    else if (cJSON_IsString(password) && strcmp(password->valuestring, TL_PASSWORD) != 0)
        tlam_answer_error(out, "Bad password");
    else
        out->body = tlam_event_with_response(event, arg);
}

/* From now on "migrate" answers a migration with response (a JSON object's text). */
static void answer(const char *response)
{
    tlam_on(tlam_fixture, "migrate", migrate_fn, (void *)response);
}

/* A pool made of pool_body with a client (client_extra as tl_app); "migrate" answers response. */
static void app(struct tl_app *a, const char *pool_body, const char *client_extra,
                const char *response)
{
    tl_app(a, pool_body, client_extra);
    answer(response);
}

/* InitiateAuth USER_PASSWORD_AUTH with ClientMetadata metadata (a JSON object, or NULL). */
static cJSON *sign_in(const struct tl_app *a, const char *username, const char *password,
                      const char *metadata)
{
    return tu_callf(env, IDP "InitiateAuth",
                    "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"%s\","
                    "\"AuthParameters\":{\"USERNAME\":\"%s\",\"PASSWORD\":\"%s\"}%s%s}",
                    a->client, username, password, metadata ? ",\"ClientMetadata\":" : "",
                    metadata ? metadata : "");
}

/* ForgotPassword of username with ClientMetadata metadata (or NULL). */
static cJSON *forgot(const struct tl_app *a, const char *username, const char *metadata)
{
    return tu_callf(env, IDP "ForgotPassword", "{\"ClientId\":\"%s\",\"Username\":\"%s\"%s%s}",
                    a->client, username, metadata ? ",\"ClientMetadata\":" : "",
                    metadata ? metadata : "");
}

/* How many users the pool holds. */
static int user_count(const struct tl_app *a)
{
    cJSON *r = tu_callf(env, IDP "ListUsers", "{\"UserPoolId\":\"%s\"}", a->pool);
    int n = cJSON_GetArraySize(tu_get(r, "Users"));

    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    return n;
}

/* The messages of kind (NULL: any) the inbox holds for username. */
static size_t inbox_count(const char *username, const char *kind)
{
    struct store_conn *conn = store_acquire(env->store);
    struct store_message_filter f = {.username = username, .kind = kind, .limit = 10};
    struct store_message **list = NULL;
    size_t count = 0;

    ck_assert_int_eq(store_message_list(conn, &f, &list, &count), STORE_OK);
    store_release(env->store, conn);
    store_message_list_free(list, count);
    return count;
}

/* Event i of "migrate" (cJSON_Delete), which must exist. */
static cJSON *event_of(size_t i)
{
    cJSON *e = tlam_event(tlam_fixture, "migrate", i);

    ck_assert_ptr_nonnull(e);
    return e;
}

/* obj.name must be JSON null. */
static void assert_null(const cJSON *obj, const char *name)
{
    const cJSON *item = tu_get(obj, name);

    ck_assert_msg(item != NULL && cJSON_IsNull(item), "%s is not null", name);
}

/* ---- The events ----------------------------------------------------------------------------- */

START_TEST(test_sign_in_event_carries_the_typed_name_password_and_validation_data)
{
    struct tl_app a;
    cJSON *e, *req, *resp, *ctx;

    app(&a, POOL, "", CONFIRMED);
    tl_expect_tokens(sign_in(&a, "alice", TL_PASSWORD, "{\"origin\":\"web\"}"));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
    e = event_of(0);
    ck_assert_str_eq(tu_str(e, "version"), "1");
    ck_assert_str_eq(tu_str(e, "triggerSource"), "UserMigration_Authentication");
    ck_assert_str_eq(tu_str(e, "region"), "us-east-1");
    ck_assert_str_eq(tu_str(e, "userPoolId"), a.pool);
    ck_assert_str_eq(tu_str(e, "userName"), "alice");
    ctx = tu_get(e, "callerContext");
    ck_assert_str_eq(tu_str(ctx, "clientId"), a.client);
    ck_assert_str_eq(tu_str(ctx, "awsSdkVersion"), "aws-sdk-unknown-unknown");
    req = tu_get(e, "request");
    ck_assert_str_eq(tu_str(req, "password"), TL_PASSWORD);
    ck_assert_str_eq(tu_str(tu_get(req, "validationData"), "origin"), "web");
    /* No user yet, so no userAttributes; InitiateAuth's metadata is validationData only. */
    ck_assert_ptr_null(tu_get(req, "userAttributes"));
    ck_assert_ptr_null(tu_get(req, "clientMetadata"));
    ck_assert_int_eq(cJSON_GetArraySize(req), 2);
    resp = tu_get(e, "response");
    assert_null(resp, "userAttributes");
    assert_null(resp, "finalUserStatus");
    assert_null(resp, "messageAction");
    assert_null(resp, "desiredDeliveryMediums");
    ck_assert(!tu_bool(resp, "forceAliasCreation"));
    ck_assert(!tu_bool(resp, "enableSMSMFA"));
    ck_assert_int_eq(cJSON_GetArraySize(resp), 6);
    cJSON_Delete(e);
}
END_TEST

/* Without ClientMetadata: "validationData": null, as real events carry it. AdminInitiateAuth
 * migrates as InitiateAuth does, with its client in callerContext. */
START_TEST(test_admin_sign_in_event_has_null_validation_data)
{
    struct tl_app a;
    cJSON *e;

    app(&a, POOL, "", CONFIRMED);
    tl_expect_tokens(tu_callf(env, IDP "AdminInitiateAuth",
                              "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AuthFlow\":"
                              "\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{\"USERNAME\":"
                              "\"alice\",\"PASSWORD\":\"" TL_PASSWORD "\"}}",
                              a.pool, a.client));
    e = event_of(0);
    ck_assert_str_eq(tu_str(e, "triggerSource"), "UserMigration_Authentication");
    ck_assert_str_eq(tu_str(tu_get(e, "callerContext"), "clientId"), a.client);
    assert_null(tu_get(e, "request"), "validationData");
    ck_assert_str_eq(tu_str(tu_get(e, "request"), "password"), TL_PASSWORD);
    cJSON_Delete(e);
    tl_assert_status(&a, "alice", "CONFIRMED");
}
END_TEST

/* ---- Sign-in ------------------------------------------------------------------------------ */

/* A CONFIRMED migration signs in at once and stores the user with its attributes; the next
 * sign-in finds the user and does not ask the function again. */
START_TEST(test_confirmed_migration_signs_in_and_is_not_asked_again)
{
    struct tl_app a;
    char value[64];

    app(&a, POOL, "", CONFIRMED);
    tl_expect_tokens(sign_in(&a, "alice", TL_PASSWORD, NULL));
    tl_assert_status(&a, "alice", "CONFIRMED");
    tl_admin_attr(&a, "alice", "email", value, sizeof(value));
    ck_assert_str_eq(value, "alice@example.com");
    tl_admin_attr(&a, "alice", "email_verified", value, sizeof(value));
    ck_assert_str_eq(value, "true");
    tl_admin_attr(&a, "alice", "name", value, sizeof(value));
    ck_assert_str_eq(value, "Alice");
    tl_admin_attr(&a, "alice", "sub", value, sizeof(value));
    ck_assert_uint_eq(strlen(value), 36);
    tl_expect_tokens(sign_in(&a, "alice", TL_PASSWORD, NULL));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
    /* The stored password is the typed one: a wrong one is now Cognito's own refusal. */
    tl_error(sign_in(&a, "alice", "Wrong0ne!", NULL), "NotAuthorizedException",
             "Incorrect username or password.");
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
}
END_TEST

/*
 * finalUserStatus not set: CONFIRMED ("CONFIRMED, or not set, to auto-confirm your users",
 * developer guide; the brief assumed RESET_REQUIRED). No welcome message reaches the inbox,
 * SUPPRESS or not: the emulator does not send one (userpool/migrate.c says why).
 */
START_TEST(test_unset_status_confirms_and_no_welcome_message_is_sent)
{
    struct tl_app a;

    app(&a, POOL, "", "{\"userAttributes\":{\"email\":\"alice@example.com\"}}");
    tl_expect_tokens(sign_in(&a, "alice", TL_PASSWORD, NULL));
    tl_assert_status(&a, "alice", "CONFIRMED");
    ck_assert_uint_eq(inbox_count("alice", NULL), 0);
}
END_TEST

/* RESET_REQUIRED: the user is stored and the sign-in answers PasswordResetRequiredException,
 * now and later, without asking the function again. */
START_TEST(test_reset_required_migration_stores_the_user_and_asks_for_a_reset)
{
    struct tl_app a;

    app(&a, POOL, "",
        "{\"userAttributes\":" EMAIL_ATTRS ",\"finalUserStatus\":\"RESET_REQUIRED\"}");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "PasswordResetRequiredException",
             RESET_REQUIRED_MESSAGE);
    tl_assert_status(&a, "alice", "RESET_REQUIRED");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "PasswordResetRequiredException",
             RESET_REQUIRED_MESSAGE);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
}
END_TEST

/* The function's refusal is the sign-in's, and no user is created by it. */
START_TEST(test_refused_migration_fails_the_sign_in_and_stores_nothing)
{
    struct tl_app a;

    app(&a, POOL, "", CONFIRMED);
    tl_error(sign_in(&a, "alice", "Wrong0ne!", NULL), "UserLambdaValidationException",
             "UserMigration failed with error Bad password.");
    ck_assert_int_eq(user_count(&a), 0);
    /* Asked again on the next try, which may succeed. */
    tl_expect_tokens(sign_in(&a, "alice", TL_PASSWORD, NULL));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 2);
}
END_TEST

/* The pool's password policy is not applied to a migrated password (developer guide). */
START_TEST(test_migrated_password_skips_the_policy)
{
    struct tl_app a;

    app(&a,
        "{\"PoolName\":\"p\",\"Policies\":{\"PasswordPolicy\":{\"MinimumLength\":30}},"
        "\"LambdaConfig\":{\"UserMigration\":\"" FN "\"}}",
        "", CONFIRMED);
    tl_expect_tokens(sign_in(&a, "alice", TL_PASSWORD, NULL));
}
END_TEST

/* Answers Cognito cannot use: InvalidLambdaResponseException, and nothing stored. */
START_TEST(test_migration_refuses_unusable_answers)
{
    static const char *const ANSWERS[] = {
        "{\"finalUserStatus\":\"CONFIRMED\"}",
        "{\"userAttributes\":null}",
        "{\"userAttributes\":\"email=alice@example.com\"}",
        "{\"userAttributes\":{\"email\":\"alice@example.com\",\"email_verified\":true}}",
        "{\"userAttributes\":{},\"finalUserStatus\":\"FORCE_CHANGE_PASSWORD\"}",
        "{\"userAttributes\":{},\"messageAction\":\"SEND\"}",
        "{\"userAttributes\":{},\"desiredDeliveryMediums\":[\"FAX\"]}",
        "{\"userAttributes\":{},\"desiredDeliveryMediums\":\"EMAIL\"}",
    };
    struct tl_app a;

    app(&a, POOL, "", ANSWERS[0]);
    for (size_t i = 0; i < sizeof(ANSWERS) / sizeof(ANSWERS[0]); i++) {
        answer(ANSWERS[i]);
        tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "InvalidLambdaResponseException",
                 UNRECOGNIZABLE);
    }
    ck_assert_int_eq(user_count(&a), 0);
    /* A function whose answer is no event at all: the seam's own refusal. */
    tlam_on_body(tlam_fixture, "migrate", "null");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "InvalidLambdaResponseException",
             "Invalid lambda function output : Invalid JSON");
    ck_assert_int_eq(user_count(&a), 0);
}
END_TEST

/* The attributes follow AdminCreateUser's rules: an unknown or immutable one is refused. */
START_TEST(test_migrated_attributes_follow_the_schema)
{
    struct tl_app a;

    app(&a, POOL, "", "{\"userAttributes\":{\"custom:plan\":\"gold\"}}");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "InvalidParameterException",
             "Attributes did not conform to the schema: Type for attribute {custom:plan} could "
             "not be determined");
    answer("{\"userAttributes\":{\"sub\":\"1234\"}}");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "InvalidParameterException",
             "Attributes did not conform to the schema: sub: Attribute is immutable");
    answer("{\"userAttributes\":{\"email\":\"not-an-email\"}}");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "InvalidParameterException",
             "Invalid email address format.");
    ck_assert_int_eq(user_count(&a), 0);
}
END_TEST

/* USER_SRP_AUTH never sends the password, so it never migrates. */
START_TEST(test_srp_sign_in_never_migrates)
{
    struct tl_app a;

    app(&a, POOL, "\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\",\"ALLOW_USER_PASSWORD_AUTH\"]",
        CONFIRMED);
    tl_error(tu_callf(env, IDP "InitiateAuth",
                      "{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"%s\",\"AuthParameters\":"
                      "{\"USERNAME\":\"alice\",\"SRP_A\":\"02\"}}",
                      a.client),
             "UserNotFoundException", "User does not exist.");
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 0);
    ck_assert_int_eq(user_count(&a), 0);
}
END_TEST

/*
 * UserMigration runs first, then PreAuthentication with the migrated user's attributes and
 * the same validationData, then the sign-in goes on (post authentication, tokens). Both point
 * at "migrate"; the invocation log shows the same order.
 */
START_TEST(test_migration_runs_before_pre_authentication)
{
    struct tl_app a;
    struct trigger_log_filter f = {.limit = 10};
    cJSON *e, *records;
    int64_t last = 0;

    app(&a,
        "{\"PoolName\":\"p\",\"LambdaConfig\":{\"UserMigration\":\"" FN "\","
        "\"PreAuthentication\":\"" FN "\",\"PostAuthentication\":\"" FN "\"}}",
        "", CONFIRMED);
    tl_expect_tokens(sign_in(&a, "alice", TL_PASSWORD, "{\"k\":\"v\"}"));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 3);
    e = event_of(0);
    ck_assert_str_eq(tu_str(e, "triggerSource"), "UserMigration_Authentication");
    cJSON_Delete(e);
    e = event_of(1);
    ck_assert_str_eq(tu_str(e, "triggerSource"), "PreAuthentication_Authentication");
    ck_assert_str_eq(tu_str(tu_get(tu_get(e, "request"), "userAttributes"), "email"),
                     "alice@example.com");
    ck_assert_str_eq(tu_str(tu_get(tu_get(e, "request"), "userAttributes"), "cognito:user_status"),
                     "CONFIRMED");
    ck_assert_str_eq(tu_str(tu_get(tu_get(e, "request"), "validationData"), "k"), "v");
    ck_assert(!tu_bool(tu_get(e, "request"), "userNotFound"));
    cJSON_Delete(e);
    e = event_of(2);
    ck_assert_str_eq(tu_str(e, "triggerSource"), "PostAuthentication_Authentication");
    cJSON_Delete(e);
    f.pool_id = a.pool;
    records = trigger_log_list(&f, &last);
    ck_assert_int_eq(cJSON_GetArraySize(records), 3);
    /* newest first */
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(records, 2), "triggerSource"),
                     "UserMigration_Authentication");
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(records, 1), "triggerSource"),
                     "PreAuthentication_Authentication");
    cJSON_Delete(records);
}
END_TEST

/* A pre authentication refusal after a migration: the user stays (it was created first). */
START_TEST(test_pre_authentication_refusal_keeps_the_migrated_user)
{
    struct tl_app a;

    app(&a,
        "{\"PoolName\":\"p\",\"LambdaConfig\":{\"UserMigration\":\"" FN "\","
        "\"PreAuthentication\":\"arn:aws:lambda:us-east-1:123456789012:function:pre\"}}",
        "", CONFIRMED);
    tlam_on_error(tlam_fixture, "pre", "Not today");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "UserLambdaValidationException",
             "PreAuthentication failed with error Not today.");
    tl_assert_status(&a, "alice", "CONFIRMED");
}
END_TEST

/* With PreventUserExistenceErrors the function's refusal is answered as any unknown user;
 * a trigger that cannot be used still says so. */
START_TEST(test_hidden_users_answer_a_refusal_as_an_unknown_user)
{
    struct tl_app a;
    cJSON *r;

    app(&a, POOL, "\"PreventUserExistenceErrors\":\"ENABLED\"", CONFIRMED);
    tl_error(sign_in(&a, "alice", "Wrong0ne!", NULL), "NotAuthorizedException",
             "Incorrect username or password.");
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
    tlam_on_error(tlam_fixture, "migrate", "No such user");
    r = forgot(&a, "alice", NULL);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_ptr_nonnull(tu_get(r, "CodeDeliveryDetails"));
    cJSON_Delete(r);
    ck_assert_int_eq(user_count(&a), 0);
    tlam_on_body(tlam_fixture, "migrate", "{\"response\":{}}");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "InvalidLambdaResponseException",
             UNRECOGNIZABLE);
}
END_TEST

/* Triggers off (--lambda-endpoint none): the name stays unknown, nothing is called. */
START_TEST(test_triggers_off_leave_the_user_unknown)
{
    struct tl_app a;

    app(&a, POOL, "", CONFIRMED);
    strcpy(env->settings.lambda_endpoint, "none");
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "UserNotFoundException",
             "User does not exist.");
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 0);
}
END_TEST

/* ---- Names and aliases ------------------------------------------------------------------- */

/* A pool with UsernameAttributes: the typed email becomes the attribute, the user is named by
 * a UUID (its sub), and the next sign-in by email finds it. */
START_TEST(test_email_pool_names_the_migrated_user_by_uuid)
{
    struct tl_app a;
    cJSON *r, *e, *users;
    const char *name;

    app(&a,
        "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"],"
        "\"LambdaConfig\":{\"UserMigration\":\"" FN "\"}}",
        "", "{\"userAttributes\":{\"email_verified\":\"true\"},\"finalUserStatus\":\"CONFIRMED\"}");
    tl_expect_tokens(sign_in(&a, "ann@example.com", TL_PASSWORD, NULL));
    e = event_of(0);
    ck_assert_str_eq(tu_str(e, "userName"), "ann@example.com");
    cJSON_Delete(e);
    users = tu_callf(env, IDP "ListUsers", "{\"UserPoolId\":\"%s\"}", a.pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(users, "Users")), 1);
    name = tu_str(cJSON_GetArrayItem(tu_get(users, "Users"), 0), "Username");
    tu_assert_matches(name, "^[0-9a-f-]{36}$");
    ck_assert_str_eq(
        tl_attr(tu_get(cJSON_GetArrayItem(tu_get(users, "Users"), 0), "Attributes"), "sub"), name);
    ck_assert_str_eq(
        tl_attr(tu_get(cJSON_GetArrayItem(tu_get(users, "Users"), 0), "Attributes"), "email"),
        "ann@example.com");
    cJSON_Delete(users);
    r = sign_in(&a, "ann@example.com", TL_PASSWORD, NULL);
    tl_expect_tokens(r);
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
}
END_TEST

/* A pool with AliasAttributes: a user who typed an alias is named by the function's
 * "username"; without one, the alias-looking name is refused as AdminCreateUser refuses it. */
START_TEST(test_alias_pool_takes_the_username_from_the_function)
{
    struct tl_app a;
    char value[64];

    app(&a,
        "{\"PoolName\":\"p\",\"AliasAttributes\":[\"email\"],"
        "\"LambdaConfig\":{\"UserMigration\":\"" FN "\"}}",
        "",
        "{\"userAttributes\":{\"username\":\"dave\",\"email\":\"dave@example.com\","
        "\"email_verified\":\"true\"}}");
    tl_expect_tokens(sign_in(&a, "dave@example.com", TL_PASSWORD, NULL));
    tl_assert_status(&a, "dave", "CONFIRMED");
    tl_admin_attr(&a, "dave", "email", value, sizeof(value));
    ck_assert_str_eq(value, "dave@example.com");
    tl_admin_attr(&a, "dave", "username", value, sizeof(value));
    ck_assert_str_eq(value, ""); /* not an attribute */
    tl_expect_tokens(sign_in(&a, "dave", TL_PASSWORD, NULL));
    tl_expect_tokens(sign_in(&a, "dave@example.com", TL_PASSWORD, NULL));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
    answer("{\"userAttributes\":{\"email\":\"erin@example.com\",\"email_verified\":\"true\"}}");
    tl_error(sign_in(&a, "erin@example.com", TL_PASSWORD, NULL), "InvalidParameterException",
             "Username cannot be of email format, since user pool is configured for email "
             "alias.");
    ck_assert_int_eq(user_count(&a), 1);
}
END_TEST

/* forceAliasCreation moves a verified alias held by another user; without it the migration is
 * refused with AliasExistsException and stores nothing. */
START_TEST(test_force_alias_creation_moves_a_taken_alias)
{
    struct tl_app a;
    char value[64];

    app(&a,
        "{\"PoolName\":\"p\",\"AliasAttributes\":[\"email\"],"
        "\"LambdaConfig\":{\"UserMigration\":\"" FN "\"}}",
        "", "{\"userAttributes\":{\"email\":\"shared@example.com\",\"email_verified\":\"true\"}}");
    tl_user(&a, "bob",
            "[{\"Name\":\"email\",\"Value\":\"shared@example.com\"},"
            "{\"Name\":\"email_verified\",\"Value\":\"true\"}]");
    tl_error(sign_in(&a, "carol", TL_PASSWORD, NULL), "AliasExistsException",
             "An account with the given email already exists.");
    ck_assert_int_eq(user_count(&a), 1);
    answer("{\"userAttributes\":{\"email\":\"shared@example.com\",\"email_verified\":\"true\"},"
           "\"forceAliasCreation\":true}");
    tl_expect_tokens(sign_in(&a, "carol", TL_PASSWORD, NULL));
    tl_admin_attr(&a, "bob", "email_verified", value, sizeof(value));
    ck_assert_str_eq(value, "false");
    /* The alias now signs carol in. */
    tl_expect_tokens(sign_in(&a, "shared@example.com", TL_PASSWORD, NULL));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 2);
}
END_TEST

/* enableSMSMFA: SMS MFA on and preferred, so the sign-in goes on to the SMS_MFA challenge;
 * without a phone number it is refused. */
START_TEST(test_enable_sms_mfa_asks_the_sms_challenge)
{
    struct tl_app a;
    cJSON *r;

    app(&a, POOL, "",
        "{\"userAttributes\":{\"phone_number\":\"+15555550123\",\"phone_number_verified\":"
        "\"true\"},\"enableSMSMFA\":true}");
    tl_ok(tu_callf(env, IDP "SetUserPoolMfaConfig",
                   "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"OPTIONAL\","
                   "\"SmsMfaConfiguration\":{\"SmsConfiguration\":{\"SnsCallerArn\":"
                   "\"arn:aws:iam::123456789012:role/sns\",\"ExternalId\":\"x\"}}}",
                   a.pool));
    r = sign_in(&a, "alice", TL_PASSWORD, NULL);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(r, "ChallengeName"), "SMS_MFA");
    cJSON_Delete(r);
    answer("{\"userAttributes\":{\"email\":\"b@example.com\"},\"enableSMSMFA\":true}");
    tl_error(sign_in(&a, "bob", TL_PASSWORD, NULL), "InvalidParameterException",
             "User does not have delivery config set to turn on SMS_MFA");
    ck_assert_int_eq(user_count(&a), 1);
}
END_TEST

/* ---- ForgotPassword ----------------------------------------------------------------------- */

/*
 * ForgotPassword of an unknown user: UserMigration_ForgotPassword (no password, ClientMetadata
 * as clientMetadata), a RESET_REQUIRED user, and the reset code sent as usual; the code then
 * sets a password that signs in without the function.
 */
START_TEST(test_forgot_password_migrates_and_sends_the_reset_code)
{
    struct tl_app a;
    cJSON *r, *e, *req;
    char code[7];

    app(&a, POOL, "",
        "{\"userAttributes\":" EMAIL_ATTRS ",\"finalUserStatus\":\"CONFIRMED\","
        "\"messageAction\":\"SUPPRESS\"}");
    r = forgot(&a, "alice", "{\"flow\":\"reset\"}");
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(tu_get(r, "CodeDeliveryDetails"), "DeliveryMedium"), "EMAIL");
    cJSON_Delete(r);
    e = event_of(0);
    ck_assert_str_eq(tu_str(e, "triggerSource"), "UserMigration_ForgotPassword");
    ck_assert_str_eq(tu_str(e, "userName"), "alice");
    ck_assert_str_eq(tu_str(tu_get(e, "callerContext"), "clientId"), a.client);
    req = tu_get(e, "request");
    ck_assert_ptr_null(tu_get(req, "password"));
    ck_assert_ptr_null(tu_get(req, "userAttributes"));
    ck_assert_str_eq(tu_str(tu_get(req, "clientMetadata"), "flow"), "reset");
    assert_null(req, "validationData");
    cJSON_Delete(e);
    /* Whatever finalUserStatus says: the user has no password yet. */
    tl_assert_status(&a, "alice", "RESET_REQUIRED");
    ck_assert_uint_eq(inbox_count("alice", "forgot-password"), 1);
    ck_assert_int_eq(tl_code(&a, "alice", "forgot-password", code), 0);
    tl_error(sign_in(&a, "alice", TL_PASSWORD, NULL), "PasswordResetRequiredException",
             RESET_REQUIRED_MESSAGE);
    tl_ok(tu_callf(env, IDP "ConfirmForgotPassword",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"ConfirmationCode\":\"%s\","
                   "\"Password\":\"N3w-Passw0rd!\"}",
                   a.client, code));
    tl_expect_tokens(sign_in(&a, "alice", "N3w-Passw0rd!", NULL));
    ck_assert_uint_eq(tlam_count(tlam_fixture, "migrate"), 1);
}
END_TEST

/* Without ClientMetadata, ForgotPassword's event leaves clientMetadata out. */
START_TEST(test_forgot_password_event_without_metadata)
{
    struct tl_app a;
    cJSON *e;

    app(&a, POOL, "", CONFIRMED);
    tl_ok(forgot(&a, "alice", NULL));
    e = event_of(0);
    ck_assert_ptr_null(tu_get(tu_get(e, "request"), "clientMetadata"));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(e, "request")), 1); /* validationData */
    cJSON_Delete(e);
}
END_TEST

/*
 * A migrated user without a verified email or phone number cannot be sent a reset code
 * (developer guide): ForgotPassword answers as for any such user, and the user, created
 * before the reset was tried, stays.
 */
START_TEST(test_forgot_password_needs_a_verified_destination)
{
    struct tl_app a;

    app(&a, POOL, "", "{\"userAttributes\":{\"email\":\"alice@example.com\"}}");
    tl_error(forgot(&a, "alice", NULL), "InvalidParameterException",
             "Cannot reset password for the user as there is no registered/verified email or "
             "phone_number");
    tl_assert_status(&a, "alice", "RESET_REQUIRED");
    ck_assert_uint_eq(inbox_count("alice", NULL), 0);
}
END_TEST

/* The function's refusal at ForgotPassword: its exception, and no user. */
START_TEST(test_forgot_password_refusal_stores_nothing)
{
    struct tl_app a;

    app(&a, POOL, "", CONFIRMED);
    tlam_on_error(tlam_fixture, "migrate", "Unknown user");
    tl_error(forgot(&a, "alice", NULL), "UserLambdaValidationException",
             "UserMigration failed with error Unknown user.");
    ck_assert_int_eq(user_count(&a), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("trigger_migration");
    TCase *tc = tcase_create("trigger_migration");

    tcase_add_checked_fixture(tc, tlam_setup, tlam_teardown);
    tcase_add_test(tc, test_sign_in_event_carries_the_typed_name_password_and_validation_data);
    tcase_add_test(tc, test_admin_sign_in_event_has_null_validation_data);
    tcase_add_test(tc, test_confirmed_migration_signs_in_and_is_not_asked_again);
    tcase_add_test(tc, test_unset_status_confirms_and_no_welcome_message_is_sent);
    tcase_add_test(tc, test_reset_required_migration_stores_the_user_and_asks_for_a_reset);
    tcase_add_test(tc, test_refused_migration_fails_the_sign_in_and_stores_nothing);
    tcase_add_test(tc, test_migrated_password_skips_the_policy);
    tcase_add_test(tc, test_migration_refuses_unusable_answers);
    tcase_add_test(tc, test_migrated_attributes_follow_the_schema);
    tcase_add_test(tc, test_srp_sign_in_never_migrates);
    tcase_add_test(tc, test_migration_runs_before_pre_authentication);
    tcase_add_test(tc, test_pre_authentication_refusal_keeps_the_migrated_user);
    tcase_add_test(tc, test_hidden_users_answer_a_refusal_as_an_unknown_user);
    tcase_add_test(tc, test_triggers_off_leave_the_user_unknown);
    tcase_add_test(tc, test_email_pool_names_the_migrated_user_by_uuid);
    tcase_add_test(tc, test_alias_pool_takes_the_username_from_the_function);
    tcase_add_test(tc, test_force_alias_creation_moves_a_taken_alias);
    tcase_add_test(tc, test_enable_sms_mfa_asks_the_sms_challenge);
    tcase_add_test(tc, test_forgot_password_migrates_and_sends_the_reset_code);
    tcase_add_test(tc, test_forgot_password_event_without_metadata);
    tcase_add_test(tc, test_forgot_password_needs_a_verified_destination);
    tcase_add_test(tc, test_forgot_password_refusal_stores_nothing);
    suite_add_tcase(s, tc);
    return s;
}
