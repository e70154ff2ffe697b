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

#include "op.h"
#include "store.h"

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

#endif
