/*
 * ops_identity: the identities of identity pools (cognito-identity): GetId, the credentials
 * and OpenID tokens they trade logins for, developer-authenticated identities, the identity
 * operations of an administrator, and the pool's roles (SetIdentityPoolRoles,
 * GetIdentityPoolRoles, kept as members "Roles" and "RoleMappings" of the pool document).
 *
 * Logins are checked by identity_login.c; this file decides what they mean for identities,
 * following the developer guide (authentication-flow.md, "Authentication flow API operations
 * overview"; role-based-access-control.md):
 * - GetId returns the identity a login is linked to, or makes one; without logins it makes a
 *   new unauthenticated identity each call, when the pool allows them.
 * - "If you submit a token for a login that is not already associated with any identity, the
 *   login is considered to be linked": a login unknown so far is linked to the identity; "You
 *   may only link one login per public provider. Attempts to link more than one login with a
 *   public provider results in a ResourceConflictException".
 * - "If you pass in a token for a login that is not currently linked to the given identity,
 *   but is linked to another identity, the two identities are merged ... one identity becomes
 *   the parent/owner of all associated logins and the other is disabled. In this case, the
 *   identity ID of the parent/owner is returned." The owner here is the identity the login
 *   was linked to. Two identities that each hold a different user of one provider cannot be
 *   merged: NotAuthorizedException "Logins don't match. Please include at least one valid
 *   login for this identity or identity pool." (the message of aws-amplify/amplify-js#2443,
 *   also answered to an authenticated identity that presents no logins).
 * - A disabled identity (merged away, or left without logins, which "will make this identity
 *   inaccessible", UnlinkIdentity reference) is refused with NotAuthorizedException "Access to
 *   Identity '<id>' is forbidden." (the message Amplify Swift recovers from by a fresh GetId).
 * - Roles: for an authenticated identity, the RoleMappings entry of its provider and app
 *   client ("<provider>:<client id>") of Type Token (CustomRoleArn, if given, must be in
 *   cognito:roles; then cognito:preferred_role) or Rules (first match, in order; CustomRoleArn
 *   picks among the matches); what is still undecided follows AmbiguousRoleResolution:
 *   AuthenticatedRole, or Deny: NotAuthorizedException "The ambiguous role mapping rules
 *   denied this request." (aws-amplify/amplify-js#8644). Without a mapping the pool's
 *   authenticated role. No role to give: InvalidIdentityPoolConfigurationException "Invalid
 *   identity pool configuration. Check assigned IAM roles for this pool." (aws-sdk-js#1615,
 *   aws-amplify/amplify-swift#3124 headers). Unauthenticated identities in a pool that no
 *   longer allows them: NotAuthorizedException "Unauthenticated access is not supported for
 *   this identity pool." (aws/aws-sdk-js-v3#3113).
 * - An unknown identity is ResourceNotFoundException "Identity '<id>' not found."
 *   (quoted from real responses in several tutorials: "ResourceNotFoundException: Identity
 *   'identity-id' not found.").
 *
 * Credentials look like STS's: AccessKeyId "ASIA" + 16 upper-case alphanumerics, a
 * 40-character SecretKey, a long SessionToken, Expiration one hour ahead in epoch seconds.
 * Only the access key id is recorded (with its identity, role and expiry) for the control
 * API's mapping; secrets are neither stored nor logged.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity/identity_logins.h"
#include "crypto/secrets.h"
#include "util/ids.h"
#include "util/jsonutil.h"
#include "aws/op.h"
#include "aws/ops_common.h"
#include "store/store.h"

#define CREDENTIALS_TTL_S 3600
#define OPENID_TTL_S 600          /* GetOpenIdToken: "valid for 10 minutes" */
#define DEVELOPER_TOKEN_TTL_S 900 /* GetOpenIdTokenForDeveloperIdentity: 15 minutes default */
#define SESSION_TOKEN_BYTES 480   /* 640 base64 characters, the size of real session tokens */
#define ACCESS_KEY_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define SECRET_KEY_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

