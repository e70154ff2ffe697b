/*
 * routes: paths to handlers, through one table (routes.def). See routes.h. The AWS API is
 * POST / (the operation is in the X-Amz-Target header, as in AWS JSON 1.1); everything else
 * the emulator serves is a GET, but for the control API's POST and DELETE rows.
 */
#include "config.h"

#include "routes.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "control/control.h"
#include "dispatch.h"
#include "oauth/oauth.h"
#include "oauth/oauth_discovery.h"
#include "oauth/oauth_federation.h"
#include "oauth/oauth_hosted.h"
#include "oauth/oauth_token.h"
#include "oauth/oauth_userinfo.h"

/* UserPoolId in the AWS model: pattern [\w-]+_[0-9a-zA-Z]+, length 1 to 55. */
#define POOL_ID_MAX 55
#define POOL_SEGMENT "{pool}"
#define REST_SUFFIX "/..."

/* POST /: the AWS API. */
static void aws_api(const struct app *app, const struct http_request *req, const char *param,
                    struct http_response *resp)
{
    struct dispatch_result res;

    dispatch_request(app, http_request_header(req, "X-Amz-Target"),
                     http_request_header(req, "Authorization"), req->body, req->body_len, &res);
    dispatch_respond(&res, resp); /* takes res.body */
}

/* GET /health. */
static void health(const struct app *app, const struct http_request *req, const char *param,
                   struct http_response *resp)
{
    http_response_set_json(resp, 200, "application/json",
                           "{\"status\":\"ok\",\"version\":\"" PACKAGE_VERSION "\"}");
    snprintf(resp->label, sizeof(resp->label), "health");
}

/*
 * A row of routes.def: a ROUTE or DOMAIN row (fn) or a CONTROL row (control), by the macro
 * that made it; a DOMAIN row also answers under DOMAIN_PREFIX<domain>.
 */
struct route {
    const char *method;
    const char *pattern;
    route_fn *fn;
    control_fn *control;
    bool domain;
};

