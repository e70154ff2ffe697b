/*
 * check_ops_admin: the administrator's user operations (ops_admin.c) and what sign-in and the
 * token checks make of the states they set: deletion, disabling (sign-in "User is disabled.",
 * tokens revoked), attribute updates with verified flags, permanent and temporary passwords
 * (NEW_PASSWORD_REQUIRED, expiry), password resets (PasswordResetRequiredException, then
 * ConfirmForgotPassword), global sign-out and custom attributes. Operations run through
 * tu_call; codes are read back from the store (testlife.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userpool/account.h"
#include "util/clock.h"
#include "testlife.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

#define EMAIL_POOL "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"]}"
#define ALICE_ATTRS                                                                                \
    "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"                                       \
    "{\"Name\":\"email_verified\",\"Value\":\"true\"}]"
#define REVOKED "Access Token has been revoked"

/* Call an Admin* operation op on username of a's pool with extra request members. */
static cJSON *admin(const struct tl_app *a, const char *op, const char *username, const char *extra)
{
    char target[96];

    snprintf(target, sizeof(target), IDP "%s", op);
    return tu_callf(env, target, "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"%s%s}", a->pool,
                    username, extra[0] ? "," : "", extra);
}

START_TEST(test_ops_admin_delete_user)
{
    struct tl_app a;
    struct tl_tokens t;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_ok(admin(&a, "AdminDeleteUser", "alice", ""));
    tl_error(admin(&a, "AdminGetUser", "alice", ""), "UserNotFoundException",
             "User does not exist.");
    tl_error(admin(&a, "AdminDeleteUser", "alice", ""), "UserNotFoundException",
             "User does not exist.");
    tl_error(tl_get_user(t.access), "NotAuthorizedException", "User does not exist.");
    tl_error(tu_callf(env, IDP "AdminDeleteUser",
                      "{\"UserPoolId\":\"us-east-1_nosuchpool\",\"Username\":\"alice\"}"),
             "ResourceNotFoundException", "User pool us-east-1_nosuchpool does not exist.");
    /* The name is free again. */
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_ops_admin_disable_and_enable_user)
{
    struct tl_app a;
    struct tl_tokens t, t2;
    cJSON *resp;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    clock_set_offset_ms(2000); /* the sign-out below is in a later second than the token */
    tl_ok(admin(&a, "AdminDisableUser", "alice", ""));
    resp = admin(&a, "AdminGetUser", "alice", "");
    ck_assert(!tu_bool(resp, "Enabled"));
    cJSON_Delete(resp);
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "NotAuthorizedException",
             "User is disabled.");
    tl_error(tl_get_user(t.access), "NotAuthorizedException", REVOKED);
    tl_error(tl_refresh_call(&a, t.refresh), "NotAuthorizedException", "User is disabled.");

    tl_ok(admin(&a, "AdminEnableUser", "alice", ""));
    resp = admin(&a, "AdminGetUser", "alice", "");
    ck_assert(tu_bool(resp, "Enabled"));
    cJSON_Delete(resp);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t2);
    tl_ok(tl_get_user(t2.access));
    /* Access tokens issued before the user was disabled stay revoked. */
    tl_error(tl_get_user(t.access), "NotAuthorizedException", REVOKED);
    tl_error(admin(&a, "AdminDisableUser", "nobody", ""), "UserNotFoundException",
             "User does not exist.");
    tl_error(admin(&a, "AdminEnableUser", "nobody", ""), "UserNotFoundException",
             "User does not exist.");
    tl_tokens_free(&t);
    tl_tokens_free(&t2);
}
END_TEST

