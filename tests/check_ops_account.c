/*
 * check_ops_account: the self-service operations (ops_account.c) and the attribute and reset
 * rules they share with the administrator's (account.c): forgotten passwords, password
 * changes, attribute updates with verification and aliases, deletions, and revocation by
 * GlobalSignOut and RevokeToken as every token operation honours it (tokens.c). Operations run
 * through tu_call; codes are read back from the store (testlife.h).
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
    "{\"Name\":\"email_verified\",\"Value\":\"true\"},{\"Name\":\"given_name\",\"Value\":\"Al\"}]"
#define INCORRECT "Incorrect username or password."
#define REVOKED "Access Token has been revoked"

static cJSON *forgot(const struct tl_app *a, const char *username)
{
    return tu_callf(env, IDP "ForgotPassword", "{\"ClientId\":\"%s\",\"Username\":\"%s\"}",
                    a->client, username);
}

static cJSON *confirm_forgot(const struct tl_app *a, const char *username, const char *code,
                             const char *password)
{
    return tu_callf(env, IDP "ConfirmForgotPassword",
                    "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"ConfirmationCode\":\"%s\","
                    "\"Password\":\"%s\"}",
                    a->client, username, code, password);
}

static cJSON *update_attrs(const char *access, const char *attrs)
{
    return tu_callf(env, IDP "UpdateUserAttributes",
                    "{\"AccessToken\":\"%s\",\"UserAttributes\":%s}", access, attrs);
}

static cJSON *verify(const char *access, const char *attribute, const char *code)
{
    return tu_callf(env, IDP "VerifyUserAttribute",
                    "{\"AccessToken\":\"%s\",\"AttributeName\":\"%s\",\"Code\":\"%s\"}", access,
                    attribute, code);
}

/* The GetUser attribute name of the token's user must be value (NULL: absent). */
static void assert_attr(const char *access, const char *name, const char *value)
{
    cJSON *resp = tl_get_user(access);
    const char *got;

    ck_assert_msg(tu_error_type(resp) == NULL, "GetUser: %s", tu_str(resp, "message"));
    got = tl_attr(tu_get(resp, "UserAttributes"), name);
    if (value == NULL)
        ck_assert_msg(got == NULL, "%s is %s", name, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, value) == 0, "%s is %s, not %s", name,
                      got ? got : "(none)", value);
    cJSON_Delete(resp);
}

/* ---- ForgotPassword and ConfirmForgotPassword -------------------------------------------- */

START_TEST(test_ops_account_forgot_password_sends_a_code_that_resets)
{
    struct tl_app a;
    struct tl_tokens t;
    const cJSON *d;
    char code[7];
    cJSON *resp;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    resp = forgot(&a, "alice");
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    d = tu_get(resp, "CodeDeliveryDetails");
    ck_assert_str_eq(tu_str(d, "Destination"), "a***@e***");
    ck_assert_str_eq(tu_str(d, "DeliveryMedium"), "EMAIL");
    ck_assert_str_eq(tu_str(d, "AttributeName"), "email");
    cJSON_Delete(resp);
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_RESET_PURPOSE, code), 0);
    tu_assert_matches(code, "^[0-9]{6}$");

    /* The old password still signs in until the reset is confirmed. */
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_tokens_free(&t);
    tl_error(confirm_forgot(&a, "alice", "000000", "N3w-passw0rd"), "CodeMismatchException",
             "Invalid verification code provided, please try again.");
    tl_error(confirm_forgot(&a, "alice", code, "short"), "InvalidPasswordException",
             "Password did not conform with policy: Password not long enough");
    tl_ok(confirm_forgot(&a, "alice", code, "N3w-passw0rd"));
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "NotAuthorizedException", INCORRECT);
    tl_sign_in(&a, "alice", "N3w-passw0rd", &t);
    tl_tokens_free(&t);
    tl_assert_status(&a, "alice", "CONFIRMED");
    /* The code is used up. */
    ck_assert_int_ne(tl_code(&a, "alice", ACCOUNT_RESET_PURPOSE, code), 0);
    tl_error(confirm_forgot(&a, "alice", code, "An0ther-passw0rd"), "CodeMismatchException", NULL);
}
END_TEST

