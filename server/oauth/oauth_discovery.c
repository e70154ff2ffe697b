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

/*
 * The OIDC discovery document, with the members Cognito's has (in its alphabetical order;
 * openiddict/openiddict-core#1586 shows a captured one) minus the hosted UI endpoints the
 * emulator does not serve (authorization_endpoint, token_endpoint, userinfo_endpoint).
 * jwks_uri is always this server's, also when tokens carry AWS's issuer (--issuer aws).
 */
static cJSON *discovery_doc(const struct settings *s, const char *pool_id)
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
    if (doc == NULL || !add_strings(doc, "id_token_signing_alg_values_supported", algs, 1) ||
        !cJSON_AddStringToObject(doc, "issuer", issuer) ||
        !cJSON_AddStringToObject(doc, "jwks_uri", jwks_uri) ||
        !add_strings(doc, "response_types_supported", response_types, 2) ||
        !add_strings(doc, "scopes_supported", scopes, 4) ||
        !add_strings(doc, "subject_types_supported", subject_types, 1) ||
        !add_strings(doc, "token_endpoint_auth_methods_supported", auth_methods, 2)) {
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
    bool exists = pool_exists(conn, pool_id, "openid-configuration", resp);

    store_release(app->store, conn);
    if (exists)
        json_response(discovery_doc(app->settings, pool_id), "openid-configuration", resp);
}
