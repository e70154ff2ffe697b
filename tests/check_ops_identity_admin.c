/*
 * check_ops_identity_admin: identities as an administrator sees them (ops_identity_admin.c):
 * DescribeIdentity, ListIdentities, DeleteIdentities, and UnlinkIdentity.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testidentity.h"

static struct tu_env *const env = &tu_fixture;

/* ---- Listing, describing, deleting, unlinking ------------------------------------------- */

START_TEST(test_ops_identity_admin_list_describe_delete)
{
    char pool[IDS_MAX], a[IDS_MAX], b[IDS_MAX], guest[IDS_MAX];
    char *ta = sign_in("alice"), *tb = sign_in("bob");
    cJSON *r;
    const cJSON *logins;

    create_identity_pool_with(true, "", pool);
    get_id_ok(pool, sdk_key, ta, a);
    get_id_ok(pool, sdk_key, tb, b);
    get_id_ok(pool, NULL, NULL, guest);

    r = tu_callf(env, IDENTITY "DescribeIdentity", "{\"IdentityId\":\"%s\"}", a);
    ck_assert_str_eq(tu_str(r, "IdentityId"), a);
    logins = tu_get(r, "Logins");
    ck_assert_int_eq(cJSON_GetArraySize(logins), 1);
    ck_assert_str_eq(cJSON_GetArrayItem(logins, 0)->valuestring, sdk_key);
    ck_assert(tu_num(r, "CreationDate") > 1.6e9);
    ck_assert(tu_num(r, "LastModifiedDate") >= tu_num(r, "CreationDate"));
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "DescribeIdentity", "{\"IdentityId\":\"%s\"}", guest);
    ck_assert_ptr_null(tu_get(r, "Logins"));
    cJSON_Delete(r);

    r = tu_callf(env, IDENTITY "ListIdentities", "{\"IdentityPoolId\":\"%s\",\"MaxResults\":2}",
                 pool);
    ck_assert_str_eq(tu_str(r, "IdentityPoolId"), pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Identities")), 2);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(r, "Identities"), 0), "IdentityId"), a);
    ck_assert_ptr_nonnull(tu_str(r, "NextToken"));
    {
        cJSON *next = tu_callf(env, IDENTITY "ListIdentities",
                               "{\"IdentityPoolId\":\"%s\",\"MaxResults\":2,\"NextToken\":\"%s\"}",
                               pool, tu_str(r, "NextToken"));
        ck_assert_int_eq(cJSON_GetArraySize(tu_get(next, "Identities")), 1);
        ck_assert_ptr_null(tu_get(next, "NextToken"));
        cJSON_Delete(next);
    }
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "ListIdentities",
                 "{\"IdentityPoolId\":\"%s\",\"MaxResults\":2,\"NextToken\":\"garbage\"}", pool);
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);

    r = tu_callf(env, IDENTITY "DeleteIdentities",
                 "{\"IdentityIdsToDelete\":[\"%s\",\"us-east-1:00000000-0000-4000-8000-"
                 "000000000000\"]}",
                 a);
    ck_assert_ptr_null(tu_error_type(r));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "UnprocessedIdentityIds")), 0);
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "DescribeIdentity", "{\"IdentityId\":\"%s\"}", a);
    tu_assert_error(r, "ResourceNotFoundException", NULL);
    cJSON_Delete(r);
    /* The login is free again: Alice gets a new identity. */
    {
        char fresh[IDS_MAX];
        get_id_ok(pool, sdk_key, ta, fresh);
        ck_assert_str_ne(fresh, a);
    }
    free(ta);
    free(tb);
}
END_TEST

START_TEST(test_ops_identity_admin_unlink_identity)
{
    char pool[IDS_MAX], a[IDS_MAX], fresh[IDS_MAX];
    char *ta = sign_in("alice"), *tb = sign_in("bob");
    cJSON *r;

    create_identity_pool("", pool);
    set_roles(pool, "");
    get_id_ok(pool, sdk_key, ta, a);
    r = tu_callf(env, IDENTITY "UnlinkIdentity",
                 "{\"IdentityId\":\"%s\",\"Logins\":{\"%s\":\"%s\"},\"LoginsToRemove\":[\"%s\"]}",
                 a, sdk_key, tb, sdk_key);
    tu_assert_error(r, "NotAuthorizedException", LOGINS_DONT_MATCH);
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "UnlinkIdentity",
                 "{\"IdentityId\":\"%s\",\"Logins\":{\"%s\":\"%s\"},\"LoginsToRemove\":[\"%s\"]}",
                 a, issuer_key, ta, issuer_key);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    cJSON_Delete(r);
    /* The last login is gone: the identity is inaccessible, the login makes a new one. */
    r = get_credentials(a, sdk_key, ta, NULL);
    tu_assert_error(r, "NotAuthorizedException", NULL);
    cJSON_Delete(r);
    get_id_ok(pool, sdk_key, ta, fresh);
    ck_assert_str_ne(fresh, a);
    free(ta);
    free(tb);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_identity_admin");
    TCase *tc = tcase_create("admin");

    tcase_add_checked_fixture(tc, identity_setup, tu_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ops_identity_admin_list_describe_delete);
    tcase_add_test(tc, test_ops_identity_admin_unlink_identity);
    suite_add_tcase(s, tc);
    return s;
}