START_TEST(test_ops_admin_update_user_attributes)
{
    struct tl_app a;
    char value[128], code[7];

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);

    /* A changed email is unverified, and a code goes to it. */
    tl_ok(admin(&a, "AdminUpdateUserAttributes", "alice",
                "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"new@example.org\"}]"));
    tl_admin_attr(&a, "alice", "email", value, sizeof(value));
    ck_assert_str_eq(value, "new@example.org");
    tl_admin_attr(&a, "alice", "email_verified", value, sizeof(value));
    ck_assert_str_eq(value, "false");
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);

    /* With email_verified true in the same request nothing is sent. */
    tl_ok(admin(&a, "AdminUpdateUserAttributes", "alice",
                "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"other@example.org\"},"
                "{\"Name\":\"email_verified\",\"Value\":\"true\"},"
                "{\"Name\":\"given_name\",\"Value\":\"Alice\"}]"));
    tl_admin_attr(&a, "alice", "email", value, sizeof(value));
    ck_assert_str_eq(value, "other@example.org");
    tl_admin_attr(&a, "alice", "email_verified", value, sizeof(value));
    ck_assert_str_eq(value, "true");
    tl_admin_attr(&a, "alice", "given_name", value, sizeof(value));
    ck_assert_str_eq(value, "Alice");
    ck_assert_int_ne(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);

    /* A blank value deletes. */
    tl_ok(admin(&a, "AdminUpdateUserAttributes", "alice",
                "\"UserAttributes\":[{\"Name\":\"given_name\",\"Value\":\"\"}]"));
    tl_admin_attr(&a, "alice", "given_name", value, sizeof(value));
    ck_assert_str_eq(value, "");

    tl_error(admin(&a, "AdminUpdateUserAttributes", "alice",
                   "\"UserAttributes\":[{\"Name\":\"sub\",\"Value\":\"x\"}]"),
             "InvalidParameterException", NULL);
    tl_error(admin(&a, "AdminUpdateUserAttributes", "nobody",
                   "\"UserAttributes\":[{\"Name\":\"given_name\",\"Value\":\"x\"}]"),
             "UserNotFoundException", "User does not exist.");
}
END_TEST

START_TEST(test_ops_admin_verified_flag_applies_a_waiting_value)
{
    struct tl_app a;
    char value[128];

    tl_app(&a,
           "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"],"
           "\"UserAttributeUpdateSettings\":{\"AttributesRequireVerificationBeforeUpdate\":"
           "[\"email\"]}}",
           "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_ok(admin(&a, "AdminUpdateUserAttributes", "alice",
                "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"new@example.org\"}]"));
    tl_admin_attr(&a, "alice", "email", value, sizeof(value));
    ck_assert_str_eq(value, "alice@example.com");
    tl_ok(admin(&a, "AdminUpdateUserAttributes", "alice",
                "\"UserAttributes\":[{\"Name\":\"email_verified\",\"Value\":\"true\"}]"));
    tl_admin_attr(&a, "alice", "email", value, sizeof(value));
    ck_assert_str_eq(value, "new@example.org");
}
END_TEST

START_TEST(test_ops_admin_delete_user_attributes)
{
    struct tl_app a;
    char value[128];

    tl_app(&a, "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"name\",\"Required\":true}]}", "");
    tl_user(&a, "alice",
            "[{\"Name\":\"name\",\"Value\":\"Alice\"},{\"Name\":\"email\",\"Value\":\"a@b.c\"},"
            "{\"Name\":\"email_verified\",\"Value\":\"true\"}]");
    tl_ok(admin(&a, "AdminDeleteUserAttributes", "alice", "\"UserAttributeNames\":[\"email\"]"));
    tl_admin_attr(&a, "alice", "email", value, sizeof(value));
    ck_assert_str_eq(value, "");
    tl_admin_attr(&a, "alice", "email_verified", value, sizeof(value));
    ck_assert_str_eq(value, "");
    tl_error(admin(&a, "AdminDeleteUserAttributes", "alice", "\"UserAttributeNames\":[\"name\"]"),
             "InvalidParameterException",
             "Attributes did not conform to the schema: name.formatted: The attribute "
             "name.formatted is required");
    tl_error(admin(&a, "AdminDeleteUserAttributes", "nobody", "\"UserAttributeNames\":[\"name\"]"),
             "UserNotFoundException", "User does not exist.");
}
END_TEST

