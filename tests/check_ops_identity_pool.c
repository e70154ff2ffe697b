/*
 * check_ops_identity_pool: the identity pool operations of cognito-identity, called through
 * dispatch (validation included) against a fresh in-memory store, and compared with what
 * real Cognito answers (see the sources cited in server/ops_identity_pool.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "store/store.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;

/* Create a pool with just the required members and copy its id into id_out. */
static void create_pool(const char *name, char *id_out, size_t n)
{
    cJSON *r =
        tu_callf(env, IDENTITY "CreateIdentityPool",
                 "{\"IdentityPoolName\":\"%s\",\"AllowUnauthenticatedIdentities\":false}", name);
    const char *id = tu_str(r, "IdentityPoolId");

    ck_assert_msg(id != NULL, "CreateIdentityPool failed: %s", tu_error_type(r));
    snprintf(id_out, n, "%s", id);
    cJSON_Delete(r);
}

static cJSON *describe(const char *id)
{
    return tu_callf(env, IDENTITY "DescribeIdentityPool", "{\"IdentityPoolId\":\"%s\"}", id);
}

static int count_members(const cJSON *obj)
{
    return cJSON_GetArraySize(obj);
}

START_TEST(test_ops_identity_pool_create_returns_aws_defaults)
{
    cJSON *r = tu_call(env, IDENTITY "CreateIdentityPool",
                       "{\"IdentityPoolName\":\"pool one\","
                       "\"AllowUnauthenticatedIdentities\":true}");
    const cJSON *tags = tu_get(r, "IdentityPoolTags");

    ck_assert_ptr_null(tu_error_type(r));
    ck_assert_str_eq(tu_str(r, "IdentityPoolName"), "pool one");
    ck_assert(cJSON_IsTrue(tu_get(r, "AllowUnauthenticatedIdentities")));
    /* AWS keeps no AllowClassicFlow when none is given, and leaves empty collections out... */
    ck_assert_ptr_null(tu_get(r, "AllowClassicFlow"));
    ck_assert_ptr_null(tu_get(r, "SupportedLoginProviders"));
    ck_assert_ptr_null(tu_get(r, "DeveloperProviderName"));
    ck_assert_ptr_null(tu_get(r, "OpenIdConnectProviderARNs"));
    ck_assert_ptr_null(tu_get(r, "CognitoIdentityProviders"));
    ck_assert_ptr_null(tu_get(r, "SamlProviderARNs"));
    /* ...except the tags, which are always there. */
    ck_assert(cJSON_IsObject(tags));
    ck_assert_int_eq(count_members(tags), 0);
    ck_assert_int_eq(count_members(r), 4);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_id_has_region_uuid_format)
{
    char id[IDS_MAX];

    create_pool("p", id, sizeof(id));
    tu_assert_matches(id, "^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                          "[0-9a-f]{12}$");
    /* The model's IdentityPoolId constraint: 1..55 characters. */
    ck_assert_int_le(strlen(id), 55);
}
END_TEST

START_TEST(test_ops_identity_pool_id_reflects_request_region)
{
    static const char body[] =
        "{\"IdentityPoolName\":\"p\",\"AllowUnauthenticatedIdentities\":false}";
    static const char auth[] =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-2/cognito-identity/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
    struct dispatch_result res;
    cJSON *r, *d;
    const char *id;

    dispatch_request(&env->app, IDENTITY "CreateIdentityPool", auth, body, strlen(body), &res);
    ck_assert_int_eq(res.status, 200);
    r = cJSON_Parse(res.body);
    dispatch_result_free(&res);
    ck_assert_ptr_nonnull(r);
    id = tu_str(r, "IdentityPoolId");
    ck_assert_ptr_nonnull(id);
    ck_assert_msg(strncmp(id, "eu-west-2:", 10) == 0, "id %s is not in eu-west-2", id);

    d = describe(id);
    ck_assert_str_eq(tu_str(d, "IdentityPoolId"), id);
    cJSON_Delete(d);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_describe_round_trips_all_settings)
{
    cJSON *c = tu_call(
        env, IDENTITY "CreateIdentityPool",
        "{\"IdentityPoolName\":\"full\",\"AllowUnauthenticatedIdentities\":false,"
        "\"AllowClassicFlow\":true,"
        "\"SupportedLoginProviders\":{\"graph.facebook.com\":\"1234567890\"},"
        "\"DeveloperProviderName\":\"login.example\","
        "\"OpenIdConnectProviderARNs\":[\"arn:aws:iam::123456789012:oidc-provider/example.com\"],"
        "\"CognitoIdentityProviders\":["
        "{\"ProviderName\":\"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc\","
        "\"ClientId\":\"c1\"},"
        "{\"ProviderName\":\"cognito-idp.us-east-1.amazonaws.com/us-east-1_def\","
        "\"ClientId\":\"c2\","
        "\"ServerSideTokenCheck\":true}],"
        "\"SamlProviderARNs\":[\"arn:aws:iam::123456789012:saml-provider/corp\"],"
        "\"IdentityPoolTags\":{\"env\":\"test\"}}");
    const cJSON *providers = tu_get(c, "CognitoIdentityProviders");
    cJSON *d;

    ck_assert_ptr_null(tu_error_type(c));
    ck_assert(cJSON_IsTrue(tu_get(c, "AllowClassicFlow")));
    ck_assert_str_eq(tu_str(c, "DeveloperProviderName"), "login.example");
    ck_assert_str_eq(tu_str(tu_get(c, "SupportedLoginProviders"), "graph.facebook.com"),
                     "1234567890");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(c, "OpenIdConnectProviderARNs")), 1);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(c, "SamlProviderARNs")), 1);
    ck_assert_str_eq(tu_str(tu_get(c, "IdentityPoolTags"), "env"), "test");
    /* ServerSideTokenCheck defaults to false and is always returned. */
    ck_assert_int_eq(cJSON_GetArraySize(providers), 2);
    ck_assert(cJSON_IsFalse(tu_get(cJSON_GetArrayItem(providers, 0), "ServerSideTokenCheck")));
    ck_assert(cJSON_IsTrue(tu_get(cJSON_GetArrayItem(providers, 1), "ServerSideTokenCheck")));
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(providers, 0), "ClientId"), "c1");
    ck_assert_int_eq(count_members(c), 10);

    d = describe(tu_str(c, "IdentityPoolId"));
    ck_assert_msg(cJSON_Compare(c, d, 1), "Describe differs from Create");
    cJSON_Delete(d);
    cJSON_Delete(c);
}
END_TEST

