/*
 * identity: the identities of identity pools as records, and the linking of logins to them,
 * shared by the identity operations: ops_identity.c (GetId, credentials, OpenID tokens),
 * ops_developer.c (developer-authenticated identities), ops_identity_admin.c (Describe, List,
 * Delete, UnlinkIdentity) and identity_roles.c (which role an identity gets).
 *
 * Logins are checked by identity_logins.c; this module decides what they mean for identities,
 * following the developer guide (authentication-flow.md, "Authentication flow API operations
 * overview"):
 * - "If you submit a token for a login that is not already associated with any identity, the
 *   login is considered to be linked": a login unknown so far is linked to the identity; "You
 *   may only link one login per public provider. Attempts to link more than one login with a
 *   public provider results in a ResourceConflictException".
 * - "If you pass in a token for a login that is not currently linked to the given identity,
 *   but is linked to another identity, the two identities are merged ... one identity becomes
 *   the parent/owner of all associated logins and the other is disabled. In this case, the
 *   identity ID of the parent/owner is returned." The owner here is the identity the login
 *   was linked to. Two identities that each hold a different user of one provider cannot be
 *   merged: NotAuthorizedException "Logins don't match. Please include at least one valid
 *   login for this identity or identity pool." (the message of aws-amplify/amplify-js#2443,
 *   also answered to an authenticated identity that presents no logins).
 * - A disabled identity (merged away, or left without logins, which "will make this identity
 *   inaccessible", UnlinkIdentity reference) is refused with NotAuthorizedException "Access to
 *   Identity '<id>' is forbidden." (the message Amplify Swift recovers from by a fresh GetId).
 * - An unknown identity is ResourceNotFoundException "Identity '<id>' not found."
 *   (quoted from real responses in several tutorials: "ResourceNotFoundException: Identity
 *   'identity-id' not found.").
 *
 * Every function here runs inside the caller's transaction when it writes, fills ctx->err on
 * failure (returning -1) and reads or writes the store only through store_*. The last one,
 * identity_choose_role, is identity_roles.c's.
 */
#ifndef COG_IDENTITY_H
#define COG_IDENTITY_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"
#include "aws/ops_common.h"
#include "identity/identity_logins.h"
#include "store/store.h"

/* Identity pools as documents (ops_common.h): an unknown one is ResourceNotFoundException. */
extern const struct ops_doc_type IDENTITY_POOL;

/* NotAuthorizedException "Logins don't match. ..." (see the top of the file). */
extern const char IDENTITY_LOGINS_DONT_MATCH[];

/* InvalidIdentityPoolConfigurationException's message: no role to give. */
extern const char IDENTITY_BAD_CONFIGURATION[];

/* Record NotAuthorizedException with message (not a format). Returns -1. */
int identity_not_authorized(struct op_ctx *ctx, const char *message);

/*
 * Read identity id into *out (store_identity_free). 0, or -1 with ResourceNotFoundException
 * when unknown, InternalErrorException.
 */
int identity_load(struct op_ctx *ctx, const char *id, struct store_identity **out);

/*
 * Read identity id (*out, store_identity_free) and its pool document (*pool, cJSON_Delete).
 * With pool_id non-NULL the identity must belong to that pool (else it is unknown). Disabled
 * identities are refused ("Access to Identity '<id>' is forbidden.") unless allow_disabled.
 * 0, or -1 with both NULL and ctx->err set.
 */
int identity_and_pool(struct op_ctx *ctx, const char *id, const char *pool_id, bool allow_disabled,
                      struct store_identity **out, cJSON **pool);

/*
 * Make a new identity "<region of the pool>:<uuid>" in pool_id, authenticated or not.
 * 0 with *out (store_identity_free), or -1 (ResourceNotFoundException for an unknown pool,
 * InternalErrorException).
 */
int identity_new(struct op_ctx *ctx, const char *pool_id, bool authenticated,
                 struct store_identity **out);

/* Write i back with LastModifiedDate now. 0, or -1 with InternalErrorException. */
int identity_save(struct op_ctx *ctx, struct store_identity *i);

/* The logins linked to identity seq into *list (store_login_list_free). 0, or -1. */
int identity_links_read(struct op_ctx *ctx, int64_t seq, struct store_login_list *list);

/* Whether two identities' linked logins hold different users of one public provider. */
bool identity_links_conflict(const struct store_login_list *a, const struct store_login_list *b);

/*
 * Apply checked logins to identity *ident (GetId, GetCredentialsForIdentity, GetOpenIdToken*):
 * refresh the links it has, link logins no identity has, merge with the identity that holds a
 * login (then *ident is that identity, the old one freed). An OpenID token must be for *ident
 * itself. 0, or -1: NotAuthorizedException (logins don't match), ResourceConflictException
 * (a second login of one provider), InternalErrorException.
 */
int identity_apply_logins(struct op_ctx *ctx, struct store_identity **ident,
                          const struct identity_logins *logins);

/*
 * After unlinking logins from ident: disable it when it has no login left ("Removing the last
 * linked login will make this identity inaccessible", UnlinkIdentity reference), and save it
 * (touched) either way. 0, or -1 with InternalErrorException.
 */
int identity_after_unlink(struct op_ctx *ctx, struct store_identity *ident);

/*
 * The role of an authenticated identity that presented logins, as Cognito chooses it (see
 * identity_roles.c), with CustomRoleArn custom (may be NULL). *role is borrowed from pool, the
 * logins' claims or custom. 0, or -1: NotAuthorizedException (the ambiguous role mapping
 * rules denied it), InvalidIdentityPoolConfigurationException (no role to give),
 * InternalErrorException. In identity_roles.c.
 */
int identity_choose_role(struct op_ctx *ctx, const cJSON *pool,
                         const struct identity_logins *logins, const char *custom,
                         const char **role);

#endif
