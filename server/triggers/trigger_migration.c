/*
 * trigger_migration: the user migration trigger point (triggers.h), UserMigration_Authentication
 * and UserMigration_ForgotPassword: the event Cognito sends for a user it does not know, and
 * the response read and checked member by member. Creating the user is the user pool wing's
 * (userpool/migrate.c); this file only says what the function decided.
 *
 * The event (../shared/lambda-triggers.md section 5.7; the developer guide's "Migrate user
 * Lambda trigger", user-pool-lambda-migrate-user): userName is the name as typed, the request
 * has no userAttributes, only password (sign-in only), validationData (InitiateAuth's
 * ClientMetadata, null when absent, as real events show it) and clientMetadata (ForgotPassword's,
 * left out when absent). The response is pre-filled with what a function that sets nothing
 * returns: userAttributes, finalUserStatus, messageAction and desiredDeliveryMediums null,
 * forceAliasCreation and enableSMSMFA false.
 *
 * userAttributes is "required" (the guide), and its values are strings like every attribute
 * map of the triggers. The guide names no error for a response that breaks that, nor for
 * values outside the documented ones of finalUserStatus (CONFIRMED, RESET_REQUIRED),
 * messageAction (SUPPRESS; RESEND as AdminCreateUser knows it) and desiredDeliveryMediums
 * (EMAIL, SMS): all are answered as Cognito answers an answer it cannot use,
 * InvalidLambdaResponseException "Unrecognizable lambda output" (section 6). Unverified;
 * test_migration_refuses_unusable_answers pins it.
 */
#include "config.h"

#include "triggers/triggers.h"

#include <string.h>

#include "aws/ops_common.h"
#include "triggers/trigger_call.h"
#include "util/jsonutil.h"
#include "util/log.h"

void triggers_migration_clear(struct trigger_migration *m)
{
    cJSON_Delete(m->attributes);
    memset(m, 0, sizeof(*m));
}

/* The event of one migration: the envelope, the request members and the response defaults. */
static cJSON *migration_event(const struct trigger_caller *caller, const char *source,
                              const char *password, const cJSON *validation_data)
{
    static const char *const NULLS[] = {"userAttributes", "finalUserStatus", "messageAction",
                                        "desiredDeliveryMediums"};
    cJSON *event = trigger_event(caller, source, "1");
    cJSON *request = trigger_request(event), *defaults = trigger_response(event);
    int bad = event == NULL;

    if (!bad && password != NULL)
        bad = json_set_str(request, "password", password) != 0;
    bad = bad || json_set_item(request, "validationData",
                               validation_data ? cJSON_Duplicate(validation_data, 1)
                                               : cJSON_CreateNull()) != 0;
    bad = bad || trigger_add_metadata(request, "clientMetadata", caller->client_metadata) != 0;
    for (size_t i = 0; !bad && i < sizeof(NULLS) / sizeof(NULLS[0]); i++)
        bad = json_set_item(defaults, NULLS[i], cJSON_CreateNull()) != 0;
    bad = bad || json_set_bool(defaults, "forceAliasCreation", false) != 0 ||
          json_set_bool(defaults, "enableSMSMFA", false) != 0;
    if (bad) {
        cJSON_Delete(event);
        return NULL;
    }
    return event;
}

/* Whether item is absent or JSON null: the function left the member unset. */
static bool unset(const cJSON *item)
{
    return item == NULL || cJSON_IsNull(item);
}

/* A string member that must be unset or one of the values in allowed (NULL-terminated): the
 * allowed entry (static), NULL when unset; *bad set when it is anything else. */
static const char *one_of(const cJSON *response, const char *name, const char *const *allowed,
                          bool *bad)
{
    const cJSON *item = json_get(response, name);

    if (unset(item))
        return NULL;
    for (size_t i = 0; cJSON_IsString(item) && allowed[i] != NULL; i++)
        if (strcmp(item->valuestring, allowed[i]) == 0)
            return allowed[i];
    *bad = true;
    return NULL;
}

/* Read response into *out: NULL, or why it cannot be used (a static string). */
static const char *read_decision(const cJSON *response, struct trigger_migration *out)
{
    static const char *const STATUSES[] = {"CONFIRMED", "RESET_REQUIRED", NULL};
    static const char *const ACTIONS[] = {"SUPPRESS", "RESEND", NULL};
    const cJSON *attrs = json_get(response, "userAttributes");
    const cJSON *mediums = json_get(response, "desiredDeliveryMediums"), *item;
    const char *action;
    bool bad = false;

    if (!cJSON_IsObject(attrs))
        return "userAttributes is missing or not an object";
    cJSON_ArrayForEach(item, attrs)
    {
        if (!cJSON_IsString(item))
            return "a value of userAttributes is not a string";
    }
    out->final_status = one_of(response, "finalUserStatus", STATUSES, &bad);
    if (bad)
        return "finalUserStatus is neither CONFIRMED nor RESET_REQUIRED";
    action = one_of(response, "messageAction", ACTIONS, &bad);
    if (bad)
        return "messageAction is neither SUPPRESS nor RESEND";
    out->suppress_message = action != NULL && strcmp(action, "SUPPRESS") == 0;
    if (!unset(mediums) && !cJSON_IsArray(mediums))
        return "desiredDeliveryMediums is not an array";
    cJSON_ArrayForEach(item, mediums)
    {
        bool email = cJSON_IsString(item) && strcmp(item->valuestring, "EMAIL") == 0;
        bool sms = cJSON_IsString(item) && strcmp(item->valuestring, "SMS") == 0;
        if (!email && !sms)
            return "desiredDeliveryMediums holds something other than EMAIL and SMS";
        out->by_email |= email;
        out->by_sms |= sms;
    }
    out->force_alias = trigger_flag(response, "forceAliasCreation");
    out->enable_sms_mfa = trigger_flag(response, "enableSMSMFA");
    return NULL;
}

int triggers_user_migration(struct op_ctx *ctx, const struct trigger_caller *caller,
                            const char *source, const char *password, const cJSON *validation_data,
                            struct trigger_migration *out)
{
    cJSON *event, *response = NULL;
    const char *why;
    int rc;

    memset(out, 0, sizeof(*out));
    if (triggers_function(caller->lambda_config, "UserMigration") == NULL)
        return 1;
    if ((event = migration_event(caller, source, password, validation_data)) == NULL)
        return cog_err_oom(&ctx->err);
    rc = trigger_call(ctx, caller, "UserMigration", event, false, &response);
    cJSON_Delete(event);
    if (rc != 0)
        return rc;
    if ((why = read_decision(response, out)) != NULL) {
        /* The call itself went well (the invocation log says so): say why it is refused. */
        log_warn("trigger %s of user pool %s: the answer cannot be used: %s", source,
                 caller->pool_id, why);
        triggers_migration_clear(out);
        cJSON_Delete(response);
        return cog_err_set(&ctx->err, COG_E_INVALID_LAMBDA_RESPONSE,
                           "Unrecognizable lambda output");
    }
    out->attributes = cJSON_DetachItemFromObjectCaseSensitive(response, "userAttributes");
    cJSON_Delete(response);
    return 0;
}