START_TEST(test_ops_identity_pool_empty_collections_are_left_out)
{
    cJSON *c = tu_call(env, IDENTITY "CreateIdentityPool",
                       "{\"IdentityPoolName\":\"p\",\"AllowUnauthenticatedIdentities\":false,"
                       "\"AllowClassicFlow\":false,\"SupportedLoginProviders\":{},"
                       "\"OpenIdConnectProviderARNs\":[],\"CognitoIdentityProviders\":[],"
                       "\"SamlProviderARNs\":[]}");
    cJSON *d;

    ck_assert_ptr_null(tu_error_type(c));
    ck_assert(cJSON_IsFalse(tu_get(c, "AllowClassicFlow")));
    ck_assert_ptr_null(tu_get(c, "SupportedLoginProviders"));
    ck_assert_ptr_null(tu_get(c, "OpenIdConnectProviderARNs"));
    ck_assert_ptr_null(tu_get(c, "CognitoIdentityProviders"));
    ck_assert_ptr_null(tu_get(c, "SamlProviderARNs"));
    d = describe(tu_str(c, "IdentityPoolId"));
    ck_assert(cJSON_Compare(c, d, 1));
    cJSON_Delete(d);
    cJSON_Delete(c);
}
END_TEST

START_TEST(test_ops_identity_pool_describe_unknown_id_is_not_found)
{
    cJSON *r = describe("us-east-1:00000000-0000-4000-8000-000000000000");

    tu_assert_error(r, "ResourceNotFoundException",
                    "IdentityPool 'us-east-1:00000000-0000-4000-8000-000000000000' not found.");
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_describe_malformed_id_is_invalid_parameter)
{
    cJSON *r = describe("not-an-identity-pool");

    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_create_without_required_members_is_invalid_parameter)
{
    cJSON *r = tu_call(env, IDENTITY "CreateIdentityPool", "{\"IdentityPoolName\":\"p\"}");

    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_list_paginates_across_pools)
{
    char ids[7][IDS_MAX];
    char token[4096] = "";
    int seen = 0, pages = 0;

    for (int i = 0; i < 7; i++) {
        char name[32];
        snprintf(name, sizeof(name), "pool-%d", i);
        create_pool(name, ids[i], sizeof(ids[i]));
    }
    do {
        cJSON *r = token[0] ? tu_callf(env, IDENTITY "ListIdentityPools",
                                       "{\"MaxResults\":3,\"NextToken\":\"%s\"}", token)
                            : tu_call(env, IDENTITY "ListIdentityPools", "{\"MaxResults\":3}");
        const cJSON *pools = tu_get(r, "IdentityPools");
        const cJSON *item;
        const char *next = tu_str(r, "NextToken");

        ck_assert_ptr_null(tu_error_type(r));
        ck_assert_int_eq(cJSON_GetArraySize(pools), pages < 2 ? 3 : 1);
        cJSON_ArrayForEach(item, pools)
        {
            char name[32];
            ck_assert_int_lt(seen, 7);
            snprintf(name, sizeof(name), "pool-%d", seen);
            /* Oldest first, and only the short description. */
            ck_assert_str_eq(tu_str(item, "IdentityPoolId"), ids[seen]);
            ck_assert_str_eq(tu_str(item, "IdentityPoolName"), name);
            ck_assert_int_eq(count_members(item), 2);
            seen++;
        }
        if (next != NULL) {
            ck_assert_int_lt(strlen(next), sizeof(token));
            snprintf(token, sizeof(token), "%s", next);
        } else {
            token[0] = '\0';
        }
        pages++;
        cJSON_Delete(r);
    } while (token[0] && pages < 10);
    ck_assert_int_eq(pages, 3);
    ck_assert_int_eq(seen, 7);
}
END_TEST

