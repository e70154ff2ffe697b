/*
 * trigger_call: what the trigger points of this wing share: Cognito's event envelope, and one
 * call of a trigger with the error mapping and the invocation log. Private to triggers/.
 */
#ifndef COG_TRIGGER_CALL_H
#define COG_TRIGGER_CALL_H

#include <cJSON.h>
#include <stdbool.h>

#include "aws/op.h"
#include "triggers/triggers.h"

/*
 * A new event for source: {"version", "triggerSource", "region", "userPoolId", "userName",
 * "callerContext": {"awsSdkVersion", "clientId"}, "request": {}, "response": {}}, with
 * request.userAttributes from caller->attributes when it is not NULL. version is "1" for all
 * but PreTokenGeneration V2/V3. NULL when out of memory.
 */
cJSON *trigger_event(const struct trigger_caller *caller, const char *source, const char *version);

/* The event's "request" / "response" object (borrowed). */
cJSON *trigger_request(cJSON *event);
cJSON *trigger_response(cJSON *event);

/* ClientMetadata as request.<name> when the caller sent it (Cognito leaves it out otherwise). */
int trigger_add_metadata(cJSON *request, const char *name, const cJSON *metadata);

/*
 * Call the function LambdaConfig names for trigger (a key such as "PreSignUp") with event,
 * for the pool in caller. Returns:
 *   1  the trigger is not configured, or triggers are off (--lambda-endpoint none): no call,
 *      *response NULL;
 *   0  the function answered a usable event: *response is its "response" object (a new item,
 *      cJSON_Delete; {} when the answer had none);
 *  -1  ctx->err holds Cognito's exception for the failure.
 * async (the custom senders) sends an Event invocation and never fails the operation: 0 or 1.
 */
int trigger_call(struct op_ctx *ctx, const struct trigger_caller *caller, const char *trigger,
                 cJSON *event, bool async, cJSON **response);

/* The answer's response boolean name (absent or not a boolean: false). */
bool trigger_flag(const cJSON *response, const char *name);

#endif