static const char LOGINS_DONT_MATCH[] =
    "Logins don't match. Please include at least one valid login for this identity or identity "
    "pool.";
static const char UNAUTH_NOT_SUPPORTED[] =
    "Unauthenticated access is not supported for this identity pool.";
static const char BAD_CONFIGURATION[] =
    "Invalid identity pool configuration. Check assigned IAM roles for this pool.";
static const char AMBIGUOUS_DENIED[] = "The ambiguous role mapping rules denied this request.";

/* Identity pools, as ops_identity_pool.c names them. */
static const struct ops_doc_type IDENTITY_POOL = {
    .kind = STORE_IDENTITY_POOL,
    .noun = "identity pool",
    .missing_code = COG_E_RESOURCE_NOT_FOUND,
    .missing = "IdentityPool '%s' not found.",
};

/* ---- Identities ------------------------------------------------------------------------- */

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

static int not_authorized(struct op_ctx *ctx, const char *message)
{
    return cog_err_set(&ctx->err, COG_E_NOT_AUTHORIZED, "%s", message);
}

/* Read identity id into *out; ResourceNotFoundException when unknown. */
static int identity_load(struct op_ctx *ctx, const char *id, struct store_identity **out)
{
    int st = store_identity_get(ctx->db, id, out);

    if (st == STORE_NOT_FOUND)
        return identity_not_found(ctx, id);
    return st == STORE_OK ? 0 : ops_fail_internal(ctx, "could not read the identity");
}

/*
 * Read identity id and its pool document (*pool, cJSON_Delete). With pool_id non-NULL the
 * identity must belong to that pool (else it is unknown). Disabled identities are refused
 * unless allow_disabled.
 */
static int identity_and_pool(struct op_ctx *ctx, const char *id, const char *pool_id,
                             bool allow_disabled, struct store_identity **out, cJSON **pool)
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

