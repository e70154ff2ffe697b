/*
 * routes: every URL the server answers, from one table, routes.def: POST / goes to the AWS
 * JSON 1.1 dispatcher, GET /health answers the health check, the per-pool OpenID documents
 * and the endpoints of user pool domains (OAuth 2.0 and the hosted pages) go to oauth/, and
 * everything under CONTROL_PREFIX to the control API. Everything else is a
 * 404 UnknownOperationException in AWS's shape; under CONTROL_PREFIX, the control API's own
 * 404 NotFound or 405 MethodNotAllowed.
 *
 * Matching. A row's pattern is literal text in which a "{pool}" segment matches a well-formed
 * UserPoolId (the model's [\w-]+_[0-9a-zA-Z]+, at most 55 characters: other ids fall to the
 * 404 without touching the store), and which may end in "/...": the path itself, or the path
 * followed by "/" and anything. Of the rows whose pattern matches the path, the most specific
 * answers (a pattern without "/..." before any with it, then the longest); when none of
 * those has the request's method (HEAD counts as GET), the method is wrong for the path.
 */
#ifndef COG_ROUTES_H
#define COG_ROUTES_H

#include "app.h"
#include "http/http.h"

/*
 * A ROUTE or DOMAIN handler of routes.def: app, the request, and param, the variable part of
 * the path: for a ROUTE, the {pool} segment, or the rest after a "/..." pattern ("" or
 * "/..."; "" when the pattern has neither); for a DOMAIN row, the domain segment the path
 * came under ("" at the root; DOMAIN_PREFIX in oauth/oauth.h). Fills resp as an http_handler does.
 */
typedef void route_fn(const struct app *app, const struct http_request *req, const char *param,
                      struct http_response *resp);

/* An http_handler; arg is a struct app *. */
void routes_handle(void *arg, const struct http_request *req, struct http_response *resp);

/* The http "too large" answer: an AWS-shaped RequestEntityTooLargeException. */
void routes_too_large(void *arg, const struct http_request *req, struct http_response *resp);

#endif
