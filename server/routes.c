/*
 * routes: paths to handlers. See routes.h. The AWS API is POST / (the operation is in the
 * X-Amz-Target header, as in AWS JSON 1.1); everything else the emulator serves is a GET.
 */
#include "config.h"

#include "routes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "control/control.h"
#include "dispatch.h"
#include "oauth/oauth_discovery.h"

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
        oauth_discovery_jwks(app, req, pool_id, resp);
    else if (is_get && pool_path(req->path, OIDC_SUFFIX, pool_id))
        oauth_discovery_openid_configuration(app, req, pool_id, resp);
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