/* Make a new identity "<region of the pool>:<uuid>" in pool_id. *out: store_identity_free. */
static int identity_new(struct op_ctx *ctx, const char *pool_id, bool authenticated,
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

static int identity_save(struct op_ctx *ctx, struct store_identity *i)
{
    i->modified_ms = ctx->now_ms;
    return store_identity_update(ctx->db, i) == STORE_OK
               ? 0
               : ops_fail_internal(ctx, "could not update the identity");
}

/* The logins of identity seq into *list (store_login_list_free). */
static int logins_of(struct op_ctx *ctx, int64_t seq, struct store_login_list *list)
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

/* Whether two identities' logins hold different users of one public provider. */
static bool logins_conflict(const struct store_login_list *a, const struct store_login_list *b)
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

    if (identity_load(ctx, other_id, &other) != 0 || logins_of(ctx, (*ident)->seq, &mine) != 0 ||
        logins_of(ctx, other->seq, &theirs) != 0)
        goto out;
    if (logins_conflict(&mine, &theirs)) {
        not_authorized(ctx, LOGINS_DONT_MATCH);
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

/*
 * Apply checked logins to identity *ident (GetId, GetCredentialsForIdentity, GetOpenIdToken*):
 * refresh the links it has, link logins no identity has, merge with the identity that holds a
 * login (then *ident is that identity). An OpenID token must be for *ident itself.
 */
static int apply_logins(struct op_ctx *ctx, struct store_identity **ident,
                        const struct identity_logins *logins)
{
    for (size_t i = 0; i < logins->count; i++) {
        const struct identity_login *l = &logins->items[i];
        struct store_login *owner = NULL;
        int st;

        if (l->kind == IDENTITY_LOGIN_OPENID) {
            if (strcmp(l->subject, (*ident)->id) != 0)
                return not_authorized(ctx, LOGINS_DONT_MATCH);
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
            if (logins_of(ctx, (*ident)->seq, &mine) != 0)
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

/* ---- Tokens, roles and credentials ------------------------------------------------------ */

/*
 * The amr of a token for the identity that presented logins (the first one names the
 * provider), or of an unauthenticated one: ["unauthenticated"], or ["authenticated",
 * provider, provider + ":CognitoSignIn:" + sub] as Cognito's tokens and API Gateway's
 * cognitoAuthenticationProvider show it ("<provider>,<provider>:CognitoSignIn:<sub>").
 * An OpenID token presented as a login passes its own amr on. A new array, or NULL.
 */
static cJSON *amr_of(const struct identity_logins *logins)
{
    cJSON *amr;
    char *detail;
    const struct identity_login *l = logins && logins->count ? &logins->items[0] : NULL;

    if (l != NULL && l->kind == IDENTITY_LOGIN_OPENID) {
        const cJSON *given = json_get(l->claims, "amr");
        if (cJSON_IsArray(given))
            return cJSON_Duplicate(given, 1);
    }
    if (l == NULL || l->kind == IDENTITY_LOGIN_OPENID) {
        const char *one[] = {l == NULL ? "unauthenticated" : "authenticated"};
        return cJSON_CreateStringArray(one, 1);
    }
    detail = malloc(strlen(l->provider) + strlen(l->subject) + 16);
    if (detail == NULL)
        return NULL;
    snprintf(detail, strlen(l->provider) + strlen(l->subject) + 16, "%s:CognitoSignIn:%s",
             l->provider, l->subject);
    {
        const char *three[] = {"authenticated", l->provider, detail};
        amr = cJSON_CreateStringArray(three, 3);
    }
    free(detail);
    return amr;
}

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
                               BAD_CONFIGURATION);
        *role = auth_role;
        return 0;
    }
    return not_authorized(ctx, AMBIGUOUS_DENIED);
}

/*
 * The role of an authenticated identity that presented logins, as Cognito chooses it (see the
 * top of the file). *role is borrowed from pool, the logins' claims or custom.
 */
static int choose_role(struct op_ctx *ctx, const cJSON *pool, const struct identity_logins *logins,
                       const char *custom, const char **role)
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
                               BAD_CONFIGURATION);
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
                return not_authorized(ctx, AMBIGUOUS_DENIED);
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
            return not_authorized(ctx, AMBIGUOUS_DENIED);
        return resolve_ambiguous(ctx, mapping, auth_role, role);
    }
    return resolve_ambiguous(ctx, mapping, auth_role, role);
}

/* The entries of amr after the first, joined with ",": a new string, NULL when none. */
static char *auth_provider_of(const cJSON *amr)
{
    const cJSON *item;
    size_t n = 0, at = 0;
    char *out;

    for (item = amr && amr->child ? amr->child->next : NULL; item != NULL; item = item->next)
        if (cJSON_IsString(item))
            n += strlen(item->valuestring) + 1;
    if (n == 0 || (out = malloc(n)) == NULL)
        return NULL;
    for (item = amr->child->next; item != NULL; item = item->next) {
        size_t len;
        if (!cJSON_IsString(item))
            continue;
        if (at > 0)
            out[at++] = ',';
        len = strlen(item->valuestring);
        memcpy(out + at, item->valuestring, len);
        at += len;
    }
    out[at] = '\0';
    return out;
}

/*
 * New credentials for identity_id with role, recorded by access key id, as the Credentials
 * object of the response (*out, cJSON_Delete). 0, or -1 with InternalErrorException.
 */
