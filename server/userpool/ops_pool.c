/*
 * ops_pool: the user pool operations (CreateUserPool, DescribeUserPool, ListUserPools,
 * UpdateUserPool, DeleteUserPool).
 *
 * A pool is stored as the UserPoolType document DescribeUserPool returns (kind
 * STORE_USER_POOL, no parent), so describe is a read and list a projection of it; the
 * document is built, with AWS's defaults, by pool.c, which create and update share.
 * Deleting a pool deletes its app clients with it (the store's parent rule), but not its
 * domains: Cognito refuses while one is left. DescribeUserPool reports the domains (domain.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"
#include "util/jsonutil.h"
#include "crypto/keys.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "userpool/domain.h"
#include "userpool/pool.h"
#include "settings.h"
#include "store/store.h"

int op_create_user_pool(struct op_ctx *ctx)
{
    char id[IDS_MAX], arn[256];
    cJSON *pool = NULL;
    int st = STORE_EXISTS;

    /* A clash of 9 random alphanumerics is vanishingly rare; draw again if it happens. */
    for (int tries = 0; st == STORE_EXISTS && tries < 5; tries++) {
        ids_user_pool_id(id, ctx->region);
        snprintf(arn, sizeof(arn), "arn:aws:cognito-idp:%s:%s:userpool/%s", ctx->region,
                 ctx->settings->account_id, id);
        cJSON_Delete(pool);
        if (pool_new(ctx->in, id, arn, ctx->now_ms, &pool, &ctx->err) != 0)
            return -1;
        st = ops_doc_save(ctx, &OPS_USER_POOL, id, NULL, pool, true);
    }
    if (st != STORE_OK) {
        cJSON_Delete(pool);
        return -1;
    }
    return ops_out_set(ctx, "UserPool", pool);
}

/*
 * Domain and CustomDomain of pool id into pool: the names its domains were created with
 * (domain.h), absent when it has none. 0, or -1 with ctx->err set.
 */
static int add_domains(struct op_ctx *ctx, const char *id, cJSON *pool)
{
    char *prefix = NULL, *custom = NULL;
    int bad = 0;

    if (domain_of_pool(ctx->db, id, &prefix, &custom) != STORE_OK)
        return ops_fail_internal(ctx, "reading the user pool's domains");
    /* pool.c keeps no copy: the domain documents are the one record of them. */
    cJSON_DeleteItemFromObjectCaseSensitive(pool, "Domain");
    cJSON_DeleteItemFromObjectCaseSensitive(pool, "CustomDomain");
    if (prefix != NULL)
        bad |= json_set_str(pool, "Domain", prefix);
    if (custom != NULL)
        bad |= json_set_str(pool, "CustomDomain", custom);
    free(prefix);
    free(custom);
    return bad ? ops_fail_internal(ctx, "out of memory") : 0;
}

int op_describe_user_pool(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "UserPoolId");
    cJSON *pool;
    int64_t users;

    if (ops_doc_load(ctx, &OPS_USER_POOL, id, NULL, &pool) != 0)
        return -1;
    /* The document keeps settings; the number of users is counted when asked. */
    users = store_user_count(ctx->db, id);
    /* The factors SetUserPoolMfaConfig keeps in the document are not UserPoolType members:
     * GetUserPoolMfaConfig shows them (ops_mfa.c). */
    cJSON_DeleteItemFromObjectCaseSensitive(pool, "SoftwareTokenMfaConfiguration");
    cJSON_DeleteItemFromObjectCaseSensitive(pool, "SmsMfaConfiguration");
    cJSON_DeleteItemFromObjectCaseSensitive(pool, "EmailMfaConfiguration");
    if (users >= 0 && json_set_num(pool, "EstimatedNumberOfUsers", (double)users) != 0) {
        cJSON_Delete(pool);
        return ops_fail_internal(ctx, "out of memory");
    }
    if (add_domains(ctx, id, pool) != 0) {
        cJSON_Delete(pool);
        return -1;
    }
    return ops_out_set(ctx, "UserPool", pool);
}

/* The UserPoolDescriptionType members ListUserPools shows of each pool. */
static const char *const DESCRIPTION[] = {
    "Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate", NULL};

int op_list_user_pools(struct op_ctx *ctx)
{
    return ops_doc_list_page(ctx, &OPS_USER_POOL, NULL, "UserPools", DESCRIPTION);
}

/*
 * UpdateUserPool replaces the pool's configuration: Cognito resets every updatable setting the
 * request omits to its default ("If you don't provide a value for an attribute, Amazon Cognito
 * sets it to its default value", UpdateUserPool API reference), so a caller must send the
 * whole configuration it wants. pool_update() applies that rule.
 */
int op_update_user_pool(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "UserPoolId");
    cJSON *old = NULL, *pool = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (ops_doc_load(ctx, &OPS_USER_POOL, id, NULL, &old) == 0 &&
        pool_update(ctx->in, old, ctx->now_ms, &pool, &ctx->err) == 0 &&
        ops_doc_save(ctx, &OPS_USER_POOL, id, NULL, pool, false) == STORE_OK)
        rc = 0;
    rc = ops_txn_end(ctx, rc);
    cJSON_Delete(old);
    cJSON_Delete(pool);
    return rc;
}

int op_delete_user_pool(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "UserPoolId");
    const char *protection;
    int64_t domains;
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (ops_doc_load(ctx, &OPS_USER_POOL, id, NULL, &pool) != 0)
        goto out;
    /* Real Cognito's message (localstack/localstack#11947 quotes the AWS CLI). */
    protection = json_str(pool, "DeletionProtection");
    if (protection != NULL && strcmp(protection, "ACTIVE") == 0)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "The user pool cannot be deleted because deletion protection is activated. "
                    "Deletion protection must be inactivated first.");
    /* A pool with a domain is not deleted with it: real Cognito's refusal
     * (hashicorp/terraform-provider-aws#16479, rebuy-de/aws-nuke#330). */
    else if ((domains = store_doc_count(ctx->db, STORE_USER_POOL_DOMAIN, id)) < 0)
        ops_fail_internal(ctx, "counting the user pool's domains");
    else if (domains > 0)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "User pool cannot be deleted. It has a domain configured that should be "
                    "deleted first.");
    else
        rc = ops_doc_delete(ctx, &OPS_USER_POOL, id, NULL);
out:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        keys_forget(id); /* the store dropped the pool's keys with it; drop the cached copies */
    cJSON_Delete(pool);
    return rc;
}
