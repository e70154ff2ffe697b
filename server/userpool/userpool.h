/*
 * userpool: the rules of a user pool that the user and sign-in operations share: loading a
 * pool or an app client, naming users (case sensitivity, UsernameAttributes, aliases),
 * SECRET_HASH, the client's auth flows, passwords, and attributes as Cognito returns them.
 * Each function that can fail sets ctx->err with Cognito's error and returns -1.
 */
#ifndef COG_USERPOOL_H
#define COG_USERPOOL_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"
#include "store/store.h"

/* Load pool_id into *pool (cJSON_Delete). ResourceNotFoundException "User pool <id> does not
 * exist." */
int userpool_load(struct op_ctx *ctx, const char *pool_id, cJSON **pool);

/*
 * Load an app client named by id alone (SignUp, InitiateAuth, ... name only the client) and
 * its pool. ResourceNotFoundException "User pool client <id> does not exist."
 */
int userpool_load_client(struct op_ctx *ctx, const char *client_id, cJSON **client, cJSON **pool);

/* Load an app client of pool_id (the Admin* operations name both) and the pool. */
int userpool_load_pool_client(struct op_ctx *ctx, const char *pool_id, const char *client_id,
                              cJSON **client, cJSON **pool);

/*
 * The key a username is stored and found under: the username itself, or its lower-case form
 * when the pool's UsernameConfiguration.CaseSensitive is false. A new string (free()).
 */
char *userpool_username_key(const cJSON *pool, const char *username);

/*
 * Find the user a sign-in name refers to: the username; in a pool with UsernameAttributes,
 * the user whose email / phone_number is that value; in a pool with AliasAttributes, the user
 * with that verified alias. Returns STORE_OK with *out (store_user_free), STORE_NOT_FOUND, or
 * STORE_ERROR (ctx->err set to InternalErrorException).
 */
int userpool_find_user(struct op_ctx *ctx, const cJSON *pool, const char *name,
                       struct store_user **out);

/*
 * SECRET_HASH, where Cognito checks it: a client with a ClientSecret requires secret_hash to
 * be the hash of (username, client id). NotAuthorizedException otherwise, in Cognito's words
 * ("Unable to verify secret hash for client <id>", or "Client <id> is configured for secret
 * but secret was not received" when missing). A client without a secret passes.
 */
int userpool_check_secret_hash(struct op_ctx *ctx, const cJSON *client, const char *username,
                               const char *secret_hash);

/*
 * Whether the client's ExplicitAuthFlows allow auth flow (an AuthFlowType name, e.g.
 * "USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "REFRESH_TOKEN_AUTH"), with the legacy and ALLOW_
 * names and AWS's default when the list is absent. Refusal: Cognito's error for it.
 */
int userpool_check_auth_flow(struct op_ctx *ctx, const cJSON *client, const char *flow);

/*
 * Set the user's password: check it against the pool's policy (InvalidPasswordException with
 * Cognito's message) and store it as an SRP salt and verifier in u (replacing the old ones).
 */
int userpool_set_password(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                          const char *password);

/* Whether password is the user's: 1 yes, 0 no (also when the user has none), -1 on error. */
int userpool_password_matches(const cJSON *pool, const struct store_user *u, const char *password);

/* The user's stored attributes as a JSON object name -> value (cJSON_Delete), NULL on no memory. */
cJSON *userpool_attributes(const struct store_user *u);

/*
 * The user's attributes as AWS lists them, [{"Name": ..., "Value": ...}], limited to the
 * client's ReadAttributes when client is not NULL and has them. A new array, or NULL.
 */
cJSON *userpool_attribute_list(const struct store_user *u, const cJSON *client);

/* ---- Attribute rules: what may be written, and the aliases it makes ---------------------- */

/* Whether the JSON array list (may be NULL) holds the string value. */
bool userpool_list_has(const cJSON *list, const char *value);

/* Whether s is an email address / an E.164 phone number as Cognito accepts them. */
bool userpool_is_email(const char *s);
bool userpool_is_phone(const char *s);

/* The pool's SchemaAttributes entry of attribute name, or NULL. */
const cJSON *userpool_schema_entry(const cJSON *pool, const char *name);

/*
 * Check that attribute name may be written with value: client is the app client of a
 * self-service request (its WriteAttributes apply, and email_verified, phone_number_verified
 * and sub are never writable), NULL for an administrator. The name must be in the schema;
 * value NULL (a deletion) or "" with blank_deletes skips the format checks of email and
 * phone_number. Cognito's errors: NotAuthorizedException "A client attempted to write
 * unauthorized attribute", InvalidParameterException for the schema and formats.
 */
int userpool_check_attribute(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                             const char *name, const char *value, bool blank_deletes);

/*
 * The UserAttributes list [{"Name","Value"}] of a request as a new object name -> value (later
 * duplicates win), each checked by userpool_check_attribute(). Email and preferred_username
 * are folded to lower case in a case-insensitive pool; the verified flags are "true" or
 * "false". Returns 0 with *out (cJSON_Delete), or -1.
 */
int userpool_read_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                             const cJSON *list, bool blank_deletes, cJSON **out);

/*
 * The pool's required attributes must have a non-empty value in attrs: otherwise
 * InvalidParameterException "Attributes did not conform to the schema: <label>: The attribute
 * <label> is required" (Cognito's SCIM labels, e.g. "emails").
 */
int userpool_check_required(struct op_ctx *ctx, const cJSON *pool, const cJSON *attrs);

/* Whether the client hides unknown users (PreventUserExistenceErrors ENABLED). */
bool userpool_hides_users(const cJSON *client);

/*
 * Make the user's alias rows agree with its attributes (in the caller's transaction): in a
 * pool with UsernameAttributes its email / phone_number, verified or not; in a pool with
 * AliasAttributes its preferred_username and its verified email / phone_number; any other
 * alias row of those names is removed. A value another user holds: with force
 * (ForceAliasCreation) it moves to u and the other user's attribute is no longer verified;
 * otherwise error taken_code (UsernameAttributes) or AliasExistsException (AliasAttributes),
 * "An account with the given email already exists.".
 */
int userpool_sync_aliases(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u,
                          bool force, enum cog_error taken_code);

/*
 * Fill obj as a UserType (member order of the AWS responses): Username, the attributes under
 * attr_member ("Attributes", or "UserAttributes" for AdminGetUser) limited to the names in
 * to_get when it is not NULL, the dates, Enabled and UserStatus. 0, or -1 (no memory).
 */
int userpool_fill_user(cJSON *obj, const struct store_user *u, const char *attr_member,
                       const cJSON *to_get);

/* Write back u as changed at the request's time (modified_ms). 0, or -1 with ctx->err set. */
int userpool_save_user(struct op_ctx *ctx, struct store_user *u);

#endif
