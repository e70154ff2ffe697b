/*
 * check_ops_client: the app client operations (ops_client.c, with the defaults of
 * client.c), driven through tu_call exactly as the server runs them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "userpool/client.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;
static char pool_id[96];

/* Create a pool from body and copy its id into out (size 96). */
static void create_pool(const char *body, char *out)
{
    char *id = tu_create_user_pool(env, body);

    snprintf(out, 96, "%s", id);
    free(id);
}

static void setup(void)
{
    tu_setup();
    create_pool("{\"PoolName\":\"clients\"}", pool_id);
}

/* CreateUserPoolClient in the fixture's pool with extra members (a JSON fragment or ""). */
static cJSON *create_client(const char *extra)
{
    return tu_callf(env, IDP "CreateUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\"%s%s}", pool_id,
                    extra[0] ? "," : "", extra);
}

/* Create a client and copy its id into out (size 64). */
static void create_client_id(const char *extra, char *out)
{
    cJSON *resp = create_client(extra);

    ck_assert_msg(tu_error_type(resp) == NULL, "CreateUserPoolClient failed: %s",
                  tu_str(resp, "message"));
    snprintf(out, 64, "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    cJSON_Delete(resp);
}

static cJSON *describe(const char *pool, const char *client)
{
    return tu_callf(env, IDP "DescribeUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}", pool, client);
}

START_TEST(test_ops_client_create_returns_every_default)
{
    cJSON *resp = create_client("");
    const cJSON *c = tu_get(resp, "UserPoolClient");

    ck_assert_ptr_null(tu_error_type(resp));
    tu_assert_matches(tu_str(c, "ClientId"), "^[a-z0-9]{26}$");
    ck_assert_str_eq(tu_str(c, "UserPoolId"), pool_id);
    ck_assert_str_eq(tu_str(c, "ClientName"), "app");
    ck_assert_ptr_null(tu_get(c, "ClientSecret"));
    ck_assert_int_eq((int)tu_num(c, "RefreshTokenValidity"), 30);
    ck_assert(cJSON_IsObject(tu_get(c, "TokenValidityUnits")) &&
              tu_get(c, "TokenValidityUnits")->child == NULL);
    ck_assert_int_eq((int)tu_num(c, "AuthSessionValidity"), 3);
    ck_assert(tu_bool(c, "EnableTokenRevocation"));
    ck_assert(!tu_bool(c, "EnablePropagateAdditionalUserContextData"));
    ck_assert(!tu_bool(c, "AllowedOAuthFlowsUserPoolClient"));
    ck_assert(tu_num(c, "CreationDate") > 1.0e9);
    ck_assert(tu_num(c, "CreationDate") == tu_num(c, "LastModifiedDate"));
    /* What AWS leaves out of a minimal client. */
    ck_assert_ptr_null(tu_get(c, "ExplicitAuthFlows"));
    ck_assert_ptr_null(tu_get(c, "PreventUserExistenceErrors"));
    ck_assert_ptr_null(tu_get(c, "AccessTokenValidity"));
    ck_assert_ptr_null(tu_get(c, "IdTokenValidity"));
    ck_assert_ptr_null(tu_get(c, "ReadAttributes"));
    ck_assert_ptr_null(tu_get(c, "WriteAttributes"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_create_keeps_request_settings)
{
    cJSON *resp = create_client(
        "\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"],"
        "\"AccessTokenValidity\":30,\"IdTokenValidity\":2,\"RefreshTokenValidity\":7,"
        "\"TokenValidityUnits\":{\"AccessToken\":\"minutes\"},"
        "\"PreventUserExistenceErrors\":\"ENABLED\",\"EnableTokenRevocation\":false,"
        "\"AuthSessionValidity\":10,\"ReadAttributes\":[\"email\",\"email_verified\"],"
        "\"WriteAttributes\":[\"email\",\"name\"],\"CallbackURLs\":[\"https://example.com/cb\"]");
    const cJSON *c = tu_get(resp, "UserPoolClient");

    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(c, "ExplicitAuthFlows")), 2);
    ck_assert_int_eq((int)tu_num(c, "AccessTokenValidity"), 30);
    ck_assert_int_eq((int)tu_num(c, "IdTokenValidity"), 2);
    ck_assert_int_eq((int)tu_num(c, "RefreshTokenValidity"), 7);
    ck_assert_str_eq(tu_str(tu_get(c, "TokenValidityUnits"), "AccessToken"), "minutes");
    ck_assert_str_eq(tu_str(c, "PreventUserExistenceErrors"), "ENABLED");
    ck_assert(!tu_bool(c, "EnableTokenRevocation"));
    ck_assert_int_eq((int)tu_num(c, "AuthSessionValidity"), 10);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(c, "ReadAttributes")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(c, "WriteAttributes")), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(c, "CallbackURLs"), 0)->valuestring,
                     "https://example.com/cb");
    /* Lifetimes in seconds, units applied: 30 minutes, 2 hours (default unit), 7 days. */
    ck_assert_int_eq(client_token_validity(c, "AccessToken"), 1800);
    ck_assert_int_eq(client_token_validity(c, "IdToken"), 7200);
    ck_assert_int_eq(client_token_validity(c, "RefreshToken"), 7 * 86400);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_secret_only_when_asked)
{
    cJSON *resp = create_client("\"GenerateSecret\":false");
    char id[64];
    const char *secret;
    cJSON *described;

    ck_assert_ptr_null(tu_get(tu_get(resp, "UserPoolClient"), "ClientSecret"));
    cJSON_Delete(resp);

    resp = create_client("\"GenerateSecret\":true");
    secret = tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret");
    tu_assert_matches(secret, "^[a-z0-9]{51}$");
    snprintf(id, sizeof(id), "%s", tu_str(tu_get(resp, "UserPoolClient"), "ClientId"));
    described = describe(pool_id, id);
    ck_assert_str_eq(tu_str(tu_get(described, "UserPoolClient"), "ClientSecret"), secret);
    cJSON_Delete(described);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_custom_secret)
{
    cJSON *resp = create_client("\"ClientSecret\":\"mysecretmysecretmysecret42\"");

    ck_assert_str_eq(tu_str(tu_get(resp, "UserPoolClient"), "ClientSecret"),
                     "mysecretmysecretmysecret42");
    cJSON_Delete(resp);
    resp = create_client("\"GenerateSecret\":true,\"ClientSecret\":\"mysecretmysecretmysecret42\"");
    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_unknown_pool_and_client_errors)
{
    char id[64], other[96], expected[128];
    cJSON *resp = tu_call(env, IDP "CreateUserPoolClient",
                          "{\"UserPoolId\":\"us-east-1_nopool123\",\"ClientName\":\"x\"}");

    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nopool123 does not exist.");
    cJSON_Delete(resp);
    resp = tu_call(env, IDP "ListUserPoolClients", "{\"UserPoolId\":\"us-east-1_nopool123\"}");
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nopool123 does not exist.");
    cJSON_Delete(resp);
    resp = describe("us-east-1_nopool123", "abc");
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool us-east-1_nopool123 does not exist.");
    cJSON_Delete(resp);

    resp = describe(pool_id, "nosuchclient123");
    tu_assert_error(resp, "ResourceNotFoundException",
                    "User pool client nosuchclient123 does not exist.");
    cJSON_Delete(resp);

    /* A client of another pool is unknown in this one. */
    create_client_id("", id);
    create_pool("{\"PoolName\":\"other\"}", other);
    snprintf(expected, sizeof(expected), "User pool client %s does not exist.", id);
    resp = describe(other, id);
    tu_assert_error(resp, "ResourceNotFoundException", expected);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "UpdateUserPoolClient", "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}",
                    other, id);
    ck_assert_str_eq(tu_error_type(resp), "ResourceNotFoundException");
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteUserPoolClient", "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}",
                    other, id);
    ck_assert_str_eq(tu_error_type(resp), "ResourceNotFoundException");
    cJSON_Delete(resp);
    resp = describe(pool_id, id);
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_describe_returns_what_create_returned)
{
    cJSON *created =
        create_client("\"GenerateSecret\":true,\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\"]");
    cJSON *described = describe(pool_id, tu_str(tu_get(created, "UserPoolClient"), "ClientId"));

    ck_assert(
        cJSON_Compare(tu_get(created, "UserPoolClient"), tu_get(described, "UserPoolClient"), 1));
    cJSON_Delete(created);
    cJSON_Delete(described);
}
END_TEST

