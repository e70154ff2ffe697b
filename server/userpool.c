/*
 * userpool: the rules of a user pool shared by the user and sign-in operations. See userpool.h.
 *
 * What a stored pool document means here (pool_defaults.h describes the documents):
 *   - UsernameConfiguration.CaseSensitive false: usernames, and the email and preferred_username
 *     aliases, are folded to lower case; absent means case-sensitive, the API's default
 *     (developer guide, user-pool-case-sensitivity).
 *   - UsernameAttributes: users are named by a generated UUID and found by their email or
 *     phone_number, whether verified or not; AliasAttributes: users are also found by a verified
 *     email / phone_number or by their preferred_username. Both are kept as rows of the store's
 *     alias table (the operations that create and confirm users write them), so that finding
 *     a user by any of its names is one indexed lookup.
 * Sources for error messages are cited where they are used; ../shared/cognito-facts.md has
 * the common ones.
 */
#include "config.h"

#include "userpool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "ops_common.h"
#include "password.h"
#include "secrets.h"
#include "srp.h"

/* App clients found by id alone, or by id within their pool. */
static const struct ops_doc_type CLIENT = {
    .kind = STORE_USER_POOL_CLIENT,
    .noun = "app client",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "User pool client %s does not exist.",
    .parent = &OPS_USER_POOL,
};

int userpool_load(struct op_ctx *ctx, const char *pool_id, cJSON **pool)
{
    return ops_doc_load(ctx, &OPS_USER_POOL, pool_id, NULL, pool);
}

int userpool_load_client(struct op_ctx *ctx, const char *client_id, cJSON **client, cJSON **pool)
{
    *pool = NULL;
    if (ops_doc_load(ctx, &CLIENT, client_id, NULL, client) != 0)
        return -1;
    if (userpool_load(ctx, json_str(*client, "UserPoolId"), pool) != 0) {
        cJSON_Delete(*client);
        *client = NULL;
        return -1;
    }
    return 0;
}

int userpool_load_pool_client(struct op_ctx *ctx, const char *pool_id, const char *client_id,
                              cJSON **client, cJSON **pool)
{
    *client = NULL;
    if (userpool_load(ctx, pool_id, pool) != 0)
        return -1;
    if (ops_doc_load(ctx, &CLIENT, client_id, pool_id, client) != 0) {
        cJSON_Delete(*pool);
        *pool = NULL;
        return -1;
    }
    return 0;
}

/* Whether the pool folds usernames to lower case (UsernameConfiguration.CaseSensitive false). */
static bool case_insensitive(const cJSON *pool)
{
    return !json_bool(json_get(pool, "UsernameConfiguration"), "CaseSensitive", true);
}

/*
 * ASCII folding only: Cognito's folding of other scripts is not documented, and a byte-wise
 * fold cannot break UTF-8.
 */
char *userpool_username_key(const cJSON *pool, const char *username)
{
    char *key = strdup(username ? username : "");

    if (key != NULL && case_insensitive(pool))
        for (char *p = key; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    return key;
}

/* Whether the string array member name of obj holds value. */
static bool list_has(const cJSON *obj, const char *name, const char *value)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, json_get(obj, name))
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, value) == 0)
            return true;
    }
    return false;
}

/* Map a store status of a user lookup to the contract of userpool_find_user(). */
static int lookup_status(struct op_ctx *ctx, int st)
{
    if (st == STORE_ERROR)
        ops_fail_internal(ctx, "reading a user");
    return st;
}

/*
 * The username first; then the pool's sign-in attributes, each an alias row; then the sub,
 * which every Username parameter also accepts ("If username isn't an alias attribute in your
 * user pool, this value must be the sub of a local user", AdminGetUser API reference).
 */
int userpool_find_user(struct op_ctx *ctx, const cJSON *pool, const char *name,
                       struct store_user **out)
{
    static const char *const SIGN_IN[] = {"email", "phone_number", "preferred_username"};
    const char *pool_id = json_str(pool, "Id");
    char *key = userpool_username_key(pool, name);
    int st;

