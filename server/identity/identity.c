/*
 * identity: identity records and the linking of logins to them, for the identity operations.
 * See identity.h for the rules (linking, merging, disabled and unknown identities).
 */
#include "config.h"

#include "identity/identity.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"
#include "util/jsonutil.h"

/* Identity pools: no parent; the unknown-id message is AWS's (see ops_identity_pool.c). */
const struct ops_doc_type IDENTITY_POOL = {
    .kind = STORE_IDENTITY_POOL,
    .noun = "identity pool",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "IdentityPool '%s' not found.",
};

const char IDENTITY_LOGINS_DONT_MATCH[] =
    "Logins don't match. Please include at least one valid login for this identity or identity "
    "pool.";
const char IDENTITY_BAD_CONFIGURATION[] =
    "Invalid identity pool configuration. Check assigned IAM roles for this pool.";

static int identity_not_found(struct op_ctx *ctx, const char *id)
{
    return cog_err_set(&ctx->err, COG_E_RESOURCE_NOT_FOUND, "Identity '%.64s' not found.",
                       id ? id : "");
}

static int identity_forbidden(struct op_ctx *ctx, const char *id)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "Access to Identity '%.64s' is forbidden.",
                       id);
}

int identity_not_authorized(struct op_ctx *ctx, const char *message)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "%s", message);
}

int identity_load(struct op_ctx *ctx, const char *id, struct store_identity **out)
{
    int st = store_identity_get(ctx->db, id, out);

    if (st == STORE_NOT_FOUND)
        return identity_not_found(ctx, id);
    return st == STORE_OK ? 0 : ops_fail_internal(ctx, "could not read the identity");
}

int identity_and_pool(struct op_ctx *ctx, const char *id, const char *pool_id, bool allow_disabled,
                      struct store_identity **out, cJSON **pool)
{
    *pool = NULL;
    if (identity_load(ctx, id, out) != 0)
        return -1;
    if (pool_id != NULL && strcmp((*out)->pool_id, pool_id) != 0) {
        store_identity_free(*out);
        *out = NULL;
        return identity_not_found(ctx, id);
    }
    if (!allow_disabled && (*out)->disabled) {
        store_identity_free(*out);
        *out = NULL;
        return identity_forbidden(ctx, id);
    }
    if (ops_doc_load(ctx, &IDENTITY_POOL, (*out)->pool_id, NULL, pool) != 0) {
        store_identity_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int identity_new(struct op_ctx *ctx, const char *pool_id, bool authenticated,
                 struct store_identity **out)
{
    struct store_identity *i = calloc(1, sizeof(*i));
    const char *colon = strchr(pool_id, ':');
    char region[IDS_MAX], id[IDS_MAX];
    int st = STORE_EXISTS;

    *out = NULL;
    if (i == NULL)
        return ops_fail_internal(ctx, "out of memory");
    snprintf(region, sizeof(region), "%.*s", colon ? (int)(colon - pool_id) : 0, pool_id);
    i->pool_id = (char *)pool_id;
    i->authenticated = authenticated;
    i->created_ms = i->modified_ms = ctx->now_ms;
    /* A uuid collision is not going to happen; retry anyway rather than answer an error. */
    for (int attempt = 0; attempt < 3 && st == STORE_EXISTS; attempt++) {
        ids_region_uuid(id, region);
        i->id = id;
        st = store_identity_insert(ctx->db, i);
    }
    i->id = NULL;
    i->pool_id = NULL;
    if (st == STORE_OK && (i->id = strdup(id)) != NULL && (i->pool_id = strdup(pool_id)) != NULL) {
        *out = i;
        return 0;
    }
    store_identity_free(i);
    if (st == STORE_NOT_FOUND)
        return ops_fail_not_found(ctx, &IDENTITY_POOL, pool_id);
    return ops_fail_internal(ctx, "could not store the identity");
}

int identity_save(struct op_ctx *ctx, struct store_identity *i)
{
    i->modified_ms = ctx->now_ms;
    return store_identity_update(ctx->db, i) == STORE_OK
               ? 0
               : ops_fail_internal(ctx, "could not update the identity");
}

int identity_links_read(struct op_ctx *ctx, int64_t seq, struct store_login_list *list)
{
    return store_login_list(ctx->db, seq, list) == STORE_OK
               ? 0
               : ops_fail_internal(ctx, "could not read the identity's logins");
}

/* Whether list has a public (non-developer) login of provider for another subject. */
static bool has_other_user_of(const struct store_login_list *list, const char *provider,
                              const char *subject)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct store_login *l = list->logins[i];
        if (!l->developer && strcmp(l->provider, provider) == 0 && strcmp(l->subject, subject) != 0)
            return true;
    }
    return false;
}

