/*
 * ops_identity_pool: the identity pool resource of cognito-identity (CreateIdentityPool,
 * DescribeIdentityPool, ListIdentityPools, UpdateIdentityPool, DeleteIdentityPool).
 *
 * A pool is one document of kind STORE_IDENTITY_POOL, keyed by its id "<region>:<uuid>". The
 * document is the pool's single source of truth: its IdentityPool-shape members are kept
 * exactly as DescribeIdentityPool returns them, and later operations (identities, roles, role
 * mappings) may add members of their own. Responses therefore copy only the IdentityPool
 * members (pool_members[]), and UpdateIdentityPool rewrites only those, keeping the rest.
 *
 * What real Cognito returns, and this file copies:
 * - Empty collections are left out, except IdentityPoolTags, which is always there ("{}").
 *   Seen in captured responses: the CLI output in the Reversec Labs write-up "CloudWatch
 *   Dashboard (Over)Sharing" (2025), and boto3 DescribeIdentityPool responses whose
 *   Content-Length matches exactly the body with "IdentityPoolTags":{} and no other empty
 *   member.
 * - AllowClassicFlow has no default: when a request leaves it out, the pool has no value and
 *   the member is absent from every response (same write-up; aws/aws-cli#7652, which also
 *   shows that GetOpenIdToken then behaves as if classic flow were allowed).
 * - ServerSideTokenCheck of a CognitoIdentityProviders entry defaults to false and is always
 *   returned (aws-cli examples create-identity-pool.rst / describe-identity-pool.rst).
 * - An unknown id is ResourceNotFoundException "IdentityPool '<id>' not found."
 *   (amplify-js#13650, aws-sdk-android-samples#163).
 * - DeveloperProviderName cannot be changed once set (API reference, CreateIdentityPool);
 *   UpdateIdentityPool without it keeps it (hashicorp/terraform-provider-aws#49985 measured a
 *   rename that leaves it out).
 *
 * Handlers receive input already validated against the model (params.h): required members,
 * types, lengths, patterns and the 1..60 range of MaxResults are not checked again here.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "identity/identity.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"

/* The members of the IdentityPool shape, in the model's order. */
static const char *const pool_members[] = {
    "IdentityPoolId",
    "IdentityPoolName",
    "AllowUnauthenticatedIdentities",
    "AllowClassicFlow",
    "SupportedLoginProviders",
    "DeveloperProviderName",
    "OpenIdConnectProviderARNs",
    "CognitoIdentityProviders",
    "SamlProviderARNs",
    "IdentityPoolTags",
    NULL,
};

/* The IdentityPoolShortDescription members ListIdentityPools shows of each pool. */
static const char *const short_members[] = {"IdentityPoolId", "IdentityPoolName", NULL};

static bool is_empty_collection(const cJSON *item)
{
    return (cJSON_IsArray(item) || cJSON_IsObject(item)) && item->child == NULL;
}

/*
 * Set doc's member name from the request: a copy of in's member when present and not an empty
 * list or map, otherwise no member at all (AWS leaves unset and empty members out).
 */
static int set_or_remove(cJSON *doc, const cJSON *in, const char *name)
{
    const cJSON *item = json_get(in, name);

    if (item == NULL || is_empty_collection(item)) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, name);
        return 0;
    }
    return json_set_item(doc, name, cJSON_Duplicate(item, 1));
}

/*
 * The CognitoIdentityProviders of the request as stored: each entry with the members given
 * and ServerSideTokenCheck, false unless the request says true. Absent or empty: no member.
 */
static int set_cognito_providers(cJSON *doc, const cJSON *in)
{
    const cJSON *list = json_get(in, "CognitoIdentityProviders");
    const cJSON *entry;
    cJSON *out;

    if (list == NULL || is_empty_collection(list)) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "CognitoIdentityProviders");
        return 0;
    }
    out = cJSON_CreateArray();
    if (out == NULL)
        return -1;
    cJSON_ArrayForEach(entry, list)
    {
        cJSON *p = cJSON_CreateObject();
        if (p == NULL || !cJSON_AddItemToArray(out, p)) {
            cJSON_Delete(p);
            cJSON_Delete(out);
            return -1;
        }
        if (json_copy_member(p, entry, "ProviderName") != 0 ||
            json_copy_member(p, entry, "ClientId") != 0 ||
            json_set_bool(p, "ServerSideTokenCheck",
                          json_bool(entry, "ServerSideTokenCheck", false)) != 0) {
            cJSON_Delete(out);
            return -1;
        }
    }
    return json_set_item(doc, "CognitoIdentityProviders", out);
}

/*
 * Write the settings of a Create or Update request into doc (which holds IdentityPoolId and,
 * for an update, the stored pool). DeveloperProviderName and IdentityPoolTags are left alone
 * when the request omits them: the caller decides what their absence means.
 */
