/*
 * ops_developer: developer-authenticated identities (GetOpenIdTokenForDeveloperIdentity,
 * LookupDeveloperIdentity, MergeDeveloperIdentities, UnlinkDeveloperIdentity): the pool's
 * DeveloperProviderName and the developer's own user identifiers, linked to identities as
 * developer logins (store_login.developer) beside the checked logins of identity.c.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"
#include "identity/identity_logins.h"
#include "util/jsonutil.h"

#define DEVELOPER_TOKEN_TTL_S 900 /* GetOpenIdTokenForDeveloperIdentity: 15 minutes default */

/* The pool's developer provider name, or InvalidParameterException (no such thing to use). */
static const char *developer_provider(struct op_ctx *ctx, const cJSON *pool)
{
    const char *dev = json_str(pool, "DeveloperProviderName");

    if (dev == NULL)
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Identity pool '%.64s' has no DeveloperProviderName.",
                    json_str(pool, "IdentityPoolId"));
    return dev;
}

/* Link developer user user_id of provider dev to identity ident (authenticated from then). */
static int link_developer(struct op_ctx *ctx, struct store_identity *ident, const char *dev,
                          const char *user_id)
{
    struct store_login row = {
        .pool_id = ident->pool_id,
        .provider = (char *)dev,
        .subject = (char *)user_id,
        .identity_seq = ident->seq,
        .developer = 1,
        .created_ms = ctx->now_ms,
        .used_ms = ctx->now_ms,
    };

    if (store_login_put(ctx->db, &row) != STORE_OK)
        return ops_fail_internal(ctx, "could not link the developer user");
    if (!ident->authenticated) {
        ident->authenticated = 1;
        return identity_save(ctx, ident);
    }
    return 0;
}

/*
 * The developer login of a request: the Logins entry named by the pool's developer provider
 * (*user_id, borrowed), and the other entries as a new map in *others (cJSON_Delete).
 */
static int split_developer_login(struct op_ctx *ctx, const char *dev, const char **user_id,
                                 cJSON **others)
{
    const cJSON *entry;

    *user_id = NULL;
    *others = cJSON_CreateObject();
    if (*others == NULL)
        return ops_fail_internal(ctx, "out of memory");
    cJSON_ArrayForEach(entry, json_get(ctx->in, "Logins"))
    {
        if (strcmp(entry->string, dev) == 0 && cJSON_IsString(entry))
            *user_id = entry->valuestring;
        else if (!cJSON_AddItemToObject(*others, entry->string, cJSON_Duplicate(entry, 1)))
            return ops_fail_internal(ctx, "out of memory");
    }
    if (*user_id == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Logins must have an entry for the developer provider %.128s.", dev);
    return 0;
}

/*
 * GetOpenIdTokenForDeveloperIdentity: the identity of a developer user (linking it to the
 * given IdentityId, or to a new identity when it has none) and an OpenID token for it, valid
 * TokenDuration seconds (15 minutes by default). Other Logins entries are linked as in
 * GetOpenIdToken. A developer user linked to another identity than the given one is
 * DeveloperUserAlreadyRegisteredException, in the model's words.
 */
int op_get_open_id_token_for_developer_identity(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    const char *given = json_str(ctx->in, "IdentityId"), *dev, *user_id = NULL;
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    struct store_login *owner = NULL;
    cJSON *pool = NULL, *others = NULL, *amr = NULL;
    char *token = NULL, *detail = NULL;
    int64_t ttl = json_int(ctx->in, "TokenDuration", DEVELOPER_TOKEN_TTL_S);
    int st, rc = -1;

    if (ops_doc_load(ctx, &IDENTITY_POOL, pool_id, NULL, &pool) != 0)
        return -1;
    if ((dev = developer_provider(ctx, pool)) == NULL ||
        split_developer_login(ctx, dev, &user_id, &others) != 0 ||
        identity_logins_check(ctx, pool, others, &logins) != 0)
        goto done;
    if (ops_txn_begin(ctx) != 0)
        goto done;
    st = store_login_get(ctx->db, pool_id, dev, user_id, &owner);
    if (st == STORE_ERROR) {
        ops_fail_internal(ctx, "could not read the developer user");
        goto end;
    }
    if (given != NULL) {
        cJSON *ignored = NULL;
        st = identity_and_pool(ctx, given, pool_id, false, &ident, &ignored);
        cJSON_Delete(ignored);
        if (st != 0)
            goto end;
        if (owner != NULL && owner->identity_seq != ident->seq) {
            cog_err_set(&ctx->err, COG_E_DEVELOPER_USER_ALREADY_REGISTERED,
                        "The provided developer user identifier is already registered with "
                        "Cognito under a different identity ID.");
            goto end;
        }
    } else if (owner != NULL) {
        cJSON *ignored = NULL;
        st = identity_and_pool(ctx, owner->identity_id, pool_id, false, &ident, &ignored);
        cJSON_Delete(ignored);
        if (st != 0)
            goto end;
    } else if (identity_new(ctx, pool_id, true, &ident) != 0) {
        goto end;
    }
    if (link_developer(ctx, ident, dev, user_id) != 0)
        goto end;
    rc = identity_apply_logins(ctx, &ident, &logins);
end:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0) {
        size_t n = strlen(dev) + strlen(pool_id) + strlen(user_id) + 3;
        const char *three[3];
        rc = -1;
        if ((detail = malloc(n)) != NULL) {
            snprintf(detail, n, "%s:%s:%s", dev, pool_id, user_id);
            three[0] = "authenticated";
            three[1] = dev;
            three[2] = detail;
            amr = cJSON_CreateStringArray(three, 3);
        }
        if (amr == NULL)
            ops_fail_internal(ctx, "out of memory");
        else if ((token = identity_openid_token(ctx, ident->id, pool_id, amr, ttl)) != NULL &&
                 json_set_str(ctx->out, "IdentityId", ident->id) == 0 &&
                 json_set_str(ctx->out, "Token", token) == 0)
            rc = 0;
        else if (token != NULL)
            ops_fail_internal(ctx, "out of memory");
    }
done:
    free(token);
    free(detail);
    store_login_free(owner);
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(others);
    cJSON_Delete(pool);
    return rc;
}

