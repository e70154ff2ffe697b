/*
 * oauth_authorize: GET /oauth2/authorize (and the legacy /authorize,
 * amazon-archives/amazon-cognito-auth-js#50), the entry point of the hosted sign-in, and GET
 * /error, where a request the app cannot be trusted with ends (../shared/oauth2-hosted-ui.md
 * 2.2). The checks are hosted.c's, shared with the pages: which client, which redirect, then
 * what the app may ask. A valid request then goes, in this order:
 *   - identity_provider (or idp_identifier) naming an external provider: to it
 *     (oauth_federation.c), whatever session the browser has here;
 *   - prompt=login: to the sign-in page, whatever session the browser has;
 *   - a live hosted session of the pool: straight back to the app with a new code (single
 *     sign-on across the pool's clients; the code keeps the session's auth_time);
 *   - prompt=none without a session: back to the app with error=login_required (OIDC's rule;
 *     Cognito's own handling is unverified);
 *   - else to /login with the same parameters.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "oauth/hosted_int.h"
#include "oauth/oauth_federation.h"
#include "oauth/oauth_hosted.h"

/* Send the browser to h->provider (oauth_federation.c), with the request as it was checked. */
static void federate(struct hosted *h)
{
    const struct oauth_fed_request r = {
        .client_id = h->client.id,
        .redirect_uri = h->redirect_uri,
        .state = h->params[HP_STATE],
        .scope = h->scope,
        .nonce = h->params[HP_NONCE],
        .code_challenge = h->params[HP_CODE_CHALLENGE],
        .code_challenge_method = h->params[HP_CODE_CHALLENGE_METHOD],
        .response_type = h->params[HP_RESPONSE_TYPE],
    };

    oauth_federation_redirect(h->app, h->conn, &h->site, h->provider, &r, h->resp);
}

void oauth_authorize(const struct app *app, const struct http_request *req, const char *domain,
                     struct http_response *resp)
{
    struct hosted h;
    int64_t user_seq = 0, auth_time = 0;
    const char *prompt;
    int live = 0;

    if (!hosted_begin(&h, app, req, domain, resp, "oauth2/authorize"))
        goto out;
    if (!hosted_check_all(&h))
        goto out;
    if (h.provider != NULL) { /* an external identity provider: its leg, session or not */
        federate(&h);
        goto out;
    }
    prompt = h.params[HP_PROMPT];
    if (prompt == NULL || strcmp(prompt, "login") != 0)
        live = hosted_session_get(&h, &user_seq, &auth_time);
    if (live < 0)
        hosted_internal(&h, "cannot read the hosted session");
    else if (live > 0)
        hosted_answer_app(&h, user_seq, auth_time);
    else if (prompt != NULL && strcmp(prompt, "none") == 0)
        hosted_app_error(&h, "login_required", NULL);
    else
        hosted_redirect_page(&h, "/login");
out:
    hosted_end(&h);
}

/* What each error code of /error means, for the line under Cognito's sentence. */
static const struct {
    const char *error;
    const char *detail;
} ERROR_DETAILS[] = {
    {"redirect_mismatch", "The redirect URL is not one of the app client's callback URLs."},
    {"invalid_client", "There is no app client with this client_id in this user pool."},
    {"unauthorized_client", "This app client is not allowed to use OAuth flows."},
    {"invalid_request", "The request lacks client_id or redirect_uri."},
};

/* GET /error?error=...&client_id=...: Cognito's own error page, 400. */
void oauth_error(const struct app *app, const struct http_request *req, const char *domain,
                 struct http_response *resp)
{
    struct hosted h;
    const char *error, *detail = NULL;

    if (hosted_begin(&h, app, req, domain, resp, "error")) {
        error = hosted_field(&h, "error");
        for (size_t i = 0; error != NULL && i < sizeof(ERROR_DETAILS) / sizeof(ERROR_DETAILS[0]);
             i++)
            if (strcmp(ERROR_DETAILS[i].error, error) == 0)
                detail = ERROR_DETAILS[i].detail;
        hosted_error_page(&h, 400, detail);
    }
    hosted_end(&h);
}