START_TEST(test_ops_identity_pool_list_of_no_pools_is_empty)
{
    cJSON *r = tu_call(env, IDENTITY "ListIdentityPools", "{\"MaxResults\":60}");

    ck_assert_ptr_null(tu_error_type(r));
    ck_assert(cJSON_IsArray(tu_get(r, "IdentityPools")));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "IdentityPools")), 0);
    ck_assert_ptr_null(tu_get(r, "NextToken"));
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_list_rejects_a_bad_token)
{
    char id[IDS_MAX];
    cJSON *r;

    create_pool("p", id, sizeof(id));
    r = tu_call(env, IDENTITY "ListIdentityPools",
                "{\"MaxResults\":1,\"NextToken\":\"not-a-token-of-ours\"}");
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_list_needs_max_results_in_range)
{
    cJSON *r = tu_call(env, IDENTITY "ListIdentityPools", "{}");
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
    r = tu_call(env, IDENTITY "ListIdentityPools", "{\"MaxResults\":61}");
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
    r = tu_call(env, IDENTITY "ListIdentityPools", "{\"MaxResults\":0}");
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_pool_update_replaces_settings)
{
    cJSON *c = tu_call(env, IDENTITY "CreateIdentityPool",
                       "{\"IdentityPoolName\":\"before\",\"AllowUnauthenticatedIdentities\":false,"
                       "\"AllowClassicFlow\":true,"
                       "\"SupportedLoginProviders\":{\"accounts.google.com\":\"g1\"},"
                       "\"CognitoIdentityProviders\":[{\"ProviderName\":"
                       "\"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc\","
                       "\"ClientId\":\"c1\"}]}");
    const char *id = tu_str(c, "IdentityPoolId");
    cJSON *u, *d;

    ck_assert_ptr_nonnull(id);
    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"after\","
                 "\"AllowUnauthenticatedIdentities\":true,"
                 "\"OpenIdConnectProviderARNs\":"
                 "[\"arn:aws:iam::123456789012:oidc-provider/x.example\"]}",
                 id);
    ck_assert_ptr_null(tu_error_type(u));
    ck_assert_str_eq(tu_str(u, "IdentityPoolId"), id);
    ck_assert_str_eq(tu_str(u, "IdentityPoolName"), "after");
    ck_assert(cJSON_IsTrue(tu_get(u, "AllowUnauthenticatedIdentities")));
    /* What the request leaves out goes back to AWS's default: absent. */
    ck_assert_ptr_null(tu_get(u, "AllowClassicFlow"));
    ck_assert_ptr_null(tu_get(u, "SupportedLoginProviders"));
    ck_assert_ptr_null(tu_get(u, "CognitoIdentityProviders"));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(u, "OpenIdConnectProviderARNs")), 1);
    ck_assert(cJSON_IsObject(tu_get(u, "IdentityPoolTags")));

    d = describe(id);
    ck_assert_msg(cJSON_Compare(u, d, 1), "Describe differs from Update");
    cJSON_Delete(d);
    cJSON_Delete(u);
    cJSON_Delete(c);
}
END_TEST

