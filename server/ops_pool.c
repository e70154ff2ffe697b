/*
 * ops_pool: the user pool operations (CreateUserPool, DescribeUserPool, ListUserPools,
 * UpdateUserPool, DeleteUserPool).
 *
 * A pool is stored as the UserPoolType document DescribeUserPool returns (kind
 * STORE_USER_POOL, no parent), so describe is a read and list a projection of it; the
 * document is built, with AWS's defaults, by pool_defaults.c, which create and update share.
 * Deleting a pool deletes its app clients with it (the store's parent rule).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "jsonutil.h"
#include "op.h"
#include "pool_defaults.h"
#include "settings.h"
#include "store.h"

static int internal(struct op_ctx *ctx, const char *what)
{
    return cog_err_set(&ctx->err, COG_E_INTERNAL_ERROR, "Internal error: %s.", what);
}

/* The stored document of pool id into *pool (caller deletes), or ResourceNotFoundException. */
static int load_pool(struct op_ctx *ctx, const char *id, cJSON **pool)
{
    char *text = NULL;
    int st = store_doc_get(ctx->db, STORE_USER_POOL, id, NULL, &text);

    *pool = NULL;
    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND, "User pool %s does not exist.", id);
    if (st != STORE_OK)
        return internal(ctx, "reading the user pool");
    *pool = cJSON_Parse(text);
    free(text);
    return *pool ? 0 : internal(ctx, "unreadable user pool document");
}

/* Store doc as pool id, inserting it or replacing the stored one. STORE_* status. */
static int save_pool(struct op_ctx *ctx, const char *id, const cJSON *doc, int insert)
{
    char *text = cJSON_PrintUnformatted(doc);
    int st;

    if (text == NULL)
        return STORE_ERROR;
    st = insert ? store_doc_insert(ctx->db, STORE_USER_POOL, id, NULL, text)
                : store_doc_replace(ctx->db, STORE_USER_POOL, id, NULL, text);
    free(text);
    return st;
}

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
        if (pool_defaults_new_pool(ctx->in, id, arn, ctx->now_ms, &pool, &ctx->err) != 0)
            return -1;
        st = save_pool(ctx, id, pool, 1);
    }
    if (st != STORE_OK) {
        cJSON_Delete(pool);
        return internal(ctx, "storing the user pool");
    }
    return json_set_item(ctx->out, "UserPool", pool) ? internal(ctx, "out of memory") : 0;
}

int op_describe_user_pool(struct op_ctx *ctx)
{
    cJSON *pool;

    if (load_pool(ctx, json_str(ctx->in, "UserPoolId"), &pool) != 0)
        return -1;
    return json_set_item(ctx->out, "UserPool", pool) ? internal(ctx, "out of memory") : 0;
}

/* The UserPoolDescriptionType members ListUserPools shows of each pool. */
static const char *const DESCRIPTION[] = {"Id", "Name", "LambdaConfig", "LastModifiedDate",
                                          "CreationDate"};

int op_list_user_pools(struct op_ctx *ctx)
{
    struct store_page page;
    cJSON *list = cJSON_AddArrayToObject(ctx->out, "UserPools");
    int st, rc = 0;

    if (list == NULL)
        return internal(ctx, "out of memory");
    st = store_doc_list(ctx->db, STORE_USER_POOL, NULL, json_str(ctx->in, "NextToken"),
                        (int)json_int(ctx->in, "MaxResults", 60), &page);
    /* AWS's wording for a foreign token was not found; this one is the emulator's. */
    if (st == STORE_BAD_TOKEN)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
    if (st != STORE_OK)
        return internal(ctx, "listing user pools");
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        cJSON *pool = cJSON_Parse(page.docs[i]), *item = cJSON_CreateObject();
        int bad = pool == NULL || item == NULL || !cJSON_AddItemToArray(list, item);

        if (bad)
            cJSON_Delete(item);
        for (size_t m = 0; !bad && m < sizeof(DESCRIPTION) / sizeof(DESCRIPTION[0]); m++)
            bad |= json_copy_member(item, pool, DESCRIPTION[m]);
        cJSON_Delete(pool);
        if (bad)
            rc = internal(ctx, "listing user pools");
    }
    if (rc == 0 && page.next_token != NULL &&
        json_set_str(ctx->out, "NextToken", page.next_token) != 0)
        rc = internal(ctx, "out of memory");
    store_page_free(&page);
    return rc;
}

/*
 * UpdateUserPool replaces the pool's configuration: Cognito resets every updatable setting the
 * request omits to its default ("If you don't provide a value for an attribute, Amazon Cognito
 * sets it to its default value", UpdateUserPool API reference), so a caller must send the
 * whole configuration it wants. pool_defaults_update_pool() applies that rule.
 */
int op_update_user_pool(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "UserPoolId");
    cJSON *old = NULL, *pool = NULL;
    int rc = -1;

    if (store_begin(ctx->db) != STORE_OK)
        return internal(ctx, "starting a transaction");
    if (load_pool(ctx, id, &old) != 0 ||
        pool_defaults_update_pool(ctx->in, old, ctx->now_ms, &pool, &ctx->err) != 0)
        goto out;
    if (save_pool(ctx, id, pool, 0) != STORE_OK || store_commit(ctx->db) != STORE_OK) {
        internal(ctx, "storing the user pool");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        store_rollback(ctx->db);
    cJSON_Delete(old);
    cJSON_Delete(pool);
    return rc;
}

int op_delete_user_pool(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "UserPoolId");
    cJSON *pool = NULL;
    int rc = -1;

    if (store_begin(ctx->db) != STORE_OK)
        return internal(ctx, "starting a transaction");
    if (load_pool(ctx, id, &pool) != 0)
        goto out;
    /* Real Cognito's message (localstack/localstack#11947 quotes the AWS CLI). */
    if (json_str(pool, "DeletionProtection") != NULL &&
        strcmp(json_str(pool, "DeletionProtection"), "ACTIVE") == 0) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "The user pool cannot be deleted because deletion protection is activated. "
                    "Deletion protection must be inactivated first.");
        goto out;
    }
    if (store_doc_delete(ctx->db, STORE_USER_POOL, id, NULL) != STORE_OK ||
        store_commit(ctx->db) != STORE_OK) {
        internal(ctx, "deleting the user pool");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        store_rollback(ctx->db);
    cJSON_Delete(pool);
    return rc;
}