static int apply_settings(cJSON *doc, const cJSON *in)
{
    if (json_copy_member(doc, in, "IdentityPoolName") != 0 ||
        json_copy_member(doc, in, "AllowUnauthenticatedIdentities") != 0 ||
        set_or_remove(doc, in, "AllowClassicFlow") != 0 ||
        set_or_remove(doc, in, "SupportedLoginProviders") != 0 ||
        json_copy_member(doc, in, "DeveloperProviderName") != 0 ||
        set_or_remove(doc, in, "OpenIdConnectProviderARNs") != 0 ||
        set_cognito_providers(doc, in) != 0 || set_or_remove(doc, in, "SamlProviderARNs") != 0 ||
        json_copy_member(doc, in, "IdentityPoolTags") != 0)
        return -1;
    /* Tags are the one collection AWS returns even when empty. */
    if (json_get(doc, "IdentityPoolTags") == NULL &&
        json_set_item(doc, "IdentityPoolTags", cJSON_CreateObject()) != 0)
        return -1;
    return 0;
}

/* Answer the IdentityPool members of the stored doc, in the model's order. */
static int respond(struct op_ctx *ctx, const cJSON *doc)
{
    if (ops_copy_members(ctx->out, doc, pool_members) != 0)
        return ops_fail_internal(ctx, "out of memory");
    return 0;
}

/*
 * CreateIdentityPool: a new pool "<request region>:<uuid>" with the request's settings; answers
 * the IdentityPool as stored. Fails only with InternalErrorException (database, memory).
 */
int op_create_identity_pool(struct op_ctx *ctx)
{
    char id[IDS_MAX];
    cJSON *doc = NULL;
    int status = STORE_EXISTS;
    int rc = -1;

    /* A uuid collision is not going to happen; retry anyway rather than answer an error. */
    for (int attempt = 0; attempt < 3 && status == STORE_EXISTS; attempt++) {
        cJSON_Delete(doc);
        ids_region_uuid(id, ctx->region);
        doc = cJSON_CreateObject();
        if (doc == NULL || json_set_str(doc, "IdentityPoolId", id) != 0 ||
            apply_settings(doc, ctx->in) != 0) {
            ops_fail_internal(ctx, "out of memory");
            goto out;
        }
        status = ops_doc_save(ctx, &IDENTITY_POOL, id, NULL, doc, true);
    }
    if (status == STORE_OK)
        rc = respond(ctx, doc);
out:
    cJSON_Delete(doc);
    return rc;
}

/* DescribeIdentityPool: the IdentityPool members of the stored pool, or ResourceNotFound. */
int op_describe_identity_pool(struct op_ctx *ctx)
{
    cJSON *doc = NULL;
    int rc;

    if (ops_doc_load(ctx, &IDENTITY_POOL, json_str(ctx->in, "IdentityPoolId"), NULL, &doc) != 0)
        return -1;
    rc = respond(ctx, doc);
    cJSON_Delete(doc);
    return rc;
}

/*
 * ListIdentityPools: up to MaxResults {IdentityPoolId, IdentityPoolName}, oldest first, and a
 * NextToken while more remain. A token this store did not make is InvalidParameterException.
 */
int op_list_identity_pools(struct op_ctx *ctx)
{
    return ops_doc_list_page(ctx, &IDENTITY_POOL, NULL, "IdentityPools", short_members);
}

/*
 * UpdateIdentityPool: replace the pool's settings with the request and answer the new pool.
 * ResourceNotFoundException for an unknown id; InvalidParameterException for a change of
 * DeveloperProviderName. On any failure the stored pool is unchanged.
 */
int op_update_identity_pool(struct op_ctx *ctx)
{
    const char *id = json_str(ctx->in, "IdentityPoolId");
    const char *old_dev, *new_dev;
    cJSON *doc = NULL;
    int rc = -1;

    /* Read, check and replace in one write transaction so concurrent updates cannot interleave. */
    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (ops_doc_load(ctx, &IDENTITY_POOL, id, NULL, &doc) != 0)
        goto out;

    /*
     * "Once you have set a developer provider name, you cannot change it" (API reference,
     * CreateIdentityPool). Setting one on a pool that has none is allowed; leaving it out keeps
     * it. The message is ours: no capture of AWS's wording was found.
     */
    old_dev = json_str(doc, "DeveloperProviderName");
    new_dev = json_str(ctx->in, "DeveloperProviderName");
    if (old_dev != NULL && new_dev != NULL && strcmp(old_dev, new_dev) != 0) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "DeveloperProviderName cannot be changed once it is set.");
        goto out;
    }

    /*
     * The request replaces the pool's settings ("If you don't provide a value for a parameter,
     * Amazon Cognito sets it to its default value", API reference), except tags, which
     * TagResource/UntagResource also manage: left out, they are kept (as moto does).
     */
    if (apply_settings(doc, ctx->in) != 0) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    if (ops_doc_save(ctx, &IDENTITY_POOL, id, NULL, doc, false) == STORE_OK)
        rc = 0;
out:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        rc = respond(ctx, doc);
    cJSON_Delete(doc);
    return rc;
}

/* DeleteIdentityPool: remove the pool (empty answer), or ResourceNotFoundException. */
int op_delete_identity_pool(struct op_ctx *ctx)
{
    return ops_doc_delete(ctx, &IDENTITY_POOL, json_str(ctx->in, "IdentityPoolId"), NULL);
}