bool identity_links_conflict(const struct store_login_list *a, const struct store_login_list *b)
{
    for (size_t i = 0; i < a->count; i++)
        if (!a->logins[i]->developer &&
            has_other_user_of(b, a->logins[i]->provider, a->logins[i]->subject))
            return true;
    return false;
}

/* Write the link of a checked user-pool login to identity seq (new, or refreshed). */
static int link_login(struct op_ctx *ctx, const char *pool_id, int64_t seq,
                      const struct identity_login *l)
{
    struct store_login row = {
        .pool_id = (char *)pool_id,
        .provider = l->provider,
        .subject = l->subject,
        .identity_seq = seq,
        .user_pool_id = l->user_pool_id,
        .username = l->username,
        .created_ms = ctx->now_ms,
        .used_ms = ctx->now_ms,
    };

    return store_login_put(ctx->db, &row) == STORE_OK
               ? 0
               : ops_fail_internal(ctx, "could not link the login");
}

/*
 * Merge identity *ident into other, which holds a login just presented: every login of
 * *ident moves to other, *ident is disabled, and *ident becomes other. NotAuthorizedException
 * when both hold different users of one provider.
 */
static int merge_into(struct op_ctx *ctx, struct store_identity **ident, const char *other_id)
{
    struct store_identity *other = NULL;
    struct store_login_list mine = {0}, theirs = {0};
    int rc = -1;

    if (identity_load(ctx, other_id, &other) != 0 ||
        identity_links_read(ctx, (*ident)->seq, &mine) != 0 ||
        identity_links_read(ctx, other->seq, &theirs) != 0)
        goto out;
    if (identity_links_conflict(&mine, &theirs)) {
        identity_not_authorized(ctx, IDENTITY_LOGINS_DONT_MATCH);
        goto out;
    }
    if (store_login_move(ctx->db, (*ident)->seq, other->seq) != STORE_OK) {
        ops_fail_internal(ctx, "could not merge the identities");
        goto out;
    }
    (*ident)->disabled = 1;
    other->authenticated = 1;
    if (identity_save(ctx, *ident) != 0 || identity_save(ctx, other) != 0)
        goto out;
    store_identity_free(*ident);
    *ident = other;
    other = NULL;
    rc = 0;
out:
    store_identity_free(other);
    store_login_list_free(&mine);
    store_login_list_free(&theirs);
    return rc;
}

int identity_apply_logins(struct op_ctx *ctx, struct store_identity **ident,
                          const struct identity_logins *logins)
{
    for (size_t i = 0; i < logins->count; i++) {
        const struct identity_login *l = &logins->items[i];
        struct store_login *owner = NULL;
        int st;

        if (l->kind == IDENTITY_LOGIN_OPENID) {
            if (strcmp(l->subject, (*ident)->id) != 0)
                return identity_not_authorized(ctx, IDENTITY_LOGINS_DONT_MATCH);
            continue;
        }
        st = store_login_get(ctx->db, (*ident)->pool_id, l->provider, l->subject, &owner);
        if (st == STORE_ERROR)
            return ops_fail_internal(ctx, "could not read the login");
        if (st == STORE_OK && owner->identity_seq != (*ident)->seq) {
            st = merge_into(ctx, ident, owner->identity_id);
            store_login_free(owner);
            if (st != 0)
                return -1;
        } else if (st == STORE_NOT_FOUND) {
            struct store_login_list mine = {0};
            bool taken;
            if (identity_links_read(ctx, (*ident)->seq, &mine) != 0)
                return -1;
            taken = has_other_user_of(&mine, l->provider, l->subject);
            store_login_list_free(&mine);
            if (taken)
                return cog_err_set(&ctx->err, COG_E_RESOURCE_CONFLICT,
                                   "Identity '%.64s' is already linked to another login of "
                                   "%.128s; only one login per provider can be linked.",
                                   (*ident)->id, l->provider);
            if (!(*ident)->authenticated) {
                (*ident)->authenticated = 1;
                if (identity_save(ctx, *ident) != 0)
                    return -1;
            }
        } else {
            store_login_free(owner);
        }
        if (link_login(ctx, (*ident)->pool_id, (*ident)->seq, l) != 0)
            return -1;
    }
    return 0;
}

int identity_after_unlink(struct op_ctx *ctx, struct store_identity *ident)
{
    struct store_login_list left = {0};

    if (identity_links_read(ctx, ident->seq, &left) != 0)
        return -1;
    if (left.count == 0)
        ident->disabled = 1;
    store_login_list_free(&left);
    return identity_save(ctx, ident);
}