START_TEST(test_ops_account_forgot_password_code_lasts_an_hour)
{
    struct tl_app a;
    char code[7];

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_ok(forgot(&a, "alice"));
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_RESET_PURPOSE, code), 0);
    clock_set_offset_ms(3600 * 1000 + 1000);
    tl_error(confirm_forgot(&a, "alice", code, "N3w-passw0rd"), "ExpiredCodeException",
             "Invalid code provided, please request a code again.");
    clock_set_offset_ms(3600 * 1000 - 60 * 1000);
    tl_ok(confirm_forgot(&a, "alice", code, "N3w-passw0rd"));
}
END_TEST

START_TEST(test_ops_account_forgot_password_needs_a_verified_destination)
{
    struct tl_app a, b, c;
    cJSON *resp;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "unverified", "[{\"Name\":\"email\",\"Value\":\"u@example.com\"}]");
    tl_error(forgot(&a, "unverified"), "InvalidParameterException",
             "Cannot reset password for the user as there is no registered/verified email or "
             "phone_number");
    /* Without AccountRecoverySetting a verified phone number comes first. */
    tl_user(&a, "both",
            "[{\"Name\":\"email\",\"Value\":\"b@example.com\"},{\"Name\":\"email_verified\","
            "\"Value\":\"true\"},{\"Name\":\"phone_number\",\"Value\":\"+15555550100\"},"
            "{\"Name\":\"phone_number_verified\",\"Value\":\"true\"}]");
    resp = forgot(&a, "both");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "DeliveryMedium"), "SMS");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "Destination"), "+*******0100");
    cJSON_Delete(resp);

    /* RecoveryMechanisms decide by priority. */
    tl_app(&b,
           "{\"PoolName\":\"p\",\"AccountRecoverySetting\":{\"RecoveryMechanisms\":["
           "{\"Name\":\"verified_phone_number\",\"Priority\":2},"
           "{\"Name\":\"verified_email\",\"Priority\":1}]}}",
           "");
    tl_user(&b, "both",
            "[{\"Name\":\"email\",\"Value\":\"b@example.com\"},{\"Name\":\"email_verified\","
            "\"Value\":\"true\"},{\"Name\":\"phone_number\",\"Value\":\"+15555550100\"},"
            "{\"Name\":\"phone_number_verified\",\"Value\":\"true\"}]");
    resp = forgot(&b, "both");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "DeliveryMedium"), "EMAIL");
    cJSON_Delete(resp);

    tl_app(&c,
           "{\"PoolName\":\"p\",\"AccountRecoverySetting\":{\"RecoveryMechanisms\":["
           "{\"Name\":\"admin_only\",\"Priority\":1}]}}",
           "");
    tl_user(&c, "alice", ALICE_ATTRS);
    tl_error(forgot(&c, "alice"), "NotAuthorizedException",
             "Contact administrator to reset password.");
}
END_TEST

START_TEST(test_ops_account_forgot_password_users_it_refuses)
{
    struct tl_app a, hiding;
    cJSON *resp;

    tl_app(&a, EMAIL_POOL, "");
    tl_error(forgot(&a, "nobody"), "UserNotFoundException",
             "Username/client id combination not found.");
    tl_error(confirm_forgot(&a, "nobody", "123456", "N3w-passw0rd"), "UserNotFoundException",
             "Username/client id combination not found.");

    /* A client that hides users answers as if a code had been sent. */
    tl_client(&a, "\"PreventUserExistenceErrors\":\"ENABLED\"", &hiding);
    resp = forgot(&hiding, "nobody@example.com");
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "DeliveryMedium"), "EMAIL");
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "Destination"), "n***@e***");
    cJSON_Delete(resp);
    tl_error(confirm_forgot(&hiding, "nobody", "123456", "N3w-passw0rd"), "CodeMismatchException",
             "Invalid verification code provided, please try again.");

    /* A user who has not chosen a password yet, and a disabled user. */
    tl_ok(tu_callf(env, IDP "AdminCreateUser",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"fresh\",\"MessageAction\":\"SUPPRESS\","
                   "\"UserAttributes\":" ALICE_ATTRS "}",
                   a.pool));
    tl_error(forgot(&a, "fresh"), "NotAuthorizedException",
             "User password cannot be reset in the current state.");
    tl_user(&a, "bob",
            "[{\"Name\":\"email\",\"Value\":\"bob@example.com\"},{\"Name\":\"email_verified\","
            "\"Value\":\"true\"}]");
    tl_ok(tu_callf(env, IDP "AdminDisableUser", "{\"UserPoolId\":\"%s\",\"Username\":\"bob\"}",
                   a.pool));
    tl_error(forgot(&a, "bob"), "NotAuthorizedException", "User is disabled.");
}
END_TEST

