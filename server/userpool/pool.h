/*
 * pool: what a user pool document is and means. A user pool is stored as the UserPoolType
 * document DescribeUserPool returns. pool_new and pool_update turn a validated request
 * (params.h has already checked types, lengths, patterns and enums) into such a document,
 * applying AWS's defaults and the cross-field rules the model cannot express; the readers
 * below answer what every other file asks of a stored pool. Create and update share one
 * builder: Cognito's UpdateUserPool replaces the whole configuration, resetting every setting
 * the request omits to its default, exactly as a create with the same request would.
 *
 * A pool document without AccountRecoverySetting means the legacy rule: SMS preferred over
 * email. The client document is client.h's, the user record user.h's.
 *
 * Nothing here knows about HTTP; errors are reported in a struct cog_err (or ctx->err).
 */
#ifndef COG_POOL_H
#define COG_POOL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/errors.h"
#include "aws/op.h"

/*
 * A new user pool document for the CreateUserPool request in, with identifier id and ARN arn,
 * created at now_ms. On 0, *out is a new object the caller frees with cJSON_Delete(). Returns
 * -1 with *err set (InvalidParameterException for settings Cognito refuses, such as
 * UsernameAttributes with AliasAttributes or a required custom attribute;
 * InternalErrorException when out of memory); *out is NULL then.
 */
int pool_new(const cJSON *in, const char *id, const char *arn, int64_t now_ms, cJSON **out,
             struct cog_err *err);

/*
 * The document of user pool old after the UpdateUserPool request in at now_ms: every updatable
 * setting is taken from in or reset to its default (UserPoolTier and the pool name are kept
 * when in omits them); Id, Arn, CreationDate, SchemaAttributes, UsernameAttributes,
 * AliasAttributes, UsernameConfiguration, EstimatedNumberOfUsers and domains are kept.
 * Ownership and errors as pool_new(); old is not modified.
 */
int pool_update(const cJSON *in, const cJSON *old, int64_t now_ms, cJSON **out,
                struct cog_err *err);

/*
 * Append the SchemaAttributes entry of one custom attribute attr (a SchemaAttributeType, as
 * CreateUserPool's Schema and AddCustomAttributes' CustomAttributes give it) to the array
 * list: named "custom:<Name>", or "dev:custom:<Name>" when developer-only. 0, or -1 with *err
 * set (InvalidParameterException for a missing type, bad constraints or Required).
 */
int pool_custom_attribute(const cJSON *attr, cJSON *list, struct cog_err *err);

/* ---- Readers ------------------------------------------------------------------------------ */

/* Load pool_id into *pool (cJSON_Delete). ResourceNotFoundException "User pool <id> does not
 * exist." */
int pool_load(struct op_ctx *ctx, const char *pool_id, cJSON **pool);

/* The pool's SchemaAttributes entry of attribute name, or NULL. */
const cJSON *pool_schema_entry(const cJSON *pool, const char *name);

/* The entry named name of the SchemaAttributes array schema (may be NULL), or NULL. */
const cJSON *pool_schema_find(const cJSON *schema, const char *name);

/* Whether name is an attribute Cognito sets itself (sub, email_verified,
 * phone_number_verified), which no app client may write. */
bool pool_never_writable(const char *name);

/* Whether the pool allows a first factor without a password (SignInPolicy's
 * AllowedFirstAuthFactors has EMAIL_OTP, SMS_OTP or WEB_AUTHN): users may then have none. */
bool pool_allows_passwordless(const cJSON *pool);

#endif
