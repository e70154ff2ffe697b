/*
 * check_identity_roles: the role an identity's credentials are issued for (identity_roles.c:
 * Rules and Token mappings, AmbiguousRoleResolution, CustomRoleArn) and
 * Set/GetIdentityPoolRoles, with real ID tokens (testidentity.c).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testidentity.h"

static struct tu_env *const env = &tu_fixture;

/* ---- Roles ------------------------------------------------------------------------------ */

/* The suite's Rules mapping with AmbiguousRoleResolution resolution, into out. */
static void rules_mapping(char *out, size_t n, const char *resolution)
{
    snprintf(out, n,
             "{\"%s:%s\":{\"Type\":\"Rules\",\"AmbiguousRoleResolution\":\"%s\","
             "\"RulesConfiguration\":{\"Rules\":["
             "{\"Claim\":\"cognito:username\",\"MatchType\":\"Equals\",\"Value\":\"alice\","
             "\"RoleARN\":\"" ROLE_ADMIN "\"},"
             "{\"Claim\":\"email\",\"MatchType\":\"StartsWith\",\"Value\":\"ali\","
             "\"RoleARN\":\"" ROLE_READERS "\"},"
             "{\"Claim\":\"nickname\",\"MatchType\":\"NotEqual\",\"Value\":\"x\","
             "\"RoleARN\":\"" ROLE_READERS "\"}]}}}",
             sdk_key, client_id, resolution);
}

START_TEST(test_identity_roles_rules_mapping)
{
    char pool[IDS_MAX], a[IDS_MAX], b[IDS_MAX], mappings[1500];
    char *ta = sign_in("alice"), *tb = sign_in("bob");
    cJSON *r;

    create_identity_pool("", pool);
    rules_mapping(mappings, sizeof(mappings), "AuthenticatedRole");
    set_roles(pool, mappings);
    get_id_ok(pool, sdk_key, ta, a);
    get_id_ok(pool, sdk_key, tb, b);
    r = get_credentials(a, sdk_key, ta, NULL);
    assert_role(r, ROLE_ADMIN); /* the first matching rule */
    cJSON_Delete(r);
    r = get_credentials(a, sdk_key, ta, ROLE_READERS); /* CustomRoleArn picks among matches */
    assert_role(r, ROLE_READERS);
    cJSON_Delete(r);
    r = get_credentials(a, sdk_key, ta, ROLE_AUTH);
    tu_assert_error(r, "NotAuthorizedException",
                    "The ambiguous role mapping rules denied this request.");
    cJSON_Delete(r);
    /* Bob matches no rule (NotEqual on a claim he lacks is not evaluated). */
    r = get_credentials(b, sdk_key, tb, NULL);
    assert_role(r, ROLE_AUTH);
    cJSON_Delete(r);
    rules_mapping(mappings, sizeof(mappings), "Deny");
    set_roles(pool, mappings);
    r = get_credentials(b, sdk_key, tb, NULL);
    tu_assert_error(r, "NotAuthorizedException",
                    "The ambiguous role mapping rules denied this request.");
    cJSON_Delete(r);
    free(ta);
    free(tb);
}
END_TEST

START_TEST(test_identity_roles_rules_contains_on_groups)
{
    char pool[IDS_MAX], a[IDS_MAX], mappings[1024];
    char *t;
    cJSON *r = tu_callf(env, IDP "CreateGroup", "{\"UserPoolId\":\"%s\",\"GroupName\":\"editors\"}",
                        user_pool);

    ck_assert_msg(tu_error_type(r) == NULL, "CreateGroup: %s", tu_str(r, "message"));
    cJSON_Delete(r);
    r = tu_callf(env, IDP "AdminAddUserToGroup",
                 "{\"UserPoolId\":\"%s\",\"Username\":\"alice\",\"GroupName\":\"editors\"}",
                 user_pool);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    t = sign_in("alice");
    create_identity_pool("", pool);
    snprintf(mappings, sizeof(mappings),
             "{\"%s:%s\":{\"Type\":\"Rules\",\"AmbiguousRoleResolution\":\"Deny\","
             "\"RulesConfiguration\":{\"Rules\":[{\"Claim\":\"cognito:groups\","
             "\"MatchType\":\"Contains\",\"Value\":\"edit\",\"RoleARN\":\"" ROLE_READERS "\"}]}}}",
             sdk_key, client_id);
    set_roles(pool, mappings);
    get_id_ok(pool, sdk_key, t, a);
    r = get_credentials(a, sdk_key, t, NULL);
    assert_role(r, ROLE_READERS);
    cJSON_Delete(r);
    free(t);
}
END_TEST

