/*
 * check_fixtures: the test fixture features of issue 7. Fixtures are read, checked and applied
 * directly against a fresh store (fixtures.h); the control API (messages, reset, clock, export,
 * fixtures) is driven over HTTP against the whole server started in-process on port 0, with
 * the example fixture of fixtures/example.json.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/clock.h"
#include "control/fixtures.h"
#include "crypto/secrets.h"
#include "server.h"
#include "testutil.h"
#include "util/jsonutil.h"

#define EXAMPLE COG_SRCDIR "/fixtures/example.json"
#define POOL "us-east-1_Example01"
#define PUBLIC_CLIENT "examplepublicclient0000001"
#define SECRET_CLIENT "examplesecretclient0000001"
#define IDENTITY_POOL "us-east-1:5f0c2b1a-3d4e-4f5a-8b6c-7d8e9f0a1b2c"
#define ALICE_SUB "0c6b2a3e-5d4f-4e1a-9b8c-7d6e5f4a3b21"

/* ---- Helpers: fixtures applied directly --------------------------------------------------- */

/* Read and apply the fixtures at path into env; fails the test on an error. */
static struct fixtures_stats load(struct tu_env *env, const char *path)
{
    struct fixtures *f = NULL;
    struct fixtures_error err;
    struct fixtures_stats stats = {0};
    char text[2048];

    if (fixtures_read(path, &f, &err) != 0 || fixtures_apply(&env->app, f, &stats, &err) != 0) {
        fixtures_error_text(&err, text, sizeof(text));
        ck_abort_msg("fixtures %s: %s", path, text);
    }
    fixtures_free(f);
    return stats;
}

/* Apply the document text (JSON) into env; 0, or -1 with *err set. */
static int apply_text(struct tu_env *env, const char *text, struct fixtures_error *err)
{
    struct fixtures *f = NULL;
    int rc = fixtures_parse(text, strlen(text), "test", &f, err);

    if (rc == 0)
        rc = fixtures_apply(&env->app, f, NULL, err);
    fixtures_free(f);
    return rc;
}

/* A response object without the members that differ between two makings of one thing. */
static cJSON *without(cJSON *obj, const char *const *members)
{
    for (const char *const *m = members; *m != NULL; m++)
        cJSON_DeleteItemFromObjectCaseSensitive(obj, *m);
    return obj;
}

static void assert_same_json(const cJSON *a, const cJSON *b)
{
    char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);

    if (!cJSON_Compare(a, b, true))
        fprintf(stderr, "differ:\n%s\n%s\n", ta, tb);
    ck_assert_msg(cJSON_Compare(a, b, true), "the two JSON values differ (printed above)");
    free(ta);
    free(tb);
}

/* Write text to a new file path. */
static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* A USER_PASSWORD_AUTH sign-in with the public client: the AccessToken (free()) or NULL. */
static char *sign_in(struct tu_env *env, const char *username, const char *password)
{
    cJSON *r = tu_callf(env, IDP "InitiateAuth",
                        "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"" PUBLIC_CLIENT
                        "\",\"AuthParameters\":{\"USERNAME\":\"%s\",\"PASSWORD\":\"%s\"}}",
                        username, password);
    const char *token = tu_str(tu_get(r, "AuthenticationResult"), "AccessToken");
    char *copy = token ? strdup(token) : NULL;

    cJSON_Delete(r);
    return copy;
}

/* ---- Loading -------------------------------------------------------------------------------- */

START_TEST(test_fixtures_example_makes_what_it_says)
{
    struct tu_env *env = &tu_fixture;
    struct fixtures_stats s = load(env, EXAMPLE);
    cJSON *r;
    char *token;

    ck_assert_int_eq(s.files, 1);
    ck_assert_int_eq(s.user_pools, 1);
    ck_assert_int_eq(s.clients, 2);
    ck_assert_int_eq(s.groups, 2);
    ck_assert_int_eq(s.users, 3);
    ck_assert_int_eq(s.identity_pools, 1);
    ck_assert_int_eq(s.domains, 1);
    ck_assert_int_eq(s.resource_servers, 1);
    ck_assert_int_eq(s.identity_providers, 0);
    ck_assert_int_eq(s.ui_customizations, 1);
    ck_assert_int_eq(s.kept, 0);

    r = tu_call(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"" POOL "\"}");
    ck_assert_str_eq(tu_str(tu_get(r, "UserPool"), "Id"), POOL);
    ck_assert_str_eq(tu_str(tu_get(r, "UserPool"), "Arn"),
                     "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" POOL);
    cJSON_Delete(r);
    r = tu_call(env, IDP "DescribeUserPoolClient",
                "{\"UserPoolId\":\"" POOL "\",\"ClientId\":\"" SECRET_CLIENT "\"}");
    ck_assert_str_eq(tu_str(tu_get(r, "UserPoolClient"), "ClientSecret"),
                     "th5why1uivjsfpzt0fxidik2y58lxlfzkmjp3g4bm3l11ape0au");
    cJSON_Delete(r);

    r = tu_call(env, IDP "AdminGetUser", "{\"UserPoolId\":\"" POOL "\",\"Username\":\"alice\"}");
    ck_assert_str_eq(tu_str(r, "UserStatus"), "CONFIRMED");
    ck_assert(tu_bool(r, "Enabled"));
    cJSON_Delete(r);
    r = tu_call(env, IDP "AdminGetUser", "{\"UserPoolId\":\"" POOL "\",\"Username\":\"bob\"}");
    ck_assert_str_eq(tu_str(r, "UserStatus"), "FORCE_CHANGE_PASSWORD");
    cJSON_Delete(r);
    r = tu_call(env, IDP "AdminGetUser", "{\"UserPoolId\":\"" POOL "\",\"Username\":\"carol\"}");
    ck_assert_str_eq(tu_str(r, "UserStatus"), "UNCONFIRMED");
    cJSON_Delete(r);
    r = tu_call(env, IDP "AdminListGroupsForUser",
                "{\"UserPoolId\":\"" POOL "\",\"Username\":\"alice\"}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Groups")), 2);
    cJSON_Delete(r);
    r = tu_call(env, IDENTITY "DescribeIdentityPool", "{\"IdentityPoolId\":\"" IDENTITY_POOL "\"}");
    ck_assert_str_eq(tu_str(r, "IdentityPoolName"), "example identities");
    cJSON_Delete(r);

    /* The hosted pages' domain, the custom scopes and the OAuth client. */
    r = tu_call(env, IDP "DescribeUserPoolDomain", "{\"Domain\":\"example\"}");
    ck_assert_str_eq(tu_str(tu_get(r, "DomainDescription"), "UserPoolId"), POOL);
    cJSON_Delete(r);
    r = tu_call(env, IDP "DescribeResourceServer",
                "{\"UserPoolId\":\"" POOL "\",\"Identifier\":\"https://api.example.com\"}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(tu_get(r, "ResourceServer"), "Scopes")), 2);
    cJSON_Delete(r);
    r = tu_call(env, IDP "DescribeUserPoolClient",
                "{\"UserPoolId\":\"" POOL "\",\"ClientId\":\"" PUBLIC_CLIENT "\"}");
    ck_assert(tu_bool(tu_get(r, "UserPoolClient"), "AllowedOAuthFlowsUserPoolClient"));
    ck_assert(json_list_has(tu_get(tu_get(r, "UserPoolClient"), "AllowedOAuthScopes"),
                            "https://api.example.com/read"));
    ck_assert_str_eq(
        cJSON_GetArrayItem(tu_get(tu_get(r, "UserPoolClient"), "CallbackURLs"), 0)->valuestring,
        "http://localhost:3000/callback");
    cJSON_Delete(r);

    /* The fixed sub is the user's, and the password signs in (case-insensitive pool). */
    r = tu_call(env, IDP "ListUsers",
                "{\"UserPoolId\":\"" POOL "\",\"Filter\":\"sub = \\\"" ALICE_SUB "\\\"\"}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Users")), 1);
    cJSON_Delete(r);
    token = sign_in(env, "ALICE", "Passw0rd!alice");
    ck_assert_ptr_nonnull(token);
    r = tu_callf(env, IDP "GetUser", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_str_eq(tu_str(r, "Username"), "alice");
    cJSON_Delete(r);
    free(token);
}
END_TEST

/* A fixture pool and client are what CreateUserPool / CreateUserPoolClient make of the same
 * settings, but for ids and dates. */
