/*
 * routes: paths to handlers. See routes.h. The AWS API is POST / (the operation is in the
 * X-Amz-Target header, as in AWS JSON 1.1); everything else the emulator serves is a GET.
 */
#include "config.h"

#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dispatch.h"

#define AMZ_JSON "application/x-amz-json-1.1"

/* Copy a dispatch result into the HTTP response, with AWS's headers. */
static void respond(const struct dispatch_result *res, struct http_response *resp)
{
    resp->status = res->status;
    resp->content_type = AMZ_JSON;
    resp->body = res->body;
    resp->body_len = res->body ? strlen(res->body) : 0;
    http_response_add_header(resp, "x-amzn-RequestId", res->request_id);
    if (res->code != COG_OK) {
        /* Real Cognito sends "<__type>:" here (../shared/cognito-facts.md section 1.5). */
        char type[96];
        snprintf(type, sizeof(type), "%s:", cog_err_type(res->code));
        http_response_add_header(resp, "x-amzn-ErrorType", type);
        http_response_add_header(resp, "x-amzn-ErrorMessage", res->message);
    }
    snprintf(resp->label, sizeof(resp->label), "%s%s%s", res->operation[0] ? res->operation : "-",
             res->code != COG_OK ? " " : "", res->code != COG_OK ? cog_err_type(res->code) : "");
}

static void aws_api(const struct app *app, const struct http_request *req,
                    struct http_response *resp)
{
    struct dispatch_result res;

    dispatch_request(app, http_request_header(req, "X-Amz-Target"),
                     http_request_header(req, "Authorization"), req->body, req->body_len, &res);
    respond(&res, resp); /* takes res.body */
}

static void health(struct http_response *resp)
{
    http_response_set_json(resp, 200, "application/json",
                           "{\"status\":\"ok\",\"version\":\"" PACKAGE_VERSION "\"}");
    snprintf(resp->label, sizeof(resp->label), "health");
}

static void not_found(const struct http_request *req, struct http_response *resp)
{
    struct dispatch_result res = {0};
    char message[300];

    snprintf(message, sizeof(message),
             "cognito-emu has no %.16s %.200s. The AWS API is POST / with an X-Amz-Target header.",
             req->method, req->path);
    dispatch_error(&res, COG_E_UNKNOWN_OPERATION, message);
    ids_uuid(res.request_id);
    respond(&res, resp);
    resp->status = 404;
}

void routes_handle(void *arg, const struct http_request *req, struct http_response *resp)
{
    const struct app *app = arg;
    int is_get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;

    if (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/") == 0)
        aws_api(app, req, resp);
    else if (is_get && strcmp(req->path, "/health") == 0)
        health(resp);
    else
        not_found(req, resp);
}

void routes_too_large(void *arg, const struct http_request *req, struct http_response *resp)
{
    struct dispatch_result res = {0};

    dispatch_error(&res, COG_E_REQUEST_ENTITY_TOO_LARGE,
                   "The request body is larger than this emulator accepts (see --max-body).");
    ids_uuid(res.request_id);
    snprintf(res.operation, sizeof(res.operation), "-");
    respond(&res, resp);
}
