/*
 * ops_identity_provider: a user pool's identity providers: CreateIdentityProvider,
 * DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider,
 * ListIdentityProviders and GetIdentityProviderByIdentifier. What a provider document holds
 * and the rules of each type are identity_provider.c's; this file reads and writes them.
 *
 * Every operation first reads the pool, so an unknown pool is reported as such
 * (ResourceNotFoundException "User pool <id> does not exist."). Wording:
 *   - a name taken: DuplicateProviderException "<name> already exists in user pool <pool id>"
 *     (the CloudTrail record quoted in aws-cloudformation/cloudformation-coverage-roadmap#1287);
 *   - an unknown provider: ResourceNotFoundException "Identity provider <name> does not exist
 *     in user pool <pool id>." and, by identifier, "No identity provider with identifier <x>
 *     exists in user pool <pool id>." (Cognito's texts were not found; the emulator's);
 *   - the quota: LimitExceededException past IDENTITY_PROVIDER_MAX (the emulator's text).
 * Deleting a provider that app clients list in SupportedIdentityProviders is allowed (the API
 * reference lists no error for it: "After you delete an IdP, users can no longer sign in to
 * your user pool through that IdP"), and the name is taken out of those clients' lists in the
 * same transaction, so that no client names a provider the pool lacks (which Create/Update-
 * UserPoolClient refuse). Whether Cognito edits the clients so was not confirmed (unverified).
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "userpool/client.h"
#include "userpool/identity_provider.h"
#include "userpool/pool.h"

/* The largest page of ListIdentityProviders (ListProvidersLimitType's maximum) and of scans. */
#define PAGE_MAX 60

/* The request's pool into *pool (cJSON_Delete), or ResourceNotFoundException. */
static int load_pool(struct op_ctx *ctx, cJSON **pool)
{
    return pool_load(ctx, json_str(ctx->in, "UserPoolId"), pool);
}

/* The provider named name of the request's pool into *doc, or ResourceNotFoundException. */
static int load_provider(struct op_ctx *ctx, const char *name, cJSON **doc)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    int st = identity_provider_get(ctx->db, pool_id, name, doc);

    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                           "Identity provider %s does not exist in user pool %s.", name, pool_id);
    return st == STORE_OK ? 0 : ops_fail_internal(ctx, "reading the identity provider");
}

/* Store doc as the provider it describes (insert or replace); 0, or -1 with ctx->err set. */
static int save_provider(struct op_ctx *ctx, const cJSON *doc, bool insert)
{
    const char *pool_id = json_str(doc, "UserPoolId"), *name = json_str(doc, "ProviderName");
    char id[256];
    int st;

    if (identity_provider_id(pool_id, name, id, sizeof(id)) != 0)
        return ops_fail_internal(ctx, "naming the identity provider");
    st = ops_doc_save(ctx, &IDENTITY_PROVIDER_DOC, id, pool_id, doc, insert);
    if (st == STORE_EXISTS)
        return cog_err_set(&ctx->err, COG_E_DUPLICATE_PROVIDER, "%s already exists in user pool %s",
                           name, pool_id);
    return st == STORE_OK ? 0 : -1;
}

/* Answer {"IdentityProvider": doc}, taking doc. */
static int answer(struct op_ctx *ctx, cJSON *doc)
{
    return ops_out_set(ctx, "IdentityProvider", doc);
}

/* LimitExceededException when the pool of pool_id already has the most providers it may. */
static int check_quota(struct op_ctx *ctx, const char *pool_id)
{
    int64_t n = store_doc_count(ctx->db, STORE_IDENTITY_PROVIDER, pool_id);

    if (n < 0)
        return ops_fail_internal(ctx, "counting identity providers");
    if (n >= IDENTITY_PROVIDER_MAX)
        return cog_err_set(&ctx->err, COG_E_LIMIT_EXCEEDED,
                           "User pool %s already has the maximum of %d identity providers.",
                           pool_id, IDENTITY_PROVIDER_MAX);
    return 0;
}

/*
 * The end of Create and Update, inside the transaction ctx holds: when rc is 0, check the
 * identifiers of the built document doc and store it (insert or replace); then end the
 * transaction and answer doc. Takes doc.
 */
static int finish(struct op_ctx *ctx, int rc, cJSON *doc, bool insert)
{
    if (rc == 0 && (identity_provider_check_identifiers(
                        ctx->db, json_str(doc, "UserPoolId"), json_str(doc, "ProviderName"),
                        json_get(doc, "IdpIdentifiers"), &ctx->err) != 0 ||
                    save_provider(ctx, doc, insert) != 0))
        rc = -1;
    rc = ops_txn_end(ctx, rc);
    if (rc == 0) {
        rc = answer(ctx, doc);
        doc = NULL;
    }
    cJSON_Delete(doc);
    return rc;
}