static int issue_credentials(struct op_ctx *ctx, const char *identity_id, const char *pool_id,
                             const char *role, const cJSON *amr, cJSON **out)
{
    char access_key[21], secret[41];
    char *session = secrets_random_base64(SESSION_TOKEN_BYTES), *provider = auth_provider_of(amr);
    const cJSON *first = amr ? amr->child : NULL;
    struct store_credentials rec = {
        .access_key_id = access_key,
        .identity_id = (char *)identity_id,
        .pool_id = (char *)pool_id,
        .role_arn = (char *)role,
        .auth_type = cJSON_IsString(first) ? first->valuestring : (char *)"unauthenticated",
        .auth_provider = provider,
        .created_ms = ctx->now_ms,
        .expires_ms = (ctx->now_ms / 1000 + CREDENTIALS_TTL_S) * 1000,
    };
    int st = STORE_EXISTS, rc = -1;
    cJSON *creds = NULL;

    *out = NULL;
    if (session == NULL) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    for (int attempt = 0; attempt < 3 && st == STORE_EXISTS; attempt++) {
        memcpy(access_key, "ASIA", 4);
        ids_random_chars(access_key + 4, 16, ACCESS_KEY_ALPHABET);
        st = store_credentials_put(ctx->db, &rec);
    }
    if (st != STORE_OK) {
        ops_fail_internal(ctx, "could not record the credentials");
        goto out;
    }
    ids_random_chars(secret, 40, SECRET_KEY_ALPHABET);
    creds = cJSON_CreateObject();
    if (creds == NULL || json_set_str(creds, "AccessKeyId", access_key) != 0 ||
        json_set_str(creds, "SecretKey", secret) != 0 ||
        json_set_str(creds, "SessionToken", session) != 0 ||
        json_set_num(creds, "Expiration", (double)(rec.expires_ms / 1000)) != 0) {
        ops_fail_internal(ctx, "out of memory");
        goto out;
    }
    *out = creds;
    creds = NULL;
    rc = 0;
out:
    secrets_wipe(secret, sizeof(secret));
    if (session != NULL)
        secrets_wipe(session, strlen(session));
    free(session);
    free(provider);
    cJSON_Delete(creds);
    return rc;
}

/*
 * Sign an OpenID token of cognito-identity for identity_id of pool_id with amr (taken), valid
 * ttl seconds, the claims in the order of Cognito's tokens. A new string, or NULL with
 * InternalErrorException.
 */
static char *openid_token(struct op_ctx *ctx, const char *identity_id, const char *pool_id,
                          cJSON *amr, int64_t ttl)
{
    cJSON *claims = cJSON_CreateObject();
    int64_t iat = ctx->now_ms / 1000;
    char *token = NULL;

    if (claims == NULL || amr == NULL || json_set_str(claims, "sub", identity_id) != 0 ||
        json_set_str(claims, "aud", pool_id) != 0 || json_set_item(claims, "amr", amr) != 0 ||
        json_set_str(claims, "iss", IDENTITY_TOKEN_ISSUER) != 0 ||
        json_set_num(claims, "exp", (double)(iat + ttl)) != 0 ||
        json_set_num(claims, "iat", (double)iat) != 0) {
        if (claims == NULL || json_get(claims, "amr") != amr)
            cJSON_Delete(amr);
        cJSON_Delete(claims);
        ops_fail_internal(ctx, "out of memory");
        return NULL;
    }
    token = identity_token_sign(ctx->db, claims);
    cJSON_Delete(claims);
    if (token == NULL)
        ops_fail_internal(ctx, "could not sign the OpenID token");
    return token;
}

/* ---- GetId, GetCredentialsForIdentity, GetOpenIdToken ------------------------------------ */

/*
 * GetId: the identity of the presented logins (linking the ones not linked yet, merging
 * identities that hold them), a new authenticated identity for logins never seen, or, without
 * logins, a new unauthenticated identity each call when the pool allows them.
 */
