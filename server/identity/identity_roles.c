/*
 * identity_roles: the role an authenticated identity is given (GetCredentialsForIdentity), and
 * the pool's roles (SetIdentityPoolRoles, GetIdentityPoolRoles, kept as members "Roles" and
 * "RoleMappings" of the pool document), following the developer guide
 * (role-based-access-control.md):
 * - for an authenticated identity, the RoleMappings entry of its provider and app client
 *   ("<provider>:<client id>") of Type Token (CustomRoleArn, if given, must be in
 *   cognito:roles; then cognito:preferred_role) or Rules (first match, in order; CustomRoleArn
 *   picks among the matches); what is still undecided follows AmbiguousRoleResolution:
 *   AuthenticatedRole, or Deny: NotAuthorizedException "The ambiguous role mapping rules
 *   denied this request." (aws-amplify/amplify-js#8644). Without a mapping the pool's
 *   authenticated role. No role to give: InvalidIdentityPoolConfigurationException "Invalid
 *   identity pool configuration. Check assigned IAM roles for this pool." (aws-sdk-js#1615,
 *   aws-amplify/amplify-swift#3124 headers).
 */
#include "config.h"

#include "identity/identity.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonutil.h"

static const char AMBIGUOUS_DENIED[] = "The ambiguous role mapping rules denied this request.";

/* ---- Choosing the role ------------------------------------------------------------------ */

/* The first user-pool login of logins (the one whose provider chooses the role), or NULL. */
static const struct identity_login *primary_login(const struct identity_logins *logins)
{
    for (size_t i = 0; i < logins->count; i++)
        if (logins->items[i].kind == IDENTITY_LOGIN_USER_POOL)
            return &logins->items[i];
    return NULL;
}

/*
 * A claim value as the rules compare it: strings as they are, booleans as "true"/"false",
 * numbers in decimal. Into buf (n bytes); NULL for other types.
 */
static const char *claim_text(const cJSON *item, char *buf, size_t n)
{
    if (cJSON_IsString(item))
        return item->valuestring;
    if (cJSON_IsBool(item))
        return cJSON_IsTrue(item) ? "true" : "false";
    if (cJSON_IsNumber(item)) {
        if (item->valuedouble == (double)(long long)item->valuedouble)
            snprintf(buf, n, "%lld", (long long)item->valuedouble);
        else
            snprintf(buf, n, "%.17g", item->valuedouble);
        return buf;
    }
    return NULL;
}

static bool text_matches(const char *text, const char *type, const char *value)
{
    if (strcmp(type, "Equals") == 0 || strcmp(type, "NotEqual") == 0)
        return strcmp(text, value) == 0;
    if (strcmp(type, "Contains") == 0)
        return strstr(text, value) != NULL;
    if (strcmp(type, "StartsWith") == 0)
        return strncmp(text, value, strlen(value)) == 0;
    return false;
}

/*
 * Whether the claims match a MappingRule. A list claim (cognito:groups) matches when one of
 * its values does (NotEqual: when none equals the value). "If the match type is NotEqual and
 * the claim doesn't exist, the rule is not evaluated" (developer guide).
 */
static bool rule_matches(const cJSON *claims, const cJSON *rule)
{
    const cJSON *claim = json_get(claims, json_str(rule, "Claim"));
    const char *type = json_str(rule, "MatchType"), *value = json_str(rule, "Value");
    bool negate, any = false;
    char buf[64];

    if (claim == NULL || type == NULL || value == NULL)
        return false;
    negate = strcmp(type, "NotEqual") == 0;
    if (cJSON_IsArray(claim)) {
        const cJSON *item;
        cJSON_ArrayForEach(item, claim)
        {
            const char *text = claim_text(item, buf, sizeof(buf));
            if (text != NULL && text_matches(text, type, value))
                any = true;
        }
    } else {
        const char *text = claim_text(claim, buf, sizeof(buf));
        if (text == NULL)
            return false;
        any = text_matches(text, type, value);
    }
    return negate ? !any : any;
}

/*
 * Whether role is among the cognito:roles claim: a list of ARNs in real ID tokens, a
 * comma-separated string in the developer guide's description; both are accepted.
 */
static bool roles_claim_has(const cJSON *claim, const char *role)
{
    const cJSON *item;

    if (cJSON_IsString(claim)) {
        size_t n = strlen(role);
        for (const char *p = claim->valuestring; p != NULL && *p != '\0';) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            while (len > 0 && *p == ' ') {
                p++;
                len--;
            }
            if (len == n && strncmp(p, role, n) == 0)
                return true;
            p = end ? end + 1 : NULL;
        }
        return false;
    }
    cJSON_ArrayForEach(item, claim)
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, role) == 0)
            return true;
    }
    return false;
}

/* What AmbiguousRoleResolution of mapping says when the mapping decided nothing. */
static int resolve_ambiguous(struct op_ctx *ctx, const cJSON *mapping, const char *auth_role,
                             const char **role)
{
    const char *resolution = json_str(mapping, "AmbiguousRoleResolution");

    if (resolution != NULL && strcmp(resolution, "AuthenticatedRole") == 0) {
        if (auth_role == NULL)
            return cog_err_set(&ctx->err, COG_E_INVALID_IDENTITY_POOL_CONFIGURATION, "%s",
                               IDENTITY_BAD_CONFIGURATION);
        *role = auth_role;
        return 0;
    }
    return identity_not_authorized(ctx, AMBIGUOUS_DENIED);
}

