/*
 * ops_federation: AdminLinkProviderForUser and AdminDisableProviderForUser
 * (../shared/oauth2-hosted-ui.md 1.5; the API reference in server/aws/model/cognito-idp.json).
 * A link makes an external identity sign in as an existing user (userpool/federation.c reads
 * them); the links are rows of the store (store_link_*).
 *
 * Rules: the destination is a user of the pool named by its username with ProviderName
 * "Cognito" (its ProviderAttributeName is ignored, as the reference says); the source is an
 * identity of one of the pool's providers, named by "Cognito_Subject" (mandatory for the
 * social providers) or, for OIDC and SAML, by a pool attribute of the provider's
 * AttributeMapping; at most five identities per user.
 *
 * Wording: "Invalid SourceUser: Cognito users with a username/password may not be passed in as
 * a SourceUser, only as a DestinationUser" is Cognito's (boto/boto3#4163); "User does not
 * exist." is [facts]; the other messages are the emulator's (Cognito's were not found), and
 * so is the choice of AliasExistsException for a source identity that already has a user
 * or another link (the model lists it; the reference says the source must not exist yet).
 * Deactivating a native user (ProviderName "Cognito") is not emulated: it is refused with
 * InvalidParameterException rather than faked.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"
#include "userpool/federation.h"
#include "userpool/identity_provider.h"
#include "userpool/pool.h"
#include "userpool/user.h"
#include "util/jsonutil.h"

/* The most identities linked to one user ("The maximum number of federated identities
 * linked to a user is five." [api]). */
#define FEDERATION_LINKS_MAX 5

/* What both operations read: the pool, the source identity's provider and its name. */
struct fed_req {
    cJSON *pool, *provider;
    const char *pool_id, *name, *attribute, *value;
};

static void fed_req_free(struct fed_req *r)
{
    cJSON_Delete(r->pool);
    cJSON_Delete(r->provider);
}

/*
 * Load the pool and the identity ident ({ProviderName, ProviderAttributeName,
 * ProviderAttributeValue}; which names the member in messages) into r, checked as above.
 */
static int load_identity(struct op_ctx *ctx, const cJSON *ident, const char *which,
                         struct fed_req *r)
{
    const char *type;
    int st;

    r->pool_id = json_str(ctx->in, "UserPoolId");
    r->name = json_str_or(ident, "ProviderName", "");
    r->attribute = json_str_or(ident, "ProviderAttributeName", "");
    r->value = json_str_or(ident, "ProviderAttributeValue", "");
    if (pool_load(ctx, r->pool_id, &r->pool) != 0)
        return -1;
    if (r->attribute[0] == '\0' || r->value[0] == '\0')
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid %s: ProviderAttributeName and ProviderAttributeValue are "
                           "required.",
                           which);
    st = identity_provider_get(ctx->db, r->pool_id, r->name, &r->provider);
    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "The provider %s does not exist for User Pool %s", r->name, r->pool_id);
    if (st != STORE_OK)
        return ops_fail_internal(ctx, "reading the identity provider");
    type = json_str_or(r->provider, "ProviderType", "");
    if (strcmp(r->attribute, FEDERATION_SUBJECT) == 0)
        return 0;
    if (federation_is_social(type))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid %s: ProviderAttributeName must be %s for a %s provider.", which,
                           FEDERATION_SUBJECT, type);
    if (json_get(json_get(r->provider, "AttributeMapping"), r->attribute) == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid %s: %s is not an attribute mapped from provider %s.", which,
                           r->attribute, r->name);
    return 0;
}