START_TEST(test_fixtures_resources_equal_what_the_operations_make)
{
    /* Domain: the fixture pool has the example's domain, the pool made by hand none. */
    static const char *const POOL_VARIES[] = {
        "Id", "Arn", "CreationDate", "LastModifiedDate", "Domain", "EstimatedNumberOfUsers", NULL};
    static const char *const CLIENT_VARIES[] = {"ClientId", "UserPoolId", "CreationDate",
                                                "LastModifiedDate", NULL};
    struct tu_env *env = &tu_fixture;
    char *by_hand;
    cJSON *a, *b;

    load(env, EXAMPLE);
    by_hand = tu_create_user_pool(env, "{\"PoolName\":\"example\","
                                       "\"UsernameConfiguration\":{\"CaseSensitive\":false},"
                                       "\"AutoVerifiedAttributes\":[\"email\"],"
                                       "\"Schema\":[{\"Name\":\"email\",\"AttributeDataType\":"
                                       "\"String\",\"Required\":true,\"Mutable\":true},"
                                       "{\"Name\":\"team\",\"AttributeDataType\":\"String\","
                                       "\"Mutable\":true}],\"AccountRecoverySetting\":"
                                       "{\"RecoveryMechanisms\":[{\"Name\":\"verified_email\","
                                       "\"Priority\":1}]}}");
    a = tu_call(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"" POOL "\"}");
    b = tu_callf(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", by_hand);
    assert_same_json(without(tu_get(a, "UserPool"), POOL_VARIES),
                     without(tu_get(b, "UserPool"), POOL_VARIES));
    cJSON_Delete(a);
    cJSON_Delete(b);

    a = tu_call(env, IDP "DescribeUserPoolClient",
                "{\"UserPoolId\":\"" POOL "\",\"ClientId\":\"" SECRET_CLIENT "\"}");
    b = tu_callf(env, IDP "CreateUserPoolClient",
                 "{\"UserPoolId\":\"%s\",\"ClientName\":\"backend\",\"ClientSecret\":"
                 "\"th5why1uivjsfpzt0fxidik2y58lxlfzkmjp3g4bm3l11ape0au\",\"ExplicitAuthFlows\":"
                 "[\"ALLOW_ADMIN_USER_PASSWORD_AUTH\",\"ALLOW_USER_PASSWORD_AUTH\","
                 "\"ALLOW_REFRESH_TOKEN_AUTH\"],\"AccessTokenValidity\":15,\"IdTokenValidity\":15,"
                 "\"TokenValidityUnits\":{\"AccessToken\":\"minutes\",\"IdToken\":\"minutes\"}}",
                 by_hand);
    assert_same_json(without(tu_get(a, "UserPoolClient"), CLIENT_VARIES),
                     without(tu_get(b, "UserPoolClient"), CLIENT_VARIES));
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(by_hand);
}
END_TEST

START_TEST(test_fixtures_loading_twice_makes_nothing_twice)
{
    struct tu_env *env = &tu_fixture;
    struct fixtures_stats s;
    cJSON *r;

    load(env, EXAMPLE);
    s = load(env, EXAMPLE);
    ck_assert_int_eq(s.user_pools + s.clients + s.groups + s.users + s.identity_pools + s.domains +
                         s.resource_servers + s.identity_providers + s.ui_customizations,
                     0);
    /* pool, domain, resource server, clients, UI customization, groups, users, identity pool */
    ck_assert_int_eq(s.kept, 1 + 1 + 1 + 2 + 1 + 2 + 3 + 1);
    r = tu_call(env, IDP "ListUserPools", "{\"MaxResults\":60}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "UserPools")), 1);
    cJSON_Delete(r);
    r = tu_call(env, IDP "ListUsers", "{\"UserPoolId\":\"" POOL "\"}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Users")), 3);
    cJSON_Delete(r);
    r = tu_call(env, IDP "ListUserPoolClients", "{\"UserPoolId\":\"" POOL "\"}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "UserPoolClients")), 2);
    cJSON_Delete(r);

    /* Without ids, resources are matched by name (and users by username). */
    const char *doc = "{\"userPools\":[{\"name\":\"noid\",\"clients\":[{\"name\":\"c\"}],"
                      "\"users\":[{\"username\":\"u\",\"password\":\"Passw0rd!u\"}]}],"
                      "\"identityPools\":[{\"name\":\"ip\",\"settings\":"
                      "{\"AllowUnauthenticatedIdentities\":false}}]}";
    struct fixtures_error err;
    ck_assert_int_eq(apply_text(env, doc, &err), 0);
    ck_assert_int_eq(apply_text(env, doc, &err), 0);
    r = tu_call(env, IDP "ListUserPools", "{\"MaxResults\":60}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "UserPools")), 2);
    cJSON_Delete(r);
    r = tu_call(env, IDENTITY "ListIdentityPools", "{\"MaxResults\":60}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "IdentityPools")), 2);
    cJSON_Delete(r);
}
END_TEST

/* In a pool whose usernames are generated (UsernameAttributes), a fixed sub is the username,
 * and the password still signs in with the email. */
START_TEST(test_fixtures_fixed_sub_in_a_pool_with_username_attributes)
{
    struct tu_env *env = &tu_fixture;
    struct fixtures_error err;
    const char *sub = "7d2c1b0a-9e8f-4a6b-8c5d-4e3f2a1b0c9d";
    cJSON *r;

    ck_assert_int_eq(
        apply_text(env,
                   "{\"userPools\":[{\"id\":\"us-east-1_Email1\",\"name\":\"by-email\","
                   "\"settings\":{\"UsernameAttributes\":[\"email\"]},\"clients\":[{\"id\":"
                   "\"emailclient\",\"name\":\"c\",\"settings\":{\"ExplicitAuthFlows\":"
                   "[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}}],\"users\":"
                   "[{\"username\":\"kim@example.com\",\"password\":\"Passw0rd!kim\","
                   "\"sub\":\"7d2c1b0a-9e8f-4a6b-8c5d-4e3f2a1b0c9d\"}]}]}",
                   &err),
        0);
    r = tu_call(env, IDP "AdminGetUser",
                "{\"UserPoolId\":\"us-east-1_Email1\",\"Username\":\"kim@example.com\"}");
    ck_assert_str_eq(tu_str(r, "Username"), sub);
    cJSON_Delete(r);
    r = tu_call(env, IDP "InitiateAuth",
                "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"emailclient\","
                "\"AuthParameters\":{\"USERNAME\":\"kim@example.com\",\"PASSWORD\":"
                "\"Passw0rd!kim\"}}");
    ck_assert_ptr_nonnull(tu_str(tu_get(r, "AuthenticationResult"), "AccessToken"));
    cJSON_Delete(r);
}
END_TEST

/* ---- Bad fixtures ------------------------------------------------------------------------- */

static const struct bad_case {
    const char *doc, *path, *message; /* message: a part of the expected message */
} BAD[] = {
    {"{\"userPools\": [\n  {\"name\": \"p\",,}]}", "$", "not valid JSON (line 2, column 17)"},
    {"{\"userPools\":[]} x", "$", "data after the JSON document"},
    {"[]", "$", "a fixture document is a JSON object"},
    {"{\"pools\":[]}", "$.pools", "unknown member"},
    {"{\"version\":2}", "$.version", "version 1"},
    {"{\"userPools\":{}}", "$.userPools", "expected an array"},
    {"{\"userPools\":[{\"id\":\"us-east-1_A\"}]}", "$.userPools[0]", "missing member \"name\""},
    {"{\"userPools\":[{\"name\":\"p\",\"clients\":[{\"name\":\"a\"},{\"name\":5}]}]}",
     "$.userPools[0].clients[1].name", "expected a string"},
    {"{\"userPools\":[{\"name\":\"p\",\"clients\":[{\"name\":\"a\",\"nmae\":\"b\"}]}]}",
     "$.userPools[0].clients[0].nmae", "unknown member (expected id, name, secret, settings"},
    {"{\"userPools\":[{\"id\":\"bad id\",\"name\":\"p\"}]}", "$.userPools[0].id",
     "not a user pool id"},
    {"{\"userPools\":[{\"id\":\"us-east-1_A\",\"name\":\"p\"},{\"id\":\"us-east-1_A\","
     "\"name\":\"q\"}]}",
     "$.userPools[1].id", "given twice"},
    {"{\"userPools\":[{\"name\":\"p\",\"settings\":{\"PasswordPolicy\":{}}}]}",
     "$.userPools[0].settings.PasswordPolicy", "CreateUserPool has no member PasswordPolicy"},
    {"{\"userPools\":[{\"name\":\"p\",\"settings\":{\"PoolName\":\"q\"}}]}",
     "$.userPools[0].settings.PoolName", "set by name"},
    {"{\"userPools\":[{\"name\":\"p\",\"settings\":{\"Policies\":{\"PasswordPolicy\":"
     "{\"MinimumLength\":2}}}}]}",
     "$.userPools[0]", "CreateUserPool would refuse it: InvalidParameterException"},
    {"{\"userPools\":[{\"name\":\"p\",\"clients\":[{\"name\":\"c\",\"secret\":\"no spaces\"}]}]}",
     "$.userPools[0].clients[0].secret", "not an app client secret"},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"P4ss!word\","
     "\"status\":\"ACTIVE\"}]}]}",
     "$.userPools[0].users[0].status", "unknown status ACTIVE"},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\"}]}]}",
     "$.userPools[0].users[0]", "a CONFIRMED user needs a password"},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"P4ss!word\","
     "\"attributes\":{\"sub\":\"x\"}}]}]}",
     "$.userPools[0].users[0].attributes.sub", "own member \"sub\""},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"P4ss!word\","
     "\"attributes\":{\"custom:team\":5}}]}]}",
     "$.userPools[0].users[0].attributes[\"custom:team\"]", "expected a string"},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"P4ss!word\"},"
     "{\"username\":\"u\",\"password\":\"P4ss!word\"}]}]}",
     "$.userPools[0].users[1].username", "given twice"},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"P4ss!word\","
     "\"sub\":\"not-a-uuid\"}]}]}",
     "$.userPools[0].users[0].sub", "a sub is a UUID"},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"P4ss!word\","
     "\"passwordVerifier\":{\"salt\":\"00\",\"verifier\":\"00\"}}]}]}",
     "$.userPools[0].users[0].passwordVerifier", "not both"},
    {"{\"identityPools\":[{\"id\":\"us-east-1:XYZ\",\"name\":\"i\"}]}", "$.identityPools[0].id",
     "not an identity pool id"},
    {"{\"identityPools\":[{\"name\":\"i\"}]}", "$.identityPools[0]",
     "CreateIdentityPool would refuse it"},
    {"{\"identityPools\":[{\"name\":\"i\",\"settings\":{\"AllowUnauthenticatedIdentities\":true},"
     "\"roles\":{\"admin\":\"arn\"}}]}",
     "$.identityPools[0].roles.admin", "unknown member"},
    /* Domains, resource servers, identity providers, UI customizations. */
    {"{\"userPools\":[{\"name\":\"p\",\"domain\":5}]}", "$.userPools[0].domain",
     "expected a domain prefix (a string) or an object"},
    {"{\"userPools\":[{\"name\":\"p\",\"domain\":{\"certificateArn\":\"arn\"}}]}",
     "$.userPools[0].domain", "missing member \"domain\""},
    {"{\"userPools\":[{\"name\":\"p\",\"domain\":[\"one\",\"two\"]}]}", "$.userPools[0].domain[1]",
     "at most one prefix domain and one custom domain"},
    {"{\"userPools\":[{\"name\":\"p\",\"domain\":\"same\"},{\"name\":\"q\",\"domain\":"
     "{\"domain\":\"same\"}}]}",
     "$.userPools[1].domain", "domain same is given twice"},
    {"{\"userPools\":[{\"name\":\"p\",\"domain\":{\"domain\":\"d\",\"certficateArn\":\"a\"}}]}",
     "$.userPools[0].domain.certficateArn", "unknown member (expected domain, certificateArn"},
    {"{\"userPools\":[{\"name\":\"p\",\"resourceServers\":[{\"identifier\":\"api\",\"name\":"
     "\"api\",\"scopes\":[{\"name\":\"read\"}]}]}]}",
     "$.userPools[0].resourceServers[0].scopes[0]", "missing member \"description\""},
    {"{\"userPools\":[{\"name\":\"p\",\"resourceServers\":[{\"identifier\":\"api\",\"name\":"
     "\"a\"},{\"identifier\":\"api\",\"name\":\"b\"}]}]}",
     "$.userPools[0].resourceServers[1].identifier", "resource server api is given twice"},
    {"{\"userPools\":[{\"name\":\"p\",\"resourceServers\":[{\"identifier\":\"api\",\"name\":"
     "\"api\",\"scopes\":[{\"name\":\"a/b\",\"description\":\"d\"}]}]}]}",
     "$.userPools[0].resourceServers[0]", "CreateResourceServer would refuse it"},
    {"{\"userPools\":[{\"name\":\"p\",\"identityProviders\":[{\"name\":\"MySpace\",\"type\":"
     "\"MySpace\",\"details\":{}}]}]}",
     "$.userPools[0].identityProviders[0]", "CreateIdentityProvider would refuse it"},
    {"{\"userPools\":[{\"name\":\"p\",\"identityProviders\":[{\"name\":\"Google\",\"type\":"
     "\"Google\"}]}]}",
     "$.userPools[0].identityProviders[0]", "missing member \"details\""},
    {"{\"userPools\":[{\"name\":\"p\",\"uiCustomization\":[{\"css\":\"a\"},{\"clientId\":"
     "\"ALL\",\"css\":\"b\"}]}]}",
     "$.userPools[0].uiCustomization[1].clientId", "client ALL is given twice"},
    /* Found only when applied: the pool's password policy. */
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"short\"}]}]}",
     "$.userPools[0].users[0]", "AdminCreateUser failed: InvalidPasswordException"},
    {"{\"userPools\":[{\"name\":\"p\",\"users\":[{\"username\":\"u\",\"password\":\"P4ss!word\","
     "\"groups\":[\"nope\"]}]}]}",
     "$.userPools[0].users[0].groups[0]", "AdminAddUserToGroup failed: ResourceNotFoundException"},
    /* The operations' own rules: a domain's reserved words, a UI customization without a
     * domain, a client naming a provider or a scope the pool lacks, or an http callback. */
    {"{\"userPools\":[{\"name\":\"p\",\"domain\":\"my-aws-app\"}]}", "$.userPools[0].domain",
     "CreateUserPoolDomain failed: InvalidParameterException: Domain cannot contain reserved "
     "word: aws"},
    {"{\"userPools\":[{\"name\":\"p\",\"uiCustomization\":[{\"css\":\"a\"}]}]}",
     "$.userPools[0].uiCustomization[0]", "SetUICustomization failed: InvalidParameterException"},
    {"{\"userPools\":[{\"name\":\"p\",\"clients\":[{\"name\":\"c\",\"settings\":"
     "{\"SupportedIdentityProviders\":[\"COGNITO\",\"Facebook\"]}}]}]}",
     "$.userPools[0].clients[0]",
     "CreateUserPoolClient failed: InvalidParameterException: The provider Facebook does not "
     "exist"},
    {"{\"userPools\":[{\"name\":\"p\",\"clients\":[{\"name\":\"c\",\"settings\":"
     "{\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
     "\"AllowedOAuthScopes\":[\"api/read\"],\"CallbackURLs\":[\"https://app.example.com/cb\"]}}"
     "]}]}",
     "$.userPools[0].clients[0]", "CreateUserPoolClient failed: ScopeDoesNotExistException"},
    {"{\"userPools\":[{\"name\":\"p\",\"clients\":[{\"name\":\"c\",\"settings\":"
     "{\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
     "\"AllowedOAuthScopes\":[\"openid\"],\"CallbackURLs\":[\"http://app.example.com/cb\"]}}]}]}",
     "$.userPools[0].clients[0]", "CreateUserPoolClient failed: InvalidParameterException"},
};

