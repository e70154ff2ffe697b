/*
 * params: request validation driven by the AWS service models (server/aws/model/cognito-idp.json
 * and cognito-identity.json).
 *
 * Every operation's input shape is checked here, in one place, before any handler runs:
 * required members, JSON types, string and list lengths, number ranges, patterns and enums,
 * recursively through structures, lists and maps. The tables come from model_tables.c, which
 * server/aws/model/gen_model_tables.py generates from the models; nothing is re-written by hand.
 *
 * Messages follow AWS: "1 validation error detected: Value 'x' at 'userPoolId' failed to
 * satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
 * (several violations are joined with "; " under "N validation errors detected: ").
 * Members are named by their path in lower camel case (e.g.
 * 'policies.passwordPolicy.minimumLength', list elements as 'userAttributes.1.member.name'); values
 * of sensitive shapes are not echoed.
 */
#ifndef COG_PARAMS_H
#define COG_PARAMS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/errors.h"
#include "aws/op.h"

/* True when the model of svc has an operation of that name (implemented or not). */
bool params_has_operation(enum aws_service svc, const char *operation);

/*
 * Validate input, the request body's JSON object, against the input shape of operation.
 * Returns COG_OK; COG_E_INVALID_PARAMETER for constraint violations (message as AWS words it);
 * or COG_E_SERIALIZATION when a member has the wrong JSON type (a string where a number
 * belongs, an object where a list belongs, ...). On failure *err holds code and message.
 * Unknown members are ignored, as AWS ignores them. Thread-safe.
 */
enum cog_error params_validate(enum aws_service svc, const char *operation, const cJSON *input,
                               struct cog_err *err);

/*
 * For the unit suite: true when model_patterns[index] compiles with
 * the options validation uses (it is then cached, as on first use by a request). False for an
 * index out of range. Thread-safe; allocates nothing the caller frees.
 */
bool params_pattern_compiles(size_t index);

#endif