static const struct route routes[] = {
#define ROUTE(method, pattern, fn) {method, pattern, fn, NULL, false},
#define DOMAIN(method, pattern, fn) {method, pattern, fn, NULL, true},
#define CONTROL(method, pattern, fn) {method, pattern, NULL, fn, false},
#include "routes.def"
#undef ROUTE
#undef DOMAIN
#undef CONTROL
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

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

/* What matching a path captured: the {pool} segment ("" when none) and the rest. */
struct match {
    char pool[POOL_ID_MAX + 1];
    const char *rest; /* after a "/..." pattern: "" or "/..."; else "" */
};

/* A path split at its DOMAIN_PREFIX<domain> ("" and the whole path when it has none). */
struct domain_path {
    char domain[OAUTH_DOMAIN_MAX + 1];
    const char *inner; /* the path after the domain segment: "/oauth2/token" */
};

/* Whether c may be in a domain: a prefix ([a-z0-9-]) or a host name (letters, digits, '.'). */
static bool is_domain_char(char c)
{
    return is_alnum(c) || c == '-' || c == '.';
}

/*
 * Split path at DOMAIN_PREFIX<domain>/... into *d. A path without the prefix, or with a
 * segment that cannot be a domain, leaves d->domain "" and d->inner the whole path.
 */
static void split_domain(const char *path, struct domain_path *d)
{
    size_t plen = strlen(DOMAIN_PREFIX), n;
    const char *seg = path + plen;

    d->domain[0] = '\0';
    d->inner = path;
    if (strncmp(path, DOMAIN_PREFIX, plen) != 0)
        return;
    n = strcspn(seg, "/");
    if (n == 0 || n > OAUTH_DOMAIN_MAX || seg[n] != '/')
        return;
    for (size_t i = 0; i < n; i++)
        if (!is_domain_char(seg[i]))
            return;
    memcpy(d->domain, seg, n);
    d->domain[n] = '\0';
    d->inner = seg + n;
}

/*
 * Whether path matches pattern (see routes.h), filling *m. Literal bytes must be equal; a
 * "{pool}" takes the path's next segment when it is a well-formed pool id; a final "/..."
 * takes the path's end or a rest that starts with '/'.
 */
static bool match_path(const char *pattern, const char *path, struct match *m)
{
    const char *p = pattern, *s = path;

    m->pool[0] = '\0';
    while (*p != '\0') {
        if (strcmp(p, REST_SUFFIX) == 0) {
            m->rest = s;
            return *s == '\0' || *s == '/';
        }
        if (strncmp(p, POOL_SEGMENT, strlen(POOL_SEGMENT)) == 0) {
            size_t n = strcspn(s, "/");
            if (!valid_pool_id(s, n))
                return false;
            memcpy(m->pool, s, n);
            m->pool[n] = '\0';
            p += strlen(POOL_SEGMENT);
            s += n;
        } else if (*p++ != *s++) {
            return false;
        }
    }
    m->rest = s;
    return *s == '\0';
}

/* How specific pattern is: a whole path beats any prefix, a longer prefix a shorter one. */
static size_t specificity(const char *pattern)
{
    size_t n = strlen(pattern), suffix = strlen(REST_SUFFIX);

    if (n >= suffix && strcmp(pattern + n - suffix, REST_SUFFIX) == 0)
        return n - suffix;
    return SIZE_MAX;
}

/*
 * Whether row r matches path: as written, or, for a DOMAIN row, the path below a domain
 * segment (d). Fills *m.
 */
static bool match_row(const struct route *r, const char *path, const struct domain_path *d,
                      struct match *m)
{
    if (r->domain && d->domain[0] != '\0')
        return match_path(r->pattern, d->inner, m);
    return match_path(r->pattern, path, m);
}

/*
 * The row that answers method on path, with *m filled for it; NULL when there is none.
 * *wrong_method is set when rows match the path but the most specific have another method.
 */
static const struct route *find_route(const char *method, const char *path,
                                      const struct domain_path *d, struct match *m,
                                      bool *wrong_method)
{
    const struct route *best = NULL;
    size_t top = 0, best_rank = 0;
    bool any = false;
    struct match here;

    for (size_t i = 0; i < NROUTES; i++) {
        size_t rank = specificity(routes[i].pattern);
        if (!match_row(&routes[i], path, d, &here))
            continue;
        if (!any || rank > top)
            top = rank;
        any = true;
        if (strcmp(routes[i].method, method) == 0 && (best == NULL || rank > best_rank)) {
            best = &routes[i];
            best_rank = rank;
            *m = here;
        }
    }
    /* A less specific row with the right method must not answer for a more specific one. */
    *wrong_method = any && (best == NULL || best_rank < top);
    return *wrong_method ? NULL : best;
}

/* Anything else: AWS's 404, pointing at the AWS API. */
static void not_found(const struct http_request *req, struct http_response *resp)
{
    char message[300];

    snprintf(message, sizeof(message),
             "cognito-emu has no %.16s %.200s. The AWS API is POST / with an X-Amz-Target header.",
             req->method, req->path);
    dispatch_respond_error(COG_E_UNKNOWN_OPERATION, message, 404, "", resp);
}

void routes_handle(void *arg, const struct http_request *req, struct http_response *resp)
{
    const struct app *app = arg;
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    struct match m;
    struct domain_path d;
    bool wrong_method;
    const struct route *route;

    split_domain(req->path, &d);
    route = find_route(method, req->path, &d, &m, &wrong_method);
    if (route != NULL && route->control != NULL)
        control_handle(app, req, route->control, m.rest, resp);
    else if (route != NULL && route->domain)
        route->fn(app, req, d.domain, resp);
    else if (route != NULL)
        route->fn(app, req, m.pool[0] != '\0' ? m.pool : m.rest, resp);
    else if (control_owns(req->path))
        control_no_route(req, wrong_method, resp);
    else
        not_found(req, resp);
}

void routes_too_large(void *arg, const struct http_request *req, struct http_response *resp)
{
    dispatch_respond_error(
        COG_E_REQUEST_ENTITY_TOO_LARGE,
        "The request body is larger than this emulator accepts (see --max-body).", 0, "-", resp);
}
