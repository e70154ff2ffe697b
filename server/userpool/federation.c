/*
 * federation: an external identity becomes (or finds) a user of the pool. See federation.h.
 *
 * Unverified points, chosen here and pinned by tests/check_federation.c:
 *   - the wording of a missing required attribute ("<name>: The attribute is required") and
 *     of an identity without its subject claim; the automatic group's Description;
 *   - a linked destination user keeps its own attributes (the mapping is not applied to it)
 *     and gets the identity in "identities" with primary "false";
 *   - a federated user's email or phone number is not an alias (no sign-in by it, no
 *     conflict with a native user holding the same address).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ops_common.h"
#include "triggers/triggers.h"
#include "userpool/account.h"
#include "userpool/federation.h"
#include "userpool/pool.h"
#include "userpool/user.h"
#include "util/ids.h"
#include "util/jsonutil.h"

bool federation_is_social(const char *type)
{
    static const char *const SOCIAL[] = {"Google", "Facebook", "LoginWithAmazon",
                                         "SignInWithApple"};

    for (size_t i = 0; type != NULL && i < sizeof(SOCIAL) / sizeof(SOCIAL[0]); i++)
        if (strcmp(type, SOCIAL[i]) == 0)
            return true;
    return false;
}

const char *federation_subject_claim(const cJSON *provider)
{
    const char *mapped = json_str(json_get(provider, "AttributeMapping"), "username");
    const char *type = json_str_or(provider, "ProviderType", "");

    if (mapped != NULL)
        return mapped;
    if (strcmp(type, "Facebook") == 0)
        return "id";
    if (strcmp(type, "LoginWithAmazon") == 0)
        return "user_id";
    return strcmp(type, "SAML") == 0 ? "NameID" : "sub";
}

/* A claim's value as an attribute value: strings as they are, other values as JSON. New
 * string (free()), or NULL when claim is NULL, null, or out of memory. */
static char *claim_text(const cJSON *claim)
{
    if (claim == NULL || cJSON_IsNull(claim))
        return NULL;
    if (cJSON_IsString(claim))
        return strdup(claim->valuestring);
    if (cJSON_IsBool(claim))
        return strdup(cJSON_IsTrue(claim) ? "true" : "false");
    return cJSON_PrintUnformatted(claim);
}

/* Append "<name>: <why>\n" to the "Invalid user attributes: " message being built in msg. */
static void add_problem(char *msg, size_t n, const char *name, const char *why)
{
    size_t len = strlen(msg);

    if (len == 0)
        len = (size_t)snprintf(msg, n, "Invalid user attributes: ");
    if (len < n)
        snprintf(msg + len, n - len, "%s: %s\n", name, why);
}

/*
 * The pool attributes provider's AttributeMapping makes of claims (a new object name ->
 * string in *out), required ones checked when creating. 0, or -1 with ctx->err set
 * (InvalidParameterException "Invalid user attributes: ...").
 */
