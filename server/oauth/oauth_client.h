/*
 * oauth_client: the app client of an OAuth request, and what its OAuth settings allow
 * (../shared/oauth2-hosted-ui.md 1.4, 2.2): the flows, the exact redirect and sign-out URLs,
 * the identity providers, and the scopes a request may be granted. The settings themselves are
 * validated when the client is made (userpool/client.c); this file only reads them.
 */
#ifndef COG_OAUTH_CLIENT_H
#define COG_OAUTH_CLIENT_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"

/* An app client and its pool, as loaded for an OAuth request. */
struct oauth_client {
    cJSON *client;       /* the client document */
    cJSON *pool;         /* its pool's document */
    const char *id;      /* ClientId, in client */
    const char *pool_id; /* UserPoolId, in client */
};

enum oauth_client_status {
    OAUTH_CLIENT_OK = 0,
    OAUTH_CLIENT_UNKNOWN,  /* no client of that id (or no id) */
    OAUTH_CLIENT_NO_OAUTH, /* AllowedOAuthFlowsUserPoolClient is not true */
    OAUTH_CLIENT_ERROR,    /* the store failed: ctx->err is set */
};

/*
 * Load the client client_id (may be NULL) into *out, which the caller frees with
 * oauth_client_free() whatever the outcome. OAUTH_CLIENT_NO_OAUTH still fills *out.
 */
enum oauth_client_status oauth_client_load(struct op_ctx *ctx, const char *client_id,
                                           struct oauth_client *out);

/* Free what oauth_client_load() filled; accepts a zeroed struct. */
void oauth_client_free(struct oauth_client *c);

/* Whether AllowedOAuthFlows has flow ("code", "implicit" or "client_credentials"). */
bool oauth_client_allows_flow(const struct oauth_client *c, const char *flow);

/* Whether uri is, byte for byte, one of the client's CallbackURLs (Cognito's exact match). */
bool oauth_client_callback_ok(const struct oauth_client *c, const char *uri);

/* Whether uri is, byte for byte, one of the client's LogoutURLs. */
bool oauth_client_logout_ok(const struct oauth_client *c, const char *uri);

/* Whether SupportedIdentityProviders names provider ("COGNITO", "Google", an OIDC name...). */
bool oauth_client_supports_idp(const struct oauth_client *c, const char *provider);

/* The outcome of oauth_scope_grant(). */
enum oauth_scope_status {
    OAUTH_SCOPE_OK = 0,
    OAUTH_SCOPE_INVALID, /* a scope the client may not ask for: error=invalid_scope */
    OAUTH_SCOPE_ERROR,   /* out of memory or the store failed: ctx->err is set */
};

/*
 * The scopes to grant for requested (space-separated; NULL or "" asks for all the client's
 * AllowedOAuthScopes), into *granted (space-separated, each once, in the order asked; the
 * caller frees it). A scope the client does not allow is OAUTH_SCOPE_INVALID; so is, when
 * custom_only (client_credentials), a scope that is not a resource server's. A custom scope
 * its resource server no longer defines is left out without an error, as Cognito ignores it
 * (page "Defining resource servers for your user pool"); granted may then be "".
 */
enum oauth_scope_status oauth_scope_grant(struct op_ctx *ctx, const struct oauth_client *c,
                                          const char *requested, bool custom_only, char **granted);

#endif