START_TEST(test_fixtures_bad_fixtures_name_the_path_and_problem)
{
    const struct bad_case *c = &BAD[_i];
    struct fixtures_error err;

    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(apply_text(&tu_fixture, c->doc, &err), -1);
    ck_assert_str_eq(err.source, "test");
    ck_assert_msg(strcmp(err.path, c->path) == 0, "case %d: path %s, expected %s (%s)", _i,
                  err.path, c->path, err.message);
    ck_assert_msg(strstr(err.message, c->message) != NULL, "case %d: message \"%s\" lacks \"%s\"",
                  _i, err.message, c->message);
}
END_TEST

/* A document is checked as a whole before anything is made. */
START_TEST(test_fixtures_bad_document_makes_nothing)
{
    struct fixtures_error err;
    cJSON *r;

    ck_assert_int_eq(apply_text(&tu_fixture,
                                "{\"userPools\":[{\"name\":\"first\"},{\"name\":\"second\","
                                "\"users\":[{\"username\":\"u\"}]}]}",
                                &err),
                     -1);
    ck_assert_str_eq(err.path, "$.userPools[1].users[0]");
    r = tu_call(&tu_fixture, IDP "ListUserPools", "{\"MaxResults\":60}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "UserPools")), 0);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_fixtures_directory_loads_json_files_in_name_order)
{
    char dir[] = "/tmp/cog-fixtures-XXXXXX", a[128], b[128], other[128];
    struct fixtures *f = NULL;
    struct fixtures_error err;
    struct fixtures_stats s = {0};

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(a, sizeof(a), "%s/20-users.json", dir);
    snprintf(b, sizeof(b), "%s/10-pool.json", dir);
    snprintf(other, sizeof(other), "%s/README.md", dir);
    write_file(b, "{\"userPools\":[{\"id\":\"us-east-1_Dir1\",\"name\":\"dir\","
                  "\"groups\":[{\"name\":\"g\"}]}]}");
    /* The second file adds a user to the first file's pool and group. */
    write_file(a, "{\"userPools\":[{\"id\":\"us-east-1_Dir1\",\"name\":\"dir\",\"users\":"
                  "[{\"username\":\"u\",\"password\":\"Passw0rd!u\",\"groups\":[\"g\"]}]}]}");
    write_file(other, "not json");
    ck_assert_int_eq(fixtures_read(dir, &f, &err), 0);
    ck_assert_uint_eq(fixtures_count(f), 2);
    ck_assert_str_eq(fixtures_source(f, 0), b);
    ck_assert_str_eq(fixtures_source(f, 1), a);
    ck_assert_int_eq(fixtures_apply(&tu_fixture.app, f, &s, &err), 0);
    ck_assert_int_eq(s.files, 2);
    ck_assert_int_eq(s.users, 1);
    fixtures_free(f);

    /* A bad file is named, with its path. */
    write_file(a, "{\"userPools\":[{\"id\":\"us-east-1_Dir1\"}]}");
    ck_assert_int_eq(fixtures_read(dir, &f, &err), -1);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(err.source, a);
    ck_assert_str_eq(err.path, "$.userPools[0]");
    unlink(a);
    unlink(b);
    unlink(other);
    rmdir(dir);

    ck_assert_int_eq(fixtures_read("/nonexistent/fixture.json", &f, &err), -1);
    ck_assert_str_eq(err.source, "/nonexistent/fixture.json");
    ck_assert(strstr(err.message, "No such file") != NULL);
}
END_TEST

/* ---- Export ------------------------------------------------------------------------------- */

START_TEST(test_fixtures_export_replays_into_the_same_state)
{
    struct tu_env *env = &tu_fixture, fresh;
    struct fixtures *f = NULL;
    struct fixtures_error err;
    char *pool, *text1, *text2, *token;
    cJSON *doc, *r, *a, *b;

    load(env, EXAMPLE);
    /* A pool made by hand, with a user in a pool whose usernames are generated. */
    pool = tu_create_user_pool(env, "{\"PoolName\":\"by-hand\",\"UsernameAttributes\":[\"email\"],"
                                    "\"MfaConfiguration\":\"OFF\",\"Policies\":{\"PasswordPolicy\":"
                                    "{\"MinimumLength\":6,\"RequireSymbols\":false}},\"Schema\":"
                                    "[{\"Name\":\"tier\",\"AttributeDataType\":\"Number\","
                                    "\"DeveloperOnlyAttribute\":true}]}");
    cJSON_Delete(tu_callf(env, IDP "AdminCreateUser",
                          "{\"UserPoolId\":\"%s\",\"Username\":\"erin@example.com\","
                          "\"TemporaryPassword\":\"Abc123x\",\"MessageAction\":\"SUPPRESS\"}",
                          pool));
    cJSON_Delete(tu_call(env, IDP "AdminDisableUser",
                         "{\"UserPoolId\":\"" POOL "\",\"Username\":\"carol\"}"));

    doc = fixtures_export(&env->app);
    ck_assert_ptr_nonnull(doc);
    text1 = cJSON_Print(doc);
    cJSON_Delete(doc);

    tu_env_init(&fresh);
    ck_assert_msg(fixtures_parse(text1, strlen(text1), "export", &f, &err) == 0, "%s: %s", err.path,
                  err.message);
    ck_assert_int_eq(fixtures_apply(&fresh.app, f, NULL, &err), 0);
    fixtures_free(f);

    /* The export of the replay is the export itself. */
    doc = fixtures_export(&fresh.app);
    text2 = cJSON_Print(doc);
    cJSON_Delete(doc);
    ck_assert_str_eq(text1, text2);

    /* The same resources, and the same passwords sign in. */
    static const char *const VARIES[] = {"CreationDate", "LastModifiedDate", NULL};
    a = tu_callf(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", pool);
    b = tu_callf(&fresh, IDP "DescribeUserPool", "{\"UserPoolId\":\"%s\"}", pool);
    assert_same_json(without(tu_get(a, "UserPool"), VARIES),
                     without(tu_get(b, "UserPool"), VARIES));
    cJSON_Delete(a);
    cJSON_Delete(b);
    token = sign_in(&fresh, "alice", "Passw0rd!alice");
    ck_assert_ptr_nonnull(token);
    free(token);
    r = tu_callf(&fresh, IDP "AdminGetUser",
                 "{\"UserPoolId\":\"%s\",\"Username\":\"erin@example.com\"}", pool);
    ck_assert_str_eq(tu_str(r, "UserStatus"), "FORCE_CHANGE_PASSWORD");
    cJSON_Delete(r);
    r = tu_call(&fresh, IDP "AdminGetUser", "{\"UserPoolId\":\"" POOL "\",\"Username\":\"carol\"}");
    ck_assert(!tu_bool(r, "Enabled"));
    cJSON_Delete(r);

    free(text1);
    free(text2);
    free(pool);
    tu_env_free(&fresh);
}
END_TEST

/* ---- Domains, resource servers, identity providers, OAuth clients (issue 14) -------------- */

#define OAUTH_POOL "us-east-1_Oauth01"
#define CERT "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4090-8070-605040302010"

/* The client comes first in the text: what it names is made before it all the same. */
static const char OAUTH_DOC[] =
    "{\"userPools\":[{\"id\":\"" OAUTH_POOL "\",\"name\":\"oauth\","
    "\"clients\":[{\"id\":\"oauthclient\",\"name\":\"web\",\"settings\":{"
    "\"AllowedOAuthFlowsUserPoolClient\":true,\"AllowedOAuthFlows\":[\"code\"],"
    "\"AllowedOAuthScopes\":[\"openid\",\"orders/read\"],"
    "\"CallbackURLs\":[\"http://localhost:3000/callback\"],"
    "\"SupportedIdentityProviders\":[\"COGNITO\",\"Google\",\"Corp\"]}}],"
    "\"domain\":[\"oauth-test\",{\"domain\":\"auth.example.net\",\"certificateArn\":\"" CERT "\"}],"
    "\"resourceServers\":[{\"identifier\":\"orders\",\"name\":\"orders\",\"scopes\":"
    "[{\"name\":\"read\",\"description\":\"Read orders\"}]}],"
    "\"identityProviders\":[{\"name\":\"Google\",\"type\":\"Google\",\"details\":"
    "{\"client_id\":\"g-id\",\"client_secret\":\"g-secret\",\"authorize_scopes\":"
    "\"openid email\"},\"attributeMapping\":{\"email\":\"email\"}},"
    "{\"name\":\"Corp\",\"type\":\"OIDC\",\"details\":{\"client_id\":\"c\","
    "\"client_secret\":\"s\",\"authorize_scopes\":\"openid\",\"oidc_issuer\":"
    "\"https://idp.example.com\"},\"idpIdentifiers\":[\"corp.example.com\"]}],"
    "\"uiCustomization\":[{\"css\":\".logo-customizable{max-width:60%}\"},"
    "{\"clientId\":\"oauthclient\",\"css\":\".banner-customizable{padding:1em}\"}]}]}";

/* Apply OAUTH_DOC into env: what it made and kept. */
static struct fixtures_stats load_oauth(struct tu_env *env)
{
    struct fixtures *f = NULL;
    struct fixtures_error err;
    struct fixtures_stats s = {0};

    ck_assert_msg(fixtures_parse(OAUTH_DOC, strlen(OAUTH_DOC), "oauth", &f, &err) == 0 &&
                      fixtures_apply(&env->app, f, &s, &err) == 0,
                  "%s: %s", err.path, err.message);
    fixtures_free(f);
    return s;
}

START_TEST(test_fixtures_oauth_resources_load_and_are_kept)
{
    struct tu_env *env = &tu_fixture;
    struct fixtures_stats s = load_oauth(env);
    struct fixtures_error err;
    const cJSON *client;
    cJSON *r;

    ck_assert_int_eq(s.domains, 2);
    ck_assert_int_eq(s.resource_servers, 1);
    ck_assert_int_eq(s.identity_providers, 2);
    ck_assert_int_eq(s.clients, 1);
    ck_assert_int_eq(s.ui_customizations, 2);

    r = tu_call(env, IDP "DescribeUserPool", "{\"UserPoolId\":\"" OAUTH_POOL "\"}");
    ck_assert_str_eq(tu_str(tu_get(r, "UserPool"), "Domain"), "oauth-test");
    ck_assert_str_eq(tu_str(tu_get(r, "UserPool"), "CustomDomain"), "auth.example.net");
    cJSON_Delete(r);
    r = tu_call(env, IDP "DescribeUserPoolDomain", "{\"Domain\":\"auth.example.net\"}");
    ck_assert_str_eq(
        tu_str(tu_get(tu_get(r, "DomainDescription"), "CustomDomainConfig"), "CertificateArn"),
        CERT);
    cJSON_Delete(r);
    r = tu_call(env, IDP "DescribeIdentityProvider",
                "{\"UserPoolId\":\"" OAUTH_POOL "\",\"ProviderName\":\"Corp\"}");
    ck_assert_str_eq(tu_str(tu_get(r, "IdentityProvider"), "ProviderType"), "OIDC");
    ck_assert_str_eq(
        cJSON_GetArrayItem(tu_get(tu_get(r, "IdentityProvider"), "IdpIdentifiers"), 0)->valuestring,
        "corp.example.com");
    cJSON_Delete(r);
    r = tu_call(env, IDP "DescribeUserPoolClient",
                "{\"UserPoolId\":\"" OAUTH_POOL "\",\"ClientId\":\"oauthclient\"}");
    client = tu_get(r, "UserPoolClient");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(client, "SupportedIdentityProviders")), 3);
    ck_assert(json_list_has(tu_get(client, "AllowedOAuthScopes"), "orders/read"));
    cJSON_Delete(r);
    r = tu_call(env, IDP "GetUICustomization",
                "{\"UserPoolId\":\"" OAUTH_POOL "\",\"ClientId\":\"oauthclient\"}");
    ck_assert_str_eq(tu_str(tu_get(r, "UICustomization"), "CSS"),
                     ".banner-customizable{padding:1em}");
    cJSON_Delete(r);

    /* Again: everything is kept, nothing made. */
    s = load_oauth(env);
    ck_assert_int_eq(s.user_pools + s.domains + s.resource_servers + s.identity_providers +
                         s.clients + s.ui_customizations,
                     0);
    ck_assert_int_eq(s.kept, 1 + 2 + 1 + 2 + 1 + 2);

    /* A domain is one pool's. */
    ck_assert_int_eq(apply_text(env,
                                "{\"userPools\":[{\"id\":\"us-east-1_Other1\",\"name\":\"o\","
                                "\"domain\":\"oauth-test\"}]}",
                                &err),
                     -1);
    ck_assert_str_eq(err.path, "$.userPools[0].domain");
    ck_assert_str_eq(err.message, "domain oauth-test is user pool " OAUTH_POOL "'s");
}
END_TEST

/* Export writes them back, and a replay into an empty store exports the same. */
START_TEST(test_fixtures_oauth_export_replays_into_the_same_state)
{
    /* Dates, versions, and CSSVersion (the second SetUICustomization ran in) differ between
     * two makings that may straddle a second. */
    static const char *const VARIES[] = {"CreationDate", "LastModifiedDate",       "Version",
                                         "CSSVersion",   "CloudFrontDistribution", NULL};
    static const char *const CALLS[][2] = {
        {IDP "DescribeUserPoolDomain", "{\"Domain\":\"auth.example.net\"}"},
        {IDP "DescribeResourceServer",
         "{\"UserPoolId\":\"" OAUTH_POOL "\",\"Identifier\":\"orders\"}"},
        {IDP "DescribeIdentityProvider",
         "{\"UserPoolId\":\"" OAUTH_POOL "\",\"ProviderName\":\"Google\"}"},
        {IDP "DescribeUserPoolClient",
         "{\"UserPoolId\":\"" OAUTH_POOL "\",\"ClientId\":\"oauthclient\"}"},
        {IDP "GetUICustomization", "{\"UserPoolId\":\"" OAUTH_POOL "\"}"},
        {IDP "DescribeUserPool", "{\"UserPoolId\":\"" POOL "\"}"},
    };
    struct tu_env *env = &tu_fixture, fresh;
    struct fixtures *f = NULL;
    struct fixtures_error err;
    char *text1, *text2;
    cJSON *doc, *pool;

    load(env, EXAMPLE);
    load_oauth(env);
    doc = fixtures_export(&env->app);
    ck_assert_ptr_nonnull(doc);
    pool = cJSON_GetArrayItem(tu_get(doc, "userPools"), 0);
    if (strcmp(tu_str(pool, "id"), OAUTH_POOL) != 0)
        pool = cJSON_GetArrayItem(tu_get(doc, "userPools"), 1);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(pool, "domain")), 2);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(pool, "resourceServers"), 0), "identifier"),
                     "orders");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(pool, "identityProviders")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(pool, "uiCustomization")), 2);
    text1 = cJSON_Print(doc);
    cJSON_Delete(doc);

    tu_env_init(&fresh);
    ck_assert_msg(fixtures_parse(text1, strlen(text1), "export", &f, &err) == 0, "%s: %s", err.path,
                  err.message);
    ck_assert_msg(fixtures_apply(&fresh.app, f, NULL, &err) == 0, "%s: %s", err.path, err.message);
    fixtures_free(f);
    doc = fixtures_export(&fresh.app);
    text2 = cJSON_Print(doc);
    cJSON_Delete(doc);
    ck_assert_str_eq(text1, text2);

    for (size_t i = 0; i < sizeof(CALLS) / sizeof(CALLS[0]); i++) {
        cJSON *a = tu_call(env, CALLS[i][0], CALLS[i][1]),
              *b = tu_call(&fresh, CALLS[i][0], CALLS[i][1]);
        /* The one member of each answer, without what varies between two makings. */
        assert_same_json(without(a->child, VARIES), without(b->child, VARIES));
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    free(text1);
    free(text2);
    tu_env_free(&fresh);
}
END_TEST

