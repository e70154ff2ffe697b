/*
 * check_ops_identity: identities of identity pools (ops_identity.c, identity_login.c,
 * store_identity.c) and the control API's mapping (control_identity.c), called exactly as the
 * server calls them (tu_call for the operations, the control handlers with a request of our
 * own). Tokens are real: a user signs up, is confirmed and signs in with AdminInitiateAuth
 * ADMIN_USER_PASSWORD_AUTH, and its IdToken is what the Logins maps carry.
 */
#include "config.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "control/control.h"
#include "dispatch.h"
#include "identity/identity_logins.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "crypto/jwt.h"
#include "settings.h"
#include "store/store.h"
#include "testutil.h"

static struct tu_env *const env = &tu_fixture;
static char user_pool[IDS_MAX], other_pool[IDS_MAX];
static char client_id[64], second_client[64], other_client[64];
static char sdk_key[256], issuer_key[700], other_key[256];

#define PASSWORD "Passw0rd!"
#define ROLE_AUTH "arn:aws:iam::123456789012:role/Cognito_Auth_Role"
#define ROLE_UNAUTH "arn:aws:iam::123456789012:role/Cognito_Unauth_Role"
#define ROLE_ADMIN "arn:aws:iam::123456789012:role/Admins"
#define ROLE_READERS "arn:aws:iam::123456789012:role/Readers"
#define UUID_RE "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

static const char NOT_SUPPORTED[] = "Token is not from a supported provider of this identity pool.";
static const char LOGINS_DONT_MATCH[] =
    "Logins don't match. Please include at least one valid login for this identity or identity "
    "pool.";

/* ---- Helpers ---------------------------------------------------------------------------- */

static void create_client(const char *pool, char *out)
{
    cJSON *r = tu_callf(env, IDP "CreateUserPoolClient",
                        "{\"UserPoolId\":\"%s\",\"ClientName\":\"app\",\"ExplicitAuthFlows\":["
                        "\"ALLOW_ADMIN_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}",
                        pool);

    ck_assert_msg(tu_error_type(r) == NULL, "CreateUserPoolClient: %s", tu_str(r, "message"));
    snprintf(out, 64, "%s", tu_str(tu_get(r, "UserPoolClient"), "ClientId"));
    cJSON_Delete(r);
}

/* Sign up username in pool with client and confirm it; returns nothing (fails the test). */
static void add_user(const char *pool, const char *client, const char *username)
{
    cJSON *r = tu_callf(env, IDP "SignUp",
                        "{\"ClientId\":\"%s\",\"Username\":\"%s\",\"Password\":\"" PASSWORD "\","
                        "\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"%s@example.com\"}]}",
                        client, username, username);

    ck_assert_msg(tu_error_type(r) == NULL, "SignUp: %s", tu_str(r, "message"));
    cJSON_Delete(r);
    r = tu_callf(env, IDP "AdminConfirmSignUp", "{\"UserPoolId\":\"%s\",\"Username\":\"%s\"}", pool,
                 username);
    ck_assert_msg(tu_error_type(r) == NULL, "AdminConfirmSignUp: %s", tu_str(r, "message"));
    cJSON_Delete(r);
}

/* Sign username in; a new copy of the token named which ("IdToken", "AccessToken"). */
static char *sign_in_token(const char *pool, const char *client, const char *username,
                           const char *which)
{
    cJSON *r = tu_callf(env, IDP "AdminInitiateAuth",
                        "{\"UserPoolId\":\"%s\",\"ClientId\":\"%s\","
                        "\"AuthFlow\":\"ADMIN_USER_PASSWORD_AUTH\",\"AuthParameters\":{"
                        "\"USERNAME\":\"%s\",\"PASSWORD\":\"" PASSWORD "\"}}",
                        pool, client, username);
    const char *t = tu_str(tu_get(r, "AuthenticationResult"), which);
    char *copy;

    ck_assert_msg(t != NULL, "AdminInitiateAuth: %s", tu_str(r, "message"));
    copy = strdup(t);
    cJSON_Delete(r);
    return copy;
}

static char *sign_in(const char *username)
{
    return sign_in_token(user_pool, client_id, username, "IdToken");
}

/*
 * A new identity pool with the suite's user pool and client as provider, guests allowed or
 * not, and extra members (a JSON fragment, may be "").
 */
static void create_identity_pool_with(bool guests, const char *extra, char *id_out)
{
    cJSON *r = tu_callf(env, IDENTITY "CreateIdentityPool",
                        "{\"IdentityPoolName\":\"ids\",\"AllowUnauthenticatedIdentities\":%s,"
                        "\"CognitoIdentityProviders\":[{\"ProviderName\":\"%s\","
                        "\"ClientId\":\"%s\"}]%s%s}",
                        guests ? "true" : "false", sdk_key, client_id, extra[0] ? "," : "", extra);
    const char *id = tu_str(r, "IdentityPoolId");

    ck_assert_msg(id != NULL, "CreateIdentityPool: %s", tu_str(r, "message"));
    snprintf(id_out, IDS_MAX, "%s", id);
    cJSON_Delete(r);
}