static int map_attributes(struct op_ctx *ctx, const cJSON *pool, const cJSON *provider,
                          const cJSON *claims, bool creating, cJSON **out)
{
    char msg[sizeof(ctx->err.message)] = "";
    const cJSON *pair, *entry;
    cJSON *attrs = cJSON_CreateObject();

    cJSON_ArrayForEach(pair, json_get(provider, "AttributeMapping"))
    {
        char *value;
        if (strcmp(pair->string, "username") == 0 || !cJSON_IsString(pair))
            continue;
        if (pool_schema_entry(pool, pair->string) == NULL) {
            add_problem(msg, sizeof(msg), pair->string, "Attribute does not exist in the schema.");
            continue;
        }
        value = claim_text(json_get(claims, pair->valuestring));
        if (value != NULL && attrs != NULL && json_set_str(attrs, pair->string, value) != 0)
            cJSON_Delete(attrs), attrs = NULL;
        free(value);
    }
    cJSON_ArrayForEach(entry, json_get(pool, "SchemaAttributes"))
    {
        const char *name = json_str_or(entry, "Name", "sub");
        if (creating && strcmp(name, "sub") != 0 && json_bool(entry, "Required", false) &&
            json_str_or(attrs, name, "")[0] == '\0')
            add_problem(msg, sizeof(msg), name, "The attribute is required");
    }
    *out = NULL;
    if (attrs == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (msg[0] != '\0') {
        cJSON_Delete(attrs);
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s", msg);
    }
    *out = attrs;
    return 0;
}

/* The issuer an "identities" entry names: null for the social providers, the issuer URL of
 * an OIDC provider, the entity id of a SAML provider's metadata. A new item, NULL on OOM. */
static cJSON *identity_issuer(const cJSON *provider)
{
    const cJSON *details = json_get(provider, "ProviderDetails");
    const char *type = json_str_or(provider, "ProviderType", "");
    const char *meta = json_str(details, "MetadataFile"), *from, *to;

    if (strcmp(type, "OIDC") == 0 && json_str(details, "oidc_issuer") != NULL)
        return cJSON_CreateString(json_str(details, "oidc_issuer"));
    if (strcmp(type, "SAML") == 0 && meta != NULL && (from = strstr(meta, "entityID=\"")) &&
        (to = strchr(from += 10, '"')) != NULL) {
        cJSON *s = cJSON_CreateString("");
        char *copy = strndup(from, (size_t)(to - from));
        if (s != NULL && copy != NULL && cJSON_SetValuestring(s, copy) != NULL) {
            free(copy);
            return s;
        }
        free(copy);
        cJSON_Delete(s);
        return NULL;
    }
    if (strcmp(type, "SAML") == 0)
        return cJSON_CreateString(json_str_or(details, "MetadataURL", ""));
    return cJSON_CreateNull();
}

/*
 * Add the identity id of provider to the "identities" attribute of attrs (a JSON array in a
 * string, as Cognito keeps it) unless it is there: primary "true" for the identity's own
 * user, "false" for a linked one; dateCreated is now_ms as a string. 0, or -1 (OOM).
 */
static int add_identity(cJSON *attrs, const cJSON *provider, const char *id, bool primary,
                        int64_t now_ms)
{
    const char *name = json_str_or(provider, "ProviderName", "");
    cJSON *list = cJSON_Parse(json_str_or(attrs, "identities", "[]")), *entry, *it;
    char date[24];
    char *text;
    int rc;

    if (!cJSON_IsArray(list))
        cJSON_Delete(list), list = cJSON_CreateArray();
    cJSON_ArrayForEach(it, list)
    {
        if (strcmp(json_str_or(it, "providerName", ""), name) == 0 &&
            strcmp(json_str_or(it, "userId", ""), id) == 0) {
            cJSON_Delete(list);
            return 0;
        }
    }
    snprintf(date, sizeof(date), "%lld", (long long)now_ms);
    if (list == NULL || (entry = cJSON_CreateObject()) == NULL ||
        !cJSON_AddItemToArray(list, entry) || json_set_str(entry, "userId", id) != 0 ||
        json_set_str(entry, "providerName", name) != 0 ||
        json_set_str(entry, "providerType", json_str_or(provider, "ProviderType", "")) != 0 ||
        json_set_item(entry, "issuer", identity_issuer(provider)) != 0 ||
        json_set_str(entry, "primary", primary ? "true" : "false") != 0 ||
        json_set_str(entry, "dateCreated", date) != 0 ||
        (text = cJSON_PrintUnformatted(list)) == NULL) {
        cJSON_Delete(list);
        return -1;
    }
    rc = json_set_str(attrs, "identities", text);
    free(text);
    cJSON_Delete(list);
    return rc;
}

/* ---- Finding the user ------------------------------------------------------------------- */

/*
 * The user an AdminLinkProviderForUser link of the identity (id, or a mapped attribute's
 * value) names: STORE_OK with *seq, STORE_NOT_FOUND, or STORE_ERROR.
 */
static int find_link(struct op_ctx *ctx, const char *pool_id, const char *name, const char *id,
                     const cJSON *mapped, int64_t *seq)
{
    const cJSON *attr;
    int st = store_link_get(ctx->db, pool_id, name, FEDERATION_SUBJECT, id, seq);

    cJSON_ArrayForEach(attr, mapped)
    {
        if (st != STORE_NOT_FOUND)
            break;
        st = store_link_get(ctx->db, pool_id, name, attr->string, attr->valuestring, seq);
    }
    return st;
}

/* The automatic group "<poolId>_<ProviderName>" (made when missing) gets user seq. */
static int join_provider_group(struct op_ctx *ctx, const char *pool_id, const char *name,
                               int64_t seq)
{
    char group[256], desc[160];
    struct store_group *g = NULL;
    int st;

    snprintf(group, sizeof(group), "%s_%s", pool_id, name);
    if ((st = store_group_get(ctx->db, pool_id, group, &g)) == STORE_NOT_FOUND) {
        struct store_group fresh = {.pool_id = (char *)pool_id, .name = group};
        snprintf(desc, sizeof(desc), "Autogenerated group for users who sign in using %s", name);
        fresh.description = desc;
        fresh.created_ms = fresh.modified_ms = ctx->now_ms;
        st = store_group_insert(ctx->db, &fresh);
        if (st == STORE_OK)
            st = store_group_add_member(ctx->db, fresh.seq, seq);
    } else if (st == STORE_OK) {
        st = store_group_add_member(ctx->db, g->seq, seq);
    }
    store_group_free(g);
    return st == STORE_OK ? 0 : ops_fail_internal(ctx, "joining the provider's group");
}

/* Replace u's attributes with attrs (serialized). 0, or -1 with ctx->err set. */
static int set_attributes(struct op_ctx *ctx, struct store_user *u, const cJSON *attrs)
{
    char *text = cJSON_PrintUnformatted(attrs);

    if (text == NULL)
        return ops_fail_internal(ctx, "out of memory");
    free(u->attributes);
    u->attributes = text;
    return 0;
}

/* A linked user: the identity joins its "identities"; nothing else of it changes. */
static int sign_in_linked(struct op_ctx *ctx, const cJSON *provider, const char *id, int64_t seq,
                          struct store_user **out)
{
    cJSON *attrs = NULL;
    int rc = -1;

    if (store_user_get_by_seq(ctx->db, seq, out) != STORE_OK)
        return ops_fail_internal(ctx, "reading a linked user");
    if ((attrs = user_attributes(*out)) == NULL ||
        add_identity(attrs, provider, id, false, ctx->now_ms) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
    else if (set_attributes(ctx, *out, attrs) == 0)
        rc = user_save(ctx, *out);
    cJSON_Delete(attrs);
    return rc;
}

int federation_add_identity(struct op_ctx *ctx, const cJSON *provider, const char *id,
                            int64_t user_seq)
{
    struct store_user *u = NULL;
    int rc = sign_in_linked(ctx, provider, id, user_seq, &u);

    store_user_free(u);
    return rc;
}

/* A returning federated user: the mapped mutable attributes are written again. */
static int sign_in_again(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                         const cJSON *mapped)
{
    cJSON *attrs = user_attributes(u);
    const cJSON *a;
    int rc = -1;

    cJSON_ArrayForEach(a, mapped)
    {
        if (attrs != NULL && json_bool(pool_schema_entry(pool, a->string), "Mutable", true) &&
            json_set_str(attrs, a->string, a->valuestring) != 0)
            cJSON_Delete(attrs), attrs = NULL;
    }
    if (attrs == NULL)
        return ops_fail_internal(ctx, "out of memory");
    if (set_attributes(ctx, u, attrs) == 0)
        rc = user_save(ctx, u);
    cJSON_Delete(attrs);
    return rc;
}

/* The new federated user username (key) with attrs (mapped + pre sign-up's verifications). */
static int create_user(struct op_ctx *ctx, const cJSON *pool, const cJSON *provider, const char *id,
                       const char *key, cJSON *attrs, struct store_user **out)
{
    char sub[IDS_UUID_LEN + 1];
    struct store_user *u = calloc(1, sizeof(*u));
    int st;

    ids_uuid(sub);
    if (u == NULL || json_set_str(attrs, "sub", sub) != 0 ||
        add_identity(attrs, provider, id, true, ctx->now_ms) != 0 ||
        (u->attributes = cJSON_PrintUnformatted(attrs)) == NULL ||
        (u->pool_id = strdup(json_str(pool, "Id"))) == NULL ||
        (u->username = strdup(key)) == NULL || (u->username_key = strdup(key)) == NULL ||
        (u->sub = strdup(sub)) == NULL || (u->status = strdup("EXTERNAL_PROVIDER")) == NULL) {
        store_user_free(u);
        return ops_fail_internal(ctx, "out of memory");
    }
    u->enabled = 1;
    u->created_ms = u->modified_ms = ctx->now_ms;
    /* Not user_insert(): a federated user's addresses are not aliases (file comment). */
    if ((st = store_user_insert(ctx->db, u)) != STORE_OK) {
        store_user_free(u);
        return ops_fail_internal(ctx, "storing a federated user");
    }
    *out = u;
    return 0;
}

/* ---- Triggers (outside the transaction) -------------------------------------------------- */

/* PreSignUp_ExternalProvider for the user about to be made; its verifications go into attrs. */
static int pre_sign_up(struct op_ctx *ctx, const cJSON *pool, const char *client_id,
                       const char *username, cJSON *attrs)
{
    struct trigger_caller caller = triggers_caller(pool, client_id, username, attrs);
    struct trigger_sign_up d;

    if (triggers_pre_sign_up(ctx, &caller, "PreSignUp_ExternalProvider", NULL, &d) != 0)
        return -1;
    if ((d.auto_verify_email && json_set_str(attrs, "email_verified", "true") != 0) ||
        (d.auto_verify_phone && json_set_str(attrs, "phone_number_verified", "true") != 0))
        return ops_fail_internal(ctx, "out of memory");
    return 0;
}

/* ---- Sign-in ------------------------------------------------------------------------------ */

/* What one sign-in works with. */
struct fed {
    const cJSON *pool, *provider;
    const char *pool_id, *name, *client_id;
    char *id;      /* the identity's subject */
    char *key;     /* the username "<ProviderName>_<id>" as stored */
    cJSON *mapped; /* the mapped attributes */
};

/* Inside the transaction: the linked, returning or new user into *out. */
static int sign_in_locked(struct op_ctx *ctx, struct fed *f, bool *created, struct store_user **out)
{
    int64_t seq;
    int st = find_link(ctx, f->pool_id, f->name, f->id, f->mapped, &seq);

    if (st == STORE_OK)
        return sign_in_linked(ctx, f->provider, f->id, seq, out);
    if (st != STORE_NOT_FOUND)
        return ops_fail_internal(ctx, "reading links");
    st = store_user_get(ctx->db, f->pool_id, f->key, out);
    if (st == STORE_OK && sign_in_again(ctx, f->pool, *out, f->mapped) != 0)
        return -1;
    if (st == STORE_NOT_FOUND) {
        if (create_user(ctx, f->pool, f->provider, f->id, f->key, f->mapped, out) != 0)
            return -1;
        *created = true;
    } else if (st != STORE_OK) {
        return ops_fail_internal(ctx, "reading a user");
    }
    return join_provider_group(ctx, f->pool_id, f->name, (*out)->seq);
}

/* Fill f for provider and claims: the subject, the username, the mapped attributes. */
static int fed_init(struct op_ctx *ctx, struct fed *f, const cJSON *claims, bool *exists)
{
    char name_id[2048];
    struct store_user *u = NULL;
    int64_t seq;

    f->id = claim_text(json_get(claims, federation_subject_claim(f->provider)));
    if (f->id == NULL || f->id[0] == '\0')
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Invalid identity: the identity provider sent no %s.",
                           federation_subject_claim(f->provider));
    if ((size_t)snprintf(name_id, sizeof(name_id), "%s_%s", f->name, f->id) >= sizeof(name_id))
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "Invalid identity: too long.");
    if ((f->key = user_name_key(f->pool, name_id)) == NULL)
        return ops_fail_internal(ctx, "out of memory");
    /* A user exists already (own or linked): the required attributes are not asked again. */
    *exists =
        store_user_get(ctx->db, f->pool_id, f->key, &u) == STORE_OK ||
        store_link_get(ctx->db, f->pool_id, f->name, FEDERATION_SUBJECT, f->id, &seq) == STORE_OK;
    store_user_free(u);
    return map_attributes(ctx, f->pool, f->provider, claims, !*exists, &f->mapped);
}