START_TEST(test_ops_identity_pool_update_keeps_developer_provider_name_when_omitted)
{
    cJSON *c = tu_call(env, IDENTITY "CreateIdentityPool",
                       "{\"IdentityPoolName\":\"p\",\"AllowUnauthenticatedIdentities\":false,"
                       "\"DeveloperProviderName\":\"login.example\"}");
    const char *id = tu_str(c, "IdentityPoolId");
    cJSON *u;

    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"renamed\","
                 "\"AllowUnauthenticatedIdentities\":false}",
                 id);
    ck_assert_ptr_null(tu_error_type(u));
    ck_assert_str_eq(tu_str(u, "DeveloperProviderName"), "login.example");
    cJSON_Delete(u);

    /* The same name again is not a change. */
    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"renamed\","
                 "\"AllowUnauthenticatedIdentities\":false,"
                 "\"DeveloperProviderName\":\"login.example\"}",
                 id);
    ck_assert_ptr_null(tu_error_type(u));
    cJSON_Delete(u);
    cJSON_Delete(c);
}
END_TEST

START_TEST(test_ops_identity_pool_update_rejects_changing_developer_provider_name)
{
    cJSON *c = tu_call(env, IDENTITY "CreateIdentityPool",
                       "{\"IdentityPoolName\":\"p\",\"AllowUnauthenticatedIdentities\":false,"
                       "\"DeveloperProviderName\":\"login.example\"}");
    const char *id = tu_str(c, "IdentityPoolId");
    cJSON *u, *d;

    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"p2\","
                 "\"AllowUnauthenticatedIdentities\":true,"
                 "\"DeveloperProviderName\":\"other.example\"}",
                 id);
    tu_assert_error(u, "InvalidParameterException", NULL);
    cJSON_Delete(u);

    /* Nothing of the failed update was kept. */
    d = describe(id);
    ck_assert_msg(cJSON_Compare(c, d, 1), "a rejected update changed the pool");
    cJSON_Delete(d);
    cJSON_Delete(c);
}
END_TEST

