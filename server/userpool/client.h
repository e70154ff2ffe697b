/*
 * client: what an app client document is and means. An app client is stored as the
 * UserPoolClientType document DescribeUserPoolClient returns; client_new and client_update
 * build it from a validated request with AWS's defaults, as pool.h does for pools (an update
 * replaces the whole configuration). The readers below answer what the operations that name a
 * client ask of it.
 *
 * Members that are absent from a stored client mean Cognito's built-in behaviour:
 *   - ExplicitAuthFlows absent: ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH and
 *     ALLOW_CUSTOM_AUTH are allowed (API reference, CreateUserPoolClient ExplicitAuthFlows);
 *   - PreventUserExistenceErrors absent: LEGACY (same page: "Defaults to LEGACY");
 *   - ReadAttributes/WriteAttributes absent: all standard attributes (WriteAttributes without
 *     email_verified, phone_number_verified and sub).
 * Token lifetimes must be read with client_token_validity(), which applies the units.
 */
#ifndef COG_CLIENT_H
#define COG_CLIENT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/errors.h"
#include "aws/op.h"
#include "aws/ops_common.h"

/* App clients as documents of the store: under their pool, "User pool client <id> does not
 * exist." when missing. */
extern const struct ops_doc_type CLIENT_DOC;

/*
 * A new app client document for the CreateUserPoolClient request in, in user pool document
 * pool, with id client_id and secret (NULL for a client without one), created at now_ms.
 * Ownership and errors as pool_new() (InvalidParameterException for token
 * validities out of range, mixed legacy and ALLOW_ auth flows, attributes the pool's schema
 * does not allow).
 */
int client_new(const cJSON *in, const cJSON *pool, const char *client_id, const char *secret,
               int64_t now_ms, cJSON **out, struct cog_err *err);

/*
 * The document of app client old after the UpdateUserPoolClient request in at now_ms: settings
 * taken from in or reset to their defaults; ClientId, ClientSecret, CreationDate and (when in
 * has none) ClientName are kept. Ownership and errors as client_new().
 */
int client_update(const cJSON *in, const cJSON *pool, const cJSON *old, int64_t now_ms, cJSON **out,
                  struct cog_err *err);

/*
 * The OAuth 2.0 settings of the Create or UpdateUserPoolClient request in (its UserPoolId
 * names the pool) for a client that has a secret or not, checked as Cognito checks them
 * (../shared/oauth2-hosted-ui.md 1.4): SupportedIdentityProviders name COGNITO or providers
 * of the pool; CallbackURLs, LogoutURLs and DefaultRedirectURI are absolute, without fragment,
 * https (or a custom scheme, or http to a loopback literal); DefaultRedirectURI is one of
 * CallbackURLs; AllowedOAuthFlowsUserPoolClient needs flows and scopes; code and implicit need
 * callback URLs; client_credentials stands alone, needs a secret and custom scopes only;
 * every custom scope is defined by a resource server of the pool. Returns 0, or -1 with
 * ctx->err set to the first broken rule's error (InvalidParameterException,
 * InvalidOAuthFlowException, ScopeDoesNotExistException; InternalErrorException when the
 * store fails).
 */
int client_check_oauth(struct op_ctx *ctx, const cJSON *in, bool has_secret);

/* ---- Readers ------------------------------------------------------------------------------ */

/*
 * The lifetime in seconds of a client's "AccessToken", "IdToken" or "RefreshToken", from
 * <token>Validity and TokenValidityUnits.<token> with Cognito's defaults (1 hour, 1 hour,
 * 30 days; units hours, hours, days). Returns -1 for an unknown token name.
 */
int64_t client_token_validity(const cJSON *client, const char *token);

/*
 * Load an app client named by id alone (SignUp, InitiateAuth, ... name only the client) and
 * its pool. ResourceNotFoundException "User pool client <id> does not exist."
 */
int client_load(struct op_ctx *ctx, const char *client_id, cJSON **client, cJSON **pool);

/* Load an app client of pool_id (the Admin* operations name both) and the pool. */
int client_load_in_pool(struct op_ctx *ctx, const char *pool_id, const char *client_id,
                        cJSON **client, cJSON **pool);

/*
 * SECRET_HASH, where Cognito checks it: a client with a ClientSecret requires secret_hash to
 * be the hash of (username, client id). NotAuthorizedException otherwise, in Cognito's words
 * ("Unable to verify secret hash for client <id>", or "Client <id> is configured for secret
 * but secret was not received" when missing). A client without a secret passes.
 */
int client_check_secret_hash(struct op_ctx *ctx, const cJSON *client, const char *username,
                             const char *secret_hash);

/*
 * Whether the client's ExplicitAuthFlows allow auth flow (an AuthFlowType name, e.g.
 * "USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "REFRESH_TOKEN_AUTH"), with the legacy and ALLOW_
 * names and AWS's default when the list is absent. Refusal: Cognito's error for it.
 */
int client_check_auth_flow(struct op_ctx *ctx, const cJSON *client, const char *flow);

/*
 * Whether the client rotates refresh tokens (RefreshTokenRotation.Feature ENABLED), and its
 * RetryGracePeriodSeconds in *grace_ms as milliseconds (0 when absent; may be NULL).
 * aws/params.c has checked the member against the model (Feature required, grace 0-60).
 */
bool client_rotates_refresh(const cJSON *client, int64_t *grace_ms);

/* Whether the client hides unknown users (PreventUserExistenceErrors ENABLED). */
bool client_hides_users(const cJSON *client);

#endif
