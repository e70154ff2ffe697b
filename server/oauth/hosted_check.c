/*
 * hosted_check: the checks every hosted page makes first (../shared/oauth2-hosted-ui.md 2.2):
 * the client and the site, the redirect URL, then what the app may ask (response_type, the
 * flow, the scopes, PKCE, the identity provider). See hosted_int.h.
 */
#include "config.h"

#include <cJSON.h>
#include <stdbool.h>
#include <string.h>

#include "oauth/hosted_int.h"
#include "userpool/identity_provider.h"
#include "util/jsonutil.h"

/* ---- Checks ------------------------------------------------------------------------------- */

/* Fill h->site for the domain the request named, whatever its client: for the error page. */
static void site_without_client(struct hosted *h)
{
    h->has_site =
        oauth_site_resolve(h->conn, h->app, h->req, h->domain, NULL, &h->site) == OAUTH_SITE_OK;
}

bool hosted_check_client(struct hosted *h)
{
    enum oauth_client_status cs = oauth_client_load(&h->ctx, h->params[HP_CLIENT_ID], &h->client);
    enum oauth_site_status ss;

    if (cs == OAUTH_CLIENT_ERROR) {
        hosted_internal(h, h->ctx.err.message);
        return false;
    }
    ss = oauth_site_resolve(h->conn, h->app, h->req, h->domain,
                            cs == OAUTH_CLIENT_UNKNOWN ? NULL : h->client.pool_id, &h->site);
    h->has_site = ss == OAUTH_SITE_OK;
    if (ss == OAUTH_SITE_ERROR) {
        hosted_internal(h, "cannot read the domain");
        return false;
    }
    if (ss == OAUTH_SITE_NO_DOMAIN) {
        hosted_error_page(h, 404,
                          cs == OAUTH_CLIENT_UNKNOWN || h->domain[0] != '\0'
                              ? "No user pool domain answers at this address."
                              : "The app client's user pool has no domain.");
        return false;
    }
    if (ss == OAUTH_SITE_WRONG_POOL) /* a client of another pool: unknown here */
        site_without_client(h);
    /* Which codes /error gets is not captured from Cognito (unverified): a missing client_id
     * is invalid_request, an unknown one invalid_client, one without OAuth
     * unauthorized_client. */
    if (h->params[HP_CLIENT_ID] == NULL)
        hosted_fail(h, "invalid_request");
    else if (cs == OAUTH_CLIENT_UNKNOWN || ss == OAUTH_SITE_WRONG_POOL)
        hosted_fail(h, "invalid_client");
    else if (cs == OAUTH_CLIENT_NO_OAUTH)
        hosted_fail(h, "unauthorized_client");
    else
        return true;
    return false;
}

bool hosted_check_redirect(struct hosted *h)
{
    const cJSON *idps = json_get(h->client.client, "SupportedIdentityProviders");
    const char *fallback = json_str(h->client.client, "DefaultRedirectURI");

    h->redirect_uri = h->params[HP_REDIRECT_URI];
    /* Section 2.2: the DefaultRedirectURI stands in when the client has one provider. */
    if (h->redirect_uri == NULL && fallback != NULL && cJSON_GetArraySize(idps) == 1)
        h->redirect_uri = fallback;
    if (h->redirect_uri == NULL) {
        hosted_fail(h, "invalid_request");
        return false;
    }
    if (!oauth_client_callback_ok(&h->client, h->redirect_uri)) {
        hosted_fail(h, "redirect_mismatch");
        return false;
    }
    return true;
}

/* Whether c is a PKCE code challenge: 43 to 128 of [A-Za-z0-9-._~] (RFC 7636 4.2). */
static bool challenge_ok(const char *c)
{
    size_t n = strlen(c);

    return n >= 43 && n <= 128 &&
           strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == n;
}

/*
 * PKCE: S256 only, as Cognito ("The code_challenge_method would always be S256 as this is
 * the only method Cognito supports", AWS re:Post answer; the authorize endpoint page lists
 * only S256). plain, a method without a challenge or a challenge without a method is
 * invalid_request. NULL when fine, else the description.
 */
static const char *pkce_problem(const struct hosted *h)
{
    const char *c = h->params[HP_CODE_CHALLENGE], *m = h->params[HP_CODE_CHALLENGE_METHOD];

    if (c == NULL && m == NULL)
        return NULL;
    if (c == NULL)
        return "code_challenge is required with code_challenge_method";
    if (m == NULL)
        return "code_challenge_method is required with code_challenge";
    if (strcmp(m, "S256") != 0)
        return "code_challenge_method must be S256";
    if (!challenge_ok(c))
        return "code_challenge is not a valid S256 challenge";
    return NULL;
}

/*
 * The identity provider the request asks for (section 3.1): identity_provider=COGNITO, or
 * none, signs in on these pages (none: also when the client supports only external providers,
 * whose buttons the sign-in page then shows); any other provider, named or found by its
 * idp_identifier, must be one the client supports, and is loaded into h->provider for the
 * federation leg. NULL when fine, else the description for error=invalid_request; an internal
 * failure answers at once and returns "" (the caller stops).
 */
static const char *provider_problem(struct hosted *h)
{
    const char *idp = h->params[HP_IDENTITY_PROVIDER], *id = h->params[HP_IDP_IDENTIFIER];
    int rc;

    if (id == NULL && (idp == NULL || strcmp(idp, "COGNITO") == 0))
        return idp == NULL || oauth_client_supports_idp(&h->client, "COGNITO")
                   ? NULL
                   : "The app client does not support sign-in with the user pool (COGNITO)";
    rc = id != NULL ? identity_provider_find(h->conn, h->site.pool_id, id, &h->provider)
                    : identity_provider_get(h->conn, h->site.pool_id, idp, &h->provider);
    if (rc == STORE_ERROR) {
        hosted_internal(h, "cannot read the identity provider");
        return "";
    }
    if (rc == STORE_NOT_FOUND)
        return id != NULL ? "No identity provider of the user pool has this idp_identifier"
                          : "The user pool has no such identity provider";
    if (!oauth_client_supports_idp(&h->client, json_str_or(h->provider, "ProviderName", "")))
        return "The app client does not support this identity provider";
    return NULL;
}

bool hosted_check_request(struct hosted *h)
{
    const char *rt = h->params[HP_RESPONSE_TYPE], *problem;
    enum oauth_scope_status ss;

    if (rt == NULL) {
        hosted_app_error(h, "invalid_request", "response_type is required");
        return false;
    }
    if (strcmp(rt, "code") != 0 && strcmp(rt, "token") != 0) {
        hosted_app_error(h, "unsupported_response_type", "response_type must be code or token");
        return false;
    }
    if (!oauth_client_allows_flow(&h->client, strcmp(rt, "code") == 0 ? "code" : "implicit")) {
        hosted_app_error(h, "unauthorized_client", NULL);
        return false;
    }
    ss = oauth_scope_grant(&h->ctx, &h->client, h->params[HP_SCOPE], false, &h->scope);
    if (ss == OAUTH_SCOPE_ERROR) {
        hosted_internal(h, h->ctx.err.message);
        return false;
    }
    if (ss == OAUTH_SCOPE_INVALID) {
        hosted_app_error(h, "invalid_scope", NULL);
        return false;
    }
    if ((problem = pkce_problem(h)) != NULL || (problem = provider_problem(h)) != NULL) {
        if (problem[0] != '\0')
            hosted_app_error(h, "invalid_request", problem);
        return false;
    }
    return true;
}

bool hosted_check_all(struct hosted *h)
{
    return hosted_check_client(h) && hosted_check_redirect(h) && hosted_check_request(h);
}