int op_get_id(struct op_ctx *ctx)
{
    const char *pool_id = json_str(ctx->in, "IdentityPoolId");
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    cJSON *pool = NULL;
    int rc = -1;

    if (ops_doc_load(ctx, &IDENTITY_POOL, pool_id, NULL, &pool) != 0)
        return -1;
    if (identity_logins_check(ctx, pool, json_get(ctx->in, "Logins"), &logins) != 0)
        goto done;
    if (logins.count == 0 && !json_bool(pool, "AllowUnauthenticatedIdentities", false)) {
        not_authorized(ctx, UNAUTH_NOT_SUPPORTED);
        goto done;
    }
    if (ops_txn_begin(ctx) != 0)
        goto done;
    /* The identity one of the logins is linked to, else a new one. */
    for (size_t i = 0; i < logins.count && ident == NULL; i++) {
        const struct identity_login *l = &logins.items[i];
        struct store_login *owner = NULL;
        const char *owner_id = NULL;
        int st = 0;

        if (l->kind == IDENTITY_LOGIN_OPENID) {
            owner_id = l->subject;
        } else {
            st = store_login_get(ctx->db, pool_id, l->provider, l->subject, &owner);
            if (st == STORE_ERROR) {
                ops_fail_internal(ctx, "could not read the login");
                goto end;
            }
            owner_id = owner ? owner->identity_id : NULL;
        }
        st = 0;
        if (owner_id != NULL) {
            cJSON *ignored = NULL;
            st = identity_and_pool(ctx, owner_id, pool_id, false, &ident, &ignored);
            cJSON_Delete(ignored);
        }
        store_login_free(owner);
        if (st != 0)
            goto end;
    }
    if (ident == NULL && identity_new(ctx, pool_id, logins.count > 0, &ident) != 0)
        goto end;
    rc = apply_logins(ctx, &ident, &logins);
end:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0 && json_set_str(ctx->out, "IdentityId", ident->id) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
done:
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/*
 * What GetCredentialsForIdentity and GetOpenIdToken share: read the identity (and its pool),
 * check and apply the request's Logins, and decide whether it acts authenticated. On 0,
 * *ident (store_identity_free), *pool (cJSON_Delete) and *logins (identity_logins_free) are
 * set; runs in the caller's transaction.
 */
static int resolve_identity(struct op_ctx *ctx, struct store_identity **ident, cJSON **pool,
                            struct identity_logins *logins)
{
    memset(logins, 0, sizeof(*logins));
    if (identity_and_pool(ctx, json_str(ctx->in, "IdentityId"), NULL, false, ident, pool) != 0)
        return -1;
    if (identity_logins_check(ctx, *pool, json_get(ctx->in, "Logins"), logins) != 0)
        return -1;
    if (logins->count == 0) {
        if ((*ident)->authenticated)
            return not_authorized(ctx, LOGINS_DONT_MATCH);
        if (!json_bool(*pool, "AllowUnauthenticatedIdentities", false))
            return not_authorized(ctx, UNAUTH_NOT_SUPPORTED);
        return 0;
    }
    return apply_logins(ctx, ident, logins);
}

/*
 * GetCredentialsForIdentity: temporary credentials of the role Cognito would choose for the
 * identity (see the top of the file), new on each call.
 */
int op_get_credentials_for_identity(struct op_ctx *ctx)
{
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    cJSON *pool = NULL, *amr = NULL, *creds = NULL;
    const char *role = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (resolve_identity(ctx, &ident, &pool, &logins) != 0)
        goto end;
    if (ident->authenticated) {
        if (choose_role(ctx, pool, &logins, json_str(ctx->in, "CustomRoleArn"), &role) != 0)
            goto end;
    } else if ((role = json_str(json_get(pool, "Roles"), "unauthenticated")) == NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_IDENTITY_POOL_CONFIGURATION, "%s", BAD_CONFIGURATION);
        goto end;
    }
    if ((amr = amr_of(ident->authenticated ? &logins : NULL)) == NULL) {
        ops_fail_internal(ctx, "out of memory");
        goto end;
    }
    rc = issue_credentials(ctx, ident->id, ident->pool_id, role, amr, &creds);
end:
    rc = ops_txn_end(ctx, rc);
    if (rc == 0 && json_set_str(ctx->out, "IdentityId", ident->id) != 0)
        rc = ops_fail_internal(ctx, "out of memory");
    if (rc == 0)
        rc = ops_out_set(ctx, "Credentials", creds); /* takes creds */
    else
        cJSON_Delete(creds);
    cJSON_Delete(amr);
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/*
 * GetOpenIdToken: an OpenID token of cognito-identity for the identity (the basic flow),
 * valid 10 minutes. Refused, as Cognito refuses it, for pools with RoleMappings ("Basic
 * (classic) flow is not supported with RoleMappings, please use enhanced flow.", developer
 * guide) and for pools that set AllowClassicFlow to false.
 */
int op_get_open_id_token(struct op_ctx *ctx)
{
    struct identity_logins logins = {0};
    struct store_identity *ident = NULL;
    cJSON *pool = NULL;
    char *token = NULL;
    int rc = -1;

    if (ops_txn_begin(ctx) != 0)
        return -1;
    if (resolve_identity(ctx, &ident, &pool, &logins) != 0)
        goto end;
    if (json_get(pool, "RoleMappings") != NULL) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Basic (classic) flow is not supported with RoleMappings, please use "
                    "enhanced flow.");
        goto end;
    }
    if (!json_bool(pool, "AllowClassicFlow", true)) {
        cog_err_set(&ctx->err, COG_E_INVALID_PARAMETER,
                    "Basic (classic) flow is not enabled for this identity pool.");
        goto end;
    }
    rc = 0;