/* Put username into a new group with role and precedence. */
static void group_with_role(const char *group, const char *role, int precedence,
                            const char *username)
{
    cJSON *r = tu_callf(env, IDP "CreateGroup",
                        "{\"UserPoolId\":\"%s\",\"GroupName\":\"%s\",\"RoleArn\":\"%s\","
                        "\"Precedence\":%d}",
                        user_pool, group, role, precedence);

    ck_assert_msg(tu_error_type(r) == NULL, "CreateGroup: %s", tu_str(r, "message"));
    cJSON_Delete(r);
    r = tu_callf(env, IDP "AdminAddUserToGroup",
                 "{\"UserPoolId\":\"%s\",\"Username\":\"%s\",\"GroupName\":\"%s\"}", user_pool,
                 username, group);
    ck_assert_msg(tu_error_type(r) == NULL, "AdminAddUserToGroup: %s", tu_str(r, "message"));
    cJSON_Delete(r);
}

START_TEST(test_identity_roles_token_mapping_uses_group_roles)
{
    char pool[IDS_MAX], a[IDS_MAX], b[IDS_MAX], mappings[512];
    char *ta, *tb;
    cJSON *r;

    group_with_role("admins", ROLE_ADMIN, 1, "alice");
    group_with_role("readers", ROLE_READERS, 2, "alice");
    ta = sign_in("alice");
    tb = sign_in("bob");
    create_identity_pool("", pool);
    snprintf(mappings, sizeof(mappings),
             "{\"%s:%s\":{\"Type\":\"Token\",\"AmbiguousRoleResolution\":\"Deny\"}}", sdk_key,
             client_id);
    set_roles(pool, mappings);
    get_id_ok(pool, sdk_key, ta, a);
    get_id_ok(pool, sdk_key, tb, b);
    r = get_credentials(a, sdk_key, ta, NULL);
    assert_role(r, ROLE_ADMIN); /* cognito:preferred_role: the best precedence */
    cJSON_Delete(r);
    r = get_credentials(a, sdk_key, ta, ROLE_READERS);
    assert_role(r, ROLE_READERS); /* CustomRoleArn among cognito:roles */
    cJSON_Delete(r);
    r = get_credentials(a, sdk_key, ta, ROLE_AUTH);
    tu_assert_error(r, "NotAuthorizedException",
                    "The ambiguous role mapping rules denied this request.");
    cJSON_Delete(r);
    /* Bob has no role in his token: ambiguous, and Deny. */
    r = get_credentials(b, sdk_key, tb, NULL);
    tu_assert_error(r, "NotAuthorizedException",
                    "The ambiguous role mapping rules denied this request.");
    cJSON_Delete(r);
    snprintf(mappings, sizeof(mappings),
             "{\"%s:%s\":{\"Type\":\"Token\",\"AmbiguousRoleResolution\":\"AuthenticatedRole\"}}",
             sdk_key, client_id);
    set_roles(pool, mappings);
    r = get_credentials(b, sdk_key, tb, NULL);
    assert_role(r, ROLE_AUTH);
    cJSON_Delete(r);
    free(ta);
    free(tb);
}
END_TEST

