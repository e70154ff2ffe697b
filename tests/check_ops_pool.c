/*
 * check_ops_pool: the user pool operations (ops_pool.c, with the defaults of pool.c),
 * driven through tu_call exactly as the server runs them, validation included.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "dispatch.h"
#include "store/store.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

static cJSON *describe(const char *id)
{
    return tu_callf(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", id);
}

/* The schema entry called name, or NULL. */
static const cJSON *schema_attr(const cJSON *pool, const char *name)
{
    const cJSON *attr;

    cJSON_ArrayForEach(attr, tu_get(pool, "SchemaAttributes"))
    {
        if (strcmp(tu_str(attr, "Name"), name) == 0)
            return attr;
    }
    return NULL;
}

static const char *const STANDARD_ORDER[] = {
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "identities",
};
#define NSTANDARD (sizeof(STANDARD_ORDER) / sizeof(STANDARD_ORDER[0]))

START_TEST(test_ops_pool_create_returns_every_default)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool", "{\"PoolName\":\"my pool\"}");
    const cJSON *pool = tu_get(resp, "UserPool"), *pp, *attr, *c;
    char arn[256];
    size_t i = 0;

    ck_assert_ptr_null(tu_error_type(resp));
    tu_assert_matches(tu_str(pool, "Id"), "^us-east-1_[0-9A-Za-z]{9}$");
    snprintf(arn, sizeof(arn), "arn:aws:cognito-idp:us-east-1:123456789012:userpool/%s",
             tu_str(pool, "Id"));
    ck_assert_str_eq(tu_str(pool, "Arn"), arn);
    ck_assert_str_eq(tu_str(pool, "Name"), "my pool");

    pp = tu_get(tu_get(pool, "Policies"), "PasswordPolicy");
    ck_assert_int_eq((int)tu_num(pp, "MinimumLength"), 8);
    ck_assert(tu_bool(pp, "RequireUppercase") && tu_bool(pp, "RequireLowercase"));
    ck_assert(tu_bool(pp, "RequireNumbers") && tu_bool(pp, "RequireSymbols"));
    ck_assert_int_eq((int)tu_num(pp, "TemporaryPasswordValidityDays"), 7);

    ck_assert_int_eq(cJSON_GetArraySize(tu_get(pool, "SchemaAttributes")), (int)NSTANDARD);
    cJSON_ArrayForEach(attr, tu_get(pool, "SchemaAttributes"))
    {
        ck_assert_str_eq(tu_str(attr, "Name"), STANDARD_ORDER[i++]);
        ck_assert(!tu_bool(attr, "DeveloperOnlyAttribute"));
    }
    attr = schema_attr(pool, "sub");
    ck_assert_str_eq(tu_str(attr, "AttributeDataType"), "String");
    ck_assert(!tu_bool(attr, "Mutable") && tu_bool(attr, "Required"));
    c = tu_get(attr, "StringAttributeConstraints");
    ck_assert_str_eq(tu_str(c, "MinLength"), "1");
    ck_assert_str_eq(tu_str(c, "MaxLength"), "2048");
    attr = schema_attr(pool, "email");
    ck_assert(tu_bool(attr, "Mutable") && !tu_bool(attr, "Required"));
    ck_assert_str_eq(tu_str(tu_get(attr, "StringAttributeConstraints"), "MinLength"), "0");
    c = tu_get(schema_attr(pool, "birthdate"), "StringAttributeConstraints");
    ck_assert_str_eq(tu_str(c, "MinLength"), "10");
    ck_assert_str_eq(tu_str(c, "MaxLength"), "10");
    attr = schema_attr(pool, "email_verified");
    ck_assert_str_eq(tu_str(attr, "AttributeDataType"), "Boolean");
    ck_assert_ptr_null(tu_get(attr, "StringAttributeConstraints"));
    attr = schema_attr(pool, "updated_at");
    ck_assert_str_eq(tu_str(attr, "AttributeDataType"), "Number");
    ck_assert_str_eq(tu_str(tu_get(attr, "NumberAttributeConstraints"), "MinValue"), "0");
    c = tu_get(schema_attr(pool, "identities"), "StringAttributeConstraints");
    ck_assert(cJSON_IsObject(c) && c->child == NULL);

    ck_assert(cJSON_IsObject(tu_get(pool, "LambdaConfig")) &&
              tu_get(pool, "LambdaConfig")->child == NULL);
    ck_assert_str_eq(tu_str(pool, "MfaConfiguration"), "OFF");
    ck_assert_int_eq((int)tu_num(pool, "EstimatedNumberOfUsers"), 0);
    ck_assert_str_eq(tu_str(tu_get(pool, "EmailConfiguration"), "EmailSendingAccount"),
                     "COGNITO_DEFAULT");
    ck_assert(!tu_bool(tu_get(pool, "AdminCreateUserConfig"), "AllowAdminCreateUserOnly"));
    ck_assert_int_eq(
        (int)tu_num(tu_get(pool, "AdminCreateUserConfig"), "UnusedAccountValidityDays"), 7);
    ck_assert_str_eq(tu_str(tu_get(pool, "VerificationMessageTemplate"), "DefaultEmailOption"),
                     "CONFIRM_WITH_CODE");
    ck_assert(cJSON_IsArray(tu_get(tu_get(pool, "UserAttributeUpdateSettings"),
                                   "AttributesRequireVerificationBeforeUpdate")));
    ck_assert_str_eq(tu_str(pool, "DeletionProtection"), "INACTIVE");
    ck_assert_str_eq(tu_str(pool, "UserPoolTier"), "ESSENTIALS");
    ck_assert(tu_num(pool, "CreationDate") > 1.0e9);
    ck_assert(tu_num(pool, "CreationDate") == tu_num(pool, "LastModifiedDate"));
    /* Settings without a default appear only when the request gives them. */
    ck_assert_ptr_null(tu_get(pool, "AccountRecoverySetting"));
    ck_assert_ptr_null(tu_get(pool, "UserPoolTags"));
    ck_assert_ptr_null(tu_get(pool, "AliasAttributes"));
    ck_assert_ptr_null(tu_get(pool, "UsernameAttributes"));
    ck_assert_ptr_null(tu_get(pool, "AutoVerifiedAttributes"));
    ck_assert_ptr_null(tu_get(pool, "SmsVerificationMessage"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_create_keeps_request_settings)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool",
                          "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"],"
                          "\"AutoVerifiedAttributes\":[\"email\"],"
                          "\"UsernameConfiguration\":{\"CaseSensitive\":false},"
                          "\"UserPoolTags\":{\"team\":\"auth\"},\"MfaConfiguration\":\"OPTIONAL\","
                          "\"DeletionProtection\":\"ACTIVE\",\"UserPoolTier\":\"PLUS\","
                          "\"LambdaConfig\":{\"PreSignUp\":\"arn:aws:lambda:us-east-1:"
                          "123456789012:function:f\"},"
                          "\"AccountRecoverySetting\":{\"RecoveryMechanisms\":"
                          "[{\"Name\":\"verified_email\",\"Priority\":1}]},"
                          "\"EmailConfiguration\":{\"ReplyToEmailAddress\":\"a@example.com\"}}");
    const cJSON *pool = tu_get(resp, "UserPool");

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(pool, "UsernameAttributes"), 0)->valuestring,
                     "email");
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(pool, "AutoVerifiedAttributes"), 0)->valuestring,
                     "email");
    ck_assert(!tu_bool(tu_get(pool, "UsernameConfiguration"), "CaseSensitive"));
    ck_assert_str_eq(tu_str(tu_get(pool, "UserPoolTags"), "team"), "auth");
    ck_assert_str_eq(tu_str(pool, "MfaConfiguration"), "OPTIONAL");
    ck_assert_str_eq(tu_str(pool, "DeletionProtection"), "ACTIVE");
    ck_assert_str_eq(tu_str(pool, "UserPoolTier"), "PLUS");
    ck_assert_str_eq(tu_str(tu_get(pool, "LambdaConfig"), "PreSignUp"),
                     "arn:aws:lambda:us-east-1:123456789012:function:f");
    ck_assert_str_eq(
        tu_str(cJSON_GetArrayItem(
                   tu_get(tu_get(pool, "AccountRecoverySetting"), "RecoveryMechanisms"), 0),
               "Name"),
        "verified_email");
    ck_assert_str_eq(tu_str(tu_get(pool, "EmailConfiguration"), "ReplyToEmailAddress"),
                     "a@example.com");
    ck_assert_str_eq(tu_str(tu_get(pool, "EmailConfiguration"), "EmailSendingAccount"),
                     "COGNITO_DEFAULT");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_create_adds_custom_attributes_after_standard_ones)
{
    cJSON *resp = tu_call(
        env, IDP "CreateUserPool",
        "{\"PoolName\":\"p\",\"Schema\":["
        "{\"Name\":\"tenant\",\"AttributeDataType\":\"String\","
        "\"StringAttributeConstraints\":{\"MinLength\":\"1\",\"MaxLength\":\"256\"}},"
        "{\"Name\":\"email\",\"AttributeDataType\":\"String\",\"Required\":true,\"Mutable\":true},"
        "{\"Name\":\"level\",\"AttributeDataType\":\"Number\",\"Mutable\":false},"
        "{\"Name\":\"internal\",\"AttributeDataType\":\"String\",\"DeveloperOnlyAttribute\":true}]"
        "}");
    const cJSON *pool = tu_get(resp, "UserPool"), *attr;

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(pool, "SchemaAttributes")), (int)NSTANDARD + 3);
    ck_assert_str_eq(
        tu_str(cJSON_GetArrayItem(tu_get(pool, "SchemaAttributes"), NSTANDARD), "Name"),
        "custom:tenant");
    attr = schema_attr(pool, "custom:tenant");
    ck_assert_str_eq(tu_str(attr, "AttributeDataType"), "String");
    ck_assert(tu_bool(attr, "Mutable") && !tu_bool(attr, "Required"));
    ck_assert_str_eq(tu_str(tu_get(attr, "StringAttributeConstraints"), "MaxLength"), "256");
    attr = schema_attr(pool, "custom:level");
    ck_assert_str_eq(tu_str(attr, "AttributeDataType"), "Number");
    ck_assert(!tu_bool(attr, "Mutable"));
    attr = schema_attr(pool, "dev:custom:internal");
    ck_assert_ptr_nonnull(attr);
    ck_assert(tu_bool(attr, "DeveloperOnlyAttribute"));
    /* A standard attribute in Schema changes the standard entry in place. */
    attr = schema_attr(pool, "email");
    ck_assert(tu_bool(attr, "Required"));
    ck_assert_str_eq(tu_str(tu_get(attr, "StringAttributeConstraints"), "MaxLength"), "2048");
    ck_assert_ptr_null(schema_attr(pool, "custom:email"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_create_refuses_required_custom_attribute)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool",
                          "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"tenant\","
                          "\"AttributeDataType\":\"String\",\"Required\":true}]}");

    tu_assert_error(resp, "InvalidParameterException",
                    "Required custom attributes are not supported currently.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_create_refuses_bad_schema_entries)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool",
                          "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"tenant\"}]}");
    tu_assert_error(
        resp, "InvalidParameterException",
        "Invalid AttributeDataType input, consider using the provided AttributeDataType "
        "enum.");
    cJSON_Delete(resp);

    resp = tu_call(env, IDP "CreateUserPool",
                   "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"email\","
                   "\"AttributeDataType\":\"Number\"}]}");
    tu_assert_error(resp, "InvalidParameterException",
                    "You can not change AttributeDataType or set developerOnlyAttribute for "
                    "standard schema attribute email");
    cJSON_Delete(resp);

    resp = tu_call(env, IDP "CreateUserPool",
                   "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"t\",\"AttributeDataType\":"
                   "\"String\",\"StringAttributeConstraints\":{\"MaxLength\":\"4096\"}}]}");
    tu_assert_error(resp, "InvalidParameterException",
                    "user.custom:t: String attributes cannot have a length of more than 2048");
    cJSON_Delete(resp);

    resp = tu_call(env, IDP "CreateUserPool",
                   "{\"PoolName\":\"p\",\"Schema\":[{\"Name\":\"t\",\"AttributeDataType\":"
                   "\"String\",\"StringAttributeConstraints\":{\"MinLength\":\"9\","
                   "\"MaxLength\":\"3\"}}]}");
    tu_assert_error(resp, "InvalidParameterException",
                    "user.custom:t: Max length cannot be less than min length.");
    cJSON_Delete(resp);

    {
        struct store_conn *conn = store_acquire(env->store);
        ck_assert_int_eq((int)store_doc_count(conn, STORE_USER_POOL, NULL), 0);
        store_release(env->store, conn);
    }
}
END_TEST