/* ---- The control API over HTTP ----------------------------------------------------------- */

static struct settings settings;
static struct server *srv;
static char base[64];

/*
 * Start the server with --fixtures path (may be NULL), --fixed-code code (may be NULL) and
 * --threads threads.
 */
static int start_threads(const char *path, const char *code, const char *threads)
{
    char *argv[16];
    int argc = 0;

    argv[argc++] = (char *)"cognito-emu";
    argv[argc++] = (char *)"--db";
    argv[argc++] = (char *)":memory:";
    argv[argc++] = (char *)"--port";
    argv[argc++] = (char *)"0";
    argv[argc++] = (char *)"--threads";
    argv[argc++] = (char *)threads;
    argv[argc++] = (char *)"--log-level";
    argv[argc++] = (char *)"error";
    if (path != NULL) {
        argv[argc++] = (char *)"--fixtures";
        argv[argc++] = (char *)path;
    }
    if (code != NULL) {
        argv[argc++] = (char *)"--fixed-code";
        argv[argc++] = (char *)code;
    }
    argv[argc] = NULL;
    ck_assert_int_eq(settings_parse(&settings, argc, argv), SETTINGS_RUN);
    if (server_start(&settings, &srv) != 0)
        return -1;
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", server_port(srv));
    return 0;
}

