/*
 * identity_provider: what a user pool's identity provider (IdP) document is and means.
 *
 * A provider is stored as the IdentityProviderType document DescribeIdentityProvider returns
 * (kind STORE_IDENTITY_PROVIDER, id "<pool id> <ProviderName>", parent: the pool id), with
 * every member present: UserPoolId, ProviderName, ProviderType, ProviderDetails,
 * AttributeMapping, IdpIdentifiers (an array, [] when none), LastModifiedDate and
 * CreationDate (epoch seconds). identity_provider_new and identity_provider_update build it
 * from a validated request (params.h has checked lengths, patterns and the ProviderType enum)
 * with Cognito's rules for each type; the readers below serve the operations and the OAuth 2.0
 * endpoints (/oauth2/authorize's identity_provider= and idp_identifier=).
 *
 * ProviderDetails as stored, by type (all values strings):
 *   Google, Facebook, LoginWithAmazon, SignInWithApple: the keys sent, plus Cognito's own
 *     endpoints for the service (authorize_url, token_url, token_request_method, ...), which
 *     replace any value the request gave for them; Facebook's are versioned by api_version
 *     when given. SignInWithApple's private_key is write-only: it is never stored, so never
 *     described.
 *   OIDC: the keys sent, attributes_request_method defaulting to "GET", and
 *     attributes_url_add_attributes "false". Nothing is discovered from oidc_issuer (the
 *     emulator makes no outbound call): authorize_url, token_url, attributes_url and jwks_uri
 *     are present only when the request gave them.
 *   SAML: the keys sent, and SSORedirectBindingURI / SLORedirectBindingURI read from a
 *     MetadataFile's HTTP-Redirect SingleSignOnService / SingleLogoutService. A MetadataURL is
 *     not fetched, so a provider made from one has neither; ActiveEncryptionCertificate is
 *     never produced.
 */
#ifndef COG_IDENTITY_PROVIDER_H
#define COG_IDENTITY_PROVIDER_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/errors.h"
#include "aws/ops_common.h"

struct store_conn;

/* Identity providers as documents of the store (the List operation and saving use it). */
extern const struct ops_doc_type IDENTITY_PROVIDER_DOC;

/* The most providers a pool holds (Cognito's quota "Identity providers per user pool"). */
#define IDENTITY_PROVIDER_MAX 300

/*
 * Write the store id of provider name of pool_id ("<pool id> <name>") into buf of size n.
 * Returns 0, or -1 when it does not fit.
 */
int identity_provider_id(const char *pool_id, const char *name, char *buf, size_t n);

/*
 * A new provider document for the CreateIdentityProviderRequest in, in user pool document
 * pool, created at now_ms. On 0, *out is a new object the caller cJSON_Delete()s. Returns -1
 * with *err set and *out NULL: InvalidParameterException for a name its type does not allow,
 * missing or malformed ProviderDetails, or an AttributeMapping key that is not an attribute of
 * the pool; InternalErrorException when out of memory. Uniqueness (of the name and of the
 * IdpIdentifiers across the pool) is the caller's to check against the store.
 */
int identity_provider_new(const cJSON *in, const cJSON *pool, int64_t now_ms, cJSON **out,
                          struct cog_err *err);

/*
 * The document of provider old after the UpdateIdentityProviderRequest in at now_ms: each of
 * ProviderDetails, AttributeMapping and IdpIdentifiers that in gives replaces the stored one
 * (checked as on create, except that SignInWithApple's private_key may be left out: the key
 * given at creation stands); the others are kept, as is CreationDate. Ownership and errors as
 * identity_provider_new().
 */
int identity_provider_update(const cJSON *in, const cJSON *pool, const cJSON *old, int64_t now_ms,
                             cJSON **out, struct cog_err *err);

/*
 * Check that the IdpIdentifiers array list (may be NULL) holds no identifier twice and none
 * that another provider of pool_id than the one named name has. Returns 0, or -1 with *err
 * set: InvalidParameterException (Cognito's wording was not found; the emulator's:
 * "Duplicate IdpIdentifier <x>: ..."), or InternalErrorException when the store fails.
 */
int identity_provider_check_identifiers(struct store_conn *conn, const char *pool_id,
                                        const char *name, const cJSON *list, struct cog_err *err);

/* ---- Readers ------------------------------------------------------------------------------ */

/*
 * The provider of user pool pool_id named name (the ProviderName, case-sensitive, as
 * identity_provider= names it). On STORE_OK *out is the stored document, a new object the
 * caller cJSON_Delete()s; STORE_NOT_FOUND when the pool has no such provider (or no pool of
 * that id exists); STORE_ERROR when the store fails or the document does not parse. *out is
 * NULL on every status but STORE_OK.
 */
int identity_provider_get(struct store_conn *conn, const char *pool_id, const char *name,
                          cJSON **out);

/*
 * The provider of user pool pool_id whose IdpIdentifiers hold identifier (compared exactly,
 * case-sensitive; identifiers are unique within a pool, so there is at most one), as
 * idp_identifier= and GetIdentityProviderByIdentifier find it. Statuses and ownership as
 * identity_provider_get().
 */
int identity_provider_find(struct store_conn *conn, const char *pool_id, const char *identifier,
                           cJSON **out);

#endif
