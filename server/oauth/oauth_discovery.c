/*
 * oauth_discovery: the per-pool documents an OpenID Connect client reads first. See
 * oauth_discovery.h. Like the operation handlers, they reach the database only through
 * store_* and keys_*, and answer a missing pool the AWS way (dispatch_respond_error).
 */
#include "config.h"

#include "oauth/oauth_discovery.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "dispatch.h"
#include "oauth/oauth.h"
#include "settings.h"
#include "store/store.h"

#define JWKS_SUFFIX "/.well-known/jwks.json"

/*
 * Check that pool_id exists, answering 404 ResourceNotFoundException (or 500) when it does
 * not. Returns true when it does.
 */
static bool pool_exists(struct store_conn *conn, const char *pool_id, const char *label,
                        struct http_response *resp)
{
    char *doc = NULL, message[128];
    int rc = store_doc_get(conn, STORE_USER_POOL, pool_id, NULL, &doc);

    free(doc);
    if (rc == STORE_OK)
        return true;
    if (rc == STORE_NOT_FOUND) {
        snprintf(message, sizeof(message), "User pool %s does not exist.", pool_id);
        dispatch_respond_error(COG_E_RESOURCE_NOT_FOUND, message, 404, label, resp);
    } else {
        dispatch_respond_error(COG_E_INTERNAL_ERROR, "Internal error: cannot read the user pool.",
                               500, label, resp);
    }
    return false;
}

/* Answer doc (taking it) as 200 application/json; 500 when it is NULL or will not print. */
static void json_response(cJSON *doc, const char *label, struct http_response *resp)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;

    cJSON_Delete(doc);
    if (text == NULL) {
        dispatch_respond_error(COG_E_INTERNAL_ERROR, "Internal error: cannot build the document.",
                               500, label, resp);
        return;
    }
    http_response_set_body(resp, 200, "application/json", text, strlen(text));
    snprintf(resp->label, sizeof(resp->label), "%s", label);
}

/* GET /<poolId>/.well-known/jwks.json: the pool's two public keys (made on first use). */
void oauth_discovery_jwks(const struct app *app, const struct http_request *req,
                          const char *pool_id, struct http_response *resp)
{
    struct store_conn *conn = store_acquire(app->store);

    if (pool_exists(conn, pool_id, "jwks", resp))
        json_response(keys_jwks(conn, pool_id), "jwks", resp);
    store_release(app->store, conn);
}

/* Add a member name holding an array of the strings values (count of them). */
static bool add_strings(cJSON *doc, const char *name, const char *const *values, int count)
{
    cJSON *list = cJSON_CreateStringArray(values, count);

    return list != NULL && cJSON_AddItemToObject(doc, name, list);
}

/* Add member name = base + path (base NULL: nothing is added). true, or false when out of
 * memory. */
static bool add_endpoint(cJSON *doc, const char *name, const char *base, const char *path)
{
    char url[1100];

    if (base == NULL)
        return true;
    snprintf(url, sizeof(url), "%s%s", base, path);
    return cJSON_AddStringToObject(doc, name, url) != NULL;
}

/*
 * The OIDC discovery document, with the members Cognito's has, in its alphabetical order
 * (../shared/oauth2-hosted-ui.md 2.10, a capture of 2025): the endpoints of the pool's domain
 * (base, NULL when the pool has none: then they are left out, as a pool without a domain has
 * no OAuth endpoints) and the fixed members; nothing else (no code_challenge_methods_supported
 * or grant_types_supported, which Cognito does not list). jwks_uri is always this server's,
 * also when tokens carry AWS's issuer (--issuer aws).
 */
static cJSON *discovery_doc(const struct settings *s, const char *pool_id, const char *base)
{
    static const char *const algs[] = {"RS256"};
    static const char *const response_types[] = {"code", "token"};
    static const char *const scopes[] = {"openid", "email", "phone", "profile"};
    static const char *const subject_types[] = {"public"};
    static const char *const auth_methods[] = {"client_secret_basic", "client_secret_post"};
    char issuer[640], jwks_uri[640];
    cJSON *doc = cJSON_CreateObject();

    settings_issuer(s, pool_id, issuer, sizeof(issuer));
    snprintf(jwks_uri, sizeof(jwks_uri), "%s/%s" JWKS_SUFFIX, s->public_url, pool_id);
    if (doc == NULL || !add_endpoint(doc, "authorization_endpoint", base, "/oauth2/authorize") ||
        !add_endpoint(doc, "end_session_endpoint", base, "/logout") ||
        !add_strings(doc, "id_token_signing_alg_values_supported", algs, 1) ||
        !cJSON_AddStringToObject(doc, "issuer", issuer) ||
        !cJSON_AddStringToObject(doc, "jwks_uri", jwks_uri) ||
        !add_strings(doc, "response_types_supported", response_types, 2) ||
        !add_endpoint(doc, "revocation_endpoint", base, "/oauth2/revoke") ||
        !add_strings(doc, "scopes_supported", scopes, 4) ||
        !add_strings(doc, "subject_types_supported", subject_types, 1) ||
        !add_endpoint(doc, "token_endpoint", base, "/oauth2/token") ||
        !add_strings(doc, "token_endpoint_auth_methods_supported", auth_methods, 2) ||
        !add_endpoint(doc, "userinfo_endpoint", base, "/oauth2/userInfo")) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* GET /<poolId>/.well-known/openid-configuration. */
void oauth_discovery_openid_configuration(const struct app *app, const struct http_request *req,
                                          const char *pool_id, struct http_response *resp)
{
    struct store_conn *conn = store_acquire(app->store);
    char base[1024];
    int has_domain = 0;
    bool exists = pool_exists(conn, pool_id, "openid-configuration", resp);

    if (exists)
        has_domain = oauth_pool_base_url(conn, app->settings, pool_id, base, sizeof(base));
    store_release(app->store, conn);
    if (has_domain < 0)
        dispatch_respond_error(COG_E_INTERNAL_ERROR, "Internal error: cannot read the domain.", 500,
                               "openid-configuration", resp);
    else if (exists)
        json_response(discovery_doc(app->settings, pool_id, has_domain ? base : NULL),
                      "openid-configuration", resp);
}