START_TEST(test_ops_client_list_pages_through_every_client_once)
{
    char ids[5][64], token[64] = "";
    int seen[5] = {0}, pages = 0;
    cJSON *resp;

    for (int i = 0; i < 5; i++)
        create_client_id("", ids[i]);
    do {
        const cJSON *item;

        resp = token[0] ? tu_callf(env, IDP "ListUserPoolClients",
                                   "{\"UserPoolId\":\"%s\",\"MaxResults\":2,\"NextToken\":\"%s\"}",
                                   pool_id, token)
                        : tu_callf(env, IDP "ListUserPoolClients",
                                   "{\"UserPoolId\":\"%s\",\"MaxResults\":2}", pool_id);
        ck_assert_ptr_null(tu_error_type(resp));
        ck_assert_int_le(cJSON_GetArraySize(tu_get(resp, "UserPoolClients")), 2);
        cJSON_ArrayForEach(item, tu_get(resp, "UserPoolClients"))
        {
            ck_assert_int_eq(cJSON_GetArraySize(item), 3);
            ck_assert_str_eq(tu_str(item, "UserPoolId"), pool_id);
            ck_assert_str_eq(tu_str(item, "ClientName"), "app");
            for (int i = 0; i < 5; i++)
                seen[i] += strcmp(tu_str(item, "ClientId"), ids[i]) == 0;
        }
        token[0] = '\0';
        if (tu_str(resp, "NextToken") != NULL)
            snprintf(token, sizeof(token), "%s", tu_str(resp, "NextToken"));
        pages++;
        cJSON_Delete(resp);
    } while (token[0] && pages < 10);
    ck_assert_int_eq(pages, 3);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(seen[i], 1);

    /* Without MaxResults, up to 60 in one page. */
    resp = tu_callf(env, IDP "ListUserPoolClients", "{\"UserPoolId\":\"%s\"}", pool_id);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "UserPoolClients")), 5);
    ck_assert_ptr_null(tu_get(resp, "NextToken"));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_list_only_shows_the_pools_clients)
{
    char other[96], id[64];
    cJSON *resp;

    create_pool("{\"PoolName\":\"other\"}", other);
    create_client_id("", id);
    resp = tu_callf(env, IDP "ListUserPoolClients", "{\"UserPoolId\":\"%s\"}", other);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(resp, "UserPoolClients")), 0);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_update_resets_omitted_settings)
{
    char id[64];
    cJSON *before, *resp, *after;
    const cJSON *old, *c;

    create_client_id("\"GenerateSecret\":true,\"ExplicitAuthFlows\":[\"ALLOW_USER_PASSWORD_AUTH\"],"
                     "\"RefreshTokenValidity\":10,\"EnableTokenRevocation\":false,"
                     "\"AccessTokenValidity\":2,\"ReadAttributes\":[\"email\"],"
                     "\"PreventUserExistenceErrors\":\"ENABLED\",\"AuthSessionValidity\":7",
                     id);
    before = describe(pool_id, id);
    old = tu_get(before, "UserPoolClient");
    clock_set_offset_ms(60000);
    resp =
        tu_callf(env, IDP "UpdateUserPoolClient",
                 "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"IdTokenValidity\":3}", pool_id, id);
    ck_assert_ptr_null(tu_error_type(resp));
    after = describe(pool_id, id);
    c = tu_get(after, "UserPoolClient");
    ck_assert(cJSON_Compare(tu_get(resp, "UserPoolClient"), c, 1));
    /* Omitted settings are back to their defaults... */
    ck_assert_ptr_null(tu_get(c, "ExplicitAuthFlows"));
    ck_assert_ptr_null(tu_get(c, "AccessTokenValidity"));
    ck_assert_ptr_null(tu_get(c, "ReadAttributes"));
    ck_assert_ptr_null(tu_get(c, "PreventUserExistenceErrors"));
    ck_assert_int_eq((int)tu_num(c, "RefreshTokenValidity"), 30);
    ck_assert(tu_bool(c, "EnableTokenRevocation"));
    ck_assert_int_eq((int)tu_num(c, "AuthSessionValidity"), 3);
    /* ...the given one is set, and identity, name, secret and creation date are kept. */
    ck_assert_int_eq((int)tu_num(c, "IdTokenValidity"), 3);
    ck_assert_str_eq(tu_str(c, "ClientId"), id);
    ck_assert_str_eq(tu_str(c, "ClientName"), "app");
    ck_assert_str_eq(tu_str(c, "ClientSecret"), tu_str(old, "ClientSecret"));
    ck_assert(tu_num(c, "CreationDate") == tu_num(old, "CreationDate"));
    ck_assert(tu_num(c, "LastModifiedDate") >= tu_num(old, "LastModifiedDate") + 59.0);
    cJSON_Delete(before);
    cJSON_Delete(resp);
    cJSON_Delete(after);
}
END_TEST

