/*
 * routes: which path does what. POST / goes to the AWS JSON 1.1 dispatcher; GET /health
 * answers the health check; later, the JWKS and discovery documents and the control API.
 * Everything else is a 404 with a JSON body.
 */
#ifndef COG_ROUTES_H
#define COG_ROUTES_H

#include "http/http.h"

/* An http_handler; arg is a struct app *. */
void routes_handle(void *arg, const struct http_request *req, struct http_response *resp);

/* The http "too large" answer: an AWS-shaped RequestEntityTooLargeException. */
void routes_too_large(void *arg, const struct http_request *req, struct http_response *resp);

#endif