int op_create_identity_provider(struct op_ctx *ctx)
{
    cJSON *pool = NULL, *doc = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_pool(ctx, &pool) == 0 && check_quota(ctx, json_str(ctx->in, "UserPoolId")) == 0 &&
        identity_provider_new(ctx->in, pool, ctx->now_ms, &doc, &ctx->err) == 0)
        rc = 0;
    cJSON_Delete(pool);
    return finish(ctx, rc, doc, true);
}

int op_describe_identity_provider(struct op_ctx *ctx)
{
    cJSON *pool = NULL, *doc = NULL;
    int rc = -1;

    if (load_pool(ctx, &pool) == 0 &&
        load_provider(ctx, json_str(ctx->in, "ProviderName"), &doc) == 0)
        rc = answer(ctx, doc);
    cJSON_Delete(pool);
    return rc;
}

int op_update_identity_provider(struct op_ctx *ctx)
{
    cJSON *pool = NULL, *old = NULL, *doc = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_pool(ctx, &pool) == 0 &&
        load_provider(ctx, json_str(ctx->in, "ProviderName"), &old) == 0 &&
        identity_provider_update(ctx->in, pool, old, ctx->now_ms, &doc, &ctx->err) == 0)
        rc = 0;
    cJSON_Delete(pool);
    cJSON_Delete(old);
    return finish(ctx, rc, doc, false);
}

/* Take name out of the SupportedIdentityProviders of client doc and store it, when listed. */
static int unlist_in_client(struct op_ctx *ctx, cJSON *client, const char *name)
{
    cJSON *list = json_get(client, "SupportedIdentityProviders"), *item = NULL, *next;
    bool changed = false;

    for (item = list != NULL ? list->child : NULL; item != NULL; item = next) {
        next = item->next;
        if (cJSON_IsString(item) && strcmp(item->valuestring, name) == 0) {
            cJSON_Delete(cJSON_DetachItemViaPointer(list, item));
            changed = true;
        }
    }
    if (!changed)
        return 0;
    return ops_doc_save(ctx, &CLIENT_DOC, json_str(client, "ClientId"),
                        json_str(client, "UserPoolId"), client, false) == STORE_OK
               ? 0
               : -1;
}

/* Take name out of every client of the pool pool_id (see the file comment). */
static int unlist_everywhere(struct op_ctx *ctx, const char *pool_id, const char *name)
{
    char *token = NULL;
    int rc = 0;

    do {
        struct store_page page = {0};

        if (store_doc_list(ctx->db, STORE_USER_POOL_CLIENT, pool_id, token, PAGE_MAX, &page) !=
            STORE_OK)
            rc = ops_fail_internal(ctx, "listing app clients");
        for (size_t i = 0; rc == 0 && i < page.count; i++) {
            cJSON *client = cJSON_Parse(page.docs[i]);

            rc = client == NULL ? ops_fail_internal(ctx, "reading an app client")
                                : unlist_in_client(ctx, client, name);
            cJSON_Delete(client);
        }
        free(token);
        token = page.next_token;
        page.next_token = NULL;
        store_page_free(&page);
    } while (rc == 0 && token != NULL);
    free(token);
    return rc;
}

int op_delete_identity_provider(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    const char *name = json_str(ctx->in, "ProviderName");
    cJSON *pool = NULL, *doc = NULL;
    char id[256];
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (load_pool(ctx, &pool) == 0 && load_provider(ctx, name, &doc) == 0 &&
        identity_provider_id(pool_id, name, id, sizeof(id)) == 0 &&
        ops_doc_delete(ctx, &IDENTITY_PROVIDER_DOC, id, pool_id) == 0)
        rc = unlist_everywhere(ctx, pool_id, name);
    rc = ops_txn_end(ctx, rc);
    cJSON_Delete(pool);
    cJSON_Delete(doc);
    return rc;
}

/* The ProviderDescription members ListIdentityProviders shows of each provider. */
static const char *const DESCRIPTION[] = {"ProviderName", "ProviderType", "LastModifiedDate",
                                          "CreationDate", NULL};

int op_list_identity_providers(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");

    if (ops_doc_check(ctx, &OPS_USER_POOL, pool_id, NULL) != 0)
        return -1;
    return ops_doc_list_page(ctx, &IDENTITY_PROVIDER_DOC, pool_id, "Providers", DESCRIPTION);
}

int op_get_identity_provider_by_identifier(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "UserPoolId");
    const char *identifier = json_str(ctx->in, "IdpIdentifier");
    cJSON *pool = NULL, *doc = NULL;
    int rc = -1, st;

    if (load_pool(ctx, &pool) != 0)
        return -1;
    cJSON_Delete(pool);
    st = identity_provider_find(ctx->db, pool_id, identifier, &doc);
    if (st == STORE_OK)
        rc = answer(ctx, doc);
    else if (st == STORE_NOT_FOUND)
        rc = cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                         "No identity provider with identifier %s exists in user pool %s.",
                         identifier, pool_id);
    else
        rc = ops_fail_internal(ctx, "reading identity providers");
    return rc;
}