static void create_identity_pool(const char *extra, char *id_out)
{
    create_identity_pool_with(false, extra, id_out);
}

static void set_roles(const char *pool, const char *mappings)
{
    cJSON *r = tu_callf(env, IDENTITY "SetIdentityPoolRoles",
                        "{\"IdentityPoolId\":\"%s\",\"Roles\":{\"authenticated\":\"" ROLE_AUTH
                        "\",\"unauthenticated\":\"" ROLE_UNAUTH "\"}%s%s}",
                        pool, mappings[0] ? ",\"RoleMappings\":" : "", mappings);

    ck_assert_msg(tu_error_type(r) == NULL, "SetIdentityPoolRoles: %s", tu_str(r, "message"));
    cJSON_Delete(r);
}

static cJSON *get_id(const char *pool, const char *key, const char *token)
{
    if (key == NULL)
        return tu_callf(env, IDENTITY "GetId", "{\"IdentityPoolId\":\"%s\"}", pool);
    return tu_callf(env, IDENTITY "GetId", "{\"IdentityPoolId\":\"%s\",\"Logins\":{\"%s\":\"%s\"}}",
                    pool, key, token);
}

/* GetId that must succeed; the identity id copied into out. */
static void get_id_ok(const char *pool, const char *key, const char *token, char *out)
{
    cJSON *r = get_id(pool, key, token);
    const char *id = tu_str(r, "IdentityId");

    ck_assert_msg(id != NULL, "GetId: %s", cJSON_PrintUnformatted(r));
    snprintf(out, IDS_MAX, "%s", id);
    cJSON_Delete(r);
}

static cJSON *get_credentials(const char *id, const char *key, const char *token,
                              const char *custom_role)
{
    char custom[256] = "";

    if (custom_role != NULL)
        snprintf(custom, sizeof(custom), ",\"CustomRoleArn\":\"%s\"", custom_role);
    if (key == NULL)
        return tu_callf(env, IDENTITY "GetCredentialsForIdentity", "{\"IdentityId\":\"%s\"%s}", id,
                        custom);
    return tu_callf(env, IDENTITY "GetCredentialsForIdentity",
                    "{\"IdentityId\":\"%s\",\"Logins\":{\"%s\":\"%s\"}%s}", id, key, token, custom);
}

/* The role the credentials of a GetCredentialsForIdentity answer were issued for. */
static void assert_role(const cJSON *r, const char *role);

/* The token with one character of its signature changed. */
static char *forge(const char *token)
{
    char *copy = strdup(token);
    char *sig = strrchr(copy, '.') + 5;

    *sig = *sig == 'A' ? 'B' : 'A';
    return copy;
}

