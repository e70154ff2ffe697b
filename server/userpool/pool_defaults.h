/*
 * pool_defaults: what Amazon Cognito fills in when a request leaves a user pool or app client
 * setting out, kept in one place so that create, update and every later reader agree.
 *
 * A user pool is stored as the UserPoolType document DescribeUserPool returns, an app client
 * as the UserPoolClientType document DescribeUserPoolClient returns. The builders below turn
 * a validated request (params.h has already checked types, lengths, patterns and enums) into
 * such a document, applying AWS's defaults and the cross-field rules the model cannot express.
 * Create and update share one builder per resource: Cognito's UpdateUserPool and
 * UpdateUserPoolClient replace the whole configuration, resetting every setting the request
 * omits to its default, exactly as a create with the same request would.
 *
 * Members that are absent from a stored document mean Cognito's built-in behaviour:
 *   - client ExplicitAuthFlows absent: ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH and
 *     ALLOW_CUSTOM_AUTH are allowed (API reference, CreateUserPoolClient ExplicitAuthFlows);
 *   - client PreventUserExistenceErrors absent: LEGACY (same page: "Defaults to LEGACY");
 *   - client ReadAttributes/WriteAttributes absent: all standard attributes (WriteAttributes
 *     without email_verified, phone_number_verified and sub);
 *   - pool AccountRecoverySetting absent: the legacy rule, SMS preferred over email.
 * Token lifetimes must be read with pool_defaults_token_validity(), which applies the units.
 *
 * Nothing here touches the store or knows about HTTP; errors are reported in a struct cog_err.
 */
#ifndef COG_POOL_DEFAULTS_H
#define COG_POOL_DEFAULTS_H

#include <cJSON.h>
#include <stdint.h>

#include "aws/errors.h"

/*
 * A new user pool document for the CreateUserPool request in, with identifier id and ARN arn,
 * created at now_ms. On 0, *out is a new object the caller frees with cJSON_Delete(). Returns
 * -1 with *err set (InvalidParameterException for settings Cognito refuses, such as
 * UsernameAttributes with AliasAttributes or a required custom attribute;
 * InternalErrorException when out of memory); *out is NULL then.
 */
int pool_defaults_new_pool(const cJSON *in, const char *id, const char *arn, int64_t now_ms,
                           cJSON **out, struct cog_err *err);

/*
 * The document of user pool old after the UpdateUserPool request in at now_ms: every updatable
 * setting is taken from in or reset to its default (UserPoolTier and the pool name are kept
 * when in omits them); Id, Arn, CreationDate, SchemaAttributes, UsernameAttributes,
 * AliasAttributes, UsernameConfiguration, EstimatedNumberOfUsers and domains are kept.
 * Ownership and errors as pool_defaults_new_pool(); old is not modified.
 */
int pool_defaults_update_pool(const cJSON *in, const cJSON *old, int64_t now_ms, cJSON **out,
                              struct cog_err *err);

/*
 * A new app client document for the CreateUserPoolClient request in, in user pool document
 * pool, with id client_id and secret (NULL for a client without one), created at now_ms.
 * Ownership and errors as pool_defaults_new_pool() (InvalidParameterException for token
 * validities out of range, mixed legacy and ALLOW_ auth flows, attributes the pool's schema
 * does not allow).
 */
int pool_defaults_new_client(const cJSON *in, const cJSON *pool, const char *client_id,
                             const char *secret, int64_t now_ms, cJSON **out, struct cog_err *err);

/*
 * The document of app client old after the UpdateUserPoolClient request in at now_ms: settings
 * taken from in or reset to their defaults; ClientId, ClientSecret, CreationDate and (when in
 * has none) ClientName are kept. Ownership and errors as pool_defaults_new_client().
 */
int pool_defaults_update_client(const cJSON *in, const cJSON *pool, const cJSON *old,
                                int64_t now_ms, cJSON **out, struct cog_err *err);

/*
 * The lifetime in seconds of a client's "AccessToken", "IdToken" or "RefreshToken", from
 * <token>Validity and TokenValidityUnits.<token> with Cognito's defaults (1 hour, 1 hour,
 * 30 days; units hours, hours, days). Returns -1 for an unknown token name.
 */
int64_t pool_defaults_token_validity(const cJSON *client, const char *token);

/*
 * Append the SchemaAttributes entry of one custom attribute attr (a SchemaAttributeType, as
 * CreateUserPool's Schema and AddCustomAttributes' CustomAttributes give it) to the array
 * list: named "custom:<Name>", or "dev:custom:<Name>" when developer-only. 0, or -1 with *err
 * set (InvalidParameterException for a missing type, bad constraints or Required).
 */
int pool_defaults_custom_attribute(const cJSON *attr, cJSON *list, struct cog_err *err);

#endif
