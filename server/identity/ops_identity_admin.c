/*
 * ops_identity_admin: identities as an administrator sees them: DescribeIdentity,
 * ListIdentities, DeleteIdentities, and UnlinkIdentity (which the identity itself calls,
 * proving itself with a linked login).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"
#include "identity/identity_logins.h"
#include "util/jsonutil.h"

/* The IdentityDescription of i: IdentityId, Logins (provider names; absent when none),
 * CreationDate, LastModifiedDate. A new object, or NULL with ctx->err set. */
static cJSON *describe(struct op_ctx *ctx, const struct store_identity *i)
{
    struct store_login_list list = {0};
    cJSON *d = NULL, *names = NULL;
    bool bad;

    if (identity_links_read(ctx, i->seq, &list) != 0)
        return NULL;
    d = cJSON_CreateObject();
    bad = d == NULL || json_set_str(d, "IdentityId", i->id) != 0;
    for (size_t k = 0; !bad && k < list.count; k++) {
        const cJSON *seen;
        bool dup = false;
        if (names == NULL && (bad = (names = cJSON_CreateArray()) == NULL))
            break;
        cJSON_ArrayForEach(seen, names)
        {
            if (strcmp(seen->valuestring, list.logins[k]->provider) == 0)
                dup = true;
        }
        if (!dup)
            bad = !cJSON_AddItemToArray(names, cJSON_CreateString(list.logins[k]->provider));
    }
    if (!bad && names != NULL) {
        bad = json_set_item(d, "Logins", names) != 0;
        names = NULL;
    }
    bad = bad || json_set_num(d, "CreationDate", json_epoch(i->created_ms)) != 0 ||
          json_set_num(d, "LastModifiedDate", json_epoch(i->modified_ms)) != 0;
    store_login_list_free(&list);
    cJSON_Delete(names);
    if (bad) {
        cJSON_Delete(d);
        ops_fail_internal(ctx, "out of memory");
        return NULL;
    }
    return d;
}

/* DescribeIdentity: the identity's description, or ResourceNotFoundException. */
int op_describe_identity(struct op_ctx *ctx)
{
    static const char *const members[] = {"IdentityId", "Logins", "CreationDate",
                                          "LastModifiedDate", NULL};
    struct store_identity *ident = NULL;
    cJSON *d;
    int rc = -1;

    if (identity_load(ctx, json_str(ctx->in, "IdentityId"), &ident) != 0)
        return -1;
    if ((d = describe(ctx, ident)) != NULL) {
        rc = ops_copy_members(ctx->out, d, members) == 0 ? 0
                                                         : ops_fail_internal(ctx, "out of memory");
        cJSON_Delete(d);
    }
    store_identity_free(ident);
    return rc;
}

/*
 * ListIdentities: up to MaxResults identities of the pool, oldest first, with NextToken while
 * more remain; HideDisabled leaves the disabled ones out.
 */
int op_list_identities(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    struct store_identity_page page = {0};
    cJSON *list = NULL;
    int st, rc = -1;

    if (ops_doc_check(ctx, &IDENTITY_POOL, pool_id, NULL) != 0)
        return -1;
    st = store_identity_list(ctx->db, pool_id, json_bool(ctx->in, "HideDisabled", false),
                             json_str(ctx->in, "NextToken"),
                             (int)json_int(ctx->in, "MaxResults", 60), &page);
    if (st == STORE_BAD_TOKEN)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
    if (st != STORE_OK)
        return ops_fail_internal(ctx, "could not list the identities");
    if ((list = cJSON_CreateArray()) == NULL) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < page.count; i++) {
        cJSON *d = describe(ctx, page.identities[i]);
        if (d == NULL)
            goto out;
        cJSON_AddItemToArray(list, d);
    }
    if (json_set_str(ctx->out, "IdentityPoolId", pool_id) != 0 ||
        ops_out_set(ctx, "Identities", list) != 0) {
        list = NULL;
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    list = NULL;
    if (page.next_token != NULL && json_set_str(ctx->out, "NextToken", page.next_token) != 0) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(list);
    store_identity_page_free(&page);
    return rc;
}

/*
 * DeleteIdentities: delete each identity with its logins. Ids that name no identity are
 * skipped: UnprocessedIdentityIds lists only AccessDenied and InternalServerError failures
 * (the model's ErrorCode), and real Cognito answers [] (aws-cli's delete-identities example).
 */
int op_delete_identities(struct op_ctx *ctx)
{
    const cJSON *id;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    cJSON_ArrayForEach(id, json_get(ctx->in, "IdentityIdsToDelete"))
    {
        int st = cJSON_IsString(id) ? store_identity_delete(ctx->db, id->valuestring) : STORE_OK;
        if (st != STORE_OK && st != STORE_NOT_FOUND) {
            ops_fail_internal(ctx, "could not delete the identity");
            goto end;
        }
    }
    rc = 0;
end:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0 && ops_out_set(ctx, "UnprocessedIdentityIds", cJSON_CreateArray()) != 0)
        rc = -1;
    return rc;
}

/*
 * UnlinkIdentity: remove the providers of LoginsToRemove from the identity, which must prove
 * itself with Logins linked to it ("Logins don't match" otherwise).
 */
int op_unlink_identity(struct op_ctx *ctx)
{
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    struct store_login_list linked = {0};
    const cJSON *name;
    cJSON *pool = NULL;
    bool proven = false;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (identity_and_pool(ctx, json_str(ctx->in, "IdentityId"), NULL, false, &ident, &pool) != 0 ||
        identity_logins_check(ctx, pool, json_get(ctx->in, "Logins"), &logins) != 0 ||
        identity_links_read(ctx, ident->seq, &linked) != 0)
        goto end;
    for (size_t i = 0; i < logins.count && !proven; i++) {
        const struct identity_login *l = &logins.items[i];
        if (l->kind == IDENTITY_LOGIN_OPENID) {
            proven = strcmp(l->subject, ident->id) == 0;
            continue;
        }
        for (size_t k = 0; k < linked.count && !proven; k++)
            proven = strcmp(linked.logins[k]->provider, l->provider) == 0 &&
                     strcmp(linked.logins[k]->subject, l->subject) == 0;
    }
    if (!proven) {
        identity_not_authorized(ctx, IDENTITY_LOGINS_DONT_MATCH);
        goto end;
    }
    cJSON_ArrayForEach(name, json_get(ctx->in, "LoginsToRemove"))
    {
        char *provider = cJSON_IsString(name)
                             ? identity_provider_name(ctx->settings, pool, name->valuestring)
                             : NULL;
        if (provider == NULL) {
            ops_fail_internal(ctx, "out of memory");
            goto end;
        }
        for (size_t k = 0; k < linked.count; k++) {
            const struct store_login *l = linked.logins[k];
            if (strcmp(l->provider, provider) == 0 &&
                store_login_delete(ctx->db, l->pool_id, l->provider, l->subject) == STORE_ERROR) {
                free(provider);
                ops_fail_internal(ctx, "could not unlink the login");
                goto end;
            }
        }
        free(provider);
    }
    rc = identity_after_unlink(ctx, ident);
end:
    rc = ops_txn_end(ctx, rc);
    store_login_list_free(&linked);
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}