/* Call a control handler for GET CONTROL_PREFIX + prefix + rest; the parsed body. */
static cJSON *control_get(control_fn *fn, const char *rest, int *status)
{
    struct http_request http = {.method = "GET", .path = rest};
    struct control_req req = {.app = &env->app, .http = &http, .rest = rest};
    struct http_response resp;
    cJSON *doc;

    memset(&resp, 0, sizeof(resp));
    fn(&req, &resp);
    *status = resp.status;
    doc = cJSON_ParseWithLength(resp.body, resp.body_len);
    free(resp.body);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

static void assert_role(const cJSON *r, const char *role)
{
    const char *key = tu_str(tu_get(r, "Credentials"), "AccessKeyId");
    char rest[64];
    int status;
    cJSON *m;

    ck_assert_msg(key != NULL, "no credentials: %s %s", tu_error_type(r), tu_str(r, "message"));
    snprintf(rest, sizeof(rest), "/%s", key);
    m = control_get(control_credentials_get, rest, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(tu_str(m, "roleArn"), role);
    ck_assert_str_eq(tu_str(m, "identityId"), tu_str(r, "IdentityId"));
    cJSON_Delete(m);
}

static void setup(void)
{
    char *id;

    tu_setup();
    settings_set_port(&env->settings, 9229); /* the issuer http://localhost:9229/<pool> */
    id = tu_create_user_pool(env, "{\"PoolName\":\"ident\"}");
    snprintf(user_pool, sizeof(user_pool), "%s", id);
    free(id);
    id = tu_create_user_pool(env, "{\"PoolName\":\"other\"}");
    snprintf(other_pool, sizeof(other_pool), "%s", id);
    free(id);
    create_client(user_pool, client_id);
    create_client(user_pool, second_client);
    create_client(other_pool, other_client);
    snprintf(sdk_key, sizeof(sdk_key), "cognito-idp.us-east-1.amazonaws.com/%s", user_pool);
    snprintf(other_key, sizeof(other_key), "cognito-idp.us-east-1.amazonaws.com/%s", other_pool);
    {
        char iss[700];
        settings_issuer(&env->settings, user_pool, iss, sizeof(iss));
        snprintf(issuer_key, sizeof(issuer_key), "%s", strstr(iss, "://") + 3);
    }
    add_user(user_pool, client_id, "alice");
    add_user(user_pool, client_id, "bob");
    add_user(other_pool, other_client, "carol");
}

/* ---- GetId ------------------------------------------------------------------------------ */

START_TEST(test_ops_identity_get_id_same_login_same_identity)
{
    char pool[IDS_MAX], a[IDS_MAX], b[IDS_MAX];
    char *t1 = sign_in("alice"), *t2 = sign_in("alice");

    create_identity_pool("", pool);
    get_id_ok(pool, sdk_key, t1, a);
    get_id_ok(pool, sdk_key, t2, b);
    tu_assert_matches(a, "^us-east-1:" UUID_RE "$");
    ck_assert_str_eq(a, b);
    free(t1);
    free(t2);
}
END_TEST

START_TEST(test_ops_identity_get_id_accepts_the_issuer_as_key)
{
    char pool[IDS_MAX], a[IDS_MAX], b[IDS_MAX];
    char *t = sign_in("alice");

    /* Amplify builds the key from the token's iss without its scheme. */
    ck_assert_str_eq(issuer_key + strlen(issuer_key) - strlen(user_pool), user_pool);
    ck_assert_ptr_null(strstr(issuer_key, "://"));
    create_identity_pool("", pool);
    get_id_ok(pool, issuer_key, t, a);
    get_id_ok(pool, sdk_key, t, b);
    ck_assert_str_eq(a, b);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_get_id_different_users_different_identities)
{
    char pool[IDS_MAX], a[IDS_MAX], b[IDS_MAX];
    char *ta = sign_in("alice"), *tb = sign_in("bob");

    create_identity_pool("", pool);
    get_id_ok(pool, sdk_key, ta, a);
    get_id_ok(pool, sdk_key, tb, b);
    ck_assert_str_ne(a, b);
    free(ta);
    free(tb);
}
END_TEST

START_TEST(test_ops_identity_get_id_region_of_the_identity_pool)
{
    static const char auth[] =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-2/cognito-identity/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
    static const char body[] =
        "{\"IdentityPoolName\":\"p\",\"AllowUnauthenticatedIdentities\":true}";
    struct dispatch_result res;
    char id[IDS_MAX];
    cJSON *r;

    dispatch_request(&env->app, IDENTITY "CreateIdentityPool", auth, body, strlen(body), &res);
    r = cJSON_Parse(res.body);
    dispatch_result_free(&res);
    snprintf(id, sizeof(id), "%s", tu_str(r, "IdentityPoolId"));
    cJSON_Delete(r);
    /* GetId is unsigned (the default region is us-east-1); the id takes the pool's region. */
    r = get_id(id, NULL, NULL);
    tu_assert_matches(tu_str(r, "IdentityId"), "^eu-west-2:" UUID_RE "$");
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_get_id_refuses_a_forged_token)
{
    char pool[IDS_MAX];
    char *t = sign_in("alice"), *forged = forge(t);
    cJSON *r;

    create_identity_pool("", pool);
    r = get_id(pool, sdk_key, forged);
    tu_assert_error(r, "NotAuthorizedException",
                    "Invalid login token. Couldn't verify signed token.");
    cJSON_Delete(r);
    r = get_id(pool, sdk_key, "not-a-jwt");
    tu_assert_error(r, "NotAuthorizedException",
                    "Invalid login token. Not a valid OpenId Connect identity token.");
    cJSON_Delete(r);
    free(t);
    free(forged);
}
END_TEST

START_TEST(test_ops_identity_get_id_refuses_an_expired_token)
{
    char pool[IDS_MAX], expect[128];
    char *t = sign_in("alice");
    cJSON *claims = jwt_peek_payload(t), *r;
    long long exp = (long long)json_int(claims, "exp", 0);

    create_identity_pool("", pool);
    clock_set_offset_ms(3600 * 1000 + 5000); /* the IdToken lives an hour */
    r = get_id(pool, sdk_key, t);
    tu_assert_error(r, "NotAuthorizedException", NULL);
    snprintf(expect, sizeof(expect), "Invalid login token. Token expired: %lld >= %lld",
             (long long)(clock_now_ms() / 1000), exp);
    /* The clock may tick between the request and the expectation. */
    ck_assert_msg(strncmp(tu_str(r, "message"), "Invalid login token. Token expired: ", 36) == 0,
                  "%s", tu_str(r, "message"));
    tu_assert_matches(tu_str(r, "message"), "^Invalid login token\\. Token expired: [0-9]+ >= ");
    ck_assert_str_eq(strstr(tu_str(r, "message"), " >= "), strstr(expect, " >= "));
    cJSON_Delete(r);
    cJSON_Delete(claims);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_get_id_refuses_a_token_of_another_pool)
{
    char pool[IDS_MAX];
    char *t = sign_in_token(other_pool, other_client, "carol", "IdToken");
    cJSON *r;

    create_identity_pool("", pool);
    /* Under the configured provider's key: the issuer gives it away. */
    r = get_id(pool, sdk_key, t);
    tu_assert_error(r, "NotAuthorizedException",
                    "Invalid login token. Issuer doesn't match providerName");
    cJSON_Delete(r);
    /* Under its own pool's key: a provider the identity pool does not have. */
    r = get_id(pool, other_key, t);
    tu_assert_error(r, "NotAuthorizedException", NOT_SUPPORTED);
    cJSON_Delete(r);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_get_id_refuses_a_client_not_configured)
{
    char pool[IDS_MAX];
    char *t = sign_in_token(user_pool, second_client, "alice", "IdToken");
    cJSON *r;

    create_identity_pool("", pool);
    r = get_id(pool, sdk_key, t);
    tu_assert_error(r, "NotAuthorizedException", NOT_SUPPORTED);
    cJSON_Delete(r);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_get_id_refuses_an_access_token)
{
    char pool[IDS_MAX];
    char *t = sign_in_token(user_pool, client_id, "alice", "AccessToken");
    cJSON *r;

    create_identity_pool("", pool);
    r = get_id(pool, sdk_key, t);
    tu_assert_error(r, "NotAuthorizedException",
                    "Invalid login token. Missing a required claim: aud");
    cJSON_Delete(r);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_get_id_key_with_another_region_is_not_supported)
{
    char pool[IDS_MAX], key[256];
    char *t = sign_in("alice");
    cJSON *r;

    create_identity_pool("", pool);
    snprintf(key, sizeof(key), "cognito-idp.eu-west-1.amazonaws.com/%s", user_pool);
    r = get_id(pool, key, t);
    tu_assert_error(r, "NotAuthorizedException", NOT_SUPPORTED);
    cJSON_Delete(r);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_get_id_unauthenticated_refused_or_new_each_time)
{
    char closed[IDS_MAX], open[IDS_MAX], a[IDS_MAX], b[IDS_MAX];
    cJSON *r;

    create_identity_pool("", closed);
    r = get_id(closed, NULL, NULL);
    tu_assert_error(r, "NotAuthorizedException",
                    "Unauthenticated access is not supported for this identity pool.");
    cJSON_Delete(r);

    create_identity_pool_with(true, "", open);
    get_id_ok(open, NULL, NULL, a);
    get_id_ok(open, NULL, NULL, b);
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_ops_identity_get_id_unknown_pool)
{
    cJSON *r = get_id("us-east-1:00000000-0000-4000-8000-000000000000", NULL, NULL);

    tu_assert_error(r, "ResourceNotFoundException",
                    "IdentityPool 'us-east-1:00000000-0000-4000-8000-000000000000' not found.");
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_server_side_token_check_sees_a_disabled_user)
{
    char pool[IDS_MAX], id[IDS_MAX];
    char *t = sign_in("alice");
    cJSON *r = tu_callf(env, IDENTITY "CreateIdentityPool",
                        "{\"IdentityPoolName\":\"ssc\",\"AllowUnauthenticatedIdentities\":false,"
                        "\"CognitoIdentityProviders\":[{\"ProviderName\":\"%s\",\"ClientId\":"
                        "\"%s\",\"ServerSideTokenCheck\":true}]}",
                        sdk_key, client_id);

    snprintf(pool, sizeof(pool), "%s", tu_str(r, "IdentityPoolId"));
    cJSON_Delete(r);
    get_id_ok(pool, sdk_key, t, id);
    r = tu_callf(env, IDP "AdminDisableUser", "{\"UserPoolId\":\"%s\",\"Username\":\"alice\"}",
                 user_pool);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    r = get_id(pool, sdk_key, t);
    tu_assert_error(r, "NotAuthorizedException", "Token is inactive");
    cJSON_Delete(r);
    free(t);
}
END_TEST

/* ---- GetCredentialsForIdentity ---------------------------------------------------------- */

START_TEST(test_ops_identity_credentials_look_like_sts_and_are_new_each_call)
{
    char pool[IDS_MAX], id[IDS_MAX], first[32];
    char *t = sign_in("alice");
    cJSON *r, *c;
    double now;

    create_identity_pool("", pool);
    set_roles(pool, "");
    get_id_ok(pool, sdk_key, t, id);
    r = get_credentials(id, sdk_key, t, NULL);
    now = (double)(clock_now_ms() / 1000);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(r, "IdentityId"), id);
    c = tu_get(r, "Credentials");
    tu_assert_matches(tu_str(c, "AccessKeyId"), "^ASIA[A-Z0-9]{16}$");
    tu_assert_matches(tu_str(c, "SecretKey"), "^[A-Za-z0-9+/]{40}$");
    tu_assert_matches(tu_str(c, "SessionToken"), "^[A-Za-z0-9+/=]{400,}$");
    ck_assert(tu_num(c, "Expiration") >= now + 3599 && tu_num(c, "Expiration") <= now + 3601);
    ck_assert(tu_num(c, "Expiration") == (double)(long long)tu_num(c, "Expiration"));
    assert_role(r, ROLE_AUTH);
    snprintf(first, sizeof(first), "%s", tu_str(c, "AccessKeyId"));
    cJSON_Delete(r);

    r = get_credentials(id, issuer_key, t, NULL);
    ck_assert_ptr_null(tu_error_type(r));
    ck_assert_str_ne(tu_str(tu_get(r, "Credentials"), "AccessKeyId"), first);
    cJSON_Delete(r);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_credentials_of_an_authenticated_identity_need_logins)
{
    char pool[IDS_MAX], id[IDS_MAX];
    char *t = sign_in("alice"), *tb = sign_in("bob");
    cJSON *r;

    create_identity_pool("", pool);
    set_roles(pool, "");
    get_id_ok(pool, sdk_key, t, id);
    r = get_credentials(id, NULL, NULL, NULL);
    tu_assert_error(r, "NotAuthorizedException", LOGINS_DONT_MATCH);
    cJSON_Delete(r);
    /* Bob's token for Alice's identity: one user of a provider per identity. */
    r = get_credentials(id, sdk_key, tb, NULL);
    tu_assert_error(r, "ResourceConflictException", NULL);
    cJSON_Delete(r);
    r = get_credentials("us-east-1:00000000-0000-4000-8000-000000000000", NULL, NULL, NULL);
    tu_assert_error(r, "ResourceNotFoundException",
                    "Identity 'us-east-1:00000000-0000-4000-8000-000000000000' not found.");
    cJSON_Delete(r);
    free(t);
    free(tb);
}
END_TEST

START_TEST(test_ops_identity_credentials_of_unauthenticated_identities)
{
    char pool[IDS_MAX], id[IDS_MAX];
    cJSON *r;

    create_identity_pool_with(true, "", pool);
    get_id_ok(pool, NULL, NULL, id);
    r = get_credentials(id, NULL, NULL, NULL);
    tu_assert_error(r, "InvalidIdentityPoolConfigurationException",
                    "Invalid identity pool configuration. Check assigned IAM roles for this pool.");
    cJSON_Delete(r);
    set_roles(pool, "");
    r = get_credentials(id, NULL, NULL, NULL);
    assert_role(r, ROLE_UNAUTH);
    cJSON_Delete(r);

    /* The pool stops allowing guests: the identity is refused. */
    r = tu_callf(env, IDENTITY "UpdateIdentityPool",
                 "{\"IdentityPoolId\":\"%s\",\"IdentityPoolName\":\"ids\","
                 "\"AllowUnauthenticatedIdentities\":false}",
                 pool);
    ck_assert_ptr_null(tu_error_type(r));
    cJSON_Delete(r);
    r = get_credentials(id, NULL, NULL, NULL);
    tu_assert_error(r, "NotAuthorizedException",
                    "Unauthenticated access is not supported for this identity pool.");
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_ops_identity_no_authenticated_role_is_a_configuration_error)
{
    char pool[IDS_MAX], id[IDS_MAX];
    char *t = sign_in("alice");
    cJSON *r;

    create_identity_pool("", pool);
    get_id_ok(pool, sdk_key, t, id);
    r = get_credentials(id, sdk_key, t, NULL);
    tu_assert_error(r, "InvalidIdentityPoolConfigurationException",
                    "Invalid identity pool configuration. Check assigned IAM roles for this pool.");
    cJSON_Delete(r);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_guest_signing_in_keeps_its_identity)
{
    char pool[IDS_MAX], guest[IDS_MAX], again[IDS_MAX];
    char *t = sign_in("alice");
    cJSON *r;

    create_identity_pool_with(true, "", pool);
    set_roles(pool, "");
    get_id_ok(pool, NULL, NULL, guest);
    /* The login is new: it is linked to the guest identity, which becomes authenticated. */
    r = get_credentials(guest, sdk_key, t, NULL);
    ck_assert_str_eq(tu_str(r, "IdentityId"), guest);
    assert_role(r, ROLE_AUTH);
    cJSON_Delete(r);
    get_id_ok(pool, sdk_key, t, again);
    ck_assert_str_eq(again, guest);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_guest_with_a_known_login_is_merged)
{
    char pool[IDS_MAX], owner[IDS_MAX], guest[IDS_MAX];
    char *t = sign_in("alice");
    cJSON *r;

    create_identity_pool_with(true, "", pool);
    set_roles(pool, "");
    get_id_ok(pool, sdk_key, t, owner);
    get_id_ok(pool, NULL, NULL, guest);
    r = get_credentials(guest, sdk_key, t, NULL);
    ck_assert_str_eq(tu_str(r, "IdentityId"), owner);
    cJSON_Delete(r);
    /* The guest identity is disabled now. */
    r = get_credentials(guest, NULL, NULL, NULL);
    tu_assert_error(r, "NotAuthorizedException", NULL);
    ck_assert_msg(strstr(tu_str(r, "message"), "is forbidden.") != NULL, "%s",
                  tu_str(r, "message"));
    cJSON_Delete(r);
    r = tu_callf(env, IDENTITY "ListIdentities",
                 "{\"IdentityPoolId\":\"%s\",\"MaxResults\":10,\"HideDisabled\":true}", pool);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(r, "Identities")), 1);
    cJSON_Delete(r);
    free(t);
}
END_TEST

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