static int start(const char *path, const char *code)
{
    return start_threads(path, code, "4");
}

static void stop(void)
{
    server_stop(srv);
    srv = NULL;
    clock_set_offset_ms(0);
}

/* method path (under base) with body (may be NULL): the JSON answer, its status in *status. */
static cJSON *control(const char *method, const char *path, const char *body, long *status)
{
    char url[512];
    struct tu_http r;
    cJSON *json;

    snprintf(url, sizeof(url), "%s%s", base, path);
    tu_http_request(method, url, NULL, body, body ? strlen(body) : 0, &r);
    json = cJSON_Parse(r.body);
    ck_assert_msg(json != NULL, "%s %s: not JSON: %s", method, path, r.body);
    if (status != NULL)
        *status = r.status;
    tu_http_free(&r);
    return json;
}

/* An AWS call over HTTP: the parsed answer. */
static cJSON *aws(const char *operation, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static cJSON *aws(const char *operation, const char *fmt, ...)
{
    char url[96], target[128], body[2048];
    struct tu_http r;
    va_list ap;
    cJSON *json;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    snprintf(url, sizeof(url), "%s/", base);
    snprintf(target, sizeof(target), IDP "%s", operation);
    tu_http_aws(url, target, body, &r);
    json = cJSON_Parse(r.body);
    ck_assert_ptr_nonnull(json);
    tu_http_free(&r);
    return json;
}

static void sign_up(const char *username)
{
    cJSON *r = aws("SignUp",
                   "{\"ClientId\":\"" PUBLIC_CLIENT "\",\"Username\":\"%s\",\"Password\":"
                   "\"Passw0rd!x\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":"
                   "\"%s@example.com\"}]}",
                   username, username);
    ck_assert_msg(tu_error_type(r) == NULL, "SignUp: %s", tu_str(r, "message"));
    cJSON_Delete(r);
}

static int64_t last_id(void)
{
    cJSON *r = control("GET", "/_emu/messages?limit=1", NULL, NULL);
    int64_t id = (int64_t)tu_num(r, "lastId");

    cJSON_Delete(r);
    return id;
}

START_TEST(test_fixtures_messages_are_recorded_and_filtered)
{
    cJSON *r, *list;
    long status;
    char path[256];
    int64_t mark;

    ck_assert_int_eq(start(EXAMPLE, NULL), 0);
    mark = last_id();
    sign_up("dave");
    cJSON_Delete(aws("ResendConfirmationCode",
                     "{\"ClientId\":\"" PUBLIC_CLIENT "\",\"Username\":\"dave\"}"));
    sign_up("erin");

    r = control("GET", "/_emu/messages?username=dave", NULL, &status);
    ck_assert_int_eq(status, 200);
    list = tu_get(r, "messages");
    ck_assert_int_eq(cJSON_GetArraySize(list), 2);
    /* Newest first: the resent code, then the sign-up code. */
    const cJSON *newest = cJSON_GetArrayItem(list, 0), *oldest = cJSON_GetArrayItem(list, 1);
    ck_assert_int_gt(tu_num(newest, "id"), tu_num(oldest, "id"));
    ck_assert_str_eq(tu_str(newest, "poolId"), POOL);
    ck_assert_str_eq(tu_str(newest, "kind"), "sign-up");
    ck_assert_str_eq(tu_str(newest, "medium"), "EMAIL");
    ck_assert_str_eq(tu_str(newest, "attribute"), "email");
    ck_assert_str_eq(tu_str(newest, "destination"), "dave@example.com");
    tu_assert_matches(tu_str(newest, "code"), "^[0-9]{6}$");
    tu_assert_matches(tu_str(newest, "time"), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$");
    cJSON_Delete(r);

    /* The newest code is the one that confirms. */
    r = control("GET", "/_emu/messages?username=dave&limit=1", NULL, NULL);
    char code[8];
    snprintf(code, sizeof(code), "%s",
             tu_str(cJSON_GetArrayItem(tu_get(r, "messages"), 0), "code"));
    cJSON_Delete(r);
    r = aws("ConfirmSignUp",
            "{\"ClientId\":\"" PUBLIC_CLIENT
            "\",\"Username\":\"dave\",\"ConfirmationCode\":\"%s\"}",
            code);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);

    snprintf(path, sizeof(path), "/_emu/messages?after=%lld&kind=sign-up&pool=" POOL,
             (long long)mark);
    r = control("GET", path, NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 3);
    ck_assert_int_eq(tu_num(r, "lastId"), mark + 3);
    cJSON_Delete(r);
    r = control("GET", "/_emu/messages?destination=erin@example.com", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 1);
    cJSON_Delete(r);
    r = control("GET", "/_emu/messages?kind=forgot-password", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 0);
    cJSON_Delete(r);

    /* Bad parameters are refused; DELETE forgets the messages but not the ids. */
    cJSON_Delete(control("GET", "/_emu/messages?wait=31", NULL, &status));
    ck_assert_int_eq(status, 400);
    cJSON_Delete(control("GET", "/_emu/messages?after=-1", NULL, &status));
    ck_assert_int_eq(status, 400);
    cJSON_Delete(control("GET", "/_emu/messages?limit=0", NULL, &status));
    ck_assert_int_eq(status, 400);
    r = control("DELETE", "/_emu/messages", NULL, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(tu_num(r, "lastId"), mark + 3);
    cJSON_Delete(r);
    r = control("GET", "/_emu/messages", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 0);
    ck_assert_int_eq(tu_num(r, "lastId"), mark + 3);
    cJSON_Delete(r);
    stop();
}
END_TEST

/* Sign up "frank" after a short delay, from another thread. */
static void *late_sign_up(void *arg)
{
    (void)arg;
    usleep(300 * 1000);
    sign_up("frank");
    return NULL;
}

START_TEST(test_fixtures_messages_wait_for_the_next_one)
{
    pthread_t t;
    char path[256];
    double t0;
    cJSON *r;

    ck_assert_int_eq(start(EXAMPLE, NULL), 0);
    sign_up("frank0"); /* an older message that must not answer the wait */
    snprintf(path, sizeof(path), "/_emu/messages?username=frank&after=%lld&wait=10",
             (long long)last_id());
    ck_assert_int_eq(pthread_create(&t, NULL, late_sign_up, NULL), 0);
    t0 = clock_monotonic_ms();
    r = control("GET", path, NULL, NULL);
    ck_assert_double_lt(clock_monotonic_ms() - t0, 9000);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(r, "messages"), 0), "username"), "frank");
    cJSON_Delete(r);
    pthread_join(t, NULL);

    /* Nothing comes: an empty list once the wait is over. */
    t0 = clock_monotonic_ms();
    r = control("GET", "/_emu/messages?username=nobody&wait=0.3", NULL, NULL);
    ck_assert_double_ge(clock_monotonic_ms() - t0, 290);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 0);
    cJSON_Delete(r);
    stop();
}
END_TEST

