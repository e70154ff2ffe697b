/*
 * oauth_federation: the identity provider (IdP) leg of the hosted flow
 * (../shared/oauth2-hosted-ui.md 2.8, 3): /oauth2/authorize with identity_provider= (or
 * idp_identifier=) hands the request here; the browser goes to the IdP and comes back to
 * /oauth2/idpresponse (or /saml2/idpresponse); the identity is signed in
 * (userpool/federation.h) and the app gets its code as after a hosted sign-in.
 *
 * What is real and what is simulated:
 *   - An OIDC provider whose endpoints are reachable (ProviderDetails' authorize_url,
 *     token_url and jwks_uri, or its oidc_issuer's /.well-known/openid-configuration) is used
 *     for real: the redirect with Cognito's own state and nonce, the code exchange at its
 *     token endpoint (client_secret_basic, or client_secret_post when its discovery document
 *     offers only that), the ID token checked against its JWKS (RS256; iss, aud, nonce, exp),
 *     and attributes_url (userinfo) when ProviderDetails names one.
 *   - Google, Facebook, LoginWithAmazon, SignInWithApple, SAML, and OIDC providers that
 *     cannot be reached go to the emulator's mock IdP page, /_mock-idp/<ProviderName>/authorize,
 *     where one types (or a test passes as mock_sub, mock_email, ... in the query) the
 *     identity and its claims. It returns through /oauth2/idpresponse with a one-time mock
 *     code; a SAML provider's returns by POST to /saml2/idpresponse with a SAMLResponse that is
 *     the emulator's own token for the claims (no XML assertion, no signature).
 * Everything after the claims (user, mapping, links, triggers, code) is the real thing.
 */
#ifndef COG_OAUTH_FEDERATION_H
#define COG_OAUTH_FEDERATION_H

#include <cJSON.h>

#include "app.h"
#include "http/http.h"
#include "oauth/oauth.h"
#include "store/store.h"

/* How long a flow may take at the IdP (Cognito's five minutes). */
#define OAUTH_FEDERATION_TTL_MS (5 * 60 * 1000)

/* The app's authorize request, as /oauth2/authorize checked it (NULL members: absent). */
struct oauth_fed_request {
    const char *client_id;
    const char *redirect_uri;
    const char *state;
    const char *scope; /* the scopes granted, space-separated */
    const char *nonce;
    const char *code_challenge;
    const char *code_challenge_method;
    const char *response_type; /* "code" (or "token") */
};

/*
 * Answer /oauth2/authorize for provider (a provider document of site's pool, which the client
 * supports): keep r under a new state for OAUTH_FEDERATION_TTL_MS and redirect (302) to the
 * IdP, or to the mock IdP page. On a store failure: 500.
 */
void oauth_federation_redirect(const struct app *app, struct store_conn *conn,
                               const struct oauth_site *site, const cJSON *provider,
                               const struct oauth_fed_request *r, struct http_response *resp);

/* GET /oauth2/idpresponse (DOMAIN row): the IdP's code and Cognito's state. */
void oauth_federation_idpresponse(const struct app *app, const struct http_request *req,
                                  const char *domain, struct http_response *resp);

/* POST /saml2/idpresponse (DOMAIN row): SAMLResponse and RelayState (the state). */
void oauth_federation_saml_response(const struct app *app, const struct http_request *req,
                                    const char *domain, struct http_response *resp);

/* GET and POST /_mock-idp/<ProviderName>/authorize: the mock IdP's page and its answer. */
void oauth_federation_mock_page(const struct app *app, const struct http_request *req,
                                const char *rest, struct http_response *resp);
void oauth_federation_mock_submit(const struct app *app, const struct http_request *req,
                                  const char *rest, struct http_response *resp);

#endif
