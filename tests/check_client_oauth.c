/*
 * check_client_oauth: the OAuth 2.0 settings of app clients (client_check_oauth in client.c)
 * as Create and UpdateUserPoolClient apply them: every rule, accepted and refused, with the
 * exception and message (the messages this emulator chose are pinned here).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[96];

#define CODE_CLIENT                                                                                \
    "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"                   \
    "\"AllowedOAuthScopes\":[\"openid\"],\"SupportedIdentityProviders\":[\"COGNITO\"]"

static void setup(void)
{
    char *id;
    cJSON *resp;

    tu_setup();
    id = tu_create_user_pool(env, "{\"PoolName\":\"oauth\"}");
    snprintf(pool_id, sizeof(pool_id), "%s", id);
    free(id);
    resp = tu_callf(env, IDP "CreateResourceServer",
                    "{\"UserPoolId\":\"%s\",\"Identifier\":\"https://api.example.com\","
                    "\"Name\":\"api\",\"Scopes\":[{\"ScopeName\":\"read\",\"ScopeDescription\":"
                    "\"r\"}]}",
                    pool_id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}

/* CreateUserPoolClient in the fixture's pool with the members extra (a JSON fragment). */
static cJSON *create(const char *extra)
{
    return tu_callf(env, IDP "CreateUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\",%s}", pool_id, extra);
}

static void assert_accepted(const char *extra)
{
    cJSON *resp = create(extra);

    ck_assert_msg(tu_error_type(resp) == NULL, "refused: %s\n%s", extra, tu_str(resp, "message"));
    cJSON_Delete(resp);
}

static void assert_refused(const char *extra, const char *type, const char *message)
{
    cJSON *resp = create(extra);

    ck_assert_msg(tu_error_type(resp) != NULL, "accepted: %s", extra);
    tu_assert_error(resp, type, message);
    cJSON_Delete(resp);
}

