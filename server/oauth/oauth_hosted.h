/*
 * oauth_hosted: the browser-facing endpoints of a user pool's domain
 * (../shared/oauth2-hosted-ui.md 2.2 to 2.4): /oauth2/authorize (and the legacy /authorize),
 * the hosted sign-in pages, /logout and /error. Each is a DOMAIN row of routes.def (route_fn):
 * param is the domain the path came under ("" at the root).
 */
#ifndef COG_OAUTH_HOSTED_H
#define COG_OAUTH_HOSTED_H

#include "app.h"
#include "http/http.h"

/* oauth_authorize.c: GET /oauth2/authorize and /authorize; GET /error. */
void oauth_authorize(const struct app *app, const struct http_request *req, const char *domain,
                     struct http_response *resp);
void oauth_error(const struct app *app, const struct http_request *req, const char *domain,
                 struct http_response *resp);

/* hosted_login.c: GET and POST /login (the sign-in form and its challenges); GET /logout. */
void hosted_login_get(const struct app *app, const struct http_request *req, const char *domain,
                      struct http_response *resp);
void hosted_login_post(const struct app *app, const struct http_request *req, const char *domain,
                       struct http_response *resp);
void hosted_logout(const struct app *app, const struct http_request *req, const char *domain,
                   struct http_response *resp);

/* hosted_account.c: GET and POST /signup, /confirm, /forgotPassword, /confirmforgotPassword. */
void hosted_signup(const struct app *app, const struct http_request *req, const char *domain,
                   struct http_response *resp);
void hosted_confirm(const struct app *app, const struct http_request *req, const char *domain,
                    struct http_response *resp);
void hosted_forgot_password(const struct app *app, const struct http_request *req,
                            const char *domain, struct http_response *resp);
void hosted_confirm_forgot_password(const struct app *app, const struct http_request *req,
                                    const char *domain, struct http_response *resp);

#endif