/* Open a connection and send GET path on it; the socket (reads time out after 10 s). */
static int send_get(const char *path)
{
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)server_port(srv))};
    struct timeval limit = {.tv_sec = 10};
    char request[512];
    int fd = socket(AF_INET, SOCK_STREAM, 0), n;

    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    n = snprintf(request, sizeof(request),
                 "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", path);
    ck_assert_int_eq(write(fd, request, (size_t)n), n);
    return fd;
}

/* Read fd to its end into buf (NUL-terminated); fails the test when the read times out. */
static void read_answer(int fd, char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;

    while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    ck_assert_msg(n >= 0 || errno != EAGAIN, "no answer within 10 s");
    buf[len] = '\0';
}

/* The JSON body of an HTTP answer read by read_answer(), or NULL. */
static cJSON *answer_json(const char *answer)
{
    const char *body = strstr(answer, "\r\n\r\n");

    return body ? cJSON_Parse(body + 4) : NULL;
}

/* True when fd has nothing to read (no answer, no hang-up) right now. */
static bool silent(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return poll(&p, 1, 0) == 0;
}

/*
 * Time for the server to take in and park a request just sent. Were it slower, the tests below
 * would pass without proving their point, never fail wrongly.
 */
#define PARK_MS 200

START_TEST(test_fixtures_messages_wait_leaves_the_only_worker_free)
{
    char path[256], answer[4096];
    struct tu_http h;
    cJSON *r;
    int fd;

    ck_assert_int_eq(start_threads(EXAMPLE, NULL, "1"), 0);
    snprintf(path, sizeof(path), "/_emu/messages?username=frank&after=%lld&wait=5",
             (long long)last_id());
    fd = send_get(path);
    usleep(PARK_MS * 1000);
    /* One worker thread, and a waiter on it: another connection is still answered... */
    snprintf(path, sizeof(path), "%s/health", base);
    tu_http_request("GET", path, NULL, NULL, 0, &h);
    ck_assert_int_eq(h.status, 200);
    tu_http_free(&h);
    ck_assert_msg(silent(fd), "the waiter was answered before any message came");
    /* ...and so is the sign-up whose message wakes the waiter. */
    sign_up("frank");
    read_answer(fd, answer, sizeof(answer));
    close(fd);
    ck_assert_ptr_nonnull(strstr(answer, "HTTP/1.1 200"));
    r = answer_json(answer);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(r, "messages"), 0), "username"), "frank");
    cJSON_Delete(r);

    /* A waiter nothing answers gets an empty list at the end of its wait. */
    fd = send_get("/_emu/messages?username=nobody&wait=0.5");
    read_answer(fd, answer, sizeof(answer));
    close(fd);
    ck_assert_ptr_nonnull(strstr(answer, "HTTP/1.1 200"));
    r = answer_json(answer);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 0);
    cJSON_Delete(r);
    stop();
}
END_TEST

