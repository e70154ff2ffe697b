/*
 * triggers: the trigger points of triggers.h for sign-up, confirmation and sign-in (the others
 * have their own trigger_*.c: messages, migration, pre token generation). Each builds its
 * event (trigger_call.h), calls, and reads the response members Cognito reads.
 */
#include "config.h"

#include "triggers/triggers.h"

#include <string.h>

#include "triggers/trigger_call.h"
#include "util/jsonutil.h"

/* A [{"Name","Value"}] list as the map {Name: Value} events carry; JSON null for no list. */
static cJSON *name_value_map(const cJSON *list)
{
    cJSON *map;
    const cJSON *entry;

    if (list == NULL)
        return cJSON_CreateNull();
    if ((map = cJSON_CreateObject()) == NULL)
        return NULL;
    cJSON_ArrayForEach(entry, list)
    {
        const char *name = json_str(entry, "Name");
        if (name != NULL && json_set_str(map, name, json_str_or(entry, "Value", "")) != 0) {
            cJSON_Delete(map);
            return NULL;
        }
    }
    return map;
}

/* Call and forget the response: for the triggers whose answer Cognito does not read. */
static int call_only(struct op_ctx *ctx, const struct trigger_caller *caller, const char *trigger,
                     cJSON *event)
{
    cJSON *response = NULL;
    int rc;

    if (event == NULL)
        return cog_err_oom(&ctx->err);
    rc = trigger_call(ctx, caller, trigger, event, false, &response);
    cJSON_Delete(response);
    cJSON_Delete(event);
    return rc < 0 ? -1 : 0;
}

/*
 * The pre sign-up answers Cognito refuses. Auto-verifying without auto-confirming is refused
 * with "Phone or email cannot be auto verified, when user is not being auto confirmed." (the
 * words users report, e.g. aws/aws-sdk-java#1049); auto-verifying an attribute the user does
 * not have fails the sign-up too (lambda-triggers.md 5.1). Neither exception type nor the
 * second message is documented: both are InvalidLambdaResponseException here, the answer
 * being what is wrong, and the second wording is the emulator's.
 */
static int check_sign_up(struct op_ctx *ctx, const cJSON *attributes,
                         const struct trigger_sign_up *d)
{
    if ((d->auto_verify_email || d->auto_verify_phone) && !d->auto_confirm)
        return cog_err_set(&ctx->err, COG_E_INVALID_LAMBDA_RESPONSE,
                           "Phone or email cannot be auto verified, when user is not being auto "
                           "confirmed.");
    if ((d->auto_verify_email && json_str(attributes, "email") == NULL) ||
        (d->auto_verify_phone && json_str(attributes, "phone_number") == NULL))
        return cog_err_set(&ctx->err, COG_E_INVALID_LAMBDA_RESPONSE,
                           "Phone or email cannot be auto verified, when the user has no such "
                           "attribute.");
    return 0;
}

int triggers_pre_sign_up(struct op_ctx *ctx, const struct trigger_caller *caller,
                         const char *source, const cJSON *validation_data,
                         struct trigger_sign_up *out)
{
    cJSON *event, *request, *response = NULL, *defaults;
    int rc;

    *out = (struct trigger_sign_up){0};
    if (triggers_function(caller->lambda_config, "PreSignUp") == NULL)
        return 0;
    event = trigger_event(caller, source, "1");
    request = trigger_request(event);
    defaults = trigger_response(event);
    if (event == NULL ||
        json_set_item(request, "validationData", name_value_map(validation_data)) ||
        trigger_add_metadata(request, "clientMetadata", caller->client_metadata) != 0 ||
        json_set_bool(defaults, "autoConfirmUser", false) != 0 ||
        json_set_bool(defaults, "autoVerifyEmail", false) != 0 ||
        json_set_bool(defaults, "autoVerifyPhone", false) != 0) {
        cJSON_Delete(event);
        return cog_err_oom(&ctx->err);
    }
    rc = trigger_call(ctx, caller, "PreSignUp", event, false, &response);
    cJSON_Delete(event);
    if (rc < 0)
        return -1;
    /* Cognito ignores the flags for an administrator's user (section 5.1). */
    if (rc == 0 && strcmp(source, "PreSignUp_AdminCreateUser") != 0) {
        out->auto_confirm = trigger_flag(response, "autoConfirmUser");
        out->auto_verify_email = trigger_flag(response, "autoVerifyEmail");
        out->auto_verify_phone = trigger_flag(response, "autoVerifyPhone");
    }
    cJSON_Delete(response);
    return check_sign_up(ctx, caller->attributes, out);
}

int triggers_post_confirmation(struct op_ctx *ctx, const struct trigger_caller *caller,
                               const char *source)
{
    cJSON *event;

    if (triggers_function(caller->lambda_config, "PostConfirmation") == NULL)
        return 0;
    event = trigger_event(caller, source, "1");
    if (event != NULL && trigger_add_metadata(trigger_request(event), "clientMetadata",
                                              caller->client_metadata) != 0) {
        cJSON_Delete(event);
        event = NULL;
    }
    return call_only(ctx, caller, "PostConfirmation", event);
}

int triggers_pre_authentication(struct op_ctx *ctx, const struct trigger_caller *caller,
                                const cJSON *validation_data, bool user_not_found)
{
    cJSON *event, *request;

    if (triggers_function(caller->lambda_config, "PreAuthentication") == NULL)
        return 0;
    event = trigger_event(caller, "PreAuthentication_Authentication", "1");
    request = trigger_request(event);
    /* InitiateAuth's ClientMetadata arrives as validationData (section 3), null when absent. */
    if (event != NULL && (json_set_item(request, "validationData",
                                        validation_data ? cJSON_Duplicate(validation_data, 1)
                                                        : cJSON_CreateNull()) ||
                          json_set_bool(request, "userNotFound", user_not_found) != 0)) {
        cJSON_Delete(event);
        event = NULL;
    }
    return call_only(ctx, caller, "PreAuthentication", event);
}

int triggers_post_authentication(struct op_ctx *ctx, const struct trigger_caller *caller,
                                 bool new_device_used)
{
    cJSON *event, *request;

    if (triggers_function(caller->lambda_config, "PostAuthentication") == NULL)
        return 0;
    event = trigger_event(caller, "PostAuthentication_Authentication", "1");
    request = trigger_request(event);
    if (event != NULL &&
        (json_set_bool(request, "newDeviceUsed", new_device_used) != 0 ||
         trigger_add_metadata(request, "clientMetadata", caller->client_metadata) != 0)) {
        cJSON_Delete(event);
        event = NULL;
    }
    return call_only(ctx, caller, "PostAuthentication", event);
}