    *out = NULL;
    if (key == NULL)
        return lookup_status(ctx, STORE_ERROR);
    st = store_user_get(ctx->db, pool_id, key, out);
    for (size_t i = 0; st == STORE_NOT_FOUND && i < sizeof(SIGN_IN) / sizeof(SIGN_IN[0]); i++)
        if (list_has(pool, "UsernameAttributes", SIGN_IN[i]) ||
            list_has(pool, "AliasAttributes", SIGN_IN[i]))
            st = store_user_get_by_alias(ctx->db, pool_id, SIGN_IN[i], key, out);
    if (st == STORE_NOT_FOUND)
        st = store_user_get_by_sub(ctx->db, pool_id, name, out);
    free(key);
    return lookup_status(ctx, st);
}

/*
 * Real Cognito's words: "Client <id> is configured for secret but secret was not received"
 * (the AWS knowledge-center article on SECRET_HASH, and several captured responses) and
 * "Unable to verify secret hash for client <id>" (../shared/cognito-facts.md).
 */
int userpool_check_secret_hash(struct op_ctx *ctx, const cJSON *client, const char *username,
                               const char *secret_hash)
{
    const char *secret = json_str(client, "ClientSecret");
    const char *id = json_str(client, "ClientId");

    if (secret == NULL)
        return 0;
    if (secret_hash == NULL)
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "Client %s is configured for secret but secret was not received", id);
    if (!secrets_secret_hash_ok(secret, username ? username : "", id, secret_hash))
        return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED,
                           "Unable to verify secret hash for client %s", id);
    return 0;
}

/* One AuthFlowType: the ExplicitAuthFlows names that allow it and the refusal's wording. */
static const struct auth_flow {
    const char *flow;
    const char *allow;  /* the ALLOW_ name */
    const char *legacy; /* the legacy name that allows it, or NULL */
    bool legacy_always; /* a client with legacy names always allows it */
    const char *refusal;
} AUTH_FLOWS[] = {
    /* Real Cognito's words ("USER_SRP_AUTH is not enabled for the client.", "USER_PASSWORD_AUTH
     * flow not enabled for this client", "Auth flow not enabled for this client" for the
     * admin flow: captured responses in many application codebases); the wording for the
     * other flows is assumed to be the generic one. */
    {"USER_SRP_AUTH", "ALLOW_USER_SRP_AUTH", NULL, true,
     "USER_SRP_AUTH is not enabled for the client."},
    {"USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH", false,
     "USER_PASSWORD_AUTH flow not enabled for this client"},
    {"ADMIN_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", false,
     "Auth flow not enabled for this client"},
    {"ADMIN_NO_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", false,
     "Auth flow not enabled for this client"},
    {"CUSTOM_AUTH", "ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY", true,
     "Auth flow not enabled for this client"},
    {"REFRESH_TOKEN_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", NULL, true,
     "Auth flow not enabled for this client"},
    {"REFRESH_TOKEN", "ALLOW_REFRESH_TOKEN_AUTH", NULL, true,
     "Auth flow not enabled for this client"},
    {"USER_AUTH", "ALLOW_USER_AUTH", NULL, false, "Auth flow not enabled for this client"},
};

/*
 * ExplicitAuthFlows absent: ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH and ALLOW_REFRESH_TOKEN_AUTH
 * (pool_defaults.h). A client with the legacy names (ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY,
 * USER_PASSWORD_AUTH) keeps the legacy meaning: SRP, custom and refresh are always allowed,
 * except that CUSTOM_AUTH_FLOW_ONLY allows custom and refresh alone (CreateUserPoolClient API
 * reference, ExplicitAuthFlows).
 */