START_TEST(test_ops_identity_pool_update_may_set_a_first_developer_provider_name)
{
    char id[IDS_MAX];
    cJSON *u;

    create_pool("p", id, sizeof(id));
    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"p\","
                 "\"AllowUnauthenticatedIdentities\":false,"
                 "\"DeveloperProviderName\":\"login.example\"}",
                 id);
    ck_assert_ptr_null(tu_error_type(u));
    ck_assert_str_eq(tu_str(u, "DeveloperProviderName"), "login.example");
    cJSON_Delete(u);
}
END_TEST

START_TEST(test_ops_identity_pool_update_keeps_tags_unless_given)
{
    cJSON *c = tu_call(env, IDENTITY "CreateIdentityPool",
                       "{\"IdentityPoolName\":\"p\",\"AllowUnauthenticatedIdentities\":false,"
                       "\"IdentityPoolTags\":{\"team\":\"a\"}}");
    const char *id = tu_str(c, "IdentityPoolId");
    cJSON *u;

    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"p\","
                 "\"AllowUnauthenticatedIdentities\":false}",
                 id);
    ck_assert_str_eq(tu_str(tu_get(u, "IdentityPoolTags"), "team"), "a");
    cJSON_Delete(u);

    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"p\","
                 "\"AllowUnauthenticatedIdentities\":false,\"IdentityPoolTags\":{\"team\":\"b\"}}",
                 id);
    ck_assert_str_eq(tu_str(tu_get(u, "IdentityPoolTags"), "team"), "b");
    ck_assert_int_eq(count_members(tu_get(u, "IdentityPoolTags")), 1);
    cJSON_Delete(u);
    cJSON_Delete(c);
}
END_TEST

START_TEST(test_ops_identity_pool_update_unknown_id_is_not_found)
{
    cJSON *u = tu_call(env, IDENTITY "UpdateIdentityPool",
                       "{\"IdentityPoolId\":\"us-east-1:11111111-1111-4111-8111-111111111111\","
                       "\"IdentityPoolName\":\"p\",\"AllowUnauthenticatedIdentities\":false}");

    tu_assert_error(u, "ResourceNotFoundException",
                    "IdentityPool 'us-east-1:11111111-1111-4111-8111-111111111111' not found.");
    cJSON_Delete(u);
}
END_TEST

START_TEST(test_ops_identity_pool_update_requires_name_and_unauthenticated_flag)
{
    char id[IDS_MAX];
    cJSON *u;

    create_pool("p", id, sizeof(id));
    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"AllowUnauthenticatedIdentities\":false}", id);
    tu_assert_error(u, "InvalidParameterException", NULL);
    cJSON_Delete(u);
    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"p\"}", id);
    tu_assert_error(u, "InvalidParameterException", NULL);
    cJSON_Delete(u);
}
END_TEST

/*
 * Later operations (roles, role mappings) keep their state in the pool document: responses
 * must show only IdentityPool members, and an update must not drop the others.
 */
START_TEST(test_ops_identity_pool_update_keeps_other_document_members)
{
    static const char id[] = "us-east-1:22222222-2222-4222-8222-222222222222";
    struct store_conn *conn = store_acquire(env->store);
    char *doc = NULL;
    cJSON *d, *u, *stored;

    ck_assert_int_eq(store_doc_insert(conn, STORE_IDENTITY_POOL, id, NULL,
                                      "{\"IdentityPoolId\":\"us-east-1:22222222-2222-4222-8222-"
                                      "222222222222\",\"IdentityPoolName\":\"p\","
                                      "\"AllowUnauthenticatedIdentities\":false,"
                                      "\"IdentityPoolTags\":{},"
                                      "\"Roles\":{\"authenticated\":\"arn:aws:iam::1:role/a\"}}"),
                     STORE_OK);
    store_release(env->store, conn);

    d = describe(id);
    ck_assert_ptr_null(tu_error_type(d));
    ck_assert_ptr_null(tu_get(d, "Roles"));
    cJSON_Delete(d);

    u = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"q\","
                 "\"AllowUnauthenticatedIdentities\":true}",
                 id);
    ck_assert_ptr_null(tu_error_type(u));
    ck_assert_ptr_null(tu_get(u, "Roles"));
    cJSON_Delete(u);

    conn = store_acquire(env->store);
    ck_assert_int_eq(store_doc_get(conn, STORE_IDENTITY_POOL, id, NULL, &doc), STORE_OK);
    store_release(env->store, conn);
    stored = cJSON_Parse(doc);
    free(doc);
    ck_assert_str_eq(tu_str(stored, "IdentityPoolName"), "q");
    ck_assert_str_eq(tu_str(tu_get(stored, "Roles"), "authenticated"), "arn:aws:iam::1:role/a");
    cJSON_Delete(stored);
}
END_TEST

