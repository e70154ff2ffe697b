/*
 * triggers: the trigger points of triggers.h. Each one checks where it runs (never inside a
 * write transaction), finds the function the pool's LambdaConfig names for it, and, until the
 * Lambda invoker lands in this wing, says in the log that it was not called.
 */
#include "config.h"

#include "triggers/triggers.h"

#include <assert.h>
#include <string.h>

#include "aws/ops_common.h"
#include "util/jsonutil.h"
#include "util/log.h"

const char *triggers_function(const cJSON *lambda_config, const char *trigger)
{
    const char *fn = json_str(lambda_config, trigger);
    const cJSON *sender;

    if (fn != NULL && *fn != '\0')
        return fn;
    /* The custom senders are objects: {"LambdaArn": ..., "LambdaVersion": "V1_0"}. */
    sender = json_get(lambda_config, trigger);
    fn = json_str(sender, "LambdaArn");
    return fn != NULL && *fn != '\0' ? fn : NULL;
}

/*
 * The common start of every trigger point: outside any transaction (asserted), and a warning
 * when the pool configures a function for trigger that this build cannot call.
 */
static void reach(const struct op_ctx *ctx, const cJSON *lambda_config, const char *pool_id,
                  const char *trigger, const char *source)
{
    const char *fn;

    assert(!ops_txn_open(ctx) && "a trigger must not run inside a write transaction");
    if ((fn = triggers_function(lambda_config, trigger)) != NULL)
        log_warn("user pool %s: LambdaConfig.%s names %s, but cognito-emu does not invoke "
                 "Lambda triggers yet; %s goes on without it",
                 pool_id ? pool_id : "-", trigger, fn, source);
}

/* reach() for a stored pool document. */
static void reach_pool(const struct op_ctx *ctx, const cJSON *pool, const char *trigger,
                       const char *source)
{
    reach(ctx, json_get(pool, "LambdaConfig"), json_str(pool, "Id"), trigger, source);
}

int triggers_pre_sign_up(struct op_ctx *ctx, const cJSON *pool, const char *source,
                         const char *client_id, const char *username, const cJSON *attributes,
                         struct trigger_sign_up *out)
{
    (void)client_id, (void)username, (void)attributes;
    *out = (struct trigger_sign_up){0};
    reach_pool(ctx, pool, "PreSignUp", source);
    return 0;
}

int triggers_post_confirmation(struct op_ctx *ctx, const cJSON *pool, const char *source,
                               const char *client_id, const char *username)
{
    (void)client_id, (void)username;
    reach_pool(ctx, pool, "PostConfirmation", source);
    return 0;
}

int triggers_pre_token_generation(struct op_ctx *ctx, const cJSON *pool, const char *source,
                                  const char *client_id, const char *username, cJSON *id_claims,
                                  cJSON *access_claims)
{
    const cJSON *config = json_get(pool, "LambdaConfig");

    (void)client_id, (void)username, (void)id_claims, (void)access_claims;
    /* PreTokenGenerationConfig (with its LambdaVersion) supersedes the V1 PreTokenGeneration. */
    reach(ctx, config, json_str(pool, "Id"),
          triggers_function(config, "PreTokenGenerationConfig") ? "PreTokenGenerationConfig"
                                                                : "PreTokenGeneration",
          source);
    return 0;
}

int triggers_custom_message(struct op_ctx *ctx, const cJSON *lambda_config, const char *pool_id,
                            const char *source, const char *username, const char *medium)
{
    bool email = medium != NULL && strcmp(medium, "EMAIL") == 0;

    (void)username;
    reach(ctx, lambda_config, pool_id, "CustomMessage", source);
    reach(ctx, lambda_config, pool_id, email ? "CustomEmailSender" : "CustomSMSSender", source);
    return 0;
}
