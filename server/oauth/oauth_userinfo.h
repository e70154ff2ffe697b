/*
 * oauth_userinfo: the domain's OIDC userInfo endpoint, GET (and POST) /oauth2/userInfo
 * (../shared/oauth2-hosted-ui.md 2.6): the attributes of the user of a bearer access token
 * from the token endpoint, as far as its scopes show them.
 */
#ifndef COG_OAUTH_USERINFO_H
#define COG_OAUTH_USERINFO_H

#include "app.h"
#include "http/http.h"

/* GET or POST /oauth2/userInfo (a DOMAIN row). */
void oauth_userinfo(const struct app *app, const struct http_request *req, const char *domain,
                    struct http_response *resp);

#endif
