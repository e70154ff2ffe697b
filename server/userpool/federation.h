/*
 * federation: the user pool's side of a federated sign-in (../shared/oauth2-hosted-ui.md 3.1,
 * 2.9): an external identity, given as the claims its identity provider (IdP) vouched for,
 * becomes a user of the pool.
 *
 * - The identity is named by the claim the provider's AttributeMapping gives for "username",
 *   by default "sub" (Google, OIDC, SignInWithApple), "id" (Facebook), "user_id"
 *   (LoginWithAmazon) or "NameID" (SAML).
 * - An AdminLinkProviderForUser link of that identity (on "Cognito_Subject", or on a mapped
 *   attribute's value) signs in the link's destination user instead; the identity is added to
 *   its "identities" attribute.
 * - Otherwise the user "<ProviderName>_<id>" (lower-cased in a pool whose usernames are not
 *   case-sensitive, as every username there) is created on first sign-in, after the
 *   PreSignUp trigger (PreSignUp_ExternalProvider), with status EXTERNAL_PROVIDER, the mapped
 *   attributes, "identities" and membership in the group "<poolId>_<ProviderName>" (made when
 *   missing, as Cognito does); PostConfirmation_ConfirmSignUp follows the commit. Later
 *   sign-ins rewrite the mapped mutable attributes.
 *
 * Errors leave ctx->err set with the text the hosted flow puts in error_description, e.g.
 * "Invalid user attributes: apple_sub: Attribute does not exist in the schema.\n" or
 * "PreSignUp failed with error not-invited.".
 */
#ifndef COG_FEDERATION_H
#define COG_FEDERATION_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/op.h"
#include "store/store.h"

/* The name of the attribute a link uses for the IdP's own subject. */
#define FEDERATION_SUBJECT "Cognito_Subject"

/* Whether ProviderType type is a social provider (Google, Facebook, LoginWithAmazon,
 * SignInWithApple), whose links must use FEDERATION_SUBJECT. */
bool federation_is_social(const char *type);

/* The claim that names an identity of provider (a provider document): its AttributeMapping's
 * "username", else the type's default (see above). Borrowed from provider or static. */
const char *federation_subject_claim(const cJSON *provider);

/*
 * Sign in the identity of provider (a provider document of pool) that claims describes (an
 * object of claim -> value; values that are not strings are written as JSON), for the app
 * client client_id (the PreSignUp event's clientId; may be NULL). Runs its own transaction
 * and the triggers outside it, so ctx must not have one open. On 0, *out is the user signed
 * in (store_user_free) and *auth_time the sign-in time in seconds; -1 with ctx->err set.
 */
int federation_sign_in(struct op_ctx *ctx, const cJSON *pool, const cJSON *provider,
                       const cJSON *claims, const char *client_id, struct store_user **out,
                       int64_t *auth_time);

/*
 * Add the identity id of provider to the "identities" attribute of user user_seq, as a linked
 * one (primary "false"), unless it is there: what AdminLinkProviderForUser and a linked
 * identity's sign-in do. In the caller's transaction. 0, or -1 with ctx->err set.
 */
int federation_add_identity(struct op_ctx *ctx, const cJSON *provider, const char *id,
                            int64_t user_seq);

#endif