int identity_choose_role(struct op_ctx *ctx, const cJSON *pool,
                         const struct identity_logins *logins, const char *custom,
                         const char **role)
{
    const char *auth_role = json_str(json_get(pool, "Roles"), "authenticated");
    const struct identity_login *l = primary_login(logins);
    const cJSON *mapping = NULL, *claims;
    const char *type;

    if (l != NULL) {
        size_t n = strlen(l->provider) + strlen(l->client_id) + 2;
        char *key = malloc(n);
        if (key == NULL)
            return ops_fail_internal(ctx, "out of memory");
        snprintf(key, n, "%s:%s", l->provider, l->client_id);
        mapping = json_get(json_get(pool, "RoleMappings"), key);
        free(key);
    }
    if (mapping == NULL) {
        if (auth_role == NULL)
            return cog_err_set(&ctx->err, COG_E_INVALID_IDENTITY_POOL_CONFIGURATION, "%s",
                               IDENTITY_BAD_CONFIGURATION);
        *role = auth_role;
        return 0;
    }
    claims = l->claims;
    type = json_str(mapping, "Type");
    if (type != NULL && strcmp(type, "Token") == 0) {
        const char *preferred = json_str(claims, "cognito:preferred_role");
        if (custom != NULL) {
            /* "If this parameter doesn't match a role in cognito:roles, deny access." */
            if (!roles_claim_has(json_get(claims, "cognito:roles"), custom))
                return identity_not_authorized(ctx, AMBIGUOUS_DENIED);
            *role = custom;
            return 0;
        }
        if (preferred != NULL) {
            *role = preferred;
            return 0;
        }
        return resolve_ambiguous(ctx, mapping, auth_role, role);
    }
    if (type != NULL && strcmp(type, "Rules") == 0) {
        const cJSON *rule;
        cJSON_ArrayForEach(rule, json_get(json_get(mapping, "RulesConfiguration"), "Rules"))
        {
            const char *arn = json_str(rule, "RoleARN");
            if (arn == NULL || !rule_matches(claims, rule))
                continue;
            if (custom == NULL || strcmp(custom, arn) == 0) {
                *role = arn;
                return 0;
            }
        }
        if (custom != NULL)
            return identity_not_authorized(ctx, AMBIGUOUS_DENIED);
        return resolve_ambiguous(ctx, mapping, auth_role, role);
    }
    return resolve_ambiguous(ctx, mapping, auth_role, role);
}

/* ---- SetIdentityPoolRoles, GetIdentityPoolRoles ---------------------------------------- */

/*
 * Check the RoleMappings of a SetIdentityPoolRoles request against pool. Unknown keys are
 * InvalidParameterException in Cognito's words ("(<key>) is not a valid RoleMapping
 * ProviderName or is not a configured provider.", captured in aws/aws-cdk#7670 and CDK apps);
 * the required members of each mapping in our words.
 */
static int check_role_mappings(struct op_ctx *ctx, const cJSON *pool, const cJSON *mappings)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, mappings)
    {
        const char *type = json_str(m, "Type");
        if (!identity_role_mapping_key_ok(pool, m->string))
            return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                               "(%.128s) is not a valid RoleMapping ProviderName or is not a "
                               "configured provider.",
                               m->string);
        if (json_str(m, "AmbiguousRoleResolution") == NULL)
            return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                               "AmbiguousRoleResolution is required for the RoleMapping of "
                               "%.128s.",
                               m->string);
        if (type != NULL && strcmp(type, "Rules") == 0 && json_get(m, "RulesConfiguration") == NULL)
            return cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                               "RulesConfiguration is required for the Rules RoleMapping of "
                               "%.128s.",
                               m->string);
    }
    return 0;
}

/*
 * SetIdentityPoolRoles: replace the pool's Roles and RoleMappings (left out: none), kept in
 * the pool document. Answers nothing.
 */
int op_set_identity_pool_roles(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    const cJSON *roles = json_get(ctx->in, "Roles"), *mappings = json_get(ctx->in, "RoleMappings");
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (ops_doc_load(ctx, &IDENTITY_POOL, pool_id, NULL, &pool) != 0 ||
        check_role_mappings(ctx, pool, mappings) != 0)
        goto end;
    cJSON_DeleteItemFromObjectCaseSensitive(pool, "Roles");
    cJSON_DeleteItemFromObjectCaseSensitive(pool, "RoleMappings");
    if ((roles != NULL && roles->child != NULL &&
         json_set_item(pool, "Roles", cJSON_Duplicate(roles, 1)) != 0) ||
        (mappings != NULL && mappings->child != NULL &&
         json_set_item(pool, "RoleMappings", cJSON_Duplicate(mappings, 1)) != 0)) {
        ops_fail_internal(ctx, "out of memory");
        goto end;
    }
    if (ops_doc_save(ctx, &IDENTITY_POOL, pool_id, NULL, pool, false) == STORE_OK)
        rc = 0;
end:
    rc = ops_txn_end(ctx, rc);
    cJSON_Delete(pool);
    return rc;
}

/* GetIdentityPoolRoles: IdentityPoolId, and Roles and RoleMappings when the pool has them. */
int op_get_identity_pool_roles(struct op_ctx *ctx)
{
    static const char *const members[] = {"IdentityPoolId", "Roles", "RoleMappings", NULL};
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_doc_load(ctx, &IDENTITY_POOL, json_str(ctx->in, "IdentityPoolId"), NULL, &pool) != 0)
        return -1;
    if (ops_copy_members(ctx->out, pool, members) == 0)
        rc = 0;
    else
        ops_fail_internal(ctx, "out of memory");
    cJSON_Delete(pool);
    return rc;
}
