/*
 * routes: paths to handlers. See routes.h. The AWS API is POST / (the operation is in the
 * X-Amz-Target header, as in AWS JSON 1.1); everything else the emulator serves is a GET.
 *
 * The per-pool documents live where Cognito has them (../shared/cognito-facts.md 1.2):
 * /<poolId>/.well-known/jwks.json and /<poolId>/.well-known/openid-configuration. Like the
 * handlers, these routes reach the database only through store_* and keys_*.
 */
#include "config.h"

#include "routes.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "control/control.h"
#include "dispatch.h"
#include "crypto/keys.h"
#include "settings.h"
#include "store/store.h"

#define JWKS_SUFFIX "/.well-known/jwks.json"
#define OIDC_SUFFIX "/.well-known/openid-configuration"
/* UserPoolId in the AWS model: pattern [\w-]+_[0-9a-zA-Z]+, length 1 to 55. */
#define POOL_ID_MAX 55

static void aws_api(const struct app *app, const struct http_request *req,
                    struct http_response *resp)
{
    struct dispatch_result res;

    dispatch_request(app, http_request_header(req, "X-Amz-Target"),
                     http_request_header(req, "Authorization"), req->body, req->body_len, &res);
    dispatch_respond(&res, resp); /* takes res.body */
}

static void health(struct http_response *resp)
{
    http_response_set_json(resp, 200, "application/json",
                           "{\"status\":\"ok\",\"version\":\"" PACKAGE_VERSION "\"}");
    snprintf(resp->label, sizeof(resp->label), "health");
}

static void not_found(const struct http_request *req, struct http_response *resp)
{
    char message[300];

    snprintf(message, sizeof(message),
             "cognito-emu has no %.16s %.200s. The AWS API is POST / with an X-Amz-Target header.",
             req->method, req->path);
    dispatch_respond_error(COG_E_UNKNOWN_OPERATION, message, 404, "", resp);
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether id (len bytes) matches the model's UserPoolId: [\w-]+_[0-9a-zA-Z]+, at most 55. */
static bool valid_pool_id(const char *id, size_t len)
{
    size_t last_underscore = 0;

    if (len < 3 || len > POOL_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (id[i] == '_')
            last_underscore = i;
        else if (!is_alnum(id[i]) && id[i] != '-')
            return false;
    }
    /* Something before the last '_', and only alphanumerics (at least one) after it. */
    if (last_underscore == 0 || last_underscore == len - 1)
        return false;
    for (size_t i = last_underscore + 1; i < len; i++)
        if (!is_alnum(id[i]))
            return false;
    return true;
}

/*
 * When path is "/<poolId><suffix>" with a well-formed pool id, copy the id into id
 * (POOL_ID_MAX + 1 bytes) and return true. Other paths, and ids the model would reject, are
 * left to the generic 404 without touching the store.
 */
static bool pool_path(const char *path, const char *suffix, char *id)
{
    size_t len = strlen(path), slen = strlen(suffix), idlen;

    if (path[0] != '/' || len <= slen + 1 || strcmp(path + len - slen, suffix) != 0)
        return false;
    idlen = len - slen - 1;
    if (!valid_pool_id(path + 1, idlen))
        return false;
    memcpy(id, path + 1, idlen);
    id[idlen] = '\0';
    return true;
}

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
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = text;
    resp->body_len = strlen(text);
    snprintf(resp->label, sizeof(resp->label), "%s", label);
}

/* GET /<poolId>/.well-known/jwks.json: the pool's two public keys (made on first use). */
static void jwks(const struct app *app, const char *pool_id, struct http_response *resp)
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
static void openid_configuration(const struct app *app, const char *pool_id,
                                 struct http_response *resp)
{
    struct store_conn *conn = store_acquire(app->store);
    bool exists = pool_exists(conn, pool_id, "openid-configuration", resp);

    store_release(app->store, conn);
    if (exists)
        json_response(discovery_doc(app->settings, pool_id), "openid-configuration", resp);
}

void routes_handle(void *arg, const struct http_request *req, struct http_response *resp)
{
    const struct app *app = arg;
    int is_get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    char pool_id[POOL_ID_MAX + 1];

    if (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/") == 0)
        aws_api(app, req, resp);
    else if (is_get && strcmp(req->path, "/health") == 0)
        health(resp);
    else if (is_get && pool_path(req->path, JWKS_SUFFIX, pool_id))
        jwks(app, pool_id, resp);
    else if (is_get && pool_path(req->path, OIDC_SUFFIX, pool_id))
        openid_configuration(app, pool_id, resp);
    else if (control_owns(req->path))
        control_handle(app, req, resp);
    else
        not_found(req, resp);
}

void routes_too_large(void *arg, const struct http_request *req, struct http_response *resp)
{
    dispatch_respond_error(
        COG_E_REQUEST_ENTITY_TOO_LARGE,
        "The request body is larger than this emulator accepts (see --max-body).", 0, "-", resp);
}