START_TEST(test_ops_identity_rules_mapping)
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

START_TEST(test_ops_identity_rules_contains_on_groups)
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

START_TEST(test_ops_identity_token_mapping_uses_group_roles)
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

START_TEST(test_ops_identity_roles_round_trip_and_validation)
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

/* ---- OpenID tokens ---------------------------------------------------------------------- */

/* The RSA public key of a JWK {n, e}: a new EVP_PKEY. */
static EVP_PKEY *key_from_jwk(const cJSON *jwk)
{
    size_t nlen = 0, elen = 0;
    unsigned char *n = jwt_b64url_decode(tu_str(jwk, "n"), strlen(tu_str(jwk, "n")), &nlen);
    unsigned char *e = jwt_b64url_decode(tu_str(jwk, "e"), strlen(tu_str(jwk, "e")), &elen);
    BIGNUM *bn = BN_bin2bn(n, (int)nlen, NULL), *be = BN_bin2bn(e, (int)elen, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;

    ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1);
    ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1);
    params = OSSL_PARAM_BLD_to_param(bld);
    ck_assert(EVP_PKEY_fromdata_init(pctx) == 1);
    ck_assert(EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pctx);
    BN_free(bn);
    BN_free(be);
    free(n);
    free(e);
    return pkey;
}

struct jwks_lookup {
    const cJSON *jwks;
    EVP_PKEY *key;
};

