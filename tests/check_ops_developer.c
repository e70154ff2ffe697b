/*
 * check_ops_developer: developer-authenticated identities (ops_developer.c):
 * GetOpenIdTokenForDeveloperIdentity and the token it signs, LookupDeveloperIdentity,
 * MergeDeveloperIdentities, UnlinkDeveloperIdentity, and the developer provider refused as
 * a login of GetId.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testidentity.h"

static struct tu_env *const env = &tu_fixture;

/* ---- Developer-authenticated identities ------------------------------------------------- */

static cJSON *developer_token(const char *pool, const char *identity, const char *user)
{
    char given[128] = "";

    if (identity != NULL)
        snprintf(given, sizeof(given), ",\"IdentityId\":\"%s\"", identity);
    return tu_callf(env, IDENTITY "GetOpenIdTokenForDeveloperIdentity",
                    "{\"IdentityPoolId\":\"%s\",\"Logins\":{\"login.example\":\"%s\"}%s}", pool,
                    user, given);
}

static void developer_id(const char *pool, const char *identity, const char *user, char *out)
{
    cJSON *r = developer_token(pool, identity, user);

    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    snprintf(out, IDS_MAX, "%s", tu_str(r, "IdentityId"));
    cJSON_Delete(r);
}

static cJSON *lookup(const char *pool, const char *identity, const char *user)
{
    char members[512] = "";
    size_t n = 0;

    if (identity != NULL)
        n += (size_t)snprintf(members + n, sizeof(members) - n, ",\"IdentityId\":\"%s\"", identity);
    if (user != NULL)
        snprintf(members + n, sizeof(members) - n, ",\"DeveloperUserIdentifier\":\"%s\"", user);
    return tu_callf(env, IDENTITY "LookupDeveloperIdentity", "{\"IdentityPoolId\":\"%s\"%s}", pool,
                    members);
}

START_TEST(test_ops_developer_identities)
{
    char pool[IDS_MAX], one[IDS_MAX], again[IDS_MAX], two[IDS_MAX], three[IDS_MAX];
    cJSON *r, *claims;
    const cJSON *list;

    create_identity_pool("\"DeveloperProviderName\":\"login.example\"", pool);
    set_roles(pool, "");
    developer_id(pool, NULL, "dev-1", one);
    developer_id(pool, NULL, "dev-1", again);
    developer_id(pool, NULL, "dev-2", two);
    ck_assert_str_eq(one, again);
    ck_assert_str_ne(one, two);

    /* The token: 15 minutes by default, amr naming the developer provider. */
    r = developer_token(pool, NULL, "dev-1");
    claims = verify_with_served_jwks(tu_str(r, "Token"));
    ck_assert(tu_num(claims, "exp") - tu_num(claims, "iat") == 900);
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(claims, "amr"), 1)->valuestring, "login.example");
    cJSON_Delete(claims);
    /* ...which the enhanced flow trades for credentials. */
    {
        cJSON *c = get_credentials(one, "cognito-identity.amazonaws.com", tu_str(r, "Token"), NULL);
        assert_role(c, ROLE_AUTH);
        cJSON_Delete(c);
        c = get_credentials(two, "cognito-identity.amazonaws.com", tu_str(r, "Token"), NULL);
        tu_assert_error(c, "NotAuthorizedException", LOGINS_DONT_MATCH);
        cJSON_Delete(c);
    }
    cJSON_Delete(r);

    r = lookup(pool, NULL, "dev-1");
    ck_assert_str_eq(tu_str(r, "IdentityId"), one);
    list = tu_get(r, "DeveloperUserIdentifierList");
    ck_assert_int_eq(cJSON_GetArraySize(list), 1);
    ck_assert_str_eq(cJSON_GetArrayItem(list, 0)->valuestring, "dev-1");
    cJSON_Delete(r);
    r = lookup(pool, one, "dev-2");
    tu_assert_error(r, "ResourceConflictException", NULL);
    cJSON_Delete(r);
    r = lookup(pool, NULL, "nobody");
    tu_assert_error(r, "ResourceNotFoundException", NULL);
    cJSON_Delete(r);

    /* Linking: dev-2 belongs to another identity; dev-3 joins identity one. */
    r = developer_token(pool, one, "dev-2");
    tu_assert_error(r, "DeveloperUserAlreadyRegisteredException",
                    "The provided developer user identifier is already registered with Cognito "
                    "under a different identity ID.");
    cJSON_Delete(r);
    developer_id(pool, one, "dev-3", three);
    ck_assert_str_eq(three, one);
    r = lookup(pool, one, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "DeveloperUserIdentifierList")), 2);
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "LookupDeveloperIdentity",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityId\":\"%s\",\"MaxResults\":1}", pool, one);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "DeveloperUserIdentifierList")), 1);
    ck_assert_str_eq(tu_str(r, "NextToken"), "1");
    cJSON_Delete(r);

    /* Merging dev-2's identity into dev-1's. */
    r = tu_callf(env, IDENTITY "MergeDeveloperIdentities",
                 "{\"IdentityPoolId\":\"%s\",\"DeveloperProviderName\":\"login.example\","
                 "\"SourceUserIdentifier\":\"dev-2\",\"DestinationUserIdentifier\":\"dev-1\"}",
                 pool);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(r, "IdentityId"), one);
    cJSON_Delete(r);
    r = lookup(pool, NULL, "dev-2");
    ck_assert_str_eq(tu_str(r, "IdentityId"), one);
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "ListIdentities",
                 "{\"IdentityPoolId\":\"%s\",\"MaxResults\":60,\"HideDisabled\":true}", pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Identities")), 1);
    cJSON_Delete(r);

    /* Unlinking dev-3. */
    r = tu_callf(
        env, IDENTITY "UnlinkDeveloperIdentity",
        "{\"IdentityPoolId\":\"%s\",\"IdentityId\":\"%s\","
        "\"DeveloperProviderName\":\"login.example\",\"DeveloperUserIdentifier\":\"dev-3\"}",
        pool, one);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    cJSON_Delete(r);
    r = lookup(pool, NULL, "dev-3");
    tu_assert_error(r, "ResourceNotFoundException", NULL);
    cJSON_Delete(r);

    /* A pool without a developer provider. */
    create_identity_pool("", pool);
    r = developer_token(pool, NULL, "dev-1");
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_developer_provider_is_refused_by_get_id)
{
    char pool[IDS_MAX];
    cJSON *r;

    create_identity_pool("\"DeveloperProviderName\":\"login.example\"", pool);
    r = get_id(pool, "login.example", "dev-1");
    tu_assert_error(r, "NotAuthorizedException", NOT_SUPPORTED);
    cJSON_Delete(r);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_developer");
    TCase *tc = tcase_create("developer");

    tcase_add_checked_fixture(tc, identity_setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ops_developer_identities);
    tcase_add_test(tc, test_ops_developer_provider_is_refused_by_get_id);
    suite_add_tcase(s, tc);
    return s;
}