/* The developer user identifiers of identity seq under provider dev, as a new JSON array. */
static cJSON *developer_users(struct op_ctx *ctx, int64_t seq, const char *dev)
{
    struct store_login_list list = {0};
    cJSON *out;

    if (identity_links_read(ctx, seq, &list) != 0)
        return NULL;
    out = cJSON_CreateArray();
    for (size_t i = 0; out != NULL && i < list.count; i++) {
        const struct store_login *l = list.logins[i];
        if (l->developer && strcmp(l->provider, dev) == 0 &&
            !cJSON_AddItemToArray(out, cJSON_CreateString(l->subject))) {
            cJSON_Delete(out);
            out = NULL;
        }
    }
    store_login_list_free(&list);
    if (out == NULL)
        ops_fail_internal(ctx, "out of memory");
    return out;
}

/*
 * Answer one page of list (taken) as DeveloperUserIdentifierList, from the request's
 * NextToken (an offset this operation made) and at most MaxResults (all when absent).
 */
static int developer_users_page(struct op_ctx *ctx, cJSON *list)
{
    const char *token = json_str(ctx->in, "NextToken");
    int total = cJSON_GetArraySize(list), limit = (int)json_int(ctx->in, "MaxResults", 60);
    int start = 0;
    cJSON *page = cJSON_CreateArray();
    char next[24];

    if (token != NULL) {
        char *end;
        long v = strtol(token, &end, 10);
        if (*end != '\0' || v <= 0 || v > total) {
            cJSON_Delete(list);
            cJSON_Delete(page);
            return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid NextToken.");
        }
        start = (int)v;
    }
    for (int i = start; page != NULL && i < total && i < start + limit; i++)
        cJSON_AddItemToArray(page, cJSON_Duplicate(cJSON_GetArrayItem(list, i), 1));
    cJSON_Delete(list);
    if (ops_out_set(ctx, "DeveloperUserIdentifierList", page) != 0)
        return -1;
    if (start + limit < total) {
        snprintf(next, sizeof(next), "%d", start + limit);
        if (json_set_str(ctx->out, "NextToken", next) != 0)
            return ops_fail_internal(ctx, "out of memory");
    }
    return 0;
}

/*
 * LookupDeveloperIdentity: the identity of a developer user and the developer users of an
 * identity. Given both, they must belong together (else ResourceConflictException, as the
 * API reference says).
 */