static EVP_PKEY *lookup_jwks(void *arg, const char *kid)
{
    struct jwks_lookup *lk = arg;
    const cJSON *jwk;

    cJSON_ArrayForEach(jwk, tu_get(lk->jwks, "keys"))
    {
        if (strcmp(tu_str(jwk, "kid"), kid) == 0)
            return lk->key = key_from_jwk(jwk);
    }
    return NULL;
}

/* Verify token against the JWKS the control API serves; the claims (cJSON_Delete). */
static cJSON *verify_with_served_jwks(const char *token)
{
    int status;
    cJSON *jwks = control_get(control_identity_jwks, "", &status), *claims = NULL;
    struct jwks_lookup lk = {jwks, NULL};
    enum jwt_status st;

    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(jwks, "keys")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(jwks, "keys"), 0), "alg"), "RS256");
    st = jwt_verify_rs256(token, lookup_jwks, &lk, &claims);
    EVP_PKEY_free(lk.key);
    cJSON_Delete(jwks);
    ck_assert_int_eq(st, JWT_OK);
    return claims;
}

START_TEST(test_ops_identity_open_id_token_verifies_against_the_served_jwks)
{
    char pool[IDS_MAX], id[IDS_MAX], sub_claim[300];
    char *t = sign_in("alice");
    cJSON *r, *claims, *peek = jwt_peek_payload(t);
    const cJSON *amr;

    create_identity_pool("", pool);
    get_id_ok(pool, sdk_key, t, id);
    r = tu_callf(env, IDENTITY "GetOpenIdToken",
                 "{\"IdentityId\":\"%s\",\"Logins\":{\"%s\":\"%s\"}}", id, issuer_key, t);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    ck_assert_str_eq(tu_str(r, "IdentityId"), id);
    claims = verify_with_served_jwks(tu_str(r, "Token"));
    ck_assert_str_eq(tu_str(claims, "iss"), "https://cognito-identity.amazonaws.com");
    ck_assert_str_eq(tu_str(claims, "aud"), pool);
    ck_assert_str_eq(tu_str(claims, "sub"), id);
    ck_assert(tu_num(claims, "exp") - tu_num(claims, "iat") == 600);
    amr = tu_get(claims, "amr");
    ck_assert_int_eq(cJSON_GetArraySize(amr), 3);
    ck_assert_str_eq(cJSON_GetArrayItem(amr, 0)->valuestring, "authenticated");
    ck_assert_str_eq(cJSON_GetArrayItem(amr, 1)->valuestring, sdk_key);
    snprintf(sub_claim, sizeof(sub_claim), "%s:CognitoSignIn:%s", sdk_key, tu_str(peek, "sub"));
    ck_assert_str_eq(cJSON_GetArrayItem(amr, 2)->valuestring, sub_claim);
    cJSON_Delete(claims);
    cJSON_Delete(r);

    /* Without its logins an authenticated identity gets no token. */
    r = tu_callf(env, IDENTITY "GetOpenIdToken", "{\"IdentityId\":\"%s\"}", id);
    tu_assert_error(r, "NotAuthorizedException", LOGINS_DONT_MATCH);
    cJSON_Delete(r);
    cJSON_Delete(peek);
    free(t);
}
END_TEST