START_TEST(test_client_oauth_accepts_valid_settings)
{
    static const char *const cases[] = {
        CODE_CLIENT ",\"CallbackURLs\":[\"https://app.example.com/cb\"],"
                    "\"LogoutURLs\":[\"https://app.example.com/bye\"],"
                    "\"DefaultRedirectURI\":\"https://app.example.com/cb\"",
        /* http to the loopback literals, with any port or none */
        CODE_CLIENT ",\"CallbackURLs\":[\"http://localhost\",\"http://localhost:3000/cb\","
                    "\"http://127.0.0.1:8080/x?y=1\",\"http://[::1]:9000/\",\"HTTP://LOCALHOST/\"]",
        /* custom schemes (mobile apps) */
        CODE_CLIENT ",\"CallbackURLs\":[\"myapp://callback\",\"com.example.app:/oauth\"]",
        "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"implicit\",\"code\"],"
        "\"AllowedOAuthScopes\":[\"openid\",\"email\",\"phone\",\"profile\","
        "\"aws.cognito.signin.user.admin\",\"https://api.example.com/read\"],"
        "\"CallbackURLs\":[\"https://a.example.com\"]",
        /* client_credentials: a secret and custom scopes only */
        "\"GenerateSecret\":true,\"AllowedOAuthFlowsUserPoolClient\":true,"
        "\"AllowedOAuthFlows\":[\"client_credentials\"],"
        "\"AllowedOAuthScopes\":[\"https://api.example.com/read\"]",
        /* flows without OAuth switched on, and no OAuth at all */
        "\"AllowedOAuthFlowsUserPoolClient\":false",
        "\"SupportedIdentityProviders\":[\"COGNITO\"],\"CallbackURLs\":[\"https://x.example\"]",
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_accepted(cases[i]);
}
END_TEST

START_TEST(test_client_oauth_refuses_each_broken_rule)
{
    static const struct {
        const char *extra, *type, *message;
    } cases[] = {
        {"\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthScopes\":[\"openid\"]",
         "InvalidParameterException",
         "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed "
         "to use OAuth flows."},
        {"\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
         "\"CallbackURLs\":[\"https://a.example.com\"]",
         "InvalidParameterException",
         "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed "
         "to use OAuth flows."},
        {"\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[],"
         "\"AllowedOAuthScopes\":[\"openid\"]",
         "InvalidParameterException", NULL},
        {CODE_CLIENT, "InvalidOAuthFlowException",
         "CallbackUrls can not be empty when code flow or implicit flow is selected"},
        {"\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"implicit\"],"
         "\"AllowedOAuthScopes\":[\"openid\"],\"CallbackURLs\":[]",
         "InvalidOAuthFlowException",
         "CallbackUrls can not be empty when code flow or implicit flow is selected"},
        {"\"GenerateSecret\":true,\"AllowedOAuthFlowsUserPoolClient\":true,"
         "\"AllowedOAuthFlows\":[\"client_credentials\",\"code\"],"
         "\"AllowedOAuthScopes\":[\"https://api.example.com/read\"],"
         "\"CallbackURLs\":[\"https://a.example.com\"]",
         "InvalidOAuthFlowException",
         "client_credentials flow can not be selected along with code flow or implicit flow."},
        {"\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"client_credentials\"],"
         "\"AllowedOAuthScopes\":[\"https://api.example.com/read\"]",
         "InvalidOAuthFlowException",
         "client_credentials flow can not be selected if client does not have a client secret."},
        {"\"GenerateSecret\":true,\"AllowedOAuthFlowsUserPoolClient\":true,"
         "\"AllowedOAuthFlows\":[\"client_credentials\"],"
         "\"AllowedOAuthScopes\":[\"https://api.example.com/read\",\"openid\"]",
         "InvalidOAuthFlowException", "openid is not supported with client_credentials flow"},
        {"\"GenerateSecret\":true,\"AllowedOAuthFlowsUserPoolClient\":true,"
         "\"AllowedOAuthFlows\":[\"client_credentials\"],\"AllowedOAuthScopes\":[\"email\"]",
         "InvalidOAuthFlowException", "email is not supported with client_credentials flow"},
        {"\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
         "\"AllowedOAuthScopes\":[\"https://api.example.com/write\"],"
         "\"CallbackURLs\":[\"https://a.example.com\"]",
         "ScopeDoesNotExistException", "Invalid scope requested: https://api.example.com/write"},
        {"\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
         "\"AllowedOAuthScopes\":[\"unknown\"],\"CallbackURLs\":[\"https://a.example.com\"]",
         "ScopeDoesNotExistException", "Invalid scope requested: unknown"},
        {"\"SupportedIdentityProviders\":[\"COGNITO\",\"Google\"]", "InvalidParameterException",
         NULL /* with the pool id: checked below */},
        {"\"CallbackURLs\":[\"http://localhost.com/\"]", "InvalidParameterException",
         "http://localhost.com/ cannot use the HTTP protocol."},
        {"\"LogoutURLs\":[\"http://example.com/bye\"]", "InvalidParameterException",
         "http://example.com/bye cannot use the HTTP protocol."},
        {"\"CallbackURLs\":[\"http://127.0.0.2/\"]", "InvalidParameterException",
         "http://127.0.0.2/ cannot use the HTTP protocol."},
        {"\"CallbackURLs\":[\"http://localhost:abc/\"]", "InvalidParameterException",
         "http://localhost:abc/ cannot use the HTTP protocol."},
        {"\"CallbackURLs\":[\"https://a.example.com/cb#frag\"]", "InvalidParameterException",
         "https://a.example.com/cb#frag is not a valid URL: a redirect URL must be absolute and "
         "must not have a fragment."},
        {"\"CallbackURLs\":[\"/relative/cb\"]", "InvalidParameterException",
         "/relative/cb is not a valid URL: a redirect URL must be absolute and must not have a "
         "fragment."},
        {"\"CallbackURLs\":[\"https:///nohost\"]", "InvalidParameterException", NULL},
        {"\"CallbackURLs\":[\"myapp:\"]", "InvalidParameterException", NULL},
        {"\"CallbackURLs\":[\"https://a.example.com/cb\"],"
         "\"DefaultRedirectURI\":\"https://b.example.com/cb\"",
         "InvalidParameterException",
         "DefaultRedirectURI https://b.example.com/cb must be one of the CallbackURLs."},
        {"\"CallbackURLs\":[\"https://a.example.com/cb\"],"
         "\"DefaultRedirectURI\":\"http://a.example.com/cb\"",
         "InvalidParameterException", "http://a.example.com/cb cannot use the HTTP protocol."},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_refused(cases[i].extra, cases[i].type, cases[i].message);
}
END_TEST

START_TEST(test_client_oauth_identity_providers_must_exist)
{
    char message[256], key[256];
    struct store_conn *db;
    cJSON *resp = create("\"SupportedIdentityProviders\":[\"COGNITO\",\"Google\"]");

    snprintf(message, sizeof(message), "The provider Google does not exist for User Pool %s",
             pool_id);
    tu_assert_error(resp, "InvalidParameterException", message);
    cJSON_Delete(resp);

    /* Once the pool has the provider (written as its operations store it), it may be named. */
    snprintf(key, sizeof(key), "%s Google", pool_id);
    db = store_acquire(env->store);
    ck_assert_int_eq(store_doc_insert(db, STORE_IDENTITY_PROVIDER, key, pool_id,
                                      "{\"ProviderName\":\"Google\",\"ProviderType\":\"Google\"}"),
                     STORE_OK);
    store_release(env->store, db);
    assert_accepted("\"SupportedIdentityProviders\":[\"COGNITO\",\"Google\"]");
    /* Names are exact: "cognito" is not the pool itself. */
    assert_refused("\"SupportedIdentityProviders\":[\"cognito\"]", "InvalidParameterException",
                   NULL);
}
END_TEST

/* UpdateUserPoolClient of client to the client_credentials flow with a custom scope. */
static cJSON *to_client_credentials(const char *client)
{
    return tu_callf(
        env, IDP "UpdateUserPoolClient",
        "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"AllowedOAuthFlowsUserPoolClient\":"
        "true,\"AllowedOAuthFlows\":[\"client_credentials\"],\"AllowedOAuthScopes\":"
        "[\"https://api.example.com/read\"]}",
        pool_id, client);
}

START_TEST(test_client_oauth_update_applies_the_same_rules)
{
    char plain[64], secret[64];
    cJSON *resp = create("\"GenerateSecret\":false");

    snprintf(plain, sizeof(plain), "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    cJSON_Delete(resp);
    resp = create("\"GenerateSecret\":true");
    snprintf(secret, sizeof(secret), "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    cJSON_Delete(resp);

    /* The secret is the stored client's: an update cannot add one. */
    resp = to_client_credentials(plain);
    tu_assert_error(resp, "InvalidOAuthFlowException",
                    "client_credentials flow can not be selected if client does not have a client "
                    "secret.");
    cJSON_Delete(resp);
    resp = to_client_credentials(secret);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_str_eq(
        cJSON_GetArrayItem(tu_get(tu_get(resp, "UserPoolClient"), "AllowedOAuthFlows"), 0)
            ->valuestring,
        "client_credentials");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"CallbackURLs\":"
                    "[\"http://example.com\"]}",
                    pool_id, plain);
    tu_assert_error(resp, "InvalidParameterException",
                    "http://example.com cannot use the HTTP protocol.");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_client_oauth_describe_omits_empty_lists)
{
    cJSON *resp = create("\"AllowedOAuthFlows\":[],\"AllowedOAuthScopes\":[],\"CallbackURLs\":[],"
                         "\"LogoutURLs\":[],\"SupportedIdentityProviders\":[],"
                         "\"ExplicitAuthFlows\":[\"ALLOW_REFRESH_TOKEN_AUTH\"]");
    const cJSON *c = tu_get(resp, "UserPoolClient");
    static const char *const OMITTED[] = {"AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs",
                                          "LogoutURLs", "SupportedIdentityProviders"};

    ck_assert_ptr_null(tu_error_type(resp));
    for (size_t i = 0; i < sizeof(OMITTED) / sizeof(OMITTED[0]); i++)
        ck_assert_msg(tu_get(c, OMITTED[i]) == NULL, "%s is shown", OMITTED[i]);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(c, "ExplicitAuthFlows")), 1);
    cJSON_Delete(resp);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("client_oauth");
    TCase *tc = tcase_create("oauth");

    tcase_add_checked_fixture(tc, setup, tu_teardown);
    tcase_add_test(tc, test_client_oauth_accepts_valid_settings);
    tcase_add_test(tc, test_client_oauth_refuses_each_broken_rule);
    tcase_add_test(tc, test_client_oauth_identity_providers_must_exist);
    tcase_add_test(tc, test_client_oauth_update_applies_the_same_rules);
    tcase_add_test(tc, test_client_oauth_describe_omits_empty_lists);
    suite_add_tcase(s, tc);
    return s;
}