START_TEST(test_ops_account_forgot_password_checks_the_secret_hash)
{
    struct tl_app a, s;
    char *hash, code[7];

    tl_app(&a, EMAIL_POOL, "");
    tl_client(&a, "\"GenerateSecret\":true", &s);
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_error(forgot(&s, "alice"), "NotAuthorizedException", NULL);
    hash = tl_secret_hash(&s, "alice");
    tl_ok(tu_callf(env, IDP "ForgotPassword",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"SecretHash\":\"%s\"}", s.client,
                   hash));
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_RESET_PURPOSE, code), 0);
    tl_error(confirm_forgot(&s, "alice", code, "N3w-passw0rd"), "NotAuthorizedException", NULL);
    tl_ok(tu_callf(env, IDP "ConfirmForgotPassword",
                   "{\"ClientId\":\"%s\",\"Username\":\"alice\",\"ConfirmationCode\":\"%s\","
                   "\"Password\":\"N3w-passw0rd\",\"SecretHash\":\"%s\"}",
                   s.client, code, hash));
    free(hash);
}
END_TEST

/* ---- ChangePassword ---------------------------------------------------------------------- */

START_TEST(test_ops_account_change_password)
{
    struct tl_app a;
    struct tl_tokens t, t2;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_error(tu_callf(env, IDP "ChangePassword",
                      "{\"AccessToken\":\"%s\",\"PreviousPassword\":\"Wr0ng-pass\","
                      "\"ProposedPassword\":\"N3w-passw0rd\"}",
                      t.access),
             "NotAuthorizedException", INCORRECT);
    tl_error(tu_callf(env, IDP "ChangePassword",
                      "{\"AccessToken\":\"%s\",\"PreviousPassword\":\"" TL_PASSWORD "\","
                      "\"ProposedPassword\":\"nouppercase1!\"}",
                      t.access),
             "InvalidPasswordException",
             "Password did not conform with policy: Password must have uppercase characters");
    tl_error(tu_callf(env, IDP "ChangePassword",
                      "{\"AccessToken\":\"not.a.token\",\"PreviousPassword\":\"" TL_PASSWORD "\","
                      "\"ProposedPassword\":\"N3w-passw0rd\"}"),
             "NotAuthorizedException", "Invalid Access Token");
    tl_ok(tu_callf(env, IDP "ChangePassword",
                   "{\"AccessToken\":\"%s\",\"PreviousPassword\":\"" TL_PASSWORD "\","
                   "\"ProposedPassword\":\"N3w-passw0rd\"}",
                   t.access));
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "NotAuthorizedException", INCORRECT);
    tl_sign_in(&a, "alice", "N3w-passw0rd", &t2);
    /* The tokens of earlier sign-ins stay valid. */
    tl_ok(tl_get_user(t.access));
    tl_tokens_free(&t);
    tl_tokens_free(&t2);
}
END_TEST

/* ---- UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute -------- */

