/*
 * trigger_call: the event envelope and the one call path of every trigger. See trigger_call.h.
 */
#include "config.h"

#include "triggers/trigger_call.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/ops_common.h"
#include "settings.h"
#include "triggers/lambda.h"
#include "triggers/trigger_log.h"
#include "util/clock.h"
#include "util/jsonutil.h"
#include "util/log.h"

/* What real captures show (../shared/lambda-triggers.md section 4). */
#define AWS_SDK_VERSION "aws-sdk-unknown-unknown"
#define NO_CLIENT "CLIENT_ID_NOT_APPLICABLE"

const char *triggers_function(const cJSON *lambda_config, const char *trigger)
{
    const char *fn = json_str(lambda_config, trigger);
    const cJSON *versioned;

    if (fn != NULL && *fn != '\0')
        return fn;
    /* Custom senders and PreTokenGenerationConfig are {"LambdaArn": ..., "LambdaVersion"}. */
    versioned = json_get(lambda_config, trigger);
    fn = json_str(versioned, "LambdaArn");
    return fn != NULL && *fn != '\0' ? fn : NULL;
}

struct trigger_caller triggers_caller(const cJSON *pool, const char *client_id,
                                      const char *username, const cJSON *attributes)
{
    return (struct trigger_caller){
        .pool_id = json_str(pool, "Id"),
        .lambda_config = json_get(pool, "LambdaConfig"),
        .client_id = client_id,
        .username = username,
        .attributes = attributes,
    };
}

/* The region a pool lives in: its id's prefix ("us-east-1_AbC" -> "us-east-1"). */
static void pool_region(const char *pool_id, char *out, size_t n)
{
    const char *us = pool_id != NULL ? strchr(pool_id, '_') : NULL;

    if (us == NULL)
        snprintf(out, n, "us-east-1");
    else
        snprintf(out, n, "%.*s", (int)(us - pool_id), pool_id);
}

cJSON *trigger_event(const struct trigger_caller *caller, const char *source, const char *version)
{
    cJSON *event = cJSON_CreateObject(), *context = cJSON_CreateObject();
    cJSON *request = cJSON_CreateObject(), *response = cJSON_CreateObject();
    char region[32];
    int bad;

    pool_region(caller->pool_id, region, sizeof(region));
    bad = event == NULL || json_set_item(event, "version", cJSON_CreateString(version)) != 0 ||
          json_set_str(event, "triggerSource", source) != 0 ||
          json_set_str(event, "region", region) != 0 ||
          json_set_str(event, "userPoolId", caller->pool_id ? caller->pool_id : "") != 0 ||
          json_set_str(event, "userName", caller->username ? caller->username : "") != 0;
    bad = bad || context == NULL || json_set_str(context, "awsSdkVersion", AWS_SDK_VERSION) != 0 ||
          json_set_str(context, "clientId", caller->client_id ? caller->client_id : NO_CLIENT);
    bad = bad || json_set_item(event, "callerContext", context) != 0;
    context = NULL;
    if (!bad && caller->attributes != NULL)
        bad = request == NULL ||
              json_set_item(request, "userAttributes", cJSON_Duplicate(caller->attributes, 1));
    bad = bad || json_set_item(event, "request", request) != 0;
    request = NULL;
    bad = bad || json_set_item(event, "response", response) != 0;
    response = NULL;
    cJSON_Delete(context);
    cJSON_Delete(request);
    cJSON_Delete(response);
    if (bad) {
        cJSON_Delete(event);
        return NULL;
    }
    return event;
}

cJSON *trigger_request(cJSON *event)
{
    return json_get(event, "request");
}

cJSON *trigger_response(cJSON *event)
{
    return json_get(event, "response");
}

int trigger_add_metadata(cJSON *request, const char *name, const cJSON *metadata)
{
    if (metadata == NULL)
        return 0;
    return json_set_item(request, name, cJSON_Duplicate(metadata, 1));
}

bool trigger_flag(const cJSON *response, const char *name)
{
    return cJSON_IsTrue(json_get(response, name));
}

/* The exception of a call that went wrong, in Cognito's words. -1 always. */
static int map_failure(struct cog_err *err, const char *trigger, const struct lambda_outcome *o,
                       const char *endpoint)
{
    const char *message;
    cJSON *body;

    switch (o->result) {
    case LAMBDA_FUNCTION_ERROR:
        body = cJSON_Parse(o->body);
        message = json_str(body, "errorMessage");
        cog_err_set(err, COG_E_USER_LAMBDA_VALIDATION, "%s failed with error %s.", trigger,
                    message ? message : (o->body ? o->body : "unknown"));
        cJSON_Delete(body);
        return -1;
    case LAMBDA_SERVICE_ERROR:
        if (o->error_type != NULL)
            return cog_err_set(err, COG_E_UNEXPECTED_LAMBDA,
                               "%s invocation failed due to error %s.", trigger, o->error_type);
        return cog_err_set(err, COG_E_UNEXPECTED_LAMBDA,
                           "%s invocation failed due to error HTTP %ld from %s.", trigger,
                           o->status, endpoint);
    case LAMBDA_TIMEOUT:
        return cog_err_set(err, COG_E_UNEXPECTED_LAMBDA,
                           "%s invocation failed due to error Socket timeout while invoking "
                           "Lambda function.",
                           trigger);
    default:
        return cog_err_set(err, COG_E_UNEXPECTED_LAMBDA,
                           "%s invocation failed due to error %s (%s).", trigger, o->detail,
                           endpoint);
    }
}

