/*
 * control: the routing and JSON plumbing of the control API. See control.h; the routes are
 * in control.def and the handlers in the control_*.c file of each feature.
 */
#include "config.h"

#include "control/control.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct control_route {
    const char *method;
    const char *prefix;
    control_fn *fn;
};

static const struct control_route routes[] = {
#define CONTROL(method, prefix, fn) {method, prefix, fn},
#include "control/control.def"
#undef CONTROL
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

int control_owns(const char *path)
{
    size_t n = strlen(CONTROL_PREFIX);
    return strncmp(path, CONTROL_PREFIX, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void control_json(struct http_response *resp, int status, cJSON *doc)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;

    cJSON_Delete(doc);
    if (text == NULL) {
        control_error(resp, 500, "InternalError", "Out of memory.");
        return;
    }
    http_response_set_body(resp, status, "application/json", text, strlen(text));
}

void control_error(struct http_response *resp, int status, const char *kind, const char *fmt, ...)
{
    char message[512];
    cJSON *doc = cJSON_CreateObject();
    char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (doc != NULL && cJSON_AddStringToObject(doc, "error", kind) != NULL &&
        cJSON_AddStringToObject(doc, "message", message) != NULL)
        text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    http_response_set_body(resp, status, "application/json", text, text ? strlen(text) : 0);
}

const char *control_query(const struct control_req *req, const char *name)
{
    return http_request_query(req->http, name);
}

int control_no_rest(const struct control_req *req, struct http_response *resp)
{
    if (req->rest[0] == '\0' || strcmp(req->rest, "/") == 0)
        return 0;
    control_error(resp, 404, "NotFound", "No control endpoint %s; GET %s lists them.",
                  req->http->path, CONTROL_PREFIX);
    return -1;
}

/* The row whose prefix is the longest one matching path at a segment boundary, or NULL. */
static const struct control_route *find_route(const char *path, const char *method,
                                              int *method_mismatch)
{
    const struct control_route *best = NULL;
    size_t best_len = 0;

    *method_mismatch = 0;
    for (size_t i = 0; i < NROUTES; i++) {
        size_t n = strlen(routes[i].prefix);
        if (strncmp(path, routes[i].prefix, n) != 0 || (path[n] != '\0' && path[n] != '/'))
            continue;
        if (strcmp(routes[i].method, method) != 0) {
            *method_mismatch = 1;
            continue;
        }
        if (best == NULL || n > best_len) {
            best = &routes[i];
            best_len = n;
        }
    }
    /* A shorter prefix with the right method must not answer for a longer one's path. */
    for (size_t i = 0; best != NULL && i < NROUTES; i++) {
        size_t n = strlen(routes[i].prefix);
        if (n > best_len && strncmp(path, routes[i].prefix, n) == 0 &&
            (path[n] == '\0' || path[n] == '/')) {
            *method_mismatch = 1;
            return NULL;
        }
    }
    return best;
}

void control_handle(const struct app *app, const struct http_request *req,
                    struct http_response *resp)
{
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    int method_mismatch;
    const struct control_route *route = find_route(req->path, method, &method_mismatch);
    struct control_req creq = {app, req, NULL, NULL};

    snprintf(resp->label, sizeof(resp->label), "control %.80s", req->path);
    if (route == NULL) {
        if (method_mismatch)
            control_error(resp, 405, "MethodNotAllowed", "%s is not allowed on %s.", req->method,
                          req->path);
        else
            control_error(resp, 404, "NotFound", "No control endpoint %s; GET %s lists them.",
                          req->path, CONTROL_PREFIX);
        return;
    }
    if (req->body_len > 0 && strspn(req->body, " \t\r\n") != req->body_len) {
        creq.body = cJSON_ParseWithLength(req->body, req->body_len);
        if (creq.body == NULL) {
            control_error(resp, 400, "BadRequest", "The request body is not valid JSON.");
            return;
        }
    }
    creq.rest = req->path + strlen(route->prefix);
    route->fn(&creq, resp);
    cJSON_Delete(creq.body);
}

/* GET /_emu: the list of control endpoints, so the API explains itself. */
void control_index(const struct control_req *req, struct http_response *resp)
{
    cJSON *doc, *list;

    if (control_no_rest(req, resp) != 0)
        return;
    doc = cJSON_CreateObject();
    list = cJSON_AddArrayToObject(doc, "endpoints");

    for (size_t i = 0; list != NULL && i < NROUTES; i++) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "method", routes[i].method);
        cJSON_AddStringToObject(row, "path", routes[i].prefix);
        cJSON_AddItemToArray(list, row);
    }
    control_json(resp, 200, doc);
}