START_TEST(test_ops_identity_open_id_token_unauthenticated_and_classic_flow_rules)
{
    char pool[IDS_MAX], id[IDS_MAX], mappings[512];
    cJSON *r, *claims;

    create_identity_pool_with(true, "", pool);
    get_id_ok(pool, NULL, NULL, id);
    r = tu_callf(env, IDENTITY "GetOpenIdToken", "{\"IdentityId\":\"%s\"}", id);
    ck_assert_msg(tu_error_type(r) == NULL, "%s", tu_str(r, "message"));
    claims = verify_with_served_jwks(tu_str(r, "Token"));
    ck_assert_str_eq(cJSON_GetArrayItem(tu_get(claims, "amr"), 0)->valuestring, "unauthenticated");
    cJSON_Delete(claims);
    cJSON_Delete(r);

    snprintf(mappings, sizeof(mappings),
             "{\"%s:%s\":{\"Type\":\"Token\",\"AmbiguousRoleResolution\":\"Deny\"}}", sdk_key,
             client_id);
    set_roles(pool, mappings);
    r = tu_callf(env, IDENTITY "GetOpenIdToken", "{\"IdentityId\":\"%s\"}", id);
    tu_assert_error(r, "InvalidParameterException",
                    "Basic (classic) flow is not supported with RoleMappings, please use enhanced "
                    "flow.");
    cJSON_Delete(r);

    create_identity_pool_with(true, "\"AllowClassicFlow\":false", pool);
    get_id_ok(pool, NULL, NULL, id);
    r = tu_callf(env, IDENTITY "GetOpenIdToken", "{\"IdentityId\":\"%s\"}", id);
    tu_assert_error(r, "InvalidParameterException", NULL);
    cJSON_Delete(r);
}
END_TEST

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

