/*
 * trigger_custom_auth: the three trigger points of the custom authentication flow
 * (triggers.h, "Custom authentication"): DefineAuthChallenge, CreateAuthChallenge and
 * VerifyAuthChallengeResponse. Each builds Cognito's request (../shared/lambda-triggers.md 5.5),
 * pre-fills the response with Cognito's defaults, calls, and reads back the members Cognito
 * reads, refusing an answer whose members have the wrong kind. The flow itself (which trigger
 * runs when, and what the session history holds) is auth/auth_custom.c's.
 */
#include "config.h"

#include "triggers/triggers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "triggers/trigger_call.h"
#include "util/jsonutil.h"

/* An answer whose members are not what Cognito reads (section 6 of the facts). -1 always. */
static int unrecognizable(struct op_ctx *ctx)
{
    return cog_err_set(&ctx->err, COG_E_INVALID_LAMBDA_RESPONSE, "Unrecognizable lambda output");
}

/*
 * A new event for source with the request members the three triggers share: userAttributes
 * (the caller's), clientMetadata when the caller passes one, userNotFound when found says
 * it. NULL when out of memory.
 */
static cJSON *custom_event(const struct trigger_caller *caller, const char *source,
                           enum trigger_user_found found)
{
    cJSON *event = trigger_event(caller, source, "1"), *request = trigger_request(event);
    cJSON *empty = NULL;
    int bad = event == NULL;

    /* Every request carries userAttributes, {} for a user that does not exist. */
    if (!bad && caller->attributes == NULL)
        bad = (empty = cJSON_CreateObject()) == NULL ||
              json_set_item(request, "userAttributes", empty) != 0;
    bad = bad || trigger_add_metadata(request, "clientMetadata", caller->client_metadata) != 0;
    if (!bad && found != TRIGGER_USER_FOUND_UNSAID)
        bad = json_set_bool(request, "userNotFound", found == TRIGGER_USER_NOT_FOUND) != 0;
    if (bad) {
        cJSON_Delete(event);
        return NULL;
    }
    return event;
}

/* A copy of session for a request, or [] for none. */
static cJSON *session_copy(const cJSON *session)
{
    return session != NULL ? cJSON_Duplicate(session, 1) : cJSON_CreateArray();
}

int triggers_define_auth_challenge(struct op_ctx *ctx, const struct trigger_caller *caller,
                                   const cJSON *session, enum trigger_user_found found,
                                   struct trigger_define_auth *out)
{
    cJSON *event, *defaults, *response = NULL;
    const cJSON *name;
    int rc;

    *out = (struct trigger_define_auth){{0}, false, false};
    event = custom_event(caller, "DefineAuthChallenge_Authentication", found);
    defaults = trigger_response(event);
    if (event == NULL ||
        json_set_item(trigger_request(event), "session", session_copy(session)) != 0 ||
        json_set_item(defaults, "challengeName", cJSON_CreateNull()) != 0 ||
        json_set_bool(defaults, "issueTokens", false) != 0 ||
        json_set_bool(defaults, "failAuthentication", false) != 0) {
        cJSON_Delete(event);
        return cog_err_oom(&ctx->err);
    }
    rc = trigger_call(ctx, caller, "DefineAuthChallenge", event, false, &response);
    cJSON_Delete(event);
    if (rc != 0)
        return rc;
    name = json_get(response, "challengeName");
    if (name != NULL && !cJSON_IsNull(name) && !cJSON_IsString(name)) {
        cJSON_Delete(response);
        return unrecognizable(ctx);
    }
    if (cJSON_IsString(name) && snprintf(out->challenge_name, sizeof(out->challenge_name), "%s",
                                         name->valuestring) >= (int)sizeof(out->challenge_name))
        snprintf(out->challenge_name, sizeof(out->challenge_name), "?");
    out->issue_tokens = trigger_flag(response, "issueTokens");
    out->fail_authentication = trigger_flag(response, "failAuthentication");
    cJSON_Delete(response);
    return 0;
}

void triggers_create_auth_clear(struct trigger_create_auth *c)
{
    cJSON_Delete(c->public_parameters);
    cJSON_Delete(c->private_parameters);
    free(c->metadata);
    *c = (struct trigger_create_auth){0};
}