int op_lookup_developer_identity(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    const char *id = json_str(ctx->in, "IdentityId");
    const char *user_id = json_str(ctx->in, "DeveloperUserIdentifier"), *dev;
    struct store_identity *ident = NULL;
    struct store_login *owner = NULL;
    cJSON *pool = NULL, *list;
    int rc = -1;

    if (ops_doc_load(ctx, &IDENTITY_POOL, pool_id, NULL, &pool) != 0)
        return -1;
    if (id == NULL && user_id == NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Either IdentityId or DeveloperUserIdentifier must be given.");
        goto out;
    }
    if ((dev = developer_provider(ctx, pool)) == NULL)
        goto out;
    if (user_id != NULL) {
        int st = store_login_get(ctx->db, pool_id, dev, user_id, &owner);
        if (st == STORE_ERROR) {
            ops_fail_internal(ctx, "could not read the developer user");
            goto out;
        }
        if (st == STORE_NOT_FOUND) {
            cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                        "DeveloperUserIdentifier '%.128s' not found.", user_id);
            goto out;
        }
        if (id != NULL && strcmp(owner->identity_id, id) != 0) {
            cog_err_set(&ctx->err, COG_E_RESOURCE_CONFLICT,
                        "DeveloperUserIdentifier '%.128s' is not linked to identity '%.64s'.",
                        user_id, id);
            goto out;
        }
        id = owner->identity_id;
    }
    {
        cJSON *ignored = NULL;
        int st = identity_and_pool(ctx, id, pool_id, true, &ident, &ignored);
        cJSON_Delete(ignored);
        if (st != 0)
            goto out;
    }
    if ((list = developer_users(ctx, ident->seq, dev)) == NULL)
        goto out;
    if (json_set_str(ctx->out, "IdentityId", ident->id) != 0) {
        cJSON_Delete(list);
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    rc = developer_users_page(ctx, list);
out:
    store_login_free(owner);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/*
 * MergeDeveloperIdentities: the identity of the source developer user is merged into the
 * destination's (its logins move there; it is disabled). Users of one public provider on both
 * sides cannot be merged: ResourceConflictException.
 */
int op_merge_developer_identities(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    const char *name = json_str(ctx->in, "DeveloperProviderName"), *dev;
    const char *users[2] = {json_str(ctx->in, "SourceUserIdentifier"),
                            json_str(ctx->in, "DestinationUserIdentifier")};
    struct store_login *found[2] = {NULL, NULL};
    struct store_identity *ident[2] = {NULL, NULL};
    struct store_login_list logins[2] = {{0}, {0}};
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_doc_load(ctx, &IDENTITY_POOL, pool_id, NULL, &pool) != 0)
        return -1;
    if ((dev = developer_provider(ctx, pool)) == NULL)
        goto done;
    if (strcmp(dev, name) != 0) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "DeveloperProviderName %.128s is not the developer provider of identity "
                    "pool '%.64s'.",
                    name, pool_id);
        goto done;
    }
    if (ops_txn_begin(ctx) != 0)
        goto done;
    for (int i = 0; i < 2; i++) {
        int st = store_login_get(ctx->db, pool_id, dev, users[i], &found[i]);
        if (st == STORE_NOT_FOUND) {
            cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                        "DeveloperUserIdentifier '%.128s' not found.", users[i]);
            goto end;
        }
        if (st != STORE_OK || identity_load(ctx, found[i]->identity_id, &ident[i]) != 0 ||
            identity_links_read(ctx, ident[i]->seq, &logins[i]) != 0) {
            if (st != STORE_OK)
                ops_fail_internal(ctx, "could not read the developer user");
            goto end;
        }
    }
    if (ident[0]->seq != ident[1]->seq) {
        if (identity_links_conflict(&logins[0], &logins[1])) {
            cog_err_set(&ctx->err, COG_E_RESOURCE_CONFLICT,
                        "The identities hold different users of one provider and cannot be "
                        "merged.");
            goto end;
        }
        if (store_login_move(ctx->db, ident[0]->seq, ident[1]->seq) != STORE_OK) {
            ops_fail_internal(ctx, "could not merge the identities");
            goto end;
        }
        ident[0]->disabled = 1;
        if (identity_save(ctx, ident[0]) != 0 || identity_save(ctx, ident[1]) != 0)
            goto end;
    }
    rc = 0;
end:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0 && json_set_str(ctx->out, "IdentityId", ident[1]->id) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
done:
    for (int i = 0; i < 2; i++) {
        store_login_free(found[i]);
        store_identity_free(ident[i]);
        store_login_list_free(&logins[i]);
    }
    cJSON_Delete(pool);
    return rc;
}

/*
 * UnlinkDeveloperIdentity: unlink a developer user from its identity ("Unlinked developer
 * users will be considered new identities next time they are seen").
 */
int op_unlink_developer_identity(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    const char *id = json_str(ctx->in, "IdentityId");
    const char *name = json_str(ctx->in, "DeveloperProviderName");
    const char *user_id = json_str(ctx->in, "DeveloperUserIdentifier");
    struct store_identity *ident = NULL;
    struct store_login *login = NULL;
    cJSON *pool = NULL;
    int st, rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (identity_and_pool(ctx, id, pool_id, true, &ident, &pool) != 0)
        goto end;
    st = store_login_get(ctx->db, pool_id, name, user_id, &login);
    if (st == STORE_ERROR) {
        ops_fail_internal(ctx, "could not read the developer user");
        goto end;
    }
    if (st == STORE_NOT_FOUND || !login->developer || login->identity_seq != ident->seq) {
        cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND,
                    "DeveloperUserIdentifier '%.128s' of %.128s is not linked to identity "
                    "'%.64s'.",
                    user_id, name, id);
        goto end;
    }
    if (store_login_delete(ctx->db, pool_id, name, user_id) != STORE_OK) {
        ops_fail_internal(ctx, "could not unlink the developer user");
        goto end;
    }
    rc = identity_after_unlink(ctx, ident);
end:
    rc = ops_txn_end(ctx, rc);
    store_login_free(login);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}