START_TEST(test_ops_account_update_unverifies_a_changed_email_until_verified)
{
    struct tl_app a;
    struct tl_tokens t;
    const cJSON *list;
    char code[7];
    cJSON *resp;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);

    /* Attributes that need no verification send nothing. */
    resp = update_attrs(t.access, "[{\"Name\":\"given_name\",\"Value\":\"Alice\"}]");
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "CodeDeliveryDetailsList")), 0);
    cJSON_Delete(resp);
    assert_attr(t.access, "given_name", "Alice");

    resp = update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"new@example.org\"}]");
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    list = tu_get(resp, "CodeDeliveryDetailsList");
    ck_assert_int_eq(cJSON_GetArraySize(list), 1);
    ck_assert_str_eq(tu_str(list->child, "Destination"), "n***@e***");
    ck_assert_str_eq(tu_str(list->child, "DeliveryMedium"), "EMAIL");
    ck_assert_str_eq(tu_str(list->child, "AttributeName"), "email");
    cJSON_Delete(resp);
    assert_attr(t.access, "email", "new@example.org");
    assert_attr(t.access, "email_verified", "false");

    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);
    tl_error(verify(t.access, "email", "000000"), "CodeMismatchException",
             "Invalid verification code provided, please try again.");
    tl_ok(verify(t.access, "email", code));
    assert_attr(t.access, "email_verified", "true");
    ck_assert_int_ne(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_ops_account_verification_code_on_request_and_its_expiry)
{
    struct tl_app a;
    struct tl_tokens t;
    char code[7];
    cJSON *resp;

    tl_app(&a, "{\"PoolName\":\"p\"}", "");
    tl_user(&a, "alice", "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"}]");
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    resp = tu_callf(env, IDP "GetUserAttributeVerificationCode",
                    "{\"AccessToken\":\"%s\",\"AttributeName\":\"email\"}", t.access);
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetails"), "Destination"), "a***@e***");
    cJSON_Delete(resp);
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);

    tl_error(tu_callf(env, IDP "GetUserAttributeVerificationCode",
                      "{\"AccessToken\":\"%s\",\"AttributeName\":\"phone_number\"}", t.access),
             "InvalidParameterException", NULL);
    tl_error(tu_callf(env, IDP "GetUserAttributeVerificationCode",
                      "{\"AccessToken\":\"%s\",\"AttributeName\":\"given_name\"}", t.access),
             "InvalidParameterException", NULL);

    /* Attribute codes last 24 hours; the access token is refreshed meanwhile. */
    clock_set_offset_ms(TL_DAY_MS + 1000);
    {
        cJSON *r = tl_refresh_call(&a, t.refresh);
        const char *access = tu_str(tu_get(r, "AuthenticationResult"), "AccessToken");
        ck_assert_ptr_nonnull(access);
        tl_error(verify(access, "email", code), "ExpiredCodeException",
                 "Invalid code provided, please request a code again.");
        cJSON_Delete(r);
    }
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_ops_account_update_and_aliases)
{
    struct tl_app a;
    struct tl_tokens t;
    char code[7];

    tl_app(&a,
           "{\"PoolName\":\"p\",\"AliasAttributes\":[\"email\"],"
           "\"AutoVerifiedAttributes\":[\"email\"]}",
           "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_user(&a, "bob",
            "[{\"Name\":\"email\",\"Value\":\"bob@example.com\"},{\"Name\":\"email_verified\","
            "\"Value\":\"true\"}]");
    tl_sign_in(&a, "alice@example.com", TL_PASSWORD, &t);

    /* An unverified email is no sign-in alias; the old one is gone. */
    tl_ok(update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"alice@new.example\"}]"));
    tl_error(tl_sign_in_call(&a, "alice@example.com", TL_PASSWORD), "UserNotFoundException", NULL);
    tl_error(tl_sign_in_call(&a, "alice@new.example", TL_PASSWORD), "UserNotFoundException", NULL);
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);
    tl_ok(verify(t.access, "email", code));
    tl_tokens_free(&t);
    tl_sign_in(&a, "alice@new.example", TL_PASSWORD, &t);

    /* Another user's verified email can be taken only unverified: verifying it collides. */
    tl_ok(update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"bob@example.com\"}]"));
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);
    tl_error(verify(t.access, "email", code), "AliasExistsException",
             "An account with the given email already exists.");
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_ops_account_update_in_an_email_username_pool)
{
    struct tl_app a;
    struct tl_tokens t;

    tl_app(&a, "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"]}", "");
    tl_ok(tu_callf(
        env, IDP "SignUp",
        "{\"ClientId\":\"%s\",\"Username\":\"alice@example.com\",\"Password\":\"" TL_PASSWORD "\"}",
        a.client));
    tl_ok(tu_callf(
        env, IDP "SignUp",
        "{\"ClientId\":\"%s\",\"Username\":\"bob@example.com\",\"Password\":\"" TL_PASSWORD "\"}",
        a.client));
    tl_ok(tu_callf(env, IDP "AdminConfirmSignUp",
                   "{\"UserPoolId\":\"%s\",\"Username\":\"alice@example.com\"}", a.pool));
    tl_sign_in(&a, "alice@example.com", TL_PASSWORD, &t);
    tl_error(update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"bob@example.com\"}]"),
             "AliasExistsException", "An account with the given email already exists.");
    /* The email is the sign-in name, verified or not. */
    tl_ok(update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"alice@new.example\"}]"));
    tl_tokens_free(&t);
    tl_sign_in(&a, "alice@new.example", TL_PASSWORD, &t);
    tl_error(tl_sign_in_call(&a, "alice@example.com", TL_PASSWORD), "UserNotFoundException", NULL);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_ops_account_update_waits_for_verification_when_the_pool_says_so)
{
    struct tl_app a;
    struct tl_tokens t;
    char code[7];
    cJSON *resp;

    tl_app(&a,
           "{\"PoolName\":\"p\",\"AutoVerifiedAttributes\":[\"email\"],"
           "\"UserAttributeUpdateSettings\":{\"AttributesRequireVerificationBeforeUpdate\":"
           "[\"email\"]}}",
           "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    resp = update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"new@example.org\"}]");
    ck_assert_msg(tu_error_type(resp) == NULL, "%s", tu_str(resp, "message"));
    ck_assert_str_eq(tu_str(tu_get(resp, "CodeDeliveryDetailsList")->child, "Destination"),
                     "n***@e***");
    cJSON_Delete(resp);
    /* The old value stays in use until the new one is verified. */
    assert_attr(t.access, "email", "alice@example.com");
    assert_attr(t.access, "email_verified", "true");
    ck_assert_int_eq(tl_code(&a, "alice", ACCOUNT_VERIFY_PURPOSE_EMAIL, code), 0);
    tl_ok(verify(t.access, "email", code));
    assert_attr(t.access, "email", "new@example.org");
    assert_attr(t.access, "email_verified", "true");
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_ops_account_update_refusals)
{
    struct tl_app a, limited;
    struct tl_tokens t;

    tl_app(&a,
           "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"email\",\"Required\":true},"
           "{\"Name\":\"team\",\"AttributeDataType\":\"String\",\"Mutable\":false}]}",
           "");
    tl_user(&a, "alice",
            "[{\"Name\":\"email\",\"Value\":\"alice@example.com\"},"
            "{\"Name\":\"custom:team\",\"Value\":\"blue\"}]");
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_error(update_attrs(t.access, "[{\"Name\":\"email_verified\",\"Value\":\"true\"}]"),
             "NotAuthorizedException", "A client attempted to write unauthorized attribute");
    tl_error(update_attrs(t.access, "[{\"Name\":\"custom:nope\",\"Value\":\"x\"}]"),
             "InvalidParameterException",
             "Attributes did not conform to the schema: Type for attribute {custom:nope} could "
             "not be determined");
    tl_error(update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"not-an-email\"}]"),
             "InvalidParameterException", "Invalid email address format.");
    tl_error(update_attrs(t.access, "[{\"Name\":\"custom:team\",\"Value\":\"red\"}]"),
             "InvalidParameterException", "Cannot modify the non-mutable attribute custom:team");
    tl_error(update_attrs(t.access, "[{\"Name\":\"email\",\"Value\":\"\"}]"),
             "InvalidParameterException",
             "Attributes did not conform to the schema: emails: The attribute emails is required");
    /* Nothing changed. */
    assert_attr(t.access, "email", "alice@example.com");
    assert_attr(t.access, "custom:team", "blue");
    tl_tokens_free(&t);

    /* A client's WriteAttributes limit what its users may change. */
    tl_client(&a, "\"WriteAttributes\":[\"email\"]", &limited);
    tl_sign_in(&limited, "alice", TL_PASSWORD, &t);
    tl_error(update_attrs(t.access, "[{\"Name\":\"given_name\",\"Value\":\"A\"}]"),
             "NotAuthorizedException", "A client attempted to write unauthorized attribute");
    tl_tokens_free(&t);
}
END_TEST