int federation_sign_in(struct op_ctx *ctx, const cJSON *pool, const cJSON *provider,
                       const cJSON *claims, const char *client_id, struct store_user **out,
                       int64_t *auth_time)
{
    struct fed f = {.pool = pool, .provider = provider, .client_id = client_id};
    bool exists = false, created = false;
    int rc = -1;

    *out = NULL;
    f.pool_id = json_str_or(pool, "Id", "");
    f.name = json_str_or(provider, "ProviderName", "");
    if (fed_init(ctx, &f, claims, &exists) == 0 &&
        (exists || pre_sign_up(ctx, pool, client_id, f.key, f.mapped) == 0) &&
        ops_txn_begin(ctx) == 0) {
        rc = sign_in_locked(ctx, &f, &created, out);
        if (rc == 0 && !(*out)->enabled)
            rc = cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "User is disabled.");
        rc = ops_txn_end(ctx, rc);
    }
    if (rc == 0 && created)
        rc =
            account_post_confirmation(ctx, pool, client_id, *out, "PostConfirmation_ConfirmSignUp");
    if (rc != 0) {
        store_user_free(*out);
        *out = NULL;
    }
    *auth_time = ctx->now_ms / 1000;
    free(f.id);
    free(f.key);
    cJSON_Delete(f.mapped);
    return rc;
}