START_TEST(test_ops_identity_pool_delete_removes_the_pool)
{
    char id[IDS_MAX], other[IDS_MAX];
    cJSON *r;

    create_pool("doomed", id, sizeof(id));
    create_pool("kept", other, sizeof(other));
    r = tu_callf(env, IDENTITY "DeleteIdentityPool", "{\"IdentityPoolId\":\"%s\"}", id);
    ck_assert_ptr_null(tu_error_type(r));
    ck_assert_int_eq(count_members(r), 0);
    cJSON_Delete(r);

    r = describe(id);
    tu_assert_error(r, "ResourceNotFoundException", NULL);
    cJSON_Delete(r);

    r = tu_callf(env, IDENTITY "DeleteIdentityPool", "{\"IdentityPoolId\":\"%s\"}", id);
    tu_assert_error(r, "ResourceNotFoundException", NULL);
    cJSON_Delete(r);

    r = tu_call(env, IDENTITY "ListIdentityPools", "{\"MaxResults\":60}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "IdentityPools")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(r, "IdentityPools"), 0), "IdentityPoolId"),
                     other);
    cJSON_Delete(r);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_identity_pool");
    TCase *tc = tcase_create("identity_pool");

    tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
    tcase_add_test(tc, test_ops_identity_pool_create_returns_aws_defaults);
    tcase_add_test(tc, test_ops_identity_pool_id_has_region_uuid_format);
    tcase_add_test(tc, test_ops_identity_pool_id_reflects_request_region);
    tcase_add_test(tc, test_ops_identity_pool_describe_round_trips_all_settings);
    tcase_add_test(tc, test_ops_identity_pool_empty_collections_are_left_out);
    tcase_add_test(tc, test_ops_identity_pool_describe_unknown_id_is_not_found);
    tcase_add_test(tc, test_ops_identity_pool_describe_malformed_id_is_invalid_parameter);
    tcase_add_test(tc, test_ops_identity_pool_create_without_required_members_is_invalid_parameter);
    tcase_add_test(tc, test_ops_identity_pool_list_paginates_across_pools);
    tcase_add_test(tc, test_ops_identity_pool_list_of_no_pools_is_empty);
    tcase_add_test(tc, test_ops_identity_pool_list_rejects_a_bad_token);
    tcase_add_test(tc, test_ops_identity_pool_list_needs_max_results_in_range);
    tcase_add_test(tc, test_ops_identity_pool_update_replaces_settings);
    tcase_add_test(tc, test_ops_identity_pool_update_keeps_developer_provider_name_when_omitted);
    tcase_add_test(tc, test_ops_identity_pool_update_rejects_changing_developer_provider_name);
    tcase_add_test(tc, test_ops_identity_pool_update_may_set_a_first_developer_provider_name);
    tcase_add_test(tc, test_ops_identity_pool_update_keeps_tags_unless_given);
    tcase_add_test(tc, test_ops_identity_pool_update_unknown_id_is_not_found);
    tcase_add_test(tc, test_ops_identity_pool_update_requires_name_and_unauthenticated_flag);
    tcase_add_test(tc, test_ops_identity_pool_update_keeps_other_document_members);
    tcase_add_test(tc, test_ops_identity_pool_delete_removes_the_pool);
    suite_add_tcase(s, tc);
    return s;
}