/* ---- DeleteUserAttributes, DeleteUser ---------------------------------------------------- */

START_TEST(test_ops_account_delete_user_attributes)
{
    struct tl_app a;
    struct tl_tokens t;

    tl_app(&a, "{\"PoolName\":\"p\",\"AliasAttributes\":[\"email\"]}", "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice@example.com", TL_PASSWORD, &t);
    tl_ok(tu_callf(env, IDP "DeleteUserAttributes",
                   "{\"AccessToken\":\"%s\",\"UserAttributeNames\":[\"given_name\",\"email\"]}",
                   t.access));
    assert_attr(t.access, "given_name", NULL);
    assert_attr(t.access, "email", NULL);
    assert_attr(t.access, "email_verified", NULL);
    tl_error(tl_sign_in_call(&a, "alice@example.com", TL_PASSWORD), "UserNotFoundException", NULL);
    tl_error(tu_callf(env, IDP "DeleteUserAttributes",
                      "{\"AccessToken\":\"%s\",\"UserAttributeNames\":[\"sub\"]}", t.access),
             "NotAuthorizedException", "A client attempted to write unauthorized attribute");
    tl_error(tu_callf(env, IDP "DeleteUserAttributes",
                      "{\"AccessToken\":\"%s\",\"UserAttributeNames\":[\"custom:x\"]}", t.access),
             "InvalidParameterException", NULL);
    tl_tokens_free(&t);
}
END_TEST

