/*
 * user: what a user record means, as the user, account and sign-in operations share it: its
 * names (case sensitivity, UsernameAttributes, aliases), finding it by any of them, its
 * password, and its attributes as Cognito checks and returns them. The pool's rules come from
 * pool.h, the client's from client.h. Each function that can fail sets ctx->err with Cognito's
 * error and returns -1.
 */
#ifndef COG_USER_H
#define COG_USER_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"
#include "store/store.h"

/*
 * The key a username is stored and found under: the username itself, or its lower-case form
 * when the pool's UsernameConfiguration.CaseSensitive is false. A new string (free()).
 */
char *user_name_key(const cJSON *pool, const char *username);

/*
 * Find the user a sign-in name refers to: the username; in a pool with UsernameAttributes,
 * the user whose email / phone_number is that value; in a pool with AliasAttributes, the user
 * with that verified alias. Returns STORE_OK with *out (store_user_free), STORE_NOT_FOUND, or
 * STORE_ERROR (ctx->err set to InternalErrorException).
 */
int user_find(struct op_ctx *ctx, const cJSON *pool, const char *name, struct store_user **out);

/*
 * Find the request's Username (ctx->in) in pool, by any name it signs in with, for an
 * operation that names a user: as user_find(), and a miss sets ctx->err to
 * UserNotFoundException "User does not exist." (../shared/cognito-facts.md).
 */
int user_find_request(struct op_ctx *ctx, const cJSON *pool, struct store_user **out);

/*
 * Set the user's password: check it against the pool's policy (InvalidPasswordException with
 * Cognito's message) and store it as an SRP salt and verifier in u (replacing the old ones).
 */
int user_set_password(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                      const char *password);

/*
 * Set the user's password as user_set_password() does, without the pool's policy: for a
 * password the user migration trigger vouched for, which the policy does not apply to
 * (developer guide, migrate user trigger, finalUserStatus). Fails only internally.
 */
int user_set_password_as_is(struct op_ctx *ctx, struct store_user *u, const char *password);

/* Whether password is the user's: 1 yes, 0 no (also when the user has none), -1 on error. */
int user_password_matches(const cJSON *pool, const struct store_user *u, const char *password);

/* The user's stored attributes as a JSON object name -> value (cJSON_Delete), NULL on no memory. */
cJSON *user_attributes(const struct store_user *u);

/*
 * The user's attributes as a Lambda trigger's request.userAttributes carries them: the stored
 * ones (strings), "sub", "cognito:user_status", and "cognito:email_alias" /
 * "cognito:phone_number_alias" when that attribute is a verified alias of the pool. A new
 * object, or NULL when out of memory.
 */
cJSON *user_trigger_attributes(const cJSON *pool, const struct store_user *u);

/* Whether u has a non-empty value of attribute name. */
bool user_has_attribute(const struct store_user *u, const char *name);

/*
 * The user's attributes as AWS lists them, [{"Name": ..., "Value": ...}], limited to the
 * client's ReadAttributes when client is not NULL and has them. A new array, or NULL.
 */
cJSON *user_attribute_list(const struct store_user *u, const cJSON *client);

/* ---- Attribute rules: what may be written, and the aliases it makes ---------------------- */

/* Whether s is an email address / an E.164 phone number as Cognito accepts them. */
bool user_is_email(const char *s);
bool user_is_phone(const char *s);

/*
 * Check that attribute name may be written with value: client is the app client of a
 * self-service request (its WriteAttributes apply, and email_verified, phone_number_verified
 * and sub are never writable), NULL for an administrator. The name must be in the schema;
 * value NULL (a deletion) or "" with blank_deletes skips the format checks of email and
 * phone_number. Cognito's errors: NotAuthorizedException "A client attempted to write
 * unauthorized attribute", InvalidParameterException for the schema and formats.
 */
int user_check_attribute(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                         const char *name, const char *value, bool blank_deletes);

/*
 * The UserAttributes list [{"Name","Value"}] of a request as a new object name -> value (later
 * duplicates win), each checked by user_check_attribute(). Email and preferred_username
 * are folded to lower case in a case-insensitive pool; the verified flags are "true" or
 * "false". Returns 0 with *out (cJSON_Delete), or -1.
 */
int user_read_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *client,
                         const cJSON *list, bool blank_deletes, cJSON **out);

/*
 * The pool's required attributes must have a non-empty value in attrs: otherwise
 * InvalidParameterException "Attributes did not conform to the schema: <label>: The attribute
 * <label> is required" (Cognito's SCIM labels, e.g. "emails").
 */
int user_check_required(struct op_ctx *ctx, const cJSON *pool, const cJSON *attrs);

/*
 * Make the user's alias rows agree with its attributes (in the caller's transaction): in a
 * pool with UsernameAttributes its email / phone_number, verified or not; in a pool with
 * AliasAttributes its preferred_username and its verified email / phone_number; any other
 * alias row of those names is removed. A value another user holds: with force
 * (ForceAliasCreation) it moves to u and the other user's attribute is no longer verified;
 * otherwise error taken_code (UsernameAttributes) or AliasExistsException (AliasAttributes),
 * "An account with the given email already exists.".
 */
int user_sync_aliases(struct op_ctx *ctx, const cJSON *pool, const struct store_user *u, bool force,
                      enum cog_error taken_code);

/* ---- New users ------------------------------------------------------------------------- */

/*
 * A new user named username (the name asked for) with the attributes of list (a request's
 * UserAttributes, [{"Name","Value"}], checked by user_read_attributes() with client as there)
 * in status, not yet stored and without a password. The name must suit the pool's sign-in
 * settings: in a pool with UsernameAttributes an email or phone number, which becomes that
 * attribute while the user is named by a new UUID (its sub); with AliasAttributes not one that
 * looks like an alias (InvalidParameterException in Cognito's words). Required attributes must
 * be there. On 0, *out is the user (store_user_free) with its attributes serialized.
 */
int user_draft(struct op_ctx *ctx, const cJSON *pool, const cJSON *client, const char *username,
               const cJSON *list, const char *status, struct store_user **out);

/*
 * Store new user u (u->seq is set) with its aliases (force: ForceAliasCreation), in the
 * caller's transaction: UsernameExistsException "User already exists" when the name is taken,
 * user_sync_aliases()' errors for a taken alias.
 */
int user_insert(struct op_ctx *ctx, const cJSON *pool, struct store_user *u, bool force);

/*
 * Fill obj as a UserType (member order of the AWS responses): Username, the attributes under
 * attr_member ("Attributes", or "UserAttributes" for AdminGetUser) limited to the names in
 * to_get when it is not NULL, the dates, Enabled and UserStatus. 0, or -1 (no memory).
 */
int user_fill(cJSON *obj, const struct store_user *u, const char *attr_member, const cJSON *to_get);

/* Write back u as changed at the request's time (modified_ms). 0, or -1 with ctx->err set. */
int user_save(struct op_ctx *ctx, struct store_user *u);

/* The challenge name of the auth session that ConfirmSignUp answers for auto sign-in
 * (ops_user.c writes it; auth/auth_choice.c signs its user in, once). No ChallengeName is. */
#define USER_AUTO_SIGN_IN "AUTO_SIGN_IN"

#endif