START_TEST(test_ops_admin_set_user_password_permanent)
{
    struct tl_app a;
    struct tl_tokens t;

    tl_app(&a, EMAIL_POOL, "");
    tl_ok(tu_callf(env, IDP "SignUp",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"Password\":\"" TL_PASSWORD "\"}",
                   a.client));
    tl_assert_status(&a, "alice", "UNCONFIRMED");
    tl_error(
        admin(&a, "AdminSetUserPassword", "alice", "\"Password\":\"short\",\"Permanent\":true"),
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough");
    tl_ok(admin(&a, "AdminSetUserPassword", "alice",
                "\"Password\":\"N3w-passw0rd\",\"Permanent\":true"));
    tl_assert_status(&a, "alice", "CONFIRMED");
    tl_sign_in(&a, "alice", "N3w-passw0rd", &t);
    tl_tokens_free(&t);
    tl_error(admin(&a, "AdminSetUserPassword", "nobody",
                   "\"Password\":\"N3w-passw0rd\",\"Permanent\":true"),
             "UserNotFoundException", "User does not exist.");
}
END_TEST

START_TEST(test_ops_admin_set_user_password_temporary)
{
    struct tl_app a;
    cJSON *resp;

    tl_app(&a,
           "{\"PoolName\":\"p\",\"Policies\":{\"PasswordPolicy\":{\"MinimumLength\":8,"
           "\"TemporaryPasswordValidityDays\":2}}}",
           "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_ok(admin(&a, "AdminSetUserPassword", "alice", "\"Password\":\"Temp-passw0rd\""));
    tl_assert_status(&a, "alice", "FORCE_CHANGE_PASSWORD");
    resp = tl_sign_in_call(&a, "alice", "Temp-passw0rd");
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    cJSON_Delete(resp);
    clock_set_offset_ms(2 * TL_DAY_MS + 1000);
    tl_error(tl_sign_in_call(&a, "alice", "Temp-passw0rd"), "NotAuthorizedException",
             "Temporary password has expired and must be reset by an administrator.");
    /* A new temporary password starts its validity again. */
    tl_ok(admin(&a, "AdminSetUserPassword", "alice", "\"Password\":\"Temp-passw0rd2\""));
    resp = tl_sign_in_call(&a, "alice", "Temp-passw0rd2");
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_admin_create_user_resend_restarts_the_temporary_password)
{
    struct tl_app a;
    cJSON *resp;

    tl_app(&a,
           "{\"PoolName\":\"p\",\"Policies\":{\"PasswordPolicy\":{\"MinimumLength\":8,"
           "\"TemporaryPasswordValidityDays\":1}}}",
           "");
    tl_ok(
        tu_callf(env, IDP "AdminCreateUser",
                 "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"TemporaryPassword\":\"Temp-1234\","
                 "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"bob@example.com\"}],"
                 "\"DesiredDeliveryMediums\":[\"EMAIL\"]}",
                 a.pool));
    clock_set_offset_ms(TL_DAY_MS + 1000);
    tl_error(tl_sign_in_call(&a, "bob", "Temp-1234"), "NotAuthorizedException",
             "Temporary password has expired and must be reset by an administrator.");
    tl_ok(
        tu_callf(env, IDP "AdminCreateUser",
                 "{\"UserPoolId\":\"%s\",\"Username\":\"bob\",\"TemporaryPassword\":\"Temp-5678\","
                 "\"MessageAction\":\"RESEND\",\"DesiredDeliveryMediums\":[\"EMAIL\"]}",
                 a.pool));
    resp = tl_sign_in_call(&a, "bob", "Temp-5678");
    ck_assert_str_eq(tu_str(resp, "ChallengeName"), "NEW_PASSWORD_REQUIRED");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_admin_reset_user_password)
{
    struct tl_app a;
    struct tl_tokens t;
    char code[7];

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_ok(admin(&a, "AdminResetUserPassword", "alice", ""));
    tl_assert_status(&a, "alice", "RESET_REQUIRED");
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "PasswordResetRequiredException",
             "Password reset required for the user");
    tl_error(tl_sign_in_call(&a, "alice", "Wr0ng-passw0rd"), "NotAuthorizedException",
             "Incorrect username or password.");
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_RESET_PURPOSE, code), 0);
    tl_ok(tu_callf(env, IDP "ConfirmForgotPassword",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"ConfirmationCode\":\"%s\","
                   "\"Password\":\"N3w-passw0rd\"}",
                   a.client, code));
    tl_assert_status(&a, "alice", "CONFIRMED");
    tl_sign_in(&a, "alice", "N3w-passw0rd", &t);
    tl_tokens_free(&t);

    /* Refusals: no verified destination, a user without a password of its own, unknown. */
    tl_user(&a, "bob", "[{\"Name\":\"email\",\"Value\":\"bob@example.com\"}]");
    tl_error(admin(&a, "AdminResetUserPassword", "bob", ""), "InvalidParameterException",
             "Cannot reset password for the user as there is no registered/verified email or "
             "phone_number");
    tl_assert_status(&a, "bob", "CONFIRMED");
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"carol\",\"MessageAction\":\"SUPPRESS\","
                   "\"UserAttributes\":" ALICE_ATTRS "}",
                   a.pool));
    tl_error(admin(&a, "AdminResetUserPassword", "carol", ""), "NotAuthorizedException",
             "User password cannot be reset in the current state.");
    tl_error(admin(&a, "AdminResetUserPassword", "nobody", ""), "UserNotFoundException",
             "User does not exist.");
}
END_TEST