START_TEST(test_ops_account_delete_user)
{
    struct tl_app a;
    struct tl_tokens t;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t);
    tl_ok(tu_callf(env, IDP "DeleteUser", "{\"AccessToken\":\"%s\"}", t.access));
    tl_error(tl_get_user(t.access), "NotAuthorizedException", "User does not exist.");
    tl_error(tl_refresh_call(&a, t.refresh), "NotAuthorizedException", "Invalid Refresh Token");
    tl_error(tl_sign_in_call(&a, "alice", TL_PASSWORD), "UserNotFoundException",
             "User does not exist.");
    tl_error(tu_callf(env, IDP "DeleteUser", "{\"AccessToken\":\"%s\"}", t.access),
             "NotAuthorizedException", "User does not exist.");
    tl_tokens_free(&t);
}
END_TEST

/* ---- GlobalSignOut, RevokeToken ---------------------------------------------------------- */

START_TEST(test_ops_account_global_sign_out_revokes_every_session)
{
    struct tl_app a, other;
    struct tl_tokens t1, t2, t3;
    cJSON *refreshed;
    char *access;

    tl_app(&a, EMAIL_POOL, "");
    tl_client(&a, "", &other);
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_user(&a, "bob", "");
    tl_sign_in(&a, "alice", TL_PASSWORD, &t1);
    tl_sign_in(&other, "alice", TL_PASSWORD, &t2);
    tl_sign_in(&a, "bob", TL_PASSWORD, &t3);
    refreshed = tl_refresh_call(&a, t1.refresh);
    access = strdup(tu_str(tu_get(refreshed, "AuthenticationResult"), "AccessToken"));
    cJSON_Delete(refreshed);

    tl_ok(tu_callf(env, IDP "GlobalSignOut", "{\"AccessToken\":\"%s\"}", t1.access));
    tl_error(tl_get_user(t1.access), "NotAuthorizedException", REVOKED);
    tl_error(tl_get_user(access), "NotAuthorizedException", REVOKED);
    tl_error(tl_get_user(t2.access), "NotAuthorizedException", REVOKED);
    tl_error(tl_refresh_call(&a, t1.refresh), "NotAuthorizedException",
             "Refresh Token has been revoked");
    tl_error(tl_refresh_call(&other, t2.refresh), "NotAuthorizedException",
             "Refresh Token has been revoked");
    /* Every token operation refuses the revoked token. */
    tl_error(update_attrs(t1.access, "[{\"Name\":\"given_name\",\"Value\":\"X\"}]"),
             "NotAuthorizedException", REVOKED);
    tl_error(tu_callf(env, IDP "GlobalSignOut", "{\"AccessToken\":\"%s\"}", t1.access),
             "NotAuthorizedException", REVOKED);
    /* Another user is untouched, and a new sign-in (even in the same second) works. */
    tl_ok(tl_get_user(t3.access));
    tl_tokens_free(&t1);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t1);
    tl_ok(tl_get_user(t1.access));
    tl_ok(tl_refresh_call(&a, t1.refresh));

    free(access);
    tl_tokens_free(&t1);
    tl_tokens_free(&t2);
    tl_tokens_free(&t3);
}
END_TEST

