/*
 * oauth_discovery: GET /<poolId>/.well-known/jwks.json (the pool's public signing keys) and
 * GET /<poolId>/.well-known/openid-configuration (the OIDC discovery document), where Cognito
 * has them (../shared/cognito-facts.md 1.2). A pool that does not exist is a 404
 * ResourceNotFoundException in AWS's shape.
 *
 * Both are routes.def handlers (route_fn): app, the request, the {pool} segment of the path
 * (already a well-formed UserPoolId), and the response to fill.
 */
#ifndef COG_OAUTH_DISCOVERY_H
#define COG_OAUTH_DISCOVERY_H

#include "app.h"
#include "http/http.h"

/* Answer the JWKS of user pool pool_id (its keys are made on first use); 404 or 500 else. */
void oauth_discovery_jwks(const struct app *app, const struct http_request *req,
                          const char *pool_id, struct http_response *resp);

/* Answer the OIDC discovery document of user pool pool_id; 404 or 500 else. */
void oauth_discovery_openid_configuration(const struct app *app, const struct http_request *req,
                                          const char *pool_id, struct http_response *resp);

#endif