START_TEST(test_ops_identity_developer_identities)
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

START_TEST(test_ops_identity_developer_provider_is_refused_by_get_id)
{
    char pool[IDS_MAX];
    cJSON *r;

    create_identity_pool("\"DeveloperProviderName\":\"login.example\"", pool);
    r = get_id(pool, "login.example", "dev-1");
    tu_assert_error(r, "NotAuthorizedException", NOT_SUPPORTED);
    cJSON_Delete(r);
}
END_TEST

/* ---- Listing, describing, deleting, unlinking ------------------------------------------- */

START_TEST(test_ops_identity_list_describe_delete)
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

START_TEST(test_ops_identity_unlink_identity)
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

/* ---- The mapping (control API) ---------------------------------------------------------- */

START_TEST(test_ops_identity_mapping_endpoints)
{
    char pool[IDS_MAX], a[IDS_MAX], rest[512];
    char *t = sign_in("alice");
    cJSON *r, *m, *peek = jwt_peek_payload(t);
    const cJSON *login;
    int status;

    create_identity_pool("", pool);
    set_roles(pool, "");
    get_id_ok(pool, sdk_key, t, a);

    snprintf(rest, sizeof(rest), "/%s", a);
    m = control_get(control_identity_get, rest, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(tu_str(m, "identityId"), a);
    ck_assert_str_eq(tu_str(m, "identityPoolId"), pool);
    ck_assert(tu_bool(m, "authenticated"));
    ck_assert(!tu_bool(m, "disabled"));
    login = cJSON_GetArrayItem(tu_get(m, "logins"), 0);
    ck_assert_str_eq(tu_str(login, "provider"), sdk_key);
    ck_assert_str_eq(tu_str(login, "userPoolId"), user_pool);
    ck_assert_str_eq(tu_str(login, "sub"), tu_str(peek, "sub"));
    ck_assert_str_eq(tu_str(login, "username"), "alice");
    cJSON_Delete(m);

    /* The user's identities, by username and by sub. */
    snprintf(rest, sizeof(rest), "/%s/users/alice/identities", user_pool);
    m = control_get(control_user_identities, rest, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(tu_str(m, "sub"), tu_str(peek, "sub"));
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(m, "identities")), 1);
    ck_assert_str_eq(tu_str(cJSON_GetArrayItem(tu_get(m, "identities"), 0), "identityId"), a);
    cJSON_Delete(m);
    snprintf(rest, sizeof(rest), "/%s/users/%s/identities", user_pool, tu_str(peek, "sub"));
    m = control_get(control_user_identities, rest, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(tu_str(m, "username"), "alice");
    cJSON_Delete(m);
    snprintf(rest, sizeof(rest), "/%s/users/bob/identities", user_pool);
    m = control_get(control_user_identities, rest, &status);
    ck_assert_int_eq(status, 200); /* a user without identities */
    ck_assert_int_eq(cJSON_GetArraySize(tu_get(m, "identities")), 0);
    cJSON_Delete(m);

    /* The credentials' access key. */
    r = get_credentials(a, sdk_key, t, NULL);
    snprintf(rest, sizeof(rest), "/%s", tu_str(tu_get(r, "Credentials"), "AccessKeyId"));
    m = control_get(control_credentials_get, rest, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(tu_str(m, "identityId"), a);
    ck_assert_str_eq(tu_str(m, "identityPoolId"), pool);
    ck_assert_str_eq(tu_str(m, "roleArn"), ROLE_AUTH);
    ck_assert_str_eq(tu_str(m, "cognitoAuthenticationType"), "authenticated");
    {
        char provider[600];
        snprintf(provider, sizeof(provider), "%s,%s:CognitoSignIn:%s", sdk_key, sdk_key,
                 tu_str(peek, "sub"));
        ck_assert_str_eq(tu_str(m, "cognitoAuthenticationProvider"), provider);
    }
    ck_assert(tu_num(m, "expiration") == tu_num(tu_get(r, "Credentials"), "Expiration"));
    ck_assert(!tu_bool(m, "expired"));
    cJSON_Delete(m);
    cJSON_Delete(r);

    /* Unknown ids. */
    m = control_get(control_identity_get, "/us-east-1:00000000-0000-4000-8000-000000000000",
                    &status);
    ck_assert_int_eq(status, 404);
    ck_assert_str_eq(tu_str(m, "error"), "NotFound");
    cJSON_Delete(m);
    m = control_get(control_credentials_get, "/ASIAAAAAAAAAAAAAAAAA", &status);
    ck_assert_int_eq(status, 404);
    cJSON_Delete(m);
    snprintf(rest, sizeof(rest), "/%s/users/nobody/identities", user_pool);
    m = control_get(control_user_identities, rest, &status);
    ck_assert_int_eq(status, 404);
    cJSON_Delete(m);
    m = control_get(control_user_identities, "/x/y", &status);
    ck_assert_int_eq(status, 404);
    cJSON_Delete(m);
    cJSON_Delete(peek);
    free(t);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("ops_identity");
    TCase *tc = tcase_create("identity");

    tcase_add_checked_fixture(tc, setup, tu_teardown); /* keys_cache_clear: the identity key too */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ops_identity_get_id_same_login_same_identity);
    tcase_add_test(tc, test_ops_identity_get_id_accepts_the_issuer_as_key);
    tcase_add_test(tc, test_ops_identity_get_id_different_users_different_identities);
    tcase_add_test(tc, test_ops_identity_get_id_region_of_the_identity_pool);
    tcase_add_test(tc, test_ops_identity_get_id_refuses_a_forged_token);
    tcase_add_test(tc, test_ops_identity_get_id_refuses_an_expired_token);
    tcase_add_test(tc, test_ops_identity_get_id_refuses_a_token_of_another_pool);
    tcase_add_test(tc, test_ops_identity_get_id_refuses_a_client_not_configured);
    tcase_add_test(tc, test_ops_identity_get_id_refuses_an_access_token);
    tcase_add_test(tc, test_ops_identity_get_id_key_with_another_region_is_not_supported);
    tcase_add_test(tc, test_ops_identity_get_id_unauthenticated_refused_or_new_each_time);
    tcase_add_test(tc, test_ops_identity_get_id_unknown_pool);
    tcase_add_test(tc, test_ops_identity_server_side_token_check_sees_a_disabled_user);
    tcase_add_test(tc, test_ops_identity_credentials_look_like_sts_and_are_new_each_call);
    tcase_add_test(tc, test_ops_identity_credentials_of_an_authenticated_identity_need_logins);
    tcase_add_test(tc, test_ops_identity_credentials_of_unauthenticated_identities);
    tcase_add_test(tc, test_ops_identity_no_authenticated_role_is_a_configuration_error);
    tcase_add_test(tc, test_ops_identity_guest_signing_in_keeps_its_identity);
    tcase_add_test(tc, test_ops_identity_guest_with_a_known_login_is_merged);
    tcase_add_test(tc, test_ops_identity_rules_mapping);
    tcase_add_test(tc, test_ops_identity_rules_contains_on_groups);
    tcase_add_test(tc, test_ops_identity_token_mapping_uses_group_roles);
    tcase_add_test(tc, test_ops_identity_roles_round_trip_and_validation);
    tcase_add_test(tc, test_ops_identity_open_id_token_verifies_against_the_served_jwks);
    tcase_add_test(tc, test_ops_identity_open_id_token_unauthenticated_and_classic_flow_rules);
    tcase_add_test(tc, test_ops_identity_developer_identities);
    tcase_add_test(tc, test_ops_identity_developer_provider_is_refused_by_get_id);
    tcase_add_test(tc, test_ops_identity_list_describe_delete);
    tcase_add_test(tc, test_ops_identity_unlink_identity);
    tcase_add_test(tc, test_ops_identity_mapping_endpoints);
    suite_add_tcase(s, tc);
    return s;
}