START_TEST(test_fixtures_stop_does_not_wait_for_waiters)
{
    char answer[4096];
    double t0;
    int fds[2];

    ck_assert_int_eq(start_threads(EXAMPLE, NULL, "1"), 0);
    fds[0] = send_get("/_emu/messages?username=nobody&wait=30");
    fds[1] = send_get("/_emu/messages?kind=nothing&wait=30");
    usleep(PARK_MS * 1000);
    t0 = clock_monotonic_ms();
    stop();
    ck_assert_double_lt(clock_monotonic_ms() - t0, 5000); /* not the 30 s of the waits */
    for (int i = 0; i < 2; i++) {
        read_answer(fds[i], answer, sizeof(answer));
        close(fds[i]);
        /* What there is (nothing), or a closed connection if the workers stopped first. */
        ck_assert_msg(answer[0] == '\0' || strncmp(answer, "HTTP/1.1 200", 12) == 0, "%s", answer);
    }
}
END_TEST

START_TEST(test_fixtures_fixed_code_is_every_code)
{
    cJSON *r;

    ck_assert_int_eq(start(EXAMPLE, "424242"), 0);
    sign_up("gina");
    r = control("GET", "/_emu/messages?username=gina", NULL, NULL);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(r, "messages"), 0), "code"), "424242");
    cJSON_Delete(r);
    r = aws("ConfirmSignUp", "{\"ClientId\":\"" PUBLIC_CLIENT
                             "\",\"Username\":\"gina\",\"ConfirmationCode\":\"424242\"}");
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    stop();
    /* Random codes again once that server is gone. */
    char code[7];
    secrets_code(code);
    secrets_code(code);
    ck_assert_int_eq(strlen(code), 6);
}
END_TEST

START_TEST(test_fixtures_reset_restores_the_fixtures)
{
    cJSON *r, *jwks_before, *jwks_after;
    char url[256];
    struct tu_http h;
    long status;

    ck_assert_int_eq(start(EXAMPLE, NULL), 0);
    snprintf(url, sizeof(url), "%s/" POOL "/.well-known/jwks.json", base);
    tu_http_request("GET", url, NULL, NULL, 0, &h);
    jwks_before = cJSON_Parse(h.body);
    tu_http_free(&h);
    sign_up("hank");
    cJSON_Delete(aws("AdminDeleteUser", "{\"UserPoolId\":\"" POOL "\",\"Username\":\"alice\"}"));
    cJSON_Delete(control("POST", "/_emu/clock", "{\"offsetMs\":7200000}", NULL));
    /* The fixture's domain removed, another pool with a domain (which DeleteUserPool refuses):
     * a reset drops the store as a whole, and makes the fixture's domain again. */
    r = aws("DeleteUserPoolDomain", "{\"UserPoolId\":\"" POOL "\",\"Domain\":\"example\"}");
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    r = aws("CreateUserPool", "{\"PoolName\":\"extra\"}");
    snprintf(url, sizeof(url), "{\"UserPoolId\":\"%s\",\"Domain\":\"extra-domain\"}",
             tu_str(tu_get(r, "UserPool"), "Id"));
    cJSON_Delete(r);
    r = aws("CreateUserPoolDomain", "%s", url);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    snprintf(url, sizeof(url), "%s/" POOL "/.well-known/jwks.json", base);

    r = control("POST", "/_emu/reset", NULL, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(r, "fixtures"), 0)->valuestring, EXAMPLE);
    ck_assert_int_eq(tu_num(tu_get(r, "created"), "users"), 3);
    ck_assert_int_eq(tu_num(tu_get(r, "created"), "domains"), 1);
    ck_assert_double_ge(tu_num(r, "elapsedMs"), 0); /* timing sanity, not a timed assertion */
    cJSON_Delete(r);

    r = aws("AdminGetUser", "{\"UserPoolId\":\"" POOL "\",\"Username\":\"hank\"}");
    tu_assert_error(r, "UserNotFoundException", NULL);
    cJSON_Delete(r);
    r = aws("AdminGetUser", "{\"UserPoolId\":\"" POOL "\",\"Username\":\"alice\"}");
    ck_assert_str_eq(tu_str(r, "UserStatus"), "CONFIRMED");
    cJSON_Delete(r);
    r = aws("DescribeUserPoolDomain", "{\"Domain\":\"example\"}");
    ck_assert_str_eq(tu_str(tu_get(r, "DomainDescription"), "UserPoolId"), POOL);
    cJSON_Delete(r);
    r = aws("DescribeUserPoolDomain", "{\"Domain\":\"extra-domain\"}");
    ck_assert_ptr_null(tu_get(r, "DomainDescription")->child);
    cJSON_Delete(r);
    r = control("GET", "/_emu/clock", NULL, NULL);
    ck_assert_int_eq(tu_num(r, "offsetMs"), 0);
    cJSON_Delete(r);
    r = control("GET", "/_emu/messages", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "messages")), 0);
    ck_assert_int_ge(tu_num(r, "lastId"), 1); /* ids keep growing */
    cJSON_Delete(r);
    /* The fixture pool keeps its signing keys. */
    tu_http_request("GET", url, NULL, NULL, 0, &h);
    jwks_after = cJSON_Parse(h.body);
    tu_http_free(&h);
    assert_same_json(jwks_before, jwks_after);
    cJSON_Delete(jwks_before);
    cJSON_Delete(jwks_after);
    stop();
}
END_TEST

START_TEST(test_fixtures_reset_with_a_broken_file_changes_nothing)
{
    char dir[] = "/tmp/cog-fixtures-XXXXXX", file[128];
    cJSON *r;
    long status;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/seed.json", dir);
    write_file(file, "{\"userPools\":[{\"id\":\"us-east-1_Seed1\",\"name\":\"seed\"}]}");
    ck_assert_int_eq(start(file, NULL), 0);
    cJSON_Delete(aws("CreateUserPool", "{\"PoolName\":\"extra\"}"));
    write_file(file, "{\"userPools\":[{\"id\":\"us-east-1_Seed1\"}]}");
    r = control("POST", "/_emu/reset", NULL, &status);
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(tu_str(r, "error"), "BadFixture");
    ck_assert(strstr(tu_str(r, "message"), "$.userPools[0]: missing member \"name\"") != NULL);
    ck_assert(strstr(tu_str(r, "message"), file) != NULL);
    cJSON_Delete(r);
    r = aws("ListUserPools", "{\"MaxResults\":60}");
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "UserPools")), 2);
    cJSON_Delete(r);
    stop();

    /* The same file stops a start. */
    ck_assert_int_eq(start(file, NULL), -1);
    unlink(file);
    rmdir(dir);
}
END_TEST