/* Whether the federated user of the identity r names (on its subject) exists: 1, 0, -1. */
static int identity_user_exists(struct op_ctx *ctx, const struct fed_req *r)
{
    char name[2048];
    char *key;
    struct store_user *u = NULL;
    int st;

    if (strcmp(r->attribute, FEDERATION_SUBJECT) != 0)
        return 0;
    snprintf(name, sizeof(name), "%s_%s", r->name, r->value);
    if ((key = user_name_key(r->pool, name)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    st = store_user_get(ctx->db, r->pool_id, key, &u);
    free(key);
    store_user_free(u);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return ops_fail_internal(ctx, "reading a user");
    return st == STORE_OK;
}

/* The destination user (by username), then the link, in the caller's transaction. */
static int link_identity(struct op_ctx *ctx, const struct fed_req *r, const char *username)
{
    struct store_user *dest = NULL;
    char *key = user_name_key(r->pool, username);
    struct store_link l = {r->pool_id, r->name, r->attribute, r->value, 0, ctx->now_ms};
    int st = key ? store_user_get(ctx->db, r->pool_id, key, &dest) : STORE_ERROR, rc;

    free(key);
    if (st == STORE_NOT_FOUND)
        return cog_err_set(&ctx->err, COG_E_USER_NOT_FOUND, "User does not exist.");
    if (st != STORE_OK)
        return ops_fail_internal(ctx, "reading a user");
    l.user_seq = dest->seq;
    store_user_free(dest);
    if ((rc = identity_user_exists(ctx, r)) != 0)
        return rc < 0 ? -1
                      : cog_err_set(&ctx->err, COG_E_ALIAS_EXISTS,
                                    "Invalid SourceUser: a user of this identity already exists.");
    if (store_link_get(ctx->db, r->pool_id, r->name, r->attribute, r->value, &(int64_t){0}) ==
            STORE_NOT_FOUND &&
        store_link_count(ctx->db, l.user_seq) >= FEDERATION_LINKS_MAX)
        return cog_err_set(&ctx->err, COG_E_LIMIT_EXCEEDED,
                           "Invalid DestinationUser: a user has at most %d linked identities.",
                           FEDERATION_LINKS_MAX);
    st = store_link_put(ctx->db, &l);
    if (st == STORE_EXISTS)
        return cog_err_set(&ctx->err, COG_E_ALIAS_EXISTS,
                           "Invalid SourceUser: this identity is linked to another user.");
    if (st != STORE_OK)
        return ops_fail_internal(ctx, "storing a link");
    /* The destination lists the identity at once when its id is known (Cognito_Subject); one
     * linked by a mapped attribute joins "identities" at its first sign-in. */
    if (strcmp(r->attribute, FEDERATION_SUBJECT) != 0)
        return 0;
    return federation_add_identity(ctx, r->provider, r->value, l.user_seq);
}

int op_admin_link_provider_for_user(struct op_ctx *ctx)
{
    const cJSON *dest = json_get(ctx->in, "DestinationUser");
    const cJSON *src = json_get(ctx->in, "SourceUser");
    struct fed_req r = {0};
    int rc = -1;

    if (strcmp(json_str_or(src, "ProviderName", ""), "Cognito") == 0)
        rc = cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                         "Invalid SourceUser: Cognito users with a username/password may not be "
                         "passed in as a SourceUser, only as a DestinationUser");
    else if (strcmp(json_str_or(dest, "ProviderName", ""), "Cognito") != 0 ||
             json_str_or(dest, "ProviderAttributeValue", "")[0] == '\0')
        rc = cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                         "Invalid DestinationUser: ProviderName must be Cognito and "
                         "ProviderAttributeValue the username.");
    else if (load_identity(ctx, src, "SourceUser", &r) == 0 && ops_txn_begin(ctx) == 0)
        rc = ops_txn_end(ctx, link_identity(ctx, &r, json_str(dest, "ProviderAttributeValue")));
    fed_req_free(&r);
    return rc;
}

/* Take the identity (provider name, id) out of user seq's "identities" attribute. */
static int forget_identity(struct op_ctx *ctx, int64_t seq, const char *name, const char *id)
{
    struct store_user *u = NULL;
    cJSON *attrs = NULL, *list = NULL, *it;
    char *text = NULL;
    int rc = -1;

    if (store_user_get_by_seq(ctx->db, seq, &u) != STORE_OK || (attrs = user_attributes(u)) == NULL)
        goto out;
    list = cJSON_Parse(json_str_or(attrs, "identities", "[]"));
    for (it = list ? list->child : NULL; it != NULL; it = it->next) {
        if (strcmp(json_str_or(it, "providerName", ""), name) == 0 &&
            strcmp(json_str_or(it, "userId", ""), id) == 0) {
            cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
            break;
        }
    }
    if (list != NULL && (text = cJSON_PrintUnformatted(list)) != NULL &&
        json_set_str(attrs, "identities", text) == 0) {
        free(u->attributes);
        u->attributes = cJSON_PrintUnformatted(attrs);
        rc = u->attributes ? user_save(ctx, u) : -1;
    }
out:
    free(text);
    cJSON_Delete(list);
    cJSON_Delete(attrs);
    store_user_free(u);
    return rc == 0 ? 0 : ops_fail_internal(ctx, "updating a linked user");
}

/*
 * AdminDisableProviderForUser on an external identity: its link is removed (and the identity
 * leaves the linked user's "identities"); the identity then signs in as its own user again.
 * An identity with no link and no user of its own: UserNotFoundException.
 */
static int unlink_identity(struct op_ctx *ctx, const struct fed_req *r)
{
    int64_t seq;
    int st = store_link_get(ctx->db, r->pool_id, r->name, r->attribute, r->value, &seq), rc;

    if (st == STORE_OK) {
        if (store_link_delete(ctx->db, r->pool_id, r->name, r->attribute, r->value) != STORE_OK)
            return ops_fail_internal(ctx, "deleting a link");
        return forget_identity(ctx, seq, r->name, r->value);
    }
    if (st != STORE_NOT_FOUND)
        return ops_fail_internal(ctx, "reading links");
    if ((rc = identity_user_exists(ctx, r)) < 0)
        return -1;
    return rc ? 0 : cog_err_set(&ctx->err, COG_E_USER_NOT_FOUND, "User does not exist.");
}

int op_admin_disable_provider_for_user(struct op_ctx *ctx)
{
    const cJSON *user = json_get(ctx->in, "User");
    struct fed_req r = {0};
    int rc = -1;

    if (strcmp(json_str_or(user, "ProviderName", ""), "Cognito") == 0)
        rc = cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                         "Deactivating a native user's password sign-in with "
                         "AdminDisableProviderForUser is not supported by the emulator; use "
                         "AdminDisableUser.");
    else if (load_identity(ctx, user, "User", &r) == 0 && ops_txn_begin(ctx) == 0)
        rc = ops_txn_end(ctx, unlink_identity(ctx, &r));
    fed_req_free(&r);
    return rc;
}
