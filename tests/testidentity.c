/*
 * testidentity: what the identity suites share (check_ops_identity, check_identity_roles,
 * check_ops_developer, check_ops_identity_admin). See testidentity.h.
 */
#include "config.h"

#include "testidentity.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt.h"
#include "settings.h"

static struct tu_env *const env = &tu_fixture;
char user_pool[IDS_MAX], other_pool[IDS_MAX];
char client_id[64], second_client[64], other_client[64];
char sdk_key[256], issuer_key[700], other_key[256];

const char NOT_SUPPORTED[] = "Token is not from a supported provider of this identity pool.";
const char LOGINS_DONT_MATCH[] =
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

char *sign_in_token(const char *pool, const char *client, const char *username, const char *which)
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

char *sign_in(const char *username)
{
    return sign_in_token(user_pool, client_id, username, "IdToken");
}

void create_identity_pool_with(bool guests, const char *extra, char *id_out)
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

void create_identity_pool(const char *extra, char *id_out)
{
    create_identity_pool_with(false, extra, id_out);
}

void set_roles(const char *pool, const char *mappings)
{
    cJSON *r = tu_callf(env, IDENTITY "SetIdentityPoolRoles",
                        "{\"IdentityPoolId\":\"%s\",\"Roles\":{\"authenticated\":\"" ROLE_AUTH
                        "\",\"unauthenticated\":\"" ROLE_UNAUTH "\"}%s%s}",
                        pool, mappings[0] ? ",\"RoleMappings\":" : "", mappings);

    ck_assert_msg(tu_error_type(r) == NULL, "SetIdentityPoolRoles: %s", tu_str(r, "message"));
    cJSON_Delete(r);
}

cJSON *get_id(const char *pool, const char *key, const char *token)
{
    if (key == NULL)
        return tu_callf(env, IDENTITY "GetId", "{\"IdentityPoolId\":\"%s\"}", pool);
    return tu_callf(env, IDENTITY "GetId", "{\"IdentityPoolId\":\"%s\",\"Logins\":{\"%s\":\"%s\"}}",
                    pool, key, token);
}

void get_id_ok(const char *pool, const char *key, const char *token, char *out)
{
    cJSON *r = get_id(pool, key, token);
    const char *id = tu_str(r, "IdentityId");

    ck_assert_msg(id != NULL, "GetId: %s", cJSON_PrintUnformatted(r));
    snprintf(out, IDS_MAX, "%s", id);
    cJSON_Delete(r);
}

cJSON *get_credentials(const char *id, const char *key, const char *token, const char *custom_role)
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

cJSON *control_get(control_fn *fn, const char *rest, int *status)
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

void assert_role(const cJSON *r, const char *role)
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

void identity_setup(void)
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

cJSON *verify_with_served_jwks(const char *token)
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