START_TEST(test_fixtures_clock_can_be_read_and_moved)
{
    cJSON *r;
    long status;
    int64_t before = clock_now_ms();

    ck_assert_int_eq(start(NULL, NULL), 0);
    r = control("GET", "/_emu/clock", NULL, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(tu_num(r, "offsetMs"), 0);
    ck_assert_double_ge(tu_num(r, "now"), (double)before);
    tu_assert_matches(tu_str(r, "nowIso"), "^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$");
    cJSON_Delete(r);

    r = control("POST", "/_emu/clock", "{\"offsetMs\":60000}", &status);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(tu_num(r, "offsetMs"), 60000);
    cJSON_Delete(r);
    r = control("POST", "/_emu/clock", "{\"advanceMs\":-30000}", NULL);
    ck_assert_int_eq(tu_num(r, "offsetMs"), 30000);
    cJSON_Delete(r);
    r = control("POST", "/_emu/clock", "{\"time\":\"2030-01-01T00:00:00.250Z\"}", NULL);
    ck_assert_double_ge(tu_num(r, "now"), 1893456000250.0);
    ck_assert_double_lt(tu_num(r, "now"), 1893456000250.0 + 5000);
    cJSON_Delete(r);
    r = control("POST", "/_emu/clock", "{\"time\":\"2030-01-01T02:00:00+02:00\"}", NULL);
    ck_assert_double_lt(tu_num(r, "now"), 1893456000000.0 + 5000);
    cJSON_Delete(r);
    r = control("POST", "/_emu/clock", "{\"time\":1893456000000}", NULL);
    ck_assert_double_ge(tu_num(r, "now"), 1893456000000.0);
    cJSON_Delete(r);

    static const char *const BAD_BODIES[] = {"{}",
                                             "{\"offsetMs\":1,\"advanceMs\":1}",
                                             "{\"offsetMs\":\"1\"}",
                                             "{\"offsetMs\":1.5}",
                                             "{\"time\":\"yesterday\"}",
                                             "{\"time\":\"2030-13-01T00:00:00Z\"}",
                                             "[]"};
    for (size_t i = 0; i < sizeof(BAD_BODIES) / sizeof(BAD_BODIES[0]); i++) {
        cJSON_Delete(control("POST", "/_emu/clock", BAD_BODIES[i], &status));
        ck_assert_msg(status == 400, "%s: %ld", BAD_BODIES[i], status);
    }
    r = control("POST", "/_emu/clock", "{\"offsetMs\":0}", NULL);
    ck_assert_int_eq(tu_num(r, "offsetMs"), 0);
    cJSON_Delete(r);
    stop();
}
END_TEST

/* Tokens follow the clock: an access token is refused once the clock passes its exp. */
START_TEST(test_fixtures_moved_clock_expires_access_tokens)
{
    cJSON *r;
    char token[4096];

    ck_assert_int_eq(start(EXAMPLE, NULL), 0);
    r = aws("InitiateAuth", "{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"" PUBLIC_CLIENT
                            "\",\"AuthParameters\":{\"USERNAME\":\"alice\",\"PASSWORD\":"
                            "\"Passw0rd!alice\"}}");
    snprintf(token, sizeof(token), "%s", tu_str(tu_get(r, "AuthenticationResult"), "AccessToken"));
    cJSON_Delete(r);
    r = aws("GetUser", "{\"AccessToken\":\"%s\"}", token);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    cJSON_Delete(control("POST", "/_emu/clock", "{\"advanceMs\":3601000}", NULL));
    r = aws("GetUser", "{\"AccessToken\":\"%s\"}", token);
    tu_assert_error(r, "NotAuthorizedException", "Access Token has expired");
    cJSON_Delete(r);
    stop();
}
END_TEST

/* Codes follow the clock too: a sign-up code is refused once 24 hours have passed. */
START_TEST(test_fixtures_moved_clock_expires_codes)
{
    cJSON *r;
    char code[8];

    ck_assert_int_eq(start(EXAMPLE, NULL), 0);
    sign_up("jane");
    r = control("GET", "/_emu/messages?username=jane", NULL, NULL);
    snprintf(code, sizeof(code), "%s",
             tu_str(cJSON_GetArrayItem(tu_get(r, "messages"), 0), "code"));
    cJSON_Delete(r);
    cJSON_Delete(control("POST", "/_emu/clock", "{\"advanceMs\":86401000}", NULL));
    r = aws("ConfirmSignUp",
            "{\"ClientId\":\"" PUBLIC_CLIENT
            "\",\"Username\":\"jane\",\"ConfirmationCode\":\"%s\"}",
            code);
    tu_assert_error(r, "ExpiredCodeException", NULL);
    cJSON_Delete(r);
    stop();
}
END_TEST

START_TEST(test_fixtures_export_and_load_over_http)
{
    struct tu_http h;
    char url[128];
    cJSON *r, *doc;
    long status;

    ck_assert_int_eq(start(EXAMPLE, NULL), 0);
    snprintf(url, sizeof(url), "%s/_emu/export", base);
    tu_http_request("GET", url, NULL, NULL, 0, &h);
    ck_assert_int_eq(h.status, 200);
    doc = cJSON_Parse(h.body);
    tu_http_free(&h);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(doc, "userPools"), 0), "id"), POOL);
    ck_assert_int_eq(
        cJSON_GetArraySize(tu_get(cJSON_GetArrayItem(tu_get(doc, "userPools"), 0), "users")), 3);
    cJSON_Delete(doc);

    r = control("POST", "/_emu/fixtures",
                "{\"userPools\":[{\"id\":\"" POOL "\",\"name\":\"example\",\"users\":"
                "[{\"username\":\"ivan\",\"password\":\"Passw0rd!ivan\",\"attributes\":"
                "{\"email\":\"ivan@example.com\"}}]}]}",
                &status);
    ck_assert_msg(status == 200, "%s", tu_str(r, "message"));
    ck_assert_int_eq(tu_num(tu_get(r, "created"), "users"), 1);
    ck_assert_int_eq(tu_num(r, "kept"), 1);
    cJSON_Delete(r);
    r = control("POST", "/_emu/fixtures", "{\"userPools\":[{\"id\":\"" POOL "\"}]}", &status);
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(tu_str(r, "error"), "BadFixture");
    ck_assert_str_eq(tu_str(r, "message"), "request body: $.userPools[0]: missing member \"name\" "
                                           "(nothing was applied)");
    cJSON_Delete(r);
    cJSON_Delete(control("GET", "/_emu/export/x", NULL, &status));
    ck_assert_int_eq(status, 404);
    stop();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("fixtures");
    TCase *load_tc = tcase_create("load");
    TCase *api = tcase_create("control");

    tcase_add_checked_fixture(load_tc, tu_setup, tu_teardown);
    tcase_set_timeout(load_tc, 60);
    tcase_add_test(load_tc, test_fixtures_example_makes_what_it_says);
    tcase_add_test(load_tc, test_fixtures_resources_equal_what_the_operations_make);
    tcase_add_test(load_tc, test_fixtures_loading_twice_makes_nothing_twice);
    tcase_add_test(load_tc, test_fixtures_fixed_sub_in_a_pool_with_username_attributes);
    tcase_add_loop_test(load_tc, test_fixtures_bad_fixtures_name_the_path_and_problem, 0,
                        (int)(sizeof(BAD) / sizeof(BAD[0])));
    tcase_add_test(load_tc, test_fixtures_bad_document_makes_nothing);
    tcase_add_test(load_tc, test_fixtures_directory_loads_json_files_in_name_order);
    tcase_add_test(load_tc, test_fixtures_export_replays_into_the_same_state);
    tcase_add_test(load_tc, test_fixtures_oauth_resources_load_and_are_kept);
    tcase_add_test(load_tc, test_fixtures_oauth_export_replays_into_the_same_state);
    suite_add_tcase(s, load_tc);

    tcase_set_timeout(api, 60);
    tcase_add_test(api, test_fixtures_messages_are_recorded_and_filtered);
    tcase_add_test(api, test_fixtures_messages_wait_for_the_next_one);
    tcase_add_test(api, test_fixtures_messages_wait_leaves_the_only_worker_free);
    tcase_add_test(api, test_fixtures_stop_does_not_wait_for_waiters);
    tcase_add_test(api, test_fixtures_fixed_code_is_every_code);
    tcase_add_test(api, test_fixtures_reset_restores_the_fixtures);
    tcase_add_test(api, test_fixtures_reset_with_a_broken_file_changes_nothing);
    tcase_add_test(api, test_fixtures_clock_can_be_read_and_moved);
    tcase_add_test(api, test_fixtures_moved_clock_expires_access_tokens);
    tcase_add_test(api, test_fixtures_moved_clock_expires_codes);
    tcase_add_test(api, test_fixtures_export_and_load_over_http);
    suite_add_tcase(s, api);
    return s;
}