START_TEST(test_ops_client_update_renames)
{
    char id[64];
    cJSON *resp;

    create_client_id("", id);
    resp = tu_callf(env, IDP "UpdateUserPoolClient",
                    "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\",\"ClientName\":\"renamed\"}",
                    pool_id, id);
    ck_assert_str_eq(tu_str(tu_get(resp, "UserPoolClient"), "ClientName"), "renamed");
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_token_validity_ranges)
{
    static const struct {
        const char *extra;
        int ok;
    } cases[] = {
        {"\"AccessTokenValidity\":24", 1},
        {"\"AccessTokenValidity\":25", 0}, /* hours by default: more than a day */
        {"\"AccessTokenValidity\":5,\"TokenValidityUnits\":{\"AccessToken\":\"minutes\"}", 1},
        {"\"AccessTokenValidity\":4,\"TokenValidityUnits\":{\"AccessToken\":\"minutes\"}", 0},
        {"\"IdTokenValidity\":299,\"TokenValidityUnits\":{\"IdToken\":\"seconds\"}", 0},
        {"\"IdTokenValidity\":1,\"TokenValidityUnits\":{\"IdToken\":\"days\"}", 1},
        {"\"RefreshTokenValidity\":3650", 1},
        {"\"RefreshTokenValidity\":3651", 0},
        {"\"RefreshTokenValidity\":60,\"TokenValidityUnits\":{\"RefreshToken\":\"minutes\"}", 1},
        {"\"RefreshTokenValidity\":59,\"TokenValidityUnits\":{\"RefreshToken\":\"minutes\"}", 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *resp = create_client(cases[i].extra);
        if (cases[i].ok)
            ck_assert_msg(tu_error_type(resp) == NULL, "case %zu refused: %s", i,
                          tu_str(resp, "message"));
        else
            tu_assert_error(resp, "InvalidParameterException", "Invalid range for token validity.");
        cJSON_Delete(resp);
    }
}
END_TEST

START_TEST(test_ops_client_zero_refresh_validity_means_thirty_days)
{
    cJSON *resp = create_client("\"RefreshTokenValidity\":0");

    ck_assert_int_eq((int)tu_num(tu_get(resp, "UserPoolClient"), "RefreshTokenValidity"), 30);
    cJSON_Delete(resp);
    resp = create_client(
        "\"RefreshTokenValidity\":0,\"TokenValidityUnits\":{\"RefreshToken\":\"hours\"}");
    ck_assert_int_eq((int)tu_num(tu_get(resp, "UserPoolClient"), "RefreshTokenValidity"), 720);
    ck_assert_int_eq(client_token_validity(tu_get(resp, "UserPoolClient"), "RefreshToken"),
                     30 * 86400);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_token_validity_defaults)
{
    cJSON *resp = create_client("");
    const cJSON *c = tu_get(resp, "UserPoolClient");

    ck_assert_int_eq(client_token_validity(c, "AccessToken"), 3600);
    ck_assert_int_eq(client_token_validity(c, "IdToken"), 3600);
    ck_assert_int_eq(client_token_validity(c, "RefreshToken"), 30 * 86400);
    ck_assert_int_eq(client_token_validity(c, "Other"), -1);
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_refuses_mixed_auth_flow_names)
{
    cJSON *resp =
        create_client("\"ExplicitAuthFlows\":[\"USER_PASSWORD_AUTH\",\"ALLOW_USER_SRP_AUTH\"]");

    tu_assert_error(resp, "InvalidParameterException", NULL);
    cJSON_Delete(resp);
    resp = create_client("\"ExplicitAuthFlows\":[\"USER_PASSWORD_AUTH\",\"ADMIN_NO_SRP_AUTH\"]");
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
}
END_TEST

START_TEST(test_ops_client_checks_attributes_against_the_pool)
{
    char strict[96], saved[96];
    cJSON *resp;

    resp = create_client("\"WriteAttributes\":[\"email_verified\"]");
    tu_assert_error(resp, "InvalidParameterException",
                    "Invalid write attributes specified while creating a client");
    cJSON_Delete(resp);
    resp = create_client("\"ReadAttributes\":[\"custom:nothere\"]");
    tu_assert_error(resp, "InvalidParameterException",
                    "Invalid read attributes specified while creating a client");
    cJSON_Delete(resp);

    /* Every client must be able to write the pool's required attributes. */
    create_pool(
        "{\"PoolName\":\"strict\",\"Schema\":[{\"Name\":\"email\",\"Required\":true,"
        "\"AttributeDataType\":\"String\"},{\"Name\":\"tier\",\"AttributeDataType\":\"String\"}]}",
        strict);
    snprintf(saved, sizeof(saved), "%s", pool_id);
    snprintf(pool_id, sizeof(pool_id), "%s", strict);
    resp = create_client("\"WriteAttributes\":[\"name\"]");
    tu_assert_error(resp, "InvalidParameterException",
                    "Invalid write attributes specified while creating a client");
    cJSON_Delete(resp);
    resp = create_client("\"WriteAttributes\":[\"email\",\"custom:tier\"],"
                         "\"ReadAttributes\":[\"email\",\"custom:tier\"]");
    ck_assert_ptr_null(tu_error_type(resp));
    cJSON_Delete(resp);
    snprintf(pool_id, sizeof(pool_id), "%s", saved);
}
END_TEST

START_TEST(test_ops_client_delete)
{
    char id[64];
    cJSON *resp;

    create_client_id("", id);
    resp = tu_callf(env, IDP "DeleteUserPoolClient", "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}",
                    pool_id, id);
    ck_assert_ptr_null(tu_error_type(resp));
    ck_assert_int_eq(cJSON_GetArraySize(resp), 0);
    cJSON_Delete(resp);
    resp = describe(pool_id, id);
    tu_assert_error(resp, "ResourceNotFoundException", NULL);
    cJSON_Delete(resp);
    resp = tu_callf(env, IDP "DeleteUserPoolClient", "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\"}",
                    pool_id, id);
    ck_assert_str_eq(tu_error_type(resp), "ResourceNotFoundException");
    ck_assert(strstr(tu_str(resp, "message"), "User pool client ") != NULL);
    cJSON_Delete(resp);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_client");
    TCase *tc = tcase_create("client");

    tcase_add_checked_fixture(tc, setup, tu_teardown);
    tcase_add_test(tc, test_ops_client_create_returns_every_default);
    tcase_add_test(tc, test_ops_client_create_keeps_request_settings);
    tcase_add_test(tc, test_ops_client_secret_only_when_asked);
    tcase_add_test(tc, test_ops_client_custom_secret);
    tcase_add_test(tc, test_ops_client_unknown_pool_and_client_errors);
    tcase_add_test(tc, test_ops_client_describe_returns_what_create_returned);
    tcase_add_test(tc, test_ops_client_list_pages_through_every_client_once);
    tcase_add_test(tc, test_ops_client_list_only_shows_the_pools_clients);
    tcase_add_test(tc, test_ops_client_update_resets_omitted_settings);
    tcase_add_test(tc, test_ops_client_update_renames);
    tcase_add_test(tc, test_ops_client_token_validity_ranges);
    tcase_add_test(tc, test_ops_client_zero_refresh_validity_means_thirty_days);
    tcase_add_test(tc, test_ops_client_token_validity_defaults);
    tcase_add_test(tc, test_ops_client_refuses_mixed_auth_flow_names);
    tcase_add_test(tc, test_ops_client_checks_attributes_against_the_pool);
    tcase_add_test(tc, test_ops_client_delete);
    suite_add_tcase(s, tc);
    return s;
}
