/*
 * oauth_hosted: the browser-facing endpoints of a user pool's domain
 * (../shared/oauth2-hosted-ui.md 2.2 to 2.4): /oauth2/authorize (and the legacy /authorize),
 * the hosted sign-in pages, /logout and /error. Each is a DOMAIN row of routes.def (route_fn):
 * param is the domain the path came under ("" at the root).
 */
#ifndef COG_OAUTH_HOSTED_H
#define COG_OAUTH_HOSTED_H

#include <stdint.h>

#include "app.h"
#include "http/http.h"
#include "oauth/oauth_federation.h"

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

/*
 * hosted_session.c, for the identity provider leg (oauth_federation.c): answer req (its route's
 * domain) as the end of a sign-in of user user_seq at auth_time for the app's authorize request
 * r, as after the sign-in form: the hosted session cookie, then the code (or, for
 * response_type=token, the tokens) back at the app's redirect URI with its state.
 */
void hosted_finish_flow(const struct app *app, const struct http_request *req, const char *domain,
                        const struct oauth_fed_request *r, int64_t user_seq, int64_t auth_time,
                        struct http_response *resp);

/*
 * hosted.c, for the pages the emulator serves outside a domain (the mock identity provider):
 * body (HTML the caller built and escaped) in the hosted pages' layout and style, titled title
 * under the line app (may be NULL). A new string, or NULL when out of memory.
 */
char *hosted_render_page(const char *title, const char *app, const char *body);

/* The hosted error page (400) with detail, for a flow that cannot go on (unknown state). */
void hosted_flow_error(const struct app *app, const struct http_request *req, const char *domain,
                       const char *detail, struct http_response *resp);

#endif
