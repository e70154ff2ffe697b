/*
 * control: the JSON plumbing of the control API. See control.h; the routes are the CONTROL
 * rows of routes.def and the handlers are in the control_*.c file of each feature.
 */
#include "config.h"

#include "control/control.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The control API's rows of the path table, for the index (GET /_emu). */
static const struct {
    const char *method;
    const char *pattern; /* "/_emu/prefix/..." */
} rows[] = {
#define ROUTE(method, pattern, fn)
#define DOMAIN(method, pattern, fn)
#define CONTROL(method, pattern, fn) {method, pattern},
#include "routes.def"
#undef ROUTE
#undef DOMAIN
#undef CONTROL
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

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

void control_handle(const struct app *app, const struct http_request *req, control_fn *fn,
                    const char *rest, struct http_response *resp)
{
    struct control_req creq = {app, req, rest, NULL};

    snprintf(resp->label, sizeof(resp->label), "control %.80s", req->path);
    if (req->body_len > 0 && strspn(req->body, " \t\r\n") != req->body_len) {
        creq.body = cJSON_ParseWithLength(req->body, req->body_len);
        if (creq.body == NULL) {
            control_error(resp, 400, "BadRequest", "The request body is not valid JSON.");
            return;
        }
    }
    fn(&creq, resp);
    cJSON_Delete(creq.body);
}

void control_no_route(const struct http_request *req, bool wrong_method, struct http_response *resp)
{
    snprintf(resp->label, sizeof(resp->label), "control %.80s", req->path);
    if (wrong_method)
        control_error(resp, 405, "MethodNotAllowed", "%s is not allowed on %s.", req->method,
                      req->path);
    else
        control_error(resp, 404, "NotFound", "No control endpoint %s; GET %s lists them.",
                      req->path, CONTROL_PREFIX);
}

/* pattern without a final "/..." (the index names the prefix), copied into buf (n bytes). */
static const char *index_path(const char *pattern, char *buf, size_t n)
{
    size_t len = strlen(pattern);

    if (len >= 4 && strcmp(pattern + len - 4, "/...") == 0)
        len -= 4;
    snprintf(buf, n, "%.*s", (int)len, pattern);
    return buf;
}

/* GET /_emu: the list of control endpoints, so the API explains itself. */
void control_index(const struct control_req *req, struct http_response *resp)
{
    cJSON *doc, *list;

    if (control_no_rest(req, resp) != 0)
        return;
    doc = cJSON_CreateObject();
    list = cJSON_AddArrayToObject(doc, "endpoints");

    for (size_t i = 0; list != NULL && i < NROWS; i++) {
        cJSON *row = cJSON_CreateObject();
        char path[128];
        cJSON_AddStringToObject(row, "method", rows[i].method);
        cJSON_AddStringToObject(row, "path", index_path(rows[i].pattern, path, sizeof(path)));
        cJSON_AddItemToArray(list, row);
    }
    control_json(resp, 200, doc);
}

/* A whole number in [lo, hi] from query parameter name (absent: fallback). 0, or -1 with 400. */
int control_query_int(const struct control_req *req, struct http_response *resp, const char *name,
                      long long lo, long long hi, long long fallback, long long *out)
{
    const char *s = control_query(req, name);
    char *end;

    *out = fallback;
    if (s == NULL)
        return 0;
    errno = 0;
    *out = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || *out < lo || *out > hi) {
        control_error(resp, 400, "BadRequest", "%s must be a whole number from %lld to %lld.", name,
                      lo, hi);
        return -1;
    }
    return 0;
}

/* ?wait=<seconds>, fractions allowed, at most CONTROL_MAX_WAIT_MS. */
int control_query_wait(const struct control_req *req, struct http_response *resp, int64_t *ms)
{
    const char *s = control_query(req, "wait");
    char *end;
    double v;

    *ms = 0;
    if (s == NULL)
        return 0;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 ||
        v * 1000.0 > CONTROL_MAX_WAIT_MS) {
        control_error(resp, 400, "BadRequest", "wait must be a number of seconds from 0 to %d.",
                      CONTROL_MAX_WAIT_MS / 1000);
        return -1;
    }
    *ms = (int64_t)(v * 1000.0);
    return 0;
}

int control_feed_query(const struct control_req *req, struct http_response *resp,
                       struct control_feed_query *q)
{
    long long after, limit;

    if (control_no_rest(req, resp) != 0 ||
        control_query_int(req, resp, "after", 0, INT64_MAX, 0, &after) != 0 ||
        control_query_int(req, resp, "limit", 1, CONTROL_FEED_MAX_LIMIT, CONTROL_FEED_LIMIT,
                          &limit) != 0 ||
        control_query_wait(req, resp, &q->wait_ms) != 0)
        return -1;
    q->after_id = after;
    q->limit = (int)limit;
    return 0;
}
