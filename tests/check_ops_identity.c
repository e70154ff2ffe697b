/*
 * check_ops_identity: identities of identity pools (ops_identity.c, identity.c,
 * identity_logins.c, store_identity.c): GetId and the checks of its logins,
 * GetCredentialsForIdentity, GetOpenIdToken, and the control API's mapping
 * (control_identity.c), called exactly as the server calls them (tu_call for the operations,
 * the control handlers with a request of our own). Tokens are real: a user signs up, is
 * confirmed and signs in with AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH, and its IdToken is
 * what the Logins maps carry (testidentity.c). Roles, developer identities and the
 * administrator's operations have their own suites.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "dispatch.h"
#include "util/jsonutil.h"
#include "crypto/jwt.h"
#include "settings.h"
#include "store/store.h"
#include "testidentity.h"

static struct tu_env *const env = &tu_fixture;

/* The token with one character of its signature changed. */
static char *forge(const char *token)
{
    char *copy = strdup(token);
    char *sig = strrchr(copy, '.') + 5;

    *sig = *sig == 'A' ? 'B' : 'A';
    return copy;
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

    tcase_add_checked_fixture(tc, identity_setup, tu_teardown);
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
    tcase_add_test(tc, test_ops_identity_open_id_token_verifies_against_the_served_jwks);
    tcase_add_test(tc, test_ops_identity_open_id_token_unauthenticated_and_classic_flow_rules);
    tcase_add_test(tc, test_ops_identity_mapping_endpoints);
    suite_add_tcase(s, tc);
    return s;
}