/*
 * The challenge parameters member name of response as a new object of strings: {} when
 * absent or null. A number or boolean becomes its text, as functions written for other
 * languages' maps send them (e.g. "attempts": 1); how Cognito treats them is unverified. NULL
 * for another kind (ctx->err not set).
 */
static cJSON *string_map(const cJSON *response, const char *name)
{
    const cJSON *given = json_get(response, name), *item;
    cJSON *map;

    if (given != NULL && !cJSON_IsNull(given) && !cJSON_IsObject(given))
        return NULL;
    if ((map = cJSON_CreateObject()) == NULL)
        return NULL;
    cJSON_ArrayForEach(item, given)
    {
        char text[64];
        const char *value = NULL;

        if (cJSON_IsString(item)) {
            value = item->valuestring;
        } else if (cJSON_IsBool(item)) {
            value = cJSON_IsTrue(item) ? "true" : "false";
        } else if (cJSON_IsNumber(item)) {
            snprintf(text, sizeof(text), "%.15g", item->valuedouble);
            value = text;
        }
        if (value == NULL || json_set_str(map, item->string, value) != 0) {
            cJSON_Delete(map);
            return NULL;
        }
    }
    return map;
}

/* Read Create's response into out. 0, or -1 with ctx->err set. */
static int read_create(struct op_ctx *ctx, const cJSON *response, struct trigger_create_auth *out)
{
    const cJSON *metadata = json_get(response, "challengeMetadata");

    if (metadata != NULL && !cJSON_IsNull(metadata) && !cJSON_IsString(metadata))
        return unrecognizable(ctx);
    out->public_parameters = string_map(response, "publicChallengeParameters");
    out->private_parameters = string_map(response, "privateChallengeParameters");
    if (cJSON_IsString(metadata))
        out->metadata = strdup(metadata->valuestring);
    if (out->public_parameters != NULL && out->private_parameters != NULL &&
        (out->metadata != NULL || !cJSON_IsString(metadata)))
        return 0;
    triggers_create_auth_clear(out);
    return unrecognizable(ctx);
}

int triggers_create_auth_challenge(struct op_ctx *ctx, const struct trigger_caller *caller,
                                   const char *challenge_name, const cJSON *session,
                                   enum trigger_user_found found, struct trigger_create_auth *out)
{
    cJSON *event, *request, *defaults, *response = NULL;
    int rc;

    *out = (struct trigger_create_auth){0};
    event = custom_event(caller, "CreateAuthChallenge_Authentication", found);
    request = trigger_request(event);
    defaults = trigger_response(event);
    if (event == NULL || json_set_str(request, "challengeName", challenge_name) != 0 ||
        json_set_item(request, "session", session_copy(session)) != 0 ||
        json_set_item(defaults, "publicChallengeParameters", cJSON_CreateObject()) != 0 ||
        json_set_item(defaults, "privateChallengeParameters", cJSON_CreateObject()) != 0 ||
        json_set_item(defaults, "challengeMetadata", cJSON_CreateNull()) != 0) {
        cJSON_Delete(event);
        return cog_err_oom(&ctx->err);
    }
    rc = trigger_call(ctx, caller, "CreateAuthChallenge", event, false, &response);
    cJSON_Delete(event);
    if (rc == 0)
        rc = read_create(ctx, response, out);
    cJSON_Delete(response);
    return rc;
}

int triggers_verify_auth_challenge(struct op_ctx *ctx, const struct trigger_caller *caller,
                                   const cJSON *private_parameters, const char *answer,
                                   enum trigger_user_found found, bool *answer_correct)
{
    cJSON *event, *request, *response = NULL;
    int rc;

    *answer_correct = false;
    event = custom_event(caller, "VerifyAuthChallengeResponse_Authentication", found);
    request = trigger_request(event);
    if (event == NULL ||
        json_set_item(request, "privateChallengeParameters",
                      private_parameters ? cJSON_Duplicate(private_parameters, 1)
                                         : cJSON_CreateObject()) != 0 ||
        json_set_str(request, "challengeAnswer", answer) != 0 ||
        json_set_bool(trigger_response(event), "answerCorrect", false) != 0) {
        cJSON_Delete(event);
        return cog_err_oom(&ctx->err);
    }
    rc = trigger_call(ctx, caller, "VerifyAuthChallengeResponse", event, false, &response);
    cJSON_Delete(event);
    if (rc == 0)
        *answer_correct = trigger_flag(response, "answerCorrect");
    cJSON_Delete(response);
    return rc;
}
