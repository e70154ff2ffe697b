/*
 * dispatch: X-Amz-Target to handler, through one sorted table generated from targets.def.
 * See dispatch.h for the contract; the steps of one request are in dispatch_request().
 */
#include "config.h"

#include "dispatch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"
#include "aws/ops_common.h"
#include "aws/params.h"
#include "settings.h"
#include "store/store.h"

#define AMZ_JSON "application/x-amz-json-1.1"
#define IDP_PREFIX "AWSCognitoIdentityProviderService"
#define IDENTITY_PREFIX "AWSCognitoIdentityService"

struct target {
    const char *name; /* "prefix.Operation" */
    op_fn *fn;
};

static const struct target targets[] = {
#define TARGET(prefix, op, fn) {#prefix "." #op, fn},
#include "targets.def"
#undef TARGET
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

/* targets.def groups rows by file; the lookup wants them by name: sorted once, read-only after. */
static const struct target *by_name[NTARGETS];
static pthread_once_t by_name_once = PTHREAD_ONCE_INIT;

static int compare_targets(const void *a, const void *b)
{
    return strcmp((*(const struct target *const *)a)->name,
                  (*(const struct target *const *)b)->name);
}

static void sort_targets(void)
{
    for (size_t i = 0; i < NTARGETS; i++)
        by_name[i] = &targets[i];
    qsort(by_name, NTARGETS, sizeof(by_name[0]), compare_targets);
}

/* The table sorted by "prefix.Operation". */
static const struct target *const *sorted_targets(void)
{
    pthread_once(&by_name_once, sort_targets);
    return by_name;
}

size_t dispatch_target_count(void)
{
    return NTARGETS;
}

const char *dispatch_target_name(size_t i)
{
    return i < NTARGETS ? sorted_targets()[i]->name : NULL;
}

static int compare_target(const void *key, const void *elem)
{
    return strcmp(key, (*(const struct target *const *)elem)->name);
}

void dispatch_error(struct dispatch_result *res, enum cog_error code, const char *message)
{
    struct cog_err err = {.code = code};

    snprintf(err.message, sizeof(err.message), "%s", message);
    res->code = code;
    res->status = cog_err_status(code);
    snprintf(res->message, sizeof(res->message), "%s", message);
    free(res->body);
    res->body = cog_err_body(&err);
}

void dispatch_result_free(struct dispatch_result *res)
{
    free(res->body);
    res->body = NULL;
}

/* Copy a dispatch result into the HTTP response, with AWS's headers. */
void dispatch_respond(struct dispatch_result *res, struct http_response *resp)
{
    http_response_set_body(resp, res->status, AMZ_JSON, res->body,
                           res->body ? strlen(res->body) : 0);
    res->body = NULL;
    http_response_add_header(resp, "x-amzn-RequestId", res->request_id);
    if (res->code != COG_OK) {
        /* Real Cognito sends "<__type>:" here (../shared/cognito-facts.md section 1.5). */
        char type[96];
        snprintf(type, sizeof(type), "%s:", cog_err_type(res->code));
        http_response_add_header(resp, "x-amzn-ErrorType", type);
        http_response_add_header(resp, "x-amzn-ErrorMessage", res->message);
    }
    snprintf(resp->label, sizeof(resp->label), "%s%s%s", res->operation[0] ? res->operation : "-",
             res->code != COG_OK ? " " : "", res->code != COG_OK ? cog_err_type(res->code) : "");
}

void dispatch_respond_error(enum cog_error code, const char *message, int status, const char *label,
                            struct http_response *resp)
{
    struct dispatch_result res = {0};

    dispatch_error(&res, code, message);
    ids_uuid(res.request_id);
    snprintf(res.operation, sizeof(res.operation), "%s", label);
    dispatch_respond(&res, resp);
    if (status != 0)
        resp->status = status;
}

int dispatch_sigv4_region(const char *authorization, char *out, size_t n)
{
    const char *p = authorization ? strstr(authorization, "Credential=") : NULL;

    if (p == NULL)
        return -1;
    p += strlen("Credential=");
    /* Credential=<access key>/<date>/<region>/<service>/aws4_request */
    for (int slashes = 0; slashes < 2; slashes++) {
        p = strchr(p, '/');
        if (p == NULL)
            return -1;
        p++;
    }
    size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
    if (len == 0 || len >= n || p[len] != '/')
        return -1;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

/*
 * Split "prefix.Operation" into the service and the operation name. Returns the operation
 * (a pointer into target) or NULL for a target of neither service.
 */
static const char *split_target(const char *target, enum aws_service *svc)
{
    const char *dot = strchr(target, '.');

    if (dot == NULL || dot[1] == '\0')
        return NULL;
    if ((size_t)(dot - target) == strlen(IDP_PREFIX) &&
        strncmp(target, IDP_PREFIX, strlen(IDP_PREFIX)) == 0)
        *svc = SVC_IDP;
    else if ((size_t)(dot - target) == strlen(IDENTITY_PREFIX) &&
             strncmp(target, IDENTITY_PREFIX, strlen(IDENTITY_PREFIX)) == 0)
        *svc = SVC_IDENTITY;
    else
        return NULL;
    return dot + 1;
}

/* Parse the body into a JSON object; an empty body is the empty input {} (AWS JSON 1.1). */
static cJSON *parse_body(const char *body, size_t len, struct cog_err *err)
{
    const char *end = NULL;
    cJSON *json;

    if (len == 0 || strspn(body, " \t\r\n") == len)
        return cJSON_CreateObject();
    json = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (json == NULL) {
        cog_err_set(err, COG_E_SERIALIZATION, "The request body is not valid JSON.");
        return NULL;
    }
    while (end != NULL && (size_t)(end - body) < len &&
           (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (end == NULL || (size_t)(end - body) != len) {
        cog_err_set(err, COG_E_SERIALIZATION, "The request body has data after the JSON value.");
    } else if (!cJSON_IsObject(json)) {
        cog_err_set(err, COG_E_SERIALIZATION, "The request body must be a JSON object.");
    } else {
        return json;
    }
    cJSON_Delete(json);
    return NULL;
}

/* Find the handler for target, or explain in *err why there is none. */
static const struct target *find_target(const char *target, enum aws_service *svc,
                                        const char **operation, struct cog_err *err)
{
    const struct target *const *found;

    if (target == NULL || *target == '\0') {
        cog_err_set(err, COG_E_UNKNOWN_OPERATION, "Missing X-Amz-Target header.");
        return NULL;
    }
    *operation = split_target(target, svc);
    if (*operation == NULL) {
        cog_err_set(err, COG_E_UNKNOWN_OPERATION,
                    "X-Amz-Target must be " IDP_PREFIX ".<Operation> or " IDENTITY_PREFIX
                    ".<Operation>.");
        return NULL;
    }
    found = bsearch(target, sorted_targets(), NTARGETS, sizeof(by_name[0]), compare_target);
    if (found != NULL)
        return *found;
    if (params_has_operation(*svc, *operation))
        cog_err_set(err, COG_E_UNSUPPORTED_OPERATION, "cognito-emu does not implement %.64s yet.",
                    *operation);
    else
        cog_err_set(err, COG_E_UNKNOWN_OPERATION, "Unknown operation %.64s.", *operation);
    return NULL;
}

static void run_handler(const struct app *app, const struct target *t, struct op_ctx *ctx,
                        struct dispatch_result *res)
{
    ctx->out = cJSON_CreateObject();
    ctx->db = store_acquire(app->store);
    int rc = ctx->out ? t->fn(ctx) : cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Out of memory.");
    ops_ctx_finish(ctx);
    store_release(app->store, ctx->db);
    ctx->db = NULL;

    if (rc == 0 && (res->body = cJSON_PrintUnformatted(ctx->out)) != NULL) {
        res->status = 200;
        res->code = COG_OK;
    } else {
        if (rc == 0)
            cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Out of memory.");
        if (ctx->err.code == COG_E_INTERNAL_ERROR)
            log_error("%s failed: %s", t->name, ctx->err.message);
        dispatch_error(res, ctx->err.code, ctx->err.message);
    }
    cJSON_Delete(ctx->out);
    ctx->out = NULL;
}

void dispatch_request(const struct app *app, const char *target, const char *authorization,
                      const char *body, size_t body_len, struct dispatch_result *res)
{
    struct op_ctx ctx = {.settings = app->settings};
    char region[32];
    const struct target *t;
    enum aws_service svc = SVC_IDP;
    cJSON *in = NULL;

    memset(res, 0, sizeof(*res));
    ids_uuid(res->request_id);
    t = find_target(target, &svc, &ctx.operation, &ctx.err);
    if (ctx.operation != NULL)
        snprintf(res->operation, sizeof(res->operation), "%s", ctx.operation);
    if (t == NULL || (in = parse_body(body, body_len, &ctx.err)) == NULL ||
        params_validate(svc, ctx.operation, in, &ctx.err) != COG_OK) {
        dispatch_error(res, ctx.err.code, ctx.err.message);
        cJSON_Delete(in);
        return;
    }
    if (dispatch_sigv4_region(authorization, region, sizeof(region)) != 0)
        snprintf(region, sizeof(region), "%s", app->settings->region);
    ctx.region = region;
    ctx.now_ms = clock_now_ms();
    ctx.in = in;
    run_handler(app, t, &ctx, res);
    cJSON_Delete(in);
}