START_TEST(test_ops_pool_create_refuses_username_and_alias_attributes)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool",
                          "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"],"
                          "\"AliasAttributes\":[\"phone_number\"]}");

    tu_assert_error(resp, "InvalidParameterException",
                    "Only one of the aliasAttributes or usernameAttributes can be set in a User "
                    "Pool.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_create_fills_a_partial_password_policy)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool",
                          "{\"PoolName\":\"p\",\"Policies\":{\"PasswordPolicy\":"
                          "{\"MinimumLength\":12,\"RequireSymbols\":false}}}");
    const cJSON *pp = tu_get(tu_get(tu_get(resp, "UserPool"), "Policies"), "PasswordPolicy");

    ck_assert_int_eq((int)tu_num(pp, "MinimumLength"), 12);
    ck_assert(!tu_bool(pp, "RequireSymbols"));
    ck_assert(tu_bool(pp, "RequireUppercase"));
    ck_assert_int_eq((int)tu_num(pp, "TemporaryPasswordValidityDays"), 7);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_create_keeps_temporary_password_days_in_step)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool",
                          "{\"PoolName\":\"p\",\"AdminCreateUserConfig\":"
                          "{\"UnusedAccountValidityDays\":3,\"AllowAdminCreateUserOnly\":true}}");
    const cJSON *pool = tu_get(resp, "UserPool");

    ck_assert_int_eq((int)tu_num(tu_get(tu_get(pool, "Policies"), "PasswordPolicy"),
                                 "TemporaryPasswordValidityDays"),
                     3);
    ck_assert_int_eq(
        (int)tu_num(tu_get(pool, "AdminCreateUserConfig"), "UnusedAccountValidityDays"), 3);
    ck_assert(tu_bool(tu_get(pool, "AdminCreateUserConfig"), "AllowAdminCreateUserOnly"));
    cJSON_Delete(resp);

    resp = tu_call(env, IDP "CreateUserPool",
                   "{\"PoolName\":\"p\",\"Policies\":{\"PasswordPolicy\":"
                   "{\"TemporaryPasswordValidityDays\":2}},"
                   "\"AdminCreateUserConfig\":{\"UnusedAccountValidityDays\":2}}");
    tu_assert_error(resp, "InvalidParameterException",
                    "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of "
                    "UnusedAccountValidityDays");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_create_mirrors_verification_messages)
{
    cJSON *resp = tu_call(env, IDP "CreateUserPool",
                          "{\"PoolName\":\"p\",\"EmailVerificationSubject\":\"Your code\","
                          "\"VerificationMessageTemplate\":{\"SmsMessage\":\"Code {####}\"}}");
    const cJSON *pool = tu_get(resp, "UserPool"), *t = tu_get(pool, "VerificationMessageTemplate");

    ck_assert_str_eq(tu_str(t, "EmailSubject"), "Your code");
    ck_assert_str_eq(tu_str(t, "SmsMessage"), "Code {####}");
    ck_assert_str_eq(tu_str(t, "DefaultEmailOption"), "CONFIRM_WITH_CODE");
    ck_assert_str_eq(tu_str(pool, "EmailVerificationSubject"), "Your code");
    ck_assert_str_eq(tu_str(pool, "SmsVerificationMessage"), "Code {####}");
    ck_assert_ptr_null(tu_get(pool, "EmailVerificationMessage"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_id_uses_the_request_region)
{
    struct dispatch_result res;
    const char *auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-2/cognito-idp/"
                       "aws4_request, SignedHeaders=host, Signature=abc";
    const char *body = "{\"PoolName\":\"regional\"}";
    cJSON *resp;
    const cJSON *pool;

    dispatch_request(&env->app, IDP "CreateUserPool", auth, body, strlen(body), &res);
    ck_assert_int_eq(res.status, 200);
    resp = cJSON_Parse(res.body);
    dispatch_result_free(&res);
    pool = tu_get(resp, "UserPool");
    tu_assert_matches(tu_str(pool, "Id"), "^eu-west-2_[0-9A-Za-z]{9}$");
    tu_assert_matches(
        tu_str(pool, "Arn"),
        "^arn:aws:cognito-idp:eu-west-2:123456789012:userpool/eu-west-2_[0-9A-Za-z]{9}$");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_describe_returns_what_create_returned)
{
    cJSON *created =
        tu_call(env, IDP "CreateUserPool", "{\"PoolName\":\"p\",\"AliasAttributes\":[\"email\"]}");
    cJSON *described = describe(tu_str(tu_get(created, "UserPool"), "Id"));

    ck_assert(cJSON_Compare(tu_get(created, "UserPool"), tu_get(described, "UserPool"), 1));
    cJSON_Delete(created);
    cJSON_Delete(described);
}
END_TEST

START_TEST(test_ops_pool_unknown_pool_is_reported_by_every_operation)
{
    const char *id = "us-east-1_nopool123";
    cJSON *resp = describe(id);

    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nopool123 does not exist.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateUserPool", "{\"UserPoolId\":\"%s\"}", id);
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nopool123 does not exist.");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteUserPool", "{\"UserPoolId\":\"%s\"}", id);
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nopool123 does not exist.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_list_pages_through_every_pool_once)
{
    char *ids[5], token[64] = "";
    int seen[5] = {0}, pages = 0, total = 0;

    for (int i = 0; i < 5; i++) {
        char body[64];
        snprintf(body, sizeof(body), "{\"PoolName\":\"pool%d\"}", i);
        ids[i] = tu_create_user_pool(env, body);
    }
    do {
        cJSON *resp = token[0] ? tu_callf(env, IDP "ListUserPools",
                                          "{\"MaxResults\":2,\"NextToken\":\"%s\"}", token)
                               : tu_call(env, IDP "ListUserPools", "{\"MaxResults\":2}");
        const cJSON *item;

        ck_assert_ptr_null(tu_error_type(resp));
        ck_assert_int_le(cJSON_GetArraySize(tu_get(resp, "UserPools")), 2);
        cJSON_ArrayForEach(item, tu_get(resp, "UserPools"))
        {
            /* UserPoolDescriptionType: exactly these members. */
            ck_assert_int_eq(cJSON_GetArraySize(item), 5);
            ck_assert(cJSON_IsObject(tu_get(item, "LambdaConfig")));
            ck_assert(tu_num(item, "CreationDate") > 0 && tu_num(item, "LastModifiedDate") > 0);
            for (int i = 0; i < 5; i++)
                if (strcmp(tu_str(item, "Id"), ids[i]) == 0) {
                    char name[16];
                    snprintf(name, sizeof(name), "pool%d", i);
                    ck_assert_str_eq(tu_str(item, "Name"), name);
                    seen[i]++;
                }
            total++;
        }
        token[0] = '\0';
        if (tu_str(resp, "NextToken") != NULL)
            snprintf(token, sizeof(token), "%s", tu_str(resp, "NextToken"));
        pages++;
        cJSON_Delete(resp);
    } while (token[0] && pages < 10);
    ck_assert_int_eq(pages, 3);
    ck_assert_int_eq(total, 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(seen[i], 1);
        free(ids[i]);
    }
}
END_TEST

START_TEST(test_ops_pool_list_refuses_a_foreign_token)
{
    cJSON *resp = tu_call(env, IDP "ListUserPools", "{\"MaxResults\":5,\"NextToken\":\"bogus\"}");

    tu_assert_error(resp, "InvalidParameterException", "Invalid NextToken.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_list_requires_max_results)
{
    cJSON *resp = tu_call(env, IDP "ListUserPools", "{}");

    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_list_of_no_pools_is_empty)
{
    cJSON *resp = tu_call(env, IDP "ListUserPools", "{\"MaxResults\":60}");

    ck_assert(cJSON_IsArray(tu_get(resp, "UserPools")));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "UserPools")), 0);
    ck_assert_ptr_null(tu_get(resp, "NextToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_pool_update_resets_omitted_settings)
{
    char *id = tu_create_user_pool(
        env, "{\"PoolName\":\"p\",\"UsernameAttributes\":[\"email\"],"
             "\"Schema\":[{\"Name\":\"tenant\",\"AttributeDataType\":\"String\"}],"
             "\"Policies\":{\"PasswordPolicy\":{\"MinimumLength\":12}},"
             "\"DeletionProtection\":\"ACTIVE\",\"AutoVerifiedAttributes\":[\"email\"],"
             "\"UserPoolTags\":{\"a\":\"b\"},\"UserPoolTier\":\"PLUS\","
             "\"UsernameConfiguration\":{\"CaseSensitive\":false}}");
    cJSON *before = describe(id), *resp, *after;
    const cJSON *old = tu_get(before, "UserPool"), *pool;

    clock_set_offset_ms(60000);
    resp = tu_callf(env, IDP "UpdateUserPool",
                    "{\"UserPoolId\":\"%s\",\"MfaConfiguration\":\"OFF\"}", id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(resp), 0);
    after = describe(id);
    pool = tu_get(after, "UserPool");
    /* Omitted updatable settings are back to their defaults. */
    ck_assert_int_eq(
        (int)tu_num(tu_get(tu_get(pool, "Policies"), "PasswordPolicy"), "MinimumLength"), 8);
    ck_assert_str_eq(tu_str(pool, "DeletionProtection"), "INACTIVE");
    ck_assert_ptr_null(tu_get(pool, "AutoVerifiedAttributes"));
    ck_assert_ptr_null(tu_get(pool, "UserPoolTags"));
    /* Immutable members and the tier are kept; LastModifiedDate moves. */
    ck_assert_str_eq(tu_str(pool, "UserPoolTier"), "PLUS");
    ck_assert_str_eq(tu_str(pool, "Name"), "p");
    ck_assert_str_eq(tu_str(pool, "Arn"), tu_str(old, "Arn"));
    ck_assert(cJSON_Compare(tu_get(pool, "SchemaAttributes"), tu_get(old, "SchemaAttributes"), 1));
    ck_assert(
        cJSON_Compare(tu_get(pool, "UsernameAttributes"), tu_get(old, "UsernameAttributes"), 1));
    ck_assert(cJSON_Compare(tu_get(pool, "UsernameConfiguration"),
                            tu_get(old, "UsernameConfiguration"), 1));
    ck_assert(tu_num(pool, "CreationDate") == tu_num(old, "CreationDate"));
    ck_assert(tu_num(pool, "LastModifiedDate") >= tu_num(old, "LastModifiedDate") + 59.0);
    cJSON_Delete(before);
    cJSON_Delete(resp);
    cJSON_Delete(after);
    free(id);
}
END_TEST

START_TEST(test_ops_pool_update_applies_given_settings)
{
    char *id = tu_create_user_pool(env, "{\"PoolName\":\"old name\"}");
    cJSON *resp = tu_callf(env, IDP "UpdateUserPool",
                           "{\"UserPoolId\":\"%s\",\"PoolName\":\"new name\","
                           "\"Policies\":{\"PasswordPolicy\":{\"MinimumLength\":10,"
                           "\"RequireSymbols\":false}},\"UserPoolTags\":{\"k\":\"v\"}}",
                           id);
    cJSON *after = describe(id);
    const cJSON *pool = tu_get(after, "UserPool");

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(tu_str(pool, "Name"), "new name");
    ck_assert_int_eq(
        (int)tu_num(tu_get(tu_get(pool, "Policies"), "PasswordPolicy"), "MinimumLength"), 10);
    ck_assert(!tu_bool(tu_get(tu_get(pool, "Policies"), "PasswordPolicy"), "RequireSymbols"));
    ck_assert_str_eq(tu_str(tu_get(pool, "UserPoolTags"), "k"), "v");
    cJSON_Delete(resp);
    cJSON_Delete(after);
    free(id);
}
END_TEST

START_TEST(test_ops_pool_delete_honours_deletion_protection)
{
    char *id = tu_create_user_pool(env, "{\"PoolName\":\"p\",\"DeletionProtection\":\"ACTIVE\"}");
    cJSON *resp = tu_callf(env, IDP "DeleteUserPool", "{\"UserPoolId\":\"%s\"}", id);

    tu_assert_error(resp, "InvalidParameterException",
                    "The user pool cannot be deleted because deletion protection is activated. "
                    "Deletion protection must be inactivated first.");
    cJSON_Delete(resp);
    resp = describe(id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);

    resp = tu_callf(env, IDP "UpdateUserPool",
                    "{\"UserPoolId\":\"%s\",\"DeletionProtection\":\"INACTIVE\"}", id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteUserPool", "{\"UserPoolId\":\"%s\"}", id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(resp), 0);
    cJSON_Delete(resp);
    resp = describe(id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    free(id);
}
END_TEST

START_TEST(test_ops_pool_delete_removes_its_clients)
{
    char *id = tu_create_user_pool(env, "{\"PoolName\":\"p\"}"),
         *other = tu_create_user_pool(env, "{\"PoolName\":\"q\"}");
    cJSON *client, *resp;
    struct store_conn *conn;
    char client_id[64];

    client = tu_callf(env, IDP "CreateUserPoolClient",
                      "{\"UserPoolId\":\"%s\",\"ClientName\":\"c\"}", id);
    snprintf(client_id, sizeof(client_id), "%s",
             tu_str(tu_get(client, "UserPoolClient"), "ClientId"));
    cJSON_Delete(client);
    cJSON_Delete(tu_callf(env, IDP "CreateUserPoolClient",
                          "{\"UserPoolId\":\"%s\",\"ClientName\":\"keep\"}", other));

    resp = tu_callf(env, IDP "DeleteUserPool", "{\"UserPoolId\":\"%s\"}", id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    conn = store_acquire(env->store);
    ck_assert_int_eq((int)store_doc_count(conn, STORE_USER_POOL_CLIENT, id), 0);
    ck_assert_int_eq((int)store_doc_count(conn, STORE_USER_POOL_CLIENT, NULL), 1);
    store_release(env->store, conn);
    resp = tu_callf(env, IDP "DescribeUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", id, client_id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    free(id);
    free(other);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_pool");
    TCase *tc = tcase_create("pool");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_ops_pool_create_returns_every_default);
    tcase_add_test(tc, test_ops_pool_create_keeps_request_settings);
    tcase_add_test(tc, test_ops_pool_create_adds_custom_attributes_after_standard_ones);
    tcase_add_test(tc, test_ops_pool_create_refuses_required_custom_attribute);
    tcase_add_test(tc, test_ops_pool_create_refuses_bad_schema_entries);
    tcase_add_test(tc, test_ops_pool_create_refuses_username_and_alias_attributes);
    tcase_add_test(tc, test_ops_pool_create_fills_a_partial_password_policy);
    tcase_add_test(tc, test_ops_pool_create_keeps_temporary_password_days_in_step);
    tcase_add_test(tc, test_ops_pool_create_mirrors_verification_messages);
    tcase_add_test(tc, test_ops_pool_id_uses_the_request_region);
    tcase_add_test(tc, test_ops_pool_describe_returns_what_create_returned);
    tcase_add_test(tc, test_ops_pool_unknown_pool_is_reported_by_every_operation);
    tcase_add_test(tc, test_ops_pool_list_pages_through_every_pool_once);
    tcase_add_test(tc, test_ops_pool_list_refuses_a_foreign_token);
    tcase_add_test(tc, test_ops_pool_list_requires_max_results);
    tcase_add_test(tc, test_ops_pool_list_of_no_pools_is_empty);
    tcase_add_test(tc, test_ops_pool_update_resets_omitted_settings);
    tcase_add_test(tc, test_ops_pool_update_applies_given_settings);
    tcase_add_test(tc, test_ops_pool_delete_honours_deletion_protection);
    tcase_add_test(tc, test_ops_pool_delete_removes_its_clients);
    suite_add_tcase(s, tc);
    return s;
}