START_TEST(test_ops_admin_user_global_sign_out)
{
    struct tl_app a;
    struct tl_tokens t, bob;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_user(&a, "bob", "");
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_sign_in(&a, "bob", TL_PASSWORD, &bob);
    tl_ok(admin(&a, "AdminUserGlobalSignOut", "alice", ""));
    tl_error(tl_get_user(t.access), "NotAuthorizedException", REVOKED);
    tl_error(tl_refresh_call(&a, t.refresh), "NotAuthorizedException",
             "Refresh Token has been revoked");
    tl_ok(tl_get_user(bob.access));
    tl_error(admin(&a, "AdminUserGlobalSignOut", "nobody", ""), "UserNotFoundException",
             "User does not exist.");
    tl_tokens_free(&t);
    tl_tokens_free(&bob);
}
END_TEST

START_TEST(test_ops_admin_add_custom_attributes)
{
    struct tl_app a;
    const cJSON *attr;
    bool team = false, secret = false;
    char value[64];
    cJSON *resp;

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_ok(tu_callf(env, IDP "AddCustomAttributes",
                   "{\"UserPoolId\":\"%s\",\"CustomAttributes\":["
                   "{\"Name\":\"team\",\"AttributeDataType\":\"String\"},"
                   "{\"Name\":\"secret\",\"AttributeDataType\":\"String\","
                   "\"DeveloperOnlyAttribute\":true}]}",
                   a.pool));
    resp = tu_callf(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", a.pool);
    cJSON_ArrayForEach(attr, tu_get(tu_get(resp, "UserPool"), "SchemaAttributes"))
    {
        team |= strcmp(tu_str(attr, "Name"), "custom:team") == 0 && tu_bool(attr, "Mutable");
        secret |= strcmp(tu_str(attr, "Name"), "dev:custom:secret") == 0;
    }
    cJSON_Delete(resp);
    ck_assert(team && secret);

    /* The new attribute can be written. */
    tl_user(&a, "alice", "[{\"Name\":\"custom:team\",\"Value\":\"blue\"}]");
    tl_admin_attr(&a, "alice", "custom:team", value, sizeof(value));
    ck_assert_str_eq(value, "blue");

    tl_error(tu_callf(env, IDP "AddCustomAttributes",
                      "{\"UserPoolId\":\"%s\",\"CustomAttributes\":["
                      "{\"Name\":\"team\",\"AttributeDataType\":\"String\"}]}",
                      a.pool),
             "InvalidParameterException",
             "custom:team: Existing attribute already has name "
             "custom:team.");
    tl_error(tu_callf(env, IDP "AddCustomAttributes",
                      "{\"UserPoolId\":\"%s\",\"CustomAttributes\":["
                      "{\"Name\":\"secret\",\"AttributeDataType\":\"String\","
                      "\"DeveloperOnlyAttribute\":true}]}",
                      a.pool),
             "InvalidParameterException",
             "custom:secret: Existing attribute already has name dev:custom:secret.");
    /* Duplicates within one request, and a refusal adds nothing. */
    tl_error(tu_callf(env, IDP "AddCustomAttributes",
                      "{\"UserPoolId\":\"%s\",\"CustomAttributes\":["
                      "{\"Name\":\"level\",\"AttributeDataType\":\"Number\"},"
                      "{\"Name\":\"level\",\"AttributeDataType\":\"Number\"}]}",
                      a.pool),
             "InvalidParameterException",
             "custom:level: Existing attribute already has name custom:level.");
    tl_error(tu_callf(env, IDP "AdminUpdateUserAttributes",
                      "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"UserAttributes\":"
                      "[{\"Name\":\"custom:level\",\"Value\":\"1\"}]}",
                      a.pool),
             "InvalidParameterException", NULL);
    tl_error(tu_callf(env, IDP "AddCustomAttributes",
                      "{\"UserPoolId\":\"us-east-1_nosuchpool\",\"CustomAttributes\":["
                      "{\"Name\":\"x\",\"AttributeDataType\":\"String\"}]}"),
             "ResourceNotFoundException", "User pool us-east-1_nosuchpool does not exist.");
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_admin");
    TCase *tc = tcase_create("admin");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ops_admin_delete_user);
    tcase_add_test(tc, test_ops_admin_disable_and_enable_user);
    tcase_add_test(tc, test_ops_admin_update_user_attributes);
    tcase_add_test(tc, test_ops_admin_verified_flag_applies_a_waiting_value);
    tcase_add_test(tc, test_ops_admin_delete_user_attributes);
    tcase_add_test(tc, test_ops_admin_set_user_password_permanent);
    tcase_add_test(tc, test_ops_admin_set_user_password_temporary);
    tcase_add_test(tc, test_ops_admin_create_user_resend_restarts_the_temporary_password);
    tcase_add_test(tc, test_ops_admin_reset_user_password);
    tcase_add_test(tc, test_ops_admin_user_global_sign_out);
    tcase_add_test(tc, test_ops_admin_add_custom_attributes);
    suite_add_tcase(s, tc);
    return s;
}