end:
    /* Sign after the commit: the RSA signature is the slow part and needs no lock. */
    rc = ops_txn_end(ctx, rc);
    if (rc == 0)
        token = openid_token(ctx, ident->id, ident->pool_id,
                             amr_of(ident->authenticated ? &logins : NULL), OPENID_TTL_S);
    if (rc == 0 && token == NULL)
        rc = -1;
    if (rc == 0 && (json_set_str(ctx->out, "IdentityId", ident->id) != 0 ||
                    json_set_str(ctx->out, "Token", token) != 0))
        rc = ops_fail_internal(ctx, "out of memory");
    free(token);
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/* ---- Developer-authenticated identities ------------------------------------------------- */

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
    rc = apply_logins(ctx, &ident, &logins);
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
        else if ((token = openid_token(ctx, ident->id, pool_id, amr, ttl)) != NULL &&
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

    if (logins_of(ctx, seq, &list) != 0)
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
 * Disable ident when it has no login left ("Removing the last linked login will make this
 * identity inaccessible", UnlinkIdentity reference); touch it otherwise.
 */
static int after_unlink(struct op_ctx *ctx, struct store_identity *ident)
{
    struct store_login_list left = {0};

    if (logins_of(ctx, ident->seq, &left) != 0)
        return -1;
    if (left.count == 0)
        ident->disabled = 1;
    store_login_list_free(&left);
    return identity_save(ctx, ident);
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
            logins_of(ctx, ident[i]->seq, &logins[i]) != 0) {
            if (st != STORE_OK)
                ops_fail_internal(ctx, "could not read the developer user");
            goto end;
        }
    }
    if (ident[0]->seq != ident[1]->seq) {
        if (logins_conflict(&logins[0], &logins[1])) {
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
    rc = after_unlink(ctx, ident);
end:
    rc = ops_txn_end(ctx, rc);
    store_login_free(login);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/* ---- Identities as an administrator sees them ------------------------------------------- */

/* The IdentityDescription of i: IdentityId, Logins (provider names; absent when none),
 * CreationDate, LastModifiedDate. A new object, or NULL with ctx->err set. */
static cJSON *describe(struct op_ctx *ctx, const struct store_identity *i)
{
    struct store_login_list list = {0};
    cJSON *d = NULL, *names = NULL;
    bool bad;

    if (logins_of(ctx, i->seq, &list) != 0)
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
        logins_of(ctx, ident->seq, &linked) != 0)
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
        not_authorized(ctx, LOGINS_DONT_MATCH);
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
    rc = after_unlink(ctx, ident);
end:
    rc = ops_txn_end(ctx, rc);
    store_login_list_free(&linked);
    identity_logins_free(&logins);
    store_identity_free(ident);
    cJSON_Delete(pool);
    return rc;
}

/* ---- Roles ------------------------------------------------------------------------------ */

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
