/*
 * oauth_token: the domain's token endpoint, POST /oauth2/token (the authorization_code,
 * refresh_token and client_credentials grants), and its revocation endpoint, POST
 * /oauth2/revoke (../shared/oauth2-hosted-ui.md 2.5, 2.7, 2.9). Both authenticate the app
 * client the same way: HTTP Basic (client_secret_basic) or client_id and client_secret in the
 * form (client_secret_post). Their errors are oauth_errors.h's.
 */
#ifndef COG_OAUTH_TOKEN_H
#define COG_OAUTH_TOKEN_H

#include <cJSON.h>
#include <stdbool.h>

#include "app.h"
#include "aws/op.h"
#include "http/http.h"
#include "oauth/oauth.h"

/* POST /oauth2/token (a DOMAIN row: domain is the one its path named, "" at the root). */
void oauth_token(const struct app *app, const struct http_request *req, const char *domain,
                 struct http_response *resp);

/* POST /oauth2/revoke. */
void oauth_revoke(const struct app *app, const struct http_request *req, const char *domain,
                  struct http_response *resp);

/* The outcome of oauth_token_issue(). */
enum oauth_issue_status {
    OAUTH_ISSUE_OK = 0,
    OAUTH_ISSUE_NO_USER, /* the grant's user is gone or disabled: error=invalid_grant */
    OAUTH_ISSUE_FAILED,  /* ctx->err is set: the store, or the pre token generation trigger */
};

/*
 * The tokens of grant g (what an authorization code was bound to, or what the implicit flow
 * grants at once), with pre token generation "TokenGeneration_HostedAuth": into *out a new
 * object in the token endpoint's form, {"access_token", "id_token" (when g->scope has
 * openid), "refresh_token" (when with_refresh), "token_type": "Bearer", "expires_in"}.
 */
enum oauth_issue_status oauth_token_issue(struct op_ctx *ctx, const struct oauth_grant *g,
                                          bool with_refresh, cJSON **out);

#endif