int userpool_check_auth_flow(struct op_ctx *ctx, const cJSON *client, const char *flow)
{
    static const char *const DEFAULTS[] = {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH",
                                           "ALLOW_REFRESH_TOKEN_AUTH"};
    const cJSON *flows = json_get(client, "ExplicitAuthFlows"), *item;
    const struct auth_flow *f = NULL;
    bool legacy = false;

    for (size_t i = 0; i < sizeof(AUTH_FLOWS) / sizeof(AUTH_FLOWS[0]); i++)
        if (flow != NULL && strcmp(AUTH_FLOWS[i].flow, flow) == 0)
            f = &AUTH_FLOWS[i];
    if (f == NULL)
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                           "Initiate Auth method not supported.");
    if (flows == NULL) {
        for (size_t i = 0; i < sizeof(DEFAULTS) / sizeof(DEFAULTS[0]); i++)
            if (strcmp(DEFAULTS[i], f->allow) == 0)
                return 0;
        return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s", f->refusal);
    }
    cJSON_ArrayForEach(item, flows)
    {
        if (!cJSON_IsString(item))
            continue;
        if (strcmp(item->valuestring, f->allow) == 0 ||
            (f->legacy != NULL && strcmp(item->valuestring, f->legacy) == 0))
            return 0;
        if (strncmp(item->valuestring, "ALLOW_", 6) != 0)
            legacy = true;
    }
    if (legacy && f->legacy_always &&
        !(list_has(client, "ExplicitAuthFlows", "CUSTOM_AUTH_FLOW_ONLY") &&
          strcmp(f->flow, "USER_SRP_AUTH") == 0))
        return 0;
    return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER, "%s", f->refusal);
}

/*
 * The verifier is made with the stored username as USER_ID_FOR_SRP, which is what the SRP
 * challenge hands the client (../shared/cognito-facts.md 2.3), so u->username and u->pool_id
 * must be final before the password is set.
 */
int userpool_set_password(struct op_ctx *ctx, const cJSON *pool, struct store_user *u,
                          const char *password)
{
    const cJSON *policy = json_get(json_get(pool, "Policies"), "PasswordPolicy");
    char message[256];
    char *salt = NULL, *verifier = NULL;

    if (password_check(policy, password, message, sizeof(message)) != 0)
        return cog_err_set(&ctx->err, COG_E_INVALID_PASSWORD, "%s", message);
    if (srp_make_verifier(srp_pool_name(u->pool_id), u->username, password, &salt, &verifier) != 0)
        return ops_fail_internal(ctx, "making a password verifier");
    free(u->srp_salt);
    free(u->srp_verifier);
    u->srp_salt = salt;
    u->srp_verifier = verifier;
    return 0;
}

int userpool_password_matches(const cJSON *pool, const struct store_user *u, const char *password)
{
    (void)pool;
    if (u->srp_salt == NULL || u->srp_verifier == NULL || password == NULL)
        return 0;
    return srp_check_password(srp_pool_name(u->pool_id), u->username, password, u->srp_salt,
                              u->srp_verifier);
}

cJSON *userpool_attributes(const struct store_user *u)
{
    cJSON *attrs = cJSON_Parse(u->attributes ? u->attributes : "{}");

    if (attrs != NULL && !cJSON_IsObject(attrs)) {
        cJSON_Delete(attrs);
        attrs = cJSON_CreateObject();
    }
    return attrs;
}

/* Whether client (may be NULL) lets its users read attribute name. */
static bool readable(const cJSON *client, const char *name)
{
    const cJSON *read = json_get(client, "ReadAttributes");

    /* "sub" is always returned: it identifies the user (moto's GetUser test with a client
     * whose ReadAttributes omit it expects it too). */
    return read == NULL || strcmp(name, "sub") == 0 || list_has(client, "ReadAttributes", name);
}

cJSON *userpool_attribute_list(const struct store_user *u, const cJSON *client)
{
    cJSON *attrs = userpool_attributes(u), *list = cJSON_CreateArray();
    const cJSON *attr;

    if (attrs == NULL || list == NULL)
        goto fail;
    cJSON_ArrayForEach(attr, attrs)
    {
        cJSON *pair;
        if (!cJSON_IsString(attr) || !readable(client, attr->string))
            continue;
        if ((pair = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(list, pair) ||
            json_set_str(pair, "Name", attr->string) != 0 ||
            json_set_str(pair, "Value", attr->valuestring) != 0)
            goto fail;
    }
    cJSON_Delete(attrs);
    return list;
fail:
    cJSON_Delete(attrs);
    cJSON_Delete(list);
    return NULL;
}