START_TEST(test_ops_account_revoke_token_revokes_one_session)
{
    struct tl_app a;
    struct tl_tokens t1, t2;
    cJSON *refreshed;
    char *access;

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t1);
    tl_sign_in(&a, "alice", TL_PASSWORD, &t2);
    refreshed = tl_refresh_call(&a, t1.refresh);
    access = strdup(tu_str(tu_get(refreshed, "AuthenticationResult"), "AccessToken"));
    cJSON_Delete(refreshed);

    tl_ok(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", a.client,
                   t1.refresh));
    tl_error(tl_get_user(t1.access), "NotAuthorizedException", REVOKED);
    tl_error(tl_get_user(access), "NotAuthorizedException", REVOKED);
    tl_error(tl_refresh_call(&a, t1.refresh), "NotAuthorizedException",
             "Refresh Token has been revoked");
    /* The other session keeps working. */
    tl_ok(tl_get_user(t2.access));
    tl_ok(tl_refresh_call(&a, t2.refresh));
    /* Revoking again, or a token the client does not know, is no error (RFC 7009). */
    tl_ok(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", a.client,
                   t1.refresh));
    tl_ok(
        tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"garbage\"}", a.client));
    tl_error(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", a.client,
                      t2.access),
             "UnsupportedTokenTypeException", NULL);
    tl_error(
        tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", a.client, t2.id),
        "UnsupportedTokenTypeException", NULL);
    tl_error(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"nosuchclient\",\"Token\":\"x\"}"),
             "ResourceNotFoundException", NULL);
    free(access);
    tl_tokens_free(&t1);
    tl_tokens_free(&t2);
}
END_TEST

START_TEST(test_ops_account_revoke_token_client_rules)
{
    struct tl_app a, s, off;
    struct tl_tokens t;
    char message[160];

    tl_app(&a, EMAIL_POOL, "");
    tl_user(&a, "alice", ALICE_ATTRS);
    tl_client(&a, "\"GenerateSecret\":true", &s);
    tl_sign_in(&s, "alice", TL_PASSWORD, &t);
    snprintf(message, sizeof(message),
             "Client %s is configured for secret but secret was not received", s.client);
    tl_error(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", s.client,
                      t.refresh),
             "UnauthorizedException", message);
    tl_error(tu_callf(env, IDP "RevokeToken",
                      "{\"ClientId\":\"%s\",\"Token\":\"%s\","
                      "\"ClientSecret\":\"wrongwrongwrongwrongwrong\"}",
                      s.client, t.refresh),
             "UnauthorizedException", NULL);
    /* Another client's token is not this client's to revoke. */
    tl_ok(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", a.client,
                   t.refresh));
    tl_ok(tl_get_user(t.access));
    tl_ok(tu_callf(env, IDP "RevokeToken",
                   "{\"ClientId\":\"%s\",\"Token\":\"%s\",\"ClientSecret\":\"%s\"}", s.client,
                   t.refresh, s.secret));
    tl_error(tl_get_user(t.access), "NotAuthorizedException", REVOKED);
    tl_tokens_free(&t);

    tl_client(&a, "\"EnableTokenRevocation\":false", &off);
    tl_sign_in(&off, "alice", TL_PASSWORD, &t);
    tl_error(tu_callf(env, IDP "RevokeToken", "{\"ClientId\":\"%s\",\"Token\":\"%s\"}", off.client,
                      t.refresh),
             "UnsupportedOperationException", NULL);
    tl_tokens_free(&t);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_account");
    TCase *tc = tcase_create("account");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ops_account_forgot_password_sends_a_code_that_resets);
    tcase_add_test(tc, test_ops_account_forgot_password_code_lasts_an_hour);
    tcase_add_test(tc, test_ops_account_forgot_password_needs_a_verified_destination);
    tcase_add_test(tc, test_ops_account_forgot_password_users_it_refuses);
    tcase_add_test(tc, test_ops_account_forgot_password_checks_the_secret_hash);
    tcase_add_test(tc, test_ops_account_change_password);
    tcase_add_test(tc, test_ops_account_update_unverifies_a_changed_email_until_verified);
    tcase_add_test(tc, test_ops_account_verification_code_on_request_and_its_expiry);
    tcase_add_test(tc, test_ops_account_update_and_aliases);
    tcase_add_test(tc, test_ops_account_update_in_an_email_username_pool);
    tcase_add_test(tc, test_ops_account_update_waits_for_verification_when_the_pool_says_so);
    tcase_add_test(tc, test_ops_account_update_refusals);
    tcase_add_test(tc, test_ops_account_delete_user_attributes);
    tcase_add_test(tc, test_ops_account_delete_user);
    tcase_add_test(tc, test_ops_account_global_sign_out_revokes_every_session);
    tcase_add_test(tc, test_ops_account_revoke_token_revokes_one_session);
    tcase_add_test(tc, test_ops_account_revoke_token_client_rules);
    suite_add_tcase(s, tc);
    return s;
}