START_TEST(test_identity_roles_roles_round_trip_and_validation)
{
    char pool[IDS_MAX], mappings[512], key[400];
    cJSON *r;

    create_identity_pool("", pool);
    r = tu_callf(env, IDENTITY "GetIdentityPoolRoles", "{\"IdentityPoolId\":\"%s\"}", pool);
    ck_assert_str_eq(tu_str(r, "IdentityPoolId"), pool);
    ck_assert_ptr_null(tu_get(r, "Roles"));
    cJSON_Delete(r);
    snprintf(key, sizeof(key), "%s:%s", sdk_key, client_id);
    snprintf(mappings, sizeof(mappings),
             "{\"%s\":{\"Type\":\"Token\",\"AmbiguousRoleResolution\":\"Deny\"}}", key);
    set_roles(pool, mappings);
    r = tu_callf(env, IDENTITY "GetIdentityPoolRoles", "{\"IdentityPoolId\":\"%s\"}", pool);
    ck_assert_str_eq(tu_str(tu_get(r, "Roles"), "authenticated"), ROLE_AUTH);
    ck_assert_str_eq(tu_str(tu_get(r, "Roles"), "unauthenticated"), ROLE_UNAUTH);
    ck_assert_str_eq(tu_str(tu_get(tu_get(r, "RoleMappings"), key), "Type"), "Token");
    cJSON_Delete(r);
    /* DescribeIdentityPool shows the pool's settings only; UpdateIdentityPool keeps the roles. */
    r = tu_callf(env, IDENTITY "DescribeIdentityPool", "{\"IdentityPoolId\":\"%s\"}", pool);
    ck_assert_ptr_null(tu_get(r, "Roles"));
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"renamed\","
                 "\"AllowUnauthenticatedIdentities\":false,\"CognitoIdentityProviders\":"
                 "[{\"ProviderName\":\"%s\",\"ClientId\":\"%s\"}]}",
                 pool, sdk_key, client_id);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "GetIdentityPoolRoles", "{\"IdentityPoolId\":\"%s\"}", pool);
    ck_assert_str_eq(tu_str(tu_get(r, "Roles"), "authenticated"), ROLE_AUTH);
    cJSON_Delete(r);

    /* A mapping key must be "<provider>:<client id>" of a configured provider. */
    r = tu_callf(env, IDENTITY "SetIdentityPoolRoles",
                 "{\"IdentityPoolId\":\"%s\",\"Roles\":{},\"RoleMappings\":{\"%s\":{"
                 "\"Type\":\"Token\",\"AmbiguousRoleResolution\":\"Deny\"}}}",
                 pool, sdk_key);
    tu_assert_error(r, "InvalidParameterException", NULL);
    ck_assert_msg(strstr(tu_str(r, "message"),
                         ") is not a valid RoleMapping ProviderName or is not a configured "
                         "provider.") != NULL,
                  "%s", tu_str(r, "message"));
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "SetIdentityPoolRoles",
                 "{\"IdentityPoolId\":\"%s\",\"Roles\":{},\"RoleMappings\":{\"%s\":{"
                 "\"Type\":\"Rules\",\"AmbiguousRoleResolution\":\"Deny\"}}}",
                 pool, key);
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "SetIdentityPoolRoles",
                 "{\"IdentityPoolId\":\"us-east-1:00000000-0000-4000-8000-000000000000\","
                 "\"Roles\":{}}");
    tu_assert_error(r, "ResourceNotFoundException", NULL);
    cJSON_Delete(r);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("identity_roles");
    TCase *tc = tcase_create("roles");

    tcase_add_checked_fixture(tc, identity_setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_identity_roles_rules_mapping);
    tcase_add_test(tc, test_identity_roles_rules_contains_on_groups);
    tcase_add_test(tc, test_identity_roles_token_mapping_uses_group_roles);
    tcase_add_test(tc, test_identity_roles_roles_round_trip_and_validation);
    suite_add_tcase(s, tc);
    return s;
}