/*
 * The "response" of an answer the function gave (a new item), or NULL with *err set:
 * Cognito parses the answer as the event and reads only its response; missing members take
 * their defaults.
 */
static cJSON *read_answer(struct cog_err *err, const char *body)
{
    cJSON *answer = cJSON_Parse(body), *response;

    if (answer == NULL || cJSON_IsNull(answer)) {
        cJSON_Delete(answer);
        cog_err_set(err, COG_E_INVALID_LAMBDA_RESPONSE,
                    "Invalid lambda function output : Invalid JSON");
        return NULL;
    }
    response = cJSON_IsObject(answer) ? cJSON_DetachItemFromObject(answer, "response") : NULL;
    if (!cJSON_IsObject(answer) ||
        (response != NULL && !cJSON_IsObject(response) && !cJSON_IsNull(response))) {
        cJSON_Delete(answer);
        cJSON_Delete(response);
        cog_err_set(err, COG_E_INVALID_LAMBDA_RESPONSE, "Unrecognizable lambda output");
        return NULL;
    }
    cJSON_Delete(answer);
    if (response == NULL || cJSON_IsNull(response)) {
        cJSON_Delete(response);
        response = cJSON_CreateObject();
    }
    if (response == NULL)
        cog_err_oom(err);
    return response;
}

/* The log line and the record of one call. */
static void record(const struct trigger_caller *caller, const char *trigger, const char *source,
                   const char *fn, const cJSON *event, const struct lambda_outcome *o,
                   const struct cog_err *err, int64_t time_ms, double ms, bool async)
{
    struct trigger_record r = {
        .time_ms = time_ms,
        .pool_id = caller->pool_id,
        .source = source,
        .trigger = trigger,
        .function = fn,
        .event = event,
        .answer = o != NULL ? o->body : NULL,
        .error_type = err->code != COG_OK ? cog_err_type(err->code) : NULL,
        .error_message = err->code != COG_OK ? err->message : NULL,
        .duration_ms = ms,
        .async = async,
    };

    if (err->code == COG_OK)
        log_info("trigger %s of user pool %s: %s answered in %.1f ms", source, caller->pool_id, fn,
                 ms);
    else
        log_warn("trigger %s of user pool %s: %s: %s: %s (%.1f ms)", source, caller->pool_id, fn,
                 r.error_type, err->message, ms);
    trigger_log_record(&r);
}

int trigger_call(struct op_ctx *ctx, const struct trigger_caller *caller, const char *trigger,
                 cJSON *event, bool async, cJSON **response)
{
    const char *fn = triggers_function(caller->lambda_config, trigger);
    const char *endpoint = ctx->settings->lambda_endpoint;
    const char *source = json_str(event, "triggerSource");
    struct lambda_outcome o;
    struct cog_err err = {0};
    char *text, region[32];
    int64_t time_ms = clock_now_ms();
    double start;

    assert(!ops_txn_open(ctx) && "a trigger must not run inside a write transaction");
    *response = NULL;
    if (fn == NULL || strcmp(endpoint, "none") == 0)
        return 1;
    if (endpoint[0] == '\0') {
        log_error("user pool %s: LambdaConfig.%s names %s, but no Lambda endpoint is set: start "
                  "cognito-emu with --lambda-endpoint URL (COGNITO_EMU_LAMBDA_ENDPOINT), e.g. "
                  "http://127.0.0.1:3002 for serverless-offline, or --lambda-endpoint none to "
                  "run without triggers",
                  caller->pool_id, trigger, fn);
        cog_err_set(&err, COG_E_UNEXPECTED_LAMBDA,
                    "%s invocation failed due to error no Lambda endpoint is configured "
                    "(--lambda-endpoint).",
                    trigger);
        record(caller, trigger, source, fn, event, NULL, &err, time_ms, 0, async);
        if (async) /* the sender had the message, as with an unreachable endpoint */
            return 0;
        ctx->err = err;
        return -1;
    }
    if ((text = cJSON_PrintUnformatted(event)) == NULL)
        return cog_err_oom(&ctx->err);
    pool_region(caller->pool_id, region, sizeof(region));
    start = clock_monotonic_ms();
    lambda_invoke(endpoint, fn, region, async, text, (int64_t)time(NULL), &o);
    free(text);
    if (o.result != LAMBDA_ANSWERED)
        map_failure(&err, trigger, &o, endpoint);
    else if (!async)
        *response = read_answer(&err, o.body);
    record(caller, trigger, source, fn, event, &o, &err, time_ms, clock_monotonic_ms() - start,
           async);
    lambda_outcome_free(&o);
    if (async || err.code == COG_OK) /* a custom sender's failure never reaches the caller */
        return 0;
    ctx->err = err;
    return -1;
}
